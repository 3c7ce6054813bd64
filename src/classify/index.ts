// Sensitivity: does a stolen session do serious harm through this endpoint? Signals come from
// the path (strong and weak words), body fields, and the side effects the handler performs;
// thresholds and exclusions decide, and every decision keeps its reasons.
import { assumeMethod, onRefusalBranch, reachableUnder } from '../analysis/assume.js';
import { ts } from 'ts-morph';
import { factorSecretsWritten } from '../verify/replaceable-factor.js';
import { vocab } from '../verify/guard/index.js';
import { calleeClosure } from '../analysis/callees.js';
import {
  calleeParts,
  callsIn,
  directEffect,
  effectsOf,
  leafEffects,
  type Effect,
  type EffectScope,
} from '../analysis/effects.js';
import type { ResolvedConfig } from '../config/types.js';
import type { AdapterContext } from '../frameworks/types.js';
import type { ChainLink, Classification, Endpoint, FunctionNode, Reason, Span } from '../model.js';
import { effectRules } from '../analysis/effects.js';
import { memo } from '../memo.js';
import type { ValueResolver } from '../analysis/values.js';
import { spanOf } from '../util.js';
import { pendingRules } from './pending-factor.js';
import { endpointReadsSession, exclusionFor, isInvitationRecord, routeGated } from './exclusions.js';
import { setsSignedInUser } from './machine-auth.js';
import { signsInOn } from './sign-in.js';
import { revealedSecrets, type Reveal } from './reveals.js';
import { libraryServes } from './library-handlers.js';
import { credentialDump, bulkExport, noCollection } from './exports.js';
import {
  assetHits,
  assetModelDecides,
  assetRules,
  bookkeepingRecord,
  isUnrecognisedWrite,
  MINTED_SECRET_RETURNED,
  opsOf,
  unansweredLeaves,
  returnedSecretName,
  type AssetHit,
} from './assets.js';
import { namedWrites, namesTerm, type NamedWrite } from './named-writes.js';
import { cannotBeSeen, isPackage, visibleWork } from './out-of-sight.js';
import { adminPath, administrative, comparedWithSignedIn, recordChosenByRequest } from './chosen-record.js';
import type { CategoryRule, ClassifierRules } from './rules.js';
import { findTerm, lookupTerm, matchesTerm, norm, segmentsOf, words } from './words.js';

interface Signal extends Reason {
  kind: Reason['kind'];
  category: string;
  strength: 'strong' | 'weak';
  /** A container word: corroborates, never decides. */
  context?: boolean;
  /** A strong word demoted by an informational path: fields do not corroborate it. */
  demoted?: boolean;
  /** Body fields that decide together (`amount` + `currency`): the shape of any priced record, not of a transfer. */
  combo?: boolean;
  /** Path words that make a GET sensitive (reveal, export). */
  get?: boolean;
  /** The word a path signal matched (`banktransfer` in `/bank_transfer/get_all_bank_transfer` twice): one word repeated is one signal. */
  term?: string;
  /** A write effect: makes even a GET sensitive (it changes state). */
  write?: boolean;
  /** An effect on a protected asset (rules/assets.json): decides the category. */
  asset?: boolean;
  /** A word the user's configuration added: the user's policy, so it decides. */
  configured?: boolean;
  /** What an authentication library's configuration serves through this catch-all: the library's name. */
  library?: string;
  /** What that library asks for itself before the operation (`the current password`). */
  libraryGuard?: string;
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

export function forcedBy(
  ep: Endpoint,
  config: ResolvedConfig,
): { pattern: string; value: boolean | string[] } | undefined {
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
  if (!cache) byRules.set(rules, (cache = new Map<string, Signal[]>()));
  let hit = cache.get(ep.path);
  if (!hit) {
    hit = pathSignalsOf(ep.path, rules);
    cache.set(ep.path, hit);
  }
  return hit.map((s) => ({ ...s, span: ep.anchor }));
}

/** A DELETE (or a removal named in the path) of a payee or a card: those path words say nothing sensitive. */
function harmlessRemovals(ep: Endpoint, signals: Signal[], rules: ClassifierRules): Signal[] {
  const segs = segmentsOf(ep.path);
  const removal = ep.method === 'DELETE' || segs.some((s) => s.words.some((w) => rules.removals.verbs.has(w)));
  // a category's own end verb: the last segment is that verb, alone or followed by the category's words
  const last = segs[segs.length - 1];
  const endRemoval = (category: string): boolean => {
    const verbs = rules.removals.endVerbs.get(category);
    if (!verbs || !last?.words.length || !verbs.has(last.words[0])) return false;
    const rest = last.words.slice(1).join('');
    return !rest || !!rules.removals.notHarm.get(category)?.has(rest);
  };
  if (!removal && !signals.some((s) => endRemoval(s.category))) return signals;
  return signals.filter((s) => {
    const words = rules.removals.notHarm.get(s.category);
    if (!words || s.kind !== 'path') return true;
    if (!removal && !endRemoval(s.category)) return true;
    const seg = segmentsOf(`/${s.value}`)[0];
    return !seg || !findTerm(seg.candidates, words);
  });
}

function pathSignalsOf(path: string, rules: ClassifierRules): Signal[] {
  const ep = { path, anchor: undefined as unknown as Endpoint['anchor'] };
  const segs = segmentsOf(ep.path);
  const out: Signal[] = [];
  // Word positions across the path, for informational demotion (`/analytics/transfer-rate`).
  const infoAfter = (segIndex: number, wordIndex: number): boolean =>
    segs.some((s, i) =>
      s.words.some((w, k) => (i > segIndex || (i === segIndex && k > wordIndex)) && rules.informational.has(w)),
    );
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
      const candidates =
        owner && owner !== cat.name
          ? [seg.whole, ...seg.candidates.filter((c) => !seg.words.includes(c))]
          : seg.candidates;
      const strong = findTerm(candidates, cat.sets.strong);
      const get = !!findTerm(candidates, cat.sets.get);
      if (strong) {
        const k = Math.max(
          0,
          seg.words.findIndex((w) => norm(strong).startsWith(w)),
        );
        // (a word strong only where an administrator acts, `refund`, on anyone else's path)
        const userSide = !!lookupTerm(norm(strong), cat.adminStrong) && !adminPath(path);
        const demoted =
          userSide ||
          (!cat.notDemoted && infoAfter(i, k + norm(strong).length > 0 ? k : 0)) ||
          segs.some((s) => s.words.some((w) => cat.aggregate.has(w)));
        const configured = !demoted && cat.configured.segments.has(strong) ? true : undefined;
        out.push({
          kind: 'path',
          value: seg.raw,
          category: cat.name,
          strength: demoted ? 'weak' : 'strong',
          demoted,
          get,
          configured,
          term: norm(strong),
          detail: userSide
            ? `"${strong}" outside an administrator's path (weak)`
            : demoted
              ? `"${strong}" in an informational path (demoted to weak)`
              : `path word "${strong}"${configured ? ' (configured)' : ''}`,
          span: ep.anchor,
        });
        return;
      }
      const weak = findTerm(candidates, cat.sets.weak);
      if (weak) {
        out.push({
          kind: 'path',
          value: seg.raw,
          category: cat.name,
          strength: 'weak',
          get,
          term: norm(weak),
          detail: `path word "${weak}"`,
          span: ep.anchor,
        });
        return;
      }
      const ctx = findTerm(candidates, cat.sets.context);
      if (ctx)
        out.push({
          kind: 'path',
          value: seg.raw,
          category: cat.name,
          strength: 'weak',
          context: true,
          get,
          detail: `context word "${ctx}"`,
          span: ep.anchor,
        });
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
    const fieldMatches = (n: string, t: string): boolean =>
      matchesTerm(n, t) || (cat.fieldSuffixes.includes(t) && n.endsWith(t) && n.length > t.length);
    for (const { f, n } of names) {
      if (cat.proofFields.includes(n)) continue;
      // (a field only the route's middleware reads corroborates; it does not decide)
      if (cat.strongFields.some((t) => matchesTerm(n, t)))
        out.push({
          kind: 'field',
          value: f.name,
          category: cat.name,
          strength: f.viaMiddleware ? 'weak' : 'strong',
          configured: cat.configured.fields.some((t) => matchesTerm(n, t)) || undefined,
          detail: `body field "${f.name}"`,
          span: f.span,
        });
      else if (cat.fields.some((t) => fieldMatches(n, t)) && (cat.fieldsCorroborateOnCreate || !isCreate(ep)))
        out.push({
          kind: 'field',
          value: f.name,
          category: cat.name,
          strength: 'weak',
          detail: `body field "${f.name}"`,
          span: f.span,
        });
    }
    for (const combo of cat.fieldCombos) {
      const hits = combo.map((c) => names.find((x) => fieldMatches(x.n, c)));
      if (hits.every(Boolean))
        out.push({
          kind: 'field',
          value: combo.join('+'),
          category: cat.name,
          strength: 'strong',
          combo: true,
          detail: `body fields ${hits.map((h) => `"${h!.f.name}"`).join(' + ')}`,
          span: hits[0]!.f.span,
        });
    }
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
        if (hit && !out.some((o) => o.category === cat.name))
          out.push({
            kind: 'call',
            value: text,
            category: cat.name,
            strength: 'strong',
            write: true,
            configured: true,
            detail: `calls ${text} (configured for ${cat.name})`,
            span: spanOf(c),
          });
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
    if (cat)
      out.push({
        kind: 'call',
        value: e.callee,
        category: cat.name,
        strength: 'strong',
        write: true,
        asset: true,
        detail: `identity provider call ${e.callee}`,
        span: spanOf(e.node),
      });
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
    if (
      !cat.ownershipVerbs.includes(norm(last ?? '')) ||
      !beforeLast ||
      !/^[:[{]/.test(beforeLast) ||
      ep.method === 'GET'
    )
      continue;
    const resource = parts[parts.length - 3];
    if (
      resource &&
      money &&
      segmentsOf(`/${resource}`)[0]?.candidates.some(
        (c) => lookupTerm(c, money.sets.strong) || lookupTerm(c, money.sets.weak),
      )
    )
      continue;
    out.push({
      kind: 'path',
      value: `${resource}/${beforeLast}/${last}`,
      category: cat.name,
      strength: 'strong',
      detail: `hands the ${resource ?? 'resource'} over to another owner`,
      span: ep.anchor,
    });
  }
  for (const cat of rules.categories) {
    if (!cat.deleteMethods.includes(ep.method)) continue;
    if (cat.deleteModels.some((m) => matchesTerm(norm(lastStatic), m)))
      out.push({
        kind: 'method',
        value: `${ep.method} ${lastStatic}`,
        category: cat.name,
        strength: 'strong',
        detail: `${ep.method} on the ${lastStatic} resource itself`,
        span: ep.anchor,
      });
  }
  return out;
}

/**
 * Word thresholds, for the categories the asset model does not describe (data-export, and the
 * categories a configuration defines): a strong signal decides; otherwise two distinct weak path
 * words, or one weak path word with a corroborating container word, field or side effect.
 */
function decideByWords(cat: CategoryRule, signals: Signal[]): boolean {
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
  if (cat.weakPathsNeedEvidence && !fields.length && !effects.length) return false;
  if (real.size >= 2) return true;
  if (real.size >= 1 && (context.length > 0 || demoted.length > 0 || fields.length > 0 || effects.length > 0))
    return true;
  if (demoted.length > 0 && effects.length > 0) return true;
  if (context.length > 0 && fields.length > 0) return true;
  if (cat.contextWithWrite && context.length > 0 && effects.some((e) => e.write)) return true;
  return false;
}

/** Visible writes, every one on a record that is not the category's own (an export that writes a status flag is no export). */
function overruledByWrites(cat: CategoryRule, effects: readonly Effect[]): boolean {
  if (!cat.unrelatedWritesOverrule) return false;
  // (an audit entry or a notification written beside it records the export, it is no other work)
  const writes = effects.filter(
    (e) => (e.kind === 'db-write' || e.kind === 'sql-write') && e.model && !bookkeepingRecord(e.model),
  );
  return writes.length > 0 && !writes.some((e) => relatedModel(cat, e));
}

/** What the endpoint's effects could not show: writes it cannot name, and write-named calls it could not follow. */
interface Opacity {
  /** A visible write whose asset cannot be named (no model, data it cannot list, an outgoing request). */
  unrecognised?: Effect;
  /** A write-named call the analysis could not follow into (a package, an unresolved service), or a handler it could not resolve. */
  unseen?: { callee: string; node: ts.Node; write?: NamedWrite; pkg?: boolean };
  /** Writes the asset model saw and set aside by the policy (a third-party key the user pasted in): no word makes them the category's. */
  cleared?: ReadonlySet<Effect>;
  /** What the handler does besides (out-of-sight.ts): words decide a handler with no effect only when it does no visible work. */
  work?: () => 'none' | 'unseen' | 'work';
}

/** Does a call's name say it acts on the category (one of its words or records)? */
function namesCategory(w: NamedWrite, cat: CategoryRule): boolean {
  return [...cat.strongSegments, ...cat.weakSegments, ...cat.models, ...cat.weakModels].some(
    (t) => !cat.handleWords.has(norm(t)) && namesTerm(w, t),
  );
}

/**
 * The decision for a category the asset model describes: an effect on one of its assets decides.
 * Words decide only with the user's configuration behind them, or when the effects do not settle
 * it — and then never one word alone, never weak words alone:
 *  - a decisive word (a strong path word, or a strong field such as `toAccount`) with a write the
 *    analysis recognises as the category's kind of record but not as an asset (`transaction.create`
 *    on a transfer path), or with a write it cannot name, or with a write call it cannot follow
 *    (then the verdict is unverifiable);
 *  - a handler with no visible effect and no visible work either (a stub, or work done out of sight): a
 *    decisive word corroborated by a second signal of the same category (a field, another path word).
 *    A handler that does visible work and touches no asset (a lookup, a nonce, a mail) is not sensitive.
 */
function decideByAssets(
  cat: CategoryRule,
  signals: Signal[],
  opacity: Opacity,
  effects: readonly Effect[],
  resource: string | undefined,
):
  | 'asset'
  | 'configured'
  | 'words-related'
  | 'words-unrecognised'
  | 'words-unseen'
  | 'words-silent'
  | 'words-set-aside'
  | undefined {
  const mine = signals.filter((s) => s.category === cat.name);
  if (mine.some((s) => s.asset)) return 'asset';
  if (mine.some((s) => s.configured)) return 'configured';
  const decisive = mine.filter(
    (s) => (s.kind === 'path' || s.kind === 'field' || s.kind === 'method') && s.strength === 'strong' && !s.demoted,
  );
  // a write the analysis cannot follow, named after the resource the path ends on (`/teams/:slug/sso` →
  // `sso.createConnection`): two signals agree. A container the path passes through (`/organizations/:id/tags`
  // → `repo.deleteOrganizationTag`) names whose record it is, not what is written.
  const w = opacity.unseen?.write;
  if (
    !decisive.length &&
    w &&
    mine.some(
      (s) => s.kind === 'path' && !s.context && !s.demoted && s.value === resource && namesTerm(w, String(s.value)),
    )
  )
    return 'words-unseen';
  if (!decisive.length) return undefined;
  // A write the analysis cannot follow is where the category's harm happens when its name says so. A
  // strong path word also ties it to a project call it cannot see (an injected service), but not to a
  // package's API named after something else (`openai.chat.completions.create` on a path taking an
  // `apiKey`); a strong body field alone (`secret` on a monitor) ties it to neither.
  if (opacity.unseen) {
    const pathDecides = decisive.some((s) => s.kind !== 'field');
    if (!w || namesCategory(w, cat) || (pathDecides && !opacity.unseen.pkg)) return 'words-unseen';
  }
  // fields that only together say money describe the record being written when the write names one
  if (opacity.unrecognised && (decisive.some((s) => !s.combo) || !opacity.unrecognised.model))
    return 'words-unrecognised';
  const writes = effects.filter(
    (e) => e.kind === 'db-write' || e.kind === 'sql-write' || e.kind === 'payment' || e.kind === 'http',
  );
  // a payment-provider call is fully recognised: when it moves nothing (checkout, card removal) it is not related evidence
  // (fields that only together say money, `amount` + `currency`, describe an expense entry just as well)
  if (
    decisive.some((s) => !s.combo) &&
    writes.some((e) => e.kind !== 'payment' && !e.subDocument && !opacity.cleared?.has(e) && relatedModel(cat, e))
  )
    return 'words-related';
  // a generated value handed back under a generic name (`{ token: randomBytes(32)… }`) on a path that names keys
  // (not one the policy set aside: an OTP secret handed out for a factor not on yet)
  if (
    cat.mintCorroborates &&
    effects.some((e) => e.kind === 'mint' && !opacity.cleared?.has(e) && returnedSecretName(e.node, true))
  )
    return 'words-related';
  if (writes.length) return undefined;
  // no visible effect, and visible work that touches no asset (a lookup, a mail): the words describe what
  // it does not do
  if (opacity.work?.() === 'work') return 'words-set-aside';
  // no visible effect: fields that only together say money (`amount` + `currency`) price anything, so
  // they do not decide alone; a second signal must agree (a field, another path word; container words do not count)
  if (!decisive.some((s) => !s.combo)) return undefined;
  const pathWords = new Set(mine.filter((s) => s.kind === 'path').map((s) => norm(s.value)));
  // one word in two segments (`/bank_transfer/get_all_bank_transfer`) is one signal
  const decisiveTerms = new Set(decisive.map((s) => s.term ?? norm(s.value)));
  const corroborating = mine.filter(
    (s) =>
      !decisive.includes(s) &&
      !s.context &&
      !(s.kind === 'field' && pathWords.has(norm(s.value))) &&
      !(s.kind === 'path' && s.term && decisiveTerms.has(s.term)),
  );
  return corroborating.length || decisiveTerms.size >= 2 ? 'words-silent' : undefined;
}

/** Is the path's last segment named for a read (`fetch-roles`, `getApiKeys`)? */
function namedForRead(resource: string | undefined, rules: ClassifierRules): boolean {
  const first = resource ? words(resource)[0] : undefined;
  return !!first && !!rules.readNameVerbs?.test(first);
}

/**
 * Is the path named for checking a secret: the verb followed by what it checks (`verify-password`), or
 * alone under it (`/password/verify`)? (`verify-change`, `/transfer/verify` may do what they confirm.)
 */
function namedForCheck(path: string, rules: ClassifierRules): boolean {
  const c = rules.checkNames;
  const segs = segmentsOf(path).filter((sg) => sg.words.length);
  const last = segs.at(-1);
  if (!c || !last || !c.verbs.test(last.words[0])) return false;
  const rest = last.words.slice(1);
  if (rest.length) return rest.every((w) => c.checked.test(w));
  const before = segs.at(-2);
  return !!before && before.words.every((w) => c.checked.test(w));
}

/** A write on a record of the category's kind that is not one of its assets (`transaction`, `member`, `webhook`). */
function relatedModel(cat: CategoryRule, e: Effect): boolean {
  const model = e.model ?? '';
  if (!model || assetModelDecides(e, cat.name)) return false;
  if ([...cat.models, ...cat.weakModels].some((m) => matchesTerm(model, m) || (m.length > 4 && model.endsWith(m))))
    return true;
  // written with the category's own kind of value (`transactionAmount` on a withdrawal request)
  return e.dataKeys.some((k) => {
    const last = words(k).pop();
    return !!last && cat.recordKeys.includes(norm(last));
  });
}

export function classifyEndpoint(
  ep: Endpoint,
  ctx: Pick<AdapterContext, 'values'>,
  config: ResolvedConfig,
  configured: Endpoint = ep,
): Classification {
  // A path that is an identity (a server action, a tRPC procedure) is read through its words; the configuration matches the path itself.
  if (ep.wordsPath !== undefined && ep.wordsPath !== ep.path)
    return classifyEndpoint({ ...ep, path: ep.wordsPath, wordsPath: undefined }, ctx, config, ep);
  const rules = ctx.values.session.classifierRulesFor(config);
  const forced = forcedBy(configured, config);
  if (forced && forced.value === false) {
    return {
      sensitive: false,
      categories: [],
      reasons: [],
      considered: [
        {
          kind: 'config',
          value: forced.pattern,
          detail: `marked not sensitive by the configuration (${config.file ?? 'config'})`,
        },
      ],
    };
  }

  const fn = ep.handler.fn;
  let effects: Effect[] = [];
  // every recognised write, bookkeeping included: a write seen as bookkeeping is not a write the analysis could not follow
  let recognised: Effect[] = [];
  /** Every effect reached, calls included (their call sites lead a helper's parameter back to its argument). */
  let reachedAll: Effect[] = [];
  let sites: Map<Effect, ts.CallExpression[]> | undefined;
  // what functions return to a caller that throws it away never reaches the answer
  let discarded = new Set<Effect>();
  const paths = harmlessRemovals(ep, pathSignals(ep, rules, ctx.values), rules);
  if (fn) {
    const assumptions = assumeMethod(ep.method, ctx.values);
    const all = handlerEffects(ep, fn, ctx.values, rules.effectScope);
    const reached = all.filter((e) => reachableUnder(e.node, fn, assumptions));
    reachedAll = reached;
    // (a write made only on a branch that refuses the request, an expired key marked revoked on the way to a 401,
    // is that refusal's bookkeeping)
    recognised = leafEffects(reached).filter((e) => !onRefusalBranch(e.node));
    discarded = unansweredLeaves(reached);
    effects = recognised.filter((e) => !isBookkeeping(e));
  }
  // the functions a registration runs before its handler (`app.delete(p, auth, UserMWs.deleteUser, renderOK)`)
  // do the endpoint's work too; one that sets the signed-in user authenticates
  // (Express and Hono registrations: a pages handler's route links include other methods' handlers)
  const linkEffects = new Map<ChainLink, Effect[]>();
  if (ep.framework === 'express' || ep.framework === 'hono') {
    for (const link of ep.chain) {
      if (link.via !== 'route' || !link.fn?.body || link.fn === fn || setsSignedInUser(link.fn, ctx.values)) continue;
      const done = leafEffects(effectsOf(link.fn, ctx.values, assetRules().followDepth, rules.effectScope));
      if (done.length) linkEffects.set(link, done);
      recognised.push(...done);
    }
    effects = recognised.filter((e) => !isBookkeeping(e));
  }
  const bodyFields = ep.bodyFields.map((f) => norm(f.name));
  let sessionless: boolean | undefined;
  const pending = { seen: false };
  let ownFields: ReadonlySet<string> | undefined;
  const cleared = new Set<Effect>();
  const hits = assetHits(effects, {
    cleared,
    discarded,
    values: ctx.values,
    bodyFields,
    bodyDeclared: ep.bodyFields.some((f) => f.declared),
    ownFields: () => (ownFields ??= fn ? comparedWithSignedIn(fn) : new Set()),
    path: ep.path,
    administrative: administrative(ep.path, ep.chain, fn),
    sites: (e) => (sites ??= callSites(reachedAll)).get(e) ?? [],
    sessionless: () => (sessionless ??= !endpointReadsSession(ep, ctx.values)),
    routeGated: () => routeGated(ep, ctx.values),
    handler: fn,
    pending,
  });
  // the route links whose effects touch an asset do the endpoint's work (a refresh token re-issued by an
  // authentication check touches none)
  const work = [...linkEffects].filter(([, es]) => es.some((e) => hits.some((h) => h.effect === e))).map(([l]) => l);
  ep.workLinks = work.length ? work : undefined;
  const opacity: Opacity = { unrecognised: effects.find(isUnrecognisedWrite), cleared };
  if (fn && !hits.length && !opacity.unrecognised) {
    const w = asMade(ep, ctx.values, () => unseenWrite(fn, ep, ctx.values, rules, recognised));
    if (w) opacity.unseen = { callee: w.callee, node: w.call, write: w, pkg: w.pkg };
  }
  // a handler the analysis cannot see: none of its effects can be seen
  if (!fn && ep.handler.expr) opacity.unseen = { callee: ep.handler.name, node: ep.handler.expr };
  // what the handler itself does under this endpoint's method (a pages handler's other branches are other endpoints')
  const served = (n: ts.Node): boolean => !fn || reachableUnder(n, fn, assumeMethod(ep.method, ctx.values));
  // what the handler visibly does, and the categories whose words it set aside (said by --explain)
  let visible: ReturnType<typeof visibleWork> | undefined;
  const setAside: string[] = [];
  if (fn) opacity.work = () => (visible ??= visibleWork(fn, ctx.values, served)).kind;
  const signals: Signal[] = [
    ...assetSignals(hits),
    // (the secret of a factor whose enrolment only starts here is handed out to be scanned, not revealed)
    ...revealSignals(fn, ctx.values, served, (r) => !(pending.seen && !!pendingRules()?.answered.test(r.what))),
    ...librarySignals(ep, fn, ctx.values),
    ...exportSignals(fn, ctx.values, served, paths),
    ...configuredCallSignals(ep, rules, ctx.values),
    ...paths,
    ...fieldSignals(ep, rules),
    ...identitySignals(effects, rules),
    ...deleteMethodSignals(ep, rules),
  ];

  const isRead = !rules.mutatingMethods.includes(ep.method);
  const resource = segmentsOf(ep.path).at(-1)?.raw;
  const categories: string[] = [];
  const considered: Reason[] = [];
  let unseen: Opacity['unseen'];
  for (const cat of rules.categories) {
    if (cat.methods && !cat.methods.includes(ep.method)) {
      const mine = signals.filter((sg) => sg.category === cat.name);
      if (mine.length)
        considered.push({
          kind: 'method',
          value: ep.method,
          category: cat.name,
          detail: `${cat.name} does not apply to a ${ep.method}`,
        });
      continue;
    }
    const byAssets = rules.assetCategories.has(cat.name);
    if (byAssets) {
      const how = decideByAssets(cat, signals, opacity, effects, resource);
      if (how === 'words-set-aside') {
        setAside.push(cat.name);
        continue;
      }
      // an action or procedure named for a read (`fetchRoles`) with no visible effect: its words say what it reads
      // (named for a check with nothing out of sight either: what it checks is all it does)
      if (
        how === 'words-silent' &&
        cat.name !== 'data-export' &&
        (namedForRead(resource, rules) || (namedForCheck(ep.path, rules) && opacity.work?.() === 'none'))
      )
        continue;
      if (!how) continue;
      if (how === 'words-unseen') unseen = opacity.unseen;
      if (how === 'words-unrecognised' || how === 'words-unseen') {
        const w = how === 'words-unseen' ? opacity.unseen! : undefined;
        const e = opacity.unrecognised;
        signals.push({
          kind: 'call',
          value: w?.callee ?? e!.callee,
          category: cat.name,
          strength: 'weak',
          // a handler the analysis cannot see at all, on a read: nothing says it changes anything
          write: !(w && !w.write && isRead),
          detail: w
            ? `calls ${w.callee}, which the analysis could not follow: its effect cannot be seen, the path names it`
            : `writes through ${e!.callee}, whose target the analysis cannot name; the path names it`,
          span: spanOf(w?.node ?? e!.node),
        });
      }
    } else if (
      !decideByWords(cat, signals) ||
      (overruledByWrites(cat, effects) && !signals.some((s) => s.category === cat.name && s.asset))
    )
      continue;
    else if (
      cat.name === 'data-export' &&
      fn &&
      !signals.some((s) => s.category === cat.name && (s.asset || s.configured))
    ) {
      // a stub, a read of one record, a cookie set, a page of records: the export word has no collection to describe
      const without = noCollection(fn, ctx.values);
      if (without) {
        considered.push({
          kind: 'method',
          value: ep.method,
          category: cat.name,
          detail: `${cat.name} words on ${without}`,
        });
        continue;
      }
    }
    const mine = signals.filter((s) => s.category === cat.name);
    if (isRead && !mine.some((s) => s.get || s.write || s.asset)) {
      considered.push({
        kind: 'method',
        value: ep.method,
        category: cat.name,
        detail: `${cat.name} signals on a ${ep.method} that neither reveals nor changes anything`,
      });
      continue;
    }
    categories.push(cat.name);
  }
  if (forced && Array.isArray(forced.value)) {
    for (const c of forced.value) if (!categories.includes(c)) categories.push(c);
  }
  const workCall = visible?.call;
  const callee = workCall?.expression.getText().replace(/\s+/g, '');
  if (workCall && callee)
    for (const category of setAside.filter((c) => !categories.includes(c)))
      considered.push({
        kind: 'call',
        value: callee,
        category,
        detail: `${category} words set aside: what the handler visibly does (${callee}) touches no asset, and nothing it calls is out of sight`,
        span: spanOf(workCall),
      });
  const reasons: Reason[] = signals.filter((s) => categories.includes(s.category)).map(stripSignal);
  considered.push(...signals.filter((s) => !categories.includes(s.category)).map(stripSignal));
  if (forced && forced.value !== false)
    reasons.unshift({
      kind: 'config',
      value: forced.pattern,
      detail: `marked sensitive by the configuration (${config.file ?? 'config'})`,
    });

  // Exclusions only matter for an endpoint that would otherwise be sensitive (and they cost a walk of its calls).
  // a library's catch-all is its own sign-in entry point too: what its configuration serves decides
  const byLibrary = signals.find((s) => categories.includes(s.category) && s.library)?.library;
  const exclusion =
    forced || categories.length === 0 || byLibrary
      ? undefined
      : exclusionFor(ep, rules, ctx.values, {
          assetDecided: reasons.some((r) => r.kind === 'asset'),
          answersMintedSecret: reasons.some((r) => r.kind === 'asset' && r.value === MINTED_SECRET_RETURNED),
          writesFactor: reasons.some(switchesFactor) || effects.some((e) => switchesFactorRecord(e, reasons)),
          enrolsFactor: reasons.some((r) => switchesFactor(r) || (r.kind === 'asset' && r.value === 'mfa-factor')),
          deletesAccount: reasons.some((r) => r.kind === 'asset' && r.value === 'account-deletion'),
          keyAsset: reasons.some((r) => r.kind === 'asset' && r.category === 'keys-secrets'),
          grantsRole: reasons.some((r) => r.kind === 'asset' && r.category === 'privilege'),
          createsAccount: effects.some(
            (e) =>
              (e.kind === 'db-write' || e.kind === 'sql-write') &&
              !!e.model &&
              opsOf(e).includes('create') &&
              (signsInOn(ctx.values, e.model) || !!rules.exclusions.signUpModels?.includes(norm(e.model))) &&
              e.dataKeys.some((k) => !!rules.exclusions.signUpPasswordKeys?.includes(norm(k))),
          ),
          // money moved or redirected (a provider's OAuth callback storing the payout account it connected)
          movesMoney: reasons.some((r) => r.kind === 'asset' && r.category === 'money'),
          // an invitation record created here: the endpoint issues one, it redeems none
          createsInvitation: effects.some(
            (e) =>
              (e.kind === 'db-write' || e.kind === 'sql-write') &&
              isInvitationRecord(e.model, ctx.values) &&
              opsOf(e).includes('create'),
          ),
          setsPasswordOnly:
            categories.length === 1 &&
            categories[0] === 'credentials' &&
            reasons.some((r) => r.kind === 'asset' && PASSWORD_ASSETS.has(String(r.value))) &&
            reasons.every((r) => r.kind !== 'asset' || PASSWORD_ASSETS.has(String(r.value))),
          // the account whose password is set found by what the request sent (`User.findById(req.body.user_id)`)
          passwordRecordChosen: effects.some(
            (e) =>
              reasons.some(
                (r) =>
                  r.kind === 'asset' &&
                  PASSWORD_ASSETS.has(String(r.value)) &&
                  r.span &&
                  sameSpan(r.span, spanOf(e.node)),
              ) && recordChosenByRequest(e, ctx.values),
          ),
          // (with the sign-in provider a first sign-in links: `account.create({ provider, providerAccountId })` beside the token)
          issuesTokenOnly:
            categories.includes('keys-secrets') &&
            categories.every((c) => c === 'keys-secrets' || c === 'credentials') &&
            reasons.some((r) => r.kind === 'asset' && TOKEN_ISSUED.has(String(r.value))) &&
            reasons.every(
              (r) => r.kind !== 'asset' || TOKEN_ISSUED.has(String(r.value)) || LINKED_AT_SIGN_IN.has(String(r.value)),
            ),
        });
  if (exclusion)
    return { sensitive: false, categories: [], reasons: [], considered: [exclusion, ...reasons, ...considered] };
  if (forced && forced.value === true && categories.length === 0) categories.push('custom');
  const out: Classification = { sensitive: categories.length > 0, categories, reasons, considered };
  if (unseen && categories.length) out.unseen = { call: unseen.callee, span: spanOf(unseen.node) };
  // (only where the new secret is handed back to the caller: one mailed or texted to the account's owner
  // gives a stolen session nothing to pass a check with)
  const factorSecrets = factorSecretsWritten(recognised, fn);
  if (factorSecrets.length && reasons.some((r) => r.kind === 'asset' && SECRET_HANDED_OUT.has(String(r.value))))
    out.factorSecretWrites = factorSecrets;
  if (byLibrary) {
    out.library = byLibrary;
    // every asset it serves here asks for a re-verification itself: the library's guard protects the route
    // (not when the configuration forces a category, a word or another effect decides one, or a call is unseen)
    const deciding = signals.filter((s) => categories.includes(s.category) && (s.asset || s.strength === 'strong'));
    const guard =
      !forced && !unseen && deciding.length && deciding.every((s) => s.library && s.libraryGuard)
        ? deciding[0].libraryGuard
        : undefined;
    if (guard) out.libraryGuard = guard;
  }
  return out;
}

/**
 * A write of a factor's secret or its switch (`totpEnabled`, `twoFactorSecret`):
 * an enrolment or a removal. A sign-in's second step writes none (spending a recovery code writes the codes).
 */
function switchesFactor(r: Reason): boolean {
  if (r.kind !== 'asset' || r.value !== 'mfa-fields') return false;
  return (r.keys ?? []).some((k) => /(enabled|secret|active|enforced)$/.test(k));
}

/**
 * A factor's own record switched on or given its secret (`users_totp.update({ confirmed: true })`): an enrolment. A
 * second factor checked at sign-in writes neither (at most when it was last used).
 */
function switchesFactorRecord(e: Effect, reasons: readonly Reason[]): boolean {
  const flags = vocab().factorRecordFlags;
  if (!e.dataKeys?.some((k) => flags.test(norm(k)) || /secret$/.test(norm(k)))) return false;
  const at = spanOf(e.node);
  return reasons.some((r) => r.kind === 'asset' && r.value === 'mfa-factor' && !!r.span && sameSpan(r.span, at));
}

/** An asset the endpoint harms by what it answers, not by a write. */
function answerSignal(value: string, category: string, detail: string, node: ts.Node): Signal {
  return { kind: 'asset', value, category, strength: 'strong', get: true, asset: true, detail, span: spanOf(node) };
}

/** What an authentication library mounted here serves, by its configuration (rules/assets.json libraryHandlers). */
function librarySignals(ep: Endpoint, fn: FunctionNode | undefined, values: ValueResolver): Signal[] {
  return libraryServes(ep, fn, values).map((l) => ({
    kind: 'asset' as const,
    value: `library:${l.library}`,
    category: l.category,
    strength: 'strong' as const,
    write: true,
    asset: true,
    library: l.library,
    ...(l.guardedBy ? { libraryGuard: l.guardedBy } : {}),
    detail: l.detail,
    span: spanOf(l.node),
  }));
}

/** A stored secret the endpoint answers with (keys-secrets without a write). */
function revealSignals(
  fn: FunctionNode | undefined,
  values: ValueResolver,
  served: (n: ts.Node) => boolean,
  keep: (r: Reveal) => boolean = () => true,
): Signal[] {
  if (!fn) return [];
  return revealedSecrets(fn, values, served)
    .filter(keep)
    .map((r) =>
      answerSignal(
        'secret-revealed',
        'keys-secrets',
        `reveals a stored secret: ${r.what} reaches the response`,
        r.node,
      ),
    );
}

/** Assets that hand a secret to the caller: a generated one returned, or a stored one revealed. */
const SECRET_HANDED_OUT = new Set([MINTED_SECRET_RETURNED, 'secret-revealed']);

/** A password or PIN set (an e-mail changed alongside keeps the endpoint a credential change). */
const PASSWORD_ASSETS = new Set(['password', 'pin-record', 'pin-columns']);
const sameSpan = (a: Span, b: Span): boolean => a.file === b.file && a.line === b.line && a.column === b.column;
/** A token record created with a secret minted for it: a key a user makes, or the session a sign-in starts. */
const TOKEN_ISSUED = new Set(['api-key-record', 'minted-secret', MINTED_SECRET_RETURNED]);
/** Assets a first sign-in through an identity provider writes beside the token it issues: the provider linked. */
const LINKED_AT_SIGN_IN = new Set(['sign-in-provider']);

/** A whole collection of people's records handed out as a file (data-export without a write). */
function exportSignals(
  fn: FunctionNode | undefined,
  values: ValueResolver,
  served: (n: ts.Node) => boolean,
  paths: readonly Signal[],
): Signal[] {
  // (a strong path word of the category corroborates a gathering of the account's collections)
  const named = paths.some((s) => s.category === 'data-export' && s.strength === 'strong' && !s.context);
  const x = fn ? bulkExport(fn, values, served, named) : undefined;
  if (!x) {
    const dump = fn ? credentialDump(fn, values, served) : undefined;
    return dump
      ? [
          answerSignal(
            'credentials-dumped',
            'data-export',
            `answers every sign-in record as stored, password hashes with them: ${dump.what} read, then ${dump.answer
              .getText()
              .replace(/\s+/g, ' ')
              .slice(0, 60)}`,
            dump.read,
          ),
        ]
      : [];
  }
  const marker = x.marker.getText().replace(/\s+/g, ' ').slice(0, 60);
  return [
    answerSignal(
      'bulk-export',
      'data-export',
      x.gathered
        ? `hands out everything the account holds: ${x.what} read whole, under a path that names an export`
        : `hands out a whole collection as a file: ${x.what} read, then ${marker}`,
      x.read,
    ),
  ];
}

function assetSignals(hits: AssetHit[]): Signal[] {
  return hits.map((h) => ({
    kind: 'asset' as const,
    value: h.rule.id,
    category: h.rule.category,
    strength: 'strong' as const,
    write: true,
    asset: true,
    detail: h.detail,
    span: spanOf(h.effect.node),
    ...(h.keys?.length ? { keys: h.keys } : {}),
  }));
}

/**
 * A write-named call in the handler's closure that the analysis could not follow: a package's API
 * (`auth0.users.update`), an injected service (`this.users.changePassword`), a module it could not
 * resolve. Calls on local values, built-ins and the chain of a write it did recognise do not count.
 */
function unseenWrite(
  fn: FunctionNode,
  ep: Endpoint,
  values: ValueResolver,
  rules: ClassifierRules,
  effects: readonly Effect[],
): (NamedWrite & { pkg: boolean }) | undefined {
  const assumptions = assumeMethod(ep.method, values);
  const effectNodes = new Set<ts.Node>(effects.map((e) => e.node));
  for (const w of namedWrites(fn, values, assumptions, rules.namedWriteVerbs)) {
    if (!rules.unseenWriteVerbs.test(w.name) || inChainOf(w.call, effectNodes)) continue;
    // a database write the effect model recognises where it is (`prisma.auditLog.create` in a module
    // the classification did not need to open) was seen, whatever it writes
    const seen = directEffect(w.call, values);
    if (seen && (seen.kind === 'db-write' || seen.kind === 'sql-write')) continue;
    const targets = values.resolve(w.call.expression);
    if (targets.some((v) => v.kind === 'function' && v.node.body)) continue;
    // `pkg`: only a package is behind it (not an injected service or a module the analysis could not find)
    if (targets.some(cannotBeSeen)) return { ...w, pkg: targets.every(isPackage) };
  }
  return undefined;
}

/**
 * For each leaf effect, the calls it was reached through (`addBalance(…)` → `Wallet.update`), outermost first
 * along each way to it; a helper's one write reached by several calls has the calls of every way.
 */
function callSites(effects: readonly Effect[]): Map<Effect, ts.CallExpression[]> {
  const out = new Map<Effect, ts.CallExpression[]>();
  const walk = (list: readonly Effect[], chain: ts.CallExpression[]): void => {
    for (const e of list) {
      if (e.kind === 'call' && e.via) walk(e.via, ts.isCallExpression(e.node) ? [...chain, e.node] : chain);
      else {
        const calls = out.get(e) ?? [];
        for (const c of chain) if (!calls.includes(c)) calls.push(c);
        out.set(e, calls);
      }
      if (e.nested) walk(e.nested, chain);
    }
  };
  walk(effects, []);
  return out;
}

/** Is a call part of the builder chain of a recognised write (`db.update(t).set(…)`, `knex('x').where(…).update(…)`)? */
function inChainOf(call: ts.CallExpression, nodes: ReadonlySet<ts.Node>): boolean {
  for (
    let x: ts.Node = call;
    ts.isCallExpression(x) || ts.isPropertyAccessExpression(x);
    x = ts.isCallExpression(x) ? x.expression : x.expression
  )
    if (nodes.has(x)) return true;
  for (
    let p: ts.Node | undefined = call.parent;
    p && (ts.isPropertyAccessExpression(p) || ts.isCallExpression(p));
    p = p.parent
  )
    if (nodes.has(p)) return true;
  return false;
}

/** A write of last-use timestamps and counters only: bookkeeping, not what the endpoint does. */
function isBookkeeping(e: Effect): boolean {
  const { bookkeeping } = effectRules();
  const keys = e.dataKeys.map(norm);
  return (
    (e.kind === 'db-write' || e.kind === 'sql-write') &&
    /update|save|upsert|set|patch/i.test(e.action ?? '') &&
    keys.length > 0 &&
    // `{ ...data, updatedAt }`: what the spread writes cannot be listed, so it is not only bookkeeping
    !e.opaqueData &&
    keys.every((k) => bookkeeping.has(k))
  );
}

function stripSignal(s: Signal): Reason {
  return {
    kind: s.kind,
    value: s.value,
    category: s.category,
    detail: s.strength === 'weak' ? `${s.detail} (weak)` : s.detail,
    span: s.span,
    ...(s.keys?.length ? { keys: s.keys } : {}),
  };
}

/**
 * The effects of an endpoint's handler. A handler a project factory made (`deleteUser = factory.deleteOne(User)`,
 * `deleteOne = (Model) => async (req, res) => { await Model.findByIdAndDelete(…) }`) is walked with the factory's
 * parameters bound to that call's arguments: `Model` is `User` for this endpoint and `Tour` for another.
 */
function handlerEffects(ep: Endpoint, fn: FunctionNode, values: ValueResolver, scope: EffectScope): Effect[] {
  return asMade(ep, values, () => effectsOf(fn, values, assetRules().followDepth, scope));
}

/** Runs `run` with the parameters of the factory that made the endpoint's handler bound to that call's arguments. */
function asMade<T>(ep: Endpoint, values: ValueResolver, run: () => T): T {
  const made = ep.handler.madeBy;
  if (!made || values.bound || !made.fn.parameters.length) return run();
  return values.withArguments(made.fn, made.call, run);
}
