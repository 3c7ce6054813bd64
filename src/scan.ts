// The pipeline: discover → parse → extract → classify → verify → findings.
import path from 'node:path';
import { ValueResolver } from './analysis/values.js';
import { classifyEndpoint } from './classify/index.js';
import type { ResolvedConfig } from './config/types.js';
import { expressAdapter } from './frameworks/express/index.js';
import { honoAdapter } from './frameworks/hono/index.js';
import { classifyNextFile, nextAdapter } from './frameworks/next/index.js';
import { readNextConfig } from './frameworks/next/config.js';
import type { AdapterContext, FrameworkAdapter, NextAppConfig } from './frameworks/types.js';
import type { Endpoint, Finding, ScanError, ScanSummary } from './model.js';
import { discover } from './project/discover.js';
import { isTestFileName, isTestPath, mentionsRouting } from './project/prefilter.js';
import { ModuleResolver } from './project/resolve.js';
import { SourceStore } from './project/sources.js';
import { Workspace } from './project/workspace.js';
import { compareStrings, errorMessage, relPosix } from './util.js';
import { verifyEndpoint } from './verify/index.js';
import type { VerifyContext } from './verify/context.js';
import { SpecResolver } from './verify/spec.js';
import { ts } from 'ts-morph';
import { evalNumber } from './analysis/numbers.js';
import { propertyNameText } from './analysis/values.js';

export interface ScanOptions {
  paths: string[];
  config: ResolvedConfig;
  onProgress?: (phase: string, done: number, total: number) => void;
}

export type Phase = 'discover' | 'parse' | 'extract' | 'classify' | 'verify';

export interface ScanRoot {
  root: string;
  ctx: AdapterContext;
  specs: SpecResolver;
}

/** better-auth's `session.freshAge` (seconds) when the project sets it to a constant. */
function lazyFreshAge(files: string[], ctx: AdapterContext): () => number | undefined {
  let done = false;
  let value: number | undefined;
  return () => {
    if (done) return value;
    done = true;
    for (const f of files) {
      const sf = ctx.store.get(f);
      if (!sf) continue;
      const visit = (n: ts.Node): void => {
        if (value !== undefined) return;
        if (ts.isPropertyAssignment(n) && n.name && propertyNameText(n.name) === 'freshAge') value = evalNumber(n.initializer, ctx.values);
        ts.forEachChild(n, visit);
      };
      visit(sf);
      if (value !== undefined) break;
    }
    return value;
  };
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
  roots: ScanRoot[];
}

const ADAPTERS: FrameworkAdapter[] = [nextAdapter, expressAdapter, honoAdapter];

export function commonBase(paths: string[]): string {
  const abs = paths.map((p) => path.resolve(p));
  let base = abs[0];
  for (const p of abs.slice(1)) {
    while (base !== path.dirname(base) && !(p === base || p.startsWith(base + path.sep))) base = path.dirname(base);
  }
  return base;
}

export async function scan(options: ScanOptions): Promise<ScanResult> {
  const t0 = performance.now();
  const timings: Record<Phase, number> = { discover: 0, parse: 0, extract: 0, classify: 0, verify: 0 };
  const base = commonBase(options.paths);
  const endpoints: Endpoint[] = [];
  const errors: ScanError[] = [];
  const roots: ScanRoot[] = [];
  let files = 0;

  for (const p of options.paths) {
    let t = performance.now();
    const root = path.resolve(p);
    const discovery = await discover(root, { ignore: options.config.ignore });
    files += discovery.sources.length;
    const workspace = new Workspace(root, discovery.packageJsons);
    const store = new SourceStore();
    for (const s of discovery.sources) store.known.add(s.abs);
    const values = new ValueResolver(store, new ModuleResolver(root, workspace, store.known));
    const ctx: AdapterContext = { root, workspace, values, store, candidates: [], allSources: discovery.sources.map((s) => s.abs), nextConfigs: new Map<string, NextAppConfig>(), errors: store.errors };
    const freshAgeFiles: string[] = [];
    const routerDeps = ['express', 'hono', 'next-connect', 'express-promise-router', 'router', '@hono/zod-openapi', '@hono/node-server'];
    const onlyNextCache = new Map<string, boolean>();
    const nextOnly = (appRoot: string): boolean => {
      let v = onlyNextCache.get(appRoot);
      if (v === undefined) {
        v = !!workspace.packageAt(appRoot) && workspace.dependsOn(appRoot, 'next') && !routerDeps.some((d) => workspace.dependsOn(appRoot, d) || workspace.anyDependsOn(d, appRoot));
        onlyNextCache.set(appRoot, v);
      }
      return v;
    };
    for (const f of discovery.nextConfigs) {
      const cfg = readNextConfig(f, ctx);
      ctx.nextConfigs.set(cfg.appRoot, cfg);
    }
    const toRead: string[] = [];
    for (const s of discovery.sources) {
      const next = classifyNextFile(s.abs, ctx);
      if (next) {
        // Inside a route tree `test/` or `e2e/` are URL segments; above the app they mark test fixtures.
        if (!isTestPath(`${relPosix(root, next.appRoot)}/`) && !isTestFileName(s.rel)) ctx.candidates.push(s.abs);
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
      if (text.includes('freshAge')) freshAgeFiles.push(file);
      if (mentionsRouting(text)) {
        ctx.candidates.push(file);
        store.keep(file, text);
      }
    }
    // deterministic order whatever the read order was
    ctx.candidates.sort(compareStrings);
    freshAgeFiles.sort(compareStrings);
    timings.discover += performance.now() - t;

    let done = 0;
    for (const f of ctx.candidates) {
      store.get(f);
      options.onProgress?.('parse', ++done, ctx.candidates.length);
    }

    t = performance.now();
    const parseBefore = store.parseMs;
    const found: Endpoint[] = [];
    for (const adapter of ADAPTERS) {
      try {
        found.push(...adapter.extract(ctx));
      } catch (err) {
        errors.push({ file: root, phase: 'extract', message: `${adapter.name}: ${err instanceof RangeError ? 'input too deeply nested' : errorMessage(err)}` });
      }
    }
    try {
      nextAdapter.finalize(found, ctx);
    } catch (err) {
      errors.push({ file: root, phase: 'extract', message: `next middleware: ${errorMessage(err)}` });
    }
    timings.extract += performance.now() - t - (store.parseMs - parseBefore);
    endpoints.push(...dedupe(found));
    const specs = new SpecResolver(values, options.config, lazyFreshAge(freshAgeFiles, ctx));
    roots.push({ root, ctx, specs });
  }

  // Identify endpoints (stable, never line-based), then classify and verify each.
  assignIds(endpoints, base);
  const parsed = (): number => roots.reduce((a, r) => a + r.ctx.store.parseMs, 0);
  let t = performance.now();
  const parseBeforeClassify = parsed();
  for (const ep of endpoints) {
    const ctx = rootFor(roots, ep).ctx;
    try {
      ep.classification = classifyEndpoint(ep, ctx, options.config);
    } catch (err) {
      errors.push({ file: ep.anchor.file, phase: 'classify', message: errorMessage(err) });
      ep.classification = { sensitive: false, categories: [], reasons: [], considered: [] };
    }
  }
  timings.classify = performance.now() - t - (parsed() - parseBeforeClassify);

  t = performance.now();
  const parseBeforeVerify = parsed();
  const findings: Finding[] = [];
  let done = 0;
  const sensitiveCount = endpoints.filter((e) => e.classification?.sensitive).length;
  for (const ep of endpoints) {
    const root = rootFor(roots, ep);
    const vctx: VerifyContext = { values: root.ctx.values, config: options.config, workspace: root.ctx.workspace, specs: root.specs };
    try {
      ep.verdict = verifyEndpoint(ep, vctx);
    } catch (err) {
      errors.push({ file: ep.anchor.file, phase: 'verify', message: err instanceof RangeError ? 'handler too deeply nested to analyse' : errorMessage(err) });
      ep.verdict = ep.classification?.sensitive
        ? { status: 'unverifiable', guards: [], findings: [{ ruleId: 'stepup/unverifiable', level: 'note', message: `the analysis failed on this endpoint (${errorMessage(err)}); step-up could not be verified`, endpointId: ep.id, span: ep.anchor, related: [] }] }
        : { status: 'not-required', guards: [], findings: [] };
    }
    findings.push(...ep.verdict.findings);
    if (ep.classification?.sensitive) options.onProgress?.('verify', ++done, sensitiveCount);
  }
  timings.verify = performance.now() - t - (parsed() - parseBeforeVerify);

  for (const r of roots) errors.push(...r.ctx.errors.filter((e) => !errors.includes(e)));
  timings.parse = parsed();

  endpoints.sort(compareEndpoints);
  findings.sort((a, b) => compareStrings(a.span.file, b.span.file) || a.span.line - b.span.line || compareStrings(a.ruleId, b.ruleId) || compareStrings(a.endpointId, b.endpointId));
  errors.sort((a, b) => compareStrings(a.file, b.file) || compareStrings(a.message, b.message));

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
  return { base, endpoints, findings, errors: uniqueErrors(errors), summary, frameworks, timings, roots };
}

function rootFor(roots: ScanRoot[], ep: Endpoint): ScanRoot {
  let best = roots[0];
  for (const r of roots) if (ep.anchor.file.startsWith(r.root + path.sep) && r.root.length >= best.root.length) best = r;
  return best;
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

function dedupe(eps: Endpoint[]): Endpoint[] {
  const seen = new Set<string>();
  return eps.filter((e) => {
    const k = `${e.framework} ${e.method} ${e.path} ${e.anchor.file}:${e.anchor.line}:${e.anchor.column}`;
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
