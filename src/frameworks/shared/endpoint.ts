// Builds Endpoint records from resolved registrations: unwraps the handler and every middleware,
// records wrappers as chain links, reads body fields.
import { ts } from 'ts-morph';
import { readBodyFields } from '../../analysis/body.js';
import { firstFunction, unwrap, type Unwrapped } from '../../analysis/unwrap.js';
import { isInside, type ValueResolver } from '../../analysis/values.js';
import type { BodyField, ChainLink, Endpoint, Framework, HandlerRef, HttpMethod } from '../../model.js';
import { shortText, spanOf } from '../../util.js';
import { memo } from '../../memo.js';
import { ruleFile } from '../../rules/load.js';
import type { AdapterContext } from '../types.js';

const LINKS = memo('endpoint.chainLinks', () => new WeakMap<ts.Node, Map<string, ChainLink>>());

/** A chain link for a middleware expression; the same expression (app.use(express.json())) is resolved once. */
export function chainLink(expr: ts.Expression, via: ChainLink['via'], values: ValueResolver): ChainLink {
  // (a loop's bindings change what the expression stands for: such a link is made for each binding)
  if (values.bound) return makeLink(expr, via, values);
  const cache = values.session.get(LINKS);
  let byVia = cache.get(expr);
  if (!byVia) cache.set(expr, (byVia = new Map<string, ChainLink>()));
  const hit = byVia.get(via);
  if (hit) return { ...hit };
  const link = makeLink(expr, via, values);
  byVia.set(via, link);
  return { ...link };
}

function makeLink(expr: ts.Expression, via: ChainLink['via'], values: ValueResolver): ChainLink {
  const x = expr as ts.Node;
  const declared = ts.isFunctionDeclaration(x) && x.name ? x.name.text : undefined;
  // one of several functions (`const guard = skip ? noop : requireReauth`): which one runs is not known,
  // so none of them is taken for it (a check in one alternative protects nothing for sure)
  const fns = new Set(values.resolve(expr).flatMap((v) => (v.kind === 'function' ? [v.node] : [])));
  if (fns.size > 1) return { via, name: declared ?? shortText(expr, 48), expr, span: spanOf(expr), fn: undefined };
  const u = unwrap(expr, values);
  return {
    via,
    name: declared ?? shortText(expr, 48),
    expr,
    fn: u.fn,
    factory: u.factory?.fn,
    externalModule: u.external?.module,
    externalName: u.external?.name,
    span: spanOf(expr),
  };
}

export function wrapperLinks(u: Unwrapped): ChainLink[] {
  return u.wrappers.map((w) => ({
    via: 'wrapper' as const,
    name: w.name,
    expr: w.call,
    fn: w.returned ?? w.fn,
    factory: w.fn,
    externalModule: w.external?.module,
    externalName: w.external?.name,
    span: spanOf(w.call),
  }));
}

export function handlerRef(u: Unwrapped, expr: ts.Node): HandlerRef {
  return {
    expr,
    fn: u.fn,
    ...(u.fn && u.madeBy && { madeBy: u.madeBy }),
    span: u.fn ? spanOf(u.fn) : undefined,
    name: u.name,
    externalModule: u.external?.module,
    externalName: u.external?.name,
    unresolved: u.fn
      ? undefined
      : (u.unresolved ?? (u.external ? `handler comes from package ${u.external.module}` : 'handler not resolved')),
  };
}

export interface EndpointInput {
  framework: Framework;
  method: HttpMethod;
  path: string;
  anchor: ts.Node;
  handlerExpr: ts.Expression;
  chain: ChainLink[];
  tags?: string[];
  /** Pre-computed unwrap of the handler (saves a second resolution). */
  unwrapped?: Unwrapped;
  /** The factory call that made the route's router: a handler written inside that factory is its closure. */
  madeFor?: ts.CallExpression;
}

/** A handler written inside the factory that made its router (`createCrudRouter(config, handlers)`): made by that call. */
function madeWithin(u: Unwrapped, call: ts.CallExpression | undefined, ctx: AdapterContext): Unwrapped {
  if (!call || !u.fn || u.madeBy) return u;
  const fn = firstFunction(ctx.values.resolve(call.expression));
  return fn && isInside(u.fn, fn) ? { ...u, madeBy: { call, fn } } : u;
}

export function buildEndpoint(input: EndpointInput, ctx: AdapterContext): Endpoint {
  const u = madeWithin(input.unwrapped ?? unwrap(input.handlerExpr, ctx.values), input.madeFor, ctx);
  const anchorFile = input.anchor.getSourceFile().fileName;
  return {
    id: '',
    framework: input.framework,
    method: input.method,
    path: input.path,
    anchor: spanOf(input.anchor),
    appRoot: ctx.workspace.appRootOf(anchorFile),
    handler: handlerRef(u, input.handlerExpr),
    chain: [...input.chain, ...wrapperLinks(u)],
    bodyFields: withRouteMiddlewareFields(
      u.fn ? readBodyFields(u.fn, input.framework, ctx.values, input.method) : [],
      input,
      ctx,
    ),
    tags: input.tags ?? [],
  };
}

/**
 * A route's own middleware that reads the body (`const { memberId, amount } = await c.req.json()` before
 * `c.set('params', …)`) reads it for the handler: its fields are the endpoint's too. Router-level and
 * application-wide middleware serve every route, so what they read is not this endpoint's.
 */
function withRouteMiddlewareFields(own: BodyField[], input: EndpointInput, ctx: AdapterContext): BodyField[] {
  const seen = new Set(own.map((f) => f.name));
  const out = [...own];
  for (const link of input.chain) {
    if (link.via !== 'route' || !link.fn) continue;
    for (const f of readBodyFields(link.fn, input.framework, ctx.values, input.method))
      if (!seen.has(f.name)) {
        seen.add(f.name);
        out.push({ ...f, viaMiddleware: true });
      }
  }
  return out;
}

/**
 * Builds one endpoint with `build` so that a failure (an expression nested too deep, the budget,
 * an internal error) costs this endpoint's analysis only: it is still listed, with its handler
 * unresolved and `unanalysed` saying why, and the pipeline makes it unverifiable. `build` may
 * decide there is no endpoint (undefined).
 */
export function containedEndpoint<T extends Endpoint | undefined>(
  seed: EndpointSeed,
  ctx: AdapterContext,
  build: () => T,
): T | Endpoint {
  const file = seed.anchor.getSourceFile().fileName;
  return ctx.values.session.contain<T | Endpoint>(file, 'extract', build, (reason) =>
    unanalysedEndpoint(seed, ctx, reason),
  );
}

export type EndpointSeed = Pick<EndpointInput, 'framework' | 'method' | 'path' | 'anchor' | 'handlerExpr' | 'tags'>;

/** An endpoint whose handler and chain could not be analysed: listed, with the reason. */
export function unanalysedEndpoint(seed: EndpointSeed, ctx: AdapterContext, reason: string): Endpoint {
  const file = seed.anchor.getSourceFile().fileName;
  return {
    id: '',
    framework: seed.framework,
    method: seed.method,
    path: seed.path,
    anchor: spanOf(seed.anchor),
    appRoot: ctx.workspace.appRootOf(file),
    handler: { expr: seed.handlerExpr, name: shortText(seed.handlerExpr, 48), unresolved: reason },
    chain: [],
    bodyFields: [],
    tags: seed.tags ?? [],
    unanalysed: reason,
  };
}

/** The file-level hint that a file belongs to a framework: an import of one of its modules. */
export function importsAny(sf: ts.SourceFile, hints: string[]): boolean {
  const text = sf.text;
  return hints.some((h) => text.includes(`'${h}`) || text.includes(`"${h}`));
}

/**
 * Does a handler hand the request on? Its `next` parameter (position `index`: 1 for Hono `(c, next)`,
 * 2 for Express `(req, res, next)`) is called with no argument (`next(err)` reports an error instead).
 */
export function handsOn(expr: ts.Expression, values: ValueResolver, index: number): boolean {
  const fn = unwrap(expr, values).fn;
  const p = fn?.parameters[index];
  if (!fn?.body || !p || !ts.isIdentifier(p.name)) return false;
  const name = p.name.text;
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (
      ts.isCallExpression(n) &&
      ts.isIdentifier(n.expression) &&
      n.expression.text === name &&
      n.arguments.length === 0
    )
      found = true;
    else ts.forEachChild(n, visit);
  };
  visit(fn.body);
  return found;
}

/** Is the package another web framework than `own` (display name)? What it builds is not `own`'s router. */
export function otherWebFramework(module: string, own: string): boolean {
  const web = ruleFile('frameworks').webFrameworks;
  const pkg = module.startsWith('@') ? module.split('/').slice(0, 2).join('/') : module.split('/')[0];
  return pkg in web.known && web.known[pkg] !== own;
}
