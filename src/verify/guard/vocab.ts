// Compiled vocabulary from rules/guards.json: what step-up evidence, guard results, request
// reads and client input look like. Every word list guard recognition uses comes from here.
import { compiled, ruleFile } from '../../rules/load.js';
import type { CatalogEntry } from '../../rules/types.js';

export type { CatalogEntry } from '../../rules/types.js';

export interface Vocab {
  /** Tested on a name with its camel-case words split by `-` (`requireAuth` → `require-Auth`), so a word boundary is one. */
  guardNames: { test(name: string): boolean };
  authTimeProps: RegExp;
  sessionTimeOwners: RegExp;
  weakTimeProps: RegExp;
  refreshedTimeProps: RegExp;
  levelProps: RegExp;
  genericLevelProps: RegExp;
  flagProps: RegExp;
  strongLevels: Set<string>;
  baseLevels: Set<string>;
  clientRoots: RegExp;
  clientCalls: string[];
  decoders: string[];
  senders: Set<string>;
  constructors: Set<string>;
  errorHelpers: RegExp;
  catalog: CatalogEntry[];
  /** What a verifier's compared secret is made of (guard/sources.ts). */
  secretInputs: RegExp;
  /** Words of the keys a failed attempt is counted under. */
  failureCounters: RegExp;
  /** Globals and runtime modules whose calls only compute. */
  computingGlobals: Set<string>;
  computingModules: RegExp;
  /** Case-sensitive: names written as server configuration (`OTP_DIGITS`). */
  configNames: RegExp;
  /** Case-sensitive: objects holding the server's configuration (`ENV`, `config`). */
  configHolders: RegExp;
  /** Methods of a validation schema that hand back the value they are given. */
  schemaParsers: RegExp;
  bearerHeaders: RegExp;
  cookieNames: RegExp;
  /** A step-up record query that bounds the proof (time, expiry, state, challenge). */
  stepUpRecordProof: RegExp;
  /** The keys of a step-up record's filter that name only the code presented and the record's state. */
  unboundCodeKeys?: RegExp;
  unboundStateKeys?: RegExp;
  /** Methods that read a record from a store. */
  stepUpRecordReads: RegExp;
  /** A store named for re-authentication itself, and the reading methods any read of one is. */
  proofStores?: { test(name: string): boolean };
  proofStoreReads?: RegExp;
  /** Reads of the request's own data: what the client chooses. */
  requestData: RegExp;
  /** Names that start like an action (enrol, send, read), never a check. */
  guardNameExclusions: RegExp;
  /** Calls that read the current time. */
  timeSources: Set<string>;
  /** Local names that hold the current time. */
  nowNames: RegExp;
  /** Names of the request object. */
  requestObjects: RegExp;
  /** Methods of the request object that read the body. */
  bodyReaders: Set<string>;
  /** A middleware's continuation parameter. */
  middlewareNextParams: RegExp;
  /** Words of a header, cookie or query key that name a step-up flag. */
  stepUpKeys: RegExp;
  /** Words naming a stored secret, an enrolment in progress, the session container. */
  storedSecrets: RegExp;
  enrolmentWords: RegExp;
  sessionWords: RegExp;
  /** Calls answering the signed-in session (`getServerSession`): their answer is the session's. */
  sessionGetters?: RegExp;
  /** Words of a callee that computes its result from its arguments (hash, encode, copy). */
  derivations: RegExp;
  /** Words of a callee that compares or verifies. */
  verifierNames: RegExp;
  /** Calls that verify a signed token handed to them (`verifyStepUpToken(token)`, `jwt.verify`). */
  tokenVerifiers: RegExp;
  /** Words naming a one-time-code factor. */
  otpSecrets: RegExp;
  /** A written key or local that holds a factor's secret (`{ secret }`, `totpSecret`): storing the checked value enrols it. */
  factorSecrets: RegExp;
  /** A parameter that carries the secret among several a derivation reads (`generateHOTP(key, interval, digits)`). */
  secretParams: RegExp;
  /** Calls that answer, log or serialise a value rather than store it. */
  notStores: RegExp;
  /** Words naming a record that is not the account (a gift card, a share link). */
  foreignRecords: RegExp;
  recordLookups: RegExp;
  /** Record lookups that answer a list (case-sensitive: `findAll`, `findMany`). */
  listLookups?: RegExp;
  recordWrites: RegExp;
  anyWrites: RegExp;
  /** Words of a header name that make it a credential. */
  bearerHeaderWords: RegExp;
  /** Calls (and packages) that verify a credential's signature, never a typed secret. */
  credentialVerifiers: RegExp;
  credentialModules: string[];
  /** Words that mark a typed secret as the replacement being set. */
  replacementWords: RegExp;
  currentWords: RegExp;
  /** Helper names that check or redeem a code (`useRecoveryCode`, `verifyBackupCode`). */
  codeCheckers: RegExp;
  /** A field set to true when a one-time-code factor is switched on. */
  factorEnabledFlags: RegExp;
  /** Flags that only say the account has a factor (`is2fa`): a switch-on beside a factor secret written with them. */
  factorSummaryFlags: RegExp;
  /** Columns that hold a one-time-code factor's secret (`twoFactorSecret`, `totp_secret`). */
  factorSecretColumns: RegExp;
  /** A record that is itself a one-time-code factor, and its flags that switch it on. */
  factorRecords: RegExp;
  /** Records of the person who signs in (where a factor's enabled flag switches it on). */
  accountRecords: RegExp;
  qualifiedPersonRecords?: RegExp;
  checkRecords: RegExp | undefined;
  factorRecordFlags: RegExp;
  /** Fields of a guard's result: false on failure / true on failure / set on failure. */
  successFields: RegExp;
  failureFields: RegExp;
  errorFields: RegExp;
}

/**
 * A name test that sees camel-case word boundaries: `requireAuth` is `require-Auth`, so `\bre-?auth`
 * matches `reAuth` and `verifyReauth` but not the `re` that ends `require` or `ensure`.
 */
function wordsTest(re: RegExp): { test(name: string): boolean } {
  return { test: (name) => re.test(name.replace(/([a-z0-9])(?=[A-Z])/g, '$1-')) };
}

/** The compiled vocabulary (a package constant: rules/guards.json never changes during a run). */
export const vocab = compiled<Vocab>(() => {
  const r = ruleFile('guards');
  const v = r.vocabulary;
  return {
    guardNames: wordsTest(new RegExp(v.guardNames, 'i')),
    authTimeProps: new RegExp(v.authTimeProps, 'i'),
    sessionTimeOwners: new RegExp(v.sessionTimeOwners, 'i'),
    weakTimeProps: new RegExp(v.weakTimeProps, 'i'),
    refreshedTimeProps: new RegExp(v.refreshedTimeProps, 'i'),
    levelProps: new RegExp(v.levelProps, 'i'),
    genericLevelProps: new RegExp(v.genericLevelProps, 'i'),
    flagProps: new RegExp(v.flagProps, 'i'),
    strongLevels: new Set(v.strongLevels.map((s) => s.toLowerCase())),
    baseLevels: new Set(v.baseLevels.map((s) => s.toLowerCase())),
    clientRoots: new RegExp(r.clientSources.roots),
    clientCalls: r.clientSources.calls,
    decoders: r.clientSources.decoders,
    senders: new Set(r.responses.senders),
    constructors: new Set(r.responses.constructors),
    errorHelpers: new RegExp(r.responses.errorHelpers, 'i'),
    catalog: r.catalog,
    secretInputs: new RegExp(r.operands.secretInputs, 'i'),
    failureCounters: new RegExp(r.operands.failureCounters, 'i'),
    computingGlobals: new Set(r.operands.computingGlobals),
    computingModules: new RegExp(r.operands.computingModules),
    configNames: new RegExp(r.operands.configNames),
    configHolders: new RegExp(r.operands.configHolders),
    schemaParsers: new RegExp(r.operands.schemaParsers),
    bearerHeaders: new RegExp(r.operands.bearerHeaders, 'i'),
    cookieNames: new RegExp(r.operands.cookieNames, 'i'),
    stepUpRecordProof: new RegExp(r.stepUpRecordProof.pattern, 'i'),
    stepUpRecordReads: new RegExp(r.stepUpRecordProof.readMethods),
    unboundCodeKeys: r.stepUpRecordProof.unboundKeys ? new RegExp(r.stepUpRecordProof.unboundKeys.codeKeys) : undefined,
    unboundStateKeys: r.stepUpRecordProof.unboundKeys
      ? new RegExp(r.stepUpRecordProof.unboundKeys.stateKeys)
      : undefined,
    proofStores: r.stepUpRecordProof.proofStores
      ? wordsTest(new RegExp(r.stepUpRecordProof.proofStores, 'i'))
      : undefined,
    proofStoreReads: r.stepUpRecordProof.proofStoreReads ? new RegExp(r.stepUpRecordProof.proofStoreReads) : undefined,
    requestData: new RegExp(r.stepUpRecordProof.requestData ?? '(?!)'),
    guardNameExclusions: new RegExp(v.guardNameExclusions, 'i'),
    timeSources: new Set(v.timeSources),
    nowNames: new RegExp(v.nowNames, 'i'),
    requestObjects: new RegExp(r.operands.requestObjects),
    bodyReaders: new Set(r.operands.bodyReaders),
    middlewareNextParams: new RegExp(v.middlewareNextParams, 'i'),
    stepUpKeys: new RegExp(v.stepUpKeys, 'i'),
    storedSecrets: new RegExp(r.operands.storedSecrets, 'i'),
    enrolmentWords: new RegExp(r.operands.enrolmentWords, 'i'),
    sessionWords: new RegExp(r.operands.sessionWords, 'i'),
    sessionGetters: r.operands.sessionGetters ? new RegExp(r.operands.sessionGetters) : undefined,
    derivations: new RegExp(r.operands.derivations, 'i'),
    verifierNames: new RegExp(r.operands.verifierNames, 'i'),
    tokenVerifiers: new RegExp(r.operands.tokenVerifiers ?? '$^', 'i'),
    otpSecrets: new RegExp(r.operands.otpSecrets, 'i'),
    factorSecrets: new RegExp(r.operands.factorSecrets, 'i'),
    secretParams: new RegExp(r.operands.secretParams, 'i'),
    notStores: new RegExp(r.operands.notStores),
    foreignRecords: new RegExp(r.operands.foreignRecords, 'i'),
    recordLookups: new RegExp(r.operands.recordLookups, 'i'),
    listLookups: r.operands.listLookups ? new RegExp(r.operands.listLookups) : undefined,
    recordWrites: new RegExp(r.operands.recordWrites),
    anyWrites: new RegExp(r.operands.anyWrites, 'i'),
    bearerHeaderWords: new RegExp(r.operands.bearerHeaderWords, 'i'),
    credentialVerifiers: new RegExp(r.operands.credentialVerifiers),
    credentialModules: r.operands.credentialModules,
    replacementWords: new RegExp(r.operands.replacementWords, 'i'),
    currentWords: new RegExp(r.operands.currentWords ?? '$^', 'i'),
    codeCheckers: new RegExp(v.codeCheckers ?? '(?!)', 'i'),
    factorEnabledFlags: new RegExp(v.factorEnabledFlags, 'i'),
    factorSummaryFlags: new RegExp(v.factorSummaryFlags ?? '(?!)', 'i'),
    factorSecretColumns: new RegExp(v.factorSecretColumns ?? '(?!)', 'i'),
    factorRecords: new RegExp(v.factorRecords, 'i'),
    accountRecords: new RegExp(v.accountRecords, 'i'),
    qualifiedPersonRecords: v.qualifiedPersonRecords ? new RegExp(v.qualifiedPersonRecords, 'i') : undefined,
    checkRecords: v.checkRecords ? new RegExp(v.checkRecords, 'i') : undefined,
    factorRecordFlags: new RegExp(v.factorRecordFlags, 'i'),
    successFields: new RegExp(r.results.successFields),
    failureFields: new RegExp(r.results.failureFields),
    errorFields: new RegExp(r.results.errorFields),
  };
});
