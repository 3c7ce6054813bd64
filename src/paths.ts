// Path and ordering helpers that load nothing heavy (the CLI and the reporters use them before,
// or without, the analysis engine).
import path from 'node:path';

export function toPosix(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}

export function relPosix(from: string, to: string): string {
  const r = toPosix(path.relative(from, to));
  return r === '' ? '.' : r;
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
