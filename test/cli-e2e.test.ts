// A handful of true end-to-end runs of the built binary in a subprocess (everything else about the
// CLI is tested in-process): the demo's exit code, start-up time, a SARIF run, a closed pipe, and
// the GitHub Action's run script.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin/stepup-audit.js');
const env = { ...process.env, NO_COLOR: '1', GITHUB_STEP_SUMMARY: '' };

function run(args: string[], opts: { cwd?: string } = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: opts.cwd ?? root,
    encoding: 'utf8',
    env,
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function bestOf(n: number, cmd: string[]): number {
  let best = Infinity;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, cmd, { encoding: 'utf8', env });
    expect(r.status).toBe(0);
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

describe('stepup-audit binary', () => {
  it('scans the demo, prints findings and the headline, and exits 1', () => {
    const r = run(['fixtures/demo']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/7 of 12 sensitive endpoints lack step-up \(5 missing, 2 broken\)/);
    expect(r.stderr).toBe('');
  });

  it('--version and --help start about as fast as Node itself (the engine is not loaded)', () => {
    const node = bestOf(3, ['-e', '0']);
    const version = bestOf(3, [bin, '--version']);
    const help = bestOf(2, [bin, '--help']);
    expect(version, `--version ${version.toFixed(0)} ms vs node -e 0 ${node.toFixed(0)} ms`).toBeLessThan(
      Math.max(4 * node, node + 150),
    );
    expect(help).toBeLessThan(Math.max(4 * node, node + 150));
  });

  it('writes valid SARIF to a file and the text summary to the terminal', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stepup-e2e-'));
    try {
      const r = run(['fixtures/demo', '-o', path.join(out, 'r.sarif')]);
      expect(r.code).toBe(1);
      const sarif = JSON.parse(fs.readFileSync(path.join(out, 'r.sarif'), 'utf8'));
      expect(sarif.version).toBe('2.1.0');
      expect(sarif.runs[0].results.length).toBe(7);
      expect(r.stdout).toMatch(/7 of 12 sensitive endpoints lack step-up/);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('piped into a reader that has gone away: no stack trace, the scan result as exit code', () => {
    const r = spawnSync(
      'bash',
      ['-c', `"${process.execPath}" "${bin}" fixtures/demo --format json | true; echo "status=\${PIPESTATUS[0]}"`],
      { cwd: root, encoding: 'utf8', env },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('status=1\n');
  });

  it("the Action's run script creates the SARIF folder and passes the inputs through", () => {
    const action = parse(fs.readFileSync(path.join(root, 'action.yml'), 'utf8'));
    const step = action.runs.steps.find((s: { id?: string }) => s.id === 'scan');
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stepup-action-'));
    try {
      const sarif = path.join(out, 'reports', 'nested', 'stepup.sarif');
      const outputs = path.join(out, 'outputs');
      const r = spawnSync('bash', ['-c', step.run], {
        cwd: root,
        encoding: 'utf8',
        env: {
          ...env,
          ACTION_PATH: root,
          INPUT_PATHS: 'fixtures/demo',
          INPUT_FAIL_ON: 'warning',
          INPUT_BASELINE: '',
          INPUT_BASELINE_REF: 'auto',
          INPUT_CONFIG: '',
          INPUT_ALLOW_EMPTY: 'false',
          INPUT_SARIF_FILE: sarif,
          INPUT_CATEGORY: 'stepup-audit',
          EVENT_NAME: 'push',
          PR_BASE_SHA: '',
          GITHUB_OUTPUT: outputs,
        },
      });
      expect(r.status, r.stderr).toBe(1);
      expect(JSON.parse(fs.readFileSync(sarif, 'utf8')).runs[0].automationDetails.id).toBe('stepup-audit/');
      expect(fs.readFileSync(outputs, 'utf8')).toBe('exit-code=1\n');
      expect(r.stdout).toMatch(/^::error file=fixtures\/demo\//m);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
