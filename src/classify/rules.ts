// Category rules from rules/categories.json merged with the configuration's additions: built once
// per scan session (the configuration belongs to the scan).
import type { EffectScope } from '../analysis/effects.js';
import type { ResolvedConfig } from '../config/types.js';
import { ruleFile } from '../rules/load.js';
import type { ExclusionRules, RawCategory } from '../rules/types.js';
import { norm, termSet, type TermSet } from './words.js';

export interface CategoryRule {
  name: string;
  /** Normalised sets for path matching. */
  sets: { strong: TermSet; weak: TermSet; get: TermSet; context: TermSet };
  severity: 'high' | 'medium' | 'low';
  description: string;
  /** What a stolen session can do through such an endpoint. */
  harm: string;
  strongSegments: string[];
  weakSegments: string[];
  getSegments: string[];
  strongFields: string[];
  fields: string[];
  fieldCombos: string[][];
  models: string[];
  weakModels: string[];
  /** Keys (last words) that make a written record this category's own when a decisive word names it (`transactionAmount`). */
  recordKeys: string[];
  /** Calls the configuration says perform this category's operation (`ledger.debit`, `moveFunds`). */
  calls: string[];
  /** Path words and fields the configuration added: the user's policy, so they decide. */
  configured: { segments: TermSet; fields: string[] };
  strongPaymentResources: string[];
  paymentResources: string[];
  credentialDataKeys: string[];
  roleDataKeys: string[];
  deleteModels: string[];
  deleteMethods: string[];
  fieldsCorroborateOnCreate: boolean;
  /** Actions for which a write on a weak model corroborates this category. */
  weakModelActions: RegExp;
  /** Container words (`account`, `me`): corroborate, never decide. */
  contextSegments: string[];
  /** Fields that are proof sent with a request (`password`, `otp`): never a signal. */
  proofFields: string[];
  /** Terms also matched as the end of a field name (`receivedAmount`). */
  fieldSuffixes: string[];
  /** Informational words never demote this category (exports are informational by nature). */
  notDemoted: boolean;
  /** Strong words that decide only on an administrator's path (`refund`): elsewhere they are weak. */
  adminStrong: TermSet;
  /** Path words saying what is handed out is a tally (`analytics`, `usage`): the category's path words do not decide. */
  aggregate: Set<string>;
  unrelatedWritesOverrule: boolean;
  /** Models on which writing a role key signals privilege. */
  roleModels: string[];
  /** Last path words that hand a resource over (`/websites/:id/transfer`). */
  ownershipVerbs: string[];
  /** Methods the category can apply to (data-export: a PUT, PATCH or DELETE changes data, it does not export it). */
  methods?: string[];
  /** A context word and a recognised write decide together (keys-secrets: `DELETE /webhooks/:id` writing a webhook). */
  contextWithWrite: boolean;
  /** Weak path words alone never decide (keys-secrets: `apps`, `client`, `generate` name many other things). */
  weakPathsNeedEvidence: boolean;
  /** A write-named call on the path's last resource corroborates it (`/sso` → `sso.createConnection`). */
  namedWrites: boolean;
  /** A generated value returned to the client corroborates the path words (keys-secrets). */
  mintCorroborates: boolean;
  /** Words that also name a package's handle (`client`): they do not tie a package call to the category. */
  handleWords: Set<string>;
}

export interface ClassifierRules {
  categories: CategoryRule[];
  informational: Set<string>;
  /** Removal verbs, and per category the path words a removal does not harm with (rules/categories.json removals). */
  removals: { verbs: Set<string>; notHarm: Map<string, Set<string>>; endVerbs: Map<string, Set<string>> };
  exclusions: ExclusionRules;

  mutatingMethods: string[];
  readNameVerbs?: RegExp;
  checkNames?: { verbs: RegExp; checked: RegExp };
  /** Method names that write (`createConnection`, `revokeToken`): named writes on a path's resource. */
  namedWriteVerbs: RegExp;
  /** Of those, the verbs whose call the analysis could not follow makes an endpoint's effect unseen. */
  unseenWriteVerbs: RegExp;
  /** Words a module must mention for its writes to matter to a category (normalised). */
  effectTerms: string[];
  /** What classification looks for when it follows a call into another module. */
  effectScope: EffectScope;
  /** Categories decided by effects on their assets (rules/assets.json, identity calls); the others by words. */
  assetCategories: Set<string>;
}

function list(v: readonly string[] | undefined): string[] {
  return v ? [...v] : [];
}

/** The built-in categories with the configuration's additions (call once per scan: see ScanSession). */
export function classifierRules(config: ResolvedConfig): ClassifierRules {
  const raw = ruleFile('categories');
  // Config keys are user data: look them up only as own keys (a category named `constructor` is a category).
  const own = <T>(o: Record<string, T>, k: string): T | undefined =>
    Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
  const names = [...new Set([...Object.keys(raw.categories), ...Object.keys(config.categories)])];
  const categories = names.map<CategoryRule>((name) => {
    const base: Partial<RawCategory> = own(raw.categories, name) ?? {};
    const add = own(config.categories, name) ?? {};
    const merged = (
      k: 'strongSegments' | 'weakSegments' | 'getSegments' | 'strongFields' | 'fields' | 'models',
    ): string[] => [...list(base[k]), ...list(add[k])];
    const strongSegments = merged('strongSegments');
    const weakSegments = merged('weakSegments');
    const getSegments = merged('getSegments');
    const contextSegments = list(base.contextSegments);
    const description = add.description ?? base.description ?? name;
    return {
      name,
      sets: {
        strong: termSet(strongSegments),
        weak: termSet(weakSegments),
        get: termSet(getSegments),
        context: termSet(contextSegments),
      },
      severity: add.severity ?? base.severity ?? 'high',
      description,
      harm: base.harm ?? description,
      strongSegments,
      weakSegments,
      getSegments,
      strongFields: merged('strongFields').map(norm),
      fields: merged('fields').map(norm),
      fieldCombos: (base.fieldCombos ?? []).map((c) => c.map(norm)),
      models: merged('models').map(norm),
      weakModels: list(base.weakModels).map(norm),
      recordKeys: list(base.recordKeys).map(norm),
      calls: list(add.calls),
      configured: { segments: termSet(list(add.strongSegments)), fields: list(add.strongFields).map(norm) },
      strongPaymentResources: list(base.strongPaymentResources).map(norm),
      paymentResources: list(base.paymentResources).map(norm),
      credentialDataKeys: list(base.credentialDataKeys).map(norm),
      roleDataKeys: list(base.roleDataKeys).map(norm),
      deleteModels: list(base.deleteModels).map(norm),
      deleteMethods: list(base.deleteMethods),
      fieldsCorroborateOnCreate: base.fieldsCorroborateOnCreate !== false,
      contextSegments,
      proofFields: list(base.proofFields).map(norm),
      fieldSuffixes: list(base.fieldSuffixes).map(norm),
      notDemoted: base.notDemoted === true,
      adminStrong: termSet(list(base.strongOnAdminPaths)),
      aggregate: new Set(list(base.aggregateSegments).map(norm)),
      unrelatedWritesOverrule: base.unrelatedWritesOverrule === true,
      roleModels: list(base.roleModels).map(norm),
      ownershipVerbs: list(base.ownershipVerbs).map(norm),
      namedWrites: base.namedWrites === true,
      mintCorroborates: base.mintCorroborates === true,
      handleWords: new Set(list(base.handleWords).map(norm)),
      weakPathsNeedEvidence: base.weakPathsNeedEvidence === true,
      contextWithWrite: base.contextWithWrite === true,
      methods: base.methods ? [...base.methods] : undefined,
      weakModelActions: new RegExp(base.weakModelActions ?? '.', 'i'),
    };
  });
  const effects = ruleFile('effects');
  const stop = new Set(raw.effectLookahead.stopWords.map(norm));
  const terms = new Set<string>();
  for (const c of categories) {
    for (const t of [
      ...c.models,
      ...c.credentialDataKeys,
      ...c.roleDataKeys,
      ...c.strongPaymentResources,
      ...c.paymentResources,
    ])
      if (t.length >= 3 && !stop.has(t)) terms.add(t);
    for (const m of c.deleteModels)
      for (const t of [`${m}.delete`, `${m}.destroy`, `${m}.remove`, `delete${m}`, `remove${m}`, `destroy${m}`])
        terms.add(t);
    for (const call of c.calls) terms.add(norm(call.split('.').pop() ?? call));
  }
  for (const id of effects.identity.calls)
    for (const w of id.pattern.match(/[A-Za-z]{6,}/g) ?? []) if (!stop.has(norm(w))) terms.add(norm(w));
  const assets = ruleFile('assets');
  for (const a of assets.assets)
    for (const t of [...(a.models ?? []), ...(a.keys ?? []), ...(a.debitKeys ?? [])].map(norm))
      if (t.length >= 3 && !stop.has(t)) terms.add(t);
  for (const t of assets.roleKeys.map(norm)) if (t.length >= 4 && !stop.has(t)) terms.add(t);
  for (const c of effects.mint.calls) terms.add(norm(c));
  for (const m of effects.payments.modules) terms.add(norm(m.split('/').pop() ?? m));
  const effectTerms = [...terms];
  return {
    categories,
    informational: new Set(raw.informational.words.map(norm)),
    removals: {
      verbs: new Set((raw.removals?.verbs ?? []).map(norm)),
      notHarm: new Map(Object.entries(raw.removals?.notHarm ?? {}).map(([k, v]) => [k, new Set(v.map(norm))])),
      endVerbs: new Map(Object.entries(raw.removals?.endVerbs ?? {}).map(([k, v]) => [k, new Set(v.map(norm))])),
    },
    exclusions: raw.exclusions,
    mutatingMethods: [...raw.mutatingMethods],
    readNameVerbs: raw.readNameVerbs ? new RegExp(raw.readNameVerbs) : undefined,
    checkNames: raw.checkNames
      ? { verbs: new RegExp(raw.checkNames.verbs), checked: new RegExp(raw.checkNames.checked) }
      : undefined,
    namedWriteVerbs: new RegExp(raw.namedWriteVerbs),
    unseenWriteVerbs: new RegExp(raw.unseenWriteVerbs),
    effectTerms,
    effectScope: { name: `classify:${effectTerms.join(',')}`, terms: effectTerms },
    assetCategories: new Set([
      ...assets.assets.map((a) => a.category),
      ...effects.identity.calls.map((c) => c.category),
    ]),
  };
}
