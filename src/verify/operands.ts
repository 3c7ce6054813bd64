// Where the secret a verifier checks comes from. A constant-time compare or a hash check is
// step-up only when the secret is one the user proves again for this request (a current
// password, a one-time code in the body, a password-derived hash). The same primitives also
// check the bearer credential itself (a signed session cookie, an API key in a header): that is
// the credential a stolen session already holds, so it is primary authentication, not step-up.
import { ts } from 'ts-morph';
import { calleeParts } from '../analysis/effects.js';
import { findDeclaration } from '../analysis/scope.js';
import type { Env } from '../analysis/strings.js';
import { accessName, propertyNameText, skipOuter } from '../analysis/values.js';
import { loadRules } from '../rules.js';

export interface OperandOrigins {
  /** A password-derivation call (scrypt, pbkdf2, argon2, hashPassword) on the data path. */
  kdf?: string;
  /** A field named like a secret the user types (password, otp, code, pin). */
  secretInput?: string;
  /** A bearer credential: a cookie, an Authorization or API-key header. */
  bearer?: string;
}

interface OperandRules {
  kdfCalls: string;
  secretInputs: string;
  bearerHeaders: string;
  cookieNames: string;
}

let compiled: { kdf: RegExp; secret: RegExp; header: RegExp; cookie: RegExp } | undefined;
function rx(): NonNullable<typeof compiled> {
  if (compiled) return compiled;
  const r = loadRules<{ operands: OperandRules }>('guards').operands;
  compiled = { kdf: new RegExp(r.kdfCalls, 'i'), secret: new RegExp(r.secretInputs, 'i'), header: new RegExp(r.bearerHeaders, 'i'), cookie: new RegExp(r.cookieNames, 'i') };
  return compiled;
}

/** Follows the data path of each expression (locals, destructuring, bound parameters, calls) and records what it meets. */
export function operandOrigins(exprs: readonly ts.Expression[], env: Env | undefined): OperandOrigins {
  const out: OperandOrigins = {};
  const seen = new Set<ts.Node>();
  const r = rx();
  const short = (n: ts.Node): string => n.getText().replace(/\s+/g, ' ').slice(0, 60);

  const nameSeen = (name: string | undefined, at: ts.Node): void => {
    if (!name) return;
    if (!out.secretInput && r.secret.test(name)) out.secretInput = short(at);
    if (!out.bearer && r.cookie.test(name)) out.bearer = short(at);
    if (!out.bearer && /^authorization$/i.test(name)) out.bearer = short(at);
  };

  const visit = (n: ts.Node, depth: number): void => {
    if (depth > 12 || seen.has(n)) return;
    seen.add(n);
    const x = ts.isExpression(n) ? skipOuter(n) : n;
    if (ts.isIdentifier(x)) {
      if (x.parent && ts.isPropertyAccessExpression(x.parent) && x.parent.name === x) return;
      nameSeen(x.text, x);
      const d = findDeclaration(x);
      if (!d) return;
      if (ts.isParameter(d)) {
        const bound = env?.get(d);
        if (bound) visit(bound, depth + 1);
        return;
      }
      if (ts.isVariableDeclaration(d) && d.initializer) return visit(d.initializer, depth + 1);
      if (ts.isBindingElement(d)) {
        nameSeen(d.propertyName ? propertyNameText(d.propertyName as ts.PropertyName) : undefined, d);
        let root: ts.Node = d.parent.parent;
        while (ts.isBindingElement(root)) root = root.parent.parent;
        if (ts.isVariableDeclaration(root) && root.initializer) visit(root.initializer, depth + 1);
        if (ts.isParameter(root)) {
          const bound = env?.get(root);
          if (bound) visit(bound, depth + 1);
        }
      }
      return;
    }
    if (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) {
      nameSeen(accessName(x), x);
      return visit(x.expression, depth + 1);
    }
    if (ts.isCallExpression(x)) {
      const parts = calleeParts(x.expression);
      const last = parts?.[parts.length - 1] ?? '';
      if (!out.kdf && parts && parts.some((p) => r.kdf.test(p))) out.kdf = short(x);
      if (!out.bearer && /cookie/i.test(last)) out.bearer = short(x);
      const key = x.arguments[0];
      if (key && ts.isStringLiteralLike(key) && /^(get|header|getHeader)$/.test(last)) {
        if (!out.bearer && r.header.test(key.text)) out.bearer = short(x);
        nameSeen(key.text, x);
      }
      // the receiver and arguments both carry data into the result (`createHmac(k).update(t).digest()`)
      const callee = skipOuter(x.expression);
      if (ts.isPropertyAccessExpression(callee)) visit(callee.expression, depth + 1);
      for (const a of x.arguments) visit(a, depth + 1);
      return;
    }
    ts.forEachChild(x, (c) => {
      if (!ts.isFunctionLike(c)) visit(c, depth + 1);
    });
  };
  for (const e of exprs) visit(e, 0);
  return out;
}
