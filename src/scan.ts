// The pipeline: discover → parse → extract → classify → verify → findings.
// Each scanned path is planned (discovery, next.config, the text pre-filter), then its candidate
// files are analysed (analyse.ts). One thread: measured on two cores, a worker thread cost ~40%
// more CPU than it saved, as V8's concurrent GC already keeps the second core busy.
import path from 'node:path';
import { analyse, type Phase } from './analyse.js';
import type { ResolvedConfig } from './config/types.js';
import { ValueResolver } from './analysis/values.js';
import { readNextConfig } from './frameworks/next/config.js';
import { classifyNextFile } from './frameworks/next/index.js';
import type { NextAppConfig } from './frameworks/types.js';
import type { Endpoint, Finding, ScanError, ScanSummary } from './model.js';
import { discover } from './project/discover.js';
import { isTestFileName, isTestPath, mentionsRouting } from './project/prefilter.js';
import { ModuleResolver } from './project/resolve.js';
import { SourceStore } from './project/sources.js';
import { Workspace } from './project/workspace.js';
import { compareStrings, relPosix } from './util.js';

export type { Phase } from './analyse.js';

export interface ScanOptions {
  paths: string[];
  config: ResolvedConfig;
  onProgress?: (phase: string, done: number, total: number) => void;
}

/** What discovery and the pre-filter found for one scanned path (plain data). */
export interface RootPlan {
  root: string;
  sources: string[];
  packageJsons: string[];
  /** next.config settings per application root (read, never executed). */
  nextConfigs: NextAppConfig[];
  candidates: string[];
  /** Files that mention better-auth's `freshAge`. */
  freshAgeFiles: string[];
  /** Application roots whose routes come from Next.js file conventions only. */
  nextOnlyRoots: string[];
}

export interface ScanStats {
  /** Files that passed the text pre-filter. */
  candidates: number;
  /** Files parsed (candidates and the modules the analysis followed). */
  parsed: number;
  /** Routers modelled by the Express, Hono and next-connect adapters. */
  routers: number;
}

export interface ScanResult {
  /** Folder that reported file paths are relative to. */
  base: string;
  endpoints: Endpoint[];
  findings: Finding[];
  errors: ScanError[];
  summary: ScanSummary;
  frameworks: string[];
  timings: Record<Phase, number>;
  stats: ScanStats;
  /** Source text of scanned files that were read (for suppression comments). */
  textOf: (file: string) => string | undefined;
}

export function commonBase(paths: string[]): string {
  const abs = paths.map((p) => path.resolve(p));
  let base = abs[0];
  for (const p of abs.slice(1)) {
    while (base !== path.dirname(base) && !(p === base || p.startsWith(base + path.sep))) base = path.dirname(base);
  }
  return base;
}

const ROUTER_DEPS = ['express', 'hono', 'next-connect', 'express-promise-router', 'router', '@hono/zod-openapi', '@hono/node-server'];

/** Discovery and the cheap text pre-filter for one scanned path. */
export function planRoot(root: string, config: ResolvedConfig, store: SourceStore): RootPlan {
  const discovery = discover(root, { ignore: config.ignore });
  const workspace = new Workspace(root, discovery.packageJsons);
  for (const s of discovery.sources) store.known.add(s.abs);
  const nextOnlyCache = new Map<string, boolean>();
  const nextOnly = (appRoot: string): boolean => {
    let v = nextOnlyCache.get(appRoot);
    if (v === undefined) {
      v = !!workspace.packageAt(appRoot) && workspace.dependsOn(appRoot, 'next') && !ROUTER_DEPS.some((d) => workspace.dependsOn(appRoot, d) || workspace.anyDependsOn(d, appRoot));
      nextOnlyCache.set(appRoot, v);
    }
    return v;
  };
  // next.config files decide page extensions and basePath for file classification below
  const values = new ValueResolver(store, new ModuleResolver(root, workspace, store.known));
  const nextConfigs = new Map<string, NextAppConfig>();
  for (const f of discovery.nextConfigs) {
    const cfg = readNextConfig(f, { store, values });
    nextConfigs.set(cfg.appRoot, cfg);
  }
  const classifyCtx = { workspace, root, nextConfigs };
  const plan: RootPlan = { root, sources: discovery.sources.map((s) => s.abs), packageJsons: discovery.packageJsons, nextConfigs: [...nextConfigs.values()], candidates: [], freshAgeFiles: [], nextOnlyRoots: [] };
  const toRead: string[] = [];
  for (const s of discovery.sources) {
    const next = classifyNextFile(s.abs, classifyCtx);
    if (next) {
      // Inside a route tree `test/` or `e2e/` are URL segments; above the app they mark test fixtures.
      if (!isTestPath(`${relPosix(root, next.appRoot)}/`) && !isTestFileName(s.rel)) plan.candidates.push(s.abs);
      continue;
    }
    if (isTestPath(s.rel)) continue;
    // In a Next.js-only application, routes come from file conventions: other files are parsed only when imported.
    if (nextOnly(workspace.appRootOf(s.abs))) continue;
    toRead.push(s.abs);
  }
  // Measured: sequential reads beat fs.promises concurrency here (each async read is several thread-pool hops).
  for (const file of toRead) {
    const text = store.text(file, false);
    if (text === undefined) continue;
    if (text.includes('freshAge')) plan.freshAgeFiles.push(file);
    if (mentionsRouting(text)) {
      plan.candidates.push(file);
      store.keep(file, text);
    }
  }
  plan.candidates.sort(compareStrings);
  plan.freshAgeFiles.sort(compareStrings);
  plan.nextOnlyRoots = [...nextOnlyCache.entries()].filter(([, v]) => v).map(([k]) => k);
  for (const c of plan.candidates) {
    const a = workspace.appRootOf(c);
    if (!nextOnlyCache.has(a) && nextOnly(a)) plan.nextOnlyRoots.push(a);
  }
  return plan;
}

export async function scan(options: ScanOptions): Promise<ScanResult> {
  const t0 = performance.now();
  const timings: Record<Phase, number> = { discover: 0, parse: 0, extract: 0, classify: 0, verify: 0 };
  const base = commonBase(options.paths);
  const endpoints: Endpoint[] = [];
  const errors: ScanError[] = [];
  const stores: SourceStore[] = [];
  const stats: ScanStats = { candidates: 0, parsed: 0, routers: 0 };
  let files = 0;

  for (const p of options.paths) {
    const t = performance.now();
    const root = path.resolve(p);
    const store = new SourceStore();
    stores.push(store);
    const plan = planRoot(root, options.config, store);
    files += plan.sources.length;
    stats.candidates += plan.candidates.length;
    timings.discover += performance.now() - t;

    const r = analyse(plan, plan.candidates, options.config, store, options.onProgress);
    endpoints.push(...r.endpoints);
    errors.push(...r.errors);
    stats.parsed += r.parsed;
    stats.routers += r.routers;
    for (const k of Object.keys(timings) as Phase[]) if (k !== 'discover') timings[k] += r.timings[k];
  }

  // Identify endpoints (stable, never line-based); findings refer to them by id.
  assignIds(endpoints, base);
  const findings: Finding[] = [];
  for (const ep of endpoints) {
    for (const f of ep.verdict?.findings ?? []) {
      f.endpointId = ep.id;
      findings.push(f);
    }
  }
  endpoints.sort(compareEndpoints);
  findings.sort((a, b) => compareStrings(a.span.file, b.span.file) || a.span.line - b.span.line || compareStrings(a.ruleId, b.ruleId) || compareStrings(a.endpointId, b.endpointId));
  const sortedErrors = uniqueErrors(errors).sort((a, b) => compareStrings(a.file, b.file) || compareStrings(a.message, b.message));

  const sensitive = endpoints.filter((e) => e.classification?.sensitive);
  const count = (s: string): number => sensitive.filter((e) => e.verdict?.status === s).length;
  const summary: ScanSummary = {
    files,
    endpoints: endpoints.length,
    sensitive: sensitive.length,
    enforced: count('enforced'),
    missing: count('missing'),
    broken: count('broken'),
    unverifiable: count('unverifiable'),
    durationMs: Math.round(performance.now() - t0),
  };
  const frameworks = [...new Set(endpoints.map((e) => (e.framework.startsWith('next') ? 'next' : e.framework)))].sort();
  const textOf = (file: string): string | undefined => {
    for (const s of stores) {
      const sf = s.peek(file);
      if (sf) return sf.text;
    }
    return undefined;
  };
  return { base, endpoints, findings, errors: sortedErrors, summary, frameworks, timings, stats, textOf };
}

function uniqueErrors(errors: ScanError[]): ScanError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.file}\0${e.phase}\0${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function compareEndpoints(a: Endpoint, b: Endpoint): number {
  return compareStrings(a.anchor.file, b.anchor.file) || a.anchor.line - b.anchor.line || a.anchor.column - b.anchor.column || compareStrings(a.method, b.method) || compareStrings(a.path, b.path);
}

/** `framework METHOD path`; when two endpoints share that, the file tells them apart (never the line). */
function assignIds(endpoints: Endpoint[], base: string): void {
  const groups = new Map<string, Endpoint[]>();
  for (const ep of endpoints) {
    const id = `${ep.framework} ${ep.method} ${ep.path}`;
    const g = groups.get(id);
    if (g) g.push(ep);
    else groups.set(id, [ep]);
  }
  for (const [id, eps] of groups) {
    if (eps.length === 1) {
      eps[0].id = id;
      continue;
    }
    const byFile = new Map<string, number>();
    for (const ep of [...eps].sort(compareEndpoints)) {
      const rel = relPosix(base, ep.anchor.file);
      const n = (byFile.get(rel) ?? 0) + 1;
      byFile.set(rel, n);
      ep.id = n === 1 ? `${id} (${rel})` : `${id} (${rel}#${n})`;
    }
  }
}
