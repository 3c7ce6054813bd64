// Sensitivity: does a stolen session do serious harm through this endpoint? Signals come from
// the path (strong and weak words), body fields, and the side effects the handler performs;
// thresholds and exclusions decide, and every decision keeps its reasons.
import { reachableUnder } from '../analysis/assume.js';
import { effectsOf, leafEffects, type Effect } from '../analysis/effects.js';
import type { ResolvedConfig } from '../config/types.js';
import type { AdapterContext } from '../frameworks/types.js';
import type { Classification, Endpoint, Reason } from '../model.js';
import { spanOf } from '../util.js';
import { exclusionFor } from './exclusions.js';
import { classifierRules, type CategoryRule, type ClassifierRules } from './rules.js';
import { findTerm, matchesTerm, norm, segmentsOf } from './words.js';

interface Signal extends Reason {
  category: string;
  strength: 'strong' | 'weak';
  /** Path words that make a GET sensitive (reveal, export). */
  get?: boolean;
  /** A write effect: makes even a GET sensitive (it changes state). */
  write?: boolean;
}

const UPDATE_ACTIONS = /^(update|updateone|updatemany|findoneandupdate|findbyidandupdate|upsert|save|set|patch|replaceone|nativeupdate)$/i;
const DELETE_ACTIONS = /^(delete|deleteone|deletemany|destroy|remove|findbyidanddelete|findoneanddelete|findbyidandremove|findoneandremove|del|softdelete|softremove|deletefrom|nativedelete|drop|truncate)$/i;

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

function pathSignals(ep: Endpoint, rules: ClassifierRules): Signal[] {
  const segs = segmentsOf(ep.path);
  const out: Signal[] = [];
  const informationalPath = segs.some((s) => s.words.length === 1 && rules.informational.has(s.whole));
  for (const cat of rules.categories) {
    for (const seg of segs) {
      const head = seg.words[seg.words.length - 1];
      const demoted = informationalPath || (seg.words.length > 1 && !!head && rules.informational.has(head));
      const strong = findTerm(seg.candidates, cat.strongSegments);
      const get = !!findTerm(seg.candidates, cat.getSegments);
      if (strong) {
        out.push({ kind: 'path', value: seg.raw, category: cat.name, strength: demoted ? 'weak' : 'strong', get, detail: demoted ? `"${strong}" in an informational path (demoted to weak)` : `path word "${strong}"`, span: ep.anchor });
        continue;
      }
      const weak = findTerm(seg.candidates, cat.weakSegments);
      if (weak) out.push({ kind: 'path', value: seg.raw, category: cat.name, strength: 'weak', get, detail: `path word "${weak}"`, span: ep.anchor });
    }
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
    for (const { f, n } of names) {
      if (cat.strongFields.some((t) => matchesTerm(n, t))) out.push({ kind: 'field', value: f.name, category: cat.name, strength: 'strong', detail: `body field "${f.name}"`, span: f.span });
      else if (cat.fields.some((t) => matchesTerm(n, t)) && (cat.fieldsCorroborateOnCreate || !isCreate(ep))) out.push({ kind: 'field', value: f.name, category: cat.name, strength: 'weak', detail: `body field "${f.name}"`, span: f.span });
    }
    for (const combo of cat.fieldCombos) {
      const hits = combo.map((c) => names.find((x) => x.n === c));
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
      if (cat.credentialDataKeys.length && UPDATE_ACTIONS.test(e.action ?? '') && keys.some((k) => cat.credentialDataKeys.includes(k))) {
        sig(e, cat, 'strong', `updates ${keys.filter((k) => cat.credentialDataKeys.includes(k)).join(', ')} (${e.callee})`);
      }
      if (cat.roleDataKeys.length && keys.some((k) => cat.roleDataKeys.includes(k)) && (cat.models.some((m) => matchesTerm(model, m)) || cat.weakModels.some((m) => matchesTerm(model, m)))) {
        sig(e, cat, 'strong', `writes ${keys.filter((k) => cat.roleDataKeys.includes(k)).join(', ')} on ${e.model} (${e.callee})`);
      }
      if (cat.deleteModels.length && DELETE_ACTIONS.test(e.action ?? '') && cat.deleteModels.some((m) => matchesTerm(model, m))) sig(e, cat, 'strong', `deletes ${e.model} (${e.callee})`);
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
  for (const cat of rules.categories) {
    if (!cat.deleteMethods.includes(ep.method)) continue;
    if (cat.deleteModels.some((m) => matchesTerm(norm(lastStatic), m))) out.push({ kind: 'method', value: `${ep.method} ${lastStatic}`, category: cat.name, strength: 'strong', detail: `${ep.method} on the ${lastStatic} resource itself`, span: ep.anchor });
  }
  return out;
}

function decide(cat: CategoryRule, signals: Signal[]): boolean {
  const mine = signals.filter((s) => s.category === cat.name);
  if (mine.some((s) => s.strength === 'strong')) return true;
  const weakPaths = new Set(mine.filter((s) => s.kind === 'path').map((s) => s.detail));
  if (weakPaths.size >= 2) return true;
  if (weakPaths.size >= 1 && mine.some((s) => s.kind !== 'path')) return true;
  return false;
}

export function classifyEndpoint(ep: Endpoint, ctx: Pick<AdapterContext, 'values'>, config: ResolvedConfig): Classification {
  const rules = classifierRules(config);
  const forced = forcedBy(ep, config);
  if (forced && forced.value === false) {
    return { sensitive: false, categories: [], reasons: [], considered: [{ kind: 'config', value: forced.pattern, detail: `marked not sensitive by the configuration (${config.file ?? 'config'})` }] };
  }
  const exclusion = forced ? undefined : exclusionFor(ep, rules, ctx.values);

  const fn = ep.handler.fn;
  let effects: Effect[] = [];
  if (fn) {
    const assumptions = ep.method !== 'ANY' ? { method: ep.method } : {};
    effects = leafEffects(effectsOf(fn, ctx.values).filter((e) => reachableUnder(e.node, fn, assumptions)));
  }
  const signals: Signal[] = [
    ...pathSignals(ep, rules),
    ...fieldSignals(ep, rules),
    ...effectSignals(effects, rules),
    ...identitySignals(effects, rules),
    ...deleteMethodSignals(ep, rules),
  ];

  const isRead = !rules.mutatingMethods.includes(ep.method);
  const categories: string[] = [];
  const considered: Reason[] = [];
  for (const cat of rules.categories) {
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

  if (exclusion) return { sensitive: false, categories: [], reasons: [], considered: [exclusion, ...reasons, ...considered] };
  if (forced && forced.value === true && categories.length === 0) categories.push('custom');
  return { sensitive: categories.length > 0, categories, reasons, considered };
}

function stripSignal(s: Signal): Reason {
  return { kind: s.kind, value: s.value, category: s.category, detail: s.strength === 'weak' ? `${s.detail} (weak)` : s.detail, span: s.span };
}

