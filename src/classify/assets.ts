// The protected-asset model (rules/assets.json): which effects of an endpoint harm an asset a
// stolen session must not reach — a credential column set, a balance debited, a secret minted and
// stored, the account deleted, a role granted. Effects are matched on what they write (model,
// keys, whether a value decreases, the provider call), never on what the endpoint is called.
import { ts } from 'ts-morph';
import { exits } from '../analysis/walk.js';
import {
  CHOICES,
  chainedDataCalls,
  documentKey,
  computedKeyNames,
  FILTERED,
  fieldAssignments,
  restTypeKeys,
  SECRET_HASH_KEY,
  type Effect,
} from '../analysis/effects.js';
import {
  calleeName,
  enclosingFunction,
  isInside,
  isNullish,
  propertyNameText,
  skipOuter,
  type ValueResolver,
} from '../analysis/values.js';
import { bindingPath, findDeclaration } from '../analysis/scope.js';
import { includesOf } from '../analysis/assume.js';
import { marksCodeSpent, spendsOwnCodes } from '../analysis/machinery.js';
import { copiedIdentifier, serverMade, writtenValues } from './server-made.js';
import { compiled, ruleFile } from '../rules/load.js';
import type { AssetRule } from '../rules/types.js';
import { isParamSegment, matchesTerm, norm, words } from './words.js';
import {
  identifierFamily,
  signInRecordsKnown,
  signsInBy,
  signsInOn,
  signsInOnlyByOther,
  signsInThroughProvider,
} from './sign-in.js';
import { comparedKindColumns, comparedRoleColumns } from './role-columns.js';
import { otpGenerator, pendingEnrolment, pendingRules } from './pending-factor.js';
import {
  allColumns,
  declaredFields,
  declaredFlag,
  hasMembers,
  keyColumns,
  schemaColumns,
  modelsDeclaring,
} from './schema-columns.js';
import { foundByKey, recordChosenByRequest, recordOfSignedIn, sessionReadCall } from './chosen-record.js';
import { isInvitationRecord } from './exclusions.js';
import { movedToOwnHolding, type HoldingRules } from './own-holding.js';

export type Op = 'create' | 'update' | 'delete';

export interface AssetHit {
  rule: AssetRule;
  effect: Effect;
  /** What the effect does to the asset, for reasons and --explain. */
  detail: string;
  /** The asset's columns the write sets (normalised), when the rule names them. */
  keys?: string[];
}

/** Does the record declare, or is it written with, a column matching `re` (normalised names)? */
function holdsValue(re: RegExp, model: string, written: readonly string[], values: ValueResolver): boolean {
  const cols = allColumns(values, model) ?? allColumns(values, model.replace(/s$/, '')) ?? [];
  return [...written, ...cols.map(norm)].some((k) => re.test(k));
}

interface CompiledAssets {
  rules: (AssetRule & {
    callsRe?: RegExp;
    urlPathRe?: RegExp;
    notKeysRe?: RegExp;
    spentByKeysRe?: RegExp;
    notModelsRe?: RegExp;
    notBesideCreatesRe?: RegExp;
    holdsValueRe?: RegExp;
    holdsValueModelsRe?: RegExp;
    systemModelsRe?: RegExp;
    keyedByRe?: RegExp;
    suppliedRe?: RegExp;
    suppliedModelsRe?: RegExp;
    nestedRe?: RegExp;
    modelRe?: RegExp;
    mailedByRe?: RegExp;
    modelSet: string[];
    tenantSet: string[];
    hostedAccountSet: string[];
    ownedPeopleSet: string[];
    keySet: string[];
    /** Bookkeeping keys beside a write of only the rule's keys (rules `ownerBesideKeys`). */
    ownerBesideRe?: RegExp;
    keyRe: RegExp | undefined;
    wholeKeyOwnersRe: RegExp | undefined;
    keyPatternModelsRe: RegExp | undefined;
    decidingSet: Set<string> | undefined;
    debitSet: string[];
    creditSet: string[];
    /** Keys that are a balance where an amount moves them (`user.wallet += reward`), not where they are set. */
    movedKeySet: string[];
    balanceWordSet: ReadonlySet<string>;
    balanceTailSet: ReadonlySet<string>;
    pairedMoveModelsRe: RegExp | undefined;
    ownHoldingRules: HoldingRules | undefined;
    heldAmountModelsRe: RegExp | undefined;
    heldAmountKeySet: ReadonlySet<string>;
    pairedMoveNotKeysRe: RegExp | undefined;
    membershipGroupRe: RegExp | undefined;
    onlyReferencesRe: RegExp | undefined;
    notLedgerModelsRe: RegExp | undefined;
    notHolderModelsRe: RegExp | undefined;
    personColumnsRe: RegExp | undefined;
    personColumnsModelsRe: RegExp | undefined;
    valueRes: Map<string, RegExp>;
    notConstantRes: [RegExp, RegExp][];
    keyConstantRes: [RegExp, RegExp][];
    typedModelKeysRe?: RegExp;
    typedModelsRe?: RegExp;
    typedModelTailSet: Set<string>;
  })[];
  bookkeeping: Set<string>;
  cosmetic: Set<string>;
  /** Cosmetic keys long enough to end another key (`passkeyName`). */
  cosmeticSuffixes: string[];
  /** Keys ending in a cosmetic word that name an identifier (`username`). */
  notCosmetic: RegExp;
  roleKeys: string[];
  roleKeyRe: RegExp | undefined;
  /** Declared columns of a referenced record that make the reference a role. */
  roleRecordColumns: RegExp | undefined;
  /** Columns whose presence says a record signs in (`password`). */
  signInColumns: Set<string>;
  ordinaryRole: RegExp;
  selfService?: { privileged: RegExp; own: RegExp; ownIds: RegExp; requestReads: RegExp };
  roleDefinitionModels: string[];
  groupModels: string[];
  aboutRecordTails: readonly string[];
  softRemovalKeys: Set<string>;
  followDepth: number;
}

export const assetRules = compiled((): CompiledAssets => {
  const r = ruleFile('assets');
  return {
    rules: r.assets.map((a) => ({
      ...a,
      callsRe: a.calls ? new RegExp(a.calls) : undefined,
      urlPathRe: a.urlPath ? new RegExp(a.urlPath, 'i') : undefined,
      notModelsRe: a.notModels ? new RegExp(a.notModels) : undefined,
      notBesideCreatesRe: a.notBesideCreates ? new RegExp(a.notBesideCreates) : undefined,
      holdsValueRe: a.notHolding ? new RegExp(a.notHolding) : undefined,
      holdsValueModelsRe: a.notHoldingModels ? new RegExp(a.notHoldingModels) : undefined,
      systemModelsRe: a.systemModels ? new RegExp(a.systemModels) : undefined,
      keyedByRe: a.notWhenKeyedBy ? new RegExp(`\\b(${a.notWhenKeyedBy})\\b`, 'i') : undefined,
      suppliedRe: a.suppliedKeys ? new RegExp(a.suppliedKeys, 'i') : undefined,
      suppliedModelsRe: a.suppliedModels ? new RegExp(a.suppliedModels, 'i') : undefined,
      nestedRe: a.nestedIn?.length
        ? new RegExp(`^(${a.nestedIn.join('|')})_?(db|public|internal|ref)?_?id$`, 'i')
        : undefined,
      modelRe: a.modelPattern ? new RegExp(a.modelPattern) : undefined,
      mailedByRe: a.mailedBy ? new RegExp(a.mailedBy, 'i') : undefined,
      notKeysRe: a.notKeys ? new RegExp(a.notKeys, 'i') : undefined,
      spentByKeysRe: a.spentByKeys ? new RegExp(a.spentByKeys) : undefined,
      modelSet: (a.models ?? []).map(norm),
      tenantSet: (a.tenantModels ?? []).map(norm),
      hostedAccountSet: (a.hostedAccountModels ?? []).map(norm),
      ownedPeopleSet: (a.ownedPeopleModels ?? []).map(norm),
      keySet: (a.keys ?? []).map(norm),
      ownerBesideRe: a.ownerBesideKeys ? new RegExp(a.ownerBesideKeys, 'i') : undefined,
      keyRe: a.keyPattern ? new RegExp(a.keyPattern) : undefined,
      wholeKeyOwnersRe: a.wholeKeyOwners ? new RegExp(a.wholeKeyOwners) : undefined,
      keyPatternModelsRe: a.keyPatternModels ? new RegExp(a.keyPatternModels) : undefined,
      decidingSet: a.decidingFlags ? new Set(a.decidingFlags.map(norm)) : undefined,
      debitSet: (a.debitKeys ?? []).map(norm),
      creditSet: (a.creditKeys ?? []).map(norm),
      movedKeySet: (a.movedKeys ?? []).map(norm),
      balanceWordSet: new Set((a.balanceWords ?? []).map(norm)),
      balanceTailSet: new Set((a.balanceTails ?? []).map(norm)),
      pairedMoveModelsRe: a.pairedMoveModels ? new RegExp(a.pairedMoveModels) : undefined,
      ownHoldingRules: a.ownHolding
        ? {
            ownerKeys: new RegExp(a.ownHolding.ownerKeys),
            otherPartyKeys: new RegExp(a.ownHolding.otherPartyKeys),
            notDestinations: new RegExp(a.ownHolding.notDestinations),
            holdings: new RegExp(a.ownHolding.holdings),
            references: new RegExp(a.ownHolding.holdingReferences),
          }
        : undefined,
      heldAmountModelsRe: a.heldAmountModels ? new RegExp(a.heldAmountModels) : undefined,
      heldAmountKeySet: new Set((a.heldAmountKeys ?? []).map(norm)),
      pairedMoveNotKeysRe: a.pairedMoveNotKeys ? new RegExp(a.pairedMoveNotKeys) : undefined,
      membershipGroupRe: a.membershipShape?.groupPattern ? new RegExp(a.membershipShape.groupPattern) : undefined,
      onlyReferencesRe: a.onlyReferences ? new RegExp(a.onlyReferences) : undefined,
      notLedgerModelsRe: a.notLedgerModels ? new RegExp(a.notLedgerModels) : undefined,
      notHolderModelsRe: a.notHolderModels ? new RegExp(a.notHolderModels) : undefined,
      personColumnsRe: a.personColumns ? new RegExp(a.personColumns, 'i') : undefined,
      personColumnsModelsRe: a.personColumnsModels ? new RegExp(a.personColumnsModels) : undefined,
      valueRes: new Map(Object.entries(a.keyValues ?? {}).map(([k, v]) => [norm(k), new RegExp(v, 'i')])),
      notConstantRes: Object.entries(a.notConstants ?? {}).map(([k, v]) => [new RegExp(k, 'i'), new RegExp(v, 'i')]),
      keyConstantRes: Object.entries(a.keyConstants ?? {}).map(([k, v]) => [new RegExp(k, 'i'), new RegExp(v, 'i')]),
      typedModelKeysRe: a.typedModelKeys ? new RegExp(a.typedModelKeys) : undefined,
      typedModelsRe: a.typedModels ? new RegExp(a.typedModels) : undefined,
      typedModelTailSet: new Set((a.typedModelTails ?? []).map(norm)),
    })),
    bookkeeping: new Set(r.bookkeepingModels.map(norm)),
    cosmetic: new Set(r.cosmeticKeys.map(norm)),
    cosmeticSuffixes: r.cosmeticKeys.map(norm).filter((t) => t.length >= 4),
    notCosmetic: new RegExp(r.notCosmeticKeys),
    roleKeys: r.roleKeys.map(norm),
    roleKeyRe: r.roleKeyPattern ? new RegExp(r.roleKeyPattern) : undefined,
    roleRecordColumns: r.roleRecordColumns ? new RegExp(r.roleRecordColumns) : undefined,
    signInColumns: new Set((r.signInColumns ?? []).map(norm)),
    ordinaryRole: new RegExp(r.ordinaryRoleValues, 'i'),
    selfService: r.selfService && {
      privileged: new RegExp(r.selfService.privilegedRoleValues, 'i'),
      own: new RegExp(r.selfService.ownRecord),
      ownIds: new RegExp(r.selfService.ownIdentifierKeys ?? '^id$'),
      requestReads: new RegExp(r.selfService.requestReads ?? '(?!)'),
    },
    roleDefinitionModels: (r.assets.find((a) => a.id === 'role-definition')?.models ?? []).map(norm),
    groupModels: (r.groupModels ?? []).map(norm),
    aboutRecordTails: r.aboutRecordTails ?? [],
    softRemovalKeys: new Set((r.softRemovalKeys ?? []).map(norm)),
    followDepth: r.followDepth,
  };
});

/** Is `key` written by adding or removing one item of a list (`$push`, `arrayUnion`: see effects.ts LIST_CONTAINERS)? */
function isListItem(e: Effect, key: string): boolean {
  return /^\$(add|remove)$/.test(constantsOf(e).get(key) ?? '');
}

/** A list item pushed with a role of its own (`$push: { members: { user, role: 'editor' } }`): a member added with a role. */
function pushedWithRole(e: Effect, key: string): boolean {
  const text = e.node.getText();
  return new RegExp(
    `\\b${key}['"]?\\s*:\\s*\\{[^{}]*\\b(role|roles|permissions?|access|accesslevel)['"]?\\s*:`,
    'i',
  ).test(text);
}

/** Does a write carry a person's id and a group's id together (a membership row of any name)? */
function membershipShaped(
  keys: readonly string[],
  shape: { person: string[]; group: string[] },
  groupRe: RegExp | undefined,
): boolean {
  return keys.some((k) => shape.person.includes(k)) && keys.some((k) => shape.group.includes(k) || !!groupRe?.test(k));
}

/** A table of keys (`keys`, `api_keys`, `apiTokens`): each row is an issued key. */
function isKeyTable(model: string): boolean {
  const m = norm(model).replace(/s$/, '');
  return m === 'key' || /^(api|access|personal|team|project|user|org|organization|workspace)(key|token)$/.test(m);
}

/**
 * A column named as the last word of its record's name stands for the record's value: `joinCode.code`
 * is the join code, `ApiKey.key` the API key, `WebhookSecret.secret` the signing secret.
 */
function recordNamedKeys(model: string, dataKeys: readonly string[]): string[] {
  const m = norm(model).replace(/s$/, '');
  if (!m) return [];
  return dataKeys.map(norm).flatMap((k) =>
    k.length >= 3 && m !== k && m.endsWith(k)
      ? [m]
      : // a table of keys and its `key` column (`keys.key`): the value is the key itself
        m === 'key' && k === 'key'
        ? ['apikey']
        : [],
  );
}

/** The operation class of a write: create, update or delete (an upsert or save is both create and update). */
export function opsOf(e: Effect): Op[] {
  const a = (e.action ?? '').toLowerCase();
  if (
    /^(delete|deleteone|deletemany|destroy|remove|findbyidanddelete|findoneanddelete|findbyidandremove|findoneandremove|del|softdelete|softremove|deletefrom|nativedelete|drop|truncate|removeandflush)$/.test(
      a,
    )
  )
    return ['delete'];
  if (/^(upsert|save|\$save|persistandflush|replace|merge|set)$/.test(a)) return ['create', 'update'];
  if (
    /^(create|createmany|createmanyandreturn|insert|insertone|insertmany|bulkcreate|add|insertinto|replaceinto|new|push)$/.test(
      a,
    )
  )
    return ['create'];
  if (/update|patch|increment|decrement|replaceone|findoneandreplace|restore|bulkwrite/.test(a)) return ['update'];
  return [];
}

/** Words a record of people can be named with, on the left of a join table's `to` (`userToTeam`). */
const PERSON = /(user|member|account|person|people|profile|admin|staff|employee|collaborator)s?$/;
/** A word for people and nothing else (`users`, `account`). */
const PERSON_WORD = new RegExp(`^${PERSON.source}`);
/** A record made for a person, not for a group a person creates (`account` may be either). */
const NEW_PERSON = /(user|member|person|people|profile|admin|staff|employee)s?$/;

function modelMatches(model: string, terms: readonly string[], affix: boolean, ownTails?: readonly string[]): boolean {
  if (!model) return false;
  return terms.some(
    (t) =>
      matchesTerm(model, t) ||
      (affix &&
        t.length >= 5 &&
        ((model.startsWith(t) && !aboutRecord(model.slice(t.length), ownTails)) ||
          endsWithTerm(model, t) ||
          // (the asset's record under a qualifier, with a tail naming the asset itself: `vendorPayoutRequests`)
          !!ownTails?.some((w) => endsWithTerm(model, t + w)))) ||
      // a short term after a word for people (`users_totp`, `account_mfa`): the person's record of the asset
      (affix && t.length >= 3 && t.length < 5 && personsOwn(model, t)),
  );
}

/** `userstotp`, `accountmfa`: a word for people, then the term (or its plural), and nothing else. */
function personsOwn(model: string, term: string): boolean {
  const rest = model.endsWith(`${term}s`)
    ? model.slice(0, -term.length - 1)
    : model.endsWith(term)
      ? model.slice(0, -term.length)
      : undefined;
  return !!rest && PERSON_WORD.test(rest);
}

/**
 * What follows an asset's word in a record's name makes it a record about the asset (`apiKey` + `UsageWindow`),
 * unless the rule says that tail names the asset itself (a `payoutRequest` is the payout asked for).
 */
function aboutRecord(tail: string, ownTails?: readonly string[]): boolean {
  if (ownTails?.some((w) => tail === w || tail === `${w}s`)) return false;
  // (after a plural word too: `members_2fa` is about members)
  const tails = tail.startsWith('s') ? [tail, tail.slice(1)] : [tail];
  return assetRules().aboutRecordTails.some((w) => tails.some((t) => t.startsWith(w)));
}

/**
 * Is a record of people one that signs in (a shop's customers with their own password) rather than one an
 * account keeps (an organisation's customer list)? Where the application declares an account record of its
 * own (the rule's first models), only a schema with a sign-in column says so; where it declares none, or the
 * record's schema is unknown, the record is taken to be the account.
 */
function signsInItself(values: ValueResolver, model: string, accounts: readonly string[], c: CompiledAssets): boolean {
  const own = schemaColumns(values, model);
  if (!own) return true;
  if (own.some((k) => c.signInColumns.has(norm(k)))) return true;
  return !accounts.slice(0, 4).some((a) => schemaColumns(values, a) !== undefined);
}

/** Does a write store a constant matching one of these (name pattern, value pattern) pairs (`type: 'pat'`)? */
function writesConstant(e: Effect, pairs: readonly [RegExp, RegExp][]): boolean {
  return constantMatches(e.constants, pairs);
}

/** Does the statement pick its rows by a constant matching one of the pairs (`WHERE type = 'magic'`)? */
function filtersConstant(e: Effect, pairs: readonly [RegExp, RegExp][]): boolean {
  return constantMatches(e.filters, pairs);
}

/** Does a key → constant record hold a key matching one pair's name pattern with a value matching its value pattern? */
function constantMatches(record: Record<string, string> | undefined, pairs: readonly [RegExp, RegExp][]): boolean {
  return (
    pairs.length > 0 &&
    Object.entries(record ?? {}).some(([k, v]) => pairs.some(([kr, vr]) => kr.test(norm(k)) && vr.test(String(v))))
  );
}

/** Does a write's own type constant say the row is a lasting key (any rule's keyConstants)? */
function typedAsKey(e: Effect, c: CompiledAssets): boolean {
  return c.rules.some((r) => writesConstant(e, r.keyConstantRes));
}

/** The column of a row typed as a key that holds it (`sessionToken`, `token`, `key`, `secret`). */
const TYPED_KEY_COLUMN = /(token|key|secret)$/;

/** Does the record's schema declare one of these (normalised) columns? */
function declaresColumn(
  values: ValueResolver,
  model: string,
  columns: readonly string[],
  /** Columns of any type count (a boolean `payoutsEnabled`), where a schema lists them all. */
  anyType = false,
): boolean {
  const cols = schemaColumns(values, model) ?? schemaColumns(values, model.replace(/s$/, ''));
  if (cols?.some((k) => columns.includes(norm(k)))) return true;
  const all = anyType
    ? (allColumns(values, model) ?? allColumns(values, model.replace(/s$/, '')) ?? declaredFields(values, model))
    : undefined;
  return !!all?.some((k) => columns.includes(norm(k)));
}

/** Does the record's schema declare its columns, none of them matching `pattern`? */
function declaresNoColumn(values: ValueResolver, model: string, pattern: RegExp): boolean {
  // only a schema that lists every column (a Prisma model, a SQL table) can say that none is there
  const cols = allColumns(values, model) ?? allColumns(values, model.replace(/s$/, ''));
  // a reference to a record people sign in on (`player_id` where players sign in) names a user too
  const signsIn = (k: string): boolean => {
    const stem = /^(\w+?)_?(id|uuid|ref|key)$/i.exec(k)?.[1];
    return !!stem && signsInOn(values, stem);
  };
  return !!cols && cols.length > 0 && !cols.some((k) => pattern.test(norm(k)) || signsIn(k));
}

/** Does a rule name this record, by its list of records (`models`) or by the shape of its name (`modelPattern`)? */
function ruleModelMatches(r: CompiledAssets['rules'][number], model: string): boolean {
  return modelMatches(model, r.modelSet, r.modelMatch === 'affix', r.ownTails) || (!!model && !!r.modelRe?.test(model));
}

/**
 * A generic record typed as one of the rule's records by a constant (`Transaction.create({ type: 'transfer-out' })`):
 * the constant is the record's name, alone or with a direction (`typedModelTails`). A line pushed into a list
 * kept on another record (`user.entries.push({ type: 'withdraw_pending' })`) is that record's bookkeeping.
 */
function typedAsModel(e: Effect, r: CompiledAssets['rules'][number]): boolean {
  if (!r.typedModelKeysRe || e.subDocument) return false;
  if (r.typedModelsRe && !r.typedModelsRe.test(e.model ?? '')) return false;
  return Object.entries(e.constants ?? {}).some(([k, v]) => {
    if (!r.typedModelKeysRe!.test(norm(k))) return false;
    const ws = v
      .split(/[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])/)
      .map(norm)
      .filter(Boolean);
    const named = ws.filter((w) => !r.typedModelTailSet.has(w));
    return ws.length > 0 && named.length === 1 && r.modelSet.some((t) => matchesTerm(named[0], t));
  });
}

/**
 * `model` ends with `term` (or its plural) as a record of its own: not as the right side of a join
 * table of another record (`cardToWorkspaceMembers` assigns members to a card; `userToTeam` is a membership).
 */
function endsWithTerm(model: string, term: string): boolean {
  const rest = model.endsWith(term)
    ? model.slice(0, -term.length)
    : model.endsWith(`${term}s`)
      ? model.slice(0, -term.length - 1)
      : undefined;
  if (rest === undefined) return false;
  // `<left>to<…><term>`: a join of `left` with the term's record, a membership only when `left` names people
  const at = rest.lastIndexOf('to');
  if (at >= 3) return PERSON.test(rest.slice(0, at));
  return true;
}

/** A prefix that makes a key about something else: `showEmailsToMembers`, `visibleForAdmins`. */
const PREPOSITION = /(to|for|of|with|by|from)$/;

/** A written key matches a term exactly, as a plural, or as its end when the term is long (`hashedPassword`). */
/** A key's environment qualifiers after a term (`apikey.test` → `apikeytest`): rules `keyQualifiers`. */
const KEY_QUALIFIERS = compiled(() => new Set((ruleFile('assets').keyQualifiers ?? []).map((q) => q.toLowerCase())));

export function keyMatches(key: string, term: string): boolean {
  if (matchesTerm(key, term)) return true;
  if (term.length >= 6 && key.startsWith(term) && KEY_QUALIFIERS().has(key.slice(term.length))) return true;
  if (term.length < 6 || !key.endsWith(term)) return false;
  return !PREPOSITION.test(key.slice(0, -term.length));
}

/**
 * Is `node` the fallback of a get-or-create: its result assigned to a local (or returned) under a test that the
 * local holds nothing (`let doc = await X.findOne(q); if (!doc) doc = await X.create(q)`)?
 */
function createsWhenMissing(node: ts.Node, wide = true): boolean {
  let x: ts.Node = node;
  while (ts.isAwaitExpression(x.parent) || ts.isParenthesizedExpression(x.parent)) x = x.parent;
  const p = x.parent;
  const direct =
    ts.isBinaryExpression(p) &&
    p.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
    p.right === x &&
    ts.isIdentifier(p.left)
      ? p.left.text
      : undefined;
  for (let a: ts.Node | undefined = p; a && !ts.isFunctionLike(a); a = a.parent) {
    if (!ts.isIfStatement(a) || !isInside(node, a.thenStatement)) continue;
    let cond = skipOuter(a.expression);
    if (ts.isPrefixUnaryExpression(cond) && cond.operator === ts.SyntaxKind.ExclamationToken)
      cond = skipOuter(cond.operand);
    else if (ts.isBinaryExpression(cond) && /^(==|===)$/.test(cond.operatorToken.getText()))
      cond = skipOuter(cond.left);
    else continue;
    if (!ts.isIdentifier(cond)) continue;
    // `if (!doc) doc = await X.create(…)`, or the branch fills the local from what it created
    // (`if (!dbUser) { const created = await db.query('INSERT …'); dbUser = created.rows[0] }`)
    if (cond.text === direct || (wide && assignsLocal(a.thenStatement, cond.text))) return true;
  }
  return false;
}

/** Does a statement assign the local `name` (`name = …`) outside the functions it defines? */
function assignsLocal(st: ts.Node, name: string): boolean {
  let hit = false;
  const visit = (n: ts.Node): void => {
    if (hit || (n !== st && ts.isFunctionLike(n))) return;
    if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isIdentifier(skipOuter(n.left)) &&
      (skipOuter(n.left) as ts.Identifier).text === name
    )
      hit = true;
    else n.forEachChild(visit);
  };
  visit(st);
  return hit;
}

/** A get-or-create's creation, in either form: `if (!doc) doc = await X.create(…)`, or after `if (found) return found`. */
function madeWhenMissing(node: ts.Node): boolean {
  return createsWhenMissing(node) || createdOnFirstAccess(node);
}

/**
 * A record created only when a lookup found none: after `if (rows.length > 0) { …; return rows[0] }` (or
 * `if (existing) return existing`) in the same function, where the tested local holds what an awaited call
 * read. The get-or-create of a record made on first access.
 */
function createdOnFirstAccess(node: ts.Node): boolean {
  for (let n: ts.Node = node; n.parent && !ts.isFunctionLike(n); n = n.parent) {
    const p = n.parent;
    if (!ts.isBlock(p) && !ts.isSourceFile(p)) continue;
    for (const st of p.statements) {
      if (st === n) break;
      // (answering the record found, `return rows[0]`: a duplicate refused, `return res.status(409)…`, is no get-or-create)
      const found = ts.isIfStatement(st) && exits(st.thenStatement) ? foundWhen(st.expression) : undefined;
      if (found && ts.isIfStatement(st) && returnsLocal(st.thenStatement, found)) return true;
    }
  }
  return false;
}

/** Does a branch return (a value built from) the local (`return rows[0]`, `return { ...rows[0], secret }`)? */
function returnsLocal(st: ts.Statement, local: ts.Identifier): boolean {
  let hit = false;
  const visit = (n: ts.Node): void => {
    if (hit || (n !== st && ts.isFunctionLike(n))) return;
    if (ts.isReturnStatement(n) && n.expression) {
      const see = (x: ts.Node): void => {
        if (ts.isIdentifier(x) && x.text === local.text && findDeclaration(x) === findDeclaration(local)) hit = true;
        else x.forEachChild(see);
      };
      see(n.expression);
    }
    n.forEachChild(visit);
  };
  visit(st);
  return hit;
}

/** The local a condition, when true, says a lookup found a record in (`rows.length > 0`, `rows[0]`, `existing`). */
function foundWhen(cond: ts.Expression): ts.Identifier | undefined {
  let x = skipOuter(cond);
  if (ts.isBinaryExpression(x)) {
    const op = x.operatorToken.getText();
    const r = skipOuter(x.right);
    const zero = ts.isNumericLiteral(r) && r.text === '0';
    const one = ts.isNumericLiteral(r) && r.text === '1';
    if (!((op === '>' && zero) || (op === '>=' && one) || (/^!==?$/.test(op) && (zero || isNullish(r)))))
      return undefined;
    x = skipOuter(x.left);
  }
  if (ts.isPropertyAccessExpression(x) && x.name.text === 'length') x = skipOuter(x.expression);
  if (ts.isElementAccessExpression(x) && ts.isNumericLiteral(x.argumentExpression)) x = skipOuter(x.expression);
  if (!ts.isIdentifier(x)) return undefined;
  const d = findDeclaration(x);
  // a local holding what an awaited call read (`const rows = await db.select()…`, `const [m] = await …`)
  const root = d && ts.isBindingElement(d) ? bindingPath(d).root : d;
  const decl = root && ts.isVariableDeclaration(root) ? root : undefined;
  let init: ts.Expression | undefined = decl?.initializer;
  while (init && (ts.isParenthesizedExpression(init) || ts.isAsExpression(init) || ts.isNonNullExpression(init)))
    init = init.expression;
  return init && ts.isAwaitExpression(init) ? x : undefined;
}

/** Does the write store a one-way hash of a typed secret: a hashing call's result, or a column named as one (`withdrawPinHash`)? */
function storesHash(e: Effect): boolean {
  return e.dataKeys.some((k) => k === SECRET_HASH_KEY || /(pass|pin|secret)\w*(hash|digest)$|^hashed/i.test(k));
}

/** Is the record a log, an audit trail, an event or a notification (rules assets.bookkeepingModels)? */
export function bookkeepingRecord(model: string | undefined): boolean {
  return isBookkeepingModel(model && norm(model), assetRules());
}

function isBookkeepingModel(model: string | undefined, c: CompiledAssets): boolean {
  return !!model && (c.bookkeeping.has(model) || [...c.bookkeeping].some((b) => b.length >= 5 && model.endsWith(b)));
}

/** A key that only names or decorates a record: a cosmetic key, or one ending in one (`passkeyName`, `keyLabel`), never a login name. */
function isCosmetic(k: string, c: CompiledAssets): boolean {
  if (c.cosmetic.has(k)) return true;
  if (c.notCosmetic.test(k)) return false;
  return c.cosmeticSuffixes.some((t) => k.endsWith(t) && k.length > t.length);
}

/** Property names of the object literals among a call's arguments, nested a few levels (`invoice_settings.default_payment_method`); one written `false` is left out. */
function argKeysOf(node: ts.Node, values: ValueResolver): Set<string> {
  const out = new Set<string>();
  const visit = (e: ts.Expression, depth: number): void => {
    if (depth > 3) return;
    let x = skipOuter(e);
    if (ts.isIdentifier(x)) {
      // options set field by field (`params.payment_method = id`) before the call
      for (const k of fieldAssignments(x).keys) out.add(k.toLowerCase());
      // the rest of a typed parameter (`{ cancel_at, ...body }: PatchBody`): the keys its type lists
      for (const k of restTypeKeys(x, values) ?? []) out.add(k.toLowerCase());
      const obj = values.resolve(x).find((v) => v.kind === 'object');
      if (obj && obj.kind === 'object') x = obj.node;
    }
    // a payload sent as text (`body: JSON.stringify({ amount, account_number })`) carries the object's keys
    if (ts.isCallExpression(x) && x.arguments[0] && /^JSON\.stringify$/.test(x.expression.getText()))
      return visit(x.arguments[0], depth);
    if (!ts.isObjectLiteralExpression(x)) return;
    for (const p of x.properties) {
      const name = p.name ? propertyNameText(p.name) : undefined;
      // an option written false is not asked for (`confirm: false`: the payer confirms later)
      const off = ts.isPropertyAssignment(p) && skipOuter(p.initializer).kind === ts.SyntaxKind.FalseKeyword;
      if (name && !off) out.add(name.toLowerCase());
      if (ts.isPropertyAssignment(p)) visit(p.initializer, depth + 1);
      if (ts.isSpreadAssignment(p)) visit(p.expression, depth + 1);
    }
  };
  if (ts.isCallExpression(node)) for (const a of node.arguments) if (!ts.isSpreadElement(a)) visit(a, 0);
  return out;
}

export interface AssetContext {
  values: ValueResolver;
  /** Body fields of the endpoint (normalised): what a write of the whole request body writes. */
  bodyFields: readonly string[];
  /** A validation schema declares the body's fields: the body holds those and no others. */
  bodyDeclared?: boolean;
  /** Request values the handler requires to equal who is signed in (normalised): they name the caller's own record (asked only when it matters). */
  ownFields?: () => ReadonlySet<string>;
  /** The endpoint's path (its parameters name records the request chooses). */
  path?: string;
  /** The endpoint is an administrator's, by its path or its chain: a record it loads by the request's values is one the administrator chose. */
  administrative?: boolean;
  /** The calls a write was reached through from the handler, along every way to it. */
  sites?: (e: Effect) => readonly ts.CallExpression[];
  /** No signed-in session is served (a sign-up, a provider sign-in): a new account is made for the caller. */
  sessionless?: () => boolean;
  /** Does a middleware of the endpoint's route, or a project's own one on its router, stand in front of its handler? */
  routeGated?: () => boolean;
  /** Filled with the writes a policy exclusion set aside (a third-party key the user supplied). */
  cleared?: Set<Effect>;
  /** Leaves reached through a call whose result the caller throws away: what they return is never answered. */
  discarded?: ReadonlySet<Effect>;
  /** The endpoint's own function (where a refusal of an enrolment already on may be). */
  handler?: ts.Node;
  /** Set when an MFA enrolment's first step was set aside: what its answer carries of the new secret is no reveal. */
  pending?: { seen: boolean };
}

/** A key one of whose words names a balance (`btcBal`, `usdt_balance`, `balanceInUsd`), or one of the listed keys. */
function balanceKey(
  key: string,
  listed: readonly string[],
  balanceWords: ReadonlySet<string>,
  ledger?: { model: string; r: CompiledAssets['rules'][number] },
  tails?: ReadonlySet<string>,
): boolean {
  const n = norm(key);
  const last = words(key).pop();
  if (last && tails?.has(last)) return true;
  if (listed.some((t) => keyMatches(n, t))) return true;
  // the amount of a record that is itself the balance (`balance.amount`, a wallet's `value`)
  // (`availableKobo`, `amount_cents`: a ledger key in a currency unit; `withdrawnKobo` is a tally)
  if (ledger && ledgerModel(ledger.model, ledger.r, balanceWords)) {
    const [first, ...units] = words(key);
    if (
      ledger.r.ledgerKeys?.includes(n) ||
      (!!last && ledger.r.ledgerTails?.includes(last)) ||
      (!!first &&
        ledger.r.ledgerKeys?.includes(first) &&
        units.length > 0 &&
        units.every((w) => ledger.r.ledgerUnits?.includes(w)))
    )
      return true;
  }
  // the balance in a unit or a currency (`totalBalanceInWeiUsd`, `balanceUsd`) is still the balance
  return words(key).some((w) => balanceWords.has(w));
}

/** A key naming a role (`role`, `user_role`, `permissions`): a role term, or ending on one. */
function roleKey(k: string, roleKeys: readonly string[]): boolean {
  return roleKeys.some((t) => matchesTerm(k, t) || k.endsWith(t));
}

/** A plain amount key on a person's record (`Amount` of a member, `money` of a user): what the person holds. */
function heldAmount(key: string, model: string, r: CompiledAssets['rules'][number]): boolean {
  return r.heldAmountKeySet.has(norm(key)) && !!r.heldAmountModelsRe?.test(norm(model));
}

/** A key named for a holding moved by an amount, as a whole or by its last word (`wallet`, `pineWallet`). */
function movedKey(key: string, moved: readonly string[]): boolean {
  const last = words(key).pop();
  return moved.includes(norm(key)) || (!!last && moved.includes(last));
}

/** Is the record itself a balance (`balance`, `user_balances`, `wallet`, `vaultBalances`)? */
function ledgerModel(model: string, r: CompiledAssets['rules'][number], balanceWords: ReadonlySet<string>): boolean {
  const last = words(model).pop();
  // (a normalised name has lost its word breaks: `vaultbalances` ends on a balance word; short ones such as
  // `bal` would also end `global`)
  return (
    (!!last && balanceWords.has(last)) ||
    ([...balanceWords].some((w) => w.length >= 5 && model.endsWith(w)) && !r.notLedgerModelsRe?.test(model)) ||
    (r.ledgerModels ?? []).some((m) => modelMatches(model, [norm(m)], false))
  );
}

/** Is the endpoint's last path parameter one of `params`, under a segment among `under` (`/team/:memberId`)? */
function namedByParam(p: string | undefined, params: readonly string[], under: readonly string[]): boolean {
  const segs = (p ?? '').split('/').filter(Boolean);
  const last = segs[segs.length - 1];
  const before = segs[segs.length - 2];
  return (
    !!last && !!before && isParamSegment(last) && params.includes(norm(last)) && under.includes(before.toLowerCase())
  );
}

/** Does the request name the account (a path parameter or body field such as `:userId`, `username`, or `/users/:id`)? */
function targetNamed(
  ctx: AssetContext,
  t: { names: string[]; segments: string[]; actionSegments?: string[]; idPattern?: string },
): boolean {
  const idRe = t.idPattern ? new RegExp(t.idPattern) : undefined;
  const names = t.names.map(norm);
  const own = (n: string): boolean => !!ctx.ownFields?.().has(n);
  const named = (n: string): boolean => (names.includes(n) || !!idRe?.test(n)) && !own(n);
  if (ctx.bodyFields.some(named)) return true;
  const segs = (ctx.path ?? '').split('/').filter(Boolean);
  return segs.some((s, i) => {
    if (!isParamSegment(s)) return false;
    const param = norm(s);
    if (named(param)) return true;
    if (param !== 'id' || own('id')) return false;
    // the record an `:id` names: the segment before it, past the verbs that say what is done to it
    // (`/wallets/credit/:id` names a wallet)
    let j = i - 1;
    while (j > 0 && t.actionSegments?.includes(segs[j].toLowerCase())) j--;
    return j >= 0 && t.segments.includes(segs[j].toLowerCase());
  });
}

/** An insert that leaves an existing row alone, and names of functions that read (rules/assets.json `backfill`). */
const BACKFILL = compiled(() => {
  const b = ruleFile('assets').backfill;
  return b ? { keepsExisting: new RegExp(b.keepsExisting, 'i'), readerNames: new RegExp(b.readerNames) } : undefined;
});

/**
 * A row written by a function named for reading, with an insert that leaves an existing row alone: the reader
 * fills in a row missing for what is already stored (a legacy owner's role row), it grants nothing new.
 */
function backfilledOnRead(e: Effect): boolean {
  const b = BACKFILL();
  if (!b) return false;
  let top: ts.Node = e.node;
  while (
    top.parent &&
    (ts.isPropertyAccessExpression(top.parent) ||
      (ts.isCallExpression(top.parent) && top.parent.expression === top) ||
      ts.isAwaitExpression(top.parent))
  )
    top = top.parent;
  if (!b.keepsExisting.test(top.getText())) return false;
  // (a role the server fixed, a literal or a local made of literals: one handed in may be the request's choice)
  if (!fixedRoles(top)) return false;
  const fn = enclosingFunction(top);
  const name =
    fn && (ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) && fn.name
      ? fn.name.getText()
      : fn && ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)
        ? fn.parent.name.text
        : undefined;
  return !!name && b.readerNames.test(name);
}

/** Are the role values an insert writes fixed by the server: literals, or locals given only literals? */
function fixedRoles(insert: ts.Node): boolean {
  const fixed = (e: ts.Expression, depth = 0): boolean => {
    const x = skipOuter(e);
    if (ts.isStringLiteralLike(x) || ts.isNumericLiteral(x)) return true;
    if (ts.isConditionalExpression(x)) return fixed(x.whenTrue, depth) && fixed(x.whenFalse, depth);
    if (ts.isIdentifier(x) && depth < 3) {
      const d = findDeclaration(x);
      return !!d && ts.isVariableDeclaration(d) && !!d.initializer && fixed(d.initializer, depth + 1);
    }
    return false;
  };
  let ok = true;
  const visit = (n: ts.Node): void => {
    if (!ok) return;
    if (ts.isPropertyAssignment(n) && /role/i.test(n.name.getText())) ok = fixed(n.initializer);
    else if (ts.isShorthandPropertyAssignment(n) && /role/i.test(n.name.text)) ok = fixed(n.name);
    else if (ts.isSpreadAssignment(n)) ok = false;
    else ts.forEachChild(n, visit);
  };
  visit(insert);
  return ok;
}

/** The assets the (leaf) effects of one endpoint touch. */
export function assetHits(effects: readonly Effect[], ctx: AssetContext): AssetHit[] {
  const c = assetRules();
  const mints = effects.some((e) => e.kind === 'mint');
  // a team, organisation or household created in the same operation: a member written with a role
  // there is its creator's founding membership
  // (a group made only when the caller has none, `if (!team) team = await Team.create(…)`, founds nothing for
  // the members added after it: they may join the group found)
  const foundsGroup = effects.some(
    (e) =>
      (e.kind === 'db-write' || e.kind === 'sql-write') &&
      writeOps(e).includes('create') &&
      !writeOps(e).includes('update') &&
      // (only the plain form: a group made on first use whose id the branch keeps, `if (!orgId) { …; orgId = org.id }`,
      // is founded by the caller, who joins it next)
      !createsWhenMissing(e.node, false) &&
      (modelMatches(e.model ?? '', c.groupModels, false) ||
        // a relation named for the group, created with a new record (`createdOrganisations: { create }` in
        // `user.create`): its name ends on the group's
        (!!e.withParentCreate &&
          c.groupModels.some((g) => (e.model ?? '').endsWith(g) || (e.model ?? '').endsWith(`${g}s`)))),
  );
  // records created by this endpoint: setting a credential on one (`INSERT INTO address …; UPDATE address SET
  // password = …`) completes its creation (a sign-up, a new mailbox), it changes nobody's existing credential
  // (a creation only when nothing was found, `if (!doc) doc = await X.create(…)` or after `if (found) return found`,
  // leaves the found record as it was)
  const created = new Set(
    effects
      .filter(
        (e) =>
          e.model &&
          writeOps(e).join() === 'create' &&
          // (a get-or-create helper the handler calls first, `if (data) return data; … insert(…)`)
          !madeWhenMissing(e.node),
      )
      .map((e) => e.model!),
  );
  // the first step of an MFA enrolment: a secret stored for a factor not on yet (pending-factor.ts)
  const pr = pendingRules();
  const mfaFields = c.rules.find((r) => r.id === 'mfa-fields');
  const mfaFactor = c.rules.find((r) => r.id === 'mfa-factor');
  const factorWrites = pr
    ? effects.filter(
        (e) =>
          (e.kind === 'db-write' || e.kind === 'sql-write') &&
          ((!!mfaFactor && !!e.model && ruleModelMatches(mfaFactor, e.model)) ||
            (!!mfaFields &&
              e.dataKeys.flatMap(keyForms).some((k) => mfaFields.keySet.includes(k) || !!mfaFields.keyRe?.test(k)))),
      )
    : [];
  // (every factor write of the endpoint: one that may change a factor that is on keeps them all)
  const firstStep = factorWrites.filter((e) =>
    pendingEnrolment(e, e.dataKeys.flatMap(keyForms), writeOps(e), ctx.handler, pr!),
  );
  const pending = new Set(firstStep.length === factorWrites.length ? firstStep : []);
  const setAside = (): void => {
    if (ctx.pending) ctx.pending.seen = true;
  };
  const hits: AssetHit[] = [];
  for (const e of effects) {
    if (e.kind === 'identity') continue; // decided by the identity rules of effects.json
    // an OTP secret generated and handed out, stored nowhere or for a factor not on yet: no factor changes
    // (with no factor write seen, only where nothing at all is stored: the secret may sit in a column of any name)
    if (
      e.kind === 'mint' &&
      pr &&
      otpGenerator(e.callee, pr) &&
      (factorWrites.length
        ? factorWrites.every((f) => pending.has(f))
        : !effects.some((f) => f.kind === 'db-write' || f.kind === 'sql-write' || f.kind === 'call'))
    ) {
      ctx.cleared?.add(e);
      setAside();
      continue;
    }
    // a secret generated here and handed to the client (`c.json({ apiKey: randomBytes(24)… })`)
    if (e.kind === 'mint') {
      // generated inside a helper whose result the handler throws away (`await getMerchant();`)
      if (ctx.discarded?.has(e)) continue;
      // a minting call whose own name says what it makes (`keys.createApiKey()`), or a value named as a secret
      const callee = e.callee.split('.').pop() ?? '';
      const name =
        returnedSecretName(e.node, false, MINTS_KEY.test(callee) ? callee : undefined) ?? issuedKeyAnswered(e, effects);
      if (name)
        hits.push({ rule: MINT_RETURNED, effect: e, detail: `${MINT_RETURNED.does}: ${e.callee} returned as ${name}` });
      continue;
    }
    // a recovery code kept as a row and marked used by a check (`set({ used: true, usedAt })`): no factor changes
    if (marksCodeSpent(e)) continue;
    const model = e.model ?? '';
    // (a sessions row typed as a key, `type: 'pat'`, is no bookkeeping: a rule's keyConstants say so)
    if ((e.kind === 'db-write' || e.kind === 'sql-write') && isBookkeepingModel(model, c) && !typedAsKey(e, c))
      continue;
    const ops = e.kind === 'sql-write' ? sqlOps(e.action) : opsOf(e);
    // a write of the whole request body writes the body's fields
    // less the keys taken out beside a rest (`const { ownerTeamId, ...data } = body`)
    const notKeys = new Set((e.notKeys ?? []).map(norm));
    // the body as the client sent it, with no field known, written into a record whose columns are
    // declared: the client may name any of them (`User.findByIdAndUpdate(id, req.body)`)
    // (a record of people, or any record that signs in — its schema has a password: what a client may
    // set on itself there is its sign-in, its role, where its money goes)
    // (the body or an object inside it spread whole: its keys are the client's, whatever fields the handler
    // also reads by name, `const { email } = req.body; User.create({ ...req.body })`; only a validation
    // schema that declares the body's fields closes it, unless none of those is a column of the record,
    // `{ accountId, userData }`: then they name containers, not columns)
    const columns =
      e.opaqueData && (e.rawBody || e.rawBodyPart) && model ? schemaColumns(ctx.values, model) : undefined;
    const containersOnly = !!columns && !ctx.bodyFields.some((f) => columns.some((col) => norm(col) === f));
    const declared =
      columns && (e.rawBodyPart || (e.rawBody && (!ctx.bodyDeclared || containersOnly))) ? columns : undefined;
    const anyColumn =
      declared && (PERSON.test(model) || declared.some((k) => c.signInColumns.has(norm(k)))) ? declared : [];
    const written = [
      ...new Set([
        ...e.dataKeys.flatMap(keyForms),
        ...(e.opaqueData ? ctx.bodyFields.filter((f) => !notKeys.has(f)) : []),
        ...anyColumn.map(norm).filter((k) => !notKeys.has(k)),
      ]),
    ];
    // (a record's value named by the record counts as a secret only where one is minted)
    const withRecordValue = [...new Set([...written, ...recordNamedKeys(model, e.dataKeys)])];
    let argKeys: Set<string> | undefined;
    for (const r of c.rules) {
      if (pending.has(e) && pr!.rules.has(r.id)) {
        ctx.cleared?.add(e);
        setAside();
        continue;
      }
      const all = r.withMint ? withRecordValue : written;
      // an upsert's insert-only keys are not written to a record it finds: no update rule sees them
      const insertOnly = r.ops && !r.ops.includes('create') ? new Set((e.insertOnly ?? []).map(norm)) : undefined;
      const keys = insertOnly?.size ? all.filter((k) => !insertOnly.has(k)) : all;
      // (a refresh token beside it: an OAuth grant's tokens, not a key of this application)
      if (r.notWithKeys && written.some((k) => r.notWithKeys!.includes(k))) continue;
      // (a record that holds value itself, declaring or written with a balance: the account, not where it is paid)
      if (
        r.holdsValueRe &&
        model &&
        (!r.holdsValueModelsRe || r.holdsValueModelsRe.test(norm(model))) &&
        holdsValue(r.holdsValueRe, model, written, ctx.values)
      )
        continue;
      const kinds = r.kinds ?? ['db-write', 'sql-write'];
      if (!kinds.includes(e.kind as (typeof kinds)[number])) continue;
      if (r.ops && !r.ops.some((o) => ops.includes(o))) continue;
      // (a role row a reader fills in only where it is missing, `getUserOrgRole` inserting the role the stored
      // organisation already gives, `onConflictDoNothing()`: it records what is, it grants nothing)
      if (r.category === 'privilege' && ops.every((o) => o === 'create') && backfilledOnRead(e)) continue;
      if (r.callsRe && !r.callsRe.test(e.callee)) continue;
      if (r.urlPathRe && !(e.target !== undefined && r.urlPathRe.test(e.target))) continue;
      // a row whose own type says it is a lasting key (`type: 'pat'` on a sessions table)
      const typedKey = writesConstant(e, r.keyConstantRes);
      // (a record the rule names as not its asset, `providerApiKeys`: no path word makes it one either)
      if (r.notModelsRe && model && r.notModelsRe.test(model) && !typedKey) {
        if (r.modelSet.length && ruleModelMatches(r, model)) ctx.cleared?.add(e);
        continue;
      }
      // (a stake debited beside the bet it places, `bets.insert(…)`: the account's own play)
      if (
        r.notBesideCreatesRe &&
        effects.some(
          (o) => o !== e && !!o.model && writeOps(o).includes('create') && r.notBesideCreatesRe!.test(norm(o.model)),
        )
      )
        continue;
      // another system's password is supplied, never hashed: a hash stored there is this application's verifier
      if (r.systemModelsRe && model && r.systemModelsRe.test(model) && !storesHash(e)) continue;
      // …and so is one kept in plain on a record that says where another system is (a host, an IP address,
      // a port: a router's API password), names no person, and that the application's own sign-in, seen
      // whole, never looks up
      if (
        r.plainOffAccounts &&
        model &&
        !storesHash(e) &&
        !PERSON.test(model) &&
        declaresColumn(ctx.values, model, r.plainOffAccounts, true) &&
        signInRecordsKnown(ctx.values) &&
        !signsInOn(ctx.values, model)
      )
        continue;
      // a row whose own type says what it is (`type: 'magic'` on a tokens table), written or picked by it
      // (`DELETE FROM auth_tokens WHERE user_id = $1 AND type = $2` with 'set_password')
      if (writesConstant(e, r.notConstantRes) || filtersConstant(e, r.notConstantRes)) continue;
      if (r.argKeys || r.argKeysAlso) {
        argKeys ??= argKeysOf(e.node, ctx.values);
        if (r.argKeys && !r.argKeys.some((k) => argKeys!.has(k.toLowerCase()))) continue;
        if (r.argKeysAlso && !r.argKeysAlso.some((k) => argKeys!.has(k.toLowerCase()))) continue;
      }
      if (r.modelSet.length || r.modelRe) {
        const ok =
          ruleModelMatches(r, model) ||
          typedAsModel(e, r) ||
          // `DELETE /org/:id/team/:memberId` removing an `OrgTeam` row: the path says what the record is
          (!!r.namedByParam && namedByParam(ctx.path, r.namedByParam, r.namedByParamUnder ?? [])) ||
          (r.modelOptional && !model) ||
          (!!r.membershipShape &&
            membershipShaped(keys, r.membershipShape, r.membershipGroupRe) &&
            targetNamed(ctx, { names: r.membershipShape.namedBy, segments: r.membershipShape.under })) ||
          // `owners: arrayUnion(uid)` on a record of any name: a person added to the list that says who holds it
          (!!r.listItemsAnyModel &&
            keys.some(
              (k) =>
                isListItem(e, k) &&
                (r.listItemsAnyModel!.includes(k) || (r.keySet.includes(k) && pushedWithRole(e, k))),
            )) ||
          (modelMatches(model, r.tenantSet, false) && hasMembers(ctx.values, model)) ||
          // (a `profiles` row where a hosted identity provider keeps the sign-in: the application's record of the person)
          (modelMatches(model, r.hostedAccountSet, false) && signsInThroughProvider(ctx.values)) ||
          (modelMatches(model, r.ownedPeopleSet, false) &&
            (r.ownedPeopleSignIn
              ? declaresColumn(ctx.values, model, [...c.signInColumns]) || signsInOn(ctx.values, model)
              : signsInItself(ctx.values, model, r.modelSet, c))) ||
          // (columns of the rule's own, not a flag of the same name, `pin Boolean` on a pinned note, on a record
          // that is no place: a pin code beside a city is a postal code)
          (!!r.withColumns &&
            !!model &&
            declaresColumn(
              ctx.values,
              model,
              r.withColumns.filter((col) => !declaredFlag(ctx.values, model, col)),
              true,
            ) &&
            !(r.placeColumns && declaresColumn(ctx.values, model, r.placeColumns, true))) ||
          (!!r.withColumnGroups &&
            !!model &&
            r.withColumnGroups.some((group) => group.every((col) => declaresColumn(ctx.values, model, [col], true)))) ||
          (!!r.signInModels && !!model && signsInOn(ctx.values, model)) ||
          (!!r.shapeKeys && r.shapeKeys.some((group) => group.every((k) => keys.includes(norm(k))))) ||
          // (a record of any name whose write is nothing but its owner: a transfer of that record)
          (!!r.ownerOnlyAnyModel &&
            !e.opaqueData &&
            keys.some((k) => r.keySet.includes(k)) &&
            keys.every((k) => r.keySet.includes(k) || !!r.ownerBesideRe?.test(k)));
        if (!ok) continue;
        // a record matched by its name only, where the project keeps its sign-in links in another record its columns
        // mark (`Account { providerAccountId }` beside a calendar's `ConnectedAccount`)
        if (
          r.linksKeptByMarker &&
          r.withColumns &&
          model &&
          !declaresColumn(ctx.values, model, r.withColumns, true) &&
          modelsDeclaring(ctx.values, r.withColumns).some((m) => m !== norm(model))
        )
          continue;
        // a record whose own columns say it is something else (`Account { provider, providerAccountId }`)
        if (r.notColumns && model && declaresColumn(ctx.values, model, r.notColumns, true)) continue;
        // …or made by an endpoint with no session (the first way in of an account a sign-up makes)
        if (r.notCreatedSessionless && ops.every((o) => o === 'create') && ctx.sessionless?.()) continue;
        // …or any write of it by an endpoint with no session (a sign-up confirmed by its code switching the account on)
        // (with no middleware of its own route: a gate there, unseen as a session read, may be one)
        if (r.notSessionless && ctx.sessionless?.() && !ctx.routeGated?.()) continue;
        // …or whose declared columns name no user of the application
        if (
          r.personColumnsRe &&
          model &&
          (!r.personColumnsModelsRe || r.personColumnsModelsRe.test(model)) &&
          declaresNoColumn(ctx.values, model, r.personColumnsRe) &&
          // (the application's sign-in looking it up makes it a person's account whatever its columns)
          !signsInOn(ctx.values, model)
        )
          continue;
        // an `account` that belongs to a person of another declared model (a mailbox address of a user)
        // (one that holds the sign-in itself, a password hash, is the login record whatever it points to)
        if (
          r.ownedBy &&
          model &&
          belongsToOwner(ctx.values, model, r.ownedBy) &&
          !declaresColumn(ctx.values, model, [...c.signInColumns])
        )
          continue;
        // a group whose record belongs to another group (a team's `workspaceId`) is a part of the organisation
        // (a person's record naming its team is still the account)
        if (r.nestedRe && !PERSON.test(norm(model)) && nestedGroup(ctx.values, model, r.nestedRe)) continue;
        // a "member" row whose declared references name no person (`segmentMembers { segmentId, contactId }`):
        // contacts in a mailing segment, recipients in a list: nobody who signs in gains or loses access
        if (MEMBERSHIP_RULES.has(r.id) && model && membersAreNotPeople(ctx.values, model, keys)) continue;
        // a copy of the identifier a hosted identity provider signs the account in with
        if (
          r.notOnHostedIdentity &&
          signsInThroughProvider(ctx.values) &&
          !(model && (signsInOn(ctx.values, model) || declaresColumn(ctx.values, model, [...c.signInColumns])))
        )
          continue;
        // a member row whose declared record holds no role: its members hold nothing but the group itself
        if (r.withRoleOnly && model && !membershipHoldsRole(ctx.values, model, c)) continue;
      }
      // members removed in bulk with the record they belong to (`membersOnTeams.deleteMany` beside
      // `team.delete`) go with it: nobody's membership is taken away from a group that goes on
      if (r.notWithContainer && e.kind === 'db-write') {
        const containers = deletedContainers(effects, e, r);
        if (containers.length && (/many$/i.test(e.action ?? '') || deletesByGroupKey(e, containers))) continue;
      }
      // rules written as part of another record made or removed here (a new organisation's admin assignment, a
      // collection's default policies) set that record's access up or clear it: nobody's access to what stands changes
      if (
        r.notBesideRecordLife &&
        effects.some(
          (o) =>
            o !== e &&
            (o.kind === 'db-write' || o.kind === 'sql-write') &&
            !!o.model &&
            o.model !== e.model &&
            !isBookkeepingModel(o.model, c) &&
            !r.modelSet.some((m) => modelMatches(o.model ?? '', [m], false)) &&
            opsOf(o).some((op) => op === 'create' || op === 'delete'),
        )
      )
        continue;
      let matchedKeys: string[] = [];
      if (r.keySet.length) {
        const constants = constantsOf(e);
        // a key with a value pattern (`status: 'revoked'`) counts only when written with a matching constant
        matchedKeys = keys.filter((k) => {
          const terms = r.keySet.filter((t) =>
            r.wholeKeys?.includes(t)
              ? matchesTerm(k, t) || (!!r.wholeKeyOwnersRe && matchesTerm(k.replace(r.wholeKeyOwnersRe, ''), t))
              : keyMatches(k, t) || (!!r.keyEndings && k.endsWith(t)),
          );
          // (a key by its shape is a column written, not a record's value named by the record: `pairingToken.token`)
          if (
            !terms.length &&
            r.keyRe?.test(k) &&
            written.includes(k) &&
            (!r.keyPatternModelsRe || r.keyPatternModelsRe.test(norm(model)))
          )
            terms.push(k);
          if (!terms.length && typedKey && TYPED_KEY_COLUMN.test(k) && written.includes(k)) terms.push(k);
          if (!terms.length || r.notKeysRe?.test(k)) return false;
          // an item added to or taken from a list (`owner: arrayUnion(boardId)`) replaces nobody
          if (r.notListItems && isListItem(e, k)) return false;
          // an item taken from a list (`$pull: { banks: {…} }`): one entry removed, nothing set
          if (r.notListRemovals && constantsOf(e).get(k) === '$remove') return false;
          // `removedAt: null`, `isDeleted: false`: the record is restored, not removed
          if (c.softRemovalKeys.has(k) && ['null', 'false', 'undefined'].includes(constants.get(k) ?? 'x'))
            return false;
          // a credit granted to an account the request names: an amount taken away (`tokens_delta: -cost`) is spending
          if (r.targetFromRequest && (e.debits ?? []).some((d) => norm(d) === k)) return false;
          // a username or a phone is a login identifier only where the application signs in by it
          if (r.signInKeys?.some((t) => keyMatches(k, t))) {
            const family = identifierFamily(k);
            if (!family || !signsInBy(ctx.values, family, model)) return false;
          }
          if (r.contactUnlessSignIn?.some((t) => keyMatches(k, t))) {
            const family = identifierFamily(k);
            if (family && signsInOnlyByOther(ctx.values, family, model)) return false;
          }
          // the request names the value (`expiresAt` from the body): an edit of the record's setting
          if (r.requestEdits?.some((t) => keyMatches(k, t)) && ctx.bodyFields.includes(k)) return false;
          // a value pattern belongs to the term matched (`isSubscriptionActive` matched by `active` must be written false)
          const pattern = r.valueRes.get(k) ?? terms.map((t) => r.valueRes.get(t)).find((x) => x);
          if (!pattern) return true;
          if (constants.has(k))
            return constants
              .get(k)!
              .split(CHOICES)
              .some((c) => pattern.test(c));
          // the caller chooses the value (`status` from the request body): it can be the revoking one
          // …and so can a flag toggled (`isActive: !key.isActive`): it takes either value
          if (!r.chosenValues?.some((t) => terms.includes(t))) return false;
          if (ctx.bodyFields.includes(k)) return true;
          return (
            ts.isCallExpression(e.node) &&
            writtenValues(e.node, k, ctx.values).some((v) => {
              const x = skipOuter(v);
              return ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.ExclamationToken;
            })
          );
        });
        // a destination the server made itself (a deposit address a generator produced, an account number the
        // database issued): no request chose where money goes
        if (
          r.notWhenServerMade &&
          ts.isCallExpression(e.node) &&
          !e.rawBody &&
          matchedKeys.every((k) => serverMade(e.node as ts.CallExpression, k, ctx.bodyFields, ctx.values))
        )
          continue;
        // the identifier the account already has, copied from the session or a record the server read
        // (`upsert({ id: user.id, email: user.email })` after `auth.getUser()`): no request chose it
        if (
          r.notWhenCopied &&
          ts.isCallExpression(e.node) &&
          !e.rawBody &&
          matchedKeys.length &&
          matchedKeys.every((k) => copiedIdentifier(e.node as ts.CallExpression, k, ctx.bodyFields, ctx.values))
        )
          continue;
        // a postal address's pin code (`pin_code` beside a city or a district) is where a place is
        if (r.placeKeys && r.placeColumns && matchedKeys.some((k) => r.placeKeys!.includes(k))) {
          // (a person's record that also keeps a city may hold a PIN: only the write itself naming the place says so)
          const place =
            written.some((k) => r.placeColumns!.includes(k)) ||
            (!!model && !PERSON.test(model) && declaresColumn(ctx.values, model, r.placeColumns, true));
          if (place) matchedKeys = matchedKeys.filter((k) => !r.placeKeys!.includes(k));
        }
        if (!matchedKeys.length) continue;
        // recovery codes written back from their own stored value (`markRecoveryCodeUsed(user.codes, i)`): one
        // code spent by a check, the factor unchanged
        if (spendsOwnCodes(e, ctx.values, matchedKeys)) continue;
      }
      // a record found by the one-time code a client presents (`findFirst({ where: { code } })`, then deleted
      // by its id): that code spent by a check; no factor is looked up by a code someone types
      if (
        r.spentByKeysRe &&
        !ops.includes('create') &&
        ts.isCallExpression(e.node) &&
        foundByKey(e.node, r.spentByKeysRe, ctx.values)
      )
        continue;
      // the account credited is one the request names (`projectId` from the body), not the caller's own
      if (r.targetFromRequest && !keys.some((k) => /.id$/.test(k) && k.length > 2 && ctx.bodyFields.includes(k)))
        continue;
      if (r.alsoKeys && !keys.some((k) => r.alsoKeys!.some((t) => keyMatches(k, norm(t))))) continue;
      // every key written is known and none is where the record keeps what the rule guards
      if (
        r.onlyReferencesRe &&
        keys.length &&
        !e.opaqueData &&
        !e.rawBody &&
        keys.every((k) => r.onlyReferencesRe!.test(k))
      )
        continue;
      if (r.debitSet.length) {
        // the same write crediting another balance of the record (`balance` down, `tradingBalance` up) moves
        // money between the holder's own balances; a tally credited beside it (`withdrawnFunds`) is money leaving
        const ledger = { model, r };
        // (by the balance words only: a tally ending on a tail, `withdrawnEarnings`, `sentFromWallet`, is no balance)
        // (a balance credited by another amount than the one debited, `commissionBalance += commission` beside
        // `walletBalance -= amount`, is a reward for the spending, not where the amount went)
        const amounts = e.amounts ?? {};
        const sameAmount = (c: string, d: string): boolean =>
          amounts[c] === undefined || amounts[d] === undefined || amounts[c] === amounts[d];
        // (…or held back for the holder, `locked + amount` beside `available - amount`)
        const credited = (e.credits ?? []).filter(
          (k) =>
            balanceKey(k, r.debitSet, r.balanceWordSet, ledger) ||
            (!!r.holdKeys?.some((t) => norm(t) === norm(k)) && amounts[k] !== undefined),
        );
        const debited = (e.debits ?? [])
          .filter(
            (k) =>
              balanceKey(k, r.debitSet, r.balanceWordSet, ledger, r.balanceTailSet) ||
              movedKey(k, r.movedKeySet) ||
              heldAmount(k, model, r),
          )
          .filter((k) => !credited.some((c) => norm(c) !== norm(k) && sameAmount(c, k)))
          .map(norm);
        // one of the caller's own balances lowered and another of theirs raised in the same request (a swap
        // between currencies, a buy on the platform's own market): the money stays the caller's
        if (debited.length && ownExchange(e, effects, r, ctx)) continue;
        // the amount kept by the caller in another record of theirs (an investment, a savings goal, a stake)
        if (debited.length && r.ownHoldingRules && keptByCaller(e, effects, debited, r, r.ownHoldingRules, ctx, c))
          continue;
        // value of any name moved from one holder's record to another's (`points` decremented on the
        // sender's row and incremented by the same amount on the receiver's): sent to another user
        if (!debited.length && r.pairedMoveModelsRe?.test(norm(model)))
          debited.push(
            ...pairedMoves(e, effects)
              .map(norm)
              .filter((k) => !r.pairedMoveNotKeysRe?.test(k)),
          );
        // what left a balance kept as a tally on the balance record (`offchainSpent + amount`)
        if (!debited.length && r.spentTallies && ledgerModel(model, r, r.balanceWordSet))
          debited.push(
            ...(e.credits ?? [])
              .filter((k) => {
                const last = words(k).pop();
                return !!last && r.spentTallies!.includes(last) && e.amounts?.[k] !== undefined;
              })
              .map(norm),
          );
        // a balance emptied on a record that exists (`balance: 0` in an update): all of it left, a payout of the whole
        // (written as the literal zero itself: a fallback, `aggregate?.balance ?? 0`, recomputes the balance)
        if (!debited.length && ops.length && ops.every((o) => o === 'update'))
          debited.push(
            ...e.dataKeys
              .filter(
                (k) =>
                  literalZero(e, k, ctx.values) &&
                  balanceKey(k, r.debitSet, r.balanceWordSet, ledger, r.balanceTailSet),
              )
              .map(norm),
          );
        if (!debited.length) continue;
        matchedKeys = debited;
      }
      if (r.creditSet.length) {
        // (a record of a movement or a document, a bill or a transaction row, keeps a balance due or a
        // snapshot of one: a balance set outright there credits no account; a running balance raised from the
        // previous one, `balance: last.balance + amount`, is the account's balance kept in its rows)
        const holder = !(model && r.notHolderModelsRe?.test(model));
        // a balance set outright to a value that is no constant (`$set: { available: amount }`) is credited (or
        // debited) to whatever the request chose
        const moved = new Set([...(e.credits ?? []), ...(e.debits ?? [])].map(norm));
        // (not a figure about a balance: `initialBalance`, `minBalance`, a target or an alert threshold)
        const setOutright = holder
          ? e.dataKeys.filter(
              (k) => !moved.has(norm(k)) && e.constants?.[k] === undefined && !BALANCE_FIGURE.test(norm(k)),
            )
          : [];
        // (a balance raised by the amount another of the record's balances is lowered by, `available + x` beside
        // `locked - x`, is the holder's own money moved between them: a hold released, nothing granted…)
        const amounts = e.amounts ?? {};
        // (…by the amount a record holds for it: one the request names, `amount` from the body, is the admin's to choose)
        const movedWithin = (k: string): boolean =>
          amounts[k] !== undefined &&
          !ctx.bodyFields.includes(norm(amounts[k].split('.').pop() ?? '')) &&
          (e.debits ?? []).some((d) => norm(d) !== norm(k) && HELD.test(d) && amounts[d] === amounts[k]);
        const credited = [...(e.credits ?? []), ...setOutright]
          .filter(
            (k) =>
              (balanceKey(k, r.creditSet, r.balanceWordSet, { model, r }) ||
                (movedKey(k, r.movedKeySet) && moved.has(norm(k))) ||
                ((e.credits ?? []).includes(k) && heldAmount(k, model, r))) &&
              !movedWithin(k),
          )
          .map(norm);
        if (!credited.length) continue;
        matchedKeys = credited;
      }
      // the request names the account: by a field or parameter called for it, or by the value the
      // written record was looked up with (`Account.findOne({ number: req.body.emailOrNumber })`)
      // (for a balance credited: whether a record of another kind is the caller's, its name does not say)
      if (
        r.targetNamed &&
        !targetNamed(ctx, r.targetNamed) &&
        !(
          (r.category === 'money' || r.targetByRecord) &&
          recordChosenByRequest(e, ctx.values, !!ctx.administrative, ctx.sites?.(e))
        )
      )
        continue;
      // (…but a record the write finds by who is signed in is the caller's own, whatever else the request names:
      // `ensureMember()` switching the caller's own member record on beside a `memberId` filter)
      if (r.targetByRecord && recordOfSignedIn(e, ctx.values, ctx.sites?.(e))) continue;
      // an update that writes only these keys: a soft delete (`is_deleted: true`) removes the record,
      // cosmetic keys (a name, a description) leave what the rule guards alone
      const updatesOnly = (pred: (k: string) => boolean): boolean =>
        ops.length === 1 && ops[0] === 'update' && keys.length > 0 && !e.opaqueData && keys.every(pred);
      if (r.notWhenOnlyKeys && updatesOnly((k) => r.notWhenOnlyKeys!.some((t) => norm(t) === k))) continue;
      // an organisation's setting (`mfaConfig.update({ where: { orgId } })`): no one person's factor
      if (r.keyedByRe && ts.isCallExpression(e.node) && keyedByShared(e.node, r.keyedByRe)) continue;
      // a factor's record whose recovery codes are written back from their own stored value (one spent by a
      // check, `backupCodes: twoFactor.backupCodes.filter(…)`): the factor unchanged, as on the account's record
      if (ops.every((o) => o === 'update') && spendsOwnCodes(e, ctx.values)) continue;
      // every key of the asset written empty (`payout_method: null`, `stripe_account_id: null`): the
      // destination is removed, not set
      // …and a record created with it off (`twoFactor: { enabled: false }` on a new user) is created with the default
      if (
        r.notWhenCreatedOff &&
        ops.every((o) => o === 'create') &&
        (cleared(e, matchedKeys.length ? matchedKeys : keys) ||
          writtenEmpty(e, matchedKeys.length ? matchedKeys : keys, ctx.values))
      )
        continue;
      if (r.notWhenCleared && ops.every((o) => o === 'update') && cleared(e, matchedKeys.length ? matchedKeys : keys))
        continue;
      // every key written is a list an entry was taken from (`$pull`, the stored list written back filtered):
      // a payee removed, none added
      if (r.notListRemovals && ops.every((o) => o === 'update') && !e.opaqueData && keys.length > 0) {
        const constants = constantsOf(e);
        if (keys.every((k) => constants.get(k) === '$remove' || constants.get(k) === FILTERED)) continue;
      }
      if (r.ignoreWhenOnly && updatesOnly((k) => isCosmetic(k, c))) continue;
      // only flags switched on the record (`hasAnEvent: true`), none of them one that decides where money goes
      // (`isDefault`): the destination is unchanged
      if (r.decidingSet) {
        const constants = constantsOf(e);
        const flags = r.decidingSet;
        if (updatesOnly((k) => /^(true|false)$/.test(constants.get(k) ?? '') && !flags.has(k))) continue;
      }
      // a key column emptied (`apikey: null`) revokes the key, whichever record holds it
      if (
        r.onlyWhenCleared &&
        !(
          (ops.every((o) => o === 'update') && writtenEmpty(e, matchedKeys, ctx.values)) ||
          // (a loaded record's field emptied before its save: `user.googleId = null; await user.save()`)
          (ops.includes('update') && !ops.includes('delete') && assignedEmpty(e, matchedKeys))
        )
      )
        continue;
      if (r.withMint) {
        if (!mints) continue;
        // a secret the request supplies is stored, not minted; a column the schema declares boolean is a flag
        matchedKeys = matchedKeys.filter((k) => !ctx.bodyFields.includes(k) && !declaredFlag(ctx.values, model, k));
        if (r.keySet.length && !matchedKeys.length) continue;
        // a secret stored where no one gets it (a new record and the generated value both discarded);
        // a key written over an existing record's is rotated: the old one stops working, the new one is read there
        // (a record that is itself a key, `keys.key`, is issued whether it is answered now or listed later)
        if (ops.every((o) => o === 'create') && !isKeyTable(model) && neverLeaves(e, matchedKeys)) continue;
        // a value handed to a mailer (`sendConfirmation(email, token)`): a one-time link sent away, not a key
        if (r.mailedByRe && mailedOut(e, matchedKeys, r.mailedByRe)) continue;
        // a key written only where the record has none yet (`if (!account.privateKey) { … }`, or after returning
        // the stored pair): the first fill of a server-side key, not a rotation (a read that answers it is a reveal)
        if (ops.every((o) => o === 'update') && fillsMissing(e.node, matchedKeys)) continue;
        // …or born with a record made on first access, when a lookup found none (a key record is minted whenever)
        if (ops.every((o) => o === 'create') && !isKeyTable(model) && createdOnFirstAccess(e.node)) continue;
      }
      if (r.category === 'credentials' && ops.length === 1 && ops[0] === 'update' && created.has(model)) continue;
      // what is created with a new team (its founder's membership, its default roles, its first invitations)
      // belongs to the new team; so does the key a new team or project record is born with, which reaches
      // nothing yet (a key in a record of its own is minted for whatever the caller already holds)
      const createOnly = ops.length === 1 && ops[0] === 'create';
      // (an upsert of the founder's membership too: `organization_members.upsert({ role: 'owner' })` beside the new team)
      if (
        (foundsGroup || foundsOwnRecord(created, model, r) || joinsNewRecord(e, effects)) &&
        r.category === 'privilege' &&
        ops.includes('create')
      )
        continue;
      // the caller's record pointed at a group this request has just created, with its role there
      // (`company = create(…)`, then `user.update({ data: { companyId: company.id, role: 'admin' } })`): its founder
      if (
        r.category === 'privilege' &&
        foundsGroup &&
        ops.every((o) => o === 'update') &&
        joinsNewRecord(e, effects) &&
        !!c.selfService &&
        ts.isCallExpression(e.node) &&
        namesOwnRecord(e.node, c.selfService)
      )
        continue;
      // a person's record pointed at a group this request has just created, with no role written (onboarding
      // that creates a team and attaches the user to it): nobody joins a group that already had members
      if (
        r.category === 'privilege' &&
        !r.roleWrite &&
        foundsGroup &&
        ops.every((o) => o === 'update') &&
        joinsNewRecord(e, effects)
      )
        continue;
      // a record deleted by the request that creates it is rolled back on failure, not an account ended
      if (r.category === 'account-lifecycle' && ops.length === 1 && ops[0] === 'delete' && created.has(model)) continue;
      // the caller's own membership made on first access, only when none was found, with an ordinary role the
      // code names (`if (existing) return existing; … insert(members).values({ userId: me.id, role: 'member' })`):
      // provisioning. (Someone the request or a parameter names, or a role above the ordinary, is a grant.)
      if (
        r.category === 'privilege' &&
        createOnly &&
        ts.isCallExpression(e.node) &&
        madeWhenMissing(e.node) &&
        keys.some((k) => roleKey(k, c.roleKeys)) &&
        // (an ordinary role the code names, or one the server alone picks: `isFirstUser ? 'admin' : 'user'`)
        keys
          .filter((k) => roleKey(k, c.roleKeys))
          .every((k) => {
            const v = constantsOf(e).get(k);
            return v !== undefined && !v.includes(CHOICES) ? c.ordinaryRole.test(v) : !ctx.bodyFields.includes(k);
          }) &&
        keys
          .filter((k) => PERSON_REF.test(k))
          .every((k) => serverMade(e.node as ts.CallExpression, k, ctx.bodyFields, ctx.values))
      )
        continue;
      if (r.category === 'keys-secrets' && createOnly && modelMatches(model, c.groupModels, false)) continue;
      // a key record created with its secret from the request (a provider's key the user pasted in) stores
      // someone else's credential: nothing of this application's is minted
      const supplied = (o: Effect, oKeys: readonly string[]): boolean =>
        !!r.suppliedRe &&
        !mints &&
        (!r.suppliedModelsRe || r.suppliedModelsRe.test(o.model ?? '')) &&
        oKeys.some(
          (k) =>
            (r.suppliedRe!.test(k) && ctx.bodyFields.includes(k)) ||
            // kept in a stored form (`encryptedKey: encrypt(key)`) of the field the request sends under a key's name
            (STORED_FORM.test(k) &&
              r.suppliedRe!.test(k.replace(STORED_FORM, '')) &&
              writtenFrom(o, k).some((b) => r.suppliedRe!.test(b) && ctx.bodyFields.includes(b))),
        );
      // (stored afresh or over the one stored before: an upsert by the owner, `onConflict: 'user_id'`)
      if (ops.length > 0 && ops.every((o) => o === 'create' || o === 'update') && supplied(e, keys)) {
        ctx.cleared?.add(e);
        continue;
      }
      // the old row of such a key removed as the new one is stored (`deleteMany` then `create` of the user's provider key)
      if (
        r.suppliedRe &&
        ops.every((o) => o === 'delete') &&
        effects.some(
          (o) =>
            o !== e &&
            o.kind === 'db-write' &&
            o.model === e.model &&
            opsOf(o).every((x) => x === 'create') &&
            supplied(o, o.dataKeys.map(norm)),
        )
      ) {
        ctx.cleared?.add(e);
        continue;
      }
      // the caller's own membership removed (`delete(members).where(eq(members.userId, ctx.user.id))`): leaving
      // a team oneself gives up what the caller held and grants nothing (POLICY)
      if (
        r.category === 'privilege' &&
        ops.every((o) => o === 'delete') &&
        c.selfService &&
        ts.isCallExpression(e.node) &&
        removesOwnMembership(e.node, c.selfService.own)
      )
        continue;
      if (r.roleWrite) {
        const granted = roleGrant(
          e,
          keys,
          ops,
          c,
          !!r.ordinaryGrants,
          r.membershipShape?.person,
          comparedRoleColumns(ctx.values),
          ctx.sessionless,
          (k) => grantsPermissions(ctx.values, k, c),
        );
        // (the kind of a user's bank or brokerage account, `accountType`, is no role)
        const kinds = r.ownedKinds;
        const owned = !!kinds && !!model && belongsToOwner(ctx.values, model, kinds);
        // (a key the project only compares with unprivileged values, `user_type === 'individual'`, is a kind)
        const compared = comparedKindColumns(ctx.values);
        const roles = (owned ? granted.filter((k) => !kinds.keys.includes(norm(k))) : granted).filter(
          (k) => !compared.has(norm(k)),
        );
        if (!roles.length) continue;
        if (!r.ordinaryGrants && selfServiceRole(e, roles, c)) continue;
        matchedKeys = roles;
      }
      const what = matchedKeys.length ? ` (${matchedKeys.join(', ')})` : '';
      const on = model ? ` on ${model}` : '';
      hits.push({ rule: r, effect: e, detail: `${r.does}: ${e.callee}${on}${what}`, keys: matchedKeys });
    }
    // a record deleted with the signing or client secret its schema declares: the secret is revoked
    if ((e.kind === 'db-write' || e.kind === 'sql-write') && model && ops.includes('delete') && ops.length === 1) {
      const secret = revokedColumn(ctx.values, model);
      // an MFA factor's own record (its TOTP seed in `secret`) is a credential removed, not a signing secret
      if (secret && !hits.some((h) => h.effect === e && h.rule.category === 'credentials'))
        hits.push({
          rule: REVOKED_WITH_RECORD,
          effect: e,
          detail: `${REVOKED_WITH_RECORD.does}: ${e.callee} on ${model} (its ${secret})`,
        });
    }
  }
  return hits;
}

/**
 * Is `membership` the membership of a record the endpoint creates (`membersOnTasks` beside a new
 * `task`)? Its creator's first membership comes with the new record: nobody's role changes.
 */
function foundsOwnRecord(
  created: ReadonlySet<string>,
  membership: string,
  r: CompiledAssets['rules'][number],
): boolean {
  const m = norm(membership);
  return [...created].some((c) => {
    const stem = norm(c).replace(/s$/, '');
    // a new person added with a role is a grant: only a record of content or a group is founded
    return stem.length > 2 && stem !== m && m.includes(stem) && !PERSON.test(c) && !ruleModelMatches(r, c);
  });
}

/**
 * Does a membership written here name a record this handler has just created (`Employee.create({
 * user, institute, role: 'OWNER' })` after `const institute = await Institute.create(…)`)? Its
 * creator's first membership comes with the new record. A new person is excluded: an account
 * created and given a role is a grant.
 */
function joinsNewRecord(e: Effect, effects: readonly Effect[]): boolean {
  if (!ts.isCallExpression(e.node)) return false;
  const arg = e.node.arguments[0] && skipOuter(e.node.arguments[0]);
  if (!arg || !ts.isObjectLiteralExpression(arg)) return false;
  // the written values: the argument's own, or those under `data` (`user.update({ where, data: { companyId: company.id } })`)
  const written = [...arg.properties];
  for (const p of arg.properties)
    if (ts.isPropertyAssignment(p) && /^(data|values|\$set|set)$/.test(propertyNameText(p.name) ?? '')) {
      const inner = skipOuter(p.initializer);
      if (ts.isObjectLiteralExpression(inner)) written.push(...inner.properties);
    }
  return written.some((p) => {
    const v = ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : undefined;
    let x = v && skipOuter(v);
    while (x && (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x))) x = skipOuter(x.expression);
    const d = x && ts.isIdentifier(x) ? findDeclaration(x) : undefined;
    if (!d || !ts.isVariableDeclaration(d) || !d.initializer) return false;
    // the local holds what a create the endpoint performs returned
    const init = skipOuter(d.initializer);
    return effects.some(
      (o) => o !== e && o.node === init && writeOps(o).join() === 'create' && !!o.model && !PERSON.test(o.model),
    );
  });
}

/**
 * Do the declared columns of a membership-like record reference other records, none of them a person
 * (`contactId`, `segmentId`)? Unknown columns, or no references seen, say nothing.
 */
function membersAreNotPeople(values: ValueResolver, model: string, written: readonly string[] = []): boolean {
  const cols = schemaColumns(values, model) ?? schemaColumns(values, model.replace(/s$/, ''));
  const declared = (cols ?? []).map(norm);
  const refs = declared.filter((col) => col !== 'id' && /id$/.test(col));
  // a role bound to a reference that says its kind beside it (`roleId`, `entityType` + `entityId`) may name a
  // person (a sharing rule's `subjectType`/`subjectId` with an access level stays a rule about content)
  const kinds = new Set([...declared, ...written]);
  const polymorphic = written.some((k) => /role/.test(k)) && refs.some((col) => kinds.has(`${col.slice(0, -2)}type`));
  // (an invitation naming its person by e-mail, `invites { email, accountsId, createdById }`, is about someone who
  // may sign in; an audience's member with an e-mail is a mailing-list entry)
  const byEmail = isInvitationRecord(model, values) && declared.some((col) => /email$/.test(col));
  // (a member row that keeps its own password, `tenantUsers { tenantId, email, passwordHash, role }`, is a person who signs in)
  const signsIn = declared.some((col) => /(password|passwd|passhash)/.test(col));
  return refs.length >= 2 && !polymorphic && !byEmail && !signsIn && !refs.some((col) => PERSON_REF.test(col));
}

/**
 * Does a member row hold a role: its declared record has a role, permission or admin key, or it is named for
 * one (`userRole`, `permissionGrant`)? A record declared nowhere may hold one: yes.
 */
function membershipHoldsRole(values: ValueResolver, model: string, c: CompiledAssets): boolean {
  const name = norm(model);
  if (/role|permission|grant|admin|owner|acl|privilege/.test(name)) return true;
  const fields = declaredFields(values, model);
  if (!fields) return true;
  // (a member's `type`, `kind` or `access` is its role: `type MemberType` with OWNER, ADMIN, MEMBER)
  return fields.some(
    (f) =>
      c.roleKeys.some((t) => matchesTerm(f, t) || f.endsWith(t)) ||
      /(role|permission|level|admin|owner|^type$|^kind$|^access$|^accesstype$)/.test(f),
  );
}

/** The rules of rows that tie a person to a group by id (an invitation names its person by e-mail). */
const MEMBERSHIP_RULES = new Set(['membership-change', 'member-role-write']);

/** A reference to a person who may sign in. */
const PERSON_REF =
  /(user|member|account|person|profile|admin|staff|employee|collaborator|owner|invitee|principal|identity|student|grantee|assignee|subject|developer|creator|participant|learner|patient)_?id$|^uid$/;

/** Is `model` one of `ownedBy.models` whose declared columns reference a person of a declared `ownedBy.owners` model? */
function belongsToOwner(
  values: ValueResolver,
  model: string,
  ownedBy: { models: string[]; owners: string[] },
): boolean {
  if (!ownedBy.models.includes(norm(model))) return false;
  const cols = keyColumns(values, model);
  return ownedBy.owners.some(
    (o) =>
      !!cols?.some((c) => norm(c) === `${norm(o).replace(/s$/, '')}id`) &&
      norm(o) !== norm(model) &&
      keyColumns(values, o) !== undefined,
  );
}

/** Do the declared columns of `model` reference another group (`workspaceId` on a team)? */
function nestedGroup(values: ValueResolver, model: string, parentRe: RegExp): boolean {
  const stem = norm(model).replace(/s$/, '');
  return !!keyColumns(values, model)?.some((col) => {
    const m = parentRe.exec(col);
    if (!m) return false;
    // the record's own key, however abbreviated (`org_id` on `organizations`)
    const group = norm(m[1]).replace(/s$/, '');
    return group !== stem && !stem.startsWith(group) && !group.startsWith(stem);
  });
}

/**
 * Keys a write takes an amount from that another write of the same model, in the same endpoint, gives
 * by that amount (both amounts read; the one given may be less a fee: `amount - fee`).
 */
/**
 * Is a debit of the caller's own balance row matched by a credit of another row of the same table that is
 * the caller's too (both found by who is signed in)?
 */
function ownExchange(
  e: Effect,
  effects: readonly Effect[],
  r: CompiledAssets['rules'][number],
  ctx: AssetContext,
): boolean {
  if (!e.model || !recordOfSignedIn(e, ctx.values, ctx.sites?.(e))) return false;
  const ledger = { model: e.model, r };
  return effects.some(
    (o) =>
      o !== e &&
      o.node !== e.node &&
      o.model === e.model &&
      (o.credits ?? []).some((k) => balanceKey(k, r.debitSet, r.balanceWordSet, ledger)) &&
      recordOfSignedIn(o, ctx.values, ctx.sites?.(o)),
  );
}

function keptByCaller(
  e: Effect,
  effects: readonly Effect[],
  debited: readonly string[],
  r: CompiledAssets['rules'][number],
  rules: HoldingRules,
  ctx: AssetContext,
  c: CompiledAssets,
): boolean {
  // a record that is itself money moving or kept for paying out, or a log of it, keeps nothing for the caller
  const money = c.rules.filter((x) => x.category === 'money' && x.id !== r.id && (x.modelSet.length || x.modelRe));
  return movedToOwnHolding({
    debit: e,
    effects,
    debited,
    rules,
    ownRecord: (o) => recordOfSignedIn(o, ctx.values, ctx.sites?.(o)),
    ownValue: (x) => !!c.selfService && signedInValue(x, c.selfService.own),
    balanceKey: (k, model) => balanceKey(k, r.debitSet, r.balanceWordSet, { model, r }),
    movementRecord: (model) =>
      isBookkeepingModel(model, c) ||
      !!r.notHolderModelsRe?.test(model) ||
      money.some((x) => ruleModelMatches(x, model)),
    ops: writeOps,
    columns: (model) => schemaColumns(ctx.values, model) ?? schemaColumns(ctx.values, model.replace(/s$/, '')),
  });
}

function pairedMoves(e: Effect, effects: readonly Effect[]): string[] {
  const amounts = e.amounts ?? {};
  const given = (to: string | undefined, by: string): boolean =>
    !!to && (to === by || (/^[\w$.]+$/.test(by) && to.startsWith(`${by}-`)));
  return (e.debits ?? []).filter((k) => {
    const by = amounts[k];
    return (
      by !== undefined &&
      effects.some(
        (o) =>
          o !== e &&
          o.node !== e.node &&
          o.model === e.model &&
          (o.credits ?? []).some((c) => norm(c) === norm(k) && given(o.amounts?.[c], by)),
      )
    );
  });
}

/** Does the endpoint delete one record of a group or content model other than the rule's own (what `e`'s rows hang off)? */
/**
 * A delete whose condition names a group and no person (`tx.delete(userProjects).where(eq(userProjects.projectId,
 * id))`): every membership of that group at once, however the ORM spells a bulk delete.
 */
function deletesByGroupKey(e: Effect, containers: readonly string[]): boolean {
  // (or by the key of the record deleted beside it, whatever it is: `folderId` of the `folders` deleted)
  const own = containers.map((m) => m.replace(/s$/, '')).filter((m) => m.length >= 3 && /^[a-z]+$/.test(m));
  const groupKey = own.length ? new RegExp(`${GROUP_KEY.source}|(${own.join('|')})_?id\\b`, 'i') : GROUP_KEY;
  let n: ts.Node = e.node;
  // every condition of the chain (`.where('project_id', '=', p).where('user_id', '=', u)`)
  const conds: string[] = [];
  while (
    (ts.isPropertyAccessExpression(n.parent) && n.parent.expression === n) ||
    (ts.isCallExpression(n.parent) && n.parent.expression === n)
  ) {
    n = n.parent;
    if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      /^(where|andWhere)$/.test(n.expression.name.text)
    )
      conds.push(n.arguments.map((a) => a.getText()).join(' '));
  }
  if (conds.length) {
    const cond = conds.join(' ');
    return groupKey.test(cond) && !PERSON_KEY.test(cond);
  }
  // `where: { projectId }` of an ORM's delete
  const arg = ts.isCallExpression(e.node) ? e.node.arguments[0] : undefined;
  const where =
    arg && ts.isObjectLiteralExpression(skipOuter(arg)) ? (skipOuter(arg) as ts.ObjectLiteralExpression) : undefined;
  const w = where?.properties.find((p) => p.name && propertyNameText(p.name) === 'where');
  return !!w && groupKey.test(w.getText()) && !PERSON_KEY.test(w.getText());
}

/** The part of a balance held back for its holder (`locked`, `onHold`, `reserved`, `frozen`, `escrow`). */
const HELD = /(lock|hold|held|reserv|frozen|freez|escrow)/i;

/** A key naming a group (`projectId`, `team_id`), and one naming a person or a membership row (`userId`, `id`). */
const GROUP_KEY = /(project|team|org|organi[sz]ation|workspace|group|company|tenant|channel|event|board|space)_?id\b/i;
const PERSON_KEY = /\b(user|member|account|person|profile|participant)_?id\b|\b\w+\.id\s*,|[{,]\s*id\s*:/i;

/** The records deleted one at a time beside a bulk delete of memberships, other than a person's own (normalised models). */
function deletedContainers(effects: readonly Effect[], e: Effect, r: CompiledAssets['rules'][number]): string[] {
  return effects
    .filter(
      (o) =>
        o !== e &&
        o.kind === 'db-write' &&
        !!o.model &&
        o.model !== e.model &&
        opsOf(o).join() === 'delete' &&
        !/many$/i.test(o.action ?? '') &&
        // the member's own record deleted (a user removed): its memberships go with the person, not a group
        !PERSON.test(o.model) &&
        !ruleModelMatches(r, o.model),
    )
    .map((o) => norm(o.model!));
}

const REVOKED_WITH_RECORD: AssetRule = {
  id: 'secret-revoked-with-record',
  category: 'keys-secrets',
  does: 'deletes a record together with the signing or client secret it holds',
};

const REVOKED = compiled(() => {
  const r = ruleFile('assets').reveals;
  return r.revokedWithRecord
    ? {
        column: new RegExp(r.revokedWithRecord, 'i'),
        keyHolder: new RegExp(r.revokedKeyHolders ?? '$^', 'i'),
      }
    : undefined;
});

/** The secret column a record's schema declares that its deletion revokes, if any. */
function revokedColumn(values: ValueResolver, model: string): string | undefined {
  const rv = REVOKED();
  if (!rv) return undefined;
  const cols = schemaColumns(values, model) ?? schemaColumns(values, model.replace(/s$/, ''));
  // a client secret is an OAuth client's only beside its client id (a payment intent's `clientSecret` is not one)
  const paired = (c: string): boolean => !/client/i.test(c) || !!cols?.some((x) => /^client[_-]?id$/i.test(x));
  // a key's hash is the record's own only on a record that is the key (`platformKey`, `gatewayCredential`):
  // a project that keeps its key's hash is a project, and deleting it ends the project
  const ownKey = (c: string): boolean => !/key/i.test(c) || /secret/i.test(c) || rv.keyHolder.test(model);
  return cols?.find((c) => rv.column.test(c) && paired(c) && ownKey(c));
}

/** The asset of a generated secret handed back in the response. */
export const MINTED_SECRET_RETURNED = 'minted-secret-returned';

const MINT_RETURNED: AssetRule = {
  id: MINTED_SECRET_RETURNED,
  category: 'keys-secrets',
  does: 'generates a secret and returns it to the client',
};

/** Names a generated value is returned under that say it is a lasting secret (not a one-time token mailed or exchanged). */
const SECRET_NAME =
  /((api|secret|private|signing|access|client|deploy|service)[_-]?key|secret|(api|access|personal|bearer|auth|cli|integration)[_-]?token|password|passcode|credentials?)s?$/i;
/** Minting calls whose name says they make a lasting key (`createApiKey`, `generateAccessToken`), not a one-time secret (`generateSecret` for a TOTP). */
const MINTS_KEY =
  /((api|access|signing|private|deploy|service|secret)[_-]?key|(api|access|personal|bearer|integration|cli)[_-]?token)s?$/i;
/** Generic names (`token`, `key`): a generated value returned under one corroborates a path that names keys, it decides nothing alone. */
const LOOSE_SECRET_NAME = /(key|secret|token|password|credential|passcode)s?$/i;
const NOT_SECRET_NAME =
  /(csrf|nonce|state|challenge|request|trace|correlation|idempotency|session|invite|invitation|reset|verif|confirm|magic|oauth|refresh)/i;

/**
 * The name under which a generated value reaches the response: the property of a response call's
 * argument it is written into (directly or through a local), when that name says it is a secret.
 */
export function returnedSecretName(node: ts.Node, loose = false, named?: string): string | undefined {
  const n = landing(node);
  const p = n.parent;
  let name: string | undefined;
  let holder: ts.Node | undefined;
  if (p && ts.isPropertyAssignment(p) && p.initializer === n) {
    name = propertyNameText(p.name);
    holder = p.parent;
  } else if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) {
    name = p.name.text;
    holder = p;
  } else if (p && ts.isVariableDeclaration(p) && ts.isObjectBindingPattern(p.name)) {
    // the helper's result taken apart (`const { apiKey, apiSecret } = generateCredentials()`): a part named
    // as a secret that the answer uses
    const fn = enclosingFunction(node);
    for (const el of p.name.elements) {
      if (!ts.isIdentifier(el.name)) continue;
      const part = el.propertyName ? propertyNameText(el.propertyName) : el.name.text;
      if (!part || NOT_SECRET_NAME.test(part) || !(loose ? LOOSE_SECRET_NAME : SECRET_NAME).test(part)) continue;
      if (fn && localAnswered(el.name, fn)) return part;
    }
    return undefined;
  }
  // a call named for the secret it makes (`createApiKey()`): its result is the secret under any name, or none
  const fn = enclosingFunction(node);
  if (named && fn && !name && inResponse(n, fn)) return named;
  if (named && name && !NOT_SECRET_NAME.test(name)) name = named;
  else if (!name || NOT_SECRET_NAME.test(name) || !(loose ? LOOSE_SECRET_NAME : SECRET_NAME).test(name))
    return undefined;
  // written straight into an object literal an answer is built from, or a local the answer uses
  if (!fn) return undefined;
  if (holder && ts.isObjectLiteralExpression(holder)) return inResponse(holder, fn) ? name : undefined;
  if (holder && ts.isVariableDeclaration(holder))
    return localAnswered(holder.name as ts.Identifier, fn) ? name : undefined;
  return undefined;
}

/** The expression a generated value ends up in: `randomBytes(24).toString('hex')`, `await …`, `x ?? …`. */
function landing(node: ts.Node): ts.Node {
  let n: ts.Node = node;
  while (
    n.parent &&
    (ts.isPropertyAccessExpression(n.parent) ||
      (ts.isCallExpression(n.parent) && n.parent.expression === n) ||
      ts.isAwaitExpression(n.parent) ||
      ts.isParenthesizedExpression(n.parent) ||
      ts.isTemplateSpan(n.parent) ||
      ts.isTemplateExpression(n.parent) ||
      (ts.isBinaryExpression(n.parent) && n.parent.operatorToken.kind === ts.SyntaxKind.PlusToken) ||
      encodes(n.parent, n))
  )
    n = n.parent;
  return n;
}

const ISSUED = compiled(() => {
  const r = ruleFile('assets').reveals;
  return {
    holder: new RegExp(r.revokedKeyHolders ?? '$^', 'i'),
    publicHolder: new RegExp(r.publicTokenHolders ?? '$^', 'i'),
  };
});

/**
 * A generated value kept under a generic name (`const token = randomBytes(32)…`), stored in a new
 * record that is an issued key by its name (`deviceToken`, `cliKey`, not a share link or a push
 * token), and handed back, itself or as that record's field (`{ token: row.token }`): an access
 * token the request issues. The name it is answered under, or undefined.
 */
function issuedKeyAnswered(mint: Effect, effects: readonly Effect[]): string | undefined {
  const n = landing(mint.node);
  const d = n.parent;
  if (!d || !ts.isVariableDeclaration(d) || d.initializer !== n || !ts.isIdentifier(d.name)) return undefined;
  const local = d.name;
  if (NOT_SECRET_NAME.test(local.text)) return undefined;
  // (a value under a generic name, `const value = generateKey()`, counts only when the new record is answered whole)
  const named = LOOSE_SECRET_NAME.test(local.text);
  const fn = enclosingFunction(mint.node);
  if (!fn) return undefined;
  const is = ISSUED();
  for (const w of effects) {
    if (w.kind !== 'db-write' || !opsOf(w).includes('create') || !w.model) continue;
    if (!is.holder.test(w.model) || is.publicHolder.test(w.model) || NOT_SECRET_NAME.test(w.model)) continue;
    // the key the value is stored under in the new record (`token`, `token: token`)
    const stored = storedUnder(w.node, d);
    if (!stored) continue;
    if (!named) {
      if (newRecordAnswered(w.node, fn)) return stored;
      continue;
    }
    if (localAnswered(local, fn)) return local.text;
    // `const row = await db.deviceToken.create(…)` answered as `row.token`
    const row = ts.findAncestor(w.node, (x) => ts.isVariableDeclaration(x) || ts.isBlock(x) || ts.isFunctionLike(x));
    if (!row || !ts.isVariableDeclaration(row) || !ts.isIdentifier(row.name)) continue;
    let answered = false;
    const visit = (x: ts.Node): void => {
      if (answered) return;
      if (
        ts.isPropertyAccessExpression(x) &&
        x.name.text === stored &&
        ts.isIdentifier(x.expression) &&
        findDeclaration(x.expression) === row &&
        inResponse(x, fn)
      )
        answered = true;
      ts.forEachChild(x, visit);
    };
    visit(fn);
    if (answered) return stored;
  }
  return undefined;
}

/**
 * Is the record a write creates answered whole: the result of the write (`const { data } = await
 * supabase.from('tokens').insert(…).select()`, `const row = await db.token.create(…)`) handed to the
 * response as it is (`res.json(data)`), not one field of it?
 */
function newRecordAnswered(write: ts.Node, fn: ts.Node): boolean {
  const decl = ts.findAncestor(write, (x) => ts.isVariableDeclaration(x) || ts.isBlock(x) || ts.isFunctionLike(x));
  if (!decl || !ts.isVariableDeclaration(decl)) return false;
  const names = ts.isIdentifier(decl.name)
    ? [decl.name.text]
    : ts.isObjectBindingPattern(decl.name)
      ? decl.name.elements.flatMap((el) =>
          ts.isIdentifier(el.name) && /^(data|row|record|result|created|token|key)$/.test(el.name.text)
            ? [el.name.text]
            : [],
        )
      : [];
  let answered = false;
  const visit = (x: ts.Node): void => {
    if (answered) return;
    if (
      ts.isIdentifier(x) &&
      names.includes(x.text) &&
      !ts.isPropertyAccessExpression(x.parent) &&
      !ts.isBindingElement(x.parent) &&
      !ts.isVariableDeclaration(x.parent) &&
      findDeclarationIn(x, decl) &&
      inResponse(x, fn)
    )
      answered = true;
    ts.forEachChild(x, visit);
  };
  visit(fn);
  return answered;
}

/** Does `id` refer to a binding of `decl`? */
function findDeclarationIn(id: ts.Identifier, decl: ts.VariableDeclaration): boolean {
  const d = findDeclaration(id);
  return !!d && (d === decl || ts.findAncestor(d, (x) => x === decl) !== undefined);
}

/** The property of a write's data a local is written under (`{ token }`, `{ secret: token }`), if any. */
function storedUnder(write: ts.Node, local: ts.VariableDeclaration): string | undefined {
  let out: string | undefined;
  const visit = (x: ts.Node): void => {
    if (out) return;
    if (ts.isShorthandPropertyAssignment(x) && findDeclaration(x.name) === local) out = x.name.text;
    else if (
      ts.isPropertyAssignment(x) &&
      ts.isIdentifier(skipOuter(x.initializer)) &&
      findDeclaration(skipOuter(x.initializer) as ts.Identifier) === local
    )
      out = propertyNameText(x.name);
    ts.forEachChild(x, visit);
  };
  visit(write);
  return out;
}

/** Does the function answer with the local a declaration names (a use of it inside a response or a return)? */
/**
 * The leaves reached through a call whose result the caller never answers: thrown away (`await getMerchant();`)
 * or kept in a local the caller's answer does not use (`const m = await getMerchant(); if (!m.done) …`).
 * What the called function returns never reaches the client through that call.
 */
export function unansweredLeaves(effects: readonly Effect[]): Set<Effect> {
  const out = new Set<Effect>();
  // only what a generated secret passes through matters (asked where a mint lies beneath)
  const mints = (es: readonly Effect[]): boolean =>
    es.some((e) => e.kind === 'mint' || (!!e.via && mints(e.via)) || (!!e.nested && mints(e.nested)));
  const visit = (es: readonly Effect[], unanswered: boolean): void => {
    for (const e of es) {
      const u = unanswered || (e.kind === 'call' && !!e.via && mints(e.via) && resultUnanswered(e.node));
      if (e.kind === 'call' && e.via) visit(e.via, u);
      else if (u) out.add(e);
      if (e.nested) visit(e.nested, u);
    }
  };
  visit(effects, false);
  return out;
}

function resultUnanswered(c: ts.Node): boolean {
  // a helper handed the response object answers through it (`await sendNewKey(user.id, res)`)
  if (
    ts.isCallExpression(c) &&
    c.arguments.some((a) => ts.isIdentifier(skipOuter(a)) && RESPONSE_OBJECT.test((skipOuter(a) as ts.Identifier).text))
  )
    return false;
  let n = c;
  while (
    n.parent &&
    (ts.isAwaitExpression(n.parent) || ts.isParenthesizedExpression(n.parent) || ts.isVoidExpression(n.parent))
  )
    n = n.parent;
  const p = n.parent;
  if (!p) return false;
  if (ts.isExpressionStatement(p)) return true;
  const fn = enclosingFunction(c);
  if (!fn || !ts.isVariableDeclaration(p) || p.initializer !== n) return false;
  const names: ts.Identifier[] = [];
  const collect = (b: ts.BindingName): void => {
    if (ts.isIdentifier(b)) names.push(b);
    else for (const el of b.elements) if (ts.isBindingElement(el)) collect(el.name);
  };
  collect(p.name);
  return names.every((id) => !localAnswered(id, fn));
}

/** Is `key` written as the literal zero (`{ balance: 0 }`, `SET balance = 0`), not a value that may fall back to it? */
function literalZero(e: Effect, key: string, values: ValueResolver): boolean {
  if (!ZERO.test(e.constants?.[key] ?? '')) return false;
  if (e.kind === 'sql-write') return true;
  if (!ts.isCallExpression(e.node)) return false;
  const found = writtenValues(e.node, norm(key), values);
  return found.length > 0 && found.every((v) => ZERO.test(skipOuter(v).getText()));
}

const ZERO = /^0(\.0+)?$/;

/** Names a handler's response object (or a context that answers) goes by. */
const RESPONSE_OBJECT = /^(res|response|reply|c|ctx|context|h)$/;

function localAnswered(declared: ts.Identifier, fn: ts.Node): boolean {
  const local = declared.text;
  let used = false;
  const visit = (x: ts.Node): void => {
    if (used) return;
    if (ts.isIdentifier(x) && x.text === local && x !== declared && inResponse(x, fn)) used = true;
    ts.forEachChild(x, visit);
  };
  visit(fn);
  return used;
}

/** Callees that re-encode the bytes they are handed (`Array.from(bytes)`, `Buffer.from(raw)`, `base64url(b)`, `btoa(s)`). */
const ENCODER = /^(from|btoa|encode\w*|toString|hex|base\d+\w*|String)$/i;

/** Is `parent` a call that re-encodes `child`, its value the same secret in another form? */
function encodes(parent: ts.Node, child: ts.Node): boolean {
  if (!ts.isCallExpression(parent) || parent.arguments[0] !== child) return false;
  const c = skipOuter(parent.expression);
  const name = ts.isPropertyAccessExpression(c) ? c.name.text : ts.isIdentifier(c) ? c.text : '';
  return ENCODER.test(name);
}

/** Is `n` part of what the function answers: a return value, or an argument of a response call (`c.json`, `res.json`, `NextResponse.json`)? */
function inResponse(n: ts.Node, fn: ts.Node): boolean {
  for (let p: ts.Node | undefined = n.parent; p && p !== fn; p = p.parent) {
    // a return, or the expression body of an arrow (`(c) => c.json(…)`), never a block body
    if (
      ts.isReturnStatement(p) ||
      (!ts.isBlock(p) && ts.isArrowFunction(p.parent ?? p) && (p.parent as ts.ArrowFunction)?.body === p)
    )
      return true;
    if (ts.isCallExpression(p)) {
      const c = skipOuter(p.expression);
      const m = ts.isPropertyAccessExpression(c) ? c.name.text : '';
      if (/^(json|send|end|body|text|jsonp)$/.test(m)) return true;
    }
  }
  return false;
}

/**
 * The prefix of a column that keeps a value in a form it can be read back from (`encryptedKey`, `encToken`). A
 * hash (`hashedKey`) is this application's own verifier of a key it issues, never a key to call another system.
 */
const STORED_FORM = /^(encrypted|enc|cipher|sealed)_?/;

/**
 * The names a written value is computed from (`encryptedKey: encrypt(key)` → `key`; through one local,
 * `const enc = encrypt(key)`), normalised.
 */
function writtenFrom(e: Effect, key: string): string[] {
  const out = new Set<string>();
  const names = (x: ts.Node, hops: number): void => {
    if (ts.isIdentifier(x)) {
      out.add(norm(x.text));
      const d = hops < 2 ? findDeclaration(x) : undefined;
      if (d && ts.isVariableDeclaration(d) && d.initializer) names(d.initializer, hops + 1);
      // (a part of what a call answered: `const { encryptedKey, iv } = encryptKey(apiKey)`)
      else if (d && ts.isBindingElement(d)) {
        const { root } = bindingPath(d);
        if (root && ts.isVariableDeclaration(root) && root.initializer) names(root.initializer, hops + 1);
      }
      return;
    }
    if (ts.isPropertyAccessExpression(x)) out.add(norm(x.name.text));
    x.forEachChild((c) => names(c, hops));
  };
  const visit = (n: ts.Node): void => {
    if (ts.isPropertyAssignment(n) && norm(propertyNameText(n.name) ?? '') === key) names(n.initializer, 0);
    else if (ts.isShorthandPropertyAssignment(n) && norm(n.name.text) === key) names(n.name, 0);
    if (!ts.isFunctionLike(n)) n.forEachChild(visit);
  };
  visit(e.node);
  return [...out];
}

/** Role keys a write grants: any role key, unless written as an ordinary role constant; never a role's own definition being created. */
function roleGrant(
  e: Effect,
  keys: string[],
  ops: Op[],
  c: CompiledAssets,
  ordinaryGrants: boolean,
  person: readonly string[] = [],
  /** Columns the application compares with an administrator's role (role-columns.ts). */
  compared: ReadonlySet<string> = new Set(),
  /** No session is served: an account created here is the caller's own new one (asked only when it matters). */
  sessionless?: () => boolean,
  /** Is a key a reference to a record that grants permissions (`userGroupId` of a group declaring them)? */
  permissionRef: (k: string) => boolean = () => false,
): string[] {
  const model = e.model ?? '';
  // the creator's own membership, created with the workspace it belongs to, grants nothing to anyone else; a
  // person's role record created with the person (`user.create({ profile: { create: { roleId } } })`) is that
  // new person's role, judged as the person's own would be
  // (an `account` may be a shared one a creator owns, `account.create({ members: { create } })`: not a person here)
  if (e.withParentCreate && !NEW_PERSON.test(e.parentModel ?? '')) return [];
  // creating a role's definition grants it to nobody (an assignment table such as `userRole` does grant it,
  // and so does a `role` row written with the person it is given to)
  const definition =
    c.roleDefinitionModels.some((t) => model === t || model.endsWith(t) || model.endsWith(`${t}s`)) &&
    !/^(user|member|account|team|org|workspace|group)/.test(model) &&
    !keys.some((k) => person.includes(k));
  if (ops.length === 1 && ops[0] === 'create' && definition) return [];
  const constants = e.constants ?? {};
  // the caller's own new account (no session served, only created, placed in no other record: a sign-up,
  // a provider sign-in) may start with any role none of the privileged ones names; an account someone
  // signed in creates (policy: a user created *with a role*), or one written into another record
  // (`restaurantId`, `teamId`), has the role granted
  let fresh: boolean | undefined;
  const newAccount = (): boolean =>
    (fresh ??=
      ops.every((o) => o === 'create') &&
      !keys.some((k) => k.length > 2 && k.endsWith('id') && !c.selfService?.ownIds.test(k)) &&
      !!sessionless?.());
  return keys.filter((k) => {
    // any role column, whatever its prefix (`teamRole`, `org_role_id`)
    if (
      !c.roleKeys.some((t) => matchesTerm(k, t) || k.endsWith(t)) &&
      !c.roleKeyRe?.test(k) &&
      !compared.has(k) &&
      !permissionRef(k)
    )
      return false;
    const raw = Object.keys(constants).find((ck) => norm(ck) === k);
    const v = raw !== undefined ? constants[raw] : undefined;
    // an ordinary role on a new account grants nothing; over an existing role it demotes; a group member has it
    // (on a new account, a constant none of the privileged roles, `role: 'BORROWER'`, `isAdmin: false`, is ordinary too)
    const ordinary =
      v !== undefined &&
      (c.ordinaryRole.test(v) || (!!c.selfService && !c.selfService.privileged.test(v) && newAccount()));
    return !ordinary || !ops.includes('create') || ordinaryGrants;
  });
}

/**
 * A role the signed-in user gives their own record as a constant that is not a privileged one
 * (`data: { role: 'SELLER' }` under `where: { id: session.user.id }`): a self-service switch.
 */
function selfServiceRole(e: Effect, granted: readonly string[], c: CompiledAssets): boolean {
  const s = c.selfService;
  // (an update, or an upsert of the record: Firestore's `doc(uid).set({ role }, { merge: true })`)
  const ops = opsOf(e);
  if (!s || !ts.isCallExpression(e.node) || !ops.includes('update') || ops.includes('delete')) return false;
  const constants = constantsOf(e);
  // a constant, or a value from the request the handler first checks against a list of constants
  // (`if (!['donor', 'organizer'].includes(role)) return res.status(400)…`)
  const values = (k: string): string[] | undefined =>
    constants.has(k) ? [constants.get(k)!] : allowedValues(e.node as ts.CallExpression, k);
  if (
    !granted.every((k) => {
      const vs = values(k);
      return !!vs?.length && vs.every((v) => !s.privileged.test(v));
    })
  )
    return false;
  return namesOwnRecord(e.node, s);
}

/**
 * The values a key a write stores can take, when it is a local the function first checks against a list
 * of literals and leaves on failure (`if (!['a', 'b'].includes(role)) return …`, `if (role !== 'a' && role
 * !== 'b') throw …`). Undefined when the value is not so bounded.
 */
function allowedValues(call: ts.CallExpression, key: string): string[] | undefined {
  let value: ts.Expression | undefined;
  const visit = (n: ts.Node): void => {
    if (value) return;
    if (ts.isShorthandPropertyAssignment(n) && norm(n.name.text) === key) value = n.name;
    else if (ts.isPropertyAssignment(n) && norm(propertyNameText(n.name) ?? '') === key) value = n.initializer;
    else ts.forEachChild(n, visit);
  };
  for (const a of call.arguments) visit(a);
  const v = value && skipOuter(value);
  if (!v || !ts.isIdentifier(v)) return undefined;
  const decl = findDeclaration(v);
  if (!decl) return undefined;
  let fn: ts.Node | undefined = call.parent;
  while (fn && !ts.isFunctionLike(fn)) fn = fn.parent;
  if (!fn) return undefined;
  const isIt = (e: ts.Expression): boolean => {
    const x = skipOuter(e);
    return ts.isIdentifier(x) && findDeclaration(x) === decl;
  };
  let found: ts.IfStatement | undefined;
  let lits: string[] | undefined;
  const look = (n: ts.Node): void => {
    if (found || n.getStart() > call.getStart()) return;
    // the check must stand in a block the write is in (not in a branch beside it)
    if (ts.isIfStatement(n) && exits(n.thenStatement) && isAncestor(n.parent, call)) {
      const l = rejectedUnlessIn(n.expression, isIt);
      if (l) {
        found = n;
        lits = l;
      }
    }
    ts.forEachChild(n, look);
  };
  look(fn);
  if (!found) return undefined;
  // …and the local is not given another value between the check and the write
  const checkEnd = found.getEnd();
  let reassigned = false;
  const scan = (n: ts.Node): void => {
    if (reassigned) return;
    if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      n.getStart() > checkEnd &&
      n.getStart() < call.getStart() &&
      isIt(n.left)
    )
      reassigned = true;
    ts.forEachChild(n, scan);
  };
  scan(fn);
  return reassigned ? undefined : lits;
}

function isAncestor(a: ts.Node, n: ts.Node): boolean {
  for (let p: ts.Node | undefined = n.parent; p; p = p.parent) if (p === a) return true;
  return false;
}

/** The literals a failure condition lets through: `!list.includes(x)`, `x !== 'a' && x !== 'b'`. */
function rejectedUnlessIn(cond: ts.Expression, isIt: (e: ts.Expression) => boolean): string[] | undefined {
  const x = skipOuter(cond);
  if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.ExclamationToken) {
    const tested = includesOf(skipOuter(x.operand), isIt);
    if (tested) {
      let list = skipOuter(tested);
      if (ts.isIdentifier(list)) {
        const d = findDeclaration(list);
        if (d && ts.isVariableDeclaration(d) && d.initializer) list = skipOuter(d.initializer);
      }
      if (!ts.isArrayLiteralExpression(list)) return undefined;
      const lits = list.elements
        .map((el) => skipOuter(el))
        .filter(ts.isStringLiteralLike)
        .map((el) => el.text);
      return lits.length === list.elements.length ? lits : undefined;
    }
  }
  if (ts.isBinaryExpression(x) && x.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken) {
    const l = rejectedUnlessIn(x.left, isIt);
    const r = rejectedUnlessIn(x.right, isIt);
    return l && r ? [...l, ...r] : undefined;
  }
  if (
    ts.isBinaryExpression(x) &&
    (x.operatorToken.kind === ts.SyntaxKind.ExclamationEqualsEqualsToken ||
      x.operatorToken.kind === ts.SyntaxKind.ExclamationEqualsToken)
  ) {
    const [a, b] = [skipOuter(x.left), skipOuter(x.right)];
    if (isIt(a) && ts.isStringLiteralLike(b)) return [b.text];
    if (isIt(b) && ts.isStringLiteralLike(a)) return [a.text];
  }
  return undefined;
}

/**
 * Does a write name the signed-in user's record: in the condition that picks the record (`where`, a
 * filter argument) or the record it is called on, directly or through the locals those read (`where: {
 * id: dbUser.id }` after `dbUser = findUnique({ where: { id: req.user.sub } })`), two hops? A tenant
 * scope beside another id (`{ id: body.userId, orgId: req.user.orgId }`) does not name it.
 */
/** A figure kept about a balance rather than the balance (`initialBalance`, `minBalance`, `lowBalanceAlert`). */
const BALANCE_FIGURE =
  /^(initial|starting|opening|target|min|max|minimum|maximum|limit|low|threshold|goal|alert|projected|expected|estimated)/;

/** Keys that name the person a membership row belongs to (`accountId` often names the tenant instead). */
const MEMBER_PERSON = /^(user|users|member|principal)_?id$/i;

/** Conditions that negate or widen what they hold (`ne`, `NOT`, `{ not: … }`, `notIn`, `inArray`, `$ne`, `$in`). */
const NOT_EQUAL =
  /^(ne|not|NOT|notIn|notInArray|inArray|in|\$ne|\$nin|\$in|\$not|gt|gte|lt|lte|like|ilike|or|OR|\$or)$/;

/**
 * Does a delete name the row by the signed-in person (`eq(clanMembers.userId, user.id)` with `user` from
 * `ctx: { user }`, `where: { userId: session.user.id }`)? The whole call chain (`.where(…)` included) is read.
 */
function removesOwnMembership(call: ts.CallExpression, own: RegExp): boolean {
  let top: ts.Node = call;
  while (
    top.parent &&
    ((ts.isPropertyAccessExpression(top.parent) && top.parent.expression === top) ||
      (ts.isCallExpression(top.parent) && top.parent.expression === top))
  )
    top = top.parent;
  const values: ts.Expression[] = [];
  let negated = false;
  const visit = (n: ts.Node): void => {
    // a person compared by anything but equality (`ne(t.userId, me)`, `NOT: { userId: me }`) names others
    if (ts.isCallExpression(n) && NOT_EQUAL.test(calleeName(n)) && person(n)) negated = true;
    if (ts.isPropertyAssignment(n) && NOT_EQUAL.test(propertyNameText(n.name) ?? '') && person(n.initializer))
      negated = true;
    if (ts.isPropertyAssignment(n) && MEMBER_PERSON.test(propertyNameText(n.name) ?? '')) {
      const v = skipOuter(n.initializer);
      if (ts.isObjectLiteralExpression(v))
        negated = true; // `userId: { not: me }`, `{ $ne: me }`, `{ in: […] }`
      else values.push(v);
    }
    // `eq(table.userId, x)`, `eq(x, table.userId)`
    if (ts.isCallExpression(n) && n.arguments.length === 2 && calleeName(n) === 'eq') {
      const [a, b] = n.arguments.map(skipOuter);
      if (isPersonColumn(a)) values.push(b);
      else if (isPersonColumn(b)) values.push(a);
    }
    if (!ts.isFunctionLike(n)) n.forEachChild(visit);
  };
  visit(top);
  // every person named is the signed-in one: the caller's own row, and nobody else's
  return !negated && values.length > 0 && values.every((v) => signedInValue(v, own));
}

function isPersonColumn(x: ts.Expression): boolean {
  return ts.isPropertyAccessExpression(x) && MEMBER_PERSON.test(x.name.text);
}

/** Does a condition mention a person column or key anywhere? */
function person(n: ts.Node): boolean {
  let found = false;
  const visit = (x: ts.Node): void => {
    if (found) return;
    if (ts.isPropertyAccessExpression(x) && MEMBER_PERSON.test(x.name.text)) found = true;
    else if (ts.isPropertyAssignment(x) && MEMBER_PERSON.test(propertyNameText(x.name) ?? '')) found = true;
    else x.forEachChild(visit);
  };
  visit(n);
  return found;
}

/** Is a value read from who is signed in (by the ownRecord pattern, through locals and destructured parameters)? */
function signedInValue(v: ts.Expression, own: RegExp, hops = 0): boolean {
  const x = skipOuter(v);
  if (own.test(x.getText())) return true;
  if (hops > 3) return false;
  // `user.id`: what `user` is
  let root: ts.Expression = x;
  const tail: string[] = [];
  while (ts.isPropertyAccessExpression(root)) {
    tail.unshift(root.name.text);
    root = skipOuter(root.expression);
  }
  if (!ts.isIdentifier(root)) return false;
  const d = findDeclaration(root);
  if (!d) return false;
  if (ts.isVariableDeclaration(d) && d.initializer)
    return sessionReadCall(d.initializer) || signedInValue(d.initializer, own, hops + 1);
  if (ts.isBindingElement(d)) {
    const { root: r, path } = bindingPath(d);
    // (destructured from what a session reader answers: `const { user } = await getServerSession()`)
    if (r && ts.isVariableDeclaration(r) && r.initializer && sessionReadCall(r.initializer)) return true;
    // a destructured parameter is read by its path (`({ ctx: { user } })` → `ctx.user`), a local by what it is
    // given (`const { user } = req` → `req.user`)
    if (r && ts.isParameter(r)) return own.test([...path, ...tail].join('.'));
    if (r && ts.isVariableDeclaration(r) && r.initializer)
      return own.test([r.initializer.getText(), ...path, ...tail].join('.'));
  }
  return false;
}

/** Does the write name the signed-in user's own record (its key read from the session, never from the request)? */
function namesOwnRecord(
  call: ts.CallExpression,
  { own, requestReads }: { own: RegExp; requestReads: RegExp },
): boolean {
  const recv = ts.isPropertyAccessExpression(call.expression) ? skipOuter(call.expression.expression) : undefined;
  const first = call.arguments[0] && skipOuter(call.arguments[0]);
  const where =
    first && ts.isObjectLiteralExpression(first)
      ? first.properties.find((p) => p.name && /^(where|filter)$/.test(propertyNameText(p.name) ?? ''))
      : undefined;
  // (a Firestore document's key, `doc(uid).set(…)`; a filter, `updateOne(filter, update)`; the record saved,
  // `user.save()`, `req.user.save()`)
  let pick: ts.Node | undefined =
    documentKey(call) ??
    (where && ts.isPropertyAssignment(where)
      ? where.initializer
      : first && call.arguments.length >= 2
        ? first
        : recv && (ts.isIdentifier(recv) || ts.isPropertyAccessExpression(recv))
          ? recv
          : undefined);
  if (!pick) return false;
  // an id condition names the record; the other keys of the condition (a tenant scope) do not
  const cond = ts.isExpression(pick) ? skipOuter(pick) : pick;
  if (ts.isObjectLiteralExpression(cond)) {
    const id = cond.properties.find(
      (p) => p.name && /^(id|_id|userid|uid|email)$/i.test(propertyNameText(p.name) ?? ''),
    );
    if (!id) return false;
    pick = id;
  }
  let frontier: ts.Node[] = [pick];
  const seen = new Set<ts.Node>();
  for (let hop = 0; hop < 3 && frontier.length; hop++) {
    // (a key the request may choose, `body.uid ?? me.uid`, is not the caller's own whatever else it reads)
    if (frontier.some((n) => requestReads.test(n.getText()))) return false;
    if (frontier.some((n) => own.test(n.getText()) || sessionReadCall(n))) return true;
    const next: ts.Node[] = [];
    for (const n of frontier) {
      const visit = (x: ts.Node): void => {
        if (ts.isIdentifier(x) && !(ts.isPropertyAccessExpression(x.parent) && x.parent.name === x)) {
          const d = findDeclaration(x);
          // (a local, or one destructured from what a call answers: `const { user } = await getServerSession()`)
          const decl = d && ts.isBindingElement(d) ? bindingPath(d).root : d;
          if (decl && ts.isVariableDeclaration(decl) && decl.initializer && !seen.has(decl) && seen.size < 20) {
            seen.add(decl);
            next.push(decl.initializer);
          }
        }
        if (!ts.isFunctionLike(x)) x.forEachChild(visit);
      };
      visit(n);
    }
    frontier = next;
  }
  return false;
}

/** Every key written with an empty constant (null, false, '') — a timestamp beside them aside. */
function cleared(e: Effect, keys: readonly string[]): boolean {
  const constants = constantsOf(e);
  const asset = keys.filter((k) => !/(at|on|date|time)$/.test(k));
  return asset.length > 0 && asset.every((k) => ['null', 'false', ''].includes(constants.get(k) ?? 'x'));
}

/**
 * Is every one of these keys written as a literal empty value (`apikey: null`, `''`, `undefined`) in
 * the write's arguments? Only what is written there counts: a helper's result is not evaluated.
 */
function writtenEmpty(e: Effect, keys: readonly string[], values?: ValueResolver): boolean {
  if (!keys.length) return false;
  // a statement's literal (`UPDATE users SET google_id = NULL`)
  if (e.kind === 'sql-write') {
    const constants = constantsOf(e);
    return keys.every((k) => constants.get(k) === 'null' || constants.get(k) === '');
  }
  if (!ts.isCallExpression(e.node)) return false;
  const found = new Map<string, boolean>();
  const visit = (n: ts.Node, depth: number): void => {
    if (depth > 4) return;
    const x = ts.isExpression(n) ? skipOuter(n) : n;
    if (!ts.isObjectLiteralExpression(x)) return;
    for (const p of x.properties) {
      if (!ts.isPropertyAssignment(p) || !p.name) continue;
      const v = skipOuter(p.initializer);
      const empty =
        v.kind === ts.SyntaxKind.NullKeyword ||
        (ts.isStringLiteralLike(v) && v.text === '') ||
        (ts.isIdentifier(v) && v.text === 'undefined') ||
        // (an empty list or object: `twoFactorProviders: {}` on a new account)
        (ts.isArrayLiteralExpression(v) && v.elements.length === 0) ||
        (ts.isObjectLiteralExpression(v) && v.properties.length === 0);
      // (a computed key, `{ [providerIdField]: null }`, empties whichever of its names it takes)
      const names =
        ts.isComputedPropertyName(p.name) && values
          ? (computedKeyNames(p.name.expression, values) ?? []).map(norm)
          : [norm(propertyNameText(p.name) ?? '')];
      const hit = names.filter((k) => keys.includes(k));
      for (const k of hit) found.set(k, (found.get(k) ?? true) && empty);
      if (!hit.length) visit(v, depth + 1);
    }
  };
  // (the write's own arguments and its data chained on it: `db.update(users).set({ … })`)
  for (const call of [e.node, ...chainedDataCalls(e.node)]) for (const a of call.arguments) visit(a, 0);
  return keys.every((k) => found.get(k) === true);
}

/** Is every key given an empty value by an assignment to the record before its save (`user.githubId = null`)? */
function assignedEmpty(e: Effect, keys: readonly string[]): boolean {
  if (
    !keys.length ||
    !ts.isCallExpression(e.node) ||
    e.node.arguments.some((a) => ts.isObjectLiteralExpression(skipOuter(a)))
  )
    return false;
  const constants = constantsOf(e);
  return keys.every((k) => constants.get(k) === 'null' || constants.get(k) === '');
}

/** Constant values written, by normalised key. */
function constantsOf(e: Effect): Map<string, string> {
  return new Map(
    Object.entries(e.constants ?? {}).flatMap(([k, v]) => keyForms(k).map((f): [string, string] => [f, v])),
  );
}

/**
 * The names a written field answers to (normalised): itself, and for a field of an embedded object
 * (`account.two_fa.otp.is_enabled`, `{ 'security.recovery.codes': … }`) each container joined with the field
 * (`twofaenabled`, `otpenabled`, `recoverycodes`): the container says what the switch, the secret or the codes
 * are of. The field alone is not one: `settings.mail.enabled` does not switch the account. Below a section
 * (`account.two_fa.otp`), the section is left out: it holds every part of the record, so `account` with `enabled`
 * is not the account switched off. A field that holds its object's value (`account.password.value`, rules/assets.json
 * `containerValueFields`) is also the object itself (`password`).
 */
export function keyForms(k: string): string[] {
  const parts = k.split('.').filter(Boolean);
  const whole = norm(k);
  if (parts.length < 2) return [whole];
  const field = norm(parts[parts.length - 1].replace(/^(is|has)(?=[A-Z_])_?/, ''));
  const containers = parts.length > 2 ? parts.slice(1, -1) : parts.slice(0, -1);
  const own = VALUE_FIELDS().has(field) ? [norm(parts[parts.length - 2])] : [];
  return [...new Set([whole, ...containers.map((p) => norm(p) + field), ...own])];
}

const VALUE_FIELDS = compiled(() => new Set((ruleFile('assets').containerValueFields ?? []).map(norm)));

/** The operations of a database write (ORM call or SQL statement); none for other effects. */
export function writeOps(e: Effect): Op[] {
  if (e.kind === 'sql-write') return sqlOps(e.action);
  return e.kind === 'db-write' ? opsOf(e) : [];
}

function sqlOps(verb: string | undefined): Op[] {
  switch ((verb ?? '').toLowerCase()) {
    case 'insert':
      return ['create'];
    case 'update':
      return ['update'];
    case 'delete':
    case 'truncate':
    case 'drop':
      return ['delete'];
    case 'replace':
    case 'merge':
      return ['create', 'update'];
    default:
      return [];
  }
}

/**
 * Does the asset model know this write's record for `category` and see everything it writes? Then
 * it has decided (`passkey.update({ name })` renames a passkey), and words cannot overrule it.
 */
export function assetModelDecides(e: Effect, category: string): boolean {
  if (!e.dataKeys.length || e.opaqueData || (e.kind !== 'db-write' && e.kind !== 'sql-write')) return false;
  return assetRules().rules.some(
    (r) => r.category === category && (r.modelSet.length > 0 || !!r.modelRe) && ruleModelMatches(r, e.model ?? ''),
  );
}

/** A write the asset model cannot name: no model, or data it cannot list. */
export function isUnrecognisedWrite(e: Effect): boolean {
  const c = assetRules();
  if (e.kind !== 'db-write' && e.kind !== 'sql-write') return false;
  if (isBookkeepingModel(e.model, c)) return false;
  return !e.model || !!e.opaqueData;
}

/** The value a write's data object stores under a (normalised) key: `{ token }` or `{ token: value }`. */
function storedValue(data: ts.ObjectLiteralExpression, key: string): ts.Expression | undefined {
  const p = data.properties.find((q) => q.name && norm(propertyNameText(q.name) ?? '') === key);
  return p && ts.isPropertyAssignment(p)
    ? skipOuter(p.initializer)
    : p && ts.isShorthandPropertyAssignment(p)
      ? p.name
      : undefined;
}

/**
 * Is the secret a write stores discarded with it: the write's result unused (`await X.create({ …, apiKey })`
 * as a statement) and each matched key's value a local used nowhere else in its function? Then the
 * secret is never handed to anyone. False whenever that cannot be seen.
 */
function neverLeaves(e: Effect, keys: readonly string[]): boolean {
  if (!keys.length || !ts.isCallExpression(e.node)) return false;
  let at: ts.Node = e.node;
  while (at.parent && (ts.isAwaitExpression(at.parent) || ts.isParenthesizedExpression(at.parent))) at = at.parent;
  if (!at.parent || !ts.isExpressionStatement(at.parent)) return false;
  const data = e.node.arguments.map((a) => skipOuter(a)).find(ts.isObjectLiteralExpression);
  if (!data) return false;
  let fn: ts.Node | undefined = e.node.parent;
  while (fn && !ts.isFunctionLike(fn)) fn = fn.parent;
  if (!fn) return false;
  for (const k of keys) {
    const value = storedValue(data, k);
    if (!value || !ts.isIdentifier(value)) return false;
    let uses = 0;
    const name = value.text;
    const visit = (n: ts.Node): void => {
      if (uses > 0) return;
      if (ts.isIdentifier(n) && n.text === name && !isInside(n, e.node) && !isDeclarationName(n)) uses++;
      else ts.forEachChild(n, visit);
    };
    visit(fn);
    if (uses > 0) return false;
  }
  return true;
}

/**
 * Is a value a write stores (a local named in its data) also handed, in the same function, to a call whose
 * text matches `mailer` (`await sendConfirmationEmail(user.email, token)`, `mailer.send({ … token … })`)?
 */
function mailedOut(e: Effect, keys: readonly string[], mailer: RegExp): boolean {
  if (!ts.isCallExpression(e.node)) return false;
  // the data objects of the write's call and of the data calls chained on it (`db.insert(t).values({ token })`)
  const datas = [e.node, ...chainedDataCalls(e.node)].flatMap((c) =>
    c.arguments.map((a) => skipOuter(a)).filter(ts.isObjectLiteralExpression),
  );
  // (and the objects nested in them: Prisma's `{ data: { token } }`)
  for (let i = 0; i < datas.length && i < 16; i++)
    for (const q of datas[i].properties)
      if (ts.isPropertyAssignment(q) && ts.isObjectLiteralExpression(skipOuter(q.initializer)))
        datas.push(skipOuter(q.initializer) as ts.ObjectLiteralExpression);
  let fn: ts.Node | undefined = e.node.parent;
  while (fn && !ts.isFunctionLike(fn)) fn = fn.parent;
  if (!datas.length || !fn) return false;
  const names = new Set<string>();
  for (const data of datas)
    for (const k of keys) {
      const value = storedValue(data, k);
      if (value && ts.isIdentifier(value)) names.add(value.text);
    }
  if (!names.size) return false;
  let hit = false;
  const visit = (n: ts.Node): void => {
    if (hit) return;
    if (ts.isCallExpression(n) && n !== e.node && mailer.test(n.expression.getText())) {
      const reads = (x: ts.Node): boolean =>
        (ts.isIdentifier(x) && names.has(x.text)) || !!ts.forEachChild(x, (y) => reads(y) || undefined);
      if (n.arguments.some((a) => reads(a))) hit = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(fn);
  return hit;
}

/** The normalised last name a condition reads (`row.private_key` → `privatekey`), when it is a plain read. */
function readKey(x: ts.Expression): string | undefined {
  const y = skipOuter(x);
  // the value tidied or measured says whether it is empty: `row.webhookSecret?.trim()`, `row.key.length`
  if (
    ts.isCallExpression(y) &&
    !y.arguments.length &&
    ts.isPropertyAccessExpression(y.expression) &&
    /^(trim|trimStart|trimEnd)$/.test(y.expression.name.text)
  )
    return readKey(y.expression.expression);
  if (ts.isPropertyAccessExpression(y) && y.name.text === 'length') return readKey(y.expression);
  if (ts.isIdentifier(y)) return norm(y.text);
  if (ts.isPropertyAccessExpression(y)) return norm(y.name.text);
  if (ts.isElementAccessExpression(y) && ts.isStringLiteralLike(y.argumentExpression))
    return norm(y.argumentExpression.text);
  return undefined;
}

/**
 * Keys a condition's value says are empty: `emptyWhen(!acct.key, true)` and `emptyWhen(row.a && row.b, false)`
 * (when it is false, one of them is empty: only a single key is certain then) — what holds whatever else the
 * request sends. `a || force` true says nothing: `force` alone makes it true.
 */
function emptyWhen(cond: ts.Expression, truth: boolean): Set<string> {
  const x = skipOuter(cond);
  // `!x` true is `x` false
  if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.ExclamationToken)
    return emptyWhen(x.operand, !truth);
  if (ts.isBinaryExpression(x)) {
    const op = x.operatorToken.kind;
    const and = op === ts.SyntaxKind.AmpersandAmpersandToken;
    const or = op === ts.SyntaxKind.BarBarToken;
    // both sides hold: `a && b` true, `a || b` false
    if ((and && truth) || (or && !truth)) return new Set([...emptyWhen(x.left, truth), ...emptyWhen(x.right, truth)]);
    // `row.pub && row.priv` false: the record lacks its pair (or part of it), and nothing else decides
    if (and && !truth) {
      const parts: ts.Expression[] = [];
      const flat = (y: ts.Expression): void => {
        const z = skipOuter(y);
        if (ts.isBinaryExpression(z) && z.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken) {
          flat(z.left);
          flat(z.right);
        } else parts.push(z);
      };
      flat(x);
      const read = parts.map(readKey);
      return read.every((k) => k !== undefined) ? new Set(read) : new Set();
    }
    // either side holds: only what both sides say is certain
    if (and || or) {
      const l = emptyWhen(x.left, truth);
      const r = emptyWhen(x.right, truth);
      return new Set([...l].filter((k) => r.has(k)));
    }
    const eq = op === ts.SyntaxKind.EqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsEqualsToken;
    const ne = op === ts.SyntaxKind.ExclamationEqualsToken || op === ts.SyntaxKind.ExclamationEqualsEqualsToken;
    if ((eq && truth) || (ne && !truth)) {
      const k = isNullish(skipOuter(x.right))
        ? readKey(x.left)
        : isNullish(skipOuter(x.left))
          ? readKey(x.right)
          : undefined;
      if (k) return new Set([k]);
    }
    return new Set();
  }
  const k = readKey(x);
  return k && !truth ? new Set([k]) : new Set();
}

/**
 * Is a write of `keys` made only when the record has none of them: inside `if (!acct.privateKey)`, or after
 * `if (row.public_key && row.private_key) return …` in the same function?
 */
function fillsMissing(node: ts.Node, keys: readonly string[]): boolean {
  if (!keys.length) return false;
  const all = (empty: Set<string>): boolean => keys.every((k) => empty.has(k));
  for (let n: ts.Node = node; n.parent && !ts.isFunctionLike(n); n = n.parent) {
    const p = n.parent;
    // `if (!acct.privateKey) { …write… }`: written only where the condition is true
    if (ts.isIfStatement(p) && p.thenStatement === n && all(emptyWhen(p.expression, true))) return true;
    if (ts.isBlock(p) || ts.isSourceFile(p)) {
      for (const st of p.statements) {
        if (st === n) break;
        // `if (row.pub && row.priv) return …` before it: written only where the condition is false
        if (ts.isIfStatement(st) && exits(st.thenStatement) && all(emptyWhen(st.expression, false))) return true;
      }
    }
  }
  return false;
}

function isDeclarationName(n: ts.Identifier): boolean {
  return !!n.parent && ts.isVariableDeclaration(n.parent) && n.parent.name === n;
}

/**
 * A reference to a record that grants permissions (`userGroupId` where the `UserGroup` schema declares
 * `roleProjectPermissions` or `canAccessBackups`): writing it gives the person what that record allows.
 */
function grantsPermissions(values: ValueResolver, key: string, c: CompiledAssets): boolean {
  if (!c.roleRecordColumns || !/^[a-z]{3,}id$/.test(key)) return false;
  const stem = key.slice(0, -2);
  // (a reference to a person, `userId` of a user who may be an admin, names whose row it is, not what it grants)
  if (PERSON_STEM().test(stem)) return false;
  const cols = allColumns(values, stem);
  return !!cols && cols.some((col) => c.roleRecordColumns!.test(norm(col)));
}

/** The stem of a reference to a person's record (`user` of `userId`, `createdBy` of …): rules `personStems`. */
const PERSON_STEM = compiled(() => new RegExp(ruleFile('assets').personStems ?? '(?!)'));

/** Keys naming a person in a write's call (`userId`, `owner`, `memberId`). */
const PERSON_KEYS = compiled(() => new RegExp(ruleFile('assets').personKeys));

/** Does a write's call name a shared record's key (`orgId`) and no person's? */
function keyedByShared(call: ts.CallExpression, re: RegExp): boolean {
  const text = call.arguments.map((a) => a.getText()).join(',');
  return re.test(text) && !PERSON_KEYS().test(text);
}
