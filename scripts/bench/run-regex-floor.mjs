// The acceptance floor of the performance target, in its own process, independent of the
// scanner's own planning: list every JS/TS source with fast-glob (dependency and build folders
// left out), read each, keep those that match one regular expression of route-like text or are
// `pages/api` or `route.*` files, and parse those with the TypeScript parser ts-morph bundles
// (the options the scanner uses). The scan is measured against this.
import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { parseText } from '../../dist/project/sources.js';

/** Route-like text: registrations, mounts, exported method handlers, app creators, default exports, tRPC procedures. */
export const ROUTE_LIKE =
  /\b(?:app|router|routes?|server|api|hono)\s*\.\s*(?:get|post|put|patch|delete|all|use|route|on|options|head)\s*\(|\bexport\s+(?:async\s+)?function\s+(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b|\bexport\s+const\s+(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b|\bnew\s+Hono\b|\bexport\s+default\b|\bexpress\s*\(\s*\)|\bRouter\s*\(\s*\)|\bcreateTRPCRouter\b|\.\s*(?:query|mutation)\s*\(/;
/** Convention files that serve routes whatever their text says. */
const ROUTE_FILE = /(?:^|\/)pages\/api\/|(?:^|\/)route\.[cm]?[jt]sx?$/;
const IGNORE = ['node_modules', '.git', '.next', '.turbo', '.vercel', '.output', 'dist', 'build', 'out', 'coverage'];

const [root] = process.argv.slice(2);
const t0 = performance.now();
const files = fg.sync('**/*.{ts,tsx,js,jsx,mjs,cjs,mts,cts}', {
  cwd: root,
  ignore: [...IGNORE.map((d) => `**/${d}/**`), '**/*.d.ts', '**/*.d.mts', '**/*.d.cts'],
  onlyFiles: true,
  followSymbolicLinks: false,
  suppressErrors: true,
});
let parsed = 0;
let nodes = 0;
for (const rel of files) {
  const abs = path.join(root, rel);
  let text;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch {
    continue;
  }
  if (!ROUTE_FILE.test(rel) && !ROUTE_LIKE.test(text)) continue;
  try {
    nodes += parseText(abs, text).statements.length;
    parsed++;
  } catch {
    /* too deeply nested: the scanner reports it, the floor skips it */
  }
}
const ms = performance.now() - t0;
process.stdout.write(
  JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, files: files.length, parsed, nodes }),
);
