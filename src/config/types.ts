// The resolved configuration every stage reads. Defaults live in `defaults()`.
import type { Level } from '../model.js';

export type FailureMode = 'throws' | 'returns-response' | 'returns-falsy' | 'returns-error' | 'middleware';

export interface UserGuard {
  /** Function name as called (`requireSudo`), or a dotted member (`auth.requireFresh`). */
  name: string;
  /** Module it is imported from, when the name alone is ambiguous. */
  module?: string;
  /** Export name in that module (default: `name`). */
  export?: string;
  fails: FailureMode;
}

export interface CategoryOverride {
  severity?: 'high' | 'medium' | 'low';
  description?: string;
  strongSegments?: string[];
  weakSegments?: string[];
  getSegments?: string[];
  strongFields?: string[];
  fields?: string[];
  calls?: string[];
  models?: string[];
}

export interface ResolvedConfig {
  /** Configuration file the values came from, if any. */
  file?: string;
  ignore: string[];
  /** Folder the `ignore` patterns are relative to (the configuration's own folder); absent: the scanned path. */
  ignoreBase?: string;
  maxFreshnessMinutes: number;
  failOn: Level | 'none';
  /** `"METHOD /path/glob"` → false (never sensitive), true, or the categories to assign. */
  sensitive: { pattern: string; value: boolean | string[] }[];
  /** Keyed by user-chosen category names: a null-prototype object (`constructor` is just a name). */
  categories: Record<string, CategoryOverride>;
  guards: UserGuard[];
  /**
   * When the applications of a scan have different configurations (each uses the nearest one
   * upward from its root), the configuration of each application root. Absent: this one applies to all.
   */
  perApp?: PerAppConfig;
}

export interface PerAppConfig {
  /** The configuration of an application root (absolute folder). */
  of(appRoot: string): ResolvedConfig;
  /** Every distinct configuration in use. */
  all(): ResolvedConfig[];
}

export function defaults(): ResolvedConfig {
  return {
    ignore: [],
    maxFreshnessMinutes: 15,
    failOn: 'warning',
    sensitive: [],
    categories: Object.create(null) as Record<string, CategoryOverride>,
    guards: [],
  };
}

/** The configuration that applies to an endpoint of the application at `appRoot`. */
export function configFor(config: ResolvedConfig, appRoot: string): ResolvedConfig {
  return config.perApp ? config.perApp.of(appRoot) : config;
}
