// The scan stays in its tree (the git top level, else the outermost workspace root, else the
// scanned path): resolution never opens a file outside it, whatever points there (a tsconfig path
// or `extends`, a `..` or absolute import, a symbolic link, a workspace entry point), and a guard
// found only outside never makes an endpoint `enforced`. Manifests with a BOM are read; tsconfig
// `extends` chains are followed as deep as tsc follows them, and cycles end.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaults } from '../src/config/types.js';
import { findTree } from '../src/project/tree.js';
import { scan, type ScanResult } from '../src/pipeline.js';

const temps: string[] = [];
afterAll(() => temps.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function write(base: string, files: Record<string, string | Buffer>): void {
  for (const [rel, text] of Object.entries(files)) {
    const abs = path.join(base, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
  }
}

function tempDir(prefix: string): string {
  // realpath: macOS's /tmp is itself a link
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  temps.push(d);
  return d;
}

/** Every path the scan hands to a file-opening call of node:fs while `fn` runs. */
async function recordingReads<T>(fn: () => Promise<T>): Promise<{ value: T; opened: string[] }> {
  const opened: string[] = [];
  const spies = (['readFileSync', 'openSync', 'readdirSync', 'opendirSync'] as const).map((name) => {
    const orig = fs[name] as (...a: unknown[]) => unknown;
    return vi.spyOn(fs, name).mockImplementation(((p: unknown, ...rest: unknown[]) => {
      if (typeof p === 'string') opened.push(path.resolve(p));
      else if (p instanceof URL) opened.push(p.pathname);
      return orig.call(fs, p, ...rest);
    }) as never);
  });
  try {
    return { value: await fn(), opened };
  } finally {
    spies.forEach((s) => s.mockRestore());
  }
}

afterEach(() => vi.restoreAllMocks());

const GUARD = `import type { NextFunction, Request, Response } from 'express';
export function requireStepUp(req: Request, res: Response, next: NextFunction) {
  const at = (req as any).session?.stepUpAt;
  if (!at || Date.now() - at > 5 * 60 * 1000) return res.status(403).json({ error: 'step-up required' });
  next();
}
`;

const status = (r: ScanResult, route: string): string | undefined =>
  r.endpoints.find((e) => `${e.method} ${e.path}` === route)?.verdict?.status;

describe('the scan stays in its tree', () => {
  let base = '';
  let root = '';
  let outside = '';

  beforeAll(() => {
    base = tempDir('stepup-tree-');
    outside = path.join(base, 'outside');
    root = path.join(base, 'root');
    // Outside the tree: a real step-up guard (the sentinel: read, it would make a route `enforced`),
    // a tsconfig declaring aliases, and a package whose entry point is the guard.
    write(outside, {
      'guard.ts': GUARD,
      'tsconfig.base.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@ext/*': ['./*'] } } }),
      'pkg/package.json': JSON.stringify({ name: '@evil/guard', main: 'index.ts' }),
      'pkg/index.ts': `export { requireStepUp } from '../guard';\n`,
    });
    write(root, {
      'package.json': JSON.stringify({
        name: 'api',
        private: true,
        workspaces: ['packages/*'],
        dependencies: { express: '4.21.0' },
      }),
      'tsconfig.json': JSON.stringify({
        extends: '../outside/tsconfig.base.json',
        compilerOptions: { baseUrl: '.', paths: { '@out/*': ['../outside/*'] } },
      }),
      'packages/evil/package.json': JSON.stringify({ name: '@evil/entry', main: '../../../outside/guard.ts' }),
      'src/db.ts': 'export const db: any = {};\n',
      'src/app.ts': `import express from 'express';
import { db } from './db';
import { requireStepUp as viaAlias } from '@out/guard';
import { requireStepUp as viaDotDot } from '../../outside/guard';
import { requireStepUp as viaAbsolute } from '${path.join(outside, 'guard')}';
import { requireStepUp as viaLink } from './linked/guard';
import { requireStepUp as viaDist } from '../dist/guard';
import { requireStepUp as viaExtends } from '@ext/guard';
import { requireStepUp as viaWorkspace } from '@evil/entry';
const app = express();
app.post('/api/alias/transfers', viaAlias, async (req, res) => { await db.transfer.create({ data: req.body }); res.sendStatus(201); });
app.post('/api/dotdot/transfers', viaDotDot, async (req, res) => { await db.transfer.create({ data: req.body }); res.sendStatus(201); });
app.post('/api/absolute/transfers', viaAbsolute, async (req, res) => { await db.transfer.create({ data: req.body }); res.sendStatus(201); });
app.post('/api/link/transfers', viaLink, async (req, res) => { await db.transfer.create({ data: req.body }); res.sendStatus(201); });
app.post('/api/dist/transfers', viaDist, async (req, res) => { await db.transfer.create({ data: req.body }); res.sendStatus(201); });
app.post('/api/extends/transfers', viaExtends, async (req, res) => { await db.transfer.create({ data: req.body }); res.sendStatus(201); });
app.post('/api/workspace/transfers', viaWorkspace, async (req, res) => { await db.transfer.create({ data: req.body }); res.sendStatus(201); });
app.listen(3000);
`,
    });
    fs.symlinkSync(outside, path.join(root, 'src/linked'));
    fs.symlinkSync(outside, path.join(root, 'dist'));
  });

  it('takes the scanned folder as the tree when there is no repository or workspace above it', () => {
    expect(findTree(root).root).toBe(root);
    expect(findTree(path.join(root, 'src')).root).toBe(root); // the workspace root above
  });

  it('never opens a file outside the tree, and a guard found only there is not enforced', async () => {
    const { value: r, opened } = await recordingReads(() => scan({ paths: [root], config: defaults() }));
    const routes = ['alias', 'dotdot', 'absolute', 'link', 'dist', 'extends', 'workspace'].map(
      (k) => `POST /api/${k}/transfers`,
    );
    for (const route of routes) {
      expect(status(r, route), route).toBeDefined();
      expect(status(r, route), route).not.toBe('enforced');
    }
    expect(opened.filter((p) => p === outside || p.startsWith(outside + path.sep))).toEqual([]);
    expect(opened.some((p) => p.startsWith(root + path.sep))).toBe(true); // the recorder saw the scan's reads
  });

  it('a guard whose result the handler checks is not enforced when its code is outside the tree', async () => {
    const dir = tempDir('stepup-tree-checked-');
    const out = tempDir('stepup-tree-checked-out-');
    write(out, {
      'auth.ts': `export async function requireStepUp(req: Request): Promise<Response | null> {\n  const s = await loadSession(req);\n  if (!s || Date.now() - s.stepUpAt > 5 * 60 * 1000) return new Response('step-up required', { status: 403 });\n  return null;\n}\ndeclare function loadSession(req: Request): Promise<{ stepUpAt: number } | null>;\n`,
    });
    write(dir, {
      'package.json': JSON.stringify({ name: 'web', dependencies: { next: '15.0.0' } }),
      'tsconfig.json': JSON.stringify({
        compilerOptions: { baseUrl: '.', paths: { '@shared/*': [`${path.relative(dir, out)}/*`] } },
      }),
      'lib/db.ts': 'export const db: any = {};\n',
      'app/api/transfers/route.ts': `import { requireStepUp } from '@shared/auth';\nimport { db } from '../../../lib/db';\nexport async function POST(req: Request) {\n  const denied = await requireStepUp(req);\n  if (denied) return denied;\n  await db.transfer.create({ data: await req.json() });\n  return Response.json({ ok: true });\n}\n`,
    });
    const { value: r, opened } = await recordingReads(() => scan({ paths: [dir], config: defaults() }));
    expect(status(r, 'POST /api/transfers')).toBe('unverifiable');
    expect(opened.filter((p) => p.startsWith(out + path.sep))).toEqual([]);
  });

  it('resolves the same guard when it is inside the tree', async () => {
    const inside = tempDir('stepup-tree-in-');
    write(inside, {
      'package.json': JSON.stringify({ name: 'api', dependencies: { express: '4.21.0' } }),
      'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@in/*': ['./lib/*'] } } }),
      'lib/guard.ts': GUARD,
      'src/db.ts': 'export const db: any = {};\n',
      'src/app.ts': `import express from 'express';\nimport { db } from './db';\nimport { requireStepUp } from '@in/guard';\nconst app = express();\napp.post('/api/transfers', requireStepUp, async (req, res) => { await db.transfer.create({ data: req.body }); res.sendStatus(201); });\n`,
    });
    const r = await scan({ paths: [inside], config: defaults() });
    expect(status(r, 'POST /api/transfers')).toBe('enforced');
  });
});

describe('a monorepo scanned one application at a time', () => {
  const app = `import { db } from '@acme/db';\nimport { requireStepUp } from '@acme/auth';\nexport async function POST(req: Request) {\n  const denied = await requireStepUp(req);\n  if (denied) return denied;\n  await db.transfer.create({ data: await req.json() });\n  return Response.json({ ok: true });\n}\n`;
  const auth = `export async function requireStepUp(req: Request): Promise<Response | null> {\n  const s = await loadSession(req);\n  if (!s || Date.now() - s.stepUpAt > 5 * 60 * 1000) return new Response('step-up required', { status: 403 });\n  return null;\n}\ndeclare function loadSession(req: Request): Promise<{ stepUpAt: number } | null>;\n`;
  const files = (rootManifest: object): Record<string, string> => ({
    'package.json': JSON.stringify(rootManifest),
    'apps/web/package.json': JSON.stringify({
      name: '@acme/web',
      dependencies: { next: '15.0.0', '@acme/auth': '*', '@acme/db': '*' },
    }),
    'apps/web/app/api/transfers/route.ts': app,
    'packages/auth/package.json': JSON.stringify({ name: '@acme/auth', main: 'src/index.ts' }),
    'packages/auth/src/index.ts': auth,
    'packages/db/package.json': JSON.stringify({ name: '@acme/db', main: 'index.ts' }),
    'packages/db/index.ts': 'export const db: any = {};\n',
  });

  it('follows packages/auth from apps/web inside a git repository', async () => {
    const repo = tempDir('stepup-mono-git-');
    write(repo, files({ name: 'acme', private: true, workspaces: ['apps/*', 'packages/*'] }));
    fs.mkdirSync(path.join(repo, '.git'));
    expect(findTree(path.join(repo, 'apps/web')).kind).toBe('git');
    const r = await scan({ paths: [path.join(repo, 'apps/web')], config: defaults() });
    expect(status(r, 'POST /api/transfers')).toBe('enforced');
  });

  it('follows packages/auth from apps/web under a workspace root (pnpm, no git)', async () => {
    const repo = tempDir('stepup-mono-pnpm-');
    write(repo, {
      ...files({ name: 'acme', private: true }),
      'pnpm-workspace.yaml': 'packages:\n  - \'apps/*\'\n  - "packages/*" # libraries\n',
    });
    expect(findTree(path.join(repo, 'apps/web')).root).toBe(repo);
    const r = await scan({ paths: [path.join(repo, 'apps/web')], config: defaults() });
    expect(status(r, 'POST /api/transfers')).toBe('enforced');
  });
});

describe('manifests and tsconfig chains', () => {
  const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

  it('reads a package.json and a tsconfig.json that start with a BOM', async () => {
    const dir = tempDir('stepup-bom-');
    write(dir, {
      'package.json': Buffer.concat([
        BOM,
        Buffer.from(JSON.stringify({ name: 'bom-app', dependencies: { next: '15.0.0' } })),
      ]),
      'tsconfig.json': Buffer.concat([
        BOM,
        Buffer.from(JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@/*': ['./*'] } } })),
      ]),
      'lib/step-up.ts': `export async function requireStepUp(req: Request): Promise<Response | null> {\n  const s = await loadSession(req);\n  if (!s || Date.now() - s.stepUpAt > 5 * 60 * 1000) return new Response('step-up required', { status: 403 });\n  return null;\n}\ndeclare function loadSession(req: Request): Promise<{ stepUpAt: number } | null>;\n`,
      'lib/db.ts': 'export const db: any = {};\n',
      'app/api/payees/route.ts': `import { db } from '@/lib/db';\nimport { requireStepUp } from '@/lib/step-up';\nexport async function POST(req: Request) {\n  const denied = await requireStepUp(req);\n  if (denied) return denied;\n  await db.payee.create({ data: await req.json() });\n  return Response.json({ ok: true });\n}\n`,
    });
    const r = await scan({ paths: [dir], config: defaults() });
    const ep = r.endpoints.find((e) => e.path === '/api/payees');
    // the BOM package.json made this a Next.js application; the BOM tsconfig resolved `@/lib/step-up`
    expect(ep?.framework).toBe('next-app');
    expect(ep?.classification?.sensitive).toBe(true);
    expect(ep?.verdict?.status).toBe('enforced');
  });

  it('follows an extends chain 60 configs deep, and ends a cycle', async () => {
    const dir = tempDir('stepup-extends-');
    const files: Record<string, string> = {
      'package.json': JSON.stringify({ name: 'api', dependencies: { express: '4.21.0' } }),
      'tsconfig.json': JSON.stringify({ extends: './configs/c1.json' }),
      'lib/guard.ts': GUARD,
      'src/db.ts': 'export const db: any = {};\n',
      'src/app.ts': `import express from 'express';\nimport { db } from './db';\nimport { requireStepUp } from '@deep/guard';\nconst app = express();\napp.post('/api/transfers', requireStepUp, async (req, res) => { await db.transfer.create({ data: req.body }); res.sendStatus(201); });\n`,
    };
    for (let i = 1; i < 60; i++) files[`configs/c${i}.json`] = JSON.stringify({ extends: `./c${i + 1}.json` });
    // the last one declares the alias (relative to itself) and closes a cycle back to the first
    files['configs/c60.json'] = JSON.stringify({
      extends: './c1.json',
      compilerOptions: { baseUrl: '..', paths: { '@deep/*': ['lib/*'] } },
    });
    write(dir, files);
    const r = await scan({ paths: [dir], config: defaults() });
    expect(status(r, 'POST /api/transfers')).toBe('enforced');
  });
});
