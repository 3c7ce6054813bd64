// What every framework adapter receives and returns. Adapters never touch the file system:
// they read parsed files through `values`/`store`, the listing discovery made, and what the
// pipeline hands them. The pipeline never names a framework: it calls the hooks below.
import type { ts } from 'ts-morph';
import type { ValueResolver } from '../analysis/values.js';
import type { Endpoint, HttpMethod, ScanError } from '../model.js';
import type { SourceStore } from '../project/sources.js';
import type { Workspace } from '../project/workspace.js';

/** What an adapter sees before the pre-filter runs (one scanned root). */
export interface PlanContext {
  root: string;
  workspace: Workspace;
  values: ValueResolver;
  store: SourceStore;
  /** Every discovered source file (absolute), sorted. */
  sources: readonly string[];
  /** Every folder (absolute) that holds a discovered source file, directly or below it, up to the root. */
  dirs: ReadonlySet<string>;
}

/** An adapter's answer to planning. */
export interface AdapterPlan {
  /** Files that serve routes by file convention: parsed up front whatever their text says. */
  routeFiles: string[];
  /** Application roots whose routes come from file conventions only: their other files are parsed only when imported. */
  conventionOnlyApps: string[];
  /**
   * Files whose text declares endpoints this adapter lists (tRPC routers) though they are reached
   * through another file: when one cannot be analysed, the gate fails (`stepup/not-analysed`).
   */
  declaringFiles?: string[];
}

/**
 * An application served by one framework and mounted inside a route of another
 * (`export const POST = handle(app)` in a Next.js route file mounts a Hono app).
 */
export interface ForeignMount {
  /** The framework whose adapter lists the mounted app's routes (e.g. `hono`). */
  framework: string;
  /** The expression of the mounted app. */
  app: ts.Expression;
  /** Methods the host route exports (only those reach the mounted app). */
  methods: Set<HttpMethod>;
  /** Path prefix the host applies (Next.js `basePath`). */
  basePath: string;
  /** URL path of the host route (with `basePath`), for adapters called from inside it (`appOption`). */
  hostPath?: string;
  /** The adapter call that mounts the app, when it is not the route's export itself. */
  call?: ts.CallExpression;
  /** What the mount exposes when it is not the app's own routes (`openapi`: procedures with an OpenAPI path). */
  serves?: 'openapi';
}

export interface AdapterContext {
  root: string;
  workspace: Workspace;
  values: ValueResolver;
  store: SourceStore;
  /** Candidate source files (absolute), after the text pre-filter, tests excluded. */
  candidates: string[];
  /** Every discovered source file (absolute). */
  allSources: readonly string[];
  errors: ScanError[];
  /** Counters for --verbose: routers the adapters modelled (routers, sub-routers, router parameters). */
  stats: { routers: number };
  /** Apps mounted inside another framework's routes, published by the host adapter during extraction. */
  mounts: ForeignMount[];
}

/**
 * A framework adapter, created once per scanned root (it may keep what it planned).
 * Hooks run in this order for every root: plan → extract (adapters in list order) → finalize.
 */
export interface FrameworkAdapter {
  name: string;
  plan?(ctx: PlanContext): AdapterPlan;
  extract(ctx: AdapterContext): Endpoint[];
  /** After every adapter of the root has extracted: adjust endpoints (e.g. attach Next.js middleware). */
  finalize?(endpoints: Endpoint[], ctx: AdapterContext): void;
}
