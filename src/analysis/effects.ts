// Side effects a function performs, directly or through project functions it calls: database
// writes (ORM delegates, models, repositories, query builders, SQL text), payment SDK calls,
// state-changing outgoing requests, identity-provider admin calls and secret minting. Shapes
// come from rules/effects.json. Summaries are computed once per function.
import { ts } from 'ts-morph';
import { collectionOf, collectionWrite, jsonFileCollection } from './kv.js';
import type { FunctionNode } from '../model.js';
import { compiled, ruleFile } from '../rules/load.js';
import type { EffectRules } from '../rules/types.js';
import { memo } from '../memo.js';
import { externalName } from './unwrap.js';
import { insertParams, setParams, whereParams } from './sql-params.js';
import { evalString, evalStrings } from './strings.js';
import { walkDataPath } from './datapath.js';
import { allowListedKeys, bodyReadCall, parsedKeys, schemaKeys } from './body.js';
import { bindingPath, findDeclaration, localUses } from './scope.js';
import {
  accessName,
  callArguments,
  calleeName,
  enclosingFunction,
  isFunctionNode,
  isModelCall,
  lastName,
  objectOf,
  propertyNameText,
  returnExpressions,
  skipOuter,
  type Value,
  type ValueResolver,
} from './values.js';
import { forEachNode } from './walk.js';
import { storedFunction } from './sql-functions.js';
import { shortText } from '../util.js';

export type EffectKind = 'db-write' | 'sql-write' | 'payment' | 'http' | 'identity' | 'mint' | 'call';

export interface Effect {
  kind: EffectKind;
  /** The call in the analysed function (for `call` effects: the call into the project function). */
  node: ts.CallExpression | ts.TaggedTemplateExpression;
  /** Normalised model / table / SDK resource (`transfer`, `apikey`, `payouts`). */
  model?: string;
  /** create, update, delete, … */
  action?: string;
  /** Keys written (`data: { role }` → role). */
  dataKeys: string[];
  /** Numeric keys the write decreases (a balance debit). */
  debits?: string[];
  /** Numeric keys the write increases by an amount (a balance credit): `balance: bal + amount`, `{ increment: n }`. */
  credits?: string[];
  /** The amount each debited or credited key moves by, where it can be read (`amountText`). */
  amounts?: Record<string, string>;
  /** Part of what is written cannot be listed (the request body passed whole). */
  opaqueData?: boolean;
  /** The request body itself is written, unvalidated (`User.findByIdAndUpdate(id, req.body)`): any column it names. */
  rawBody?: boolean;
  /** An object inside the request body is written whole (`{ ...req.body.userData }`): any column it names, whatever the body's top-level fields are. */
  rawBodyPart?: boolean;
  /** Keys written with a constant string value. */
  constants?: Record<string, string>;
  /** Columns a statement's WHERE clause compares with a constant: which rows it changes (`type = 'set_password'`). */
  filters?: Record<string, string>;
  /** Keys the opaque data is known not to hold (taken out beside a rest element). */
  notKeys?: string[];
  /** Keys an upsert writes only when it creates the record (`create: { ownerId }`, `$setOnInsert`). */
  insertOnly?: string[];
  /** Writes nested in this one's data (Prisma relation writes), on their own models. */
  nested?: Effect[];
  /** A nested create made together with the record that owns it (the creator's membership of a new workspace). */
  withParentCreate?: boolean;
  /** For a nested write: the model of the record whose data holds it (`user` of `user.create({ profile: { create } })`). */
  parentModel?: string;
  /** A sub-document of a saved record's list (`user.wallets.push({ … })`): its own assets count, its name corroborates no word. */
  subDocument?: boolean;
  /** Display text of the callee, e.g. `prisma.transfer.create`. */
  callee: string;
  /** Outgoing requests: the path of the URL asked for, a value not known written `:` (`/transfer`, `/v1/payouts/:`). */
  target?: string;
  /** Identity calls: the category of what they change. */
  category?: string;
  /** For `call` effects: the effects inside the called function. */
  via?: Effect[];
}

interface Compiled {
  r: EffectRules;
  delegateRoots: RegExp;
  repoRoots: RegExp;
  builderRoots: RegExp;
  payRoots: RegExp;
  /** Methods that move money whatever the client (rules/effects.json payments.moveMethods). */
  moveMethods: RegExp | undefined;
  /** Contract functions that move money, named by a call's `functionName` option (payments.contractMoves). */
  contractMoves: RegExp | undefined;
  httpRoots: RegExp;
  /** Clients called with one request object naming its method (rules `http.configCalls`). */
  httpConfigCalls?: RegExp;
  sql: RegExp;
  idTargets: RegExp;
  /** Header setters and identifier headers (rules mint.identifierHeaders). */
  idHeaders?: { setters: RegExp; names: RegExp };
  /** Method names of a write, in a function named like a minting call (rules `mint.writeMethods`). */
  mintWrites?: RegExp;
  identity: { re: RegExp; category: string; keys?: string[]; keyRe?: RegExp; metadata: boolean; modules?: string[] }[];
  /** Any of the identity patterns (undefined where one cannot be joined): most calls match none. */
  identityAny?: RegExp;
  identityNested: RegExp;
  /** What an imported module's text must contain to be worth parsing for writes. */
  lookAhead: RegExp;
  /** Parameter methods worth a second walk with the caller's arguments bound. */
  throughParams: RegExp;
  /** Calls that register a callback instead of running it. */
  registration: RegExp;
  /** Models of the step-up flow itself (challenges, codes). */
  machinery: RegExp;
  /** Recovery-code keys a check spends by writing them back from their own stored value. */
  spentCodeKeys: RegExp | undefined;
  /** Recovery codes kept as rows, and the keys that mark one spent (rules `stepUpMachinery.spentCodeRows`). */
  spentCodeRows: { models: RegExp; keys: RegExp } | undefined;
  /** Keys of a failed check counted or a lock set (rules `stepUpMachinery.attemptKeys`). */
  attemptKeys: RegExp | undefined;
  /** Keys whose writes are bookkeeping (last use, counters). */
  bookkeeping: Set<string>;
  updateActions: RegExp;
  deleteActions: RegExp;
  tableDefinitions: RegExp | undefined;
  modelSuffix: RegExp | undefined;
  /** Entity query builders (`orm.queryBuilder`): the call that starts one, and the verbs that write. */
  queryBuilder: { starts: RegExp; verbs: RegExp; entityCalls: string[] } | undefined;
}

/**
 * One expression matching wherever any of `patterns` matches (each without flags); undefined when one
 * refers to its own groups (a back-reference, a named group), which joining would renumber.
 */
function anyOf(patterns: readonly string[]): RegExp | undefined {
  if (!patterns.length || patterns.some((p) => /\\[1-9k]|\(\?<[A-Za-z]/.test(p))) return undefined;
  return new RegExp(patterns.map((p) => `(?:${p})`).join('|'));
}

const rules = compiled<Compiled>(() => {
  const r = ruleFile('effects');
  return {
    r,
    delegateRoots: new RegExp(r.orm.delegateRoots),
    repoRoots: new RegExp(r.orm.repoRoots),
    builderRoots: new RegExp(r.orm.builderRoots),
    payRoots: new RegExp(r.payments.roots),
    moveMethods: r.payments.moveMethods ? new RegExp(r.payments.moveMethods) : undefined,
    contractMoves: r.payments.contractMoves ? new RegExp(r.payments.contractMoves) : undefined,
    httpRoots: new RegExp(r.http.clientRoots),
    httpConfigCalls: r.http.configCalls ? new RegExp(r.http.configCalls) : undefined,
    sql: new RegExp(r.sql.write, 'i'),
    idTargets: new RegExp(r.mint.identifierTargets),
    idHeaders: r.mint.identifierHeaders
      ? {
          setters: new RegExp(r.mint.identifierHeaders.setters),
          names: new RegExp(r.mint.identifierHeaders.names, 'i'),
        }
      : undefined,
    mintWrites: r.mint.writeMethods ? new RegExp(r.mint.writeMethods) : undefined,
    identityNested: new RegExp(r.identity.nested ?? '(?!)', 'i'),
    identityAny: anyOf(r.identity.calls.map((c) => c.pattern)),
    identity: r.identity.calls.map((c) => ({
      re: new RegExp(c.pattern),
      category: c.category,
      keys: c.keys?.map((k) => k.toLowerCase()),
      keyRe: c.keyPattern ? new RegExp(c.keyPattern, 'i') : undefined,
      metadata: !!c.metadata,
      modules: c.modules,
    })),
    lookAhead: new RegExp(r.lookAheadWrites.pattern, 'i'),
    throughParams: new RegExp(r.throughParamsWrites, 'i'),
    registration: new RegExp(r.registrationCalls.pattern),
    machinery: new RegExp(r.stepUpMachinery.models, 'i'),
    spentCodeKeys: r.stepUpMachinery.spentCodeKeys ? new RegExp(r.stepUpMachinery.spentCodeKeys) : undefined,
    attemptKeys: r.stepUpMachinery.attemptKeys ? new RegExp(r.stepUpMachinery.attemptKeys) : undefined,
    spentCodeRows: r.stepUpMachinery.spentCodeRows
      ? {
          models: new RegExp(r.stepUpMachinery.spentCodeRows.models),
          keys: new RegExp(r.stepUpMachinery.spentCodeRows.keys),
        }
      : undefined,
    bookkeeping: new Set(r.bookkeepingKeys.keys),
    updateActions: new RegExp(r.orm.updateActions, 'i'),
    deleteActions: new RegExp(r.orm.deleteActions, 'i'),
    tableDefinitions: r.orm.tableDefinitions ? new RegExp(r.orm.tableDefinitions) : undefined,
    modelSuffix: r.orm.modelNameSuffix ? new RegExp(r.orm.modelNameSuffix) : undefined,
    queryBuilder: r.orm.queryBuilder
      ? {
          starts: new RegExp(r.orm.queryBuilder.starts),
          verbs: new RegExp(r.orm.queryBuilder.verbs),
          entityCalls: r.orm.queryBuilder.entityCalls,
        }
      : undefined,
  };
});

/** Compiled side-effect rules (rules/effects.json). */
export const effectRules = rules;

export function normalizeName(s: string): string {
  return s.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
}

/** A record's name without the word the code adds to its handle (`UserModel`, `usersTable`, `InviteSchema` → user, users, invite). */
export function modelName(model: string): string {
  const { modelSuffix } = rules();
  const bare = modelSuffix ? model.replace(modelSuffix, '') : model;
  return bare.length >= 3 ? bare : model;
}

/** `a.b.c` → ['a','b','c']; `this.x.y` → ['this','x','y']; undefined when the chain has a call or computed part. */
export function calleeParts(e: ts.Expression): string[] | undefined {
  const x = skipOuter(e);
  if (ts.isIdentifier(x)) return [x.text];
  if (x.kind === ts.SyntaxKind.ThisKeyword) return ['this'];
  if (ts.isPropertyAccessExpression(x)) {
    const base = calleeParts(x.expression);
    return base ? [...base, x.name.text] : undefined;
  }
  if (ts.isElementAccessExpression(x) && ts.isStringLiteralLike(x.argumentExpression)) {
    const base = calleeParts(x.expression);
    return base ? [...base, x.argumentExpression.text] : undefined;
  }
  return undefined;
}

/** `calleeParts` through argument-less getter calls in the chain: `db.prisma().user.update` → db, prisma, user, update. */
export function getterParts(e: ts.Expression): string[] | undefined {
  const x = skipOuter(e);
  if (ts.isCallExpression(x) && x.arguments.length === 0) return getterParts(x.expression);
  if (ts.isPropertyAccessExpression(x)) {
    const base = getterParts(x.expression);
    return base ? [...base, x.name.text] : undefined;
  }
  return calleeParts(x);
}

/** The collection a receiver is a handle on: it resolves to `<x>.collection('name')` (or `from`/`table`), or to a Mongoose `model('Name', schema)`. */
function collectionHandle(
  recv: ts.Expression,
  values: ValueResolver,
  tableCalls: readonly string[],
): string | undefined {
  const x = skipOuter(recv);
  if (!ts.isIdentifier(x) && !ts.isPropertyAccessExpression(x)) return undefined;
  for (const v of values.resolve(x)) {
    if (v.kind !== 'call' || !ts.isCallExpression(v.node)) continue;
    // a Mongoose model kept in a field (`this.model`, given by a subclass's `super(UserModel)`)
    if (isModelCall(v.node)) {
      const name = stringArg(v.node, values);
      if (name) return name;
      continue;
    }
    const m = methodCall(v.node);
    if (m && tableCalls.includes(m.method) && m.method !== 'doc') {
      // a helper's parameter (`getCollection('users')` → `db.collection(name)`): what that call passed
      const given = v.node.arguments[0] && siteArgument(v.node.arguments[0], v.site);
      const name =
        (given && given !== skipOuter(v.node.arguments[0]) ? evalString(given, values) : undefined) ??
        stringArg(v.node, values);
      if (name) return name;
    }
  }
  return undefined;
}

/** The method name of a call `x.m()` and its receiver. */
function methodCall(call: ts.CallExpression): { method: string; recv: ts.Expression } | undefined {
  const c = skipOuter(call.expression);
  if (ts.isPropertyAccessExpression(c)) return { method: c.name.text, recv: c.expression };
  return undefined;
}

const SKIP_KEYS = new Set([
  'where',
  'select',
  'include',
  'orderBy',
  'take',
  'skip',
  'filter',
  'options',
  'returning',
  'skipDuplicates',
  'upsert',
  'new',
  'runValidators',
  'returnDocument',
  'omit',
  'relationLoadStrategy',
]);

/** What a write writes: the keys, the numeric keys it decreases, and whether part of it could not be read. */
export interface WriteData {
  keys: string[];
  /** Keys decreased: `{ balance: { decrement: n } }`, `$inc: { balance: -n }`, `balance: w.balance - n`, `SET balance = balance - ?`. */
  debits: string[];
  /** Keys increased by an amount: `{ balance: { increment: n } }`, `balance: w.balance + n`, `SET balance = balance + ?`. */
  credits: string[];
  /** The amount each debited or credited key moves by, as written (see `amountText`), where it can be read. */
  amounts: Record<string, string>;
  /** Part of the data is a value the analysis cannot list (the request body passed whole, a parameter). */
  opaque: boolean;
  /** Keys written with a constant string (`role: 'member'`, `role: Role.ADMIN`). */
  constants: Record<string, string>;
  /** Writes nested on a relation (Prisma): the relation's name, the nested operation and its data. */
  nested: { relation: string; action: string; data: WriteData; node: ts.Node }[];
  /** Keys the opaque part is known not to hold: taken out beside a rest (`const { role, ...data } = body`). */
  excluded: string[];
  /** The opaque part is the request body itself, as the client sent it. */
  rawBody?: boolean;
  /** The opaque part is an object inside the request body (`req.body.userData`): its keys are the client's too. */
  rawBodyPart?: boolean;
  /** Keys written under an upsert's insert branch (`create`, `$setOnInsert`), as often as they were written there. */
  inserted?: string[];
  /** Paths of sub-documents written in place (`twoFactor.enabled`): a new record's are its defaults. */
  subPaths?: string[];
}

/** Keys whose value is the data a write sets (`data`, `$set`, `values`), not a column of its own. */
export const CONTAINER_KEYS = new Set([
  'data',
  '$set',
  'set',
  'values',
  'update',
  '$setOnInsert',
  'create',
  '$push',
  '$addToSet',
  '$pull',
  '$pullAll',
  '$unset',
  // an identity provider's metadata objects (Supabase, Clerk): the keys inside are what is written
  'user_metadata',
  'app_metadata',
  'publicMetadata',
  'privateMetadata',
  'public_metadata',
  'private_metadata',
]);
/**
 * A repository's `save(entity)`: a create when the entity is built here (`new User({ … })`) and no
 * finder loaded it, an update when a finder did; otherwise the method itself (both).
 */
function repoAction(call: ts.CallExpression, method: string, values: ValueResolver): string {
  const a = call.arguments[0] && skipOuter(call.arguments[0]);
  if (!/^(save|persist|persistAndFlush)$/.test(method) || !a) return method;
  // a plain object with no key (`repo.save({ workspaceId, name, owner })`) is inserted
  if (ts.isObjectLiteralExpression(a)) return keyedData(a, values) ? method : 'create';
  if (!ts.isIdentifier(a)) return method;
  if (loadedByFinder(a, values)) return 'update';
  const vals = values.resolve(a);
  // (an entity built with its key, `new User({ id, email })`, is saved over the row that has it)
  const keyed = (n: ts.Node): boolean => {
    const arg =
      (ts.isNewExpression(n) || ts.isCallExpression(n)) && n.arguments?.[0] ? skipOuter(n.arguments[0]) : undefined;
    return !!arg && (!ts.isObjectLiteralExpression(arg) || keyedData(arg));
  };
  // (`new Team(data)`, or an entity a repository's `create(data)` builds before the save inserts it)
  const built = (v: Value): boolean =>
    (v.kind === 'call' && ts.isNewExpression(v.node) && !keyed(v.node)) ||
    (v.kind === 'call' && ts.isCallExpression(v.node) && methodCall(v.node)?.method === 'create' && !keyed(v.node)) ||
    (v.kind === 'instance' && !!v.site && !keyed(v.site));
  // (…unless a key is assigned to it before the save: `user.id = req.user.id`)
  return vals.length && vals.every(built) && !assignsKey(a) ? 'create' : method;
}

/** Is a key assigned to a local's object after it is made (`user.id = req.user.id`)? */
function assignsKey(id: ts.Identifier): boolean {
  return fieldAssignments(id).keys.some((k) => ROW_KEY.test(k));
}

/** The names a row's own key goes by. */
const ROW_KEY = /^(_?id|uuid|key)$/i;

/** Does an entity's data carry what finds an existing row: its key, a spread, or a value the request's path names? */
function keyedData(arg: ts.ObjectLiteralExpression, values?: ValueResolver, depth = 0): boolean {
  // (a spread of a local object literal with no key, `{ ...newUser }`, carries no key either)
  const spreadKeyed = (e: ts.Expression): boolean => {
    if (!values || depth > 2) return true;
    // (a key assigned to the local afterwards, `changes.id = req.user.id`, finds the row)
    const x = skipOuter(e);
    if (ts.isIdentifier(x) && assignsKey(x)) return true;
    const objs = values.resolve(e);
    return !objs.length || objs.some((v) => v.kind !== 'object' || keyedData(v.node, values, depth + 1));
  };
  return arg.properties.some(
    (p) =>
      (ts.isSpreadAssignment(p) && spreadKeyed(p.expression)) ||
      (!!p.name && ROW_KEY.test(propertyNameText(p.name) ?? '')) ||
      // a value the request's path names (`accountId: req.params.accountId`) is how the row is found
      (ts.isPropertyAssignment(p) && /\bparams?\b|\.param\(/.test(p.initializer.getText())),
  );
}

/** An upsert's data for the record it creates (Prisma `create`, Mongo `$setOnInsert`): not written to one it finds. */
const INSERT_CONTAINERS = new Set(['create', '$setOnInsert']);

/** The effect field for an upsert's insert-only keys, when there are any. */
function withInsertOnly(wd: WriteData): Pick<Effect, 'insertOnly'> {
  const only = insertOnlyKeys(wd);
  return only ? { insertOnly: only } : {};
}

/** Keys written only when an upsert creates the record: every write of them is in its insert branch. */
function insertOnlyKeys(wd: WriteData): string[] | undefined {
  // (an update branch the analysis cannot list, `update: req.body`, may write the same keys)
  if (!wd.inserted?.length || wd.opaque) return undefined;
  const count = (list: string[], k: string): number => list.filter((x) => x === k).length;
  const only = [...new Set(wd.inserted)].filter((k) => count(wd.keys, k) === count(wd.inserted!, k));
  return only.length ? only : undefined;
}

/**
 * A list changed by one item, not replaced (`$push`, `arrayUnion(x)`): the key is recorded with the
 * constant `$add` or `$remove` (rules/effects.json `listItemContainers`, `listItemCalls`).
 */
function listOp(v: ts.Expression): string | undefined {
  return ts.isCallExpression(v) ? ownEntry(rules().r.orm.listItemCalls, calledName(v)) : undefined;
}

/**
 * The constant of a list written back filtered: entries taken out, as `$remove` says of one item, but not
 * which (a saved payee list shortened is no new destination; who was taken from a people list is not known).
 */
export const FILTERED = '$filtered';

/**
 * A list written back as what it held, filtered (`{ beneficiaries: previous.filter((b) => b.id !== id) }`,
 * also through a local): entries taken out, none added — the constant FILTERED.
 */
function filteredList(v: ts.Expression, values: ValueResolver): string | undefined {
  // (of a list the server holds: a list the request sends, `req.body.accounts.filter(…)`, is what it sets)
  const isFilter = (x: ts.Node): boolean =>
    ts.isCallExpression(x) &&
    ts.isPropertyAccessExpression(x.expression) &&
    x.expression.name.text === 'filter' &&
    !REQUEST_READ.test(x.expression.expression.getText());
  if (isFilter(v)) return FILTERED;
  if (!ts.isIdentifier(v)) return undefined;
  // (nor one an entry is added to before it is written: `kept.push({ iban })`)
  if (grownInPlace(v)) return undefined;
  const vals = values.resolve(v);
  return vals.length > 0 && vals.every((r) => r.kind === 'call' && isFilter(r.node)) ? FILTERED : undefined;
}

/** Is an entry added to the list a local names, anywhere in its function (`list.push(x)`, `list.unshift(x)`, `list[i] = x`)? */
function grownInPlace(id: ts.Identifier): boolean {
  let fn: ts.Node | undefined = id.parent;
  while (fn && !ts.isFunctionLike(fn) && !ts.isSourceFile(fn)) fn = fn.parent;
  if (!fn) return false;
  const name = id.text;
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      /^(push|unshift|splice|concat)$/.test(n.expression.name.text) &&
      ts.isIdentifier(n.expression.expression) &&
      n.expression.expression.text === name
    )
      found = true;
    else if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isElementAccessExpression(n.left) &&
      ts.isIdentifier(n.left.expression) &&
      n.left.expression.text === name
    )
      found = true;
    else ts.forEachChild(n, visit);
  };
  visit(fn);
  return found;
}

/** `map[key]` when the map itself holds it (never an inherited `toString`). */
function ownEntry<T>(map: Record<string, T> | undefined, key: string): T | undefined {
  return map && Object.hasOwn(map, key) ? map[key] : undefined;
}

/** Prisma nested writes on a relation: `members: { createMany: { data } }`, `passkeys: { deleteMany: {} }`. */
const NESTED_OPS = new Set([
  'create',
  'createMany',
  'update',
  'updateMany',
  'upsert',
  'delete',
  'deleteMany',
  'connectOrCreate',
  'connect',
  'disconnect',
  'set',
]);

/** A value read from a record at the same path it is written to (`mfa: { secret: user.mfa.secret }`): unchanged. */
function writtenBack(value: ts.Expression, path: string): boolean {
  const names: string[] = [];
  for (let x = skipOuter(value); ts.isPropertyAccessExpression(x); x = skipOuter(x.expression))
    names.unshift(x.name.text);
  const parts = path.split('.');
  return names.length >= parts.length && parts.every((p, i) => names[names.length - parts.length + i] === p);
}

/** A sub-document named for sign-in security (rules/effects.json `orm.securitySubDocuments`), by its last part. */
function securityContainer(path: string): boolean {
  const re = SECURITY_SUBDOCS();
  return !!re && re.test(path.split('.').pop() ?? '');
}

const SECURITY_SUBDOCS = compiled(() => {
  const s = ruleFile('effects').orm.securitySubDocuments;
  return s ? new RegExp(s, 'i') : undefined;
});

/** Update operators of a number or a list written as an object (`{ increment: 1 }`, `{ push: x }`): not a sub-document. */
const VALUE_OPS = /^(increment|decrement|multiply|divide|set|push|unset)$/;

/**
 * The paths of a sub-document written in place, two levels down, that are given a literal (`twoFactor: { enabled:
 * false }` writes `twoFactor.enabled`, as Mongoose stores it): a switch thrown. A value carried over or chosen
 * elsewhere (`profile: { role: jobTitle }`, `secret: user.twoFactor.secret`) keeps the sub-document's own name.
 */
function subDocumentPaths(
  prefix: string,
  obj: ts.ObjectLiteralExpression,
  values: ValueResolver,
  out: WriteData,
  level = 0,
): void {
  if (level > 1 || obj.properties.some((q) => q.name && VALUE_OPS.test(propertyNameText(q.name) ?? ''))) return;
  for (const q of obj.properties) {
    const k = q.name && !ts.isComputedPropertyName(q.name) ? propertyNameText(q.name) : undefined;
    if (!k || (!ts.isPropertyAssignment(q) && !ts.isShorthandPropertyAssignment(q))) continue;
    const path = `${prefix}.${k}`;
    const init = skipOuter(ts.isPropertyAssignment(q) ? q.initializer : q.name);
    if (ts.isObjectLiteralExpression(init)) {
      subDocumentPaths(path, init, values, out, level + 1);
      continue;
    }
    const constant = literalConstant(init) ?? (ts.isIdentifier(init) ? boundLiteral(init, values) : undefined);
    if (constant === undefined && (!securityContainer(prefix) || writtenBack(init, path))) continue;
    out.keys.push(path);
    (out.subPaths ??= []).push(path);
    if (constant !== undefined) out.constants[path] = constant;
  }
}

function emptyData(): WriteData {
  return {
    keys: [],
    debits: [],
    credits: [],
    amounts: Object.create(null) as Record<string, string>,
    opaque: false,
    constants: Object.create(null) as Record<string, string>,
    nested: [],
    excluded: [],
  };
}

/** The data a record held in a local was constructed from (`new Model({ … })`, `new Model(data)`). */
function constructedData(recv: ts.Identifier, values: ValueResolver): { data: WriteData; constructed: boolean } {
  const data = emptyData();
  let constructed = false;
  for (const v of values.resolve(recv)) {
    if (v.kind !== 'call' || !ts.isNewExpression(v.node)) continue;
    constructed = true;
    if (v.node.arguments?.[0]) writeData(v.node.arguments[0], values, 0, data);
  }
  return { data, constructed };
}

function mergeData(into: WriteData, from: WriteData): WriteData {
  into.excluded.push(...from.excluded);
  into.keys.push(...from.keys);
  into.debits.push(...from.debits);
  into.credits.push(...from.credits);
  Object.assign(into.amounts, from.amounts);
  into.opaque ||= from.opaque;
  if (from.rawBody) into.rawBody = true;
  if (from.rawBodyPart) into.rawBodyPart = true;
  if (from.inserted?.length) (into.inserted ??= []).push(...from.inserted);
  if (from.subPaths?.length) (into.subPaths ??= []).push(...from.subPaths);
  Object.assign(into.constants, from.constants);
  into.nested.push(...from.nested);
  return into;
}

function isOne(e: ts.Expression): boolean {
  const x = skipOuter(e);
  return ts.isNumericLiteral(x) && Number(x.text) === 1;
}

/**
 * Does `e` raise `key` by an amount: `bal + amount`, `parseFloat(user.btcBal) + parseFloat(amount)`,
 * `Number(x).plus(n)`? A counter raised by one (`count + 1`) is not an amount. With `amountOnly`, `e`
 * is the increment itself (`$inc: { balance: n }`): any amount but 1 and no negation.
 */
/**
 * Does an operand read the key's own value: by its text (`user.balance`), or as a local that holds it
 * (`const current = user?.money` in `toAdd + current`)?
 */
function mentionsKey(operand: ts.Expression, key: string): boolean {
  const k = key.toLowerCase();
  if (operand.getText().toLowerCase().includes(k)) return true;
  const x = skipOuter(operand);
  return ts.isIdentifier(x) && valuesOfLocal(x).some((v) => v.getText().toLowerCase().includes(k));
}

function isIncrease(e: ts.Expression, key: string, amountOnly = false, depth = 0): boolean {
  const x = skipOuter(e);
  const self = amountOnly ? undefined : sqlSelfUpdate(x, key);
  if (self) return self.op === '+' && !isOne(self.amount);
  if (amountOnly)
    return (
      !isOne(x) &&
      !(ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.MinusToken) &&
      !ts.isLiteralExpression(x)
    );
  if (ts.isBinaryExpression(x) && x.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    if (isOne(x.left) || isOne(x.right)) return false;
    return mentionsKey(x.left, key) || mentionsKey(x.right, key) || depth > 0;
  }
  if (ts.isCallExpression(x)) {
    const last = calledName(x);
    if (
      /^(plus|add)$/i.test(last) &&
      x.arguments[0] &&
      !isOne(x.arguments[0]) &&
      ts.isPropertyAccessExpression(x.expression)
    )
      return x.expression.expression.getText().toLowerCase().includes(key.toLowerCase()) || depth > 0;
    // an arithmetic helper named for the sum (`sumDecimal(amount, user.balance)`, `addMoney(bal, n)`) over the
    // key's own value, nothing subtracted
    const sum = arithmeticHelper(x, key);
    if (sum) return sum === '+';
    if (/^(toString|toFixed|toPrecision|valueOf)$/.test(last) && ts.isPropertyAccessExpression(x.expression))
      return isIncrease(x.expression.expression, key, false, depth);
    if (/^(String|Number|parseFloat|parseInt|BigInt)$/.test(last) && x.arguments[0])
      return isIncrease(x.arguments[0], key, false, depth);
  }
  if (ts.isIdentifier(x) && depth < 2) return valuesOfLocal(x).some((v) => isIncrease(v, key, false, depth + 1));
  // `balance: next.receiver` where `const next = { receiver: receiver.balance + amount }`
  const prop = depth < 2 ? localPropertyValue(x) : undefined;
  if (prop) return isIncrease(prop, key, false, depth + 1);
  return false;
}

/** `obj.key` with `obj` a local initialised to an object literal: that property's value, if written there. */
function localPropertyValue(x: ts.Expression): ts.Expression | undefined {
  if (!ts.isPropertyAccessExpression(x)) return undefined;
  const obj = skipOuter(x.expression);
  if (!ts.isIdentifier(obj)) return undefined;
  const d = findDeclaration(obj);
  const init = d && ts.isVariableDeclaration(d) && d.initializer ? skipOuter(d.initializer) : undefined;
  if (!init || !ts.isObjectLiteralExpression(init)) return undefined;
  for (const p of init.properties)
    if (ts.isPropertyAssignment(p) && propertyNameText(p.name) === x.name.text) return p.initializer;
  return undefined;
}

/**
 * The value a function of the same file returns under the name a destructured local takes
 * (`const { rest } = split(…)` → `rest: total - paid` in `split`'s `return { … }`).
 */
function returnedPart(x: ts.Identifier): ts.Expression | undefined {
  const d = findDeclaration(x);
  if (!d || !ts.isBindingElement(d) || !ts.isObjectBindingPattern(d.parent)) return undefined;
  const decl = d.parent.parent;
  if (!ts.isVariableDeclaration(decl) || !decl.initializer) return undefined;
  const call = skipOuter(decl.initializer);
  if (!ts.isCallExpression(call) || !ts.isIdentifier(call.expression)) return undefined;
  const name = d.propertyName ? propertyNameText(d.propertyName) : x.text;
  const f = findDeclaration(call.expression);
  const fn =
    f && ts.isFunctionDeclaration(f)
      ? f
      : f && ts.isVariableDeclaration(f) && f.initializer && ts.isArrowFunction(skipOuter(f.initializer))
        ? (skipOuter(f.initializer) as ts.ArrowFunction)
        : undefined;
  if (!fn?.body || !ts.isBlock(fn.body) || !name) return undefined;
  for (const r of returnExpressions(fn)) {
    const obj = skipOuter(r);
    if (!ts.isObjectLiteralExpression(obj)) continue;
    for (const p of obj.properties) {
      if (ts.isPropertyAssignment(p) && propertyNameText(p.name) === name) return p.initializer;
      if (ts.isShorthandPropertyAssignment(p) && p.name.text === name) return p.name;
    }
  }
  return undefined;
}

/** Is a parameter or a `let` lowered by an amount in its function (`wallet -= take`, not `count -= 1`)? */
function loweredInScope(x: ts.Identifier): boolean {
  const d = findDeclaration(x);
  if (!d || !(ts.isParameter(d) || ts.isVariableDeclaration(d)) || !ts.isIdentifier(d.name)) return false;
  const scope = ts.findAncestor(d.parent, (n) => ts.isFunctionLike(n) || ts.isSourceFile(n));
  if (!scope) return false;
  let lowered = false;
  let raised = false;
  const visit = (n: ts.Node): void => {
    if (
      ts.isBinaryExpression(n) &&
      ts.isIdentifier(n.left) &&
      findDeclaration(n.left) === d &&
      !(ts.isNumericLiteral(skipOuter(n.right)) && Number((skipOuter(n.right) as ts.NumericLiteral).text) === 1)
    ) {
      if (n.operatorToken.kind === ts.SyntaxKind.MinusEqualsToken) lowered = true;
      if (n.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken) raised = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(scope);
  // (raised as well, `wallet += paid; wallet -= fee`: a refund net of a fee, not a debit)
  return lowered && !raised;
}

/** What a local is given: its initializer and every later `x = …` in its scope (`let next; next = bal + n`). */
function valuesOfLocal(x: ts.Identifier): ts.Expression[] {
  const d = findDeclaration(x);
  if (!d || !ts.isVariableDeclaration(d)) return [];
  const out = d.initializer ? [d.initializer] : [];
  const list = d.parent;
  if (!ts.isVariableDeclarationList(list) || list.flags & ts.NodeFlags.Const) return out;
  const scope = ts.findAncestor(d, (n) => ts.isBlock(n) || ts.isSourceFile(n));
  if (!scope) return out;
  const visit = (n: ts.Node): void => {
    if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isIdentifier(n.left) &&
      n.left.text === x.text &&
      findDeclaration(n.left) === d
    )
      out.push(n.right);
    ts.forEachChild(n, visit);
  };
  visit(scope);
  return out;
}

/** The name a call is made by, whatever it is called on (`(a - b).toString()` has no callee path). */
function calledName(x: ts.CallExpression): string {
  const callee = skipOuter(x.expression);
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  const parts = calleeParts(x.expression);
  return parts?.[parts.length - 1] ?? '';
}

/**
 * A plain function call named for an arithmetic step (`sumDecimal`, `addAmounts`, `minusDecimal`,
 * `subtractMoney`) one of whose arguments is the key's own value (`user.balance`): `+` for a sum with
 * nothing negated, `-` for a subtraction from it or a sum with a negated amount (`sum(bal, -1 * total)`).
 * (Method calls are the `plus`/`minus` cases above: their receiver is the value.)
 */
function arithmeticHelper(x: ts.CallExpression, key: string): '+' | '-' | undefined {
  if (ts.isPropertyAccessExpression(skipOuter(x.expression))) return undefined;
  const name = calledName(x);
  const k = key.toLowerCase();
  const own = (a: ts.Expression): boolean => a.getText().toLowerCase().includes(k);
  if (!x.arguments.some(own)) return undefined;
  const negated = (a: ts.Expression): boolean => {
    const v = skipOuter(a);
    if (ts.isPrefixUnaryExpression(v) && v.operator === ts.SyntaxKind.MinusToken) return true;
    return (
      ts.isBinaryExpression(v) &&
      v.operatorToken.kind === ts.SyntaxKind.AsteriskToken &&
      [v.left, v.right].some((o) => negated(o))
    );
  };
  // the word is the whole name or its first camel-case word (`sumDecimal`, not `address`)
  if (/^(sum|add|plus)(?![a-z])/.test(name)) return x.arguments.some(negated) ? '-' : '+';
  if (/^(minus|sub|subtract|deduct)(?![a-z])/.test(name)) return own(x.arguments[0]) ? '-' : undefined;
  return undefined;
}

/**
 * A SQL fragment that sets a column from itself (`sql\`${t.pendingBalance} - ${payout.amount}\``): the
 * operator written between the column and the next value, and that value, when the column is the key's own.
 */
function sqlSelfUpdate(x: ts.Expression, key: string): { op: '+' | '-'; amount: ts.Expression } | undefined {
  if (!ts.isTaggedTemplateExpression(x) || !ts.isTemplateExpression(x.template)) return undefined;
  const [first, second] = x.template.templateSpans;
  if (!first || !second || x.template.head.text.trim() !== '') return undefined;
  if (!first.expression.getText().toLowerCase().includes(key.toLowerCase())) return undefined;
  // (a cast on the column does not change the sum: `${balances.coin}::numeric - ${amount}::numeric`)
  const op = first.literal.text.replace(/::\s*[a-z_]+(\s*\(\s*\d+(\s*,\s*\d+)?\s*\))?/gi, '').trim();
  return op === '-' || op === '+' ? { op, amount: second.expression } : undefined;
}

/**
 * An amount as written, for comparing two moves of one write: conversions (`Number(x)`,
 * `parseFloat(x)`, `x.toFixed(2)`), parentheses and spaces do not change it.
 */
function amountText(e: ts.Expression): string {
  let x: ts.Expression = skipOuter(e);
  for (let i = 0; i < 6; i++) {
    const conversion =
      (ts.isCallExpression(x) || ts.isNewExpression(x)) &&
      (x.arguments?.length ?? 0) >= 1 &&
      /^(Number|parseFloat|parseInt|BigInt|abs|round|floor|ceil|trunc|Decimal|BigNumber|Big)$/.test(
        lastName(x.expression) ?? '',
      );
    if (conversion) x = skipOuter((x as ts.CallExpression | ts.NewExpression).arguments![0]);
    else if (
      ts.isCallExpression(x) &&
      ts.isPropertyAccessExpression(x.expression) &&
      /^(toFixed|toString|valueOf|toNumber|toBigInt|toDecimalPlaces|toDP)$/.test(x.expression.name.text)
    )
      x = skipOuter(x.expression.expression);
    else if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.PlusToken) x = skipOuter(x.operand);
    else break;
  }
  return x.getText().replace(/\s+/g, '');
}

/** The amount of `balance - n`, `balance + n`, `-n`: `n`; none when the value is not written as such a move. */
function movedBy(e: ts.Expression, key?: string): string | undefined {
  const x = skipOuter(e);
  const self = key ? sqlSelfUpdate(x, key) : undefined;
  if (self) return amountText(self.amount);
  if (
    ts.isBinaryExpression(x) &&
    (x.operatorToken.kind === ts.SyntaxKind.MinusToken || x.operatorToken.kind === ts.SyntaxKind.PlusToken)
  )
    return amountText(x.right);
  if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.MinusToken) return amountText(x.operand);
  return undefined;
}

/** Is `e` a decrease of the value stored under `key`: `-n`, `x.key - n`, `x.key.minus(n)`, `sub(x.key, n)`, a negative literal? */
function isDecrease(e: ts.Expression, key: string, depth = 0): boolean {
  const x = skipOuter(e);
  const self = sqlSelfUpdate(x, key);
  if (self) return self.op === '-' && !isOne(self.amount);
  // a counter (`quota - 1`, `{ decrement: 1 }`) counts uses, it does not move an amount
  if (
    ts.isBinaryExpression(x) &&
    x.operatorToken.kind === ts.SyntaxKind.MinusToken &&
    ts.isNumericLiteral(skipOuter(x.right)) &&
    Number((skipOuter(x.right) as ts.NumericLiteral).text) === 1
  )
    return false;
  if (ts.isPrefixUnaryExpression(x) && ts.isNumericLiteral(x.operand) && Number(x.operand.text) === 1) return false;
  if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.MinusToken) return true;
  if (ts.isBinaryExpression(x) && x.operatorToken.kind === ts.SyntaxKind.MinusToken)
    return mentionsKey(x.left, key) || depth > 0;
  // `isCredit ? amount : -amount`: one branch takes the amount away
  if (ts.isConditionalExpression(x)) return isDecrease(x.whenTrue, key, depth) || isDecrease(x.whenFalse, key, depth);
  if (ts.isCallExpression(x)) {
    const last = calledName(x);
    if (/^(minus|sub|subtract|decrement)$/i.test(last)) return true;
    // a money library's sum with an amount that may be taken away (`balance.add(delta)`, `delta = currency(0).subtract(total)`)
    if (/^(add|plus)$/.test(last) && x.arguments[0] && isDecrease(x.arguments[0], key, depth)) return true;
    if (arithmeticHelper(x, key) === '-') return true;
    // a conversion keeps the amount (`newBalance.toString()`, `String(next)`, `Number(x).toFixed(2)`)
    if (/^(toString|toFixed|toPrecision|valueOf)$/.test(last) && ts.isPropertyAccessExpression(x.expression))
      return isDecrease(x.expression.expression, key, depth);
    if (/^(String|Number|parseFloat|parseInt|BigInt)$/.test(last) && x.arguments[0])
      return isDecrease(x.arguments[0], key, depth);
  }
  // `balance: newBalance` where `const newBalance = wallet.balance - amount` (or `let` assigned later), through one more local (`next = sum.toString()`)
  if (ts.isIdentifier(x) && depth < 2) {
    if (valuesOfLocal(x).some((v) => isDecrease(v, key, depth + 1))) return true;
    // a part of what a function of the file returns (`const { newWallet } = deductFrom(…)`, which returns
    // `{ newWallet: wallet - amount }`), or a value the function lowers before returning it (`wallet -= take`)
    const part = returnedPart(x);
    if (part && isDecrease(part, key, depth + 1)) return true;
    if (depth > 0 && loweredInScope(x)) return true;
  }
  const prop = depth < 2 ? localPropertyValue(x) : undefined;
  if (prop) return isDecrease(prop, key, depth + 1);
  return false;
}

/** Keys taken off a local object with `delete obj.key` (or `delete obj['key']`) in the function declaring it. */
function deletedKeys(d: ts.VariableDeclaration): string[] {
  return localUses(d).flatMap((id) => {
    const used = outermost(id);
    const target = used.parent;
    if (!(ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) || target.expression !== used)
      return [];
    const key = ts.isDeleteExpression(outermost(target).parent) ? accessName(target) : undefined;
    return key ? [key] : [];
  });
}

/** A node with the parentheses around it (`(data)` of `delete (data).role`). */
function outermost(n: ts.Node): ts.Node {
  let x = n;
  while (ts.isParenthesizedExpression(x.parent)) x = x.parent;
  return x;
}

/** The data a write call argument carries (object literals, locals assigned field by field, conditional spreads). */
export function writeData(
  e: ts.Expression | undefined,
  values: ValueResolver,
  depth = 0,
  out: WriteData = emptyData(),
): WriteData {
  if (!e || depth > 6) return out;
  const x = skipOuter(e);
  // `new Customer(req)`: what a project class's constructor sets on the instance (`this.email = req.body.email`)
  if (ts.isNewExpression(x)) {
    const cls = values.resolve(x.expression).find((v) => v.kind === 'class');
    const ctor = cls?.kind === 'class' ? cls.node.members.find(ts.isConstructorDeclaration) : undefined;
    if (ctor?.body) {
      mergeData(out, assignmentsIn(ctor.body, rootedAtThis, values));
      return out;
    }
  }
  // `const { id, ownerTeamId, ...data } = body`: `data` is the body less the keys taken out beside it
  if (ts.isIdentifier(x)) {
    const d = findDeclaration(x);
    // a helper's parameter bound to its caller's argument (`updateStore(id, data)` → `.set(storeData)`)
    const bound = d && ts.isParameter(d) ? values.boundTo(d) : undefined;
    if (bound && bound !== x) return writeData(bound, values, depth + 1, out);
    if (d && ts.isBindingElement(d) && d.dotDotDotToken && ts.isObjectBindingPattern(d.parent)) {
      out.opaque = true;
      for (const el of d.parent.elements) {
        if (el === d) continue;
        const key = el.propertyName
          ? propertyNameText(el.propertyName)
          : ts.isIdentifier(el.name)
            ? el.name.text
            : undefined;
        if (key) out.excluded.push(key);
      }
      // (the rest of the request's body, `let { public_id, ...updates } = req.body`: the client names its keys)
      const root = d.parent.parent;
      if (ts.isVariableDeclaration(root) && root.initializer)
        markRequestBody(values.resolve(root.initializer), values, out);
      return out;
    }
    // `delete updateData.role` before the write: the object written no longer has the key
    if (d && ts.isVariableDeclaration(d)) out.excluded.push(...deletedKeys(d));
  }
  // `...(isAdmin ? { role } : {})`, `...(cond && { role })`
  if (ts.isConditionalExpression(x)) {
    writeData(x.whenTrue, values, depth + 1, out);
    return writeData(x.whenFalse, values, depth + 1, out);
  }
  if (
    ts.isBinaryExpression(x) &&
    (x.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken ||
      x.operatorToken.kind === ts.SyntaxKind.BarBarToken ||
      x.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)
  ) {
    writeData(x.left, values, depth + 1, out);
    return writeData(x.right, values, depth + 1, out);
  }
  // `list.map((m) => ({ email: m.email, role: m.role }))`: the objects the callback returns
  if (
    ts.isCallExpression(x) &&
    ts.isPropertyAccessExpression(skipOuter(x.expression)) &&
    /^(map|flatMap)$/.test((skipOuter(x.expression) as ts.PropertyAccessExpression).name.text)
  ) {
    const cb = x.arguments[0] && skipOuter(x.arguments[0]);
    if (cb && (ts.isArrowFunction(cb) || ts.isFunctionExpression(cb))) {
      for (const r of returnExpressions(cb)) writeData(r, values, depth + 1, out);
      return out;
    }
  }
  if (ts.isArrayLiteralExpression(x)) {
    for (const el of x.elements) writeData(ts.isSpreadElement(el) ? el.expression : el, values, depth + 1, out);
    return out;
  }
  let obj: ts.ObjectLiteralExpression | undefined;
  // what a schema parse produced (`...data.form` with `data = schema.parse(body)`): the schema's keys
  const parsed =
    ts.isIdentifier(x) || ts.isPropertyAccessExpression(x) || ts.isCallExpression(x)
      ? parsedKeys(x, values)
      : undefined;
  if (parsed) {
    out.keys.push(...parsed);
    return out;
  }
  // what a body filter let through (`bodyFilter({ req, includedFields: ['status', 'role'] })`): those fields
  const allowed =
    ts.isIdentifier(x) || ts.isCallExpression(x) || ts.isAwaitExpression(x) ? allowListedKeys(x, values) : undefined;
  if (allowed) {
    out.keys.push(...allowed);
    return out;
  }
  if (ts.isObjectLiteralExpression(x)) obj = x;
  else if (ts.isIdentifier(x) || ts.isPropertyAccessExpression(x) || ts.isCallExpression(x)) {
    const vals = values.resolve(x);
    const v = vals.find((y) => y.kind === 'object');
    // a local holding an instance of a project class (`const updated = new Customer(req)`)
    const made = vals.find((y) => y.kind === 'instance' && !!y.site && ts.isNewExpression(y.site));
    if (!v && made?.kind === 'instance' && made.site && vals.length === 1)
      return writeData(made.site, values, depth + 1, out);
    // a local holding the objects a `.map` callback builds
    const mapped =
      !ts.isCallExpression(x) &&
      vals.find(
        (y) =>
          y.kind === 'call' &&
          ts.isCallExpression(y.node) &&
          ts.isPropertyAccessExpression(skipOuter(y.node.expression)) &&
          /^(map|flatMap)$/.test((skipOuter(y.node.expression) as ts.PropertyAccessExpression).name.text),
      );
    if (!v && mapped && mapped.kind === 'call') return writeData(mapped.node, values, depth + 1, out);
    // a parameter no call binds here, whose declared type names exactly what it holds
    // (`data: Pick<Member, 'role'>`, `{ role: Role }`, `z.infer<typeof s>`): those keys
    const typed =
      !v && ts.isIdentifier(x) && vals.length && vals.every((y) => y.kind === 'param')
        ? parameterTypeKeys(x, values)
        : undefined;
    if (typed) out.keys.push(...typed);
    else if (v && v.kind === 'object') {
      obj = v.node;
      // a local given one object or another (`const data = pw ? { password: pw, name } : { name }`): each of them
      for (const o of vals) if (o.kind === 'object' && o !== v) writeData(o.node, values, depth + 1, out);
    } else if (!ts.isCallExpression(x) || vals.some((y) => y.kind === 'param' || y.kind === 'unknown')) {
      out.opaque = true;
      markRequestBody(vals, values, out);
    }
    // (the record itself handed to the write, `findByIdAndUpdate(doc._id, doc)`: what was set on it before, by
    // assignment or through its own methods, on the way to this write)
    if (ts.isIdentifier(x)) {
      const write = x.parent && ts.isCallExpression(x.parent) && x.parent.arguments.includes(x) ? x.parent : undefined;
      mergeData(out, write ? fieldAssignments(x, values, write) : fieldAssignments(x));
    }
  } else if (!ts.isLiteralExpression(x) && x.kind !== ts.SyntaxKind.NullKeyword) out.opaque = true;
  if (!obj) return out;
  for (const p of obj.properties) {
    const name = p.name ? propertyNameText(p.name) : undefined;
    if (ts.isSpreadAssignment(p)) {
      writeData(p.expression, values, depth + 1, out);
      continue;
    }
    // a computed key that takes one of a few names (`{ [permissionKey]: !m[permissionKey] }` with
    // `permissionKey: 'canDelete' | 'canUpdate'`, or a constant): each of them may be written
    if (!name && p.name && ts.isComputedPropertyName(p.name)) {
      const named = computedKeyNames(p.name.expression, values);
      if (named) out.keys.push(...named.filter((k) => !SKIP_KEYS.has(k) && !CONTAINER_KEYS.has(k)));
      continue;
    }
    if (!name || SKIP_KEYS.has(name)) continue;
    const init = ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : undefined;
    if (CONTAINER_KEYS.has(name)) {
      if (init && INSERT_CONTAINERS.has(name)) {
        const before = out.keys.length;
        writeData(init, values, depth + 1, out);
        (out.inserted ??= []).push(...out.keys.slice(before));
      } else if (init) writeData(init, values, depth + 1, out);
      // `$push: { members: uid }`: an item added to or taken from a list, marked as such
      const list = ownEntry(rules().r.orm.listItemContainers, name);
      if (list && init && ts.isObjectLiteralExpression(skipOuter(init)))
        for (const q of (skipOuter(init) as ts.ObjectLiteralExpression).properties) {
          const k = q.name ? propertyNameText(q.name) : undefined;
          if (k) out.constants[k] = list;
        }
      continue;
    }
    // Mongo `$inc: { balance: -amount }`, also under a computed key (`{ [balanceField]: increment }`)
    if (name === '$inc' && init && ts.isObjectLiteralExpression(skipOuter(init))) {
      for (const q of (skipOuter(init) as ts.ObjectLiteralExpression).properties) {
        const ks = !q.name
          ? []
          : ts.isComputedPropertyName(q.name)
            ? (evalStrings(q.name.expression, values) ?? [])
            : [propertyNameText(q.name)].filter((k): k is string => !!k);
        for (const k of ks) {
          out.keys.push(k);
          if (ts.isPropertyAssignment(q) && isDecrease(q.initializer, k)) out.debits.push(k);
          else if (ts.isPropertyAssignment(q) && isIncrease(q.initializer, k, true)) out.credits.push(k);
          else continue;
          // the amount it moves by (`-order.lockedAmount` and `order.lockedAmount` move the same amount)
          if (ts.isPropertyAssignment(q)) out.amounts[k] = movedBy(q.initializer) ?? amountText(q.initializer);
        }
      }
      continue;
    }
    if (!init) {
      out.keys.push(name);
      continue;
    }
    const v = skipOuter(init);
    // a nested write on a relation: its own effect, on the relation's model
    if (
      ts.isObjectLiteralExpression(v) &&
      v.properties.length &&
      v.properties.every((q) => q.name && NESTED_OPS.has(propertyNameText(q.name) ?? ''))
    ) {
      for (const q of v.properties) {
        if (!ts.isPropertyAssignment(q)) continue;
        const action = propertyNameText(q.name)!;
        // linking records (`roles: { connect: { id } }`) writes the relation field itself
        if (/^(connect|disconnect|set)$/.test(action)) out.keys.push(name);
        else out.nested.push({ relation: name, action, data: writeData(q.initializer, values, depth + 1), node: q });
      }
      continue;
    }
    out.keys.push(name);
    // a column named anything that receives a hash of a typed password is a password column (`extra_data = hash(password)`)
    if (isSecretHash(v)) out.keys.push(SECRET_HASH_KEY);
    // (`role || 'user'`: the request's value when it sends one, the literal only as a fallback)
    // (a parameter the caller binds to a literal, `setKeyStatus(id, false)` → `{ is_active: isActive }`, is that literal)
    const constant = fallbackOnly(v)
      ? undefined
      : (literalConstant(v) ??
        evalString(v, values) ??
        enumMemberName(v) ??
        listOp(v) ??
        filteredList(v, values) ??
        (ts.isIdentifier(v) ? boundLiteral(v, values) : undefined));
    if (constant !== undefined) out.constants[name] = constant;
    // a sub-document written in place (`twoFactor: { enabled: false }`): its paths too (`twoFactor.enabled`)
    if (ts.isObjectLiteralExpression(v)) subDocumentPaths(name, v, values, out);
    // Prisma `{ balance: { decrement: n } }` / `{ increment: -n }`
    if (ts.isObjectLiteralExpression(v)) {
      for (const q of v.properties) {
        const k = q.name ? propertyNameText(q.name) : undefined;
        const amount = ts.isPropertyAssignment(q) ? skipOuter(q.initializer) : undefined;
        const one = !!amount && ts.isNumericLiteral(amount) && Number(amount.text) === 1;
        if (
          (k === 'decrement' && !one) ||
          (k === 'increment' && ts.isPropertyAssignment(q) && isDecrease(q.initializer, name))
        )
          out.debits.push(name);
        else if (k === 'increment' && !one) out.credits.push(name);
        else continue;
        if (amount) out.amounts[name] = amountText(amount);
      }
    } else if (isDecrease(v, name)) {
      out.debits.push(name);
      const by = movedBy(v, name);
      if (by) out.amounts[name] = by;
    } else if (isIncrease(v, name)) {
      out.credits.push(name);
      const by = movedBy(v, name);
      if (by) out.amounts[name] = by;
    } else if (ts.isIdentifier(v)) {
      // a helper's parameter bound to what its caller computed (`updateBalance(id, newBalance)` with
      // `newBalance = user.balance - amount` → `.set({ balance })`): the caller's value moves the key
      const d = findDeclaration(v);
      const bound = d && ts.isParameter(d) ? values.boundTo(d) : undefined;
      // (only a value computed from the key's own value, `user.balance - amount`: a total handed over,
      // `subtotal + tax`, sets the key outright)
      if (bound && bound !== v && fromOwnValue(bound, name)) {
        if (isDecrease(bound, name)) out.debits.push(name);
        else if (isIncrease(bound, name)) out.credits.push(name);
        else continue;
        const by = movedBy(bound, name);
        if (by) out.amounts[name] = by;
      }
    }
  }
  return out;
}

function objectKeys(e: ts.Expression | undefined, values: ValueResolver): string[] {
  return writeData(e, values).keys;
}

/**
 * The keys an identity provider's call writes, with those of the metadata objects it carries
 * (`{ publicMetadata: { role } }`: the role is what it sets); `opaqueNested` when such an object cannot be read.
 */
function identityData(e: ts.Expression, values: ValueResolver): { keys: string[]; opaqueNested: boolean } {
  const { identityNested } = rules();
  const keys = objectKeys(e, values);
  let opaqueNested = false;
  const x = skipOuter(e);
  const objects = ts.isObjectLiteralExpression(x)
    ? [x]
    : values.resolve(x).flatMap((v) => (v.kind === 'object' ? [v.node] : []));
  for (const o of objects)
    for (const p of o.properties) {
      const name = p.name && propertyNameText(p.name);
      if (!name || !identityNested.test(name)) continue;
      const inner = ts.isPropertyAssignment(p)
        ? p.initializer
        : ts.isShorthandPropertyAssignment(p)
          ? p.name
          : undefined;
      const wd = inner ? writeData(inner, values) : undefined;
      if (!wd || wd.opaque || !wd.keys.length) opaqueNested = true;
      else keys.push(...wd.keys);
    }
  return { keys, opaqueNested };
}

/** Methods whose first argument selects the records and whose second is the update (Mongoose). */
const FILTER_FIRST = /^(updateOne|updateMany|findOneAndUpdate|findByIdAndUpdate|replaceOne|findOneAndReplace|update)$/;

/** The `where` of a query's options (`{ where: { key: 'x' } }`), if it is an object literal. */
function whereOf(x: ts.Expression | undefined): ts.Expression | undefined {
  if (!x || !ts.isObjectLiteralExpression(x)) return undefined;
  const w = x.properties.find((p) => p.name && propertyNameText(p.name) === 'where');
  return w && ts.isPropertyAssignment(w) ? skipOuter(w.initializer) : undefined;
}

/**
 * A settings row named by a constant (`Setting.findOneAndUpdate({ key: 'depositWalletAddress' }, { value })`,
 * `setting.upsert({ where: { key: 'stripeSecretKey' }, update: { value } })`, `create({ key: 'x', value })`): a
 * key-value table holds one setting per row, so what is written is the setting its name names, as a column of that
 * name would be. Only where what else is written is the row's value (rules/effects.json `orm.settingRows`).
 */
function namedSetting(filter: ts.Expression | undefined, wd: ReturnType<typeof emptyData>): void {
  const rows = SETTING_ROWS();
  if (!rows) return;
  const { names, valueKeys } = rows;
  const named: string[] = [];
  if (filter && ts.isObjectLiteralExpression(filter))
    for (const p of filter.properties) {
      const v = ts.isPropertyAssignment(p) ? skipOuter(p.initializer) : undefined;
      if (p.name && names.has(propertyNameText(p.name) ?? '') && v && ts.isStringLiteralLike(v)) named.push(v.text);
    }
  for (const k of wd.keys) if (names.has(k) && wd.constants[k] !== undefined) named.push(wd.constants[k]);
  if (!named.length || !wd.keys.some((k) => valueKeys.has(k))) return;
  if (!wd.keys.every((k) => names.has(k) || valueKeys.has(k) || rows.bookkeeping.has(k))) return;
  for (const n of named) if (/^\w[\w.-]*$/.test(n) && !wd.keys.includes(n)) wd.keys.push(n);
}

/** The settings-row keys (rules/effects.json `orm.settingRows`), as sets. */
const SETTING_ROWS = compiled(() => {
  const rows = ruleFile('effects').orm.settingRows;
  return rows
    ? { names: new Set(rows.nameKeys), valueKeys: new Set(rows.valueKeys), bookkeeping: new Set(rows.bookkeeping) }
    : undefined;
});

/** The data of a write call: its arguments, without a leading filter (`updateOne(filter, update)`). */

function callData(
  call: ts.CallExpression,
  method: string,
  values: ValueResolver,
): Pick<
  Effect,
  'dataKeys' | 'debits' | 'credits' | 'amounts' | 'opaqueData' | 'rawBody' | 'rawBodyPart' | 'constants' | 'nested'
> {
  let args = [...call.arguments];
  // `record.set('BackupCodes', value)`: one column named by a string, its value second
  const named = method === 'set' && args.length === 2 ? evalString(args[0], values) : undefined;
  if (named !== undefined) {
    const wd = emptyData();
    wd.keys.push(named);
    const v = skipOuter(args[1]);
    if (isSecretHash(v)) wd.keys.push(SECRET_HASH_KEY);
    const constant = literalConstant(v) ?? enumMemberName(v);
    if (constant !== undefined) wd.constants[named] = constant;
    if (isDecrease(v, named)) wd.debits.push(named);
    return { dataKeys: wd.keys, debits: wd.debits, credits: wd.credits, opaqueData: false, constants: wd.constants };
  }
  // Sequelize `record.increment('balance', { by: n })`, `decrement(['a', 'b'], …)`, `increment({ balance: n })`:
  // the columns named move by an amount, up or down
  if ((method === 'increment' || method === 'decrement') && args[0]) {
    const first = skipOuter(args[0]);
    const columns = ts.isObjectLiteralExpression(first)
      ? first.properties.flatMap((p) => (p.name && propertyNameText(p.name) ? [propertyNameText(p.name)!] : []))
      : (evalStrings(first, values) ?? []);
    if (columns.length)
      return {
        dataKeys: columns,
        debits: method === 'decrement' ? columns : [],
        credits: method === 'increment' ? columns : [],
        opaqueData: false,
        constants: {},
      };
  }
  let filter: ts.Expression | undefined;
  if (FILTER_FIRST.test(method) && args.length >= 2) {
    const second = skipOuter(args[1]);
    // Sequelize `update(values, { where })` and `record.update(values, { transaction })` keep their first
    // argument; Mongoose `updateOne(filter, update)` drops it
    const options = rules().r.orm.writeOptionKeys ?? ['where'];
    const sequelize =
      ts.isObjectLiteralExpression(second) &&
      second.properties.length > 0 &&
      (second.properties.some((p) => p.name && propertyNameText(p.name) === 'where') ||
        second.properties.every((p) => !!p.name && options.includes(propertyNameText(p.name) ?? '')));
    filter = sequelize ? whereOf(second) : skipOuter(args[0]);
    args = sequelize ? [args[0]] : args.slice(1);
  }
  const wd = emptyData();
  // (a callback given to the write, Mongoose's `(err, doc) => …`, is not data)
  for (const a of args) if (!ts.isSpreadElement(a) && !isFunctionNode(skipOuter(a))) writeData(a, values, 0, wd);
  namedSetting(filter ?? whereOf(args[0] && skipOuter(args[0])), wd);
  // a record created with sub-documents (`accountDetails: { bankName: '', accountType: 'Current' }`) starts with
  // those values: they change nothing that existed
  if (wd.subPaths?.length && /^(create|insert)/i.test(method)) {
    const sub = new Set(wd.subPaths);
    wd.keys = wd.keys.filter((k) => !sub.has(k));
    for (const k of sub) delete wd.constants[k];
  }
  return {
    dataKeys: wd.keys,
    debits: wd.debits,
    credits: wd.credits,
    amounts: wd.amounts,
    opaqueData: wd.opaque,
    ...(wd.rawBody ? { rawBody: true } : {}),
    ...(wd.rawBodyPart ? { rawBodyPart: true } : {}),
    constants: wd.constants,
    nested: nestedEffects(call, wd),
    ...(wd.excluded.length ? { notKeys: wd.excluded } : {}),
    ...withInsertOnly(wd),
  };
}

/** The writes nested in a write's data, as effects of their own on the relation's model. */
function nestedEffects(
  call: ts.CallExpression,
  wd: WriteData,
  parentCreates = /^create/.test(methodCall(call)?.method ?? ''),
  parentModel = normalizeName(calleeParts(call.expression)?.slice(-2, -1)[0] ?? ''),
): Effect[] | undefined {
  if (!wd.nested.length) return undefined;
  const text = calleeParts(call.expression)?.join('.') ?? call.expression.getText().replace(/\s+/g, '').slice(0, 60);
  return wd.nested.map((n) => ({
    withParentCreate: parentCreates && /^create/.test(n.action) ? true : undefined,
    ...(parentModel ? { parentModel } : {}),
    kind: 'db-write' as const,
    node: call,
    model: normalizeName(n.relation),
    action: n.action,
    dataKeys: n.data.keys,
    debits: n.data.debits,
    credits: n.data.credits,
    amounts: n.data.amounts,
    opaqueData: n.data.opaque,
    ...(n.data.rawBody ? { rawBody: true } : {}),
    ...(n.data.rawBodyPart ? { rawBodyPart: true } : {}),
    constants: n.data.constants,
    callee: `${text} → ${n.relation}.${n.action}`,
    nested: nestedEffects(
      call,
      { ...emptyData(), nested: n.data.nested },
      /^create/.test(n.action),
      normalizeName(n.relation),
    ),
  }));
}

/**
 * The document method a call is made in, and its model's name: a function assigned to
 * `schema.methods.name` (or given to `schema.method('name', fn)`) of a schema that `model('Wallet', schema)`
 * in the same file turns into a model.
 */
function schemaMethodOf(call: ts.Node): { fn: FunctionNode; model: string } | undefined {
  let fn: ts.Node | undefined = call.parent;
  while (fn && !(ts.isFunctionExpression(fn) || ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)))
    fn = fn.parent;
  if (!fn || !isFunctionNode(fn)) return undefined;
  const at = fn.parent;
  let schema: string | undefined;
  if (
    at &&
    ts.isBinaryExpression(at) &&
    at.right === fn &&
    ts.isPropertyAccessExpression(at.left) &&
    ts.isPropertyAccessExpression(at.left.expression) &&
    at.left.expression.name.text === 'methods'
  )
    schema = at.left.expression.expression.getText();
  else if (
    at &&
    ts.isCallExpression(at) &&
    at.arguments[1] === fn &&
    ts.isPropertyAccessExpression(at.expression) &&
    at.expression.name.text === 'method'
  )
    schema = at.expression.expression.getText();
  if (!schema) return undefined;
  let model: string | undefined;
  forEachNode(call.getSourceFile(), (n) => {
    if (
      !model &&
      ts.isCallExpression(n) &&
      isModelCall(n) &&
      ts.isStringLiteralLike(n.arguments[0]) &&
      n.arguments[1].getText() === schema
    )
      model = n.arguments[0].text;
  });
  return model ? { fn, model } : undefined;
}

/** Fields a function writes on `this` (`this.totalBalance += amount`). */
function thisAssignments(fn: FunctionNode): WriteData {
  return fn.body ? assignmentsIn(fn.body, rootedAtThis) : emptyData();
}

/** `this`, or a member reached from it (`this.main`, `this.data.main`). */
function rootedAtThis(e: ts.Expression): boolean {
  let x = skipOuter(e);
  while (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) x = skipOuter(x.expression);
  return x.kind === ts.SyntaxKind.ThisKeyword;
}

/**
 * The class method a `this.save()` is made in, and the class as the record it saves: the fields the
 * method assigns on the instance are what it writes (`Settings.regenerateApiKey`).
 */
function classMethodOf(call: ts.Node): { fn: FunctionNode; model: string } | undefined {
  let fn: ts.Node | undefined = call.parent;
  while (fn && !ts.isMethodDeclaration(fn) && !ts.isClassLike(fn)) fn = fn.parent;
  if (!fn || !ts.isMethodDeclaration(fn) || !isFunctionNode(fn) || !ts.isClassLike(fn.parent)) return undefined;
  const name = fn.parent.name?.text;
  return name ? { fn, model: name } : undefined;
}

/** `data.password = hash; user.balance -= n` before the write: keys assigned field by field to a local. */
export function fieldAssignments(id: ts.Identifier, values?: ValueResolver, save?: ts.Node): WriteData {
  const out = emptyData();
  const d = findDeclaration(id);
  // (a local, a parameter, or a local taken from a list or an object: `const [wallet] = await Wallet.find(…)`)
  const local =
    !!d &&
    (ts.isVariableDeclaration(d) ||
      ts.isParameter(d) ||
      (ts.isBindingElement(d) &&
        !d.dotDotDotToken &&
        !!bindingPath(d).root &&
        ts.isVariableDeclaration(bindingPath(d).root!)));
  if (!d || !local || !ts.isIdentifier(d.name)) return out;
  const name = d.name.text;
  // a local: the block that declares it; a parameter (`function debit(account, n) { account.balance -= n; … }`): the function body
  let scope: ts.Node | undefined = ts.isParameter(d) ? (d.parent as ts.FunctionLikeDeclaration).body : d.parent;
  while (scope && !ts.isBlock(scope) && !ts.isSourceFile(scope)) scope = scope.parent;
  if (!scope) return out;
  const own = assignmentsIn(scope, (e) => ts.isIdentifier(e) && e.text === name, values, save);
  // one walk for the record's other writes:
  // - a field of an object the record embeds (`user.wallet.balance -= amount`), under the object's name;
  // - a sub-document taken from one of the record's lists and changed in place (`const w = user.wallets.id(wid);
  //   w.address = a; await user.save()`): an update of a record of that list's kind, when the save is on its way;
  // - …or changed where it stands (`org.members[i].role = role; await org.save()`)
  const declared: WriteData['nested'] = [];
  const inPlace: WriteData['nested'] = [];
  const walk = (n: ts.Node): boolean | void => {
    // (a branch the call being followed does not take: `if (updateData.email)` given `{ auth }`)
    if (values?.bound && ts.isIfStatement(n) && absentWhenBound(n.expression, values)) {
      if (n.elseStatement) forEachNode(n.elseStatement, walk);
      return false;
    }
    // an entry of a map the record keeps, under a computed key (`user.balances[type] = amount`): that map
    const map =
      ts.isBinaryExpression(n) && ts.isElementAccessExpression(n.left) ? skipOuter(n.left.expression) : undefined;
    const holder = map && ts.isPropertyAccessExpression(map) ? skipOuter(map.expression) : undefined;
    if (holder && ts.isIdentifier(holder) && holder.text === name) {
      recordFieldWrite(n as ts.BinaryExpression & { left: ts.ElementAccessExpression }, own, true, values);
      return;
    }
    if (ts.isBinaryExpression(n) && ts.isPropertyAccessExpression(n.left)) {
      const write = n as ts.BinaryExpression & { left: ts.PropertyAccessExpression };
      const target = skipOuter(n.left.expression);
      if (ts.isPropertyAccessExpression(target) && embeddedIn(target, name))
        mergeData(own, embeddedWrite(write, values));
      else if (values && save && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && leadsTo(n, save)) {
        const list = subDocumentList(n.left.expression, name);
        if (!list) return;
        const data = emptyData();
        recordFieldWrite(write, data, true, values);
        if (data.keys.length) inPlace.push({ relation: list, action: 'update', data, node: n });
      }
    } else if (values && save && ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer) {
      if (!leadsTo(n, save)) return;
      const list = subDocumentList(n.initializer, name);
      if (!list) return;
      const sub = n.name.text;
      const data = assignmentsIn(scope, (e) => ts.isIdentifier(e) && e.text === sub, values);
      if (data.keys.length) declared.push({ relation: list, action: 'update', data, node: n });
    }
  };
  forEachNode(scope, walk);
  own.nested.push(...declared, ...inPlace);
  // the record's own methods called on it before the save (`wallet.updateBalance(c, n)` with
  // `walletSchema.methods.updateBalance = function (c, n) { this.balances[c] += n }`): what they set on `this`
  if (values && save)
    forEachNode(scope, (n) => {
      if (!ts.isCallExpression(n) || n === save || !ts.isPropertyAccessExpression(n.expression)) return;
      const recv = skipOuter(n.expression.expression);
      if (!ts.isIdentifier(recv) || recv.text !== name || !leadsTo(n, save)) return;
      const methods = values.resolve(n.expression).filter((v) => v.kind === 'function');
      for (const v of methods) if (isRecordMethod(v.node)) mergeData(own, thisAssignments(v.node));
      // a setter (`product.setBalance(product.balance - taxes)`, a model class's method the analysis cannot
      // reach from the document, or one that sets that field on `this`): the field given the argument
      const field = setterField(n);
      if (field && methods.every((v) => !v.node.body || thisAssignments(v.node).keys.includes(field)))
        fieldWrite(field, ts.SyntaxKind.EqualsToken, n.arguments[0], own, true, values);
    });
  return own;
}

/** The field a one-argument setter call sets (`setBalance(v)` → `balance`). */
function setterField(call: ts.CallExpression): string | undefined {
  if (call.arguments.length !== 1 || !ts.isPropertyAccessExpression(call.expression)) return undefined;
  const m = /^set([A-Z]\w*)$/.exec(call.expression.name.text);
  return m ? m[1][0].toLowerCase() + m[1].slice(1) : undefined;
}

/** A document's method (`schema.methods.x = function …`, `schema.method('x', fn)`) or a class's method: its `this` is the record. */
function isRecordMethod(fn: FunctionNode): boolean {
  if (ts.isMethodDeclaration(fn)) return true;
  const at = fn.parent;
  if (!ts.isFunctionExpression(fn) || !at) return false;
  if (ts.isBinaryExpression(at) && at.right === fn && ts.isPropertyAccessExpression(at.left)) {
    const holder = skipOuter(at.left.expression);
    return ts.isPropertyAccessExpression(holder) && holder.name.text === 'methods';
  }
  return (
    ts.isCallExpression(at) &&
    at.arguments[1] === fn &&
    ts.isPropertyAccessExpression(at.expression) &&
    at.expression.name.text === 'method'
  );
}

/**
 * A field of an object a record embeds, written under the object's name: `user.wallet.balance -= amount`
 * writes `walletBalance`, and `user.subscription.status = 'cancelled'` writes `subscriptionStatus`, not the
 * account's status.
 */
function embeddedWrite(
  n: ts.BinaryExpression & { left: ts.PropertyAccessExpression },
  values: ValueResolver | undefined,
): WriteData {
  const path: string[] = [];
  for (let x: ts.Expression = n.left; ts.isPropertyAccessExpression(x); x = skipOuter(x.expression))
    path.unshift(x.name.text);
  // (its path kept in parts, `wallet.balance`: classification reads each container with the field)
  const joined = path.join('.');
  const field = path[path.length - 1];
  const rename = (k: string): string => (k === field ? joined : k);
  const renameKeys = (o: Record<string, string>): Record<string, string> =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [rename(k), v]));
  const one = emptyData();
  recordFieldWrite(n, one, true, values);
  return {
    ...one,
    keys: one.keys.map(rename),
    debits: one.debits.map(rename),
    credits: one.credits.map(rename),
    amounts: renameKeys(one.amounts),
    constants: renameKeys(one.constants),
  };
}

/** `user`, or an object embedded in it reached by field names (`user.wallet`, `user.settings.security`). */
function embeddedIn(e: ts.Expression, name: string): boolean {
  let x = skipOuter(e);
  while (ts.isPropertyAccessExpression(x)) x = skipOuter(x.expression);
  return ts.isIdentifier(x) && x.text === name;
}

/** An object literal, or a local that holds only object literals. */
function builtObject(item: ts.Expression, values: ValueResolver): boolean {
  const x = skipOuter(item);
  if (ts.isObjectLiteralExpression(x)) return true;
  if (!ts.isIdentifier(x)) return false;
  const vals = values.resolve(x);
  return vals.length > 0 && vals.every((v) => v.kind === 'object');
}

/** `user.wallets.id(x)`, `user.wallets.find(…)`, `user.wallets[i]`: the list of `record` an element is taken from. */
function subDocumentList(init: ts.Expression, record: string): string | undefined {
  let x = skipOuter(init);
  let list: ts.Expression | undefined;
  if (
    ts.isCallExpression(x) &&
    ts.isPropertyAccessExpression(x.expression) &&
    /^(id|find|at)$/.test(x.expression.name.text)
  )
    list = skipOuter(x.expression.expression);
  else if (ts.isElementAccessExpression(x)) list = skipOuter(x.expression);
  if (!list || !ts.isPropertyAccessExpression(list)) return undefined;
  x = skipOuter(list.expression);
  return ts.isIdentifier(x) && x.text === record ? list.name.text : undefined;
}

/**
 * Does the save run after `n` on the same path: is it later in a block that holds `n`'s statement
 * (a sub-document added in the `POST` branch is not saved by the `GET` branch's save)?
 */
function leadsTo(n: ts.Node, save: ts.Node): boolean {
  const block = ts.findAncestor(n, (x) => ts.isBlock(x) || ts.isSourceFile(x));
  return (
    !!block &&
    save.getSourceFile() === n.getSourceFile() &&
    save.getStart() > n.getEnd() &&
    save.getStart() >= block.getStart() &&
    save.getEnd() <= block.getEnd() &&
    ts.findAncestor(save, (x) => ts.isFunctionLike(x)) === ts.findAncestor(n, (x) => ts.isFunctionLike(x))
  );
}

/**
 * What `scope` writes on the record `isRecord` recognises: field assignments (`user.role = r`,
 * `this.balance -= n`), array mutations of a field, and `Object.assign(record, …)`.
 */
function assignmentsIn(
  scope: ts.Node,
  isRecord: (e: ts.Expression) => boolean,
  values?: ValueResolver,
  save?: ts.Node,
): WriteData {
  const out = emptyData();
  const visit = (n: ts.Node): void => {
    // a branch taken only when the caller's argument has a key it does not have (`if (updateData.role)` with
    // `updateData` given `{ status: 'suspended' }`): not run for this call
    if (values?.bound && ts.isIfStatement(n) && absentWhenBound(n.expression, values)) {
      if (n.elseStatement) visit(n.elseStatement);
      return;
    }
    if (
      ts.isBinaryExpression(n) &&
      (ts.isPropertyAccessExpression(n.left) || ts.isElementAccessExpression(n.left)) &&
      isRecord(skipOuter(n.left.expression))
    ) {
      recordFieldWrite(
        n as ts.BinaryExpression & { left: ts.PropertyAccessExpression | ts.ElementAccessExpression },
        out,
        true,
        values,
      );
      // `update.$set = setUpdate` with `setUpdate.role = role` above: the container's own fields are written
      const key = ts.isPropertyAccessExpression(n.left) ? n.left.name.text : undefined;
      const right = skipOuter(n.right);
      if (key && CONTAINER_KEYS.has(key) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        if (ts.isIdentifier(right)) mergeData(out, fieldAssignments(right));
        else if (ts.isObjectLiteralExpression(right))
          for (const p of right.properties) {
            const k = p.name ? propertyNameText(p.name) : undefined;
            if (k) out.keys.push(k);
          }
      }
    }
    const mutated = arrayMutation(n);
    if (mutated && ts.isPropertyAccessExpression(mutated) && isRecord(skipOuter(mutated.expression))) {
      out.keys.push(mutated.name.text);
      // `user.wallets.push({ name, address })`: a sub-document added to the list, a record of its own kind
      const item =
        ts.isCallExpression(n) && /^(push|unshift|addToSet)$/.test(calledName(n)) ? n.arguments[0] : undefined;
      // (an object literal, or a local holding one: `const request = { amount, … }; wallet.requests.push(request)`)
      if (item && values && save && leadsTo(n, save) && builtObject(item, values))
        out.nested.push({ relation: mutated.name.text, action: 'create', data: writeData(item, values, 1), node: n });
    }
    // `Object.assign(user, req.body)`: the whole body is written; `Object.assign(user, { role })`: its keys
    if (
      ts.isCallExpression(n) &&
      calleeParts(n.expression)?.join('.') === 'Object.assign' &&
      n.arguments[0] &&
      isRecord(skipOuter(n.arguments[0]))
    )
      for (const src of n.arguments.slice(1)) {
        const o = skipOuter(src);
        if (!ts.isObjectLiteralExpression(o)) {
          out.opaque = true;
          // (the request body copied whole, `Object.assign(user, req.body)`: every key the client sent)
          if (values?.resolve(src).some(isRawBody)) out.rawBody = true;
          continue;
        }
        for (const p of o.properties) {
          const key = p.name ? propertyNameText(p.name) : undefined;
          if (key && (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p))) out.keys.push(key);
          else out.opaque = true;
        }
      }
    ts.forEachChild(n, visit);
  };
  visit(scope);
  return out;
}

/** Does a function test a key of one of its parameters (`if (updateData.role)`)? Syntax alone: cached. */
const paramKeyTests = new WeakMap<ts.Node, boolean>();
function branchesOnParamKeys(fn: FunctionNode): boolean {
  const hit = paramKeyTests.get(fn);
  if (hit !== undefined) return hit;
  const params = new Set(fn.parameters.flatMap((p) => (ts.isIdentifier(p.name) ? [p.name.text] : [])));
  let found = false;
  if (params.size && fn.body)
    forEachNode(fn.body, (n) => {
      if (found) return false;
      if (!ts.isIfStatement(n)) return;
      const x = skipOuter(n.expression);
      const root = ts.isPropertyAccessExpression(x) ? skipOuter(x.expression) : undefined;
      if (root && ts.isIdentifier(root) && params.has(root.text)) found = true;
    });
  paramKeyTests.set(fn, found);
  return found;
}

/**
 * Is `cond` a test of a key (`data.role`) of a parameter bound to an object written in place at the call that has
 * no such key and spreads nothing in? Then it is false for the call being followed.
 */
function absentWhenBound(cond: ts.Expression, values: ValueResolver): boolean {
  const x = skipOuter(cond);
  if (!ts.isPropertyAccessExpression(x)) return false;
  const root = skipOuter(x.expression);
  const d = ts.isIdentifier(root) ? findDeclaration(root) : undefined;
  let bound = d && ts.isParameter(d) ? values.boundTo(d) : undefined;
  if (!bound) return false;
  // (only an object written in place at the call: a local may be filled after it is declared, `updates.email = …`)
  bound = skipOuter(bound);
  if (!ts.isObjectLiteralExpression(bound)) return false;
  const key = x.name.text;
  return !bound.properties.some(
    (p) => ts.isSpreadAssignment(p) || !p.name || ts.isComputedPropertyName(p.name) || propertyNameText(p.name) === key,
  );
}

/** The key a write gets when it stores a hash of a typed password or PIN, whatever its column is called. */
export const SECRET_HASH_KEY = 'passwordHash';

/**
 * Is `e` a hash of a password, passcode or PIN: a hashing call (`bcrypt.hash`, `argon2.hash`,
 * `hashPassword`, `scryptSync`) on whose data path a password-named value lies?
 */
export function isSecretHash(e: ts.Expression): boolean {
  let hashCall = false;
  let secretName = false;
  walkDataPath(
    [e],
    undefined,
    (n) => {
      if (ts.isCallExpression(n)) {
        const parts = calleeParts(n.expression);
        const last = parts?.[parts.length - 1] ?? '';
        if (
          /^(hash|hashSync|hashPassword|hashPin|hashPasscode|genHash|hashpw|encryptPassword|scrypt|scryptSync|pbkdf2|pbkdf2Sync|hashSecret|argon2id|makeHash|createPasswordHash|generatePasswordHash|saltAndHashPassword)$/i.test(
            last,
          )
        )
          hashCall = true;
        if (parts?.some((p) => /^(bcrypt|bcryptjs|argon2|scrypt)$/i.test(p)) && /hash/i.test(last)) hashCall = true;
      }
      const name = ts.isIdentifier(n)
        ? n.text
        : ts.isPropertyAccessExpression(n)
          ? n.name.text
          : ts.isBindingElement(n) && ts.isIdentifier(n.name)
            ? n.name.text
            : undefined;
      if (name && /pass(word|code|wd)|^pwd?$|(^|[^a-z])pin($|[^a-z])|^pin|pin$/i.test(name) && !/hash$/i.test(name))
        secretName = true;
      return hashCall && secretName;
    },
    12,
  );
  return hashCall && secretName;
}

/**
 * One `record.field = v` / `-=` / `+=` into `out`: the key, a debit when the field decreases, the
 * constant written (when `constants`), and opaque data when the field cannot be named
 * (`user[provider] = undefined`).
 */
function recordFieldWrite(
  n: ts.BinaryExpression & { left: ts.PropertyAccessExpression | ts.ElementAccessExpression },
  out: WriteData,
  constants: boolean,
  values?: ValueResolver,
): void {
  // an entry of a map the record keeps, under a computed key (`this.balances[coin] = next`): that field
  const container =
    ts.isElementAccessExpression(n.left) && ts.isPropertyAccessExpression(skipOuter(n.left.expression))
      ? (skipOuter(n.left.expression) as ts.PropertyAccessExpression).name.text
      : undefined;
  const k = accessName(n.left) ?? container;
  const op = n.operatorToken.kind;
  if (!k) {
    if (op === ts.SyntaxKind.EqualsToken) {
      out.opaque = true;
      // every field the client sent copied onto the record (`for (const f in body) user[f] = body[f]`,
      // `for (const [k, v] of Object.entries(req.body)) user[k] = v`): the request body written whole
      const entry = values ? bodyEntry(n, values) : undefined;
      if (entry === 'whole') out.rawBody = true;
      // only a list's keys copied (`if (EDITABLE.includes(k)) user[k] = body[k]`): those keys are written
      else if (entry) for (const key of entry) fieldWrite(key, op, n.right, out, constants, values);
    }
    return;
  }
  fieldWrite(k, op, n.right, out, constants, values);
}

/**
 * A value the request body holds under a key chosen at run time (`body[f]`, or the value of an entry of
 * `Object.entries(body)`), copied in a loop over the body's own keys: `'whole'` when every key the client sent is
 * copied (or all but a few a deny list holds back), the list's keys when an allow list guards the copy
 * (`if (EDITABLE.includes(k))`, `if (!ALLOWED.has(k)) continue`, `.filter((k) => ALLOWED.includes(k))`), undefined
 * when it is no such copy.
 */
function bodyEntry(n: ts.BinaryExpression, values: ValueResolver): 'whole' | string[] | undefined {
  const v = skipOuter(n.right);
  const raw = (x: ts.Expression | undefined): boolean => !!x && values.resolve(x).some(isRawBody);
  // the loop or callback the key comes from, and what it walks
  let loop: ts.Node | undefined;
  let walked: ts.Expression | undefined;
  let key: string | undefined;
  // what a `for … in` walks when it is not the body (`for (k in DEFAULTS)`)
  let keysOf: ts.Expression | undefined;
  const over = (k: ts.Identifier): void => {
    const d = findDeclaration(k);
    if (!d) return;
    const holder = ts.isBindingElement(d) ? d.parent.parent : d;
    if (
      ts.isVariableDeclaration(holder) &&
      ts.isVariableDeclarationList(holder.parent) &&
      (ts.isForInStatement(holder.parent.parent) || ts.isForOfStatement(holder.parent.parent))
    ) {
      loop = holder.parent.parent;
      walked = holder.parent.parent.expression;
      if (ts.isForInStatement(holder.parent.parent) && !raw(walked)) {
        keysOf = walked;
        walked = undefined;
      }
    } else if (
      ts.isParameter(holder) &&
      (ts.isArrowFunction(holder.parent) || ts.isFunctionExpression(holder.parent))
    ) {
      const call = holder.parent.parent;
      if (ts.isCallExpression(call) && ts.isPropertyAccessExpression(call.expression)) {
        loop = holder.parent;
        walked = call.expression.expression;
      }
    }
  };
  // `rec[k] = body[k]` with `k` one of the body's keys
  if (ts.isElementAccessExpression(v) && ts.isIdentifier(skipOuter(v.argumentExpression)) && raw(v.expression)) {
    const k = skipOuter(v.argumentExpression) as ts.Identifier;
    key = k.text;
    over(k);
  } else if (ts.isIdentifier(v)) {
    // `[k, v]` of the body's entries
    const d = findDeclaration(v);
    if (!d || !ts.isBindingElement(d) || !ts.isArrayBindingPattern(d.parent) || d.parent.elements.indexOf(d) !== 1)
      return undefined;
    const k = d.parent.elements[0];
    if (ts.isBindingElement(k) && ts.isIdentifier(k.name)) key = k.name.text;
    over(v);
  }
  if (!key || !loop) return undefined;
  // what the loop walks: the body itself (`for … in`), `Object.keys|entries(body)`, a name holding that, or a
  // `.filter(…)` of it (whose test is a guard like any other)
  const guards: { cond: ts.Expression; copies: boolean }[] = [];
  let c = walked && skipOuter(walked);
  for (let i = 0; c && i < 4; i++) {
    if (ts.isIdentifier(c)) {
      const d = findDeclaration(c);
      c = d && ts.isVariableDeclaration(d) && d.initializer ? skipOuter(d.initializer) : undefined;
      continue;
    }
    if (ts.isCallExpression(c) && ts.isPropertyAccessExpression(c.expression) && c.expression.name.text === 'filter') {
      const cb = c.arguments[0] && skipOuter(c.arguments[0]);
      const test =
        cb && (ts.isArrowFunction(cb) || ts.isFunctionExpression(cb))
          ? ts.isBlock(cb.body)
            ? cb.body.statements.find(ts.isReturnStatement)?.expression
            : cb.body
          : undefined;
      if (!test) return 'whole';
      guards.push({ cond: test, copies: true });
      c = skipOuter(c.expression.expression);
      continue;
    }
    break;
  }
  const objectKeys = (x: ts.Expression): ts.Expression | undefined =>
    ts.isCallExpression(x) && /^Object\.(keys|entries)$/.test(calleeParts(x.expression)?.join('.') ?? '')
      ? x.arguments[0]
      : undefined;
  const overBody = (loop && ts.isForInStatement(loop) && !keysOf) || (!!c && raw(objectKeys(c)));
  // a loop over keys the code names (`for (k in DEFAULTS)`, `['name', 'bio'].forEach(…)`, `Object.keys(SHAPE)`):
  // those keys are written; a `for … in` over an object that cannot be read still copies the body's values
  // the record's own keys walked (`Object.keys(user.toObject())`): every column it has takes the body's value
  const target = skipOuter((n.left as ts.ElementAccessExpression).expression);
  const sameRecord = (x: ts.Expression | undefined): boolean =>
    !!x && ts.isIdentifier(target) && rootIdentifier(x)?.text === target.text;
  let written: 'whole' | string[] | undefined = 'whole';
  if (!overBody) {
    const shape = keysOf ?? (c && objectKeys(c));
    if (sameRecord(shape)) written = 'whole';
    else if (shape) written = propertyNames(shape, values);
    else if (c) written = stringList(c, values);
    if (!written) return undefined;
  }
  // the tests the copy sits under in the loop (`if (test) rec[k] = …`) and those that leave the loop's turn
  // before it (`if (test) continue`: the copy runs when the test fails)
  for (let p: ts.Node = n; p.parent && p !== loop; p = p.parent) {
    const parent = p.parent;
    if (ts.isIfStatement(parent) && parent.expression !== p)
      guards.push({ cond: parent.expression, copies: parent.thenStatement === p });
    if (ts.isBlock(parent) || ts.isSourceFile(parent))
      for (const st of parent.statements) {
        if (st === p || st.getStart() > n.getStart()) break;
        if (ts.isIfStatement(st) && leavesTurn(st.thenStatement)) guards.push({ cond: st.expression, copies: false });
      }
  }
  // an allow list guarding the copy names the keys written; a deny list leaves every other key written
  for (const g of guards) {
    const test = listTest(g.cond, key);
    if (!test) continue;
    const keys = stringList(test.list, values);
    if (!keys) continue;
    const allow = test.member === g.copies;
    if (written === 'whole') {
      if (allow) return keys;
    } else written = written.filter((k) => keys.includes(k) === allow);
  }
  return written;
}

/**
 * The keys an object literal is written with (`{ name: '', bio: '' }`, `{ ...BASE, language: 'en' }`), when every one
 * of them can be named.
 */
function propertyNames(e: ts.Expression, values: ValueResolver, depth = 0): string[] | undefined {
  if (depth > 4) return undefined;
  for (const v of values.resolve(e)) {
    if (v.kind !== 'object') continue;
    const out: string[] = [];
    for (const p of v.node.properties) {
      if (ts.isSpreadAssignment(p)) {
        const spread = propertyNames(p.expression, values, depth + 1);
        if (!spread) return undefined;
        out.push(...spread);
        continue;
      }
      const name =
        (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p) || ts.isMethodDeclaration(p)) &&
        (ts.isIdentifier(p.name) || ts.isStringLiteralLike(p.name))
          ? p.name.text
          : undefined;
      if (name === undefined) return undefined;
      out.push(name);
    }
    return out;
  }
  return undefined;
}

/** The name an access chain or call chain starts from (`user` in `user.toObject()`). */
export function rootIdentifier(e: ts.Expression): ts.Identifier | undefined {
  let x = skipOuter(e);
  while (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x) || ts.isCallExpression(x))
    x = skipOuter(x.expression);
  return ts.isIdentifier(x) ? x : undefined;
}

/** Does a statement end the loop's turn or the function (`continue`, `return`, `throw`)? */
function leavesTurn(s: ts.Statement): boolean {
  const last = ts.isBlock(s) ? s.statements[s.statements.length - 1] : s;
  return !!last && (ts.isContinueStatement(last) || ts.isReturnStatement(last) || ts.isThrowStatement(last));
}

/** `LIST.includes(key)` / `SET.has(key)`, negated or not: the list and whether the test is true for its members. */
function listTest(cond: ts.Expression, key: string): { list: ts.Expression; member: boolean } | undefined {
  let x = skipOuter(cond);
  let member = true;
  while (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.ExclamationToken) {
    member = !member;
    x = skipOuter(x.operand);
  }
  if (!ts.isCallExpression(x) || !ts.isPropertyAccessExpression(x.expression)) return undefined;
  if (!/^(includes|has)$/.test(x.expression.name.text)) return undefined;
  const arg = x.arguments[0] && skipOuter(x.arguments[0]);
  if (!arg || !ts.isIdentifier(arg) || arg.text !== key) return undefined;
  return { list: x.expression.expression, member };
}

/** The strings a list holds (`['name', 'bio']`, `new Set([...])`), as written, when it is made of literals only. */
function stringList(e: ts.Expression, values: ValueResolver): string[] | undefined {
  for (const v of values.resolve(e)) {
    let node: ts.Node | undefined = v.kind === 'array' ? v.node : v.kind === 'call' ? v.node : undefined;
    if (node && ts.isNewExpression(node) && node.arguments?.[0]) node = skipOuter(node.arguments[0]);
    if (!node || !ts.isArrayLiteralExpression(node)) continue;
    const out = node.elements.map((el) =>
      ts.isStringLiteralLike(skipOuter(el)) ? (skipOuter(el) as ts.StringLiteralLike).text : undefined,
    );
    if (out.every((x): x is string => x !== undefined)) return out;
  }
  return undefined;
}

/** A record's field `k` given `right` by `op` (`=`, `-=`, `+=`): its key, what it debits or credits, its constant. */
function fieldWrite(
  k: string,
  op: ts.SyntaxKind,
  right: ts.Expression,
  out: WriteData,
  constants: boolean,
  values?: ValueResolver,
): void {
  if (op !== ts.SyntaxKind.EqualsToken && op !== ts.SyntaxKind.MinusEqualsToken && op !== ts.SyntaxKind.PlusEqualsToken)
    return;
  out.keys.push(k);
  // `doc.pinHash = await hashPin(pin)`: as in an object literal, a hash of a typed secret is a password column
  if (op === ts.SyntaxKind.EqualsToken && isSecretHash(right)) out.keys.push(SECRET_HASH_KEY);
  const moves = op === ts.SyntaxKind.EqualsToken ? movedBy(right, k) : amountText(right);
  if (op === ts.SyntaxKind.MinusEqualsToken || (op === ts.SyntaxKind.EqualsToken && isDecrease(right, k))) {
    out.debits.push(k);
    if (moves) out.amounts[k] = moves;
  } else if (
    (op === ts.SyntaxKind.PlusEqualsToken && !isOne(right)) ||
    (op === ts.SyntaxKind.EqualsToken && isIncrease(right, k))
  ) {
    out.credits.push(k);
    if (moves) out.amounts[k] = moves;
  }
  if (constants && op === ts.SyntaxKind.EqualsToken) {
    const v = skipOuter(right);
    // a parameter the caller binds to a literal (`setUserActive(id, false)` → `user.active = active`); a field
    // given `undefined` on a record that is then saved is removed from it (`user.googleId = undefined`)
    const constant =
      literalConstant(v) ??
      (ts.isIdentifier(v) && v.text === 'undefined' ? 'null' : undefined) ??
      enumMemberName(v) ??
      (values && ts.isIdentifier(v) ? boundLiteral(v, values) : undefined) ??
      (values && ts.isPropertyAccessExpression(v) ? boundMemberLiteral(v, values) : undefined);
    if (constant !== undefined) out.constants[k] = constant;
    // (a field given a constant and, elsewhere, something else, `role = 'seller'` then `role = req.body.role`: no
    // one constant says what is written)
    else delete out.constants[k];
  }
}

/**
 * The one literal a member of a bound parameter holds at the call being followed (`changes.status` with
 * `changes` given `{ status: 'suspended' }`), if that is all it can be.
 */
function boundMemberLiteral(e: ts.PropertyAccessExpression, values: ValueResolver): string | undefined {
  let root: ts.Expression = e;
  while (ts.isPropertyAccessExpression(root)) root = skipOuter(root.expression);
  const d = ts.isIdentifier(root) ? findDeclaration(root) : undefined;
  if (!d || !ts.isParameter(d) || !values.boundTo(d)) return undefined;
  const vals = values.resolve(e);
  const lits = new Set(vals.map((v) => (v.kind === 'literal' ? literalConstant(v.node as ts.Expression) : undefined)));
  return vals.length && lits.size === 1 && !lits.has(undefined) ? [...lits][0] : undefined;
}

/** The one literal a parameter is bound to at the call being followed (`false` for `active`), if that is all it can be. */
function boundLiteral(id: ts.Identifier, values: ValueResolver): string | undefined {
  const d = findDeclaration(id);
  if (!d || !ts.isParameter(d)) return undefined;
  const bound = values.boundTo(d);
  return bound && bound !== id ? literalConstant(skipOuter(bound)) : undefined;
}

/** A method of a class that extends another (`class UserRepository extends Repository<User>`): its `super` calls are the ORM's. */
function extendsAnotherClass(fn: ts.Node): boolean {
  const cls = fn.parent;
  return (
    !!cls &&
    (ts.isClassDeclaration(cls) || ts.isClassExpression(cls)) &&
    !!cls.heritageClauses?.some((h) => h.token === ts.SyntaxKind.ExtendsKeyword)
  );
}

/** `x || 'user'`, `x ?? 'user'` with a left side that is no literal: a value chosen elsewhere, a literal only by default. */
function fallbackOnly(v: ts.Expression): boolean {
  return (
    ts.isBinaryExpression(v) &&
    (v.operatorToken.kind === ts.SyntaxKind.BarBarToken ||
      v.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken) &&
    literalConstant(skipOuter(v.left)) === undefined &&
    fromRequest(v.left)
  );
}

/** What the client sends: `req.body.role`, a local destructured from `req.body` or `await c.req.json()`. */
const REQUEST_READ =
  /^(req|request)\.(body|query|params)\b|\b(req|request)\.json\(\)|\bc\.req\.(json|query|param|valid|parseBody)\(|^(body|input|payload|args|dto)\b/;

function fromRequest(e: ts.Expression, depth = 0): boolean {
  const x = skipOuter(e);
  if (depth > 4) return false;
  if (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x))
    return REQUEST_READ.test(x.getText().replace(/\s+/g, '')) || fromRequest(x.expression, depth + 1);
  if (!ts.isIdentifier(x)) return false;
  if (/^(body|input|payload|args|dto)$/.test(x.text)) return true;
  const d = findDeclaration(x);
  const init =
    d && ts.isVariableDeclaration(d)
      ? d.initializer
      : d && ts.isBindingElement(d)
        ? (bindingPath(d).root as ts.VariableDeclaration | undefined)?.initializer
        : undefined;
  if (!init) return false;
  const t = skipOuter(init);
  return REQUEST_READ.test(t.getText().replace(/\s+/g, '')) || fromRequest(t, depth + 1);
}

/** The constant a literal writes: `true`, `false`, a string. */
function literalConstant(v: ts.Expression): string | undefined {
  if (v.kind === ts.SyntaxKind.TrueKeyword) return 'true';
  if (v.kind === ts.SyntaxKind.FalseKeyword) return 'false';
  if (v.kind === ts.SyntaxKind.NullKeyword) return 'null';
  if (ts.isNumericLiteral(v)) return v.text;
  return ts.isStringLiteralLike(v) ? v.text : undefined;
}

/** An object written in place, or held by a local, with a literal among its values (`{ status: 'suspended' }`). */
function holdsConstant(a: ts.Expression, values: ValueResolver): boolean {
  const obj = objectOf(a, values);
  return (
    !!obj &&
    obj.properties.some((p) => ts.isPropertyAssignment(p) && literalConstant(skipOuter(p.initializer)) !== undefined)
  );
}

/** The member an enum-like constant names (`UserStatus.SUSPENDED` → `SUSPENDED`). */
function enumMemberName(v: ts.Expression): string | undefined {
  return ts.isPropertyAccessExpression(v) && /^[A-Z]/.test(v.expression.getText()) ? v.name.text : undefined;
}

/** `req.user.password = hash; req.user.passkeys.push(c)` in the function that then saves `req.user`. */
function memberAssignments(recv: ts.PropertyAccessExpression, at: ts.Node): WriteData {
  const out = emptyData();
  const text = recv.getText().replace(/\s+/g, '');
  let fn: ts.Node | undefined = at.parent;
  while (fn && !ts.isFunctionLike(fn)) fn = fn.parent;
  const body = fn && (fn as ts.FunctionLikeDeclaration).body;
  if (!body) return out;
  const visit = (n: ts.Node): void => {
    if (
      ts.isBinaryExpression(n) &&
      (ts.isPropertyAccessExpression(n.left) || ts.isElementAccessExpression(n.left)) &&
      n.left.expression.getText().replace(/\s+/g, '') === text
    ) {
      recordFieldWrite(
        n as ts.BinaryExpression & { left: ts.PropertyAccessExpression | ts.ElementAccessExpression },
        out,
        true,
      );
    }
    const mutated = arrayMutation(n);
    if (mutated && ts.isPropertyAccessExpression(mutated) && mutated.expression.getText().replace(/\s+/g, '') === text)
      out.keys.push(mutated.name.text);
    if (!ts.isFunctionLike(n)) ts.forEachChild(n, visit);
  };
  visit(body);
  return out;
}

/** The array a call mutates in place: `x.passkeys.push(c)`, `x.members.splice(i, 1)`. */
function arrayMutation(n: ts.Node): ts.Expression | undefined {
  if (!ts.isCallExpression(n)) return undefined;
  const c = skipOuter(n.expression);
  if (!ts.isPropertyAccessExpression(c) || !/^(push|unshift|splice|pop|shift|pull|addToSet|remove)$/.test(c.name.text))
    return undefined;
  return skipOuter(c.expression);
}

/** The model a static method of a model class writes through `this` (`class TeamClass { static removeMember() { this.updateOne(…) } }`). */
/** The model a static method's class stands for (`class InvitationClass { static add() {…} }` → Invitation), for a node inside one. */
export function staticClassModel(node: ts.Node): string | undefined {
  let n: ts.Node | undefined = node.parent;
  while (n && !ts.isMethodDeclaration(n)) n = n.parent;
  if (!n || !ts.isMethodDeclaration(n) || !ts.getModifiers(n)?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword))
    return undefined;
  const cls = n.parent;
  const name = ts.isClassLike(cls) ? cls.name?.text : undefined;
  return name?.replace(/(Class|Model|Schema|Statics)$/, '') || undefined;
}

/**
 * The model a local picks (`const Model = getModel(user.role)`, returning `User` or `Admin`): the name the
 * model was registered under (`mongoose.model('User', schema)`) or its class's, the first found.
 */
function heldModel(recv: ts.Expression, values: ValueResolver, depth = 0): string | undefined {
  const x = skipOuter(recv);
  if (!ts.isIdentifier(x)) return undefined;
  // a factory's parameter while that factory's call is followed (`Model` in `deleteOne(User)`): the model handed in
  const given = values.bound && depth < 3 ? boundArgument(x, values) : undefined;
  if (given) {
    const parts = calleeParts(given);
    return (
      heldModel(given, values, depth + 1) ??
      (parts && isCapitalized(parts[parts.length - 1]) ? parts[parts.length - 1] : undefined)
    );
  }
  const d = findDeclaration(x);
  if (!d || !ts.isVariableDeclaration(d) || !d.initializer) return undefined;
  for (const v of values.resolve(x)) {
    if (v.kind === 'class' && v.node.name) return v.node.name.text;
    if (v.kind !== 'call' || !ts.isCallExpression(v.node)) continue;
    const parts = calleeParts(v.node.expression);
    const first = v.node.arguments[0] && skipOuter(v.node.arguments[0]);
    if (parts && /^model$/i.test(parts[parts.length - 1]) && first && ts.isStringLiteralLike(first)) return first.text;
  }
  return undefined;
}

/** The name a model definition gave the value `recv` holds (rules/effects.json `orm.modelDefinitions`), if it holds one. */
function definedModel(recv: ts.Expression, values: ValueResolver): string | undefined {
  const definers = rules().r.orm.modelDefinitions;
  const x = skipOuter(recv);
  if (!definers?.length || !ts.isIdentifier(x)) return undefined;
  for (const v of values.resolve(x)) {
    if (v.kind !== 'call' || !ts.isCallExpression(v.node) || !definers.includes(calleeName(v.node))) continue;
    const first = v.node.arguments[0] && skipOuter(v.node.arguments[0]);
    if (first && ts.isStringLiteralLike(first) && v.node.arguments.length >= 2) return first.text;
  }
  return undefined;
}

/**
 * The model a project function without arguments hands out (`getModel() { return User; }`, `() => UserModel`): the
 * name every one of its answers gives, when each is a model's name or a definition's.
 */
function handedOutModel(call: ts.CallExpression, values: ValueResolver): string | undefined {
  if (call.arguments.length) return undefined;
  let found: string | undefined;
  for (const v of values.resolve(call.expression)) {
    if (v.kind !== 'function' || !v.node.body) continue;
    for (const a of returnExpressions(v.node)) {
      const x = skipOuter(a);
      const name = ts.isIdentifier(x)
        ? namedAsModel(x.text)
          ? handleModel(x.text)
          : definedModel(x, values)
        : undefined;
      if (!name || (found !== undefined && found !== name)) return undefined;
      found = name;
    }
  }
  return found;
}

function isCapitalized(s: string): boolean {
  return /^[A-Z][A-Za-z0-9]*$/.test(s);
}

/** A name a model goes by: capitalised (`User`), or in camel case ending in Model (`userModel`). */
function namedAsModel(s: string): boolean {
  return isCapitalized(s) || /^[a-z][A-Za-z0-9]*Model$/.test(s);
}

/** A receiver holding a record a finder loaded: `const user = await User.findByPk(id)`, `await db.user.findUnique(…)`. */
function loadedByFinder(recv: ts.Expression, values: ValueResolver): boolean {
  const x = skipOuter(recv);
  if (!ts.isIdentifier(x)) return false;
  return values.resolve(x).some(isFinderResult);
}

function isFinderResult(v: Value): boolean {
  if (v.kind !== 'call' || !ts.isCallExpression(v.node)) return false;
  const parts = calleeParts(v.node.expression);
  return !!parts && parts.length >= 2 && /^find/.test(parts[parts.length - 1]);
}

/**
 * A write of an entity query builder (rules/effects.json `orm.queryBuilder`):
 * `db.createQueryBuilder().update(User).set({ role }).where(…).execute()`, `….delete().from(User)`,
 * `getRepository(User).createQueryBuilder('u').delete()`.
 */
function queryBuilderWrite(
  call: ts.CallExpression,
  mc: { method: string; recv: ts.Expression },
  values: ValueResolver,
): Omit<Effect, 'kind' | 'node' | 'callee'> | undefined {
  const qb = rules().queryBuilder;
  if (!qb || !qb.verbs.test(mc.method)) return undefined;
  // down the receiver to the call that started the builder
  let start: ts.CallExpression | undefined;
  let cur = skipOuter(mc.recv);
  for (let i = 0; i < 6 && ts.isCallExpression(cur); i++) {
    if (qb.starts.test(calleeName(cur))) {
      start = cur;
      break;
    }
    const m = methodCall(cur);
    if (!m) break;
    cur = skipOuter(m.recv);
  }
  if (!start) return undefined;
  const entityName = (e: ts.Expression | undefined): string | undefined => {
    const x = e && skipOuter(e);
    if (!x) return undefined;
    if (ts.isStringLiteralLike(x)) return x.text;
    return ts.isIdentifier(x) || ts.isPropertyAccessExpression(x) ? x.getText() : undefined;
  };
  // up the chain: `.from(User)`, `.into(User)`
  let entity = mc.method === 'update' || mc.method === 'insert' ? entityName(call.arguments[0]) : undefined;
  let at: ts.Node = call;
  for (let i = 0; i < 8; i++) {
    const access = at.parent;
    if (!access || !ts.isPropertyAccessExpression(access) || access.expression !== at) break;
    const outer = access.parent;
    if (!outer || !ts.isCallExpression(outer) || outer.expression !== access) break;
    if (qb.entityCalls.includes(access.name.text)) entity = entityName(outer.arguments[0]) ?? entity;
    at = outer;
  }
  // what the builder was started on: an entity given to it (`createQueryBuilder(User, 'u')`) or its repository
  const startRecv = methodCall(start)?.recv;
  const first = start.arguments[0] && skipOuter(start.arguments[0]);
  entity ??=
    first && !ts.isStringLiteralLike(first)
      ? entityName(first)
      : startRecv
        ? modelOfReceiver(startRecv, values)
        : undefined;
  return {
    model: entity ? normalizeName(entity) : undefined,
    action: mc.method,
    ...chainData(call, values),
  };
}

/**
 * A local holding what a repository factory returned (`const teams = getCustomRepository(TeamRepository)`),
 * whatever it is called. Read from the declaration (asked of every receiver of a repository-named method).
 */
function handedRepository(recv: ts.Expression): boolean {
  const x = skipOuter(recv);
  if (!ts.isIdentifier(x)) return false;
  const d = findDeclaration(x);
  const init = d && ts.isVariableDeclaration(d) && d.initializer ? skipOuter(d.initializer) : undefined;
  return (
    !!init &&
    ts.isCallExpression(init) &&
    /^(getRepository|getCustomRepository|getMongoRepository|getTreeRepository)$/.test(calleeName(init))
  );
}

/** A record's name from the handle it is reached by (`userRepository`, `UserModel` → user, User). */
function handleModel(name: string): string {
  const m = /^(.*?)(Repo|Repository|Model|Doc|Document|Record|Entity)$/i.exec(name);
  return m && m[1] ? m[1] : name;
}

/** Model name behind a receiver: `new User()`, `User.findById()`, `userRepository`, `getRepository(User)`. */
export function modelOfReceiver(recv: ts.Expression, values: ValueResolver): string | undefined {
  const named = receiverHandle(recv, values);
  // (a custom repository is named for its record: `getCustomRepository(TeamRepository)` → Team)
  return named === undefined ? undefined : handleModel(named);
}

function receiverHandle(recv: ts.Expression, values: ValueResolver, depth = 0): string | undefined {
  const x = skipOuter(recv);
  // a factory's parameter while that factory's call is followed (`Model` in `deleteOne(User)`): the argument
  const given = ts.isIdentifier(x) && values.bound ? boundArgument(x, values) : undefined;
  if (given && depth < 3) return receiverHandle(given, values, depth + 1);
  if (ts.isIdentifier(x) || ts.isPropertyAccessExpression(x)) {
    for (const v of values.resolve(x)) {
      if (v.kind === 'call') {
        const n = v.node;
        if (ts.isNewExpression(n) && ts.isIdentifier(n.expression)) return n.expression.text;
        if (ts.isCallExpression(n)) {
          const parts = calleeParts(n.expression);
          if (parts && parts.length >= 2 && isCapitalized(parts[parts.length - 2])) return parts[parts.length - 2];
          if (parts && /getRepository|getCustomRepository/.test(parts[parts.length - 1]) && n.arguments[0])
            return siteArgument(n.arguments[0], v.site).getText();
          // a record a finder loaded through a lower-case handle (`sequelize.models.users.findOne(q)`, `userRepo.findOne`)
          if (parts && parts.length >= 2 && /^find/.test(parts[parts.length - 1]) && parts[parts.length - 2] !== 'this')
            return handleModel(parts[parts.length - 2]);
        }
      }
      if (v.kind === 'instance' && v.cls.name) return v.cls.name.text;
      // a model handed over from a registry of models (`new Restful(sequelize.models.admins)`, kept as `this.model`)
      if (v.kind === 'member' && ts.isPropertyAccessExpression(v.node)) {
        const parts = calleeParts(v.node);
        if (parts && parts.length >= 2 && rules().r.orm.modelRegistries?.includes(parts[parts.length - 2]))
          return parts[parts.length - 1];
      }
    }
    return handleModel(ts.isIdentifier(x) ? x.text : x.name.text);
  }
  if (ts.isCallExpression(x)) {
    const parts = calleeParts(x.expression);
    if (parts && /getRepository|getCustomRepository|repository/.test(parts[parts.length - 1]) && x.arguments[0])
      return skipOuter(x.arguments[0]).getText();
  }
  return undefined;
}

/** The argument a parameter is bound to while its function's call is followed. */
function boundArgument(id: ts.Identifier, values: ValueResolver): ts.Expression | undefined {
  const d = findDeclaration(id);
  if (d && ts.isParameter(d)) return values.boundTo(d);
  // a member of a destructured parameter (`({ Model, includedFields }) => …` called with `{ Model: User, … }`)
  if (!d || !ts.isBindingElement(d) || !ts.isObjectBindingPattern(d.parent) || !ts.isParameter(d.parent.parent))
    return undefined;
  const arg = values.boundTo(d.parent.parent);
  const obj = arg && skipOuter(arg);
  const key = d.propertyName ? propertyNameText(d.propertyName) : ts.isIdentifier(d.name) ? d.name.text : undefined;
  if (!obj || !key || !ts.isObjectLiteralExpression(obj)) return undefined;
  for (const p of obj.properties) {
    if (!p.name || propertyNameText(p.name) !== key) continue;
    if (ts.isPropertyAssignment(p)) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p)) return p.name;
  }
  return undefined;
}

/**
 * An argument of a call made inside a factory (`dataSource.getRepository(target)` in
 * `getRepository = (target) => …`): when it is the factory's parameter, the caller's argument
 * at the call site (`getRepository(User)`).
 */
function siteArgument(arg: ts.Expression, site: ts.Node | undefined): ts.Expression {
  const a = skipOuter(arg);
  if (!site || !ts.isCallExpression(site) || !ts.isIdentifier(a)) return a;
  const d = findDeclaration(a);
  if (!d || !ts.isParameter(d) || !isFunctionNode(d.parent)) return a;
  const given = site.arguments[d.parent.parameters.indexOf(d)];
  return given ? skipOuter(given) : a;
}

/**
 * Is `e` the root of a query builder: a client named like one (`db`, `knex`, `this.db`), one made by a
 * query-builder package under any name (`knexRead`), or either of two (`trx || knex`, `tx ?? db`)?
 */
/**
 * `database.client('api_token')`: a client kept on an object and called with a table's name, as
 * `knex('api_token')` is. Not a builder's own method (`db.update(users)`, `trx.raw('…')`).
 */
function clientCalledWithTable(call: ts.CallExpression, method: string, recv: ts.Expression, r: EffectRules): boolean {
  const arg = call.arguments.length === 1 ? skipOuter(call.arguments[0]) : undefined;
  return (
    ts.isIdentifier(skipOuter(recv)) &&
    !!arg &&
    ts.isStringLiteralLike(arg) &&
    !r.orm.builderWrites.includes(method) &&
    !r.orm.firestoreWrites.includes(method) &&
    !NOT_TABLE_CALLS.test(method)
  );
}

const NOT_TABLE_CALLS = /^(raw|query|execute|exec|select|where|whereRaw|schema|transaction|sql|prepare|run|all|get)$/;

function isBuilderRoot(e: ts.Expression, names: RegExp, modules: string[], values: ValueResolver, depth = 0): boolean {
  const x = skipOuter(e);
  if (depth < 3 && ts.isBinaryExpression(x)) {
    const op = x.operatorToken.kind;
    if (op !== ts.SyntaxKind.BarBarToken && op !== ts.SyntaxKind.QuestionQuestionToken) return false;
    return (
      isBuilderRoot(x.left, names, modules, values, depth + 1) ||
      isBuilderRoot(x.right, names, modules, values, depth + 1)
    );
  }
  if (depth < 3 && ts.isConditionalExpression(x))
    return (
      isBuilderRoot(x.whenTrue, names, modules, values, depth + 1) ||
      isBuilderRoot(x.whenFalse, names, modules, values, depth + 1)
    );
  // a client made where it is used: `getFirestore().collection('users')`, `admin.firestore().doc(…)`
  if (ts.isCallExpression(x)) return rootResolvesTo([], x, modules, values);
  const ps = calleeParts(x);
  if (!ps) return false;
  const head = ps[0] === 'this' ? ps.slice(0, 2).join('.') : ps[0];
  if (names.test(head)) return true;
  // `db.transaction(async (transaction) => transaction.update(member)…)`: the client the transaction runs on
  const outer = depth < 3 ? transactionClient(x) : undefined;
  if (outer) return isBuilderRoot(outer, names, modules, values, depth + 1);
  if (ps.length === 1 && ts.isIdentifier(x) && typedFromModule(x, modules, values)) return true;
  // `database.client('users')`: a member of a module's instance, assigned by its class (`this.client = knex(…)` in `connect()`)
  return (ps.length === 1 || ps.length === 2) && rootResolvesTo(ps, x, modules, values);
}

/**
 * `db.transaction(async (trx) => …)`, `prisma.$transaction(async (t) => …)`: the client a transaction
 * callback's first parameter stands for, whatever it is called (rules/effects.json `orm.transactionMethods`).
 */
function transactionClient(e: ts.Expression): ts.Expression | undefined {
  const x = skipOuter(e);
  if (!ts.isIdentifier(x)) return undefined;
  const d = findDeclaration(x);
  if (!d || !ts.isParameter(d)) return undefined;
  const fn = d.parent;
  if (!(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) || fn.parameters[0] !== d) return undefined;
  const call = fn.parent;
  if (!call || !ts.isCallExpression(call) || !call.arguments.includes(fn)) return undefined;
  const callee = skipOuter(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const methods = rules().r.orm.transactionMethods ?? [];
  if (methods.includes(callee.name.text)) return callee.expression;
  // Kysely `db.transaction().execute(async (trx) => …)`: the transaction a call of the client made
  const made = skipOuter(callee.expression);
  if (
    ts.isCallExpression(made) &&
    ts.isPropertyAccessExpression(made.expression) &&
    methods.includes(made.expression.name.text)
  )
    return made.expression.expression;
  return undefined;
}

/** Is `e` a transaction callback's parameter whose client is a builder root? */
function isTransactionOf(e: ts.Expression, names: RegExp, modules: string[], values: ValueResolver): boolean {
  const outer = transactionClient(e);
  return !!outer && isBuilderRoot(outer, names, modules, values, 1);
}

/**
 * A parameter declared with a builder package's type (`client: SupabaseClient`, or a member of the
 * parameter's own interface: `{ serviceClient }: CreateInvitationParams` where that interface says
 * `serviceClient: SupabaseClient`): whatever the callers pass, it is that package's client.
 */
function typedFromModule(id: ts.Identifier, modules: string[], values: ValueResolver): boolean {
  const d = findDeclaration(id);
  if (d && ts.isParameter(d) && d.type && ts.isIdentifier(d.name)) return typeNamesModule(d.type, modules, values);
  // `{ serviceClient }: Params`: the member the binding takes from the parameter's type
  if (!d || !ts.isBindingElement(d) || !ts.isObjectBindingPattern(d.parent)) return false;
  const param = d.parent.parent;
  if (!ts.isParameter(param) || !param.type) return false;
  const key = d.propertyName ?? d.name;
  if (!ts.isIdentifier(key)) return false;
  const type = memberType(param.type, key.text);
  return !!type && typeNamesModule(type, modules, values);
}

function typeNamesModule(t: ts.TypeNode, modules: string[], values: ValueResolver): boolean {
  if (ts.isUnionTypeNode(t)) return t.types.some((u) => typeNamesModule(u, modules, values));
  if (!ts.isTypeReferenceNode(t)) return false;
  const head = ts.isIdentifier(t.typeName) ? t.typeName : t.typeName.left;
  if (!ts.isIdentifier(head)) return false;
  return values.resolve(head).some((v) => {
    const ext = externalName(v);
    return !!ext && modules.some((m) => ext.module === m || ext.module.startsWith(`${m}/`));
  });
}

/** The declaration of a type alias a name refers to: in its own file, or exported by the project module it is imported from. */
function typeAlias(name: ts.Identifier, values: ValueResolver): ts.TypeAliasDeclaration | undefined {
  const sf = name.getSourceFile();
  const inFile = (f: ts.SourceFile, wanted: string): ts.TypeAliasDeclaration | undefined =>
    f.statements.find((st): st is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(st) && st.name.text === wanted);
  const local = inFile(sf, name.text);
  if (local) return local;
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteralLike(st.moduleSpecifier)) continue;
    const named = st.importClause?.namedBindings;
    if (!named || !ts.isNamedImports(named)) continue;
    const el = named.elements.find((e) => e.name.text === name.text);
    if (!el) continue;
    const r = values.resolver.resolve(st.moduleSpecifier.text, sf.fileName);
    const target = r.kind === 'file' ? values.store.get(r.file) : undefined;
    return target ? inFile(target, (el.propertyName ?? el.name).text) : undefined;
  }
  return undefined;
}

/** The declared type of `name` inside a type literal, or an interface or type alias of the same file. */
function memberType(t: ts.TypeNode, name: string): ts.TypeNode | undefined {
  let members: ts.NodeArray<ts.TypeElement> | undefined;
  if (ts.isTypeLiteralNode(t)) members = t.members;
  else if (ts.isTypeReferenceNode(t) && ts.isIdentifier(t.typeName)) {
    const wanted = t.typeName.text;
    for (const st of t.getSourceFile().statements) {
      if (ts.isInterfaceDeclaration(st) && st.name.text === wanted) members = st.members;
      else if (ts.isTypeAliasDeclaration(st) && st.name.text === wanted && ts.isTypeLiteralNode(st.type))
        members = st.type.members;
    }
  }
  for (const m of members ?? [])
    if (ts.isPropertySignature(m) && m.type && m.name && ts.isIdentifier(m.name) && m.name.text === name) return m.type;
  return undefined;
}

/**
 * A write command a package function builds (`createItem('saas_teams_invites', { email, role })`,
 * `updateMe({ email })`, `deleteItem('saas_teams', id)`): its collection, its operation and its data.
 */
function commandWrite(call: ts.CallExpression, values: ValueResolver): Partial<Effect> | undefined {
  const cw = rules().r.commandWrites;
  const callee = skipOuter(call.expression);
  if (!cw || !ts.isIdentifier(callee)) return undefined;
  const name = callee.text;
  const action = cw.create.includes(name)
    ? 'create'
    : cw.update.includes(name)
      ? 'update'
      : cw.delete.includes(name)
        ? 'delete'
        : undefined;
  if (!action) return undefined;
  const ext = values.resolve(callee).map(externalName).find(Boolean);
  if (!ext || !cw.modules.some((m) => ext.module === m || ext.module.startsWith(`${m}/`))) return undefined;
  const onUsers = /User|Me$/.test(name);
  const model = onUsers ? cw.usersCollection : stringArg(call, values);
  const last = call.arguments[call.arguments.length - 1];
  const d = action !== 'delete' && last && (onUsers || call.arguments.length > 1) ? writeData(last, values) : undefined;
  return {
    model: model ? normalizeName(model) : undefined,
    action,
    dataKeys: d?.keys ?? [],
    ...(d
      ? { debits: d.debits, credits: d.credits, amounts: d.amounts, opaqueData: d.opaque, constants: d.constants }
      : {}),
  };
}

/**
 * Does the argument-less getter call at the root of `e` (`getDb()` in `getDb().apiKey.delete`) construct a client
 * of one of `modules` in its body (`new PrismaClient(…)`), whatever it keeps it in before returning it?
 */
function getterBuilds(e: ts.Expression, modules: string[], values: ValueResolver): boolean {
  let x = skipOuter(e);
  while (ts.isPropertyAccessExpression(x) || (ts.isCallExpression(x) && x.arguments.length === 0)) {
    if (ts.isCallExpression(x) && !ts.isPropertyAccessExpression(skipOuter(x.expression))) break;
    x = skipOuter(x.expression);
  }
  if (!ts.isCallExpression(x)) return false;
  for (const v of values.resolve(x.expression)) {
    if (v.kind !== 'function' || !v.node.body) continue;
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (ts.isNewExpression(n) && rootResolvesTo([], n.expression, modules, values)) found = true;
      else ts.forEachChild(n, visit);
    };
    visit(v.node.body);
    if (found) return true;
  }
  return false;
}

function rootResolvesTo(recvParts: string[], node: ts.Expression, modules: string[], values: ValueResolver): boolean {
  void recvParts;
  for (const v of values.resolve(node)) {
    const ext = externalName(v);
    if (ext && modules.some((m) => ext.module === m || ext.module.startsWith(`${m}/`))) return true;
    if (
      v.kind === 'call' &&
      v.callee.some((c) => {
        const e = externalName(c);
        return !!e && modules.some((m) => e.module === m || e.module.startsWith(`${m}/`));
      })
    )
      return true;
  }
  return false;
}

/** The call a project helper answers with, when it is one `test` accepts (`getRepository(User)`, `c.from('members')`). */
function answeredCall(
  x: ts.Expression,
  values: ValueResolver,
  test: (c: ts.CallExpression) => boolean,
): ts.CallExpression | undefined {
  for (const v of values.resolve(x))
    if (v.kind === 'call' && v.node !== x && ts.isCallExpression(v.node) && test(v.node)) return v.node;
  return undefined;
}

/** The table a call's first argument names: a string, a document path, or a table object (`webhooks`, `schema.users`). */
export function stringArg(call: ts.CallExpression, values: ValueResolver): string | undefined {
  const a = call.arguments[0];
  if (!a) return undefined;
  const s = evalString(a, values) ?? documentPathHead(a);
  if (s !== undefined) return s;
  const x = skipOuter(a);
  // a table object (`users`, `schema.users`, `tables.providerKey`): its own name less a `Table` suffix
  // (`usersTable`); a name too short to say anything (`t`) gives way to the one its definition gives it
  // (`pgTable('users', …)`), which may carry a project prefix (`gf_user`) and so comes second
  const own = ts.isIdentifier(x) ? x.text : ts.isPropertyAccessExpression(x) ? x.name.text : undefined;
  if (own === undefined) return undefined;
  const { tableDefinitions } = rules();
  const bare = modelName(normalizeName(own));
  if (bare.length >= 3 || !tableDefinitions) return bare;
  for (const v of values.resolve(x)) {
    if (v.kind !== 'call' || !ts.isCallExpression(v.node) || !tableDefinitions.test(calleeName(v.node))) continue;
    const first = v.node.arguments[0];
    if (first && ts.isStringLiteralLike(first)) return first.text;
  }
  return bare;
}

/** The calls chained on a builder's write that carry its data: `.values({...})`, `.set({...})`, `.update({...})`. */
export function chainedDataCalls(call: ts.CallExpression): ts.CallExpression[] {
  const out: ts.CallExpression[] = [];
  let cur: ts.Node = call;
  for (let i = 0; i < 4; i++) {
    const p = cur.parent;
    if (!p || !ts.isPropertyAccessExpression(p) || !p.parent || !ts.isCallExpression(p.parent)) break;
    if (['values', 'set', 'update', 'insert', 'upsert'].includes(p.name.text)) out.push(p.parent);
    cur = p.parent;
  }
  return out;
}

/** Data written by a builder chain: `.values({...})`, `.set({...})`, `.update({...})`. */
function chainData(
  call: ts.CallExpression,
  values: ValueResolver,
  /** The call's own arguments are the data (`knex('users').insert(object)`), not the table. */
  argsAreData = false,
): Pick<
  Effect,
  'dataKeys' | 'debits' | 'credits' | 'amounts' | 'opaqueData' | 'rawBody' | 'rawBodyPart' | 'constants' | 'nested'
> {
  const wd = emptyData();
  // the call's own arguments name the table (`db.update(users)`): keys only, never opaque data;
  // at the end of a chain that named the table already (`knex('users').insert(object)`) they are the data
  for (const a of call.arguments) if (!ts.isSpreadElement(a)) writeData(a, values, 0, wd);
  if (!argsAreData) wd.opaque = false;
  for (const link of chainedDataCalls(call))
    for (const a of link.arguments) if (!ts.isSpreadElement(a)) writeData(a, values, 0, wd);
  return {
    dataKeys: wd.keys,
    debits: wd.debits,
    credits: wd.credits,
    amounts: wd.amounts,
    opaqueData: wd.opaque,
    ...(wd.rawBody ? { rawBody: true } : {}),
    ...(wd.rawBodyPart ? { rawBodyPart: true } : {}),
    constants: wd.constants,
    nested: nestedEffects(call, wd),
    ...(wd.excluded.length ? { notKeys: wd.excluded } : {}),
    ...withInsertOnly(wd),
  };
}

const DIRECT = memo('effects.direct', () => new WeakMap<ts.CallExpression, Effect | null>());

/** Classifies one call as a direct side effect, or undefined (cached per call unless call-site bindings apply). */
export function directEffect(call: ts.CallExpression, values: ValueResolver): Effect | undefined {
  if (values.bound) return directEffectOf(call, values);
  const cache = values.session.get(DIRECT);
  const hit = cache.get(call);
  if (hit !== undefined) return hit ?? undefined;
  const e = directEffectOf(call, values);
  cache.set(call, e ?? null);
  return e;
}

/**
 * A document store's modular write (`updateDoc(doc(db, 'User', id), { apikey: null })`, `deleteDoc(ref)`): the
 * collection the reference names is the record, the second argument the data.
 */
function documentWrite(
  call: ts.CallExpression,
  values: ValueResolver,
  rules: EffectRules['orm']['documentWrites'],
): Partial<Effect> | undefined {
  const callee = skipOuter(call.expression);
  if (!rules || !ts.isIdentifier(callee) || !call.arguments.length) return undefined;
  const op = Object.hasOwn(rules.writes, callee.text) ? rules.writes[callee.text] : undefined;
  if (!op) return undefined;
  const fromStore = (e: ts.Expression): boolean =>
    values.resolve(e).some((v) => {
      const ext = externalName(v);
      return !!ext && rules.modules.includes(ext.module);
    });
  if (!fromStore(callee)) return undefined;
  const data = call.arguments[1] && op !== 'delete' ? writeData(call.arguments[1], values) : emptyData();
  const collection = documentCollection(call.arguments[0], values, rules, fromStore, 0);
  return documentWriteOf(collection, op, data);
}

/** A document store's write of a collection with its data. */
function documentWriteOf(collection: string | undefined, action: string, data: WriteData): Partial<Effect> {
  return {
    model: collection ? normalizeName(collection) : undefined,
    action,
    dataKeys: data.keys,
    debits: data.debits,
    credits: data.credits,
    amounts: data.amounts,
    opaqueData: data.opaque,
    constants: data.constants,
  };
}

/**
 * A write of a Firestore batch (`db.batch()`, `writeBatch(db)`) or of a transaction's callback parameter
 * (`db.runTransaction(async (t) => …)`) handed a document reference: `batch.set(ref, data)`, `t.update(ref, data)`,
 * `batch.delete(snapshot.docs[0].ref)`. The collection the reference names is the record.
 */
function documentRefWrite(
  call: ts.CallExpression,
  mc: { method: string; recv: ts.Expression },
  values: ValueResolver,
): Partial<Effect> | undefined {
  const c = rules();
  const r = c.r;
  if (!r.orm.firestoreWrites.includes(mc.method) || !call.arguments.length) return undefined;
  const modules = [...(r.orm.builderModules ?? []), ...(r.orm.documentWrites?.modules ?? [])];
  const rooted = (e: ts.Expression): boolean => isBuilderRoot(e, c.builderRoots, modules, values);
  // (`set` on a document made here, `col.doc()` given no id, writes a new record)
  const written = (collection: string, data: WriteData, ref?: ts.Expression): Partial<Effect> =>
    documentWriteOf(collection, mc.method === 'set' && ref && newDocument(ref, values) ? 'create' : mc.method, data);
  // a reference kept in a local and written (`const ref = db.collection('payouts').doc(id); await ref.update(data)`)
  if (ts.isIdentifier(skipOuter(mc.recv))) {
    const own = refCollection(mc.recv, values, rooted, 0);
    if (own) return written(own, mc.method !== 'delete' ? writeData(call.arguments[0], values) : emptyData(), mc.recv);
  }
  if (mc.method === 'add') return undefined;
  const batch = values.resolve(mc.recv).some((v) => {
    if (v.kind !== 'call' || !ts.isCallExpression(v.node)) return false;
    const m = methodCall(v.node);
    if (m) return m.method === 'batch' && rooted(m.recv);
    return calleeName(v.node) === 'writeBatch' && rooted(v.node.expression);
  });
  if (!batch && !isTransactionOf(mc.recv, c.builderRoots, modules, values)) return undefined;
  const collection = refCollection(call.arguments[0], values, rooted, 0);
  if (!collection) return undefined;
  return written(
    collection,
    call.arguments[1] && mc.method !== 'delete' ? writeData(call.arguments[1], values) : emptyData(),
    call.arguments[0],
  );
}

/**
 * The key of a document a Firestore write changes: `db.collection('users').doc(id).update(…)` and
 * `ref.set(…)` with `const ref = col.doc(id)` (the namespaced API), `updateDoc(doc(db, 'users', id), …)` (the
 * modular one). Undefined for any other write.
 */
export function documentKey(call: ts.CallExpression): ts.Expression | undefined {
  const callee = skipOuter(call.expression);
  const refOf = (x: ts.Expression | undefined, hop = 0): ts.CallExpression | undefined => {
    const v = x && skipOuter(x);
    if (!v) return undefined;
    if (ts.isIdentifier(v) && hop < 2) {
      const d = findDeclaration(v);
      return d && ts.isVariableDeclaration(d) && d.initializer ? refOf(d.initializer, hop + 1) : undefined;
    }
    return ts.isCallExpression(v) ? v : undefined;
  };
  const docKey = (r: ts.CallExpression | undefined): ts.Expression | undefined => {
    const f = r && skipOuter(r.expression);
    return r && f && ts.isPropertyAccessExpression(f) && f.name.text === 'doc' && r.arguments.length === 1
      ? r.arguments[0]
      : undefined;
  };
  if (ts.isPropertyAccessExpression(callee) && /^(set|update|delete|create)$/.test(callee.name.text))
    // (the reference written, or the one a batch or a transaction is handed: `t.update(toRef, { balance })`)
    return docKey(refOf(callee.expression)) ?? docKey(refOf(call.arguments[0]));
  if (ts.isIdentifier(callee) && /^(setDoc|updateDoc|deleteDoc)$/.test(callee.text)) {
    const ref = refOf(call.arguments[0]);
    const f = ref && skipOuter(ref.expression);
    if (!ref || !f || !ts.isIdentifier(f) || f.text !== 'doc' || ref.arguments.length < 3) return undefined;
    return ref.arguments[ref.arguments.length - 1];
  }
  return undefined;
}

/** A document reference made with no id (`db.collection('users').doc()`), in place or through a local: a new document. */
function newDocument(ref: ts.Expression, values: ValueResolver): boolean {
  const x = skipOuter(ref);
  const calls = ts.isCallExpression(x)
    ? [x]
    : values.resolve(x).flatMap((v) => (v.kind === 'call' && ts.isCallExpression(v.node) ? [v.node] : []));
  return calls.length > 0 && calls.every((c) => methodCall(c)?.method === 'doc' && c.arguments.length === 0);
}

/**
 * The collection a namespaced document reference of a store's client names: `db.collection('users').doc(id)`,
 * a sub-collection's (`….doc(uid).collection('payouts').doc(id)` → payouts), a query's document
 * (`snapshot.docs[0].ref`), through locals; or a modular one (`doc(db, 'users', id)`).
 */
function refCollection(
  ref: ts.Expression,
  values: ValueResolver,
  rooted: (e: ts.Expression) => boolean,
  depth: number,
): string | undefined {
  if (depth > 6) return undefined;
  const x = skipOuter(ref);
  if (ts.isPropertyAccessExpression(x) && /^(ref|docs)$/.test(x.name.text))
    return refCollection(x.expression, values, rooted, depth + 1);
  if (ts.isElementAccessExpression(x)) return refCollection(x.expression, values, rooted, depth + 1);
  if (ts.isCallExpression(x)) {
    const m = methodCall(x);
    // (on the client, or under a document of it)
    if (m?.method === 'collection')
      return rooted(m.recv) || refCollection(m.recv, values, rooted, depth + 1) ? stringArg(x, values) : undefined;
    if (m && /^(doc|get|where|orderBy|limit|select|startAfter|endBefore)$/.test(m.method))
      return refCollection(m.recv, values, rooted, depth + 1);
    const docs = rules().r.orm.documentWrites;
    const modular = !m && docs ? documentCollection(x, values, docs, rooted, 0) : undefined;
    if (modular || m) return modular;
    // a reference a project helper answers (`destinationsCollection(uid).doc()`)
    for (const v of values.resolve(x))
      if (v.kind === 'call' && v.node !== x && ts.isCallExpression(v.node)) {
        const found = refCollection(v.node, values, rooted, depth + 1);
        if (found) return found;
      }
    return undefined;
  }
  if (!ts.isIdentifier(x)) return undefined;
  for (const v of values.resolve(x)) {
    const n =
      v.kind === 'call'
        ? v.node
        : v.kind === 'member' && /^(ref|docs)$/.test(v.name) && 'node' in v.base
          ? v.base.node
          : undefined;
    const found = n && ts.isExpression(n) ? refCollection(n, values, rooted, depth + 1) : undefined;
    if (found) return found;
  }
  return undefined;
}

/**
 * A document client's write that names its collection as an argument (Appwrite
 * `databases.updateDocument(DATABASE_ID, RECIPIENTS_ID, id, data)`): the collection is the record.
 */
function collectionArgWrite(
  call: ts.CallExpression,
  values: ValueResolver,
  rules: EffectRules['orm']['collectionArgWrites'],
): Partial<Effect> | undefined {
  const mc = methodCall(call);
  if (!rules || !mc || !Object.hasOwn(rules.methods, mc.method)) return undefined;
  const m = rules.methods[mc.method];
  if (call.arguments.length <= Math.max(m.collection, m.data ?? 0)) return undefined;
  // the project's own method of that name is followed instead
  if (runsProjectCode(call, values)) return undefined;
  const fromModule = values.resolve(mc.recv).some((v) => {
    if (v.kind === 'call') return v.callee.some((c) => rules.modules.includes(externalName(c)?.module ?? ''));
    return rules.modules.includes(externalName(v)?.module ?? '');
  });
  if (!fromModule && !importsAny(call.getSourceFile(), rules.modules)) return undefined;
  const arg = call.arguments[m.collection];
  const named = evalString(arg, values);
  const x = skipOuter(arg);
  const own = ts.isIdentifier(x) ? x.text : ts.isPropertyAccessExpression(x) ? x.name.text : undefined;
  const collection = named ?? own?.replace(new RegExp(rules.idEndings, 'i'), '');
  const data = m.data !== undefined ? writeData(call.arguments[m.data], values) : emptyData();
  return namedWrite(collection, m.action, data);
}

/** A write of a record named by an argument (a collection, a table) with its data read, the request's body whole kept. */
function namedWrite(name: string | undefined, action: string, data: WriteData): Partial<Effect> {
  return { ...documentWriteOf(name, action, data), ...(data.rawBody ? { rawBody: true } : {}) };
}

const TABLE_ARG = compiled(() => {
  const w = rules().r.orm.tableArgWrites;
  return w ? { ...w, receivers: new RegExp(w.receivers), tableName: new RegExp(w.tableName) } : undefined;
});

/**
 * `db.updateOne('wallets', { naira_balance: x }, { user_id })`: a hand-written wrapper on a receiver named like a
 * database handle, called with the table's name first (rules/effects.json `orm.tableArgWrites`).
 */
function tableArgWrite(call: ts.CallExpression, values: ValueResolver): Partial<Effect> | undefined {
  const w = TABLE_ARG();
  const mc = methodCall(call);
  if (!w || !mc || !Object.hasOwn(w.methods, mc.method)) return undefined;
  const recv = skipOuter(mc.recv);
  const name = ts.isIdentifier(recv) ? recv.text : ts.isPropertyAccessExpression(recv) ? recv.name.text : undefined;
  if (!name || !w.receivers.test(name)) return undefined;
  // (a wrapper the scan can follow is read in its own body, whatever order it takes its filter and data in)
  if (runsProjectCode(call, values)) return undefined;
  const m = w.methods[mc.method];
  const arg = call.arguments[m.collection];
  const table =
    arg && ts.isStringLiteralLike(skipOuter(arg)) ? (skipOuter(arg) as ts.StringLiteralLike).text : undefined;
  if (!table || !w.tableName.test(table)) return undefined;
  // (the data and the filter in either order, `update('wallets', data, where)` or `update('wallets', where, data)`:
  // every object after the table is read, as the write's data)
  const data = emptyData();
  if (m.data !== undefined)
    for (const a of call.arguments.slice(m.collection + 1))
      if (ts.isObjectLiteralExpression(skipOuter(a))) writeData(a, values, 0, data);
  return namedWrite(table, m.action, data);
}

/**
 * Is the call's receiver a client one of these packages made (`managementClient.users.delete` with
 * `export const managementClient = new ManagementClient(…)` from `auth0`), or is the call in a file importing one?
 */
function clientOfModules(call: ts.CallExpression, modules: readonly string[], values: ValueResolver): boolean {
  if (importsAny(call.getSourceFile(), modules)) return true;
  const made = (v: Value): boolean => madeByPackage(v, modules);
  // the receiver's chain down to its root (`managementClient.users`, `getManagementClient().users`: a factory's
  // answer, whatever the factory is called)
  let recv: ts.Expression = call.expression;
  for (let i = 0; i < 6; i++) {
    if (!ts.isPropertyAccessExpression(recv) && !ts.isCallExpression(recv) && !ts.isElementAccessExpression(recv))
      return values.resolve(recv).some((v) => made(v));
    recv = skipOuter(recv.expression);
    if (ts.isCallExpression(recv) && values.resolve(recv).some((v) => made(v))) return true;
  }
  return false;
}

/** Does the file import one of these modules? */
function importsAny(sf: ts.SourceFile, modules: readonly string[]): boolean {
  return sf.statements.some(
    (st) =>
      ts.isImportDeclaration(st) &&
      ts.isStringLiteralLike(st.moduleSpecifier) &&
      modules.includes(st.moduleSpecifier.text),
  );
}

/** The collection at the head of a document path built around an id (`/Company/${id}`, `'User/' + uid`). */
function documentPathHead(e: ts.Expression): string | undefined {
  const x = skipOuter(e);
  const head = ts.isTemplateExpression(x)
    ? x.head.text
    : ts.isBinaryExpression(x) && x.operatorToken.kind === ts.SyntaxKind.PlusToken && ts.isStringLiteralLike(x.left)
      ? x.left.text
      : undefined;
  const m = head === undefined ? null : /^\/?([A-Za-z_][\w-]*)\/$/.exec(head);
  return m ? m[1] : undefined;
}

/** The collection a document reference names: `doc(db, 'User', id)`, `doc(db, 'User/' + id)`, `doc(collection(db, 'User'), id)`. */
function documentCollection(
  ref: ts.Expression,
  values: ValueResolver,
  rules: NonNullable<EffectRules['orm']['documentWrites']>,
  fromStore: (e: ts.Expression) => boolean,
  depth: number,
): string | undefined {
  if (depth > 3) return undefined;
  const x = skipOuter(ref);
  const calls = ts.isCallExpression(x)
    ? [x]
    : values.resolve(x).flatMap((v) => (v.kind === 'call' && ts.isCallExpression(v.node) ? [v.node] : []));
  for (const c of calls) {
    const name = skipOuter(c.expression);
    if (!ts.isIdentifier(name) || !rules.refs.includes(name.text) || !fromStore(name)) continue;
    const [first, second] = c.arguments;
    if (second) {
      const s = evalString(second, values) ?? documentPathHead(second);
      if (s !== undefined) return s.replace(/^\//, '').split('/')[0];
      const inner = first ? documentCollection(first, values, rules, fromStore, depth + 1) : undefined;
      if (inner) return inner;
    }
  }
  return undefined;
}

const LOG_METHODS = /^(log|info|warn|warning|error|debug|trace|fatal|verbose)$/;

/**
 * Every function the call may run is the project's own and calls no package (`hub.sendToAddress`
 * writing to sockets): what it does is in its body. A project wrapper handing the call on to a
 * package (`rpc.command('sendtoaddress', …)`, `pay({ request })`, `axios.post`), or one alternative
 * that is a package's (`signer` an `ethers.Wallet` in production, a stand-in otherwise), is not.
 */
function runsOnlyLocalCode(
  call: ts.CallExpression,
  values: ValueResolver,
  depth = 0,
  seen = new Set<ts.Node>(),
): boolean {
  const fns = values.resolve(call.expression);
  // a package's export, a member of one, or what one builds (`new Client(…)` of `bitcoin-core`); a client
  // handed in (`this.client.command(…)` on a constructor's parameter) may be one too
  const external = (x: Value): boolean =>
    x.kind === 'external' ||
    x.kind === 'param' ||
    (x.kind === 'member' && external(x.base)) ||
    (x.kind === 'call' && x.callee.some(external));
  return (
    fns.length > 0 &&
    fns.every((v) => {
      if (v.kind !== 'function' || !v.node.body) return false;
      if (seen.has(v.node)) return true;
      seen.add(v.node);
      // (through the project's own helpers it calls, `this.call('sendtoaddress', …)`, five levels down)
      return callsIn(v.node).every((c) => {
        // (a log line hands nothing on: `logger.info(…)` on a logging package)
        if (!ts.isCallExpression(c) || LOG_METHODS.test(calleeName(c))) return true;
        // the platform's own network calls (`fetch(url, { method: 'POST' })`) hand the request on
        if (ts.isIdentifier(c.expression) && rules().r.http.fetchFunctions.includes(c.expression.text)) return false;
        const callee = values.resolve(c.expression);
        if (callee.some(external)) return false;
        // (past the depth followed, what the helpers do is not known: not local)
        if (callee.some((x) => x.kind === 'function' && !!x.node.body))
          return depth < 5 && runsOnlyLocalCode(c, values, depth + 1, seen);
        return true;
      });
    })
  );
}

/** The class of a command object a client sends (`client.send(new DeleteAccessKeyCommand(input))`), or undefined. */
function sentCommand(call: ts.CallExpression): string | undefined {
  const callee = skipOuter(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'send' || call.arguments.length < 1)
    return undefined;
  let a = skipOuter(call.arguments[0]);
  // a command built first (`const command = new CreateAccessKeyCommand(input); await iam.send(command)`)
  if (ts.isIdentifier(a)) {
    const d = findDeclaration(a);
    if (d && ts.isVariableDeclaration(d) && d.initializer) a = skipOuter(d.initializer);
  }
  return ts.isNewExpression(a) && ts.isIdentifier(a.expression) ? a.expression.text : undefined;
}

/**
 * Does the call run a method of a project class whose text can write (rules `lookAheadWrites`): a service
 * object's `destroy = async (where) => Lock.destroy({ where })`? (An object literal standing in for a store,
 * `{ destroy: async (id) => rows.delete(id) }`, is the store: its call stays the write.)
 */
function runsWritingProjectCode(call: ts.CallExpression, values: ValueResolver): boolean {
  return values.resolve(call.expression).some((v) => {
    if (v.kind !== 'function' || !v.node.body) return false;
    const owner = ts.isMethodDeclaration(v.node) ? v.node.parent : v.node.parent?.parent;
    const inClass =
      !!owner &&
      ts.isClassLike(owner) &&
      (ts.isMethodDeclaration(v.node) || (!!v.node.parent && ts.isPropertyDeclaration(v.node.parent)));
    return inClass && rules().lookAhead.test(v.node.body.getText());
  });
}

/** The call runs a function the project defines (its body can be followed), whatever its name says. */
export function runsProjectCode(call: ts.CallExpression, values: ValueResolver): boolean {
  return values.resolve(call.expression).some((v) => v.kind === 'function' && !!v.node.body);
}

function directEffectOf(call: ts.CallExpression, values: ValueResolver): Effect | undefined {
  const {
    r,
    delegateRoots,
    repoRoots,
    builderRoots,
    payRoots,
    httpRoots,
    httpConfigCalls,
    identity,
    identityAny,
    moveMethods,
    contractMoves,
  } = rules();
  const direct = calleeParts(call.expression);
  // a client reached through a getter (`db.prisma().user.update`, `getDb().apiKey.create`)
  const gotten = direct ? undefined : getterParts(call.expression);
  const parts = direct ?? gotten;
  const text = direct ? direct.join('.') : call.expression.getText().replace(/\s+/g, '');
  const mc = methodCall(call);
  const base = (kind: EffectKind, extra: Partial<Effect>): Effect => ({
    kind,
    node: call,
    dataKeys: [],
    callee: text.length > 80 ? `${text.slice(0, 77)}...` : text,
    ...extra,
    ...(extra.model ? { model: modelName(extra.model) } : {}),
  });

  const doc =
    documentWrite(call, values, r.orm.documentWrites) ??
    collectionArgWrite(call, values, r.orm.collectionArgWrites) ??
    tableArgWrite(call, values);
  if (doc) return base('db-write', doc);

  const command = commandWrite(call, values);
  if (command) return base('db-write', command);

  const built = mc && queryBuilderWrite(call, mc, values);
  if (built) return base('db-write', built);

  if (parts && parts.length >= 3) {
    const method = parts[parts.length - 1];
    const model = parts[parts.length - 2];
    const root = parts.slice(0, -2).join('.');
    const recv = (skipOuter(call.expression) as ts.PropertyAccessExpression).expression;
    const payment = (): Effect =>
      base('payment', { model: normalizeName(model), action: method, dataKeys: objectKeys(call.arguments[0], values) });
    const delegate = (): Effect =>
      base('db-write', { model: normalizeName(model), action: method, ...callData(call, method, values) });
    const isPayVerb = r.payments.verbs.includes(method);
    const isDelegate =
      (r.orm.delegateMethods.includes(method) || !!r.orm.collectionMethods?.includes(method)) && !model.startsWith('$');
    // names first (cheap), then what the root resolves to
    if (isPayVerb && payRoots.test(root)) return payment();
    if (isDelegate && (delegateRoots.test(root) || (gotten && delegateRoots.test(parts[parts.length - 3]))))
      return delegate();
    // `prisma.$transaction(async (transaction) => transaction.user.update(…))`: the client the transaction runs on
    const txOuter =
      isDelegate && direct && parts.length === 3
        ? transactionClient((skipOuter(recv) as ts.PropertyAccessExpression).expression)
        : undefined;
    if (txOuter) {
      const outerParts = calleeParts(txOuter);
      if (
        outerParts &&
        (delegateRoots.test(outerParts.join('.')) ||
          rootResolvesTo(outerParts, txOuter, ['@prisma/client', '.prisma/client'], values))
      )
        return delegate();
    }
    if (isPayVerb && rootResolvesTo(parts, recv, r.payments.modules, values)) return payment();
    if (isDelegate && rootResolvesTo(parts, recv, ['@prisma/client', '.prisma/client'], values)) return delegate();
    // `getDb().apiKey.delete(…)`: a getter that builds the client (`globalThis.prisma ??= new PrismaClient()`)
    if (isDelegate && gotten && getterBuilds(call.expression, ['@prisma/client', '.prisma/client'], values))
      return delegate();
  }
  // a function a payment SDK exports, named verb then resource (`updateSubscription(id, { variantId })` of a
  // function-style SDK): a payment effect on that resource
  if (parts && parts.length === 1 && ts.isIdentifier(skipOuter(call.expression))) {
    const m = /^([a-z]+)([A-Z]\w*)$/.exec(parts[0]);
    if (m && r.payments.verbs.includes(m[1]) && rootResolvesTo(parts, call.expression, r.payments.modules, values))
      return base('payment', {
        model: normalizeName(m[2]),
        action: m[1],
        dataKeys: call.arguments.flatMap((a) => objectKeys(a, values)),
      });
  }
  // a client object of a payment SDK: `new Preference(client).create(…)`, `payments.refund(…)`
  if (parts && parts.length === 2 && r.payments.verbs.includes(parts[1])) {
    const recv = (skipOuter(call.expression) as ts.PropertyAccessExpression).expression;
    if (rootResolvesTo(parts, recv, r.payments.modules, values))
      return base('payment', {
        model: normalizeName(parts[0]),
        action: parts[1],
        dataKeys: objectKeys(call.arguments[0], values),
      });
  }
  // a method that moves money whatever the client (`lightning.sendPayment()`, `wallet.sendTransaction(tx)`);
  // the project's own method of that name (`hub.sendToAddress(address, message)` on a socket service) is
  // followed instead, its body saying what it does, unless it hands the request on to a node or a
  // service (`rpc.post('/', { method: 'sendtoaddress' })`): a wrapper over the wallet's API
  if (
    mc &&
    moveMethods?.test(mc.method) &&
    skipOuter(mc.recv).kind !== ts.SyntaxKind.ThisKeyword &&
    !runsOnlyLocalCode(call, values)
  ) {
    const recvParts = calleeParts(mc.recv);
    return base('payment', {
      model: normalizeName(recvParts?.[recvParts.length - 1] ?? 'client'),
      action: mc.method,
      dataKeys: call.arguments.flatMap((a) => objectKeys(a, values)),
    });
  }
  // a token contract's transfer named by a chain client's call options (`writeContract({ functionName: 'transfer' })`,
  // the call data a smart wallet executes): a library's call, not the project's own function
  const fnName =
    contractMoves && call.arguments.length === 1 ? optionText(call.arguments[0], 'functionName', values) : undefined;
  if (fnName && contractMoves?.test(fnName) && !runsProjectCode(call, values))
    return base('payment', {
      model: 'contract',
      action: fnName,
      callee: `contract.${fnName}`,
      dataKeys: objectKeys(call.arguments[0], values),
    });
  // a command object an SDK client sends (AWS SDK v3 `iam.send(new CreateAccessKeyCommand({ UserName }))`): the
  // command's class says what the call does, matched as `send:<Class>`
  const cmd = sentCommand(call);
  const maybeIdentity = !identityAny || identityAny.test(text) || (!!cmd && identityAny.test(`send:${cmd}`));
  for (const id of maybeIdentity ? identity : []) {
    if (!id.re.test(text) && !(cmd && id.re.test(`send:${cmd}`))) continue;
    if (id.modules && !clientOfModules(call, id.modules, values)) continue;
    const written = call.arguments.map((a) => identityData(a, values));
    const dataKeys = written.flatMap((w) => w.keys);
    // a call whose written keys are all seen and name none of the credentials (`updateUser({ data: { name } })`) changes no credential
    // (metadata that cannot be read may hold what the rule is about only where the rule says metadata carries it: a role)
    if (
      (id.keys || id.keyRe) &&
      dataKeys.length &&
      !(id.metadata && written.some((w) => w.opaqueNested)) &&
      !dataKeys.some((k) => id.keys?.includes(k.toLowerCase()) || id.keyRe?.test(k))
    )
      continue;
    return base('identity', { category: id.category, action: parts?.[parts.length - 1], dataKeys });
  }
  if (mc) {
    const recvParts = calleeParts(mc.recv);
    const recvText = recvParts?.join('.');
    // Mongoose / Sequelize statics: User.updateOne(...), and `this.updateOne(...)` inside a static method of the model's class
    if (
      recvParts &&
      recvParts.length >= 1 &&
      // (also a model named as one in camel case: `userModel.findByIdAndDelete(id)`)
      (namedAsModel(recvParts[recvParts.length - 1]) ||
        // a model held by a registry of models (`models.usersTeam`, `db.models.user`)
        (recvParts.length >= 2 && !!r.orm.modelRegistries?.includes(recvParts[recvParts.length - 2]))) &&
      r.orm.staticMethods.includes(mc.method) &&
      // a project namespace or object whose member is a function (`Card.create` in `namespace Card`) is followed instead
      !runsProjectCode(call, values) &&
      // a query-builder client named like a model (`Database.update(members)`, made by `drizzle(…)`) takes the table
      !(
        r.orm.builderWrites.includes(mc.method) &&
        call.arguments.length >= 1 &&
        rootResolvesTo(recvParts, mc.recv, r.orm.builderModules ?? [], values)
      )
    ) {
      return base('db-write', {
        model: normalizeName(heldModel(mc.recv, values) ?? recvParts[recvParts.length - 1]),
        action: repoAction(call, mc.method, values),
        ...callData(call, mc.method, values),
      });
    }
    // a Mongoose query a model's finder starts and a write ends (`Student.findById(id).updateOne({ pin })`,
    // `User.find(q).deleteMany()`): a write of that model's records
    const query = ts.isCallExpression(skipOuter(mc.recv))
      ? methodCall(skipOuter(mc.recv) as ts.CallExpression)
      : undefined;
    const queryParts = query ? calleeParts(query.recv) : undefined;
    if (
      query &&
      /^(find|findOne|findById|where)$/.test(query.method) &&
      queryParts?.length &&
      namedAsModel(queryParts[queryParts.length - 1]) &&
      /^(updateOne|updateMany|update|deleteOne|deleteMany|remove|replaceOne)$/.test(mc.method) &&
      r.orm.staticMethods.includes(mc.method) &&
      !runsProjectCode(call, values)
    )
      return base('db-write', {
        model: normalizeName(heldModel(query.recv, values) ?? queryParts[queryParts.length - 1]),
        action: repoAction(call, mc.method, values),
        ...callData(call, mc.method, values),
      });
    // a model a project method hands out (`this.getModel().findOneAndDelete(q)` with `getModel() { return User; }`)
    const handedOut =
      r.orm.staticMethods.includes(mc.method) && ts.isCallExpression(skipOuter(mc.recv))
        ? handedOutModel(skipOuter(mc.recv) as ts.CallExpression, values)
        : undefined;
    if (handedOut && !runsProjectCode(call, values))
      return base('db-write', {
        model: normalizeName(handedOut),
        action: repoAction(call, mc.method, values),
        ...callData(call, mc.method, values),
      });
    // a receiver not named as a model whose value is one a definition made (a generic service's `model.create(data)`
    // with `model` given `UsersModel`, `sequelize.define('users', …)`)
    const defined =
      r.orm.staticMethods.includes(mc.method) && !runsProjectCode(call, values)
        ? definedModel(mc.recv, values)
        : undefined;
    if (defined)
      return base('db-write', {
        model: normalizeName(defined),
        action: repoAction(call, mc.method, values),
        ...callData(call, mc.method, values),
      });
    const staticModel =
      recvParts?.length === 1 && recvParts[0] === 'this' && r.orm.staticMethods.includes(mc.method)
        ? staticClassModel(call)
        : undefined;
    if (staticModel)
      return base('db-write', {
        model: normalizeName(staticModel),
        action: repoAction(call, mc.method, values),
        ...callData(call, mc.method, values),
      });
    // a handle on a collection kept in a local or a field (`const users = db.collection('users')`; `users.updateOne(…)`),
    // or asked for where it is written to (`db.collection('user').findOneAndUpdate(…)`, the MongoDB driver)
    if (r.orm.staticMethods.includes(mc.method)) {
      const recv = skipOuter(mc.recv);
      const asked = ts.isCallExpression(recv) ? methodCall(recv) : undefined;
      const table =
        asked?.method === 'collection'
          ? stringArg(recv as ts.CallExpression, values)
          : ts.isCallExpression(recv)
            ? undefined
            : collectionHandle(mc.recv, values, r.orm.builderTableCalls);
      if (table)
        return base('db-write', {
          model: normalizeName(table),
          action: repoAction(call, mc.method, values),
          ...callData(call, mc.method, values),
        });
    }
    // a collection kept whole under one key of a key-value store (`users.push(u); await db.set('users', users)`)
    const kv = r.keyValue;
    // …or in a JSON file (`fs.writeFileSync(usersFile, JSON.stringify(users))`): the file's name names it
    const file =
      kv?.fileWriteMethods?.includes(mc.method) &&
      recvParts &&
      call.arguments.length >= 2 &&
      rootResolvesTo(recvParts, mc.recv, kv.fileModules ?? [], values)
        ? jsonFileCollection(call.arguments[0], values)
        : undefined;
    if (
      file ||
      (kv?.writeMethods.includes(mc.method) && recvParts && rootResolvesTo(recvParts, mc.recv, kv.modules, values))
    ) {
      const w = collectionWrite(call, values, file);
      if (w) {
        const data = emptyData();
        for (const rec of w.records) {
          const d = writeData(rec, values);
          // `{ ...user, password }` in `users.map((user) => …)`: the record's other fields are kept, not written
          if (d.opaque && spreadsOnlyItsParameter(rec)) d.opaque = false;
          mergeData(data, d);
        }
        data.keys.push(...w.assigned);
        return base('db-write', {
          model: normalizeName(w.collection),
          action: w.op,
          dataKeys: data.keys,
          debits: data.debits,
          credits: data.credits,
          opaqueData: w.opaque || data.opaque,
          constants: data.constants,
        });
      }
    }
    // a record removed by its key (`storage.removeItem(`user-${id}`)`)
    if (
      kv?.deleteMethods?.includes(mc.method) &&
      call.arguments.length === 1 &&
      recvParts &&
      rootResolvesTo(recvParts, mc.recv, kv.modules, values)
    ) {
      const key = skipOuter(call.arguments[0]);
      const tail = ts.isTemplateExpression(key) ? key.templateSpans[key.templateSpans.length - 1].literal.text : '';
      const collection = /[A-Za-z]/.test(tail) ? undefined : collectionOf(call.arguments[0], values);
      if (collection) return base('db-write', { model: normalizeName(collection), action: 'delete', dataKeys: [] });
    }
    // a Sequelize association mixin on a record: `user.setRoles(roles)`, `role.addPermission(p)` (not a project function)
    const mixin = /^(set|add|remove)([A-Z]\w*)$/.exec(mc.method);
    if (
      mixin &&
      call.arguments.length &&
      r.orm.associationMixins?.includes(mixin[2].toLowerCase()) &&
      skipOuter(mc.recv).kind !== ts.SyntaxKind.ThisKeyword &&
      !runsProjectCode(call, values)
    )
      return base('db-write', {
        model: normalizeName(recvParts?.[recvParts.length - 1] ?? 'record'),
        action: mixin[1] === 'add' ? 'create' : 'update',
        dataKeys: [mixin[2].toLowerCase()],
      });
    // Repositories: userRepository.save(...) (a project class named a repository, whose method is its own code
    // — `workspaceRepository.delete(id)` running `db.delete(workspace)` —, is followed instead)
    if (
      ((recvText && repoRoots.test(recvText)) || handedRepository(mc.recv)) &&
      r.orm.repoMethods.includes(mc.method) &&
      !values
        .resolve(call.expression)
        .some((v) => v.kind === 'function' && !!v.node.body && !extendsAnotherClass(v.node))
    ) {
      const model =
        call.arguments[0] && isCapitalized(skipOuter(call.arguments[0]).getText())
          ? skipOuter(call.arguments[0]).getText()
          : modelOfReceiver(mc.recv, values);
      return base('db-write', {
        model: model ? normalizeName(model) : undefined,
        action: repoAction(call, mc.method, values),
        ...callData(call, mc.method, values),
      });
    }
    if (ts.isCallExpression(skipOuter(mc.recv))) {
      const inner = skipOuter(mc.recv) as ts.CallExpression;
      const innerParts = calleeParts(inner.expression);
      // getRepository(User).save(...)
      if (
        innerParts &&
        /getRepository|getCustomRepository|getMongoRepository/.test(innerParts[innerParts.length - 1]) &&
        r.orm.repoMethods.includes(mc.method)
      ) {
        return base('db-write', {
          model: normalizeName(stringArg(inner, values) ?? ''),
          action: repoAction(call, mc.method, values),
          ...callData(call, mc.method, values),
        });
      }
      // this.users().save(...) with `static users = () => getRepository(User)`: a project function handing out a repository
      if (r.orm.repoMethods.includes(mc.method)) {
        const made = answeredCall(inner, values, (c) =>
          /^(getRepository|getCustomRepository|getMongoRepository)$/.test(calleeName(c)),
        );
        if (made)
          return base('db-write', {
            model: normalizeName(stringArg(made, values) ?? ''),
            action: repoAction(call, mc.method, values),
            ...callData(call, mc.method, values),
          });
      }
      // supabase.from('users').update(), knex('users').insert(), db.collection('users').doc(id).set()
      if (r.orm.builderWrites.includes(mc.method) || r.orm.firestoreWrites.includes(mc.method)) {
        let table: string | undefined;
        let cur: ts.Expression = inner;
        for (let i = 0; i < 5 && ts.isCallExpression(cur); i++) {
          const m = methodCall(cur);
          if (m && r.orm.builderTableCalls.includes(m.method)) {
            if (m.method !== 'doc' || !table) table = stringArg(cur, values) ?? table;
            if (m.method === 'collection' || m.method === 'from' || m.method === 'table' || m.method === 'into') break;
          } else if (
            (!m || clientCalledWithTable(cur, m.method, m.recv, r)) &&
            isBuilderRoot(cur.expression, builderRoots, r.orm.builderModules ?? [], values)
          ) {
            // `knex('users')`, and `(trx || knex)('users')`: a transaction or the client, whichever is given;
            // `database.client('users')`: a client kept on an instance and called
            if (m) {
              table = stringArg(cur, values);
              cur = cur.expression;
              break;
            }
            table = stringArg(cur, values);
            break;
          }
          if (!m) {
            // a table handle a project helper returns (`getMembersTable(client).update(…)` with
            // `getMembersTable = (c) => c.from('members')`): the chain goes on in the helper's answer
            const made = answeredCall(cur, values, (c) =>
              r.orm.builderTableCalls.includes(methodCall(c)?.method ?? ''),
            );
            if (!made) break;
            cur = made;
            continue;
          }
          cur = skipOuter(m.recv);
          if (!ts.isCallExpression(cur)) break;
        }
        const rootX = ts.isCallExpression(cur) ? (methodCall(cur)?.recv ?? cur.expression) : cur;
        if (
          table &&
          (r.orm.builderWrites.includes(mc.method) || r.orm.firestoreWrites.includes(mc.method)) &&
          isBuilderRoot(rootX, builderRoots, r.orm.builderModules ?? [], values)
        ) {
          return base('db-write', { model: normalizeName(table), action: mc.method, ...chainData(call, values, true) });
        }
      }
    }
    // a Firestore batch or transaction handed a document reference (`batch.delete(db.collection('users').doc(id))`,
    // `transaction.update(payoutRef, { status })`): the reference's collection is the record, the second argument the data
    const refWrite = documentRefWrite(call, mc, values);
    if (refWrite) return base('db-write', refWrite);
    // drizzle / kysely: db.insert(transfers).values(...), db.update(users).set(...), db.deleteFrom('x')
    if (
      r.orm.builderWrites.includes(mc.method) &&
      call.arguments.length >= 1 &&
      // a client of any name made by a query-builder package (`const kdb = new Kysely(…)`, `export const orm = drizzle(…)`),
      // or handed out by a project function called in place (`orm(c).update(user)` with `orm = (c) => drizzle(c.env.db)`)
      ((recvParts && builderRoots.test(recvText ?? '')) ||
        ((recvParts || ts.isCallExpression(skipOuter(mc.recv))) &&
          rootResolvesTo(recvParts ?? [], mc.recv, r.orm.builderModules ?? [], values)) ||
        // a transaction callback's parameter, whatever it is called (`db.transaction(async (transaction) => …)`)
        isTransactionOf(mc.recv, builderRoots, r.orm.builderModules ?? [], values))
    ) {
      return base('db-write', {
        model: normalizeName(stringArg(call, values) ?? ''),
        action: mc.method,
        ...chainData(call, values),
      });
    }
    // Instances: user.save() after `user.password = hash`, doc.destroy(), and a record loaded by a finder updated in place
    // (`const user = await User.findByPk(id); await user.update({ role })`)
    const instanceUpdate =
      r.orm.instanceUpdates.includes(mc.method) &&
      // (`record.delete()` takes nothing: `map.delete(key)` on a list a finder returned is not it)
      (mc.method === 'delete'
        ? call.arguments.length === 0
        : call.arguments.length >= 1 || /^(remove|deleteOne|destroy)$/.test(mc.method)) &&
      loadedByFinder(mc.recv, values);
    if (
      (r.orm.instanceMethods.includes(mc.method) &&
        call.arguments.length <= 2 &&
        // (a project object's own method that writes, `lockService.destroy(where)` on `new LockService()`, is
        // followed instead; `this.save()` in a record's own method is the record's, and a method whose body can
        // write nothing, a stand-in store's `save: async (u) => u`, leaves the call the write)
        !(skipOuter(mc.recv).kind !== ts.SyntaxKind.ThisKeyword && runsWritingProjectCode(call, values))) ||
      instanceUpdate
    ) {
      const recv = skipOuter(mc.recv);
      // `this.save()` in a schema's document method (`walletSchema.methods.deposit = function (n) { this.totalBalance += n; … }`)
      // (or in a method of a class that keeps its own state: `this.main.apiKey = key; this.save()`)
      const own = recv.kind === ts.SyntaxKind.ThisKeyword ? (schemaMethodOf(call) ?? classMethodOf(call)) : undefined;
      const model = own?.model ?? modelOfReceiver(mc.recv, values);
      const assigned = own
        ? thisAssignments(own.fn)
        : ts.isIdentifier(recv)
          ? fieldAssignments(recv, values, call)
          : ts.isPropertyAccessExpression(recv)
            ? memberAssignments(recv, call)
            : emptyData();
      // `const doc = new UserModel(data); await doc.save()`: what the record was built from is written
      // too, and the save creates it
      const built = ts.isIdentifier(recv) && !instanceUpdate ? constructedData(recv, values) : undefined;
      if (built) mergeData(assigned, built.data);
      const data = instanceUpdate
        ? callData(call, mc.method, values)
        : { dataKeys: [], debits: [], credits: [], opaqueData: false, constants: {} };
      return base('db-write', {
        model: model ? normalizeName(model) : undefined,
        // the save creates a record built here, and updates one a finder loaded (`findById(id)` … `invitation.save()`)
        action: /^(save|\$save)$/.test(mc.method)
          ? built?.constructed
            ? 'create'
            : loadedByFinder(mc.recv, values)
              ? 'update'
              : mc.method
          : mc.method,
        dataKeys: [...assigned.keys, ...data.dataKeys],
        debits: [...assigned.debits, ...(data.debits ?? [])],
        credits: [...assigned.credits, ...(data.credits ?? [])],
        amounts: { ...assigned.amounts, ...data.amounts },
        opaqueData: assigned.opaque || data.opaqueData,
        ...(data.rawBody || assigned.rawBody ? { rawBody: true } : {}),
        ...(data.rawBodyPart || assigned.rawBodyPart ? { rawBodyPart: true } : {}),
        constants: { ...assigned.constants, ...data.constants },
        nested: nestedEffects(call, assigned, false)?.map((n) => ({ ...n, subDocument: true })),
      });
    }
    // Outgoing writes: axios.post(url, body)
    if (
      r.http.clientWrites.includes(mc.method) &&
      call.arguments.length >= 1 &&
      ((recvText && httpRoots.test(recvText)) || httpClient(mc.recv, values))
    ) {
      return base('http', {
        action: mc.method,
        dataKeys: objectKeys(call.arguments[1], values),
        target: urlPath(call.arguments[0], values),
      });
    }
  }
  // fetch(url, { method: 'POST' })
  if (parts && r.http.fetchFunctions.includes(parts.join('.')) && call.arguments[1]) {
    const opts = skipOuter(call.arguments[1]);
    if (ts.isObjectLiteralExpression(opts)) {
      const m = opts.properties.find((p) => p.name && propertyNameText(p.name) === 'method');
      const method = m && ts.isPropertyAssignment(m) ? evalString(m.initializer, values) : undefined;
      const target = urlPath(call.arguments[0], values);
      if (method && method.toUpperCase() !== 'GET' && method.toUpperCase() !== 'HEAD')
        return base('http', { action: method.toLowerCase(), dataKeys: [], target });
      if (m && !method) return base('http', { action: 'request', dataKeys: [], target });
    }
  }
  // axios({ method: 'post', url, data }), axios(url, { method: 'POST', data }), got({ method, url, json })
  if (parts && httpConfigCalls?.test(parts.join('.'))) {
    const asked = requestConfig(call, values);
    if (asked) return base('http', asked);
  }
  // a statement prepared and not run here (`db.prepare(sql)`, a project's `safePrepare(sql, name)` kept in a
  // table of statements) writes nothing yet: the write is where it is run (`ops.setAdmin.run(1, id)`)
  const prepared = preparedStatementRun(call, values);
  if (prepared) return base('sql-write', prepared);
  if (PREPARES.test(calleeName(call)) && keptForLater(call)) return undefined;
  // SQL text with a write statement anywhere in the arguments
  // the statement's parameters: an array literal beside the text (`pool.query(text, [a, b])`)
  const paramList = call.arguments
    .map((b) => skipOuter(b))
    .find((b): b is ts.ArrayLiteralExpression => ts.isArrayLiteralExpression(b));
  for (const a of call.arguments) {
    // with no parameter list, a template's spans are the values (`SET balance='${balance}'`)
    const inline = skipOuter(a);
    const sql =
      !paramList && ts.isTemplateExpression(inline)
        ? sqlWrite(
            a,
            values,
            inline.templateSpans.map((s) => s.expression),
            true,
          )
        : sqlWrite(a, values, paramList ? [...paramList.elements] : undefined);
    // positional parameters holding a password hash: the statement stores a password, whatever the column
    const secret = call.arguments.some(
      (b) =>
        b !== a &&
        (ts.isArrayLiteralExpression(skipOuter(b))
          ? (skipOuter(b) as ts.ArrayLiteralExpression).elements.some((el) => isSecretHash(el))
          : isSecretHash(b)),
    );
    // `UPDATE customer SET ? WHERE ID = ?` with `[new Customer(req), id]`: the object's keys
    const setData = sql?.setObject !== undefined && paramList?.elements[sql.setObject] ? emptyData() : undefined;
    if (setData) writeData(paramList!.elements[sql!.setObject!], values, 0, setData);
    if (sql)
      return base('sql-write', {
        ...sqlEffectData(sql, call, values),
        dataKeys: [...sql.columns, ...(setData?.keys ?? []), ...(secret ? [SECRET_HASH_KEY] : [])],
        debits: [...sql.debits, ...(setData?.debits ?? [])],
        credits: [...sql.credits, ...(setData?.credits ?? [])],
        opaqueData: setData ? setData.opaque : sql.opaque,
      });
  }
  // a package's minting call by its name; the project's own `createApiKey()` is followed into instead
  if (
    parts &&
    mintNamed(call, parts, values) &&
    !values.resolve(call.expression).some((v) => v.kind === 'function' && !!v.node.body && !mintsOnly(v.node, values))
  )
    return base('mint', { action: 'mint', dataKeys: [] });
  // a generator a minting call made (`const genId = customAlphabet(alphabet, 21)`; `genId(29)`)
  if (parts && !mintsIdentifier(call) && generatorOfMint(call, values))
    return base('mint', { action: 'mint', dataKeys: [] });
  return undefined;
}

/**
 * Random sources a hand-rolled generator picks characters with (rules `mint.randomSources`, also on `crypto.`),
 * as a callee pattern and as a text pattern for a module not parsed yet. (A helper around a minting call of
 * the rules, `randomBytes`, is followed into: the call inside is the mint.)
 */
const RANDOM = compiled(() => {
  const names = (rules().r.mint.randomSources ?? []).map((n) => n.replace(/[.$]/g, (c) => `\\${c}`));
  const any = names.length ? names.join('|') : '(?!)';
  return { callee: new RegExp(`^(crypto\\.)?(${any})$`), text: new RegExp(any) };
});

/**
 * A project function that writes nothing and builds what it returns from a random source (`genRandomKey(150)`
 * picking characters with `Math.random()`), whatever it is called: a mint. `fns` are the functions the call
 * runs when already resolved; otherwise the callee is resolved only when its module's text draws randomness.
 */
function randomMint(c: ts.CallExpression, values: ValueResolver, fns?: readonly Value[]): Effect | undefined {
  if (mintsIdentifier(c)) return undefined;
  if (!fns) {
    const target = values.importedFile(c.expression);
    if (target && !values.isParsed(target) && !values.textMatches(target, RANDOM().text)) return undefined;
  }
  const makes = (fns ?? values.resolve(c.expression)).some(
    (v) => v.kind === 'function' && !!v.node.body && drawsRandom(v.node) && mintsOnly(v.node, values),
  );
  if (!makes) return undefined;
  const parts = calleeParts(c.expression);
  return {
    kind: 'mint',
    node: c,
    action: 'mint',
    dataKeys: [],
    callee: parts ? parts.join('.') : shortText(c.expression),
  };
}

/** Does a function's own body (not a nested function's) call a random source? Syntax only, kept per function. */
function drawsRandom(fn: FunctionNode): boolean {
  const known = randomCache.get(fn);
  if (known !== undefined) return known;
  let random = false;
  const visit = (n: ts.Node): void => {
    if (random) return;
    if (ts.isCallExpression(n)) {
      const p = calleeParts(n.expression);
      const text = p?.join('.');
      if (text && RANDOM().callee.test(text)) random = true;
    }
    if (!random && !isFunctionNode(n)) ts.forEachChild(n, visit);
  };
  if (fn.body) ts.forEachChild(fn.body, visit);
  randomCache.set(fn, random);
  return random;
}
const randomCache = new WeakMap<ts.Node, boolean>();

/**
 * Columns a statement writes from a parameter whose value is a constant, here or where a helper is
 * called (`createAuthToken(id, 'set_password')` → `INSERT INTO auth_tokens (…, type) VALUES (…, $3)`).
 */
function boundConstants(call: ts.CallExpression, values: ValueResolver): Record<string, string> {
  return constantSlots([...insertParams(call, values), ...setParams(call, values)], values) ?? {};
}

/** Columns a statement's WHERE clause compares with a constant parameter (undefined when none). */
function whereConstants(call: ts.CallExpression, values: ValueResolver): Record<string, string> | undefined {
  return constantSlots(whereParams(call, values), values);
}

/** The columns of a statement's placeholders whose parameter is a constant, with it (undefined when none). */
function constantSlots(
  slots: readonly { column: string; value: ts.Expression }[],
  values: ValueResolver,
): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const p of slots) {
    const v = evalString(p.value, values);
    // (a value that may be one of several, `isFirstUser ? 'admin' : 'user'`, is each of them: CHOICES-joined)
    if (v !== undefined) (out ??= {})[p.column] = severalLiterals(p.value, values) ?? v;
  }
  return out;
}

/** The literals an expression may hold when there are several (`cond ? 'admin' : 'user'`), joined by CHOICES. */
function severalLiterals(e: ts.Expression, values: ValueResolver): string | undefined {
  const x = skipOuter(e);
  if (ts.isStringLiteralLike(x) || ts.isNumericLiteral(x)) return undefined;
  const lits = new Set(
    values.resolve(x).flatMap((v) => (v.kind === 'literal' && v.value !== undefined ? [String(v.value)] : [])),
  );
  return lits.size > 1 ? [...lits].join(CHOICES) : undefined;
}

/** Joins the literals a constant may be (`closed` or `deactivated`): a value rule matches when one of them does. */
export const CHOICES = '\u0001';

/** `name = customAlphabet(…)`: a name (a pattern of names) assigned a minting call's result, as text. */
function mintAssignment(name: string, flags?: string): RegExp {
  return new RegExp(`\\b(${name})\\s*=\\s*(?:[\\w$]+\\.)?(?:${rules().r.mint.calls.join('|')})\\s*\\(`, flags);
}

/** Every name assigned a minting call's result somewhere in the scanned sources (`genId = customAlphabet(…)`). */
const MINTED_NAMES = memo('effects.mintedNames', () => {
  let names: Set<string> | undefined;
  return (values: ValueResolver): Set<string> => {
    if (names) return names;
    names = new Set<string>();
    const re = mintAssignment('[A-Za-z_$][\\w$]*', 'g');
    // (a file that calls no minting function at all is passed over by a cheap test first)
    const anyMint = new RegExp(`(?:${rules().r.mint.calls.join('|')})\\s*\\(`);
    for (const file of values.store.known) {
      const text = values.store.text(file, false);
      if (text && anyMint.test(text)) for (const m of text.matchAll(re)) names.add(m[1]);
    }
    return names;
  };
});

/**
 * Is the callee the function a package's minting call returned (nanoid's `customAlphabet(…)`)? A module
 * not parsed yet is looked at as text first, so that asking never parses what the effect walk's
 * look-ahead would have left unread.
 */
function generatorOfMint(call: ts.CallExpression, values: ValueResolver): boolean {
  const x = skipOuter(call.expression);
  if (!ts.isIdentifier(x)) return false;
  const d = findDeclaration(x);
  if (!d) return false;
  const calls = rules().r.mint.calls;
  // (names the scanned sources give a minting call's result, gathered once per scan from their text; a
  // name imported from a module outside them, a workspace package's, is looked for in that module's text)
  const gathered = values.session.get(MINTED_NAMES)(values);
  if (ts.isVariableDeclaration(d)) {
    if (!gathered.has(x.text)) return false;
    const init = d.initializer && skipOuter(d.initializer);
    if (!init || !ts.isCallExpression(init) || !calls.includes(calleeName(init))) return false;
  } else if (ts.isImportSpecifier(d)) {
    const name = (d.propertyName ?? d.name).text;
    const file = values.importedFile(x);
    if (!file || (!gathered.has(x.text) && !gathered.has(name) && values.store.known.has(file))) return false;
    if (!values.isParsed(file) && !values.textMatches(file, mintAssignment(name))) return false;
  } else return false;
  const made = values.resolve(x);
  return (
    made.length > 0 &&
    made.every((v) => v.kind === 'call' && ts.isCallExpression(v.node) && calls.includes(calleeName(v.node)))
  );
}

/** A string or template literal holding a write statement (rules/effects.json `sql.write`). */
function sqlLiteral(a: ts.Expression): boolean {
  const x = skipOuter(a);
  const text = ts.isStringLiteralLike(x) ? x.text : ts.isTemplateExpression(x) ? x.head.text : undefined;
  return text !== undefined && rules().sql.test(text);
}

/**
 * A project function that only computes and returns a value (`generateApiKey()`: random bytes, formatted): a
 * mint, with no write of its own to follow. One that hands the work to another project function that is no
 * pure mint (`createApiKey(req, res)` calling `this.apiKeyService.generateApiKey(…)`, which inserts) writes.
 */
function mintsOnly(fn: FunctionNode, values: ValueResolver, depth = 0): boolean {
  let writes = false;
  const visit = (n: ts.Node): void => {
    if (writes) return;
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(skipOuter(n.expression))) {
      const name = (skipOuter(n.expression) as ts.PropertyAccessExpression).name.text;
      if (rules().r.orm.builderWrites.includes(name) || rules().mintWrites?.test(name)) writes = true;
    }
    // a write statement handed to any call (`query(`UPDATE s SET secret = $1 …`, [x])`, a project helper's too)
    if (ts.isCallExpression(n) && n.arguments.some((a) => sqlLiteral(a))) writes = true;
    if (!writes && depth < 3 && ts.isCallExpression(n))
      writes = values
        .resolve(n.expression)
        .some((v) => v.kind === 'function' && !!v.node.body && v.node !== fn && !mintsOnly(v.node, values, depth + 1));
    if (!writes) ts.forEachChild(n, visit);
  };
  if (fn.body) visit(fn.body);
  return !writes;
}

/** The name a minted value is stored under (`const requestId = h.get('x') ?? randomUUID()`) says whether it is a secret. */
function mintsIdentifier(call: ts.CallExpression): boolean {
  let n: ts.Node = call;
  for (let i = 0; i < 6 && n.parent; i++) {
    const p: ts.Node = n.parent;
    if (ts.isParenthesizedExpression(p) || ts.isAwaitExpression(p) || ts.isAsExpression(p) || ts.isNonNullExpression(p))
      n = p;
    else if (
      ts.isBinaryExpression(p) &&
      [ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken].includes(p.operatorToken.kind)
    )
      n = p;
    else if (
      ts.isPropertyAccessExpression(p) &&
      p.expression === n &&
      ts.isCallExpression(p.parent) &&
      /^(toString|slice|substring|replace|replaceAll|toLowerCase|toUpperCase)$/.test(p.name.text)
    )
      n = p.parent;
    else break;
  }
  const p = n.parent;
  let name: string | undefined;
  if (p && ts.isVariableDeclaration(p) && p.initializer === n && ts.isIdentifier(p.name)) name = p.name.text;
  else if (p && ts.isPropertyAssignment(p) && p.initializer === n) name = propertyNameText(p.name);
  else if (p && ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.right === n)
    name = accessName(p.left) ?? (ts.isIdentifier(p.left) ? p.left.text : undefined);
  // a header's value (`res.set('X-Trace-Id', uuid())`, `c.header('x-request-id', id())`): named by the header
  else if (p && ts.isCallExpression(p) && p.arguments[1] === n && rules().idHeaders?.setters.test(calleeName(p))) {
    const header = skipOuter(p.arguments[0]);
    if (ts.isStringLiteralLike(header)) return rules().idHeaders!.names.test(header.text);
  }
  return !!name && rules().idTargets.test(name);
}

/** The statement texts an argument may hold: one, or one per value a local is given. */
export function sqlTexts(e: ts.Node, values?: ValueResolver): string[] {
  const x = ts.isExpression(e) ? skipOuter(e) : e;
  // the statement held in a local first (`const query = `UPDATE users SET …`; pool.query(query, values)`);
  // a `let` given one statement per branch (`if (add) sql = '… + ?'; else sql = '… - ?'`) holds each of them
  if (ts.isIdentifier(x)) {
    const d = findDeclaration(x);
    // (a module's `let query` or an undeclared name, set by this function before the call: that statement)
    const before =
      values && (!d || (ts.isVariableDeclaration(d) && !(d.parent.flags & ts.NodeFlags.Const)))
        ? values.assignedBefore(x, d)
        : [];
    if (before.length) return before.flatMap((b) => sqlTexts(b, values));
    if (!d || !ts.isVariableDeclaration(d)) return [];
    const sources = values ? values.sourcesOf(d) : d.initializer ? [d.initializer] : [];
    return sources.flatMap((s) => sqlText(s, values) ?? []);
  }
  // a statement kept in a table of statements (`queries.changePin`, an object exported by a queries module),
  // run with its parameters beside it (`db.any(queries.changePin, [id, hash])`) or prepared
  if (values && (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) && runsStatement(e))
    return values
      .resolve(x)
      .flatMap((v) => (v.kind === 'literal' || v.kind === 'unknown' ? (sqlText(v.node, values) ?? []) : []));
  // (one statement or another, `plan === 'free' ? 'UPDATE users SET plan …' : 'UPDATE users SET role …'`: either)
  if (ts.isConditionalExpression(x)) return [...sqlTexts(x.whenTrue, values), ...sqlTexts(x.whenFalse, values)];
  const text = sqlText(x, values);
  return text ? [text] : [];
}

/** Is `e` handed to a call that runs a statement: with a parameter list beside it, or a prepare? */
function runsStatement(e: ts.Node): boolean {
  let n = e;
  while (n.parent && ts.isParenthesizedExpression(n.parent)) n = n.parent;
  const call = n.parent;
  if (!call || !ts.isCallExpression(call) || !call.arguments.includes(n as ts.Expression)) return false;
  return (
    PREPARES.test(calleeName(call)) || call.arguments.some((a) => a !== n && ts.isArrayLiteralExpression(skipOuter(a)))
  );
}

function sqlText(e: ts.Node, values?: ValueResolver): string | undefined {
  const x = ts.isExpression(e) ? skipOuter(e) : e;
  if (ts.isStringLiteralLike(x)) return x.text;
  if (ts.isTemplateExpression(x))
    return (
      x.head.text +
      x.templateSpans
        .map((s) => ` ${tableNamed(s.expression, values) ?? joinedPushes(s.expression) ?? '?'} ${s.literal.text}`)
        .join('')
    );
  return undefined;
}

/**
 * A list of clauses built one push at a time and joined into the text (`updates.push(`email = $${i++}`)`,
 * then `SET ${updates.join(', ')}`): the clauses' literal heads, so that their columns are read.
 */
function joinedPushes(e: ts.Expression): string | undefined {
  const x = skipOuter(e);
  if (!ts.isCallExpression(x) || !ts.isPropertyAccessExpression(x.expression) || x.expression.name.text !== 'join')
    return undefined;
  const list = skipOuter(x.expression.expression);
  const d = ts.isIdentifier(list) ? findDeclaration(list) : undefined;
  if (!d || !ts.isVariableDeclaration(d)) return undefined;
  const parts = localUses(d).flatMap((id) => {
    const used = outermost(id);
    const push = used.parent;
    if (!ts.isPropertyAccessExpression(push) || push.expression !== used || push.name.text !== 'push') return [];
    const call = push.parent;
    if (!ts.isCallExpression(call) || call.expression !== push) return [];
    return call.arguments.flatMap((a) => {
      const v = skipOuter(a);
      const head = ts.isStringLiteralLike(v) ? v.text : ts.isTemplateExpression(v) ? v.head.text : undefined;
      return head === undefined ? [] : [`${head}?`];
    });
  });
  return parts.length ? parts.join(', ') : undefined;
}

/**
 * A table object interpolated into SQL text (drizzle's `` sql`INSERT INTO ${conversations} …` ``):
 * the table, named as the query builder names it (the object's name).
 */
function tableNamed(e: ts.Expression, values: ValueResolver | undefined): string | undefined {
  const x = skipOuter(e);
  const name = ts.isIdentifier(x) ? x.text : ts.isPropertyAccessExpression(x) ? x.name.text : undefined;
  if (!name || !values) return undefined;
  const { tableDefinitions } = rules();
  const defined = values.resolve(x).some((v) => {
    if (!tableDefinitions || v.kind !== 'call' || !ts.isCallExpression(v.node)) return false;
    const parts = calleeParts(v.node.expression);
    return !!parts && tableDefinitions.test(parts[parts.length - 1]);
  });
  return defined ? name : undefined;
}

/**
 * The path of a URL a request is sent to (`https://api.example.com/transfer` → `/transfer`); a part
 * that cannot be known (`${base}`, `${id}`) is written `:`. Undefined when nothing of it is known.
 */
/**
 * A client a package made (`const Server = axios.create({ baseURL })`, `ky.extend(…)`), or the package's own
 * export, whatever the project calls it: its `post`/`put`/`patch`/`delete` send a request.
 */
function httpClient(recv: ts.Expression, values: ValueResolver): boolean {
  const modules = rules().r.http.clientModules;
  if (!modules?.length) return false;
  return values.resolve(recv).some((v) => madeByPackage(v, modules));
}

/** Is the value one of these packages' exports, what calling one answers, or a member of either? */
function madeByPackage(v: Value, modules: readonly string[], depth = 0): boolean {
  return (
    depth < 8 &&
    ((v.kind === 'external' && modules.includes(v.module)) ||
      (v.kind === 'call' && v.callee.some((c) => madeByPackage(c, modules, depth + 1))) ||
      (v.kind === 'member' && madeByPackage(v.base, modules, depth + 1)))
  );
}

/**
 * A client called with a request object that names its method (`axios({ method: 'post', url, data })`,
 * or a URL then the object): the write it asks for, or undefined for a read or an object with no method.
 */
function requestConfig(
  call: ts.CallExpression,
  values: ValueResolver,
): Pick<Effect, 'action' | 'dataKeys' | 'target'> | undefined {
  const objectOf = (e: ts.Expression | undefined): ts.ObjectLiteralExpression | undefined => {
    if (!e) return undefined;
    const x = skipOuter(e);
    if (ts.isObjectLiteralExpression(x)) return x;
    const v = values.resolve(x).find((o) => o.kind === 'object');
    return v?.kind === 'object' && ts.isObjectLiteralExpression(v.node) ? v.node : undefined;
  };
  const [first, second] = call.arguments;
  const afterUrl = objectOf(second);
  const cfg = afterUrl ?? objectOf(first);
  if (!cfg) return undefined;
  const prop = (name: string): ts.Expression | undefined => {
    const p = cfg.properties.find((q) => q.name && propertyNameText(q.name) === name);
    return p && ts.isPropertyAssignment(p)
      ? p.initializer
      : p && ts.isShorthandPropertyAssignment(p)
        ? p.name
        : undefined;
  };
  const m = prop('method');
  if (!m) return undefined;
  const method = evalString(m, values);
  if (method !== undefined && /^(get|head|options)$/i.test(method)) return undefined;
  const body = (rules().r.http.configBody ?? []).map(prop).find((b) => b !== undefined);
  return {
    action: method ? method.toLowerCase() : 'request',
    dataKeys: objectKeys(body, values),
    target: urlPath(afterUrl ? first : prop('url'), values),
  };
}

function urlPath(arg: ts.Expression | undefined, values: ValueResolver): string | undefined {
  if (!arg) return undefined;
  const x = skipOuter(arg);
  let text = evalString(x, values);
  if (text === undefined && ts.isTemplateExpression(x))
    text =
      x.head.text + x.templateSpans.map((s) => `${evalString(s.expression, values) ?? ':'}${s.literal.text}`).join('');
  if (text === undefined) return undefined;
  const path = text.replace(/^[a-z]+:\/\/[^/]*/i, '').replace(/[?#].*$/, '');
  return path.startsWith('/') || path.startsWith(':') ? path : `/${path}`;
}

/** A call that prepares a statement for later runs (`prepare`, `safePrepare`, `prepareStatement`, `prepareCached`). */
const PREPARES = /^(\w*[a-z_])?(prepare|Prepare)(Statement|Cached|Query)?$/;
/** Methods of a prepared statement that execute it (a write's text decides whether it writes). */
const RUNS = /^(run|execute|exec|executeUpdate|all|first|get|raw|iterate)$/;
/** Methods that bind a prepared statement's parameters and hand it back (D1's `stmt.bind(a, b)`). */
const BINDS = /^(bind|bindParams|params)$/;

/**
 * Is a prepared statement kept to be run later (a property of a table of statements, a factory's result),
 * rather than run where it is prepared (`db.prepare(sql).bind(a).run()`, awaited or handed on)? A local
 * holding one (`const stmt = db.prepare(sql)`) counts as the write where it is prepared, as it is most
 * often run in the same function.
 */
function keptForLater(call: ts.CallExpression): boolean {
  let x: ts.Node = call;
  while (ts.isParenthesizedExpression(x.parent) || ts.isAsExpression(x.parent) || ts.isNonNullExpression(x.parent))
    x = x.parent;
  const p = x.parent;
  return (
    (ts.isPropertyAssignment(p) && p.initializer === x) ||
    ts.isReturnStatement(p) ||
    (ts.isArrowFunction(p) && p.body === x)
  );
}

const STATEMENT_TABLES = memo('effects.statementTables', () => ({
  index: undefined as Map<string, string[]> | undefined,
  keeps: undefined as boolean | undefined,
}));
const STATEMENT_ENTRY =
  /(?:^|[\s{,])([A-Za-z_$][\w$]*)\s*:\s*(?:[\w$]+\.)*\w*[pP]repare(?:Statement|Cached|Query)?\s*\(/g;
/** A prepared statement handed back for later runs (`return db.prepare(sql)`, `(sql) => db.prepare(sql)`). */
const STATEMENT_RETURNED = /(?:\breturn\s+|=>\s*)(?:[\w$]+\.)*\w*[pP]repare(?:Statement|Cached|Query)?\s*\(/;

/**
 * Does any source keep a prepared statement for later (in a table of statements, or returned by a factory)?
 * Decided once per scan from the sources' text, so that the common `.get()`/`.all()` calls of a project that
 * keeps none are never resolved in search of one.
 */
function keepsStatements(values: ValueResolver): boolean {
  const { store } = values.session;
  const slot = values.session.get(STATEMENT_TABLES);
  slot.keeps ??= [...store.known].some((file) => {
    const text = store.text(file, false);
    return (
      !!text &&
      /[pP]repare/.test(text) &&
      (new RegExp(STATEMENT_ENTRY.source).test(text) || STATEMENT_RETURNED.test(text))
    );
  });
  return slot.keeps;
}

/**
 * The prepare calls the project keeps in tables of statements under `key` (`{ setAdmin: safePrepare(sql, …) }`),
 * found once per scan from the sources' text; a file is parsed only when it keeps one under that key.
 */
function statementsKeptAs(key: string, values: ValueResolver): ts.CallExpression[] {
  const { store } = values.session;
  const slot = values.session.get(STATEMENT_TABLES);
  if (!slot.index) {
    const index = new Map<string, string[]>();
    for (const file of [...store.known].sort()) {
      const text = store.text(file, false);
      if (!text || !/[pP]repare/.test(text)) continue;
      for (const m of text.matchAll(STATEMENT_ENTRY)) {
        const files = index.get(m[1]) ?? [];
        if (!files.includes(file)) index.set(m[1], [...files, file]);
      }
    }
    slot.index = index;
  }
  const out: ts.CallExpression[] = [];
  const files = slot.index.get(key) ?? [];
  // (a key two tables share, `remove` of bookmarks and of users, names neither)
  if (files.length !== 1) return out;
  for (const file of files) {
    const sf = store.get(file);
    if (!sf) continue;
    forEachNode(sf, (n) => {
      if (!ts.isPropertyAssignment(n) || propertyNameText(n.name) !== key) return;
      const init = skipOuter(n.initializer);
      if (ts.isCallExpression(init) && PREPARES.test(calleeName(init))) out.push(init);
    });
  }
  return out.length === 1 ? out : [];
}

/**
 * `stmt.run(a, b)` on a statement prepared elsewhere (`const stmt = db.prepare('UPDATE …')`, `ops.setAdmin`
 * from a table of `safePrepare(sql, name)` calls): the write of the statement's text, with the run's arguments
 * as its parameters.
 */
function preparedStatementRun(call: ts.CallExpression, values: ValueResolver): Partial<Effect> | undefined {
  const callee = skipOuter(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const batch = callee.name.text === 'batch' && call.arguments.length > 0;
  if ((!batch && !RUNS.test(callee.name.text)) || !keepsStatements(values)) return undefined;
  // `db.batch([q.deleteUser.bind(id), q.deleteKeys.bind(id)])` (D1): each statement of the list is run
  if (batch) {
    const list = skipOuter(call.arguments[0]);
    if (!ts.isArrayLiteralExpression(list)) return undefined;
    const found = list.elements.flatMap((el) => statementWrite(skipOuter(el), [], call, values) ?? []);
    if (!found.length) return undefined;
    // (the batch's other writes beside the first, each on its own table)
    const text = call.expression.getText().replace(/\s+/g, '').slice(0, 80);
    const rest = found.slice(1).map((f) => ({ kind: 'sql-write' as const, node: call, callee: text, ...f }) as Effect);
    return rest.length ? { ...found[0], nested: rest } : found[0];
  }
  return statementWrite(skipOuter(callee.expression), call.arguments, call, values);
}

/** The write of the kept statement `recv` holds (through `.bind(…)`), read with the arguments it is run with. */
function statementWrite(
  start: ts.Expression,
  runArgs: readonly ts.Expression[],
  call: ts.CallExpression,
  values: ValueResolver,
): Partial<Effect> | undefined {
  let recv = start;
  // (`stmt.bind(a).run()`: the statement the binding hands back)
  let args: readonly ts.Expression[] = runArgs;
  while (
    ts.isCallExpression(recv) &&
    ts.isPropertyAccessExpression(skipOuter(recv.expression)) &&
    BINDS.test(calleeName(recv))
  ) {
    args = recv.arguments;
    recv = skipOuter((skipOuter(recv.expression) as ts.PropertyAccessExpression).expression);
  }
  // (`db.prepare(sql).run()`: the prepare call itself is the write, read with its own arguments)
  if (ts.isCallExpression(recv) && PREPARES.test(calleeName(recv))) return undefined;
  const preparedCalls = values
    .resolve(recv)
    .flatMap((v) => (v.kind === 'call' && ts.isCallExpression(v.node) ? [v.node] : []))
    .filter((c) => PREPARES.test(calleeName(c)));
  // a table of statements reached through something the analysis cannot follow (a Proxy that hands out
  // `dbOps[prop]`): the statement the project's tables keep under that key
  if (!preparedCalls.length && ts.isPropertyAccessExpression(recv))
    preparedCalls.push(...statementsKeptAs(recv.name.text, values));
  for (const prepare of preparedCalls) {
    // (one prepared where a local holds it is the write already)
    if (!keptForLater(prepare)) continue;
    for (const a of prepare.arguments) {
      const sql = sqlWrite(a, values, [...args]);
      if (sql) return sqlEffectData(sql, call, values);
    }
  }
  return undefined;
}

/** The write a statement makes, as the effect of `node` (a tagged template, a database function's call). */
function statementEffect(sql: SqlWrite, node: ts.CallExpression | ts.TaggedTemplateExpression, callee: string): Effect {
  return {
    kind: 'sql-write',
    node,
    model: normalizeName(sql.table),
    action: sql.verb,
    dataKeys: sql.columns,
    debits: sql.debits,
    credits: sql.credits,
    callee,
  };
}

/**
 * `db.rpc('wallet_spend', { … })`: a database function the project defines in its .sql files, called by name
 * (rules/effects.json `sql.storedFunctions`): the writes its body makes (analysis/sql-functions.ts).
 */
function storedFunctionEffect(c: ts.CallExpression, values: ValueResolver): Effect | undefined {
  const calls = rules().r.sql.storedFunctions;
  const callee = skipOuter(c.expression);
  if (!calls || !ts.isPropertyAccessExpression(callee) || !calls.callMethods.includes(callee.name.text))
    return undefined;
  const a = c.arguments[0];
  const name = a && evalString(a, values);
  const stored = name ? storedFunction(values.session, name, c.getSourceFile().fileName) : undefined;
  // (a body that checks a password or the session's assurance before it writes guards itself where the analysis
  // cannot follow: the call stays what its name says)
  if (!name || !stored || stored.verifies) return undefined;
  const via: Effect[] = stored.writes.flatMap((text): Effect[] => {
    const s = sqlStatement(text, undefined, false);
    return s ? [{ ...statementEffect(s, c, `${name} (database function)`), constants: s.constants }] : [];
  });
  if (!via.length) return undefined;
  return {
    kind: 'call',
    node: c,
    dataKeys: [],
    callee: `${shortText(c.expression)}('${name}')`,
    via,
    model: via[0].model,
    action: via[0].action,
  };
}

/** What a write statement run by `call` writes: its table, columns, balance moves and constants. */
function sqlEffectData(sql: SqlWrite, call: ts.CallExpression, values: ValueResolver): Partial<Effect> {
  return {
    model: normalizeName(sql.table),
    action: sql.verb,
    dataKeys: sql.columns,
    debits: sql.debits,
    credits: sql.credits,
    opaqueData: sql.opaque,
    constants: { ...boundConstants(call, values), ...sql.constants },
    filters: whereConstants(call, values),
  };
}

export function sqlWrite(
  e: ts.Node,
  values?: ValueResolver,
  /** The statement's parameters in order (`pool.query(text, [a, b])`, a tagged template's spans): `$1`/`?` name them. */
  params?: readonly ts.Expression[],
  /** The parameters are the template's spans: they stand for the `?`s only when none of them names a table. */
  spans = false,
): SqlWrite | undefined {
  // one statement per branch: the writes of each, joined when they change the same table
  let out: SqlWrite | undefined;
  for (const text of sqlTexts(e, values)) {
    const one = sqlStatement(text, params, spans);
    if (!one) continue;
    if (!out) out = one;
    else if (one.table === out.table) {
      for (const k of ['columns', 'debits', 'credits'] as const)
        for (const c of one[k]) if (!out[k].includes(c)) out[k].push(c);
      out.opaque ||= one.opaque;
      // (a constant only when every statement sets it so)
      for (const c of Object.keys(out.constants)) if (one.constants[c] !== out.constants[c]) delete out.constants[c];
    }
  }
  return out;
}

/** A literal written as a statement's value (`false`, `'deleted'`, `0`), as text; undefined for anything else. */
function sqlValueLiteral(text: string): string | undefined {
  const literal = /^(?:'([^']*)'|"([^"]*)"|(true|false|null|-?\d+(?:\.\d+)?))$/i.exec(text.trim());
  return literal ? (literal[1] ?? literal[2] ?? literal[3].toLowerCase()) : undefined;
}

interface SqlWrite {
  verb: string;
  table: string;
  columns: string[];
  debits: string[];
  credits: string[];
  opaque: boolean;
  /** Columns set to a constant change (`uses = uses - 1`). */
  constants: Record<string, string>;
  /** `SET ?`: the parameter (by position) whose object's keys are the columns. */
  setObject?: number;
}

function sqlStatement(
  text: string,
  params: readonly ts.Expression[] | undefined,
  spans: boolean,
): SqlWrite | undefined {
  if (!text) return undefined;
  if (spans && (text.match(/\?/g) ?? []).length !== params?.length) params = undefined;
  const m = rules().sql.exec(text);
  if (!m) return undefined;
  const found = m.slice(2).find(Boolean) ?? '';
  const table = found === '?' ? '' : found;
  const verb = m[1].trim().split(/\s+/)[0].toLowerCase();
  const columns: string[] = [];
  const debits: string[] = [];
  const credits: string[] = [];
  const constants: Record<string, string> = {};
  const set = /\bset\s+(.+?)(?:\bwhere\b|$)/is.exec(text);
  // `?` placeholders are numbered by their order in the statement
  let questions = set ? (text.slice(0, set.index + set[0].indexOf(set[1])).match(/\?/g) ?? []).length : 0;
  const firstSetParam = questions;
  if (set)
    for (const c of set[1].split(',')) {
      const col = /^\s*[`"']?(\w+)[`"']?\s*=\s*(.*)$/s.exec(c);
      // a quoted span (`balance='${balance}'`) stands for its value like a bare `?`
      const placeholder = col?.[2].trim().replace(/^(['"])\s*\?\s*\1$/, '?');
      const at =
        placeholder === '?' ? questions : /^\$\d+$/.test(placeholder ?? '') ? Number(placeholder!.slice(1)) - 1 : -1;
      questions += (c.match(/\?/g) ?? []).length;
      if (!col) continue;
      columns.push(col[1]);
      // `SET balance = $1` with `[wallet.balance - amount, id]`: the parameter says how it changes
      const value = at >= 0 ? params?.[at] : undefined;
      if (value) {
        if (isDecrease(value, col[1])) debits.push(col[1]);
        else if (isIncrease(value, col[1])) credits.push(col[1]);
        continue;
      }
      // `SET balance = balance - ?`; `SET uses = uses - 1` (the whole value): a counter of uses stepped down by one,
      // a constant change and no amount (a balance raised by one is still raised: an operator's grant)
      const minus = new RegExp(`^[\`"']?${col[1]}[\`"']?\\s*-\\s*(\\S+)`, 'i').exec(col[2].trim());
      if (minus && minus[1] !== '1') debits.push(col[1]);
      else if (minus && minus[0] === col[2].trim()) constants[col[1]] = '-1';
      // `SET balance = balance + ?`
      const plus = new RegExp(`^[\`"']?${col[1]}[\`"']?\\s*\\+\\s*(\\S+)`, 'i').exec(col[2].trim());
      if (plus && plus[1] !== '1') credits.push(col[1]);
      // `SET is_active = false`, `SET status = 'deleted'`: a literal the statement writes
      const literal = sqlValueLiteral(col[2]);
      if (literal !== undefined && constants[col[1]] === undefined) constants[col[1]] = literal;
    }
  const ins = /insert\s+(?:or\s+\w+\s+)?into\s+[`"']?\w+[`"']?\s*\(([^)]*)\)/is.exec(text);
  if (ins) {
    const cols = ins[1].split(',').map((c) => c.trim().replace(/[`"']/g, ''));
    columns.push(...cols);
    // `VALUES (?, ?, ?)` with `[userId, amount, before + amount]`: a running balance raised from the last one
    const vals = /\)\s*values\s*\(([^)]*)\)/is.exec(text.slice(ins.index));
    const slots = vals ? vals[1].split(',').map((v) => v.trim()) : [];
    let q = 0;
    slots.forEach((slot, i) => {
      const at = slot === '?' ? q++ : /^\$\d+$/.test(slot) ? Number(slot.slice(1)) - 1 : -1;
      const value = at >= 0 ? params?.[at] : undefined;
      if (value && cols[i] && isIncrease(value, cols[i])) credits.push(cols[i]);
      else if (value && cols[i] && isDecrease(value, cols[i])) debits.push(cols[i]);
      // `VALUES ($1, 0, 'user')`: a literal the statement writes (a balance opened at 0, a role set to `user`)
      const literal = at < 0 && cols[i] ? sqlValueLiteral(slot) : undefined;
      if (literal !== undefined) constants[cols[i]] = literal;
    });
  }
  // `SET ${assignments}`: the columns are built out of sight; `SET ?` (mysql's object placeholder): those of the
  // object that parameter holds
  const opaque = !!set && /^\s*\?/.test(set[1]);
  const setObject = opaque && /^\s*\?\s*(where\b|$)/is.test(set[1]) ? firstSetParam : undefined;
  return { verb, table, columns, debits, credits, opaque, constants, setObject };
}

/**
 * What a look into another module must be able to find to be worth parsing it. Verification wants
 * every write; classification only writes a category cares about (`terms`: normalised words).
 */
export interface EffectScope {
  name: string;
  terms?: readonly string[];
}

export const ALL_WRITES: EffectScope = { name: 'all' };

/** Per scan: effect summaries and per-call effects, one cache per scope; functions being summarised. */
const SUMMARIES = memo('effects.summaries', () => new Map<string, WeakMap<ts.Node, Effect[]>[]>());
const CALLS = memo('effects.calls', () => new Map<string, WeakMap<ts.Node, Effect | null>[]>());
const IN_PROGRESS = memo('effects.inProgress', () => new WeakSet<ts.Node>());

/** The cache of one scope at one depth (by scope name, then depth: no key string built per call). */
function cacheOf<V>(
  caches: Map<string, WeakMap<ts.Node, V>[]>,
  scope: EffectScope,
  depth: number,
): WeakMap<ts.Node, V> {
  let byDepth = caches.get(scope.name);
  if (!byDepth) caches.set(scope.name, (byDepth = []));
  return (byDepth[depth] ??= new WeakMap());
}

/** Calls a function makes, excluding those inside nested function declarations it does not call. */
const callsCache = new WeakMap<ts.Node, (ts.CallExpression | ts.TaggedTemplateExpression)[]>();

export function callsIn(fn: FunctionNode | ts.Node): (ts.CallExpression | ts.TaggedTemplateExpression)[] {
  const hit = callsCache.get(fn);
  if (hit) return hit;
  const body = isFunctionNode(fn) ? fn.body : fn;
  const out: (ts.CallExpression | ts.TaggedTemplateExpression)[] = [];
  if (body) {
    // without recursion: a body may nest deeper than the stack
    const visit = (n: ts.Node): boolean | void => {
      if (ts.isCallExpression(n) || ts.isTaggedTemplateExpression(n)) out.push(n);
      if (ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n)) return false;
      // A function defined but not run here (a callback stored in a config object, a local helper)
      // is not this function's side effect; callbacks passed to a call are.
      if ((ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isMethodDeclaration(n)) && !handedToCall(n))
        return false;
      // A callback registered for later (`bot.command('x', cb)`, `emitter.on('y', cb)`) does not run as part of this call.
      if (
        (ts.isArrowFunction(n) || ts.isFunctionExpression(n)) &&
        n.parent &&
        ts.isCallExpression(n.parent) &&
        registers(n.parent)
      )
        return false;
    };
    // an expression-bodied arrow (`(id) => prisma.key.delete(…)`): the body is itself a call
    if (ts.isBlock(body)) forEachNode(body, (n) => (n === body ? undefined : visit(n)));
    else forEachNode(body, visit);
  }
  // cached once complete (a walk stopped part-way must not leave a partial list behind)
  callsCache.set(fn, out);
  return out;
}

/** A function handed to a call, or a step of a list handed to one (`async.waterfall([function (cb) {…}, …])`). */
function handedToCall(n: ts.Node): boolean {
  const p = n.parent;
  const isCall = (x: ts.Node | undefined): boolean => !!x && (ts.isCallExpression(x) || ts.isNewExpression(x));
  return isCall(p) || (!ts.isMethodDeclaration(n) && !!p && ts.isArrayLiteralExpression(p) && isCall(p.parent));
}

/** A call that registers a callback for later rather than running it (rules/effects.json `registrationCalls`). */
function registers(call: ts.CallExpression): boolean {
  const c = skipOuter(call.expression);
  const name = ts.isPropertyAccessExpression(c) ? c.name.text : ts.isIdentifier(c) ? c.text : '';
  return rules().registration.test(name);
}

/**
 * Every side effect of a function, in source order, following project calls `depth` levels
 * (handler → service → repository is two).
 */
export function effectsOf(
  fn: FunctionNode,
  values: ValueResolver,
  depth = 2,
  scope: EffectScope = ALL_WRITES,
): Effect[] {
  const cache = cacheOf(values.session.get(SUMMARIES), scope, depth);
  const cached = values.bound ? undefined : cache.get(fn);
  if (cached) return cached;
  const inProgress = values.session.get(IN_PROGRESS);
  if (inProgress.has(fn)) return [];
  inProgress.add(fn);
  const out: Effect[] = [];
  try {
    for (const c of callsIn(fn)) {
      values.budget.step('effect summaries');
      const e = effectOfCall(c, values, depth, scope);
      if (e) out.push(e);
    }
  } finally {
    // a walk stopped by its budget must not leave the function marked as being summarised
    inProgress.delete(fn);
  }
  if (!values.bound) cache.set(fn, out);
  return out;
}

/** The effect of one call: direct, or through the project function it calls. Cached per call. */
export function effectOfCall(
  c: ts.CallExpression | ts.TaggedTemplateExpression,
  values: ValueResolver,
  depth = 2,
  scope: EffectScope = ALL_WRITES,
): Effect | undefined {
  if (values.bound) return effectOfCallUncached(c, values, depth, scope);
  const cache = cacheOf(values.session.get(CALLS), scope, depth);
  const hit = cache.get(c);
  if (hit !== undefined) return hit ?? undefined;
  const e = effectOfCallUncached(c, values, depth, scope);
  cache.set(c, e ?? null);
  return e;
}

/** `await SQLConnection.getConnection()`, `getDb()`: a call named as handing out a connection or client (rules/effects.json). */
function handsOutConnection(c: ts.CallExpression): boolean {
  const re = connectionGetters();
  return !!re && re.test(calleeName(c));
}

const connectionGetters = compiled(() => {
  const s = ruleFile('effects').orm.connectionGetters;
  return s ? new RegExp(s) : undefined;
});

function effectOfCallUncached(
  c: ts.CallExpression | ts.TaggedTemplateExpression,
  values: ValueResolver,
  depth: number,
  scope: EffectScope,
): Effect | undefined {
  if (ts.isTaggedTemplateExpression(c)) {
    const spans = ts.isTemplateExpression(c.template) ? c.template.templateSpans.map((s) => s.expression) : [];
    const sql = sqlWrite(c.template, values, spans, true);
    return sql ? statementEffect(sql, c, shortText(c.tag)) : undefined;
  }
  const direct = directEffect(c, values);
  if (direct) return direct;
  const stored = storedFunctionEffect(c, values);
  if (stored) return stored;
  // the project's own minting helper whose writes cannot be seen is still a mint (`createApiKey()` around a package)
  const mintByName = (fns?: readonly Value[]): Effect | undefined =>
    ts.isCallExpression(c) ? (namedMint(c) ?? randomMint(c, values, fns)) : undefined;
  // (past the depth followed, only a name says mint)
  if (depth <= 0) return ts.isCallExpression(c) ? namedMint(c) : undefined;
  // Before parsing an imported module to look into a call, check its text can write anything at all.
  // (a call handing over code of its own, `protectedMutation({ operation: () => … })`, may run it there:
  // what the module writes itself does not matter)
  const target = values.importedFile(c.expression);
  if (target && !values.isParsed(target) && !(ts.isCallExpression(c) && handsOverCode(c))) {
    if (!values.textMatches(target, rules().lookAhead)) return mintByName();
    // (a call named for creating a group is read whatever words its module uses: a team or an organisation
    // created beside a membership makes that membership its founder's own)
    if (scope.terms && !values.textHasAnyTerm(target, scope.terms) && !createsGroup(c)) return mintByName();
  }
  // a function that hands out the connection or client: what it writes on a first call is set-up
  if (ts.isCallExpression(c) && handsOutConnection(c)) return undefined;
  const fns = values.resolve(invokedExpression(c.expression)).filter((v) => v.kind === 'function');
  // every function the call may run (`sso.createConnection(…)` on whichever class a factory chose): the
  // effects of each of them
  const reached: Effect[] = [];
  for (const v of fns) {
    if (v.kind !== 'function' || !v.node.body) continue;
    // A base class's method called on a subclass's instance (`this.createDocument(doc)` in a repository
    // whose constructor calls `super(UserModel)`): walked with that instance as its `this`.
    const receiver = subclassReceiver(c, v.node, values);
    let inner = receiver
      ? values.withBinding(receiver.base, receiver.expr, () => effectsOf(v.node, values, depth - 1, scope))
      : effectsOf(v.node, values, depth - 1, scope);
    // A function a project factory built (`export const create = fn(schema, async (input) => …)`, whose
    // returned function calls `cb(parsed)`): its body is walked with the factory's parameters bound to
    // that factory call's arguments, so the callback it was handed is followed.
    const site = v.site && ts.isCallExpression(v.site) && !values.bound ? v.site : undefined;
    const factory = site && enclosingFunction(v.node);
    if (site && factory && leafEffects(inner).length === 0)
      inner = values.withArguments(factory, site, () => effectsOf(v.node, values, depth - 1, scope));
    // A method of an instance whose class keeps what its constructor was handed (`new Restful(models.admins)`,
    // `this.#model.destroy(…)` in `Delete`): walked with the constructor's parameters bound to that `new`'s arguments.
    if (
      !values.bound &&
      leafEffects(inner).some((e) => (e.kind === 'db-write' || e.kind === 'sql-write') && !e.model)
    ) {
      const made = constructedReceiver(c, v.node, values);
      if (made) {
        const bound = values.withArguments(made.ctor, made.site, () => effectsOf(v.node, values, depth - 1, scope));
        if (leafEffects(bound).filter((e) => !!e.model).length > leafEffects(inner).filter((e) => !!e.model).length)
          inner = bound;
      }
    }
    // A helper that calls what its caller hands it (`removeMember({ memberId, membersRepository })`):
    // its calls through those parameters are followed with this call's arguments bound.
    // (one level: a helper reached while a caller's arguments are bound is not bound again)
    if (ts.isCallExpression(c) && c.arguments.length && !values.bound && callsThroughParams(v.node, values)) {
      const bound = values.withArguments(v.node, callArguments(v, c), () =>
        effectsOf(v.node, values, depth - 1, scope),
      );
      if (leafEffects(bound).length > leafEffects(inner).length) inner = bound;
    }
    // A literal handed to a helper that writes (`setUserActive(id, false)` → `user.active = active`, or a
    // statement's parameter, `createAuthToken(id, 'set_password')` → `VALUES (…, $3)`): the constant it writes
    // is this call's.
    if (
      ts.isCallExpression(c) &&
      !values.bound &&
      c.arguments.some((a) => literalConstant(skipOuter(a)) !== undefined || holdsConstant(a, values)) &&
      leafEffects(inner).some((e) => e.kind === 'db-write' || e.kind === 'sql-write')
    ) {
      const bound = values.withArguments(v.node, callArguments(v, c), () =>
        effectsOf(v.node, values, depth - 1, scope),
      );
      const constants = (list: Effect[]): number =>
        leafEffects(list).reduce(
          (n, e) => n + Object.keys(e.constants ?? {}).length + Object.keys(e.filters ?? {}).length,
          0,
        );
      if (constants(bound) > constants(inner)) inner = bound;
    }
    // A helper that branches on its argument's keys (`if (updateData.role) user.roles = updateData.role`) handed
    // an object: walked with that object, the branches its keys do not take are not this call's.
    if (
      ts.isCallExpression(c) &&
      !values.bound &&
      branchesOnParamKeys(v.node) &&
      callArguments(v, c).some((a) => !!objectOf(a, values)) &&
      leafEffects(inner).some((e) => e.kind === 'db-write' || e.kind === 'sql-write')
    )
      inner = values.withArguments(v.node, callArguments(v, c), () => effectsOf(v.node, values, depth - 1, scope));
    // A sum or difference handed to a helper that writes it (`this.updateUserBalance(id, newBalance)` with
    // `newBalance = user.balance - amount`): the helper's write moves the key as the caller computed it.
    if (
      ts.isCallExpression(c) &&
      !values.bound &&
      c.arguments.some((a) => arithmeticArgument(a)) &&
      leafEffects(inner).some((e) => e.kind === 'db-write' || e.kind === 'sql-write')
    ) {
      const bound = values.withArguments(v.node, callArguments(v, c), () =>
        effectsOf(v.node, values, depth - 1, scope),
      );
      const moves = (list: Effect[]): number =>
        leafEffects(list).reduce((n, e) => n + (e.debits?.length ?? 0) + (e.credits?.length ?? 0), 0);
      if (moves(bound) > moves(inner)) inner = bound;
    }
    // A write helper (`updateUser({ where, data })`): the keys it writes come from this call's arguments.
    // (keys read from a parameter's declared type say what may be written; the call's argument says what is:
    // `updateUser(id, { imageUrl: null })` into `prisma.user.update({ data })` with `data: TUserUpdateInput`)
    // (only where the helper itself writes keys: the type is read once per helper and scan)
    const fromType = inner.some(
      (e) => (e.kind === 'db-write' || e.kind === 'sql-write') && e.dataKeys.length > 0 && !e.opaqueData,
    )
      ? typedParameterKeys(v.node, values)
      : [];
    const unknownData = (e: Effect): boolean =>
      (e.kind === 'db-write' || e.kind === 'sql-write') &&
      (e.dataKeys.length === 0 || !!e.opaqueData || keysOfType(e, fromType));
    if (ts.isCallExpression(c) && c.arguments.length && leafEffects(inner).some(unknownData)) {
      if (inner.some((e) => e.kind !== 'call' && unknownData(e)))
        inner = rebind(inner, v.node, callArguments(v, c), values, fromType);
      // Still not known (a SET clause built by a helper): what the caller hands over is what gets written.
      const handed = callerData(c, values);
      if (handed.keys.length || handed.rawBody) inner = inner.map((e) => withCallerData(e, handed));
    }
    reached.push(...inner);
  }
  if (reached.length) {
    const parts = calleeParts(c.expression);
    // a helper that only mints (`createApiKey()` around a package's): its result is the minted value
    if (ts.isCallExpression(c) && leafEffects(reached).every((e) => e.kind === 'mint'))
      return { kind: 'mint', node: c, action: 'mint', dataKeys: [], callee: parts ? parts.join('.') : 'mint' };
    return {
      kind: 'call',
      node: c,
      dataKeys: [],
      callee: parts ? parts.join('.') : shortText(c.expression),
      via: reached,
      model: reached[0].model,
      action: reached[0].action,
    };
  }
  return mintByName(fns);
}

const GROUP_CREATE = compiled(() => {
  const groups = (ruleFile('assets').groupModels ?? []).join('|');
  return new RegExp(`^(create|insert|add|new|make|setup|found)[a-z]*?(${groups})`, 'i');
});

/** Is the callee named for creating a group (`createOrganizationQuery`, `createTeam`, `insertWorkspace`)? */
function createsGroup(c: ts.CallExpression | ts.TaggedTemplateExpression): boolean {
  if (!ts.isCallExpression(c)) return false;
  const parts = calleeParts(c.expression);
  const name = parts?.[parts.length - 1];
  return !!name && GROUP_CREATE().test(name);
}

/**
 * Is the call named like a minting call (`generateApiKey`, `randomBytes`), its result not stored as an identifier?
 * With values, a package's minting export under the name the file gives it counts too (`import { v4 as uuid }
 * from 'uuid'`, `const { v4: uuid } = require('uuid')`).
 */
function mintNamed(call: ts.CallExpression, parts: string[], values?: ValueResolver): boolean {
  const calls = rules().r.mint.calls;
  const named =
    calls.includes(parts[parts.length - 1]) ||
    (!!values &&
      parts.length === 1 &&
      values.resolve(call.expression).some((v) => v.kind === 'external' && calls.includes(v.path[v.path.length - 1])));
  return named && !mintsIdentifier(call);
}

/** A call named like a minting call (`generateApiKey`, `createApiKey`), taken as a mint when nothing else is seen. */
function namedMint(call: ts.CallExpression): Effect | undefined {
  const parts = calleeParts(call.expression);
  if (!parts || !mintNamed(call, parts)) return undefined;
  return { kind: 'mint', node: call, action: 'mint', dataKeys: [], callee: parts.join('.') };
}

/** The object data a call hands to a write helper (`repo.update({ id }, { login_passcode: hash })`). */
function callerData(call: ts.CallExpression, values: ValueResolver): WriteData {
  const wd = emptyData();
  for (const a of call.arguments) {
    if (ts.isSpreadElement(a)) continue;
    const x = skipOuter(a);
    const obj = objectOf(a, values);
    // (an options object carrying callbacks, `{ operation: () => …, permissions }`, is no record's data)
    if (obj) {
      if (!obj.properties.some(carriesFunction)) writeData(obj, values, 0, wd);
    }
    // the request body as the client sent it (`const data = await c.req.json()`, `req.body`), less what is deleted from it
    else if (
      (ts.isIdentifier(x) || ts.isPropertyAccessExpression(x)) &&
      values.resolve(x).some((y) => isRawBody(y) || parsedFromRequest(y, values))
    ) {
      wd.rawBody = true;
      const d = ts.isIdentifier(x) ? findDeclaration(x) : undefined;
      if (d && ts.isVariableDeclaration(d)) wd.excluded.push(...deletedKeys(d));
    }
    // what a schema parse produced (`schema.parse(details)`): the schema's keys
    else wd.keys.push(...(parsedKeys(x, values) ?? []));
  }
  wd.opaque = false;
  return wd;
}

/** Does a call hand over a function written in place (an argument, or an option of an object argument)? */
function handsOverCode(c: ts.CallExpression): boolean {
  return c.arguments.some((a) => {
    const x = skipOuter(a);
    return isFunctionNode(x) || (ts.isObjectLiteralExpression(x) && x.properties.some(carriesFunction));
  });
}

function carriesFunction(p: ts.ObjectLiteralElementLike): boolean {
  if (ts.isMethodDeclaration(p)) return true;
  return ts.isPropertyAssignment(p) && isFunctionNode(skipOuter(p.initializer));
}

/** A write whose data the helper builds out of sight takes the keys its caller handed over. */
function withCallerData(e: Effect, handed: WriteData): Effect {
  if (e.kind === 'call' && e.via) return { ...e, via: e.via.map((x) => withCallerData(x, handed)) };
  if ((e.kind !== 'db-write' && e.kind !== 'sql-write') || (e.dataKeys.length && !e.opaqueData)) return e;
  return {
    ...e,
    dataKeys: [...new Set([...e.dataKeys, ...handed.keys])],
    debits: [...(e.debits ?? []), ...handed.debits],
    credits: [...(e.credits ?? []), ...handed.credits],
    amounts: { ...handed.amounts, ...e.amounts },
    constants: { ...handed.constants, ...e.constants },
    ...(handed.rawBody && e.opaqueData ? { rawBody: true } : {}),
    ...(handed.excluded.length ? { notKeys: [...(e.notKeys ?? []), ...handed.excluded] } : {}),
    // the relation writes nested in it are built from the same handed data (`user: { update: { ...userData } }`)
    ...(e.nested ? { nested: e.nested.map((n) => (n.opaqueData ? withCallerData(n, handed) : n)) } : {}),
  };
}

/** An object literal whose only spreads are of a parameter of the function it is built in (`(u) => ({ ...u, name })`). */
function spreadsOnlyItsParameter(rec: ts.Expression): boolean {
  const x = skipOuter(rec);
  if (!ts.isObjectLiteralExpression(x)) return false;
  const spreads = x.properties.filter(ts.isSpreadAssignment);
  return spreads.every((sp) => {
    const e = skipOuter(sp.expression);
    if (!ts.isIdentifier(e)) return false;
    const d = findDeclaration(e);
    return !!d && ts.isParameter(d);
  });
}

/** `cb.apply(thisArg, args)` and `cb.call(thisArg, …)` invoke `cb`. */
function invokedExpression(callee: ts.Expression): ts.Expression {
  const x = skipOuter(callee);
  return ts.isPropertyAccessExpression(x) && (x.name.text === 'apply' || x.name.text === 'call')
    ? x.expression
    : callee;
}

/**
 * The `new` that made the receiver of a call of `fn`, a member of that class, with the class's constructor
 * (`admins.Delete(q)` with `const admins = new Restful(models.admins)`), when there is one such `new`.
 */
function constructedReceiver(
  c: ts.CallExpression | ts.TaggedTemplateExpression,
  fn: FunctionNode,
  values: ValueResolver,
): { ctor: ts.ConstructorDeclaration; site: ts.NewExpression } | undefined {
  if (!ts.isCallExpression(c)) return undefined;
  const callee = skipOuter(c.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  let cls: ts.Node | undefined = fn.parent;
  while (cls && !ts.isClassLike(cls)) cls = isFunctionNode(cls) ? undefined : cls.parent;
  if (!cls || !ts.isClassLike(cls)) return undefined;
  const ctor = cls.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && !!m.body);
  if (!ctor?.parameters.length) return undefined;
  const sites = values
    .resolve(callee.expression)
    .flatMap((v) => (v.kind === 'instance' && v.cls === cls && v.site?.arguments?.length ? [v.site] : []));
  return sites.length === 1 ? { ctor, site: sites[0] } : undefined;
}

/**
 * The receiver of a call of a method that `fn`'s class declares, when that receiver is an instance of
 * one of its subclasses: the base class and the receiver expression to bind it to.
 */
function subclassReceiver(
  c: ts.CallExpression | ts.TaggedTemplateExpression,
  fn: FunctionNode,
  values: ValueResolver,
): { base: ts.ClassLikeDeclaration; expr: ts.Expression } | undefined {
  return ts.isCallExpression(c) ? methodReceiver(c.expression, fn, values) : undefined;
}

/**
 * A base class's method taken from a subclass's instance (`controller.Create` of a `PaymentController` that
 * inherits `Create` from `GenericController`, registered as a route handler): the base class and the receiver,
 * to walk the method with that instance as its `this` (its `this.service` is the subclass's).
 */
export function methodReceiver(
  callee: ts.Node,
  fn: FunctionNode,
  values: ValueResolver,
): { base: ts.ClassLikeDeclaration; expr: ts.Expression } | undefined {
  const x = ts.isExpression(callee) ? skipOuter(callee) : callee;
  if (!ts.isPropertyAccessExpression(x) || !ts.isMethodDeclaration(fn)) return undefined;
  const base = fn.parent;
  if (!ts.isClassLike(base)) return undefined;
  const recv = x.expression;
  const derived = values
    .resolve(recv)
    .some((v) => v.kind === 'instance' && v.cls !== base && derivesFrom(v.cls, base, values));
  return derived ? { base, expr: recv } : undefined;
}

/** Does `cls` extend `base`, directly or through other classes of the project? */
function derivesFrom(
  cls: ts.ClassLikeDeclaration,
  base: ts.ClassLikeDeclaration,
  values: ValueResolver,
  hops = 0,
): boolean {
  if (hops > 6) return false;
  const ext = cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
  if (!ext) return false;
  return values
    .resolve(ext.expression)
    .some((v) => v.kind === 'class' && (v.node === base || derivesFrom(v.node, base, values, hops + 1)));
}

const THROUGH_PARAMS = memo('effects.throughParams', () => new WeakMap<FunctionNode, boolean>());

/** Does the function call a method of one of its own parameters (a dependency its caller passes)? */
function callsThroughParams(fn: FunctionNode, values: ValueResolver): boolean {
  const throughParams = values.session.get(THROUGH_PARAMS);
  const hit = throughParams.get(fn);
  if (hit !== undefined) return hit;
  let found = false;
  for (const c of callsIn(fn)) {
    if (!ts.isCallExpression(c)) continue;
    // a function the caller hands over, called as it is (`protectedMutation({ operation })` running `operation()`)
    if (ts.isIdentifier(skipOuter(c.expression))) {
      let p: ts.Node | undefined = findDeclaration(skipOuter(c.expression) as ts.Identifier);
      while (p && ts.isBindingElement(p)) p = p.parent?.parent;
      if (p && ts.isParameter(p) && p.parent === fn) {
        found = true;
        break;
      }
      continue;
    }
    if (!ts.isPropertyAccessExpression(c.expression)) continue;
    // a function handed as an option the parameter's type declares (`opts: { operation: () => Promise<T> }`,
    // called `opts.operation()`)
    const holder = skipOuter(c.expression.expression);
    const hd = ts.isIdentifier(holder) ? findDeclaration(holder) : undefined;
    if (hd && ts.isParameter(hd) && hd.parent === fn && hd.type) {
      const t = memberType(hd.type, c.expression.name.text);
      if (t && ts.isFunctionTypeNode(t)) {
        found = true;
        break;
      }
    }
    const root = calleeParts(c.expression)?.[0];
    if (!root || root === 'this' || !rules().throughParams.test(c.expression.name.text)) continue;
    let id: ts.Expression = c.expression;
    while (ts.isPropertyAccessExpression(id)) id = id.expression;
    if (!ts.isIdentifier(id)) continue;
    const decl = findDeclaration(id);
    let p: ts.Node | undefined = decl;
    while (p && ts.isBindingElement(p)) p = p.parent?.parent;
    if (!p || !ts.isParameter(p) || p.parent !== fn) continue;
    // only a call the analysis can neither recognise nor follow as it stands (`prisma.user.update`
    // on a `prisma` parameter is recognised; a parameter typed with a project class is followed)
    if (directEffect(c, values)) continue;
    if (runsProjectCode(c, values)) continue;
    found = true;
    break;
  }
  throughParams.set(fn, found);
  return found;
}

/** Recomputes a helper's direct writes with its parameters bound to one call's arguments. */
function rebind(
  inner: Effect[],
  fn: FunctionNode,
  call: readonly ts.Expression[],
  values: ValueResolver,
  fromType: readonly string[][] = [],
): Effect[] {
  return values.withArguments(fn, call, () =>
    inner.map((e) => {
      const typed = keysOfType(e, fromType);
      if (e.kind === 'call' || (e.dataKeys.length && !e.opaqueData && !typed) || !ts.isCallExpression(e.node)) return e;
      const again = directEffect(e.node, values);
      return again &&
        ((typed && !again.opaqueData && again.dataKeys.length > 0) ||
          again.dataKeys.length > e.dataKeys.length ||
          (e.opaqueData && !again.opaqueData) ||
          // the record is the caller's argument (`deleteData('User', id)` around `doc(db, collection, id)`)
          (!e.model && !!again.model) ||
          (again.notKeys?.length && !e.notKeys?.length))
        ? again
        : e;
    }),
  );
}

const TYPED_PARAMETERS = memo('effects.typedParameters', () => new WeakMap<ts.Node, string[][]>());

/** The key lists a function's typed parameters declare (`data: TUserUpdateInput`), where they list them. */
function typedParameterKeys(fn: FunctionNode, values: ValueResolver): string[][] {
  const cache = values.session.get(TYPED_PARAMETERS);
  const hit = cache.get(fn);
  if (hit) return hit;
  const out: string[][] = [];
  for (const p of fn.parameters) {
    if (!p.type || !ts.isIdentifier(p.name)) continue;
    // (a key name the parameter takes, `flag: 'onboarded' | 'isAdmin'` written as `{ [flag]: value }`: the
    // call's own argument says which one)
    const keys = typeKeys(p.type, values, 0) ?? literalUnion(p.type, values);
    if (keys?.length) out.push(keys);
  }
  cache.set(fn, out);
  return out;
}

/** Are a write's keys exactly those a typed parameter declares (read from the type, not from a call)? */
function keysOfType(e: Effect, fromType: readonly string[][]): boolean {
  if ((e.kind !== 'db-write' && e.kind !== 'sql-write') || !e.dataKeys.length || e.opaqueData) return false;
  return fromType.some((keys) => keys.length === e.dataKeys.length && keys.every((k) => e.dataKeys.includes(k)));
}

/** Flattens `call` effects to the direct effects they lead to. */
export function leafEffects(effects: Effect[]): Effect[] {
  return effects.flatMap((e) =>
    e.kind === 'call' && e.via ? leafEffects(e.via) : e.nested ? [e, ...leafEffects(e.nested)] : [e],
  );
}

/**
 * The keys a parameter's declared type lists, when it lists them: a type literal, `Pick<T, 'a' | 'b'>`,
 * `Readonly`/`Required` of one, an intersection of such, or `z.infer<typeof schema>`.
 * Undefined when the type does not say (a named entity type says what may be written, not what is).
 */
function parameterTypeKeys(id: ts.Identifier, values: ValueResolver): string[] | undefined {
  const d = findDeclaration(id);
  if (!d || !ts.isParameter(d) || !d.type || !ts.isIdentifier(d.name)) return undefined;
  const keys = typeKeys(d.type, values, 0);
  return keys?.length ? keys : undefined;
}

/**
 * The keys the rest of a typed parameter holds (`{ cancel_at, ...body }: Body` → the type's keys but
 * `cancel_at`), when the type lists them.
 */
export function restTypeKeys(id: ts.Identifier, values: ValueResolver): string[] | undefined {
  const d = findDeclaration(id);
  if (!d || !ts.isBindingElement(d) || !d.dotDotDotToken || !ts.isObjectBindingPattern(d.parent)) return undefined;
  const param = d.parent.parent;
  if (!ts.isParameter(param) || !param.type) return undefined;
  const taken = new Set(
    d.parent.elements
      .filter((el) => el !== d)
      .map((el) =>
        el.propertyName ? propertyNameText(el.propertyName) : ts.isIdentifier(el.name) ? el.name.text : '',
      ),
  );
  return typeKeys(param.type, values, 0)?.filter((k) => !taken.has(k));
}

function typeKeys(t: ts.TypeNode, values: ValueResolver, depth: number): string[] | undefined {
  if (depth > 4) return undefined;
  if (ts.isParenthesizedTypeNode(t)) return typeKeys(t.type, values, depth + 1);
  if (ts.isTypeLiteralNode(t)) {
    const out: string[] = [];
    for (const m of t.members) {
      const n = m.name && propertyNameText(m.name);
      // an optional member says what may be given (`{ password?: string; email?: string }` of a general update)
      if (!n || !ts.isPropertySignature(m) || m.questionToken) return undefined;
      out.push(n);
    }
    return out;
  }
  if (ts.isIntersectionTypeNode(t)) {
    const out: string[] = [];
    for (const part of t.types) {
      const k = typeKeys(part, values, depth + 1);
      if (!k) return undefined;
      out.push(...k);
    }
    return out;
  }
  if (!ts.isTypeReferenceNode(t)) return undefined;
  const name = ts.isIdentifier(t.typeName) ? t.typeName.text : t.typeName.right.text;
  const args = t.typeArguments ?? [];
  // a type alias of the project's, here or imported (`type Body = InferType<typeof bodySchema>`)
  if (!args.length && ts.isIdentifier(t.typeName)) {
    const alias = typeAlias(t.typeName, values);
    return alias ? typeKeys(alias.type, values, depth + 1) : undefined;
  }
  if (name === 'Pick' && args.length === 2) return literalKeys(args[1]);
  // (`Partial<T>` says what may be given, like optional members)
  if (/^(Readonly|Required)$/.test(name) && args.length === 1) return typeKeys(args[0], values, depth + 1);
  // zod: `z.infer<typeof schema>` (also input/output); yup: `InferType<typeof schema>`
  if (/^(infer|input|output|Infer|TypeOf|InferType)$/.test(name) && args.length === 1 && ts.isTypeQueryNode(args[0])) {
    const q = args[0].exprName;
    if (!ts.isIdentifier(q)) return undefined;
    const keys = schemaKeys(q, values)
      .map((k) => propertyNameText(k))
      .filter((k): k is string => !!k);
    return keys.length ? keys : undefined;
  }
  return undefined;
}

/**
 * The names a computed key can take: a constant's (`[FIELD]`), or those the declared type of the
 * parameter or destructured parameter it reads allows (`permissionKey: PermissionKey` with
 * `type PermissionKey = 'canDeleteTicket' | 'canUpdateTicket'`).
 */
export function computedKeyNames(e: ts.Expression, values: ValueResolver): string[] | undefined {
  const constant = evalStrings(e, values);
  if (constant) return constant;
  const x = skipOuter(e);
  const table = tableValues(x, values);
  if (table) return table;
  if (!ts.isIdentifier(x)) return undefined;
  const d = findDeclaration(x);
  // `const field = fieldMap[wallet]`: a constant table's entry, whichever key the request picks
  if (d && ts.isVariableDeclaration(d) && d.initializer && d.parent.flags & ts.NodeFlags.Const) {
    const entry = tableValues(skipOuter(d.initializer), values);
    if (entry) return entry;
  }
  let t: ts.TypeNode | undefined;
  if (d && ts.isParameter(d)) t = d.type;
  else if (d && ts.isBindingElement(d) && ts.isObjectBindingPattern(d.parent) && ts.isParameter(d.parent.parent)) {
    const whole = d.parent.parent.type;
    const key = d.propertyName ? propertyNameText(d.propertyName) : ts.isIdentifier(d.name) ? d.name.text : undefined;
    const member =
      whole && ts.isTypeLiteralNode(whole)
        ? whole.members.find((m) => ts.isPropertySignature(m) && m.name && propertyNameText(m.name) === key)
        : undefined;
    t = member && ts.isPropertySignature(member) ? member.type : undefined;
  }
  return t ? literalUnion(t, values) : undefined;
}

/**
 * The values of a constant table read at a key the code does not fix (`fieldMap[wallet]` with
 * `const fieldMap = { DEPOSIT: 'depositBalance', REWARD: 'rewardBalance' }`): every string it holds.
 */
function tableValues(x: ts.Expression, values: ValueResolver): string[] | undefined {
  if (!ts.isElementAccessExpression(x)) return undefined;
  const tables = values.resolve(x.expression);
  if (!tables.length || !tables.every((v) => v.kind === 'object')) return undefined;
  const out = new Set<string>();
  for (const v of tables) {
    if (v.kind !== 'object') return undefined;
    for (const p of v.node.properties) {
      if (!ts.isPropertyAssignment(p)) return undefined;
      const text = evalString(p.initializer, values);
      if (text === undefined) return undefined;
      out.add(text);
    }
  }
  return out.size ? [...out] : undefined;
}

/** The names a string-literal union allows, through type aliases (`type PermissionKey = 'a' | 'b'`). */
function literalUnion(type: ts.TypeNode, values: ValueResolver): string[] | undefined {
  let t: ts.TypeNode | undefined = type;
  for (let depth = 0; t && depth < 4; depth++) {
    if (ts.isParenthesizedTypeNode(t)) t = t.type;
    else if (ts.isTypeReferenceNode(t) && ts.isIdentifier(t.typeName) && !t.typeArguments?.length)
      t = typeAlias(t.typeName, values)?.type;
    else break;
  }
  return t ? literalKeys(t) : undefined;
}

/** The constant text of option `name` in an options object written in place. */
function optionText(arg: ts.Expression, name: string, values: ValueResolver): string | undefined {
  const obj = skipOuter(arg);
  if (!ts.isObjectLiteralExpression(obj)) return undefined;
  const p = obj.properties.find((q) => q.name && propertyNameText(q.name) === name);
  return p && ts.isPropertyAssignment(p) ? evalString(p.initializer, values) : undefined;
}

/** `'a' | 'b'` as keys. */
function literalKeys(t: ts.TypeNode): string[] | undefined {
  const parts = ts.isUnionTypeNode(t) ? t.types : [t];
  const out: string[] = [];
  for (const p of parts) {
    if (!ts.isLiteralTypeNode(p) || !ts.isStringLiteral(p.literal)) return undefined;
    out.push(p.literal.text);
  }
  return out;
}

/** How deep a parameter's path reaches the parsed body: `req.body` (1), or `c.req.body` where a Hono body-parser middleware put it (2); 0 when it does not. */
function bodyAt(path: readonly string[]): number {
  if (path[0] === 'body') return 1;
  return path[0] === 'req' && path[1] === 'body' ? 2 : 0;
}

/** The request body as the client sent it: `req.body` of a handler's request, `await c.req.json()`, `await request.json()`. */
function isRawBody(v: Value): boolean {
  if (v.kind === 'param') {
    const at = bodyAt(v.path);
    return at > 0 && at === v.path.length;
  }
  return v.kind === 'call' && ts.isCallExpression(v.node) && bodyReadCall(v.node) === 'raw';
}

/** Marks data the request's body gave whole (`req.body`, JSON the client wrote) or in part (`req.body.data`). */
function markRequestBody(vals: readonly Value[], values: ValueResolver, out: WriteData): void {
  if (vals.some((y) => isRawBody(y) || parsedFromRequest(y, values))) out.rawBody = true;
  else if (vals.some(isRawBodyPart)) out.rawBodyPart = true;
}

/**
 * An object the client wrote as JSON text into the request (`JSON.parse(req.query.params)`,
 * `JSON.parse(req.body.data)`): the client picks its keys as it does a body's.
 */
function parsedFromRequest(v: Value, values: ValueResolver): boolean {
  if (v.kind !== 'call' || !ts.isCallExpression(v.node) || !v.node.arguments[0]) return false;
  const callee = skipOuter(v.node.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'parse' || callee.expression.getText() !== 'JSON')
    return false;
  return values.resolve(v.node.arguments[0]).some((a) => {
    if (a.kind !== 'param') return false;
    const p = a.path[0] === 'req' || a.path[0] === 'request' ? a.path.slice(1) : a.path;
    return p[0] === 'body' || p[0] === 'query';
  });
}

/** An object inside the request body as the client sent it (`req.body.userData`): the client picks its keys too. */
function isRawBodyPart(v: Value): boolean {
  if (v.kind === 'param') {
    const at = bodyAt(v.path);
    return at > 0 && v.path.length > at;
  }
  return v.kind === 'call' && ts.isCallExpression(v.node) && bodyReadCall(v.node) === 'raw';
}

/** An argument that is a sum or a difference (`balance - amount`), in place or through a local. */
function arithmeticArgument(a: ts.Expression): boolean {
  const x = skipOuter(a);
  const arithmetic = (y: ts.Expression): boolean => {
    const z = skipOuter(y);
    return (
      ts.isBinaryExpression(z) &&
      (z.operatorToken.kind === ts.SyntaxKind.MinusToken || z.operatorToken.kind === ts.SyntaxKind.PlusToken)
    );
  };
  if (arithmetic(x)) return true;
  return ts.isIdentifier(x) && valuesOfLocal(x).some(arithmetic);
}

/** Is a value a sum or difference on the key's own value (`user.balance - amount`), in place or through a local? */
function fromOwnValue(e: ts.Expression, key: string): boolean {
  const x = skipOuter(e);
  const exprs = ts.isIdentifier(x) ? valuesOfLocal(x) : [x];
  return exprs.some((y) => {
    const z = skipOuter(y);
    return ts.isBinaryExpression(z) && z.left.getText().toLowerCase().includes(key.toLowerCase());
  });
}
