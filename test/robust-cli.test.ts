// The built CLI in a child process the test kills when it runs past its limit: a hang fails the test
// instead of stalling the run. The fixtures scan to completion under that limit; the recursive
// stream module that used to hang scans in seconds; and on the CLI's large stack every shape of
// test/helpers/hostile.ts costs at most its own file, which is reported and fails the gate.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostileFiles } from './helpers/hostile.js';
import { removeProject, writeProject } from './helpers/project.js';

const repo = path.resolve(__dirname, '..');
const bin = path.join(repo, 'bin/stepup-audit.js');
const temps: string[] = [];
afterAll(() => temps.forEach(removeProject));

function tmp(files: Record<string, string>): string {
  const d = writeProject(files, 'stepup-robust-cli-');
  temps.push(d);
  return d;
}

function cli(
  args: string[],
  limitMs: number,
): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    timeout: limitMs,
    killSignal: 'SIGKILL',
    env: { ...process.env, NO_COLOR: '1', GITHUB_STEP_SUMMARY: '' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
}

describe('bounded analysis, under a time limit the test enforces', () => {
  it('the fixtures scan to completion under the time limit this test sets', () => {
    const out = path.join(tmp({ 'README.md': 'output only\n' }), 'fixtures.json');
    const r = cli([path.join(repo, 'fixtures'), '--format', 'json', '-o', out, '-q'], 240_000);
    expect(r.signal, `killed after ${Math.round(r.ms)} ms`).toBeNull();
    expect([0, 1]).toContain(r.status);
    const json = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(json.errors.filter((e: { message: string }) => /budget|nested/.test(e.message))).toEqual([]);
    expect(json.summary.endpoints).toBeGreaterThan(500);
    // (the test's own limit is the child's: the runner waits for it, so a loaded machine fails only a real hang)
  }, 260_000);

  it('the recursive stream module of a vendoring application scans in seconds', () => {
    const r = cli([path.join(repo, 'fixtures/express/regress-recursive-stream-util'), '--format', 'json'], 30_000);
    expect(r.signal, `killed after ${Math.round(r.ms)} ms`).toBeNull();
    const json = JSON.parse(r.stdout);
    expect(json.endpoints.map((e: { method: string; path: string }) => `${e.method} ${e.path}`)).toEqual([
      'POST /api/payouts',
      'POST /api/uploads',
    ]);
    expect(json.errors).toEqual([]);
  });
});

describe('failure is contained to the smallest unit (the CLI, on its large stack)', () => {
  it('in the CLI (a large stack): every healthy route is reported, the broken files are named, and the gate fails', () => {
    const dir = tmp(hostileFiles());
    const r = cli([dir, '--format', 'json'], 120_000);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(1);
    const json = JSON.parse(r.stdout);
    const listed = json.endpoints.map((e: { method: string; path: string }) => `${e.method} ${e.path}`);
    for (const route of [
      'POST /api/payouts',
      'POST /concat/wires',
      'DELETE /concat/account',
      'POST /nest/api-keys',
      'POST /list/transfers',
    ])
      expect(listed).toContain(route);
    const statusOf = (route: string): string =>
      json.endpoints.find((e: { method: string; path: string }) => `${e.method} ${e.path}` === route).stepUp.status;
    expect(statusOf('POST /api/payouts')).toBe('missing');
    const errored = json.errors.map((e: { file: string }) => e.file);
    expect(errored).toEqual(expect.arrayContaining(['src/list.ts', 'src/big.ts']));
    const notAnalysed = json.findings
      .filter((f: { ruleId: string }) => f.ruleId === 'stepup/not-analysed')
      .map((f: { file: string }) => f.file);
    expect(notAnalysed).toEqual(expect.arrayContaining(['src/list.ts', 'src/big.ts']));
    // SARIF: a notification per file, an error-level result per endpoint-bearing one
    const sarif = cli([dir, '--format', 'sarif'], 120_000);
    const run = JSON.parse(sarif.stdout).runs[0];
    expect(run.invocations[0].executionSuccessful).toBe(false);
    expect(
      run.results.filter((x: { ruleId: string }) => x.ruleId === 'stepup/not-analysed').length,
    ).toBeGreaterThanOrEqual(2);
  }, 250_000);
});
