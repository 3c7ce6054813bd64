// The command line, in-process through main(args, io): exit codes, outputs, baselines, suppressions.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, repoRoot as root } from './helpers/cli.js';
import { removeProject, writeProject } from './helpers/project.js';

const demo = path.join(root, 'fixtures/demo');
const temps: string[] = [];

const run = (args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) =>
  runCli(args, { ...opts, env: { GITHUB_STEP_SUMMARY: '', ...opts.env } });

function tmp(files: Record<string, string>): string {
  const d = writeProject(files, 'stepup-cli-');
  temps.push(d);
  return d;
}

afterAll(() => temps.forEach(removeProject));

const PAYEE_ROUTE = `import { db } from '../../../lib/db';
export async function POST(req: Request) {
  const { iban, name } = await req.json();
  await db.payee.create({ data: { iban, name } });
  return Response.json({ ok: true });
}
`;

function smallApp(extra: Record<string, string> = {}): string {
  return tmp({
    'package.json': JSON.stringify({ name: 'small', dependencies: { next: '15.0.0' } }),
    'lib/db.ts': 'export const db: any = {};\n',
    'app/api/payees/route.ts': PAYEE_ROUTE,
    ...extra,
  });
}

function treeDigest(dir: string): string {
  const h = crypto.createHash('sha256');
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      h.update(path.relative(dir, p));
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) h.update(fs.readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex');
}

describe('stepup-audit CLI', async () => {
  it('scans the demo, prints findings and the headline, and exits 1', async () => {
    const r = await run(['fixtures/demo']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/stepup\/result-ignored/);
    expect(r.stdout).toMatch(/7 of 12 sensitive endpoints lack step-up \(5 missing, 2 broken\)/);
    expect(r.stderr).toBe('');
  });

  it('an application folder whose procedures live in a shared package is not reported empty', async () => {
    const r = await run(['fixtures/trpc/regress-nuxt-namespace-router/apps/web']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/POST \/api\/trpc\/auth\.changePassword/);
    expect(r.stdout).toMatch(/1 of 1 sensitive endpoint lacks step-up/);
    expect(r.stderr).not.toMatch(/no endpoints found/);
  });

  it('follows a workspace member that only pnpm-workspace.yaml lists (a stale package.json workspaces beside it)', async () => {
    const r = await run(['fixtures/trpc/regress-pnpm-workspace-members/apps/web']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/POST \/api\/trpc\/apikeys\.revoke/);
    expect(r.stdout).toMatch(/1 of 1 sensitive endpoint lacks step-up \(1 missing/);
  });

  it('--fail-on none exits 0 with the same findings', async () => {
    const r = await run(['fixtures/demo', '--fail-on', 'none']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/stepup\/missing/);
  });

  it('--fail-on error ignores warnings and notes', async () => {
    const dir = tmp({
      'package.json': JSON.stringify({ name: 'w', dependencies: { express: '4' } }),
      'src/app.ts': `import express from 'express';
const app = express();
app.post('/api/payees', async (req, res) => {
  if (!req.session.reauthAt || Date.now() - req.session.reauthAt > 2 * 60 * 60 * 1000) return res.status(403).end();
  await db.payee.create({ data: { iban: req.body.iban } });
  res.sendStatus(201);
});
const db: any = {};
`,
    });
    expect((await run([dir])).code).toBe(1);
    expect((await run([dir, '--fail-on', 'error'])).code).toBe(0);
    expect((await run([dir, '--fail-on', 'error'])).stdout).toMatch(/stepup\/weak-assurance/);
  });

  it('a missing path exits 2 with one line and no stack trace', async () => {
    const r = await run(['does/not/exist']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/path not found: does\/not\/exist/);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
    expect(r.stdout).toBe('');
  });

  it('usage errors exit 2 with one line', async () => {
    for (const args of [
      ['--bogus'],
      ['--format', 'xml', 'fixtures/demo'],
      ['--fail-on', 'loud', 'fixtures/demo'],
      ['--max-freshness', 'soon', 'fixtures/demo'],
    ]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  it('an invalid configuration exits 2 naming the file and the key', async () => {
    const dir = smallApp({ 'stepup-audit.config.json': JSON.stringify({ maxFreshnesMinutes: 10 }) });
    const r = await run([dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/stepup-audit\.config\.json: unknown key "maxFreshnesMinutes"/);
    const bad = smallApp({
      'stepup-audit.config.json': JSON.stringify({ guards: [{ name: 'x', fails: 'sometimes' }] }),
    });
    expect((await run([bad])).stderr).toMatch(/"guards"\[0\]\."fails": expected one of/);
    const broken = smallApp({ 'stepup-audit.config.json': '{ not json' });
    expect((await run([broken])).stderr).toMatch(/invalid JSON/);
  });

  it('configuration marks endpoints not sensitive by pattern', async () => {
    const dir = smallApp({ 'stepup-audit.config.json': JSON.stringify({ sensitive: { 'POST /api/payees': false } }) });
    const r = await run([dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/0 of 0 sensitive endpoints/);
  });

  it('--format json follows the contract and is deterministic', async () => {
    const a = await run(['fixtures/demo', '--format', 'json']);
    const b = await run(['fixtures/demo', '--format', 'json']);
    expect(a.code).toBe(1);
    const ja = JSON.parse(a.stdout);
    const jb = JSON.parse(b.stdout);
    expect(ja.version).toBe(1);
    expect(ja.tool.name).toBe('stepup-audit');
    expect(Object.keys(ja.summary)).toEqual(
      expect.arrayContaining(['files', 'endpoints', 'sensitive', 'enforced', 'missing', 'broken', 'durationMs']),
    );
    expect(ja.summary).toMatchObject({ endpoints: 17, sensitive: 12, enforced: 5, missing: 5, broken: 2 });
    const ep = ja.endpoints.find((e: { id: string }) => e.id === 'next-app POST /api/transfers');
    expect(ep).toMatchObject({
      framework: 'next-app',
      method: 'POST',
      path: '/api/transfers',
      file: 'apps/web/app/api/transfers/route.ts',
      line: 8,
      sensitive: true,
      categories: ['money'],
    });
    expect(ep.stepUp.status).toBe('enforced');
    for (const f of ja.findings)
      expect(f).toEqual(
        expect.objectContaining({
          ruleId: expect.stringMatching(/^stepup\//),
          level: expect.any(String),
          endpointId: expect.any(String),
          file: expect.any(String),
          line: expect.any(Number),
          column: expect.any(Number),
          suppressed: false,
        }),
      );
    delete ja.summary.durationMs;
    delete jb.summary.durationMs;
    expect(ja).toEqual(jb);
  });

  it('--format github prints escaped annotations and writes the markdown report to the step summary', async () => {
    const summary = path.join(os.tmpdir(), `stepup-summary-${process.pid}.md`);
    fs.writeFileSync(summary, '');
    const r = await run(['fixtures/demo', '--format', 'github'], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(
      /^::error file=fixtures\/demo\/apps\/[^,]+,line=\d+,col=\d+,title=stepup\/[a-z-]+(,endColumn=\d+)?::/,
    );
    const md = fs.readFileSync(summary, 'utf8');
    fs.rmSync(summary);
    expect(md).toMatch(/\| category \| sensitive \| enforced \| missing \| broken \| unverifiable \|/);
    expect(md.split('\n').filter((l) => /^- (❌|⚠️) /.test(l)).length).toBe(7);
  });

  it('several --format / -o pairs in one run, text still on the terminal', async () => {
    const dir = smallApp();
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stepup-out-'));
    temps.push(out);
    const r = await run([
      dir,
      '--format',
      'json',
      '-o',
      path.join(out, 'r.json'),
      '--format',
      'sarif',
      '-o',
      path.join(out, 'r.sarif'),
    ]);
    expect(r.code).toBe(1);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'r.json'), 'utf8')).findings).toHaveLength(1);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'r.sarif'), 'utf8')).version).toBe('2.1.0');
    expect(r.stdout).toMatch(/1 of 1 sensitive endpoint lacks step-up/);
    const q = await run([dir, '--quiet', '--format', 'json', '-o', path.join(out, 'q.json')]);
    expect(q.stdout).toBe('');
    expect(fs.existsSync(path.join(out, 'q.json'))).toBe(true);
  });

  it('never writes inside the scanned tree', async () => {
    const dir = smallApp();
    const before = treeDigest(dir);
    await run([dir, '--format', 'json']);
    await run([dir, '--format', 'sarif']);
    expect(treeDigest(dir)).toBe(before);
  });

  it('an output folder that does not exist is a usage error', async () => {
    const r = await run(['fixtures/demo', '-o', '/nonexistent-dir/x/report.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/output folder does not exist/);
  });

  it('baseline: a scan against its own fresh baseline exits 0; a new defect makes it exit 1', async () => {
    const dir = smallApp();
    const base = path.join(dir, '..', `${path.basename(dir)}-baseline.json`);
    temps.push(base);
    const u = await run([dir, '--update-baseline', base]);
    expect(u.code).toBe(0);
    const baseline = JSON.parse(fs.readFileSync(base, 'utf8'));
    expect(baseline.findings).toEqual([{ ruleId: 'stepup/missing', endpointId: 'next-app POST /api/payees' }]);
    expect((await run([dir, '--baseline', base])).code).toBe(0);
    // Moving code around does not invalidate the baseline (keyed by endpoint, not line).
    fs.writeFileSync(path.join(dir, 'app/api/payees/route.ts'), `\n\n// moved\n${PAYEE_ROUTE}`);
    expect((await run([dir, '--baseline', base])).code).toBe(0);
    fs.mkdirSync(path.join(dir, 'app/api/payouts'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'app/api/payouts/route.ts'), PAYEE_ROUTE.replace('payee', 'payout'));
    const r = await run([dir, '--baseline', base]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/POST \/api\/payouts/);
    expect(r.stdout).not.toMatch(/POST \/api\/payees/);
    // --include-suppressed shows the baselined one too
    expect((await run([dir, '--baseline', base, '--include-suppressed', '--format', 'json'])).stdout).toMatch(
      /"kind": "baseline"/,
    );
  });

  it('baseline: stale entries are reported, a missing baseline is an error', async () => {
    const dir = smallApp();
    const base = path.join(dir, '..', `${path.basename(dir)}-stale.json`);
    temps.push(base);
    fs.writeFileSync(
      base,
      JSON.stringify({
        version: 1,
        tool: 'stepup-audit',
        findings: [{ ruleId: 'stepup/missing', endpointId: 'express POST /gone' }],
      }),
    );
    const r = await run([dir, '--baseline', base]);
    expect(r.stdout).toMatch(/stale baseline entry \(no longer found\): stepup\/missing express POST \/gone/);
    const m = await run([dir, '--baseline', path.join(dir, 'nope.json')]);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/baseline file not found/);
  });

  it('inline suppressions need a reason, apply to their endpoint only, and unused ones are reported', async () => {
    const suppressed = PAYEE_ROUTE.replace(
      'export async function POST',
      '// stepup-audit-ignore stepup/missing -- payees are confirmed out of band (SEC-1)\nexport async function POST',
    );
    const dir = smallApp({ 'app/api/payees/route.ts': suppressed });
    const r = await run([dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 suppressed/);
    const noReason = smallApp({
      'app/api/payees/route.ts': PAYEE_ROUTE.replace(
        'export async function POST',
        '// stepup-audit-ignore stepup/missing\nexport async function POST',
      ),
    });
    const r2 = await run([noReason]);
    expect(r2.code).toBe(1);
    expect(r2.stdout).toMatch(/a reason is required/);
    const wrongRule = smallApp({
      'app/api/payees/route.ts': PAYEE_ROUTE.replace(
        'export async function POST',
        '// stepup-audit-ignore stepup/weak-assurance -- not applicable\nexport async function POST',
      ),
    });
    const r3 = await run([wrongRule]);
    expect(r3.code).toBe(1);
    expect(r3.stdout).toMatch(/unused suppression: .*stepup-audit-ignore stepup\/weak-assurance/);
  });

  it('--explain tells why an endpoint is or is not sensitive', async () => {
    const r = await run(['fixtures/demo', '--explain', 'POST /api/wires']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/sensitive: yes — money/);
    expect(r.stdout).toMatch(/step-up: broken/);
    const n = await run(['fixtures/demo', '--explain', 'GET /api/transfers']);
    expect(n.stdout).toMatch(/sensitive: no/);
    const missing = await run(['fixtures/demo', '--explain', 'POST /api/nothing']);
    expect(missing.code).toBe(2);
  });

  it('--explain names the visible work that set words aside', async () => {
    const dir = 'fixtures/express/assets-words-visible-work';
    const r = await run([dir, '--explain', 'POST /api/payments/resolve-account']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/sensitive: no/);
    expect(r.stdout).toMatch(/money words set aside: what the handler visibly does \(axios\.get\) touches no asset/);
    // a stub has no visible work: its words decide, and nothing is said to set them aside
    const stub = await run([dir, '--explain', 'POST /api/transfers']);
    expect(stub.stdout).toMatch(/sensitive: yes — money/);
    expect(stub.stdout).not.toMatch(/words set aside/);
  });

  it('--endpoints prints the inventory', async () => {
    const r = await run(['fixtures/demo', '--endpoints', '--fail-on', 'none']);
    expect(r.stdout).toMatch(/METHOD\s+PATH\s+FRAMEWORK/);
    expect(r.stdout.match(/^(GET|POST|PUT|PATCH|DELETE|ACTION)\s/gm)).toHaveLength(17);
  });

  it('honours NO_COLOR and --no-color; colours only when asked', async () => {
    expect((await run(['fixtures/demo'])).stdout).not.toMatch(/\x1b\[/);
    expect(
      (await run(['fixtures/demo', '--no-color'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } })).stdout,
    ).not.toMatch(/\x1b\[/);
    expect((await run(['fixtures/demo'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } })).stdout).toMatch(/\x1b\[/);
  });

  it('--verbose prints phase timings', async () => {
    const r = await run(['fixtures/demo', '--verbose', '--fail-on', 'none']);
    expect(r.stderr).toMatch(
      /phases: discover \d+ ms · parse \d+ ms · extract \d+ ms · classify \d+ ms · verify \d+ ms · report \d+ ms/,
    );
  });

  it('--version and --help exit 0', async () => {
    expect((await run(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = await run(['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/--fail-on <level>/);
  });

  it('a folder with no endpoints is not a pass: one line naming the frameworks, exit 2 unless --allow-empty', async () => {
    const dir = tmp({ 'package.json': '{"name":"empty"}', 'src/index.ts': 'export const x = 1;\n' });
    const r = await run([dir]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /no endpoints found in .*\(supported: Next\.js, Express, Hono; package\.json declares: no web framework\)/,
    );
    const ok = await run([dir, '--allow-empty']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/0 of 0 sensitive endpoints lack step-up/);
  });

  it('the demo scan is the one the README promises', async () => {
    expect(fs.readFileSync(path.join(root, 'README.md'), 'utf8')).toMatch(/npm ci && npx stepup-audit fixtures\/demo/);
    expect(fs.existsSync(demo)).toBe(true);
  });
});
