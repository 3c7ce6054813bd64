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

export function findTerm(candidates: string[], terms: Iterable<string>): string | undefined {
  for (const t of terms) {
    const nt = norm(t);
    if (candidates.some((c) => matchesTerm(c, nt))) return t;
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
