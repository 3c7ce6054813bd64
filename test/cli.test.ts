// End-to-end: the built binary, its exit codes, outputs, baselines and suppressions.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeProject, writeProject } from './helpers/project.js';

const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin/stepup-audit.js');
const demo = path.join(root, 'fixtures/demo');
const temps: string[] = [];

function run(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: opts.cwd ?? root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', GITHUB_STEP_SUMMARY: '', ...opts.env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

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

describe('stepup-audit CLI', () => {
  it('scans the demo, prints findings and the headline, and exits 1', () => {
    const r = run(['fixtures/demo']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/stepup\/result-ignored/);
    expect(r.stdout).toMatch(/6 of 10 sensitive endpoints lack step-up \(4 missing, 2 broken\)/);
    expect(r.stderr).toBe('');
  });

  it('--fail-on none exits 0 with the same findings', () => {
    const r = run(['fixtures/demo', '--fail-on', 'none']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/stepup\/missing/);
  });

  it('--fail-on error ignores warnings and notes', () => {
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
    expect(run([dir]).code).toBe(1);
    expect(run([dir, '--fail-on', 'error']).code).toBe(0);
    expect(run([dir, '--fail-on', 'error']).stdout).toMatch(/stepup\/weak-assurance/);
  });

  it('a missing path exits 2 with one line and no stack trace', () => {
    const r = run(['does/not/exist']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/path not found: does\/not\/exist/);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
    expect(r.stdout).toBe('');
  });

  it('usage errors exit 2 with one line', () => {
    for (const args of [['--bogus'], ['--format', 'xml', 'fixtures/demo'], ['--fail-on', 'loud', 'fixtures/demo'], ['--max-freshness', 'soon', 'fixtures/demo']]) {
      const r = run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  it('an invalid configuration exits 2 naming the file and the key', () => {
    const dir = smallApp({ 'stepup-audit.config.json': JSON.stringify({ maxFreshnesMinutes: 10 }) });
    const r = run([dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/stepup-audit\.config\.json: unknown key "maxFreshnesMinutes"/);
    const bad = smallApp({ 'stepup-audit.config.json': JSON.stringify({ guards: [{ name: 'x', fails: 'sometimes' }] }) });
    expect(run([bad]).stderr).toMatch(/"guards"\[0\]\."fails": expected one of/);
    const broken = smallApp({ 'stepup-audit.config.json': '{ not json' });
    expect(run([broken]).stderr).toMatch(/invalid JSON/);
  });

  it('configuration marks endpoints not sensitive by pattern', () => {
    const dir = smallApp({ 'stepup-audit.config.json': JSON.stringify({ sensitive: { 'POST /api/payees': false } }) });
    const r = run([dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/0 of 0 sensitive endpoints/);
  });

  it('--format json follows the contract and is deterministic', () => {
    const a = run(['fixtures/demo', '--format', 'json']);
    const b = run(['fixtures/demo', '--format', 'json']);
    expect(a.code).toBe(1);
    const ja = JSON.parse(a.stdout);
    const jb = JSON.parse(b.stdout);
    expect(ja.version).toBe(1);
    expect(ja.tool.name).toBe('stepup-audit');
    expect(Object.keys(ja.summary)).toEqual(expect.arrayContaining(['files', 'endpoints', 'sensitive', 'enforced', 'missing', 'broken', 'durationMs']));
    expect(ja.summary).toMatchObject({ endpoints: 13, sensitive: 10, enforced: 4, missing: 4, broken: 2 });
    const ep = ja.endpoints.find((e: { id: string }) => e.id === 'next-app POST /api/transfers');
    expect(ep).toMatchObject({ framework: 'next-app', method: 'POST', path: '/api/transfers', file: 'apps/web/app/api/transfers/route.ts', line: 8, sensitive: true, categories: ['money'] });
    expect(ep.stepUp.status).toBe('enforced');
    for (const f of ja.findings) expect(f).toEqual(expect.objectContaining({ ruleId: expect.stringMatching(/^stepup\//), level: expect.any(String), endpointId: expect.any(String), file: expect.any(String), line: expect.any(Number), column: expect.any(Number), suppressed: false }));
    delete ja.summary.durationMs;
    delete jb.summary.durationMs;
    expect(ja).toEqual(jb);
  });

  it('--format github prints escaped annotations and writes the step summary', () => {
    const summary = path.join(os.tmpdir(), `stepup-summary-${process.pid}.md`);
    fs.writeFileSync(summary, '');
    const r = run(['fixtures/demo', '--format', 'github'], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(/^::error file=fixtures\/demo\/apps\/[^,]+,line=\d+,col=\d+,title=stepup\/[a-z-]+(,endColumn=\d+)?::/);
    const md = fs.readFileSync(summary, 'utf8');
    fs.rmSync(summary);
    expect(md).toMatch(/\| Level \| Rule \| Endpoint \| Location \| Message \|/);
    expect(md.split('\n').filter((l) => l.startsWith('| error') || l.startsWith('| warning')).length).toBe(6);
  });

  it('several --format / -o pairs in one run, text still on the terminal', () => {
    const dir = smallApp();
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stepup-out-'));
    temps.push(out);
    const r = run([dir, '--format', 'json', '-o', path.join(out, 'r.json'), '--format', 'sarif', '-o', path.join(out, 'r.sarif')]);
    expect(r.code).toBe(1);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'r.json'), 'utf8')).findings).toHaveLength(1);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'r.sarif'), 'utf8')).version).toBe('2.1.0');
    expect(r.stdout).toMatch(/1 of 1 sensitive endpoint lack step-up/);
    const q = run([dir, '--quiet', '--format', 'json', '-o', path.join(out, 'q.json')]);
    expect(q.stdout).toBe('');
    expect(fs.existsSync(path.join(out, 'q.json'))).toBe(true);
  });

  it('never writes inside the scanned tree', () => {
    const dir = smallApp();
    const before = treeDigest(dir);
    run([dir, '--format', 'json']);
    run([dir, '--format', 'sarif']);
    expect(treeDigest(dir)).toBe(before);
  });

  it('an output folder that does not exist is a usage error', () => {
    const r = run(['fixtures/demo', '-o', '/nonexistent-dir/x/report.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/output folder does not exist/);
  });

  it('baseline: a scan against its own fresh baseline exits 0; a new defect makes it exit 1', () => {
    const dir = smallApp();
    const base = path.join(dir, '..', `${path.basename(dir)}-baseline.json`);
    temps.push(base);
    const u = run([dir, '--update-baseline', base]);
    expect(u.code).toBe(0);
    const baseline = JSON.parse(fs.readFileSync(base, 'utf8'));
    expect(baseline.findings).toEqual([{ ruleId: 'stepup/missing', endpointId: 'next-app POST /api/payees' }]);
    expect(run([dir, '--baseline', base]).code).toBe(0);
    // Moving code around does not invalidate the baseline (keyed by endpoint, not line).
    fs.writeFileSync(path.join(dir, 'app/api/payees/route.ts'), `\n\n// moved\n${PAYEE_ROUTE}`);
    expect(run([dir, '--baseline', base]).code).toBe(0);
    fs.mkdirSync(path.join(dir, 'app/api/payouts'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'app/api/payouts/route.ts'), PAYEE_ROUTE.replace('payee', 'payout'));
    const r = run([dir, '--baseline', base]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/POST \/api\/payouts/);
    expect(r.stdout).not.toMatch(/POST \/api\/payees/);
    // --include-suppressed shows the baselined one too
    expect(run([dir, '--baseline', base, '--include-suppressed', '--format', 'json']).stdout).toMatch(/"kind": "baseline"/);
  });

  it('baseline: stale entries are reported, a missing baseline is an error', () => {
    const dir = smallApp();
    const base = path.join(dir, '..', `${path.basename(dir)}-stale.json`);
    temps.push(base);
    fs.writeFileSync(base, JSON.stringify({ version: 1, tool: 'stepup-audit', findings: [{ ruleId: 'stepup/missing', endpointId: 'express POST /gone' }] }));
    const r = run([dir, '--baseline', base]);
    expect(r.stdout).toMatch(/stale baseline entry \(no longer found\): stepup\/missing express POST \/gone/);
    const m = run([dir, '--baseline', path.join(dir, 'nope.json')]);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/baseline file not found/);
  });

  it('inline suppressions need a reason, apply to their endpoint only, and unused ones are reported', () => {
    const suppressed = PAYEE_ROUTE.replace('export async function POST', '// stepup-audit-ignore stepup/missing -- payees are confirmed out of band (SEC-1)\nexport async function POST');
    const dir = smallApp({ 'app/api/payees/route.ts': suppressed });
    const r = run([dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 suppressed/);
    const noReason = smallApp({ 'app/api/payees/route.ts': PAYEE_ROUTE.replace('export async function POST', '// stepup-audit-ignore stepup/missing\nexport async function POST') });
    const r2 = run([noReason]);
    expect(r2.code).toBe(1);
    expect(r2.stdout).toMatch(/a reason is required/);
    const wrongRule = smallApp({ 'app/api/payees/route.ts': PAYEE_ROUTE.replace('export async function POST', '// stepup-audit-ignore stepup/weak-assurance -- not applicable\nexport async function POST') });
    const r3 = run([wrongRule]);
    expect(r3.code).toBe(1);
    expect(r3.stdout).toMatch(/unused suppression: .*stepup-audit-ignore stepup\/weak-assurance/);
  });

  it('--explain tells why an endpoint is or is not sensitive', () => {
    const r = run(['fixtures/demo', '--explain', 'POST /api/wires']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/sensitive: yes — money/);
    expect(r.stdout).toMatch(/step-up: broken/);
    const n = run(['fixtures/demo', '--explain', 'GET /api/transfers']);
    expect(n.stdout).toMatch(/sensitive: no/);
    const missing = run(['fixtures/demo', '--explain', 'POST /api/nothing']);
    expect(missing.code).toBe(2);
  });

  it('--endpoints prints the inventory', () => {
    const r = run(['fixtures/demo', '--endpoints', '--fail-on', 'none']);
    expect(r.stdout).toMatch(/METHOD\s+PATH\s+FRAMEWORK/);
    expect(r.stdout.match(/^(GET|POST|PUT|PATCH|DELETE)\s/gm)).toHaveLength(13);
  });

  it('honours NO_COLOR and --no-color; colours only when asked', () => {
    expect(run(['fixtures/demo']).stdout).not.toMatch(/\x1b\[/);
    expect(run(['fixtures/demo', '--no-color'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } }).stdout).not.toMatch(/\x1b\[/);
    expect(run(['fixtures/demo'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } }).stdout).toMatch(/\x1b\[/);
  });

  it('--verbose prints phase timings', () => {
    const r = run(['fixtures/demo', '--verbose', '--fail-on', 'none']);
    expect(r.stderr).toMatch(/phases: discover \d+ ms · parse \d+ ms · extract \d+ ms · classify \d+ ms · verify \d+ ms · report \d+ ms/);
  });

  it('--version and --help exit 0', () => {
    expect(run(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = run(['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/--fail-on <level>/);
  });

  it('scanning a folder with no endpoints is clean', () => {
    const dir = tmp({ 'package.json': '{"name":"empty"}', 'src/index.ts': 'export const x = 1;\n' });
    const r = run([dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/0 of 0 sensitive endpoints lack step-up/);
  });

  it('the demo scan is the one the README promises', () => {
    expect(fs.readFileSync(path.join(root, 'README.md'), 'utf8')).toMatch(/npm ci && npx stepup-audit fixtures\/demo/);
    expect(fs.existsSync(demo)).toBe(true);
  });
});
