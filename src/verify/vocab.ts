// Compiled vocabulary from rules/guards.json: what step-up evidence and client input look like.
import { loadRules } from '../rules.js';

export interface CatalogEntry {
  id: string;
  doc?: string;
  match: { method?: string; argKey?: string; callee?: string; modules?: string[]; argText?: string; receiverFrom?: string[] };
  fails: 'throws' | 'returns-response' | 'returns-falsy' | 'returns-error' | 'returns-object' | 'returns-null' | 'middleware';
  field?: string;
  successWhen?: 'truthy' | 'falsy';
  async: boolean;
  kind: 'guard' | 'verifier';
  windowFromArg?: { argKey: string; presets: Record<string, number>; objectKey: string };
  windowArg?: { argKey: string; unit: 'seconds' | 'minutes' | 'ms' };
  requiresArgText?: string;
  predicateArg?: number;
  level?: string;
  freshAgeFromConfig?: boolean;
  baseLevelNote?: string;
}

interface GuardRules {
  vocabulary: {
    guardNames: string;
    authTimeProps: string;
    sessionTimeOwners: string;
    weakTimeProps: string;
    refreshedTimeProps: string;
    levelProps: string;
    genericLevelProps: string;
    flagProps: string;
    strongLevels: string[];
    baseLevels: string[];
    timeSources: string;
  };
  clientSources: { roots: string; calls: string[]; decoders: string[] };
  responses: { senders: string[]; constructors: string[]; factories: string[]; errorHelpers: string; continueCalls: string[] };
  catalog: CatalogEntry[];
  operands: { secretInputs: string; bearerHeaders: string; cookieNames: string };
  stepUpRecordProof: { pattern: string };
}

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
}

let cached: Vocab | undefined;

export function vocab(): Vocab {
  if (cached) return cached;
  const r = loadRules<GuardRules>('guards');
  const v = r.vocabulary;
  cached = {
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
  };
  return cached;
}
