// One scan in its own process: prints wall time, peak RSS and counts as JSON. The candidate list
// is written for the floor measurement.
import fs from 'node:fs';
import { scan } from '../../dist/scan.js';
import { defaults } from '../../dist/config/types.js';

const [root, candidatesOut] = process.argv.slice(2);
const t0 = performance.now();
const result = await scan({ paths: [root], config: defaults() });
const ms = performance.now() - t0;
if (candidatesOut) fs.writeFileSync(candidatesOut, JSON.stringify(result.roots.flatMap((r) => r.ctx.candidates)));
const parsed = result.roots.reduce((a, r) => a + r.ctx.store.parsed, 0);
process.stdout.write(
  JSON.stringify({
    ms,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    files: result.summary.files,
    candidates: result.roots.reduce((a, r) => a + r.ctx.candidates.length, 0),
    parsed,
    endpoints: result.summary.endpoints,
    sensitive: result.summary.sensitive,
    errors: result.errors.length,
    timings: result.timings,
  }),
);
