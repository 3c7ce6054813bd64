// Resolves a registered handler or middleware expression to the function that runs, seeing
// through higher-order wrappers (`withStepUp(handler)`, `asyncHandler(fn)`, `compose(a)(b)`)
// and middleware factories (`requireAuthLevel(2)` returns the middleware).
import { ts } from 'ts-morph';
import type { FunctionNode } from '../model.js';
import { ruleFile } from '../rules/load.js';
import { shortText } from '../util.js';
import { findDeclaration } from './scope.js';
import {
  isFunctionNode,
  isInside,
  propertyNameText,
  returnExpressions,
  skipOuter,
  type Value,
  type ValueResolver,
} from './values.js';

export interface Wrapper {
  call: ts.CallExpression;
  /** The wrapper function itself (the callee), when visible. */
  fn?: FunctionNode;
  /** The function the wrapper returns (what actually runs around the handler), when visible. */
  returned?: FunctionNode;
  /** Index of the wrapped argument in `call`. */
  argIndex: number;
  name: string;
  external?: { module: string; name: string };
}

export interface Unwrapped {
  fn?: FunctionNode;
  wrappers: Wrapper[];
  /** For a factory call (`requireAuthLevel(2)`): the call and the factory function. */
  factory?: { call: ts.CallExpression; fn?: FunctionNode };
  external?: { module: string; name: string };
  name: string;
  unresolved?: string;
  /**
   * The factory call the function is a closure of (`factory.deleteOne(User)` for the handler `deleteOne` returns,
   * however many calls inside the factory wrap it): its parameters stand for that call's arguments.
   */
  madeBy?: { call: ts.CallExpression; fn: FunctionNode };
}

/** The package export a value comes from; `outside`: a module outside the scanned tree (see project/tree.ts). */
export function externalName(v: Value): { module: string; name: string; outside?: boolean } | undefined {
  if (v.kind === 'external')
    return { module: v.module, name: v.path.join('.'), ...(v.outside ? { outside: true } : {}) };
  if (v.kind === 'member') {
    const base = externalName(v.base);
    if (base) return { ...base, name: base.name ? `${base.name}.${v.name}` : v.name };
  }
  if (v.kind === 'call' && v.callee.length) {
    const base = externalName(v.callee[0]);
    if (base) return { ...base, name: `${base.name}()` };
  }
  return undefined;
}

export function firstFunction(vals: Value[]): FunctionNode | undefined {
  for (const v of vals) if (v.kind === 'function') return v.node;
  return undefined;
}

/** Functions a wrapper function returns (`(h) => async (req) => …` → the inner arrow). */
function returnedFunction(fn: FunctionNode, values: ValueResolver): FunctionNode | undefined {
  // `return asyncWrapper(async (req, res, next) => { check; await fn(req, res, next) })`: the arrow handed on,
  // which calls what the wrapper wraps, is what runs around the handler (asyncWrapper's own closure only relays)
  const params = fn.parameters.flatMap((p) => (ts.isIdentifier(p.name) ? [p.name.text] : []));
  for (const r of returnExpressions(fn)) {
    const x = skipOuter(r);
    if (!ts.isCallExpression(x)) continue;
    const inner = x.arguments.map(skipOuter).find((a) => isFunctionNode(a) && params.some((n) => callsName(a, n)));
    if (inner && isFunctionNode(inner)) return inner;
  }
  for (const r of returnExpressions(fn)) {
    const f = firstFunction(values.resolve(r));
    if (f) return f;
  }
  return undefined;
}

function describe(vals: Value[]): string {
  const v = vals[0];
  if (!v) return 'nothing';
  if (v.kind === 'unknown') return v.reason;
  if (v.kind === 'param') return 'a function parameter';
  return `a ${v.kind} value`;
}

/**
 * `(req, res) => ctrl.changePassword(req, res)`: a function that only forwards its parameters
 * to another function is that function.
 */
function forwardTarget(fn: FunctionNode, values: ValueResolver): FunctionNode | undefined {
  return fn.parameters.length ? forwardedTo(fn, paramNames(fn), values) : undefined;
}

function paramNames(fn: FunctionNode): (string | undefined)[] {
  return fn.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : undefined));
}

/**
 * `(req, res) => requireAdmin(req, res, handler)`: a function that forwards its parameters to a call that is also
 * handed the handler is that call wrapping the handler, as `requireAdmin(handler)` would. The callee must call
 * the parameter the handler is bound to (or be a package's, out of sight).
 */
function forwardWrapper(fn: FunctionNode, values: ValueResolver, depth: number): Unwrapped | undefined {
  const call = soleCall(fn);
  if (!call || !fn.parameters.length) return undefined;
  const names = paramNames(fn);
  const args = call.arguments.map(skipOuter);
  let forwarded = 0;
  while (
    forwarded < args.length &&
    ts.isIdentifier(args[forwarded]) &&
    (args[forwarded] as ts.Identifier).text === names[forwarded]
  )
    forwarded++;
  if (!forwarded || args.length !== forwarded + 1) return undefined;
  const last = args[forwarded];
  if (!(isFunctionNode(last) || ts.isIdentifier(last) || ts.isPropertyAccessExpression(last))) return undefined;
  const inner = isFunctionNode(last) ? undefined : unwrap(last, values, depth + 1);
  // `() => inviteHandler(req, res)`: a continuation that hands the request on is the function it calls
  const handler = isFunctionNode(last) ? (forwardedTo(last, names, values) ?? last) : inner?.fn;
  if (!handler || handler === fn) return undefined;
  const calleeVals = values.resolve(call.expression);
  const calleeFn = firstFunction(calleeVals);
  const external = calleeFn ? undefined : calleeVals.map(externalName).find(Boolean);
  if (calleeFn) {
    const param = calleeFn.parameters[forwarded];
    if (!param || !ts.isIdentifier(param.name) || !callsName(calleeFn, param.name.text)) return undefined;
  } else if (!external) return undefined;
  const wrapper: Wrapper = {
    call,
    fn: calleeFn,
    returned: calleeFn ? returnedFunction(calleeFn, values) : undefined,
    argIndex: forwarded,
    name: shortText(call.expression, 40),
    external,
  };
  return { fn: handler, wrappers: [wrapper, ...(inner?.wrappers ?? [])], name: inner?.name ?? 'inline handler' };
}

/**
 * The function `fn`'s one call hands `names` to, in order and nothing else: its own parameters
 * (`(req, res) => ctrl.update(req, res)`), or an outer function's (`() => handler(req, res)`).
 */
function forwardedTo(
  fn: FunctionNode,
  outer: readonly (string | undefined)[],
  values: ValueResolver,
): FunctionNode | undefined {
  const call = soleCall(fn);
  if (!call || !call.arguments.length) return undefined;
  const ok = call.arguments.every((a, i) => {
    const x = skipOuter(a);
    return ts.isIdentifier(x) && x.text === outer[i];
  });
  if (!ok) return undefined;
  const target = firstFunction(values.resolve(call.expression));
  return target && target !== fn && target.body ? target : undefined;
}

/** The one call a function's body makes: its expression body, or its single return or expression statement. */
function soleCall(fn: FunctionNode): ts.CallExpression | undefined {
  const body = fn.body;
  if (!body) return undefined;
  let x: ts.Expression | undefined;
  if (!ts.isBlock(body)) x = body;
  else if (body.statements.length === 1) {
    const st = body.statements[0];
    if (ts.isReturnStatement(st) && st.expression) x = st.expression;
    else if (ts.isExpressionStatement(st)) x = st.expression;
  }
  x = x && skipOuter(x); // (an `await` too)
  return x && ts.isCallExpression(x) ? x : undefined;
}

/** Does `fn` call the identifier `name` (`handler(req, res)`, `await next()`)? */
function callsName(fn: FunctionNode, name: string): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n)) {
      const c = skipOuter(n.expression);
      if (ts.isIdentifier(c) && c.text === name) {
        found = true;
        return;
      }
    }
    ts.forEachChild(n, visit);
  };
  if (fn.body) visit(fn.body);
  return found;
}

/** The call a name's declaration (here, or behind one import) is initialised with, when it is handed a function. */
function madeByCall(id: ts.Identifier, values: ValueResolver): ts.CallExpression | undefined {
  let d: ts.Node | undefined = findDeclaration(id);
  if (d && ts.isImportSpecifier(d)) {
    const file = values.importedFile(id);
    d = file ? values.exportsOf(file)?.named.get((d.propertyName ?? d.name).text)?.decl : undefined;
  }
  if (!d || !ts.isVariableDeclaration(d) || !d.initializer) return undefined;
  const init = skipOuter(d.initializer);
  return ts.isCallExpression(init) && init.arguments.some((a) => isFunctionNode(skipOuter(a))) ? init : undefined;
}

export function unwrap(expr: ts.Expression, values: ValueResolver, depth = 0): Unwrapped {
  const u = unwrapInner(expr, values, depth);
  if (u.fn && depth < 4) {
    const target = forwardTarget(u.fn, values);
    if (target) return { ...u, fn: target };
    const wrapped = forwardWrapper(u.fn, values, depth);
    if (wrapped) return { ...u, fn: wrapped.fn, wrappers: [...u.wrappers, ...wrapped.wrappers] };
  }
  return u;
}

/** The wrapper a call is around its argument `argIndex` (`withAuth(handler)`, curried `compose(mw)(handler)`). */
export function wrapperAt(
  e: ts.CallExpression,
  argIndex: number,
  values: ValueResolver,
  calleeVals: Value[] = values.resolve(e.expression),
): Wrapper {
  const calleeFn = firstFunction(calleeVals);
  const wrapper: Wrapper = {
    call: e,
    fn: calleeFn,
    returned: calleeFn ? returnedFunction(calleeFn, values) : undefined,
    argIndex,
    name: shortText(e.expression, 40),
    external: calleeFn ? undefined : calleeVals.map(externalName).find(Boolean),
  };
  // Curried wrappers `compose(mw)(handler)`: the callee is itself a call returning the wrapper.
  if (!calleeFn && ts.isCallExpression(skipOuter(e.expression))) {
    const outer = skipOuter(e.expression) as ts.CallExpression;
    const fac = firstFunction(values.resolve(outer.expression));
    if (fac) {
      const ret = returnedFunction(fac, values);
      wrapper.fn = ret;
      wrapper.returned = ret ? returnedFunction(ret, values) : undefined;
    }
  }
  return wrapper;
}

function unwrapInner(expr: ts.Expression, values: ValueResolver, depth = 0): Unwrapped {
  const e = skipOuter(expr);
  const name = shortText(e, 48);
  if (depth > 8) return { wrappers: [], name, unresolved: 'wrapped too deeply' };
  if (isFunctionNode(e)) {
    const node = e as ts.Node;
    const declared = ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) ? node.name?.getText() : undefined;
    return { fn: e, wrappers: [], name: declared ?? 'inline handler' };
  }
  if (ts.isCallExpression(e)) {
    // `fn.bind(thisArg)` runs `fn`
    const callee = skipOuter(e.expression);
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'bind') {
      const inner = unwrap(callee.expression, values, depth + 1);
      return { ...inner, name };
    }
    // A package's call given several functions written in place (`conditional((req) => big(req), pinCheck)`,
    // `unless(test, mw)`): which runs, and when, is the package's; none is the one that always runs.
    const written = e.arguments.filter((a) => isFunctionNode(skipOuter(a)));
    if (written.length > 1 && !firstFunction(values.resolve(e.expression))) {
      const ext = values.resolve(e.expression).map(externalName).find(Boolean);
      if (ext)
        return {
          wrappers: [],
          external: { module: ext.module, name: `${ext.name}()` },
          name,
          unresolved: `${name} is handed several functions: which of them runs is the package's choice`,
        };
    }
    // Find the wrapped argument: the last argument that is (or resolves to) a function or another wrapper call.
    let argIndex = -1;
    let inner: Unwrapped | undefined;
    for (let i = e.arguments.length - 1; i >= 0; i--) {
      const a = skipOuter(e.arguments[i]);
      if (ts.isSpreadElement(a)) continue;
      if (isFunctionNode(a)) {
        argIndex = i;
        inner = { fn: a, wrappers: [], name: 'inline handler' };
        break;
      }
      // an options object holding the handler: `apiRoute({ method: 'POST', handler: async (req, res) => … })`
      if (ts.isObjectLiteralExpression(a)) {
        const held = handlerInOptions(a, values, depth);
        if (held) {
          argIndex = i;
          inner = held;
          break;
        }
        continue;
      }
      if (ts.isIdentifier(a) || ts.isPropertyAccessExpression(a) || ts.isCallExpression(a)) {
        const vals = values.resolve(a);
        if (vals.some((v) => v.kind === 'function') || (ts.isCallExpression(a) && unwrap(a, values, depth + 1).fn)) {
          argIndex = i;
          inner = unwrap(a, values, depth + 1);
          break;
        }
      }
    }
    const calleeVals = values.resolve(e.expression);
    const calleeFn = firstFunction(calleeVals);
    if (inner && argIndex >= 0)
      return { ...inner, wrappers: [wrapperAt(e, argIndex, values, calleeVals), ...inner.wrappers] };
    // A factory call: the value is whatever function the factory returns.
    const vals = values.resolve(e);
    // …made by another call it hands back (`controllerFn: () => deleteAccount` with `deleteAccount =
    // createRoute(validators, async (data, req, res) => …)`): that call says what the closure wraps.
    // (a closure the factory makes in its own body, `makeSetRole(User)` returning `asyncHandler(…)`, stays
    // the factory's: its parameters are this call's arguments)
    const made = madeElsewhere(vals, e);
    if (made && !(calleeFn && isInside(made, calleeFn))) {
      const inner = unwrap(made, values, depth + 1);
      if (inner.fn) return { ...inner, name };
    }
    const fn = firstFunction(vals);
    if (fn)
      return {
        fn,
        wrappers: [],
        factory: { call: e, fn: calleeFn },
        name,
        ...(calleeFn && isInside(fn, calleeFn) && { madeBy: { call: e, fn: calleeFn } }),
      };
    // …or the function a wrapper it returns wraps: `const stepUp = () => createMiddleware(async (c, next) => …)`
    for (const v of vals) {
      if (
        v.kind !== 'call' ||
        !ts.isCallExpression(v.node) ||
        v.node === e ||
        !v.node.arguments.some((a) => isFunctionNode(skipOuter(a)))
      )
        continue;
      const made = unwrap(v.node, values, depth + 1);
      if (made.fn) return { ...made, factory: { call: e, fn: calleeFn }, name };
    }
    const ext = calleeVals.map(externalName).find(Boolean);
    if (ext)
      return { wrappers: [], factory: { call: e }, external: { module: ext.module, name: `${ext.name}()` }, name };
    return {
      wrappers: [],
      factory: { call: e, fn: calleeFn },
      name,
      unresolved: `cannot see what ${name} returns (${describe(vals)})`,
    };
  }
  // `export const createApiKey = withEnvironment(async (req, res) => …)`, imported: the call the name was made by
  // wraps the handler, however many wrappers that call's own body goes through (`withEnvironment` returning
  // `asyncWrapper(async (req, res, next) => { …; await fn(req, res, next) })`)
  const maker = ts.isIdentifier(e) ? madeByCall(e, values) : undefined;
  if (maker) {
    const inner = unwrap(maker, values, depth + 1);
    if (inner.fn && inner.wrappers[0]?.call === maker) return { ...inner, name };
  }
  const vals = values.resolve(e);
  // `exports.create = catchAsync(async (req, res) => …)` in another module: the name holds the closure
  // the wrapper returned; the call that made it says what it wraps (the handler) and what wraps it.
  const made = madeElsewhere(vals, e);
  if (made) {
    const inner = unwrap(made, values, depth + 1);
    if (inner.fn) return { ...inner, name, ...(!inner.madeBy && madeFor(vals, inner.fn, values)) };
  }
  const fn = firstFunction(vals);
  if (fn) return { fn, wrappers: [], name };
  // `const stepUp = createMiddleware(async (c, next) => …)`: the variable holds a wrapped function.
  for (const v of vals) {
    if (
      v.kind === 'call' &&
      ts.isCallExpression(v.node) &&
      v.node.arguments.some((a) => isFunctionNode(skipOuter(a)) || ts.isIdentifier(skipOuter(a)))
    ) {
      const inner = unwrap(v.node, values, depth + 1);
      if (inner.fn) return { ...inner, name };
    }
  }
  // a handler given as a class (`api.get('/tasks', ListTasks)` with `class ListTasks { async handle(c) … }`)
  const method = classHandler(vals);
  if (method) return { fn: method, wrappers: [], name };
  for (const v of vals) {
    const ext = externalName(v);
    if (!ext) continue;
    // `const handler = adapt(app)`: the call that made the value, as when it is written in place
    const call = v.kind === 'call' && ts.isCallExpression(v.node) ? { call: v.node } : undefined;
    return { wrappers: [], external: ext, name, ...(call && { factory: call }) };
  }
  return { wrappers: [], name, unresolved: `cannot resolve ${name} (${describe(vals)})` };
}

/** The factory call a closure made by a call inside that factory was made for (`factory.deleteOne(User)`). */
function madeFor(
  vals: readonly Value[],
  fn: FunctionNode,
  values: ValueResolver,
): Pick<Unwrapped, 'madeBy'> | undefined {
  for (const v of vals) {
    if (v.kind !== 'function' || !v.madeFor) continue;
    const factory = firstFunction(values.resolve(v.madeFor.expression));
    if (factory && isInside(fn, factory)) return { madeBy: { call: v.madeFor, fn: factory } };
  }
  return undefined;
}

/** The call that made the closure a value holds, when that call is not `e` itself. */
function madeElsewhere(vals: readonly Value[], e: ts.Expression): ts.CallExpression | undefined {
  const made = vals.find((v): v is Extract<Value, { kind: 'function' }> => v.kind === 'function' && !!v.site);
  return made?.site && made.site !== e ? made.site : undefined;
}

/** The method a request runs on a handler class (rules/frameworks.json `endpointClassMethods`). */
function classHandler(vals: readonly Value[]): FunctionNode | undefined {
  const names = ruleFile('frameworks').endpointClassMethods ?? [];
  for (const v of vals) {
    if (v.kind !== 'class') continue;
    for (const m of v.node.members)
      if (ts.isMethodDeclaration(m) && m.body && m.name && ts.isIdentifier(m.name) && names.includes(m.name.text))
        return m;
  }
  return undefined;
}

/** The handler an options object holds under a handler key (rules/frameworks.json `wrappedHandlerKeys`). */
function handlerInOptions(
  obj: ts.ObjectLiteralExpression,
  values: ValueResolver,
  depth: number,
): Unwrapped | undefined {
  const keys = ruleFile('frameworks').wrappedHandlerKeys;
  for (const p of obj.properties) {
    const key = p.name ? propertyNameText(p.name) : undefined;
    if (!key || !keys.includes(key)) continue;
    if (ts.isMethodDeclaration(p)) return { fn: p, wrappers: [], name: key };
    const value = ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : undefined;
    if (!value) continue;
    const x = skipOuter(value);
    if (isFunctionNode(x)) return { fn: x, wrappers: [], name: 'inline handler' };
    const u = unwrap(value, values, depth + 1);
    if (u.fn) return u;
  }
  return undefined;
}
