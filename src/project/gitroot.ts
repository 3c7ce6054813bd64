// The git top level holding a path, found by looking for `.git` upward (never by running git).
import fs from 'node:fs';
import path from 'node:path';

export function gitTopLevel(start: string): string | undefined {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, '.git'))) return dir;
    if (dir === path.dirname(dir)) return undefined;
  }
}
