// The published package works: `npm pack`, then the tarball installed into another project (no
// install script, no npm warning), run through npx, imported through its `exports`, and its type
// declarations compile against a consumer.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
// Dependencies come from the local npm cache when it has them (npm ci filled it); the registry otherwise.
const npmEnv = {
  ...process.env,
  NO_COLOR: '1',
  npm_config_yes: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  npm_config_prefer_offline: 'true',
};

describe('npm package', () => {
  it('packs, installs without scripts or warnings, runs through npx, imports and type-checks', () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stepup-pack-'));
    try {
      // `npm test` has just built dist/ (prepack would build it again)
      expect(fs.existsSync(path.join(root, 'dist/index.d.ts'))).toBe(true);
      const out = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--silent'], {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const tarball = path.join(work, out.trim().split('\n').pop()!.trim());
      expect(fs.existsSync(tarball)).toBe(true);
      const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
      for (const f of [
        'dist/cli.js',
        'dist/index.js',
        'dist/index.d.ts',
        'rules/guards.json',
        'rules/stepup/missing.md',
        'schema/stepup-audit.config.schema.json',
        'bin/stepup-audit.js',
      ])
        expect(listing).toContain(`package/${f}`);
      expect(listing).not.toMatch(/package\/(fixtures|src|test|scripts)\//);
      const manifest = JSON.parse(
        execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
      );
      for (const s of ['preinstall', 'install', 'postinstall', 'prepare'])
        expect(manifest.scripts?.[s], s).toBeUndefined();

      const cwd = path.join(work, 'consumer');
      fs.mkdirSync(cwd);
      fs.writeFileSync(
        path.join(cwd, 'package.json'),
        JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }),
      );
      const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', tarball], {
        cwd,
        encoding: 'utf8',
        env: npmEnv,
        timeout: 240_000,
      });
      expect(install.status, install.stderr).toBe(0);
      expect(install.stderr).not.toMatch(/npm warn/i);
      expect(install.stdout).not.toMatch(/npm warn/i);

      fs.cpSync(path.join(root, 'fixtures/demo'), path.join(cwd, 'demo'), { recursive: true });
      const r = spawnSync('npx', ['--no-install', 'stepup-audit', 'demo', '--format', 'json'], {
        cwd,
        encoding: 'utf8',
        env: npmEnv,
        timeout: 120_000,
      });
      expect(r.status, r.stderr).toBe(1);
      expect(JSON.parse(r.stdout).summary).toMatchObject({ endpoints: 17, sensitive: 12 });

      fs.writeFileSync(
        path.join(cwd, 'use.mjs'),
        "import { audit, renderText } from 'stepup-audit';\nconst { report, exitCode } = await audit({ paths: ['demo'] });\nprocess.stdout.write(JSON.stringify({ exitCode, endpoints: report.summary.endpoints, text: renderText(report, { color: false, endpoints: false, verbose: false }).length > 0 }));\n",
      );
      const api = spawnSync(process.execPath, ['use.mjs'], { cwd, encoding: 'utf8', timeout: 120_000 });
      expect(api.status, api.stderr).toBe(0);
      expect(JSON.parse(api.stdout)).toEqual({ exitCode: 1, endpoints: 17, text: true });

      fs.writeFileSync(
        path.join(cwd, 'typed.ts'),
        "import { audit, type AuditResult, type Finding } from 'stepup-audit';\nimport { main } from 'stepup-audit/cli';\nconst r: AuditResult = await audit({ paths: ['demo'], baselineRef: 'HEAD' });\nconst f: Finding[] = r.report.findings;\nconst n: number = r.report.summary.sensitive + f.length;\nconst code: Promise<number> = main(['--version']);\nexport { n, code };\n",
      );
      fs.writeFileSync(
        path.join(cwd, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            noEmit: true,
            skipLibCheck: false,
            typeRoots: [path.join(root, 'node_modules/@types')],
            types: ['node'],
          },
          files: ['typed.ts'],
        }),
      );
      const tsc = spawnSync(
        process.execPath,
        [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'],
        { cwd, encoding: 'utf8', timeout: 120_000 },
      );
      expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }, 300_000);
});
