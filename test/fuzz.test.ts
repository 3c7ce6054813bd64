// The seeded mutation fuzzer (helpers/fuzz.ts). For each mutated tree:
//  - every endpoint of every unmutated file is still listed: each one the tree lists both as it was
//    and with the mutated files emptied (a broken file may cost its own content, never another
//    file's; what the content itself decides, such as a route it shadows or the methods a host route
//    lets through to a mounted app, is left out), or reported as a router the mutated code imports
//    but no longer mounts;
//  - the JSON report parses and follows the contract, the SARIF log is valid against the schema;
//  - nothing outside the tree is opened (the sentinel folder it points at is never read).
// `npm test` runs a few trees; `npm run fuzz` runs many (STEPUP_FUZZ_TREES, STEPUP_FUZZ_SEED).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { audit } from '../src/audit.js';
import { defaults } from '../src/config/types.js';
import type { Endpoint } from '../src/model.js';
import { scan } from '../src/pipeline.js';
import { renderJson } from '../src/report/json.js';
import { buildSarif } from '../src/report/sarif.js';
import { sarifValidator } from './helpers/sarif-schema.js';
import { listFixtures } from './helpers/annotations.js';
import { copyTree, makeCase } from './helpers/fuzz.js';

const TREES = Number(process.env.STEPUP_FUZZ_TREES ?? 8);
const SEED = Number(process.env.STEPUP_FUZZ_SEED ?? 16);
const repo = path.resolve(__dirname, '..');
const fixtures = listFixtures(path.join(repo, 'fixtures'));

const validateSarif = sarifValidator();

const work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'stepup-fuzz-')));
// Outside every tree: a real step-up guard, which a scan that read it could take for the tree's own.
const sentinel = path.join(work, 'sentinel');
fs.mkdirSync(sentinel);
fs.writeFileSync(
  path.join(sentinel, 'guard.ts'),
  'export function requireStepUp(req: any, res: any, next: any) {\n  if (Date.now() - req.session.stepUpAt > 60_000) return res.status(403).end();\n  next();\n}\n',
);
fs.writeFileSync(path.join(sentinel, 'package.json'), JSON.stringify({ name: 'sentinel', main: 'guard.ts' }));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const inside = (p: string, dir: string): boolean => p === dir || p.startsWith(dir + path.sep);
// An endpoint by where it is declared (a pages route's methods come from its handler, which may be the mutated code).
const key = (dir: string, e: Endpoint): string =>
  `${e.framework} ${path.relative(dir, e.anchor.file).split(path.sep).join('/')}:${e.anchor.line}`;

/** Paths handed to node:fs file-opening calls while `fn` runs. */
async function recordingReads<T>(fn: () => Promise<T>): Promise<{ value: T; opened: string[] }> {
  const opened: string[] = [];
  const spies = (['readFileSync', 'openSync', 'readdirSync', 'opendirSync', 'readlinkSync'] as const).map((name) => {
    const orig = fs[name] as (...a: unknown[]) => unknown;
    return vi.spyOn(fs, name).mockImplementation(((p: unknown, ...rest: unknown[]) => {
      if (typeof p === 'string') opened.push(path.resolve(p));
      else if (p instanceof URL) opened.push(p.pathname);
      return orig.call(fs, p, ...rest);
    }) as never);
  });
  try {
    return { value: await fn(), opened };
  } finally {
    spies.forEach((s) => s.mockRestore());
  }
}

/** Endpoints of the unmutated files when the mutated ones are empty: all they can cost (cached per fixture and file set). */
const controls = new Map<string, Set<string>>();
async function expected(fixture: string, mutated: string[]): Promise<Set<string>> {
  const k = `${fixture}\0${[...mutated].sort().join('\0')}`;
  let hit = controls.get(k);
  if (hit) return hit;
  const dir = path.join(work, `control-${controls.size}`);
  copyTree(fixture, dir);
  // emptied, not removed: a folder that holds a route file still decides which tree Next.js serves
  for (const f of mutated) fs.writeFileSync(path.join(dir, f), '');
  const r = await scan({ paths: [dir], config: defaults() });
  hit = new Set(r.endpoints.map((e) => key(dir, e)));
  controls.set(k, hit);
  fs.rmSync(dir, { recursive: true, force: true });
  return hit;
}

/** Endpoints of the fixture as it is (cached). */
const originals = new Map<string, Set<string>>();
async function original(fixture: string): Promise<Set<string>> {
  let hit = originals.get(fixture);
  if (!hit) {
    const r = await scan({ paths: [fixture], config: defaults() });
    originals.set(fixture, (hit = new Set(r.endpoints.map((e) => key(fixture, e)))));
  }
  return hit;
}

const stats = { trees: 0, mutations: new Map<string, number>(), checked: 0, notAnalysed: 0, errors: 0, maxMs: 0 };

describe(`fuzz: ${TREES} mutated trees (seed ${SEED})`, () => {
  for (let i = 0; i < TREES; i++) {
    it(`tree ${i}`, async () => {
      const dir = path.join(work, `tree-${i}`);
      fs.mkdirSync(dir);
      const c = makeCase(SEED, i, fixtures, dir, sentinel);
      const label = `${path.relative(repo, c.fixture)}: ${c.mutated.map((m) => `${m.file} (${m.mutation})`).join(', ')}${c.links.length ? ` + link ${c.links.join(', ')}` : ''}`;
      const emptied = await expected(
        c.fixture,
        c.mutated.map((m) => m.file),
      );
      const before = await original(c.fixture);
      const want = new Set([...emptied].filter((k) => before.has(k)));

      const t0 = performance.now();
      const { value: result, opened } = await recordingReads(() =>
        audit({ paths: [dir], config: defaults(), allowEmpty: true }),
      );
      const ms = performance.now() - t0;
      const { report } = result;

      // every endpoint of every unmutated file is still listed (or, when the mutated code still imports
      // its router but no longer mounts it, reported in errors[] as a router never mounted: not silent)
      const got = new Set(report.endpoints.map((e) => key(dir, e)));
      const unmountedFiles = new Set(
        report.errors
          .filter((e) => /never mounted/.test(e.message))
          .map((e) => path.relative(dir, e.file).split(path.sep).join('/')),
      );
      const lost = [...want].filter((k) => !got.has(k) && !unmountedFiles.has(k.split(' ')[1].replace(/:\d+$/, '')));
      expect(lost, label).toEqual([]);

      // a mutation that keeps a file's meaning (a BOM, CRLF, a long or deep appended statement, over
      // 1 MiB) keeps its endpoints, or the file is reported: never a silent loss
      const errored = new Set(report.errors.map((e) => path.relative(dir, e.file).split(path.sep).join('/')));
      for (const m of c.mutated.filter((x) => x.preserving && c.mutated.length === 1)) {
        const before = [...(await original(c.fixture))].filter((k) => k.split(' ')[1].startsWith(`${m.file}:`));
        const missing = before.filter((k) => !got.has(k));
        if (missing.length)
          expect(errored.has(m.file), `${label}: ${missing.join(', ')} gone without a report`).toBe(true);
        if (missing.length)
          expect(
            report.findings.some(
              (f) =>
                f.ruleId === 'stepup/not-analysed' &&
                path.relative(dir, f.span.file).split(path.sep).join('/') === m.file,
            ),
            label,
          ).toBe(true);
      }

      // the reports are valid
      const json = JSON.parse(renderJson(report));
      expect(json.version, label).toBe(1);
      expect(Array.isArray(json.endpoints) && Array.isArray(json.findings) && Array.isArray(json.errors), label).toBe(
        true,
      );
      for (const e of json.endpoints)
        expect(typeof e.id === 'string' && typeof e.file === 'string' && Number.isInteger(e.line), label).toBe(true);
      const sarif = buildSarif(report);
      const ok = validateSarif(JSON.parse(JSON.stringify(sarif)));
      expect(validateSarif.errors ?? [], label).toEqual([]);
      expect(ok, label).toBe(true);

      // nothing outside the tree was opened (the package's own rule files aside), the sentinel never
      const outside = opened.filter((p) => !inside(p, dir) && !inside(p, repo));
      expect(outside, label).toEqual([]);
      expect(
        opened.filter((p) => inside(p, sentinel)),
        label,
      ).toEqual([]);

      stats.trees++;
      for (const m of c.mutated) stats.mutations.set(m.mutation, (stats.mutations.get(m.mutation) ?? 0) + 1);
      stats.checked += want.size;
      stats.notAnalysed += report.findings.filter((f) => f.ruleId === 'stepup/not-analysed').length;
      stats.errors += report.errors.length;
      stats.maxMs = Math.max(stats.maxMs, ms);
      fs.rmSync(dir, { recursive: true, force: true });
    });
  }

  afterAll(() => {
    const kinds = [...stats.mutations.entries()]
      .sort()
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    process.stdout.write(
      `fuzz (seed ${SEED}): ${stats.trees}/${TREES} trees passed; ${stats.checked} endpoints of unmutated files checked; ${stats.errors} errors[] entries, ${stats.notAnalysed} not-analysed findings; slowest tree ${Math.round(stats.maxMs)} ms; mutations: ${kinds}\n`,
    );
  });
});
