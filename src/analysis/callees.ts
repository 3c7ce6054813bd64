// The project functions a set of functions reaches through their calls, a few levels deep.
import { ts } from 'ts-morph';
import { memo } from '../memo.js';
import type { FunctionNode } from '../model.js';
import { isFunctionNode, type ValueResolver } from './values.js';

export interface ClosureOptions {
  /** The calls of a function to follow (default: every call in its body, nested functions included). */
  calls?: (fn: FunctionNode) => readonly ts.Node[];
  /** Whether to follow a call found in `from` (a reachability or text test). */
  follow?: (call: ts.CallExpression, from: FunctionNode) => boolean;
}

function everyCall(fn: FunctionNode): ts.CallExpression[] {
  const out: ts.CallExpression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) out.push(n);
    ts.forEachChild(n, visit);
  };
  if (fn.body) visit(fn.body);
  return out;
}

/** Every call of a function's body, found once per scan (closures over the same helpers ask again and again). */
const EVERY_CALL = memo('callees.everyCall', () => new WeakMap<FunctionNode, ts.CallExpression[]>());

function everyCallOnce(values: ValueResolver): (fn: FunctionNode) => ts.CallExpression[] {
  const cache = values.session.get(EVERY_CALL);
  return (fn) => {
    let out = cache.get(fn);
    if (!out) cache.set(fn, (out = everyCall(fn)));
    return out;
  };
}

/** `roots` and the project functions they call, `depth` levels down, each once, roots first. */
export function calleeClosure(
  roots: readonly FunctionNode[],
  values: ValueResolver,
  depth: number,
  opts: ClosureOptions = {},
): FunctionNode[] {
  const calls = opts.calls ?? everyCallOnce(values);
  const out = new Set<FunctionNode>();
  const add = (fn: FunctionNode, left: number): void => {
    if (out.has(fn)) return;
    out.add(fn);
    if (left === 0 || !fn.body) return;
    for (const c of calls(fn)) {
      if (!ts.isCallExpression(c) || (opts.follow && !opts.follow(c, fn))) continue;
      for (const v of values.resolve(c.expression))
        if (v.kind === 'function' && v.node.body && isFunctionNode(v.node)) add(v.node, left - 1);
    }
  };
  for (const r of roots) add(r, depth);
  return [...out];
}
