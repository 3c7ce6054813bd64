// The floor, in its own process: list the tree as the scanner does, read the candidate files and
// parse them with TypeScript (the same parser and options the scanner uses). Nothing else.
import fs from 'node:fs';
import { discover } from '../../dist/project/discover.js';
import { decodeSource, parseText } from '../../dist/project/sources.js';

const [root, candidatesFile] = process.argv.slice(2);
const candidates = JSON.parse(fs.readFileSync(candidatesFile, 'utf8'));
const t0 = performance.now();
await discover(root);
let nodes = 0;
for (const f of candidates) {
  const { text } = decodeSource(fs.readFileSync(f));
  if (text === undefined) continue;
  const sf = parseText(f, text);
  nodes += sf.statements.length;
}
const ms = performance.now() - t0;
process.stdout.write(
  JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, parsed: candidates.length, nodes }),
);
