// Money that stays the caller's: a debit of their own balance whose amount lands in another record they own
// (an investment, a savings goal, a stake, a fixed deposit). Policy: money is "moving money out of the user's
// control"; moving one's own balance into one's own holding moves nothing out. The destination is a record created
// for the signed-in person holding the debited amount (or one of theirs raised by it), of a kind that keeps money
// (`holdings`, or a new record of the debited model); it is no movement record, log, payee or payout destination,
// names no other party and no other record, no one else's balance is raised by the amount beside it, and nothing
// leaves through a provider. A gift, a tip, a pledge, a loan or an order hands the money to someone and stays
// sensitive. Patterns in rules/assets.json (balance-debit `ownHolding`).
import { ts } from 'ts-morph';
import type { Effect } from '../analysis/effects.js';
import { propertyNameText, skipOuter } from '../analysis/values.js';
import { findDeclaration } from '../analysis/scope.js';
import { norm } from './words.js';

export interface HoldingRules {
  /** Normalised keys of a new record that say whose it is (`userId`, `investor`). */
  ownerKeys: RegExp;
  /** Normalised keys that name someone else or somewhere else (`recipientId`, `bankAccount`, `walletAddress`). */
  otherPartyKeys: RegExp;
  /** Normalised model names that record a movement or an event rather than hold value (a transaction row, a log). */
  notDestinations: RegExp;
  /** Normalised model names of records that keep money for their owner (an investment, a stake, a savings goal). */
  holdings: RegExp;
  /** Normalised reference keys (`planId`) a holding may write besides its owner: what kind of holding it is. */
  references: RegExp;
}

export interface HoldingQuery {
  debit: Effect;
  effects: readonly Effect[];
  /** The normalised keys the debit lowers. */
  debited: readonly string[];
  rules: HoldingRules;
  /** Is the record a write changes the signed-in person's own? */
  ownRecord(e: Effect): boolean;
  /** Is a value who is signed in? */
  ownValue(x: ts.Expression): boolean;
  /** Does a key of a record hold a balance? */
  balanceKey(key: string, model: string): boolean;
  /** Is the record itself money that moves or a log of it (a withdrawal, a payee, a transaction row)? */
  movementRecord(model: string): boolean;
  /** The operations of a write. */
  ops(e: Effect): readonly string[];
  /** The columns a record's schema declares, where it declares them. */
  columns(model: string): readonly string[] | undefined;
}

const isWrite = (e: Effect): boolean => e.kind === 'db-write' || e.kind === 'sql-write';

/** The last name of an amount's text (`req.body.amount` → `amount`); none for a constant (a fixed fee). */
function amountName(text: string | undefined): string | undefined {
  const names = text?.match(/[A-Za-z_$][\w$]*/g);
  return names?.length ? norm(names[names.length - 1]) : undefined;
}

/** Where a write's data is written: the call, an object a local holds for it, and the record it saves when built here (`new Investment({ … }).save()`). */
function dataNodes(e: Effect): ts.Node[] {
  const out: ts.Node[] = [e.node];
  // (an object held by a local and handed to the write, `const obj = { …req.body, user }; X.create(obj)`)
  if (ts.isCallExpression(e.node))
    for (const a of e.node.arguments) {
      const x = skipOuter(a);
      const d = ts.isIdentifier(x) ? findDeclaration(x) : undefined;
      if (d && ts.isVariableDeclaration(d) && d.initializer && ts.isObjectLiteralExpression(skipOuter(d.initializer)))
        out.push(d.initializer);
    }
  const callee = ts.isCallExpression(e.node) ? e.node.expression : undefined;
  const recv = callee && ts.isPropertyAccessExpression(callee) ? skipOuter(callee.expression) : undefined;
  const d = recv && ts.isIdentifier(recv) ? findDeclaration(recv) : undefined;
  const init = d && ts.isVariableDeclaration(d) && d.initializer ? skipOuter(d.initializer) : undefined;
  if (init && ts.isNewExpression(init)) out.push(init);
  return out;
}

/** The properties written under a (normalised) key, at any depth of the data. */
function propertiesOf(e: Effect, test: (key: string) => boolean): ts.Expression[] {
  const out: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isPropertyAssignment(n) && test(norm(propertyNameText(n.name) ?? ''))) out.push(skipOuter(n.initializer));
    else if (ts.isShorthandPropertyAssignment(n) && test(norm(n.name.text))) out.push(n.name);
    if (!ts.isFunctionLike(n)) n.forEachChild(visit);
  };
  for (const n of dataNodes(e)) visit(n);
  return out;
}

/** Normalised names a value is made of, through the locals it reads (two steps). */
function namesIn(x: ts.Node, hops = 0, out = new Set<string>()): Set<string> {
  if (ts.isIdentifier(x)) {
    out.add(norm(x.text));
    const d = hops < 2 ? findDeclaration(x) : undefined;
    if (d && ts.isVariableDeclaration(d) && d.initializer) namesIn(d.initializer, hops + 1, out);
    return out;
  }
  if (ts.isPropertyAccessExpression(x)) out.add(norm(x.name.text));
  x.forEachChild((c) => void namesIn(c, hops, out));
  return out;
}

/** Does the write's data say the new record is the signed-in person's (`{ userId: req.user.id }`)? */
function ownedBySignedIn(e: Effect, q: HoldingQuery): boolean {
  return propertiesOf(e, (k) => q.rules.ownerKeys.test(k)).some((v) => q.ownValue(v));
}

/** Does the write store the amount: under a key of its own, or inside the request body written whole? */
function storesAmount(o: Effect, names: ReadonlySet<string>, bodyAmounts: boolean): boolean {
  if (propertiesOf(o, () => true).some((v) => [...namesIn(v)].some((n) => names.has(n)))) return true;
  return bodyAmounts && !!o.rawBody;
}

/** Does `o` keep the debited amount for the caller: created for them holding it, or one of theirs raised by it? */
function holdsFor(
  o: Effect,
  names: ReadonlySet<string>,
  bodyAmounts: boolean,
  debitModel: string,
  q: HoldingQuery,
): boolean {
  if (!o.model || !isWrite(o)) return false;
  if (q.movementRecord(o.model) || q.rules.notDestinations.test(o.model)) return false;
  // (only a record that keeps money for its owner: a gift, a tip, a pledge, a loan or an order hands it to someone)
  if (!q.rules.holdings.test(o.model) && o.model !== debitModel) return false;
  // (a key naming the owner, `member`, or holding the signed-in person's own value names no one else)
  const own = (k: string): boolean =>
    q.rules.ownerKeys.test(norm(k)) || propertiesOf(o, (x) => x === norm(k)).some((v) => q.ownValue(v));
  if (o.dataKeys.some((k) => q.rules.otherPartyKeys.test(norm(k)) && !own(k))) return false;
  // (a reference to another record than the owner and the kind of holding, `campaignId`, may be someone else's)
  const other = (k: string): boolean => /.id$/.test(norm(k)) && !own(k) && !q.rules.references.test(norm(k));
  if (o.dataKeys.some(other)) return false;
  // data not all listed: only the request body written whole, into a record whose declared columns name no one else
  if (o.opaqueData) {
    const cols = o.rawBody ? q.columns(o.model) : undefined;
    if (!cols || cols.some((k) => q.rules.otherPartyKeys.test(norm(k)))) return false;
  }
  const ops = q.ops(o);
  if (ops.includes('create') && ownedBySignedIn(o, q)) return storesAmount(o, names, bodyAmounts);
  if (ops.includes('update') && q.ownRecord(o))
    return (o.credits ?? []).some((k) => names.has(amountName(o.amounts?.[k]) ?? ''));
  return false;
}

/** Is the debited amount kept by the caller in another record of theirs, and sent nowhere else? */
export function movedToOwnHolding(q: HoldingQuery): boolean {
  const { debit, effects } = q;
  if (!debit.model || !q.ownRecord(debit)) return false;
  const byKey = new Map(Object.entries(debit.amounts ?? {}).map(([k, v]) => [norm(k), amountName(v)]));
  const names = new Set<string>();
  let bodyAmounts = true;
  for (const k of q.debited) {
    const n = byKey.get(k);
    if (!n) return false;
    names.add(n);
    // (an amount the request body holds, `req.body.amountInvested`: the body written whole carries it)
    const text = Object.entries(debit.amounts ?? {}).find(([d]) => norm(d) === k)?.[1] ?? '';
    if (!/^(req|request|ctx\.req|c\.req)\.body\./.test(text)) bodyAmounts = false;
  }
  // nothing leaves through a provider or another service, and no one else's balance is raised beside it
  if (effects.some((o) => o.kind === 'payment' || o.kind === 'http')) return false;
  // (a reward of another amount paid beside it, a referrer's bonus of a share, is no sending of this one)
  const othersCredited = effects.some(
    (o) =>
      o !== debit &&
      isWrite(o) &&
      !!o.model &&
      (o.credits ?? []).some((k) => {
        const by = amountName(o.amounts?.[k]);
        return q.balanceKey(k, o.model!) && (!by || names.has(by));
      }) &&
      !q.ownRecord(o),
  );
  if (othersCredited) return false;
  // (a record of the debited model counts only when made here: the caller's new account, a fixed deposit)
  return effects.some(
    (o) =>
      o !== debit &&
      o.node !== debit.node &&
      (o.model !== debit.model || q.ops(o).join() === 'create') &&
      holdsFor(o, names, bodyAmounts, debit.model!, q),
  );
}
