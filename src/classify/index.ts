// Sensitivity: does a stolen session do serious harm through this endpoint? Signals come from
// the path (strong and weak words), body fields, and the side effects the handler performs;
// thresholds and exclusions decide, and every decision keeps its reasons.
import { reachableUnder } from '../analysis/assume.js';
import { ts } from 'ts-morph';
import { calleeClosure } from '../analysis/callees.js';
import { calleeParts, callsIn, directEffectsOf, effectsOf, leafEffects, type Effect } from '../analysis/effects.js';
import type { ResolvedConfig } from '../config/types.js';
import type { AdapterContext } from '../frameworks/types.js';
import type { Classification, Endpoint, Reason } from '../model.js';
import { effectRules } from '../analysis/effects.js';
import { memo } from '../memo.js';
import type { ValueResolver } from '../analysis/values.js';
import { spanOf } from '../util.js';
import { exclusionFor } from './exclusions.js';
import { namedWrites, namesTerm } from './named-writes.js';
import type { CategoryRule, ClassifierRules } from './rules.js';
import { findTerm, lookupTerm, matchesTerm, norm, segmentsOf } from './words.js';

interface Signal extends Reason {
  category: string;
  strength: 'strong' | 'weak';
  /** A container word: corroborates, never decides. */
  context?: boolean;
  /** A strong word demoted by an informational path: fields do not corroborate it. */
  demoted?: boolean;
  /** Path words that make a GET sensitive (reveal, export). */
  get?: boolean;
  /** A write effect: makes even a GET sensitive (it changes state). */
  write?: boolean;
}


/** Glob over a path: `*` one segment, `**` any number. */
export function globToRegex(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (ch === '*') re += '[^/]*';
    else re += /[.+?^${}()|[\]\\]/.test(ch) ? `\\${ch}` : ch;
  }
  return new RegExp(`^${re}$`);
}

export function forcedBy(ep: Endpoint, config: ResolvedConfig): { pattern: string; value: boolean | string[] } | undefined {
  for (const f of config.sensitive) {
    const [method, ...rest] = f.pattern.split(/\s+/);
    const glob = rest.join(' ');
    if (method !== '*' && method.toUpperCase() !== ep.method && ep.method !== 'ANY') continue;
    if (globToRegex(glob).test(ep.path)) return f;
  }
  return undefined;
}

/** Per scan: path signals by path (they depend on the path and the scan's category rules alone). */
const PATH_SIGNALS = memo('classify.pathSignals', () => new WeakMap<ClassifierRules, Map<string, Signal[]>>());

function pathSignals(ep: Endpoint, rules: ClassifierRules, values: ValueResolver): Signal[] {
  const byRules = values.session.get(PATH_SIGNALS);
  let cache = byRules.get(rules);
  if (!cache) byRules.set(rules, (cache = new Map()));
  let hit = cache.get(ep.path);
  if (!hit) {
    hit = pathSignalsOf(ep.path, rules);
    cache.set(ep.path, hit);
  }
  return hit.map((s) => ({ ...s, span: ep.anchor }));
}

function pathSignalsOf(path: string, rules: ClassifierRules): Signal[] {
  const ep = { path, anchor: undefined as unknown as Endpoint['anchor'] };
  const segs = segmentsOf(ep.path);
  const out: Signal[] = [];
  // Word positions across the path, for informational demotion (`/analytics/transfer-rate`).
  const infoAfter = (segIndex: number, wordIndex: number): boolean =>
    segs.some((s, i) => s.words.some((w, k) => (i > segIndex || (i === segIndex && k > wordIndex)) && rules.informational.has(w)));
  // A compound strong term (`backup-codes`, `transfer-ownership`) owns its segment: its single words
  // do not count for other categories.
  const compoundOwner = segs.map((seg) => {
    if (seg.words.length < 2) return undefined;
    for (const cat of rules.categories) {
      const t = findTerm([seg.whole, ...seg.candidates.filter((c) => !seg.words.includes(c))], cat.sets.strong);
      if (t) return cat.name;
    }
    return undefined;
  });
  for (const cat of rules.categories) {
    segs.forEach((seg, i) => {
      const owner = compoundOwner[i];
      const candidates = owner && owner !== cat.name ? [seg.whole, ...seg.candidates.filter((c) => !seg.words.includes(c))] : seg.candidates;
      const strong = findTerm(candidates, cat.sets.strong);
      const get = !!findTerm(candidates, cat.sets.get);
      if (strong) {
        const k = Math.max(0, seg.words.findIndex((w) => norm(strong).startsWith(w)));
        const demoted = !cat.notDemoted && infoAfter(i, k + norm(strong).length > 0 ? k : 0);
        out.push({ kind: 'path', value: seg.raw, category: cat.name, strength: demoted ? 'weak' : 'strong', demoted, get, detail: demoted ? `"${strong}" in an informational path (demoted to weak)` : `path word "${strong}"`, span: ep.anchor });
        return;
      }
      const weak = findTerm(candidates, cat.sets.weak);
      if (weak) {
        out.push({ kind: 'path', value: seg.raw, category: cat.name, strength: 'weak', get, detail: `path word "${weak}"`, span: ep.anchor });
        return;
      }
      const ctx = findTerm(candidates, cat.sets.context);
      if (ctx) out.push({ kind: 'path', value: seg.raw, category: cat.name, strength: 'weak', context: true, get, detail: `context word "${ctx}"`, span: ep.anchor });
    });
  }
  return out;
}

function isCreate(ep: Endpoint): boolean {
  if (ep.method !== 'POST') return false;
  const parts = ep.path.split('/').filter(Boolean);
  const last = parts[parts.length - 1];
  return !!last && !/^[:[{*]/.test(last) && /s$/.test(norm(last));
}

function fieldSignals(ep: Endpoint, rules: ClassifierRules): Signal[] {
  const out: Signal[] = [];
  const names = ep.bodyFields.map((f) => ({ f, n: norm(f.name) }));
  for (const cat of rules.categories) {
    const fieldMatches = (n: string, t: string): boolean => matchesTerm(n, t) || (cat.fieldSuffixes.includes(t) && n.endsWith(t) && n.length > t.length);
    for (const { f, n } of names) {
      if (cat.proofFields.includes(n)) continue;
      if (cat.strongFields.some((t) => matchesTerm(n, t))) out.push({ kind: 'field', value: f.name, category: cat.name, strength: 'strong', detail: `body field "${f.name}"`, span: f.span });
      else if (cat.fields.some((t) => fieldMatches(n, t)) && (cat.fieldsCorroborateOnCreate || !isCreate(ep))) out.push({ kind: 'field', value: f.name, category: cat.name, strength: 'weak', detail: `body field "${f.name}"`, span: f.span });
    }
    for (const combo of cat.fieldCombos) {
      const hits = combo.map((c) => names.find((x) => fieldMatches(x.n, c)));
      if (hits.every(Boolean)) out.push({ kind: 'field', value: combo.join('+'), category: cat.name, strength: 'strong', detail: `body fields ${hits.map((h) => `"${h!.f.name}"`).join(' + ')}`, span: hits[0]!.f.span });
    }
  }
  return out;
}

function effectSignals(effects: Effect[], rules: ClassifierRules): Signal[] {
  const out: Signal[] = [];
  const byName = new Map(rules.categories.map((c) => [c.name, c]));
  const sig = (e: Effect, cat: CategoryRule, strength: 'strong' | 'weak', detail: string): void => {
    out.push({ kind: 'call', value: e.callee, category: cat.name, strength, write: e.kind !== 'mint' && e.kind !== 'http', detail, span: spanOf(e.node) });
  };
  for (const e of effects) {
    const model = e.model ?? '';
    const keys = e.dataKeys.map(norm);
    if (e.kind === 'payment') {
      const money = byName.get('money');
      if (money) sig(e, money, money.strongPaymentResources.some((r) => matchesTerm(model, r)) ? 'strong' : 'weak', `payment call ${e.callee}`);
      continue;
    }
    if (e.kind === 'identity') {
      continue; // handled by identity categories below
    }
    if (e.kind === 'mint') {
      const keysCat = byName.get('keys-secrets');
      if (keysCat) sig(e, keysCat, 'weak', `mints a secret (${e.callee})`);
      continue;
    }
    if (e.kind !== 'db-write' && e.kind !== 'sql-write') continue;
    for (const cat of rules.categories) {
      if (model && cat.models.some((m) => matchesTerm(model, m) || (model.endsWith(m) && model.length > m.length + 2 && m.length > 4))) sig(e, cat, 'strong', `writes ${e.model} (${e.callee})`);
      else if (model && cat.weakModels.some((m) => matchesTerm(model, m)) && cat.weakModelActions.test(e.action ?? '')) sig(e, cat, 'weak', `writes ${e.model} (${e.callee})`);
      if (cat.credentialDataKeys.length && effectRules().updateActions.test(e.action ?? '') && keys.some((k) => cat.credentialDataKeys.includes(k))) {
        sig(e, cat, 'strong', `updates ${keys.filter((k) => cat.credentialDataKeys.includes(k)).join(', ')} (${e.callee})`);
      }
      if (cat.roleDataKeys.length && keys.some((k) => cat.roleDataKeys.includes(k)) && (cat.models.some((m) => matchesTerm(model, m)) || cat.weakModels.some((m) => matchesTerm(model, m)) || cat.roleModels.some((m) => matchesTerm(model, m)))) {
        sig(e, cat, 'strong', `writes ${keys.filter((k) => cat.roleDataKeys.includes(k)).join(', ')} on ${e.model} (${e.callee})`);
      }
      if (cat.deleteModels.length && effectRules().deleteActions.test(e.action ?? '') && cat.deleteModels.some((m) => matchesTerm(model, m))) sig(e, cat, 'strong', `deletes ${e.model} (${e.callee})`);
    }
  }
  return out;
}

/** A write-named call on the resource the path names (`/sso` → `sso.createConnection`): corroborates the path word. */
function namedWriteSignals(ep: Endpoint, paths: Signal[], rules: ClassifierRules, values: ValueResolver): Signal[] {
  const fn = ep.handler.fn;
  if (!fn || !paths.length || !rules.mutatingMethods.includes(ep.method)) return [];
  // only the resource the path ends on (`/teams/:slug/sso`), in categories that opt in; decided before any call is resolved
  const statics = ep.path.split('/').filter((x) => x && !/^[:[{*]/.test(x));
  const lastStatic = norm(statics[statics.length - 1] ?? '');
  const opted = new Set(rules.categories.filter((c) => c.namedWrites).map((c) => c.name));
  const wanted = paths.filter((p) => !p.demoted && opted.has(p.category) && norm(String(p.value)) === lastStatic);
  if (!wanted.length) return [];
  const assumptions = ep.method !== 'ANY' ? { method: ep.method } : {};
  const calls = namedWrites(fn, values, assumptions, rules.namedWriteVerbs);
  const out: Signal[] = [];
  for (const p of wanted) {
    if (out.some((s) => s.category === p.category)) continue;
    const w = calls.find((c) => namesTerm(c, p.value as string));
    if (w) out.push({ kind: 'call', value: w.callee, category: p.category, strength: 'weak', write: true, detail: `calls ${w.callee}, named after the path word "${p.value}"`, span: spanOf(w.call) });
  }
  return out;
}

/** Calls the configuration names for a category (`"calls": ["ledger.debit"]`): the user's policy, so they decide. */
function configuredCallSignals(ep: Endpoint, rules: ClassifierRules, values: ValueResolver): Signal[] {
  const fn = ep.handler.fn;
  const wanted = rules.categories.filter((c) => c.calls.length);
  if (!fn || !wanted.length) return [];
  const out: Signal[] = [];
  for (const f of calleeClosure([fn], values, 2, { calls: callsIn })) {
    for (const c of callsIn(f)) {
      if (!ts.isCallExpression(c)) continue;
      const text = calleeParts(c.expression)?.join('.');
      if (!text) continue;
      for (const cat of wanted) {
        const hit = cat.calls.find((name) => text === name || text.endsWith(`.${name}`));
        if (hit && !out.some((o) => o.category === cat.name)) out.push({ kind: 'call', value: text, category: cat.name, strength: 'strong', write: true, detail: `calls ${text} (configured for ${cat.name})`, span: spanOf(c) });
      }
    }
  }
  return out;
}

function identitySignals(effects: Effect[], rules: ClassifierRules): Signal[] {
  const out: Signal[] = [];
  for (const e of effects) {
    if (e.kind !== 'identity') continue;
    const name = e.category;
    const cat = rules.categories.find((c) => c.name === name);
    if (cat) out.push({ kind: 'call', value: e.callee, category: cat.name, strength: 'strong', write: true, detail: `identity provider call ${e.callee}`, span: spanOf(e.node) });
  }
  return out;
}

function deleteMethodSignals(ep: Endpoint, rules: ClassifierRules): Signal[] {
  const out: Signal[] = [];
  const parts = ep.path.split('/').filter(Boolean);
  const statics = parts.filter((p) => !/^[:[{*]/.test(p));
  const lastStatic = statics[statics.length - 1];
  if (!lastStatic) return out;
  // `/websites/:id/transfer`: a resource handed to another owner
  const last = parts[parts.length - 1];
  const beforeLast = parts[parts.length - 2];
  const money = rules.categories.find((c) => c.name === 'money');
  for (const cat of rules.categories) {
    if (!cat.ownershipVerbs.includes(norm(last ?? '')) || !beforeLast || !/^[:[{]/.test(beforeLast) || ep.method === 'GET') continue;
    const resource = parts[parts.length - 3];
    if (resource && money && segmentsOf(`/${resource}`)[0]?.candidates.some((c) => lookupTerm(c, money.sets.strong) || lookupTerm(c, money.sets.weak))) continue;
    out.push({ kind: 'path', value: `${resource}/${beforeLast}/${last}`, category: cat.name, strength: 'strong', detail: `hands the ${resource ?? 'resource'} over to another owner`, span: ep.anchor });
  }
  for (const cat of rules.categories) {
    if (!cat.deleteMethods.includes(ep.method)) continue;
    if (cat.deleteModels.some((m) => matchesTerm(norm(lastStatic), m))) out.push({ kind: 'method', value: `${ep.method} ${lastStatic}`, category: cat.name, strength: 'strong', detail: `${ep.method} on the ${lastStatic} resource itself`, span: ep.anchor });
  }
  return out;
}

/**
 * Thresholds: a strong signal decides; otherwise two distinct weak path words, or one weak path
 * word with a corroborating container word, field or side effect. Container words alone never
 * decide (they corroborate a credential field: `PATCH /me { email }`), and a demoted word is not
 * corroborated by fields.
 */
function decide(cat: CategoryRule, signals: Signal[]): boolean {
  const mine = signals.filter((s) => s.category === cat.name);
  if (mine.some((s) => s.strength === 'strong')) return true;
  const paths = mine.filter((s) => s.kind === 'path');
  const real = new Set(paths.filter((s) => !s.context && !s.demoted).map((s) => s.detail));
  const demoted = paths.filter((s) => s.demoted);
  const context = paths.filter((s) => s.context);
  // a body field that repeats a path word (`POST /email { email }`) says the same thing twice
  const pathWords = new Set(paths.map((s) => norm(s.value)));
  const fields = mine.filter((s) => s.kind === 'field' && !pathWords.has(norm(s.value)));
  const effects = mine.filter((s) => s.kind !== 'path' && s.kind !== 'field');
  // where the category says so, weak path words alone (`/apps/chat/webhook`) need a field or a write to agree
  if (cat.weakPathsNeedEvidence && !fields.length && !effects.length) return false;
  if (real.size >= 2) return true;
  if (real.size >= 1 && (context.length > 0 || demoted.length > 0 || fields.length > 0 || effects.length > 0)) return true;
  if (demoted.length > 0 && effects.length > 0) return true;
  if (context.length > 0 && fields.length > 0) return true;
  // where the category says so, a context word and a write it recognises (`DELETE /webhooks/:id` → webhook.delete)
  if (cat.contextWithWrite && context.length > 0 && effects.some((e) => e.write)) return true;
  return false;
}

export function classifyEndpoint(ep: Endpoint, ctx: Pick<AdapterContext, 'values'>, config: ResolvedConfig): Classification {
  const rules = ctx.values.session.classifierRulesFor(config);
  const forced = forcedBy(ep, config);
  if (forced && forced.value === false) {
    return { sensitive: false, categories: [], reasons: [], considered: [{ kind: 'config', value: forced.pattern, detail: `marked not sensitive by the configuration (${config.file ?? 'config'})` }] };
  }

  const fn = ep.handler.fn;
  let effects: Effect[] = [];
  const paths = pathSignals(ep, rules, ctx.values);
  if (fn) {
    const assumptions = ep.method !== 'ANY' ? { method: ep.method } : {};
    // A read (GET/HEAD) is classified by the writes it makes itself; following its calls into other
    // modules is kept for endpoints that can change state or whose path already suggests something.
    const read = !rules.mutatingMethods.includes(ep.method);
    const follow = !read || paths.length > 0;
    const all = follow ? effectsOf(fn, ctx.values, 2, rules.effectScope) : directEffectsOf(fn, ctx.values);
    effects = leafEffects(all.filter((e) => reachableUnder(e.node, fn, assumptions))).filter((e) => !isBookkeeping(e));
  }
  const signals: Signal[] = [
    ...namedWriteSignals(ep, paths, rules, ctx.values),
    ...configuredCallSignals(ep, rules, ctx.values),
    ...paths,
    ...fieldSignals(ep, rules),
    ...effectSignals(effects, rules),
    ...identitySignals(effects, rules),
    ...deleteMethodSignals(ep, rules),
  ];

  const isRead = !rules.mutatingMethods.includes(ep.method);
  const categories: string[] = [];
  const considered: Reason[] = [];
  for (const cat of rules.categories) {
    if (cat.methods && !cat.methods.includes(ep.method)) {
      const mine = signals.filter((sg) => sg.category === cat.name);
      if (mine.length) considered.push({ kind: 'method', value: ep.method, category: cat.name, detail: `${cat.name} does not apply to a ${ep.method}` });
      continue;
    }
    if (!decide(cat, signals)) continue;
    const mine = signals.filter((s) => s.category === cat.name);
    if (isRead && !mine.some((s) => s.get || s.write)) {
      considered.push({ kind: 'method', value: ep.method, category: cat.name, detail: `${cat.name} signals on a ${ep.method} that neither reveals nor changes anything` });
      continue;
    }
    categories.push(cat.name);
  }
  if (forced && Array.isArray(forced.value)) {
    for (const c of forced.value) if (!categories.includes(c)) categories.push(c);
  }
  const reasons: Reason[] = signals.filter((s) => categories.includes(s.category)).map(stripSignal);
  considered.push(...signals.filter((s) => !categories.includes(s.category)).map(stripSignal));
  if (forced && forced.value !== false) reasons.unshift({ kind: 'config', value: forced.pattern, detail: `marked sensitive by the configuration (${config.file ?? 'config'})` });

  // Exclusions only matter for an endpoint that would otherwise be sensitive (and they cost a walk of its calls).
  const exclusion = forced || categories.length === 0 ? undefined : exclusionFor(ep, rules, ctx.values);
  if (exclusion) return { sensitive: false, categories: [], reasons: [], considered: [exclusion, ...reasons, ...considered] };
  if (forced && forced.value === true && categories.length === 0) categories.push('custom');
  return { sensitive: categories.length > 0, categories, reasons, considered };
}

/** A write of last-use timestamps and counters only: bookkeeping, not what the endpoint does. */
function isBookkeeping(e: Effect): boolean {
  const { bookkeeping } = effectRules();
  const keys = e.dataKeys.map(norm);
  return (e.kind === 'db-write' || e.kind === 'sql-write') && /update|save|upsert|set|patch/i.test(e.action ?? '') && keys.length > 0 && keys.every((k) => bookkeeping.has(k));
}

function stripSignal(s: Signal): Reason {
  return { kind: s.kind, value: s.value, category: s.category, detail: s.strength === 'weak' ? `${s.detail} (weak)` : s.detail, span: s.span };
}

