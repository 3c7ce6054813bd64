// Next.js file-system routing: which files are app-router route handlers, pages-router API
// routes or middleware, and the URL path each one serves.
import path from 'node:path';
import type { Workspace } from '../../project/workspace.js';
import { toPosix } from '../../util.js';
import { DEFAULT_PAGE_EXTENSIONS, type NextAppConfig } from './config.js';

export interface NextFile {
  kind: 'app-route' | 'pages-api' | 'middleware';
  appRoot: string;
  /** URL path with basePath applied (not for middleware). */
  urlPath: string;
  config: NextAppConfig;
}

/** What file classification needs: the packages, each app's next.config settings, and which folders hold sources. */
export interface NextLayout {
  workspace: Workspace;
  nextConfigs: ReadonlyMap<string, NextAppConfig>;
  /** Every folder that holds a discovered source file, directly or below it (from discovery's listing, never the file system). */
  dirs: ReadonlySet<string>;
}

function configFor(appRoot: string, ctx: Pick<NextLayout, 'nextConfigs'>): NextAppConfig {
  return ctx.nextConfigs.get(appRoot) ?? { appRoot, basePath: '', pageExtensions: DEFAULT_PAGE_EXTENSIONS };
}

/** `base` minus one of the page extensions, or undefined when it has none of them. */
function stripExtension(base: string, exts: string[]): string | undefined {
  for (const e of [...exts].sort((a, b) => b.length - a.length)) {
    if (base.endsWith(`.${e}`)) return base.slice(0, -(e.length + 1));
  }
  return undefined;
}

function appSegmentsToPath(segments: string[]): string | undefined {
  const out: string[] = [];
  for (const s of segments) {
    if (s.startsWith('_')) return undefined; // private folder: not routable
    if (s.startsWith('(') && s.endsWith(')')) continue; // route group
    if (s.startsWith('@')) continue; // parallel route slot
    if (/^\(\.+\)/.test(s)) return undefined; // intercepting route
    out.push(s.replace(/%5F/gi, '_'));
  }
  return `/${out.join('/')}`;
}

/** A Next.js application root: it depends on `next`, has a next.config, or is a bare folder without package.json. */
export function isNextApp(appRoot: string, ctx: Pick<NextLayout, 'workspace' | 'nextConfigs'>): boolean {
  return ctx.nextConfigs.has(appRoot) || ctx.workspace.dependsOn(appRoot, 'next') || !ctx.workspace.packageAt(appRoot);
}

/**
 * The Next.js application a file belongs to: the nearest folder with a next.config between the file and
 * its package (an Nx or Turborepo app without a package.json of its own: `apps/admin/next.config.js`
 * under a root package.json), else the package folder.
 */
export function nextAppRootOf(file: string, ctx: Pick<NextLayout, 'workspace' | 'nextConfigs'>): string {
  const pkgRoot = ctx.workspace.appRootOf(file);
  for (let dir = path.dirname(file); dir.length > pkgRoot.length && dir.startsWith(pkgRoot); dir = path.dirname(dir))
    if (ctx.nextConfigs.has(dir)) return dir;
  return pkgRoot;
}

export function classifyNextFile(file: string, ctx: NextLayout): NextFile | undefined {
  const appRoot = nextAppRootOf(file, ctx);
  if (!isNextApp(appRoot, ctx)) return undefined;
  const config = configFor(appRoot, ctx);
  const base = path.basename(file);
  const stem = stripExtension(base, config.pageExtensions);
  if (stem === undefined) return undefined;
  const relToRoot = toPosix(path.relative(appRoot, file));
  const parts = relToRoot.split('/');

  // middleware.ts / proxy.ts at the app root or in src/
  if (
    (stem === 'middleware' || stem === 'proxy') &&
    (parts.length === 1 || (parts.length === 2 && parts[0] === 'src'))
  ) {
    return { kind: 'middleware', appRoot, urlPath: '', config };
  }

  // App router: <root>/app/**/route.ext or <root>/src/app/**/route.ext
  const appDirIndex = parts[0] === 'app' ? 0 : parts[0] === 'src' && parts[1] === 'app' ? 1 : -1;
  if (stem === 'route' && appDirIndex >= 0) {
    // With both app/ and src/app/, Next uses app/.
    if (appDirIndex === 1 && hasSourcesUnder(path.join(appRoot, 'app'), ctx.dirs)) return undefined;
    const segs = parts.slice(appDirIndex + 1, -1);
    const p = appSegmentsToPath(segs);
    if (p === undefined) return undefined;
    return { kind: 'app-route', appRoot, urlPath: joinBase(config.basePath, p), config };
  }

  // Pages router API routes: <root>/pages/api/** or <root>/src/pages/api/**
  const pagesIndex = parts[0] === 'pages' ? 0 : parts[0] === 'src' && parts[1] === 'pages' ? 1 : -1;
  if (pagesIndex >= 0 && parts[pagesIndex + 1] === 'api') {
    if (pagesIndex === 1 && hasSourcesUnder(path.join(appRoot, 'pages'), ctx.dirs)) return undefined;
    const segs = [...parts.slice(pagesIndex + 1, -1), stem];
    if (segs.some((s) => s.startsWith('_') && ['_app', '_document', '_error', '_middleware'].includes(s)))
      return undefined;
    if (segs[segs.length - 1] === 'index') segs.pop();
    return { kind: 'pages-api', appRoot, urlPath: joinBase(config.basePath, `/${segs.join('/')}`), config };
  }
  return undefined;
}

function joinBase(basePath: string, p: string): string {
  if (!basePath) return p;
  return p === '/' ? basePath : basePath + p;
}

/** Does a folder (or one below it) hold a discovered source file? `dirs` lists every ancestor of every source. */
function hasSourcesUnder(dir: string, dirs: ReadonlySet<string>): boolean {
  return dirs.has(dir);
}
