// How a handler answers: a response with its status (NextResponse.json(x, { status }),
// res.status(403).json(), c.json(x, 403), reverificationErrorResponse()), a redirect, or a plain value.
import { ts } from 'ts-morph';
import { calleeParts } from '../analysis/effects.js';
import { evalNumber } from '../analysis/numbers.js';
import type { Env } from '../analysis/strings.js';
import { propertyNameText, skipOuter, type ValueResolver } from '../analysis/values.js';
import { externalName } from '../analysis/unwrap.js';
import { matchesExport, ruleFile } from '../rules/load.js';
import { vocab } from './guard/index.js';

export interface Answer {
  kind: 'response' | 'redirect';
  status?: number;
  /** An error answer: 4xx/5xx, an error helper, or a redirect (to a step-up page) in a failed check. */
  error: boolean;
}

function statusFromInit(init: ts.Expression | undefined, values: ValueResolver, env?: Env): number | undefined {
  if (!init) return undefined;
  const x = skipOuter(init);
  if (ts.isObjectLiteralExpression(x)) {
    const p = x.properties.find((pp) => pp.name && propertyNameText(pp.name) === 'status');
    if (p && ts.isPropertyAssignment(p)) return evalNumber(p.initializer, values, env);
    return undefined;
  }
  return evalNumber(x, values, env);
}

/** `res.status(403)` somewhere in a call chain's receivers. */
function chainStatus(e: ts.Expression, values: ValueResolver, env?: Env): number | undefined {
  let cur: ts.Expression = skipOuter(e);
  for (let i = 0; i < 6; i++) {
    if (ts.isCallExpression(cur) && ts.isPropertyAccessExpression(cur.expression)) {
      const m = cur.expression.name.text;
      if ((m === 'status' || m === 'code' || m === 'sendStatus' || m === 'writeHead') && cur.arguments[0])
        return evalNumber(cur.arguments[0], values, env);
      cur = skipOuter(cur.expression.expression);
    } else if (ts.isPropertyAccessExpression(cur)) cur = skipOuter(cur.expression);
    else break;
  }
  return undefined;
}

function hasStatusCall(e: ts.Expression): boolean {
  let cur: ts.Expression = skipOuter(e);
  for (let i = 0; i < 6; i++) {
    if (ts.isCallExpression(cur) && ts.isPropertyAccessExpression(cur.expression)) {
      if (['status', 'sendStatus', 'code'].includes(cur.expression.name.text) && cur.arguments.length) return true;
      cur = skipOuter(cur.expression.expression);
    } else break;
  }
  return false;
}

export function answerOf(expr: ts.Expression, values: ValueResolver, env?: Env, depth = 0): Answer | undefined {
  const v = vocab();
  const e = skipOuter(expr);
  if (depth > 4) return undefined;
  if (ts.isNewExpression(e) && ts.isIdentifier(e.expression) && v.constructors.has(e.expression.text)) {
    const status = statusFromInit(e.arguments?.[1], values, env) ?? 200;
    return { kind: 'response', status, error: status >= 400 };
  }
  if (ts.isCallExpression(e)) {
    const parts = calleeParts(e.expression);
    const text = parts?.join('.') ?? '';
    const last =
      parts?.[parts.length - 1] ??
      (ts.isPropertyAccessExpression(skipOuter(e.expression))
        ? (skipOuter(e.expression) as ts.PropertyAccessExpression).name.text
        : '');
    if (/^(Response|NextResponse)\.(redirect)$/.test(text) || (last === 'redirect' && parts && parts.length >= 2))
      return { kind: 'redirect', status: 302, error: false };
    if (/^(Response|NextResponse|HttpResponse)\.json$/.test(text)) {
      const status = statusFromInit(e.arguments[1], values, env) ?? 200;
      return { kind: 'response', status, error: status >= 400 };
    }
    // Hono: c.json(body, 403), c.text(msg, 401), c.body(null, 204), c.newResponse(b, 403)
    if (
      parts &&
      parts.length === 2 &&
      ['json', 'text', 'body', 'html', 'newResponse'].includes(last) &&
      !['Response', 'NextResponse', 'res', 'response', 'reply'].includes(parts[0])
    ) {
      const status = e.arguments[1] ? statusFromInit(e.arguments[1], values, env) : undefined;
      return { kind: 'response', status: status ?? 200, error: (status ?? 200) >= 400 };
    }
    // Express: res.status(403).json(...), res.sendStatus(401), res.json(x)
    if (v.senders.has(last) || last === 'sendStatus' || last === 'status') {
      const status = last === 'sendStatus' ? evalNumber(e.arguments[0] ?? e, values, env) : chainStatus(e, values, env);
      if (last === 'redirect') return { kind: 'redirect', status: 302, error: false };
      if (status !== undefined) return { kind: 'response', status, error: status >= 400 };
      // `res.status(err.status || 500)`: a status computed at run time is an error answer
      if (hasStatusCall(e)) return { kind: 'response', error: true };
      if (ts.isPropertyAccessExpression(skipOuter(e.expression)))
        return { kind: 'response', status: 200, error: false };
    }
    if (last && v.errorHelpers.test(last)) return { kind: 'response', status: 403, error: true };
    // Local helpers that build a response: follow one level into the function's returns.
    if (depth < 2) {
      for (const val of values.resolve(e.expression)) {
        if (val.kind !== 'function' || !val.node.body) continue;
        const body = val.node.body;
        const rets: ts.Expression[] = ts.isBlock(body) ? [] : [body];
        if (ts.isBlock(body)) {
          const visit = (n: ts.Node): void => {
            if (ts.isReturnStatement(n) && n.expression) rets.push(n.expression);
            if (!ts.isFunctionLike(n)) ts.forEachChild(n, visit);
          };
          ts.forEachChild(body, visit);
        }
        for (const r of rets) {
          const a = answerOf(r, values, env, depth + 1);
          if (a) return a;
        }
      }
    }
  }
  if (ts.isIdentifier(e) && depth < 3) {
    for (const val of values.resolve(e)) {
      if ((val.kind === 'call' || val.kind === 'unknown') && ts.isExpression(val.node) && val.node !== e) {
        const a = answerOf(val.node, values, env, depth + 1);
        if (a) return a;
      }
    }
  }
  return undefined;
}

/** Calls that hand the request on: `NextResponse.next()`. */
export function isNextResponseNext(e: ts.Expression): boolean {
  const x = skipOuter(e);
  if (!ts.isCallExpression(x)) return false;
  const parts = calleeParts(x.expression);
  return (
    !!parts && parts.length === 2 && parts[0] === 'NextResponse' && (parts[1] === 'next' || parts[1] === 'rewrite')
  );
}

/** `redirect('/reauth')`, `notFound()` (next/navigation): a call that never returns, it throws to end the request. */
export function neverReturns(e: ts.Expression, values: ValueResolver): boolean {
  const x = skipOuter(e);
  if (!ts.isCallExpression(x)) return false;
  const list = ruleFile('guards').responses.throwingCalls;
  return values.resolve(x.expression).some((v) => matchesExport(list, externalName(v)));
}
