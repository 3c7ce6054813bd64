// What every framework adapter receives and returns. Adapters never touch the file system:
// they read parsed files through `values`/`store` and candidate lists from discovery.
import type { ValueResolver } from '../analysis/values.js';
import type { Endpoint, ScanError } from '../model.js';
import type { SourceStore } from '../project/sources.js';
import type { Workspace } from '../project/workspace.js';

export interface NextAppConfig {
  appRoot: string;
  basePath: string;
  pageExtensions: string[];
}

export interface AdapterContext {
  root: string;
  workspace: Workspace;
  values: ValueResolver;
  store: SourceStore;
  /** Candidate source files (absolute), after the text pre-filter, tests excluded. */
  candidates: string[];
  /** Every discovered source file (absolute). */
  allSources: string[];
  /** Next.js settings per application root, read from next.config.* syntax. */
  nextConfigs: Map<string, NextAppConfig>;
  errors: ScanError[];
  /** Counters for --verbose: routers the adapters modelled (routers, sub-routers, router parameters). */
  stats: { routers: number };
}

export interface FrameworkAdapter {
  name: string;
  extract(ctx: AdapterContext): Endpoint[];
}
