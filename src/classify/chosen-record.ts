// Whose record a write changes, by where its lookup's key comes from: `Account.findOne({ number:
// req.body.accountNumber })` then `account.save()` writes the record the request names, while a lookup
// keyed by who is signed in (`Wallet.findOne({ userId: req.user.id })`) writes the caller's own.
// The vocabulary is rules/assets.json `chosenRecord`.
import { ts } from 'ts-morph';
import { exits } from '../analysis/walk.js';
import { bindingPath, findDeclaration } from '../analysis/scope.js';
import type { Effect } from '../analysis/effects.js';
import {
  callArguments,
  calleeName,
  enclosingFunction,
  propertyNameText,
  skipOuter,
  type ValueResolver,
} from '../analysis/values.js';
import { compiled, ruleFile } from '../rules/load.js';
import { whereParams } from '../analysis/sql-params.js';
import { documentKey } from '../analysis/effects.js';
import { norm } from './words.js';
import { memo } from '../memo.js';

const rules = compiled(() => {
  const r = ruleFile('assets').chosenRecord;
  return {
    /** A read of what the client sends: the body, the route parameters, the query. */
    requestPayload: new RegExp(r.requestPayload),
    /** A read of who is signed in: the session or the user an auth middleware put on the request. */
    signedIn: new RegExp(r.signedIn),
    /** Keys that identify an account: a code looked up to find its owner (`referralCode`) names the code. */
    accountKeys: new RegExp(r.accountKeys, 'i'),
    /** Calls that convert or tidy a value without looking anything up. */
    conversions: new RegExp(r.conversions),
    /** Lookups whose record's fields an administrator's request chooses as much as the key it was found by. */
    finders: r.finders ? new RegExp(r.finders) : undefined,
    /** Calls that refine a query without changing which record it finds (`.populate('user')`, `.lean()`). */
    queryRefinements: r.queryRefinements ? new RegExp(r.queryRefinements) : undefined,
    adminSegments: new Set((r.adminSegments ?? []).map((x) => x.toLowerCase())),
    adminGates: r.adminGates ? new RegExp(r.adminGates, 'i') : undefined,
    adminRoleGates: r.adminRoleGates ? new RegExp(r.adminRoleGates, 'i') : undefined,
    adminRoleValues: r.adminRoleValues ? new RegExp(r.adminRoleValues, 'i') : undefined,
    /** Calls that answer who is signed in (`getServerSession()`, `auth()`): the session readers of categories.json. */
    sessionReads: new RegExp(ruleFile('categories').exclusions.sessionless?.sessionReads ?? '$^'),
    /** What a session reader may be handed and still answer who is signed in. */
    sessionCarriers: new RegExp(r.sessionCarriers ?? '(?!)', 'i'),
  };
});

/**
 * Is this a call that answers who is signed in (`await getServerSession()`, `auth()`, `verifyToken(token)`),
 * handed nothing the request's payload carries? (`getUser(req.body.id)` looks someone up.)
 */
export function sessionReadCall(n: ts.Node): boolean {
  const x = ts.isExpression(n) ? skipOuter(n) : n;
  if (!ts.isCallExpression(x)) return false;
  const callee = skipOuter(x.expression);
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
  const r = rules();
  if (!r.sessionReads.test(name)) return false;
  // (handed nothing, or only what carries the session: the request, its headers or cookies, a token read from
  // them, an options object; an id, `getUser(uid)`, looks someone up)
  return x.arguments.every((a) => {
    const y = skipOuter(a);
    if (ts.isObjectLiteralExpression(y)) return !r.requestPayload.test(flat(y));
    // (a flag or a constant: `verifySessionCookie(cookie, true)`)
    if (ts.isLiteralExpression(y) || y.kind === ts.SyntaxKind.TrueKeyword || y.kind === ts.SyntaxKind.FalseKeyword)
      return true;
    const text = flat(y).replace(/^await/, '');
    return r.sessionCarriers.test(text) && !r.requestPayload.test(text);
  });
}

/** The key a record's own id is read under (`account._id`, `{ id } = row`). */
const OWN_ID = /^_?id$/;

/**
 * Does the function around `n` read who is signed in (`req.user.id`, `c.get('user')`)? There the record a
 * lookup found may be checked against the caller (`if (wallet.owner !== req.user.id) return 404`), so its
 * own id names no one else's account by itself.
 */
function readsSession(n: ts.Node): boolean {
  let fn: ts.Node | undefined = n.parent;
  while (fn && !ts.isFunctionLike(fn)) fn = fn.parent;
  if (!fn) return false;
  const re = rules().signedIn;
  let found = false;
  const visit = (x: ts.Node): void => {
    if (found) return;
    if ((ts.isPropertyAccessExpression(x) || ts.isCallExpression(x)) && re.test(flat(x))) found = true;
    else ts.forEachChild(x, visit);
  };
  visit(fn);
  return found;
}

/** The text of an expression with its spaces removed, as the vocabulary matches it. */
function flat(x: ts.Node): string {
  return x.getText().replace(/\s+/g, '');
}

/**
 * Is the record this write changes one the request names: loaded by a lookup whose filter takes a
 * value the client sent, and no value of who is signed in?
 */
export function recordChosenByRequest(
  e: Effect,
  values: ValueResolver,
  throughRecords = false,
  /** The calls the write was reached through, along every way to it: a helper's parameter is what they pass. */
  sites: readonly ts.CallExpression[] = [],
): boolean {
  const w = whoseRecord(e, values, throughRecords, sites);
  return !!w && ((w.payload && !w.signedIn) || w.chosenAtSite);
}

/**
 * Is the record this write changes the caller's own: found by a lookup whose filter takes who is signed in
 * (`UserBalance.updateOne({ userId: req.user.id, asset })`) and nothing the client chose the record by?
 */
export function recordOfSignedIn(e: Effect, values: ValueResolver, sites: readonly ts.CallExpression[] = []): boolean {
  const w = whoseRecord(e, values, false, sites);
  return !!w && w.everySignedIn && !w.chosenAtSite;
}

/** What the filters of the lookup behind a write read: the request's payload, who is signed in, or a helper's caller's payload. */
function whoseRecord(
  e: Effect,
  values: ValueResolver,
  throughRecords: boolean,
  sites: readonly ts.CallExpression[],
): { payload: boolean; signedIn: boolean; chosenAtSite: boolean; everySignedIn: boolean } | undefined {
  const call = e.node;
  if (!ts.isCallExpression(call)) return undefined;
  const filters = lookupFilters(call, values, sites);
  if (!filters.length) return undefined;
  const r = rules();
  let payload = false;
  let signedIn = false;
  let chosenAtSite = false;
  const seen = new Set<ts.Node>();
  // the key as the client sent it, through locals, destructuring and conversions (`Number(id)`,
  // `email.trim()`); a value another lookup returned (`tx.userId` of a payment found by its reference)
  // is the server's, whatever the request used to find it
  // `ownId`: the value is the id of a record a lookup returned (`const { _id } = await Account.findOne({ _id: id })`):
  // that record is the one its lookup's key names, whoever's endpoint it is
  const go = (n: ts.Node, depth: number, ownId = false): void => {
    if (signedIn || depth > 10 || seen.has(n)) return;
    seen.add(n);
    const x = ts.isExpression(n) ? skipOuter(n) : n;
    if (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x) || ts.isCallExpression(x)) {
      const text = flat(x);
      if (r.signedIn.test(text) || sessionReadCall(x)) {
        signedIn = true;
        return;
      }
      if (r.requestPayload.test(text) || resolverInputRead(x)) {
        payload = true;
        return;
      }
    }
    if (ts.isIdentifier(x)) {
      const d = findDeclaration(x);
      if (d && ts.isVariableDeclaration(d) && d.initializer) go(d.initializer, depth + 1, ownId);
      else if (d && ts.isBindingElement(d)) {
        const { root, path } = bindingPath(d);
        // `const { input } = opts` in a tRPC resolver: what the client sent
        const init =
          root && ts.isVariableDeclaration(root) && root.initializer ? skipOuter(root.initializer) : undefined;
        const initParam = init && ts.isIdentifier(init) ? findDeclaration(init) : undefined;
        if (path[0] === 'input' && initParam && ts.isParameter(initParam) && resolverParameter(initParam)) {
          payload = true;
          return;
        }
        if (root && ts.isVariableDeclaration(root) && root.initializer)
          go(root.initializer, depth + 1, path.length === 1 && OWN_ID.test(path[0]) && !readsSession(root));
        else if (root && ts.isParameter(root) && path[0] === 'input' && resolverParameter(root)) {
          // a tRPC procedure's `input` (`.mutation(async ({ input, ctx }) => …)`): what the client sent
          payload = true;
          return;
        } else if (root && ts.isParameter(root)) {
          // `addCredit({ userId })` called with `{ userId: row.userId }`: the property the binding takes
          const name = ts.isIdentifier(d.name) ? (d.propertyName ? propertyNameText(d.propertyName) : d.name.text) : '';
          for (const arg of passedFor(root, sites, values)) {
            const held = name ? memberGiven(arg, name) : undefined;
            if (held) for (const m of held) go(m, depth + 1);
            else go(skipOuter(arg), depth + 1);
          }
        }
      } else if (d && ts.isParameter(d)) {
        // a helper's parameter (`addBalance(amount, currency, userId)`): what the calls the write came through pass,
        // each call on its own (one crediting the caller does not make another's account the caller's)
        for (const arg of passedFor(d, sites, values)) {
          const [wasPayload, wasSignedIn]: [boolean, boolean] = [payload, signedIn];
          payload = false;
          signedIn = false;
          go(arg, depth + 1);
          if (payload && !signedIn) chosenAtSite = true;
          payload = wasPayload;
          signedIn = wasSignedIn;
        }
      }
      return;
    }
    if (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x))
      return go(
        x.expression,
        depth + 1,
        ts.isPropertyAccessExpression(x) && OWN_ID.test(x.name.text) && !readsSession(x),
      );
    if (ts.isAwaitExpression(x)) return go(x.expression, depth + 1, ownId);
    if (ts.isCallExpression(x)) {
      const callee = skipOuter(x.expression);
      const name = ts.isIdentifier(callee)
        ? callee.text
        : ts.isPropertyAccessExpression(callee)
          ? callee.name.text
          : '';
      // (on an administrator's endpoint: a record found by what the request sends, and what it names)
      // (a finder's query refined, `findById(id).populate('user')`: still the record it finds)
      if ((throughRecords || ownId) && r.queryRefinements?.test(name) && ts.isPropertyAccessExpression(callee))
        return go(callee.expression, depth + 1, ownId);
      if ((throughRecords || ownId) && r.finders?.test(name)) {
        for (const a of x.arguments) for (const f of filterOf(a)) go(f.value, depth + 1);
        return;
      }
      // (…or by a SQL statement's WHERE clause: `prepare('SELECT … WHERE id = ?').bind(c.req.param('id')).first()`,
      // or a query builder's: `db.select().from(requests).where(eq(requests.id, requestId))`)
      if (throughRecords) {
        const keys = [...sqlKeys(x, values), ...builderConditions(x)];
        if (keys.length) {
          for (const k of keys) go(k.value, depth + 1);
          return;
        }
      }
      // (a lookup run through a project's retry or transaction wrapper, `withRetry(() => prisma.member.findUnique(…))`:
      // the record the callback's lookup finds)
      if (throughRecords || ownId) {
        const inner = x.arguments.map(skipOuter).find(ts.isArrowFunction);
        const body = inner && !ts.isBlock(inner.body) ? skipOuter(inner.body) : undefined;
        if (body && ts.isCallExpression(body)) return go(body, depth + 1, ownId);
      }
      if (!r.conversions.test(name)) return;
      if (ts.isPropertyAccessExpression(callee)) go(callee.expression, depth + 1);
      for (const a of x.arguments) go(a, depth + 1);
      return;
    }
    if (ts.isBinaryExpression(x) || ts.isConditionalExpression(x) || ts.isTemplateExpression(x))
      ts.forEachChild(x, (c) => go(c, depth + 1));
  };
  // (each key on its own: `{ userId: recipient.id, orgId: req.user.orgId }` is the caller's organisation, not the caller)
  let everySignedIn = true;
  let anySignedIn = false;
  let anyPayload = false;
  // (only the keys that say whose record it is must be the caller's: `assetId: from` picks one of the caller's rows)
  let people = 0;
  const around = enclosingFunction(call);
  // (a check before the write: one after it refuses nothing the write did)
  const caches = values.session.get(CHECKS);
  const checked = ownerCheckedKeys(around, caches.owner);
  const ownNames = around ? directlyCompared(around, caches.compared) : new Set<string>();
  for (const f of filters) {
    signedIn = false;
    payload = false;
    seen.clear();
    go(f.value, 0);
    // (a key whose record the handler refused unless it is the caller's: the caller's own)
    // (…or a value it refuses unless it is the caller's: `if (input.userId !== ctx.user.id) throw`)
    const text = flat(skipOuter(f.value));
    const checkedAt = checked.get(text);
    if (
      payload &&
      !signedIn &&
      ((checkedAt !== undefined && checkedAt <= call.getStart()) || ownNames.has(norm(text.split('.').pop() ?? text)))
    ) {
      payload = false;
      signedIn = true;
    }
    if (!f.key || PERSON_FILTER.test(f.key)) {
      people++;
      everySignedIn &&= signedIn;
    }
    anySignedIn ||= signedIn;
    anyPayload ||= payload;
  }
  everySignedIn &&= people > 0;
  return { payload: anyPayload, signedIn: anySignedIn, chosenAtSite, everySignedIn };
}

/**
 * The first parameter of a tRPC procedure's resolver (`.mutation(async ({ input, ctx }) => …)`, `.query(opts => …)`;
 * v9: the `resolve` of the options, `.mutation('name', { input, resolve({ input }) { … } })`).
 */
function resolverParameter(p: ts.ParameterDeclaration): boolean {
  const fn = p.parent;
  if (fn.parameters[0] !== p) return false;
  let n: ts.Node = fn;
  while (n.parent && ts.isParenthesizedExpression(n.parent)) n = n.parent;
  // (v9: the options object's `resolve`, a method or a property)
  if (
    (ts.isMethodDeclaration(fn) && fn.name.getText() === 'resolve') ||
    (ts.isPropertyAssignment(n.parent) && n.parent.name.getText() === 'resolve' && n.parent.initializer === n)
  ) {
    n = ts.isMethodDeclaration(fn) ? fn.parent : n.parent.parent;
    if (!ts.isObjectLiteralExpression(n)) return false;
  }
  const call = n.parent;
  if (!call || !ts.isCallExpression(call) || !call.arguments.includes(n as ts.Expression)) return false;
  const callee = skipOuter(call.expression);
  return ts.isPropertyAccessExpression(callee) && RESOLVERS.test(callee.name.text);
}

/** `opts.input.saleId`: a member of the input a tRPC resolver's parameter carries. */
function resolverInputRead(x: ts.Expression): boolean {
  let e: ts.Expression = x;
  let first: string | undefined;
  while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
    if (ts.isPropertyAccessExpression(e)) first = e.name.text;
    e = skipOuter(e.expression);
  }
  if (first !== 'input' || !ts.isIdentifier(e)) return false;
  const d = findDeclaration(e);
  return !!d && ts.isParameter(d) && resolverParameter(d);
}

const RESOLVERS = /^(mutation|query|subscription)$/;

/**
 * What an object handed to a helper gives one of its members: the member's value, or, where the object spreads
 * another in (`{ ...input, userId }`), that other object (the member may come from it). Through a local holding
 * the object (`const full = { ...input, userId }`). Undefined when the argument is no object written in place.
 */
function memberGiven(arg: ts.Expression, name: string): ts.Expression[] | undefined {
  let obj = skipOuter(arg);
  if (ts.isIdentifier(obj)) {
    const d = findDeclaration(obj);
    const init = d && ts.isVariableDeclaration(d) && d.initializer ? skipOuter(d.initializer) : undefined;
    if (init && ts.isObjectLiteralExpression(init)) obj = init;
  }
  if (!ts.isObjectLiteralExpression(obj)) return undefined;
  const out: ts.Expression[] = [];
  for (const p of obj.properties) {
    if (ts.isSpreadAssignment(p)) out.push(p.expression);
    else if (ts.isPropertyAssignment(p) && propertyNameText(p.name) === name) out.push(p.initializer);
    else if (ts.isShorthandPropertyAssignment(p) && p.name.text === name) out.push(p.name);
  }
  return out;
}

/** The arguments the calls of the parameter's function among `sites` pass for it. */
function passedFor(
  param: ts.ParameterDeclaration,
  sites: readonly ts.CallExpression[],
  values: ValueResolver,
): ts.Expression[] {
  const fn = param.parent;
  const index = fn.parameters.indexOf(param);
  return sites.flatMap((c) => {
    // (a bound function's given arguments come first: `setStatus.bind(null, User)` called with `(id, data)`)
    const v = values.resolve(c.expression).find((x) => x.kind === 'function' && x.node === fn);
    const arg = v && callArguments(v, c)[index];
    return arg ? [arg] : [];
  });
}

/**
 * Is the endpoint an administrator's: by its path, by a middleware of its chain that keeps it to
 * administrators (`isAdmin`), or by its handler turning away whoever is not one (`if (user.role !==
 * UserRole.ADMIN) return res.status(403)…`)?
 */
export function administrative(
  path: string | undefined,
  chain: readonly { name: string; expr?: ts.Expression }[],
  handler?: ts.Node,
): boolean {
  if (adminPath(path)) return true;
  return chain.some(adminGate) || (!!handler && refusesNonAdmins(handler));
}

/** A middleware named for administrators (`isAdmin`, `requireSuperAdmin`), or a role gate given only their roles. */
function adminGate(link: { name: string; expr?: ts.Expression }): boolean {
  const { adminGates, adminRoleGates, adminRoleValues } = rules();
  const x = link.expr && skipOuter(link.expr);
  const callee = x && ts.isCallExpression(x) ? x.expression : x;
  const name = callee
    ? ts.isPropertyAccessExpression(callee)
      ? callee.name.text
      : callee.getText()
    : link.name.replace(/\(.*$/s, '');
  if (adminGates?.test(name)) return true;
  // a procedure builder kept to administrators, extended on the route (`adminProcedure.use(timing)`): the link's
  // name says which builder, whatever its expression is (the builder's own middleware)
  if (/^\w+\.use\(/.test(link.name) && adminGates?.test(link.name.replace(/[.(].*$/s, ''))) return true;
  if (!x || !ts.isCallExpression(x) || !adminRoleGates?.test(name) || !adminRoleValues) return false;
  // `requireRole('admin')`, `authorize(['admin', 'superadmin'])`: every role given is an administrator's
  const roles = x.arguments.flatMap((a) => {
    const v = skipOuter(a);
    return ts.isArrayLiteralExpression(v) ? v.elements.map((e) => skipOuter(e)) : [v];
  });
  return (
    roles.length > 0 &&
    roles.every((r) => {
      const text = ts.isStringLiteralLike(r) ? r.text : ts.isPropertyAccessExpression(r) ? r.name.text : '';
      return adminRoleValues.test(text);
    })
  );
}

/** An `if` that turns away whoever is not an administrator and ends the request there (`return 403`, `throw`). */
function refusesNonAdmins(fn: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIfStatement(n) && notAdmin(n.expression) && exits(n.thenStatement)) found = true;
    else if (!ts.isFunctionLike(n) || n === fn) ts.forEachChild(n, visit);
  };
  visit(fn);
  return found;
}

/**
 * A condition true for whoever is not an administrator: `role !== 'admin'`, `user.role !== UserRole.ADMIN`,
 * `!isAdmin`, `!user.isAdmin`, `!isAdmin(user)`, or one of them `||` another condition.
 */
function notAdmin(cond: ts.Expression): boolean {
  const { adminRoleValues } = rules();
  const x = skipOuter(cond);
  const lastName = (e: ts.Expression): string => {
    const y = skipOuter(e);
    const z = ts.isCallExpression(y) ? skipOuter(y.expression) : y;
    return ts.isIdentifier(z) ? z.text : ts.isPropertyAccessExpression(z) ? z.name.text : '';
  };
  if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.ExclamationToken)
    return /^(is_?|has_?)?(super_?)?admin(istrator)?(_?role)?$/i.test(lastName(x.operand));
  if (ts.isBinaryExpression(x)) {
    const op = x.operatorToken.kind;
    if (op === ts.SyntaxKind.BarBarToken) return notAdmin(x.left) || notAdmin(x.right);
    if (op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken) {
      const value = (e: ts.Expression): string => {
        const y = skipOuter(e);
        return ts.isStringLiteralLike(y) ? y.text : ts.isPropertyAccessExpression(y) ? y.name.text : '';
      };
      const roleSide = (e: ts.Expression): boolean => /(role|type|kind|level)$/i.test(lastName(e));
      return (
        !!adminRoleValues &&
        ((roleSide(x.left) && adminRoleValues.test(value(x.right))) ||
          (roleSide(x.right) && adminRoleValues.test(value(x.left))))
      );
    }
  }
  return false;
}

/** Is the endpoint an administrator's, by a segment of its path (`/api/admin/payments/:id`)? */
export function adminPath(path: string | undefined): boolean {
  return (path ?? '').split('/').some(
    // (a segment or any of its parts: `admin-panel`, `super-admin`)
    (s) =>
      rules().adminSegments.has(s.toLowerCase()) ||
      s
        .toLowerCase()
        .split(/[-_.]/)
        .some((w) => rules().adminSegments.has(w)),
  );
}

/** Static writes whose first argument is the filter (Mongoose). */
const FILTER_FIRST = /^(updateOne|updateMany|findOneAndUpdate|replaceOne)$/;

/** A value a lookup's filter compares an account key with, and the key where the filter names it (`{ userId: x }`). */
interface Filter {
  value: ts.Expression;
  key?: string;
}

/** The filters of the lookups the written record came from (`record.save()`), or of the write itself (`Model.updateOne(filter, …)`). */
function lookupFilters(
  call: ts.CallExpression,
  values: ValueResolver,
  sites: readonly ts.CallExpression[] = [],
): Filter[] {
  // a SQL statement: the values its WHERE clause compares account keys with
  const sql = sqlKeys(call, values);
  if (sql.length) return sql;
  // a query builder's condition chained on the write (`tx.update(wallets).set(…).where(eq(wallets.tenantId, id))`)
  const chained = chainFilters(call);
  if (chained.length) return chained;
  // a Firestore document (`db.collection('users').doc(uid).update(…)`): its key
  const doc = documentKey(call);
  if (doc) return [{ value: doc }];
  const callee = skipOuter(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return [];
  const recv = skipOuter(callee.expression);
  // `Model.updateOne(filter, data)`, `prisma.wallet.update({ where, data })`
  if (call.arguments.length >= 1 && !ts.isIdentifier(recv)) return filterOf(call.arguments[0]);
  if (!ts.isIdentifier(recv)) return [];
  const out: Filter[] = [];
  for (const v of values.resolve(recv)) {
    if (v.kind !== 'call' || !ts.isCallExpression(v.node) || !v.node.arguments.length) continue;
    const finder = skipOuter(v.node.expression);
    if (!ts.isPropertyAccessExpression(finder) || !/^find/.test(finder.name.text)) continue;
    out.push(...filterOf(v.node.arguments[0]));
  }
  // a static write given an id (`Model.findByIdAndUpdate(id, …)`)
  if (!out.length && call.arguments.length >= 1 && /ById/.test(callee.name.text))
    out.push({ value: call.arguments[0] });
  // a static write given its filter: Sequelize's `Model.update(data, { where })`, Mongoose's `Model.updateOne(filter, data)`
  if (!out.length) {
    // (a generic helper's parameter, `model.update(data, query)`: what the calls it was reached through pass)
    const given = call.arguments.flatMap((a) => {
      const x = skipOuter(a);
      const d = ts.isIdentifier(x) ? findDeclaration(x) : undefined;
      return d && ts.isParameter(d) ? passedFor(d, sites, values) : [a];
    });
    const where = given.find((a) => {
      const x = skipOuter(a);
      return (
        ts.isObjectLiteralExpression(x) &&
        x.properties.some((p) => ts.isPropertyAssignment(p) && propertyNameText(p.name) === 'where')
      );
    });
    if (where) out.push(...filterOf(where));
    else if (FILTER_FIRST.test(callee.name.text) && call.arguments.length >= 2)
      out.push(...filterOf(call.arguments[0]));
  }
  return out;
}

/** The values a SQL statement's WHERE clause compares account keys with (`WHERE id = ?` bound to `row.user_id`). */
function sqlKeys(call: ts.CallExpression, values: ValueResolver): Filter[] {
  return whereParams(call, values)
    .filter((p) => rules().accountKeys.test(p.column))
    .map((p) => ({ value: p.value }));
}

/** The values a filter compares account keys with: `{ where: { id } }` → id, `{ number: x }` → x, an id given alone. */
/**
 * The account keys a builder's `.where(…)` chained on the write compares (`eq(t.tenantId, tenantId)` inside
 * `and(…)`, knex's `.where('user_id', id)`, `.where({ id })`): each with the value it is compared with.
 */
function chainFilters(call: ts.CallExpression): Filter[] {
  let n: ts.Node = call;
  while (
    n.parent &&
    ((ts.isPropertyAccessExpression(n.parent) && n.parent.expression === n) ||
      (ts.isCallExpression(n.parent) && n.parent.expression === n))
  )
    n = n.parent;
  return ts.isCallExpression(n) ? builderConditions(n) : [];
}

/** The account keys compared by the `.where(…)` calls of a builder chain that ends in `top` (a lookup or a write). */
function builderConditions(top: ts.CallExpression): Filter[] {
  const out: Filter[] = [];
  const column = (x: ts.Expression): string | undefined => {
    const y = skipOuter(x);
    const name = ts.isPropertyAccessExpression(y) ? y.name.text : ts.isStringLiteralLike(y) ? y.text : undefined;
    return name && rules().accountKeys.test(name) ? name : undefined;
  };
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && calleeName(n) === 'eq' && n.arguments.length === 2) {
      const [a, b] = n.arguments;
      const key = column(a) ?? column(b);
      if (key) out.push({ value: column(a) ? b : a, key });
      return;
    }
    if (!ts.isFunctionLike(n)) n.forEachChild(visit);
  };
  for (let n: ts.Expression = top; ts.isCallExpression(n) || ts.isPropertyAccessExpression(n); n = n.expression) {
    if (!ts.isCallExpression(n) || !ts.isPropertyAccessExpression(n.expression)) continue;
    if (!/^(where|andWhere)$/.test(n.expression.name.text)) continue;
    const [first, second, third] = n.arguments;
    const key = first && ts.isStringLiteralLike(skipOuter(first)) ? column(first) : undefined;
    const compared = third ?? second;
    if (key && compared) out.push({ value: compared, key });
    else if (first && ts.isObjectLiteralExpression(skipOuter(first)))
      out.push(...keyValues(skipOuter(first) as ts.ObjectLiteralExpression));
    else for (const a of n.arguments) visit(a);
  }
  return out;
}

function filterOf(arg: ts.Expression): Filter[] {
  const x = skipOuter(arg);
  if (!ts.isObjectLiteralExpression(x)) return [{ value: x }];
  const where = x.properties.find(
    (p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && propertyNameText(p.name) === 'where',
  );
  const obj = where ? skipOuter(where.initializer) : x;
  if (!ts.isObjectLiteralExpression(obj)) return [{ value: obj }];
  return keyValues(obj);
}

/** A filter key that names whose record it is (a person or their account), not which of their records. */
const PERSON_FILTER =
  /^(_?id|uid|user|owner|member|account|customer|profile|player|person|recipient|receiver|sender|payee|holder|client)(_?(id|uuid|key))?$|(user|owner|member|account|customer|profile|player|person|recipient|receiver|holder)_?(id|uuid)$/i;

/** The values an object of filter keys gives account keys, a compound key's parts included (`userId_symbol: { userId, symbol }`). */
function keyValues(obj: ts.ObjectLiteralExpression): Filter[] {
  return obj.properties.flatMap((p) => {
    const key = p.name ? propertyNameText(p.name) : undefined;
    if (key && /^[a-z]\w*_\w+$/i.test(key) && ts.isPropertyAssignment(p)) {
      const inner = skipOuter(p.initializer);
      if (ts.isObjectLiteralExpression(inner)) return keyValues(inner);
    }
    if (!key || !rules().accountKeys.test(key)) return [];
    const value = ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : undefined;
    return value ? [{ value, key }] : [];
  });
}

/**
 * The inequalities with who is signed in that a function makes (`existing.userId !== ctx.user.id`,
 * `userId != req.user.id`), each with its other side; `nested`: also those of the functions inside it.
 */
function signedInInequalities(fn: ts.Node, nested: boolean): { cmp: ts.BinaryExpression; other: ts.Expression }[] {
  const out: { cmp: ts.BinaryExpression; other: ts.Expression }[] = [];
  const signed = (x: ts.Expression): boolean => rules().signedIn.test(flat(x));
  const visit = (n: ts.Node): void => {
    if (
      ts.isBinaryExpression(n) &&
      (n.operatorToken.kind === ts.SyntaxKind.ExclamationEqualsEqualsToken ||
        n.operatorToken.kind === ts.SyntaxKind.ExclamationEqualsToken)
    ) {
      const [l, r] = [skipOuter(n.left), skipOuter(n.right)];
      const other = signed(l) ? r : signed(r) ? l : undefined;
      if (other) out.push({ cmp: n, other });
    }
    if (nested || !ts.isFunctionLike(n) || n === fn) ts.forEachChild(n, visit);
  };
  visit(fn);
  return out;
}

/** The last name of a compared value (`userId`, `input.userId`), normalised. */
function comparedName(x: ts.Expression): string | undefined {
  const name = ts.isIdentifier(x) ? x.text : ts.isPropertyAccessExpression(x) ? x.name.text : undefined;
  return name && norm(name);
}

/**
 * The keys of lookups whose record the function around `at` refuses unless it is the caller's
 * (`const existing = await findUnique({ where: { id: input.id } }); if (existing.userId !== ctx.user.id) throw`):
 * a write by the same key (`update({ where: { id: input.id } })`) changes the caller's own record. As text.
 */
function ownerCheckedKeys(fn: ts.Node | undefined, cache?: WeakMap<ts.Node, Map<string, number>>): Map<string, number> {
  if (!fn) return new Map();
  const known = cache?.get(fn);
  if (known) return known;
  const out = new Map<string, number>();
  cache?.set(fn, out);
  for (const { cmp, other } of signedInInequalities(fn, false)) {
    const rec = ts.isPropertyAccessExpression(other) ? skipOuter(other.expression) : undefined;
    const d = rec && ts.isIdentifier(rec) ? findDeclaration(rec) : undefined;
    let init = d && ts.isVariableDeclaration(d) && d.initializer ? skipOuter(d.initializer) : undefined;
    if (init && ts.isAwaitExpression(init)) init = skipOuter(init.expression);
    if (!init || !ts.isCallExpression(init) || !rules().finders?.test(calleeName(init)) || !refuses(cmp)) continue;
    for (const a of init.arguments)
      for (const f of filterOf(a)) {
        const text = flat(skipOuter(f.value));
        if (!out.has(text) || out.get(text)! > cmp.getEnd()) out.set(text, cmp.getEnd());
      }
  }
  return out;
}

/** Per function, computed once a scan (each write of a handler asks; the rules read may differ between scans). */
const CHECKS = memo('chosenRecord.checks', () => ({
  owner: new WeakMap<ts.Node, Map<string, number>>(),
  compared: new WeakMap<ts.Node, Set<string>>(),
}));

/**
 * Is the comparison, alone or beside other refusals (`||`), the condition of an `if` that refuses the request
 * (a throw, or a return of a 4xx)? Beside a bypass (`role !== 'admin' && …`) it refuses only some callers.
 */
function refuses(cmp: ts.Node): boolean {
  let n: ts.Node = cmp;
  while (
    n.parent &&
    ((ts.isBinaryExpression(n.parent) && n.parent.operatorToken.kind === ts.SyntaxKind.BarBarToken) ||
      ts.isParenthesizedExpression(n.parent))
  )
    n = n.parent;
  if (!n.parent || !ts.isIfStatement(n.parent) || n.parent.expression !== n || !exits(n.parent.thenStatement))
    return false;
  return REFUSAL.test(n.parent.thenStatement.getText());
}

/** A refusal's text: a throw, a 4xx status, or a refusal named (`forbidden()`, `notFound`). */
const REFUSAL = /\bthrow\b|\b4\d\d\b|forbidden|unauthori[sz]ed|not_?found|notfound|denied/i;

/**
 * Values the function refuses unless they equal who is signed in (`if (input.userId !== ctx.user.id) throw`), by
 * their last name; only a refusal of its own, not one beside a bypass (`!input.force && …`).
 */
function directlyCompared(fn: ts.Node, cache?: WeakMap<ts.Node, Set<string>>): Set<string> {
  const known = cache?.get(fn);
  if (known) return known;
  const out = new Set<string>();
  cache?.set(fn, out);
  for (const { cmp, other } of signedInInequalities(fn, false)) {
    const name = refuses(cmp) ? comparedName(other) : undefined;
    if (name) out.add(name);
  }
  return out;
}

/**
 * Names the handler requires to equal who is signed in (`if (userId !== req.user.id) return 403`): a
 * request value so checked names the caller's own record.
 */
export function comparedWithSignedIn(fn: ts.Node): Set<string> {
  // (and the request's own values a record was looked up by that the handler refuses unless it is the caller's:
  // `req.params.id` names the path's `:id`)
  const out = new Set<string>(
    [...ownerCheckedKeys(fn).keys()]
      .filter((k) => rules().requestPayload.test(k))
      .map((k) => norm(k.split('.').pop() ?? k)),
  );
  // (an inequality, the refusal of anyone else: `if (userId !== req.user.id) return 403`; an equality may as well be
  // the refusal of oneself, an admin kept from crediting their own account)
  for (const { other } of signedInInequalities(fn, true)) {
    const name = comparedName(other);
    if (name) out.add(name);
  }
  return out;
}

/**
 * Was the record this write changes found by one of these keys (`findFirst({ where: { code } })`, then
 * `delete({ where: { id: found.id } })`, or `deleteMany({ where: { code } })` itself)? Keys compared with
 * a value that is not a constant: what a client presented, not what the server chose.
 */
export function foundByKey(call: ts.CallExpression, keyRe: RegExp, values: ValueResolver): boolean {
  const callee = skipOuter(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return false;
  const recv = skipOuter(callee.expression);
  const whereOf = (arg: ts.Expression | undefined): ts.ObjectLiteralExpression | undefined => {
    const x = arg && skipOuter(arg);
    if (!x || !ts.isObjectLiteralExpression(x)) return undefined;
    const where = x.properties.find(
      (p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && propertyNameText(p.name) === 'where',
    );
    const obj = where ? skipOuter(where.initializer) : x;
    return ts.isObjectLiteralExpression(obj) ? obj : undefined;
  };
  // the record the write is on, as its call names it (`db.twoFactorAuth` in `db.twoFactorAuth.delete(…)`)
  const table = (x: ts.Expression): string => {
    const r = skipOuter(x);
    return ts.isPropertyAccessExpression(r) ? r.name.text : ts.isIdentifier(r) ? r.text : '';
  };
  const own = table(recv);
  // the lookups a local holds (`const found = await db.code.findFirst(…)`), on the written record's own table
  // (a session found by its token names the caller, not a code spent)
  const lookups = (id: ts.Identifier, sameTable: boolean): ts.ObjectLiteralExpression[] =>
    values.resolve(id).flatMap((v) => {
      if (v.kind !== 'call' || !ts.isCallExpression(v.node)) return [];
      const finder = skipOuter(v.node.expression);
      if (!ts.isPropertyAccessExpression(finder) || !/^find/.test(finder.name.text)) return [];
      if (sameTable && table(finder.expression) !== own) return [];
      const w = whereOf(v.node.arguments[0]);
      return w ? [w] : [];
    });
  const byKey = (where: ts.ObjectLiteralExpression): boolean =>
    where.properties.some((p) => {
      const key = p.name ? propertyNameText(p.name) : undefined;
      if (!key || !keyRe.test(norm(key))) return false;
      if (ts.isShorthandPropertyAssignment(p)) return true;
      return ts.isPropertyAssignment(p) && !ts.isLiteralExpression(skipOuter(p.initializer));
    });
  const wheres: ts.ObjectLiteralExpression[] = [];
  if (ts.isIdentifier(recv) && values.resolve(recv).some((v) => v.kind === 'call'))
    wheres.push(...lookups(recv, false));
  const filter = whereOf(call.arguments[0]);
  if (filter) {
    wheres.push(filter);
    // `{ where: { id: found.id } }`: the very record a lookup of the same table found
    for (const p of filter.properties) {
      if (!ts.isPropertyAssignment(p) || !/^_?id$/.test(propertyNameText(p.name) ?? '')) continue;
      const v = skipOuter(p.initializer);
      if (ts.isPropertyAccessExpression(v) && /^_?id$/.test(v.name.text) && ts.isIdentifier(skipOuter(v.expression)))
        wheres.push(...lookups(skipOuter(v.expression) as ts.Identifier, true));
    }
  }
  return wheres.some(byKey);
}
