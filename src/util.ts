// Small helpers shared by every stage: spans, POSIX paths, stable sorting.
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

export { compareStrings, relPosix, toPosix } from './paths.js';

/** Text of a node, collapsed to one line and clipped, for messages. */
export function shortText(node: ts.Node, max = 60): string {
  const t = node.getText().replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
