// Abstract values: what an expression may evaluate to, resolved through local declarations,
// imports and re-exports (ESM and CommonJS), object literals, classes and `this`, factory
// functions' return values and destructuring. The result is a union (list) of values; anything
// the analysis cannot see is an explicit `unknown`, `external`, `param` or opaque `call` value.
import path from 'node:path';
import { ts } from 'ts-morph';
import type { FunctionNode } from '../model.js';
import type { ModuleResolver, Resolution } from '../project/resolve.js';
import type { SourceStore } from '../project/sources.js';
import { memo } from '../memo.js';
import { compiled, ruleFile } from '../rules/load.js';
import type { ScanSession } from '../session.js';
import type { Budget } from './budget.js';
import { bindingPath, findDeclaration, lookupName, type Decl } from './scope.js';
import { holdsWhenDeployed } from './deployment.js';
import { evalString } from './strings.js';
import { forEachNode } from './walk.js';

export type Value =
  | {
      kind: 'function';
      node: FunctionNode;
      site?: ts.CallExpression;
      /** Arguments given ahead of the caller's by `fn.bind(thisArg, …)`: they fill the first parameters. */
      partial?: readonly ts.Expression[];
      /** A closure made by a call inside a factory (`site`): the call of that factory it was made for. */
      madeFor?: ts.CallExpression;
    }
  | { kind: 'class'; node: ts.ClassLikeDeclaration }
  /** `site`: the `new` expression that made this instance, when one did (each `new` is its own object). */
  | { kind: 'instance'; cls: ts.ClassLikeDeclaration; site?: ts.NewExpression }
  | { kind: 'object'; node: ts.ObjectLiteralExpression }
  | { kind: 'array'; node: ts.ArrayLiteralExpression }
  | { kind: 'enum'; node: ts.EnumDeclaration }
  | { kind: 'namespace'; node: ts.ModuleDeclaration }
  | { kind: 'module'; file: string }
  | { kind: 'external'; module: string; path: string[]; node: ts.Node; outside?: boolean }
  | { kind: 'param'; fn: ts.SignatureDeclaration; index: number; path: string[]; node: ts.Node }
  | { kind: 'call'; node: ts.CallExpression | ts.NewExpression; callee: Value[]; site?: ts.Node }
  | { kind: 'member'; base: Value; name: string; node: ts.Node }
  | { kind: 'literal'; value: string | number | boolean | null | undefined; node: ts.Node }
  | { kind: 'unknown'; node: ts.Node; reason: string };

/** Finders that answer a pair whose first element is the record (rules/effects.json `orm.tupleFinders`). */
const tupleFinders = compiled(() => {
  const re = ruleFile('effects').orm.tupleFinders;
  return re ? new RegExp(re) : undefined;
});
/** Finders that answer a list of records (rules/effects.json `orm.listFinders`). */
const listFinders = compiled(() => {
  const re = ruleFile('effects').orm.listFinders;
  return re ? new RegExp(re) : undefined;
});

interface ExportTable {
  named: Map<string, { expr?: ts.Expression; decl?: ts.Node; reexport?: { spec: string; name: string } }>;
  stars: string[];
  cjs?: ts.Expression;
}

/**
 * Budgets. `depth` counts semantic hops only (a name to its declaration, a call to its return value,
 * an import to its export): walking down one expression's own syntax (a call chain
 * `new Hono().get(…).post(…)…`, a member access, a conditional) is bounded by the tree and costs
 * nothing, so a chain of any length resolves. `MAX_NESTING` only guards the stack against
 * generated code. Hitting a budget is recorded (`limits`) and never cached as an answer.
 */
const MAX_DEPTH = 14;
const MAX_VALUES = 64;

/** Iteration helpers taking the collection first and the callback second (lodash, underscore, async). */
const COLLECTION_ITERATORS = /^(each|forEach|forOwn|forIn|map|mapValues|eachSeries|eachOf|forEachOf)$/;
const MAX_NESTING = 2000;

/** Where a resolution budget was reached (reported by the adapters, never silent). */
export interface LimitHit {
  kind: 'depth' | 'values' | 'nesting';
  file: string;
  line: number;
}

/** The function a node is written in, if any (a nested function's factory, a call's caller). */
export function enclosingFunction(n: ts.Node): FunctionNode | undefined {
  for (let p: ts.Node | undefined = n.parent; p; p = p.parent) if (isFunctionNode(p)) return p;
  return undefined;
}

export function isFunctionNode(node: ts.Node): node is FunctionNode {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node)
  );
}

/** The name a call is made by: `f(…)` → f, `a.b.m(…)` → m; '' for anything else. */
export function calleeName(call: ts.CallExpression | ts.NewExpression): string {
  return lastName(call.expression) ?? '';
}

/** The name an expression ends on: `users` of `users` and of `db.users`; none for anything else. */
export function lastName(e: ts.Expression): string | undefined {
  const x = skipOuter(e);
  return ts.isIdentifier(x) ? x.text : ts.isPropertyAccessExpression(x) ? x.name.text : undefined;
}

/** Strips syntax that does not change a value: parentheses, type assertions, `!`, `satisfies`, `await`. */
export function skipOuter(expr: ts.Expression): ts.Expression {
  let e = expr;
  for (;;) {
    if (
      ts.isParenthesizedExpression(e) ||
      ts.isAsExpression(e) ||
      ts.isNonNullExpression(e) ||
      ts.isTypeAssertionExpression(e) ||
      ts.isSatisfiesExpression(e) ||
      ts.isAwaitExpression(e)
    )
      e = e.expression;
    else return e;
  }
}

export function propertyNameText(name: ts.PropertyName | ts.Expression): string | undefined {
  if (
    ts.isIdentifier(name) ||
    ts.isStringLiteralLike(name) ||
    ts.isNumericLiteral(name) ||
    ts.isPrivateIdentifier(name)
  )
    return name.text;
  if (ts.isComputedPropertyName(name) && ts.isStringLiteralLike(name.expression)) return name.expression.text;
  return undefined;
}

/** The name a member access reads: `a.b` → b, `a['b']` → b. */
export function accessName(e: ts.Expression): string | undefined {
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  if (ts.isElementAccessExpression(e) && ts.isStringLiteralLike(e.argumentExpression)) return e.argumentExpression.text;
  return undefined;
}

export function isRequireCall(e: ts.Node): boolean {
  return (
    ts.isCallExpression(e) &&
    ts.isIdentifier(e.expression) &&
    e.expression.text === 'require' &&
    // (Node reads the first argument only: `require('./routes/x.js', { page: 'route' })` loads the same module)
    e.arguments.length >= 1 &&
    ts.isStringLiteralLike(e.arguments[0])
  );
}

/** Return expressions per function (syntax alone): classification and verification ask for them again and again. */
const returnsCache = new WeakMap<ts.SignatureDeclaration, readonly ts.Expression[]>();

/** Return expressions of a function (not of nested functions); an expression-bodied arrow returns its body. */
export function returnExpressions(fn: ts.SignatureDeclaration): readonly ts.Expression[] {
  let out = returnsCache.get(fn);
  if (!out) returnsCache.set(fn, (out = collectReturns(fn)));
  return out;
}

function collectReturns(fn: ts.SignatureDeclaration): ts.Expression[] {
  const body = (fn as ts.FunctionLikeDeclaration).body;
  if (!body) return [];
  if (!ts.isBlock(body)) return [body];
  const out: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isReturnStatement(n)) {
      if (n.expression) out.push(n.expression);
      return;
    }
    if (ts.isFunctionLike(n) || ts.isClassLike(n)) return;
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(body, visit);
  return out;
}

export class ValueResolver {
  private readonly exportTables = new Map<string, ExportTable>();
  private readonly declCache = new Map<ts.Node, Value[]>();

  readonly store: SourceStore;
  /** The session's work budget: bounds every walk that resolves values (see budget.ts). */
  readonly budget: Budget;

  constructor(
    readonly session: ScanSession,
    readonly resolver: ModuleResolver,
  ) {
    this.store = session.store;
    this.budget = session.budget;
  }

  sourceFile(file: string): ts.SourceFile | undefined {
    return this.store.get(file);
  }

  /** Budget hits, in order (deduplicated per file, line and kind). */
  readonly limits: LimitHit[] = [];
  private readonly limitKeys = new Set<string>();
  /** Incremented on every budget hit: a resolution that saw one must not be cached. */
  private truncations = 0;
  private nesting = 0;

  private hit(kind: LimitHit['kind'], node: ts.Node): void {
    this.truncations++;
    const sf = node.getSourceFile();
    if (!sf) return;
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
    const key = `${kind}:${sf.fileName}:${line}`;
    if (this.limitKeys.has(key)) return;
    this.limitKeys.add(key);
    this.limits.push({ kind, file: sf.fileName, line });
  }

  /**
   * Answers of whole resolutions (depth 0, nothing being resolved around them, no call-site
   * binding): classification and verification ask the same expressions again and again (on a
   * large application six times each on average). Like `declCache`, an answer that met a budget
   * is not kept; what middleware puts on the request (`decorate`, `provideMember`) changes answers,
   * so it empties this cache.
   */
  private readonly exprCache = new Map<ts.Node, Value[]>();

  /** Values an expression may take. */
  resolve(expr: ts.Node, depth = 0, seen: Set<ts.Node> = new Set()): Value[] {
    const whole = depth === 0 && seen.size === 0 && this.bindings.size === 0 && this.declStack.length === 0;
    if (whole) {
      // (a kept answer still costs its unit a step: a unit's budget counts the questions it asks)
      this.budget.step('value resolution');
      const hit = this.exprCache.get(expr);
      if (hit) return hit;
      const truncated = this.truncations;
      const out = this.resolveFresh(expr, depth, seen);
      if (this.truncations === truncated) this.exprCache.set(expr, out);
      return out;
    }
    return this.resolveFresh(expr, depth, seen);
  }

  private resolveFresh(expr: ts.Node, depth: number, seen: Set<ts.Node>): Value[] {
    this.budget.step('value resolution');
    if (depth > MAX_DEPTH) {
      this.hit('depth', expr);
      return [{ kind: 'unknown', node: expr, reason: 'resolution too deep' }];
    }
    if (this.nesting > MAX_NESTING) {
      this.hit('nesting', expr);
      return [{ kind: 'unknown', node: expr, reason: 'expression too deeply nested' }];
    }
    const e = ts.isExpression(expr) ? skipOuter(expr) : expr;
    this.nesting++;
    let out: Value[];
    try {
      out = this.resolveInner(e, depth, seen);
    } finally {
      this.nesting--;
    }
    if (out.length > MAX_VALUES) {
      this.hit('values', e);
      return out.slice(0, MAX_VALUES);
    }
    return out;
  }

  private resolveInner(e: ts.Node, depth: number, seen: Set<ts.Node>): Value[] {
    if (ts.isIdentifier(e)) {
      if (e.text === 'undefined') return [{ kind: 'literal', value: undefined, node: e }];
      const decl = findDeclaration(e);
      // a name assigned without a declaration, or a module's `let` a function sets before it uses it
      // (`let query = ''` at the top; `query = 'UPDATE users SET balance = ?'` then `run(query)` in a function):
      // the value the same function last gave it before this use
      if (!decl || (ts.isVariableDeclaration(decl) && !(decl.parent.flags & ts.NodeFlags.Const))) {
        const given = assignedBefore(e, decl, this.assignmentIndex);
        if (given.length) return given.flatMap((g) => this.resolve(g, depth + 1, seen));
      }
      if (!decl) return [{ kind: 'unknown', node: e, reason: `global ${e.text}` }];
      return this.resolveDecl(decl, depth + 1, seen);
    }
    if (ts.isShorthandPropertyAssignment(e)) {
      const decl = lookupName(e.name.text, e);
      return decl
        ? this.resolveDecl(decl, depth + 1, seen)
        : [{ kind: 'unknown', node: e, reason: `global ${e.name.text}` }];
    }
    if (ts.isFunctionExpression(e) || ts.isArrowFunction(e) || ts.isFunctionDeclaration(e) || ts.isMethodDeclaration(e))
      return [{ kind: 'function', node: e }];
    if (ts.isClassExpression(e) || ts.isClassDeclaration(e)) return [{ kind: 'class', node: e }];
    if (ts.isObjectLiteralExpression(e)) return [{ kind: 'object', node: e }];
    if (ts.isArrayLiteralExpression(e)) return [{ kind: 'array', node: e }];
    if (ts.isStringLiteralLike(e)) return [{ kind: 'literal', value: e.text, node: e }];
    if (ts.isNumericLiteral(e)) return [{ kind: 'literal', value: Number(e.text), node: e }];
    if (e.kind === ts.SyntaxKind.TrueKeyword) return [{ kind: 'literal', value: true, node: e }];
    if (e.kind === ts.SyntaxKind.FalseKeyword) return [{ kind: 'literal', value: false, node: e }];
    if (e.kind === ts.SyntaxKind.NullKeyword) return [{ kind: 'literal', value: null, node: e }];
    if (e.kind === ts.SyntaxKind.ThisKeyword) {
      // `this.resetPassword(…)` in a method of a service object (`const userService = { async setPwd() { … } }`)
      const own = serviceObjectOf(e, this.session.get(COPIED));
      if (own) return [{ kind: 'object', node: own }];
      // `this.findById(id)` in a schema's static (`userSchema.statics.findByIdAndValidate = function …`): the model
      const holder = ts.findAncestor(e.parent, (n) => ts.isFunctionExpression(n) || ts.isFunctionDeclaration(n));
      const model = holder && staticOwnerModel(holder);
      if (model) return this.resolve(model, depth + 1, seen);
      const cls = enclosingClass(e);
      if (!cls) return [{ kind: 'unknown', node: e, reason: 'this outside a class' }];
      // `this` in a static member (`static users = () => getRepository(User)`, `this.users()` in a static handler) is the class
      if (inStaticMember(e)) return [{ kind: 'class', node: cls }];
      // evaluating the class for one of its instantiations (`withBinding(cls, newExpr)`): that instance
      const site = this.bindings.get(cls);
      // a base class's method followed for a subclass's instance (`this.updateFields(…)` in `UserRepository`):
      // that instance, whose constructor gave the base class its arguments
      if (site && !ts.isNewExpression(site)) {
        const own = this.resolve(site, depth + 1, seen).filter((v) => v.kind === 'instance');
        if (own.length) return own;
      }
      return [site && ts.isNewExpression(site) ? { kind: 'instance', cls, site } : { kind: 'instance', cls }];
    }
    if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
      const name = accessName(e) ?? (ts.isElementAccessExpression(e) ? this.constantKey(e, depth, seen) : undefined);
      if (name === undefined) return [{ kind: 'unknown', node: e, reason: 'computed member' }];
      // `module.exports` / `exports` inside a CommonJS module
      if (
        ts.isIdentifier(e.expression) &&
        e.expression.text === 'module' &&
        name === 'exports' &&
        !findDeclaration(e.expression)
      ) {
        return [{ kind: 'module', file: e.getSourceFile().fileName }];
      }
      const bases = this.resolve(e.expression, depth, seen);
      return bases.flatMap((b) => this.member(b, name, e, depth + 1, seen));
    }
    if (ts.isCallExpression(e)) return this.resolveCall(e, depth, seen);
    if (ts.isNewExpression(e)) {
      const callee = this.resolve(e.expression, depth, seen);
      const out: Value[] = [];
      for (const c of callee) {
        if (c.kind === 'class') out.push({ kind: 'instance', cls: c.node, site: e });
        else out.push({ kind: 'call', node: e, callee: [c] });
      }
      return out;
    }
    if (ts.isConditionalExpression(e)) {
      const deployed = holdsWhenDeployed(e.condition);
      if (deployed !== undefined) return this.resolve(deployed ? e.whenTrue : e.whenFalse, depth, seen);
      return [...this.resolve(e.whenTrue, depth, seen), ...this.resolve(e.whenFalse, depth, seen)];
    }
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      if (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken)
        return [...this.resolve(e.left, depth, seen), ...this.resolve(e.right, depth, seen)];
      if (op === ts.SyntaxKind.AmpersandAmpersandToken) return this.resolve(e.right, depth, seen);
      if (op === ts.SyntaxKind.EqualsToken) return this.resolve(e.right, depth, seen);
    }
    return [{ kind: 'unknown', node: e, reason: ts.SyntaxKind[e.kind] }];
  }

  /** `routes[k]` where `k` takes one string here (a loop variable bound to a key): that key. */
  private constantKey(e: ts.ElementAccessExpression, depth: number, seen: Set<ts.Node>): string | undefined {
    if (!this.bindings.size || !ts.isIdentifier(skipOuter(e.argumentExpression))) return undefined;
    return this.oneString(e.argumentExpression, depth, seen);
  }

  /** The one string an expression resolves to, if that is all it can be. */
  private oneString(x: ts.Expression, depth: number, seen: Set<ts.Node>): string | undefined {
    const v = this.resolve(x, depth + 1, seen);
    return v.length === 1 && v[0].kind === 'literal' && typeof v[0].value === 'string' ? v[0].value : undefined;
  }

  private resolveCall(e: ts.CallExpression, depth: number, seen: Set<ts.Node>): Value[] {
    if (isRequireCall(e))
      return this.importValue(
        (e.arguments[0] as ts.StringLiteral).text,
        e.getSourceFile().fileName,
        undefined,
        e,
        depth,
        seen,
      );
    // `require(`./${name}`)` with `name` bound to one file name (a folder's modules mounted in a loop)
    const spec = this.bindings.size ? this.requiredSpec(e, depth, seen) : undefined;
    const dynamic = e.expression.kind === ts.SyntaxKind.ImportKeyword;
    if (spec !== undefined)
      return this.importValue(spec, e.getSourceFile().fileName, dynamic ? '*' : undefined, e, depth, seen);
    if (
      e.expression.kind === ts.SyntaxKind.ImportKeyword &&
      e.arguments.length === 1 &&
      ts.isStringLiteralLike(e.arguments[0])
    ) {
      return this.importValue(e.arguments[0].text, e.getSourceFile().fileName, '*', e, depth, seen);
    }
    // `Object.freeze({ … })`, `Object.seal(x)`: the object handed in, unchanged (a frozen table of constants)
    if (
      e.arguments.length === 1 &&
      ts.isPropertyAccessExpression(e.expression) &&
      /^(freeze|seal|preventExtensions)$/.test(e.expression.name.text) &&
      skipOuter(e.expression.expression).getText() === 'Object'
    )
      return this.resolve(e.arguments[0], depth + 1, seen);
    // `fn.bind(thisArg, a)`: the same function, its first parameters given (`updateUser: updateUser.bind(null, User)`)
    const bound = this.boundFunction(e, depth, seen);
    if (bound) return bound;
    // `once(() => …)`, `cache(async () => …)`, `memoize(fn)`: a package's wrapper of a function is called
    // as the function it wraps
    const callee = this.resolve(e.expression, depth, seen).flatMap((c) => this.unwrapped(c, depth, seen) ?? [c]);
    const looked = this.containerLookup(e, callee, depth, seen) ?? this.registryEntries(e, depth, seen);
    if (looked) return looked;
    const out: Value[] = [];
    for (const c of callee) {
      if (c.kind === 'function' && c.node.body && !seen.has(c.node) && depth >= MAX_DEPTH - 2) this.hit('depth', e);
      if (c.kind === 'function' && c.node.body && !seen.has(c.node) && depth < MAX_DEPTH - 2) {
        seen.add(c.node);
        const rets = returnExpressions(c.node);
        // `new UserRoute('/users').getRouter()`: what the method returns of its class is that instance's
        const owner = this.instanceOf(e, c.node, depth, seen);
        for (const r of rets) {
          // a method answering `this` (`boot(req, res) { this.req = req; return this; }` on a base class)
          // answers the instance it was called on: `new UserController().boot(req, res)` is that controller
          const receiver = this.receiverInstances(r, c.node, e, depth, seen);
          if (receiver.length) {
            out.push(...receiver);
            continue;
          }
          for (const v of this.ofInstance(owner, this.resolve(r, depth + 1, seen))) {
            // An object created inside a factory is a new object per call: remember the call site.
            const bound = this.bindParam(v, c.node, e, depth, seen);
            // An object or a closure created inside a factory is a new one per call: remember the call site.
            // (a closure a call inside the factory made, `deleteOne = (Model) => catchAsync(async (req, res) => …)`,
            // keeps that inner call as its site and this call as the factory call it was made for)
            out.push(
              ...bound.map((b) =>
                (b.kind === 'call' || b.kind === 'function') && !b.site && isInside(b.node, c.node)
                  ? { ...b, site: e }
                  : b.kind === 'function' && b.site && !b.madeFor && ts.isCallExpression(e) && isInside(b.site, c.node)
                    ? { ...b, madeFor: e }
                    : b,
              ),
            );
          }
        }
        seen.delete(c.node);
        if (rets.length === 0) out.push({ kind: 'literal', value: undefined, node: e });
      } else if (c.kind === 'function' && (c.node.body === undefined || seen.has(c.node))) {
        out.push({ kind: 'call', node: e, callee: [c] });
      } else if (
        // Hono's `c.get('services')`: what the chain's middleware `c.set` there
        c.kind === 'param' &&
        c.path.length === 1 &&
        c.path[0] === 'get' &&
        e.arguments.length === 1 &&
        ts.isStringLiteralLike(e.arguments[0])
      ) {
        out.push(
          { kind: 'call', node: e, callee: [c] },
          ...this.decoratedValues(c.fn.parameters[c.index], e.arguments[0].text, depth, seen),
        );
      } else {
        out.push({ kind: 'call', node: e, callee: [c] });
        // A package's per-call wrapper given a function written in place (`traced('name', async (id, pin) => …)`,
        // `asyncHandler(async (…) => …)`): calling what it returns runs that function (not lodash's `once`)
        const wrapped = ts.isCallExpression(e) && runsPerCall(c) ? inlineFunctionArgument(e) : undefined;
        if (wrapped) out.push({ kind: 'function', node: wrapped, site: e });
      }
    }
    return out;
  }

  /** `fn.bind(thisArg, …args)` on a function of the project: that function, with `args` ahead of any caller's. */
  private boundFunction(e: ts.CallExpression, depth: number, seen: Set<ts.Node>): Value[] | undefined {
    const x = skipOuter(e.expression);
    if (!ts.isPropertyAccessExpression(x) || x.name.text !== 'bind') return undefined;
    const fns = this.resolve(x.expression, depth + 1, seen).filter((v) => v.kind === 'function');
    if (!fns.length) return undefined;
    const given = e.arguments.slice(1);
    return fns.map((v) => (given.length ? { ...v, partial: [...(v.partial ?? []), ...given] } : v));
  }

  /**
   * `container.get(UserService)`, `Container.get(UserService)`, `moduleRef.resolve(UserService)`: a
   * dependency-injection container's lookup (a package's method named in rules/frameworks.json
   * `dependencyInjection.lookupMethods`) given a project class is an instance of that class.
   */
  private containerLookup(
    e: ts.CallExpression,
    callee: Value[],
    depth: number,
    seen: Set<ts.Node>,
  ): Value[] | undefined {
    if (!e.arguments.length || !ts.isPropertyAccessExpression(e.expression)) return undefined;
    if (!ruleFile('frameworks').dependencyInjection.lookupMethods.includes(e.expression.name.text)) return undefined;
    if (callee.some((c) => c.kind === 'function' && c.node.body)) return undefined;
    // a class is named as one (`UserService`, `services.UserService`): a key, a header or a string is not asked about
    const arg = skipOuter(e.arguments[0]);
    const named = ts.isIdentifier(arg) ? arg.text : ts.isPropertyAccessExpression(arg) ? arg.name.text : '';
    if (!/^[A-Z]/.test(named)) return undefined;
    const classes = this.resolve(arg, depth + 1, seen);
    if (!classes.length || !classes.every((c) => c.kind === 'class')) return undefined;
    return classes.map((c) => ({ kind: 'instance', cls: c.node }));
  }

  /**
   * `providers.get(name)` of a Map a module fills (`providers = new Map(); providers.set('stripe', new
   * StripeProvider(…))`): any of the values it is given, whichever key is asked for.
   */
  private registryEntries(e: ts.CallExpression, depth: number, seen: Set<ts.Node>): Value[] | undefined {
    const callee = e.expression;
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'get' || e.arguments.length !== 1)
      return undefined;
    const recv = skipOuter(callee.expression);
    if (!ts.isIdentifier(recv)) return undefined;
    const d = findDeclaration(recv);
    if (!d || !ts.isVariableDeclaration(d) || seen.has(d)) return undefined;
    const isMap = (x: ts.Expression | undefined): boolean => {
      const y = x && skipOuter(x);
      return !!y && ts.isNewExpression(y) && ts.isIdentifier(y.expression) && y.expression.text === 'Map';
    };
    // declared as one: made by `new Map(…)` or typed `Map<…>` (then filled later)
    if (!isMap(d.initializer) && !(d.type && /\bMap</.test(d.type.getText()))) return undefined;
    const entries: { key: ts.Expression; value: ts.Expression }[] = [];
    let made = isMap(d.initializer);
    // `new Map([['stripe', stripe], …])`
    const init = d.initializer && skipOuter(d.initializer);
    if (init && ts.isNewExpression(init) && init.arguments?.[0]) {
      const list = skipOuter(init.arguments[0]);
      if (ts.isArrayLiteralExpression(list))
        for (const pair of list.elements)
          if (ts.isArrayLiteralExpression(pair) && pair.elements.length === 2)
            entries.push({ key: pair.elements[0], value: pair.elements[1] });
    }
    forEachNode(d.getSourceFile(), (n) => {
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && isMap(n.right)) {
        const l = skipOuter(n.left);
        if (ts.isIdentifier(l) && findDeclaration(l) === d) made = true;
      }
      if (
        ts.isCallExpression(n) &&
        n.arguments.length === 2 &&
        ts.isPropertyAccessExpression(n.expression) &&
        n.expression.name.text === 'set'
      ) {
        const r = skipOuter(n.expression.expression);
        if (ts.isIdentifier(r) && findDeclaration(r) === d)
          entries.push({ key: n.arguments[0], value: n.arguments[1] });
      }
    });
    if (!made || !entries.length) return undefined;
    seen.add(d);
    const literalOf = (x: ts.Expression): string | undefined => this.oneString(x, depth, seen);
    // a key known as a constant picks its own entries (`operations.get('rename')`)
    const asked = literalOf(e.arguments[0]);
    const picked = asked === undefined ? entries : entries.filter((x) => literalOf(x.key) === asked);
    const out = picked.flatMap((x) => this.resolve(x.value, depth + 1, seen)).filter((v) => v.kind !== 'unknown');
    seen.delete(d);
    // any entry for a key the request may choose: only objects made alike (providers of one interface) stand
    // for the lookup; functions that may differ in what they check (a verifier per method) do not
    if (asked === undefined && !out.every((v) => v.kind === 'instance')) return undefined;
    return out.length ? out : undefined;
  }

  /** The function a package's call was given, when that call's result is itself called (`once(fn)()`). */
  private unwrapped(c: Value, depth: number, seen: Set<ts.Node>): Value[] | undefined {
    if (c.kind !== 'call' || !ts.isCallExpression(c.node) || c.node.arguments.length !== 1) return undefined;
    if (!c.callee.length || !c.callee.every((x) => x.kind === 'external')) return undefined;
    const fns = this.resolve(c.node.arguments[0], depth + 1, seen).filter((v) => v.kind === 'function');
    return fns.length ? fns : undefined;
  }

  /**
   * The module a `require` (or an `import()`) of a template or concatenation names, when each part is one
   * constant string.
   */
  private requiredSpec(e: ts.CallExpression, depth: number, seen: Set<ts.Node>): string | undefined {
    const dynamic = e.expression.kind === ts.SyntaxKind.ImportKeyword;
    if (!e.arguments.length || (dynamic && e.arguments.length !== 1)) return undefined;
    if (!dynamic && (!ts.isIdentifier(e.expression) || e.expression.text !== 'require')) return undefined;
    if (!dynamic && findDeclaration(e.expression as ts.Identifier)) return undefined;
    const text = (x: ts.Expression): string | undefined => {
      const y = skipOuter(x);
      if (ts.isStringLiteralLike(y)) return y.text;
      if (ts.isTemplateExpression(y)) {
        let out = y.head.text;
        for (const span of y.templateSpans) {
          const part = text(span.expression);
          if (part === undefined) return undefined;
          out += part + span.literal.text;
        }
        return out;
      }
      if (ts.isBinaryExpression(y) && y.operatorToken.kind === ts.SyntaxKind.PlusToken) {
        const [l, r] = [text(y.left), text(y.right)];
        return l === undefined || r === undefined ? undefined : l + r;
      }
      // `path.join(__dirname, 'routes')`: Node's path functions over constant parts
      if (ts.isCallExpression(y) && /^(path\.)?(join|resolve)$/.test(y.expression.getText()) && y.arguments.length) {
        const parts = y.arguments.map((a) => text(a));
        if (parts.some((x) => x === undefined)) return undefined;
        return /resolve$/.test(y.expression.getText())
          ? path.resolve(...(parts as string[]))
          : path.join(...(parts as string[]));
      }
      // a member of an element the loop binds (`require(route.file)` over `[{ path, file: './routes/x' }]`)
      if (ts.isPropertyAccessExpression(y) || ts.isElementAccessExpression(y))
        return this.oneString(y, depth, seen) ?? evalString(y, this);
      // a name derived by the language's string operations or a project function
      // (`const name = clean(file)` with `clean = (f) => f.split('.').shift()`)
      if (!ts.isIdentifier(y)) return ts.isCallExpression(y) ? evalString(y, this) : undefined;
      // Node's own `__dirname`: the folder of the file it is read in (`require(__dirname + '/routes/' + f)`)
      if (y.text === '__dirname' && !findDeclaration(y)) return path.dirname(y.getSourceFile().fileName);
      const one = this.oneString(y, depth, seen);
      if (one !== undefined) return one;
      // a constant built the same way (`const routesDir = __dirname + '/../routes'`)
      const d = findDeclaration(y);
      if (
        d &&
        ts.isVariableDeclaration(d) &&
        d.initializer &&
        ts.isVariableDeclarationList(d.parent) &&
        !seen.has(d) &&
        (ts.isBinaryExpression(skipOuter(d.initializer)) ||
          ts.isTemplateExpression(skipOuter(d.initializer)) ||
          ts.isCallExpression(skipOuter(d.initializer)))
      ) {
        seen.add(d);
        return text(d.initializer);
      }
      return evalString(y, this);
    };
    return text(e.arguments[0]);
  }

  /** A factory returning its own parameter (or a part of it) returns the call's argument. */
  private bindParam(
    v: Value,
    fn: ts.SignatureDeclaration,
    call: ts.CallExpression,
    depth: number,
    seen: Set<ts.Node>,
  ): Value[] {
    if (v.kind !== 'param' || v.fn !== fn) return [v];
    const arg = call.arguments[v.index];
    if (!arg) return [{ kind: 'literal', value: undefined, node: call }];
    let vals = this.resolve(arg, depth + 1, seen);
    for (const name of v.path) vals = vals.flatMap((b) => this.member(b, name, call, depth + 1, seen));
    return vals;
  }

  /** The first parameter of a callback given to `arr.forEach/map/…` takes the array's elements. */
  private iteratedElements(fn: ts.SignatureDeclaration, depth: number, seen: Set<ts.Node>): Value[] | undefined {
    const call = fn.parent;
    // `_.each(routes, (controller, route) => …)`, `forOwn(obj, fn)`: the collection first, the callback second
    if (
      call &&
      ts.isCallExpression(call) &&
      call.arguments.length === 2 &&
      call.arguments[1] === fn &&
      COLLECTION_ITERATORS.test(calleeName(call))
    ) {
      const out = this.resolve(call.arguments[0], depth + 1, seen).flatMap((v) => this.elementsOf(v, depth, seen));
      return out.length ? out : undefined;
    }
    if (
      !call ||
      !ts.isCallExpression(call) ||
      call.arguments[0] !== fn ||
      !ts.isPropertyAccessExpression(call.expression)
    )
      return undefined;
    if (!['forEach', 'map', 'flatMap', 'filter', 'find', 'some', 'every'].includes(call.expression.name.text))
      return undefined;
    const source = this.resolve(call.expression.expression, depth + 1, seen);
    // Iterating a parameter: each element of whatever the caller passes.
    const params = source.filter((v): v is Extract<Value, { kind: 'param' }> => v.kind === 'param');
    if (params.length) return params.map((p) => ({ ...p, path: [...p.path, '*'] }));
    const arrays = source.filter((v): v is Extract<Value, { kind: 'array' }> => v.kind === 'array');
    if (!arrays.length) return undefined;
    const out = arrays.flatMap((a) =>
      a.node.elements.flatMap((el) => (ts.isSpreadElement(el) ? [] : this.resolve(el, depth + 1, seen))),
    );
    return out.length ? out : undefined;
  }

  /**
   * The first parameter of a callback given to a call's `.then` takes what that call settles with
   * (`User.findOne(q).then((user) => user.update(data))`, as `const user = await User.findOne(q)`).
   */
  private settledValue(fn: ts.SignatureDeclaration, depth: number, seen: Set<ts.Node>): Value[] | undefined {
    const call = fn.parent;
    if (!call || !ts.isCallExpression(call) || call.arguments[0] !== fn) return undefined;
    const callee = skipOuter(call.expression);
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'then') return undefined;
    const settled = skipOuter(callee.expression);
    // (a chain's earlier `.then` settles with what its callback returns: left to the parameter)
    if (!ts.isCallExpression(settled) || /^(then|catch|finally)$/.test(calleeName(settled))) return undefined;
    const out = this.resolve(settled, depth + 1, seen);
    return out.length && !out.every((v) => v.kind === 'unknown') ? out : undefined;
  }

  /** What iterating a collection yields: an array's elements, an object literal's property values. */
  private elementsOf(v: Value, depth: number, seen: Set<ts.Node>): Value[] {
    if (v.kind === 'array')
      return v.node.elements.flatMap((el) => (ts.isSpreadElement(el) ? [] : this.resolve(el, depth + 1, seen)));
    if (v.kind === 'object')
      return v.node.properties.flatMap((p) =>
        ts.isPropertyAssignment(p)
          ? this.resolve(p.initializer, depth + 1, seen)
          : ts.isShorthandPropertyAssignment(p)
            ? this.resolve(p.name, depth + 1, seen)
            : [],
      );
    return [];
  }

  private readonly bindings = new Map<ts.Node, ts.Expression>();
  /** Declarations being resolved (outermost first), and the highest of them a cycle led back to. */
  private readonly declStack: ts.Node[] = [];
  private cycleTop = Infinity;

  /** Runs `fn` with a parameter bound to one expression (one element of an iterated array). */
  /** True while call-site bindings apply (results then must not be cached per node). */
  get bound(): boolean {
    return this.bindings.size > 0;
  }

  /** The expression a parameter is bound to at the call site being followed, if any. */
  boundTo(param: ts.Node): ts.Expression | undefined {
    return this.bindings.get(param);
  }

  withBinding<T>(param: ts.Node, expr: ts.Expression, fn: () => T): T {
    this.bindings.set(param, expr);
    try {
      return fn();
    } finally {
      this.bindings.delete(param);
    }
  }

  /**
   * The values of a member's assignments. In a base class followed for a subclass (`superArgs`), the
   * constructor's parameters take what the subclass's `super(…)` gave (`this.router = router` with
   * `super('Admin', Router())`): each subclass's own value, not every subclass's. An instance member a base
   * class makes itself (`this.router = Router()` in its constructor) is one per subclass (`concrete`, its site).
   */
  private assignedValues(
    cls: ts.ClassLikeDeclaration,
    exprs: readonly ts.Expression[],
    depth: number,
    seen: Set<ts.Node>,
    superArgs?: readonly ts.Expression[],
    concrete?: ts.ClassLikeDeclaration,
  ): Value[] {
    const vals = this.withCtorArgs(cls, superArgs, () => exprs.flatMap((x) => this.resolve(x, depth + 1, seen)));
    if (!concrete || concrete === cls) return vals;
    return vals.map((v) =>
      v.kind === 'call' && !v.site && isInside(v.node, cls) && !inStaticMember(v.node) ? { ...v, site: concrete } : v,
    );
  }

  /** Runs `run` with a class's constructor parameters bound to the arguments its subclass's `super(…)` gave. */
  private withCtorArgs<T>(cls: ts.ClassLikeDeclaration, args: readonly ts.Expression[] | undefined, run: () => T): T {
    const ctor = cls.members.find(ts.isConstructorDeclaration);
    if (!ctor || !args?.length) return run();
    // (a parameter already bound, by the `new` this class is evaluated for, keeps that binding)
    return this.withParameters(ctor.parameters, args, run, (p) => !this.bindings.has(p));
  }

  /**
   * Runs `run` with `fn`'s parameters bound to the arguments of `call` (a spread argument binds nothing), or to a
   * list of arguments (a bound function's given ones ahead of its caller's: `callArguments`).
   */
  withArguments<T>(
    fn: ts.SignatureDeclaration,
    call: ts.CallExpression | ts.NewExpression | readonly ts.Expression[],
    run: () => T,
  ): T {
    const args = Array.isArray(call) ? call : ((call as ts.CallExpression | ts.NewExpression).arguments ?? []);
    return this.withParameters(fn.parameters, args, run);
  }

  /** Runs `run` with each parameter (that `bind` accepts) bound to the argument at its position. */
  private withParameters<T>(
    params: readonly ts.ParameterDeclaration[],
    args: readonly ts.Expression[],
    run: () => T,
    bind: (p: ts.ParameterDeclaration) => boolean = () => true,
  ): T {
    const pairs = params.flatMap((p, i) =>
      args[i] && !ts.isSpreadElement(args[i]) && bind(p) ? [[p, args[i]] as const] : [],
    );
    const step = (k: number): T =>
      k === pairs.length ? run() : this.withBinding(pairs[k][0], pairs[k][1], () => step(k + 1));
    return step(0);
  }

  resolveDecl(decl: Decl, depth = 0, seen: Set<ts.Node> = new Set()): Value[] {
    // (a class is bound to the `new` it is evaluated for: that changes its `this`, not its name)
    const bound = ts.isClassLike(decl) ? undefined : this.bindings.get(decl);
    if (bound) return this.resolve(bound, depth + 1, seen);
    const cached = this.bindings.size ? undefined : this.declCache.get(decl);
    if (cached) return cached;
    if (seen.has(decl)) {
      const at = this.declStack.lastIndexOf(decl);
      if (at >= 0) this.cycleTop = Math.min(this.cycleTop, at);
      return [{ kind: 'unknown', node: decl, reason: 'cycle' }];
    }
    seen.add(decl);
    const truncated = this.truncations;
    const outerCycle = this.cycleTop;
    this.cycleTop = Infinity;
    const pos = this.declStack.push(decl) - 1;
    let out: Value[];
    try {
      out = this.resolveDeclInner(decl, depth, seen);
    } finally {
      this.declStack.pop();
      seen.delete(decl);
    }
    // A cycle back to a declaration still being resolved further up makes this answer partial;
    // one that closed here does not. A budget hit anywhere below makes it partial too.
    const partialCycle = this.cycleTop < pos;
    this.cycleTop = Math.min(outerCycle, partialCycle ? this.cycleTop : Infinity);
    if (!this.bindings.size && this.truncations === truncated && !partialCycle) this.declCache.set(decl, out);
    return out;
  }

  /** Every expression a local is given: its initializer and, for a `let` or `var`, each later plain assignment. */
  sourcesOf(decl: ts.VariableDeclaration): ts.Expression[] {
    const assigned = reassignable(decl) ? assignmentsOf(decl, this.session.get(ASSIGNMENTS)) : [];
    return [...(decl.initializer && !isNullish(decl.initializer) ? [decl.initializer] : []), ...assigned];
  }

  private resolveDeclInner(decl: Decl, depth: number, seen: Set<ts.Node>): Value[] {
    if (ts.isVariableDeclaration(decl)) {
      // `let app; if (x) app = new Hono(); else app = new Hono().basePath('/v1')`: a variable that is
      // assigned again takes every value it is given (the join), its initializer included.
      const assigned = reassignable(decl) ? assignmentsOf(decl, this.session.get(ASSIGNMENTS)) : [];
      // another name for a value (`const router = require('./base.router')`, `const r = base`) costs no depth:
      // `seen` already stops a cycle of names, and a router handed on through a chain of modules that each add
      // routes to it is followed to its end
      if (decl.initializer && !assigned.length)
        return this.resolve(decl.initializer, isAlias(decl.initializer) ? depth : depth + 1, seen);
      const loop = decl.parent?.parent;
      if (!decl.initializer && loop && ts.isForOfStatement(loop)) {
        const arr = this.resolve(loop.expression, depth + 1, seen).filter((v) => v.kind === 'array');
        if (arr.length)
          return arr.flatMap((a) =>
            (a as { node: ts.ArrayLiteralExpression }).node.elements.flatMap((el) => this.resolve(el, depth + 1, seen)),
          );
      }
      const sources = [...(decl.initializer && !isNullish(decl.initializer) ? [decl.initializer] : []), ...assigned];
      if (sources.length) return sources.flatMap((x) => this.resolve(x, depth + 1, seen));
      if (decl.initializer) return this.resolve(decl.initializer, depth + 1, seen);
      return [{ kind: 'unknown', node: decl, reason: 'declared without a value' }];
    }
    if (ts.isBindingElement(decl)) {
      const { root, path: p } = bindingPath(decl);
      if (!root) return [{ kind: 'unknown', node: decl, reason: 'binding' }];
      let vals: Value[];
      if (ts.isParameter(root)) vals = this.resolveDecl(root, depth + 1, seen);
      else if (root.initializer) vals = this.resolve(root.initializer, depth + 1, seen);
      else if (root.parent?.parent && ts.isForOfStatement(root.parent.parent))
        vals = this.resolveDecl(root, depth + 1, seen);
      else return [{ kind: 'unknown', node: decl, reason: 'binding without initializer' }];
      for (const name of p) vals = vals.flatMap((b) => this.member(b, name, decl, depth + 1, seen));
      if (vals.every((v) => v.kind === 'unknown') && decl.initializer)
        return this.resolve(decl.initializer, depth + 1, seen);
      return vals;
    }
    if (ts.isParameter(decl)) {
      const fn = decl.parent;
      const index = fn.parameters.indexOf(decl);
      const elements =
        index === 0 ? (this.iteratedElements(fn, depth, seen) ?? this.settledValue(fn, depth, seen)) : undefined;
      if (elements) return elements;
      return [
        { kind: 'param', fn, index, path: [], node: decl },
        ...this.injected(decl, depth, seen),
        ...this.passedInstances(fn, index, depth, seen),
      ];
    }
    if (ts.isFunctionDeclaration(decl)) {
      if (!decl.body && decl.name) {
        const impl =
          decl.parent && 'statements' in decl.parent
            ? (decl.parent as ts.Block).statements.find(
                (s) => ts.isFunctionDeclaration(s) && s.name?.text === decl.name!.text && s.body,
              )
            : undefined;
        if (impl) return [{ kind: 'function', node: impl as ts.FunctionDeclaration }];
      }
      return [{ kind: 'function', node: decl }];
    }
    if (ts.isFunctionExpression(decl)) return [{ kind: 'function', node: decl }];
    if (ts.isClassDeclaration(decl) || ts.isClassExpression(decl)) return [{ kind: 'class', node: decl }];
    if (ts.isEnumDeclaration(decl)) return [{ kind: 'enum', node: decl }];
    if (ts.isModuleDeclaration(decl)) return [{ kind: 'namespace', node: decl }];
    if (ts.isImportClause(decl)) {
      const spec = (decl.parent.moduleSpecifier as ts.StringLiteral).text;
      return this.importValue(spec, decl.getSourceFile().fileName, 'default', decl, depth, seen);
    }
    if (ts.isImportSpecifier(decl)) {
      const imp = decl.parent.parent.parent;
      const spec = (imp.moduleSpecifier as ts.StringLiteral).text;
      const name = (decl.propertyName ?? decl.name).text;
      return this.importValue(spec, decl.getSourceFile().fileName, name, decl, depth, seen);
    }
    if (ts.isNamespaceImport(decl)) {
      const imp = decl.parent.parent;
      const spec = (imp.moduleSpecifier as ts.StringLiteral).text;
      return this.importValue(spec, decl.getSourceFile().fileName, '*', decl, depth, seen);
    }
    if (ts.isImportEqualsDeclaration(decl)) {
      const ref = decl.moduleReference;
      if (ts.isExternalModuleReference(ref) && ts.isStringLiteralLike(ref.expression)) {
        return this.importValue(ref.expression.text, decl.getSourceFile().fileName, undefined, decl, depth, seen);
      }
    }
    return [{ kind: 'unknown', node: decl, reason: 'declaration' }];
  }

  /**
   * The value of an import. `name` undefined = `require()` (module.exports, else the namespace);
   * '*' = namespace; 'default' = default export (module.exports for CommonJS).
   */
  importValue(
    spec: string,
    fromFile: string,
    name: string | undefined,
    node: ts.Node,
    depth: number,
    seen: Set<ts.Node>,
  ): Value[] {
    const r = this.resolver.resolve(spec, fromFile);
    if (r.kind === 'external') {
      const p = name === undefined || name === '*' || name === 'default' ? [] : [name];
      return [{ kind: 'external', module: r.module, path: p, node, ...(r.outside ? { outside: true } : {}) }];
    }
    if (r.kind === 'missing') return [{ kind: 'unknown', node, reason: `cannot resolve module '${spec}'` }];
    if (name === '*') return [{ kind: 'module', file: r.file }];
    if (name === undefined) {
      const table = this.exportsOf(r.file);
      // `module.exports = { a, b }` and later `module.exports.c = …`: the module's members are both
      if (table?.cjs && !(ts.isObjectLiteralExpression(skipOuter(table.cjs)) && table.named.size > 0))
        return this.resolve(table.cjs, isAlias(table.cjs) ? depth : depth + 1, seen);
      return [{ kind: 'module', file: r.file }];
    }
    return this.exportValue(r.file, name, depth + 1, seen);
  }

  exportsOf(file: string): ExportTable | undefined {
    const cached = this.exportTables.get(file);
    if (cached) return cached;
    const sf = this.store.get(file);
    if (!sf) return undefined;
    const t: ExportTable = { named: new Map(), stars: [] };
    // `const api = module.exports; api.x = …`: members of an alias are exports too
    const aliases = new Set<string>();
    for (const st of sf.statements) {
      if (ts.isVariableStatement(st))
        for (const d of st.declarationList.declarations)
          if (ts.isIdentifier(d.name) && d.initializer && isModuleExports(skipOuter(d.initializer)))
            aliases.add(d.name.text);
    }
    for (const st of sf.statements) {
      // `const app = module.exports = express()`: the module's export is the value the name is given
      if (ts.isVariableStatement(st))
        for (const d of st.declarationList.declarations) {
          const init = d.initializer && skipOuter(d.initializer);
          if (
            init &&
            ts.isBinaryExpression(init) &&
            init.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
            isModuleExports(skipOuter(init.left))
          )
            t.cjs = init.right;
        }
      const mods = ts.canHaveModifiers(st) ? ts.getModifiers(st) : undefined;
      const exported = mods?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      const isDefault = mods?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
      if (exported) {
        if (ts.isVariableStatement(st)) {
          for (const d of st.declarationList.declarations) {
            if (ts.isIdentifier(d.name)) t.named.set(d.name.text, { decl: d });
            else collectBindingExports(d.name, t);
          }
        } else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && (st.name || isDefault)) {
          if (ts.isFunctionDeclaration(st) && !st.body && st.name) continue;
          t.named.set(isDefault ? 'default' : st.name!.text, { decl: st });
          if (isDefault && st.name) t.named.set(st.name.text, t.named.get(st.name.text) ?? { decl: st });
        } else if (ts.isEnumDeclaration(st)) t.named.set(st.name.text, { decl: st });
        else if (ts.isModuleDeclaration(st) && ts.isIdentifier(st.name) && st.body && !t.named.has(st.name.text))
          t.named.set(st.name.text, { decl: st });
      }
      if (ts.isExportAssignment(st)) {
        if (st.isExportEquals) t.cjs = st.expression;
        else t.named.set('default', { expr: st.expression });
      } else if (ts.isExportDeclaration(st)) {
        const spec =
          st.moduleSpecifier && ts.isStringLiteralLike(st.moduleSpecifier) ? st.moduleSpecifier.text : undefined;
        if (!st.exportClause) {
          if (spec) t.stars.push(spec);
        } else if (ts.isNamespaceExport(st.exportClause)) {
          if (spec) t.named.set(st.exportClause.name.text, { reexport: { spec, name: '*' } });
        } else {
          for (const el of st.exportClause.elements) {
            const local = (el.propertyName ?? el.name).text;
            if (spec) t.named.set(el.name.text, { reexport: { spec, name: local } });
            else {
              const decl = lookupName(local, sf.statements[0] ?? sf);
              if (decl) t.named.set(el.name.text, { decl });
            }
          }
        }
      } else if (
        ts.isExpressionStatement(st) &&
        ts.isBinaryExpression(st.expression) &&
        st.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken
      ) {
        const left = st.expression.left;
        const right = st.expression.right;
        // `module.exports = exports` hands on the object the `exports.x = …` lines filled: nothing changes
        const same =
          isModuleExports(skipOuter(right)) ||
          (ts.isIdentifier(skipOuter(right)) &&
            ((skipOuter(right) as ts.Identifier).text === 'exports' ||
              aliases.has((skipOuter(right) as ts.Identifier).text)));
        if (isModuleExports(left)) {
          if (!same) t.cjs = right;
        } else if (
          (ts.isPropertyAccessExpression(left) || ts.isElementAccessExpression(left)) &&
          (isModuleExports(left.expression) ||
            (ts.isIdentifier(left.expression) &&
              (left.expression.text === 'exports' || aliases.has(left.expression.text))))
        ) {
          const n = accessName(left);
          if (n) t.named.set(n, { expr: right });
        }
      }
    }
    this.exportTables.set(file, t);
    return t;
  }

  private readonly quickExports = new Map<string, { names: Set<string>; stars: string[]; opaque: boolean }>();

  /** Export names read from a file's text (no parse). `opaque` when the text cannot be read that way (CommonJS). */
  private exportsFromText(file: string): { names: Set<string>; stars: string[]; opaque: boolean } {
    let hit = this.quickExports.get(file);
    if (hit) return hit;
    const text = this.store.text(file, false) ?? '';
    const names = new Set<string>();
    const stars: string[] = [];
    for (const m of text.matchAll(
      /export\s+(?:declare\s+)?(?:default\s+)?(?:async\s+)?(?:function\*?|const|let|var|class|enum|abstract\s+class|namespace|module)\s+([A-Za-z_$][\w$]*)/g,
    ))
      names.add(m[1]);
    for (const m of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
      for (const part of m[1].split(',')) {
        const as = part.trim().split(/\s+as\s+/);
        const n = (as[1] ?? as[0]).trim();
        if (n) names.add(n);
      }
    }
    for (const m of text.matchAll(/export\s*\*\s*(?:as\s+([A-Za-z_$][\w$]*)\s*)?from\s*['"]([^'"]+)['"]/g)) {
      if (m[1]) names.add(m[1]);
      else stars.push(m[2]);
    }
    hit = { names, stars, opaque: /module\.exports|exports\.[A-Za-z_$]|export\s*=/.test(text) };
    this.quickExports.set(file, hit);
    return hit;
  }

  /**
   * The module file an imported name (or a member of an imported namespace) comes from, found without
   * parsing that module (through barrels by their text). Undefined when it is not a plain import.
   */
  importedFile(expr: ts.Expression): string | undefined {
    let x = skipOuter(expr);
    while (ts.isPropertyAccessExpression(x)) x = skipOuter(x.expression);
    if (!ts.isIdentifier(x)) return undefined;
    const d = findDeclaration(x);
    if (!d || !(ts.isImportSpecifier(d) || ts.isImportClause(d) || ts.isNamespaceImport(d))) return undefined;
    const imp = ts.isImportSpecifier(d) ? d.parent.parent.parent : ts.isNamespaceImport(d) ? d.parent.parent : d.parent;
    const spec = (imp.moduleSpecifier as ts.StringLiteral).text;
    const r = this.resolver.resolve(spec, x.getSourceFile().fileName);
    if (r.kind !== 'file') return undefined;
    if (!ts.isImportSpecifier(d)) return r.file;
    const name = (d.propertyName ?? d.name).text;
    return this.declaringModule(r.file, name, 0) ?? r.file;
  }

  /**
   * Is `expr` a name imported from a project module that is not parsed and declares it itself (no
   * `export … from` in its text)? Decided without parsing.
   */
  importsUnparsed(expr: ts.Expression): boolean {
    const file = this.importedFile(expr);
    return (
      !!file &&
      !this.store.has(file) &&
      !this.textMatches(
        file,
        /export\s*(?:\*|\{[^}]*\}|\*\s*as\s+[\w$]+)\s*from\b|module\.exports|exports\.|export\s*=/,
      )
    );
  }

  /**
   * What a module's `export * from` specifiers resolve to, per list and position: every export looked up
   * through a barrel walks its stars again (a monorepo's package index, asked thousands of times).
   */
  private readonly starTargets = new WeakMap<readonly string[], Resolution[]>();

  private starTarget(stars: readonly string[], i: number, file: string): Resolution {
    let known = this.starTargets.get(stars);
    if (!known) this.starTargets.set(stars, (known = []));
    return (known[i] ??= this.resolver.resolve(stars[i], file));
  }

  private readonly declaringModules = new Map<string, Map<string, string | null>>();

  /** The module that declares export `name` of `file`, through star re-exports (from text; remembered per file and name). */
  private declaringModule(file: string, name: string, depth: number): string | undefined {
    if (depth > 8) return undefined;
    let byName = this.declaringModules.get(file);
    if (!byName) this.declaringModules.set(file, (byName = new Map<string, string | null>()));
    const hit = byName.get(name);
    if (hit !== undefined) return hit ?? undefined;
    const found = this.declaringModuleUncached(file, name, depth);
    byName.set(name, found ?? null);
    return found;
  }

  private declaringModuleUncached(file: string, name: string, depth: number): string | undefined {
    this.budget.step('re-exports');
    const q = this.exportsFromText(file);
    if (q.opaque || q.names.has(name)) return file;
    for (let i = 0; i < q.stars.length; i++) {
      const r = this.starTarget(q.stars, i, file);
      if (r.kind !== 'file') continue;
      const found = this.declaringModule(r.file, name, depth + 1);
      if (found) return found;
    }
    return undefined;
  }

  /** Is a module already parsed? */
  isParsed(file: string): boolean {
    return this.store.has(file);
  }

  private readonly normTexts = new Map<string, string>();

  private readonly termTests = new WeakMap<readonly string[], Map<string, boolean>>();

  /** Does a module's text, lower-cased without `_`/`-`, contain any of the (normalised) terms? No parse; answered once per file and term list. */
  textHasAnyTerm(file: string, terms: readonly string[]): boolean {
    let byFile = this.termTests.get(terms);
    if (!byFile) this.termTests.set(terms, (byFile = new Map<string, boolean>()));
    const hit = byFile.get(file);
    if (hit !== undefined) return hit;
    let t = this.normTexts.get(file);
    if (t === undefined) {
      t = (this.store.text(file, false) ?? '').toLowerCase().replace(/[_-]/g, '');
      this.normTexts.set(file, t);
    }
    const text = t;
    const found = terms.some((term) => text.includes(term));
    byFile.set(file, found);
    return found;
  }

  private readonly textTests = new Map<string, boolean>();

  /** Does a module's text match `re`? Read once, answered from a cache afterwards (no parse). */
  textMatches(file: string, re: RegExp): boolean {
    const key = `${re.source}\0${file}`;
    let hit = this.textTests.get(key);
    if (hit === undefined) {
      const text = this.store.text(file, false);
      hit = text === undefined || re.test(text);
      this.textTests.set(key, hit);
    }
    return hit;
  }

  /** Does a module (or one it star-re-exports) declare `name`? Decided from text where possible. */
  private declaresExport(file: string, name: string, depth: number): boolean {
    if (depth > 8) return true;
    this.budget.step('re-exports');
    const q = this.exportsFromText(file);
    if (q.opaque || q.names.has(name)) return true;
    for (let i = 0; i < q.stars.length; i++) {
      const r = this.starTarget(q.stars, i, file);
      if (r.kind === 'file' && this.declaresExport(r.file, name, depth + 1)) return true;
    }
    return false;
  }

  /** Value of export `name` of a file, following re-exports and CommonJS `module.exports`. */
  exportValue(file: string, name: string, depth = 0, seen: Set<ts.Node> = new Set()): Value[] {
    this.budget.step('value resolution');
    const sf = this.store.get(file);
    if (!sf)
      return [
        {
          kind: 'unknown',
          node: sf ?? ts.factory.createIdentifier(name),
          reason: `cannot read ${path.basename(file)}`,
        },
      ];
    if (depth > MAX_DEPTH) return [{ kind: 'unknown', node: sf, reason: 'resolution too deep' }];
    const t = this.exportsOf(file)!;
    const entry = t.named.get(name);
    if (entry) {
      if (entry.expr) return this.resolve(entry.expr, depth + 1, seen);
      if (entry.decl) {
        const d = entry.decl;
        if (
          ts.isVariableDeclaration(d) ||
          ts.isFunctionDeclaration(d) ||
          ts.isClassDeclaration(d) ||
          ts.isEnumDeclaration(d) ||
          ts.isModuleDeclaration(d) ||
          ts.isBindingElement(d) ||
          ts.isImportSpecifier(d) ||
          ts.isImportClause(d) ||
          ts.isNamespaceImport(d) ||
          ts.isImportEqualsDeclaration(d) ||
          ts.isParameter(d)
        ) {
          return this.resolveDecl(d, depth + 1, seen);
        }
      }
      if (entry.reexport) return this.importValue(entry.reexport.spec, file, entry.reexport.name, sf, depth + 1, seen);
    }
    if (t.cjs) {
      const base = this.resolve(t.cjs, depth + 1, seen);
      if (name === 'default') return base;
      return base.flatMap((b) => this.member(b, name, sf, depth + 1, seen));
    }
    if (name !== 'default') {
      // `export * from 'hono'` in a workspace package: a name no file of the tree declares is a package's
      // (one of them, when the module re-exports several)
      const packages: Value[] = [];
      for (let i = 0; i < t.stars.length; i++) {
        const r = this.starTarget(t.stars, i, file);
        if (r.kind === 'external')
          packages.push({
            kind: 'external',
            module: r.module,
            path: [name],
            node: sf,
            ...(r.outside ? { outside: true } : {}),
          });
        if (r.kind !== 'file') continue;
        // A barrel re-exports many modules: parse only the one that declares the export (found from text).
        if (!this.store.has(r.file) && !this.declaresExport(r.file, name, 0)) continue;
        const vals = this.exportValue(r.file, name, depth + 1, seen);
        // a deeper module's package re-export yields to a later module of the tree that declares the name
        if (vals.length && vals.every((v) => v.kind === 'external' && ts.isSourceFile(v.node))) packages.push(...vals);
        else if (!vals.every((v) => v.kind === 'unknown')) return vals;
      }
      if (packages.length) return packages;
    }
    return [{ kind: 'unknown', node: sf, reason: `no export '${name}' in ${path.basename(file)}` }];
  }

  /** The instance made by a `new` that a method is called on (`x.getRouter()` with `x = new C()`), if any. */
  private instanceOf(e: ts.CallExpression, fn: FunctionNode, depth: number, seen: Set<ts.Node>): Value | undefined {
    const cls = fn.parent;
    const recv = skipOuter(e.expression);
    if (!ts.isMethodDeclaration(fn) || !ts.isClassLike(cls) || !ts.isPropertyAccessExpression(recv)) return undefined;
    return this.resolve(recv.expression, depth, seen).find((v) => v.kind === 'instance' && v.site && v.cls === cls);
  }

  /** The instances a method's `return this` stands for: those it is called on (a subclass's, a `new`'s own). */
  private receiverInstances(
    r: ts.Expression,
    fn: FunctionNode,
    e: ts.CallExpression,
    depth: number,
    seen: Set<ts.Node>,
  ): Value[] {
    const recv = skipOuter(e.expression);
    if (skipOuter(r).kind !== ts.SyntaxKind.ThisKeyword || !ts.isMethodDeclaration(fn)) return [];
    if (!ts.isPropertyAccessExpression(recv)) return [];
    return this.resolve(recv.expression, depth + 1, seen).filter((v) => v.kind === 'instance');
  }

  /** A call made by the class of an instance built by a `new` (`router = Router()`) is made once per `new`. */
  private ofInstance(base: Value | undefined, vals: Value[]): Value[] {
    if (base?.kind !== 'instance' || !base.site) return vals;
    const site = base.site;
    return vals.map((v) => (v.kind === 'call' && !v.site && isInside(v.node, base.cls) ? { ...v, site } : v));
  }

  /** The value of property `name` of `base`. */
  member(base: Value, name: string, node: ts.Node, depth = 0, seen: Set<ts.Node> = new Set()): Value[] {
    // a finder that answers `[record, created]` (Sequelize `findOrCreate`): its first element is the record
    // the call loaded, kept as that call so that what loaded it stays known
    // (and any element of a list a finder answers, `const [from, to] = await Account.findAll(…)`: a record it loaded)
    if (
      base.kind === 'call' &&
      ts.isCallExpression(base.node) &&
      ((name === '0' && !!tupleFinders()?.test(calleeName(base.node))) ||
        (/^\d+$/.test(name) && !!listFinders()?.test(calleeName(base.node))))
    )
      return [base];
    // an element of a rest parameter (`function (...args) { const [router, verb, path] = args }`): the argument
    // at that place after the parameters before it
    if (base.kind === 'param' && !base.path.length && /^\d+$/.test(name)) {
      const rest = base.fn.parameters[base.index];
      if (rest?.dotDotDotToken) return [{ ...base, index: base.index + Number(name), node }];
    }
    switch (base.kind) {
      case 'object':
        return this.objectMember(base.node, name, node, depth, seen);
      case 'module':
        return this.exportValue(base.file, name, depth + 1, seen);
      case 'instance':
      case 'class':
        // `UserController.prototype`: what every instance has (`UserController.prototype.createUser`)
        if (base.kind === 'class' && name === 'prototype') return [{ kind: 'instance', cls: base.node }];
        return this.ofInstance(
          base,
          this.classMember(
            base.kind === 'instance' ? base.cls : base.node,
            name,
            base.kind === 'class',
            node,
            depth,
            seen,
          ),
        );
      case 'external':
        return [{ ...base, path: [...base.path, name], node }];
      case 'param': {
        const own: Value = { ...base, path: [...base.path, name], node };
        const param = base.fn.parameters[base.index];
        // `req.services` / Hono `c.var.services`: what the chain's middleware put on the request
        const decorated =
          base.path.length === 0 || (base.path.length === 1 && base.path[0] === 'var')
            ? this.decoratedValues(param, name, depth, seen)
            : [];
        const given = base.path.length ? undefined : this.provided.get(param)?.get(name);
        // `args.useCases.deleteUser` with `args: { useCases: UserUseCases }`: the class its declared type names
        const typed = this.typedMember(param, [...base.path, name], depth, seen);
        if (!given?.length) return [own, ...decorated, ...typed];
        return [own, ...decorated, ...typed, ...given.flatMap((b) => this.builtBy(b, depth + 1, seen))];
      }
      case 'array': {
        if (name === '*')
          return base.node.elements.flatMap((el) => (ts.isSpreadElement(el) ? [] : this.resolve(el, depth + 1, seen)));
        const i = Number(name);
        if (Number.isInteger(i) && base.node.elements[i]) return this.resolve(base.node.elements[i], depth + 1, seen);
        return [{ kind: 'member', base, name, node }];
      }
      case 'namespace':
        return this.namespaceMember(base, name, node, depth, seen);
      case 'enum': {
        const m = base.node.members.find((mm) => propertyNameText(mm.name) === name);
        if (m?.initializer) return this.resolve(m.initializer, depth + 1, seen);
        return [{ kind: 'literal', value: m ? base.node.members.indexOf(m) : undefined, node }];
      }
      case 'call': {
        // `new Controller(db)` where Controller is a constructor function: its `this.x = …` and `Controller.prototype.x = …`
        if (ts.isNewExpression(base.node)) {
          const fns = base.callee.filter((c): c is Extract<Value, { kind: 'function' }> => c.kind === 'function');
          const assigned = fns.flatMap((f) => constructorAssignments(f.node, name));
          if (assigned.length) return assigned.flatMap((x) => this.resolve(x, depth + 1, seen));
        }
        // `mongoose.model('Invitation', schema)`: the schema's statics (`schema.loadClass(Cls)`, `schema.statics.x = …`)
        if (ts.isCallExpression(base.node)) {
          const statics = schemaMembers(base.node, name, 'statics');
          if (statics.length)
            return statics.flatMap((x) =>
              ts.isClassLike(x)
                ? this.classMember(x, name, true, node, depth + 1, seen)
                : this.resolve(x as ts.Expression, depth + 1, seen),
            );
        }
        // a document of a Mongoose model (`await Wallet.findOne(…)`, `new Wallet(…)`): the schema's methods
        // (`walletSchema.methods.deposit = function …`)
        const model = documentModel(base);
        if (model) {
          const methods = schemaMembers(model, name, 'methods');
          if (methods.length)
            return methods.flatMap((x) =>
              ts.isClassLike(x)
                ? this.classMember(x, name, false, node, depth + 1, seen)
                : this.resolve(x as ts.Expression, depth + 1, seen),
            );
        }
        const handed = this.handedBack(base, name, node, depth, seen);
        if (handed) return handed;
        return [{ kind: 'member', base, name, node }];
      }
      default:
        return [{ kind: 'member', base, name, node }];
    }
  }

  /** An exported member of a namespace (`namespace Api { export const route = … }`; `namespace A.B` nests). */
  private namespaceMember(
    base: Extract<Value, { kind: 'namespace' }>,
    name: string,
    node: ts.Node,
    depth: number,
    seen: Set<ts.Node>,
  ): Value[] {
    const body = base.node.body;
    if (body && ts.isModuleDeclaration(body))
      return body.name.text === name ? [{ kind: 'namespace', node: body }] : [{ kind: 'member', base, name, node }];
    if (!body || !ts.isModuleBlock(body)) return [{ kind: 'member', base, name, node }];
    for (const st of body.statements) {
      const exported =
        ts.canHaveModifiers(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      if (!exported) continue;
      if (ts.isVariableStatement(st)) {
        const d = st.declarationList.declarations.find((x) => ts.isIdentifier(x.name) && x.name.text === name);
        if (d) return this.resolveDecl(d, depth + 1, seen);
      } else if (
        (ts.isFunctionDeclaration(st) ||
          ts.isClassDeclaration(st) ||
          ts.isEnumDeclaration(st) ||
          ts.isModuleDeclaration(st)) &&
        st.name &&
        ts.isIdentifier(st.name) &&
        st.name.text === name
      )
        return this.resolveDecl(st, depth + 1, seen);
    }
    return [{ kind: 'member', base, name, node }];
  }

  private readonly provided = new Map<ts.Node, Map<string, ts.Expression[]>>();

  /**
   * A framework calls `param`'s function with an object whose member `name` is what `builder` (a
   * function) returns: tRPC hands every procedure and middleware `{ ctx }` built by the adapter's
   * `createContext`. The parameter's own value stays among the possibilities. Call before the
   * parameter is first resolved.
   */
  provideMember(param: ts.ParameterDeclaration, name: string, builder: ts.Expression): void {
    addNamed(this.provided, param, name, builder);
    this.exprCache.clear();
  }

  private readonly decorations = new Map<ts.Node, Map<string, ts.Expression[]>>();

  /**
   * Middleware before a handler put `value` on the request object the handler receives as `param`
   * (`req.BaseFunctions = require('./functions')`, Hono `c.set('services', services)`): reading
   * `name` there may be that value. Only code is taken (a module, a function, an object, a class or
   * its instance, a package's export), never data such as the signed-in user a middleware loaded.
   */
  decorate(param: ts.ParameterDeclaration, name: string, value: ts.Expression): void {
    addNamed(this.decorations, param, name, value);
    this.exprCache.clear();
  }

  /**
   * What middleware put on the request under `name`, as written (`c.set('auth', createAuth())`): for a
   * reader that knows the instance it looks for (a library's factory call), which the code-only
   * resolution above leaves out.
   */
  decorationsOf(param: ts.ParameterDeclaration, name: string): readonly ts.Expression[] {
    return this.decorations.get(param)?.get(name) ?? [];
  }

  private decoratedValues(param: ts.ParameterDeclaration, name: string, depth: number, seen: Set<ts.Node>): Value[] {
    const list = this.decorations.get(param)?.get(name);
    if (!list?.length || depth >= MAX_DEPTH - 2) return [];
    // (one value only: a middleware that picks between two (`c.set('stepup', mobile ? noop : check)`)
    // leaves the handler's call unresolved rather than taken for the first)
    const code = list
      .flatMap((x) => this.resolve(x, depth + 1, seen))
      .filter(
        (v) =>
          v.kind === 'module' ||
          v.kind === 'function' ||
          v.kind === 'object' ||
          v.kind === 'class' ||
          v.kind === 'instance' ||
          v.kind === 'namespace' ||
          (v.kind === 'external' && !ts.isCallExpression(v.node)),
      );
    return code.length === 1 ? code : [];
  }

  /** What calling the function `builder` evaluates to returns (its return values). */
  private builtBy(builder: ts.Expression, depth: number, seen: Set<ts.Node>): Value[] {
    if (depth >= MAX_DEPTH - 2) return [];
    const out: Value[] = [];
    for (const f of this.resolve(builder, depth + 1, seen)) {
      if (f.kind !== 'function' || !f.node.body || seen.has(f.node)) continue;
      seen.add(f.node);
      for (const r of returnExpressions(f.node)) out.push(...this.resolve(r, depth + 1, seen));
      seen.delete(f.node);
    }
    return out;
  }

  private readonly injectedCache = new Map<ts.Node, Value[]>();

  /** Each function's assignments to plain names, by name (assignedBefore). */
  private readonly assignmentIndex = new WeakMap<ts.Node, Map<string, ts.BinaryExpression[]>>();

  /** What a function's own assignments before a use give a name declared outside it (see assignedBefore). */
  assignedBefore(id: ts.Identifier, decl: ts.Node | undefined): ts.Expression[] {
    return assignedBefore(id, decl, this.assignmentIndex);
  }

  /**
   * A parameter or field typed with one of the project's classes (`constructor(private users: UserService)`,
   * `(controller: AuthController) => Router`), or with an interface exactly one of its classes
   * implements (`IAuthController`): whatever a dependency-injection container or a wiring function
   * passes, it is an instance of that class. Its methods are then followed like any other; the
   * parameter's own value stays among the possibilities.
   */
  private injected(p: ts.ParameterDeclaration | ts.PropertyDeclaration, depth: number, seen: Set<ts.Node>): Value[] {
    if (!p.type || !ts.isTypeReferenceNode(p.type) || !ts.isIdentifier(p.type.typeName)) return [];
    if (depth >= MAX_DEPTH - 2) return [];
    const hit = this.bindings.size ? undefined : this.injectedCache.get(p);
    if (hit) return hit;
    const truncated = this.truncations;
    const out = this.injectedUncached(p.type.typeName, depth, seen);
    if (!this.bindings.size && this.truncations === truncated) this.injectedCache.set(p, out);
    return out;
  }

  /**
   * A callback's parameter, the callback handed to a project function that calls it with an instance
   * (`handle(c, (service) => service.addPrincipal(…))`, `handle` running `await run(new TeamspaceService(), id)`):
   * the instances that function passes. Only instances: a wrapper passing its own parameters on
   * (`asyncHandler((req, res) => …)`) leaves the callback's parameters as they are.
   */
  private passedInstances(fn: ts.SignatureDeclaration, index: number, depth: number, seen: Set<ts.Node>): Value[] {
    if (!(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) || depth >= MAX_DEPTH - 3) return [];
    const call = fn.parent;
    // (a project function called by name, or one a call returns: a router's, an array's or a promise's
    // method hands its own values)
    const callee = call && ts.isCallExpression(call) ? skipOuter(call.expression) : undefined;
    if (!callee || !ts.isCallExpression(call) || !(ts.isIdentifier(callee) || ts.isCallExpression(callee))) return [];
    if (fn.parameters[index]?.type) return [];
    const k = call.arguments.indexOf(fn);
    if (k < 0) return [];
    const out: Value[] = [];
    for (const g of this.resolve(call.expression, depth + 1, seen)) {
      if (g.kind !== 'function' || !g.node.body || seen.has(g.node)) continue;
      const p = g.node.parameters[k];
      if (!p || !ts.isIdentifier(p.name)) continue;
      for (const inner of this.callsOfParameter(g.node, p)) {
        const a = inner.arguments[index];
        if (!a || ts.isSpreadElement(a)) continue;
        out.push(...this.resolve(a, depth + 1, seen).filter((v) => v.kind === 'instance'));
      }
    }
    return out;
  }

  private readonly parameterCalls = new Map<ts.ParameterDeclaration, ts.CallExpression[]>();

  /** The calls of a function's parameter in its own body (`run(…)`, `await run(…)`). */
  callsOfParameter(fn: FunctionNode, p: ts.ParameterDeclaration): ts.CallExpression[] {
    const hit = this.parameterCalls.get(p);
    if (hit) return hit;
    const name = (p.name as ts.Identifier).text;
    const out: ts.CallExpression[] = [];
    if (fn.body)
      forEachNode(fn.body, (n) => {
        if (!ts.isCallExpression(n)) return;
        const callee = skipOuter(n.expression);
        if (ts.isIdentifier(callee) && callee.text === name && findDeclaration(callee) === p) out.push(n);
      });
    this.parameterCalls.set(p, out);
    return out;
  }

  /** A type annotation naming a package's export (`PrismaClient` from `@prisma/client`): that export. */
  private declaredPackageType(type: ts.TypeNode | undefined, depth: number, seen: Set<ts.Node>): Value[] {
    if (!type || !ts.isTypeReferenceNode(type) || !ts.isIdentifier(type.typeName) || depth >= MAX_DEPTH - 2) return [];
    return this.resolve(type.typeName, depth + 1, seen).filter((v) => v.kind === 'external' && !v.outside);
  }

  /**
   * A member of a parameter whose declared type says what it holds (`args: { useCases: UserUseCases }` with
   * `interface UserUseCases { deleteUser: DeleteUserUseCase }`, `deps: { users: UserRepository }`): an instance
   * of the class the member's type names, or of the one class implementing the interface it names. A
   * dependency-injection wiring hands the routes and use cases exactly that.
   */
  private typedMember(
    param: ts.ParameterDeclaration | undefined,
    path: readonly string[],
    depth: number,
    seen: Set<ts.Node>,
  ): Value[] {
    if (!param?.type || depth >= MAX_DEPTH - 2) return [];
    let byPath = this.typedMembers.get(param);
    if (!byPath) this.typedMembers.set(param, (byPath = new Map<string, ts.TypeNode | null>()));
    const key = path.join('.');
    let type = byPath.get(key);
    if (type === undefined) {
      let t: ts.TypeNode | undefined = param.type;
      for (const name of path) t = t && this.memberType(t, name, 0);
      type = t ?? null;
      byPath.set(key, type);
    }
    if (!type) return [];
    const named = classTypeName(type);
    // (a package's client, `deps: { prisma: PrismaClient }`: that package's export, as a declared field would be;
    // a name imported as a type only, `import type { AnyRouter }`, describes a value and is none)
    const decl = named && findDeclaration(named);
    const typeOnly = !!decl && ts.isImportSpecifier(decl) && (decl.isTypeOnly || decl.parent.parent.isTypeOnly);
    return named
      ? [...this.injectedUncached(named, depth, seen), ...(typeOnly ? [] : this.declaredPackageType(type, depth, seen))]
      : [];
  }

  /** The declared type each member path of a typed parameter reaches (null: none). */
  private readonly typedMembers = new Map<ts.ParameterDeclaration, Map<string, ts.TypeNode | null>>();

  /** The declared type of member `name` of a type: a type literal's, an interface's or an alias's property. */
  private memberType(type: ts.TypeNode | undefined, name: string, hops: number): ts.TypeNode | undefined {
    if (!type || hops > 4) return undefined;
    const own = (members: ts.NodeArray<ts.TypeElement>): ts.TypeNode | undefined =>
      members.find((m): m is ts.PropertySignature => ts.isPropertySignature(m) && propertyNameText(m.name) === name)
        ?.type;
    if (ts.isTypeLiteralNode(type)) return own(type.members);
    if (ts.isIntersectionTypeNode(type) || ts.isUnionTypeNode(type)) {
      for (const t of type.types) {
        const hit = this.memberType(t, name, hops + 1);
        if (hit) return hit;
      }
      return undefined;
    }
    if (!ts.isTypeReferenceNode(type) || !ts.isIdentifier(type.typeName)) return undefined;
    // (`Readonly<Deps>`, `Pick<Deps, 'users'>`: the members of the type they wrap)
    if (WRAPPING_TYPES.test(type.typeName.text)) return this.memberType(type.typeArguments?.[0], name, hops + 1);
    const d = this.typeDeclaration(type.typeName);
    if (!d) return undefined;
    if (ts.isTypeAliasDeclaration(d)) return this.memberType(d.type, name, hops + 1);
    return own(d.members);
  }

  /** An interface or a type alias the project declares under this name: in the file, or in the module it is imported from. */
  private typeDeclaration(id: ts.Identifier): ts.InterfaceDeclaration | ts.TypeAliasDeclaration | undefined {
    const inFile = (sf: ts.SourceFile | undefined, name: string) =>
      sf?.statements.find(
        (st): st is ts.InterfaceDeclaration | ts.TypeAliasDeclaration =>
          (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) && st.name.text === name,
      );
    const here = inFile(id.getSourceFile(), id.text);
    if (here) return here;
    const d = findDeclaration(id);
    if (!d || !ts.isImportSpecifier(d)) return undefined;
    const file = this.importedFile(id);
    return file ? inFile(this.store.get(file), (d.propertyName ?? d.name).text) : undefined;
  }

  private injectedUncached(name: ts.Identifier, depth: number, seen: Set<ts.Node>): Value[] {
    const classes = this.resolve(name, depth + 1, seen).flatMap((v) => (v.kind === 'class' ? [v.node] : []));
    if (!classes.length) {
      const impl = implementingClasses(this.session, this.store, name.text);
      // (several: the one that is not a test double, `InMemoryUserRepository` or a class under `tests/`)
      const served = impl.length > 1 ? impl.filter((c) => !testDouble(c, commonFolder(impl))) : impl;
      if (served.length === 1) classes.push(served[0]);
    }
    return classes.map((cls) => ({ kind: 'instance' as const, cls }));
  }

  /**
   * A call the analysis cannot look into (a package's `injectArguments({ saveUser, deleteUser }, { db })`,
   * `bindAll(…)`, `Object.freeze(…)`) given an object of the project's functions: what it returns is read
   * as handing those functions back under the same keys. Only a function value is taken, so a key the
   * object does not hold, or holds as data, stays unknown.
   */
  private handedBack(
    base: Extract<Value, { kind: 'call' }>,
    name: string,
    node: ts.Node,
    depth: number,
    seen: Set<ts.Node>,
  ): Value[] | undefined {
    if (!ts.isCallExpression(base.node) || base.callee.some((c) => c.kind === 'function' && c.node.body))
      return undefined;
    for (const arg of base.node.arguments) {
      // an object literal, or a name that may hold one (calls, functions and literals cannot)
      const a = skipOuter(arg);
      // an instance made in place (`attachInterface(new AppConfig())`): the augmented instance keeps its class's members
      if (ts.isNewExpression(a) && base.node.arguments.length === 1) {
        const got = this.resolve(a, depth + 1, seen).flatMap((v) =>
          v.kind === 'instance' ? this.classMember(v.cls, name, false, node, depth + 1, seen) : [],
        );
        if (got.length && got.some((v) => v.kind !== 'unknown')) return got;
        continue;
      }
      if (!ts.isObjectLiteralExpression(a) && !(ts.isIdentifier(a) && this.mayNameObject(a, depth))) continue;
      for (const o of this.resolve(a, depth + 1, seen)) {
        if (o.kind !== 'object') continue;
        const got = this.objectMember(o.node, name, node, depth + 1, seen).filter((v) => v.kind === 'function');
        if (got.length) return got;
      }
    }
    return undefined;
  }

  /**
   * Whether a name handed to an unseen call may hold an object literal: a local made by a call or a
   * function cannot (a router built by a chain, `const scoped = new Hono().route(…)`); an imported name
   * is followed only while the walk is shallow, so a chain of mounted routers (each `.route(prefix, sub)`
   * an unseen call given a name) never spends the depth its registrations need.
   */
  private mayNameObject(id: ts.Identifier, depth: number): boolean {
    const d = findDeclaration(id);
    if (!d) return false;
    if (ts.isVariableDeclaration(d)) {
      const init = d.initializer && skipOuter(d.initializer);
      return (
        !!init && (ts.isObjectLiteralExpression(init) || ts.isIdentifier(init) || ts.isPropertyAccessExpression(init))
      );
    }
    if (ts.isParameter(d) || ts.isBindingElement(d)) return true;
    return depth < MAX_DEPTH / 2;
  }

  private objectMember(
    obj: ts.ObjectLiteralExpression,
    name: string,
    node: ts.Node,
    depth: number,
    seen: Set<ts.Node>,
  ): Value[] {
    for (let i = obj.properties.length - 1; i >= 0; i--) {
      const p = obj.properties[i];
      if (ts.isSpreadAssignment(p)) {
        // A spread may or may not carry the key: only a value it is known to hold overrides earlier properties.
        const inner = this.resolve(p.expression, depth + 1, seen).flatMap((b) =>
          this.member(b, name, node, depth + 1, seen),
        );
        if (
          inner.some((v) => v.kind !== 'unknown' && v.kind !== 'member' && v.kind !== 'param' && v.kind !== 'external')
        )
          return inner;
        continue;
      }
      if (!p.name || propertyNameText(p.name) !== name) continue;
      // `{ app: undefined, init() { this.app = express() } }`: an empty start, given its value by the object's methods
      if (ts.isPropertyAssignment(p) && isNullish(p.initializer)) {
        const later = thisAssignments(obj, name);
        if (later.length) return later.flatMap((x) => this.resolve(x, depth + 1, seen));
      }
      if (ts.isPropertyAssignment(p)) return this.resolve(p.initializer, depth + 1, seen);
      if (ts.isShorthandPropertyAssignment(p)) return this.resolve(p, depth + 1, seen);
      if (ts.isMethodDeclaration(p)) return [{ kind: 'function', node: p }];
      return [{ kind: 'unknown', node: p, reason: 'accessor' }];
    }
    // `const exp = {}; exp.list = function …`: members assigned to the variable holding the object
    const added = [...addedMembers(obj, name), ...thisAssignments(obj, name)];
    if (added.length) return added.flatMap((x) => this.resolve(x, depth + 1, seen));
    return [{ kind: 'unknown', node, reason: `no property '${name}'` }];
  }

  private classMember(
    cls: ts.ClassLikeDeclaration,
    name: string,
    isStatic: boolean,
    node: ts.Node,
    depth: number,
    seen: Set<ts.Node>,
    superArgs?: readonly ts.Expression[],
    /** The subclass the member is read for, when `cls` is one of its base classes. */
    concrete?: ts.ClassLikeDeclaration,
  ): Value[] {
    for (const m of cls.members) {
      if (!m.name || propertyNameText(m.name) !== name) continue;
      const st = ts.canHaveModifiers(m) && ts.getModifiers(m)?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword);
      if (Boolean(st) !== isStatic) continue;
      if (ts.isMethodDeclaration(m) && m.body) return [{ kind: 'function', node: m }];
      // `static get prisma(): PrismaClient { return this.server?.prisma; }`: what the getter returns,
      // and the package's type it declares (what it returns is often a global the analysis cannot follow)
      if (ts.isGetAccessor(m) && m.body)
        return [
          ...returnExpressions(m).flatMap((r) => this.resolve(r, depth + 1, seen)),
          ...this.declaredPackageType(m.type, depth, seen),
        ];
      if (ts.isPropertyDeclaration(m)) {
        // `app = undefined;` then `this.app = express()` in a method: the field takes every value it is given
        const sources = [
          ...(m.initializer && !isNullish(m.initializer) ? [m.initializer] : []),
          ...memberAssignments(cls, name, isStatic, this.session.get(MEMBER_WRITES)),
        ];
        // `private users: IUsersRepository;` set from the constructor's arguments: the declared class too
        const typed = this.injected(m, depth, seen);
        if (sources.length)
          return [
            ...this.assignedValues(cls, sources, depth, seen, superArgs, isStatic ? undefined : concrete),
            ...typed,
          ];
        if (m.initializer) return this.resolve(m.initializer, depth + 1, seen);
        if (typed.length) return typed;
        break;
      }
    }
    // `this.x = expr` in the constructor (else in other methods: `this.app = express()` in `init()`),
    // `Cls.x = expr` for a static (`Cls.instance = new Cls()` in `getInstance()`), or a parameter property
    const assigned = memberAssignments(cls, name, isStatic, this.session.get(MEMBER_WRITES));
    if (assigned.length)
      return this.assignedValues(cls, assigned, depth, seen, superArgs, isStatic ? undefined : concrete);
    const ctor = cls.members.find(ts.isConstructorDeclaration);
    if (ctor) {
      const p = ctor.parameters.find(
        (pp) => ts.isIdentifier(pp.name) && pp.name.text === name && ts.getModifiers(pp)?.length,
      );
      // a subclass's `super(logger, UserModel)` gives an inherited parameter property its value
      const given = p && (this.bindings.get(p) ?? superArgs?.[ctor.parameters.indexOf(p)]);
      if (given) return this.resolve(given, depth + 1, seen);
      if (p)
        return [
          { kind: 'param', fn: ctor, index: ctor.parameters.indexOf(p), path: [], node: p },
          ...this.injected(p, depth, seen),
        ];
    }
    const heritage = cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
    if (heritage && depth < MAX_DEPTH) {
      for (const b of this.resolve(heritage.expression, depth + 1, seen)) {
        if (b.kind === 'class') {
          // (the base's constructor is given this class's `super(…)` arguments, which may read this class's own
          // constructor parameters: those take what this class was given, level by level)
          const inherited = this.withCtorArgs(cls, superArgs, () =>
            this.classMember(b.node, name, isStatic, node, depth + 1, seen, superCall(cls, superArgs), concrete ?? cls),
          );
          if (!inherited.every((v) => v.kind === 'unknown')) return inherited;
        } else if (b.kind === 'external') return [{ ...b, path: [...b.path, name], node }];
      }
    }
    return [{ kind: 'unknown', node, reason: `no member '${name}'` }];
  }
}

/**
 * The arguments a class hands its base class's constructor: those of its constructor's `super(…)`
 * call; a class without a constructor passes on what it was given (`inherited`).
 */
function superCall(
  cls: ts.ClassLikeDeclaration,
  inherited?: readonly ts.Expression[],
): readonly ts.Expression[] | undefined {
  const ctor = cls.members.find(ts.isConstructorDeclaration);
  if (!ctor?.body) return ctor ? undefined : inherited;
  for (const st of ctor.body.statements) {
    const e = ts.isExpressionStatement(st) ? skipOuter(st.expression) : undefined;
    if (e && ts.isCallExpression(e) && e.expression.kind === ts.SyntaxKind.SuperKeyword) return e.arguments;
  }
  return undefined;
}

const IMPLEMENTS = memo('values.implements', () => ({ index: undefined as Map<string, string[]> | undefined }));

/**
 * The values that may reach a use of a name declared outside the function it is used in, or not at all, from the
 * function's own assignments before the use (`query = \`UPDATE users SET balance = ?\`; return await run(query)`):
 * the last one, and those before it while the later ones sit in a branch (`if (f === 'email') query = 'A'; else
 * query = 'B'`: both). Empty when the function assigns none.
 */
function assignedBefore(
  id: ts.Identifier,
  decl: ts.Node | undefined,
  index: WeakMap<ts.Node, Map<string, ts.BinaryExpression[]>>,
): ts.Expression[] {
  const fn = ts.findAncestor(id.parent, ts.isFunctionLike);
  const body = fn && 'body' in fn ? fn.body : undefined;
  if (!body) return [];
  // (a local of the function itself is resolved as declared: only a name from outside it is set here)
  if (decl && decl.pos >= body.pos && decl.end <= body.end) return [];
  // (the function's assignments to plain names, indexed once per function: a bundle reads thousands of names)
  let byName = index.get(body);
  if (!byName) {
    const found = new Map<string, ts.BinaryExpression[]>();
    const visit = (n: ts.Node): void => {
      if (n !== body && ts.isFunctionLike(n)) return;
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(n.left)) {
        const list = found.get(n.left.text);
        if (list) list.push(n);
        else found.set(n.left.text, [n]);
      }
      ts.forEachChild(n, visit);
    };
    visit(body);
    index.set(body, (byName = found));
  }
  const before = (byName.get(id.text) ?? []).filter(
    (n) =>
      n.end <= id.pos &&
      (decl ? findDeclaration(n.left as ts.Identifier) === decl : !findDeclaration(n.left as ts.Identifier)),
  );
  // (from the last back: an assignment every path runs, a statement of the body's own list or of a block the use
  // shares, settles what the ones before it set)
  const out: ts.Expression[] = [];
  for (const a of before.reverse()) {
    out.push(a.right);
    if (unconditional(a, id, body)) break;
  }
  return out;
}

/** Does every path to `use` run the assignment: its statement sits in a block that also holds the use? */
function unconditional(a: ts.BinaryExpression, use: ts.Node, body: ts.Node): boolean {
  const stmt = a.parent;
  if (!stmt || !ts.isExpressionStatement(stmt)) return false;
  const block = stmt.parent;
  if (!block || !(ts.isBlock(block) || ts.isSourceFile(block))) return false;
  return block === body || (use.pos >= block.pos && use.end <= block.end);
}

/** The folder the classes' files share (`/repo/src/`), with its trailing slash. */
function commonFolder(classes: readonly ts.ClassLikeDeclaration[]): string {
  const files = classes.map((c) => c.getSourceFile().fileName.replace(/\\/g, '/'));
  let prefix = files[0] ?? '';
  for (const f of files) while (!f.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix.slice(0, prefix.lastIndexOf('/') + 1);
}

/** The test-double patterns of rules frameworks.dependencyInjection, compiled once. */
const testDoubles = compiled(() => {
  const di = ruleFile('frameworks').dependencyInjection;
  return {
    names: di.testDoubleNames ? new RegExp(di.testDoubleNames) : undefined,
    paths: di.testDoublePaths ? new RegExp(di.testDoublePaths) : undefined,
  };
});

/** A class named or kept as a test double (rules frameworks.dependencyInjection.testDoubleNames / testDoublePaths). */
function testDouble(cls: ts.ClassLikeDeclaration, below: string): boolean {
  const { names, paths } = testDoubles();
  // (the folders below the one the implementations share: where the project keeps its tests, whatever holds it)
  const file = cls.getSourceFile().fileName.replace(/\\/g, '/').slice(below.length);
  return !!names?.test(cls.name?.text ?? '') || !!paths?.test(file);
}

/** Types whose members are those of their first type argument (`Pick<UseCase, 'execute'>`). */
const WRAPPING_TYPES = /^(Pick|Omit|Readonly|Partial|Required|NonNullable)$/;

/** The class or interface name a member's declared type gives (`DeleteUserUseCase`, `Pick<RenameUserUseCase, 'execute'>`). */
function classTypeName(type: ts.TypeNode): ts.Identifier | undefined {
  if (!ts.isTypeReferenceNode(type) || !ts.isIdentifier(type.typeName)) return undefined;
  if (WRAPPING_TYPES.test(type.typeName.text)) {
    const inner = type.typeArguments?.[0];
    return inner ? classTypeName(inner) : undefined;
  }
  return type.typeName;
}

/**
 * The project's classes that declare `implements <name>`, found once per scan from the sources' text
 * (a file is parsed only when it declares one for the interface asked about).
 */
function implementingClasses(session: ScanSession, store: SourceStore, name: string): ts.ClassLikeDeclaration[] {
  const slot = session.get(IMPLEMENTS);
  if (!slot.index) {
    const index = new Map<string, string[]>();
    const re = /\bclass\s+\w+[^{]*?\bimplements\s+([\w\s,.<>]+?)\s*\{/g;
    for (const file of [...store.known].sort()) {
      const text = store.text(file, false);
      if (!text || !text.includes('implements')) continue;
      for (const m of text.matchAll(re))
        for (const iface of m[1].split(',').map((x) => x.trim().replace(/<.*$/, '').split('.').pop() ?? '')) {
          const files = index.get(iface) ?? [];
          if (iface && !files.includes(file)) index.set(iface, [...files, file]);
        }
    }
    slot.index = index;
  }
  const out: ts.ClassLikeDeclaration[] = [];
  for (const file of slot.index.get(name) ?? []) {
    for (const c of store.get(file)?.statements.filter(ts.isClassDeclaration) ?? []) {
      const impl = c.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ImplementsKeyword);
      if (impl?.types.some((t) => ts.isIdentifier(t.expression) && t.expression.text === name)) out.push(c);
    }
  }
  return out;
}

function isModuleExports(e: ts.Expression): boolean {
  return (
    ts.isPropertyAccessExpression(e) &&
    ts.isIdentifier(e.expression) &&
    e.expression.text === 'module' &&
    e.name.text === 'exports'
  );
}

function collectBindingExports(name: ts.BindingName, t: ExportTable): void {
  if (ts.isIdentifier(name)) return;
  for (const el of name.elements) {
    if (!ts.isBindingElement(el)) continue;
    if (ts.isIdentifier(el.name)) t.named.set(el.name.text, { decl: el });
    else collectBindingExports(el.name, t);
  }
}

/** Is `n` the `container` node or inside it? */
export function isInside(n: ts.Node, container: ts.Node): boolean {
  let cur: ts.Node | undefined = n;
  while (cur) {
    if (cur === container) return true;
    cur = cur.parent;
  }
  return false;
}

/** Is `node` (a `this`) inside a static method or property of its class, arrows looked through? */
function inStaticMember(node: ts.Node): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (ts.isArrowFunction(p)) continue;
    if (ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p))
      return !!ts.getModifiers(p)?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
    if (ts.isClassStaticBlockDeclaration(p)) return true;
    if (ts.isFunctionLike(p) || ts.isClassLike(p)) return false;
  }
  return false;
}

/** Adds `value` once to what `owner` has under `name`. */
function addNamed(
  map: Map<ts.Node, Map<string, ts.Expression[]>>,
  owner: ts.Node,
  name: string,
  value: ts.Expression,
): void {
  let m = map.get(owner);
  if (!m) map.set(owner, (m = new Map<string, ts.Expression[]>()));
  const list = m.get(name) ?? [];
  if (!list.includes(value)) list.push(value);
  m.set(name, list);
}

/**
 * The object a `this` stands for when it is read in a method of an object kept as a module's value
 * (`const userService = { … }`, `export default { … }`, `module.exports = { … }`): called as
 * `userService.setPwd()`, its `this` is that object. An object handed to a call (a schema's
 * `methods`, a framework's options) is not one: the callee decides what `this` is there.
 */
function serviceObjectOf(node: ts.Node, copied: WeakMap<ts.Node, boolean>): ts.ObjectLiteralExpression | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (ts.isArrowFunction(p)) continue;
    let obj: ts.Node | undefined;
    if (ts.isMethodDeclaration(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p)) obj = p.parent;
    else if (ts.isFunctionExpression(p) && p.parent && ts.isPropertyAssignment(p.parent)) obj = p.parent.parent;
    else if (ts.isFunctionLike(p) || ts.isClassLike(p)) return undefined;
    else continue;
    if (!obj || !ts.isObjectLiteralExpression(obj)) return undefined;
    const holder = obj.parent;
    // an object whose methods are copied into another (`{ ...userService, checkPassword: … }`,
    // `Object.create(userService)`) has a `this` that may be the copy, with members overridden
    if (ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name)) {
      let c = copied.get(obj);
      if (c === undefined) copied.set(obj, (c = copiedElsewhere(holder.name.text, obj)));
      if (c) return undefined;
    }
    const kept =
      (ts.isVariableDeclaration(holder) && holder.initializer === obj) ||
      ts.isExportAssignment(holder) ||
      (ts.isBinaryExpression(holder) &&
        holder.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        holder.right === obj &&
        /^(module\.)?exports$/.test(holder.left.getText()));
    return kept ? obj : undefined;
  }
  return undefined;
}

/**
 * `this.name = …` in the object's own methods (a method, or a `function` property; an arrow inside keeps the
 * method's `this`, a nested `function` has its own): what a service object's member is given once it runs.
 */
function thisAssignments(obj: ts.ObjectLiteralExpression, name: string): ts.Expression[] {
  const out: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(n.left) &&
      n.left.name.text === name &&
      skipOuter(n.left.expression).kind === ts.SyntaxKind.ThisKeyword &&
      !isNullish(n.right)
    )
      out.push(n.right);
    if (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isClassLike(n)) return;
    ts.forEachChild(n, visit);
  };
  for (const p of obj.properties) {
    const fn = ts.isMethodDeclaration(p)
      ? p
      : ts.isPropertyAssignment(p) && ts.isFunctionExpression(skipOuter(p.initializer))
        ? (skipOuter(p.initializer) as ts.FunctionExpression)
        : undefined;
    if (fn?.body) ts.forEachChild(fn.body, visit);
  }
  return out;
}

/** Whether a module-level object is copied into another in its module (asked once per object and scan). */
const COPIED = memo('values.copiedObjects', () => new WeakMap<ts.Node, boolean>());

/** Is the object named `name` spread into, or used as the prototype of, another object in its own module? */
function copiedElsewhere(name: string, obj: ts.Node): boolean {
  const n = name.replace(/[$]/g, '\\$');
  return new RegExp(
    `\\.\\.\\.\\s*${n}\\b|Object\\.(create|assign|setPrototypeOf)\\([^)]*\\b${n}\\b|__proto__\\s*:\\s*${n}\\b`,
  ).test(obj.getSourceFile().text);
}

export function enclosingClass(node: ts.Node): ts.ClassLikeDeclaration | undefined {
  let n: ts.Node | undefined = node.parent;
  while (n) {
    if (ts.isClassLike(n)) return n;
    // `this` inside a non-arrow function (not a class member) is not the class instance
    if ((ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n)) && !ts.isClassLike(n.parent)) return undefined;
    n = n.parent;
  }
  return undefined;
}

/**
 * Values assigned to a class member: `this.name = …` in the constructor (any depth, arrows included),
 * else in the other methods of the same kind; for statics also `Cls.name = …` anywhere in the file.
 */
/** One assignment to a member of a class, found where the class's `this` or its name is assigned to. */
interface MemberWrite {
  value: ts.Expression;
  /** `this.x =` in the constructor, `this.x =` in an instance member, `this.x =` in a static member, `Cls.x =` anywhere. */
  where: 'ctor' | 'instance' | 'static' | 'class';
}

const MEMBER_WRITES = memo(
  'values.memberWrites',
  () => new WeakMap<ts.ClassLikeDeclaration, Map<string, MemberWrite[]>>(),
);

/**
 * Every `this.name = …` and `Cls.name = …` of a class, by member name, in source order: the class
 * (and for statics its file's top-level statements) is walked once for all its members.
 */
function memberWritesOf(
  cls: ts.ClassLikeDeclaration,
  index: WeakMap<ts.ClassLikeDeclaration, Map<string, MemberWrite[]>>,
): Map<string, MemberWrite[]> {
  const hit = index.get(cls);
  if (hit) return hit;
  const clsName = cls.name?.text;
  const byName = new Map<string, MemberWrite[]>();
  const add = (name: string, w: MemberWrite): void => {
    const list = byName.get(name);
    if (list) list.push(w);
    else byName.set(name, [w]);
  };
  const fromBody = (body: ts.Node | undefined, thisKind: MemberWrite['where'] | undefined): void => {
    if (!body) return;
    const visit = (n: ts.Node, inThis: boolean): void => {
      if (
        ts.isBinaryExpression(n) &&
        n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        (ts.isPropertyAccessExpression(n.left) || ts.isElementAccessExpression(n.left))
      ) {
        const name = accessName(n.left);
        if (name !== undefined) {
          const target = skipOuter(n.left.expression);
          if (inThis && thisKind && target.kind === ts.SyntaxKind.ThisKeyword)
            add(name, { value: n.right, where: thisKind });
          // (the constructor's `Cls.x =` is not read for statics, as before the index)
          else if (clsName && thisKind !== 'ctor' && ts.isIdentifier(target) && target.text === clsName)
            add(name, { value: n.right, where: 'class' });
        }
      }
      // a nested `function` has its own `this`; an arrow keeps the method's
      const own = ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isClassLike(n);
      ts.forEachChild(n, (c) => visit(c, inThis && !own));
    };
    visit(body, true);
  };
  const ctor = cls.members.find(ts.isConstructorDeclaration);
  fromBody(ctor?.body, 'ctor');
  for (const m of cls.members) {
    if (
      m === ctor ||
      !(ts.isMethodDeclaration(m) || ts.isGetAccessor(m) || ts.isSetAccessor(m) || ts.isPropertyDeclaration(m))
    )
      continue;
    const st = !!ts.getModifiers(m)?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword);
    fromBody(ts.isPropertyDeclaration(m) ? m.initializer : m.body, st ? 'static' : 'instance');
  }
  if (clsName) {
    for (const st of cls.getSourceFile().statements) {
      if (st !== cls && ts.isExpressionStatement(st)) fromBody(st, undefined);
    }
  }
  index.set(cls, byName);
  return byName;
}

/**
 * The values assigned to a member outside its declaration: for an instance member, `this.name = …`
 * in the constructor (else in the other instance members); for a static, `this.name = …` in static
 * members and `Cls.name = …` in the class's members and its file's top-level statements.
 */
function memberAssignments(
  cls: ts.ClassLikeDeclaration,
  name: string,
  isStatic: boolean,
  index: WeakMap<ts.ClassLikeDeclaration, Map<string, MemberWrite[]>>,
): ts.Expression[] {
  const writes = memberWritesOf(cls, index).get(name) ?? [];
  if (!isStatic) {
    // `this.client = null` in the constructor and `this.client = knex(…)` in `connect()`: an empty start is no value
    const inCtor = writes.filter((w) => w.where === 'ctor' && !isNullish(w.value));
    return (inCtor.length ? inCtor : writes.filter((w) => w.where === 'instance')).map((w) => w.value);
  }
  return writes.filter((w) => w.where === 'static' || w.where === 'class').map((w) => w.value);
}

/** `this.name = …` in a constructor function's body (not in nested functions), and `F.prototype.name = …` in its file. */
function constructorAssignments(fn: FunctionNode, name: string): ts.Expression[] {
  const out: ts.Expression[] = [];
  const fnName =
    (ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn)) && fn.name
      ? fn.name.text
      : ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)
        ? fn.parent.name.text
        : undefined;
  const visit = (n: ts.Node, inThis: boolean): void => {
    if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      (ts.isPropertyAccessExpression(n.left) || ts.isElementAccessExpression(n.left)) &&
      accessName(n.left) === name
    ) {
      const target = skipOuter(n.left.expression);
      if (inThis && target.kind === ts.SyntaxKind.ThisKeyword) out.push(n.right);
      else if (
        fnName &&
        ts.isPropertyAccessExpression(target) &&
        target.name.text === 'prototype' &&
        ts.isIdentifier(target.expression) &&
        target.expression.text === fnName
      )
        out.push(n.right);
    }
    const own = n !== fn && (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isClassLike(n));
    ts.forEachChild(n, (c) => visit(c, inThis && !own));
  };
  if (fn.body) visit(fn.body, true);
  if (fnName && !ts.isArrowFunction(fn))
    for (const st of fn.getSourceFile().statements) if (ts.isExpressionStatement(st)) visit(st, false);
  return out;
}

/** Members assigned after the fact to the variable an object literal initialises (`exp.x = …`). */
function addedMembers(obj: ts.ObjectLiteralExpression, name: string): ts.Expression[] {
  const decl = skipParents(obj);
  if (!decl || !ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name)) return [];
  const scope = decl.parent?.parent?.parent;
  if (!scope) return [];
  const varName = decl.name.text;
  const out: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      (ts.isPropertyAccessExpression(n.left) || ts.isElementAccessExpression(n.left)) &&
      accessName(n.left) === name
    ) {
      const target = skipOuter(n.left.expression);
      if (ts.isIdentifier(target) && target.text === varName && findDeclaration(target) === decl) out.push(n.right);
    }
    ts.forEachChild(n, visit);
  };
  visit(scope);
  return out;
}

function skipParents(e: ts.Expression): ts.Node | undefined {
  let n: ts.Node = e;
  while (
    n.parent &&
    (ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isSatisfiesExpression(n.parent))
  )
    n = n.parent;
  return n.parent;
}

/** `let` and `var` declarations can be assigned again (a `const` cannot). */
function reassignable(decl: ts.VariableDeclaration): boolean {
  const list = decl.parent;
  return (
    ts.isIdentifier(decl.name) &&
    ts.isVariableDeclarationList(list) &&
    !(list.flags & ts.NodeFlags.Const) &&
    !(ts.isForOfStatement(list.parent) || ts.isForInStatement(list.parent))
  );
}

/** `null` or `undefined`, written as such. */
export function isNullish(e: ts.Expression): boolean {
  const x = skipOuter(e);
  return x.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(x) && x.text === 'undefined');
}

/** Plain assignments (`x = value`) in a scope, by the assigned name, in source order: indexed once per scope. */
const ASSIGNMENTS = memo('values.assignments', () => new WeakMap<ts.Node, Map<string, ts.BinaryExpression[]>>());

/**
 * Every `x = value` (plain assignment) to this variable in its scope, in source order. The scope is
 * walked once for all its variables (a bundle's one function scope holds thousands), without recursion.
 */
function assignmentsOf(
  decl: ts.VariableDeclaration,
  index: WeakMap<ts.Node, Map<string, ts.BinaryExpression[]>>,
): ts.Expression[] {
  const name = (decl.name as ts.Identifier).text;
  let scope: ts.Node | undefined = decl.parent?.parent?.parent;
  // `var` is function-scoped
  if (scope && !((decl.parent as ts.VariableDeclarationList).flags & (ts.NodeFlags.Let | ts.NodeFlags.Const))) {
    while (scope && !ts.isSourceFile(scope) && !ts.isFunctionLike(scope)) scope = scope.parent;
  }
  if (!scope) return [];
  let byName = index.get(scope);
  if (!byName) {
    const found = new Map<string, ts.BinaryExpression[]>();
    forEachNode(scope, (n) => {
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(n.left)) {
        const list = found.get(n.left.text);
        if (list) list.push(n);
        else found.set(n.left.text, [n]);
      }
    });
    index.set(scope, (byName = found));
  }
  const out: ts.Expression[] = [];
  for (const n of byName.get(name) ?? []) {
    if (findDeclaration(n.left as ts.Identifier) === decl && !isNullish(n.right)) out.push(n.right);
  }
  return out;
}

/**
 * The values a `let` declared without one is given later (`let body; try { body = await c.req.json() } …`),
 * for callers with no session to index the scope with (a walk of its scope per call: keep to declarations
 * without an initializer).
 */
export function laterAssignments(decl: ts.VariableDeclaration): ts.Expression[] {
  return reassignable(decl) ? assignmentsOf(decl, new WeakMap()) : [];
}

/** `mongoose.model('Wallet', walletSchema)`: a model built from a schema. */
export function isModelCall(call: ts.CallExpression): boolean {
  return calleeName(call) === 'model' && call.arguments.length >= 2;
}

/** Methods that hand back a document of the model they are called on (`Wallet.findOne(…)`). */
// (and a finder of one the project adds to the model, `findByIdAndValidate`, `findByEmail`)
const DOCUMENT_FINDERS = /^(findOne\w*|findById\w*|findBy[A-Z]\w*|findOrCreate|create)$/;

/**
 * The `mongoose.model(name, schema)` call a document comes from: the result of one of the model's
 * finders (`await Wallet.findOne(…)`) or of `new Wallet(…)`.
 */
function documentModel(base: Extract<Value, { kind: 'call' }>): ts.CallExpression | undefined {
  const isModel = (v: Value): ts.CallExpression | undefined =>
    v.kind === 'call' && ts.isCallExpression(v.node) && isModelCall(v.node) ? v.node : undefined;
  for (const c of base.callee) {
    if (ts.isNewExpression(base.node)) {
      const m = isModel(c);
      if (m) return m;
    } else if (c.kind === 'member' && DOCUMENT_FINDERS.test(c.name)) {
      const m = isModel(c.base);
      if (m) return m;
    }
  }
  return undefined;
}

/** The model a schema's static (`schema.statics.x = function …`) is a member of: `model('User', schema)` in its file. */
function staticOwnerModel(fn: ts.Node): ts.CallExpression | undefined {
  const at = fn.parent;
  if (!at || !ts.isBinaryExpression(at) || at.right !== fn || !ts.isPropertyAccessExpression(at.left)) return undefined;
  const statics = skipOuter(at.left.expression);
  if (!ts.isPropertyAccessExpression(statics) || statics.name.text !== 'statics') return undefined;
  const schema = skipOuter(statics.expression);
  if (!ts.isIdentifier(schema)) return undefined;
  let found: ts.CallExpression | undefined;
  forEachNode(fn.getSourceFile(), (n) => {
    if (found) return false;
    if (ts.isCallExpression(n) && isModelCall(n)) {
      const a = skipOuter(n.arguments[1]);
      if (ts.isIdentifier(a) && a.text === schema.text) found = n;
    }
  });
  return found;
}

/**
 * Members a Mongoose schema gives the model `model(name, schema)` builds: its statics
 * (`schema.statics.x = …`, `schema.static('x', fn)`, a class loaded with `schema.loadClass(Cls)`) or its
 * documents' methods (`schema.methods.x = …`, `schema.method('x', fn)`, the loaded class's methods).
 */
function schemaMembers(
  call: ts.CallExpression,
  name: string,
  kind: 'statics' | 'methods',
): (ts.Node | ts.ClassLikeDeclaration)[] {
  if (!isModelCall(call)) return [];
  const schema = skipOuter(call.arguments[1]);
  if (!ts.isIdentifier(schema)) return [];
  const sf = call.getSourceFile();
  const out: ts.Node[] = [];
  const one = kind === 'statics' ? 'static' : 'method';
  const isSchema = (e: ts.Expression): boolean =>
    ts.isIdentifier(skipOuter(e)) && (skipOuter(e) as ts.Identifier).text === schema.text;
  forEachNode(sf, (n) => {
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && isSchema(n.expression.expression)) {
      const m = n.expression.name.text;
      const a0 = n.arguments[0] && skipOuter(n.arguments[0]);
      if (m === 'loadClass' && a0 && ts.isIdentifier(a0)) {
        const d = lookupName(a0.text, a0);
        if (d && ts.isClassLike(d)) out.push(d);
      } else if (m === one && a0 && ts.isStringLiteralLike(a0) && a0.text === name && n.arguments[1])
        out.push(n.arguments[1]);
    }
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const l = n.left;
      // schema.statics.name = fn, schema.methods.name = fn
      if (
        ts.isPropertyAccessExpression(l) &&
        l.name.text === name &&
        ts.isPropertyAccessExpression(l.expression) &&
        l.expression.name.text === kind &&
        isSchema(l.expression.expression)
      )
        out.push(n.right);
      // schema.statics = { name() {…} }
      if (ts.isPropertyAccessExpression(l) && l.name.text === kind && isSchema(l.expression)) {
        const o = skipOuter(n.right);
        if (ts.isObjectLiteralExpression(o))
          for (const p of o.properties)
            if (p.name && propertyNameText(p.name) === name) out.push(ts.isPropertyAssignment(p) ? p.initializer : p);
      }
    }
  });
  return out;
}

/** The arguments a call hands a function it reaches: a bound function's given ones (`fn.bind(null, User)`) first. */
export function callArguments(v: Value, call: ts.CallExpression): readonly ts.Expression[] {
  return v.kind === 'function' && v.partial?.length ? [...v.partial, ...call.arguments] : call.arguments;
}

/** The object an argument is: written in place, or held by a local (`const data = { status }`). */
export function objectOf(a: ts.Expression, values: ValueResolver): ts.ObjectLiteralExpression | undefined {
  const x = skipOuter(a);
  if (ts.isObjectLiteralExpression(x)) return x;
  const held = ts.isIdentifier(x) ? values.resolve(x).find((v) => v.kind === 'object')?.node : undefined;
  return held && ts.isObjectLiteralExpression(held) ? held : undefined;
}

/** A plain name or a `require` of a constant path: another name for a value, not a computation. */
function isAlias(e: ts.Expression): boolean {
  const x = skipOuter(e);
  return ts.isIdentifier(x) || isRequireCall(x);
}

/**
 * A package's export or a member of one (`traced`, `Sentry.wrap`), as the module and the name it is imported
 * under; not a method of something a call answered (`rows.filter(…)` on a query's result hands back rows).
 */
function packageExport(v: Value): { module: string; name: string } | undefined {
  if (v.kind === 'external') return { module: v.module, name: v.path[v.path.length - 1] ?? '' };
  if (v.kind === 'member') {
    const base = packageExport(v.base);
    return base && { module: base.module, name: v.name };
  }
  return undefined;
}

/**
 * A package's wrapper that runs the function it is given on every call, with that call's arguments
 * (rules/effects.json `callWrappers`: `asyncHandler`, `catchAsync`, a tracer's `traced`): not a combinator that
 * may skip it or hand back an earlier result (`debounce`, `once`, `memoize`), whose check proves nothing for
 * this request.
 */
function runsPerCall(v: Value): boolean {
  const x = packageExport(v);
  const w = CALL_WRAPPERS();
  if (!x || !w || w.notModules.test(x.module)) return false;
  return x.name ? w.names.test(x.name) : w.modules.test(x.module);
}

const CALL_WRAPPERS = compiled(() => {
  const w = ruleFile('effects').orm.callWrappers;
  return w
    ? { names: new RegExp(w.names), modules: new RegExp(w.modules, 'i'), notModules: new RegExp(w.notModules, 'i') }
    : undefined;
});

/** The one function written in place among a call's arguments, when there is exactly one. */
function inlineFunctionArgument(call: ts.CallExpression): FunctionNode | undefined {
  const fns = call.arguments
    .map((a) => skipOuter(a))
    .filter(
      (a): a is ts.ArrowFunction | ts.FunctionExpression =>
        (ts.isArrowFunction(a) || ts.isFunctionExpression(a)) && !!a.body,
    );
  return fns.length === 1 ? fns[0] : undefined;
}
