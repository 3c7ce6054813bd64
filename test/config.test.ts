// Configuration: defaults, upward search, validation errors that name the file and the key.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, findConfig, resolveConfig, validateConfig } from '../src/config/load.js';
import { removeProject, writeProject } from './helpers/project.js';

const temps: string[] = [];
afterAll(() => temps.forEach(removeProject));

describe('configuration', () => {
  it('defaults when no file is found', () => {
    const dir = writeProject({ 'src/a.ts': '' });
    temps.push(dir);
    fs.mkdirSync(path.join(dir, '.git'));
    const c = resolveConfig(undefined, path.join(dir, 'src'));
    expect(c).toMatchObject({ maxFreshnessMinutes: 15, failOn: 'warning', ignore: [], guards: [] });
    expect(c.file).toBeUndefined();
  });

  it('is found upward: stepup-audit.config.json, .stepupauditrc.json, package.json#stepupAudit', () => {
    const a = writeProject({ 'stepup-audit.config.json': '{"maxFreshnessMinutes": 5}', 'apps/web/x.ts': '' });
    const b = writeProject({ '.stepupauditrc.json': '{"failOn": "error"}', 'src/x.ts': '' });
    const c = writeProject({ 'package.json': '{"name":"x","stepupAudit":{"ignore":["legacy/**"]}}', 'src/x.ts': '' });
    temps.push(a, b, c);
    expect(resolveConfig(undefined, path.join(a, 'apps/web')).maxFreshnessMinutes).toBe(5);
    expect(resolveConfig(undefined, path.join(b, 'src')).failOn).toBe('error');
    expect(resolveConfig(undefined, path.join(c, 'src')).ignore).toEqual(['legacy/**']);
    expect(findConfig(path.join(c, 'src'))?.file).toMatch(/package\.json#stepupAudit$/);
  });

  it('validates and names the file and the key', () => {
    const bad: [unknown, RegExp][] = [
      [[], /must be a JSON object/],
      [{ nope: 1 }, /unknown key "nope"/],
      [{ ignore: 'x' }, /"ignore": expected an array of non-empty strings/],
      [{ maxFreshnessMinutes: -1 }, /"maxFreshnessMinutes" must be a positive number/],
      [{ failOn: 'loud' }, /"failOn" must be one of/],
      [{ sensitive: { '/api/x': false } }, /must look like "POST \/api\/path\/\*\*"/],
      [{ sensitive: { 'POST /x': 'yes' } }, /"sensitive"\."POST \/x": expected an array/],
      [{ categories: { Money: {} } }, /category names are lower-case/],
      [{ categories: { money: { strongWords: [] } } }, /"categories"\."money": unknown key "strongWords"/],
      [{ categories: { money: { severity: 'extreme' } } }, /"severity": expected "high", "medium" or "low"/],
      [{ guards: [{ name: 'requireSudo' }] }, /"guards"\[0\]\."fails": expected one of/],
      [{ guards: [{ name: 'x', fails: 'throws', extra: 1 }] }, /"guards"\[0\]: unknown key "extra"/],
    ];
    for (const [raw, re] of bad) {
      expect(() => validateConfig(raw, 'cfg.json'), JSON.stringify(raw)).toThrow(ConfigError);
      expect(() => validateConfig(raw, 'cfg.json'), JSON.stringify(raw)).toThrow(re);
      expect(() => validateConfig(raw, 'cfg.json')).toThrow(/^cfg\.json: /);
    }
  });

  it('accepts a complete configuration', () => {
    const c = validateConfig(
      {
        ignore: ['scripts/**'],
        maxFreshnessMinutes: 10,
        failOn: 'error',
        sensitive: { 'POST /api/internal/**': false, '* /api/gift-cards': ['money'] },
        categories: { money: { strongSegments: ['top-up'] }, crypto: { severity: 'high', strongSegments: ['withdraw-crypto'] } },
        guards: [{ name: 'requireSudo', module: '@acme/auth', fails: 'throws' }],
      },
      'cfg.json',
    );
    expect(c.sensitive).toEqual([
      { pattern: 'POST /api/internal/**', value: false },
      { pattern: '* /api/gift-cards', value: ['money'] },
    ]);
    expect(c.guards[0]).toEqual({ name: 'requireSudo', module: '@acme/auth', export: undefined, fails: 'throws' });
  });
});
