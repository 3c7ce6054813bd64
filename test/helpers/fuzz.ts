// A seeded mutation fuzzer over the fixtures. Each case copies one fixture to a temporary tree and
// mutates one or two of its source files (token and line deletion, truncation, unbalanced
// delimiters, huge lines and expressions, deep nesting, BOM/CRLF/NUL, odd Unicode, a file over
// 1 MiB, imports and symbolic links that point at a sentinel folder outside the tree). The checks
// (see fuzz.test.ts): every endpoint of every unmutated file is still listed, JSON and SARIF
// output are valid, and nothing outside the tree is read.
import fs from 'node:fs';
import path from 'node:path';

/** mulberry32: a small, fast, seedable PRNG (the same seed gives the same cases everywhere). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const int = (r: Rand, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)];

const SOURCE = /\.(ts|tsx|js|jsx|mjs|cjs|mts|cts)$/;

/** Every file of a fixture (relative POSIX paths), sorted. */
export function filesOf(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(path.relative(dir, p).split(path.sep).join('/'));
    }
  };
  walk(dir);
  return out;
}

export function copyTree(from: string, to: string): void {
  for (const f of filesOf(from)) {
    const dest = path.join(to, f);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(path.join(from, f), dest);
  }
}

/** What a mutation does to a file's bytes. */
export interface Mutation {
  name: string;
  /** Keeps the file's meaning (appends a statement, re-encodes): its endpoints stay, or the file is reported. */
  preserving?: boolean;
  /** `link`: a symbolic link inside the tree that points at the sentinel folder, when the case has one. */
  apply(text: string, r: Rand, ctx: { sentinel: string; file: string; link?: string }): string | Buffer;
}

const TOKEN = /[A-Za-z_$][\w$]*|\d+|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`[^`]*`|=>|[{}()[\];,.:=+\-*/<>!?&|'"`]/g;

function tokens(text: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (const m of text.matchAll(TOKEN)) out.push({ start: m.index, end: m.index + m[0].length });
  return out;
}

function insertAt(text: string, r: Rand, piece: string): string {
  const lines = text.split('\n');
  const i = int(r, lines.length + 1);
  lines.splice(i, 0, piece);
  return lines.join('\n');
}

function deepNest(depth: number): string {
  let s = 'done()';
  for (let i = 0; i < depth; i++) s = `step(function () { ${s} })`;
  return s;
}

export const MUTATIONS: Mutation[] = [
  {
    name: 'token deletion',
    apply(text, r) {
      let t = text;
      for (let k = 1 + int(r, 4); k > 0; k--) {
        const toks = tokens(t);
        if (!toks.length) break;
        const tok = pick(r, toks);
        t = t.slice(0, tok.start) + t.slice(tok.end);
      }
      return t;
    },
  },
  {
    name: 'line deletion',
    apply(text, r) {
      const lines = text.split('\n');
      for (let k = 1 + int(r, 3); k > 0 && lines.length; k--) lines.splice(int(r, lines.length), 1);
      return lines.join('\n');
    },
  },
  { name: 'truncation', apply: (text, r) => text.slice(0, int(r, text.length + 1)) },
  {
    name: 'unbalanced delimiter',
    apply(text, r) {
      const piece = pick(r, ['{', '}', '(', ')', '[', ']', "'", '"', '`', '/*', '*/', '${', '<div>', '</', '/']);
      const at = int(r, text.length + 1);
      return text.slice(0, at) + piece + text.slice(at);
    },
  },
  {
    name: 'huge line',
    apply: (text, r) => insertAt(text, r, `const huge${int(r, 1000)} = '${'x'.repeat(200_000 + int(r, 100_000))}';`),
  },
  // appended statements: the file means the same, only bigger or deeper
  { name: 'huge comment line', preserving: true, apply: (text) => `${text}\n// ${'y'.repeat(300_000)}\n` },
  {
    name: 'huge concatenation',
    preserving: true,
    apply: (text, r) =>
      `${text}\nconst banner${int(r, 1000)} = ${Array.from({ length: 2500 + int(r, 1000) }, (_, i) => `'t${i}'`).join(' + ')};\n`,
  },
  {
    name: 'deep callbacks',
    preserving: true,
    apply: (text, r) => `${text}\nfunction nested${int(r, 1000)}() { ${deepNest(250 + int(r, 100))}; }\n`,
  },
  {
    name: 'deep brackets',
    preserving: true,
    apply: (text, r) => `${text}\nconst deep${int(r, 1000)} = ${'['.repeat(3000)}1${']'.repeat(3000)};\n`,
  },
  // a deep expression inside the code (a handler's body, an object, a call): costs that expression at most
  {
    name: 'huge concatenation inside',
    apply: (text, r) =>
      insertAt(
        text,
        r,
        `const inside${int(r, 1000)} = ${Array.from({ length: 2500 + int(r, 1000) }, (_, i) => `'u${i}'`).join(' + ')};`,
      ),
  },
  { name: 'deep callbacks inside', apply: (text, r) => insertAt(text, r, `${deepNest(250 + int(r, 100))};`) },
  {
    name: 'BOM',
    preserving: true,
    apply: (text) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
  },
  { name: 'CRLF', preserving: true, apply: (text) => text.replace(/\r?\n/g, '\r\n') },
  {
    name: 'NUL byte',
    apply(text, r) {
      const at = int(r, text.length + 1);
      return text.slice(0, at) + '\0' + text.slice(at);
    },
  },
  {
    name: 'odd Unicode',
    apply(text, r) {
      let t = text;
      for (let k = 1 + int(r, 5); k > 0; k--) {
        const piece = pick(r, [
          '\u202e',
          '\u2066',
          '\u200b',
          '\ufeff',
          '\u2028',
          '\u2029',
          '\ud800',
          '\udfff',
          '\u{1F4B8}',
          'é',
          '\u0301',
          '\u00a0',
          '\u3000',
          '\x1b[2J',
          '\x85',
        ]);
        const at = int(r, t.length + 1);
        t = t.slice(0, at) + piece + t.slice(at);
      }
      return t;
    },
  },
  { name: 'over 1 MiB', preserving: true, apply: (text) => `${text}\n// ${'z'.repeat(1024 * 1024 + 16)}\n` },
  {
    // an import of the file retargeted at the sentinel outside the tree (by `..`, an absolute path,
    // a symbolic link inside the tree, or far out): what it imported must not be read from there
    name: 'import led outside the tree',
    apply(text, r, ctx) {
      const rel = (to: string): string => {
        const p = path.relative(path.dirname(ctx.file), to).split(path.sep).join('/');
        return p.startsWith('.') ? p : `./${p}`;
      };
      const specs = [
        rel(path.join(ctx.sentinel, 'guard')),
        path.join(ctx.sentinel, 'guard').split(path.sep).join('/'),
        '../'.repeat(12) + 'etc/passwd',
      ];
      if (ctx.link) specs.push(rel(path.join(ctx.link, 'guard')), rel(path.join(ctx.link, 'guard')));
      const spec = pick(r, specs);
      const imports = [
        ...text.matchAll(/(from\s*|require\(\s*|import\(\s*)(['"])(\.{1,2}\/[^'"]*|@\/[^'"]*|~\/[^'"]*)\2/g),
      ];
      if (!imports.length) return `import { requireStepUp as outsideGuard } from '${spec}';\n${text}`;
      const m = pick(r, imports);
      return text.slice(0, m.index) + `${m[1]}'${spec}'` + text.slice(m.index + m[0].length);
    },
  },
];

/** One generated case: the fixture, the files mutated and how. */
export interface FuzzCase {
  index: number;
  fixture: string;
  mutated: { file: string; mutation: string; preserving: boolean }[];
  /** Symbolic links added inside the tree that point at the sentinel folder. */
  links: string[];
}

/**
 * Writes case `index` (deterministic for a seed) into `dir`: a copy of a fixture with one or two
 * source files mutated, and sometimes a symbolic link to the sentinel folder.
 */
export function makeCase(
  seed: number,
  index: number,
  fixtures: readonly string[],
  dir: string,
  sentinel: string,
): FuzzCase {
  const r = rng((seed * 1_000_003 + index) >>> 0);
  const fixture = pick(r, fixtures);
  copyTree(fixture, dir);
  // next.config.* decides which files are routes (its meaning reaches every file): not mutated here
  const sources = filesOf(dir).filter((f) => SOURCE.test(f) && !/(^|\/)next\.config\.[^/]+$/.test(f));
  // sometimes a symbolic link into the sentinel folder: a folder resolution must not follow out
  const links: string[] = [];
  if (r() < 0.25) {
    const name = pick(r, ['dist', 'lib/outside', '.cache', 'src/linked']);
    const at = path.join(dir, name);
    if (!fs.existsSync(at)) {
      fs.mkdirSync(path.dirname(at), { recursive: true });
      try {
        fs.symlinkSync(sentinel, at, 'dir');
        links.push(name);
      } catch {
        /* no symbolic links on this file system */
      }
    }
  }
  const mutated: FuzzCase['mutated'] = [];
  const count = sources.length > 1 && r() < 0.3 ? 2 : 1;
  for (let k = 0; k < count && sources.length; k++) {
    const file = sources.splice(int(r, sources.length), 1)[0];
    const m = pick(r, MUTATIONS);
    const abs = path.join(dir, file);
    fs.writeFileSync(
      abs,
      m.apply(fs.readFileSync(abs, 'utf8'), r, {
        sentinel,
        file: abs,
        link: links.length ? path.join(dir, links[0]) : undefined,
      }),
    );
    mutated.push({ file, mutation: m.name, preserving: !!m.preserving });
  }
  // package.json: a BOM keeps its meaning (and must keep the application)
  if (r() < 0.15) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg))
      fs.writeFileSync(pkg, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fs.readFileSync(pkg)]));
  }
  return { index, fixture, mutated, links };
}
