// Step-up evidence inside a condition: guard results, recent-authentication comparisons,
// assurance levels and flags, each with the truth value that means "failed", the source it is
// read from (server-side or client-controlled) and the window or level it accepts.
import { ts } from 'ts-morph';
import { COMPARISON } from '../../analysis/operators.js';
import { calleeParts } from '../../analysis/effects.js';
import { emptyMatch } from './empty-match.js';
import { evalNumber } from '../../analysis/numbers.js';
import { findDeclaration, localUses } from '../../analysis/scope.js';
import { evalString, type Env } from '../../analysis/strings.js';
import { accessName, calleeName, skipOuter, type ValueResolver } from '../../analysis/values.js';
import { memo } from '../../memo.js';
import { localInit } from './logic.js';
import { clientTrustedText, judgeCompare } from './secrets.js';
import { clientSource, nameHas, originOf, propName } from './sources.js';
import type { InlineEvidence } from './types.js';
import { vocab } from './vocab.js';
import { isTimeSource, MS_PER, unitOfWord } from './windows.js';

function someNode(e: ts.Node, pred: (n: ts.Node) => boolean, depth = 0): boolean {
  if (depth > 3) return false;
  let hit = false;
  const visit = (n: ts.Node): void => {
    if (hit) return;
    if (pred(n)) {
      hit = true;
      return;
    }
    if (ts.isIdentifier(n) && !(n.parent && ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) {
      const init = localInit(n);
      if (init && someNode(init, pred, depth + 1)) {
        hit = true;
        return;
      }
    }
    if (!ts.isFunctionLike(n)) ts.forEachChild(n, visit);
  };
  visit(e);
  return hit;
}

/** Is this property read a time of last authentication (on a session/token when the name is generic)? */
function authTimeRead(n: ts.Node): ts.Expression | undefined {
  const v = vocab();
  let name: string | undefined;
  let owner = '';
  if (ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n)) {
    name = accessName(n);
    owner = n.expression.getText();
  } else if (ts.isIdentifier(n)) {
    name = n.text;
    const d = findDeclaration(n);
    if (d && ts.isBindingElement(d)) owner = d.parent.parent.getText();
    else if (d && ts.isVariableDeclaration(d) && d.initializer) return authTimeRead(skipOuter(d.initializer));
    else return undefined;
  }
  if (!name || !v.authTimeProps.test(name)) return undefined;
  if (v.weakTimeProps.test(name) && !/^(iat|auth_?time)$/i.test(name) && !v.sessionTimeOwners.test(owner))
    return undefined;
  return n as ts.Expression;
}

function findAuthTime(e: ts.Node): ts.Expression | undefined {
  let found: ts.Expression | undefined;
  someNode(e, (n) => {
    const r = authTimeRead(n);
    if (r) found = r;
    return !!r;
  });
  return found;
}

function hasTimeSource(e: ts.Node): boolean {
  return someNode(e, isTimeSource);
}

/** Client sources among the reads a comparison makes. */
function clientSourceOfComparison(e: ts.Expression): string | undefined {
  const x = skipOuter(e);
  if (ts.isBinaryExpression(x)) return clientSourceOfComparison(x.left) ?? clientSourceOfComparison(x.right);
  if (
    ts.isCallExpression(x) &&
    ts.isPropertyAccessExpression(x.expression) &&
    ['getTime', 'valueOf'].includes(x.expression.name.text)
  )
    return clientSource(x.expression.expression);
  if (ts.isNewExpression(x) && x.arguments?.[0]) return clientSource(x.arguments[0]);
  return clientSource(x);
}

/**
 * The record a time is read from, when the request chooses it: looked up by a key the request sends and by
 * nothing that says who is signed in (`findOtpByEmail(body.email).createdAt`). Its age says when that
 * record was made, for whoever the caller names, not when the session's user last proved who they are.
 */
function chosenTimeOwner(auth: ts.Expression, env: Env | undefined): string | undefined {
  let owner: ts.Expression | undefined;
  if (ts.isPropertyAccessExpression(auth) || ts.isElementAccessExpression(auth)) owner = auth.expression;
  else if (ts.isIdentifier(auth)) {
    const d = findDeclaration(auth);
    if (d && ts.isBindingElement(d) && ts.isVariableDeclaration(d.parent.parent) && d.parent.parent.initializer)
      owner = d.parent.parent.initializer;
  }
  if (!owner) return undefined;
  const o = originOf([owner], env);
  if (!o.chosenBy || o.identity) return undefined;
  return `the time of a record the request chooses (${owner.getText().replace(/\s+/g, ' ').slice(0, 60)}, looked up by ${o.chosenBy})`;
}

/** Which side of a comparison holds what. */
function sideHas(e: ts.Expression): { time: boolean; auth: boolean } {
  return { time: hasTimeSource(e), auth: !!findAuthTime(e) };
}

/** Evaluates a time expression with every time source and auth-time read at 0: what is left is the window. */
function windowOf(e: ts.Expression, values: ValueResolver, env: Env | undefined, depth = 0): number | undefined {
  const x = skipOuter(e);
  if (depth > 8) return undefined;
  if (isTimeSource(x)) {
    if (ts.isCallExpression(x)) {
      const last = calleeParts(x.expression)?.pop() ?? '';
      const m = /^(sub|add)(Seconds|Minutes|Hours|Days|Milliseconds)$/.exec(last);
      if (m && x.arguments[1]) {
        const n = evalNumber(x.arguments[1], values, env);
        if (n === undefined) return undefined;
        const factor = MS_PER[unitOfWord(m[2]) ?? 'ms'];
        return (m[1] === 'sub' ? -1 : 1) * n * factor;
      }
    }
    return 0;
  }
  if (authTimeRead(x)) return 0;
  if (
    ts.isCallExpression(x) &&
    ts.isPropertyAccessExpression(x.expression) &&
    ['getTime', 'valueOf'].includes(x.expression.name.text)
  )
    return windowOf(x.expression.expression, values, env, depth + 1);
  if (ts.isNewExpression(x) && ts.isIdentifier(x.expression) && x.expression.text === 'Date' && x.arguments?.[0])
    return windowOf(x.arguments[0], values, env, depth + 1);
  if (ts.isCallExpression(x) && calleeParts(x.expression)?.join('.') === 'Date.parse' && x.arguments[0])
    return windowOf(x.arguments[0], values, env, depth + 1);
  if (
    ts.isCallExpression(x) &&
    ts.isPropertyAccessExpression(x.expression) &&
    x.expression.expression.getText() === 'Math' &&
    x.arguments[0]
  )
    return windowOf(x.arguments[0], values, env, depth + 1);
  if (ts.isBinaryExpression(x)) {
    const l = windowOf(x.left, values, env, depth + 1);
    const r = windowOf(x.right, values, env, depth + 1);
    if (l === undefined || r === undefined) return undefined;
    switch (x.operatorToken.kind) {
      case ts.SyntaxKind.PlusToken:
        return l + r;
      case ts.SyntaxKind.MinusToken:
        return l - r;
      case ts.SyntaxKind.AsteriskToken:
        return l * r;
      case ts.SyntaxKind.SlashToken:
        return r === 0 ? 0 : l / r;
      default:
        return undefined;
    }
  }
  if (ts.isIdentifier(x)) {
    const init = localInit(x);
    if (init) return windowOf(init, values, env, depth + 1);
  }
  return evalNumber(x, values, env);
}

/** A cutoff written as now plus something (`Date.now() + CLOCK_SKEW_MS`): a time ahead of now, whatever it adds. */
function aheadOfNow(e: ts.Expression): boolean {
  const x = skipOuter(e);
  if (!ts.isBinaryExpression(x) || x.operatorToken.kind !== ts.SyntaxKind.PlusToken) return false;
  const [t, w] = hasTimeSource(x.left) ? [x.left, x.right] : [x.right, x.left];
  return hasTimeSource(t) && !hasTimeSource(w) && !ts.isPrefixUnaryExpression(skipOuter(w));
}

/** Milliseconds per unit of a freshness comparison: seconds when it divides by 1000 or reads auth_time/iat. */
function unitMs(e: ts.Node): number {
  let text = e.getText();
  someNode(e, (n) => {
    if (ts.isIdentifier(n)) {
      const init = localInit(n);
      if (init) text += ` ${init.getText()}`;
    }
    return false;
  });
  if (/differenceIn(Minutes)|'minutes?'|"minutes?"/.test(text)) return MS_PER.minutes;
  if (/differenceIn(Hours)|'hours?'|"hours?"/.test(text)) return MS_PER.hours;
  if (/differenceIn(Seconds)|'seconds?'|"seconds?"/.test(text)) return MS_PER.seconds;
  if (/\/\s*1000\b|\/\s*1e3\b|getUnixTime|\bunix\(\)/.test(text)) return MS_PER.seconds;
  if (/\b(auth_time|iat|exp|authTimeSeconds)\b/.test(text) && !/Date\.now\(\)|getTime\(\)/.test(text))
    return MS_PER.seconds;
  return MS_PER.ms;
}

function isLevelRead(n: ts.Expression): string | undefined {
  const v = vocab();
  const x = skipOuter(n);
  if (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) {
    const name = accessName(x);
    if (name && v.levelProps.test(propName(name))) return name;
  }
  if (ts.isIdentifier(x)) {
    if (v.levelProps.test(x.text)) return x.text;
    const init = localInit(x);
    if (init) return isLevelRead(init);
    const d = findDeclaration(x);
    if (d && ts.isBindingElement(d)) {
      const prop = (d.propertyName ?? d.name).getText();
      if (v.levelProps.test(prop)) return prop;
    }
  }
  if (
    ts.isBinaryExpression(x) &&
    (x.operatorToken.kind === ts.SyntaxKind.BarBarToken || x.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)
  )
    return isLevelRead(x.left);
  return undefined;
}

/**
 * A generic name (`level`) is an assurance level only on a session or token and against a level
 * value: `req.user.level < 2` is a role, `req.session.level !== 'staff'` a rank, `logger.level` a log level.
 */
function plausibleLevel(prop: string, side: ts.Expression, lit: string | undefined): boolean {
  const v = vocab();
  if (!v.genericLevelProps.test(propName(prop))) return true;
  const x = skipOuter(side);
  let owner = '';
  if (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) owner = x.expression.getText();
  else if (ts.isIdentifier(x)) {
    const d = findDeclaration(x);
    if (d && ts.isBindingElement(d)) owner = d.parent.parent.getText();
  }
  if (!v.sessionTimeOwners.test(owner) || /log/i.test(owner)) return false;
  if (lit === undefined) return false;
  const l = lit.toLowerCase();
  return /^\d+$/.test(l) || v.strongLevels.has(l) || v.baseLevels.has(l) || /^aal\d$/.test(l);
}

function isFlagRead(n: ts.Expression): string | undefined {
  const v = vocab();
  const x = skipOuter(n);
  if (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) {
    // `db.stepUp.findFirst` names a model, not a flag: only the last read of a chain is a value.
    const p = x.parent;
    if (p && (ts.isPropertyAccessExpression(p) || ts.isElementAccessExpression(p)) && p.expression === x)
      return undefined;
    const name = accessName(x);
    if (name && v.flagProps.test(propName(name))) return name;
  }
  if (ts.isIdentifier(x)) {
    const d = findDeclaration(x);
    if (d && ts.isBindingElement(d)) {
      const prop = (d.propertyName ?? d.name).getText();
      if (v.flagProps.test(propName(prop))) return prop;
    }
    // a value read from the request and then handed to a verifier (`verifyStepUpToken(token)`) is a
    // token to be checked, not a flag: its presence test only refuses requests that carry none
    if (d && ts.isVariableDeclaration(d) && d.initializer)
      return verifiedLater(d) ? undefined : isFlagRead(d.initializer);
  }
  // request accessors: headers.get('x-mfa'), c.req.header('x-step-up'), c.req.query('mfa_verified'), getCookie(c, 'stepup')
  if (ts.isCallExpression(x)) {
    let holder: ts.Node = x.parent;
    while (
      holder &&
      (ts.isParenthesizedExpression(holder) || ts.isAwaitExpression(holder) || ts.isAsExpression(holder))
    )
      holder = holder.parent;
    if (holder && ts.isVariableDeclaration(holder) && verifiedLater(holder)) return undefined;
    const method = calleeName(x);
    const keyArg =
      method === 'getCookie' || method === 'getSignedCookie'
        ? x.arguments[1]
        : ['get', 'header', 'query', 'param', 'cookie'].includes(method)
          ? x.arguments[0]
          : undefined;
    const k = keyArg && ts.isStringLiteralLike(keyArg) ? keyArg.text : '';
    if (k && (v.flagProps.test(propName(k)) || v.stepUpKeys.test(k))) return k;
  }
  return undefined;
}

/** Is a local handed to a call that verifies a signed token (`verifyStepUpToken(token)`) in the function that declares it? */
function verifiedLater(d: ts.VariableDeclaration): boolean {
  let fn: ts.Node | undefined = d.parent;
  while (fn && !ts.isFunctionLike(fn) && !ts.isSourceFile(fn)) fn = fn.parent;
  if (!fn || ts.isSourceFile(fn)) return false;
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (
      ts.isCallExpression(n) &&
      vocab().tokenVerifiers.test(n.expression.getText()) &&
      n.arguments.some((a) => {
        const x = skipOuter(a);
        return ts.isIdentifier(x) && findDeclaration(x) === d;
      })
    )
      found = true;
    else n.forEachChild(visit);
  };
  fn.forEachChild(visit);
  return found;
}

function levelValue(e: ts.Expression, values: ValueResolver, env?: Env): string | undefined {
  const n = evalNumber(e, values, env);
  if (n !== undefined) return String(n);
  return evalString(e, values, 0, env);
}

const EVIDENCE = memo('verify.inlineEvidence', () => new WeakMap<ts.Node, InlineEvidence | null>());

/** Recognises one comparison or read as inline step-up evidence (cached per node when no call-site bindings apply). */
export function inlineEvidence(
  e: ts.Expression,
  values: ValueResolver,
  env: Env | undefined,
  maxFreshnessMinutes: number,
): InlineEvidence | undefined {
  if (env && env.size) return inlineEvidenceOf(e, values, env, maxFreshnessMinutes);
  const cache = values.session.get(EVIDENCE);
  const hit = cache.get(e);
  if (hit !== undefined) return hit ?? undefined;
  const r = inlineEvidenceOf(e, values, env, maxFreshnessMinutes);
  cache.set(e, r ?? null);
  return r;
}

function inlineEvidenceOf(
  e: ts.Expression,
  values: ValueResolver,
  env: Env | undefined,
  maxFreshnessMinutes: number,
): InlineEvidence | undefined {
  const v = vocab();
  const x = skipOuter(e);
  const matched = matchedBySecret(x, env);
  if (matched) return matched;
  // date-fns isBefore(authTime, cutoff) / isAfter(authTime, cutoff)
  if (ts.isCallExpression(x)) {
    const last = calleeParts(x.expression)?.pop() ?? '';
    if ((last === 'isBefore' || last === 'isAfter') && x.arguments.length === 2) {
      const [a, b] = x.arguments;
      const aAuth = !!findAuthTime(a) && !hasTimeSource(a);
      const bAuth = !!findAuthTime(b) && !hasTimeSource(b);
      if ((aAuth && hasTimeSource(b)) || (bAuth && hasTimeSource(a))) {
        const authFirst = aAuth;
        // isBefore(auth, cutoff) = older than the cutoff = failed
        const failTruth = (last === 'isBefore') === authFirst;
        const w = windowOf(authFirst ? b : a, values, env);
        return freshness(
          x,
          failTruth,
          w === undefined ? undefined : Math.abs(w) / 60000,
          clientSourceOfComparison(authFirst ? a : b),
          maxFreshnessMinutes,
          env,
        );
      }
    }
    // amr.includes('mfa'), acr.includes(...)
    if (last === 'includes' && ts.isPropertyAccessExpression(x.expression) && x.arguments[0]) {
      const recv = x.expression.expression;
      const prop = isLevelRead(recv);
      const lit = evalString(x.arguments[0], values, 0, env);
      if (prop && lit) {
        const weak = v.baseLevels.has(lit.toLowerCase());
        return {
          kind: 'level',
          node: x,
          failTruth: false,
          label: `${prop} includes "${lit}"`,
          level: lit,
          baseLevel: weak,
          clientTrusted: clientSource(recv),
        };
      }
    }
    // differenceInMinutes(new Date(), session.reauthAt) > … is handled as a comparison below
  }
  if (ts.isBinaryExpression(x) && COMPARISON.has(x.operatorToken.kind)) {
    const op = x.operatorToken.kind;
    const L = sideHas(x.left);
    const R = sideHas(x.right);
    const lt = op === ts.SyntaxKind.LessThanToken || op === ts.SyntaxKind.LessThanEqualsToken;
    const gt = op === ts.SyntaxKind.GreaterThanToken || op === ts.SyntaxKind.GreaterThanEqualsToken;
    // Freshness: age compared with a window, or an auth time compared with a cutoff.
    if ((lt || gt) && (L.auth || R.auth) && (L.time || R.time)) {
      let failTruth: boolean | undefined;
      let windowMs: number | undefined;
      const unit = unitMs(x);
      if (L.auth && L.time && !R.auth) {
        // (now - t) > W  → true means stale
        failTruth = gt;
        const w = windowOf(x.right, values, env);
        windowMs = w === undefined ? undefined : Math.abs(w) * unit;
      } else if (R.auth && R.time && !L.auth) {
        failTruth = lt;
        const w = windowOf(x.left, values, env);
        windowMs = w === undefined ? undefined : Math.abs(w) * unit;
      } else if (L.auth && !L.time && R.time) {
        // t < now - W  → true means stale
        const a = windowOf(x.left, values, env);
        const b = windowOf(x.right, values, env);
        // (a cutoff ahead of now, `issuedAt > now + skew`, refuses a time from the future: it bounds no age)
        if (!(a !== undefined && b !== undefined ? b - a > 0 : aheadOfNow(x.right))) {
          failTruth = lt;
          windowMs = a === undefined || b === undefined ? undefined : Math.abs(a - b) * unit;
        }
      } else if (R.auth && !R.time && L.time) {
        const a = windowOf(x.left, values, env);
        const b = windowOf(x.right, values, env);
        if (!(a !== undefined && b !== undefined ? a - b > 0 : aheadOfNow(x.left))) {
          failTruth = gt;
          windowMs = a === undefined || b === undefined ? undefined : Math.abs(a - b) * unit;
        }
      }
      if (failTruth !== undefined)
        return freshness(
          x,
          failTruth,
          windowMs === undefined ? undefined : windowMs / 60000,
          clientSourceOfComparison(x),
          maxFreshnessMinutes,
          env,
        );
    }
    // Assurance level: aal === 'aal2', authLevel >= 2, acr !== '…'
    for (const [side, other, flipped] of [
      [x.left, x.right, false],
      [x.right, x.left, true],
    ] as const) {
      const prop = isLevelRead(side);
      if (!prop) continue;
      const lit = levelValue(other, values, env);
      // a level is compared with a level: `claims.amr === undefined` checks the claim's shape, not its value
      const o = skipOuter(other);
      if (lit === undefined && (!ts.isIdentifier(o) || o.text === 'undefined')) continue;
      if (!plausibleLevel(prop, side, lit)) continue;
      const eq = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken;
      const ne = op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
      const lower = lit?.toLowerCase();
      const isBase = lower !== undefined && (v.baseLevels.has(lower) || (/^\d+$/.test(lower) && Number(lower) < 2));
      let failTruth: boolean;
      let accepted = lit;
      if (eq || ne) failTruth = isBase ? eq : ne;
      else {
        // level >= N (or N <= level): true means enough
        const sideIsLeft = !flipped;
        const geLike = sideIsLeft ? gt : lt;
        failTruth = !geLike;
        const n = lit !== undefined ? Number(lit) : NaN;
        const strict = op === ts.SyntaxKind.GreaterThanToken || op === ts.SyntaxKind.LessThanToken;
        if (!Number.isNaN(n)) accepted = String(strict ? (failTruth ? n : n + 1) : failTruth ? n - 1 : n);
        if (failTruth && !Number.isNaN(n)) accepted = String(strict ? n : n);
      }
      const acceptedNum = accepted !== undefined ? Number(accepted) : NaN;
      const weak =
        accepted !== undefined &&
        ((!Number.isNaN(acceptedNum) && acceptedNum < 2) || v.baseLevels.has(accepted.toLowerCase()));
      const aal = /aal|currentLevel/i.test(prop) || (lower !== undefined && /^aal\d$/.test(lower));
      return {
        kind: 'level',
        node: x,
        failTruth,
        label: `${prop} ${ts.tokenToString(op)} ${lit ?? skipOuter(other).getText()}`,
        level: accepted,
        baseLevel: weak,
        aal,
        clientTrusted: clientSource(side),
      };
    }
    // Flags compared with true/false/'true'
    for (const [side, other] of [
      [x.left, x.right],
      [x.right, x.left],
    ] as const) {
      const flag = isFlagRead(side);
      if (!flag) continue;
      const o = skipOuter(other);
      const truthy =
        o.kind === ts.SyntaxKind.TrueKeyword ||
        (ts.isStringLiteralLike(o) && /^(true|1|yes|verified)$/i.test(o.text)) ||
        (ts.isNumericLiteral(o) && o.text === '1');
      const falsy =
        o.kind === ts.SyntaxKind.FalseKeyword || (ts.isStringLiteralLike(o) && /^(false|0|no)$/i.test(o.text));
      if (!truthy && !falsy) continue;
      const eq = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken;
      return {
        kind: 'flag',
        node: x,
        failTruth: truthy ? !eq : eq,
        label: `${flag} flag`,
        clientTrusted: clientSource(side),
      };
    }
    // A typed secret compared with a stored one: `user.password !== hash(req.body.password)`
    const eq = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken;
    const ne = op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
    if (eq || ne) {
      const verdict = judgeCompare({ candidates: [x.left, x.right], requireStoredSecret: true }, env);
      if (verdict.kind !== 'none') {
        const label = `${verdict.typed} compared with ${verdict.stored ?? 'the stored secret'}`;
        const skip = verdict.kind === 'proof' ? emptyMatch(x, verdict, values) : undefined;
        return {
          kind: 'secret',
          node: x,
          failTruth: ne,
          label,
          clientTrusted: verdict.kind === 'client-trusted' ? clientTrustedText(verdict) : undefined,
          enrolling: verdict.kind === 'enrolling' ? verdict.stored : undefined,
          factor: verdict.otp ? 'otp' : undefined,
          ...(skip ? { skip } : {}),
        };
      }
    }
    return undefined;
  }
  // A flag read for truthiness: `session.stepUpVerified`, `req.cookies.mfa_ok`
  const flag = isFlagRead(x);
  if (flag) return { kind: 'flag', node: x, failTruth: false, label: `${flag} flag`, clientTrusted: clientSource(x) };
  return undefined;
}

/**
 * A record looked up with the typed secret in its filter, then tested for being found
 * (`const user = await Users.findOne({ _id: userId, transactionPassword: body.transactionPassword });
 * if (_.isEmpty(user)) return …`): the store compares the secret, and finding nothing is the failed check.
 * Only the signed-in user's record counts (a record the request names is left to the compares made on it).
 */
function matchedBySecret(x: ts.Expression, env: Env | undefined): InlineEvidence | undefined {
  let target: ts.Expression | undefined;
  let failTruth = false;
  if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.ExclamationToken) {
    target = skipOuter(x.operand);
    failTruth = true;
  } else if (ts.isIdentifier(x)) target = x;
  else if (ts.isCallExpression(x) && x.arguments.length === 1 && EMPTINESS_TESTS.test(calleeName(x))) {
    target = skipOuter(x.arguments[0]);
    failTruth = true;
  } else if (ts.isBinaryExpression(x) && COMPARISON.has(x.operatorToken.kind)) {
    const op = x.operatorToken.kind;
    const eq = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken;
    const ne = op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
    const nothing = (n: ts.Expression): boolean => {
      const o = skipOuter(n);
      return o.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(o) && o.text === 'undefined');
    };
    if ((eq || ne) && nothing(x.right)) target = skipOuter(x.left);
    else if ((eq || ne) && nothing(x.left)) target = skipOuter(x.right);
    failTruth = eq;
  }
  if (!target || !ts.isIdentifier(target)) return undefined;
  const lookup = lookupBehind(target);
  const filter = lookup?.arguments[0] && skipOuter(lookup.arguments[0]);
  if (!lookup || !filter || !ts.isObjectLiteralExpression(filter)) return undefined;
  const v = vocab();
  for (const p of filter.properties) {
    const key =
      p.name && ts.isIdentifier(p.name) ? p.name.text : p.name && ts.isStringLiteral(p.name) ? p.name.text : '';
    // (a column named as a stored secret, as a compare's stored side must be: `transactionPin`, `passwordHash`; a
    // payee's or a branch's `code` is no secret)
    // (a one-time code looked up, `findOne({ userId, otp })`: to whom it was sent the lookup cannot say)
    if (!key || !nameHas(key, v.storedSecrets) || nameHas(key, v.otpSecrets)) continue;
    const typed = ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : undefined;
    if (!typed) continue;
    const verdict = judgeCompare({ typed, stored: [lookup], requireStoredSecret: true, callee: key }, env);
    // (a record the request names, `findOne({ email, otp })`: whether what the handler then changes is that same
    // record, whose secret the caller had to know, is what a compare on it decides; the lookup alone says nothing)
    if (verdict.kind === 'none' || (verdict.kind === 'client-trusted' && verdict.chosenBy)) continue;
    return {
      kind: 'secret',
      node: x,
      failTruth,
      label: `${verdict.typed} matched by ${lookup.expression.getText().replace(/\s+/g, ' ').slice(0, 60)} (${key})`,
      clientTrusted: verdict.kind === 'client-trusted' ? clientTrustedText(verdict) : undefined,
      enrolling: verdict.kind === 'enrolling' ? verdict.stored : undefined,
      factor: verdict.otp ? 'otp' : undefined,
    };
  }
  return undefined;
}

/** Is a local declared with `let`/`var` written again after its declaration? */
function assignedAgain(d: ts.VariableDeclaration): boolean {
  return localUses(d).some((u) => {
    const p = u.parent;
    return (
      ts.isBinaryExpression(p) &&
      p.left === u &&
      p.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      p.operatorToken.kind <= ts.SyntaxKind.LastAssignment
    );
  });
}

/** Tests that a value is missing: `_.isEmpty(user)`, `isNil(user)`. */
const EMPTINESS_TESTS = /^(isEmpty|isNil|isNull|isUndefined)$/;

/**
 * The lookup of one record a local holds: `const user = await Users.findOne({…}).populate(…)` → `Users.findOne({…})`.
 * Not a list (`find`, `findMany`: an empty list is still found), nor a local assigned again (`user ??= await
 * findById(…)` finds the record whatever was typed).
 */
function lookupBehind(id: ts.Identifier): ts.CallExpression | undefined {
  const d = findDeclaration(id);
  if (!d || !ts.isVariableDeclaration(d) || !d.initializer || !ts.isIdentifier(d.name)) return undefined;
  if (!(d.parent.flags & ts.NodeFlags.Const) && assignedAgain(d)) return undefined;
  let x = skipOuter(d.initializer);
  if (ts.isAwaitExpression(x)) x = skipOuter(x.expression);
  const { recordLookups, listLookups } = vocab();
  for (let i = 0; i < 8 && ts.isCallExpression(x); i++) {
    if (recordLookups.test(calleeName(x))) return listLookups?.test(calleeName(x)) ? undefined : x;
    const callee = skipOuter(x.expression);
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    x = skipOuter(callee.expression);
  }
  return undefined;
}

function freshness(
  node: ts.Expression,
  failTruth: boolean,
  windowMinutes: number | undefined,
  clientTrusted: string | undefined,
  max: number,
  env: Env | undefined,
): InlineEvidence {
  void max;
  const auth = findAuthTime(node);
  clientTrusted ??= auth && chosenTimeOwner(auth, env);
  const name = auth
    ? ts.isPropertyAccessExpression(auth)
      ? auth.name.text
      : ts.isElementAccessExpression(auth)
        ? (accessName(auth) ?? '')
        : auth.getText()
    : '';
  const refreshed =
    name && vocab().refreshedTimeProps.test(name)
      ? `${name} moves on every session refresh, so it does not bound the time of the last sign-in`
      : undefined;
  return {
    kind: 'freshness',
    node,
    failTruth,
    label: `${auth ? auth.getText() : 'authentication time'} freshness check`,
    windowMinutes,
    clientTrusted,
    refreshed,
  };
}
