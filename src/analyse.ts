// Analysis of the candidate files of one scanned path: extract → classify → verify.
import { ts } from 'ts-morph';
import { evalNumber } from './analysis/numbers.js';
import { propertyNameText, ValueResolver } from './analysis/values.js';
import { classifyEndpoint } from './classify/index.js';
import type { ResolvedConfig } from './config/types.js';
import { expressAdapter } from './frameworks/express/index.js';
import { honoAdapter } from './frameworks/hono/index.js';
import { nextAdapter } from './frameworks/next/index.js';
import type { AdapterContext, FrameworkAdapter, NextAppConfig } from './frameworks/types.js';
import type { Endpoint, ScanError } from './model.js';
import { ModuleResolver } from './project/resolve.js';
import { SourceStore } from './project/sources.js';
import { Workspace } from './project/workspace.js';
import type { RootPlan } from './scan.js';
import { errorMessage } from './util.js';
import type { VerifyContext } from './verify/context.js';
import { verifyEndpoint } from './verify/index.js';
import { SpecResolver } from './verify/spec.js';

export type Phase = 'discover' | 'parse' | 'extract' | 'classify' | 'verify';

export interface AnalysisResult {
  endpoints: Endpoint[];
  errors: ScanError[];
  timings: Record<Phase, number>;
  parsed: number;
  routers: number;
}

const ADAPTERS: FrameworkAdapter[] = [nextAdapter, expressAdapter, honoAdapter];

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

function dedupe(eps: Endpoint[]): Endpoint[] {
  const seen = new Set<string>();
  return eps.filter((e) => {
    const k = `${e.framework} ${e.method} ${e.path} ${e.anchor.file}:${e.anchor.line}:${e.anchor.column}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function analyse(
  plan: RootPlan,
  candidates: string[],
  config: ResolvedConfig,
  store: SourceStore = new SourceStore(),
  onProgress?: (phase: string, done: number, total: number) => void,
): AnalysisResult {
  const timings: Record<Phase, number> = { discover: 0, parse: 0, extract: 0, classify: 0, verify: 0 };
  const errors: ScanError[] = [];
  const root = plan.root;
  const workspace = new Workspace(root, plan.packageJsons);
  for (const f of plan.sources) store.known.add(f);
  const values = new ValueResolver(store, new ModuleResolver(root, workspace, store.known));
  const ctx: AdapterContext = { root, workspace, values, store, candidates, allSources: plan.sources, nextConfigs: new Map<string, NextAppConfig>(plan.nextConfigs.map((c) => [c.appRoot, c])), errors: store.errors, stats: { routers: 0 } };

  let done = 0;
  for (const f of candidates) {
    store.get(f);
    onProgress?.('parse', ++done, candidates.length);
  }

  let t = performance.now();
  let parseBefore = store.parseMs;
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
  const endpoints = dedupe(found);
  timings.extract = performance.now() - t - (store.parseMs - parseBefore);

  t = performance.now();
  parseBefore = store.parseMs;
  for (const ep of endpoints) {
    try {
      ep.classification = classifyEndpoint(ep, ctx, config);
    } catch (err) {
      errors.push({ file: ep.anchor.file, phase: 'classify', message: errorMessage(err) });
      ep.classification = { sensitive: false, categories: [], reasons: [], considered: [] };
    }
  }
  timings.classify = performance.now() - t - (store.parseMs - parseBefore);

  t = performance.now();
  parseBefore = store.parseMs;
  const specs = new SpecResolver(values, config, lazyFreshAge(plan.freshAgeFiles, ctx));
  const vctx: VerifyContext = { values, config, workspace, specs };
  const sensitive = endpoints.filter((e) => e.classification?.sensitive).length;
  done = 0;
  for (const ep of endpoints) {
    try {
      ep.verdict = verifyEndpoint(ep, vctx);
    } catch (err) {
      errors.push({ file: ep.anchor.file, phase: 'verify', message: err instanceof RangeError ? 'handler too deeply nested to analyse' : errorMessage(err) });
      ep.verdict = ep.classification?.sensitive
        ? { status: 'unverifiable', guards: [], findings: [{ ruleId: 'stepup/unverifiable', level: 'note', message: `the analysis failed on this endpoint (${errorMessage(err)}); step-up could not be verified`, endpointId: '', span: ep.anchor, related: [] }] }
        : { status: 'not-required', guards: [], findings: [] };
    }
    if (ep.classification?.sensitive) onProgress?.('verify', ++done, sensitive);
  }
  timings.verify = performance.now() - t - (store.parseMs - parseBefore);
  timings.parse = store.parseMs;
  errors.push(...store.errors);
  return { endpoints, errors, timings, parsed: store.parsed, routers: ctx.stats.routers };
}
