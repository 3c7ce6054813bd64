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
  maxFreshnessMinutes: number;
  failOn: Level | 'none';
  /** `"METHOD /path/glob"` → false (never sensitive), true, or the categories to assign. */
  sensitive: { pattern: string; value: boolean | string[] }[];
  categories: Record<string, CategoryOverride>;
  guards: UserGuard[];
}

export function defaults(): ResolvedConfig {
  return { ignore: [], maxFreshnessMinutes: 15, failOn: 'warning', sensitive: [], categories: {}, guards: [] };
}
