// Analyses each stage of an endpoint's chain: Next.js middleware, router and route middleware,
// higher-order wrappers, and the handler itself. A middleware or wrapper protects what follows
// when every continuation (next(), the wrapped handler) sits behind a step-up check; the handler
// is protected when every side effect (or, with none, every answer) does.
import { ts } from 'ts-morph';
import { bindingPath, findDeclaration } from '../analysis/scope.js';
import type { Env } from '../analysis/strings.js';
import { isFunctionNode, skipOuter, type ValueResolver } from '../analysis/values.js';
import { leafEffects } from '../analysis/effects.js';
import { recordOfSignedIn, sessionReadCall } from '../classify/chosen-record.js';
import { writeOps } from '../classify/assets.js';
import { unwrap } from '../analysis/unwrap.js';
import { wrapperLinks } from '../frameworks/shared/endpoint.js';
import { assumeMethod } from '../analysis/assume.js';
import type { ChainLink, Endpoint, FunctionNode } from '../model.js';
import { shortText, spanOf } from '../util.js';
import type { VerifyContext } from './context.js';
import { assetAssignments } from './conditional-keys.js';
import { counts, Flow, type FlowPoint, type FlowResult, type GuardEvent } from './flow.js';
import {
  enablesFactor,
  factorSwitchedOn,
  middlewareContinuation,
  requiresFactorOn,
  type GuardSpec,
} from './guard/index.js';

export interface StageResult {
  via: ChainLink['via'] | 'handler';
  link?: ChainLink;
  name: string;
  flow?: FlowResult;
  /** Step-up checks this stage makes (including broken ones). */
  events: GuardEvent[];
  /** Every continuation (or handler point) sits behind a check that can be seen. */
  protects: boolean;
  /** Checks that protect every continuation / point. */
  protecting: GuardEvent[];
  /** A guard known from the catalogue or configuration whose body cannot be seen. */
  spec?: GuardSpec;
  /** A step-up-looking piece the analysis cannot see into. */
  opaque?: string;
  /** A continuation reachable when the check fails. */
  leak?: FlowPoint;
  /** Handler: points that must be protected, and those that are not. */
  points: FlowPoint[];
  unprotected: FlowPoint[];
}

function envFor(link: ChainLink): Env | undefined {
  if (!link.factory || !ts.isCallExpression(skipOuter(link.expr))) return undefined;
  const call = skipOuter(link.expr) as ts.CallExpression;
  const env: Env = new Map();
  link.factory.parameters.forEach((p, i) => {
    const a = call.arguments[i];
    if (a) env.set(p, a);
  });
  return env;
}

/** Checks that count as protection: seen, or unseen but with a result that decides a refusal here (unless their code is outside the tree). */
function guardIds(events: GuardEvent[]): Set<number> {
  return new Set(events.filter(counts).map((e) => e.id));
}

function evidenceOf(flow: FlowResult): GuardEvent[] {
  return flow.events.filter(
    (e) =>
      // (a check only ever refused when it passes keeps a new secret from equalling the old one: no guard)
      !(e.inverted && !e.checked && !e.established) &&
      (e.checked ||
        e.established ||
        e.notAwaited ||
        e.opaque ||
        e.misread ||
        e.usage === 'bare' ||
        e.usage === 'var' ||
        e.spec.mode === 'never-fails'),
  );
}

function protectingOf(points: FlowPoint[], events: GuardEvent[]): GuardEvent[] {
  if (!points.length) return [];
  const ids = guardIds(events);
  let common = new Set([...points[0].must].filter((id) => ids.has(id)));
  for (const p of points.slice(1)) common = new Set([...common].filter((id) => p.must.has(id)));
  return events.filter((e) => common.has(e.id));
}

/** A continuation-style stage: Next middleware, router/route middleware, wrapper. */
function analyseAround(link: ChainLink, ep: Endpoint, ctx: VerifyContext): StageResult {
  const base: StageResult = {
    via: link.via,
    link,
    name: link.name,
    events: [],
    protects: false,
    protecting: [],
    points: [],
    unprotected: [],
  };
  const specs = ctx.specs;
  const fn = link.fn;
  if (!fn || !fn.body) {
    const spec = specs.specOfReference(link.expr);
    if (spec && !spec.opaque && spec.mode !== 'never-fails')
      return {
        ...base,
        spec,
        protects:
          (spec.mode === 'middleware' || spec.mode === 'throws') && !spec.enrolling && !spec.skip && !spec.unrecognised,
      };
    if (spec?.opaque)
      return { ...base, opaque: `${link.name}${link.externalModule ? ` (from ${link.externalModule})` : ''}` };
    return base;
  }
  let isContinuation: ((c: ts.CallExpression) => boolean) | undefined;
  let isErrorContinuation: ((c: ts.CallExpression) => boolean) | undefined;
  let role: 'middleware' | 'next-middleware' | 'wrapper' = 'middleware';
  if (link.via === 'next-middleware') role = 'next-middleware';
  else if (link.via === 'wrapper') {
    role = 'wrapper';
    const params = link.factory?.parameters ?? [];
    isContinuation = (c) => callsParam(c, params);
  } else if (link.handsOn && 'option' in link.handsOn) {
    // tRPC / action-client middleware: `({ ctx, next }) => next({ ctx })`; a throw (TRPCError) or any other return ends the request
    isContinuation = optionCall(fn, link.handsOn.option);
  } else if (!link.handsOn) {
    const next = middlewareContinuation(fn);
    if (!next) return base; // not a middleware signature: it cannot hold the request back in a way we can see
    isContinuation = (c) => next.kind(c) === 'continue';
    isErrorContinuation = (c) => next.kind(c) === 'error';
  }
  const assumptions =
    role === 'next-middleware'
      ? assumeMethod(ep.method, ctx.values, link.matchedPath)
      : assumeMethod(ep.method, ctx.values);
  const flow = new Flow({
    fn,
    role,
    assumptions,
    env: envFor(link),
    specs,
    isContinuation,
    isErrorContinuation,
    maxFreshnessMinutes: ctx.config.maxFreshnessMinutes,
    effects: false,
  }).run();
  const events = evidenceOf(flow);
  // A stage that produces the context (zsa procedure handler): the request goes on wherever it returns.
  const conts =
    link.handsOn && 'returns' in link.handsOn
      ? returnsAsContinuations(flow)
      : flow.points.filter((p) => p.kind === 'continuation');
  const ids = guardIds(events);
  const unprotected = conts.filter((p) => ![...p.must].some((id) => ids.has(id)));
  const protecting = protectingOf(conts, events);
  const protects = conts.length > 0 && unprotected.length === 0 && protecting.length > 0;
  const relevant = events.some((e) => e.checked || e.established || e.notAwaited);
  return {
    ...base,
    flow,
    events,
    protects,
    protecting,
    leak:
      !protects && relevant
        ? (unprotected.find((p) => p.fall.size > 0 || [...p.may].some((id) => ids.has(id))) ??
          (unprotected.length && conts.length > unprotected.length ? unprotected[0] : undefined))
        : undefined,
    opaque: events.some((e) => e.opaque) && !relevant ? events.find((e) => e.opaque)!.name : undefined,
    points: conts,
    unprotected,
  };
}

/** `({ next }) => next()`, `(opts) => opts.next()`: a call of option `name` of the function's first parameter. */
function optionCall(fn: FunctionNode, name: string): (c: ts.CallExpression) => boolean {
  const first = fn.parameters[0];
  return (c) => {
    if (!first) return false;
    const callee = skipOuter(c.expression);
    if (ts.isIdentifier(callee)) {
      const d = findDeclaration(callee);
      if (!d || !ts.isBindingElement(d)) return false;
      const { root, path } = bindingPath(d);
      if (path.length !== 1 || path[0] !== name || !root) return false;
      if (root === first) return true;
      // `const { next } = opts`
      const init = ts.isVariableDeclaration(root) && root.initializer ? skipOuter(root.initializer) : undefined;
      return !!init && ts.isIdentifier(init) && findDeclaration(init) === first;
    }
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === name) {
      const recv = skipOuter(callee.expression);
      return ts.isIdentifier(recv) && findDeclaration(recv) === first;
    }
    return false;
  };
}

/** Every way out of a function but a throw, as a continuation point. */
function returnsAsContinuations(flow: FlowResult): FlowPoint[] {
  return flow.exits
    .filter((x) => x.kind !== 'throw')
    .map((x) => ({
      kind: 'continuation' as const,
      node: x.node,
      must: x.must,
      may: x.may,
      fall: new Map(),
      failing: new Set<number>(),
    }));
}

function callsParam(c: ts.CallExpression, params: readonly ts.ParameterDeclaration[]): boolean {
  let callee = skipOuter(c.expression);
  if (ts.isPropertyAccessExpression(callee) && (callee.name.text === 'call' || callee.name.text === 'apply'))
    callee = skipOuter(callee.expression);
  if (!ts.isIdentifier(callee)) return false;
  const d = findDeclaration(callee);
  return !!d && params.some((p) => p === d);
}

export function analyseHandler(
  ep: Endpoint,
  ctx: VerifyContext,
  /** Another function of the route to read as the handler is read (a route middleware that does the work). */
  work?: ChainLink,
): StageResult {
  const fn = work ? work.fn : ep.handler.fn;
  const base: StageResult = {
    via: 'handler',
    name: work ? work.name : ep.handler.name,
    events: [],
    protects: false,
    protecting: [],
    points: [],
    unprotected: [],
  };
  if (!fn)
    return { ...base, opaque: work ? work.name : (ep.handler.unresolved ?? 'the handler could not be resolved') };
  const assumptions = assumeMethod(ep.method, ctx.values);
  // An Express handler's `next(err)` hands the request to the error handler: it ends it with an error.
  const next = middlewareContinuation(fn);
  const isErrorContinuation = next ? (c: ts.CallExpression): boolean => next.kind(c) === 'error' : undefined;
  const flow = new Flow({
    fn,
    role: 'handler',
    assumptions,
    specs: ctx.specs,
    isErrorContinuation,
    maxFreshnessMinutes: ctx.config.maxFreshnessMinutes,
    effects: true,
  }).run();
  // A handler that switches a one-time-code factor on enrols it: a code it checks proves that factor, not the account.
  const enabled =
    enablesFactor(fn) ??
    factorSwitchedOn(flow.points.flatMap((p) => (p.kind === 'effect' && p.effect ? [p.effect] : [])));
  // (unless the handler refused a request whose factor was not on already: a switch written on again enrols nothing)
  if (enabled && !requiresFactorOn(fn)) {
    for (const e of flow.events)
      if (e.spec.factor === 'otp' && !e.spec.enrolling)
        e.spec = {
          ...e.spec,
          enrolling: `the factor this request switches on (${shortText(enabled, 60)}, line ${spanOf(enabled).line})`,
        };
  }
  const keys = ep.classification?.categories.includes('keys-secrets');
  // What runs in a check's failure branch (recording the failed attempt) is not what the check protects.
  const live = new Set(flow.events.filter((e) => e.checked && counts(e)).map((e) => e.id));
  const inFailure = (p: FlowPoint): boolean => [...p.failing].some((id) => live.has(id));
  let points = flow.points.filter(
    (p) =>
      p.kind === 'effect' &&
      (p.effect?.kind !== 'mint' || keys) &&
      !inFailure(p) &&
      !establishesSession(p, ep, ctx.values, fn),
  );
  if (!points.length) points = flow.points.filter((p) => p.kind === 'response');
  if (!points.length) points = flow.points.filter((p) => p.kind === 'end');
  const events = evidenceOf(flow);
  const ids = guardIds(events);
  const guarded = (p: FlowPoint): boolean => [...p.must].some((id) => ids.has(id));
  // a write that carries the asset only on the paths setting its columns on a local object: those
  // assignments stand for it
  const assigns = flow.points.filter((p) => p.kind === 'assign');
  if (assigns.length)
    points = points.flatMap((p) => {
      if (guarded(p)) return [p];
      const sets = assetAssignments(p, assigns, ep);
      return sets?.length && sets.every(guarded) ? sets : [p];
    });
  const unprotected = points.filter((p) => !guarded(p));
  const protecting = protectingOf(points, events);
  return {
    ...base,
    flow,
    events,
    protects: points.length > 0 && unprotected.length === 0 && protecting.length > 0,
    protecting,
    points,
    unprotected,
  };
}

/**
 * The call that tells who is signed in (`await requireAuth()`, `getCurrentUser()`: a session reader by its name,
 * handed nothing but what carries the session) runs before any step-up can: the check must know whose factor to ask
 * for. What it writes on the way to the caller's own record (a last-seen stamp, the record provisioned or its role
 * normalised) is not the operation the check protects. Anything else it does is: a deletion, a write to another
 * record, an identity provider's call, a write a reason of the classification cites, and every write of an endpoint
 * the configuration marks sensitive. A middleware the handler runs in place (`auth(req, res, () => …)`) is read as a
 * chain's would be: all it does is its own, except a write a reason of the classification cites.
 */
function establishesSession(p: FlowPoint, ep: Endpoint, values: ValueResolver, fn?: FunctionNode): boolean {
  if (!p.effect || !ts.isCallExpression(p.node)) return false;
  const inline = !!fn && inlineMiddleware(p.node, fn);
  if (!inline && !sessionReadCall(p.node)) return false;
  const cls = ep.classification;
  if (!cls || cls.reasons.some((r) => r.kind === 'config')) return false;
  const at = (s: { file: string; line: number }): string => `${s.file}:${s.line}`;
  const cited = new Set(cls.reasons.flatMap((r) => (r.span ? [at(r.span)] : [])));
  // (a middleware run in place stands where a chain's would: its own work is not the endpoint's, unless it is
  // where the endpoint's asset is written)
  if (inline) return leafEffects([p.effect]).every((l) => !cited.has(at(spanOf(l.node))));
  return leafEffects([p.effect]).every(
    (l) =>
      (l.kind === 'db-write' || l.kind === 'sql-write') &&
      !writeOps(l).includes('delete') &&
      !cited.has(at(spanOf(l.node))) &&
      recordOfSignedIn(l, values),
  );
}

/**
 * A middleware the handler runs itself, handed its request, its response and what runs next
 * (`authMiddleware(req, res, (err) => …)`): it stands in front of the handler as a chain's middleware would.
 */
function inlineMiddleware(call: ts.CallExpression, fn: FunctionNode): boolean {
  const [req, res, next] = call.arguments.map((a) => skipOuter(a));
  const [p0, p1] = fn.parameters;
  const same = (a: ts.Expression | undefined, p: ts.ParameterDeclaration | undefined): boolean =>
    !!a && !!p && ts.isIdentifier(a) && ts.isIdentifier(p.name) && a.text === p.name.text;
  return call.arguments.length === 3 && same(req, p0) && same(res, p1) && !!next && isFunctionNode(next);
}

export function analyseStages(
  ep: Endpoint,
  ctx: VerifyContext,
): { chain: StageResult[]; handler: StageResult; late: StageResult[] } {
  const chain = ep.chain.map((l) => analyseAround(l, ep, ctx));
  const handler = analyseHandler(ep, ctx);
  const late = (ep.lateChain ?? []).map((l) => analyseAround(l, ep, ctx));
  return { chain, handler, late };
}

/**
 * What protects each route middleware that does the endpoint's work (`UserMWs.deleteUser` before the answer,
 * Endpoint.workLinks): a stage before it that protects everything after it, its own check before its effects,
 * or a wrapper it is handed to (`withReauth(deleteAccount)`). Undefined when one of them is unprotected.
 */
export function workCover(ep: Endpoint, chain: StageResult[], ctx: VerifyContext): StageResult[] | undefined {
  const out: StageResult[] = [];
  for (const l of ep.workLinks ?? []) {
    const cover =
      chain.slice(0, Math.max(ep.chain.indexOf(l), 0)).find((st) => st.protects) ??
      [analyseHandler(ep, ctx, l)].find((st) => st.protects) ??
      wrapperLinks(unwrap(l.expr, ctx.values))
        .map((w) => analyseAround(w, ep, ctx))
        .find((st) => st.protects);
    if (!cover) return undefined;
    out.push(cover);
  }
  return out;
}

export function describeGuard(e: GuardEvent): string {
  if (e.usage === 'inline') return e.name;
  return `${shortText(e.node, 60)}`;
}
