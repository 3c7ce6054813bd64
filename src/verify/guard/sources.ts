// Where a value comes from, as far as step-up goes: the request (body, query, headers, cookies:
// client-controlled), the bearer credential a stolen session already holds, or a secret the user
// typed for this request. One definition of the request object, of a body read and of a header
// read serves every rule that asks.
//
// A constant-time compare or a hash check is step-up only when the secret is one the user proves
// again for this request (a current password, a one-time code: by its name or read from the body).
// The same primitives also check the bearer credential itself (a signed session cookie, an API key
// in a header): that is the credential a stolen session already holds, so it is primary
// authentication, not step-up.
import { ts } from 'ts-morph';
import { calleeParts } from '../../analysis/effects.js';
import { envRead, headerRead } from '../../analysis/datapath.js';
import { bindingPath, findDeclaration } from '../../analysis/scope.js';
import { choiceBranches, type Env } from '../../analysis/strings.js';
import { accessName, isInside, laterAssignments, propertyNameText, skipOuter } from '../../analysis/values.js';
import { vocab } from './vocab.js';
import { isActionParameter, isProcedureContext, isProcedureInput } from '../../analysis/directives.js';

/** The request object: `req`, `request`, `c.req`, `event.request`… */
export function isRequestObject(e: ts.Expression): boolean {
  return vocab().requestObjects.test(skipOuter(e).getText());
}

/** A read of the request body: `await request.json()`, `req.formData()`, `c.req.json()`, `c.req.valid('json')`. */
export function isBodyRead(x: ts.Node): boolean {
  // `await req.json().catch(() => null)`: the body, or a stand-in when it cannot be parsed
  if (
    ts.isCallExpression(x) &&
    ts.isPropertyAccessExpression(x.expression) &&
    (x.expression.name.text === 'catch' || x.expression.name.text === 'finally')
  )
    return isBodyRead(skipOuter(x.expression.expression));
  return (
    ts.isCallExpression(x) &&
    ts.isPropertyAccessExpression(x.expression) &&
    vocab().bodyReaders.has(x.expression.name.text) &&
    isRequestObject(x.expression.expression)
  );
}

/** `x-step-up-verified` → `step_up_verified`: header and cookie names in property form. */
export function propName(name: string): string {
  return name.replace(/^x-/i, '').replace(/-/g, '_');
}

/** Cookie and header collections the client controls: `cookies()`, `headers()`, `req.cookies`, `request.headers`. */
function isClientContainer(e: ts.Expression, depth: number): boolean {
  if (depth > 6) return false;
  const x = skipOuter(e);
  if (
    ts.isCallExpression(x) &&
    ts.isIdentifier(skipOuter(x.expression)) &&
    ['cookies', 'headers', 'draftMode'].includes((skipOuter(x.expression) as ts.Identifier).text)
  )
    return true;
  if (
    ts.isPropertyAccessExpression(x) &&
    ['cookies', 'headers', 'searchParams', 'query', 'signedCookies'].includes(x.name.text)
  )
    return true;
  if (ts.isIdentifier(x)) {
    const d = findDeclaration(x);
    if (d && ts.isVariableDeclaration(d) && d.initializer) return isClientContainer(d.initializer, depth + 1);
  }
  return false;
}

/**
 * Client-controlled sources: request body, query, headers, cookies, or an unverified token decode.
 * Follows the data path of a value (member reads, local variables, awaits, decoders); a call to any
 * other function (`loadSession(cookieValue)`, a database read) produces server-side data.
 */
export function clientSource(e: ts.Node, depth = 0): string | undefined {
  if (depth > 6) return undefined;
  const v = vocab();
  const x = ts.isExpression(e) ? skipOuter(e) : e;
  const text = (): string => x.getText().replace(/\s+/g, ' ').slice(0, 60);
  if (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) {
    if (v.clientRoots.test(x.getText().replace(/\s+/g, ''))) return text();
    return clientSource(x.expression, depth + 1);
  }
  if (ts.isCallExpression(x)) {
    const parts = calleeParts(x.expression);
    const t = parts?.join('.') ?? x.expression.getText().replace(/\s+/g, '');
    const last2 = parts ? parts.slice(-2).join('.') : t;
    if (v.clientCalls.some((c) => t === c || t.endsWith(`.${c}`) || last2 === c)) return text();
    // `.get()` on a client container: `(await cookies()).get('x')`, `jar.get('x')`, `request.headers.get('x')`
    if (
      ts.isPropertyAccessExpression(x.expression) &&
      ['get', 'getAll', 'has'].includes(x.expression.name.text) &&
      isClientContainer(x.expression.expression, depth + 1)
    )
      return text();
    if (isBodyRead(x)) return text();
    if (v.decoders.some((d) => t === d || t.endsWith(`.${d}`)))
      return `${t}() (decoded without verifying its signature)`;
    if (
      t === 'JSON.parse' ||
      t === 'atob' ||
      t === 'decodeURIComponent' ||
      t === 'Number' ||
      t === 'String' ||
      t === 'Boolean' ||
      t === 'parseInt'
    )
      return x.arguments[0] ? clientSource(x.arguments[0], depth + 1) : undefined;
    // `.toString()`, `.value` style accessors keep the data path
    if (
      ts.isPropertyAccessExpression(x.expression) &&
      ['toString', 'trim', 'toLowerCase', 'toUpperCase', 'valueOf', 'at'].includes(x.expression.name.text)
    )
      return clientSource(x.expression.expression, depth + 1);
    return undefined;
  }
  if (ts.isIdentifier(x)) {
    const d = findDeclaration(x);
    if (d && ts.isVariableDeclaration(d) && d.initializer) return clientSource(d.initializer, depth + 1);
    if (d && ts.isBindingElement(d)) {
      const root = d.parent.parent;
      if (root && ts.isVariableDeclaration(root) && root.initializer) return clientSource(root.initializer, depth + 1);
    }
    return undefined;
  }
  if (ts.isBinaryExpression(x) && x.operatorToken.kind !== ts.SyntaxKind.EqualsToken) {
    return clientSource(x.left, depth + 1) ?? clientSource(x.right, depth + 1);
  }
  if (ts.isPrefixUnaryExpression(x)) return clientSource(x.operand, depth + 1);
  if (ts.isConditionalExpression(x)) return clientSource(x.whenTrue, depth + 1) ?? clientSource(x.whenFalse, depth + 1);
  return undefined;
}

/** A name's words: `candidatePassword` → candidate, Password; `user_profiles` → user, profiles. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
}

/** A name as words and adjacent pairs: `candidatePassword` → candidatePassword, candidate, password, candidatepassword. */
export function nameForms(name: string): string[] {
  const parts = nameWords(name);
  return [name, ...parts, ...parts.slice(1).map((w, i) => parts[i] + w)];
}

/** Does a name (as a whole, a word or two adjacent words) match? */
export function nameHas(name: string | undefined, re: RegExp): boolean {
  return !!name && nameForms(name).some((f) => re.test(f));
}

/**
 * Where a compared value comes from, as much as the syntax tells. Each field holds the read that
 * showed it (for messages).
 */
export interface Origin {
  /** Read from the request itself: the body, the query, route params or a header that is not a credential. */
  request?: string;
  /** The bearer credential: a cookie, an Authorization or API-key header. */
  bearer?: string;
  /** Returned by a helper given the request object (`await readBody(req)`, `getUser(c)`). */
  requestCall?: string;
  /** The value is computed from another (a hash, a code generated from a secret), not the other itself. */
  derived?: string;
  /** Held in the session container (`req.session.x`, `session.x`). */
  session?: string;
  /** Named as a factor being enrolled (`pendingSecret`, `tempTotpSecret`, `mfaSetup`). */
  pending?: string;
  /** Server-side data: a lookup's result, a model instance's field (`this.password`), the authenticated user. */
  stored?: string;
  /** Named like a secret the user types (`password`, `currentPassword`, `otp`, `pin`). */
  secretName?: string;
  /** Named like a stored secret (`passwordHash`, `pinHash`, `totpSecret`, `credential`). */
  storedSecretName?: string;
  /** A constant or a server environment value. */
  constant?: string;
  /** Read from a record that is not the account (`card.pin`, `db.shareLink.findUnique(…)`). */
  foreign?: string;
  /** Named as the replacement secret being set (`newPassword`). */
  replacement?: string;
  /** Sent in the request's payload (the body, the query, route params): what the user fills in, unlike a header a proxy or middleware may set. */
  payload?: string;
  /** Who the request is from, as the server knows it: the session, the authenticated user (`req.user`, `c.get('userId')`). */
  identity?: string;
  /** Read from a record looked up by a key the request supplies and not by who is signed in (`findFirst({ where: { id: body.recoveryId } })`): whose record it is, the caller chooses. */
  chosenBy?: string;
  /** One of alternatives of which one the request supplies (`body.userId ?? session.user.id`): the caller may choose it. */
  choosable?: string;
  /** Answered by a getter of the signed-in user (`getSessionUser(ctx)`, `getCurrentUser()`): that user's record. */
  signedIn?: string;
  /**
   * Read from a parameter no call site binds: the parameter and the member read first (`opts.input.password` →
   * `opts`, `input`; `({ ctx })` → its parameter, `ctx`).
   */
  params?: { param: ts.ParameterDeclaration; member?: string }[];
}

/**
 * A local named like the request that holds a record (`const request = await db.recoveryRequest.findFirst(…)`):
 * its name says nothing about where it comes from.
 */
function isRecordNamedLikeRequest(x: ts.Expression): boolean {
  if (!ts.isIdentifier(x)) return false;
  const d = findDeclaration(x);
  if (!d || !ts.isVariableDeclaration(d) || !d.initializer) return false;
  const init = skipOuter(d.initializer);
  return ts.isCallExpression(init) && !isBodyRead(init);
}

/** A call given the request object, a part of it (`c.req.raw`) or the Hono context reads from the request. */
function givenRequest(c: ts.CallExpression): boolean {
  return c.arguments.some((a) => {
    let x = skipOuter(a);
    if (ts.isIdentifier(x) && /^(c|ctx|context)$/.test(x.text)) return true;
    // (who is signed in, as the server put it on the request, is no part of what the client sent:
    // `User.findById(req.user.id)` reads the caller's stored record)
    if ((ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) && signedInPart(x)) return false;
    for (let i = 0; i < 4; i++) {
      if (isRequestObject(x)) return !isRecordNamedLikeRequest(x);
      if (!ts.isPropertyAccessExpression(x)) return false;
      x = skipOuter(x.expression);
    }
    return false;
  });
}

/**
 * The value a field read was last given earlier in the same function (`user.account.password.value = x` above a
 * read of `user.account.password.value`), outside nested functions and conditions; undefined when none.
 */
function assignedBeforeRead(x: ts.PropertyAccessExpression): ts.Expression | undefined {
  const p = x.parent;
  if (ts.isBinaryExpression(p) && p.left === x) return undefined;
  const fn = ts.findAncestor(x, ts.isFunctionLike);
  const body = fn && 'body' in fn ? (fn.body as ts.Node | undefined) : undefined;
  if (!body) return undefined;
  const text = x.getText();
  let last: ts.Expression | undefined;
  const visit = (n: ts.Node): void => {
    if (n.getStart() >= x.getStart() || ts.isFunctionLike(n) || ts.isIfStatement(n) || ts.isConditionalExpression(n))
      return;
    if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      n.getEnd() <= x.getStart() &&
      n.left.getText() === text
    )
      last = n.right;
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(body, visit);
  return last;
}

/** `req.user.id`, `req.session.userId`, `res.locals.user`: a part of the request the server's session sets. */
function signedInPart(x: ts.PropertyAccessExpression | ts.ElementAccessExpression): boolean {
  const rp = requestPart(x);
  return !!rp && (/^(user|auth|locals)$/.test(rp.part) || vocab().sessionWords.test(rp.part));
}

/**
 * The one input of a one-time-code generator (`totp(secret)`, `authenticator.generate(secret)`,
 * `speakeasy.totp({ secret })`): the code it computes is that secret's, as a hash is its input's.
 */
export function codeGeneratorInput(call: ts.CallExpression): ts.Expression | undefined {
  if (call.arguments.length !== 1) return undefined;
  // a generator, not a lookup (`mfaRepo.find(userId)`)
  const callee = call.expression.getText().replace(/[^\w$]+/g, '_');
  return nameHas(callee, vocab().otpSecrets) && /(^|_)(totp|hotp)($|_)|generate/i.test(callee)
    ? call.arguments[0]
    : undefined;
}

/** A literal or a read of the server's environment (`process.env.X`, `'base32'`), through `!` and parentheses. */
function serverSettingOnly(a: ts.Expression): boolean {
  const x = skipOuter(a);
  return ts.isStringLiteralLike(x) || ts.isNumericLiteral(x) || !!envRead(x);
}

/** A factor's own secret kept under a `token` name (`totpToken`, `mfa_token`): the factor, not another record. */
const FACTOR_TOKEN = /(totp|hotp|2fa|two_?factor|mfa|authenticator)_?tokens?$/i;

/** The parts of a request its sender writes: the body, the query, the path parameters. */
const PAYLOAD_PARTS = /^(body|query|params|searchParams)$/;

/** A read of what the request sends: its body, query or path parameters (`req.body.secret`). */
function isPayloadRead(e: ts.Expression): boolean {
  const x = skipOuter(e);
  if (!ts.isPropertyAccessExpression(x) && !ts.isElementAccessExpression(x)) return false;
  const rp = requestPart(x);
  return !!rp && PAYLOAD_PARTS.test(rp.part);
}

/** The request object a member chain starts from, and what it reads of it (`req.body.x` → body). */
function requestPart(
  x: ts.PropertyAccessExpression | ts.ElementAccessExpression,
): { part: string; key?: string } | undefined {
  const names: (string | undefined)[] = [];
  let cur: ts.Expression = x;
  while (ts.isPropertyAccessExpression(cur) || ts.isElementAccessExpression(cur)) {
    names.unshift(accessName(cur));
    cur = skipOuter(cur.expression);
  }
  let prefix = cur.getText();
  for (let i = 0; i < names.length; i++) {
    if (isRequestText(prefix) && names[i]) return { part: names[i]!, key: names[i + 1] };
    prefix += `.${names[i] ?? '?'}`;
  }
  return undefined;
}

function isRequestText(text: string): boolean {
  return vocab().requestObjects.test(text);
}

/** Is an argument a secret named as the one the account has (`oldPassword`, `body.currentPin`)? */
function namedCurrent(arg: ts.Expression): boolean {
  const v = vocab();
  const x = skipOuter(arg);
  const name = ts.isIdentifier(x)
    ? x.text
    : ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)
      ? accessName(x)
      : undefined;
  return !!name && nameHas(name, v.secretInputs) && nameHas(name, v.currentWords);
}

/** What the data path of `exprs` reaches (locals, destructuring, parameters bound at a call site, derivations). */
export function originOf(exprs: readonly ts.Expression[], env: Env | undefined, startDepth = 0): Origin {
  const v = vocab();
  const o: Origin = {};
  const short = (n: ts.Node): string => n.getText().replace(/\s+/g, ' ').slice(0, 60);
  const seen = new Set<ts.Node>();
  // the member a property chain reads off the identifier being visited (`input` of `opts.input.x`)
  let firstMember: string | undefined;
  // `holder`: the name of a value or container (a variable, a field), not of a function that computes one
  const names = (name: string | undefined, at: ts.Node, holder = true): void => {
    if (!name) return;
    if (nameHas(name, v.secretInputs) && nameHas(name, v.replacementWords)) o.replacement ??= short(at);
    else if (!o.secretName && nameHas(name, v.secretInputs)) o.secretName = short(at);
    if (!o.storedSecretName && nameHas(name, v.storedSecrets)) o.storedSecretName = short(at);
    if (!o.pending && nameHas(name, v.enrolmentWords)) o.pending = short(at);
    if (holder && !o.session && nameHas(name, v.sessionWords)) o.session = short(at);
    // a record of something else (`giftCard.pin`); a factor's own token column (`user.totpToken`) is not one
    if (!o.foreign && nameHas(name, v.foreignRecords) && !FACTOR_TOKEN.test(name) && !v.factorRecords.test(name))
      o.foreign = short(at);
  };
  const header = (name: string, at: ts.Node): void => {
    if (
      v.bearerHeaders.test(name) ||
      v.cookieNames.test(name) ||
      nameForms(name)
        .slice(1)
        .some((w) => v.bearerHeaderWords.test(w))
    )
      o.bearer ??= short(at);
    else {
      o.request ??= short(at);
      names(name, at);
    }
  };
  // `literalIsValue`: false for the arguments of a derivation (`split(':')`, `digest('hex')`): a separator or an encoding is not what is compared
  const go = (n: ts.Node, depth: number, literalIsValue = true): void => {
    if (depth > MAX_ORIGIN_DEPTH || seen.has(n)) return;
    seen.add(n);
    const x = ts.isExpression(n) ? skipOuter(n) : n;
    if (
      ts.isStringLiteralLike(x) ||
      ts.isNumericLiteral(x) ||
      x.kind === ts.SyntaxKind.TrueKeyword ||
      x.kind === ts.SyntaxKind.FalseKeyword ||
      x.kind === ts.SyntaxKind.NullKeyword
    ) {
      if (literalIsValue) o.constant ??= short(x);
      return;
    }
    if (x.kind === ts.SyntaxKind.ThisKeyword) {
      o.stored ??= 'this';
      return;
    }
    if (ts.isIdentifier(x)) {
      // a constant written as configuration (`TOTP_DIGITS`, `OTP_ENCRYPTION_KEY`): the server's setting
      if (v.configNames.test(x.text) && moduleConstant(x)) {
        o.constant ??= short(x);
        return;
      }
      const d = findDeclaration(x);
      const bound = d && ts.isParameter(d) ? env?.get(d) : undefined;
      // a parameter bound at the call site keeps its own name, unless the caller passed a secret it names as
      // the account's current one (`isValidPassword(oldPassword)` into `function (newPassword)`)
      if (!bound || !namedCurrent(bound)) names(x.text, x);
      if (bound) return go(bound, depth + 1);
      if (!d) return;
      if (ts.isParameter(d)) {
        // a server action's argument: what the client sent with this call
        if (isActionParameter(d)) o.request ??= short(x);
        else if (isProcedureContext(d, firstMember)) {
          // the procedure's context: the signed-in user the server's context made (`opts.ctx.user.id`)
          o.stored ??= short(x);
          o.identity ??= short(x);
        } else if (isProcedureInput(d, firstMember)) {
          // (sent in the payload: a record looked up by it is one the caller chooses)
          o.request ??= short(x);
          o.payload ??= short(x);
        } else (o.params ??= []).push({ param: d, member: firstMember });
        return;
      }
      if (ts.isVariableDeclaration(d)) {
        if (d.initializer) go(d.initializer, depth + 1);
        // (`let body; try { body = await c.req.json() } catch { … }`: what it is given later)
        else for (const a of laterAssignments(d)) go(a, depth + 1);
        return;
      }
      if (ts.isBindingElement(d)) {
        names(d.propertyName ? propertyNameText(d.propertyName) : undefined, d);
        // `const { user } = data` with `data` an object literal: only its `user` is this value
        const { root, path } = bindingPath(d);
        const value = root && ts.isVariableDeclaration(root) ? root.initializer : root ? env?.get(root) : undefined;
        // `const { body } = req`: what the request sent, as `req.body` is
        if (value && isRequestObject(value) && path.length && PAYLOAD_PARTS.test(path[0])) {
          o.request ??= short(x);
          o.payload ??= short(x);
          return;
        }
        if (value) go(selectPath(value, path, env), depth + 1);
        else if (root && ts.isParameter(root) && isActionParameter(root)) o.request ??= short(x);
        else if (root && ts.isParameter(root) && isProcedureContext(root, path[0])) {
          o.stored ??= short(x);
          o.identity ??= short(x);
        } else if (root && ts.isParameter(root) && isProcedureInput(root, path[0])) {
          o.request ??= short(x);
          o.payload ??= short(x);
        } else if (root && ts.isParameter(root)) (o.params ??= []).push({ param: root, member: path[0] });
      }
      return;
    }
    if (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) {
      const envName = envRead(x);
      // (a member of the module's configuration object, `ENV.OTP_KEY`, `config.adminPin`; a row's upper-case
      // column, `row.PASSWORD_HASH` from Oracle, is the record's)
      const holder = ts.isPropertyAccessExpression(x) ? skipOuter(x.expression) : undefined;
      const configName =
        !!holder && ts.isIdentifier(holder) && v.configHolders.test(holder.text) && moduleConstant(holder);
      if (envName || configName) {
        o.constant ??= short(x);
        return;
      }
      // a field the function set just before it reads it (`user.password = await hash(newPassword)`, then the
      // compare): what it was set to, not what the record held
      const prior = ts.isPropertyAccessExpression(x) ? assignedBeforeRead(x) : undefined;
      if (prior) return go(prior, depth + 1);
      names(accessName(x), x);
      const h = headerRead(x);
      if (h) return header(h, x);
      const rp = requestPart(x);
      if (rp) {
        if (PAYLOAD_PARTS.test(rp.part)) {
          o.request ??= short(x);
          o.payload ??= short(x);
          return;
        }
        if (/^(cookies|signedCookies)$/.test(rp.part)) {
          o.bearer ??= short(x);
          return;
        }
        if (v.sessionWords.test(rp.part)) {
          o.session ??= short(x);
          o.identity ??= short(x);
          return;
        }
        if (/^(user|auth|locals)$/.test(rp.part)) {
          o.stored ??= short(x);
          o.identity ??= short(x);
          return;
        }
      }
      // `data.currentPassword` with `data` an object literal (a local, or a parameter bound at the call
      // site to `{ currentPassword: body.currentPassword, newPassword }`): only that property is this value
      const key = accessName(x);
      if (key) {
        const picked = selectPath(x.expression, [key], env);
        if (picked !== x.expression) return go(picked, depth + 1);
      }
      // (the member read right off a parameter: `opts.input` of `opts.input.password`)
      firstMember = key;
      go(x.expression, depth + 1);
      firstMember = undefined;
      return;
    }
    if (ts.isCallExpression(x)) {
      if (isBodyRead(x)) {
        o.request ??= short(x);
        o.payload ??= short(x);
        return;
      }
      const h = headerRead(x);
      if (h) return header(h, x);
      const parts = calleeParts(x.expression) ?? [];
      // a method of a chain the callee's parts cannot name (`db.selectFrom('t').where(…).executeTakeFirst()`)
      // is still named by its own name: only a call with no name at all is taken as passing its input on
      const calleeX = skipOuter(x.expression);
      const last =
        parts[parts.length - 1] ??
        (ts.isPropertyAccessExpression(calleeX) || ts.isElementAccessExpression(calleeX)
          ? (accessName(calleeX) ?? '')
          : '');
      const text = parts.join('.');
      if (
        /cookie/i.test(last) ||
        v.clientCalls.some((c) => /cookie/i.test(c) && (text === c || text.endsWith(`.${c}`)))
      ) {
        o.bearer ??= short(x);
        return;
      }
      const client = v.clientCalls.find((c) => text === c || text.endsWith(`.${c}`));
      if (client) {
        o.request ??= short(x);
        if (!/header/i.test(client)) o.payload ??= short(x);
        return;
      }
      if (v.decoders.some((d) => text === d || text.endsWith(`.${d}`))) {
        o.request ??= short(x);
        return;
      }
      // Hono context variables set by an auth middleware: `c.get('user')`, `c.get('session')`
      if (
        last === 'get' &&
        parts.length === 2 &&
        /^(c|ctx|context)$/.test(parts[0]) &&
        x.arguments[0] &&
        ts.isStringLiteralLike(x.arguments[0])
      ) {
        const key = x.arguments[0].text;
        names(key, x);
        if (v.sessionWords.test(key)) o.session ??= short(x);
        else o.stored ??= short(x);
        o.identity ??= short(x);
        return;
      }
      names(last, x, false);
      // a validation call given what the request sent hands it back, checked (`validate(SCHEMA, req.body)`;
      // `SessionUser.parse(req.user)` checks the signed-in user's record, which stays stored)
      if (v.schemaParsers.test(last) && x.arguments.some(isPayloadRead)) {
        o.request ??= short(x);
        o.payload ??= short(x);
        return;
      }
      // the session as the server holds it (`await getServerSession(req, res, authOptions)`): what it answers is the
      // signed-in user's, as `req.user` is, not typed for this request
      if (v.sessionGetters?.test(last)) {
        o.stored ??= short(x);
        o.identity ??= short(x);
        // (a getter of the user, `getSessionUser(ctx)`, answers the user's record; one of the session itself,
        // `getIronSession(…)`, a container that may hold an enrolment in progress)
        if (/user/i.test(last)) o.signedIn ??= short(x);
        return;
      }
      // a helper given the request reads from it (`await parseRequest(request, schema)`, `getUser(c)`)
      // …unless it computes its result from a value the request sends (`totp(req.body.secret)`): then that value;
      // and a store's lookup keyed by what the request sends (`User.findById(req.query.id)`) reads the record the
      // caller names (below)
      const sendsPayload = x.arguments.some(isPayloadRead);
      const keyedLookup = parts.length >= 2 && v.recordLookups.test(last) && sendsPayload;
      if (givenRequest(x) && !keyedLookup && !(nameHas(last, v.derivations) && sendsPayload)) {
        o.requestCall ??= short(x);
        return;
      }
      // a value made from the server's settings alone (`Secret.fromBase32(process.env.SUPPORT_TOTP)`): those settings
      if (x.arguments.some((a) => !!envRead(skipOuter(a))) && x.arguments.every(serverSettingOnly)) {
        for (const a of x.arguments) go(a, depth + 1);
        return;
      }
      // a code a one-time-code generator computes is its secret's (`totp.generate(user.totpSecret)`): only that input
      // counts, not the generator it is called on
      const generated = codeGeneratorInput(x);
      if (generated) {
        o.derived ??= short(x);
        return go(generated, depth + 1);
      }
      if (nameHas(last, v.derivations) || !last || v.schemaParsers.test(last) || computesOnly(x)) {
        if (last) o.derived ??= short(x);
        const callee = skipOuter(x.expression);
        // (a schema's parse hands back the value it is given: `schema.safeParse(body)` is `body`, checked)
        const method = ts.isPropertyAccessExpression(callee) && !(x.arguments.length && v.schemaParsers.test(last));
        // A hash of what the user typed, salted or keyed with a stored value (`derive({ password, salt:
        // user.salt })`, `scrypt(pwd, user.salt)`), is still what the user typed: only its typed input counts.
        const typedInput = derivationInput(x, method ? callee.expression : undefined, env, depth);
        if (typedInput) {
          names(typedInput.key, typedInput.expr);
          return go(typedInput.expr, depth + 1);
        }
        if (method) go(callee.expression, depth + 1);
        for (const a of x.arguments) go(a, depth + 1, !method);
        return;
      }
      // a lookup in a store named as an enrolment in progress: `db.pendingTotp.findUnique(…)`
      for (const part of parts.slice(0, -1)) {
        if (!o.pending && nameHas(part, v.enrolmentWords)) o.pending = short(x);
        // …a device or token store that is itself the factor (`OtpDevice`, `totpTokens`) is the account's own
        if (!o.foreign && nameHas(part, v.foreignRecords) && !v.factorRecords.test(part)) o.foreign = short(x);
      }
      // whose record it is: a lookup keyed by what the request sends, and by nothing that says who is
      // signed in, reads the record the caller names (or one reached from such a record)
      if (!o.chosenBy && v.recordLookups.test(last) && depth + KEY_STEP <= MAX_ORIGIN_DEPTH) {
        const leaves = keyLeaves(x.arguments);
        const keys = originOf(leaves, env, depth + KEY_STEP);
        const callee = skipOuter(x.expression);
        // (alternatives written in the key itself, `findById(body.userId ?? req.user.id)`, are the caller's choice too)
        const inline = keys.identity ? originOf([...x.arguments], env, depth + KEY_STEP).choosable : undefined;
        if (keys.identity && !keys.choosable && !inline) {
          // looked up by who is signed in
        } else if (keys.payload) {
          // name the key the request sends (`body.recoveryId`), not where the body was read; an id in a
          // header is left alone (a proxy or the app's middleware commonly sets it from the session)
          const key = leaves.find((l) => originOf([l], env, depth + KEY_STEP).payload);
          o.chosenBy = key ? short(key) : keys.payload;
        } else {
          o.chosenBy =
            keys.chosenBy ??
            (ts.isPropertyAccessExpression(callee)
              ? originOf([callee.expression], env, depth + KEY_STEP).chosenBy
              : undefined);
        }
      }
      o.stored ??= short(x);
      return;
    }
    if (ts.isNewExpression(x)) {
      for (const a of x.arguments ?? []) go(a, depth + 1);
      return;
    }
    if (
      ts.isBinaryExpression(x) ||
      ts.isConditionalExpression(x) ||
      ts.isTemplateExpression(x) ||
      ts.isArrayLiteralExpression(x) ||
      ts.isObjectLiteralExpression(x) ||
      ts.isSpreadElement(x) ||
      ts.isPropertyAssignment(x) ||
      ts.isShorthandPropertyAssignment(x) ||
      ts.isTemplateSpan(x)
    ) {
      if (ts.isShorthandPropertyAssignment(x)) return go(x.name, depth + 1);
      // alternatives one of which the request supplies (`body.userId ?? session.user.id`, `q.id || me.id`)
      if (choiceBranches(x)?.some((a) => originOf([a], env, depth + 1).payload)) o.choosable ??= short(x);
      ts.forEachChild(x, (c) => {
        if (!ts.isFunctionLike(c) && !(ts.isConditionalExpression(x) && c === x.condition)) go(c, depth + 1);
      });
    }
  };
  for (const e of exprs) go(e, startDepth);
  return o;
}

/**
 * A function of this file that only computes its result from its arguments (`generateCode(key, counter,
 * digits)`): nothing awaited, no `this`, and every call it makes is on its own locals, the language's
 * globals (`Buffer`, `Math`) or the runtime's own modules (`crypto`). What it returns is derived from what
 * it is given, whatever its name, as a hash or an encoding is; a lookup would reach a store it did not
 * make (a client, a model, a module's `db`).
 */
function computesOnly(call: ts.CallExpression): boolean {
  const callee = skipOuter(call.expression);
  if (!ts.isIdentifier(callee)) return false;
  const fn = fileFunction(callee);
  const v = vocab();
  if (!fn?.body || !fn.parameters.length || v.recordLookups.test(callee.text)) return false;
  const own = (id: ts.Identifier): boolean => {
    if (v.computingGlobals.has(id.text)) return true;
    const decl = findDeclaration(id);
    if (!decl) return false;
    if (isInside(decl, fn)) return true;
    const imp = ts.findAncestor(decl, ts.isImportDeclaration);
    return !!imp && ts.isStringLiteral(imp.moduleSpecifier) && v.computingModules.test(imp.moduleSpecifier.text);
  };
  let pure = true;
  const visit = (n: ts.Node): void => {
    if (!pure) return;
    if (ts.isAwaitExpression(n) || n.kind === ts.SyntaxKind.ThisKeyword || ts.isYieldExpression(n)) pure = false;
    else if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
      let root: ts.Expression = skipOuter(n.expression);
      while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root) || ts.isCallExpression(root))
        root = skipOuter(root.expression);
      if (ts.isIdentifier(root) && !own(root)) pure = false;
    }
    if (pure) ts.forEachChild(n, visit);
  };
  visit(fn.body);
  return pure;
}

/** A name declared once for the module: a top-level `const`, or an import (`TOTP_DIGITS`, not a row's `PIN_HASH` local). */
function moduleConstant(id: ts.Identifier): boolean {
  const d = findDeclaration(id);
  if (!d) return false;
  if (ts.isImportSpecifier(d) || ts.isImportClause(d) || ts.isNamespaceImport(d)) return true;
  if (!ts.isVariableDeclaration(d) || !ts.isVariableDeclarationList(d.parent)) return false;
  return !!(d.parent.flags & ts.NodeFlags.Const) && ts.isSourceFile(d.parent.parent?.parent);
}

/**
 * The one input of a derivation that the user typed for this request, when its other inputs (a salt, a
 * key, an encoding) are neither typed nor a bearer credential. Arguments given as an object literal
 * count property by property.
 */
function derivationInput(
  call: ts.CallExpression,
  receiver: ts.Expression | undefined,
  env: Env | undefined,
  depth: number,
): { expr: ts.Expression; key?: string } | undefined {
  if (depth + KEY_STEP > MAX_ORIGIN_DEPTH) return undefined;
  const parts: ts.Expression[] = receiver ? [receiver] : [];
  // the key an input is passed under names it (`{ password: input.loginHash }`)
  const keys: (string | undefined)[] = receiver ? [undefined] : [];
  for (const a of call.arguments) {
    const o = skipOuter(a);
    if (!ts.isObjectLiteralExpression(o)) {
      parts.push(a);
      keys.push(undefined);
      continue;
    }
    for (const p of o.properties) {
      if (ts.isPropertyAssignment(p)) parts.push(p.initializer);
      else if (ts.isShorthandPropertyAssignment(p)) parts.push(p.name);
      else return undefined;
      keys.push(propertyNameText(p.name));
    }
  }
  if (parts.length < 2) return undefined;
  const v = vocab();
  const origins = parts.map((p) => originOf([p], env, depth + KEY_STEP));
  if (origins.some((o) => o.bearer || o.replacement)) return undefined;
  const named = (o: Origin, key: string | undefined): boolean =>
    !!key && nameHas(key, v.secretInputs) && !o.stored && !o.session && !o.constant && !o.pending;
  const typed = parts.flatMap((expr, i) =>
    isTyped(origins[i]) || named(origins[i], keys[i]) ? [{ expr, key: keys[i] }] : [],
  );
  return typed.length === 1 ? typed[0] : undefined;
}

const MAX_ORIGIN_DEPTH = 20;
/** What a lookup's key reaches is followed in a walk of its own that starts this much deeper: nested lookups stay bounded. */
const KEY_STEP = 3;

/**
 * The values a lookup's arguments are made of, inside callbacks too (`where: (t, { eq }) => eq(t.id,
 * body.recoveryId)`): whole member chains and identifiers, not callees, property names or parameters.
 */
function keyLeaves(args: readonly ts.Expression[]): ts.Expression[] {
  const out: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (out.length >= 32) return;
    if (ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n) || ts.isIdentifier(n)) {
      const p = n.parent;
      // (a method called on a value, `String(body.email).trim()`: the value it is called on is the key; a read of
      // what the request sends, `c.req.param('id')`, is the key itself)
      if (ts.isCallExpression(p) && p.expression === n) {
        const text = (calleeParts(n) ?? []).join('.');
        if (text && vocab().clientCalls.some((c) => text === c || text.endsWith(`.${c}`))) out.push(p);
        else if (!ts.isIdentifier(n)) visit(n.expression);
        return;
      }
      if (
        ts.isIdentifier(n) &&
        (ts.isParameter(p) ||
          ts.isBindingElement(p) ||
          ((ts.isPropertyAssignment(p) || ts.isPropertyAccessExpression(p)) && p.name === n))
      )
        return;
      out.push(n);
      return;
    }
    n.forEachChild(visit);
  };
  for (const a of args) visit(a);
  return out;
}

/** A value typed by the user for this request (and not the bearer credential). */
export function isTyped(o: Origin): boolean {
  if (o.bearer || o.replacement) return false;
  return !!(o.request || (o.secretName && !o.stored && !o.session) || (o.requestCall && o.secretName));
}

/** The function a name declares in its file: `function f() {}`, or a constant holding an arrow or a function expression. */
export function fileFunction(
  name: ts.Identifier,
): ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression | undefined {
  const d = findDeclaration(name);
  if (d && ts.isFunctionDeclaration(d)) return d;
  const init = d && ts.isVariableDeclaration(d) && d.initializer ? skipOuter(d.initializer) : undefined;
  return init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) ? init : undefined;
}

/** The object literal a called function of the project answers (`(req) => ({ … })`, or its one `return { … }`). */
function builtObject(call: ts.CallExpression): ts.ObjectLiteralExpression | undefined {
  const callee = skipOuter(call.expression);
  const fn = ts.isIdentifier(callee) ? fileFunction(callee) : undefined;
  if (!fn?.body) return undefined;
  if (!ts.isBlock(fn.body)) {
    const x = skipOuter(fn.body);
    return ts.isObjectLiteralExpression(x) ? x : undefined;
  }
  const returns = fn.body.statements.filter(ts.isReturnStatement);
  const only = returns.length === 1 && returns[0].expression ? skipOuter(returns[0].expression) : undefined;
  return only && ts.isObjectLiteralExpression(only) ? only : undefined;
}

/** The part of an object literal a destructuring path names (`{ user: req.user, pin }` + ['user'] → `req.user`); the whole value when it cannot be told. */
function selectPath(value: ts.Expression, path: readonly string[], env: Env | undefined): ts.Expression {
  let cur = value;
  for (const key of path) {
    let x = skipOuter(cur);
    for (let i = 0; i < 4 && ts.isIdentifier(x); i++) {
      const d = findDeclaration(x);
      const next =
        d && ts.isVariableDeclaration(d) && ts.isIdentifier(d.name)
          ? d.initializer
          : d && ts.isParameter(d)
            ? env?.get(d)
            : undefined;
      if (!next) break;
      x = skipOuter(next);
    }
    // what a helper of the project builds from the request (`const input = (req) => ({ email: req.body.email })`,
    // called as `input(req)`): the object it answers
    if (ts.isCallExpression(x)) x = builtObject(x) ?? x;
    if (!ts.isObjectLiteralExpression(x)) return cur;
    const p = x.properties.find((pp) => pp.name && propertyNameText(pp.name) === key);
    if (!p) {
      // (a member an object spread in supplies, `{ ...input, headers }`: it comes from where that object does)
      const spread = [...x.properties].reverse().find(ts.isSpreadAssignment);
      return spread ? spread.expression : cur;
    }
    if (!ts.isPropertyAssignment(p) && !ts.isShorthandPropertyAssignment(p)) return cur;
    cur = ts.isPropertyAssignment(p) ? p.initializer : p.name;
  }
  return cur;
}
