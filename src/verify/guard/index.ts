// Guard recognition: what counts as a step-up check and how it fails. Everything outside this
// folder asks through this file. Inside, each small rule has one home:
//   vocab.ts      the words (rules/guards.json), compiled once
//   logic.ts      three-valued truth of a condition when a check failed; what a result field means
//   sources.ts    where a value comes from: the request object, body reads, bearer credentials, typed secrets
//   windows.ts    freshness windows: units, the configured maximum, better-auth's freshAge
//   evidence.ts   inline evidence in a condition: freshness, assurance level, flags
//   recognise.ts  a called function: configured guard, catalogued library, project function (summarised once), name
//   tuples.ts     checks that answer a tuple: what each position holds where the check failed or passed
export { localInit, resultHolds, truthUnder, type ResultLookup } from './logic.js';
export { GuardRecogniser, middlewareContinuation } from './recognise.js';
export { inlineEvidence } from './evidence.js';
export { enablesFactor, factorSwitchedOn, judgeCompare, requiresFactorOn } from './secrets.js';
export type { Check, GuardSpec, InlineEvidence } from './types.js';
export { vocab } from './vocab.js';
export { isRequestObject } from './sources.js';
export { fmtMinutes, projectSettings } from './windows.js';
export { decidedPositions } from './tuples.js';
