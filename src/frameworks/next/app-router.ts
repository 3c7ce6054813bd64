// Next.js app router: method exports of `route.*` files. Handles `export async function POST`,
// `export const POST = wrapper(...)`, `export { handler as GET }`, `export const { GET, POST } = x`
// and re-exports from other modules (read by shared/method-exports.ts).
import { ts } from 'ts-morph';
import { firstFunction, unwrap, type Unwrapped } from '../../analysis/unwrap.js';
import { isFunctionNode, skipOuter, type ValueResolver } from '../../analysis/values.js';
import type { Endpoint } from '../../model.js';
import { matchesExport, ruleFile } from '../../rules/load.js';
import { buildEndpoint, containedEndpoint } from '../shared/endpoint.js';
import type { AdapterContext } from '../types.js';
import type { NextFile } from './files.js';
import { methodExports } from '../shared/method-exports.js';

/** The framework of an app mounted into this export (`handle(app)` from `hono/vercel`): its adapter lists those routes. */
export function mountAdapter(u: Unwrapped): string | undefined {
  if (!u.external) return undefined;
  const ext = { module: u.external.module, name: u.external.name.replace(/\(\)$/, '') };
  // adapters called with an options object (`appOption`) leave the route listed as it is
  for (const m of ruleFile('frameworks').mountAdapters)
    if (!m.appOption && matchesExport(m.adapters, ext)) return m.framework;
  return undefined;
}

/**
 * The app of another framework an exported handler serves: `handle(app)` itself, or a function that hands its
 * request to one (`async function GET(req) { const res = await handler(req); …; return res }` with
 * `handler = handle(app)`). The route file then lists nothing of its own for that method.
 */
export function mountOf(
  expr: ts.Expression,
  values: ValueResolver,
  unwrapped: Unwrapped = unwrap(expr, values),
): { framework: string; app: ts.Expression } | undefined {
  const direct = mountCall(unwrapped);
  if (direct) return direct;
  const fn = skipOuter(expr);
  const target = isFunctionNode(fn) ? fn : firstFunction(values.resolve(fn));
  const req = target?.parameters[0]?.name;
  if (!target?.body || !req || !ts.isIdentifier(req)) return undefined;
  // the request is handed on before anything else is done (the first statement, not under a condition): work
  // of its own done first (`if (path === '/api/withdraw') …`, a delete before forwarding) keeps the route listed
  const first = ts.isBlock(target.body) ? target.body.statements[0] : target.body;
  if (!first || ts.isIfStatement(first) || ts.isSwitchStatement(first) || ts.isTryStatement(first)) return undefined;
  let found: { framework: string; app: ts.Expression } | undefined;
  const walk = (n: ts.Node): void => {
    if (found || isFunctionNode(n) || ts.isConditionalExpression(n)) return;
    if (ts.isCallExpression(n) && n.arguments.length) {
      const a = skipOuter(n.arguments[0]);
      if (ts.isIdentifier(a) && a.text === req.text) found = mountCall(unwrap(n.expression, values));
    }
    ts.forEachChild(n, walk);
  };
  walk(first);
  return found;
}

function mountCall(u: Unwrapped): { framework: string; app: ts.Expression } | undefined {
  const framework = mountAdapter(u);
  const app = framework && u.factory?.call.arguments[0];
  return framework && app ? { framework, app } : undefined;
}

export function extractAppRoute(sf: ts.SourceFile, info: NextFile, ctx: AdapterContext): Endpoint[] {
  const out: Endpoint[] = [];
  for (const ex of methodExports(sf, ctx)) {
    const expr = skipOuter(ex.handler);
    const seed = {
      framework: 'next-app' as const,
      method: ex.method,
      path: info.urlPath,
      anchor: ex.anchor,
      handlerExpr: expr,
    };
    const ep = containedEndpoint(seed, ctx, () => {
      const u = unwrap(expr, ctx.values);
      // an app of another framework mounted here: that adapter lists its routes
      if (mountOf(expr, ctx.values, u)) return undefined;
      return buildEndpoint({ ...seed, chain: [], unwrapped: u }, ctx);
    });
    if (ep) out.push(ep);
  }
  return out;
}
