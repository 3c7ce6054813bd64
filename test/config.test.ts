// Configuration: defaults, upward search, JSON Schema validation (every problem at once, each
// naming the key), JSON with comments, BOMs, user keys that collide with Object.prototype,
// `ignore` patterns re-rooted from the configuration's folder.
import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { rerootPattern } from '../src/config/ignore.js';
import { parseJsonc } from '../src/config/jsonc.js';
import { ConfigError, configSchema, findConfig, resolveConfig, validateConfig } from '../src/config/load.js';
import { planConfigs } from '../src/config/targets.js';
import { removeProject, writeProject } from './helpers/project.js';

const temps: string[] = [];
afterAll(() => temps.forEach(removeProject));
const project = (files: Record<string, string>): string => {
  const d = writeProject(files);
  temps.push(d);
  return d;
};

describe('configuration', () => {
  it('defaults when no file is found', async () => {
    const dir = project({ 'src/a.ts': '' });
    fs.mkdirSync(path.join(dir, '.git'));
    const c = await resolveConfig(undefined, path.join(dir, 'src'));
    expect(c).toMatchObject({ maxFreshnessMinutes: 15, failOn: 'warning', ignore: [], guards: [] });
    expect(c.file).toBeUndefined();
  });

  it('is found upward: stepup-audit.config.json, .stepupauditrc.json, package.json#stepupAudit', async () => {
    const a = project({ 'stepup-audit.config.json': '{"maxFreshnessMinutes": 5}', 'apps/web/x.ts': '' });
    const b = project({ '.stepupauditrc.json': '{"failOn": "error"}', 'src/x.ts': '' });
    const c = project({ 'package.json': '{"name":"x","stepupAudit":{"ignore":["legacy/**"]}}', 'src/x.ts': '' });
    expect((await resolveConfig(undefined, path.join(a, 'apps/web'))).maxFreshnessMinutes).toBe(5);
    expect((await resolveConfig(undefined, path.join(b, 'src'))).failOn).toBe('error');
    expect((await resolveConfig(undefined, path.join(c, 'src'))).ignore).toEqual(['legacy/**']);
    expect(findConfig(path.join(c, 'src'))?.file).toMatch(/package\.json#stepupAudit$/);
  });

  it('validates against the schema and names the file and the key', async () => {
    const bad: [unknown, RegExp][] = [
      [[], /must be a JSON object/],
      [{ nope: 1 }, /unknown key "nope"/],
      [{ ignore: 'x' }, /"ignore": expected an array of non-empty strings/],
      [{ ignore: [' '] }, /"ignore"\[0\]: expected a non-empty string/],
      [{ maxFreshnessMinutes: -1 }, /"maxFreshnessMinutes": must be a positive number/],
      [{ failOn: 'loud' }, /"failOn": must be one of/],
      [{ sensitive: { '/api/x': false } }, /"sensitive": key "\/api\/x": must look like "POST \/api\/path\/\*\*"/],
      [{ sensitive: { 'POST /x': 'yes' } }, /"sensitive"\."POST \/x": expected true, false or an array/],
      [{ categories: { Money: {} } }, /category names are lower-case/],
      [{ categories: { money: { strongWords: [] } } }, /"categories"\."money": unknown key "strongWords"/],
      [{ categories: { money: { severity: 'extreme' } } }, /"severity": expected "high", "medium" or "low"/],
      [{ guards: [{ name: 'requireSudo' }] }, /"guards"\[0\]\."fails": expected one of/],
      [{ guards: [{ name: 'x', fails: 'throws', extra: 1 }] }, /"guards"\[0\]: unknown key "extra"/],
    ];
    for (const [raw, re] of bad) {
      await expect(validateConfig(raw, 'cfg.json'), JSON.stringify(raw)).rejects.toThrow(ConfigError);
      await expect(validateConfig(raw, 'cfg.json'), JSON.stringify(raw)).rejects.toThrow(re);
      await expect(validateConfig(raw, 'cfg.json')).rejects.toThrow(/^cfg\.json: /);
    }
  });

  it('reports every problem of a file at once, on one line', async () => {
    const err = await validateConfig({ nope: 1, failOn: 'loud', guards: [{ name: 'x' }] }, 'cfg.json').catch(
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^cfg\.json: 3 problems: /);
    expect(msg).toMatch(/unknown key "nope"/);
    expect(msg).toMatch(/"failOn": must be one of/);
    expect(msg).toMatch(/"guards"\[0\]\."fails": expected one of .* \(missing\)/);
    expect(msg).not.toMatch(/\n/);
  });

  it('accepts a complete configuration', async () => {
    const c = await validateConfig(
      {
        $schema: './node_modules/stepup-audit/schema/stepup-audit.config.schema.json',
        ignore: ['scripts/**'],
        maxFreshnessMinutes: 10,
        failOn: 'error',
        sensitive: { 'POST /api/internal/**': false, '* /api/gift-cards': ['money'] },
        categories: {
          money: { strongSegments: ['top-up'] },
          crypto: { severity: 'high', strongSegments: ['withdraw-crypto'] },
        },
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

  it('reads JSON with comments and trailing commas, and files that start with a BOM', async () => {
    const text =
      '\ufeff{\n  // a comment\n  "failOn": "error", /* block */\n  "ignore": ["a/**", "b/**",],\n  "note": "// not a comment",\n}\n'.replace(
        '  "note": "// not a comment",\n',
        '',
      );
    expect(parseJsonc(text)).toEqual({ failOn: 'error', ignore: ['a/**', 'b/**'] });
    expect(parseJsonc('{"url": "http://x/*y*/", "s": "a,]"}')).toEqual({ url: 'http://x/*y*/', s: 'a,]' });
    const dir = project({ 'stepup-audit.config.json': text, 'package.json': '\ufeff{"name":"bom"}' });
    expect((await resolveConfig(undefined, dir)).failOn).toBe('error');
    const pkg = project({ 'package.json': '\ufeff{"name":"x","stepupAudit":{"failOn":"note"}}' });
    expect((await resolveConfig(undefined, pkg)).failOn).toBe('note');
  });

  it('a category named like an Object.prototype member is just a name', async () => {
    const c = await validateConfig({ categories: { constructor: { strongSegments: ['gift'] } } }, 'cfg.json');
    expect(Object.getPrototypeOf(c.categories)).toBeNull();
    expect(c.categories.constructor).toEqual({ strongSegments: ['gift'] });
    const d = await validateConfig({}, 'cfg.json');
    expect(d.categories.constructor).toBeUndefined();
  });

  it('the schema shipped in the package is a valid draft-07 schema that accepts the README example', () => {
    const ajv = new Ajv({ strict: false });
    expect(ajv.validateSchema(configSchema())).toBe(true);
    const readme = fs.readFileSync(path.resolve(__dirname, '../README.md'), 'utf8');
    const example = /## Configuration[\s\S]*?```jsonc?\n([\s\S]*?)```/.exec(readme)![1];
    expect(ajv.compile(configSchema())(parseJsonc(example))).toBe(true);
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../package.json'), 'utf8'));
    expect(pkg.files).toContain('schema/');
  });

  it('ignore patterns are relative to the folder of their configuration', () => {
    expect(rerootPattern('legacy/**', '/r', '/r')).toBe('legacy/**');
    expect(rerootPattern('legacy/**', '/r/apps/web', '/r')).toBe('apps/web/legacy/**');
    expect(rerootPattern('apps/web/legacy/**', '/r', '/r/apps/web')).toBe('legacy/**');
    expect(rerootPattern('apps/*/legacy/**', '/r', '/r/apps/web')).toBe('legacy/**');
    expect(rerootPattern('apps/{web,api}/x.ts', '/r', '/r/apps/api')).toBe('x.ts');
    expect(rerootPattern('**/*.spec.ts', '/r', '/r/apps/web')).toBe('**/*.spec.ts');
    expect(rerootPattern('apps/api/**', '/r', '/r/apps/web')).toBeUndefined();
    expect(rerootPattern('x/**', '/other', '/r')).toBeUndefined();
    expect(rerootPattern('**', '/r/a[1]', '/r')).toBe('a\\[1\\]/**');
  });

  it('each application uses the nearest configuration upward from its root', async () => {
    const dir = project({
      'stepup-audit.config.json': '{"failOn": "error"}',
      'apps/web/package.json': '{"name":"web"}',
      'apps/web/stepup-audit.config.json': '{"failOn": "note", "ignore": ["legacy/**"]}',
      'apps/api/package.json': '{"name":"api"}',
      'packages/x/package.json': '{"name":"x","stepupAudit":{"maxFreshnessMinutes": 3}}',
    });
    fs.mkdirSync(path.join(dir, '.git'));
    const plan = await planConfigs([dir], { cwd: dir });
    const used = Object.fromEntries(
      plan.used.map((u) => [path.relative(dir, u.appRoot) || '.', u.file && path.relative(dir, u.file)]),
    );
    expect(used).toEqual({
      '.': 'stepup-audit.config.json',
      'apps/api': 'stepup-audit.config.json',
      'apps/web': 'apps/web/stepup-audit.config.json',
      'packages/x': 'packages/x/package.json#stepupAudit',
    });
    const perApp = plan.config.perApp!;
    const of = (d: string) => perApp.of(d);
    expect(of(path.join(dir, 'apps/web')).failOn).toBe('note');
    expect(of(path.join(dir, 'apps/api')).failOn).toBe('error');
    expect(of(path.join(dir, 'packages/x')).maxFreshnessMinutes).toBe(3);
    // the same answer whatever the path order
    const again = await planConfigs([path.join(dir, 'apps/api'), path.join(dir, 'apps/web')], { cwd: dir });
    expect(again.config.perApp!.of(path.join(dir, 'apps/web')).failOn).toBe('note');
    expect(again.config.perApp!.of(path.join(dir, 'apps/api')).failOn).toBe('error');
    // an explicit file applies to all
    const explicit = await planConfigs([dir], { cwd: dir, explicit: 'apps/web/stepup-audit.config.json' });
    expect(explicit.config.perApp).toBeUndefined();
    expect(explicit.config.failOn).toBe('note');
  });
});
