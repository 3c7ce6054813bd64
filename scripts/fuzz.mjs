#!/usr/bin/env node
// The mutation fuzzer at full size: `npm run fuzz [-- <trees> [<seed>]]` (default 300 trees, seed 16).
// The same test `npm test` runs with a few trees (test/fuzz.test.ts); it prints its numbers at the end.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [trees = '300', seed = '16'] = process.argv.slice(2);
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const r = spawnSync(process.execPath, [vitest, 'run', 'test/fuzz.test.ts', '--reporter', 'dot'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, STEPUP_FUZZ_TREES: trees, STEPUP_FUZZ_SEED: seed },
});
process.exitCode = r.status ?? 1;
