// Endpoints whose caller is a service, not a user: a request signature checked with a server
// secret (webhooks, job queues) or a shared secret from the server environment compared with a
// credential header or query parameter (cron jobs, internal calls). There is no user session to
// step up from; the endpoint's own authentication is what a reviewer must look at.
import { ts } from 'ts-morph';
import { EQUALITY } from '../analysis/operators.js';
import { exits } from '../analysis/walk.js';
import { calleeClosure } from '../analysis/callees.js';
import { envRead, headerRead, walkDataPath } from '../analysis/datapath.js';
import { bindingPath, findDeclaration, localUses } from '../analysis/scope.js';
import { accessName, calleeName, skipOuter, type ValueResolver } from '../analysis/values.js';
import { isRequestObject } from '../verify/guard/index.js';
import type { Endpoint, FunctionNode, Reason } from '../model.js';
import { memo } from '../memo.js';
import { spanOf } from '../util.js';

interface Compiled {
  signature: RegExp;
  credential: RegExp;
  secretEnv: RegExp;
  compare: RegExp;
  staticAuth: RegExp;
  signedInUser: RegExp;
  personal: RegExp;
  service: RegExp;
  bodySignature: RegExp;
}

/** Per scan: the machine-credential rules compiled, and each function's verdict. */
const COMPILED = memo('machineAuth.compiled', (session): Compiled => {
  const m = session.classifierRules.exclusions.machineCredential;
  return {
    signature: new RegExp(m.signatureHeaders, 'i'),
    credential: new RegExp(m.credentialNames, 'i'),
    secretEnv: new RegExp(m.secretEnvNames, 'i'),
    compare: new RegExp(m.compareCalls, 'i'),
    staticAuth: new RegExp(m.staticCredentialMiddleware),
    signedInUser: new RegExp(m.signedInUser),
    personal: new RegExp(m.personalSecretNames, 'i'),
    service: new RegExp(m.serviceSecretNames ?? '$^', 'i'),
    bodySignature: new RegExp(m.bodySignatureNames ?? '$^', 'i'),
  };
});
const PER_FUNCTION = memo('machineAuth.perFunction', () => new WeakMap<ts.Node, Reason | null>());

/** `===`, `!==`, `==`, `!=`. */
/** A secret named for an administrator and not for a platform's own service: the key a person holds. */
function isPersonal(name: string, c: Compiled): boolean {
  return c.personal.test(name) && !c.service.test(name);
}

/** A credential the request carries: a header or query parameter named like a key, secret, token or signature. */
function requestCredential(n: ts.Node, c: Compiled): string | undefined {
  const signed = bodySignature(n, c);
  if (signed) return signed;
  const h = headerRead(n);
  if (h) return c.credential.test(h) && !isPersonal(h, c) ? `${h} header` : undefined;
  if (
    (ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n)) &&
    /(^|\.)(query|searchParams)$/.test(skipOuter(n.expression).getText())
  ) {
    const name = accessName(n);
    return name && c.credential.test(name) ? `${name} query parameter` : undefined;
  }
  if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(skipOuter(n.expression))) {
    const callee = skipOuter(n.expression) as ts.PropertyAccessExpression;
    const key = n.arguments[0];
    if (
      key &&
      ts.isStringLiteralLike(key) &&
      ((callee.name.text === 'get' && /searchParams$/.test(callee.expression.getText())) ||
        (callee.name.text === 'query' && /req$/.test(callee.expression.getText())))
    ) {
      return c.credential.test(key.text) ? `${key.text} query parameter` : undefined;
    }
  }
  return undefined;
}

/** A signature the body carries (`const { sign } = req.body`, `req.body.signature`). */
function bodySignature(n: ts.Node, c: Compiled): string | undefined {
  const fromBody = (e: ts.Expression | undefined): boolean =>
    !!e && /^(await)?\(?(req|request)(as\w+)?\)?\.body$|\.json\(\)$/.test(e.getText().replace(/\s+/g, ''));
  if (ts.isPropertyAccessExpression(n) && c.bodySignature.test(n.name.text) && fromBody(n.expression))
    return `${n.name.text} body field`;
  if (!ts.isIdentifier(n) || !c.bodySignature.test(n.text)) return undefined;
  const d = findDeclaration(n);
  if (!d || !ts.isBindingElement(d)) return undefined;
  const { root } = bindingPath(d);
  return root && ts.isVariableDeclaration(root) && fromBody(root.initializer) ? `${n.text} body field` : undefined;
}

function findOnPath(e: ts.Expression, pred: (n: ts.Node) => string | undefined): string | undefined {
  let found: string | undefined;
  walkDataPath(
    [e],
    undefined,
    (n) => {
      found = pred(n);
      return !!found;
    },
    8,
  );
  return found;
}

/**
 * Is the shared secret the only way in? The branch taken when it does not match must end the request
 * (`if (key !== SECRET) return 401`). A secret that only short-circuits (`if (token === SERVICE_KEY) return next()`)
 * sits in front of user authentication, whose endpoints still need step-up.
 */
function refusesOnMismatch(cmp: ts.Expression, trueMeansMismatch: boolean): boolean {
  let n: ts.Node = cmp;
  let mismatch = trueMeansMismatch;
  for (;;) {
    const p: ts.Node = n.parent;
    if (!p) return false;
    if (ts.isParenthesizedExpression(p) || ts.isAwaitExpression(p)) n = p;
    else if (ts.isPrefixUnaryExpression(p) && p.operator === ts.SyntaxKind.ExclamationToken) {
      mismatch = !mismatch;
      n = p;
    } else if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.BarBarToken && mismatch)
      n = p; // `!h || h !== secret`
    else if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken && !mismatch)
      n = p; // `h && h === secret`
    else if (
      ts.isBinaryExpression(p) &&
      p.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken &&
      findOnPath(p.left === n ? p.right : p.left, envRead)
    )
      n = p; // `SECRET && h !== SECRET`: only when the secret is configured
    else if (ts.isIfStatement(p) && p.expression === n) {
      const branch = mismatch ? p.thenStatement : p.elseStatement;
      return !!branch && exits(branch) && !caughtAndGoesOn(p);
    } else if (ts.isVariableDeclaration(p) && p.initializer === n && ts.isIdentifier(p.name)) {
      // the answer kept and tested later (`const isValid = timingSafeEqual(a, b); if (!isValid) throw …`)
      return localUses(p).some((u) => refusesOnMismatch(u, mismatch));
    } else return false;
  }
}

/**
 * Does a throw from inside a `try` land in a `catch` that lets the request go on? (A catch that answers
 * 401 and returns ends it, as a return in place of the throw would.)
 */
function caughtAndGoesOn(n: ts.Node): boolean {
  for (let x: ts.Node | undefined = n; x && !ts.isFunctionLike(x); x = x.parent) {
    const p: ts.Node | undefined = x.parent;
    if (p && ts.isTryStatement(p) && p.tryBlock === x)
      return !p.catchClause || !p.catchClause.block.statements.some((st) => exits(st));
  }
  return false;
}

/** Text a module must contain to hold a signature or shared-secret check (or to call one). */
const CREDENTIAL_TEXT = /signature|svix|\benv\b|header|secret|cron|webhook/i;

/** Does this function verify a machine credential? */
function checkFunction(
  fn: FunctionNode,
  c: Compiled,
  perFunction: WeakMap<ts.Node, Reason | null>,
): Reason | undefined {
  const hit = perFunction.get(fn);
  if (hit !== undefined) return hit ?? undefined;
  let out: Reason | undefined;
  const secretEnv = (n: ts.Node): string | undefined => {
    const name = envRead(n);
    // (a secret named for an administrator, `ADMIN_SECRET_KEY`, is the key a person holds: their session)
    return name && c.secretEnv.test(name) && !isPersonal(name, c) ? name : undefined;
  };
  const visit = (n: ts.Node): void => {
    if (out) return;
    if (ts.isCallExpression(n)) {
      // a signature header handed to a verifier: `receiver.verify({ signature })`, `stripe.webhooks.constructEvent(body, sig, secret)`
      for (const a of n.arguments) {
        const sig = findOnPath(a, (x) => {
          const h = headerRead(x);
          return h && c.signature.test(h) ? h : undefined;
        });
        if (sig) {
          out = {
            kind: 'exclusion',
            value: sig,
            detail: `the request signature (${sig} header) is verified: the caller is a service (webhook or job queue), not a user session`,
            span: spanOf(n),
          };
          return;
        }
      }
      // a credential compared with a server secret by a helper: `safeCompare(token, process.env.CRON_SECRET)`
      if (n.arguments.length >= 2 && c.compare.test(calleeName(n))) {
        const cred = n.arguments.map((a) => findOnPath(a, (x) => requestCredential(x, c))).find(Boolean);
        const env = cred && n.arguments.map((a) => findOnPath(a, secretEnv)).find(Boolean);
        if (cred && env && refusesOnMismatch(n, false)) {
          out = {
            kind: 'exclusion',
            value: env,
            detail: `the ${cred} is compared with the server secret ${env}: the caller is a service (cron job or internal call), not a user session`,
            span: spanOf(n),
          };
          return;
        }
      }
    }
    if (ts.isBinaryExpression(n) && EQUALITY.has(n.operatorToken.kind)) {
      for (const [a, b] of [
        [n.left, n.right],
        [n.right, n.left],
      ] as const) {
        const cred = findOnPath(a, (x) => requestCredential(x, c));
        const env = cred && findOnPath(b, secretEnv);
        const ne =
          n.operatorToken.kind === ts.SyntaxKind.ExclamationEqualsEqualsToken ||
          n.operatorToken.kind === ts.SyntaxKind.ExclamationEqualsToken;
        if (cred && env && refusesOnMismatch(n, ne)) {
          out = {
            kind: 'exclusion',
            value: env,
            detail: `the ${cred} is compared with the server secret ${env}: the caller is a service (cron job or internal call), not a user session`,
            span: spanOf(n),
          };
          return;
        }
      }
    }
    ts.forEachChild(n, visit);
  };
  // Cheap text tests first: the credential is read in this function, the secret comes from the environment.
  const text = fn.body?.getText() ?? '';
  if (
    fn.body &&
    /header|query|searchParams|get\(|body|json\(/i.test(text) &&
    (/signature|svix/i.test(text) || /\benv\b/.test(fn.getSourceFile().text))
  )
    visit(fn.body);
  perFunction.set(fn, out ?? null);
  return out;
}

/** The handler, its route-level middleware and wrappers, and the project functions they call (two levels). */
function functionsOf(ep: Endpoint, values: ValueResolver): FunctionNode[] {
  const roots: FunctionNode[] = [];
  if (ep.handler.fn) roots.push(ep.handler.fn);
  for (const l of ep.chain) if (l.via !== 'next-middleware' && l.fn) roots.push(l.fn);
  // an imported module is parsed only if its text could hold a machine credential check
  return calleeClosure(roots, values, 2, {
    follow: (call) => {
      const target = values.importedFile(call.expression);
      return !target || values.isParsed(target) || values.textMatches(target, CREDENTIAL_TEXT);
    },
  });
}

/**
 * The static-credential middleware a chain link is (`bearerAuth({ token })`) or that an inline
 * middleware hands the request to (`async (c, next) => bearerAuth({ token: env.CRON_SECRET })(c, next)`).
 */
function staticAuthCall(x: ts.Expression, c: Compiled): ts.CallExpression | undefined {
  if (ts.isCallExpression(x)) return c.staticAuth.test(calleeName(x)) ? x : undefined;
  if (!ts.isArrowFunction(x) && !ts.isFunctionExpression(x)) return undefined;
  let found: ts.CallExpression | undefined;
  const visit = (n: ts.Node): void => {
    if (found || ts.isFunctionLike(n)) return;
    if (ts.isCallExpression(n) && ts.isCallExpression(skipOuter(n.expression))) {
      const inner = skipOuter(n.expression) as ts.CallExpression;
      if (c.staticAuth.test(calleeName(inner))) found = inner;
    }
    if (!found) ts.forEachChild(n, visit);
  };
  ts.forEachChild(x.body, visit);
  return found;
}

/**
 * Is a request's session only written into here (`req.session.user = { id }`, a sign-in or sign-up starting it)? A
 * member of it assigned is no read of who is signed in.
 */
function assignedInto(n: ts.PropertyAccessExpression): boolean {
  const p = n.parent;
  if (!p || !ts.isPropertyAccessExpression(p) || p.expression !== n) return false;
  const b = p.parent;
  return !!b && ts.isBinaryExpression(b) && b.left === p && b.operatorToken.kind === ts.SyntaxKind.EqualsToken;
}

/** Does this function read who the request is from: `req.user`, `req.session.userId`, `c.get('user')`? */
function readsSignedInUser(fn: FunctionNode, c: Compiled): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (
      ts.isPropertyAccessExpression(n) &&
      c.signedInUser.test(n.name.text) &&
      isRequestObject(n.expression) &&
      !assignedInto(n)
    ) {
      found = true;
      return;
    }
    if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      n.expression.name.text === 'get' &&
      /^(c|ctx|context)$/.test(skipOuter(n.expression.expression).getText()) &&
      n.arguments[0] &&
      ts.isStringLiteralLike(n.arguments[0]) &&
      c.signedInUser.test(n.arguments[0].text)
    ) {
      found = true;
      return;
    }
    ts.forEachChild(n, visit);
  };
  if (fn.body) visit(fn.body);
  return found;
}

/** Does this function read who the request is from (`req.user`, `c.get('user')`)? */
export function readsSignedIn(fn: FunctionNode, values: ValueResolver): boolean {
  return readsSignedInUser(fn, values.session.get(COMPILED));
}

export function machineCredential(ep: Endpoint, values: ValueResolver): Reason | undefined {
  const c = values.session.get(COMPILED);
  const found = serviceCredential(ep, values, c);
  if (!found) return undefined;
  // A shared secret in front of a user session (an app-wide client key in a header, then the session's
  // user read by the route) does not make the caller a service.
  const own = [ep.handler.fn, ...ep.chain.filter((l) => l.via !== 'next-middleware').map((l) => l.fn)];
  if (own.some((fn) => fn && readsSignedInUser(fn, c))) return undefined;
  // A gateway's shared secret, then the caller's own key looked up (`verifyApiKey(req.query.apiKeyId)`, refused
  // when unknown): the secret only says the request came through the gateway; the key says which user sent it.
  if (found.fn && identifiesCaller(found.fn, c, found.reason.value)) return undefined;
  return found.reason;
}

/**
 * Does the function look the caller up by a credential of their own the request carries (an API key, a key id,
 * a token other than the shared secret compared), refusing the request when none is found?
 */
function identifiesCaller(fn: FunctionNode, c: Compiled, secretEnv: string): boolean {
  let found = false;
  // (a user's own key or token by its name: a lock, claim, run or tenant token a job passes is none)
  const ownKey = /(api_?key|access_?key|api_?token|access_?token|personal_?token|client_?id)/i;
  const credentialOf = (x: ts.Node): string | undefined => {
    const name = credentialNamed(x);
    return name && ownKey.test(name.replace(/[\s-]/g, '_')) ? name : undefined;
  };
  const credentialNamed = (x: ts.Node): string | undefined => {
    if (ts.isBindingElement(x) && ts.isIdentifier(x.name) && c.credential.test(x.name.text)) {
      const root = ts.findAncestor(x, ts.isVariableDeclaration);
      const from = root?.initializer && skipOuter(root.initializer).getText().replace(/\s+/g, '');
      return from && /^(req|request|c\.req)\.(query|headers|body|params)$/.test(from) ? x.name.text : undefined;
    }
    return requestCredential(x, c);
  };
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n) && n.arguments.length) {
      const cred = n.arguments.map((a) => findOnPath(a, credentialOf)).find(Boolean);
      // (not a comparison with the environment's secret itself: that is the gateway's check)
      const withSecret = n.arguments.some((a) =>
        findOnPath(a, (x) => (envRead(x) === secretEnv ? secretEnv : undefined)),
      );
      if (cred && !withSecret && !c.compare.test(calleeName(n)) && refusedWhenMissing(n)) {
        found = true;
        return;
      }
    }
    ts.forEachChild(n, visit);
  };
  if (fn.body) visit(fn.body);
  return found;
}

/** Is a call's result held and the request refused when it is empty (`const key = await find(id); if (!key) return 401`)? */
function refusedWhenMissing(call: ts.CallExpression): boolean {
  let n: ts.Node = call;
  while (n.parent && (ts.isAwaitExpression(n.parent) || ts.isParenthesizedExpression(n.parent))) n = n.parent;
  const d = n.parent;
  if (!d || !ts.isVariableDeclaration(d) || !ts.isIdentifier(d.name)) return false;
  return localUses(d).some((u) => refusesOnMismatch(u, false));
}

/** The service credential an endpoint checks, and the function checking it (none for a configured middleware). */
function serviceCredential(
  ep: Endpoint,
  values: ValueResolver,
  c: Compiled,
): { reason: Reason; fn?: FunctionNode } | undefined {
  // a static-credential middleware configured with an environment secret: `bearerAuth({ token: process.env.CRON_SECRET })`
  for (const l of ep.chain) {
    if (l.via === 'next-middleware') continue;
    const x = staticAuthCall(skipOuter(l.expr), c);
    if (!x) continue;
    const env = x.arguments
      .map((a) =>
        findOnPath(a, (n) => {
          const name = envRead(n);
          return name && c.secretEnv.test(name) ? name : undefined;
        }),
      )
      .find(Boolean);
    if (env)
      return {
        reason: {
          kind: 'exclusion',
          value: env,
          detail: `${calleeName(x)} accepts only the server secret ${env}: the caller is a service (cron job or internal call), not a user session`,
          span: spanOf(x),
        },
      };
  }
  for (const fn of functionsOf(ep, values)) {
    const r = checkFunction(fn, c, values.session.get(PER_FUNCTION));
    if (r) return { reason: r, fn };
  }
  return undefined;
}

/**
 * Does a route-level middleware of this endpoint establish who is signed in (`req.user = decoded`,
 * `res.locals.user = …`, `c.set('user', …)`)? Then the route serves a session: it is not where one
 * is created. Router-level middleware is left out (it often lets the sign-in paths through).
 */
export function routeSetsSignedInUser(ep: Endpoint, values: ValueResolver): boolean {
  return ep.chain.some((l) => l.via === 'route' && setsSignedInUser(l.fn ?? l.factory, values));
}

/** Does a middleware put the signed-in user on the request (`req.user = …`, `res.locals.user = …`, `c.set('user', …)`)? */
export function setsSignedInUser(fn: FunctionNode | undefined, values: ValueResolver): boolean {
  if (!fn?.body) return false;
  const c = values.session.get(COMPILED);
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(n.left) &&
      c.signedInUser.test(n.left.name.text)
    ) {
      const target = skipOuter(n.left.expression);
      // `req.user = …`, `res.locals.user = …`
      if (ts.isIdentifier(target) || (ts.isPropertyAccessExpression(target) && target.name.text === 'locals'))
        found = true;
    } else if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      n.expression.name.text === 'set' &&
      n.arguments[0] &&
      ts.isStringLiteralLike(n.arguments[0]) &&
      c.signedInUser.test(n.arguments[0].text)
    )
      found = true;
    if (!found) ts.forEachChild(n, visit);
  };
  visit(fn.body);
  return found;
}
