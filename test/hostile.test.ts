// Hostile trees: binary files, a 1 MB one-line bundle, 3,000-deep nesting, UTF-16 text, a symlink
// loop, syntax errors. The scan finishes quickly, lists what it could not read, and never crashes.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaults } from '../src/config/types.js';
import { scan } from '../src/pipeline.js';
import { relPosix } from '../src/util.js';
import { runCli } from './helpers/cli.js';
import { removeProject, writeProject } from './helpers/project.js';

let dir = '';

beforeAll(() => {
  dir = writeProject(
    {
      'package.json': JSON.stringify({ name: 'hostile', dependencies: { express: '4', next: '15' } }),
      'src/app.ts':
        "import express from 'express';\nconst app = express();\napp.post('/api/transfers', async (req, res) => { await db.transfer.create({ data: req.body }); res.sendStatus(201); });\nconst db: any = {};\n",
      // a route file with a syntax error: reported, the rest still scanned
      'src/broken.ts':
        "import express from 'express';\nconst r = express.Router();\nr.post('/api/payouts', (req, res) => { res.send( });\n",
      'app/api/health/route.ts': 'export async function GET() { return Response.json({ ok: true }); }\n',
    },
    'stepup-hostile-',
  );
  // random binary with a source extension
  const bin = Buffer.alloc(64 * 1024);
  for (let i = 0; i < bin.length; i++) bin[i] = (i * 7919 + 13) % 256;
  fs.writeFileSync(path.join(dir, 'src/blob.ts'), bin);
  // a one-line bundle just under 1 MB, and one over it
  fs.writeFileSync(
    path.join(dir, 'src/bundle.js'),
    `var a=[${'1,'.repeat(480_000)}1];app.get('/x',function(q,s){s.end()});\n`,
  );
  fs.writeFileSync(path.join(dir, 'src/huge.js'), `var b="${'x'.repeat(1_100_000)}";\n`);
  // 3,000-deep nesting
  fs.writeFileSync(
    path.join(dir, 'src/deep.ts'),
    `export const v = ${'['.repeat(3000)}1${']'.repeat(3000)};\napp.get('/deep', (req, res) => res.end());\n`,
  );
  fs.writeFileSync(
    path.join(dir, 'src/deep-calls.ts'),
    `app.get('/calls', (req, res) => ${'f('.repeat(3000)}1${')'.repeat(3000)});\n`,
  );
  // UTF-16 (with BOM) source declaring a route
  const utf16 =
    "import express from 'express';\nconst app = express();\napp.delete('/api/account', (req, res) => res.end());\n";
  fs.writeFileSync(
    path.join(dir, 'src/utf16.ts'),
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(utf16, 'utf16le')]),
  );
  // a symlink loop and a symlink out of the tree
  fs.mkdirSync(path.join(dir, 'loop'));
  fs.symlinkSync(path.join(dir, 'loop'), path.join(dir, 'loop', 'again'));
  fs.symlinkSync('/etc', path.join(dir, 'outside'));
});

afterAll(() => removeProject(dir));

describe('hostile input', () => {
  it('scans to completion, lists unreadable files, and keeps the rest', async () => {
    const t0 = performance.now();
    const result = await scan({ paths: [dir], config: defaults() });
    expect(performance.now() - t0).toBeLessThan(30_000);
    const errors = result.errors.map((e) => `${relPosix(dir, e.file)}: ${e.message}`);
    expect(errors.some((e) => e.startsWith('src/broken.ts: syntax error'))).toBe(true);
    expect(errors.some((e) => e.startsWith('src/blob.ts: not a text file'))).toBe(true);
    const ids = result.endpoints.map((e) => `${e.method} ${e.path}`);
    expect(ids).toContain('POST /api/transfers');
    expect(ids).toContain('GET /api/health');
    expect(ids).toContain('DELETE /api/account'); // from the UTF-16 file
    expect(result.endpoints.every((e) => !e.anchor.file.includes(`${path.sep}loop${path.sep}again`))).toBe(true);
    expect(result.endpoints.every((e) => e.anchor.file.startsWith(dir))).toBe(true);
  });

  it('the CLI exits 0 or 1 without a stack trace', async () => {
    const r = await runCli([dir, '--format', 'json']);
    expect([0, 1]).toContain(r.code);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
    const json = JSON.parse(r.stdout);
    expect(json.errors.length).toBeGreaterThan(0);
    expect(json.errors.find((e: { file: string }) => e.file === 'src/broken.ts').phase).toBe('parse');
  });
});
