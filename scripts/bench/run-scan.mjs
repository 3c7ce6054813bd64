// One scan in its own process: prints wall time, CPU time, peak RSS and counts as JSON. The
// candidate list is written for the floor measurement.
import fs from 'node:fs';
import path from 'node:path';
import { planRoot, scan } from '../../dist/pipeline.js';
import { defaults } from '../../dist/config/types.js';
import { ScanSession } from '../../dist/session.js';

const [root, candidatesOut] = process.argv.slice(2);
const config = defaults();
const c0 = process.cpuUsage();
const t0 = performance.now();
const result = await scan({ paths: [root], config });
const ms = performance.now() - t0;
const cpu = process.cpuUsage(c0);
const maxRssMb = process.resourceUsage().maxRSS / 1024;
if (candidatesOut)
  fs.writeFileSync(candidatesOut, JSON.stringify(planRoot(new ScanSession(config), path.resolve(root)).candidates));
process.stdout.write(
  JSON.stringify({
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssMb,
    files: result.summary.files,
    candidates: result.stats.candidates,
    parsed: result.stats.parsed,
    endpoints: result.summary.endpoints,
    sensitive: result.summary.sensitive,
    errors: result.errors.length,
    timings: result.timings,
  }),
);
