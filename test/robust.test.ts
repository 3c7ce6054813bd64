// Failure is contained to the smallest unit, and the analysis is bounded. A broken import, a
// 3,000-term concatenation, callbacks nested 300 deep, a route file over 1 MiB or a unit that runs
// out of its work budget cost that expression, endpoint or file: every other file's endpoints
// are still listed, each file not analysed is reported, and when it bears endpoints the gate fails
// (stepup/not-analysed). The fixtures scan to completion under a time limit the harness enforces.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Budget, BudgetExceeded } from '../src/analysis/budget.js';
import { defaults } from '../src/config/types.js';
import { scan, type ScanResult } from '../src/pipeline.js';
import { relPosix } from '../src/util.js';
import { removeProject, writeProject } from './helpers/project.js';

const repo = path.resolve(__dirname, '..');
const bin = path.join(repo, 'bin/stepup-audit.js');
const temps: string[] = [];
afterAll(() => temps.forEach(removeProject));

function tmp(files: Record<string, string>): string {
  const d = writeProject(files, 'stepup-robust-');
  temps.push(d);
  return d;
}

/** The CLI in a child process, killed when it runs past `limitMs`: a hang fails the test instead of stalling the run. */
function cli(args: string[], limitMs: number): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: limitMs, killSignal: 'SIGKILL', env: { ...process.env, NO_COLOR: '1', GITHUB_STEP_SUMMARY: '' }, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
}

const ids = (r: ScanResult): string[] => r.endpoints.map((e) => `${e.method} ${e.path}`);

describe('bounded analysis', () => {
  it('a budget stops a unit deterministically, stays spent, and units nest into the outer one', () => {
    const b = new Budget({ unit: 10, free: 100, total: 1000 });
    expect(() => b.run('a', () => { for (let i = 0; i < 11; i++) b.step('walk'); })).toThrow(BudgetExceeded);
    // a fresh unit has its own allowance; a unit opened inside another shares it
    expect(b.run('b', () => { for (let i = 0; i < 10; i++) b.step('walk'); return 'ok'; })).toBe('ok');
    expect(() => b.run('c', () => { for (let i = 0; i < 6; i++) b.step('walk'); b.run('d', () => { for (let i = 0; i < 5; i++) b.step('walk'); }); })).toThrow(/budget exceeded in walk/);
    // the whole scan's allowance bounds every unit together
    const t = new Budget({ unit: 10, free: 100, total: 25 });
    for (let u = 0; u < 2; u++) t.run(`u${u}`, () => { for (let i = 0; i < 10; i++) t.step('walk'); });
    expect(() => t.run('u3', () => { for (let i = 0; i < 10; i++) t.step('walk'); })).toThrow(BudgetExceeded);
  });

  it('a scan whose units run out finishes, reports each, and makes their endpoints unverifiable (never enforced)', async () => {
    const fixture = path.join(repo, 'fixtures/express/verify-named-guards');
    const r = await scan({ paths: [fixture], config: defaults(), limits: { unit: 40, free: 100_000, total: 10_000_000 } });
    expect(r.errors.some((e) => /budget exceeded/.test(e.message))).toBe(true);
    const sensitive = r.endpoints.filter((e) => e.classification?.sensitive);
    expect(r.endpoints.every((e) => e.verdict?.status !== 'enforced')).toBe(true);
    expect(sensitive.every((e) => e.verdict?.status === 'unverifiable' || e.verdict?.status === 'missing' || e.verdict?.status === 'broken')).toBe(true);
    expect(r.findings.some((f) => f.ruleId === 'stepup/not-analysed' && f.level === 'error')).toBe(true);
  });

  it('the fixtures scan to completion under the time limit this test sets', () => {
    const out = path.join(tmp({ 'README.md': 'output only\n' }), 'fixtures.json');
    const r = cli([path.join(repo, 'fixtures'), '--format', 'json', '-o', out, '-q'], 240_000);
    expect(r.signal, `killed after ${Math.round(r.ms)} ms`).toBeNull();
    expect([0, 1]).toContain(r.status);
    const json = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(json.errors.filter((e: { message: string }) => /budget|nested/.test(e.message))).toEqual([]);
    expect(json.summary.endpoints).toBeGreaterThan(500);
  });

  it('the recursive stream module of a vendoring application scans in seconds', () => {
    const r = cli([path.join(repo, 'fixtures/express/regress-recursive-stream-util'), '--format', 'json'], 30_000);
    expect(r.signal, `killed after ${Math.round(r.ms)} ms`).toBeNull();
    const json = JSON.parse(r.stdout);
    expect(json.endpoints.map((e: { method: string; path: string }) => `${e.method} ${e.path}`)).toEqual(['POST /api/payouts', 'POST /api/uploads']);
    expect(json.errors).toEqual([]);
  });
});

// The shapes that used to drop a whole adapter or file: each in a file of its own, next to healthy files.
function hostileTree(): string {
  const terms = Array.from({ length: 3000 }, (_, i) => `'x${i}'`).join(' + ');
  let nest = 'done()';
  for (let i = 0; i < 300; i++) nest = `step(function () { ${nest} })`;
  const dir = tmp({
    'package.json': JSON.stringify({ name: 'hostile-hono', dependencies: { hono: '4.6.0' } }),
    'src/db.ts': 'export const db: any = {};\n',
    'src/index.ts': [
      "import { Hono } from 'hono';",
      "import { db } from './db';",
      "import { listRoutes } from './list';",
      "import { concatRoutes } from './concat';",
      "import { nestRoutes } from './nest';",
      'const app = new Hono();',
      "app.post('/api/payouts', async (c) => { await db.payout.create({ data: await c.req.json() }); return c.json({ ok: true }); });",
      "app.route('/list', listRoutes);",
      "app.route('/concat', concatRoutes);",
      "app.route('/nest', nestRoutes);",
      'export default app;',
      '',
    ].join('\n'),
    // an import without its opening quote (moduleSpecifier without text)
    'src/list.ts': "import { Hono } from 'hono';\nimport { list } from ../x';\nimport { db } from './db';\nexport const listRoutes = new Hono();\nlistRoutes.get('/', (c) => c.json(list()));\nlistRoutes.post('/transfers', async (c) => { await db.transfer.create({ data: await c.req.json() }); return c.json({}); });\n",
    'src/concat.ts': `import { Hono } from 'hono';\nimport { db } from './db';\nexport const concatRoutes = new Hono();\nconst banner = ${terms};\nconcatRoutes.post('/wires', async (c) => { await db.wire.create({ data: { note: banner } }); return c.json({}); });\nconcatRoutes.delete('/account', async (c) => { await db.user.delete({ where: { id: 1 } }); return c.json({}); });\n`,
    'src/nest.ts': `import { Hono } from 'hono';\nimport { db } from './db';\nexport const nestRoutes = new Hono();\ndeclare function step(f: () => void): void;\ndeclare function done(): void;\nexport function deep() { ${nest}; }\nnestRoutes.post('/api-keys', async (c) => { await db.apiKey.create({ data: {} }); return c.json({}); });\n`,
    'src/big.ts': `import { Hono } from 'hono';\nimport { db } from './db';\nconst big = new Hono();\nbig.post('/api/big/withdrawals', async (c) => { await db.withdrawal.create({ data: {} }); return c.json({}); });\nexport default big;\n// ${'x'.repeat(1_100_000)}\n`,
  });
  return dir;
}

describe('failure is contained to the smallest unit', () => {
  it('in the CLI (a large stack): every healthy route is reported, the broken files are named, and the gate fails', () => {
    const dir = hostileTree();
    const r = cli([dir, '--format', 'json'], 120_000);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(1);
    const json = JSON.parse(r.stdout);
    const listed = json.endpoints.map((e: { method: string; path: string }) => `${e.method} ${e.path}`);
    for (const route of ['POST /api/payouts', 'POST /concat/wires', 'DELETE /concat/account', 'POST /nest/api-keys', 'POST /list/transfers']) expect(listed).toContain(route);
    const statusOf = (route: string): string => json.endpoints.find((e: { method: string; path: string }) => `${e.method} ${e.path}` === route).stepUp.status;
    expect(statusOf('POST /api/payouts')).toBe('missing');
    const errored = json.errors.map((e: { file: string }) => e.file);
    expect(errored).toEqual(expect.arrayContaining(['src/list.ts', 'src/big.ts']));
    const notAnalysed = json.findings.filter((f: { ruleId: string }) => f.ruleId === 'stepup/not-analysed').map((f: { file: string }) => f.file);
    expect(notAnalysed).toEqual(expect.arrayContaining(['src/list.ts', 'src/big.ts']));
    // SARIF: a notification per file, an error-level result per endpoint-bearing one
    const sarif = cli([dir, '--format', 'sarif'], 120_000);
    const run = JSON.parse(sarif.stdout).runs[0];
    expect(run.invocations[0].executionSuccessful).toBe(false);
    expect(run.results.filter((x: { ruleId: string }) => x.ruleId === 'stepup/not-analysed').length).toBeGreaterThanOrEqual(2);
  });

  it('in-process (the default stack): the other files keep their endpoints', async () => {
    const dir = hostileTree();
    const r = await scan({ paths: [dir], config: defaults() });
    const listed = ids(r);
    for (const route of ['POST /api/payouts', 'POST /list/transfers']) expect(listed).toContain(route);
    expect(r.endpoints.find((e) => e.path === '/api/payouts')?.verdict?.status).toBe('missing');
    const notAnalysed = r.findings.filter((f) => f.ruleId === 'stepup/not-analysed').map((f) => relPosix(dir, f.span.file));
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
      'src/app.ts': "import { Hono } from 'hono';\nimport { items } from './items';\nconst app = new Hono();\nconst db: any = {};\napp.route('/api/items', items);\napp.post('/api/payouts', async (c) => { await db.payout.create({ data: await c.req.json() }); return c.json({ ok: true }); });\nexport default app;\n",
      // the handler is the import whose specifier has no text
      'src/items.ts': "import { Hono } from 'hono';\nimport { list } from ../x';\nexport const items = new Hono();\nitems.get('/', list);\n",
    });
    const r = await scan({ paths: [dir], config: defaults() });
    expect(r.endpoints.find((e) => e.path === '/api/payouts')?.verdict?.status).toBe('missing');
    expect(ids(r)).toContain('GET /api/items');
    expect(r.errors.some((e) => relPosix(dir, e.file) === 'src/items.ts' && /syntax error/.test(e.message))).toBe(true);
    expect(r.errors.some((e) => e.file === dir)).toBe(false); // never the root, never an adapter
    expect(r.findings.filter((f) => f.ruleId === 'stepup/not-analysed').map((f) => relPosix(dir, f.span.file))).toEqual(['src/items.ts']);
  });

  it('a Next.js route file that cannot be analysed keeps its methods listed, unverifiable', async () => {
    const dir = tmp({
      'package.json': JSON.stringify({ name: 'next-app', dependencies: { next: '15.0.0' } }),
      'app/api/transfers/route.ts': 'export async function POST(req: Request) {\n  return Response.json({ ok: true });\n}\n',
    });
    const r = await scan({ paths: [dir], config: defaults(), limits: { unit: 3, free: 100_000, total: 10_000_000 } });
    const ep = r.endpoints.find((e) => e.path === '/api/transfers');
    expect(ep?.method).toBe('POST');
    expect(ep?.verdict?.status).toBe('unverifiable');
    expect(ep?.verdict?.findings[0]?.message).toMatch(/budget/);
  });
});
