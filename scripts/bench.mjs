#!/usr/bin/env node
// npm run bench [-- [--sizes 1,2,4] [--base 10000] [--runs 3] [repo ...]]
// Generates a synthetic monorepo (deterministic) at 1×, 2× and 4× the base size, scans each (best
// of N runs, separate processes) and measures two floors in the same run: the scanner's own (list +
// read + parse of the scanner's candidate files) and the acceptance floor of the performance target
// (every source listed with fast-glob and read, those matching one route-like regular expression or
// named `pages/api/**`, `route.*` parsed: see bench/run-regex-floor.mjs). `ratio` is scan ÷
// acceptance floor. Also scans any repositories given as arguments.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './bench/generate.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  if (i < 0) return def;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const sizes = opt('--sizes', '1,2,4').split(',').map(Number);
const base = Number(opt('--base', '10000'));
const runs = Number(opt('--runs', '3'));
const repos = args;

function node(script, ...a) {
  return JSON.parse(
    execFileSync(process.execPath, [path.join(here, 'bench', script), ...a], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    }),
  );
}

function measure(root, label) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stepup-bench-'));
  const cands = path.join(tmp, 'candidates.json');
  let best;
  for (let i = 0; i < runs; i++) {
    const r = node('run-scan.mjs', root, cands);
    if (!best || r.ms < best.ms) best = r;
  }
  let floor;
  for (let i = 0; i < runs; i++) {
    const f = node('run-floor.mjs', root, cands);
    if (!floor || f.ms < floor.ms) floor = f;
  }
  let accept;
  for (let i = 0; i < runs; i++) {
    const f = node('run-regex-floor.mjs', root);
    if (!accept || f.ms < accept.ms) accept = f;
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  const row = {
    label,
    files: best.files,
    candidates: best.candidates,
    parsed: best.parsed,
    endpoints: best.endpoints,
    sensitive: best.sensitive,
    scanMs: Math.round(best.ms),
    floorMs: Math.round(floor.ms),
    acceptParsed: accept.parsed,
    acceptFloorMs: Math.round(accept.ms),
    ratio: +(best.ms / accept.ms).toFixed(2),
    candidateRatio: +(best.ms / floor.ms).toFixed(2),
    peakRssMb: Math.round(best.maxRssMb),
    phases: Object.fromEntries(Object.entries(best.timings).map(([k, v]) => [k, Math.round(v)])),
  };
  console.log(
    `${label.padEnd(28)} files ${String(row.files).padStart(6)}  candidates ${String(row.candidates).padStart(5)}  parsed ${String(row.parsed).padStart(5)}  endpoints ${String(row.endpoints).padStart(5)}  ` +
      `scan ${String(row.scanMs).padStart(6)} ms  floor ${String(row.floorMs).padStart(6)} ms (×${row.candidateRatio.toFixed(2)})  ` +
      `acceptance floor ${String(row.acceptFloorMs).padStart(6)} ms (${row.acceptParsed} parsed)  ratio ${row.ratio.toFixed(2)}  peak RSS ${row.peakRssMb} MB`,
  );
  console.log(
    `${' '.repeat(28)} phases: ${Object.entries(row.phases)
      .map(([k, v]) => `${k} ${v} ms`)
      .join(' · ')}`,
  );
  return row;
}

console.log(`stepup-audit benchmark · node ${process.version} · ${os.cpus().length} cores · best of ${runs}`);
const rows = [];
const genRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'stepup-bench-repo-'));
try {
  for (const k of sizes) {
    const dir = path.join(genRoot, `x${k}`);
    const g = generate(dir, base * k);
    rows.push({ ...measure(dir, `synthetic ${k}× (${g.files} files)`), size: k });
    fs.rmSync(dir, { recursive: true, force: true });
  }
} finally {
  fs.rmSync(genRoot, { recursive: true, force: true });
}
for (let i = 1; i < rows.length; i++) {
  const a = rows[i - 1];
  const b = rows[i];
  console.log(
    `growth ${a.size}× → ${b.size}×: files ×${(b.files / a.files).toFixed(2)}, time ×${(b.scanMs / a.scanMs).toFixed(2)}, RSS ×${(b.peakRssMb / a.peakRssMb).toFixed(2)}`,
  );
}
for (const repo of repos) measure(path.resolve(repo), path.basename(path.resolve(repo)));
