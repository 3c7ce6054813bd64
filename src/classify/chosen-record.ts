// Whose record a write changes, by where its lookup's key comes from: `Account.findOne({ number:
// req.body.accountNumber })` then `account.save()` writes the record the request names, while a lookup
// keyed by who is signed in (`Wallet.findOne({ userId: req.user.id })`) writes the caller's own.
// The vocabulary is rules/assets.json `chosenRecord`.
import { ts } from 'ts-morph';
import { bindingPath, findDeclaration } from '../analysis/scope.js';
import type { Effect } from '../analysis/effects.js';
import { propertyNameText, skipOuter, type ValueResolver } from '../analysis/values.js';
import { compiled, ruleFile } from '../rules/load.js';
import { whereParams } from '../analysis/sql-params.js';
import { norm } from './words.js';

const rules = compiled(() => {
  const r = ruleFile('assets').chosenRecord;
  return {
    /** A read of what the client sends: the body, the route parameters, the query. */
    requestPayload: new RegExp(r.requestPayload),
    /** A read of who is signed in: the session or the user an auth middleware put on the request. */
    signedIn: new RegExp(r.signedIn),
    /** Keys that identify an account: a code looked up to find its owner (`referralCode`) names the code. */
    accountKeys: new RegExp(r.accountKeys, 'i'),
    /** Calls that convert or tidy a value without looking anything up. */
    conversions: new RegExp(r.conversions),
    /** Lookups whose record's fields an administrator's request chooses as much as the key it was found by. */
    finders: r.finders ? new RegExp(r.finders) : undefined,
    adminSegments: new Set((r.adminSegments ?? []).map((x) => x.toLowerCase())),
    adminGates: r.adminGates ? new RegExp(r.adminGates, 'i') : undefined,
  };
});

/** The text of an expression with its spaces removed, as the vocabulary matches it. */
function flat(x: ts.Node): string {
  return x.getText().replace(/\s+/g, '');
}

/**
 * Is the record this write changes one the request names: loaded by a lookup whose filter takes a
 * value the client sent, and no value of who is signed in?
 */
export function recordChosenByRequest(
  e: Effect,
  values: ValueResolver,
  throughRecords = false,
  /** The calls the write was reached through, outermost first: a helper's parameter is what its caller passed. */
  sites: readonly ts.CallExpression[] = [],
): boolean {
  const call = e.node;
  if (!ts.isCallExpression(call)) return false;
  const filters = lookupFilters(call, values);
  if (!filters.length) return false;
  const r = rules();
  let payload = false;
  let signedIn = false;
  const seen = new Set<ts.Node>();
  // the key as the client sent it, through locals, destructuring and conversions (`Number(id)`,
  // `email.trim()`); a value another lookup returned (`tx.userId` of a payment found by its reference)
  // is the server's, whatever the request used to find it
  const go = (n: ts.Node, depth: number): void => {
    if (signedIn || depth > 10 || seen.has(n)) return;
    seen.add(n);
    const x = ts.isExpression(n) ? skipOuter(n) : n;
    if (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x) || ts.isCallExpression(x)) {
      const text = flat(x);
      if (r.signedIn.test(text)) {
        signedIn = true;
        return;
      }
      if (r.requestPayload.test(text)) {
        payload = true;
        return;
      }
    }
    if (ts.isIdentifier(x)) {
      const d = findDeclaration(x);
      if (d && ts.isVariableDeclaration(d) && d.initializer) go(d.initializer, depth + 1);
      else if (d && ts.isBindingElement(d)) {
        const { root } = bindingPath(d);
        if (root && ts.isVariableDeclaration(root) && root.initializer) go(root.initializer, depth + 1);
        else if (root && ts.isParameter(root)) {
          const arg = passedFor(root, sites, values);
          // `addCredit({ userId })` called with `{ userId: row.userId }`: the property the binding takes
          const obj = arg && skipOuter(arg);
          const name = ts.isIdentifier(d.name) ? (d.propertyName ? propertyNameText(d.propertyName) : d.name.text) : '';
          if (obj && ts.isObjectLiteralExpression(obj)) {
            for (const p of obj.properties)
              if (p.name && propertyNameText(p.name) === name)
                go(
                  ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : p,
                  depth + 1,
                );
          } else if (obj) go(obj, depth + 1);
        }
      } else if (d && ts.isParameter(d)) {
        // a helper's parameter (`addBalance(amount, currency, userId)`): what the call the write came through passed
        const arg = passedFor(d, sites, values);
        if (arg) go(arg, depth + 1);
      }
      return;
    }
    if (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) return go(x.expression, depth + 1);
    if (ts.isCallExpression(x)) {
      const callee = skipOuter(x.expression);
      const name = ts.isIdentifier(callee)
        ? callee.text
        : ts.isPropertyAccessExpression(callee)
          ? callee.name.text
          : '';
      // (on an administrator's endpoint: a record found by what the request sends, and what it names)
      if (throughRecords && r.finders?.test(name)) {
        for (const a of x.arguments) for (const f of filterOf(a)) go(f, depth + 1);
        return;
      }
      // (…or by a SQL statement's WHERE clause: `prepare('SELECT … WHERE id = ?').bind(c.req.param('id')).first()`)
      if (throughRecords) {
        const keys = sqlKeys(x, values);
        if (keys.length) {
          for (const k of keys) go(k, depth + 1);
          return;
        }
      }
      if (!r.conversions.test(name)) return;
      if (ts.isPropertyAccessExpression(callee)) go(callee.expression, depth + 1);
      for (const a of x.arguments) go(a, depth + 1);
      return;
    }
    if (ts.isBinaryExpression(x) || ts.isConditionalExpression(x) || ts.isTemplateExpression(x))
      ts.forEachChild(x, (c) => go(c, depth + 1));
  };
  for (const f of filters) go(f, 0);
  return payload && !signedIn;
}

/** The argument the nearest call of the parameter's function among `sites` passes for it. */
function passedFor(
  param: ts.ParameterDeclaration,
  sites: readonly ts.CallExpression[],
  values: ValueResolver,
): ts.Expression | undefined {
  const fn = param.parent;
  const index = fn.parameters.indexOf(param);
  for (let i = sites.length - 1; i >= 0; i--) {
    const c = sites[i];
    if (values.resolve(c.expression).some((v) => v.kind === 'function' && v.node === fn)) return c.arguments[index];
  }
  return undefined;
}

/**
 * Is the endpoint an administrator's: by its path, by a middleware of its chain that keeps it to
 * administrators (`isAdmin`), or by its handler turning away whoever is not one (`if (user.role !==
 * UserRole.ADMIN) return res.status(403)…`)?
 */
export function administrative(
  path: string | undefined,
  chain: readonly { name: string }[],
  handler?: ts.Node,
): boolean {
  const gates = rules().adminGates;
  if (adminPath(path)) return true;
  if (!gates) return false;
  return chain.some((l) => gates.test(l.name)) || (!!handler && refusesNonAdmins(handler, gates));
}

/** An `if` whose condition names administrators and whose branch ends the request (`return 403`, `throw`). */
function refusesNonAdmins(fn: ts.Node, gates: RegExp): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIfStatement(n) && gates.test(n.expression.getText()) && negated(n.expression) && ends(n.thenStatement))
      found = true;
    else if (!ts.isFunctionLike(n) || n === fn) ts.forEachChild(n, visit);
  };
  visit(fn);
  return found;
}

/** A condition that holds for whoever is not an administrator: `role !== ADMIN`, `!isAdmin`, `!user.isAdmin`. */
function negated(cond: ts.Expression): boolean {
  const x = skipOuter(cond);
  if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.ExclamationToken) return true;
  if (ts.isBinaryExpression(x)) {
    const op = x.operatorToken.kind;
    if (op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken) return true;
    if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.AmpersandAmpersandToken)
      return negated(x.left) || negated(x.right);
  }
  return false;
}

/** A branch that ends the request: a `return` or a `throw` as its statement or among its block's statements. */
function ends(s: ts.Statement): boolean {
  if (ts.isReturnStatement(s) || ts.isThrowStatement(s)) return true;
  return ts.isBlock(s) && s.statements.some((t) => ts.isReturnStatement(t) || ts.isThrowStatement(t));
}

/** Is the endpoint an administrator's, by a segment of its path (`/api/admin/payments/:id`)? */
export function adminPath(path: string | undefined): boolean {
  return (path ?? '')
    .split('/')
    .some(
      (s) => rules().adminSegments.has(s.toLowerCase()) || rules().adminSegments.has(s.toLowerCase().split(/[-_.]/)[0]),
    );
}

/** Static writes whose first argument is the filter (Mongoose). */
const FILTER_FIRST = /^(updateOne|updateMany|findOneAndUpdate|replaceOne)$/;

/** The filters of the lookups the written record came from (`record.save()`), or of the write itself (`Model.updateOne(filter, …)`). */
function lookupFilters(call: ts.CallExpression, values: ValueResolver): ts.Expression[] {
  // a SQL statement: the values its WHERE clause compares account keys with
  const sql = sqlKeys(call, values);
  if (sql.length) return sql;
  const callee = skipOuter(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return [];
  const recv = skipOuter(callee.expression);
  // `Model.updateOne(filter, data)`, `prisma.wallet.update({ where, data })`
  if (call.arguments.length >= 1 && !ts.isIdentifier(recv)) return filterOf(call.arguments[0]);
  if (!ts.isIdentifier(recv)) return [];
  const out: ts.Expression[] = [];
  for (const v of values.resolve(recv)) {
    if (v.kind !== 'call' || !ts.isCallExpression(v.node) || !v.node.arguments.length) continue;
    const finder = skipOuter(v.node.expression);
    if (!ts.isPropertyAccessExpression(finder) || !/^find/.test(finder.name.text)) continue;
    out.push(...filterOf(v.node.arguments[0]));
  }
  // a static write given an id (`Model.findByIdAndUpdate(id, …)`)
  if (!out.length && call.arguments.length >= 1 && /ById/.test(callee.name.text)) out.push(call.arguments[0]);
  // a static write given its filter: Sequelize's `Model.update(data, { where })`, Mongoose's `Model.updateOne(filter, data)`
  if (!out.length) {
    const where = call.arguments.find((a) => {
      const x = skipOuter(a);
      return (
        ts.isObjectLiteralExpression(x) &&
        x.properties.some((p) => ts.isPropertyAssignment(p) && propertyNameText(p.name) === 'where')
      );
    });
    if (where) out.push(...filterOf(where));
    else if (FILTER_FIRST.test(callee.name.text) && call.arguments.length >= 2)
      out.push(...filterOf(call.arguments[0]));
  }
  return out;
}

/** The values a SQL statement's WHERE clause compares account keys with (`WHERE id = ?` bound to `row.user_id`). */
function sqlKeys(call: ts.CallExpression, values: ValueResolver): ts.Expression[] {
  return whereParams(call, values)
    .filter((p) => rules().accountKeys.test(p.column))
    .map((p) => p.value);
}

/** The values a filter compares account keys with: `{ where: { id } }` → id, `{ number: x }` → x, an id given alone. */
function filterOf(arg: ts.Expression): ts.Expression[] {
  const x = skipOuter(arg);
  if (!ts.isObjectLiteralExpression(x)) return [x];
  const where = x.properties.find(
    (p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && propertyNameText(p.name) === 'where',
  );
  const obj = where ? skipOuter(where.initializer) : x;
  if (!ts.isObjectLiteralExpression(obj)) return [obj];
  return obj.properties.flatMap((p) => {
    const key = p.name ? propertyNameText(p.name) : undefined;
    if (!key || !rules().accountKeys.test(key)) return [];
    return ts.isPropertyAssignment(p) ? [p.initializer] : ts.isShorthandPropertyAssignment(p) ? [p.name] : [];
  });
}

/**
 * Names the handler requires to equal who is signed in (`if (userId !== req.user.id) return 403`): a
 * request value so checked names the caller's own record.
 */
export function comparedWithSignedIn(fn: ts.Node): Set<string> {
  const out = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isBinaryExpression(n)) {
      const op = n.operatorToken.kind;
      // (an inequality, the refusal of anyone else: `if (userId !== req.user.id) return 403`; an equality may
      // as well be the refusal of oneself, an admin kept from crediting their own account)
      if (op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken) {
        const [l, r] = [skipOuter(n.left), skipOuter(n.right)];
        const signed = (x: ts.Expression): boolean => rules().signedIn.test(flat(x));
        const own = signed(l) ? r : signed(r) ? l : undefined;
        const name =
          own && (ts.isIdentifier(own) ? own.text : ts.isPropertyAccessExpression(own) ? own.name.text : undefined);
        if (name) out.add(norm(name));
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(fn);
  return out;
}

/**
 * Was the record this write changes found by one of these keys (`findFirst({ where: { code } })`, then
 * `delete({ where: { id: found.id } })`, or `deleteMany({ where: { code } })` itself)? Keys compared with
 * a value that is not a constant: what a client presented, not what the server chose.
 */
export function foundByKey(call: ts.CallExpression, keyRe: RegExp, values: ValueResolver): boolean {
  const callee = skipOuter(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return false;
  const recv = skipOuter(callee.expression);
  const whereOf = (arg: ts.Expression | undefined): ts.ObjectLiteralExpression | undefined => {
    const x = arg && skipOuter(arg);
    if (!x || !ts.isObjectLiteralExpression(x)) return undefined;
    const where = x.properties.find(
      (p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && propertyNameText(p.name) === 'where',
    );
    const obj = where ? skipOuter(where.initializer) : x;
    return ts.isObjectLiteralExpression(obj) ? obj : undefined;
  };
  // the record the write is on, as its call names it (`db.twoFactorAuth` in `db.twoFactorAuth.delete(…)`)
  const table = (x: ts.Expression): string => {
    const r = skipOuter(x);
    return ts.isPropertyAccessExpression(r) ? r.name.text : ts.isIdentifier(r) ? r.text : '';
  };
  const own = table(recv);
  // the lookups a local holds (`const found = await db.code.findFirst(…)`), on the written record's own table
  // (a session found by its token names the caller, not a code spent)
  const lookups = (id: ts.Identifier, sameTable: boolean): ts.ObjectLiteralExpression[] =>
    values.resolve(id).flatMap((v) => {
      if (v.kind !== 'call' || !ts.isCallExpression(v.node)) return [];
      const finder = skipOuter(v.node.expression);
      if (!ts.isPropertyAccessExpression(finder) || !/^find/.test(finder.name.text)) return [];
      if (sameTable && table(finder.expression) !== own) return [];
      const w = whereOf(v.node.arguments[0]);
      return w ? [w] : [];
    });
  const byKey = (where: ts.ObjectLiteralExpression): boolean =>
    where.properties.some((p) => {
      const key = p.name ? propertyNameText(p.name) : undefined;
      if (!key || !keyRe.test(norm(key))) return false;
      if (ts.isShorthandPropertyAssignment(p)) return true;
      return ts.isPropertyAssignment(p) && !ts.isLiteralExpression(skipOuter(p.initializer));
    });
  const wheres: ts.ObjectLiteralExpression[] = [];
  if (ts.isIdentifier(recv) && values.resolve(recv).some((v) => v.kind === 'call'))
    wheres.push(...lookups(recv, false));
  const filter = whereOf(call.arguments[0]);
  if (filter) {
    wheres.push(filter);
    // `{ where: { id: found.id } }`: the very record a lookup of the same table found
    for (const p of filter.properties) {
      if (!ts.isPropertyAssignment(p) || !/^_?id$/.test(propertyNameText(p.name) ?? '')) continue;
      const v = skipOuter(p.initializer);
      if (ts.isPropertyAccessExpression(v) && /^_?id$/.test(v.name.text) && ts.isIdentifier(skipOuter(v.expression)))
        wheres.push(...lookups(skipOuter(v.expression) as ts.Identifier, true));
    }
  }
  return wheres.some(byKey);
}
