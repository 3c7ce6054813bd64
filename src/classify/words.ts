// Word handling for path segments and field names: normalisation across camel/snake/kebab case
// and plural-tolerant matching.

export function norm(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Splits `resetPassword`, `reset_password`, `reset-password`, `api.keys` into lower-case words. */
export function words(s: string): string[] {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .map((w) => w.toLowerCase())
    .filter(Boolean);
}

/** `w` is `term` or a plural of it (`keys` matches `key`, but `key` does not match `keys`). */
export function matchesTerm(w: string, term: string): boolean {
  if (w === term) return true;
  if (w === `${term}s` || w === `${term}es`) return true;
  if (term.endsWith('y') && w === `${term.slice(0, -1)}ies`) return true;
  return false;
}

/** Normalised terms, for plural-tolerant lookups. */
export type TermSet = ReadonlySet<string>;

export function termSet(terms: Iterable<string>): TermSet {
  return new Set([...terms].map(norm));
}

/** The term (normalised) a candidate word matches: itself or its singular (`keys` → `key`, `policies` → `policy`). */
export function lookupTerm(c: string, set: TermSet): string | undefined {
  if (set.has(c)) return c;
  if (c.endsWith('s') && set.has(c.slice(0, -1))) return c.slice(0, -1);
  if (c.endsWith('es') && set.has(c.slice(0, -2))) return c.slice(0, -2);
  if (c.endsWith('ies') && set.has(`${c.slice(0, -3)}y`)) return `${c.slice(0, -3)}y`;
  return undefined;
}

export function findTerm(candidates: string[], terms: TermSet): string | undefined {
  for (const c of candidates) {
    const t = lookupTerm(c, terms);
    if (t) return t;
  }
  return undefined;
}

export interface Segment {
  raw: string;
  /** The whole segment normalised (`api-keys` → `apikeys`). */
  whole: string;
  words: string[];
  /** Whole segment, each word, and each adjacent pair joined. */
  candidates: string[];
}

/** Is a path segment a parameter (`:id`, `[id]`, `[...slug]`, `{id}`, `*`)? */
export function isParamSegment(s: string): boolean {
  return /^(:|\[|\{|\*|\(|\^)/.test(s) || /[()*+?^$]/.test(s);
}

export function segmentsOf(p: string): Segment[] {
  return p
    .split('/')
    .filter((s) => s && !isParamSegment(s))
    .map((raw) => {
      const ws = words(raw);
      const pairs = ws.slice(1).map((w, i) => ws[i] + w);
      const whole = norm(raw);
      return { raw: raw.toLowerCase(), whole, words: ws, candidates: [...new Set([whole, ...ws, ...pairs])] };
    });
}
