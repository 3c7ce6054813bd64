// Route prefixes from dotenv files (src/project/env-files.ts): the nearest folder that sets a name answers, up to the
// application's own folder; files that disagree answer nothing; a test runner's file, a template placeholder and a
// random-looking segment are never taken; a name set twice keeps its last value.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EnvFiles, parseDotenv } from '../src/project/env-files.js';
import { SourceStore } from '../src/project/sources.js';
import { Tree } from '../src/project/tree.js';

const temps: string[] = [];
afterAll(() => temps.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tree(files: Record<string, string>): { root: string; env: EnvFiles } {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'envfiles-')));
  temps.push(root);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  const store = new SourceStore();
  store.trees.push(new Tree(root, 'path'));
  return { root, env: new EnvFiles(store) };
}

describe('dotenv route prefixes', () => {
  it('answers from the nearest folder that sets the name, the last line of a name winning', () => {
    const { root, env } = tree({
      'package.json': '{}',
      '.env': 'BASE=/api/v1/\nBASE=/api/v2/\n',
      'src/config/constants.ts': '',
    });
    expect(env.pathValue('BASE', path.join(root, 'src/config/constants.ts'))).toBe('/api/v2/');
    expect(env.pathValue('OTHER', path.join(root, 'src/config/constants.ts'))).toBeUndefined();
  });

  it("stops at the application's own folder: another application's settings above it are not its", () => {
    const { root, env } = tree({ '.env': 'BASE=/dashboard\n', 'apps/api/package.json': '{}', 'apps/api/src/a.ts': '' });
    expect(env.pathValue('BASE', path.join(root, 'apps/api/src/a.ts'))).toBeUndefined();
  });

  it('answers nothing when the files of the folder disagree, and never reads a test runner file', () => {
    const disagree = tree({ 'package.json': '{}', '.env': 'BASE=/api/v1\n', '.env.production': 'BASE=/api\n' });
    expect(disagree.env.pathValue('BASE', path.join(disagree.root, 'a.ts'))).toBeUndefined();
    const testOnly = tree({ 'package.json': '{}', '.env': 'BASE=/api\n', '.env.test': 'BASE=/test\n' });
    expect(testOnly.env.pathValue('BASE', path.join(testOnly.root, 'a.ts'))).toBe('/api');
  });

  it('takes only paths: no placeholder, no random-looking segment, no bare word', () => {
    const { root, env } = tree({
      'package.json': '{}',
      '.env.example':
        'ADMIN=/change-this-admin-path\nHOOK=/hooks/wh7Gq2xZpL9\nHIDDEN=/x7Kp2/admin\nWORD=api\nOK=/api/v1/\n',
    });
    const at = path.join(root, 'a.ts');
    expect(['ADMIN', 'HOOK', 'HIDDEN', 'WORD'].map((n) => env.pathValue(n, at))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(env.pathValue('OK', at)).toBe('/api/v1/');
  });

  it('parses export lines, quotes and trailing comments', () => {
    const vars = parseDotenv('export A="/a b"\nB=\'/b\'\nC=/c # note\n# D=/d\n');
    expect([...vars]).toEqual([
      ['A', '/a b'],
      ['B', '/b'],
      ['C', '/c'],
    ]);
  });
});
