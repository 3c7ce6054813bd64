// What the analysis cannot look into, and what a handler does besides touching an asset.
//
// Words decide a handler with no effect on an asset only when it does nothing else either: a stub whose
// path and body fields are all it says, or one whose work is out of sight (a call into an injected
// service, an unresolved module). A handler whose work the analysis can see and which touches no asset —
// a bank-account name looked up, a nonce issued, a mail sent, a list read — is not sensitive, whatever
// its words (rules/assets.json `stubs`).
import { ts } from 'ts-morph';
import { calleeClosure } from '../analysis/callees.js';
import { callsIn } from '../analysis/effects.js';
import { calleeName, skipOuter, type Value, type ValueResolver } from '../analysis/values.js';
import type { FunctionNode } from '../model.js';
import { compiled, ruleFile } from '../rules/load.js';
import { vocab } from '../verify/guard/index.js';

const BUILTIN_MODULES = new Set([
  'fs',
  'path',
  'crypto',
  'os',
  'url',
  'util',
  'events',
  'stream',
  'buffer',
  'querystring',
  'zlib',
  'http',
  'https',
  'child_process',
]);

/** A callee the analysis cannot look into: a package (not a language or runtime built-in), an injected parameter, an unresolved module. */
export function cannotBeSeen(v: Value): boolean {
  if (v.kind === 'external') return !v.module.startsWith('node:') && !BUILTIN_MODULES.has(v.module);
  if (v.kind === 'param') return true;
  if (v.kind === 'member') return cannotBeSeen(v.base);
  // an object a package builds (`new SsoClient()`, `createClient()`): its methods are the package's
  if (v.kind === 'call') return v.callee.some(cannotBeSeen);
  if (v.kind === 'unknown') return /cannot resolve module|no export|cannot read/.test(v.reason);
  return false;
}

/** A value that only a package provides: its export, a member of it, or an object it builds. */
export function isPackage(v: Value): boolean {
  if (v.kind === 'external') return true;
  if (v.kind === 'member') return isPackage(v.base);
  if (v.kind === 'call') return v.callee.length > 0 && v.callee.every(isPackage);
  return false;
}

const rules = compiled(() => {
  const a = ruleFile('assets');
  const never = /$^/;
  return {
    check: a.stubs ? new RegExp(a.stubs.checkCalls) : never,
    quiet: a.exports.quietCalls ? new RegExp(a.exports.quietCalls) : never,
    single: a.exports.singleReads ? new RegExp(a.exports.singleReads) : never,
    depth: a.exports.followDepth,
    globalWork: a.stubs ? new RegExp(a.stubs.globalWork) : never,
    packageWork: a.stubs ? new RegExp(a.stubs.packageWork) : never,
  };
});

/**
 * What a handler that touches no asset does besides answering:
 *  - `none`: nothing (a stub: it answers, checks values, reads at most one record, runs step-up checks);
 *  - `unseen`: it calls something it cannot follow (a project service or module it cannot resolve, a
 *    package call that is no lookup or message), where the harm may happen, whatever else it does;
 *  - `work`: with nothing out of sight, something the analysis can name that touches no asset (a package's
 *    lookup or message, an outgoing request).
 * `served` limits the handler's own calls to those that run under the endpoint's method.
 */
export function visibleWork(
  fn: FunctionNode,
  values: ValueResolver,
  served: (n: ts.Node) => boolean,
): { kind: 'none' | 'unseen' | 'work'; call?: ts.CallExpression } {
  const r = rules();
  const guard = vocab().guardNames;
  const nameOf = (c: ts.CallExpression): string | undefined => calleeName(c) || undefined;
  // (a record read by its key, a cookie read, are plumbing)
  const passive = (name: string): boolean =>
    r.quiet.test(name) || r.check.test(name) || guard.test(name) || r.single.test(name);
  // a step-up check is not followed: what it reads to decide is not the endpoint's work
  const follow = (c: ts.CallExpression, from: FunctionNode): boolean =>
    (from !== fn || served(c)) && !guard.test(nameOf(c) ?? '');
  const closure = calleeClosure([fn], values, r.depth, { calls: callsIn, follow });
  const looked = new Set<ts.Node>(closure);
  let work: ts.CallExpression | undefined;
  // the framework's own objects (the request, the response, a Hono context) are the handler's parameters
  const framework = (v: Value): boolean =>
    (v.kind === 'param' && v.fn === fn) || (v.kind === 'member' && framework(v.base));
  for (const f of closure)
    for (const c of callsIn(f)) {
      if (!ts.isCallExpression(c) || (f === fn && !served(c))) continue;
      const name = nameOf(c);
      const targets = values.resolve(c.expression);
      // `axios.get(url)`: a package's own `get` is an outgoing request
      if (
        name === 'get' &&
        targets.some((v) => v.kind === 'external' || (v.kind === 'member' && v.base.kind === 'external'))
      ) {
        work ??= c;
        continue;
      }
      if (name && passive(name)) continue;
      // a project function looked into: its own calls are looked at
      if (targets.some((v) => (v.kind === 'function' && looked.has(v.node)) || framework(v))) continue;
      if (targets.some(cannotBeSeen)) {
        // a package's call named for a lookup or a message is work the analysis can name; any other
        // package call (an id, a date, an analytics event, a token signed), and a service or module it
        // cannot resolve, may be where the harm happens, or stand beside it: the words keep deciding
        if (!(targets.every(isPackage) && name !== undefined && r.packageWork.test(name))) return { kind: 'unseen' };
        work ??= c;
      }
      // an outgoing request (the language's own modules compute: hashes, ids, buffers)
      else if (name !== undefined && r.globalWork.test(name) && ts.isIdentifier(skipOuter(c.expression))) work ??= c;
    }
  return work ? { kind: 'work', call: work } : { kind: 'none' };
}
