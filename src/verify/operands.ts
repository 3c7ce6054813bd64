// Where the secret a verifier checks comes from. A constant-time compare or a hash check is
// step-up only when the secret is one the user proves again for this request (a current
// password, a one-time code: by its name or read from the body). The same primitives also
// check the bearer credential itself (a signed session cookie, an API key in a header): that is
// the credential a stolen session already holds, so it is primary authentication, not step-up.
import { ts } from 'ts-morph';
import { calleeParts } from '../analysis/effects.js';
import type { Budget } from '../analysis/budget.js';
import { headerRead, walkDataPath } from '../analysis/datapath.js';
import type { Env } from '../analysis/strings.js';
import { accessName, propertyNameText } from '../analysis/values.js';
import { vocab } from './vocab.js';

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
      if (!out.bodyInput && ts.isPropertyAccessExpression(x) && x.name.text === 'body' && vocab().requestObjects.test(x.expression.getText())) out.bodyInput = short(x);
    } else if (ts.isCallExpression(x)) {
      const callee = x.expression;
      if (!out.bodyInput && ts.isPropertyAccessExpression(callee) && /^(json|formData|parseBody|valid|text)$/.test(callee.name.text) && vocab().requestObjects.test(callee.expression.getText())) out.bodyInput = short(x);
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
