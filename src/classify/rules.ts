// Category rules from rules/categories.json merged with the configuration's additions.
import type { ResolvedConfig } from '../config/types.js';
import { loadRules } from '../rules.js';
import type { MachineCredentialRules } from './machine-auth.js';
import { norm, termSet, type TermSet } from './words.js';

export interface CategoryRule {
  name: string;
  /** Normalised sets for path matching. */
  sets: { strong: TermSet; weak: TermSet; get: TermSet; context: TermSet };
  severity: string;
  description: string;
  strongSegments: string[];
  weakSegments: string[];
  getSegments: string[];
  strongFields: string[];
  fields: string[];
  fieldCombos: string[][];
  models: string[];
  weakModels: string[];
  calls: string[];
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
}

export interface ClassifierRules {
  categories: CategoryRule[];
  informational: Set<string>;
  exclusions: {
    entrySegments: string[];
    resetSegments: string[];
    resetTokenFields: string[];
    resetRequestFields: string[];
    resetTokenNamePattern: string;
    catchAllHandlerModules: string[];
    catchAllCalls: string[];
    authHandlerMethods: string[];
    webhookVerifiers: string[];
    signatureChecks: string[];
    webhookConstructors: string[];
    webhookSegments: string[];
    entryPatterns: string[];
    alwaysExcludedSegments: string[];
    entryWordTerms: string[];
    machineCredential: MachineCredentialRules;
  };
  mutatingMethods: string[];
  /** Method names that write (`createConnection`, `revokeToken`): named writes on a path's resource. */
  namedWriteVerbs: RegExp;
  /** Words a module must mention for its writes to matter to a category (normalised). */
  effectTerms: string[];
}

type RawCategory = Partial<Omit<CategoryRule, 'name'>>;

const cache = new WeakMap<ResolvedConfig, ClassifierRules>();

function list(v: unknown): string[] {
  return Array.isArray(v) ? (v as string[]) : [];
}

export function classifierRules(config: ResolvedConfig): ClassifierRules {
  const hit = cache.get(config);
  if (hit) return hit;
  const raw = loadRules<{ categories: Record<string, RawCategory>; informational: { words: string[] }; exclusions: ClassifierRules['exclusions']; mutatingMethods: string[]; namedWriteVerbs: string }>('categories');
  const names = [...new Set([...Object.keys(raw.categories), ...Object.keys(config.categories)])];
  const categories = names.map<CategoryRule>((name) => {
    const base = raw.categories[name] ?? {};
    const add = config.categories[name] ?? {};
    const merged = (k: keyof RawCategory & string): string[] => [...list(base[k]), ...list((add as Record<string, unknown>)[k])];
    const strongSegments = merged('strongSegments');
    const weakSegments = merged('weakSegments');
    const getSegments = merged('getSegments');
    const contextSegments = list((base as Record<string, unknown>).contextSegments);
    return {
      name,
      sets: { strong: termSet(strongSegments), weak: termSet(weakSegments), get: termSet(getSegments), context: termSet(contextSegments) },
      severity: add.severity ?? (base.severity as string | undefined) ?? 'high',
      description: add.description ?? (base.description as string | undefined) ?? name,
      strongSegments: merged('strongSegments'),
      weakSegments: merged('weakSegments'),
      getSegments: merged('getSegments'),
      strongFields: merged('strongFields').map(norm),
      fields: merged('fields').map(norm),
      fieldCombos: ((base.fieldCombos as string[][] | undefined) ?? []).map((c) => c.map(norm)),
      models: [...merged('models'), ...list(add.models)].map(norm),
      weakModels: list(base.weakModels).map(norm),
      calls: merged('calls'),
      strongPaymentResources: list(base.strongPaymentResources).map(norm),
      paymentResources: list(base.paymentResources).map(norm),
      credentialDataKeys: list(base.credentialDataKeys).map(norm),
      roleDataKeys: list(base.roleDataKeys).map(norm),
      deleteModels: list(base.deleteModels).map(norm),
      deleteMethods: list(base.deleteMethods),
      fieldsCorroborateOnCreate: base.fieldsCorroborateOnCreate !== false,
      contextSegments: [...list((base as Record<string, unknown>).contextSegments)],
      proofFields: list((base as Record<string, unknown>).proofFields).map(norm),
      fieldSuffixes: list((base as Record<string, unknown>).fieldSuffixes).map(norm),
      notDemoted: (base as Record<string, unknown>).notDemoted === true,
      roleModels: list((base as Record<string, unknown>).roleModels).map(norm),
      ownershipVerbs: list((base as Record<string, unknown>).ownershipVerbs).map(norm),
      namedWrites: (base as Record<string, unknown>).namedWrites === true,
      weakPathsNeedEvidence: (base as Record<string, unknown>).weakPathsNeedEvidence === true,
      contextWithWrite: (base as Record<string, unknown>).contextWithWrite === true,
      methods: Array.isArray((base as Record<string, unknown>).methods) ? ((base as Record<string, unknown>).methods as string[]) : undefined,
      weakModelActions: new RegExp(typeof (base as Record<string, unknown>).weakModelActions === 'string' ? ((base as Record<string, unknown>).weakModelActions as string) : '.', 'i'),
    };
  });
  const effectRules = loadRules<{ identity: { calls: { pattern: string }[] }; payments: { modules: string[] } }>('effects');
  const stop = new Set((raw as unknown as { effectLookahead: { stopWords: string[] } }).effectLookahead.stopWords.map(norm));
  const terms = new Set<string>();
  for (const c of categories) {
    for (const t of [...c.models, ...c.credentialDataKeys, ...c.roleDataKeys, ...c.strongPaymentResources, ...c.paymentResources]) if (t.length >= 3 && !stop.has(t)) terms.add(t);
    for (const m of c.deleteModels) for (const t of [`${m}.delete`, `${m}.destroy`, `${m}.remove`, `delete${m}`, `remove${m}`, `destroy${m}`]) terms.add(t);
  }
  for (const id of effectRules.identity.calls) for (const w of id.pattern.match(/[A-Za-z]{6,}/g) ?? []) if (!stop.has(norm(w))) terms.add(norm(w));
  for (const m of effectRules.payments.modules) terms.add(norm(m.split('/').pop() ?? m));
  terms.add('stripe');
  const rules: ClassifierRules = { categories, informational: new Set(raw.informational.words.map(norm)), exclusions: raw.exclusions, mutatingMethods: raw.mutatingMethods, namedWriteVerbs: new RegExp(raw.namedWriteVerbs), effectTerms: [...terms] };
  cache.set(config, rules);
  return rules;
}
