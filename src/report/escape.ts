// Output is inert: every string that comes from the scanned tree (paths, route strings, names,
// code excerpts) or from user files is escaped for the sink it is written to.

// C0 controls, DEL, C1 controls, line/paragraph separators, and the bidirectional formatting
// characters (embeddings, overrides, isolates, marks) that can reorder what a reviewer sees.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

function hex(c: string): string {
  const code = c.charCodeAt(0);
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Control and bidirectional characters shown visibly (`\x1b`, `\n`, `\u202e`): the string stays on one line and cannot drive a terminal. */
export function visible(s: string): string {
  return s.replace(UNSAFE, hex);
}

/**
 * A line of plain-text output never starts a workflow command on a CI runner: GitHub reads a line
 * whose first non-blank characters are `::` (and `##[` anywhere) as a command.
 */
export function inertLine(line: string): string {
  let out = line.replace(/##\[/g, '#\\x23[');
  const m = /^(\s*(?:\x1b\[[0-9;]*m)*\s*):/.exec(out);
  if (m && out[m[0].length] === ':') out = `${m[1]}\\x3a${out.slice(m[0].length)}`;
  return out;
}

/** Text for a GitHub-flavoured markdown table cell or list item: no markup, no row break, no HTML. */
export function mdText(s: string): string {
  return visible(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]{}()#+!|~])/g, '\\$1');
}

/** Inline code in markdown (a table cell stays one cell). */
export function mdCode(s: string): string {
  const v = visible(s).replace(/\|/g, '\\|');
  const ticks = v.match(/`+/g)?.reduce((a, b) => (b.length > a.length ? b : a), '') ?? '';
  const fence = '`'.repeat(ticks.length + 1);
  return `${fence}${v.startsWith('`') || v.endsWith('`') ? ` ${v} ` : v}${fence}`;
}

/** A repository-relative POSIX path as a URI reference: every segment percent-encoded (RFC 3986). */
export function uriOfPath(posixPath: string): string {
  return posixPath
    .split('/')
    .map((seg) => encodeURIComponent(seg).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}
