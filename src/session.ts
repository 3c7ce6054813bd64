// One scan's state: the configuration, the sources read and parsed, a resolver per scanned root,
// the compiled rules and every cache the analysis keeps. Nothing that belongs to one scan lives
// at module level: analysis code reaches its caches through `session.get(MEMO)`, where MEMO is a
// module-level key holding only a factory (see `memo`). Two scans in one process share nothing.
import { Budget, DEFAULT_LIMITS, type BudgetLimits } from './analysis/budget.js';
import { ValueResolver } from './analysis/values.js';
import { classifierRules, type ClassifierRules } from './classify/rules.js';
import type { ResolvedConfig } from './config/types.js';
import type { Memo } from './memo.js';
import { ModuleResolver } from './project/resolve.js';
import { SourceStore } from './project/sources.js';
import { Workspace } from './project/workspace.js';


/** Per scanned root: its packages, module resolution and value resolution. */
export interface RootContext {
  root: string;
  workspace: Workspace;
  resolver: ModuleResolver;
  values: ValueResolver;
}

export class ScanSession {
  readonly store = new SourceStore();
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

  /** The session's instance of a cache, created on first use. */
  get<T>(key: Memo<T>): T {
    let v = this.memos.get(key as Memo<unknown>);
    if (v === undefined) {
      v = key.create(this);
      this.memos.set(key as Memo<unknown>, v);
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
