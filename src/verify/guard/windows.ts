// Freshness windows: units, the weakness of a window longer than the configured maximum, and the
// numeric settings a catalogued guard reads from the project's own configuration (better-auth's
// `session.freshAge`: the first constant `key: <number>` property found in the root's sources;
// files are searched by text first and parsed only when they mention the key; looked up once per key).
import { ts } from 'ts-morph';
import { evalNumber } from '../../analysis/numbers.js';
import { propertyNameText, type ValueResolver } from '../../analysis/values.js';
import { calleeParts } from '../../analysis/effects.js';
import { vocab } from './vocab.js';
import { forEachNode } from '../../analysis/walk.js';

export type ProjectSetting = (key: string) => number | undefined;

export function projectSettings(sources: readonly string[], values: ValueResolver): ProjectSetting {
  const found = new Map<string, number | undefined>();
  return (key) => {
    if (found.has(key)) return found.get(key);
    let value: number | undefined;
    for (const f of sources) {
      if (!values.textMatches(f, new RegExp(`\\b${key}\\b`))) continue;
      const sf = values.store.get(f);
      if (!sf) continue;
      forEachNode(sf, (n) => {
        if (value !== undefined) return false;
        if (ts.isPropertyAssignment(n) && propertyNameText(n.name) === key) value = evalNumber(n.initializer, values);
      });
      if (value !== undefined) break;
    }
    found.set(key, value);
    return value;
  };
}

export type TimeUnit = 'ms' | 'seconds' | 'minutes' | 'hours' | 'days';

/** Milliseconds per unit. */
export const MS_PER: Readonly<Record<TimeUnit, number>> = {
  ms: 1,
  seconds: 1000,
  minutes: 60000,
  hours: 3600000,
  days: 86400000,
};

const UNIT_WORDS: Readonly<Record<string, TimeUnit>> = {
  milliseconds: 'ms',
  seconds: 'seconds',
  minutes: 'minutes',
  hours: 'hours',
  days: 'days',
};

/** `Seconds` (from `subSeconds`, `differenceInSeconds`) → `seconds`. */
export function unitOfWord(word: string): TimeUnit | undefined {
  return UNIT_WORDS[word.toLowerCase()];
}

/** A duration in minutes. */
export function toMinutes(n: number, unit: TimeUnit): number {
  return (n * MS_PER[unit]) / 60000;
}

export function fmtMinutes(m: number): string {
  if (!Number.isFinite(m)) return 'any age';
  if (m >= 60 * 24 && m % (60 * 24) === 0) return `${m / 1440} day${m === 1440 ? '' : 's'}`;
  if (m >= 60 && m % 60 === 0) return `${m / 60} hour${m === 60 ? '' : 's'}`;
  if (m < 1) return `${Math.round(m * 60)} seconds`;
  return `${Math.round(m * 10) / 10} minutes`;
}

/** Why a freshness window is too long, or undefined when it is within the maximum. */
export function windowWeakness(windowMinutes: number | undefined, maxMinutes: number): string | undefined {
  if (windowMinutes === undefined || windowMinutes <= maxMinutes) return undefined;
  return `accepts a re-authentication up to ${fmtMinutes(windowMinutes)} old (maximum ${fmtMinutes(maxMinutes)})`;
}

/**
 * better-auth's fresh-session rule: `session.freshAge` seconds (24 hours when unset; 0 turns the
 * check off). The window it accepts and, when too long, why.
 */
export function freshAgeWindow(
  freshAgeSeconds: number | undefined,
  maxMinutes: number,
): { windowMinutes: number; weakness?: string } {
  if (freshAgeSeconds === undefined)
    return {
      windowMinutes: 24 * 60,
      weakness: "better-auth's default freshAge accepts a session created up to 24 hours ago",
    };
  if (freshAgeSeconds === 0)
    return { windowMinutes: Infinity, weakness: 'freshAge is 0, which turns the freshness check off' };
  const windowMinutes = toMinutes(freshAgeSeconds, 'seconds');
  return { windowMinutes, weakness: windowWeakness(windowMinutes, maxMinutes) };
}

/** A read of the current time: a call of the vocabulary's time sources, `new Date()`, a local named for now. */
export function isTimeSource(n: ts.Node): boolean {
  if (ts.isCallExpression(n)) {
    const parts = calleeParts(n.expression);
    const t = parts?.join('.') ?? '';
    if (vocab().timeSources.has(t)) return true;
    if (/^(sub|add)(Seconds|Minutes|Hours|Days|Milliseconds)$/.test(parts?.[parts.length - 1] ?? '')) return true;
  }
  if (
    ts.isNewExpression(n) &&
    ts.isIdentifier(n.expression) &&
    n.expression.text === 'Date' &&
    (!n.arguments || n.arguments.length === 0)
  )
    return true;
  if (ts.isIdentifier(n) && vocab().nowNames.test(n.text)) return true;
  return false;
}
