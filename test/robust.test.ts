// Failure is contained to the smallest unit, and the analysis is bounded (in-process; the CLI runs
// are in robust-cli.test.ts). A broken import, a 3,000-term concatenation, callbacks nested 300 deep,
// a route file over 1 MiB or a unit that runs out of its work budget cost that expression, endpoint
// or file: every other file's endpoints are still listed, each file not analysed is reported, and
// when it bears endpoints the gate fails (stepup/not-analysed).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Budget, BudgetExceeded } from '../src/analysis/budget.js';
import { defaults } from '../src/config/types.js';
import { scan, type ScanResult } from '../src/pipeline.js';
import { SourceStore } from '../src/project/sources.js';
import { relPosix } from '../src/util.js';
import { hostileFiles } from './helpers/hostile.js';
import { removeProject, writeProject } from './helpers/project.js';

const repo = path.resolve(__dirname, '..');
const temps: string[] = [];
afterAll(() => temps.forEach(removeProject));

function tmp(files: Record<string, string>): string {
  const d = writeProject(files, 'stepup-robust-');
  temps.push(d);
  return d;
}

const ids = (r: ScanResult): string[] => r.endpoints.map((e) => `${e.method} ${e.path}`);

describe('bounded analysis', () => {
  it('a budget stops a unit deterministically, stays spent, and units nest into the outer one', () => {
    const b = new Budget({ unit: 10, free: 100, total: 1000 });
    expect(() =>
      b.run('a', () => {
        for (let i = 0; i < 11; i++) b.step('walk');
      }),
    ).toThrow(BudgetExceeded);
    // a fresh unit has its own allowance; a unit opened inside another shares it
    expect(
      b.run('b', () => {
        for (let i = 0; i < 10; i++) b.step('walk');
        return 'ok';
      }),
    ).toBe('ok');
    expect(() =>
      b.run('c', () => {
        for (let i = 0; i < 6; i++) b.step('walk');
        b.run('d', () => {
          for (let i = 0; i < 5; i++) b.step('walk');
        });
      }),
    ).toThrow(/budget exceeded in walk/);
    // the whole scan's allowance bounds every unit together
    const t = new Budget({ unit: 10, free: 100, total: 25 });
    for (let u = 0; u < 2; u++)
      t.run(`u${u}`, () => {
        for (let i = 0; i < 10; i++) t.step('walk');
      });
    expect(() =>
      t.run('u3', () => {
        for (let i = 0; i < 10; i++) t.step('walk');
      }),
    ).toThrow(BudgetExceeded);
  });

  it('a scan whose units run out finishes, reports each, and makes their endpoints unverifiable (never enforced)', async () => {
    const fixture = path.join(repo, 'fixtures/express/verify-named-guards');
    const r = await scan({
      paths: [fixture],
      config: defaults(),
      limits: { unit: 40, free: 100_000, total: 10_000_000 },
    });
    expect(r.errors.some((e) => /budget exceeded/.test(e.message))).toBe(true);
    const sensitive = r.endpoints.filter((e) => e.classification?.sensitive);
    expect(r.endpoints.every((e) => e.verdict?.status !== 'enforced')).toBe(true);
    expect(
      sensitive.every(
        (e) =>
          e.verdict?.status === 'unverifiable' || e.verdict?.status === 'missing' || e.verdict?.status === 'broken',
      ),
    ).toBe(true);
    expect(r.findings.some((f) => f.ruleId === 'stepup/not-analysed' && f.level === 'error')).toBe(true);
  });
});

describe('walks that cost no more than the code they read', () => {
  it("a bundle's one scope with thousands of reassigned variables is indexed once, not walked per variable", async () => {
    const n = 3000;
    const lines = ['(function () {'];
    for (let i = 0; i < n; i++) lines.push(`  var m${i};`);
    for (let i = 0; i < n; i++) lines.push(`  m${i} = cache(${i});`, `  m${i}.get("k${i}", fallback);`);
    lines.push('})();', '');
    const dir = tmp({
      'package.json': JSON.stringify({ name: 'bundle', dependencies: { express: '4.21.0' } }),
      'src/bundle.js': lines.join('\n'),
    });
    const r = await scan({ paths: [dir], config: defaults() });
    // each variable's resolution used to walk the whole scope again: 20 s here; indexed once, well under a second
    expect(r.timings.extract).toBeLessThan(5_000);
    expect(r.errors).toEqual([]);
  });
});

describe('failure is contained to the smallest unit', () => {
  it('in-process (the default stack): the other files keep their endpoints', async () => {
    const dir = tmp(hostileFiles());
    const r = await scan({ paths: [dir], config: defaults() });
    const listed = ids(r);
    for (const route of ['POST /api/payouts', 'POST /list/transfers']) expect(listed).toContain(route);
    expect(r.endpoints.find((e) => e.path === '/api/payouts')?.verdict?.status).toBe('missing');
    const notAnalysed = r.findings
      .filter((f) => f.ruleId === 'stepup/not-analysed')
      .map((f) => relPosix(dir, f.span.file));
    expect(notAnalysed).toEqual(expect.arrayContaining(['src/list.ts', 'src/big.ts']));
    // a file lost in this thread is reported, never silently dropped
    for (const f of ['src/nest.ts', 'src/concat.ts']) {
      const kept = r.endpoints.some((e) => relPosix(dir, e.anchor.file) === f);
      if (!kept) expect(notAnalysed).toContain(f);
    }
  });

  it('an odd import specifier in a file the app imports costs nothing but that file (the unguarded payout is reported)', async () => {
    const dir = tmp({
      'package.json': JSON.stringify({ name: 'odd', dependencies: { hono: '4.6.0' } }),
      'src/app.ts':
        "import { Hono } from 'hono';\nimport { items } from './items';\nconst app = new Hono();\nconst db: any = {};\napp.route('/api/items', items);\napp.post('/api/payouts', async (c) => { await db.payout.create({ data: await c.req.json() }); return c.json({ ok: true }); });\nexport default app;\n",
      // the handler is the import whose specifier has no text
      'src/items.ts':
        "import { Hono } from 'hono';\nimport { list } from ../x';\nexport const items = new Hono();\nitems.get('/', list);\n",
    });
    const r = await scan({ paths: [dir], config: defaults() });
    expect(r.endpoints.find((e) => e.path === '/api/payouts')?.verdict?.status).toBe('missing');
    expect(ids(r)).toContain('GET /api/items');
    expect(r.errors.some((e) => relPosix(dir, e.file) === 'src/items.ts' && /syntax error/.test(e.message))).toBe(true);
    expect(r.errors.some((e) => e.file === dir)).toBe(false); // never the root, never an adapter
    expect(r.findings.filter((f) => f.ruleId === 'stepup/not-analysed').map((f) => relPosix(dir, f.span.file))).toEqual(
      ['src/items.ts'],
    );
  });

  it('a router mounted by a file that cannot be analysed is listed (its mount unknown: unverifiable), not dropped as unmounted', async () => {
    let nest = 'done()';
    for (let i = 0; i < 300; i++) nest = `step(function () { ${nest} })`;
    const dir = tmp({
      'package.json': JSON.stringify({ name: 'mounts', dependencies: { hono: '4.6.0' } }),
      // too deep for this thread's stack: its parse fails, so where it mounts `profiles` is unknown
      'src/index.ts': `import { Hono } from 'hono';\nimport { profiles } from './profiles';\ndeclare function step(f: () => void): void;\ndeclare function done(): void;\nconst app = new Hono();\napp.route('/profiles', profiles);\nexport function deep() { ${nest}; }\nexport default app;\n`,
      'src/profiles.ts':
        "import { Hono } from 'hono';\nexport const profiles = new Hono();\nconst db: any = {};\nprofiles.delete('/:id', async (c) => { await db.user.delete({ where: { id: c.req.param('id') } }); return c.json({ ok: true }); });\n",
    });
    const r = await scan({ paths: [dir], config: defaults() });
    if (!r.errors.some((e) => relPosix(dir, e.file) === 'src/index.ts' && /nested/.test(e.message))) return; // this stack parsed it: nothing to contain
    const ep = r.endpoints.find((e) => relPosix(dir, e.anchor.file) === 'src/profiles.ts');
    expect(ep?.method).toBe('DELETE');
    expect(ep?.verdict?.status).toBe('unverifiable');
    expect(ep?.verdict?.findings[0]?.message).toMatch(/src\/index\.ts, which could not be analysed/);
  });

  it('a Next.js route file that cannot be analysed keeps its methods listed, unverifiable', async () => {
    const dir = tmp({
      'package.json': JSON.stringify({ name: 'next-app', dependencies: { next: '15.0.0' } }),
      'app/api/transfers/route.ts':
        'export async function POST(req: Request) {\n  return Response.json({ ok: true });\n}\n',
    });
    const r = await scan({ paths: [dir], config: defaults(), limits: { unit: 3, free: 100_000, total: 10_000_000 } });
    const ep = r.endpoints.find((e) => e.path === '/api/transfers');
    expect(ep?.method).toBe('POST');
    expect(ep?.verdict?.status).toBe('unverifiable');
    expect(ep?.verdict?.findings[0]?.message).toMatch(/budget/);
  });
});

describe('files read once', () => {
  it('a file over the size limit is read from disk once, however often its text is asked for', () => {
    const dir = tmp({ 'big.ts': `export const data = ${JSON.stringify('x'.repeat(1_200_000))};\n` });
    const file = path.join(dir, 'big.ts');
    const store = new SourceStore();
    store.known.add(file);
    const spy = vi.spyOn(fs, 'readFileSync');
    try {
      for (let i = 0; i < 3; i++) expect(store.text(file, false)).toBeUndefined();
      expect(store.get(file)).toBeUndefined();
      expect(spy.mock.calls.filter((c) => String(c[0]) === file)).toHaveLength(1);
      expect(store.oversized.get(file)?.bytes).toBeGreaterThan(1_000_000);
    } finally {
      spy.mockRestore();
    }
  });
});
