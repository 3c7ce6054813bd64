// The evaluations one registration call stands for: once per element of the array or object a loop
// goes over, per file a folder-scanning loop mounts, per `new` of a class whose routes its constructor's
// arguments build, and per call of the function it sits in when its path reads that function's parameter.
import { ts } from 'ts-morph';
import { constInitializer, findDeclaration } from '../../analysis/scope.js';
import { isFunctionNode, skipOuter, type ValueResolver } from '../../analysis/values.js';
import { forEachNode } from '../../analysis/walk.js';
import type { FolderListing } from './folder-listing.js';
import type { Bindings, Instantiations } from './instances.js';

export function withBindings<T>(values: ValueResolver, b: Bindings, fn: () => T, i = 0): T {
  return i === b.length ? fn() : values.withBinding(b[i][0], b[i][1], () => withBindings(values, b, fn, i + 1));
}

/**
 * The iterations a registration call sits in, one set of bindings each: `for (const page of pages)` and
 * `list.forEach((r) => …)` over a constant array (the variable is each element); over an object keyed by
 * path, `for (const k in routes)`, `Object.keys(routes).forEach((k) => …)` (the variable is each key) and
 * `Object.entries(routes).forEach(([k, r]) => …)` (each key and its value). Only when the registration
 * reads the variable.
 */
export function iteration(
  call: ts.CallExpression,
  values: ValueResolver,
  instances: Instantiations,
  folders: FolderListing,
): Bindings[] | undefined {
  // what the registration reads: its arguments and computed method, and the constants they are made of
  // (`const [method, path] = key.split(' ')`, two steps deep)
  const readsText = registrationText(call);
  const reads = (name: ts.BindingName): boolean => {
    const ids = ts.isIdentifier(name)
      ? [name.text]
      : name.elements.flatMap((e) => (ts.isBindingElement(e) && ts.isIdentifier(e.name) ? [e.name.text] : []));
    return ids.some((id) => readsText.some((t) => t.includes(id)));
  };
  // a loop variable over `list`: the folder `list` reads, the values it holds, or the modules the mount loads by it
  const over = (name: ts.BindingName, decl: ts.Node, list: ts.Expression, loop: ts.Node): Bindings[] | undefined =>
    (ts.isIdentifier(name) ? folders.bindings(decl, list, loop, call) : undefined) ??
    loopBindings(name, decl, list, values) ??
    folders.moduleNames(decl, call);
  let n: ts.Node | undefined = call.parent;
  while (n && !ts.isSourceFile(n)) {
    // `for (const page of pages)`, `for (const k in routes)`, `for (const [k, r] of Object.entries(routes))`
    if (
      (ts.isForOfStatement(n) || ts.isForInStatement(n)) &&
      ts.isVariableDeclarationList(n.initializer) &&
      n.initializer.declarations.length === 1
    ) {
      const d = n.initializer.declarations[0];
      if (!reads(d.name)) return undefined;
      if (ts.isForInStatement(n)) return ts.isIdentifier(d.name) ? keyBindings(n.expression, d, values) : undefined;
      return over(d.name, d, n.expression, n);
    }
    // a utility library's loop, the collection first (`_.forEach(config.gateways, (gateway) => …)`, `_.each`, `_.map`)
    if (
      (ts.isArrowFunction(n) || ts.isFunctionExpression(n)) &&
      n.parameters[0] &&
      ts.isCallExpression(n.parent) &&
      n.parent.arguments.length === 2 &&
      n.parent.arguments[1] === n &&
      ts.isPropertyAccessExpression(n.parent.expression) &&
      ['forEach', 'each', 'map'].includes(n.parent.expression.name.text)
    ) {
      const p = n.parameters[0];
      if (!reads(p.name)) return undefined;
      return over(p.name, p, n.parent.arguments[0], n);
    }
    if (
      (ts.isArrowFunction(n) || ts.isFunctionExpression(n)) &&
      n.parameters[0] &&
      ts.isCallExpression(n.parent) &&
      n.parent.arguments[0] === n
    ) {
      const loop: ts.CallExpression = n.parent;
      const callee = loop.expression;
      if (!ts.isPropertyAccessExpression(callee)) return undefined;
      // a module loaded in the loop (`import(\`./${name}\`).then((m) => router.use(…, m.router))`): not a loop itself
      if (callee.name.text === 'then') {
        n = loop.parent;
        continue;
      }
      if (!['forEach', 'map'].includes(callee.name.text)) return undefined;
      const p = n.parameters[0];
      if (!reads(p.name)) return undefined;
      return over(p.name, p, callee.expression, n);
    }
    if (ts.isFunctionLike(n)) return instances.bindingsFor(n, call) ?? callSiteBindings(n, call, values);
    n = n.parent;
  }
  return undefined;
}

function registrationText(call: ts.CallExpression): string[] {
  const out: string[] = call.arguments.map((a) => a.getText());
  const callee = skipOuter(call.expression);
  if (ts.isElementAccessExpression(callee)) out.push(callee.argumentExpression.getText());
  const seen = new Set<ts.Node>();
  const follow = (e: ts.Expression, depth: number): void => {
    const x = skipOuter(ts.isSpreadElement(e) ? e.expression : e);
    if (!ts.isIdentifier(x) || depth > 2) return;
    const d = findDeclaration(x);
    const holder = d && ts.isBindingElement(d) ? d.parent.parent : d;
    if (!holder || seen.has(holder) || !ts.isVariableDeclaration(holder) || !holder.initializer) return;
    seen.add(holder);
    out.push(holder.initializer.getText());
    const init = skipOuter(holder.initializer);
    if (ts.isElementAccessExpression(init) || ts.isPropertyAccessExpression(init)) follow(init.expression, depth + 1);
    else if (ts.isCallExpression(init) && ts.isPropertyAccessExpression(init.expression))
      follow(init.expression.expression, depth + 1);
  };
  // every name an argument reads, wherever it sits (`\`/${name}\``, `require(\`./${name}\`)` with
  // `const name = clean(file)`)
  const names = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) follow(n, 0);
    else if (ts.isPropertyAccessExpression(n)) names(n.expression);
    else if (!isFunctionNode(n)) ts.forEachChild(n, names);
  };
  for (const a of call.arguments) names(a);
  if (ts.isElementAccessExpression(callee)) follow(callee.argumentExpression, 0);
  return out;
}

/**
 * A registration whose path reads a parameter of the function it is in (`function mount(prefix) {
 * app.use(`${prefix}/users`, users) }`), called in its own file with the prefix (`mount('/api');
 * mount('/api/v1')`): one set of bindings per call, the path parameters bound to that call's arguments.
 */
/** At most this many calls of a path-taking function are evaluated one by one. */
const MAX_CALL_SITES = 64;

function callSiteBindings(
  fn: ts.SignatureDeclaration,
  call: ts.CallExpression,
  values: ValueResolver,
): Bindings[] | undefined {
  const first = call.arguments[0];
  if (!first) return undefined;
  // a router given as a parameter (`(r, base) => r.use(base + …)`): each call links its own router and path
  let recv: ts.Expression = skipOuter(call.expression);
  while (ts.isPropertyAccessExpression(recv) || ts.isCallExpression(recv) || ts.isElementAccessExpression(recv))
    recv = skipOuter(recv.expression);
  if (ts.isIdentifier(recv) && fn.parameters.some((p) => p === findDeclaration(recv))) return undefined;
  const pathText = first.getText();
  const named = (p: ts.ParameterDeclaration, text: string): boolean =>
    ts.isIdentifier(p.name) && new RegExp(`\\b${p.name.text.replace(/[$]/g, '\\$')}\\b`).test(text);
  if (!fn.parameters.some((p) => named(p, pathText))) return undefined;
  // every parameter the registration reads is the call's argument: its path, and what it mounts or
  // registers (`function useWithFallback(url, route) { app.use(url, route) }`)
  const argsText = call.arguments.map((a) => a.getText()).join('\n');
  const params = fn.parameters.filter((p) => named(p, argsText));
  const out: Bindings[] = [];
  const sites: (readonly ts.Expression[])[] = [
    ...callersInFile(fn, values).map((c) => c.arguments),
    ...iteratingSites(fn, values),
  ];
  for (const args of sites) {
    const b: Bindings = [];
    for (const p of params) {
      const arg = args[fn.parameters.indexOf(p)];
      if (!arg || ts.isSpreadElement(arg)) return undefined;
      b.push([p, arg]);
    }
    out.push(b);
    if (out.length > MAX_CALL_SITES) return undefined;
  }
  return out.length ? out : undefined;
}

/** The bindings of a loop variable (`decl`, named `name`) over `source`: an array, or `Object.keys/entries/values(obj)`. */
function loopBindings(
  name: ts.BindingName,
  decl: ts.Node,
  source: ts.Expression,
  values: ValueResolver,
): Bindings[] | undefined {
  // (through a constant holding the keys: `const keys = Object.keys(routes); keys.forEach(…)`)
  const src = skipOuter(constInitializer(skipOuter(source)));
  const over = objectIteration(src);
  if (over === 'keys')
    return ts.isIdentifier(name) ? keyBindings((src as ts.CallExpression).arguments[0], decl, values) : undefined;
  if (over === 'entries') {
    if (!ts.isArrayBindingPattern(name)) return undefined;
    const [k, v] = name.elements;
    const obj = objectOf((src as ts.CallExpression).arguments[0], values);
    if (!obj) return undefined;
    return pathKeyed(obj).map(([key, value]) => [
      ...(k && ts.isBindingElement(k) ? ([[k, key]] as Bindings) : []),
      ...(v && ts.isBindingElement(v) ? ([[v, value]] as Bindings) : []),
    ]);
  }
  // `Object.values(routes)`: each value of the table, in order
  const table = over === 'values' ? objectOf((src as ts.CallExpression).arguments[0], values) : undefined;
  // `Object.values(allRoutes)` over a module's namespace (`import * as allRoutes`): its exports
  const namespace =
    over === 'values' && !table ? namespaceElements((src as ts.CallExpression).arguments[0], decl, values) : undefined;
  const elements = table
    ? [table, ...assignedInto(table, values)].flatMap(valuesOf)
    : over === 'values'
      ? namespace
      : iteratedElements(src, values);
  if (!elements || elements.length > (namespace ? MAX_KEYED : 50)) return undefined;
  if (ts.isIdentifier(name)) return elements.map((e) => [[decl, e]]);
  // each element taken apart where the loop variable is a pattern (`([prefix, router]) => …`,
  // `({ path, route }) => …`): every part bound to that element's own part, or no bindings at all
  const out: Bindings[] = [];
  for (const e of elements) {
    const parts = destructured(name, e, values);
    if (!parts) return undefined;
    out.push(parts);
  }
  return out;
}

/**
 * The values of the module namespaces a loop goes over (`for (const r of Object.values(allRoutes))` with
 * `import * as allRoutes from './routes'`), in export order, also where the namespace is a parameter of the
 * function the loop is in, bound by that function's calls in its file. A namespace re-exported inside it
 * (`export * as wallet from './wallet'`) is walked too when the function calls itself with the loop
 * variable (a walker that descends into nested barrels), and left out otherwise.
 */
function namespaceElements(arg: ts.Expression, decl: ts.Node, values: ValueResolver): ts.Expression[] | undefined {
  const files: string[] = [];
  let nested = false;
  for (const v of values.resolve(arg)) {
    if (v.kind === 'module') files.push(v.file);
    else if (v.kind === 'param' && !v.path.length && !values.bound) {
      // (a walker called from outside with more than one namespace, `mountAll(api, publicRoutes);
      // mountAll(secure, secureRoutes)`, would mount every namespace on every router: not read)
      let outside = 0;
      for (const site of callersInFile(v.fn, values)) {
        const a = site.arguments[v.index];
        if (!a || ts.isSpreadElement(a)) continue;
        const x = skipOuter(a);
        if (ts.isIdentifier(x) && findDeclaration(x) === decl) nested = true;
        else if (++outside > 1) return undefined;
        else for (const m of values.resolve(a)) if (m.kind === 'module') files.push(m.file);
      }
    }
  }
  if (!files.length) return undefined;
  const out: ts.Expression[] = [];
  const seen = new Set<string>();
  const walk = (file: string, depth: number): void => {
    if (seen.has(file) || depth > 4 || out.length > MAX_KEYED) return;
    seen.add(file);
    const table = values.exportsOf(file);
    if (!table) return;
    for (const spec of table.stars)
      for (const m of values.importValue(spec, file, '*', arg, 0, new Set()))
        if (m.kind === 'module') walk(m.file, depth + 1);
    for (const name of table.named.keys()) {
      for (const x of values.exportValue(file, name)) {
        if (x.kind === 'module') {
          if (nested) walk(x.file, depth + 1);
        } else if (x.kind === 'object' || x.kind === 'array' || x.kind === 'call') out.push(x.node);
        else if (x.kind === 'instance' && x.site) out.push(x.site);
      }
    }
  };
  for (const f of files) walk(f, 0);
  return out.length ? [...new Set(out)] : undefined;
}

/** The parts of one element a binding pattern names: `[a, b]` over an array literal, `{ a, b: c }` over an object literal. */
function destructured(name: ts.BindingName, element: ts.Expression, values: ValueResolver): Bindings | undefined {
  if (ts.isIdentifier(name)) return undefined;
  const v = values.resolve(element).find((x) => x.kind === (ts.isArrayBindingPattern(name) ? 'array' : 'object'));
  if (!v) return undefined;
  const out: Bindings = [];
  if (ts.isArrayBindingPattern(name) && v.kind === 'array') {
    name.elements.forEach((el, i) => {
      if (!ts.isBindingElement(el) || el.dotDotDotToken) return;
      const part = v.node.elements[i];
      if (part && !ts.isSpreadElement(part)) out.push([el, part]);
    });
  } else if (ts.isObjectBindingPattern(name) && v.kind === 'object') {
    for (const el of name.elements) {
      if (el.dotDotDotToken) continue;
      const key = ((el.propertyName ?? el.name) as ts.Identifier).text;
      const prop = v.node.properties.find(
        (p) =>
          (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) &&
          ts.isIdentifier(p.name) &&
          p.name.text === key,
      );
      if (prop && ts.isPropertyAssignment(prop)) out.push([el, prop.initializer]);
      else if (prop && ts.isShorthandPropertyAssignment(prop)) out.push([el, prop.name]);
    }
  }
  return out.length ? out : undefined;
}

/**
 * The elements of the array a loop goes over: a constant array, or a function's parameter
 * (`const register = (list) => list.map(…)`) bound to the arrays its calls in the same file pass.
 */
function iteratedElements(expr: ts.Expression, values: ValueResolver): ts.Expression[] | undefined {
  const out: ts.Expression[] = [];
  let found = false;
  for (const v of values.resolve(expr)) {
    if (v.kind === 'array') {
      found = true;
      out.push(...spreadElements(v.node, values, 0));
    } else if (v.kind === 'param' && !v.path.length && !values.bound) {
      const param = v.fn.parameters[v.index];
      for (const call of callersInFile(v.fn, values)) {
        const arg = call.arguments[v.index];
        if (!param || !arg || ts.isSpreadElement(arg)) continue;
        const arr = values.resolve(arg).find((a) => a.kind === 'array');
        if (!arr || arr.kind !== 'array') continue;
        found = true;
        out.push(...arr.node.elements.filter((e) => !ts.isSpreadElement(e)));
      }
    }
  }
  return found ? out : undefined;
}

/**
 * The elements of an array literal, those of the arrays it spreads in place (`[...hr, ...lib]` with `hr`
 * an imported `[department, users]`), a few levels deep; a spread that resolves to no array is left out.
 */
function spreadElements(arr: ts.ArrayLiteralExpression, values: ValueResolver, depth: number): ts.Expression[] {
  return arr.elements.flatMap((e) => {
    if (!ts.isSpreadElement(e)) return [e];
    if (depth >= 3) return [];
    return values
      .resolve(e.expression)
      .flatMap((v) => (v.kind === 'array' ? spreadElements(v.node, values, depth + 1) : []));
  });
}

/** Calls of a named function in the file that declares it. */
function callersInFile(fn: ts.SignatureDeclaration, values: ValueResolver): ts.CallExpression[] {
  const name = nameOf(fn);
  if (!name) return [];
  return callIndex(fn.getSourceFile()).calls.filter((c) => {
    const callee = skipOuter(c.expression);
    return (
      ts.isIdentifier(callee) &&
      callee.text === name &&
      values.resolve(callee).some((x) => x.kind === 'function' && x.node === fn)
    );
  });
}

/**
 * The argument lists a function gets when it is handed by name to a loop in its file
 * (`routeBases.forEach(registerApiRoutes)`): one per element of the collection, its first argument that
 * element (the index and the collection are not bound). The collection is an array, or a set made from one
 * (`new Set(['/api'])`), with what its scope adds to it afterwards (`bases.add(v1)`, `list.push(a, b)`).
 */
function iteratingSites(fn: ts.SignatureDeclaration, values: ValueResolver): ts.Expression[][] {
  const name = nameOf(fn);
  if (!name) return [];
  const out: ts.Expression[][] = [];
  for (const loop of callIndex(fn.getSourceFile()).calls) {
    const callee = skipOuter(loop.expression);
    const ref = loop.arguments[0];
    if (
      !ref ||
      !ts.isIdentifier(ref) ||
      ref.text !== name ||
      !ts.isPropertyAccessExpression(callee) ||
      !['forEach', 'map'].includes(callee.name.text) ||
      !values.resolve(ref).some((x) => x.kind === 'function' && x.node === fn)
    )
      continue;
    const elements = collectionElements(callee.expression, values);
    if (elements) out.push(...elements.map((e) => [e]));
  }
  return out.length <= MAX_CALL_SITES ? out : [];
}

/** The elements of an array or a `new Set([...])` held by a name, with those its scope adds or pushes later. */
function collectionElements(expr: ts.Expression, values: ValueResolver): ts.Expression[] | undefined {
  const x = skipOuter(expr);
  const decl = ts.isIdentifier(x) ? findDeclaration(x) : undefined;
  const init = decl && ts.isVariableDeclaration(decl) && decl.initializer ? skipOuter(decl.initializer) : undefined;
  const made =
    init &&
    ts.isNewExpression(init) &&
    ts.isIdentifier(init.expression) &&
    init.expression.text === 'Set' &&
    init.arguments?.length === 1
      ? init.arguments[0]
      : undefined;
  const base = made ? iteratedElements(made, values) : iteratedElements(x, values);
  if (!base) return undefined;
  if (!decl || !ts.isVariableDeclaration(decl)) return base;
  const scope = declaringScope(decl);
  const added: ts.Expression[] = [];
  forEachNode(scope, (n) => {
    if (!ts.isCallExpression(n) || !ts.isPropertyAccessExpression(n.expression)) return;
    if (!['add', 'push', 'unshift'].includes(n.expression.name.text)) return;
    const recv = skipOuter(n.expression.expression);
    if (!ts.isIdentifier(recv) || findDeclaration(recv) !== decl) return;
    for (const a of n.arguments) if (!ts.isSpreadElement(a)) added.push(a);
  });
  return [...base, ...added];
}

/** The function (or file) a declaration belongs to: where what is done to its value afterwards is looked for. */
function declaringScope(decl: ts.Node): ts.Node {
  let scope: ts.Node = decl;
  while (scope.parent && !ts.isFunctionLike(scope) && !ts.isSourceFile(scope)) scope = scope.parent;
  return scope;
}

/** `Object.keys(x)` / `Object.entries(x)` / `Object.values(x)`. */
function objectIteration(x: ts.Expression): 'keys' | 'entries' | 'values' | undefined {
  if (!ts.isCallExpression(x) || x.arguments.length !== 1 || !ts.isPropertyAccessExpression(x.expression))
    return undefined;
  const recv = x.expression.expression;
  if (!ts.isIdentifier(recv) || recv.text !== 'Object') return undefined;
  const m = x.expression.name.text;
  return m === 'keys' || m === 'entries' || m === 'values' ? m : undefined;
}

/** Each key of an object keyed by path bound to `decl`. */
function keyBindings(objExpr: ts.Expression, decl: ts.Node, values: ValueResolver): Bindings[] | undefined {
  const obj = objectOf(objExpr, values);
  if (!obj) return undefined;
  const entries = [...pathKeyed(obj), ...assignedInto(obj, values).flatMap(pathKeyed)];
  return entries.length <= MAX_KEYED ? entries.map(([key]) => [[decl, key]]) : undefined;
}

/** At most this many keys of a route table are evaluated one by one. */
const MAX_KEYED = 400;

/**
 * Objects copied into a constant object after it was made (`const routes = {}; … Object.assign(routes,
 * coreRoutes); return routes`): their keys are its keys too. Only in the function that declares it.
 */
function assignedInto(obj: ts.ObjectLiteralExpression, values: ValueResolver): ts.ObjectLiteralExpression[] {
  const decl = obj.parent;
  if (!ts.isVariableDeclaration(decl) || decl.initializer !== obj || !ts.isIdentifier(decl.name)) return [];
  const scope = declaringScope(decl);
  const out: ts.ObjectLiteralExpression[] = [];
  forEachNode(scope, (n) => {
    if (
      !ts.isCallExpression(n) ||
      n.arguments.length < 2 ||
      n.expression.getText().replace(/\s/g, '') !== 'Object.assign'
    )
      return;
    const target = skipOuter(n.arguments[0]);
    if (!ts.isIdentifier(target) || findDeclaration(target) !== decl) return;
    for (const a of n.arguments.slice(1)) {
      const o = objectOf(a, values);
      if (o && o !== obj) out.push(o);
    }
  });
  return out;
}

function objectOf(x: ts.Expression, values: ValueResolver): ts.ObjectLiteralExpression | undefined {
  const v = values.resolve(x).find((y) => y.kind === 'object');
  return v && v.kind === 'object' ? v.node : undefined;
}

/** The values of an object literal, whatever its keys (`{ vapi: { path, router }, … }`), in order. */
function valuesOf(obj: ts.ObjectLiteralExpression): ts.Expression[] {
  return obj.properties.flatMap((p) =>
    ts.isPropertyAssignment(p) ? [p.initializer] : ts.isShorthandPropertyAssignment(p) ? [p.name] : [],
  );
}

/** The entries of an object whose keys are written as strings (`{ '/user': userRouter }`), at most 50. */
function pathKeyed(obj: ts.ObjectLiteralExpression): [ts.Expression, ts.Expression][] {
  const out: [ts.Expression, ts.Expression][] = [];
  for (const p of obj.properties) {
    if (!ts.isPropertyAssignment(p) || !ts.isStringLiteral(p.name)) continue;
    out.push([p.name, p.initializer]);
  }
  return out.length <= MAX_KEYED ? out : [];
}

const callIndexCache = new WeakMap<ts.SourceFile, { calls: ts.CallExpression[]; newExprs: ts.NewExpression[] }>();

/** Every call and `new` in a file, walked once (without recursion: files nest deep) and shared by every adapter. */
export function callIndex(sf: ts.SourceFile): { calls: ts.CallExpression[]; newExprs: ts.NewExpression[] } {
  let hit = callIndexCache.get(sf);
  if (!hit) {
    const calls: ts.CallExpression[] = [];
    const newExprs: ts.NewExpression[] = [];
    forEachNode(sf, (n) => {
      if (ts.isCallExpression(n)) calls.push(n);
      else if (ts.isNewExpression(n)) newExprs.push(n);
    });
    hit = { calls, newExprs };
    callIndexCache.set(sf, hit);
  }
  return hit;
}

/** The name a registrar function is called by, or undefined when callers may name it anything (default export, callback). */
export function nameOf(fn: ts.Node): string | undefined {
  const f = fn as ts.SignatureDeclaration;
  const isDefault = ts.canHaveModifiers(f) && ts.getModifiers(f)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
  if (isDefault) return undefined;
  if ((ts.isFunctionDeclaration(f) || ts.isMethodDeclaration(f)) && f.name) return f.name.getText();
  if (ts.isConstructorDeclaration(f)) return f.parent.name?.text;
  const parent = f.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return undefined;
}
