// The project's own structure: one scan's state lives in its session (two scans in one process
// share nothing), rule files are validated against their schemas, and the layering holds
// (adapters never touch the file system, verification never reaches into the reporters).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaults } from '../src/config/types.js';
import { RULE_FILES, ruleFile } from '../src/rules/load.js';
import { schemaValidator } from '../src/rules/schema.js';
import { removeProject, writeProject } from './helpers/project.js';
import { scan } from '../src/pipeline.js';

const src = path.resolve(__dirname, '../src');
const rules = path.resolve(__dirname, '../rules');

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
    );
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
}

describe('scan session', () => {
  it('a second scan in the same process sees its own configuration (path signals are not shared)', async () => {
    const dir = writeProject({
      'package.json': JSON.stringify({ name: 'gift', dependencies: { express: '4' } }),
      'src/app.ts':
        "import express from 'express';\nconst app = express();\napp.post('/api/gift-cards/redeem-to-friend', (req, res) => { res.json({ ok: true }); });\napp.listen(3000);\n",
    });
    try {
      const plain = await scan({ paths: [dir], config: defaults() });
      expect(plain.endpoints.map((e) => e.classification?.sensitive)).toEqual([false]);
      const config = { ...defaults(), categories: { money: { strongSegments: ['redeem-to-friend'] } } };
      const withWord = await scan({ paths: [dir], config });
      expect(withWord.endpoints.map((e) => e.classification?.categories)).toEqual([['money']]);
      const again = await scan({ paths: [dir], config: defaults() });
      expect(again.endpoints.map((e) => e.classification?.sensitive)).toEqual([false]);
    } finally {
      removeProject(dir);
    }
  });

  it('keeps no scan state at module level: only syntax memos and package constants are allowed', () => {
    // A module-level Map/Set/WeakMap or `let` holds state across scans. These are the allowed ones:
    // caches keyed by syntax nodes whose value depends on that syntax alone, and constants of the package.
    const allowed = new Map<string, string>([
      ['analysis/scope.ts:cache', 'declarations per scope node (syntax alone)'],
      ['analysis/scope.ts:idCache', 'identifier → declaration (syntax alone)'],
      ['analysis/effects.ts:callsCache', 'calls in a function body (syntax alone)'],
      ['analysis/values.ts:returnsCache', 'return expressions of a function body (syntax alone)'],
      ['analysis/effects.ts:paramKeyTests', 'does a function test a key of its parameters (syntax alone)'],
      ['verify/guard/recognise.ts:asyncCache', 'does a function return a promise (syntax alone)'],
      [
        'analysis/effects.ts:randomCache',
        'does a function body call a random source (syntax and the built-in mint calls alone)',
      ],
      ['frameworks/shared/iterations.ts:callIndexCache', 'calls in a source file (syntax alone)'],
      ['rules/schema.ts:compiled', 'compiled JSON Schemas of the package'],
      ['rules/schema.ts:instances', 'the ajv instance holding the package schemas of one folder'],
    ]);
    const found: string[] = [];
    for (const f of sourceFiles(src)) {
      const rel = path.relative(src, f).split(path.sep).join('/');
      const text = fs.readFileSync(f, 'utf8');
      for (const m of text.matchAll(
        /^(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\b[^=\n]*=\s*new\s+(?:Weak)?(?:Map|Set)\b/gm,
      )) {
        // constant sets of literal words (`new Set(['GET', …])`) are immutable in practice; their contents are listed inline
        const decl = text.slice(m.index, text.indexOf('\n', m.index));
        if (/new\s+Set(<[^>]*>)?\(\[/.test(decl) || /new\s+Set<string>\(HTTP_METHODS\)/.test(decl)) continue;
        if (!allowed.has(`${rel}:${m[1]}`)) found.push(`${rel}: ${m[1]}`);
      }
      for (const m of text.matchAll(/^(?:export\s+)?let\s+([A-Za-z_$][\w$]*)/gm)) found.push(`${rel}: let ${m[1]}`);
    }
    expect(found).toEqual([]);
  });
});

describe('rule files', () => {
  it('every rule file matches its JSON Schema', () => {
    for (const name of RULE_FILES) expect(() => ruleFile(name), name).not.toThrow();
  });

  it('a misspelt key, a wrong type or a broken regular expression is an error naming the key', () => {
    const validate = schemaValidator(path.join(rules, 'schema/'), 'guards.schema.json');
    const good = JSON.parse(fs.readFileSync(path.join(rules, 'guards.json'), 'utf8'));
    expect(validate(good)).toEqual([]);
    const misspelt = structuredClone(good);
    misspelt.vocabulary.guardNamez = misspelt.vocabulary.guardNames;
    expect(validate(misspelt).join('\n')).toMatch(/\/vocabulary: unknown key "guardNamez"/);
    const wrongType = structuredClone(good);
    wrongType.responses.senders = 'json';
    expect(validate(wrongType).join('\n')).toMatch(/\/responses\/senders: must be array/);
    const badRegex = structuredClone(good);
    badRegex.vocabulary.guardNames = '(step';
    expect(validate(badRegex).join('\n')).toMatch(/\/vocabulary\/guardNames: must match format "regex"/);
  });

  it('every schema is used by a rule file and every rule file has a schema', () => {
    const schemas = fs
      .readdirSync(path.join(rules, 'schema'))
      .filter((f) => f.endsWith('.schema.json'))
      .map((f) => f.replace('.schema.json', ''));
    expect(schemas.filter((s) => s !== 'common').sort()).toEqual([...RULE_FILES].sort());
  });
});

describe('layering', () => {
  it('adapters never touch the file system', () => {
    const offenders = sourceFiles(path.join(src, 'frameworks')).filter((f) =>
      importsOf(f).some(
        (i) =>
          /^(node:)?fs(\/promises)?$/.test(i) ||
          (/project\/(discover|resolve|sources)\.js$/.test(i) && !/sources\.js$/.test(i)),
      ),
    );
    expect(offenders.map((f) => path.relative(src, f))).toEqual([]);
  });

  it('verification never imports the reporters; analysis never imports classification or verification', () => {
    const bad: string[] = [];
    for (const f of sourceFiles(path.join(src, 'verify')))
      for (const i of importsOf(f)) if (i.includes('/report/')) bad.push(`${path.relative(src, f)} → ${i}`);
    for (const f of sourceFiles(path.join(src, 'analysis')))
      for (const i of importsOf(f))
        if (/\/(classify|verify|report|frameworks)\//.test(i)) bad.push(`${path.relative(src, f)} → ${i}`);
    expect(bad).toEqual([]);
  });

  it('guard recognition has one door: code outside src/verify/guard imports only its index', () => {
    const bad: string[] = [];
    for (const f of sourceFiles(src)) {
      if (f.startsWith(path.join(src, 'verify', 'guard') + path.sep)) continue;
      for (const i of importsOf(f))
        if (/verify\/guard\/|^\.\/guard\/|^\.\.\/guard\//.test(i) && !/guard\/index\.js$/.test(i))
          bad.push(`${path.relative(src, f)} → ${i}`);
    }
    expect(bad).toEqual([]);
  });

  it('the pipeline never names a framework or an auth library', () => {
    const text = fs
      .readFileSync(path.join(src, 'pipeline.ts'), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    expect(text).not.toMatch(/\b(next|express|hono|better-auth|freshAge|clerk)\b/i);
  });
});
