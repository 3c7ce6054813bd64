// The pipeline: discover → plan → parse → extract → classify → verify → findings.
// One ScanSession holds the scan's state. Each scanned path is discovered and planned (adapter
// plan hooks claim convention files; a cheap text pre-filter picks the rest), its candidates are
// parsed and every adapter extracts; then endpoints get their stable ids, and every endpoint is
// classified and verified. The pipeline never names a framework or an auth library.
// One thread: measured on two cores, a worker thread cost ~40% more CPU than it saved, as V8's
// concurrent GC already keeps the second core busy.
import path from 'node:path';
import { classifyEndpoint } from './classify/index.js';
import { ignoreFor } from './config/ignore.js';
import { configFor, type ResolvedConfig } from './config/types.js';
import { createAdapters } from './frameworks/index.js';
import { decorateRequests } from './frameworks/shared/request-decorations.js';
import type { AdapterContext, AdapterPlan, FrameworkAdapter, PlanContext } from './frameworks/types.js';
import type { BudgetLimits } from './analysis/budget.js';
import { methodReceiver } from './analysis/effects.js';
import type { ValueResolver } from './analysis/values.js';
import type { Endpoint, Finding, ScanError, ScanSummary, Verdict } from './model.js';
import { discover, discoverSchemas, sharedSchemas } from './project/discover.js';
import { isTestPath, mentionsRouting } from './project/prefilter.js';
import { ruleMeta } from './rules/findings.js';
import { failureReason, ScanSession, type RootContext } from './session.js';
import { compareStrings, relPosix } from './util.js';
import type { VerifyContext } from './verify/context.js';
import { verifyEndpoint } from './verify/index.js';
import { replaceableFactors } from './verify/replaceable-factor.js';
import { GuardRecogniser, projectSettings } from './verify/guard/index.js';

export type Phase = 'discover' | 'parse' | 'extract' | 'classify' | 'verify';

export interface ScanOptions {
  paths: string[];
  config: ResolvedConfig;
  onProgress?: (phase: string, done: number, total: number) => void;
  /** The analysis budget (tests make it small; see analysis/budget.ts). */
  limits?: BudgetLimits;
}

export interface ScanStats {
  /** Files that passed the text pre-filter. */
  candidates: number;
  /** Files parsed (candidates and the modules the analysis followed). */
  parsed: number;
  /** Routers modelled by the Express, Hono and next-connect adapters. */
  routers: number;
  /** Steps the analysis took (see analysis/budget.ts), and the most one unit took. */
  steps: number;
  largestUnit: number;
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

/** One scanned path after discovery and planning. */
export interface PlannedRoot {
  ctx: RootContext;
  /** Every discovered source file (absolute, sorted). */
  sources: string[];
  /** Files parsed up front: convention files the adapters claimed and files the pre-filter kept. */
  candidates: string[];
  /** Files that declare endpoints reached through other files (adapter plans): they bear endpoints too. */
  declaring: string[];
  adapters: FrameworkAdapter[];
}

export function commonBase(paths: string[]): string {
  const abs = paths.map((p) => path.resolve(p));
  let base = abs[0];
  for (const p of abs.slice(1)) {
    while (base !== path.dirname(base) && !(p === base || p.startsWith(base + path.sep))) base = path.dirname(base);
  }
  return base;
}

/** Every folder holding a discovered source, and each of its ancestors up to the root. */
function sourceDirs(root: string, sources: readonly string[]): Set<string> {
  const dirs = new Set<string>();
  for (const s of sources) {
    for (let d = path.dirname(s); !dirs.has(d); d = path.dirname(d)) {
      dirs.add(d);
      if (d === root || d === path.dirname(d)) break;
    }
  }
  return dirs;
}

/** Discovery, the adapters' plans and the cheap text pre-filter for one scanned path. */
export function planRoot(session: ScanSession, root: string): PlannedRoot {
  const discovery = discover(root, { ignore: ignoreFor(session.config, root) });
  const sources = discovery.sources.map((s) => s.abs);
  const ctx = session.rootContext(root, discovery.packageJsons, sources);
  session.schemas.push(...discovery.schemas);
  // the records an application writes through a workspace package are declared in that package (`packages/db/prisma`)
  for (const m of ctx.workspace.dependedMembers())
    for (const f of discoverSchemas(m.dir)) if (!session.schemas.includes(f)) session.schemas.push(f);
  // a database project at the top of the repository (`supabase/migrations` beside `apps/api`) defines the
  // functions the application calls by name
  for (const f of sharedSchemas(ctx.workspace.tree, root))
    if (f.endsWith('.sql') && !session.sharedSql.includes(f)) session.sharedSql.push(f);
  // nothing outside the tree that holds this root is read (resolution already stops there)
  session.store.trees.push(ctx.workspace.tree);
  const adapters = createAdapters();
  const planCtx: PlanContext = {
    root,
    workspace: ctx.workspace,
    values: ctx.values,
    store: session.store,
    sources,
    dirs: sourceDirs(root, sources),
  };
  const plans = adapters
    .map((a) =>
      a.plan
        ? session.contain(
            root,
            'discover',
            () => a.plan!(planCtx),
            () => undefined,
            { wholeFile: true, unit: false },
          )
        : undefined,
    )
    .filter((p): p is AdapterPlan => !!p);
  const claimed = new Set(plans.flatMap((p) => p.routeFiles));
  const declaring = plans.flatMap((p) => p.declaringFiles ?? []);
  const conventionOnly = new Set(plans.flatMap((p) => p.conventionOnlyApps));
  const candidates = [...claimed];
  // Measured: sequential reads beat fs.promises concurrency here (each async read is several thread-pool hops).
  for (const s of discovery.sources) {
    if (claimed.has(s.abs) || isTestPath(s.rel)) continue;
    // Files of an app served by file conventions only are parsed when an import leads to them.
    if (conventionOnly.has(ctx.workspace.appRootOf(s.abs))) continue;
    const text = session.store.text(s.abs, false);
    if (text !== undefined && mentionsRouting(text)) {
      candidates.push(s.abs);
      session.store.keep(s.abs, text);
    } else if (session.store.oversized.get(s.abs)?.routing) candidates.push(s.abs); // not analysed, and reported as such
  }
  candidates.sort(compareStrings);
  return { ctx, sources, candidates, declaring, adapters };
}

/** Parses a root's candidates and runs its adapters: extract (in order), then finalize. */
function extractRoot(
  planned: PlannedRoot,
  session: ScanSession,
  errors: ScanError[],
  stats: ScanStats,
  onProgress: ScanOptions['onProgress'],
): Endpoint[] {
  const { ctx, candidates, adapters } = planned;
  let done = 0;
  for (const f of candidates) {
    session.store.get(f);
    onProgress?.('parse', ++done, candidates.length);
  }
  const actx: AdapterContext = {
    root: ctx.root,
    workspace: ctx.workspace,
    values: ctx.values,
    store: session.store,
    candidates,
    allSources: planned.sources,
    errors: session.store.errors,
    stats: { routers: 0 },
    mounts: [],
  };
  const found: Endpoint[] = [];
  // Adapters contain failures per file and per endpoint; what still escapes costs this adapter for this root, reported.
  for (const adapter of adapters) {
    found.push(
      ...session.contain(
        ctx.root,
        'extract',
        () => adapter.extract(actx),
        () => [],
        { wholeFile: true, unit: false },
      ),
    );
  }
  for (const adapter of adapters) {
    session.contain(
      ctx.root,
      'extract',
      () => adapter.finalize?.(found, actx),
      () => undefined,
      { wholeFile: true, unit: false },
    );
  }
  stats.routers += actx.stats.routers;
  return found;
}

export async function scan(options: ScanOptions): Promise<ScanResult> {
  const t0 = performance.now();
  const timings: Record<Phase, number> = { discover: 0, parse: 0, extract: 0, classify: 0, verify: 0 };
  const session = new ScanSession(options.config, options.limits);
  const store = session.store;
  const base = commonBase(options.paths);
  const errors: ScanError[] = [];
  const stats: ScanStats = { candidates: 0, parsed: 0, routers: 0, steps: 0, largestUnit: 0 };

  const t = performance.now();
  const roots = options.paths.map((p) => planRoot(session, path.resolve(p)));
  timings.discover = performance.now() - t;

  // What time a phase spent parsing modules it followed is counted as parsing.
  const phase = <T>(name: Phase, run: () => T): T => {
    const start = performance.now();
    const parseBefore = store.parseMs;
    try {
      return run();
    } finally {
      timings[name] += performance.now() - start - (store.parseMs - parseBefore);
    }
  };

  const rootOf = new Map<Endpoint, PlannedRoot>();
  const endpoints = phase('extract', () => {
    const all: Endpoint[] = [];
    for (const r of roots) {
      stats.candidates += r.candidates.length;
      for (const ep of extractRoot(r, session, errors, stats, options.onProgress)) {
        all.push(ep);
        if (!rootOf.has(ep)) rootOf.set(ep, r);
      }
    }
    return dedupe(all);
  });
  // Stable ids (never line-based) before any finding is made: findings refer to them.
  assignIds(endpoints, base);

  // Each endpoint's classification and verification is a unit: its failure costs that endpoint only.
  const unitOf = (ep: Endpoint): string => `${ep.anchor.file}#${ep.method} ${ep.path}`;
  const failedOn = (ep: Endpoint, phaseName: 'classify' | 'verify', reason: string): void => {
    session.fail(
      ep.anchor.file,
      phaseName,
      `${ep.method} ${ep.path} not ${phaseName === 'classify' ? 'classified' : 'verified'}: ${reason}`,
      false,
    );
    ep.unanalysed ??= reason;
  };

  phase('classify', () => {
    decorateRequests(endpoints, (ep) => rootOf.get(ep)!.ctx.values);
    for (const ep of endpoints) {
      ep.classification = session.budget.run(unitOf(ep), () => {
        try {
          return asReceived(ep, rootOf.get(ep)!.ctx.values, () =>
            classifyEndpoint(ep, rootOf.get(ep)!.ctx, configFor(options.config, ep.appRoot)),
          );
        } catch (err) {
          failedOn(ep, 'classify', failureReason(err));
          return { sensitive: false, categories: [], reasons: [], considered: [] };
        }
      });
    }
  });

  phase('verify', () => {
    // One context per root and configuration (each application may have its own configuration).
    const contexts = new Map<PlannedRoot, Map<ResolvedConfig, VerifyContext>>();
    const verifyContext = (r: PlannedRoot, config: ResolvedConfig): VerifyContext => {
      let byConfig = contexts.get(r);
      if (!byConfig) contexts.set(r, (byConfig = new Map<ResolvedConfig, VerifyContext>()));
      let v = byConfig.get(config);
      if (!v) {
        const specs = new GuardRecogniser(r.ctx.values, config, projectSettings(r.sources, r.ctx.values));
        byConfig.set(config, (v = { values: r.ctx.values, config, workspace: r.ctx.workspace, specs }));
      }
      return v;
    };
    const total = endpoints.filter((e) => e.classification?.sensitive).length;
    let done = 0;
    for (const ep of endpoints) {
      // An endpoint the analysis could not see through (its handler, its chain, the file that
      // registers it) is listed, never verified: unverifiable, with the reason.
      const incomplete = session.incomplete.get(ep.anchor.file);
      const why =
        ep.unanalysed ??
        (incomplete !== undefined
          ? `the analysis of ${relPosix(base, ep.anchor.file)} stopped part-way (${incomplete})`
          : undefined);
      if (why !== undefined) ep.verdict = unverifiable(ep, why);
      else {
        ep.verdict = session.budget.run(unitOf(ep), () => {
          try {
            return asReceived(ep, rootOf.get(ep)!.ctx.values, () =>
              verifyEndpoint(ep, verifyContext(rootOf.get(ep)!, configFor(options.config, ep.appRoot))),
            );
          } catch (err) {
            const reason = failureReason(err);
            failedOn(ep, 'verify', reason);
            return ep.classification?.sensitive
              ? unverifiable(ep, reason)
              : { status: 'not-required', guards: [], findings: [] };
          }
        });
      }
      if (ep.classification?.sensitive) options.onProgress?.('verify', ++done, total);
    }
    // a code checked against a factor secret another endpoint replaces with only a session proves nothing
    replaceableFactors(endpoints, (span) => {
      const text = store.text(span.file, false) ?? '';
      return text
        .split('\n')
        .slice(span.line - 1, span.endLine ?? span.line + 5)
        .join('\n');
    });
  });
  timings.parse = store.parseMs;
  stats.parsed = store.parsed;
  stats.steps = session.budget.total;
  stats.largestUnit = session.budget.peak;
  errors.push(...store.errors);

  // Every file the analysis needed and could not (fully) analyse is in errors[]; when it bears
  // endpoints (it registers routes, serves them by convention, or anchors one), the gate fails.
  const bearing = new Set<string>([
    ...roots.flatMap((r) => r.candidates),
    ...roots.flatMap((r) => r.declaring),
    ...roots.map((r) => r.ctx.root),
    ...endpoints.map((e) => e.anchor.file),
  ]);
  // (not the notes adapters add to errors[], such as a router that is never mounted: those files were analysed)
  const failed = new Map([...session.notAnalysed, ...store.failed]); // a read or parse failure says it first
  const notAnalysed = notAnalysedFindings(failed, bearing, base, store);
  const findings = [...endpoints.flatMap((ep) => ep.verdict?.findings ?? []), ...notAnalysed];
  endpoints.sort(compareEndpoints);
  findings.sort(
    (a, b) =>
      compareStrings(a.span.file, b.span.file) ||
      a.span.line - b.span.line ||
      compareStrings(a.ruleId, b.ruleId) ||
      compareStrings(a.endpointId, b.endpointId),
  );
  const sortedErrors = uniqueErrors(errors).sort(
    (a, b) => compareStrings(a.file, b.file) || compareStrings(a.message, b.message),
  );

  const sensitive = endpoints.filter((e) => e.classification?.sensitive);
  const count = (s: string): number => sensitive.filter((e) => e.verdict?.status === s).length;
  const summary: ScanSummary = {
    files: roots.reduce((n, r) => n + r.sources.length, 0),
    endpoints: endpoints.length,
    sensitive: sensitive.length,
    enforced: count('enforced'),
    missing: count('missing'),
    broken: count('broken'),
    unverifiable: count('unverifiable'),
    durationMs: Math.round(performance.now() - t0),
  };
  // a framework family is the id before its kind (`next-app`, `next-pages` → next)
  const frameworks = [...new Set(endpoints.map((e) => e.framework.split('-')[0]))].sort();
  const textOf = (file: string): string | undefined => store.peek(file)?.text;
  return { base, endpoints, findings, errors: sortedErrors, summary, frameworks, timings, stats, textOf };
}

/**
 * Runs an endpoint's analysis with its handler's `this` bound when the handler is a base class's method taken
 * from a subclass's instance (`router.post('/', controller.Create)`, `Create` inherited): its `this.service`
 * is then the subclass's, as it is when the request runs.
 */
function asReceived<T>(ep: Endpoint, values: ValueResolver, run: () => T): T {
  const { expr, fn } = ep.handler;
  const receiver = expr && fn ? methodReceiver(expr, fn, values) : undefined;
  // (one instance's class only: a variable given one controller or another is either)
  const classes = receiver
    ? new Set(values.resolve(receiver.expr).flatMap((v) => (v.kind === 'instance' ? [v.cls] : [])))
    : undefined;
  return receiver && classes?.size === 1 ? values.withBinding(receiver.base, receiver.expr, run) : run();
}

function unverifiable(ep: Endpoint, why: string): Verdict {
  return {
    status: 'unverifiable',
    guards: [],
    findings: [
      {
        ruleId: 'stepup/unverifiable',
        level: ruleMeta('stepup/unverifiable').level,
        message: `step-up could not be verified: ${why}.`,
        endpointId: ep.id,
        span: ep.anchor,
        related: [],
      },
    ],
  };
}

/**
 * One `stepup/not-analysed` finding per endpoint-bearing file that could not be (fully) analysed,
 * at the file (at its first syntax error when it has one). Its id is the file's, never a line.
 */
function notAnalysedFindings(
  failed: ReadonlyMap<string, string>,
  bearing: ReadonlySet<string>,
  base: string,
  store: ScanSession['store'],
): Finding[] {
  const meta = ruleMeta('stepup/not-analysed');
  return [...failed]
    .filter(([file]) => bearing.has(file))
    .map(([file, why]) => {
      const rel = relPosix(base, file);
      const at = store.syntaxErrorAt.get(file) ?? { line: 1, column: 1 };
      return {
        ruleId: meta.id,
        level: meta.level,
        message: `${rel} could not be analysed (${why}): the routes it declares may be missing from this report and none can be verified. ${meta.fix}`,
        endpointId: `file ${rel}`,
        span: { file, line: at.line, column: at.column },
        related: [],
      };
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
  return (
    compareStrings(a.anchor.file, b.anchor.file) ||
    a.anchor.line - b.anchor.line ||
    a.anchor.column - b.anchor.column ||
    compareStrings(a.method, b.method) ||
    compareStrings(a.path, b.path)
  );
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
