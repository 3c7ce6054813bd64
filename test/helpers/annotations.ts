// Fixture annotations (DESIGN §6): comments alone on their line describe the next non-blank,
// non-comment line. Kinds: expect-endpoint, expect-sensitive, expect, expect-not, expect-status,
// expect-related (a related location of a finding on the next line, by role) and the known limits:
// todo-expect (a finding not reported yet), todo-expect-endpoint (an endpoint not listed yet) and
// todo-expect-status (the verdict a correct analysis would give); every todo needs a reason after ` -- `.
import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';

export type Kind =
  | 'expect-endpoint'
  | 'expect-sensitive'
  | 'expect'
  | 'expect-not'
  | 'expect-status'
  | 'expect-related'
  | 'todo-expect'
  | 'todo-expect-endpoint'
  | 'todo-expect-status';
export const KINDS: Kind[] = [
  'expect-endpoint',
  'expect-sensitive',
  'expect',
  'expect-not',
  'expect-status',
  'expect-related',
  'todo-expect',
  'todo-expect-endpoint',
  'todo-expect-status',
];
const ROLES = ['guard', 'side-effect', 'defeated-branch', 'middleware', 'handler'];
const STATUSES = ['enforced', 'missing', 'broken', 'unverifiable', 'not-required'];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY', 'ACTION'];

export interface Annotation {
  kind: Kind;
  value: string;
  reason?: string;
  file: string; // relative POSIX
  line: number; // line of the annotation
  target: number; // line it describes
}

const ANY_ANNOTATION = /^\s*\/\/\s*((?:todo-)?expect[\w-]*)\s*:(.*)$/;
const LOOKS_LIKE = /^\s*\/\/\s*(todo-)?expect\b/;

export function parseFixture(dir: string): { annotations: Annotation[]; problems: string[] } {
  const files = fg
    .sync('**/*.{ts,tsx,js,jsx,mjs,cjs,mts,cts}', {
      cwd: dir,
      dot: true,
      followSymbolicLinks: false,
      ignore: ['**/node_modules/**'],
    })
    .sort();
  const annotations: Annotation[] = [];
  const problems: string[] = [];
  for (const rel of files) {
    const lines = fs.readFileSync(path.join(dir, rel), 'utf8').split(/\r?\n/);
    lines.forEach((text, i) => {
      const m = ANY_ANNOTATION.exec(text);
      if (!m) {
        if (LOOKS_LIKE.test(text)) problems.push(`${rel}:${i + 1}: malformed annotation (expected "// kind: value")`);
        return;
      }
      const kind = m[1] as Kind;
      if (!KINDS.includes(kind)) {
        problems.push(`${rel}:${i + 1}: unknown annotation kind "${m[1]}"`);
        return;
      }
      let value = m[2].trim();
      let reason: string | undefined;
      const sep = value.indexOf(' -- ');
      if (sep >= 0) {
        reason = value.slice(sep + 4).trim();
        value = value.slice(0, sep).trim();
      }
      if (!value) {
        problems.push(`${rel}:${i + 1}: ${kind} needs a value`);
        return;
      }
      if (kind.startsWith('todo-') && !reason) problems.push(`${rel}:${i + 1}: ${kind} needs a reason after " -- "`);
      if (kind === 'expect-endpoint' || kind === 'todo-expect-endpoint') {
        const [method, p, ...rest] = value.split(/\s+/);
        if (!METHODS.includes(method) || !p || rest.length)
          problems.push(`${rel}:${i + 1}: ${kind} must be "METHOD /path" (got "${value}")`);
      }
      if ((kind === 'expect' || kind === 'expect-not' || kind === 'todo-expect') && !/^stepup\/[a-z-]+$/.test(value))
        problems.push(`${rel}:${i + 1}: ${kind} needs a rule id like stepup/missing (got "${value}")`);
      if ((kind === 'expect-status' || kind === 'todo-expect-status') && !STATUSES.includes(value))
        problems.push(`${rel}:${i + 1}: ${kind} must be one of ${STATUSES.join(', ')}`);
      if (kind === 'expect-related' && !ROLES.includes(value))
        problems.push(`${rel}:${i + 1}: expect-related must be one of ${ROLES.join(', ')}`);
      let target = -1;
      for (let j = i + 1; j < lines.length; j++) {
        const t = lines[j].trim();
        if (t === '' || t.startsWith('//')) continue;
        target = j + 1;
        break;
      }
      if (target < 0) problems.push(`${rel}:${i + 1}: annotation describes no line`);
      annotations.push({ kind, value, reason, file: rel, line: i + 1, target });
    });
  }
  return { annotations, problems };
}

export function listFixtures(root: string): string[] {
  const out: string[] = [];
  for (const fw of fs.readdirSync(root).sort()) {
    const fwDir = path.join(root, fw);
    if (!fs.statSync(fwDir).isDirectory()) continue;
    if (fs.existsSync(path.join(fwDir, 'package.json'))) {
      out.push(fwDir);
      continue;
    }
    for (const sc of fs.readdirSync(fwDir).sort()) {
      const d = path.join(fwDir, sc);
      if (fs.statSync(d).isDirectory()) out.push(d);
    }
  }
  return out;
}
