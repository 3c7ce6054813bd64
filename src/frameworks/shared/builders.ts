// Builder chains that define procedures and actions (rules/frameworks.json `procedureBuilders`):
// `t.procedure.use(isAuthed).input(schema).mutation(fn)`, `actionClient.use(mw).schema(s).action(fn)`,
// `createServerActionProcedure().handler(ctxFn).createServerAction().input(s).handler(fn)`. A chain
// is read from its last call back to its root, following variables and imports into the files that
// build the base procedures (`export const protectedProcedure = t.procedure.use(isAuthed)`), so the
// middleware of every base procedure is in the chain, in the order it runs.
import { ts } from 'ts-morph';
import { runsProjectCode } from '../../analysis/effects.js';
import { bindingPath, findDeclaration } from '../../analysis/scope.js';
import { accessName, isFunctionNode, skipOuter, type ValueResolver } from '../../analysis/values.js';
import { words } from '../../classify/words.js';
import { memo } from '../../memo.js';
import type { ChainLink, FunctionNode } from '../../model.js';
import { compiled, matchesExport, ruleFile } from '../../rules/load.js';
import type { ProcedureBuilder } from '../../rules/types.js';
import { shortText } from '../../util.js';
import { chainLink } from './endpoint.js';
import { exportedNode, exportPaths, type ExportPath } from './export-paths.js';

export interface BuilderStep {
  kind: 'middleware' | 'stage' | 'input' | 'meta';
  /** The step's argument: a middleware, a context-producing function, a schema. */
  expr: ts.Expression;
  call: ts.CallExpression;
  builder: string;
}

export interface BuiltChain {
  builder: string;
  /** Steps in the order they run (the base procedure's first). */
  steps: BuilderStep[];
  /** The terminal step: the handler and the step's name (`mutation`, `action`). */
  terminal?: { name: string; handler: ts.Expression; call: ts.CallExpression };
}

const builders = compiled(() => ruleFile('frameworks').procedureBuilders);

/** An export path without the calls that only configure a builder (`initTRPC.context().create()` → `initTRPC.create()`). */
function normalised(e: ExportPath): ExportPath {
  const drop = builders().configurationCalls;
  const name = e.name
    .split('.')
    .filter((seg) => !(seg.endsWith('()') && drop.includes(seg.slice(0, -2))))
    .join('.');
  return { module: e.module, name };
}

/** Does an expression evaluate to one of these module exports (configuration calls left out)? */
export function isExport(
  expr: ts.Node,
  list: readonly { module: string; path: string }[],
  values: ValueResolver,
): boolean {
  return exportPaths(expr, values).some((e) => matchesExport(list, normalised(e)));
}

function rootOf(expr: ts.Expression, values: ValueResolver): string | undefined {
  const all = builders().builders;
  for (const e of exportPaths(expr, values)) {
    const n = normalised(e);
    for (const [name, b] of Object.entries(all)) if (matchesExport(b.roots, n)) return name;
  }
  return undefined;
}

const STEP_NAMES = compiled(() => new Set(Object.values(builders().builders).flatMap((b) => Object.keys(b.steps))));

const CHAINS = memo('builders.chains', () => new WeakMap<ts.Node, BuiltChain[]>());

/**
 * Every way an expression may be built by a procedure builder (one per alternative of a
 * conditional: `dev ? t.procedure.use(log) : t.procedure`). Empty when it is not a builder chain.
 */
export function builtChains(
  expr: ts.Expression,
  values: ValueResolver,
  depth = 0,
  stack: Set<ts.Node> = new Set(),
): BuiltChain[] {
  const x = skipOuter(expr);
  if (depth > 24 || stack.has(x)) return [];
  const cache = values.bound ? undefined : values.session.get(CHAINS);
  const hit = cache?.get(x);
  if (hit) return hit;
  stack.add(x);
  let out: BuiltChain[];
  try {
    out = chainsInner(x, values, depth, stack);
  } finally {
    stack.delete(x);
  }
  cache?.set(x, out);
  return out;
}

function chainsInner(x: ts.Expression, values: ValueResolver, depth: number, stack: Set<ts.Node>): BuiltChain[] {
  // `config.stepUp ? stepUpProcedure : authedProcedure` in a factory walked for one call: the branch that call picks
  if (ts.isConditionalExpression(x) && values.bound) {
    const v = values.resolve(x.condition);
    if (v.length === 1 && v[0].kind === 'literal')
      return builtChains(v[0].value ? x.whenTrue : x.whenFalse, values, depth + 1, stack);
  }
  if (ts.isConditionalExpression(x))
    return [
      ...builtChains(x.whenTrue, values, depth + 1, stack),
      ...builtChains(x.whenFalse, values, depth + 1, stack),
    ];
  if (isFunctionNode(x) || ts.isObjectLiteralExpression(x) || ts.isLiteralExpression(x)) return [];
  const all = builders().builders;
  if (ts.isCallExpression(x)) {
    const callee = skipOuter(x.expression);
    const step =
      ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee) ? accessName(callee) : undefined;
    if (step !== undefined && STEP_NAMES().has(step)) {
      const bases = builtChains(
        (callee as ts.PropertyAccessExpression | ts.ElementAccessExpression).expression,
        values,
        depth + 1,
        stack,
      );
      if (bases.length) return bases.map((b) => applyStep(b, step, x, all, values, depth, stack));
    }
  }
  const root = rootOf(x, values);
  if (root) {
    const parentAt = all[root].parentArgument;
    const parentArg = parentAt !== undefined && ts.isCallExpression(x) ? x.arguments[parentAt] : undefined;
    const parent = parentArg ? builtChains(parentArg, values, depth + 1, stack)[0] : undefined;
    return [{ builder: root, steps: parent ? [...parent.steps] : [] }];
  }
  if (ts.isCallExpression(x)) {
    const callee = skipOuter(x.expression);
    // a step no builder knows (`meta`, `output`, `experimental_shapeError`): the chain goes on through it
    if (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)) {
      const bases = builtChains(callee.expression, values, depth + 1, stack);
      if (bases.length) return bases;
    }
  }
  // A variable or an import: the expression it holds.
  if (ts.isIdentifier(x)) {
    const d = findDeclaration(x);
    let held: ts.Node | undefined;
    if (d && (ts.isImportSpecifier(d) || ts.isImportClause(d))) {
      const imp = ts.isImportSpecifier(d) ? d.parent.parent.parent : d.parent;
      const r = values.resolver.resolve((imp.moduleSpecifier as ts.StringLiteral).text, d.getSourceFile().fileName);
      if (r.kind === 'file')
        held = exportedNode(r.file, ts.isImportSpecifier(d) ? (d.propertyName ?? d.name).text : 'default', values);
      else return [];
    } else if (d && ts.isVariableDeclaration(d)) held = d.initializer;
    if (held && ts.isExpression(held)) return builtChains(held, values, depth + 1, stack);
    if (d && !ts.isParameter(d) && !ts.isBindingElement(d)) return [];
  }
  // A project function handed a builder that it wraps (`permissionProcedureBuilder(t.procedure)`, returning
  // an object whose `input`, `use` and `mutation` hand on to it): the builder it was handed, the steps
  // written on the wrapper going on as the builder's
  if (ts.isCallExpression(x) && runsProjectCode(x, values))
    for (const a of x.arguments) {
      const inner = builtChains(a, values, depth + 1, stack);
      if (inner.length) return inner;
    }
  // A factory's return value, a destructured value: the call that built it.
  const out: BuiltChain[] = [];
  for (const v of values.resolve(x)) {
    if (v.kind === 'call' && ts.isCallExpression(v.node) && v.node !== x)
      out.push(...builtChains(v.node, values, depth + 1, stack));
  }
  return out;
}

function applyStep(
  base: BuiltChain,
  step: string,
  call: ts.CallExpression,
  all: Record<string, ProcedureBuilder>,
  values: ValueResolver,
  depth: number,
  stack: Set<ts.Node>,
): BuiltChain {
  if (base.terminal) return base;
  const kind = all[base.builder]?.steps[step];
  const arg = call.arguments[0];
  if (!kind) return base;
  if (all[kind]) return { ...base, builder: kind };
  if (!arg) return base;
  switch (kind) {
    case 'middleware': {
      // `a.unstable_pipe(b)` is two middleware, `a` then `b`, each verified as it runs
      const pieces = pipedMiddleware(arg, all[base.builder]?.middlewarePipes ?? [], values);
      return {
        ...base,
        steps: [...base.steps, ...pieces.map((expr) => ({ kind, expr, call, builder: base.builder }))],
      };
    }
    case 'stage':
    case 'input':
    case 'meta':
      return { ...base, steps: [...base.steps, { kind, expr: arg, call, builder: base.builder }] };
    case 'concat': {
      const other = builtChains(arg, values, depth + 1, stack)[0];
      return other
        ? {
            ...base,
            steps: [...base.steps, ...other.steps.filter((s) => s.kind === 'middleware' || s.kind === 'stage')],
          }
        : base;
    }
    case 'terminal':
      return { ...base, terminal: { name: step, handler: arg, call } };
    default:
      return base;
  }
}

/**
 * The middleware a composed middleware runs, in order: `a.unstable_pipe(b)` (written in place or
 * held by a variable) is `a`'s then `b`'s. Anything else is itself.
 */
function pipedMiddleware(
  expr: ts.Expression,
  pipes: readonly string[],
  values: ValueResolver,
  depth = 0,
): ts.Expression[] {
  if (!pipes.length || depth > 8) return [expr];
  const x = skipOuter(expr);
  const pipeOf = (c: ts.Node): ts.CallExpression | undefined => {
    if (!ts.isCallExpression(c) || !c.arguments[0]) return undefined;
    const callee = skipOuter(c.expression);
    return ts.isPropertyAccessExpression(callee) && pipes.includes(callee.name.text) ? c : undefined;
  };
  let call = pipeOf(x);
  if (!call && ts.isIdentifier(x)) {
    const d = findDeclaration(x);
    const init = d && ts.isVariableDeclaration(d) && d.initializer ? skipOuter(d.initializer) : undefined;
    call = init && pipeOf(init);
  }
  if (!call) return [expr];
  const receiver = (skipOuter(call.expression) as ts.PropertyAccessExpression).expression;
  return [
    ...pipedMiddleware(receiver, pipes, values, depth + 1),
    ...pipedMiddleware(call.arguments[0], pipes, values, depth + 1),
  ];
}

/** The steps every alternative shares (a middleware on one branch of a conditional protects nothing for sure). */
export function commonSteps(chains: BuiltChain[]): BuilderStep[] {
  if (!chains.length) return [];
  const [first, ...rest] = chains;
  return first.steps.filter((s) => rest.every((c) => c.steps.some((o) => o.expr === s.expr)));
}

export function builderRules(name: string): ProcedureBuilder | undefined {
  return builders().builders[name];
}

/** The name a step is known by: the variable its chain is assigned to (`protectedProcedure`), else its text. */
function stepName(step: BuilderStep): string {
  let n: ts.Node = step.call;
  while (
    n.parent &&
    (ts.isCallExpression(n.parent) ||
      ts.isPropertyAccessExpression(n.parent) ||
      ts.isParenthesizedExpression(n.parent)) &&
    !ts.isVariableDeclaration(n.parent)
  ) {
    if (ts.isCallExpression(n.parent) && n.parent.arguments.includes(n as ts.Expression)) break;
    n = n.parent;
  }
  const decl =
    n.parent && ts.isVariableDeclaration(n.parent) && ts.isIdentifier(n.parent.name) ? n.parent.name.text : undefined;
  const arg = skipOuter(step.expr);
  const own = ts.isIdentifier(arg) || ts.isPropertyAccessExpression(arg) ? shortText(arg, 48) : undefined;
  if (step.kind === 'stage')
    return decl ? `${decl} (${accessName(step.call.expression) ?? 'handler'})` : shortText(step.call.expression, 48);
  return own ?? (decl ? `${decl}.use(…)` : shortText(step.expr, 48));
}

/** Chain links for the middleware and context stages of a built chain, in the order they run. */
export function stepLinks(steps: BuilderStep[], values: ValueResolver): ChainLink[] {
  const out: ChainLink[] = [];
  for (const s of steps) {
    if (s.kind === 'input' || s.kind === 'meta') continue;
    const link = chainLink(s.expr, 'route', values);
    link.name = stepName(s);
    if (s.kind === 'stage') link.handsOn = { returns: true };
    else link.handsOn = { option: builderRules(s.builder)?.continuation ?? 'next' };
    out.push(link);
  }
  return out;
}

/** The input schemas of a built chain (every `.input(…)` / `.schema(…)`, merged as the library does). */
export function inputSchemas(steps: BuilderStep[]): ts.Expression[] {
  return steps.filter((s) => s.kind === 'input').map((s) => s.expr);
}

/** `({ input }) => …` / `(opts) => opts.input`: is `e` the handler's parsed input? */
export function isInputOption(fn: FunctionNode, option: string): (e: ts.Expression) => boolean {
  const p = fn.parameters[0];
  return (e) => {
    if (!p) return false;
    const x = skipOuter(e);
    if (ts.isIdentifier(x)) {
      const d = findDeclaration(x);
      if (!d || !ts.isBindingElement(d)) return false;
      const { root, path } = bindingPath(d);
      return root === p && path.length === 1 && path[0] === option;
    }
    if (ts.isPropertyAccessExpression(x) && x.name.text === option) {
      const b = skipOuter(x.expression);
      return ts.isIdentifier(b) && findDeclaration(b) === p;
    }
    return false;
  };
}

/** `camelCase`/`snake_case` → `kebab-case`, so each word of a name is a word of a path. */
export function kebab(name: string): string {
  return words(name).join('-');
}

/**
 * A words path from name segments (route folders, a file stem, keys, an export name): each in
 * kebab-case, and a segment whose words a later one repeats left out
 * (`password/password-change/passwordChange` → `/password-change`), so one name does not count
 * as several words.
 */
export function wordsPath(segments: readonly string[]): string {
  const sing = (w: string): string => (w.length > 3 && w.endsWith('s') ? w.slice(0, -1) : w);
  // a parameter (`[groupId]`) stays as written: it is not a word
  const param = (seg: string): boolean => /^[[:{]/.test(seg);
  const sets = segments.map((seg) => new Set(param(seg) ? [] : words(seg).map(sing)));
  const keep = segments.filter(
    (seg, i) =>
      param(seg) || (sets[i].size > 0 && !sets.slice(i + 1).some((later) => [...sets[i]].every((w) => later.has(w)))),
  );
  return `/${keep.map((seg) => (param(seg) ? seg : kebab(seg))).join('/')}`;
}
