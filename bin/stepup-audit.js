#!/usr/bin/env node
// The command. In a source checkout whose build is missing (a fresh clone after `npm ci`), the
// CLI is built first with the TypeScript compiler the dependencies already carry.
import fs from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!fs.existsSync(cli) && fs.existsSync(new URL('../src/cli.ts', import.meta.url))) {
  const { buildDist } = await import('../scripts/build.mjs');
  process.stderr.write('stepup-audit: building from source (first run in this checkout)…\n');
  buildDist();
}
const { main } = await import(cli.href);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`stepup-audit: internal error: ${err && err.message ? err.message : String(err)}\n`);
    if (process.argv.includes('--verbose') && err && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 2;
  },
);
