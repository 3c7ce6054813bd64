// Where the secret a verifier checks comes from. A constant-time compare or a hash check is
// step-up only when the secret is one the user proves again for this request (a current
// password, a one-time code in the body, a password-derived hash). The same primitives also
// check the bearer credential itself (a signed session cookie, an API key in a header): that is
// the credential a stolen session already holds, so it is primary authentication, not step-up.
import { ts } from 'ts-morph';
import { calleeParts } from '../analysis/effects.js';
import { headerRead, walkDataPath } from '../analysis/datapath.js';
import type { Env } from '../analysis/strings.js';
import { accessName, propertyNameText } from '../analysis/values.js';
import { loadRules } from '../rules.js';

export interface OperandOrigins {
  /** A password-derivation call (scrypt, pbkdf2, argon2, hashPassword) on the data path. */
  kdf?: string;
  /** A field named like a secret the user types (password, otp, code, pin). */
  secretInput?: string;
  /** A bearer credential: a cookie, an Authorization or API-key header. */
  bearer?: string;
  /** A value read from the request body (`req.body.x`, `await request.json()`): typed by the user for this request. */
  bodyInput?: string;
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

const REQUEST = /^(req|request|ctx\.request|c\.req|context\.req|event|event\.request|r)$/;

/** Follows the data path of the compared values and records what it meets. */
export function operandOrigins(exprs: readonly ts.Expression[], env: Env | undefined): OperandOrigins {
  const out: OperandOrigins = {};
  const r = rx();
  const short = (n: ts.Node): string => n.getText().replace(/\s+/g, ' ').slice(0, 60);
  const nameSeen = (name: string | undefined, at: ts.Node): void => {
    if (!name) return;
    // a secret's name, as a whole or as one of its words (`candidatePassword`, `otp_code`); not `footprint`
    const parts = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[^A-Za-z0-9]+/).filter(Boolean);
    const forms = [name, ...parts, ...parts.slice(1).map((w, i) => parts[i] + w)];
    if (!out.secretInput && forms.some((f) => r.secret.test(f))) out.secretInput = short(at);
    if (!out.bearer && (r.cookie.test(name) || /^authorization$/i.test(name))) out.bearer = short(at);
  };
  walkDataPath(exprs, env, (x) => {
    if (ts.isIdentifier(x)) nameSeen(x.text, x);
    else if (ts.isBindingElement(x)) nameSeen(x.propertyName ? propertyNameText(x.propertyName as ts.PropertyName) : undefined, x);
    else if (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) {
      nameSeen(accessName(x), x);
      if (!out.bodyInput && ts.isPropertyAccessExpression(x) && x.name.text === 'body' && REQUEST.test(x.expression.getText())) out.bodyInput = short(x);
    } else if (ts.isCallExpression(x)) {
      const callee = x.expression;
      if (!out.bodyInput && ts.isPropertyAccessExpression(callee) && /^(json|formData|parseBody|valid|text)$/.test(callee.name.text) && REQUEST.test(callee.expression.getText())) out.bodyInput = short(x);
      const parts = calleeParts(x.expression);
      const last = parts?.[parts.length - 1] ?? '';
      if (!out.kdf && parts && parts.some((p) => r.kdf.test(p))) out.kdf = short(x);
      if (!out.bearer && /cookie/i.test(last)) out.bearer = short(x);
      const header = headerRead(x);
      if (header) {
        if (!out.bearer && r.header.test(header)) out.bearer = short(x);
        nameSeen(header, x);
      }
    }
  });
  return out;
}
