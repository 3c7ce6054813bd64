// Body fields a handler reads: `req.body.x`, `const { x } = req.body`, `await req.json()`,
// `await request.formData()` + `.get('x')`, `c.req.json()`, `c.req.valid('json')`, and the keys of
// a zod `z.object({...})` schema the body is parsed with.
import { ts } from 'ts-morph';
import { compiled, ruleFile } from '../rules/load.js';
import type { BodyField, Framework, FunctionNode } from '../model.js';
import { spanOf } from '../util.js';
import { assumeMethod, reachableUnder } from './assume.js';
import { findDeclaration } from './scope.js';
import { evalString } from './strings.js';
import { propertyNameText, skipOuter, type ValueResolver } from './values.js';

function paramName(fn: FunctionNode, i: number): string | undefined {
  const p = fn.parameters[i];
  return p && ts.isIdentifier(p.name) ? p.name.text : undefined;
}

/** `const parsed = schema.safeParse(body)`: a result object, not the body. */
function safeParsed(decl: ts.VariableDeclaration | ts.BindingElement): boolean {
  const init = decl.initializer && skipOuter(decl.initializer);
  return (
    !!init &&
    ts.isCallExpression(init) &&
    ts.isPropertyAccessExpression(init.expression) &&
    /^safeParse(Async)?$/.test(init.expression.name.text)
  );
}

/** Is `e` the handler's request object (its first parameter, or a name a request goes by)? */
function isRequestName(e: ts.Expression, reqName: string | undefined): boolean {
  const y = skipOuter(e);
  return ts.isIdentifier(y) && (reqName ? y.text === reqName : /^(req|request|ctx|c|context)$/.test(y.text));
}

/** Is `e` an expression that yields the request body? */
function isBodySource(e: ts.Expression, framework: Framework, reqName: string | undefined): boolean {
  const x = skipOuter(e);
  const isReq = (r: ts.Expression): boolean => isRequestName(r, reqName);
  if (
    ts.isPropertyAccessExpression(x) &&
    x.name.text === 'body' &&
    isReq(x.expression) &&
    (framework === 'express' || framework === 'next-pages')
  )
    return true;
  // a body the client sent as text, parsed by the handler (`JSON.parse(req.body)`)
  if (ts.isCallExpression(x) && x.arguments.length === 1 && /^JSON\.parse$/.test(x.expression.getText()))
    return isBodySource(x.arguments[0], framework, reqName);
  return ts.isCallExpression(x) && bodyReadCall(x, reqName) !== undefined;
}

/**
 * A call that reads the request body: `'raw'` as the client sent it (`await req.json()`,
 * `request.formData()`, Hono `c.req.json()`, `c.req.parseBody()`), `'validated'` through a
 * validator (`c.req.valid('json' | 'form')`); undefined for any other call.
 */
export function bodyReadCall(x: ts.CallExpression, reqName?: string): 'raw' | 'validated' | undefined {
  if (!ts.isPropertyAccessExpression(x.expression)) return undefined;
  const isReq = (r: ts.Expression): boolean => isRequestName(r, reqName);
  const m = x.expression.name.text;
  const recv = skipOuter(x.expression.expression);
  if ((m === 'json' || m === 'formData') && isReq(recv)) return 'raw';
  if (!ts.isPropertyAccessExpression(recv) || recv.name.text !== 'req' || !isReq(recv.expression)) return undefined;
  if (m === 'json' || m === 'parseBody' || m === 'formData') return 'raw';
  if (
    m === 'valid' &&
    x.arguments[0] &&
    ts.isStringLiteralLike(x.arguments[0]) &&
    ['json', 'form'].includes(x.arguments[0].text)
  )
    return 'validated';
  return undefined;
}

/**
 * Body schemas handed to a validation middleware or helper: `validate(schema)`,
 * `validate({ body: Joi.object().keys({…}) })`, `validate(userValidation.createUser)`.
 */
export function schemasInArgs(call: ts.CallExpression, values: ValueResolver): ts.Expression[] {
  const out: ts.Expression[] = [];
  for (const a of call.arguments) {
    if (schemaKeys(a, values).length) {
      out.push(a);
      continue;
    }
    // an object of request parts: only its body is the body
    const objs = [skipOuter(a), ...values.resolve(a).map((v) => ('node' in v ? v.node : undefined))].filter(
      (n): n is ts.Node => !!n,
    );
    for (const o of objs) {
      if (!ts.isObjectLiteralExpression(o)) continue;
      for (const p of o.properties) {
        if (
          ts.isPropertyAssignment(p) &&
          p.name &&
          /^(body|json|form)$/.test(propertyNameText(p.name) ?? '') &&
          schemaKeys(p.initializer, values).length
        )
          out.push(p.initializer);
      }
      break;
    }
  }
  return out;
}

/** Adds the keys of `schemas` to an endpoint's body fields (once per name). */
export function addSchemaFields(fields: BodyField[], schemas: readonly ts.Expression[], values: ValueResolver): void {
  for (const sc of schemas)
    for (const k of schemaKeys(sc, values)) {
      const name = propertyNameText(k);
      const had = name ? fields.find((b) => b.name === name) : undefined;
      if (had) had.declared = true;
      else if (name) fields.push({ name, span: spanOf(k), declared: true });
    }
}

/**
 * The keys of what a schema parse produced, at a member path: `const data = schema.parse(body)` then
 * `data.form` gives the keys of the schema's `form` object (`schema.safeParse(body).data` too).
 * Undefined when `e` is not such a value.
 */
export function parsedKeys(e: ts.Expression, values: ValueResolver): string[] | undefined {
  const path: string[] = [];
  let x = skipOuter(e);
  while (ts.isPropertyAccessExpression(x)) {
    path.unshift(x.name.text);
    x = skipOuter(x.expression);
  }
  let init: ts.Expression | undefined;
  // the parse call itself (`usersService.update(id, schema.parse(details))`), or a local holding its result
  if (ts.isCallExpression(x)) init = x;
  else if (ts.isIdentifier(x)) {
    const d = findDeclaration(x);
    init = d && ts.isVariableDeclaration(d) && d.initializer ? skipOuter(d.initializer) : undefined;
  } else return undefined;
  if (!init || !ts.isCallExpression(init) || !ts.isPropertyAccessExpression(init.expression)) return undefined;
  const m = init.expression.name.text;
  if (!/^(safe)?[pP]arse(Async)?$/.test(m)) return undefined;
  if (m.startsWith('safe')) {
    if (path[0] !== 'data') return undefined;
    path.shift();
  }
  let schema: ts.Expression = init.expression.expression;
  for (const step of path) {
    const key = schemaKeys(schema, values).find((k) => propertyNameText(k) === step);
    const holder = key?.parent;
    if (!holder || !ts.isPropertyAssignment(holder)) return undefined;
    schema = holder.initializer;
  }
  const keys = schemaKeys(schema, values)
    .map((k) => propertyNameText(k))
    .filter((k): k is string => !!k);
  return keys.length ? keys : undefined;
}

/**
 * The keys a body filter lets through (`utils.bodyFilter({ req, includedFields: ['status', 'role'] })`,
 * `pick(req.body, ['name', 'email'])`, `filterObj(req.body, 'name', 'email')`): a call named for filtering given the
 * request and a list of field names (an array of strings, as an argument, under a key naming allowed fields, or as
 * string arguments) writes at most those. Undefined when `e` is not such a value.
 */
export function allowListedKeys(e: ts.Expression, values: ValueResolver): string[] | undefined {
  const r = ALLOW_LISTS();
  if (!r) return undefined;
  let x = skipOuter(e);
  if (ts.isIdentifier(x)) {
    const d = findDeclaration(x);
    x = d && ts.isVariableDeclaration(d) && d.initializer ? skipOuter(d.initializer) : x;
    if (ts.isAwaitExpression(x)) x = skipOuter(x.expression);
  }
  if (!ts.isCallExpression(x)) return undefined;
  const callee = skipOuter(x.expression);
  const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
  if (!r.calls.test(name)) return undefined;
  const listKey = r.listKeys;
  const strings = (v: ts.Expression): string[] | undefined => {
    for (const val of [skipOuter(v), ...values.resolve(v).map((y) => (y.kind === 'array' ? y.node : undefined))]) {
      if (!val || !ts.isArrayLiteralExpression(val)) continue;
      const items = val.elements.map((el) => (ts.isStringLiteralLike(el) ? el.text : undefined));
      if (items.length && items.every((i): i is string => i !== undefined)) return items;
    }
    return undefined;
  };
  const out: string[] = [];
  for (const a of x.arguments) {
    const arg = skipOuter(a);
    if (ts.isStringLiteralLike(arg)) out.push(arg.text);
    else if (ts.isObjectLiteralExpression(arg)) {
      for (const p of arg.properties) {
        const key = p.name ? propertyNameText(p.name) : undefined;
        if (!key || !listKey.test(key)) continue;
        const v = ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : undefined;
        const got = v && strings(v);
        if (got) out.push(...got);
      }
    } else {
      const got = strings(arg);
      if (got) out.push(...got);
    }
  }
  return out.length ? [...new Set(out)] : undefined;
}

/** Body filters' names and the keys holding their lists (rules/effects.json `orm.allowLists`), compiled once. */
const ALLOW_LISTS = compiled(() => {
  const r = ruleFile('effects').orm.allowLists;
  return r ? { calls: new RegExp(r.calls, 'i'), listKeys: new RegExp(r.listKeys, 'i') } : undefined;
});

/** Keys of a zod-like object schema: `z.object({ a, b })`, `.extend({...})`, `.strict()`, `.pick`…; Joi `object().keys({...})`. */
export function schemaKeys(expr: ts.Expression, values: ValueResolver, depth = 0): ts.PropertyName[] {
  if (depth > 6) return [];
  const x = skipOuter(expr);
  if (ts.isCallExpression(x)) {
    const callee = skipOuter(x.expression);
    const out: ts.PropertyName[] = [];
    // a schema generated from a table (drizzle-zod `createInsertSchema(users)`): the table's columns
    if (ts.isIdentifier(callee) && /^create(Insert|Update)Schema$/.test(callee.text) && x.arguments[0])
      return tableColumns(x.arguments[0], values);
    if (ts.isPropertyAccessExpression(callee) && /^(omit|pick)$/.test(callee.name.text)) {
      // `schema.omit({ role: true })` leaves the key out; `schema.pick({ name: true })` keeps only those
      const base = schemaKeys(callee.expression, values, depth + 1);
      const arg = x.arguments[0] && skipOuter(x.arguments[0]);
      // zod's `{ name: true }`, yup's `['name']`
      const named = new Set(
        arg && ts.isObjectLiteralExpression(arg)
          ? arg.properties.flatMap((p) => (p.name ? [propertyNameText(p.name)] : []))
          : arg && ts.isArrayLiteralExpression(arg)
            ? arg.elements.flatMap((el) => (ts.isStringLiteralLike(el) ? [el.text] : []))
            : [],
      );
      if (!arg || !(ts.isObjectLiteralExpression(arg) || ts.isArrayLiteralExpression(arg))) return base;
      const omit = callee.name.text === 'omit';
      return base.filter((k) => named.has(propertyNameText(k)) !== omit);
    }
    if (ts.isPropertyAccessExpression(callee)) {
      const m = callee.name.text;
      if (['object', 'extend', 'merge', 'strictObject', 'looseObject', 'keys', 'append', 'shape', 'and'].includes(m)) {
        for (const a of x.arguments) {
          const obj = skipOuter(a);
          if (ts.isObjectLiteralExpression(obj)) {
            for (const p of obj.properties)
              if (p.name) out.push(p.name);
              else if (ts.isSpreadAssignment(p)) out.push(...spreadShape(p.expression, values, depth + 1));
          } else if (m !== 'object' && m !== 'strictObject' && m !== 'looseObject') {
            // another schema joined in (`a.merge(b)`, `a.and(b.partial())`, `a.extend(b.shape)`): its keys too
            out.push(...schemaKeys(a, values, depth + 1));
          }
        }
      }
      if (m !== 'object' && m !== 'strictObject' && m !== 'looseObject')
        out.push(...schemaKeys(callee.expression, values, depth + 1));
    }
    return out;
  }
  if (ts.isIdentifier(x) || ts.isPropertyAccessExpression(x)) {
    // `other.shape` spread or handed in: the schema's own keys
    if (ts.isPropertyAccessExpression(x) && x.name.text === 'shape') return schemaKeys(x.expression, values, depth + 1);
    for (const v of values.resolve(x)) {
      if (v.kind === 'unknown' && ts.isExpression(v.node) && v.node !== x) continue;
      const node = 'node' in v ? v.node : undefined;
      if (v.kind === 'call' && node && ts.isCallExpression(node)) {
        const keys = schemaKeys(node, values, depth + 1);
        if (keys.length) return keys;
      }
    }
  }
  return [];
}

/** Keys a spread brings into a schema's shape (`{ ...base.shape, extra }`). */
function spreadShape(e: ts.Expression, values: ValueResolver, depth: number): ts.PropertyName[] {
  const x = skipOuter(e);
  return ts.isPropertyAccessExpression(x) && x.name.text === 'shape' ? schemaKeys(x.expression, values, depth) : [];
}

/**
 * A table definition's column map: the object written in place (`pgTable('users', { … })`) or the one its
 * column builder callback returns (`pgTable('users', (t) => ({ id: t.uuid(), … }))`, Drizzle's newer form).
 */
function columnMap(arg: ts.Expression | undefined): ts.ObjectLiteralExpression | undefined {
  let x = arg && skipOuter(arg);
  if (x && ts.isArrowFunction(x) && !ts.isBlock(x.body)) x = skipOuter(x.body);
  return x && ts.isObjectLiteralExpression(x) ? x : undefined;
}

/** The columns of a table object (`pgTable('users', { id: …, email: … })`): the keys of its column map. */
function tableColumns(table: ts.Expression, values: ValueResolver): ts.PropertyName[] {
  for (const v of values.resolve(table)) {
    if (v.kind !== 'call' || !ts.isCallExpression(v.node)) continue;
    const cols = columnMap(v.node.arguments[1]);
    if (cols) return cols.properties.flatMap((p) => (p.name ? [p.name] : []));
  }
  return [];
}

/** How far the body (or the request) was handed into project functions, and the functions already read. */
interface HandedOver {
  depth: number;
  seen: Set<FunctionNode>;
  /** The request object's name in a helper it was handed to (`handlePOST(req, res)` → its own parameter). */
  reqName?: string;
}

/** How many project functions deep a body or request handed over as an argument is followed. */
const MAX_HANDED_OVER = 2;

/** The parameter of `fn` an argument at `index` binds (not a rest parameter: that is an array). */
function parameterAt(fn: FunctionNode, index: number): ts.ParameterDeclaration | undefined {
  const p = fn.parameters[index];
  return p && !p.dotDotDotToken ? p : undefined;
}

/**
 * `bodySource`: expressions that hold the body besides the request's (a tRPC procedure's `input`,
 * a server action's parameters); their reads are followed the same way.
 */
export function readBodyFields(
  fn: FunctionNode,
  framework: Framework,
  values: ValueResolver,
  method?: string,
  schemas: ts.Expression[] = [],
  bodySource?: (e: ts.Expression) => boolean,
  handedOver: HandedOver = { depth: 0, seen: new Set() },
): BodyField[] {
  const body = fn.body;
  if (!body) return [];
  const reqName = handedOver.reqName ?? paramName(fn, 0);
  const fields = new Map<string, BodyField>();
  const assumptions = assumeMethod(method, values);
  // `reach`: the node of this function whose reachability counts (a call handing the body to a helper)
  const add = (name: string | undefined, node: ts.Node, reach: ts.Node = node, declared = false): void => {
    if (!name || name === '*' || setHere?.has(name)) return;
    const had = fields.get(name);
    if (had) {
      if (declared) had.declared = true;
      return;
    }
    if (!reachableUnder(reach, fn, assumptions)) return;
    fields.set(name, { name, span: spanOf(node), ...(declared ? { declared } : {}) });
  };
  const declare = (k: ts.PropertyName): void => add(propertyNameText(k), k, k, true);
  // while a copy of the body is followed (`const data = { ...req.body, orgId: id }`): the keys the copy sets itself
  let setHere: Set<string> | undefined;
  const visitedDecls = new Set<ts.Node>();
  handedOver.seen.add(fn);
  const merge = (more: readonly BodyField[], at: ts.Node): void => {
    if (!reachableUnder(at, fn, assumptions)) return;
    for (const f of more) if (!fields.has(f.name)) fields.set(f.name, f);
  };
  /**
   * The body (or the request) handed to a project function (`manager.addFunds(req.body, adminId)`,
   * `handlePOST(req, res)`): what that function reads of its parameter is read of the body.
   */
  const handOver = (call: ts.CallExpression, arg: ts.Node, asRequest: boolean): void => {
    if (handedOver.depth >= MAX_HANDED_OVER) return;
    const index = call.arguments.indexOf(arg as ts.Expression);
    if (index < 0) return;
    for (const v of values.resolve(call.expression)) {
      if (v.kind !== 'function' || !v.node.body || handedOver.seen.has(v.node)) continue;
      const param = parameterAt(v.node, index);
      if (!param) continue;
      if (ts.isObjectBindingPattern(param.name) && !asRequest) {
        fromBinding(param.name, call);
        continue;
      }
      if (!ts.isIdentifier(param.name)) continue;
      const name = param.name.text;
      const next = { depth: handedOver.depth + 1, seen: handedOver.seen };
      const more = asRequest
        ? readBodyFields(v.node, framework, values, undefined, [], undefined, { ...next, reqName: name })
        : readBodyFields(
            v.node,
            framework,
            values,
            undefined,
            [],
            (x) => ts.isIdentifier(x) && x.text === name && findDeclaration(x) === param,
            next,
          );
      merge(more, call);
    }
  };

  const fromBinding = (pattern: ts.ObjectBindingPattern, reach?: ts.Node): void => {
    for (const el of pattern.elements) {
      if (el.dotDotDotToken) continue;
      const n = el.propertyName ?? el.name;
      add(propertyNameText(n as ts.PropertyName), el, reach);
    }
  };

  // Follow a body value: member reads, destructuring, aliases, schema parses, formData `.get`.
  const follow = (e: ts.Expression, depth: number): void => {
    if (depth > 4) return;
    let cur: ts.Node = e;
    while (
      cur.parent &&
      (ts.isParenthesizedExpression(cur.parent) ||
        ts.isAwaitExpression(cur.parent) ||
        ts.isAsExpression(cur.parent) ||
        ts.isNonNullExpression(cur.parent) ||
        ts.isSatisfiesExpression(cur.parent))
    )
      cur = cur.parent;
    const parent = cur.parent;
    if (!parent) return;
    // `req.body || {}`, `req.body ?? {}`: the body, or an empty stand-in for it
    if (
      ts.isBinaryExpression(parent) &&
      parent.left === cur &&
      (parent.operatorToken.kind === ts.SyntaxKind.BarBarToken ||
        parent.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)
    ) {
      follow(parent, depth + 1);
      return;
    }
    if (ts.isPropertyAccessExpression(parent) && parent.expression === cur) {
      const m = parent.name.text;
      const call = parent.parent;
      if ((m === 'get' || m === 'getAll') && ts.isCallExpression(call) && call.arguments[0])
        add(evalString(call.arguments[0], values), call.arguments[0]);
      // `await req.json().catch(() => ({}))`: the body, or a fallback in its place
      else if ((m === 'catch' || m === 'finally') && ts.isCallExpression(call) && call.expression === parent)
        follow(call, depth + 1);
      else if (m !== 'then') add(m, parent.name);
      return;
    }
    if (
      ts.isElementAccessExpression(parent) &&
      parent.expression === cur &&
      ts.isStringLiteralLike(parent.argumentExpression)
    ) {
      add(parent.argumentExpression.text, parent.argumentExpression);
      return;
    }
    // `const data = { ...req.body, organization_id: id }`: a copy of the body, its reads the body's fields except
    // for the keys the copy sets after the spread
    if (ts.isSpreadAssignment(parent) && ts.isObjectLiteralExpression(parent.parent)) {
      const copy = parent.parent;
      const holder = copy.parent;
      if (ts.isVariableDeclaration(holder) && holder.initializer === copy && ts.isIdentifier(holder.name)) {
        const own = new Set<string>();
        for (const p of copy.properties.slice(copy.properties.indexOf(parent) + 1)) {
          const key = p.name ? propertyNameText(p.name) : undefined;
          if (key && !ts.isSpreadAssignment(p)) own.add(key);
        }
        const before = setHere;
        setHere = new Set([...(before ?? []), ...own]);
        followIdentifierUses(holder, depth + 1);
        setHere = before;
      }
      return;
    }
    if (ts.isVariableDeclaration(parent) && parent.initializer === cur) {
      if (ts.isObjectBindingPattern(parent.name)) fromBinding(parent.name);
      else if (ts.isIdentifier(parent.name)) followIdentifierUses(parent, depth);
      return;
    }
    if (
      ts.isBinaryExpression(parent) &&
      parent.right === cur &&
      parent.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isObjectLiteralExpression(parent.left)
    )
      return;
    // `let body; … body = await req.json()`: the variable holds the body from then on
    if (
      ts.isBinaryExpression(parent) &&
      parent.right === cur &&
      parent.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isIdentifier(parent.left)
    ) {
      const d = findDeclaration(parent.left);
      if (d && ts.isVariableDeclaration(d) && ts.isIdentifier(d.name)) followIdentifierUses(d, depth);
      return;
    }
    // schema.parse(body) / schema.safeParse(body) / parseAsync
    if (ts.isCallExpression(parent) && parent.arguments.includes(cur as ts.Expression)) {
      const m = ts.isPropertyAccessExpression(parent.expression) ? parent.expression.name.text : '';
      if (
        ts.isPropertyAccessExpression(parent.expression) &&
        /^(safe)?[pP]arse(Async)?$|^validate(Sync|Async)?$|^cast$/.test(m)
      ) {
        // (Joi's `validate` refuses a key its schema does not declare; a parse returns a stripped copy and
        // leaves the body itself as the client sent it)
        const closes = /^validate/.test(m);
        for (const k of schemaKeys(parent.expression.expression, values))
          if (closes) declare(k);
          else add(propertyNameText(k), k);
        follow(parent, depth + 1);
      } else handOver(parent, cur, false);
    }
  };

  const followIdentifierUses = (decl: ts.VariableDeclaration | ts.BindingElement, depth: number): void => {
    if (visitedDecls.has(decl)) return;
    visitedDecls.add(decl);
    const name = (decl.name as ts.Identifier).text;
    const scan = (n: ts.Node): void => {
      if (ts.isIdentifier(n) && n.text === name && n !== decl.name && findDeclaration(n) === decl) {
        const p = n.parent;
        // `.data` of a safeParse result is the body again; its `.success` and `.error` are not body fields
        if (ts.isPropertyAccessExpression(p) && p.expression === n && p.name.text === 'data') follow(p, depth + 1);
        else if (!(ts.isPropertyAccessExpression(p) && p.expression === n && safeParsed(decl))) follow(n, depth + 1);
      }
      ts.forEachChild(n, scan);
    };
    scan(body);
  };

  const visit = (n: ts.Node): void => {
    if (ts.isExpression(n) && (isBodySource(n, framework, reqName) || bodySource?.(n))) {
      follow(n, 0);
    }
    // `const { body } = req`, `const { body: { email } } = req`: the body taken out of the request
    if (
      ts.isVariableDeclaration(n) &&
      ts.isObjectBindingPattern(n.name) &&
      n.initializer &&
      (framework === 'express' || framework === 'next-pages') &&
      isRequestName(n.initializer, reqName)
    ) {
      for (const el of n.name.elements) {
        if (el.dotDotDotToken || propertyNameText((el.propertyName ?? el.name) as ts.PropertyName) !== 'body') continue;
        if (ts.isIdentifier(el.name)) followIdentifierUses(el, 0);
        else if (ts.isObjectBindingPattern(el.name)) fromBinding(el.name);
      }
    }
    // a project helper given the request and a schema: `await parseRequest(request, schema)`
    if (
      reqName &&
      ts.isCallExpression(n) &&
      n.arguments.some((a) => ts.isIdentifier(skipOuter(a)) && (skipOuter(a) as ts.Identifier).text === reqName)
    ) {
      for (const sc of schemasInArgs(n, values)) for (const k of schemaKeys(sc, values)) declare(k);
      // a dispatch helper given the request (`handlePOST(req, res)`) reads the body itself
      const arg = n.arguments.find(
        (a) => ts.isIdentifier(skipOuter(a)) && (skipOuter(a) as ts.Identifier).text === reqName,
      );
      if (arg && (framework === 'express' || framework === 'next-pages')) handOver(n, arg, true);
    }
    ts.forEachChild(n, visit);
  };
  visit(body);
  for (const s of schemas) for (const k of schemaKeys(s, values)) declare(k);
  return [...fields.values()];
}
