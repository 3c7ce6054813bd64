// Compiled vocabulary from rules/guards.json: what step-up evidence and client input look like.
import { compiled, ruleFile } from '../rules/load.js';
import type { CatalogEntry } from '../rules/types.js';

export type { CatalogEntry } from '../rules/types.js';


export interface Vocab {
  guardNames: RegExp;
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
  factories: Set<string>;
  errorHelpers: RegExp;
  catalog: CatalogEntry[];
  /** What a verifier's compared secret is made of (verify/operands.ts). */
  secretInputs: RegExp;
  bearerHeaders: RegExp;
  cookieNames: RegExp;
  /** A step-up record query that bounds the proof (time, expiry, state, challenge). */
  stepUpRecordProof: RegExp;
  /** Methods that read a record from a store. */
  stepUpRecordReads: RegExp;
  /** Names that start like an action (enrol, send, read), never a check. */
  guardNameExclusions: RegExp;
  /** Calls that read the current time. */
  timeSources: Set<string>;
  /** Local names that hold the current time. */
  nowNames: RegExp;
  /** Names of the request object. */
  requestObjects: RegExp;
}

/** The compiled vocabulary (a package constant: rules/guards.json never changes during a run). */
export const vocab = compiled<Vocab>(() => {
  const r = ruleFile('guards');
  const v = r.vocabulary;
  return {
    guardNames: new RegExp(v.guardNames, 'i'),
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
    factories: new Set(r.responses.factories),
    errorHelpers: new RegExp(r.responses.errorHelpers, 'i'),
    catalog: r.catalog,
    secretInputs: new RegExp(r.operands.secretInputs, 'i'),
    bearerHeaders: new RegExp(r.operands.bearerHeaders, 'i'),
    cookieNames: new RegExp(r.operands.cookieNames, 'i'),
    stepUpRecordProof: new RegExp(r.stepUpRecordProof.pattern, 'i'),
    stepUpRecordReads: new RegExp(r.stepUpRecordProof.readMethods),
    guardNameExclusions: new RegExp(v.guardNameExclusions, 'i'),
    timeSources: new Set(v.timeSources),
    nowNames: new RegExp(v.nowNames, 'i'),
    requestObjects: new RegExp(r.operands.requestObjects),
  };
});
