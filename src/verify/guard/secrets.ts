// Re-verification by a secret: a value the user typed for this request (named as a secret, read
// from the body or the query, or from a header that is not the credential) compared with a stored
// secret of the same user (a password hash, a PIN hash, the TOTP secret of an existing factor, a
// WebAuthn credential). How it is compared does not matter (a catalogued verifier, an unknown
// `verify`, a project helper, `===` / `!==` on a hash, `timingSafeEqual`); what is compared does:
//   - the bearer credential on the typed side is the session a thief already holds: not step-up;
//   - a stored side that comes from the request lets the caller pick both sides: client-trusted;
//     so does one read from a record the request names (looked up by what it sends, not by who is signed in);
//   - a stored side held in the session or named as a pending enrolment is the factor being
//     enrolled: the code proves possession of the new factor, not of the account.
import { ts } from 'ts-morph';

const { SyntaxKind } = ts;
import { boundArgument, type Env } from '../../analysis/strings.js';
import { findDeclaration } from '../../analysis/scope.js';
import { exits } from '../../analysis/walk.js';
import { calleeName, lastName, propertyNameText, skipOuter } from '../../analysis/values.js';
import { codeGeneratorInput, fileFunction, isTyped, nameHas, nameWords, originOf, type Origin } from './sources.js';
import { vocab } from './vocab.js';
import { localInit } from './logic.js';
import { isTimeSource } from './windows.js';
import { calleeParts, leafEffects, type Effect } from '../../analysis/effects.js';

export type SecretVerdict =
  | { kind: 'none' }
  | {
      kind: 'proof' | 'client-trusted' | 'enrolling';
      typed: string;
      stored: string;
      /** A one-time-code factor, by its names. */ otp?: boolean;
      /** client-trusted: the stored side is of a record the request names, not sent itself. */ chosenBy?: string;
      /** proof: the expressions read as the stored side. */ storedNodes?: ts.Expression[];
    };

/** What a client-trusted verdict lets the caller control, for messages. */
export function clientTrustedText(v: { stored: string; chosenBy?: string }): string {
  return v.chosenBy
    ? `the stored secret of a record the request chooses (${v.stored}, looked up by ${v.chosenBy})`
    : `the stored side of the compare, ${v.stored}`;
}

export interface CompareOperands {
  /** The typed side, when the verifier says which it is. */
  typed?: ts.Expression;
  /** The stored side, when the verifier says which it is. */
  stored?: ts.Expression[];
  /** Operands whose roles are not known: the typed one is picked from them, the rest is the stored side. */
  candidates?: ts.Expression[];
  /** Only ever the stored side (the receiver of `member.passwordMatch(pw)`). */
  storedOnly?: ts.Expression[];
  /** A catalogued library that looks the stored secret up itself when none is passed. */
  libraryLooksUp?: boolean;
  /** No catalogue vouches for the compare: the stored side must be named like a stored secret (or the callee must say which). */
  requireStoredSecret?: boolean;
  /** The callee's name (`passwordMatch`, `checkPin`) for `requireStoredSecret`. */
  callee?: string;
  /** The callee as written (`password.verify`): its receiver may say what is checked. */
  calleeText?: string;
}

function text(e: ts.Expression): string {
  return e.getText().replace(/\s+/g, ' ').slice(0, 60);
}

/** A stored value named as the one-time code itself (`cachedOtp`, `user.totp`), not a setting about MFA (`mfaMethod`). */
const ONE_TIME_CODE = /^(otp|totp|hotp)$/i;

/** Is this compare a re-verification, and if not, why not? */
export function judgeCompare(ops: CompareOperands, env: Env | undefined): SecretVerdict {
  // a length or a count compared (`otp.length !== digits`) checks the shape of the input, never a secret
  const operands = [...(ops.candidates ?? []), ...(ops.stored ?? []), ...(ops.typed ? [ops.typed] : [])];
  if (operands.some(isLengthRead)) return { kind: 'none' };
  const v = vocab();
  const origins = new Map<ts.Expression, Origin>();
  const origin = (e: ts.Expression): Origin => {
    let o = origins.get(e);
    if (!o) origins.set(e, (o = originOf([e], env)));
    return o;
  };
  let typed = ops.typed;
  let stored = [...(ops.stored ?? [])];
  if (typed && !isTyped(origin(typed))) {
    // The catalogued order does not hold (another package's argument order): swap when the stored side is the typed one.
    const alt = stored.find((s) => isTyped(origin(s)));
    if (!alt) return { kind: 'none' };
    stored = [typed, ...stored.filter((s) => s !== alt)];
    typed = alt;
  }
  if (!typed && ops.candidates) {
    const c = ops.candidates;
    // the typed one: named as a secret and read from the request, then either
    // (what the request sends as it is, before a value computed from it: `totpCode` before `totp(secret)`)
    const score = (e: ts.Expression): number =>
      isTyped(origin(e))
        ? 1 + (origin(e).secretName ? 2 : 0) + (origin(e).request ? 1 : 0) + (origin(e).derived ? 0 : 0.5)
        : 0;
    typed = c.reduce<ts.Expression | undefined>(
      (best, e) => (score(e) > (best ? score(best) : 0) ? e : best),
      undefined,
    );
    stored.push(...c.filter((e) => e !== typed));
  }
  stored.push(...(ops.storedOnly ?? []));
  if (!typed) return { kind: 'none' };
  const t = origin(typed);
  if (!isTyped(t)) return { kind: 'none' };
  // With no catalogue to vouch for the compare, what is typed must be named as a secret, or the
  // compare itself must say what it checks (`password.verify`, `checkPin`): an amount read from the
  // body checked against a balance is validation, not re-verification.
  // …or the stored side must be named as a one-time code (`cachedOtp`, `user.totpSecret`): a value
  // typed for this request checked against it is the code, whatever the request calls it (`token`)
  const storedOtp = [...stored, ...(ops.storedOnly ?? [])].some((e) =>
    nameHas(e.getText().replace(/[^\w$]+/g, '_'), ONE_TIME_CODE),
  );
  if (ops.requireStoredSecret && !t.secretName && !storedOtp && !nameHas(ops.calleeText ?? ops.callee, v.secretInputs))
    return { kind: 'none' };
  const typedAt = text(typed);
  const storedAt = stored.map(text).join(', ');
  // the stored side is then written as a factor's secret: the code proves the factor being enrolled
  const enrolled = storedAfterwards(stored, env) ?? factorSwitchedOnAfter(stored);
  if (enrolled) return { kind: 'enrolling', typed: typedAt, stored: `${storedAt}, ${enrolled}`, otp: true };
  if (!stored.length)
    return ops.requireStoredSecret ? { kind: 'none' } : { kind: 'proof', typed: typedAt, stored: 'the stored secret' };
  const s = originOf(stored, env);
  // (or the verifier says so by its name: `verifyTOTP(code, secret)`, `speakeasy.totp.verify(…)` checks a
  // one-time-code factor)
  const otp =
    [...stored, typed].some((e) => nameHas(e.getText().replace(/[^\w$]+/g, '_'), v.otpSecrets)) ||
    nameHas(ops.callee, v.otpSecrets) ||
    nameHas(ops.calleeText, v.otpSecrets);
  if (s.bearer) return { kind: 'none' };
  // A secret of something else (a gift card's PIN, a share link's password) says nothing about who holds the session.
  if (s.foreign) return { kind: 'none' };
  // Both sides read from one parameter that nothing binds, and nothing stored on the other side
  // (`opts.input.password !== opts.input.passwordConfirm` in a procedure): whoever sends one sends both.
  if (sameParameter(t, s) && !s.stored && !s.session && !s.constant && !s.identity) return { kind: 'none' };
  if (s.request && !s.stored) {
    // Two values from the request compared with each other (`newPassword !== confirmPassword`) validate
    // input; with no catalogue to say which side is the stored one, only a side named like a stored
    // secret and not like a typed one (`body.hash`) is the caller choosing what it is checked against.
    if (ops.requireStoredSecret && !(s.storedSecretName && !s.secretName)) return { kind: 'none' };
    // (a typed secret compared with the replacement being set, `currentPassword === newPassword`, refuses a
    // change to the same secret: validation, and no side is stored)
    if (s.replacement) return { kind: 'none' };
    return {
      kind: 'client-trusted',
      typed: typedAt,
      stored: storedAt === s.request ? storedAt : `${storedAt} (from ${s.request})`,
      otp,
    };
  }
  // (a session getter's user, `getSessionUser(ctx).password`, is the signed-in user's record, whatever its holder is called)
  if ((s.session && !s.signedIn) || s.pending) {
    const from = (s.session ?? s.pending)!;
    return {
      kind: 'enrolling',
      typed: typedAt,
      stored: storedAt === from ? storedAt : `${storedAt}, from ${from}`,
      otp,
    };
  }
  if (ops.requireStoredSecret && !s.storedSecretName && !nameHas(ops.callee, v.storedSecrets)) return { kind: 'none' };
  // A constant or the server's environment is a shared secret (a service credential), not one of this user's.
  if (s.constant && !s.stored) return { kind: 'none' };
  // The secret of an account the request names (looked up by an id or an email it sends, not by who is
  // signed in): the caller picks whose secret it proves, so it proves nothing about the session's user.
  // …unless the record whose secret is proven is the one then changed (`user.password = …; user.save()`):
  // whoever picks it must know its secret, which a stolen session does not give
  if (s.chosenBy && !s.identity && !stored.some((e) => writtenAfterwards(callerSide(e, env))))
    return { kind: 'client-trusted', typed: typedAt, stored: storedAt, chosenBy: s.chosenBy, otp };
  return { kind: 'proof', typed: typedAt, stored: storedAt, otp, storedNodes: stored };
}

/**
 * A switch kept as the time it was turned on (`enabledAt`, `totp_enabled_at`, a factor record's `verifiedAt` or
 * `confirmedAt`): the switch's own name (`enabled`, `verified`), else undefined.
 */
function stampedSwitch(name: string): string | undefined {
  return /(enabled|verified|confirmed)_?at$/i.test(name) ? name.replace(/_?at$/i, '') : undefined;
}

/** The time now, also as SQL's (`new Date()`, `Date.now()`, `` sql`now()` ``). */
function isNow(e: ts.Expression): boolean {
  const x = skipOuter(e);
  if (ts.isTaggedTemplateExpression(x)) return /now\(\)|current_timestamp/i.test(x.template.getText());
  return (
    isTimeSource(x) || (ts.isCallExpression(x) && /^(now|utcNow)$/.test(x.expression.getText()) && !x.arguments.length)
  );
}

/**
 * Where a function switches a one-time-code factor on (`twoFactorEnabled: true`, `user.totpVerified =
 * true`): a code checked there belongs to the factor being enrolled.
 */
export function enablesFactor(fn: ts.Node): ts.Node | undefined {
  const v = vocab();
  const re = v.factorEnabledFlags;
  let found: ts.Node | undefined;
  // `true`, or a flag column kept as text or a number (`verified: 'true'`, `enabled: 1`)
  const isTrue = (e: ts.Expression): boolean =>
    e.kind === SyntaxKind.TrueKeyword ||
    (ts.isStringLiteralLike(e) && e.text === 'true') ||
    (ts.isNumericLiteral(e) && e.text === '1');
  // a plain flag (`enabled`) switches a factor on when the record it is set on is the factor (`twoFactor.enabled = true`)
  // (a flag kept in the session, `req.session.twoFactor.verified`, records a check: the receiver says so)
  const onFactorRecord = (flag: string, names: readonly string[], receiver: ts.Expression): boolean =>
    v.factorRecordFlags.test(flag) &&
    !/\bsession\b/i.test(receiver.getText()) &&
    names.some((n) => v.factorRecords.test(n));
  // a switch kept as the time it was turned on (`enabledAt: new Date()`) is the switch turned on
  const stamped = (name: string, e: ts.Expression): string | undefined => (isNow(e) ? stampedSwitch(name) : undefined);
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (n.kind === SyntaxKind.PropertyAssignment) {
      const p = n as ts.PropertyAssignment;
      const written = p.name.getText().replace(/['"]/g, '');
      const stamp = stamped(written, p.initializer);
      const name = stamp ?? written;
      const write = writeCallOf(p);
      // a lookup's filter (`findOne({ enabled: true })`) reads the factor, it does not switch it on
      const writes = !!write && v.anyWrites.test(calleeName(write));
      // (nor does a lookup's projection or filter: `findUnique({ select: { twoFactorEnabled: true } })` asks for
      // the flag; a raw query's parameters, `query(sql, { replacements: { enabled: true } })`, may set it)
      if (write && !writes && FINDERS.test(calleeName(write)) && underQueryShape(p)) return;
      // (a flag named for a factor counts on the account's or the factor's record; a transfer's `otpVerified`
      // records a check)
      const names = writes ? namesIn(write.expression) : [];
      // (on a table named by a string for the account, only a switch says the factor is on: a `verified` flag
      // there may record this request's check)
      const onAccount =
        !writes ||
        names.some((x) => v.accountRecords.test(x.replace(/s$/, '')) || v.factorRecords.test(x)) ||
        (accountTable(write.expression) && /(enabled|active|on)$/i.test(name));
      // (a flag that only says the account has a factor counts beside a factor secret written with it)
      const summary =
        v.factorSummaryFlags.test(name) &&
        ts.isObjectLiteralExpression(p.parent) &&
        p.parent.properties.some((q) => q !== p && !!q.name && v.factorSecrets.test(q.name.getText()));
      if (
        (isTrue(p.initializer) || !!stamp) &&
        (((re.test(name) || summary) && onAccount) || (writes && onFactorRecord(name, names, write.expression)))
      )
        found = n;
    } else if (n.kind === SyntaxKind.BinaryExpression) {
      const b = n as ts.BinaryExpression;
      const left =
        b.left.kind === SyntaxKind.PropertyAccessExpression ? (b.left as ts.PropertyAccessExpression) : undefined;
      const record = left && lastName(left.expression);
      // (a factor flag set on the account or the factor's own record: `user.totpEnabled = true`; on a record of
      // something else, `withdrawal.otpVerified = true`, it records a check)
      // (a flag kept in the session or the response's locals, `req.session.mfaVerified = true`, records a check)
      const accountFlag =
        !!left &&
        re.test(left.name.text) &&
        (!record || !isRecordOfElse(record)) &&
        !foundAsRecordOfElse(left.expression) &&
        !/\b(session|locals)\b/i.test(left.expression.getText());
      if (
        b.operatorToken.kind === SyntaxKind.EqualsToken &&
        isTrue(b.right) &&
        left &&
        (accountFlag || (!!record && onFactorRecord(left.name.text, [record], left.expression)))
      )
        found = n;
    }
    n.forEachChild(visit);
  };
  fn.forEachChild(visit);
  return found;
}

/**
 * Does the handler turn the request away unless a factor is already on (`if (!user.twoFactorEnabled) return 400`,
 * `if (!user.twoFactor.enabled) throw …`)? A switch it then writes on again (recovery codes regenerated with
 * `twoFactorEnabled: true`) enrols nothing: the factor was on.
 */
export function requiresFactorOn(fn: ts.Node): boolean {
  const v = vocab();
  const flagRead = (e: ts.Expression): boolean => {
    const x = skipOuter(e);
    if (!ts.isPropertyAccessExpression(x)) return false;
    // (a switch kept as the time it was turned on, `totp.enabledAt`, read as the switch)
    const name = stampedSwitch(x.name.text) ?? x.name.text;
    if (v.factorEnabledFlags.test(name)) return true;
    if (!v.factorRecordFlags.test(name)) return false;
    const rec = lastName(x.expression);
    if (rec && v.factorRecords.test(rec)) return true;
    // a name for the record the factor's store answered (`const settings = await prisma.mfaSettings.findUnique(…)`)
    const id = skipOuter(x.expression);
    const init = ts.isIdentifier(id) ? localInit(id) : undefined;
    if (!init) return false;
    let call = skipOuter(init);
    if (ts.isAwaitExpression(call)) call = skipOuter(call.expression);
    const parts = ts.isCallExpression(call) ? calleeParts(call.expression) : undefined;
    return !!parts && parts.length >= 2 && v.factorRecords.test(parts[parts.length - 2]);
  };
  // a factor looked up switched on (`const current = await db('users_totp').where({ userId, confirmed: true }).first()`):
  // turning the request away when none is found requires it on
  const foundOn = (e: ts.Expression): boolean => {
    const id = skipOuter(e);
    const init = ts.isIdentifier(id) ? localInit(id) : undefined;
    if (!init) return false;
    let on = false;
    const visit = (n: ts.Node): void => {
      if (on) return;
      const key = ts.isPropertyAssignment(n) ? (propertyNameText(n.name) ?? '') : '';
      const value = ts.isPropertyAssignment(n) ? skipOuter(n.initializer) : undefined;
      if (value && v.factorRecordFlags.test(key) && value.kind === SyntaxKind.TrueKeyword) on = true;
      // (a switch kept as the time it was turned on, found set: `verifiedAt: { not: null }`)
      else if (
        value &&
        v.factorRecordFlags.test(stampedSwitch(key) ?? '') &&
        ts.isObjectLiteralExpression(value) &&
        value.properties.some(
          (q) =>
            ts.isPropertyAssignment(q) &&
            /^(not|\$ne)$/.test(propertyNameText(q.name) ?? '') &&
            skipOuter(q.initializer).kind === SyntaxKind.NullKeyword,
        )
      )
        on = true;
      else if (!ts.isFunctionLike(n)) n.forEachChild(visit);
    };
    visit(init);
    // (through a helper of this file that answers the lookup: `activeFactor(userId)` returning `findFirst({ where: {
    // userId, verifiedAt: { not: null } } })`)
    let call = skipOuter(init);
    if (ts.isAwaitExpression(call)) call = skipOuter(call.expression);
    const callee = ts.isCallExpression(call) ? skipOuter(call.expression) : undefined;
    const helper = callee && ts.isIdentifier(callee) ? fileFunction(callee) : undefined;
    if (!on && helper?.body && helper.getSourceFile() === e.getSourceFile()) visit(helper.body);
    return on;
  };
  // the flag tested off (`!s.isEnabled`, `s.isEnabled !== true`), alone or as one way the test exits (`!s || !s.isEnabled`)
  const offTest = (e: ts.Expression): boolean => {
    const c = skipOuter(e);
    if (
      ts.isPrefixUnaryExpression(c) &&
      c.operator === SyntaxKind.ExclamationToken &&
      (flagRead(c.operand) || foundOn(c.operand))
    )
      return true;
    if (!ts.isBinaryExpression(c)) return false;
    if (c.operatorToken.kind === SyntaxKind.BarBarToken) return offTest(c.left) || offTest(c.right);
    return (
      ((/^!==?$/.test(c.operatorToken.getText()) && c.right.kind === SyntaxKind.TrueKeyword) ||
        (/^===?$/.test(c.operatorToken.getText()) && c.right.kind === SyntaxKind.FalseKeyword)) &&
      flagRead(c.left)
    );
  };
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIfStatement(n) && exits(n.thenStatement) && offTest(n.expression)) found = true;
    if (n === fn || !ts.isFunctionLike(n)) n.forEachChild(visit);
  };
  visit(fn);
  return found;
}

/** A record named for something other than the account (`withdrawal`, `transfer`, `order`), whose flags record checks. */
function isRecordOfElse(name: string): boolean {
  return !!vocab().checkRecords?.test(name);
}

/**
 * A local holding a record looked up in a store named for something else (`const wr = await
 * WithdrawalRequest.findOne(…)`, `db.transfer.findUnique(…)`): the store's words say what the record is.
 */
function foundAsRecordOfElse(e: ts.Expression): boolean {
  const x = skipOuter(e);
  if (!ts.isIdentifier(x)) return false;
  const d = findDeclaration(x);
  if (!d || !ts.isVariableDeclaration(d) || !d.initializer) return false;
  let init = skipOuter(d.initializer);
  if (ts.isAwaitExpression(init)) init = skipOuter(init.expression);
  if (!ts.isCallExpression(init)) return false;
  const names = namesIn(init.expression).filter((n) => !FINDERS.test(n));
  return names.some((n) => nameWords(n).some((w) => isRecordOfElse(w.toLowerCase())));
}

/** Calls that look a record up by a query object (`findUnique`, `findOne`, `getUser`). */
const FINDERS = /^(find|get|load|fetch|lookup|retrieve)\w*$/;
/** Keys of a lookup's query object that shape what it reads, not what it writes. */
const QUERY_SHAPE_KEYS = /^(select|where|include|omit|projection|attributes|columns|orderBy|fields)$/;

/** Is the property inside one of a lookup's shaping keys (`select: { … }`, `where: { … }`)? */
function underQueryShape(p: ts.PropertyAssignment): boolean {
  for (let n: ts.Node | undefined = p.parent; n && !ts.isCallExpression(n); n = n.parent)
    if (ts.isPropertyAssignment(n) && QUERY_SHAPE_KEYS.test(n.name.getText().replace(/['"]/g, ''))) return true;
  return false;
}

/** The call an object literal property is written through (`prisma.twoFactor.update({ data: { enabled: true } })`). */
function writeCallOf(p: ts.PropertyAssignment): ts.CallExpression | undefined {
  let n: ts.Node = p.parent;
  for (let hops = 0; hops < 6 && n; hops++, n = n.parent) {
    if (ts.isCallExpression(n)) return n;
    if (!ts.isObjectLiteralExpression(n) && !ts.isPropertyAssignment(n) && !ts.isArrayLiteralExpression(n))
      return undefined;
  }
  return undefined;
}

/** The names along a callee chain and the identifiers handed to it (`db.update(twoFactors).set`). */
function namesIn(n: ts.Node): string[] {
  const out: string[] = [];
  const visit = (x: ts.Node): void => {
    if (ts.isIdentifier(x)) out.push(x.text);
    else if (ts.isPropertyAccessExpression(x) || ts.isCallExpression(x) || ts.isParenthesizedExpression(x))
      x.forEachChild(visit);
  };
  visit(n);
  return out;
}

/**
 * Does the callee chain write a table named by a string for the account (`supabase.from('user_profiles')`,
 * `knex('users')`): each word of it names the account, and it ends on a person (`user_accounts` may be
 * linked bank accounts)?
 */
function accountTable(n: ts.Node): boolean {
  const account = vocab().accountRecords;
  let found = false;
  const visit = (x: ts.Node): void => {
    if (found) return;
    if (ts.isStringLiteralLike(x) && ts.isCallExpression(x.parent)) {
      const words = nameWords(x.text).map((w) => w.toLowerCase().replace(/s$/, ''));
      found = words.length > 0 && words[words.length - 1] !== 'account' && words.every((w) => account.test(w));
    } else if (ts.isPropertyAccessExpression(x) || ts.isCallExpression(x) || ts.isParenthesizedExpression(x))
      x.forEachChild(visit);
  };
  visit(n);
  return found;
}

/**
 * The stored side is the factor being enrolled when the same local is written into a record after the
 * check (`const secret = …cookie…; verify(code, secret); insertTotp({ secret })`): the code proves the
 * new factor, not the account. The write that stores it, for the reason.
 */
function storedAfterwards(stored: readonly ts.Expression[], env: Env | undefined): string | undefined {
  for (const e of stored) {
    let x = skipOuter(e);
    // through a one-argument wrapper (`Buffer.from(expected)`)
    while (ts.isCallExpression(x) && x.arguments.length === 1) x = skipOuter(x.arguments[0]);
    // a parameter of a helper the guard was summarised in is the caller's argument
    // (`signInWithTotp(code, encodedSecret)`), and so is a local derived from one (`decodeBase32(secret)`)
    for (let hops = 0; hops < 4 && ts.isIdentifier(x); hops++) {
      const next = boundArgument(x, env) ?? derivedParameter(x, env) ?? codeComputedFrom(x);
      if (!next) break;
      x = skipOuter(next);
    }
    // a local (`secret`) or a field of the input (`parsedInput.secret`)
    if (!ts.isIdentifier(x) && !ts.isPropertyAccessExpression(x)) continue;
    const id = x;
    const target = id.getText().replace(/\s+/g, '');
    const name = ts.isIdentifier(id) ? id.text : id.name.text;
    let fn: ts.Node | undefined = id.parent;
    while (fn && !ts.isFunctionLike(fn)) fn = fn.parent;
    if (!fn) continue;
    let found: string | undefined;
    const visit = (n: ts.Node): void => {
      if (found) return;
      // stored: handed to a write, not to the response or a log (`res.json({ totpSecret: user.totpSecret })`)
      if (
        ts.isCallExpression(n) &&
        n.getStart() > id.getEnd() &&
        !vocab().notStores.test(calleeName(n)) &&
        n.arguments.some((a) => writesValue(a, target, name))
      ) {
        found = `${target}, stored by ${n.expression.getText().replace(/\s+/g, '').slice(0, 60)}`;
        return;
      }
      ts.forEachChild(n, visit);
    };
    visit(fn);
    if (found) return found;
  }
  return undefined;
}

/** A factor's switch turned on, as written (`verifiedAt: new Date()`, `SET verified_at = NOW()`, `enabled = true`). */
const SWITCH_TEXT =
  /\b(verified|confirmed|enabled|activated)_?at\s*[:=]\s*(new Date\(\)|now\(\)|Date\.now\(\)|\$\d+|\?)|\b(is_?)?(enabled|verified|confirmed|active)\s*[:=]\s*(true|1)\b/i;

/**
 * The stored side is a factor's record (`prisma.mfaFactor.findFirst(…)`, `SELECT … FROM totp_factors`) that the
 * function then switches on (`update({ where: { id: pending.id }, data: { verifiedAt: new Date() } })`,
 * `UPDATE totp_factors SET verified_at = NOW() WHERE id = $1` with `rows[0].id`): the code proves the factor being
 * confirmed, whatever else the handler required first. What it switches on, else undefined.
 */
function factorSwitchedOnAfter(stored: readonly ts.Expression[]): string | undefined {
  const v = vocab();
  for (const e of stored) {
    let x = skipOuter(e);
    while (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) x = skipOuter(x.expression);
    if (!ts.isIdentifier(x) || x === skipOuter(e)) continue;
    const root = x.text;
    let call = awaitedInit(x);
    // (`const f = rows[0]` of `const { rows } = await db.query(…)`: the statement the rows come from)
    if (call && (ts.isElementAccessExpression(call) || ts.isPropertyAccessExpression(call))) {
      const base = skipOuter(call.expression);
      call = ts.isIdentifier(base) ? awaitedInit(base) : undefined;
    }
    if (!call || !ts.isCallExpression(call)) continue;
    const parts = calleeParts(call.expression) ?? [];
    const sql = /\bfrom\s+[`"']?(\w+)/i.exec(
      call.arguments[0] && ts.isStringLiteralLike(call.arguments[0]) ? call.arguments[0].text : '',
    );
    const store = sql?.[1] ?? parts[parts.length - 2];
    if (!store || !v.factorRecords.test(store)) continue;
    // (a factor found switched on already, `verifiedAt: { not: null }`, `… IS NOT NULL`, is stamped again: no enrolment)
    if (
      /\b(verified|confirmed|enabled|activated)_?at\s*(:\s*\{\s*(not|\$ne)\s*:\s*null|\s+is\s+not\s+null)|\b(is_?)?(enabled|verified|confirmed|active)\s*[:=]\s*(true|1)\b/i.test(
        call.getText(),
      )
    )
      continue;
    const fn = ts.findAncestor(e, ts.isFunctionLike);
    if (!fn) continue;
    const idRef = new RegExp(`\\b${root}(\\[0\\])?\\.(id|_id)\\b`);
    let found: string | undefined;
    const visit = (n: ts.Node): void => {
      if (found) return;
      const statement =
        ts.isCallExpression(n) && n.arguments[0] && ts.isStringLiteralLike(n.arguments[0]) ? n.arguments[0].text : '';
      if (
        ts.isCallExpression(n) &&
        n.getStart() > e.getEnd() &&
        (v.anyWrites.test(calleeName(n)) || /^\s*update\b/i.test(statement))
      ) {
        const text = n.getText();
        const onRecord = idRef.test(text) || lastName(skipOuter(n.expression)) === root;
        if (onRecord && SWITCH_TEXT.test(text)) found = `${root}, switched on by ${shortCall(n)}`;
      }
      // (the record's own field set before its save: `factor.verifiedAt = new Date(); await factor.save()`)
      if (
        ts.isBinaryExpression(n) &&
        n.operatorToken.kind === SyntaxKind.EqualsToken &&
        n.getStart() > e.getEnd() &&
        ts.isPropertyAccessExpression(skipOuter(n.left)) &&
        lastName((skipOuter(n.left) as ts.PropertyAccessExpression).expression) === root &&
        SWITCH_TEXT.test(n.getText())
      )
        found = `${root}, switched on by ${n.getText().replace(/\s+/g, ' ').slice(0, 60)}`;
      if (!found) ts.forEachChild(n, visit);
    };
    visit(fn);
    if (found) return found;
  }
  return undefined;
}

/**
 * What a local was given, awaited (`const f = await find(…)`), also a name taken apart from one (`const { rows } =
 * await db.query(…)`).
 */
function awaitedInit(id: ts.Identifier): ts.Expression | undefined {
  const d = findDeclaration(id);
  const holder = d && ts.isBindingElement(d) && ts.isVariableDeclaration(d.parent.parent) ? d.parent.parent : undefined;
  const init = localInit(id) ?? holder?.initializer;
  const x = init && skipOuter(init);
  return x && ts.isAwaitExpression(x) ? skipOuter(x.expression) : x;
}

function shortCall(n: ts.CallExpression): string {
  return n.expression.getText().replace(/\s+/g, '').slice(0, 60);
}

/**
 * The one input of a local holding a code computed by a one-time-code generator
 * (`const expected = totp(totpToken)`, `authenticator.generate(secret)`): the secret the code comes from.
 */
function codeComputedFrom(id: ts.Identifier): ts.Expression | undefined {
  const d = findDeclaration(id);
  const init = d && ts.isVariableDeclaration(d) && d.initializer ? skipOuter(d.initializer) : undefined;
  const call = init && ts.isAwaitExpression(init) ? skipOuter(init.expression) : init;
  return call && ts.isCallExpression(call) ? codeGeneratorInput(call) : undefined;
}

/** The caller's argument for the parameter a local is derived from: its initializer reads one bound parameter, or one named as the secret. */
function derivedParameter(id: ts.Identifier, env: Env | undefined): ts.Expression | undefined {
  const d = env && findDeclaration(id);
  const init = d && ts.isVariableDeclaration(d) ? d.initializer : undefined;
  if (!init) return undefined;
  const hits = new Map<ts.Expression, string>();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) {
      const arg = boundArgument(n, env);
      if (arg) hits.set(arg, n.text);
    }
    ts.forEachChild(n, visit);
  };
  visit(init);
  if (hits.size === 1) return [...hits.keys()][0];
  // several parameters (`generateHOTP(key, interval, digits)`): the one named as the secret
  const named = [...hits].filter(([, name]) => vocab().secretParams.test(name));
  return named.length === 1 ? named[0][0] : undefined;
}

/**
 * An object literal argument (nested a level) that writes `target` (a local, or a field of the input:
 * `parsedInput.secret`; `name` is its last name) as a factor's secret (`{ secret }`, `{ totpSecret: encrypt(target) }`).
 */
function writesValue(arg: ts.Expression, target: string, name: string, depth = 0): boolean {
  const a = skipOuter(arg);
  if (!ts.isObjectLiteralExpression(a) || depth > 2) return false;
  return a.properties.some((p) => {
    if (ts.isShorthandPropertyAssignment(p)) return p.name.text === target && vocab().factorSecrets.test(name);
    if (!ts.isPropertyAssignment(p)) return false;
    const init = p.initializer;
    if (holdsValue(init, target))
      return vocab().factorSecrets.test(p.name.getText()) || vocab().factorSecrets.test(name);
    return ts.isObjectLiteralExpression(skipOuter(init)) && writesValue(init, target, name, depth + 1);
  });
}

/** The value itself, or a call made with it (`symmetricEncrypt(parsedInput.secret, key)`, `encrypt(secret)`). */
function holdsValue(e: ts.Expression, target: string, depth = 0): boolean {
  const x = skipOuter(e);
  if (x.getText().replace(/\s+/g, '') === target) return true;
  return depth < 3 && ts.isCallExpression(x) && x.arguments.some((a) => holdsValue(a, target, depth + 1));
}

/** `x.length`, `x.size`, `x.byteLength` (through parentheses, `!` and `await`). */
/** Do the typed and the stored side read only from the same unbound parameter? */
function sameParameter(typed: Origin, stored: Origin): boolean {
  const t = typed.params ?? [];
  const s = stored.params ?? [];
  // (the same part of it: `opts.input.*` both; `opts.ctx.user.passwordHash` against `opts.input.password` is not)
  return t.length > 0 && s.length > 0 && s.every((p) => t.some((q) => q.param === p.param && q.member === p.member));
}

function isLengthRead(e: ts.Expression, hops = 0): boolean {
  const x = skipOuter(e);
  if (ts.isPropertyAccessExpression(x)) return /^(length|size|byteLength)$/.test(x.name.text);
  // a constant holding one (`const requiredLevel = rules.length`, compared with a strength score)
  if (!ts.isIdentifier(x) || hops > 2) return false;
  const d = findDeclaration(x);
  return (
    !!d &&
    ts.isVariableDeclaration(d) &&
    !!d.initializer &&
    !!(ts.getCombinedNodeFlags(d) & ts.NodeFlags.Const) &&
    isLengthRead(d.initializer, hops + 1)
  );
}

/** A flag's constant that switches it on: `true`, the text `'true'`, or `1`. */
const SWITCHED_ON = /^(true|'true'|"true"|1)$/;

/**
 * A write among the handler's effects, in a function it calls, that switches a one-time-code factor on
 * (`totpEnabled: true`, `UPDATE users SET totp_enabled = true`): the node that does it.
 */
export function factorSwitchedOn(effects: Effect[]): ts.Node | undefined {
  const re = vocab().factorEnabledFlags;
  const { factorSummaryFlags: summary, factorSecrets } = vocab();
  for (const e of leafEffects(effects)) {
    if (e.kind !== 'db-write' && e.kind !== 'sql-write') continue;
    // (on the account's or the factor's own record: a transfer row's `otpVerified: 1` records a check)
    const onAccount = !e.model || vocab().accountRecords.test(e.model) || vocab().factorRecords.test(e.model);
    // (a flag that only says the account has a factor counts beside a factor secret written with it)
    const withSecret = (k: string): boolean => e.dataKeys.some((d) => d !== k && factorSecrets.test(d));
    if (
      onAccount &&
      Object.entries(e.constants ?? {}).some(
        ([k, v]) => SWITCHED_ON.test(v) && (re.test(k) || (summary.test(k) && withSecret(k))),
      )
    )
      return e.node;
    // a person's record under a qualifier (`platformUser`): only the switch itself, set by an update of a row the
    // request does not name (an admin creating a staff user with MFA on, or switching it on for a member, enrols
    // nothing of the caller's)
    if (
      !onAccount &&
      !!e.model &&
      !!vocab().qualifiedPersonRecords?.test(e.model) &&
      e.action !== 'create' &&
      Object.entries(e.constants ?? {}).some(([k, v]) => SWITCHED_ON.test(v) && re.test(k) && SWITCH_KEY.test(k)) &&
      !namesRow(e.node)
    )
      return e.node;
    // the factor's own record switched on (`TwoFactor.updateOne(…, { enabled: true })`)
    const onRecord = !!e.model && vocab().factorRecords.test(e.model);
    if (
      onRecord &&
      Object.entries(e.constants ?? {}).some(([k, v]) => SWITCHED_ON.test(v) && vocab().factorRecordFlags.test(k))
    )
      return e.node;
    if (e.kind === 'sql-write')
      for (const m of e.node.getText().matchAll(/\b(\w+)\s*=\s*(?:true|1)\b/gi)) if (re.test(m[1])) return e.node;
  }
  return undefined;
}

/** A factor's switch rather than a check's mark (`mfaEnabled`, not `otpVerified`). */
const SWITCH_KEY = /(enabled|active|on)$/i;

/** Does a write aim at a row the request names (`where: { id: req.params.id }`, `findByIdAndUpdate(body.userId, …)`)? */
function namesRow(call: ts.Node): boolean {
  if (!ts.isCallExpression(call) || !call.arguments[0]) return false;
  let filter: ts.Expression = skipOuter(call.arguments[0]);
  if (ts.isObjectLiteralExpression(filter)) {
    const where = filter.properties.find((p) => p.name && p.name.getText() === 'where');
    if (where && ts.isPropertyAssignment(where)) filter = where.initializer;
  }
  const o = originOf([filter], undefined);
  return !!o.payload && !o.identity;
}

/**
 * The same lookup written twice (`User.findById(id)`): the same call text, whose names are the same bindings, each
 * one that cannot change in between (a constant, or a parameter nothing assigns).
 */
function sameLookup(a: ts.CallExpression, b: ts.CallExpression): boolean {
  if (a.getText() !== b.getText()) return false;
  const names = (n: ts.Node): ts.Identifier[] => {
    const out: ts.Identifier[] = [];
    const visit = (c: ts.Node): void => {
      if (ts.isIdentifier(c) && !(ts.isPropertyAccessExpression(c.parent) && c.parent.name === c)) out.push(c);
      c.forEachChild(visit);
    };
    visit(n);
    return out;
  };
  const left = names(a);
  const right = names(b);
  return (
    left.length === right.length &&
    left.every((id, i) => {
      const d = findDeclaration(id);
      if (!d || d !== findDeclaration(right[i])) return false;
      if (ts.isVariableDeclaration(d)) return !!(ts.getCombinedNodeFlags(d) & ts.NodeFlags.Const);
      if (ts.isBindingElement(d)) return !!(ts.getCombinedNodeFlags(d) & ts.NodeFlags.Const) || neverAssigned(d);
      if (ts.isParameter(d)) return neverAssigned(d);
      return ts.isImportSpecifier(d) || ts.isImportClause(d) || ts.isClassDeclaration(d) || ts.isFunctionDeclaration(d);
    })
  );
}

/** Is a name (a parameter, a binding) never assigned in its function? */
function neverAssigned(d: ts.ParameterDeclaration | ts.BindingElement): boolean {
  if (!ts.isIdentifier(d.name)) return false;
  const name = d.name.text;
  const fn = ts.findAncestor(d, ts.isFunctionLike);
  if (!fn) return false;
  let assigned = false;
  const visit = (n: ts.Node): void => {
    if (assigned) return;
    if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      n.operatorToken.kind <= ts.SyntaxKind.LastAssignment &&
      ts.isIdentifier(skipOuter(n.left)) &&
      (skipOuter(n.left) as ts.Identifier).text === name &&
      findDeclaration(skipOuter(n.left) as ts.Identifier) === d
    )
      assigned = true;
    n.forEachChild(visit);
  };
  visit(fn);
  return !assigned;
}

/** A helper's parameter as the caller wrote it (`hashedPassword` of `verifyPassword(pw, user.password)`). */
function callerSide(e: ts.Expression, env: Env | undefined): ts.Expression {
  let x = skipOuter(e);
  for (let hops = 0; hops < 4 && ts.isIdentifier(x); hops++) {
    const next = boundArgument(x, env);
    if (!next) break;
    x = skipOuter(next);
  }
  return x;
}

/**
 * Is the record a stored secret is read from (`users` of `users.password`, a local holding a lookup)
 * the one written later in the same function (a field assigned, or a write method called on it), with
 * no write of another record after the check?
 */
function writtenAfterwards(storedSide: ts.Expression): boolean {
  let root = skipOuter(storedSide);
  while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = skipOuter(root.expression);
  if (!ts.isIdentifier(root) || root === skipOuter(storedSide)) return false;
  const decl = findDeclaration(root);
  if (!decl || !ts.isVariableDeclaration(decl)) return false;
  let fn: ts.Node | undefined = decl.parent;
  while (fn && !ts.isFunctionLike(fn)) fn = fn.parent;
  if (!fn) return false;
  const after = storedSide.getEnd();
  // (the same lookup run again and written through, `Student.findById(id).updateOne({ pin })` after
  // `const s = await Student.findById(id)`, is that record)
  let init = decl.initializer && skipOuter(decl.initializer);
  if (init && ts.isAwaitExpression(init)) init = skipOuter(init.expression);
  const lookup = init && ts.isCallExpression(init) && /^find/.test(calleeName(init)) ? init : undefined;
  const sameRecord = (e: ts.Expression): boolean => {
    const x = skipOuter(e);
    return (
      (ts.isIdentifier(x) && findDeclaration(x) === decl) ||
      (!!lookup && ts.isCallExpression(x) && sameLookup(x, lookup))
    );
  };
  let same = false;
  let other = false;
  const visit = (n: ts.Node): void => {
    if (other) return;
    if (n.getStart() > after) {
      if (
        ts.isBinaryExpression(n) &&
        n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        ts.isPropertyAccessExpression(skipOuter(n.left)) &&
        sameRecord((skipOuter(n.left) as ts.PropertyAccessExpression).expression)
      )
        same = true;
      else if (ts.isCallExpression(n)) {
        const callee = skipOuter(n.expression);
        const name = calleeName(n);
        if (ts.isPropertyAccessExpression(callee) && sameRecord(callee.expression)) {
          if (vocab().recordWrites.test(name)) same = true;
        } else if (vocab().anyWrites.test(name)) other = true;
      }
    }
    n.forEachChild(visit);
  };
  visit(fn);
  return same && !other;
}
