// Writes through a service the analysis cannot see into, recognised by name: a call whose method
// starts with a write verb and whose name or receiver names the resource the path is about
// (`/teams/:slug/sso` → `sso.createConnection(…)`, `/webhooks` → `createWebhook(…)`). It
// corroborates the path word; it never decides a category on its own.
import { ts } from 'ts-morph';
import { compiled, ruleFile } from '../rules/load.js';
import { reachableUnder, type Assumptions } from '../analysis/assume.js';
import { calleeParts, callsIn } from '../analysis/effects.js';
import { calleeClosure } from '../analysis/callees.js';
import { skipOuter, type ValueResolver } from '../analysis/values.js';
import type { FunctionNode } from '../model.js';
import { norm, words } from './words.js';
import { memo } from '../memo.js';

export interface NamedWrite {
  call: ts.CallExpression;
  callee: string;
  /** The name the call is known by: its method, or the database function it calls (`rpc('revoke_key')`). */
  name: string;
  /** Normalised words of the callee (receiver and method), singular. */
  words: Set<string>;
}

function singular(w: string): string {
  return w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w;
}

/** `createUserRepository`, `createQueryBuilder`, `createNotFoundError`: factories build a value, they write nothing (rules/categories.json `factoryNames`). */
const FACTORY = compiled(() => {
  const src = ruleFile('categories').factoryNames;
  return src ? new RegExp(src) : /$^/;
});

/** A function's own write-named calls: the same for every endpoint, so summarised once per scan. */
const DIRECT = memo('namedWrites.direct', () => new WeakMap<ts.Node, NamedWrite[]>());

function direct(fn: FunctionNode, verbs: RegExp, cache: WeakMap<ts.Node, NamedWrite[]>): NamedWrite[] {
  const hit = cache.get(fn);
  if (hit) return hit;
  const out: NamedWrite[] = [];
  for (const c of callsIn(fn)) {
    if (!ts.isCallExpression(c)) continue;
    const parts = calleeParts(c.expression);
    const x = skipOuter(c.expression);
    const method = parts?.[parts.length - 1] ?? (ts.isPropertyAccessExpression(x) ? x.name.text : undefined);
    // a database function called by name (`client.rpc('transfer_organization', …)`): the name is the call's
    const rpc = method === 'rpc' && c.arguments[0] && ts.isStringLiteralLike(c.arguments[0]) ? c.arguments[0].text : '';
    const last = rpc || method;
    if (!last || !verbs.test(last) || FACTORY().test(last)) continue;
    const text = rpc
      ? `${(parts ?? ['rpc']).join('.')}('${rpc}')`
      : parts
        ? parts.join('.')
        : x.getText().replace(/\s+/g, '').slice(0, 80);
    // the resource is named by the receiver and the method's noun, not by its verb (`revokeDevice` names a device)
    const receiver = rpc ? [] : (parts ?? []).slice(0, -1).flatMap((p) => words(p));
    const noun = words(last).slice(1);
    const ws = new Set([...receiver, ...noun].map((w) => singular(norm(w))));
    out.push({ call: c, callee: text, name: last, words: ws });
  }
  cache.set(fn, out);
  return out;
}

/** Named writes of a handler (reachable under its method) and of the project functions it calls, two levels deep. */
export function namedWrites(
  fn: FunctionNode,
  values: ValueResolver,
  assumptions: Assumptions,
  verbs: RegExp,
): NamedWrite[] {
  // in the handler itself only what runs under its method counts
  const reachable = (call: ts.CallExpression, from: FunctionNode): boolean =>
    from !== fn || reachableUnder(call, fn, assumptions);
  return calleeClosure([fn], values, 2, { calls: callsIn, follow: reachable }).flatMap((f) =>
    direct(f, verbs, values.session.get(DIRECT)).filter((w) => reachable(w.call, f)),
  );
}

/** Does a named write name this path term (`webhooks` ~ `createWebhook`, `sso` ~ `sso.createConnection`)? */
export function namesTerm(w: NamedWrite, term: string): boolean {
  const t = singular(norm(term));
  if (t.length < 3) return false;
  if (w.words.has(t)) return true;
  // multi-word terms (`api-keys` → apikey) against joined neighbours
  const joined = [...w.words].join('');
  return t.length > 4 && joined.includes(t);
}
