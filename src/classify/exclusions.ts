// Endpoints that are not step-up targets: authentication entry points and callbacks, auth
// library catch-all handlers, password reset by emailed token, signature-verified webhooks,
// and service callers authenticated by a shared secret (cron jobs, queues).
import { ts } from 'ts-morph';
import { EQUALITY } from '../analysis/operators.js';
import { alwaysReturns, assumeMethod, reachableUnder } from '../analysis/assume.js';
import { concretePath } from '../frameworks/shared/router-graph.js';
import { callsIn, calleeParts, effectRules, getterParts, staticClassModel } from '../analysis/effects.js';
import { assetRules } from './assets.js';
import { queryCondition, queryKeys } from './query.js';
import { adminPath } from './chosen-record.js';
import { externalName } from '../analysis/unwrap.js';
import {
  accessName,
  calleeName,
  isNullish,
  propertyNameText,
  skipOuter,
  type Value,
  type ValueResolver,
} from '../analysis/values.js';
import { forEachNode } from '../analysis/walk.js';
import { findDeclaration } from '../analysis/scope.js';
import type { Endpoint, FunctionNode, Reason } from '../model.js';
import { spanOf } from '../util.js';
import { machineCredential, readsSignedIn, routeSetsSignedInUser, setsSignedInUser } from './machine-auth.js';
import type { ClassifierRules } from './rules.js';
import { findTerm, isParamSegment, lookupTerm, norm, termSet, words, type TermSet } from './words.js';
import { memo } from '../memo.js';
import { compiled, ruleFile } from '../rules/load.js';

function rawSegments(p: string): string[] {
  return p
    .split('/')
    .filter(Boolean)
    .map((s) => s.toLowerCase());
}

function isCatchAll(s: string): boolean {
  return /^\[\[?\.\.\./.test(s) || s === '*' || /^:\w+\*$/.test(s);
}

function fromModule(ep: Endpoint, modules: string[]): string | undefined {
  // A library wrapper around the project's own handler (next-auth v5 `auth(async (req) => …)`) adds a
  // session to it: the handler is still the project's. Only a handler that is itself the library's counts.
  const wrappers = ep.handler.fn ? [] : ep.chain.filter((l) => l.via === 'wrapper').map((l) => l.externalModule);
  const mods = [ep.handler.externalModule, ...wrappers].filter((m): m is string => !!m);
  return mods.find((m) => modules.some((x) => m === x || m.startsWith(`${x}/`)));
}

const DEEP_CALLS = memo('exclusions.deepCalls', () => new Map<number, WeakMap<ts.Node, ts.CallExpression[]>>());

/** Calls in a function and in project functions it calls (a few levels). Cached per function and depth. */
function deepCalls(
  fn: FunctionNode | undefined,
  values: ValueResolver,
  depth = 2,
  seen = new Set<ts.Node>(),
): ts.CallExpression[] {
  if (!fn || seen.has(fn)) return [];
  if (seen.size === 0) {
    const byDepth = values.session.get(DEEP_CALLS);
    let cache = byDepth.get(depth);
    if (!cache) byDepth.set(depth, (cache = new WeakMap()));
    const hit = cache.get(fn);
    if (hit) return hit;
    const out = deepCallsInner(fn, values, depth, seen);
    cache.set(fn, out);
    return out;
  }
  return deepCallsInner(fn, values, depth, seen);
}

function deepCallsInner(
  fn: FunctionNode,
  values: ValueResolver,
  depth: number,
  seen: Set<ts.Node>,
): ts.CallExpression[] {
  seen.add(fn);
  const out: ts.CallExpression[] = [];
  for (const c of callsIn(fn)) {
    if (!ts.isCallExpression(c)) continue;
    out.push(c);
    if (depth > 0) {
      for (const v of values.resolve(c.expression))
        if (v.kind === 'function' && v.node.body) out.push(...deepCalls(v.node, values, depth - 1, seen));
    }
  }
  return out;
}

function lastName(c: ts.CallExpression): string | undefined {
  const parts = calleeParts(c.expression);
  if (parts) return parts[parts.length - 1];
  const e = skipOuter(c.expression);
  return ts.isPropertyAccessExpression(e) ? e.name.text : undefined;
}

interface ExclusionSets {
  entry: TermSet;
  entryWords: TermSet;
  changeVerbs: Set<string>;
  entryRaw: Set<string>;
  /** Entry segments naming the session itself (rules exclusions.entryNouns). */
  entryNouns: TermSet;
  /** Entry segments naming a sign-in's renewal by its refresh token (rules exclusions.renewalSegments). */
  renewals: TermSet;
  /** What says a middleware or handler reads a refresh token (rules exclusions.renewalReads). */
  renewalReads: RegExp;
  always: TermSet;
  reset: TermSet;
  webhook: TermSet;
  patterns: RegExp[];
  invitations: RegExp[];
  selfRemoval: RegExp[];
  resetTokenName: RegExp;
  /** A verification key named for resets (`PASSWORD_RESET_SECRET`). */
  resetTokenKey?: RegExp;
  /** A column holding a token e-mailed to the account: a record looked up by one is redeeming it. */
  emailedTokenColumn: RegExp;
  codeGrantKeys?: RegExp;
  codeGrantValue?: RegExp;
  codeExchangeCalls?: RegExp;
  /** An identity provider's verification of a link it e-mailed, and the keys carrying its token hash. */
  linkCalls?: RegExp;
  linkKeys?: RegExp;
  /** An identity provider's e-mail-a-reset-link call. */
  resetMail?: RegExp;
  /** Records an e-mailed token redeems: invitations (the asset model's), reset tokens. */
  invitationModels: string[];
  resetTokenModels: string[];
  tokenLookups: RegExp;
  tokenKeys: RegExp;
  signInLookups: RegExp;
  signInArgs: RegExp;
  signInCalls: RegExp;
  transactionSessions: RegExp;
  sessionRecords: RegExp;
  proofCalls: RegExp;
  sessionIdentifierArgs: RegExp;
  /** Members of the request's session that say who is signed in. */
  sessionUserKeys?: RegExp;
  sessionWrites: RegExp;
  sessionless?: {
    reads: RegExp;
    calleeText: RegExp;
    linkNames: RegExp;
    lookupArgs: RegExp;
    text?: RegExp;
    /** Packages whose middleware is request plumbing, never a session (`express-rate-limit`). */
    plumbing?: RegExp;
    /** Names of the project's own plumbing middleware (`csrfToken`): never a session. */
    plumbingNames?: RegExp;
    plumbingTails?: RegExp;
    factorChecks?: RegExp;
    currentSecret?: RegExp;
  };
}

/** Per scan: the exclusion word sets compiled from the session's rules. */
const SETS = memo('exclusions.sets', (session): ExclusionSets => {
  const ex = session.classifierRules.exclusions;
  return {
    entry: termSet(ex.entrySegments),
    entryWords: termSet(ex.entryWordTerms),
    changeVerbs: new Set(ex.changeVerbs),
    entryRaw: new Set(ex.entrySegments),
    entryNouns: termSet(ex.entryNouns ?? []),
    renewals: termSet(ex.renewalSegments ?? []),
    renewalReads: new RegExp(ex.renewalReads ?? '(?!)', 'i'),
    always: termSet(ex.alwaysExcludedSegments),
    reset: termSet(ex.resetSegments),
    webhook: termSet(ex.webhookSegments),
    patterns: ex.entryPatterns.map((p) => new RegExp(p)),
    invitations: ex.invitationPatterns.map((p) => new RegExp(p)),
    selfRemoval: (ex.selfRemovalPatterns ?? []).map((p) => new RegExp(p)),
    resetTokenName: new RegExp(ex.resetTokenNamePattern),
    resetTokenKey: ex.resetTokenKeyPattern ? new RegExp(ex.resetTokenKeyPattern, 'i') : undefined,
    emailedTokenColumn: new RegExp(ex.emailedTokenColumnPattern),
    resetMail: ex.resetMailCalls ? new RegExp(ex.resetMailCalls) : undefined,
    invitationModels: assetRules().rules.find((r) => r.id === 'invitation-create')?.modelSet ?? [],
    resetTokenModels: (ex.resetTokenModels ?? []).map(norm),
    tokenLookups: new RegExp(ex.tokenRedemption.lookupMethods, 'i'),
    tokenKeys: new RegExp(ex.tokenRedemption.tokenKeys),
    signInLookups: new RegExp(ex.signInFlow.lookupMethods),
    signInArgs: new RegExp(ex.signInFlow.identifierArgs),
    signInCalls: new RegExp(ex.signInFlow.sessionCalls),
    transactionSessions: new RegExp(ex.signInFlow.transactionSessions ?? '$^'),
    sessionWrites: new RegExp(ex.signInFlow.sessionWrites),
    sessionUserKeys: ex.signInFlow.sessionUserKeys ? new RegExp(ex.signInFlow.sessionUserKeys) : undefined,
    sessionRecords: new RegExp(ex.signInFlow.sessionRecords ?? '$^', 'i'),
    proofCalls: new RegExp(ex.signInFlow.proofCalls ?? '.', 'i'),
    sessionIdentifierArgs: new RegExp(ex.signInFlow.sessionIdentifierArgs ?? '$^'),
    sessionless: ex.sessionless && {
      reads: new RegExp(ex.sessionless.sessionReads),
      calleeText: new RegExp(ex.sessionless.sessionCalleeText),
      linkNames: new RegExp(ex.sessionless.authLinkNames, 'i'),
      lookupArgs: new RegExp(ex.sessionless.lookupArgs),
      text: ex.sessionless.sessionText ? new RegExp(ex.sessionless.sessionText, 'i') : undefined,
      plumbing: ex.sessionless.plumbingModules ? new RegExp(ex.sessionless.plumbingModules) : undefined,
      plumbingNames: ex.sessionless.plumbingLinkNames ? new RegExp(ex.sessionless.plumbingLinkNames, 'i') : undefined,
      plumbingTails: ex.sessionless.plumbingLinkTails ? new RegExp(ex.sessionless.plumbingLinkTails) : undefined,
      factorChecks: ex.sessionless.factorChecks ? new RegExp(ex.sessionless.factorChecks, 'i') : undefined,
      currentSecret: ex.sessionless.currentSecretNames ? new RegExp(ex.sessionless.currentSecretNames, 'i') : undefined,
    },
    codeGrantKeys: ex.codeExchange ? new RegExp(ex.codeExchange.grantKeys) : undefined,
    codeGrantValue: ex.codeExchange ? new RegExp(ex.codeExchange.grantValue) : undefined,
    codeExchangeCalls: ex.codeExchange?.calls ? new RegExp(ex.codeExchange.calls) : undefined,
    linkCalls: ex.codeExchange?.linkCalls ? new RegExp(ex.codeExchange.linkCalls) : undefined,
    linkKeys: ex.codeExchange?.linkKeys ? new RegExp(ex.codeExchange.linkKeys) : undefined,
  };
});

/**
 * An OAuth authorization-code exchange in the handler or a function it calls: an object with
 * `grant_type: 'authorization_code'` (a token request's body), or a provider SDK's exchange call.
 */
function codeExchange(fn: ts.Node, calls: readonly ts.CallExpression[], xs: ExclusionSets): string | undefined {
  const { codeGrantKeys: keys, codeGrantValue: value, codeExchangeCalls: sdk } = xs;
  if (!keys || !value) return undefined;
  for (const c of calls) {
    const parts = calleeParts(c.expression) ?? getterParts(c.expression);
    if (sdk && parts && sdk.test(parts.join('.'))) return parts.join('.');
  }
  const roots = new Set<ts.Node>([fn]);
  for (const c of calls) {
    let f: ts.Node | undefined = c;
    while (f && !ts.isFunctionLike(f)) f = f.parent;
    if (f) roots.add(f);
  }
  let found: string | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (
      ts.isPropertyAssignment(n) &&
      keys.test(propertyNameText(n.name) ?? '') &&
      ts.isStringLiteralLike(n.initializer) &&
      value.test(n.initializer.text)
    ) {
      found = n.getText().replace(/\s+/g, ' ');
      return;
    }
    ts.forEachChild(n, visit);
  };
  for (const r of roots) visit(r);
  return found;
}

/** An identity provider's e-mailed link verified by its token hash (`supabase.auth.verifyOtp({ token_hash, type })`). */
function linkVerified(calls: readonly ts.CallExpression[], xs: ExclusionSets): ts.CallExpression | undefined {
  const { linkCalls, linkKeys } = xs;
  if (!linkCalls || !linkKeys) return undefined;
  return calls.find((c) => {
    // the identity provider's own call (`supabase.auth.verifyOtp`), not a project helper of the same name
    const parts = calleeParts(c.expression) ?? getterParts(c.expression);
    if (!parts || parts.length < 2 || !linkCalls.test(parts[parts.length - 1]) || parts[parts.length - 2] !== 'auth')
      return false;
    const arg = c.arguments[0] && skipOuter(c.arguments[0]);
    return (
      !!arg &&
      ts.isObjectLiteralExpression(arg) &&
      arg.properties.some((p) => !!p.name && linkKeys.test(propertyNameText(p.name) ?? ''))
    );
  });
}

/**
 * A sign-in by what the handler does: a lookup of the account by an identifier from the request
 * (`findOne({ where: { email: body.email } })`) and a session established for it (`req.session.userId = …`,
 * `req.login(user)`). The evidence, or undefined.
 */
function signInFlow(
  calls: readonly ts.CallExpression[],
  fn: FunctionNode | undefined,
  xs: ExclusionSets,
  /** The endpoint's only asset is a token it mints and stores: the session it would start, where none is read. */
  issuesToken = false,
): { evidence: string; weak: boolean } | undefined {
  if (!fn?.body) return undefined;
  // (not a lookup keyed by the signed-in user's own identifier, `{ username: req.session.user.username }`: it
  // finds the account the session already names, whatever the handler then writes to the session)
  // (a lookup by id, `findByIdAndUpdate(id, { email })`, is keyed by its id alone: the object after it is data)
  const filters = (c: ts.CallExpression): readonly ts.Expression[] =>
    /^findById/.test(calleeName(c)) ? c.arguments.slice(0, 1) : c.arguments;
  const lookup = calls.find(
    (c) =>
      xs.signInLookups.test(calleeName(c)) &&
      filters(c).some((a) => xs.signInArgs.test(lookupText(a, calleeName(c) === 'upsert'))) &&
      !c.arguments.some((a) => keyedBySession(a, xs.sessionIdentifierArgs)) &&
      !onlyRefuses(c),
  );
  if (!lookup) return undefined;
  // …and a token handed to whoever names an account, with nothing proven (no password, identity token or
  // e-mailed code checked), is an account handed over, not a sign-in
  if (issuesToken && !calls.some((c) => xs.proofCalls.test(calleeName(c)) || tokenKeyed(c, xs))) return undefined;
  const started = issuesToken ? undefined : sessionStarted(fn, xs);
  const session = issuesToken ? 'a token issued' : started?.text;
  // a session row written, or an account found through an upsert: also what a change that rotates the
  // session does (`session.create` after a password change), so these count only where no session is served
  const weak = issuesToken || calleeName(lookup) === 'upsert' || !!started?.weak;
  return session ? { evidence: `${lookup.expression.getText().replace(/\s+/g, '')} + ${session}`, weak } : undefined;
}

/**
 * Where a handler starts a session: a member of the request's session assigned (`req.session.userId = …`), a
 * sign-in call (`req.login(user)`), or a session row created (`db.session.create(…)`, `db.insert(sessions)`: weak,
 * as a change that rotates the session does it too).
 */
function sessionStarted(
  fn: FunctionNode,
  xs: ExclusionSets,
  /** Only a session member that says who is signed in counts (`req.session.userId`, not `req.session.lastCreated`). */
  whoOnly = false,
): { text: string; weak: boolean } | undefined {
  if (!fn.body) return undefined;
  let found: { text: string; weak: boolean } | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(n.left) &&
      xs.sessionWrites.test(n.left.getText()) &&
      (!whoOnly || !!xs.sessionUserKeys?.test(n.left.name.text)) &&
      n.right.kind !== ts.SyntaxKind.NullKeyword &&
      n.right.kind !== ts.SyntaxKind.UndefinedKeyword
    )
      found = { text: n.left.getText(), weak: false };
    if (ts.isCallExpression(n)) {
      const callee = skipOuter(n.expression);
      if (
        ts.isPropertyAccessExpression(callee) &&
        xs.signInCalls.test(callee.name.text) &&
        !xs.transactionSessions.test(callee.getText().replace(/\s+/g, ''))
      )
        found = { text: callee.getText(), weak: false };
      // a session row created: `db.session.create(…)`, `db.insert(sessions)`
      else if (ts.isPropertyAccessExpression(callee) && /^(create|insert|insertOne|add)$/.test(callee.name.text)) {
        const holder = skipOuter(callee.expression);
        const table = ts.isPropertyAccessExpression(holder)
          ? holder.name.text
          : callee.name.text === 'insert' && n.arguments[0] && ts.isIdentifier(skipOuter(n.arguments[0]))
            ? (skipOuter(n.arguments[0]) as ts.Identifier).text
            : undefined;
        if (table && xs.sessionRecords.test(table)) found = { text: callee.getText(), weak: true };
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(fn.body);
  return found;
}

/** A call of an authentication library's sign-in (`signIn('credentials', …)`, `signIn` from `NextAuth(…)`). */
function librarySignIn(
  calls: readonly ts.CallExpression[],
  flow: { libraryModules?: string; libraryCalls?: string },
  values: ValueResolver,
): ts.CallExpression | undefined {
  if (!flow.libraryModules || !flow.libraryCalls) return undefined;
  const modules = new RegExp(flow.libraryModules);
  const names = new RegExp(flow.libraryCalls);
  const fromLibrary = (v: Value, depth: number): boolean => {
    if (depth > 3) return false;
    if (v.kind === 'external') return modules.test(v.module);
    if (v.kind === 'call') return v.callee.some((c) => fromLibrary(c, depth + 1));
    if (v.kind === 'member') return fromLibrary(v.base, depth + 1);
    return false;
  };
  return calls.find((c) => {
    if (!names.test(calleeName(c))) return false;
    return values.resolve(c.expression).some((v) => fromLibrary(v, 0));
  });
}

/**
 * Is a lookup a uniqueness check: its result is kept in a local that is only ever tested for being
 * found, each test ending the request (`if (existing) return res.status(409)…`)? A sign-in goes on
 * with the account it found; a profile change that refuses a taken username does not.
 */
function onlyRefuses(lookup: ts.CallExpression): boolean {
  let x: ts.Node = lookup;
  while (x.parent && (ts.isAwaitExpression(x.parent) || ts.isParenthesizedExpression(x.parent))) x = x.parent;
  const decl = x.parent;
  if (!decl || !ts.isVariableDeclaration(decl) || decl.initializer !== x || !ts.isIdentifier(decl.name)) return false;
  const name = decl.name.text;
  const scope = decl.parent?.parent?.parent;
  if (!scope) return false;
  let uses = 0;
  let refusals = 0;
  forEachNode(scope, (n) => {
    if (!ts.isIdentifier(n) || n.text !== name || n === decl.name) return;
    // (a member of the same name, `req.session.user`, `{ user: … }`, is no use of the local)
    if (ts.isPropertyAccessExpression(n.parent) && n.parent.name === n) return;
    if ((ts.isPropertyAssignment(n.parent) || ts.isBindingElement(n.parent)) && n.parent.name === n) return;
    uses++;
    // the local itself (or `!!local`, `local !== null`) as an if's condition whose branch ends the request
    let c: ts.Node = n;
    for (let p = c.parent; p; p = c.parent) {
      if (ts.isParenthesizedExpression(p)) c = p;
      else if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken) c = p;
      else if (isNot(p) && isNot(p.parent)) c = p.parent;
      else if (presentTest(p, c)) c = p;
      // (a member of the record compared, `taken && String(taken._id) !== me`: still the found record's test)
      else if (
        (ts.isPropertyAccessExpression(p) && p.expression === c) ||
        (ts.isCallExpression(p) && p.arguments.length === 1 && p.arguments[0] === c && calleeName(p) === 'String') ||
        (ts.isBinaryExpression(p) && EQUALITY.has(p.operatorToken.kind))
      )
        c = p;
      else break;
    }
    const stmt = c.parent;
    if (stmt && ts.isIfStatement(stmt) && stmt.expression === c && alwaysReturns(stmt.thenStatement)) refusals++;
  });
  return uses > 0 && uses === refusals;
}

/**
 * A lookup's filter keyed by the signed-in user's own identifier, written in place or through a local
 * (`const username = req.session.user.username; User.findOne({ username })`).
 */
function keyedBySession(arg: ts.Expression, re: RegExp): boolean {
  if (re.test(arg.getText())) return true;
  const x = skipOuter(arg);
  if (!ts.isObjectLiteralExpression(x)) return false;
  return x.properties.some((p) => {
    const v = ts.isPropertyAssignment(p)
      ? skipOuter(p.initializer)
      : ts.isShorthandPropertyAssignment(p)
        ? p.name
        : undefined;
    if (!v || !ts.isIdentifier(v)) return false;
    const d = findDeclaration(v);
    return !!d && ts.isVariableDeclaration(d) && !!d.initializer && re.test(d.initializer.getText());
  });
}

/** `local != null`, `local !== undefined`: true where the record was found. */
function presentTest(p: ts.Node, operand: ts.Node): boolean {
  if (!ts.isBinaryExpression(p)) return false;
  const op = p.operatorToken.kind;
  if (op !== ts.SyntaxKind.ExclamationEqualsToken && op !== ts.SyntaxKind.ExclamationEqualsEqualsToken) return false;
  const other = p.left === operand ? p.right : p.right === operand ? p.left : undefined;
  return !!other && isNullish(other);
}

function isNot(n: ts.Node | undefined): n is ts.PrefixUnaryExpression {
  return !!n && ts.isPrefixUnaryExpression(n) && n.operator === ts.SyntaxKind.ExclamationToken;
}

/**
 * The text a lookup selects by: the whole argument, or for an upsert only its `where` (what it writes
 * into the account, `update: { email }`, is not how it finds it).
 */
function lookupText(arg: ts.Expression, upsert: boolean): string {
  const x = skipOuter(arg);
  if (!upsert) return arg.getText();
  if (!ts.isObjectLiteralExpression(x)) return '';
  const where = x.properties.find(
    (p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText() === 'where',
  );
  return where ? where.initializer.getText() : '';
}

/** Is `model` one of `models`, or a record named after one (`InviteOrganization`, `organizationInvite`, plurals)? */
function namesRecord(model: string, models: readonly string[]): boolean {
  return models.some(
    (m) => model === m || model === `${m}s` || (m.length >= 5 && (model.startsWith(m) || model.endsWith(m))),
  );
}

/** Is the record an invitation (the asset model's invitation records, or one named after them)? */
export function isInvitationRecord(model: string | undefined, values: ValueResolver): boolean {
  return !!model && namesRecord(norm(model), values.session.get(SETS).invitationModels);
}

/** A read of one of `models` by a token or code (`prisma.invitation.findFirst({ where: { token } })`). */
function tokenLookup(
  calls: readonly ts.CallExpression[],
  models: readonly string[],
  xs: ExclusionSets,
  /** The record's id is its secret (a reset link's request id). */
  byId = false,
  /** A key naming the token itself (`resetToken`) makes any record the token's holder (`User.findOne({ where: { resetToken } })`). */
  namedKey?: RegExp,
): ts.CallExpression | undefined {
  for (const c of calls) {
    // a query builder's `.where('confirmationToken', '=', token)` / `.where(eq(accounts.resetToken, token))`
    if (namedKey && /^(where|andWhere|orWhere|eq)$/.test(calleeName(c))) {
      const col = columnOf(c.arguments[0]);
      if (col && namedKey.test(norm(col))) return c;
    }
    const parts = calleeParts(c.expression) ?? getterParts(c.expression);
    if (!parts || parts.length < 2 || !xs.tokenLookups.test(parts[parts.length - 1])) continue;
    // a store's method named for the record and its key (`storage.getInvitationByCode(code)`)
    const named = /^(?:find|get|fetch|load|select)([A-Z]\w*?)By([A-Z]\w*)$/.exec(parts[parts.length - 1]);
    if (
      named &&
      c.arguments.length &&
      models.some((m) => norm(named[1]) === m || norm(named[1]) === `${m}s`) &&
      (xs.tokenKeys.test(norm(named[2])) || (namedKey && namedKey.test(norm(named[2]))))
    )
      return c;
    // `this.findOne({ token })` inside a static method of the model's class
    const model = norm(
      parts.length === 2 && parts[0] === 'this' ? (staticClassModel(c) ?? '') : parts[parts.length - 2],
    );
    const q = queryKeys(c.arguments[0]);
    if (
      namedKey &&
      [...q.keys, ...q.where].some((k) => namedKey.test(norm(k))) &&
      !mintedHere(c.arguments[0], namedKey)
    )
      return c;
    if (!namesRecord(model, models)) continue;
    if ([...q.keys, ...q.where].some((k) => xs.tokenKeys.test(norm(k)) || (byId && norm(k) === 'id'))) return c;
    // the key named by the method: `InviteOrganization.findByConfirmationToken(req.body.token)`
    const byKey = /By([A-Z]\w*)$/.exec(parts[parts.length - 1])?.[1];
    if (byKey && c.arguments.length && xs.tokenKeys.test(norm(byKey))) return c;
  }
  return undefined;
}

/**
 * Is the token a lookup compares one the handler has just generated (`const setupToken = randomBytes(32)…;
 * User.findOne({ setupToken })`)? Then the lookup checks the new token is free; it redeems none.
 */
function mintedHere(arg: ts.Expression | undefined, key: RegExp): boolean {
  const cond = queryCondition(arg);
  return !!cond?.properties.some((p) => {
    if (!p.name || !key.test(norm(propertyNameText(p.name) ?? ''))) return false;
    const v = ts.isPropertyAssignment(p)
      ? skipOuter(p.initializer)
      : ts.isShorthandPropertyAssignment(p)
        ? p.name
        : undefined;
    const d = v && ts.isIdentifier(v) ? findDeclaration(v) : undefined;
    if (!d || !ts.isVariableDeclaration(d) || !d.initializer) return false;
    return MINT_CALL().test(d.initializer.getText());
  });
}

/** A call of one of the minting functions (rules/effects.json `mint.calls`): `randomBytes(32)`, `nanoid()`. */
const MINT_CALL = compiled(() => new RegExp(`\\b(${effectRules().r.mint.calls.join('|')})\\s*\\(`));

/**
 * An equality test of a stored e-mailed token (a member named like `reset_pwd_token`) with a value that
 * is not a constant: the handler checks the token the request brought against the one it mailed.
 */
function storedTokenCompared(fn: FunctionNode, column: RegExp, reset: RegExp): ts.BinaryExpression | undefined {
  let found: ts.BinaryExpression | undefined;
  if (!fn.body) return undefined;
  forEachNode(fn.body, (n) => {
    if (found) return false;
    if (!ts.isBinaryExpression(n) || !EQUALITY.has(n.operatorToken.kind)) return;
    const stored = (e: ts.Expression): boolean => {
      const x = skipOuter(e);
      if (!ts.isPropertyAccessExpression(x) && !ts.isElementAccessExpression(x)) return false;
      const name = norm(accessName(x) ?? '');
      return column.test(name) && reset.test(name);
    };
    const constant = (e: ts.Expression): boolean => {
      const x = skipOuter(e);
      return (
        ts.isLiteralExpression(x) ||
        x.kind === ts.SyntaxKind.NullKeyword ||
        (ts.isIdentifier(x) && x.text === 'undefined')
      );
    };
    if ((stored(n.left) && !constant(n.right)) || (stored(n.right) && !constant(n.left))) {
      if (refusesOnIt(n)) found = n;
    }
  });
  return found;
}

/** Is the test the condition of an `if` that ends the request (`if (stored !== token) return 422`)? */
function refusesOnIt(test: ts.Expression): boolean {
  let cur: ts.Node = test;
  while (
    cur.parent &&
    (ts.isParenthesizedExpression(cur.parent) ||
      (ts.isPrefixUnaryExpression(cur.parent) && cur.parent.operator === ts.SyntaxKind.ExclamationToken) ||
      (ts.isBinaryExpression(cur.parent) &&
        (cur.parent.operatorToken.kind === ts.SyntaxKind.BarBarToken ||
          cur.parent.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken)))
  )
    cur = cur.parent;
  const st = cur.parent;
  return !!st && ts.isIfStatement(st) && st.expression === cur && alwaysReturns(st.thenStatement);
}

/** The column a query-builder condition names: `'confirmationToken'`, `accounts.resetToken`. */
function columnOf(a: ts.Expression | undefined): string | undefined {
  if (!a) return undefined;
  const x = skipOuter(a);
  if (ts.isStringLiteralLike(x)) return x.text.split('.').pop();
  if (ts.isPropertyAccessExpression(x)) return x.name.text;
  if (ts.isCallExpression(x)) return columnOf(x.arguments[0]);
  return undefined;
}

/**
 * Does the endpoint serve a signed-in session? A chain link named for authentication (or one that
 * reads the signed-in user), a session read in the handler or what it calls, or the signed-in user
 * read by the handler. Unsure is yes: only an endpoint with none of these is session-less.
 */
function servesSession(
  ep: Endpoint,
  values: ValueResolver,
  s: NonNullable<ExclusionSets['sessionless']>,
  /** How many calls deep the handler's session read is looked for. */
  depth = 2,
): boolean {
  if (!ep.handler.fn) return true;
  if (chainServesSession(ep, values, s)) return true;
  // a bearer header or a cookie read, in the handler or a function it calls, is a session of some kind
  if (readsSignedIn(ep.handler.fn, values) || s.text?.test(readText(ep.handler.fn))) return true;
  return deepCalls(ep.handler.fn, values, depth).some(
    (c) =>
      isSessionRead(c, s) ||
      (!!s.text && s.text.test(readText(c))) ||
      // a project helper handed the request that reads who is signed in from it (`loadAccount(req)` reading
      // `req.session.userId`), or its cookie or bearer header (`loadSession(req)` reading `req.cookies.sid`)
      (c.arguments.some(
        (a) => ts.isIdentifier(skipOuter(a)) && /^(req|request|c|ctx|context)$/.test(skipOuter(a).getText()),
      ) &&
        values
          .resolve(c.expression)
          .some(
            (v) =>
              v.kind === 'function' &&
              (readsSignedIn(v.node, values) || (!!v.node.body && !!s.text?.test(readText(v.node.body)))),
          )),
  );
}

/**
 * The text of `n` without the headers it sends (`fetch(url, { headers: { Authorization: 'Bearer ' + KEY } })`):
 * a credential the server hands to another service is no session of the request's.
 */
/** What reads the incoming request's headers or cookies (`req.headers.cookie`, `c.req.header('authorization')`, `cookies()`). */
const FORWARDED =
  /\b(req|request)\.(headers|cookies|signedCookies|header|get)\b|\bc\.req\.(header|raw)\b|\b(headers|cookies)\(\)/;

function readText(n: ts.Node): string {
  const text = n.getText();
  if (!/authorization|bearer|cookie/i.test(text)) return text;
  const start = n.getStart();
  const cuts: [number, number][] = [];
  const visit = (x: ts.Node): void => {
    if (
      ts.isPropertyAssignment(x) &&
      /^(headers|authorization|cookie)$/i.test(propertyNameText(x.name) ?? '') &&
      // (not the request's own session handed on: `headers: { cookie: req.headers.cookie }`)
      !FORWARDED.test(x.initializer.getText())
    ) {
      cuts.push([x.getStart() - start, x.end - start]);
      return;
    }
    ts.forEachChild(x, visit);
  };
  visit(n);
  let out = '';
  let at = 0;
  for (const [a, b] of cuts) {
    out += text.slice(at, a);
    at = b;
  }
  return out + text.slice(at);
}

/** Does a middleware of the endpoint's chain (route, router or app level) serve a signed-in session? */
function chainServesSession(
  ep: Endpoint,
  values: ValueResolver,
  s: NonNullable<ExclusionSets['sessionless']>,
): boolean {
  for (const l of ep.chain) {
    // the project's own plumbing (`csrfToken` keeping a token in every visitor's session) serves no signed-in user
    if (plumbingLink(linkHead(l), s)) continue;
    if (namedForAuth(l, s)) return true;
    const fn = l.fn ?? l.factory;
    if (!fn) {
      // a package's middleware (`passport.authenticate('jwt')`, `clerkMiddleware()`) named for authentication
      // (not one that is plumbing or keeps a store for every visitor: `session(…)` from express-session)
      if (l.externalModule && s.linkNames.test(l.externalModule) && !s.plumbing?.test(l.externalModule)) return true;
      continue;
    }
    // the app-wide Next.js middleware serves every path (a locale cookie read there is no session); a
    // session read it makes only for other paths (after `if (isPublic(pathname)) return NextResponse.next()`)
    // is none of this endpoint's
    if (l.via === 'next-middleware') {
      const a = assumeMethod(undefined, values, concretePath(ep.path));
      let reads = false;
      const visit = (n: ts.Node): void => {
        if (reads) return;
        // a call, a name or a key that mentions the session (`getToken(…)`, `req.cookies.get('token')`,
        // `headers.get('authorization')`), where this path reaches it
        const mention = (ts.isIdentifier(n) || ts.isStringLiteralLike(n)) && /session|token|auth|jwt/i.test(n.text);
        if (mention && reachableUnder(n, fn, a)) reads = true;
        else ts.forEachChild(n, visit);
      };
      visit(fn);
      if (reads) return true;
      continue;
    }
    if (readsSignedIn(fn, values) || s.text?.test(readText(fn))) return true;
    if (deepCalls(fn, values, 1).some((c) => isSessionRead(c, s))) return true;
  }
  return false;
}

/**
 * Does an endpoint that mints a token serve a session? Its chain, its handler, and the functions the handler
 * calls — except those handed what the request sends (`verifyGoogleIdToken(body.idToken)` checks the identity
 * the request proves, which is how a sign-in starts, not a session read).
 */
function tokenMinterServesSession(
  ep: Endpoint,
  values: ValueResolver,
  s: NonNullable<ExclusionSets['sessionless']>,
): boolean {
  const fn = ep.handler.fn;
  if (!fn) return true;
  if (chainServesSession(ep, values, s) || routeSetsSignedInUser(ep, values)) return true;
  if (readsSignedIn(fn, values) || s.text?.test(readText(fn))) return true;
  const sent = new Set(ep.bodyFields.map((f) => f.name));
  const fromRequest = (c: ts.CallExpression): boolean =>
    c.arguments.some((a) => {
      let found = false;
      const visit = (n: ts.Node): void => {
        if (found) return;
        if (ts.isIdentifier(n) && (sent.has(n.text) || n.text === 'body')) found = true;
        else ts.forEachChild(n, visit);
      };
      visit(a);
      return found;
    });
  // a read of the ambient session (`getServerSession()`, `cookies()`), not a check of a value handed in
  // (`jwtVerify(idToken, keys)` inside `verifyGoogleIdToken(idToken)`)
  const ambient = (d: ts.CallExpression): boolean =>
    isSessionRead(d, s) &&
    !d.arguments.some((a) => {
      let param = false;
      const visit = (n: ts.Node): void => {
        if (param) return;
        if (ts.isIdentifier(n)) {
          const decl = findDeclaration(n);
          if (decl && ts.isParameter(decl)) param = true;
        } else ts.forEachChild(n, visit);
      };
      visit(a);
      return param;
    });
  for (const c of callsIn(fn)) {
    if (!ts.isCallExpression(c)) continue;
    const handed = fromRequest(c);
    if (isSessionRead(c, s) && !handed) return true;
    for (const v of values.resolve(c.expression))
      if (
        v.kind === 'function' &&
        v.node.body &&
        deepCalls(v.node, values, 3).some((d) => (handed ? ambient(d) : isSessionRead(d, s)))
      )
        return true;
  }
  return false;
}

/** A lookup by a token or code the request carries (`verificationToken.findUnique({ where: { token } })`). */
function tokenKeyed(c: ts.CallExpression, xs: ExclusionSets): boolean {
  if (!/^(find\w*|get\w*|select\w*|where)$/.test(calleeName(c))) return false;
  const q = c.arguments[0] ? queryKeys(c.arguments[0]) : undefined;
  return !!q && [...q.keys, ...q.where].some((k) => xs.tokenKeys.test(norm(k)));
}

/**
 * Does the endpoint read a signed-in session: the signed-in user (`req.user`, `c.get('user')`, set by a
 * route's middleware), a route middleware named for authentication, or a session read in the handler
 * (`getServerSession()`, `requireAdmin(req)`, a cookie read)? Unlike servesSession, a cookie only set
 * (`cookies().set('sid', …)`, a sign-in's answer) is not a read. Without the rules, yes.
 */
export function endpointReadsSession(ep: Endpoint, values: ValueResolver): boolean {
  const s = values.session.get(SETS).sessionless;
  const fn = ep.handler.fn;
  if (!s || !fn) return true;
  if (readsSignedIn(fn, values) || routeSetsSignedInUser(ep, values)) return true;
  if (ep.chain.some((l) => l.via === 'route' && namedForAuth(l, s))) return true;
  return deepCalls(fn, values, 1).some((c) => isSessionRead(c, s) && !(calleeName(c) === 'cookies' && onlySets(c)));
}

/**
 * Does the endpoint serve only a signed-in user: its own route puts an authentication middleware in front
 * of it (one named for it, or one that reads the signed-in user)? A handler that merely mentions the user
 * (turning a signed-in visitor away, signing the account in after the reset) serves anyone, and a token
 * verified in the handler may be an e-mailed one.
 */
function servesSignedInUser(ep: Endpoint, values: ValueResolver): boolean {
  const s = values.session.get(SETS).sessionless;
  if (!s || !ep.handler.fn) return false;
  if (routeSetsSignedInUser(ep, values)) return true;
  return ep.chain.some((l) => {
    const fn = l.fn ?? l.factory;
    // the route's own authentication middleware, named for it or reading the signed-in user
    if (l.via === 'route') return namedForAuth(l, s) || (!!fn && readsSignedIn(fn, values));
    // a project's authentication middleware put in front of the router (`router.use(requireAuth)`), where it
    // signs a person in: a package's session middleware (`app.use(session(…))`) serves visitors too, and
    // `clientAuth` checking an API client's key serves no signed-in user
    return (
      l.via === 'router' &&
      !!fn &&
      namedForAuth(l, s) &&
      !/^session\b/i.test(l.expr.getText()) &&
      (readsSignedIn(fn, values) || setsSignedInUser(fn, values))
    );
  });
}

/**
 * A link named for request plumbing (`csrfToken`, `verifyCsrf`): its words, less the plumbing word and the
 * generic words beside it, name nothing of authentication (`verifySessionAndCsrf` still names a session).
 */
function plumbingLink(head: string, s: NonNullable<ExclusionSets['sessionless']>): boolean {
  if (!s.plumbingNames?.test(head)) return false;
  const rest = words(head).filter(
    (w) =>
      !s.plumbingNames!.test(w) &&
      !/^(token|tokens|verify|check|validate|protect|protection|middleware|guard|ensure|require|and|with)$/.test(w),
  );
  return !rest.some((w) => s.linkNames.test(w));
}

/** The name a chain link is written under (`requireAuth` of `requireAuth('admin')`). */
function linkHead(l: Endpoint['chain'][number]): string {
  return l.expr.getText().split(/[(\s]/)[0] ?? '';
}

/** A chain link whose expression is named for authentication (`requireAuth`, `passport.authenticate(…)`). */
/**
 * Is the endpoint behind a gate of its own: a route middleware, the project's own middleware in front of its router
 * (`router.use(protect)`), or an authentication package's (`router.use(passport.authenticate('jwt'))`,
 * `app.use('/staff', expressjwt(…), staff)`)? A server action has no route, and its gate, in its own body, may read a
 * session the analysis does not see.
 */
export function routeGated(ep: Endpoint, values: ValueResolver): boolean {
  if (ep.framework === 'next-action') return true;
  const s = values.session.get(SETS).sessionless;
  return ep.chain.some(
    (l) =>
      l.via === 'route' ||
      (l.via === 'router' && ((!!l.fn && !l.externalModule) || (!!l.externalModule && !!s && namedForAuth(l, s)))),
  );
}

function namedForAuth(l: Endpoint['chain'][number], s: NonNullable<ExclusionSets['sessionless']>): boolean {
  // a package's middleware the project only named (`const authLimiter = rateLimit(…)`): the package says
  // what it does, not the variable
  if (l.externalModule && s.plumbing?.test(l.externalModule)) return false;
  const head = linkHead(l);
  // (a rate limiter or a logger named for the routes it serves, `loginLimiter`: its last word says what it is)
  const last = words(head).at(-1);
  if (last && s.plumbingTails?.test(last)) return false;
  return !!head && s.linkNames.test(head) && !plumbingLink(head, s);
}

/** `cookies().set(…)`, `(await cookies()).delete(…)`: the cookie jar written, not read. */
function onlySets(c: ts.CallExpression): boolean {
  let n: ts.Node = c;
  while (n.parent && (ts.isAwaitExpression(n.parent) || ts.isParenthesizedExpression(n.parent))) n = n.parent;
  const p = n.parent;
  return !!p && ts.isPropertyAccessExpression(p) && p.expression === n && /^(set|delete)$/.test(p.name.text);
}

/** The conditions of a lookup's argument (`where`, or the filter itself), not what it selects or writes. */
function lookupConditions(a: ts.Expression): string {
  const x = skipOuter(a);
  if (!ts.isObjectLiteralExpression(x)) return a.getText();
  return x.properties
    .filter(
      (p) =>
        !(
          p.name &&
          /^(select|include|columns|omit|orderBy|data|attributes|projection)$/.test(propertyNameText(p.name) ?? '')
        ),
    )
    .map((p) => p.getText())
    .join(',');
}

function isSessionRead(c: ts.CallExpression, s: NonNullable<ExclusionSets['sessionless']>): boolean {
  const parts = calleeParts(c.expression) ?? getterParts(c.expression);
  // (a one-time code checked against a factor's secret, `TotpService.verifyToken(secret, code)`: a sign-in's step)
  if (parts && s.factorChecks?.test(parts.slice(0, -1).join('.'))) return false;
  return s.reads.test(calleeName(c)) || (!!parts && s.calleeText.test(parts.join('.')));
}

/**
 * A password set on the account the request names by its identifier or an e-mailed token
 * (`User.findOne({ email })` with `email` from the body), on an endpoint that serves no session:
 * a sign-up, a recovery step or an invitation being completed.
 */
/** Does the request carry the secret being replaced (a body field or a parameter named `oldPassword`)? */
function takesCurrentSecret(ep: Endpoint, re: RegExp): boolean {
  if (ep.bodyFields.some((f) => re.test(f.name))) return true;
  const names: string[] = [];
  const collect = (n: ts.BindingName): void => {
    if (ts.isIdentifier(n)) names.push(n.text);
    else for (const el of n.elements) if (ts.isBindingElement(el)) collect(el.name);
  };
  for (const p of ep.handler.fn?.parameters ?? []) collect(p.name);
  return names.some((n) => re.test(n));
}

/** Does the request type the secret it replaces, on an endpoint that reads a session? */
function changesKnownSecret(ep: Endpoint, values: ValueResolver): boolean {
  const s = values.session.get(SETS).sessionless;
  return !!s?.currentSecret && takesCurrentSecret(ep, s.currentSecret) && servesSession(ep, values, s);
}

function sessionlessCredentialSet(
  ep: Endpoint,
  values: ValueResolver,
  xs: ExclusionSets,
  /** The account the password is set on is found by what the request sent (an id, a code), by data flow. */
  chosenByRequest: boolean,
): Reason | undefined {
  const s = xs.sessionless;
  if (!s || !ep.handler.fn) return undefined;
  // the current password asked for: a change of a known secret, never a recovery or a first set
  if (s.currentSecret && takesCurrentSecret(ep, s.currentSecret)) return undefined;
  // a read that finds the account (`findOne({ email })`), or a write that finds it by its filter
  // (`findOneAndUpdate({ email }, { $set: { password } })`): never by what a write's data holds
  // (`findByIdAndUpdate(id, { email })` changes the address, it does not name the account by it)
  const lookup = deepCalls(ep.handler.fn, values, 2).find((c) => {
    if (!xs.signInLookups.test(calleeName(c))) return false;
    const writes = /update|upsert|delete|remove|replace/i.test(calleeName(c));
    const filters = writes ? c.arguments.slice(0, c.arguments.length > 1 ? 1 : 0) : c.arguments;
    return filters.some((a) => s.lookupArgs.test(`{${lookupConditions(a)}}`));
  });
  // (or by any key the request sent, `User.findById(req.body.user_id)`, on a path that says it recovers an account
  // (`/auth/reset`): the words break the tie between a recovery and a change whose session the analysis cannot see,
  // never on an administrator's path, where an operator sets another's password)
  const named = lookup ?? (chosenByRequest && !adminPath(ep.path) && recoveryPath(ep.path) ? ep.handler.fn : undefined);
  if (!named || servesSession(ep, values, s)) return undefined;
  return {
    kind: 'exclusion',
    value: lookup ? lookup.getText().replace(/\s+/g, ' ').slice(0, 80) : 'account found by the request',
    detail:
      'sets a password on the account the request names by its identifier, with no session on the way: a sign-up, a recovery step or an invitation being completed, not a change a stolen session could make',
    span: spanOf(lookup ?? named),
  };
}

/**
 * Is a request field only written into a record's data (`data: { resetToken, … }`), never compared, looked up by or
 * handed to a check? Every mention of its name in the handler is a value of an object's key outside a filter.
 */
function onlyWritten(fn: FunctionNode, field: string): boolean {
  let uses = 0;
  let written = 0;
  forEachNode(fn, (n) => {
    if (!ts.isIdentifier(n) || n.text !== field) return;
    const p = n.parent;
    // its binding (`const { resetToken } = body`) or a property name (`body.resetToken` is its read, below)
    if (ts.isBindingElement(p) || (ts.isPropertyAssignment(p) && p.name === n)) return;
    const use: ts.Node = ts.isPropertyAccessExpression(p) && p.name === n ? p : n;
    uses++;
    const holder = use.parent;
    const valueOf =
      (ts.isShorthandPropertyAssignment(holder) && holder.name === use) ||
      (ts.isPropertyAssignment(holder) && holder.initializer === use);
    if (!valueOf) return;
    // (a filter's key, `where: { resetToken }`, looks the record up by it)
    const filter = ts.findAncestor(holder.parent, (a) =>
      ts.isPropertyAssignment(a) && /^(where|filter|query)$/i.test(propertyNameText(a.name) ?? '')
        ? true
        : ts.isCallExpression(a)
          ? 'quit'
          : false,
    );
    if (!filter) written++;
  });
  return uses > 0 && uses === written;
}

/** A path with a word that says it recovers an account (`/auth/reset`, `/forgot-password/confirm`). */
const RECOVERY_WORDS = compiled(() => {
  const w = ruleFile('assets').signIn.recoveryWords;
  return w ? new RegExp(`^(${w})`, 'i') : undefined;
});
function recoveryPath(path: string): boolean {
  const re = RECOVERY_WORDS();
  return !!re && rawSegments(path).some((s) => !isParamSegment(s) && words(s).some((w) => re.test(w)));
}

/** What the classification found, which decides whether an exclusion may apply. */
export interface ExclusionFacts {
  /** The endpoint's categories rest on an effect on an asset, not on words alone. */
  assetDecided?: boolean;
  /** It hands the caller a secret it has just generated: a user's request, whoever it is addressed to. */
  answersMintedSecret?: boolean;
  /** It writes an MFA factor or its switch: an enrolment, whatever its path says. */
  writesFactor?: boolean;
  /** It grants a role (an effect on a privilege asset). */
  grantsRole?: boolean;
  /** A money asset decided (an OAuth callback that stores the payout account it connected). */
  movesMoney?: boolean;
  /** The only assets are a password (or PIN) set, and the login identifier written with it. */
  setsPasswordOnly?: boolean;
  /** The account whose password is set is found by what the request sent, not by who is signed in. */
  passwordRecordChosen?: boolean;
  /** The endpoint creates an invitation record (it issues one; a lookup of one by code checks the new code is free). */
  createsInvitation?: boolean;
  /** It adds, changes or removes an MFA factor or passkey (a record of one, or its switch). */
  enrolsFactor?: boolean;
  /** It deletes the account or the organisation. */
  deletesAccount?: boolean;
  /** A key or secret asset decided (a token minted and stored). */
  keyAsset?: boolean;
  /** The only assets are a token minted and stored (an access token, a key): what a sign-in also does. */
  issuesTokenOnly?: boolean;
  /** It creates a record the sign-in looks up, with its password: a new account. */
  createsAccount?: boolean;
}

export function exclusionFor(
  ep: Endpoint,
  rules: ClassifierRules,
  values: ValueResolver,
  facts: ExclusionFacts = {},
): Reason | undefined {
  const { assetDecided, answersMintedSecret, writesFactor, grantsRole, movesMoney, setsPasswordOnly } = facts;
  const ex = rules.exclusions;
  const xs = values.session.get(SETS);
  const segs = rawSegments(ep.path);

  // a key minted on the account already signed in under a renewal word (`/user/refresh_token` behind the
  // route's authentication, the handler reading who is signed in): a rotation of that account's key, no sign-in
  // renewed by its refresh token
  // (not where the route's middleware or the handler reads a refresh token: `verifyRefreshToken`, `refreshGuard`)
  const rotatesSignedInKey =
    !!facts.keyAsset &&
    segs.some((s) => !!lookupTerm(norm(s), xs.renewals)) &&
    !!ep.handler.fn &&
    readsSignedIn(ep.handler.fn, values) &&
    servesSignedInUser(ep, values) &&
    !ep.chain.some((l) => l.via === 'route' && xs.renewalReads.test(l.name)) &&
    !xs.renewalReads.test(ep.handler.fn.body?.getText() ?? '');

  // 1. Authentication entry points and callbacks (a segment, a word of one — `custom-signout` —, or a multi-segment phrase)
  const lower = ep.path.toLowerCase();
  for (const [i, s] of segs.entries()) {
    const n = norm(s);
    // a noun that names the session itself (`/session`, `/sessions/:id`) is the entry point only as the
    // path's last resource: `/sessions/export` acts on what the application calls sessions
    const noun = lookupTerm(n, xs.entryNouns);
    if (noun && segs.slice(i + 1).some((x) => !isParamSegment(x))) continue;
    const ws = words(s);
    const cands = [n, ...ws, ...ws.slice(1).map((w, i) => ws[i] + w)];
    // `update-login-passcode`, `change-login-email`: the word names what changes, not a sign-in
    const changes = ws.some((w) => xs.changeVerbs.has(w));
    // a route whose own middleware establishes the signed-in user serves a session: an admin's `/register`
    // of a user with a role is a grant, not a sign-up (a sign-out behind the same middleware stays one)
    if (
      (xs.entryRaw.has(s) || lookupTerm(n, xs.entry) || (!changes && findTerm(cands.slice(1), xs.entryWords))) &&
      !(grantsRole && routeSetsSignedInUser(ep, values)) &&
      // money moved under an entry word by someone signed in (`/payouts/bank/callback` storing the payout
      // account) is that money; a sign-up opening the new account's own bank record is still a sign-up
      !(movesMoney && endpointReadsSession(ep, values)) &&
      // a factor added to the account a session signs in to (`passkeys/register/verify`) is an enrolment
      !(facts.enrolsFactor && endpointReadsSession(ep, values)) &&
      // an account deleted by the one signed in to it under an entry word (`/stripe/cancel-signup`): a deletion
      !(facts.deletesAccount && endpointReadsSession(ep, values)) &&
      !rotatesSignedInKey &&
      // a secret set by one who types the one it replaces (`old_password`) on an account the request's session
      // names: a change of a known secret under a prefix that says sign-up (`/registration/fin-password`), which
      // no sign-up, sign-in or recovery asks for
      !(setsPasswordOnly && changesKnownSecret(ep, values))
    )
      return {
        kind: 'exclusion',
        value: s,
        detail: 'authentication entry point or callback: it creates a session, so it cannot demand step-up from one',
        span: ep.anchor,
      };
    if (xs.always.has(n))
      return {
        kind: 'exclusion',
        value: s,
        detail: 'password-reset request: it only sends a reset e-mail',
        span: ep.anchor,
      };
  }
  // path patterns of steps that are not step-up targets, each with why
  // (a second factor checked at sign-in writes no factor: a path like `auth/2fa/verify` that turns TOTP on is an enrolment)
  const steps: [RegExp[], string][] = [
    [
      // (money moved is that money's step, whatever the path calls it)
      writesFactor || movesMoney || rotatesSignedInKey ? [] : xs.patterns,
      'authentication step (token refresh or sign-in second factor): it completes a sign-in, it cannot demand step-up',
    ],
    [
      xs.invitations,
      'accepting or declining an invitation: the invitation (its token or code) decides the membership and its role, not the session',
    ],
    [xs.selfRemoval, 'leaving a team oneself: the caller gives up their own membership, which grants nothing'],
  ];
  for (const [res, detail] of steps) {
    for (const re of res) {
      const m = re.exec(lower);
      if (m) return { kind: 'exclusion', value: m[0].replace(/^\/|\/$/g, ''), detail, span: ep.anchor };
    }
  }
  // The reset request step by what it calls: an identity provider's "e-mail a reset link" (words alone said credentials)
  const resetMail = xs.resetMail;
  if (!assetDecided && resetMail) {
    const mail = deepCalls(ep.handler.fn, values, 1).find((c) => {
      const parts = calleeParts(c.expression) ?? getterParts(c.expression);
      return !!parts && resetMail.test(parts.join('.'));
    });
    if (mail)
      return {
        kind: 'exclusion',
        value: mail.expression.getText().replace(/\s+/g, ''),
        detail: 'password-reset request: it only sends a reset e-mail',
        span: spanOf(mail),
      };
  }
  // A sign-in by its flow: the account is looked up by the identifier the request sends and a session is set up for it
  const nearCalls = deepCalls(ep.handler.fn, values, 1);
  // …or an authentication library's own sign-in, which does both (words alone said credentials)
  // (not in a handler that serves a session: signing in again after a change is that change's aftermath)
  const library =
    !assetDecided && !endpointReadsSession(ep, values) ? librarySignIn(nearCalls, ex.signInFlow, values) : undefined;
  if (library)
    return {
      kind: 'exclusion',
      value: library.expression.getText().replace(/\s+/g, ''),
      detail:
        "authentication entry point: the authentication library's own sign-in checks what the request proves and creates the session, so it cannot demand step-up from one",
      span: spanOf(library),
    };
  const signIn = signInFlow(nearCalls, ep.handler.fn, xs, facts.issuesTokenOnly);
  // (a token issued answers to its own handler's session reads: the functions it calls verify the identity
  // the request proves, `verifyGoogleIdToken(body.idToken)`, not a session)
  const sessionRead = (): boolean =>
    facts.issuesTokenOnly
      ? !xs.sessionless || tokenMinterServesSession(ep, values, xs.sessionless)
      : endpointReadsSession(ep, values);
  if (signIn && (!signIn.weak || !sessionRead()))
    return {
      kind: 'exclusion',
      value: signIn.evidence,
      detail:
        'authentication entry point: it looks the account up by the identifier the request sends and signs it in, so it cannot demand step-up from a session',
      span: ep.anchor,
    };
  // An OAuth authorization code exchanged for tokens: a sign-in or an integration connected, by what it sends
  // (not when money decided: a provider's OAuth callback that stores a payout account is that write; a
  // sign-in that also syncs the profile's e-mail, or creates the signing-in person's account with its type, is still one)
  const exchange =
    !movesMoney && !writesFactor && ep.handler.fn ? codeExchange(ep.handler.fn, nearCalls, xs) : undefined;
  if (exchange)
    return {
      kind: 'exclusion',
      value: exchange,
      detail:
        'OAuth authorization-code exchange: it turns a code the identity provider has just issued into tokens (a sign-in, or an integration connected), so the provider vouches for the caller',
      span: ep.anchor,
    };
  // (whether the endpoint serves no session at all: asked once, by the checks below that need it)
  let sessionlessMemo: boolean | undefined;
  const noSession = (): boolean =>
    (sessionlessMemo ??= !!xs.sessionless && !servesSession(ep, values, xs.sessionless, 4));
  // A new account made with its password and its session started, where no session is served: a sign-up by what it
  // does, whatever its path says (`POST /auth/users`), with the role the form offers (a customer or a partner)
  if (facts.createsAccount && !movesMoney && ep.handler.fn && sessionStarted(ep.handler.fn, xs, true) && noSession())
    return {
      kind: 'exclusion',
      value: 'account created with its password',
      detail:
        'sign-up: it creates an account with its password and starts its session, and serves none before, so there is no session to step up from',
      span: ep.anchor,
    };
  // (only where no session is served: a signed-in user confirming a change with a mailed link still changes it)
  const link = !movesMoney && !writesFactor && noSession() ? linkVerified(nearCalls, xs) : undefined;
  if (link)
    return {
      kind: 'exclusion',
      value: link.expression.getText().replace(/\s+/g, ''),
      detail:
        "redeeming a link the identity provider e-mailed (a sign-up or invitation confirmed, a magic link, a recovery): the link's token proves the caller and the provider starts the session, so it cannot demand step-up from one",
      span: spanOf(link),
    };
  // Redeeming an e-mailed token: the invitation or reset record is looked up by the token or code the request carries
  const calls = deepCalls(ep.handler.fn, values, 2);
  for (const [models, detail, byId, namedKey] of [
    [
      xs.invitationModels,
      'accepting an invitation by its token: the invitation (its token or code) decides the membership and its role, not the session',
      false,
      undefined,
    ],
    [
      xs.resetTokenModels,
      'proven by a token e-mailed to the account (a reset, a confirmation), not by a session',
      true,
      xs.emailedTokenColumn,
    ],
  ] as const) {
    // (an endpoint that issues an invitation looks its new code up only to see it is free, under any column name)
    if (facts.createsInvitation || movesMoney) continue;
    // (a request record's id is its secret only where no session is served: within one, the id names a record the
    // signed-in caller picks, and what the endpoint changes is theirs)
    const idIsSecret = byId && !!ep.handler.fn && noSession();
    const redeemed = tokenLookup(calls, models, xs, idIsSecret, namedKey);
    if (redeemed)
      return {
        kind: 'exclusion',
        value: redeemed.getText().replace(/\s+/g, ' ').slice(0, 80),
        detail,
        span: spanOf(redeemed),
      };
  }
  // …or the stored token compared with the one the request carries (`if (user.reset_pwd_token != token) return 422`)
  // (a reset token only, on a route that serves no session: a stored verification code compared may be the
  // step-up of what follows, and a reset code checked within a session is a change that session makes)
  const compared =
    !movesMoney && ep.handler.fn && xs.resetTokenKey && noSession()
      ? storedTokenCompared(ep.handler.fn, xs.emailedTokenColumn, xs.resetTokenKey)
      : undefined;
  if (compared)
    return {
      kind: 'exclusion',
      value: compared.getText().replace(/\s+/g, ' ').slice(0, 80),
      detail: 'proven by a token e-mailed to the account (a reset, a confirmation), not by a session',
      span: spanOf(compared),
    };
  if (setsPasswordOnly) {
    const sessionless = sessionlessCredentialSet(ep, values, xs, !!facts.passwordRecordChosen);
    if (sessionless) return sessionless;
  }
  // An auth catch-all: /api/auth/[...all], /api/auth/*
  for (let i = 1; i < segs.length; i++) {
    if (isCatchAll(segs[i]) && ['auth', 'authentication', 'oauth', 'session'].includes(norm(segs[i - 1]))) {
      return {
        kind: 'exclusion',
        value: `${segs[i - 1]}/${segs[i]}`,
        detail: 'authentication library catch-all route',
        span: ep.anchor,
      };
    }
  }

  // 2. Auth library handlers mounted as routes
  const mod = fromModule(ep, ex.catchAllHandlerModules);
  if (mod)
    return {
      kind: 'exclusion',
      value: mod,
      detail: `handler comes from the authentication library ${mod}`,
      span: ep.anchor,
    };
  const handlerCalls = deepCalls(ep.handler.fn, values, 1);
  for (const c of handlerCalls) {
    const name = lastName(c);
    if (!name) continue;
    const recv = skipOuter(c.expression);
    if (ex.authHandlerMethods.includes(name) && ts.isPropertyAccessExpression(recv)) {
      const owner = recv.expression;
      const isAuth =
        /auth/i.test(owner.getText()) ||
        values.resolve(owner).some((v) => {
          const e = externalName(v);
          return !!e && ex.catchAllHandlerModules.some((m) => e.module === m || e.module.startsWith(`${m}/`));
        });
      if (isAuth)
        return {
          kind: 'exclusion',
          value: `${owner.getText()}.${name}`,
          detail: 'requests are handed to the authentication library handler',
          span: spanOf(c),
        };
    }
    if (ex.catchAllCalls.includes(name) && ep.handler.fn && c.parent && ts.isReturnStatement(c.parent)) {
      return {
        kind: 'exclusion',
        value: name,
        detail: 'requests are handed to the authentication library handler',
        span: spanOf(c),
      };
    }
  }
  if (
    ep.handler.externalName &&
    ex.catchAllCalls.some((n) => ep.handler.externalName!.split('.')[0].replace(/\(\)$/, '') === n)
  ) {
    return {
      kind: 'exclusion',
      value: ep.handler.externalName,
      detail: 'authentication library handler',
      span: ep.anchor,
    };
  }

  // 3. Password reset by emailed token
  // a reset segment, or one whose words say it (`reset-login-passcode`, `forgot-pin`)
  const resetSeg = segs.find((s) => {
    if (xs.reset.has(norm(s))) return true;
    const ws = words(s);
    return ws.some((w) => ex.resetWords.includes(w)) && ws.some((w) => ex.resetCredentialWords.includes(w));
  });
  if (resetSeg) {
    // `token`, or a name ending in one of those words (`verificationToken`, `reset_pin`)
    const tokenField = ep.bodyFields.find((f) => {
      const ws = words(f.name);
      if (ws.some((w) => ex.secretStateWords?.includes(w))) return false;
      return (
        ex.resetTokenFields.includes(norm(f.name)) || (ws.length > 1 && ex.resetTokenFields.includes(ws[ws.length - 1]))
      );
    });
    const tokenParam = segs.find((s) => /^[:[{]\.{0,3}(token|code|key|resettoken)\]?\}?$/.test(s));
    // `req.query.token`, `searchParams.get('token')`, or destructured: `const { id, token } = req.query`
    const handlerText = ep.handler.fn?.getText();
    const tokenQuery = handlerText
      ? (/(query|searchParams|params)\b[^;\n]{0,40}\b(token|code|resetToken)\b/.exec(handlerText) ??
        /\{[^}]{0,40}\b(token|code|resetToken)\b[^}]{0,40}\}\s*=\s*\w+\.(query|params)\b/.exec(handlerText))
      : null;
    // (a code checked where the handler serves a signed-in user is that user's change, proven by the code)
    if ((tokenField || tokenParam || tokenQuery) && !servesSignedInUser(ep, values)) {
      const via = tokenField ? `body.${tokenField.name}` : (tokenParam ?? tokenQuery![0]);
      return {
        kind: 'exclusion',
        value: `${resetSeg} + ${via}`,
        detail: 'password reset proven by an emailed token, not by a session',
        span: tokenField?.span ?? ep.anchor,
      };
    }
    // The request step: only an address is sent, nothing is changed but a reset link issued.
    const names = ep.bodyFields.map((f) => norm(f.name));
    if (names.length && names.every((n) => ex.resetRequestFields.includes(n))) {
      return {
        kind: 'exclusion',
        value: `${resetSeg} + body.${ep.bodyFields[0].name}`,
        detail: 'password-reset request: it only sends a reset e-mail',
        span: ep.bodyFields[0].span ?? ep.anchor,
      };
    }
  }
  // A reset token named as such in the body (`reset_password_token`, `passwordResetCode`), on any path, when the
  // handler uses it as a proof: a profile update writing a `resetToken` column from the body proves nothing by it
  // (and, as for a reset path, a code where the route serves a signed-in user is that user's change: a profile
  // update behind the session that merely declares `reset_code` in its schema is no recovery)
  const named = servesSignedInUser(ep, values)
    ? undefined
    : ep.bodyFields.find(
        (f) => xs.resetTokenName.test(norm(f.name)) && !(ep.handler.fn && onlyWritten(ep.handler.fn, f.name)),
      );
  if (named)
    return {
      kind: 'exclusion',
      value: `body.${named.name}`,
      detail: 'password reset proven by an emailed token, not by a session',
      span: named.span ?? ep.anchor,
    };

  // A token checked with a key named for resets: the reset link's token proves the request
  if (xs.resetTokenKey) {
    const keyRe = xs.resetTokenKey;
    for (const c of calls) {
      const name = lastName(c) ?? '';
      const verifies = (ex.tokenVerifiers ?? []).includes(name);
      // signing one is issuing the link: the request step, which only mails it
      const signs = (ex.tokenSigners ?? []).includes(name);
      if (!verifies && !signs) continue;
      const key = c.arguments.slice(1).find((a) => keyRe.test(a.getText()));
      if (key)
        return {
          kind: 'exclusion',
          value: key.getText().slice(0, 60),
          detail: verifies
            ? 'password reset proven by a token checked with a reset key, not by a session'
            : 'password-reset request: it issues a reset link signed with a reset key',
          span: spanOf(c),
        };
    }
  }

  // 4. Signature-verified webhooks
  const webhookPath = segs.some((s) => !!findTerm([norm(s), ...words(s)], xs.webhook));
  // (a generic HMAC under a webhook path proves the sender only where no signed-in user is served: managing one's
  // own webhooks behind the session, `webhooks.create` signing or sealing its secret, is no receiver)
  let sessionServed: boolean | undefined;
  const unsignedIn = (): boolean => !(sessionServed ??= endpointReadsSession(ep, values));
  for (const c of calls) {
    const name = lastName(c);
    if (!name) continue;
    if (ex.webhookVerifiers.includes(name) || (webhookPath && ex.signatureChecks.includes(name) && unsignedIn())) {
      return {
        kind: 'exclusion',
        value: name,
        detail: 'webhook whose signature is verified: the sender authenticates, not a user session',
        span: spanOf(c),
      };
    }
    if (name === 'verify' && ts.isPropertyAccessExpression(skipOuter(c.expression))) {
      const owner = skipOuter((skipOuter(c.expression) as ts.PropertyAccessExpression).expression);
      const created = ts.isNewExpression(owner) ? owner : undefined;
      const ctor =
        created ??
        values
          .resolve(owner)
          .map((v) => (v.kind === 'call' && ts.isNewExpression(v.node) ? v.node : undefined))
          .find(Boolean);
      if (ctor && ts.isIdentifier(ctor.expression) && ex.webhookConstructors.includes(ctor.expression.text)) {
        return {
          kind: 'exclusion',
          value: `new ${ctor.expression.text}().verify`,
          detail: 'webhook whose signature is verified (svix / standard-webhooks)',
          span: spanOf(c),
        };
      }
    }
  }
  // 5. A provider's callback, by where it is served: its caller is a service, not a user session.
  // A provider is not handed a secret generated for it: an endpoint that answers with one serves a user.
  const receiver = answersMintedSecret
    ? undefined
    : (webhookReceiver(ep, segs, ex.webhookReceiver) ??
      namedReceiver(ep, ex.webhookReceiver, () => !!xs.sessionless && !servesSession(ep, values, xs.sessionless, 4)));
  if (receiver) return receiver;
  // 6. Service callers: a signature header or a shared environment secret authenticates the request
  return machineCredential(ep, values);
}

/**
 * `POST /airtime/airtimeToCashWebhook`: the last segment named as a webhook among its words (`…Webhook`,
 * `stripe-ipn`), no management word beside it, on an endpoint that serves no session at all.
 */
function namedReceiver(
  ep: Endpoint,
  rule: { segments: string[]; notWords: string[] },
  sessionless: () => boolean,
): Reason | undefined {
  // (as written: the words of `airtimeToCashWebhook` are in its case)
  const last = ep.path.split('/').filter(Boolean).pop();
  if (ep.method !== 'POST' || !last || isParamSegment(last)) return undefined;
  const ws = words(last);
  if (ws.length < 2 || !ws.some((w) => rule.segments.includes(w))) return undefined;
  if (ws.some((w) => rule.notWords.includes(w)) || !sessionless()) return undefined;
  return {
    kind: 'exclusion',
    value: last,
    detail:
      "a provider's webhook callback (named so, and serving no session): its caller is a service, not a user session",
    span: ep.anchor,
  };
}

/** `POST /webhook/payout/<provider>`: only literal segments after the webhook segment, none a management word. */
function webhookReceiver(
  ep: Endpoint,
  segs: string[],
  rule: { segments: string[]; notWords: string[] },
): Reason | undefined {
  if (ep.method !== 'POST') return undefined;
  const at = segs.findIndex((s) => rule.segments.includes(s.toLowerCase()));
  if (at < 0) return undefined;
  const after = segs.slice(at + 1);
  if (!after.length) return undefined;
  if (after.some(isParamSegment)) return undefined;
  if (after.some((s) => words(s).some((w) => rule.notWords.includes(w)) || rule.notWords.includes(norm(s))))
    return undefined;
  return {
    kind: 'exclusion',
    value: segs.slice(at).join('/'),
    detail: "a provider's webhook callback: its caller is a service, not a user session",
    span: ep.anchor,
  };
}
