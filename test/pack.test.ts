// The published package works: `npm pack`, then the tarball through `npx` from a temporary folder.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');

describe('npm package', () => {
  it('packs, installs and runs through npx from another folder', () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stepup-pack-'));
    try {
      const out = execFileSync('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const tarball = path.join(work, out.trim().split('\n').pop()!.trim());
      expect(fs.existsSync(tarball)).toBe(true);
      const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
      expect(listing).toMatch(/package\/dist\/cli\.js/);
      expect(listing).toMatch(/package\/rules\/guards\.json/);
      expect(listing).toMatch(/package\/rules\/stepup\/missing\.md/);
      expect(listing).not.toMatch(/package\/fixtures\//);
      expect(listing).not.toMatch(/package\/src\//);
      const cwd = path.join(work, 'consumer');
      fs.mkdirSync(cwd);
      fs.cpSync(path.join(root, 'fixtures/demo'), path.join(cwd, 'demo'), { recursive: true });
      const r = spawnSync('npx', ['--yes', '--package', tarball, '--', 'stepup-audit', 'demo', '--format', 'json'], {
        cwd,
        encoding: 'utf8',
        timeout: 240_000,
        env: { ...process.env, NO_COLOR: '1', npm_config_yes: 'true', npm_config_audit: 'false', npm_config_fund: 'false' },
      });
      expect(r.status, r.stderr).toBe(1);
      const json = JSON.parse(r.stdout);
      expect(json.summary).toMatchObject({ endpoints: 13, sensitive: 10 });
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }, 300_000);
});
