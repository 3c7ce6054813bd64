// One scan's state: the configuration, the sources read and parsed, a resolver per scanned root,
// the compiled rules and every cache the analysis keeps. Nothing that belongs to one scan lives
// at module level: analysis code reaches its caches through `session.get(MEMO)`, where MEMO is a
// module-level key holding only a factory (see `memo`). Two scans in one process share nothing.
import { Budget, BudgetExceeded, DEFAULT_LIMITS, type BudgetLimits } from './analysis/budget.js';
import { ValueResolver } from './analysis/values.js';
import { classifierRules, type ClassifierRules } from './classify/rules.js';
import type { ResolvedConfig } from './config/types.js';
import type { Memo } from './memo.js';
import type { ScanError } from './model.js';
import { ModuleResolver } from './project/resolve.js';
import { EnvFiles } from './project/env-files.js';
import { SourceStore } from './project/sources.js';
import { Workspace } from './project/workspace.js';
import { errorMessage } from './util.js';

/** Per scanned root: its packages, module resolution and value resolution. */
export interface RootContext {
  root: string;
  workspace: Workspace;
  resolver: ModuleResolver;
  values: ValueResolver;
}

export class ScanSession {
  readonly store = new SourceStore();
  /** Dotenv files committed beside the code, for route prefixes read from the environment. */
  readonly envFiles = new EnvFiles(this.store);
  private readonly memos = new Map<Memo<unknown>, unknown>();
  private readonly classifiers = new Map<ResolvedConfig, ClassifierRules>();
  /** Bounds the analysis: every recursive walk takes its steps from it (see analysis/budget.ts). */
  readonly budget: Budget;

  constructor(
    readonly config: ResolvedConfig,
    limits: Readonly<BudgetLimits> = DEFAULT_LIMITS,
  ) {
    this.budget = new Budget(limits);
  }

  /** Files whose analysis stopped part-way, with why: their endpoints cannot be verified. */
  readonly incomplete = new Map<string, string>();
  /** Schema files discovery found (Prisma): their text names each record's columns. */
  readonly schemas: string[] = [];
  /**
   * SQL files of a database project at the top of the repository or workspace (`supabase/` beside `apps/api`),
   * read only for the functions they define (the definition nearest the calling file is taken).
   */
  readonly sharedSql: string[] = [];
  /** Files some part of whose analysis failed (a unit of work, an endpoint), with the first reason. */
  readonly notAnalysed = new Map<string, string>();

  /**
   * Runs one unit of analysis so that its failure costs that unit only. The unit takes its steps
   * from its own budget allowance (`unit: false`: a container of units, such as an adapter's whole
   * extraction, which only catches); whatever stops it (the budget, nesting deeper than the stack,
   * an internal error) is recorded against `file` (an `errors[]` entry; with `wholeFile`, every
   * endpoint anchored in the file becomes unverifiable) and answered by `onFail(reason)`.
   */
  contain<T>(
    file: string,
    phase: ScanError['phase'],
    fn: () => T,
    onFail: (reason: string) => T,
    opts: { wholeFile?: boolean; unit?: boolean } = {},
  ): T {
    try {
      return opts.unit === false ? fn() : this.budget.run(file, fn);
    } catch (err) {
      // Inside a unit whose allowance is spent, nothing can go on: the enclosing unit fails as a whole.
      if (err instanceof BudgetExceeded && this.budget.current !== undefined) throw err;
      const reason = failureReason(err);
      this.fail(file, phase, reason, !!opts.wholeFile);
      return onFail(reason);
    }
  }

  /** Why `file` could not be (fully) read, parsed or analysed, if it could not. */
  failureOf(file: string): string | undefined {
    return this.store.failed.get(file) ?? this.notAnalysed.get(file);
  }

  /** Records that `file` was not (fully) analysed. */
  fail(file: string, phase: ScanError['phase'], reason: string, wholeFile = true): void {
    if (wholeFile && !this.incomplete.has(file)) this.incomplete.set(file, reason);
    if (!this.notAnalysed.has(file)) this.notAnalysed.set(file, reason);
    this.store.errors.push({ file, phase, message: reason });
  }

  /** The session's instance of a cache, created on first use. */
  get<T>(key: Memo<T>): T {
    let v = this.memos.get(key);
    if (v === undefined) {
      v = key.create(this);
      this.memos.set(key, v);
    }
    return v as T;
  }

  /** Category rules merged with this scan's configuration. */
  get classifierRules(): ClassifierRules {
    return this.classifierRulesFor(this.config);
  }

  /** Category rules merged with one configuration (each application of a scan may have its own). */
  classifierRulesFor(config: ResolvedConfig): ClassifierRules {
    let rules = this.classifiers.get(config);
    if (!rules) this.classifiers.set(config, (rules = classifierRules(config)));
    return rules;
  }

  /** A resolver context for a scanned root whose package.json files discovery listed. */
  rootContext(root: string, packageJsons: string[], sources: Iterable<string>): RootContext {
    for (const s of sources) this.store.known.add(s);
    const workspace = new Workspace(root, packageJsons);
    const resolver = new ModuleResolver(root, workspace, this.store.known);
    return { root, workspace, resolver, values: new ValueResolver(this, resolver) };
  }
}

/** Why a unit of analysis stopped, in words for errors[] and the unverifiable finding. */
export function failureReason(err: unknown): string {
  if (err instanceof BudgetExceeded) return err.message;
  if (err instanceof RangeError && /call stack/i.test(err.message)) return 'nested too deeply to analyse';
  return `internal error: ${errorMessage(err)}`;
}
