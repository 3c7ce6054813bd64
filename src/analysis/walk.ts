// Whole-file walks without recursion. A file may nest deeper than the JavaScript stack allows a
// recursive visitor to follow (a 3,000-term string concatenation, callbacks nested hundreds
// deep); walks over a whole file use an explicit stack instead, so such a file is still indexed
// and only the analysis of the deep expression itself is at risk (and contained where it runs).
import { ts } from 'ts-morph';

/** Does a branch leave the function: a `return` or `throw` as the statement, or among its block's statements? */
export function exits(s: ts.Statement): boolean {
  const leaves = (x: ts.Statement): boolean => ts.isReturnStatement(x) || ts.isThrowStatement(x);
  return leaves(s) || (ts.isBlock(s) && s.statements.some(leaves));
}

/**
 * Visits `root` and its descendants in source order (parents before children). `visit` returns
 * false to skip a node's children.
 */
export function forEachNode(root: ts.Node, visit: (n: ts.Node) => boolean | void): void {
  const stack: ts.Node[] = [root];
  const children: ts.Node[] = [];
  while (stack.length) {
    const n = stack.pop()!;
    if (visit(n) === false) continue;
    children.length = 0;
    ts.forEachChild(n, (c) => {
      children.push(c);
    });
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
}
