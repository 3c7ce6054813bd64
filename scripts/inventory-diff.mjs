#!/usr/bin/env node
// Differential inventory check: an independent, deliberately simple route lister compared with the
// scanner's JSON inventory. It shares no code with src/ on purpose: it reads text with regular
// expressions and a few balanced-bracket walks, never a syntax tree, so a blind spot of the value
// resolver is not also a blind spot of the check.
//
//   npm run inventory-diff -- <dir> [--json] [--scanner <report.json>] [--bin <stepup-audit.js>] [--timeout <seconds>]
//
// What the lister finds:
//   - Express / Hono registrations: `recv.get|post|put|patch|delete|options|head|all('path', …)`,
//     `.route('path').get(…).post(…)` (Express), `.on('POST' | ['GET','POST'], 'path', …)` (Hono),
//     `createRoute({ method, path })` (@hono/zod-openapi), and a route-method call whose path is a
//     name or a call (`router.get(loginPath(cfg), …)`) on a router-looking receiver: path `{?}`.
//   - Next.js app router: `app/**/route.*` files and the HTTP methods they export.
//   - Next.js pages router: `pages/api/**` files; methods from `req.method` comparisons, `case 'X':`,
//     method-keyed objects (`{ GET: …, POST: … }`) and method lists (`['POST']`); `ANY` when none.
//   - tRPC procedures: a property (or a `const`) whose value mentions a procedure and ends in
//     `.query(` (GET) or `.mutation(` (POST), and v9's `.query('name', …)` / `.mutation('name', …)`.
//     Only the procedure's own name is listed (its router's path is not resolved): it matches a
//     scanner tRPC endpoint of that method whose path ends on that name. Subscriptions are not listed.
//   Test, example and mock folders are not listed (they serve no route); `node_modules`, `.next`,
//   `dist`, `out` and `coverage` are skipped, and a `build` folder only when it holds no TypeScript.
//
// How paths are compared (the lister does not resolve every mount): each registration's receiver
// (`users` in `users.get(…)`, or the variable a `new Hono().get(…)` chain is assigned to) is tied to
// the exports of its file; `.route('/p', x)` and `.use('/p', x)` mounts whose `x` is imported from a
// relative or tsconfig-aliased module (or declared in the same file) give that router its prefixes,
// transitively. A lister path is then the route's path under every prefix it could resolve, and it
// matches a scanner endpoint with the same method whose full path ENDS with it, segment by segment
// (parameters `:id`, `{id}`, `[id]` are one wildcard segment; `{?}` matches one or more segments).
// So a route found but listed without its mount prefix is a miss. Matching is one-to-one, the same
// file preferred. Next.js paths are compared whole (the lister knows them). A lister `ANY` (no
// method dispatch seen) is matched by any method the scanner lists for that file and path; a
// scanner `ANY` where the lister saw dispatched methods is a miss for each method.
//
// Output: missing (lister only), extra (scanner only), and recall per framework = matched / listed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'options', 'head', 'all'];
const UPPER = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];
const SKIP_DIRS = new Set([
  'node_modules',
  '.git',
  '.next',
  'dist',
  'out',
  'coverage',
  '.turbo',
  '.vercel',
  '.output',
  '.svelte-kit',
  '.nuxt',
  '.wrangler',
  '.cache',
  '.yarn',
  'vendor',
]);
const NOT_SERVED =
  /(^|\/)(__tests__|__mocks__|__fixtures__|tests?|spec|e2e|cypress|playwright|fixtures|mocks?|examples?|stories|scripts)\//;
const NOT_SERVED_FILE = /\.(test|spec|e2e|stories|story|cy)\.[cm]?[jt]sx?$/;
const SOURCE = /\.(ts|js|mjs|cjs|mts|cts|tsx|jsx)$/;

// ---------------------------------------------------------------- arguments
const argv = process.argv.slice(2);
const opts = { json: false, scanner: undefined, timeout: 900, dir: undefined, bin: undefined };
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--json') opts.json = true;
  else if (a === '--scanner') opts.scanner = argv[++i];
  else if (a === '--timeout') opts.timeout = Number(argv[++i]);
  else if (a === '--bin') opts.bin = argv[++i];
  else if (!opts.dir) opts.dir = a;
}
if (!opts.dir) {
  process.stderr.write('usage: inventory-diff <dir> [--json] [--scanner report.json] [--timeout seconds]\n');
  process.exit(2);
}
const ROOT = path.resolve(opts.dir);

// ---------------------------------------------------------------- files
function walk(dir, out) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.isSymbolicLink()) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (SKIP_DIRS.has(e.name) || (e.name.startsWith('.') && e.name !== '.well-known')) continue;
      if (e.name === 'build' && !holdsTypeScript(p)) continue;
      walk(p, out);
    } else if (e.isFile() && SOURCE.test(e.name) && !e.name.endsWith('.d.ts') && !/\.min\.js$/.test(e.name))
      out.push(p);
  }
}
function holdsTypeScript(dir, depth = 0) {
  if (depth > 4) return false;
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  return entries.some(
    (e) =>
      (e.isFile() && /\.(ts|mts|cts)$/.test(e.name) && !e.name.endsWith('.d.ts')) ||
      (e.isDirectory() && !SKIP_DIRS.has(e.name) && holdsTypeScript(path.join(dir, e.name), depth + 1)),
  );
}
const rel = (f) => path.relative(ROOT, f).split(path.sep).join('/');

// Comments become spaces (lines kept), strings stay: the regexes below read string literals.
function stripComments(src) {
  let out = '';
  let i = 0;
  const n = src.length;
  const stack = []; // template nesting: '`' or '{'
  while (i < n) {
    const c = src[i];
    const d = src[i + 1];
    const inTemplate = stack[stack.length - 1] === '`';
    if (inTemplate) {
      if (c === '\\') {
        out += c + (d ?? '');
        i += 2;
        continue;
      }
      if (c === '`') {
        stack.pop();
        out += c;
        i++;
        continue;
      }
      if (c === '$' && d === '{') {
        stack.push('{');
        out += '${';
        i += 2;
        continue;
      }
      out += c;
      i++;
      continue;
    }
    if (c === '/' && d === '/') {
      while (i < n && src[i] !== '\n') {
        out += ' ';
        i++;
      }
      continue;
    }
    if (c === '/' && d === '*') {
      out += '  ';
      i += 2;
      while (i < n && !(src[i] === '*' && src[i + 1] === '/')) {
        out += src[i] === '\n' ? '\n' : ' ';
        i++;
      }
      out += '  ';
      i += 2;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < n && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
      out += src.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === '`') {
      stack.push('`');
      out += c;
      i++;
      continue;
    }
    if (c === '{' && stack.length) {
      stack.push('{');
      out += c;
      i++;
      continue;
    }
    if (c === '}' && stack.length && stack[stack.length - 1] === '{') {
      stack.pop();
      out += c;
      i++;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

function lineAt(text, index) {
  let l = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) l++;
  return l;
}

/** Index just after the bracket closing the one at `open` (string-aware, roughly). */
function closeOf(text, open) {
  const pairs = { '(': ')', '[': ']', '{': '}' };
  const stack = [pairs[text[open]]];
  let i = open + 1;
  while (i < text.length && stack.length) {
    const c = text[i];
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      i = j + 1;
      continue;
    }
    if (pairs[c]) stack.push(pairs[c]);
    else if (c === stack[stack.length - 1]) stack.pop();
    i++;
  }
  return i;
}

/** A string literal at `i` (after spaces): its value (template holes as `{?}`) and end index. */
function literalAt(text, i) {
  while (/\s/.test(text[i] ?? '')) i++;
  const q = text[i];
  if (q !== "'" && q !== '"' && q !== '`') return undefined;
  let j = i + 1;
  let value = '';
  while (j < text.length && text[j] !== q) {
    if (text[j] === '\\') {
      value += text[j + 1];
      j += 2;
      continue;
    }
    if (q === '`' && text[j] === '$' && text[j + 1] === '{') {
      const end = closeOf(text, j + 1);
      value += '{?}';
      j = end;
      continue;
    }
    value += text[j];
    j++;
  }
  return { value, end: j + 1 };
}

// ---------------------------------------------------------------- packages and aliases
const pkgCache = new Map();
function packageOf(file) {
  let dir = path.dirname(file);
  while (dir.startsWith(ROOT)) {
    if (pkgCache.has(dir)) return pkgCache.get(dir);
    const p = path.join(dir, 'package.json');
    if (fs.existsSync(p)) {
      let deps = {};
      try {
        const j = JSON.parse(fs.readFileSync(p, 'utf8'));
        deps = { ...j.dependencies, ...j.devDependencies, ...j.peerDependencies };
      } catch {}
      const info = { dir, deps };
      pkgCache.set(dir, info);
      return info;
    }
    if (dir === ROOT) break;
    dir = path.dirname(dir);
  }
  return { dir: ROOT, deps: {} };
}

const aliasCache = new Map();
function aliasesFor(file) {
  let dir = path.dirname(file);
  while (dir.startsWith(ROOT)) {
    if (aliasCache.has(dir)) return aliasCache.get(dir);
    for (const name of ['tsconfig.json', 'jsconfig.json']) {
      const p = path.join(dir, name);
      if (!fs.existsSync(p)) continue;
      const list = [];
      try {
        const raw = stripComments(fs.readFileSync(p, 'utf8')).replace(/,(\s*[}\]])/g, '$1');
        const j = JSON.parse(raw);
        const base = path.resolve(dir, j.compilerOptions?.baseUrl ?? '.');
        if (j.compilerOptions?.baseUrl) list.push({ from: '', to: base, star: true, baseUrl: true });
        for (const [k, v] of Object.entries(j.compilerOptions?.paths ?? {})) {
          for (const target of v)
            list.push({
              from: k.replace(/\*$/, ''),
              to: path.resolve(base, target.replace(/\*$/, '')),
              star: k.endsWith('*'),
            });
        }
      } catch {}
      aliasCache.set(dir, list);
      return list;
    }
    if (dir === ROOT) break;
    dir = path.dirname(dir);
  }
  return [];
}

/** The module that declares export `name`, through `export * from` and `export { x } from` barrels. */
function declaringFile(file, name, depth = 0) {
  if (depth > 8) return undefined;
  let text;
  try {
    text = stripComments(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (
    new RegExp(`export\\s+(?:const|let|var|function|async\\s+function|class)\\s+${name.replace(/\$/g, '\\$')}\\b`).test(
      text,
    )
  )
    return file;
  for (const m of text.matchAll(/export\s*\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/g)) {
    for (const part of m[1].split(',')) {
      const [orig, alias] = part.trim().split(/\s+as\s+/);
      if ((alias ?? orig)?.trim() === name) {
        const t = resolveModule(m[2], file);
        return t ? declaringFile(t, orig.trim(), depth + 1) : undefined;
      }
    }
  }
  for (const m of text.matchAll(/export\s*\*\s*from\s*['"]([^'"]+)['"]/g)) {
    const t = resolveModule(m[1], file);
    const found = t && declaringFile(t, name, depth + 1);
    if (found) return found;
  }
  return undefined;
}

let workspacePackages;
function packageNamed(spec) {
  if (!workspacePackages) {
    workspacePackages = new Map();
    const visit = (dir, depth) => {
      if (depth > 4) return;
      let entries;
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        if (e.isFile() && e.name === 'package.json') {
          try {
            const j = JSON.parse(fs.readFileSync(path.join(dir, e.name), 'utf8'));
            if (j.name) workspacePackages.set(j.name, { dir, main: j.main, types: j.types });
          } catch {}
        } else if (e.isDirectory() && !SKIP_DIRS.has(e.name) && !e.name.startsWith('.'))
          visit(path.join(dir, e.name), depth + 1);
      }
    };
    visit(ROOT, 0);
  }
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  const pkg = workspacePackages.get(name);
  if (!pkg) return [];
  const sub = spec.slice(name.length + 1);
  if (sub) return [path.join(pkg.dir, 'src', sub), path.join(pkg.dir, sub)];
  return [
    path.join(pkg.dir, 'src', 'index'),
    path.join(pkg.dir, 'index'),
    ...(pkg.types ? [path.join(pkg.dir, pkg.types.replace(/\.d\.ts$/, '.ts'))] : []),
    ...(pkg.main ? [path.join(pkg.dir, pkg.main)] : []),
  ];
}

function resolveModule(spec, fromFile) {
  let bases = [];
  if (spec.startsWith('.')) bases = [path.resolve(path.dirname(fromFile), spec)];
  else {
    for (const a of aliasesFor(fromFile)) {
      if (a.star ? spec.startsWith(a.from) : spec === a.from)
        bases.push(path.join(a.to, a.star ? spec.slice(a.from.length) : ''));
    }
    // baseUrl last: a package name is not a folder under it
    bases.sort((x, y) => (x.baseUrl ? 1 : 0) - (y.baseUrl ? 1 : 0));
    if (!bases.length && (spec.startsWith('@/') || spec.startsWith('~/'))) {
      const pkg = packageOf(fromFile).dir;
      bases = [path.join(pkg, 'src', spec.slice(2)), path.join(pkg, spec.slice(2))];
    }
    if (!bases.length) bases = packageNamed(spec);
  }
  for (const b of bases) {
    const stem = b.replace(/\.(js|mjs|cjs)$/, '');
    for (const c of [
      b,
      ...['.ts', '.tsx', '.js', '.mjs', '.cjs', '.mts', '.jsx'].map((e) => stem + e),
      ...['index.ts', 'index.js', 'index.tsx', 'index.mjs'].map((i) => path.join(b, i)),
    ]) {
      try {
        if (fs.statSync(c).isFile()) return c;
      } catch {}
    }
  }
  return undefined;
}

// ---------------------------------------------------------------- router files
const ROUTERISH =
  /^(app|router|api|route|routes|r|server|v1|v2|this\.router|this\.app|this\.route|[\w$]*(Router|router|App|Routes|routes|Route|Api|api))$/;
const CLIENTS =
  /^(axios|http|https|request|superagent|supertest|agent|fetch|ky|got|client|\$http|\$fetch|ofetch|cy|page|instance|api\.client|this\.http|this\.client|apiClient|httpClient|redis|cache|store|map|params|searchParams|headers|cookies|formData|url|query|c|ctx|context|req|res|request|response|env|config|db)$/;

/** The receiver chain before the `.` at index `dot`: its root expression text and start index. */
function receiverRoot(text, dot) {
  let i = dot - 1;
  let rootText = '';
  for (let guard = 0; guard < 200; guard++) {
    while (i >= 0 && /\s/.test(text[i])) i--;
    if (text[i] === ')') {
      // skip a balanced (…) backwards
      let depth = 0;
      for (; i >= 0; i--) {
        if (text[i] === ')') depth++;
        else if (text[i] === '(') {
          depth--;
          if (depth === 0) break;
        }
      }
      i--;
      while (i >= 0 && /\s/.test(text[i])) i--;
      // generic arguments `new Hono<Env>()`
      if (text[i] === '>') {
        let depth2 = 0;
        for (; i >= 0; i--) {
          if (text[i] === '>') depth2++;
          else if (text[i] === '<') {
            depth2--;
            if (depth2 === 0) break;
          }
        }
        i--;
      }
    }
    let j = i;
    while (j >= 0 && /[\w$]/.test(text[j])) j--;
    const word = text.slice(j + 1, i + 1);
    i = j;
    let k = i;
    while (k >= 0 && /\s/.test(text[k])) k--;
    if (text[k] === '.' && text[k - 1] !== '.') {
      i = k - 1;
      rootText = word;
      continue;
    }
    // `new X(…)` or a call `x(…)`, or a bare identifier
    const before = text.slice(Math.max(0, k - 3), k + 1);
    if (/new$/.test(before)) return { root: `new ${word}`, start: k - 2 };
    return { root: word || rootText, start: j + 1 };
  }
  return { root: '', start: i };
}

/** `const x = <here>`, `export default <here>`, `return <here>`: the name the chain starting at `start` is bound to. */
function boundName(text, start) {
  const before = text.slice(Math.max(0, start - 120), start);
  let m = before.match(/(?:const|let|var)\s+([\w$]+)\s*(?::[^=]{1,60})?=\s*(?:await\s+)?$/);
  if (m) return m[1];
  m = before.match(/(?:^|[^\w$.])([\w$]+)\s*=\s*$/);
  if (m) return m[1];
  m = before.match(/this\.([\w$]+)\s*=\s*$/);
  if (m) return `this.${m[1]}`;
  if (/export\s+default\s*$/.test(before)) return 'default';
  if (/module\.exports\s*=\s*$/.test(before)) return 'default';
  return undefined;
}

function frameworkOf(file, text) {
  const hono =
    /from\s+['"](hono|hono\/[\w/-]+|@hono\/[\w-]+)['"]|require\(\s*['"]hono['"]|\bnew\s+(OpenAPI)?Hono\b|\bOpenAPIHono\b/.test(
      text,
    );
  const express = /['"](express|express-promise-router)['"]|\bexpress\.Router\b/.test(text);
  if (hono && !express) return 'hono';
  if (express && !hono) return 'express';
  const deps = packageOf(file).deps;
  if (deps.hono || deps['@hono/zod-openapi']) return 'hono';
  if (deps.express || deps['express-promise-router'] || deps.router) return 'express';
  return undefined;
}

/** Imports of a file: local name → { file, name } (name 'default' or the export name). */
function importsOf(file, text) {
  const out = new Map();
  for (const m of text.matchAll(
    /import\s+(?:type\s+)?([\w$]+)?\s*,?\s*(?:\{([^}]*)\})?\s*(?:\*\s+as\s+([\w$]+))?\s*from\s*['"]([^'"]+)['"]/g,
  )) {
    if (/^import\s+type\b/.test(m[0])) continue;
    const target = resolveModule(m[4], file);
    if (!target) continue;
    if (m[1]) out.set(m[1], { file: target, name: 'default' });
    if (m[2])
      for (const part of m[2].split(',')) {
        const [orig, alias] = part
          .trim()
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/);
        if (orig) out.set((alias ?? orig).trim(), { file: target, name: orig.trim() });
      }
    if (m[3]) out.set(m[3], { file: target, name: '*' });
  }
  for (const m of text.matchAll(
    /(?:const|let|var)\s+(?:([\w$]+)|\{([^}]*)\})\s*=\s*require\(\s*['"]([^'"]+)['"]\s*\)(\.[\w$]+)?/g,
  )) {
    const target = resolveModule(m[3], file);
    if (!target) continue;
    if (m[1]) out.set(m[1], { file: target, name: m[4] ? m[4].slice(1) : 'default' });
    if (m[2])
      for (const part of m[2].split(',')) {
        const [orig, alias] = part.trim().split(/\s*:\s*/);
        if (orig) out.set((alias ?? orig).trim(), { file: target, name: orig.trim() });
      }
  }
  return out;
}

/** Exported names of a file → local variable names (`export default app`, `export { a as b }`, `module.exports = x`). */
function exportsOf(text) {
  const out = new Map();
  for (const m of text.matchAll(/export\s+default\s+([\w$]+)\s*;?\s*$/gm)) out.set('default', m[1]);
  for (const m of text.matchAll(/export\s+(?:const|let|var)\s+([\w$]+)/g)) out.set(m[1], m[1]);
  for (const m of text.matchAll(/export\s*\{([^}]*)\}(?!\s*from)/g)) {
    for (const part of m[1].split(',')) {
      const [orig, alias] = part.trim().split(/\s+as\s+/);
      if (orig) out.set((alias ?? orig).trim(), orig.trim());
    }
  }
  for (const m of text.matchAll(/module\.exports\s*=\s*([\w$]+)\s*;?/g)) out.set('default', m[1]);
  for (const m of text.matchAll(/(?:module\.)?exports\.([\w$]+)\s*=\s*([\w$]+)/g)) out.set(m[1], m[2]);
  return out;
}

function scanRouterFile(file, text, registry) {
  const fw = frameworkOf(file, text);
  if (!fw) return;
  const routes = [];
  const mounts = [];
  const bases = [];
  const ownerOf = (dot) => {
    const { root, start } = receiverRoot(text, dot);
    if (root.startsWith('new ') || /^[\w$]+$/.test(root) === false)
      return { owner: boundName(text, start) ?? `@${start}`, root };
    // a chain rooted at a call (`createRouter().get(…)`) or a name
    const bound = boundName(text, start);
    if (bound && text.slice(start).match(/^[\w$.]+\s*(<[^>]*>)?\s*\(/)) return { owner: bound, root };
    return { owner: root, root };
  };
  // route methods with a literal path, and with a computed path on a router-looking receiver
  const re = /\.\s*(get|post|put|patch|delete|options|head|all)\s*\(/g;
  for (const m of text.matchAll(re)) {
    const dot = m.index;
    const argStart = dot + m[0].length;
    const lit = literalAt(text, argStart);
    const { owner, root } = ownerOf(dot);
    const rootName = root.replace(/^new\s+/, '');
    if (CLIENTS.test(rootName) && !root.startsWith('new ')) continue;
    let p;
    // `app.get(['/a', '/a/*'], …)`: one route per path
    const arr = text.slice(argStart).match(/^\s*\[\s*((?:(['"`])[^'"`]*\2\s*,?\s*)+)\]\s*,/);
    if (arr) {
      for (const x of arr[1].matchAll(/(['"`])([^'"`]*)\1/g))
        routes.push({
          method: m[1] === 'all' ? 'ANY' : m[1].toUpperCase(),
          path: x[2],
          line: lineAt(text, dot),
          owner,
        });
      continue;
    }
    if (lit) {
      let k = lit.end;
      while (/\s/.test(text[k] ?? '')) k++;
      if (text[k] !== ',') continue;
      k++;
      while (/\s/.test(text[k] ?? '')) k++;
      if (text[k] === '{' || text[k] === ')') continue; // client options object / nothing
      p = lit.value;
      // a fully computed template (`${props.url}`) only on a router-looking receiver, never in a browser package
      if (
        /^(\{\?\})+$/.test(p) &&
        (!ROUTERISH.test(rootName) || packageOf(file).deps.axios || packageOf(file).deps.react)
      )
        continue;
      const ok =
        p === '' ||
        p.startsWith('/') ||
        p === '*' ||
        p.startsWith('{?}') ||
        (fw === 'hono' && /^[\w:{}.*-]+(\/[\w:{}.*-]*)*$/.test(p) && !/^\w+:\/\//.test(p));
      if (!ok) continue;
      if (fw === 'express' && !p.startsWith('/') && p !== '*' && !p.startsWith('{?}') && p !== '') continue;
    } else {
      // a name or a call as the path: only on a router-looking receiver, with handlers after it
      const rest = text.slice(argStart, argStart + 200);
      const mm = rest.match(/^\s*([A-Za-z_$][\w$.]*)\s*(\(([^()]|\([^()]*\))*\))?\s*,\s*[^\s{)]/);
      if (
        !mm ||
        !(
          ROUTERISH.test(rootName) ||
          /^new (OpenAPI)?Hono$/.test(root) ||
          /^(express|Router|createRouter|createApp)$/.test(rootName)
        )
      )
        continue;
      if (/^[a-z]+$/.test(mm[1]) && !mm[2] && ['req', 'c', 'ctx', 'key', 'name', 'id'].includes(mm[1])) continue;
      // a method of a `.route('/x')` chain takes handlers only: the chain's own pass below lists it
      if (inRouteChain(text, dot)) continue;
      p = '{?}';
    }
    routes.push({ method: m[1] === 'all' ? 'ANY' : m[1].toUpperCase(), path: p, line: lineAt(text, dot), owner });
  }
  // Express `.route('/x').get(h).post(h)`
  for (const m of text.matchAll(/\.\s*route\s*\(/g)) {
    const lit = literalAt(text, m.index + m[0].length);
    if (!lit) continue;
    let k = lit.end;
    while (/\s/.test(text[k] ?? '')) k++;
    if (text[k] === ',') {
      // Hono mount `.route('/x', sub)`
      const rest = text.slice(k + 1, k + 160);
      const mm = rest.match(/^\s*([\w$]+(?:\.[\w$]+)*)\s*(\(\s*\))?\s*\)/);
      const { owner } = ownerOf(m.index);
      if (mm) mounts.push({ owner, prefix: lit.value, child: mm[1], line: lineAt(text, m.index) });
      continue;
    }
    if (text[k] !== ')') continue;
    const { owner } = ownerOf(m.index);
    let i = k + 1;
    for (let guard = 0; guard < 20; guard++) {
      while (/\s/.test(text[i] ?? '')) i++;
      if (text[i] !== '.') break;
      const mm = text.slice(i).match(/^\.\s*([\w$]+)\s*\(/);
      if (!mm) break;
      const open = i + mm[0].length - 1;
      if (METHODS.includes(mm[1]))
        routes.push({
          method: mm[1] === 'all' ? 'ANY' : mm[1].toUpperCase(),
          path: lit.value,
          line: lineAt(text, i),
          owner,
          viaRoute: true,
        });
      i = closeOf(text, open);
    }
  }
  // Express `.use('/x', …, sub)` mounts
  for (const m of text.matchAll(/\.\s*use\s*\(/g)) {
    const lit = literalAt(text, m.index + m[0].length);
    if (!lit) continue;
    const open = m.index + m[0].length - 1;
    const close = closeOf(text, open);
    const inner = text.slice(lit.end, close - 1);
    const parts = inner
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const last = parts[parts.length - 1];
    if (!last) continue;
    const { owner } = ownerOf(m.index);
    const req = last.match(/^require\(\s*['"]([^'"]+)['"]\s*\)(\.[\w$]+)?$/);
    if (req)
      mounts.push({
        owner,
        prefix: lit.value,
        childFile: resolveModule(req[1], file),
        childName: req[2] ? req[2].slice(1) : 'default',
        line: lineAt(text, m.index),
      });
    else if (/^[\w$]+(\.[\w$]+)*$/.test(last))
      mounts.push({ owner, prefix: lit.value, child: last, line: lineAt(text, m.index) });
  }
  // Hono `.on('POST' | ['GET', 'POST'], '/path', …)`
  for (const m of text.matchAll(/\.\s*on\s*\(\s*(\[[^\]]*\]|['"][A-Za-z]+['"])\s*,/g)) {
    const ms = [...m[1].matchAll(/['"]([A-Za-z]+)['"]/g)]
      .map((x) => x[1].toUpperCase())
      .filter((x) => UPPER.includes(x));
    const lit = literalAt(text, m.index + m[0].length);
    if (!ms.length || !lit || !(lit.value.startsWith('/') || lit.value === '*')) continue;
    const { owner } = ownerOf(m.index);
    for (const method of ms) routes.push({ method, path: lit.value, line: lineAt(text, m.index), owner });
  }
  // `.openapi(name, …)` uses: a route object declared in another module takes this router's prefixes
  const openapiUses = [];
  for (const m of text.matchAll(/\.\s*openapi\s*\(\s*(?:\{\s*\.\.\.\s*)?([\w$]+)(?:\.([\w$]+))?\s*,/g))
    openapiUses.push({ head: m[1], member: m[2], owner: ownerOf(m.index).owner, line: lineAt(text, m.index) });
  // @hono/zod-openapi `createRoute({ method, path })`: owner from the `.openapi(` call using it, when visible
  for (const m of text.matchAll(/\bcreateRoute\s*\(\s*\{/g)) {
    const open = m.index + m[0].length - 1;
    const body = text.slice(open, closeOf(text, open));
    const mm = body.match(/\bmethod\s*:\s*['"`](\w+)['"`]/);
    const pm = body.match(/\bpath\s*:\s*(['"`])/);
    if (!mm || !pm) continue;
    const lit = literalAt(body, pm.index + pm[0].length - 1);
    if (!lit) continue;
    const name = boundName(text, m.index);
    let owner = `@openapi`;
    let line = lineAt(text, m.index);
    if (name) {
      const use = text.match(new RegExp(`\\.\\s*openapi\\s*\\(\\s*${name.replace(/\$/g, '\\$')}\\b`));
      if (use) {
        owner = ownerOf(use.index).owner;
        line = lineAt(text, use.index);
      }
    } else {
      const before = text.slice(Math.max(0, m.index - 40), m.index);
      const use = before.match(/\.\s*openapi\s*\(\s*$/);
      if (use) {
        owner = ownerOf(m.index - 40 + use.index).owner;
        line = lineAt(text, m.index - 40 + use.index);
      }
    }
    routes.push({
      method: mm[1].toUpperCase() === 'ALL' ? 'ANY' : mm[1].toUpperCase(),
      path: lit.value,
      line,
      owner,
      openapi: true,
      routeName: owner === '@openapi' ? name : undefined,
    });
  }
  // Hono `.basePath('/x')` on a chain bound to a name
  for (const m of text.matchAll(/\.\s*basePath\s*\(/g)) {
    const lit = literalAt(text, m.index + m[0].length);
    if (!lit) continue;
    const { owner } = ownerOf(m.index);
    const after = text.slice(closeOf(text, m.index + m[0].length - 1));
    bases.push({ owner, prefix: lit.value, continues: /^\s*\./.test(after) });
  }
  registry.files.set(file, {
    fw,
    routes,
    mounts,
    bases,
    openapiUses,
    imports: importsOf(file, text),
    exports: exportsOf(text),
  });
}

// ---------------------------------------------------------------- Next.js
// ---------------------------------------------------------------- tRPC
const PROCEDURE_CALL = /\.\s*(query|mutation)\s*\(/g;
/** tRPC procedures defined in a file: their own names only (see the header). */
function trpcProcedures(file, text, out) {
  if (!/procedure/i.test(text) && !/\.\s*(query|mutation)\s*\(\s*['"`]/.test(text)) return;
  PROCEDURE_CALL.lastIndex = 0;
  let m;
  while ((m = PROCEDURE_CALL.exec(text))) {
    const method = m[1] === 'query' ? 'GET' : 'POST';
    const after = literalAt(text, m.index + m[0].length);
    // v9: `.query('user.get', { resolve })`
    if (after && /^\s*,/.test(text.slice(after.end, after.end + 3)) && /^[\w.-]+$/.test(after.value)) {
      out.push({
        framework: 'trpc',
        method,
        path: after.value,
        file: rel(file),
        line: lineAt(text, m.index),
        trpc: true,
      });
      continue;
    }
    // walk back over the value to the property key (`remove: protectedProcedure.input(…).mutation(`)
    let depth = 0;
    let key;
    let start = -1;
    for (let i = m.index - 1; i >= 0; i--) {
      const ch = text[i];
      if (ch === ')' || ch === ']' || ch === '}') depth++;
      else if (ch === '(' || ch === '[' || ch === '{') {
        if (depth === 0) break;
        depth--;
      } else if (depth === 0 && (ch === ',' || ch === ';')) break;
      else if (depth === 0 && (ch === ':' || ch === '=')) {
        if (ch === '=' && /[=!<>]/.test(text[i - 1] ?? '')) break;
        const before = text.slice(Math.max(0, i - 120), i);
        const km =
          ch === ':'
            ? /(?:([A-Za-z_$][\w$]*)|["'`]([^"'`]+)["'`])\s*$/.exec(before)
            : /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]*)?$/.exec(before);
        if (km) key = km[1] ?? km[2];
        start = i + 1;
        break;
      }
    }
    if (!key || !/procedure/i.test(text.slice(start, m.index))) continue;
    const declared = text[start - 1] === '=';
    out.push({
      framework: 'trpc',
      method,
      path: key,
      file: rel(file),
      line: lineAt(text, m.index),
      trpc: true,
      ...(declared ? { constName: key } : {}),
    });
  }
}

const nextCfgCache = new Map();
function nextBasePath(pkgDir) {
  if (nextCfgCache.has(pkgDir)) return nextCfgCache.get(pkgDir);
  let bp = '';
  for (const n of ['next.config.js', 'next.config.mjs', 'next.config.ts', 'next.config.cjs']) {
    const p = path.join(pkgDir, n);
    if (!fs.existsSync(p)) continue;
    const m = fs.readFileSync(p, 'utf8').match(/basePath\s*:\s*['"]([^'"]*)['"]/);
    if (m) bp = m[1].replace(/\/$/, '');
  }
  nextCfgCache.set(pkgDir, bp);
  return bp;
}
function isNextPackage(pkg) {
  return (
    !!pkg.deps.next ||
    ['next.config.js', 'next.config.mjs', 'next.config.ts', 'next.config.cjs'].some((n) =>
      fs.existsSync(path.join(pkg.dir, n)),
    )
  );
}

function nextRoutes(file, text, out) {
  const pkg = packageOf(file);
  if (!isNextPackage(pkg)) return false;
  const r = path.relative(pkg.dir, file).split(path.sep).join('/');
  const base = nextBasePath(pkg.dir);
  let m = r.match(/^(?:src\/)?app\/(.*\/)?route\.(ts|js|tsx|jsx|mjs)$/);
  if (m) {
    if (r.startsWith('src/') && fs.existsSync(path.join(pkg.dir, 'app'))) return true;
    const segs = (m[1] ?? '').split('/').filter(Boolean);
    if (segs.some((s) => s.startsWith('_') || /^\(\.+\)/.test(s))) return true;
    const urlPath =
      base + '/' + segs.filter((s) => !(s.startsWith('(') && s.endsWith(')')) && !s.startsWith('@')).join('/');
    // Hono mounted in Next (`export const GET = handle(app)`): the Hono routes are listed instead
    if (/from\s+['"](hono\/vercel|hono\/nextjs|@hono\/node-server\/vercel)['"]/.test(text)) return true;
    const methods = new Set();
    for (const x of text.matchAll(/export\s+(?:async\s+)?function\s*\*?\s*(GET|POST|PUT|PATCH|DELETE|OPTIONS|HEAD)\b/g))
      methods.add(x[1]);
    for (const x of text.matchAll(/export\s+(?:const|let|var)\s+(GET|POST|PUT|PATCH|DELETE|OPTIONS|HEAD)\b/g))
      methods.add(x[1]);
    for (const x of text.matchAll(/export\s+(?:const|let|var)\s*\{([^}]*)\}\s*=/g))
      for (const n of x[1].split(',')) {
        const name = n
          .trim()
          .split(/\s*:\s*/)
          .pop();
        if (UPPER.includes(name)) methods.add(name);
      }
    for (const x of text.matchAll(/export\s*\{([^}]*)\}/g))
      for (const n of x[1].split(',')) {
        const name = n
          .trim()
          .split(/\s+as\s+/)
          .pop();
        if (UPPER.includes(name)) methods.add(name);
      }
    for (const method of methods)
      out.push({ framework: 'next-app', method, path: urlPath || '/', file: rel(file), line: 0, full: true });
    return true;
  }
  m = r.match(/^(?:src\/)?pages\/(api\/.*)\.(ts|js|tsx|jsx|mjs)$/);
  if (m) {
    if (r.startsWith('src/') && fs.existsSync(path.join(pkg.dir, 'pages'))) return true;
    const segs = m[1].split('/');
    if (segs.some((s) => ['_app', '_document', '_error', '_middleware'].includes(s))) return true;
    if (segs[segs.length - 1] === 'index') segs.pop();
    const urlPath = base + '/' + segs.join('/');
    const methods = new Set();
    const add = (s) => {
      const u = s.toUpperCase();
      if (UPPER.includes(u)) methods.add(u);
    };
    for (const x of text.matchAll(/\bmethod\s*(?:===?|!==?)\s*['"](\w+)['"]/g)) add(x[1]);
    for (const x of text.matchAll(/['"](\w+)['"]\s*(?:===?|!==?)\s*[\w.]*method\b/g)) add(x[1]);
    if (/\bmethod\b/.test(text)) for (const x of text.matchAll(/\bcase\s+['"](\w+)['"]\s*:/g)) add(x[1]);
    for (const x of text.matchAll(/\[\s*((?:['"](?:GET|POST|PUT|PATCH|DELETE)['"]\s*,?\s*)+)\]/g))
      for (const y of x[1].matchAll(/['"](\w+)['"]/g)) add(y[1]);
    for (const x of text.matchAll(/[{,]\s*(GET|POST|PUT|PATCH|DELETE)\s*[:,}]/g)) add(x[1]);
    if (/next-connect|createRouter\s*\(/.test(text))
      for (const x of text.matchAll(/\.\s*(get|post|put|patch|delete)\s*\(\s*(?!['"`])/g)) add(x[1]);
    const list = methods.size ? [...methods] : ['ANY'];
    for (const method of list)
      out.push({ framework: 'next-pages', method, path: urlPath, file: rel(file), line: 0, full: true });
    return true;
  }
  return false;
}

// ---------------------------------------------------------------- listing
/** Is the call before `dot` part of an Express `.route('/x').get(h).post(h)` chain? */
function inRouteChain(text, dot) {
  let i = dot - 1;
  for (let hops = 0; hops < 20; hops++) {
    while (i >= 0 && /\s/.test(text[i])) i--;
    if (text[i] !== ')') return false;
    let depth = 0;
    for (; i >= 0; i--) {
      if (text[i] === ')') depth++;
      else if (text[i] === '(' && --depth === 0) break;
    }
    i--;
    while (i >= 0 && /\s/.test(text[i])) i--;
    let j = i;
    while (j >= 0 && /[\w$]/.test(text[j])) j--;
    const name = text.slice(j + 1, i + 1);
    if (name === 'route') return true;
    i = j;
    while (i >= 0 && /\s/.test(text[i])) i--;
    if (text[i] !== '.') return false;
    i--;
  }
  return false;
}

function list() {
  const files = [];
  walk(ROOT, files);
  const out = [];
  const trpcTexts = [];
  const registry = { files: new Map(), texts: [], textOf: new Map() };
  for (const f of files) {
    const r = rel(f);
    if (NOT_SERVED.test(r) || NOT_SERVED_FILE.test(r)) continue;
    let text;
    try {
      const st = fs.statSync(f);
      if (st.size > 1024 * 1024) continue;
      text = stripComments(fs.readFileSync(f, 'utf8'));
    } catch {
      continue;
    }
    if (nextRoutes(f, text, out)) continue;
    if (/\.(tsx|jsx)$/.test(f)) continue;
    trpcProcedures(f, text, out);
    if (/procedure/i.test(text)) trpcTexts.push(text);
    if (!/\.\s*(get|post|put|patch|delete|options|head|all|route|on|use|openapi)\s*\(|createRoute/.test(text)) continue;
    registry.texts.push([f, text]);
    registry.textOf.set(f, text);
    scanRouterFile(f, text, registry);
  }
  if (process.env.INV_DEBUG)
    for (const [f, i] of registry.files)
      console.error(
        rel(f),
        i.fw,
        i.routes.length,
        i.openapiUses.length,
        [...i.imports.entries()].map(([k, v]) => k + '=' + rel(v.file) + ':' + v.name).join(' '),
      );
  // a procedure declared as a constant is served under the key a router gives it (`get: getGroupProcedure`)
  for (const e of out) {
    if (!e.constName) continue;
    const re = new RegExp(`([A-Za-z_$][\\w$]*)\\s*:\\s*${e.constName.replace(/\$/g, '\\$')}\\b(?!\\s*[.(])`);
    for (const t of trpcTexts) {
      const m = re.exec(t);
      if (m) {
        e.path = m[1];
        break;
      }
    }
  }
  // prefixes of each router (file, owner), from mounts
  const key = (file, owner) => `${file}\0${owner}`;
  const parents = new Map(); // child key → [{ parentKey, prefix }]
  const ownerForExport = (file, name) => {
    const info = registry.files.get(file);
    if (!info) return undefined;
    if (name === 'default') return info.exports.get('default') ?? 'default';
    return info.exports.get(name) ?? name;
  };
  for (const [file, info] of registry.files) {
    for (const m of info.mounts) {
      let childKey;
      if (m.childFile) childKey = key(m.childFile, ownerForExport(m.childFile, m.childName));
      else {
        const head = m.child.split('.')[0];
        const imp = info.imports.get(head);
        if (imp && imp.name !== '*') childKey = key(imp.file, ownerForExport(imp.file, imp.name));
        else if (imp && imp.name === '*')
          childKey = key(imp.file, ownerForExport(imp.file, m.child.split('.')[1] ?? 'default'));
        else childKey = key(file, m.child);
      }
      if (!childKey) continue;
      const list = parents.get(childKey) ?? [];
      list.push({ parentKey: key(file, m.owner), prefix: m.prefix });
      parents.set(childKey, list);
    }
  }
  const basesOf = new Map();
  for (const [file, info] of registry.files) for (const b of info.bases) basesOf.set(key(file, b.owner), b.prefix);
  const prefixMemo = new Map();
  const prefixes = (k, depth = 0) => {
    if (prefixMemo.has(k)) return prefixMemo.get(k);
    if (depth > 12) return [''];
    prefixMemo.set(k, ['']); // cycle guard
    const own = basesOf.get(k) ?? '';
    const ps = parents.get(k);
    let res;
    if (!ps || !ps.length) res = [own];
    else
      res = [
        ...new Set(ps.flatMap((p) => prefixes(p.parentKey, depth + 1).map((pp) => join(join(pp, p.prefix), own)))),
      ];
    prefixMemo.set(k, res);
    return res;
  };
  // route objects used by `.openapi(x, …)` in another module: (declaring file, export name) → user
  const usedBy = new Map();
  for (const [file, info] of registry.files) {
    for (const u of info.openapiUses) {
      const imp = info.imports.get(u.head);
      if (!imp) continue;
      const name = imp.name === '*' ? u.member : imp.name;
      if (!name) continue;
      const decl = declaringFile(imp.file, name) ?? imp.file;
      const list = usedBy.get(`${decl}\0${name}`) ?? [];
      list.push({ file, owner: u.owner, line: u.line });
      usedBy.set(`${decl}\0${name}`, list);
    }
  }
  for (const [file, info] of registry.files) {
    for (const r of info.routes) {
      const users = r.routeName ? usedBy.get(`${file}\0${r.routeName}`) : undefined;
      // a named route object no `.openapi(…)` call uses is declared, not registered
      if (
        r.routeName &&
        !users &&
        !registry.texts.some(
          ([f, t]) => f !== file && new RegExp(`\\b${r.routeName.replace(/\$/g, '\\$')}\\b`).test(t),
        ) &&
        !new RegExp(`\\b${r.routeName.replace(/\$/g, '\\$')}\\b[^]*\\b${r.routeName.replace(/\$/g, '\\$')}\\b`).test(
          registry.textOf.get(file) ?? '',
        )
      )
        continue;
      if (users) {
        for (const u of users) {
          const uk = key(u.file, u.owner);
          const resolved = parents.has(uk) || [...parents.values()].some((ps) => ps.some((p) => p.parentKey === uk));
          for (const pre of prefixes(uk).slice(0, 8))
            out.push({
              framework: info.fw,
              method: r.method,
              path: join(pre, r.path),
              own: r.path,
              file: rel(u.file),
              line: u.line,
              full: false,
              resolved,
            });
        }
        continue;
      }
      const k = key(file, r.owner);
      const mountedOrMounting = parents.has(k) || [...parents.values()].some((ps) => ps.some((p) => p.parentKey === k));
      for (const pre of prefixes(k).slice(0, 8))
        out.push({
          framework: info.fw,
          method: r.method,
          path: join(pre, r.path),
          own: r.path,
          file: rel(file),
          line: r.line,
          full: false,
          resolved: mountedOrMounting,
        });
    }
  }
  // de-duplicate; one method and path registered twice (`app.get('/x', guard)` before the real `/x`)
  // serves one endpoint; a wildcard registration (`app.put('/users/*', guard)`) with routes under it is
  // their middleware
  const seen = new Set();
  const routerKeys = new Map();
  const deduped = out.filter((e) => {
    const k2 = `${e.framework} ${e.method} ${e.path} ${e.file}:${e.line}`;
    if (seen.has(k2)) return false;
    seen.add(k2);
    if (e.full || !e.resolved || /\{\?\}/.test(e.path)) return true;
    const k3 = `${e.method} ${segs(e.path).join('/')}`;
    routerKeys.set(k3, (routerKeys.get(k3) ?? 0) + 1);
    return true;
  });
  const dropped = new Set();
  return deduped
    .filter((e) => {
      if (e.full || !e.resolved || /\{\?\}/.test(e.path)) return true;
      const k3 = `${e.method} ${segs(e.path).join('/')}`;
      if (routerKeys.get(k3) > 1 && !dropped.has(k3)) {
        dropped.add(k3);
        return false;
      }
      return true;
    })
    .filter((e) => {
      if (e.full || !/\*/.test(e.path)) return true;
      return !deduped.some(
        (o) =>
          o !== e &&
          !o.full &&
          (o.resolved || o.file === e.file) &&
          (e.method === 'ANY' || o.method === e.method) &&
          !/\*/.test(o.path) &&
          wildcardMatches(e.path, o.path),
      );
      return true;
    });
}

function wildcardMatches(pattern, p) {
  const re = new RegExp(
    `^${pattern
      .replace(/\{\*\w*\}|\*\w*/g, '\u0000')
      .replace(/[.+?^$()|[\]\\]/g, '\\$&')
      .replace(/\{[^}]*\}|:[\w]+/g, '[^/]+')
      .replace(/\u0000/g, '.*')}$`,
  );
  return re.test(p);
}

function join(a, b) {
  if (!a) return b;
  if (!b || b === '/') return a;
  return a.replace(/\/$/, '') + (b.startsWith('/') ? b : `/${b}`);
}

// ---------------------------------------------------------------- the scanner
function runScanner() {
  if (opts.scanner) return { report: JSON.parse(fs.readFileSync(opts.scanner, 'utf8')), ms: 0, status: 'given' };
  const bin = opts.bin ? path.resolve(opts.bin) : path.join(HERE, '..', 'bin', 'stepup-audit.js');
  const t = Date.now();
  // `--allow-empty`: a tree with no endpoint is a result here, not an error (older builds do not know the flag)
  const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' }).stdout ?? '';
  const extra = help.includes('--allow-empty') ? ['--allow-empty'] : [];
  const r = spawnSync(process.execPath, [bin, ROOT, '--format', 'json', '--fail-on', 'none', '--quiet', ...extra], {
    encoding: 'utf8',
    maxBuffer: 1024 * 1024 * 1024,
    timeout: opts.timeout * 1000,
  });
  const ms = Date.now() - t;
  if (r.error || r.status === null)
    return {
      report: { endpoints: [], errors: [] },
      ms,
      status: r.error?.code === 'ETIMEDOUT' || r.signal ? `timed out after ${opts.timeout}s` : String(r.error),
    };
  try {
    return { report: JSON.parse(r.stdout), ms, status: `exit ${r.status}` };
  } catch {
    return {
      report: { endpoints: [], errors: [] },
      ms,
      status: `exit ${r.status}; no JSON (${(r.stderr || '').trim().slice(0, 200)})`,
    };
  }
}

// ---------------------------------------------------------------- comparison
function segs(p) {
  return p
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      if (s === '{?}' || (/^\{[^}]*\}$/.test(s) && s.includes('('))) return '?';
      if (/^:|^\{[\w-]+\}$|^\[/.test(s)) return ':';
      if (/\{\?\}/.test(s) || /^\{.*\}$/.test(s)) return '?';
      return s.replace(/\{(\w+)\}/g, ':').toLowerCase();
    });
}
/** Does `full` (scanner) end with `suffix` (lister)? `?` in either matches one or more segments. */
function endsWith(full, suffix) {
  const memo = new Map();
  const go = (i, j) => {
    // i: index into full from the end, j: into suffix from the end
    if (j < 0) return true;
    if (i < 0) return false;
    const k = `${i},${j}`;
    if (memo.has(k)) return memo.get(k);
    const a = full[i];
    const b = suffix[j];
    let r = false;
    if (b === '?') r = go(i - 1, j - 1) || go(i - 1, j);
    else if (a === '?') r = go(i - 1, j - 1) || go(i, j - 1);
    else if (a === b || (a === '*' && b !== ':') || (b === '*' && a !== ':')) r = go(i - 1, j - 1);
    memo.set(k, r);
    return r;
  };
  return go(full.length - 1, suffix.length - 1);
}
function exactly(a, b) {
  return a.length === b.length && endsWith(a, b);
}

function compare(listed, endpoints) {
  const used = new Set();
  const family = (fw) => (fw === 'express' || fw === 'hono' ? 'router' : fw);
  const matched = [];
  const missing = [];
  // most specific first
  const order = [...listed].sort((a, b) => segs(b.path).length - segs(a.path).length);
  for (const l of order) {
    if (l.trpc) {
      const named = (e) => {
        const last = e.path.split('/').pop() ?? '';
        return last === l.path || last.endsWith(`.${l.path}`);
      };
      const cands = endpoints.filter(
        (e, i) => e.framework === 'trpc' && e.method === l.method && named(e) && !used.has(i),
      );
      if (!cands.length) {
        missing.push(l);
        continue;
      }
      cands.sort(
        (a, b) =>
          (a.file === l.file ? 0 : 1) - (b.file === l.file ? 0 : 1) ||
          Math.abs(a.line - l.line) - Math.abs(b.line - l.line),
      );
      used.add(endpoints.indexOf(cands[0]));
      matched.push({ listed: l, endpoint: cands[0] });
      continue;
    }
    const ls = segs(l.path);
    const cands = endpoints.filter((e, i) => {
      if (family(e.framework) !== family(l.framework)) return false;
      if (l.method !== 'ANY' && e.method !== l.method) return false;
      const es = segs(e.path);
      if (l.full) return exactly(es, ls) && (l.method === 'ANY' || !used.has(i));
      if (!endsWith(es, ls)) return false;
      // a route at its router's root matches only in its own file
      if (ls.filter((s) => s !== ':' && s !== '?').length === 0 && e.file !== l.file) return false;
      return !used.has(i);
    });
    if (!cands.length) {
      missing.push(l);
      continue;
    }
    const wild = (e) => (segs(e.path).includes('?') ? 1 : 0);
    cands.sort(
      (a, b) =>
        (a.file === l.file ? 0 : 1) - (b.file === l.file ? 0 : 1) ||
        wild(a) - wild(b) ||
        Math.abs(a.line - l.line) - Math.abs(b.line - l.line),
    );
    if (l.method === 'ANY' && l.full) for (const c of cands) used.add(endpoints.indexOf(c));
    else used.add(endpoints.indexOf(cands[0]));
    matched.push({ listed: l, endpoint: cands[0] });
  }
  const extra = endpoints.filter((_, i) => !used.has(i));
  return { matched, missing, extra };
}

// ---------------------------------------------------------------- main
const t0 = Date.now();
const listed = list();
const listMs = Date.now() - t0;
const scan = runScanner();
const endpoints = (scan.report.endpoints ?? []).map((e) => ({
  framework: e.framework,
  method: e.method,
  path: e.path,
  file: e.file,
  line: e.line,
}));
const { matched, missing, extra } = compare(listed, endpoints);
if (process.env.INV_DEBUG)
  for (const m of matched)
    console.error(
      `${m.listed.file}:${m.listed.line} ${m.listed.method} ${m.listed.path}  =>  ${m.endpoint.file}:${m.endpoint.line} ${m.endpoint.method} ${m.endpoint.path}`,
    );
const per = {};
for (const l of listed) {
  per[l.framework] ??= { listed: 0, matched: 0 };
  per[l.framework].listed++;
}
for (const m of matched) per[m.listed.framework].matched++;
const total = { listed: listed.length, matched: matched.length };
for (const v of [...Object.values(per), total])
  v.recall = v.listed ? Math.round((v.matched / v.listed) * 1000) / 1000 : null;
const unmountedNotes = (scan.report.errors ?? []).filter((e) => /never mounted|unmounted/i.test(e.message ?? ''));
const result = {
  dir: ROOT,
  scanner: {
    status: scan.status,
    ms: scan.ms,
    endpoints: endpoints.length,
    errors: (scan.report.errors ?? []).length,
    unmounted: unmountedNotes.length,
  },
  lister: { entries: listed.length, ms: listMs },
  recall: { overall: total.recall, perFramework: per },
  missing: missing.map((l) => ({ framework: l.framework, method: l.method, path: l.path, file: l.file, line: l.line })),
  extra: extra.map((e) => ({ framework: e.framework, method: e.method, path: e.path, file: e.file, line: e.line })),
};
if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else {
  const w = (s) => process.stdout.write(`${s}\n`);
  w(`inventory-diff ${ROOT}`);
  w(
    `  scanner: ${endpoints.length} endpoints (${scan.status}, ${(scan.ms / 1000).toFixed(1)} s, ${result.scanner.errors} errors, ${result.scanner.unmounted} unmounted-router notes)`,
  );
  w(`  lister:  ${listed.length} registrations`);
  w(`  recall:  ${total.matched}/${total.listed} = ${total.recall}`);
  for (const [fw, v] of Object.entries(per).sort()) w(`    ${fw.padEnd(11)} ${v.matched}/${v.listed} = ${v.recall}`);
  if (missing.length) {
    w(`\nlisted, not in the scanner's inventory (${missing.length}):`);
    for (const l of missing.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line)))
      w(`  ${l.file}:${l.line}  ${l.framework} ${l.method} ${l.path}`);
  }
  if (extra.length) {
    w(`\nin the scanner's inventory, not listed (${extra.length}):`);
    for (const e of extra.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line)))
      w(`  ${e.file}:${e.line}  ${e.framework} ${e.method} ${e.path}`);
  }
}
