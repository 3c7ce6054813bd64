// A value the server makes itself: a destination nobody who holds the session chose. A payout address or
// account number written from a generator's result (`address = generateDepositAddress(currency)`, an account
// number the database issues) is where money comes *in*, or the holder's own new account: a stolen session
// cannot point it at an attacker. One the request supplies (`req.body.address`, a parsed field) can.
import { ts } from 'ts-morph';
import { findDeclaration, localUses } from '../analysis/scope.js';
import { insertParams, setParams } from '../analysis/sql-params.js';
import { propertyNameText, skipOuter, type ValueResolver } from '../analysis/values.js';
import { compiled, ruleFile } from '../rules/load.js';
import { norm } from './words.js';
import { identifierFamily } from './sign-in.js';

/** The expressions a write gives `key` (normalised): object-literal properties, or SQL SET / INSERT parameters. */
export function writtenValues(call: ts.CallExpression, key: string, values: ValueResolver): ts.Expression[] {
  const out: ts.Expression[] = [];
  for (const p of [...setParams(call, values), ...insertParams(call, values)])
    if (norm(p.column) === key) out.push(p.value);
  // (an object spread in, `{ userId, ...provisioned }`, may hold the key: it is one of the values)
  const spreads: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isPropertyAssignment(n) && norm(propertyNameText(n.name) ?? '') === key) out.push(n.initializer);
    else if (ts.isShorthandPropertyAssignment(n) && norm(n.name.text) === key) out.push(n.name);
    else if (ts.isSpreadAssignment(n)) spreads.push(n.expression);
    if (!ts.isFunctionLike(n)) n.forEachChild(visit);
  };
  for (const a of call.arguments) visit(a);
  if (!out.length) out.push(...spreads);
  // further along a builder chain (`db.update(users).set({ balance: 0 })`)
  let cur: ts.Node = call;
  for (let i = 0; i < 4; i++) {
    const p = cur.parent;
    if (!p || !ts.isPropertyAccessExpression(p) || !p.parent || !ts.isCallExpression(p.parent)) break;
    if (/^(values|set|update|insert|upsert)$/.test(p.name.text)) for (const a of p.parent.arguments) visit(a);
    cur = p.parent;
  }
  return out;
}

/**
 * Is every value the write gives `key` made by the server: a call's result (none of whose arguments names a
 * field the request sends) or a constant, reached through locals? A parameter, a request field, or anything
 * the walk cannot place counts as supplied.
 */
export function serverMade(
  call: ts.CallExpression,
  key: string,
  bodyFields: readonly string[],
  values: ValueResolver,
): boolean {
  const found = writtenValues(call, key, values);
  return found.length > 0 && found.every((v) => made(v, bodyFields, 0));
}

function made(e: ts.Expression, bodyFields: readonly string[], hops: number): boolean {
  let x = skipOuter(e);
  // down a member chain to what it is read from (`accountNumber.rows[0].number` → `accountNumber`)
  while (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) {
    const name = ts.isPropertyAccessExpression(x) ? x.name.text : undefined;
    if (name && bodyFields.includes(norm(name))) return false;
    x = skipOuter(x.expression);
  }
  if (ts.isStringLiteralLike(x) || ts.isNumericLiteral(x)) return true;
  // either branch may be written (`isAddress(a) ? getAddress(a) : a`, `given ?? fallback`): both must be made here
  if (ts.isConditionalExpression(x))
    return made(x.whenTrue, bodyFields, hops + 1) && made(x.whenFalse, bodyFields, hops + 1);
  if (
    ts.isBinaryExpression(x) &&
    (x.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || x.operatorToken.kind === ts.SyntaxKind.BarBarToken)
  )
    return made(x.left, bodyFields, hops + 1) && made(x.right, bodyFields, hops + 1);
  if (ts.isCallExpression(x) || ts.isNewExpression(x)) {
    const callee = skipOuter(x.expression);
    // a conversion keeps the value it is given (`String(address)`, `req.params.address.toLowerCase()`)
    const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
    if (CONVERSIONS().test(name)) {
      const given = ts.isPropertyAccessExpression(callee) ? callee.expression : x.arguments?.[0];
      return !!given && made(given, bodyFields, hops + 1);
    }
    // a read of the request itself (`req.get('x-payout-address')`, `c.req.query('to')`)
    if (ts.isPropertyAccessExpression(callee) && readsRequest(callee.expression)) return false;
    // a call that makes something new (`custody.createDepositAddress({ userId, asset })`) answers its own value,
    // unless it is handed a destination the request sent (`stripe.accounts.create({ external_account: iban })`)
    const makers = MAKERS();
    if (makers && makers.test(name)) return !(x.arguments ?? []).some((a) => namesDestination(a, makers.destination));
    // (what the call is made on, `client.query(…)` with `client` a transaction's parameter, chooses nothing:
    // its arguments, and a receiver read from the request body, do)
    return (
      !(x.arguments ?? []).some((a) => mentionsField(a, bodyFields, 0)) &&
      !mentionsField(x.expression, bodyFields, 0, false)
    );
  }
  if (!ts.isIdentifier(x) || hops > 3 || bodyFields.includes(norm(x.text))) return false;
  const d = findDeclaration(x);
  // taken out of a result (`const { data: row } = await db.from('wallets').insert(…).select()`): made where it is
  if (d && ts.isBindingElement(d)) {
    // (only a local's own pattern: a handler's destructured parameter, `async ({ body }) => …`, is what it is handed)
    let root: ts.Node = d.parent.parent;
    while (ts.isBindingElement(root)) root = root.parent.parent;
    return ts.isVariableDeclaration(root) && !!root.initializer && made(root.initializer, bodyFields, hops + 1);
  }
  if (!d || !ts.isVariableDeclaration(d) || !ts.isIdentifier(d.name)) return false;
  // an element of what a loop walks (`for (const entry of data.addresses)`): made where that collection is
  const loop = d.parent?.parent;
  if (!d.initializer && loop && ts.isForOfStatement(loop) && loop.initializer === d.parent)
    return made(loop.expression, bodyFields, hops + 1);
  // every value the local is given: its initializer and what is assigned to it later (`let provisioned; …
  // provisioned = await custody.createDepositAddress(…)`)
  const given = [...(d.initializer ? [d.initializer] : []), ...assignedTo(d)];
  return given.length > 0 && given.every((g) => made(g, bodyFields, hops + 1));
}

/** What is assigned to a local after its declaration (`x = …`), in the function that declares it. */
function assignedTo(d: ts.VariableDeclaration): ts.Expression[] {
  return localUses(d).flatMap((u) =>
    ts.isBinaryExpression(u.parent) && u.parent.left === u && u.parent.operatorToken.kind === ts.SyntaxKind.EqualsToken
      ? [u.parent.right]
      : [],
  );
}

/** Does an argument name a destination anywhere in it (`external_account: { account_number: … }`, `iban`)? */
function namesDestination(a: ts.Node, destination: RegExp, hops = 0): boolean {
  let hit = false;
  const visit = (n: ts.Node): void => {
    if (hit) return;
    if ((ts.isIdentifier(n) || ts.isStringLiteralLike(n)) && destination.test(n.text)) hit = true;
    // the request's payload handed whole (`createRecipient(req.body)`, `{ ...body }`): it may carry one
    else if (
      (ts.isPropertyAccessExpression(n) ||
        (ts.isIdentifier(n) && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n))) &&
      WHOLE_PAYLOAD.test(n.getText()) &&
      !(
        (ts.isPropertyAccessExpression(n.parent) || ts.isElementAccessExpression(n.parent)) &&
        n.parent.expression === n
      )
    )
      hit = true;
    // through a local (`const payload = { account_number, bank_code }`), a hop or two
    else if (ts.isIdentifier(n) && hops < 2) {
      const d = findDeclaration(n);
      const init = d && ts.isVariableDeclaration(d) ? d.initializer : undefined;
      if (init && !ts.isFunctionLike(skipOuter(init)) && namesDestination(init, destination, hops + 1)) hit = true;
    } else if (!ts.isFunctionLike(n)) n.forEachChild(visit);
  };
  visit(a);
  return hit;
}

/** The request's whole payload (`req.body`, `request.body`, a handler's parsed `body` or `input`). */
const WHOLE_PAYLOAD = /^((req|request|ctx\.request)\.body|body|input|payload)$/;

/**
 * Does an expression (callee and arguments) name a field the request sends, read the request's body, or use a
 * parameter it cannot place, through locals? (A path's `currency` chooses no destination.)
 */
function mentionsField(e: ts.Node, bodyFields: readonly string[], hops: number, params = true): boolean {
  let hit = false;
  const visit = (n: ts.Node): void => {
    if (hit) return;
    // a call that reads the request (`await request.json()`, `c.req.valid('json')`): what the client sent
    if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      /^(json|formData|text|body|valid|parseBody|query|queries|param|header)$/.test(n.expression.name.text) &&
      readsRequest(n.expression.expression)
    ) {
      hit = true;
      return;
    }
    if (ts.isIdentifier(n)) {
      // (a key of an object literal, `fetch(url, { body: … })`, names no value: what it is given is visited)
      if (ts.isPropertyAssignment(n.parent) && n.parent.name === n) return;
      // the request object handed over whole (`readJson(req)`, `parse(request)`): the callee reads what the client sent
      const whole = !ts.isPropertyAccessExpression(n.parent) || n.parent.expression !== n;
      const decl = whole && hops < 3 ? findDeclaration(n) : undefined;
      if (
        decl &&
        ts.isParameter(decl) &&
        isRequestObject(decl) &&
        ts.isCallExpression(n.parent) &&
        readsBody(n.parent)
      ) {
        hit = true;
        return;
      }
      if (bodyFields.includes(norm(n.text)) || /^(body|input|formData)$/.test(n.text)) hit = true;
      else if (!ts.isPropertyAccessExpression(n.parent) || n.parent.expression === n) {
        const d = hops < 3 ? findDeclaration(n) : undefined;
        if (params && d && ts.isParameter(d) && !isRequestObject(d)) hit = true;
        const init =
          d && ts.isVariableDeclaration(d) ? d.initializer : d && ts.isBindingElement(d) ? bindingSource(d) : undefined;
        // (a function's own parameters are not this call's: what it is handed is visited at the call)
        if (init && !ts.isArrowFunction(skipOuter(init)) && !ts.isFunctionExpression(skipOuter(init)))
          if (mentionsField(init, bodyFields, hops + 1, params)) hit = true;
      }
      return;
    }
    if (!ts.isFunctionLike(n)) n.forEachChild(visit);
  };
  visit(e);
  return hit;
}

/**
 * Does a call handed the whole request read its body: a function of the project whose code reads it
 * (`req.body`, `req.json()`), or one named for it when its code is elsewhere (`readJson(req)`, `parseBody(req)`)?
 * A session lookup (`sessionUser(req)`) reads who is signed in, not what the client sent.
 */
function readsBody(call: ts.CallExpression): boolean {
  const callee = skipOuter(call.expression);
  const id = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) ? callee.name : undefined;
  if (!id) return false;
  const d = ts.isIdentifier(callee) ? findDeclaration(callee) : undefined;
  const fn =
    d && ts.isFunctionLike(d)
      ? d
      : d && ts.isVariableDeclaration(d) && d.initializer && ts.isFunctionLike(skipOuter(d.initializer))
        ? skipOuter(d.initializer)
        : undefined;
  if (fn) return /\.(body|json\s*\(|formData\s*\(|text\s*\(|parseBody\s*\(|valid\s*\()/.test(fn.getText());
  return /json|body|payload|input|form|parse/i.test(id.text);
}

/** Calls that convert or tidy a value without making a new one (rules/assets.json `chosenRecord.conversions`). */
const CONVERSIONS = compiled(() => new RegExp(ruleFile('assets').chosenRecord.conversions));
const MAKERS = compiled(() => {
  const c = ruleFile('assets').chosenRecord;
  return c.makers
    ? Object.assign(new RegExp(c.makers), { destination: new RegExp(c.destinationFields ?? '(?!)', 'i') })
    : undefined;
});

/** Is `e` the request (or a part of it: `req.query`, `c.req`), read where a handler's request parameter is? */
function readsRequest(e: ts.Expression): boolean {
  let x = skipOuter(e);
  while (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) x = skipOuter(x.expression);
  const d = ts.isIdentifier(x) ? findDeclaration(x) : undefined;
  return !!d && ts.isParameter(d) && isRequestObject(d);
}

/** A handler's request or context parameter: what is read from it is judged by the field read. */
function isRequestObject(p: ts.ParameterDeclaration): boolean {
  return ts.isIdentifier(p.name) && /^(req|request|c|ctx|context|event)$/.test(p.name.text);
}

/** What a destructured name is taken from (`const { currency } = req.params` → `req.params`). */
function bindingSource(b: ts.BindingElement): ts.Expression | undefined {
  let p: ts.Node = b.parent;
  while (p && (ts.isObjectBindingPattern(p) || ts.isArrayBindingPattern(p) || ts.isBindingElement(p))) p = p.parent;
  return p && ts.isVariableDeclaration(p) ? p.initializer : undefined;
}

/**
 * Is every value the write gives the identifier `key` the same identifier read off a record the server holds:
 * `email: user.email` with `user` from the session or the identity provider (`supabase.auth.getUser()`), or a
 * database read, through locals? Such a write copies the address the account already has; no request chose
 * it. A value from the request, a parameter, a read whose call is handed any part of the request, or
 * anything the walk cannot place, is not a copy.
 */
export function copiedIdentifier(
  call: ts.CallExpression,
  key: string,
  bodyFields: readonly string[],
  values: ValueResolver,
): boolean {
  const family = identifierFamily(key);
  if (!family) return false;
  const found = writtenValues(call, key, values);
  return found.length > 0 && found.every((v) => copied(v, family, bodyFields, values, 0));
}

function copied(
  e: ts.Expression,
  family: string,
  bodyFields: readonly string[],
  values: ValueResolver,
  hops: number,
): boolean {
  const x = skipOuter(e);
  // a default for a missing value (`user.email ?? ''`, `user.email || ''`)
  if (
    ts.isBinaryExpression(x) &&
    (x.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || x.operatorToken.kind === ts.SyntaxKind.BarBarToken)
  )
    return copied(x.left, family, bodyFields, values, hops) && ts.isStringLiteralLike(skipOuter(x.right));
  if (ts.isPropertyAccessExpression(x)) {
    // (an identifier the request sends may be the one read here, through a helper that parses the body)
    if (identifierFamily(x.name.text) !== family || bodyFields.includes(norm(x.name.text))) return false;
    return heldRecord(x.expression, bodyFields, values, hops);
  }
  if (!ts.isIdentifier(x) || hops > 3 || bodyFields.includes(norm(x.text))) return false;
  const d = findDeclaration(x);
  if (d && ts.isVariableDeclaration(d) && d.initializer && ts.isIdentifier(d.name))
    return copied(d.initializer, family, bodyFields, values, hops + 1);
  // `const { email } = user` (not the request's body)
  if (d && ts.isBindingElement(d) && !d.dotDotDotToken && ts.isObjectBindingPattern(d.parent)) {
    const prop = d.propertyName ?? (ts.isIdentifier(d.name) ? d.name : undefined);
    const src = bindingSource(d);
    return (
      !!prop &&
      identifierFamily(propertyNameText(prop) ?? '') === family &&
      ts.isVariableDeclaration(d.parent.parent) &&
      !!src &&
      heldRecord(src, bodyFields, values, hops + 1)
    );
  }
  return false;
}

/** Reads of the account itself and records beside it with an address of their own (rules `copiedIdentifier`). */
const COPIED = compiled(() => {
  const c = ruleFile('assets').copiedIdentifier;
  return c
    ? { account: new RegExp(c.accountReads, 'i'), other: new RegExp(c.otherRecords, 'i') }
    : { account: /(?!)/, other: /(?!)/ };
});

/** A read of the request's body in a function's text (`req.json()`, `request.formData()`, `req.body`). */
const BODY_READ = /\.(json|formData|text|parseBody|valid)\s*\(|\.body\b/;

/** Is `e` (down its member chain) the account itself, read by a call handed nothing of the request's data? */
function heldRecord(e: ts.Expression, bodyFields: readonly string[], values: ValueResolver, hops: number): boolean {
  let x = skipOuter(e);
  while (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x) || ts.isNonNullExpression(x)) {
    if (ts.isPropertyAccessExpression(x) && /^(body|query|params|input|formData)$/.test(x.name.text)) return false;
    x = skipOuter(x.expression);
  }
  if (ts.isAwaitExpression(x)) x = skipOuter(x.expression);
  if (ts.isCallExpression(x)) {
    if (x.arguments.some((a) => mentionsField(a, bodyFields, 0)) || readsRequest(x.expression)) return false;
    // the account itself, as the session or the identity provider has it (`auth.getUser()`, `sessionUser(req)`,
    // `db.user.findUnique`), not another record holding an address (a pending change, a secondary e-mail)
    const callee = x.expression.getText();
    if (!COPIED().account.test(callee) || COPIED().other.test(callee)) return false;
    // handed the request whole (`sessionUser(req)`): a session lookup, unless the function reads the body or
    // cannot be read
    if (x.arguments.some((a) => readsRequest(a))) {
      const fns = values.resolve(x.expression).filter((v) => v.kind === 'function');
      return (
        fns.length > 0 &&
        fns.every((v) => v.kind === 'function' && !!v.node.body && !BODY_READ.test(v.node.body.getText()))
      );
    }
    return true;
  }
  if (!ts.isIdentifier(x) || hops > 3) return false;
  const d = findDeclaration(x);
  const init =
    d && ts.isVariableDeclaration(d) ? d.initializer : d && ts.isBindingElement(d) ? bindingSource(d) : undefined;
  return !!init && heldRecord(init, bodyFields, values, hops + 1);
}
