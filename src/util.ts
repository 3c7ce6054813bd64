// Small helpers shared by every stage: spans, POSIX paths, stable sorting.
import path from 'node:path';
import { ts } from 'ts-morph';
import type { Span } from './model.js';

export function spanOf(node: ts.Node, sf: ts.SourceFile = node.getSourceFile()): Span {
  const start = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  const end = sf.getLineAndCharacterOfPosition(node.getEnd());
  return {
    file: sf.fileName,
    line: start.line + 1,
    column: start.character + 1,
    endLine: end.line + 1,
    endColumn: end.character + 1,
  };
}

export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

export function relPosix(from: string, to: string): string {
  const r = toPosix(path.relative(from, to));
  return r === '' ? '.' : r;
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function uniq<T>(items: Iterable<T>): T[] {
  return [...new Set(items)];
}

/** Text of a node, collapsed to one line and clipped, for messages. */
export function shortText(node: ts.Node, max = 60): string {
  const t = node.getText().replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
