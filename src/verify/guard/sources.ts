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
import type { Budget } from '../../analysis/budget.js';
import { headerRead, walkDataPath } from '../../analysis/datapath.js';
import { findDeclaration } from '../../analysis/scope.js';
import type { Env } from '../../analysis/strings.js';
import { accessName, propertyNameText, skipOuter } from '../../analysis/values.js';
import { vocab } from './vocab.js';

/** The request object: `req`, `request`, `c.req`, `event.request`… */
export function isRequestObject(e: ts.Expression): boolean {
  return vocab().requestObjects.test(skipOuter(e).getText());
}

/** A read of the request body: `await request.json()`, `req.formData()`, `c.req.json()`, `c.req.valid('json')`. */
export function isBodyRead(x: ts.Node): boolean {
  return ts.isCallExpression(x) && ts.isPropertyAccessExpression(x.expression) && vocab().bodyReaders.has(x.expression.name.text) && isRequestObject(x.expression.expression);
}

/** `x-step-up-verified` → `step_up_verified`: header and cookie names in property form. */
export function propName(name: string): string {
  return name.replace(/^x-/i, '').replace(/-/g, '_');
}

export interface OperandOrigins {
  /** A field named like a secret the user types (password, otp, code, pin). */
  secretInput?: string;
  /** A bearer credential: a cookie, an Authorization or API-key header. */
  bearer?: string;
  /** A value read from the request body (`req.body.x`, `await request.json()`): typed by the user for this request. */
  bodyInput?: string;
}

/** Follows the data path of the compared values and records what it meets. */
export function operandOrigins(exprs: readonly ts.Expression[], env: Env | undefined, budget?: Budget): OperandOrigins {
  const out: OperandOrigins = {};
  const v = vocab();
  const short = (n: ts.Node): string => n.getText().replace(/\s+/g, ' ').slice(0, 60);
  const nameSeen = (name: string | undefined, at: ts.Node): void => {
    if (!name) return;
    // a secret's name, as a whole or as one of its words (`candidatePassword`, `otp_code`); not `footprint`
    const parts = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[^A-Za-z0-9]+/).filter(Boolean);
    const forms = [name, ...parts, ...parts.slice(1).map((w, i) => parts[i] + w)];
    if (!out.secretInput && forms.some((f) => v.secretInputs.test(f))) out.secretInput = short(at);
    if (!out.bearer && (v.cookieNames.test(name) || /^authorization$/i.test(name))) out.bearer = short(at);
  };
  walkDataPath(exprs, env, (x) => {
    if (ts.isIdentifier(x)) nameSeen(x.text, x);
    else if (ts.isBindingElement(x)) nameSeen(x.propertyName ? propertyNameText(x.propertyName as ts.PropertyName) : undefined, x);
    else if (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) {
      nameSeen(accessName(x), x);
      if (!out.bodyInput && ts.isPropertyAccessExpression(x) && x.name.text === 'body' && isRequestObject(x.expression)) out.bodyInput = short(x);
    } else if (ts.isCallExpression(x)) {
      if (!out.bodyInput && isBodyRead(x)) out.bodyInput = short(x);
      const last = calleeParts(x.expression)?.pop() ?? '';
      if (!out.bearer && /cookie/i.test(last)) out.bearer = short(x);
      const header = headerRead(x);
      if (header) {
        if (!out.bearer && v.bearerHeaders.test(header)) out.bearer = short(x);
        nameSeen(header, x);
      }
    }
  }, undefined, budget);
  return out;
}

/** Cookie and header collections the client controls: `cookies()`, `headers()`, `req.cookies`, `request.headers`. */
function isClientContainer(e: ts.Expression, depth: number): boolean {
  if (depth > 6) return false;
  const x = skipOuter(e);
  if (ts.isCallExpression(x) && ts.isIdentifier(skipOuter(x.expression)) && ['cookies', 'headers', 'draftMode'].includes((skipOuter(x.expression) as ts.Identifier).text)) return true;
  if (ts.isPropertyAccessExpression(x) && ['cookies', 'headers', 'searchParams', 'query', 'signedCookies'].includes(x.name.text)) return true;
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
    if (ts.isPropertyAccessExpression(x.expression) && ['get', 'getAll', 'has'].includes(x.expression.name.text) && isClientContainer(x.expression.expression, depth + 1)) return text();
    if (isBodyRead(x)) return text();
    if (v.decoders.some((d) => t === d || t.endsWith(`.${d}`))) return `${t}() (decoded without verifying its signature)`;
    if (t === 'JSON.parse' || t === 'atob' || t === 'decodeURIComponent' || t === 'Number' || t === 'String' || t === 'Boolean' || t === 'parseInt') return x.arguments[0] ? clientSource(x.arguments[0], depth + 1) : undefined;
    // `.toString()`, `.value` style accessors keep the data path
    if (ts.isPropertyAccessExpression(x.expression) && ['toString', 'trim', 'toLowerCase', 'toUpperCase', 'valueOf', 'at'].includes(x.expression.name.text)) return clientSource(x.expression.expression, depth + 1);
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
