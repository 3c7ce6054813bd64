// Whose record a write changes, by where its lookup's key comes from: `Account.findOne({ number:
// req.body.accountNumber })` then `account.save()` writes the record the request names, while a lookup
// keyed by who is signed in (`Wallet.findOne({ userId: req.user.id })`) writes the caller's own.
// The vocabulary is rules/assets.json `chosenRecord`.
import { ts } from 'ts-morph';
import { bindingPath, findDeclaration } from '../analysis/scope.js';
import type { Effect } from '../analysis/effects.js';
import { propertyNameText, skipOuter, type ValueResolver } from '../analysis/values.js';
import { compiled, ruleFile } from '../rules/load.js';
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
export function recordChosenByRequest(e: Effect, values: ValueResolver, throughRecords = false): boolean {
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

/** Is the endpoint an administrator's, by a segment of its path (`/api/admin/payments/:id`)? */
export function adminPath(path: string | undefined): boolean {
  return (path ?? '')
    .split('/')
    .some(
      (s) => rules().adminSegments.has(s.toLowerCase()) || rules().adminSegments.has(s.toLowerCase().split(/[-_.]/)[0]),
    );
}

/** The filters of the lookups the written record came from (`record.save()`), or of the write itself (`Model.updateOne(filter, …)`). */
function lookupFilters(call: ts.CallExpression, values: ValueResolver): ts.Expression[] {
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
  return out;
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
