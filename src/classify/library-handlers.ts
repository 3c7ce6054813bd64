// An authentication library mounted as a catch-all serves the routes its configuration turns on
// (rules/assets.json libraryHandlers). `app.on(['POST','GET'], '/api/auth/*', (c) => auth.handler(c.req.raw))`
// and `export const { GET, POST } = toNextJsHandler(auth)` hand every request to `auth`; what the
// instance was built with (`betterAuth({ plugins: [organization(), apiKey()], user: { deleteUser: { enabled: true } } })`)
// says which of those routes a stolen session can use: member and role changes, API keys, passkeys,
// account deletion. The configuration is read by value resolution, never run.
import { ts } from 'ts-morph';
import { callsIn } from '../analysis/effects.js';
import { calleeName, propertyNameText, skipOuter, type Value, type ValueResolver } from '../analysis/values.js';
import { externalName } from '../analysis/unwrap.js';
import { findDeclaration } from '../analysis/scope.js';
import type { Endpoint, FunctionNode } from '../model.js';
import { compiled, ruleFile } from '../rules/load.js';

export interface LibraryServes {
  library: string;
  category: string;
  /** What the library serves for the category, with the configuration that turns it on. */
  detail: string;
  /** What the library itself asks for before the operation (`the current password`). */
  guardedBy?: string;
  node: ts.Node;
}

const rules = compiled(() =>
  (ruleFile('assets').libraryHandlers ?? []).map((r) => ({
    ...r,
    factoryRe: new RegExp(r.factory),
    methodsRe: new RegExp(r.handlerMethods),
    functionsRe: new RegExp(r.handlerFunctions),
  })),
);

type Compiled = ReturnType<typeof rules>[number];

/** Expressions the endpoint hands its requests to: `x` of `x.handler(…)` and of `toNextJsHandler(x)`. */
function handedTo(fn: FunctionNode | undefined, expr: ts.Node | undefined, r: Compiled): ts.Expression[] {
  const out: ts.Expression[] = [];
  const consider = (c: ts.CallExpression): void => {
    const x = skipOuter(c.expression);
    if (ts.isPropertyAccessExpression(x) && r.methodsRe.test(x.name.text)) out.push(x.expression);
    else if (r.functionsRe.test(calleeName(c)) && c.arguments[0]) {
      const a = skipOuter(c.arguments[0]);
      // `toNextJsHandler(auth.handler)` as well as `toNextJsHandler(auth)`
      out.push(ts.isPropertyAccessExpression(a) && r.methodsRe.test(a.name.text) ? a.expression : a);
    }
  };
  if (fn)
    for (const c of callsIn(fn)) {
      if (!ts.isCallExpression(c)) continue;
      consider(c);
      // `const authHandler = toNodeHandler(auth.handler)` … `authHandler(req, res)`: the adapter made beforehand
      const callee = skipOuter(c.expression);
      const d = ts.isIdentifier(callee) ? findDeclaration(callee) : undefined;
      const init = d && ts.isVariableDeclaration(d) && d.initializer ? skipOuter(d.initializer) : undefined;
      if (init && ts.isCallExpression(init)) consider(init);
    }
  // `export const { GET, POST } = toNextJsHandler(auth)`: the export is a part of the adapter's result
  let e: ts.Node | undefined = expr && ts.isExpression(expr) ? skipOuter(expr) : expr;
  if (e && ts.isIdentifier(e)) e = findDeclaration(e);
  while (e && (ts.isBindingElement(e) || ts.isObjectBindingPattern(e))) e = e.parent;
  if (e && ts.isVariableDeclaration(e) && e.initializer) e = skipOuter(e.initializer);
  if (e && ts.isCallExpression(e)) consider(e);
  // `export const POST = auth.handler`: the instance's own handler is the export
  else if (e && ts.isPropertyAccessExpression(e) && r.methodsRe.test(e.name.text)) out.push(e.expression);
  return out;
}

/**
 * The request variable a value reads (`c.var.auth`, `c.get('auth')`, `req.auth`): the handler's
 * parameter and the name, so what the middleware before it put there can be read.
 */
function requestVariable(v: Value): { param: ts.ParameterDeclaration; name: string } | undefined {
  if (v.kind === 'param' && (v.path.length === 1 || (v.path.length === 2 && v.path[0] === 'var')))
    return { param: v.fn.parameters[v.index], name: v.path[v.path.length - 1] };
  if (v.kind !== 'call' || !ts.isCallExpression(v.node) || v.node.arguments.length !== 1) return undefined;
  const key = skipOuter(v.node.arguments[0]);
  const c = v.callee?.find((f) => f.kind === 'param' && f.path.length === 1 && f.path[0] === 'get');
  return c && c.kind === 'param' && ts.isStringLiteralLike(key)
    ? { param: c.fn.parameters[c.index], name: key.text }
    : undefined;
}

/** The configuration object a library instance was built from (also one middleware put on the request). */
function configsOf(x: ts.Expression, values: ValueResolver, r: Compiled, depth = 0): Value[] {
  const out: Value[] = [];
  for (const v of values.resolve(x)) {
    const variable = depth < 2 ? requestVariable(v) : undefined;
    if (variable)
      for (const d of values.decorationsOf(variable.param, variable.name))
        out.push(...configsOf(d, values, r, depth + 1));
    if (v.kind !== 'call' || !ts.isCallExpression(v.node) || !r.factoryRe.test(calleeName(v.node))) continue;
    const arg = v.node.arguments[0];
    if (arg) out.push(...values.resolve(arg).filter((c) => c.kind === 'object'));
  }
  return out;
}

function member(base: Value[], name: string, values: ValueResolver, at: ts.Node): Value[] {
  return base.flatMap((b) => values.member(b, name, at));
}

/** The plugin calls of a `plugins` list, through spreads of other lists (`[...(options.plugins ?? [])]`). */
function pluginCalls(
  lists: Value[],
  values: ValueResolver,
  depth: number,
  /** Set when a list or an element of one cannot be read: the plugins are not all known. */
  unread: { seen: boolean },
): ts.CallExpression[] {
  const out: ts.CallExpression[] = [];
  if (depth > 3) {
    unread.seen = true;
    return out;
  }
  for (const list of lists) {
    if (absent(list)) continue;
    if (list.kind !== 'array') {
      unread.seen = true;
      continue;
    }
    for (const el of list.node.elements) {
      if (ts.isSpreadElement(el)) {
        out.push(...pluginCalls(values.resolve(el.expression), values, depth + 1, unread));
        continue;
      }
      const x = skipOuter(el);
      if (ts.isCallExpression(x)) out.push(x);
      else {
        const calls = values
          .resolve(x)
          .flatMap((v) => (v.kind === 'call' && ts.isCallExpression(v.node) ? [v.node] : []));
        if (!calls.length) unread.seen = true;
        out.push(...calls);
      }
    }
  }
  return out;
}

/** Does an object literal, or one nested in it, spread another object in (`{ ...defaults, user: { ...u } }`)? */
function spreads(o: ts.ObjectLiteralExpression): boolean {
  return o.properties.some(
    (p) =>
      ts.isSpreadAssignment(p) ||
      (ts.isPropertyAssignment(p) &&
        ts.isObjectLiteralExpression(skipOuter(p.initializer)) &&
        spreads(skipOuter(p.initializer) as ts.ObjectLiteralExpression)),
  );
}

/** Does the configuration declare fields of the user a request may set (`user.additionalFields`, `input` not false)? */
function declaresInputFields(o: ts.ObjectLiteralExpression): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isPropertyAssignment(n) && propertyNameText(n.name) === 'additionalFields') {
      const fields = skipOuter(n.initializer);
      found =
        !ts.isObjectLiteralExpression(fields) ||
        fields.properties.some((f) => {
          const def = ts.isPropertyAssignment(f) ? skipOuter(f.initializer) : undefined;
          if (!def || !ts.isObjectLiteralExpression(def)) return true;
          const input = def.properties.find((q) => ts.isPropertyAssignment(q) && propertyNameText(q.name) === 'input');
          return !(input && ts.isPropertyAssignment(input) && input.initializer.kind === ts.SyntaxKind.FalseKeyword);
        });
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(o);
  return found;
}

/** The name a plugin's package exports it as (`apiKey` for `import { apiKey as bearer }`), when a package's. */
function exportedAs(call: ts.CallExpression, values: ValueResolver): string | undefined {
  for (const v of values.resolve(call.expression)) {
    const ext = externalName(v);
    if (ext) return ext.name;
  }
  return calleeName(call);
}

/** A handler whose body is the one hand-over (`(c) => auth.handler(c.req.raw)`, `{ return toNodeHandler(auth)(req, res) }`). */
function onlyDelegates(fn: FunctionNode): boolean {
  const body = fn.body;
  if (!body) return false;
  if (!ts.isBlock(body)) return ts.isCallExpression(skipOuter(body));
  if (body.statements.length !== 1) return false;
  const s = body.statements[0];
  const e = ts.isReturnStatement(s) ? s.expression : ts.isExpressionStatement(s) ? s.expression : undefined;
  return !!e && ts.isCallExpression(skipOuter(e));
}

/** No such option at all: the configuration does not name it. */
function absent(v: Value): boolean {
  return v.kind === 'unknown' && v.reason.startsWith('no property');
}

/** `{}`, or no such option at all: an option given nothing. */
function emptyObject(v: Value): boolean {
  return (v.kind === 'object' && v.node.properties.length === 0) || absent(v);
}

/** A value that may turn an option on: anything but `false` (or another falsy literal), `{}` or nothing. */
function mayBeOn(v: Value): boolean {
  return !(v.kind === 'literal' && !v.value) && !emptyObject(v);
}

/** What the catch-all serves, by category, from the instance's plugins and options. */
export function libraryServes(ep: Endpoint, fn: FunctionNode | undefined, values: ValueResolver): LibraryServes[] {
  const out: LibraryServes[] = [];
  for (const r of rules()) {
    if (!r.methods.includes(ep.method)) continue;
    // (a handler of the project's own that does more than hand the request over may do anything before it)
    const delegates = !fn || onlyDelegates(fn);
    for (const x of handedTo(fn, ep.handler.expr, r)) {
      for (const config of configsOf(x, values, r)) {
        const at = config.kind === 'object' ? config.node : x;
        const first = out.length;
        // (a plugin list not read whole, or a plugin neither catalogued nor known to serve nothing a stolen
        // session can misuse: the library's own guard is not all that stands before what it serves)
        // (nor is it when the configuration holds a spread anywhere, `{ ...defaults }`: what the spread brings
        // in may turn anything on; nor when a field the user may set is declared, `additionalFields`)
        const unread = { seen: config.kind !== 'object' || spreads(config.node) || declaresInputFields(config.node) };
        for (const call of pluginCalls(member([config], 'plugins', values, at), values, 0, unread)) {
          const plugin = r.plugins[calleeName(call)];
          // (a plugin counts as harmless by the name its package exports, not a local alias)
          if (
            !plugin &&
            !(r.harmlessPlugins?.includes(calleeName(call)) && exportedAs(call, values) === calleeName(call))
          )
            unread.seen = true;
          if (!plugin) continue;
          for (const category of plugin.categories)
            out.push({
              library: r.library,
              category,
              detail: `the ${r.library} handler ${plugin.serves} (plugin ${calleeName(call)}())`,
              node: call,
            });
        }
        const valuesAt = (path: readonly string[]): Value[] => {
          let cur: Value[] = [config];
          // (an option the configuration does not name has no value at all)
          for (const k of path) cur = member(cur, k, values, at).filter((v) => !absent(v));
          return cur;
        };
        for (const o of r.options) {
          const cur = valuesAt(o.path);
          // (literally on; or, for an option on unless written false, given any value that is not false)
          const on =
            cur.find((v) => v.kind === 'literal' && v.value === true) ??
            (o.onUnlessFalse ? cur.find(mayBeOn) : undefined);
          if (!on || !('node' in on)) continue;
          // (an object with too few entries counts only beside the other option turned on)
          if (
            o.minEntries &&
            !cur.some((v) => v.kind === 'object' && v.node.properties.length >= o.minEntries!) &&
            !(o.orWith && valuesAt(o.orWith).some(mayBeOn))
          )
            continue;
          for (const category of o.categories)
            out.push({
              library: r.library,
              category,
              detail: `the ${r.library} handler ${o.serves} (${o.path.join('.')}${on.kind === 'literal' ? ': true' : ' on'})${o.guardedBy ? `, after asking for ${o.guardedBy}` : ''}`,
              node: on.node,
              ...(o.guardedBy ? { guardedBy: o.guardedBy } : {}),
            });
        }
        if (unread.seen || !delegates) for (const l of out.slice(first)) delete l.guardedBy;
      }
    }
  }
  return out;
}
