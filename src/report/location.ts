// Repository-relative locations for SARIF and GitHub annotations: relative to the git top level
// when the scan is inside a git repository (found by looking for .git, never by running git).
import fs from 'node:fs';
import path from 'node:path';
import { relPosix } from '../util.js';

const topCache = new Map<string, string | undefined>();

export function gitTopLevel(start: string): string | undefined {
  if (topCache.has(start)) return topCache.get(start);
  let dir = path.resolve(start);
  let found: string | undefined;
  for (;;) {
    if (fs.existsSync(path.join(dir, '.git'))) {
      found = dir;
      break;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  topCache.set(start, found);
  return found;
}

export function repoRelative(base: string, file: string): string {
  const top = gitTopLevel(base) ?? base;
  return relPosix(top, file);
}
