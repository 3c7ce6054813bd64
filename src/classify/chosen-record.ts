// Whose record a write changes, by where its lookup's key comes from: `Account.findOne({ number:
// req.body.accountNumber })` then `account.save()` writes the record the request names, while a lookup
// keyed by who is signed in (`Wallet.findOne({ userId: req.user.id })`) writes the caller's own.
import { ts } from 'ts-morph';
import { findDeclaration } from '../analysis/scope.js';
import type { Effect } from '../analysis/effects.js';
import { propertyNameText, skipOuter, type ValueResolver } from '../analysis/values.js';

/** A read of what the client sends: the body, the route parameters, the query (Express, Next, Hono). */
const REQUEST_PAYLOAD =
  /^(req|request)\.(body|params|query)\b|^\w+\.req\.(param|query|json|valid|parseBody)\(|^(req|request)\.json\(\)/;
/** A read of who is signed in: the session or the user an auth middleware put on the request. */
const SIGNED_IN =
  /^(req|request)\.(user|session|auth|tokenPayload|locals)\b|^(session|currentUser|ctx\.session|ctx\.user)\b|\.get\(\s*['"](user|userId|session|auth)['"]\s*\)/;

/**
 * Is the record this write changes one the request names: loaded by a lookup whose filter takes a
 * value the client sent, and no value of who is signed in?
 */
export function recordChosenByRequest(e: Effect, values: ValueResolver): boolean {
  const call = e.node;
  if (!ts.isCallExpression(call)) return false;
  const filters = lookupFilters(call, values);
  if (!filters.length) return false;
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
      const text = x.getText().replace(/\s+/g, '');
      if (SIGNED_IN.test(text)) {
        signedIn = true;
        return;
      }
      if (REQUEST_PAYLOAD.test(text)) {
        payload = true;
        return;
      }
    }
    if (ts.isIdentifier(x)) {
      const d = findDeclaration(x);
      if (d && ts.isVariableDeclaration(d) && d.initializer) go(d.initializer, depth + 1);
      else if (d && ts.isBindingElement(d)) {
        let root: ts.Node = d.parent.parent;
        while (ts.isBindingElement(root)) root = root.parent.parent;
        if (ts.isVariableDeclaration(root) && root.initializer) go(root.initializer, depth + 1);
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
      if (!CONVERSIONS.test(name)) return;
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

/** Calls that convert or tidy a value without looking anything up. */
const CONVERSIONS =
  /^(Number|String|parseInt|parseFloat|BigInt|toString|trim|toLowerCase|toUpperCase|ObjectId|Types\.ObjectId)$/;

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

/**
 * Keys that identify an account (its id, number, e-mail, username, phone or address): a record looked up
 * by one of these is the one it names. A code looked up to find its owner (`referralCode`, a coupon) names
 * the code, not whose balance it then credits.
 */
const ACCOUNT_KEY =
  /^(_?id|uuid|\w*_?id|email|mail|username|user_?name|login|phone|mobile|msisdn|number|account_?(number|no|num)|acct_?no|iban|wallet_?address|address|tag|handle)$/i;

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
    if (!key || !ACCOUNT_KEY.test(key)) return [];
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
        const signed = (x: ts.Expression): boolean => SIGNED_IN.test(x.getText().replace(/\s+/g, ''));
        const own = signed(l) ? r : signed(r) ? l : undefined;
        const name =
          own && (ts.isIdentifier(own) ? own.text : ts.isPropertyAccessExpression(own) ? own.name.text : undefined);
        if (name) out.add(name.toLowerCase().replace(/[^a-z0-9]/g, ''));
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(fn);
  return out;
}
