// The fixture oracle itself: annotations that contradict each other, todos that already hold and
// related locations that are not where the fixture says are rejected, so a fixture cannot pass by
// saying two things at once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkFixture } from './helpers/oracle.js';

const made: string[] = [];
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

/** A one-file Express fixture whose route is the given annotations over a password change. */
function fixture(annotations: string[], guarded = false): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepup-oracle-'));
  made.push(dir);
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    '{ "name": "oracle-case", "private": true, "dependencies": { "express": "^4.21.0", "bcrypt": "^5.1.0" } }',
  );
  const check = guarded
    ? [
        '  const user = await db.user.findUnique({ where: { id: req.user.id } });',
        '  if (!(await bcrypt.compare(req.body.currentPassword, user.passwordHash))) return res.status(403).end();',
      ]
    : [];
  const src = [
    "import bcrypt from 'bcrypt';",
    "import express from 'express';",
    'const db: any = {};',
    'const app = express();',
    ...annotations.map((a) => `// ${a}`),
    "app.put('/account/password', async (req: any, res: any) => {",
    ...check,
    '  const passwordHash = await bcrypt.hash(req.body.newPassword, 12);',
    '  // expect-related: side-effect',
    '  await db.user.update({ where: { id: req.user.id }, data: { passwordHash } });',
    '  res.json({ ok: true });',
    '});',
    'export default app;',
  ];
  fs.writeFileSync(path.join(dir, 'app.ts'), src.join('\n'));
  return dir;
}

const base = ['expect-endpoint: PUT /account/password', 'expect-sensitive: credentials'];

describe('fixture oracle', () => {
  it('accepts a consistent fixture (the baseline for the cases below)', async () => {
    const r = await checkFixture(fixture([...base, 'expect-status: missing', 'expect: stepup/missing']));
    expect(r.problems).toEqual([]);
  });

  it('rejects two statuses for one endpoint, even when one of them is right', async () => {
    const r = await checkFixture(
      fixture([...base, 'expect-status: missing', 'expect-status: enforced', 'expect: stepup/missing']),
    );
    expect(r.problems.join('\n')).toMatch(/expect-status given 2 times/);
  });

  it('rejects a rule both expected and expect-not', async () => {
    const r = await checkFixture(
      fixture([...base, 'expect-status: missing', 'expect: stepup/missing', 'expect-not: stepup/missing']),
    );
    expect(r.problems.join('\n')).toMatch(/both expected and expect-not/);
  });

  it('rejects enforced alongside an error finding', async () => {
    const r = await checkFixture(fixture([...base, 'expect-status: enforced', 'expect: stepup/missing'], true));
    expect(r.problems.join('\n')).toMatch(/expect-status enforced with an error finding stepup\/missing/);
  });

  it('rejects a status on an endpoint annotated not sensitive', async () => {
    const r = await checkFixture(
      fixture(['expect-endpoint: PUT /account/password', 'expect-status: missing', 'expect: stepup/missing']),
    );
    expect(r.problems.join('\n')).toMatch(/on an endpoint annotated not sensitive/);
  });

  it('fails a todo-expect-status that now holds, asking for promotion', async () => {
    const r = await checkFixture(
      fixture([...base, 'expect-status: enforced', 'todo-expect-status: enforced -- was a limit'], true),
    );
    expect(r.problems.join('\n')).toMatch(/both say enforced/);
    const r2 = await checkFixture(
      fixture([
        ...base,
        'todo-expect-status: missing -- was a limit',
        'expect-status: missing',
        'expect: stepup/missing',
      ]),
    );
    expect(r2.problems.join('\n')).toMatch(/expect-status and todo-expect-status both say missing/);
  });

  it('fails a todo-expect-endpoint once the endpoint is listed', async () => {
    const r = await checkFixture(
      fixture(['todo-expect-endpoint: PUT /account/password -- not listed yet', 'expect-sensitive: credentials']),
    );
    expect(r.problems.join('\n')).toMatch(/is now listed \(a todo-expect-endpoint now passes/);
  });

  it('requires a reason on every todo', async () => {
    const r = await checkFixture(
      fixture([...base, 'expect-status: missing', 'expect: stepup/missing', 'todo-expect-status: enforced']),
    );
    expect(r.problems.join('\n')).toMatch(/todo-expect-status needs a reason/);
  });

  it('checks related locations: the write is related to the missing finding on the line annotated', async () => {
    const dir = fixture([...base, 'expect-status: missing', 'expect: stepup/missing']);
    const file = path.join(dir, 'app.ts');
    const moved = fs
      .readFileSync(file, 'utf8')
      .replace('  // expect-related: side-effect\n', '')
      .replace('  res.json({ ok: true });', '  // expect-related: side-effect\n  res.json({ ok: true });');
    fs.writeFileSync(file, moved);
    const r = await checkFixture(dir);
    expect(r.problems.join('\n')).toMatch(/no finding has a related side-effect location on line/);
  });
});
