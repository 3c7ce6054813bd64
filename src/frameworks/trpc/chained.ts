// tRPC v9 routers: a chain of steps on a router root (rules/frameworks.json `trpc.chainedRouters`),
// `createRouter().middleware(isAuthed).query('getAll', { resolve }).merge('admin.', adminRouter)`.
// The chain is read from its last call back to its root, through variables, imports and the
// project's factories (`createProtectedRouter = () => createRouter().middleware(…)`); a procedure
// runs the middleware added before it, and a merged router's procedures the middleware added
// before the merge.
import path from 'node:path';
import { ts } from 'ts-morph';
import { evalString } from '../../analysis/strings.js';
import {
  accessName,
  isFunctionNode,
  propertyNameText,
  returnExpressions,
  skipOuter,
  type ValueResolver,
} from '../../analysis/values.js';
import type { FrameworkRules } from '../../rules/types.js';
import { isExport, type BuilderStep } from '../shared/builders.js';
import { definitionOf } from '../shared/export-paths.js';
import { optionExpr } from '../shared/options.js';
import type { ProcedureSite } from './routers.js';

interface ChainStep {
  name: string;
  call: ts.CallExpression;
}

const MAX_DEPTH = 16;

export class ChainedRouters {
  private readonly cache = new Map<ts.Node, ChainStep[] | null>();

  constructor(
    private readonly values: ValueResolver,
    private readonly rules: FrameworkRules['trpc'],
    /** Called when a step cannot be read (its procedures are missing). */
    private readonly onSkip: (reason: string) => void,
  ) {}

  /** The last call of a chained router (not the base of a further step). */
  isRouter(call: ts.CallExpression): boolean {
    if (!this.rules.chainedRouters) return false;
    const parent = call.parent;
    if (parent && ts.isPropertyAccessExpression(parent) && parent.parent && ts.isCallExpression(parent.parent))
      return false;
    return this.steps(call) !== undefined;
  }

  /**
   * Every procedure a chained router serves, with its full name (a merge's prefix prepended). The
   * last call of each router merged into it is added to `nested` (it is not a root router).
   */
  procedures(expr: ts.Expression, nested: Set<ts.Node>, stack: Set<ts.Node> = new Set(), depth = 0): ProcedureSite[] {
    const r = this.rules.chainedRouters;
    const steps = r && depth <= MAX_DEPTH ? this.steps(expr) : undefined;
    if (!r || !steps) return [];
    const x = skipOuter(expr);
    if (stack.has(x)) return [];
    stack.add(x);
    const out: ProcedureSite[] = [];
    const middleware: BuilderStep[] = [];
    const builder = this.rules.builder;
    try {
      for (const { name, call } of steps) {
        const [first, second] = call.arguments;
        if (name === r.middlewareStep && first) {
          middleware.push({ kind: 'middleware', expr: first, call, builder });
        } else if (name === r.mergeStep && first) {
          // `merge(router)` or `merge('admin.', router)`
          const prefix = second ? evalString(first, this.values) : '';
          if (prefix === undefined) {
            this.onSkip(`the prefix of a merged v9 router is not a known string (${where(first)})`);
            continue;
          }
          const merged = second ?? first;
          const end = this.lastCall(merged);
          if (end) nested.add(end);
          for (const site of this.procedures(merged, nested, stack, depth + 1)) {
            const chains = site.chains.map((c) => ({ ...c, steps: [...middleware, ...c.steps] }));
            out.push({ ...site, path: (prefix + site.path.join('.')).split('.'), chains });
          }
        } else if (Object.hasOwn(this.rules.procedureTypes, name) && first && second) {
          const procName = evalString(first, this.values);
          const handler = handlerOption(second, r.handlerOption, this.values);
          if (procName === undefined || !handler) {
            this.onSkip(`a v9 procedure's name or \`${r.handlerOption}\` cannot be read (${where(first)})`);
            continue;
          }
          const input = optionExpr(second, r.inputOption, this.values);
          const inputStep: BuilderStep[] = input ? [{ kind: 'input', expr: input, call, builder }] : [];
          out.push({
            path: procName.split('.'),
            key: first,
            chains: [{ builder, steps: [...middleware, ...inputStep], terminal: { name, handler, call } }],
          });
        }
      }
    } finally {
      stack.delete(x);
    }
    return out;
  }

  /** The call a router expression is written as (through the variables and imports that hold it). */
  private lastCall(expr: ts.Expression): ts.CallExpression | undefined {
    let x = skipOuter(expr);
    for (let i = 0; i < MAX_DEPTH && ts.isIdentifier(x); i++) {
      const d = definitionOf(x, this.values);
      if (!d || !ts.isExpression(d)) return undefined;
      x = skipOuter(d);
    }
    return ts.isCallExpression(x) ? x : undefined;
  }

  /** The steps of the chain an expression is built by, its root's first; undefined when it is not a chained router. */
  private steps(expr: ts.Expression, depth = 0): ChainStep[] | undefined {
    const x = skipOuter(expr);
    const hit = this.cache.get(x);
    if (hit !== undefined) return hit ?? undefined;
    if (depth > MAX_DEPTH) return undefined;
    this.cache.set(x, null); // a cycle is not a router
    const out = this.stepsInner(x, depth);
    this.cache.set(x, out ?? null);
    return out;
  }

  private stepsInner(x: ts.Expression, depth: number): ChainStep[] | undefined {
    const roots = this.rules.chainedRouters?.roots ?? [];
    if (ts.isCallExpression(x)) {
      if (isExport(x, roots, this.values)) return [];
      const callee = skipOuter(x.expression);
      if (ts.isPropertyAccessExpression(callee)) {
        // a step of the same chain: its length is the source's, not a hop to bound
        const base = this.steps(callee.expression, depth);
        const name = accessName(callee);
        return base && name !== undefined ? [...base, { name, call: x }] : undefined;
      }
      // a factory of the project: the chain it returns
      const fn = ts.isIdentifier(callee) ? definitionOf(callee, this.values) : undefined;
      if (!fn || !isFunctionNode(fn)) return undefined;
      const returns = returnExpressions(fn);
      return returns.length === 1 ? this.steps(returns[0], depth + 1) : undefined;
    }
    if (ts.isIdentifier(x)) {
      const d = definitionOf(x, this.values);
      return d && ts.isExpression(d) ? this.steps(d, depth + 1) : undefined;
    }
    return undefined;
  }
}

/** `router.ts:12`: where a step is written (the note is reported against the file that mounts the router). */
function where(n: ts.Node): string {
  const sf = n.getSourceFile();
  return `${path.basename(sf.fileName)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
}

/** The handler option of a procedure's options (`resolve: fn`, `resolve({ input }) {…}`, in place or held by a variable). */
function handlerOption(opts: ts.Expression, name: string, values: ValueResolver): ts.Expression | undefined {
  const x = skipOuter(opts);
  const objects = ts.isObjectLiteralExpression(x)
    ? [x]
    : values.resolve(x).flatMap((v) => (v.kind === 'object' ? [v.node] : []));
  for (const o of objects)
    for (const p of o.properties)
      if (ts.isMethodDeclaration(p) && propertyNameText(p.name) === name) return p as unknown as ts.Expression; // a method is the handler function itself
  return optionExpr(opts, name, values);
}
