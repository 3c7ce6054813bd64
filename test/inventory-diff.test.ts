// The differential inventory check's own lister (scripts/inventory-diff.mjs), run against the built
// scanner on a small project: what it lists is what is served, each route once.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot as root } from './helpers/cli.js';
import { removeProject, writeProject } from './helpers/project.js';

const temps: string[] = [];
afterAll(() => temps.forEach(removeProject));

function diff(files: Record<string, string>) {
  const dir = writeProject(files, 'stepup-invdiff-');
  temps.push(dir);
  const r = spawnSync(
    process.execPath,
    [path.join(root, 'scripts/inventory-diff.mjs'), dir, '--json', '--bin', path.join(root, 'bin/stepup-audit.js')],
    { encoding: 'utf8' },
  );
  return JSON.parse(r.stdout) as {
    recall: { perFramework: Record<string, { listed: number; matched: number }> };
    missing: unknown[];
  };
}

describe('inventory-diff lister', () => {
  it('lists a .route() chain whose methods take named middleware once per method', () => {
    const r = diff({
      'package.json': JSON.stringify({ name: 'chain', type: 'module', dependencies: { express: '4.19.2' } }),
      'server.js': [
        "import express from 'express';",
        "import bookings from './routes/bookings.js';",
        'const app = express();',
        "app.use('/booking', bookings);",
        'app.listen(3000);',
        '',
      ].join('\n'),
      'routes/bookings.js': [
        "import express from 'express';",
        'const router = express.Router();',
        'const protect = (req, res, next) => next();',
        'const create = (req, res) => res.json({});',
        'const one = (req, res) => res.json({});',
        "router.route('/create').post(protect, create);",
        'router',
        "  .route('/:id')",
        '  .get(protect, one)',
        '  .delete(protect, one);',
        'export default router;',
        '',
      ].join('\n'),
    });
    expect(r.recall.perFramework.express).toEqual(expect.objectContaining({ listed: 3, matched: 3 }));
    expect(r.missing).toEqual([]);
  });
});
