// What guard recognition tells the flow walk about a call or a condition.
import type { TuplePosition } from './tuples.js';
import type { ts } from 'ts-morph';

export type FailMode =
  | 'throws'
  | 'returns-response'
  | 'returns-falsy'
  | 'returns-error'
  | 'returns-object'
  | 'returns-null'
  | 'middleware'
  | 'unknown'
  | 'never-fails';

/** A step-up check a called function makes: how it fails, whether it is async, what it accepts. */
export interface GuardSpec {
  name: string;
  mode: FailMode;
  field?: string;
  successWhen?: 'truthy' | 'falsy';
  /** Every answer is a tuple (`return [null, error]`): only what `positions` says of a position counts. */
  tuple?: boolean;
  /** What each position of a tuple answer holds where the check failed and where it passed. */
  positions?: Record<string, TuplePosition>;
  successValue?: string;
  async?: boolean;
  source: 'catalog' | 'config' | 'project' | 'name' | 'inline' | 'inferred';
  kind: 'guard' | 'verifier' | 'inline';
  /** The body cannot be seen and no catalogue or configuration entry describes it. */
  opaque?: boolean;
  windowMinutes?: number;
  /** Why it accepts less than step-up. */
  weakness?: string;
  /** The client-controlled value it decides on. */
  clientTrusted?: string;
  /** The factor a verifier checks (a one-time code proves a factor only when it existed before the request). */
  factor?: 'password' | 'otp' | 'webauthn';
  /** The code is checked against the factor being enrolled (held in the session, a pending record): it proves the new factor, not the account. */
  enrolling?: string;
  /** An unseen, uncatalogued verifier recognised by what it is given (a typed secret and a stored one): whether it is asynchronous is unknown. */
  inferred?: boolean;
  /** Named like a check, but nothing in its body is recognised as re-verification. */
  unrecognised?: boolean;
  /** A path through the guard that succeeds without the check (an account without a password, an admin override). */
  skip?: { node: ts.Node; why: string };
  /** A middleware guard that calls next() when the check fails too. */
  leaks?: ts.Node;
  /** Assurance only (AAL2) with no freshness bound. */
  aalOnly?: boolean;
  hasFreshness?: boolean;
  catalogId?: string;
  defNode?: ts.Node;
  /** Inner guard it delegates to (for messages). */
  via?: string;
  /** A project function that makes the check itself and then performs the operation behind it. */
  guardsOwnEffects?: boolean;
  /** Reports through an error-first callback (`validateUser(u, pw, function (err) {…})`): the callback's first parameter is its result. */
  viaCallback?: boolean;
  /** Its code is outside the scanned tree: never verified, never protection. */
  outsideTree?: boolean;
}

/** Step-up evidence inside a condition: a recent-authentication comparison, an assurance level, a flag. */
export interface InlineEvidence {
  kind: 'freshness' | 'level' | 'flag' | 'secret';
  node: ts.Expression;
  /** Truth value of `node` that means the check failed. */
  failTruth: boolean;
  label: string;
  windowMinutes?: number;
  level?: string;
  /** The level accepted is only the base level (aal1, authLevel 1). */
  baseLevel?: boolean;
  /** Supabase-style AAL: proves MFA at sign-in, not a recent re-authentication. */
  aal?: boolean;
  /** The compared timestamp moves on every refresh (`updatedAt`). */
  refreshed?: string;
  clientTrusted?: string;
  enrolling?: string;
  factor?: 'otp';
  /** A way past the check: an account with nothing stored, compared loosely with nothing sent. */
  skip?: { node: ts.Node; why: string };
}

/** One check as the logic of conditions sees it: its spec, and its inline evidence when it is one. */
export interface Check {
  spec: GuardSpec;
  inline?: InlineEvidence;
}
