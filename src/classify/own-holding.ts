// Money that stays the caller's: a debit of their own balance whose amount lands in another record they own
// (an investment, a savings goal, a stake, a fixed deposit, an order on the platform's own market). Policy: money
// is "moving money out of the user's control"; moving one's own balance into one's own holding moves nothing out.
// The destination is read from what the endpoint writes, not from its name: a record created for the signed-in
// person holding the debited amount (or one of theirs raised by it), that is no movement record, log, payee or
// payout destination itself, names no other party, and beside which no one else's balance is raised and nothing
// leaves through a provider. Patterns in rules/assets.json (balance-debit `ownHolding`).
import { ts } from 'ts-morph';
import type { Effect } from '../analysis/effects.js';
import { propertyNameText, skipOuter } from '../analysis/values.js';
import { norm } from './words.js';

export interface HoldingRules {
  /** Normalised keys of a new record that say whose it is (`userId`, `investor`). */
  ownerKeys: RegExp;
  /** Normalised keys that name someone else or somewhere else (`recipientId`, `bankAccount`, `walletAddress`). */
  otherPartyKeys: RegExp;
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
  /** Normalised names a written key's value is made of. */
  writtenFrom(e: Effect, key: string): readonly string[];
}

const isWrite = (e: Effect): boolean => e.kind === 'db-write' || e.kind === 'sql-write';

/** The last name of an amount's text (`req.body.amount` → `amount`); none for a constant (a fixed fee). */
function amountName(text: string | undefined): string | undefined {
  const names = text?.match(/[A-Za-z_$][\w$]*/g);
  return names?.length ? norm(names[names.length - 1]) : undefined;
}

/** Does the write's data say the new record is the signed-in person's (`{ userId: req.user.id }`)? */
function ownedBySignedIn(e: Effect, q: HoldingQuery): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isPropertyAssignment(n) && q.rules.ownerKeys.test(norm(propertyNameText(n.name) ?? '')))
      found = q.ownValue(skipOuter(n.initializer));
    else if (ts.isShorthandPropertyAssignment(n) && q.rules.ownerKeys.test(norm(n.name.text)))
      found = q.ownValue(n.name);
    if (!found && !ts.isFunctionLike(n)) n.forEachChild(visit);
  };
  visit(e.node);
  return found;
}

/** Does `o` keep the debited amount for the caller: created for them holding it, or one of theirs raised by it? */
function holdsFor(o: Effect, names: ReadonlySet<string>, q: HoldingQuery): boolean {
  if (!o.model || !isWrite(o) || o.opaqueData || o.rawBody) return false;
  if (q.movementRecord(o.model)) return false;
  if (o.dataKeys.some((k) => q.rules.otherPartyKeys.test(norm(k)))) return false;
  const ops = q.ops(o);
  if (ops.includes('create') && ownedBySignedIn(o, q))
    return o.dataKeys.some((k) => q.writtenFrom(o, norm(k)).some((n) => names.has(n)));
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
  for (const k of q.debited) {
    const n = byKey.get(k);
    if (!n) return false;
    names.add(n);
  }
  // nothing leaves through a provider or another service, and no one else's balance is raised beside it
  if (effects.some((o) => o.kind === 'payment' || o.kind === 'http')) return false;
  const othersCredited = effects.some(
    (o) =>
      o !== debit &&
      isWrite(o) &&
      !!o.model &&
      (o.credits ?? []).some((k) => q.balanceKey(k, o.model!)) &&
      !q.ownRecord(o),
  );
  if (othersCredited) return false;
  return effects.some((o) => o !== debit && o.node !== debit.node && o.model !== debit.model && holdsFor(o, names, q));
}
