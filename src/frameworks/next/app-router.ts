// Next.js app router: method exports of `route.*` files. Handles `export async function POST`,
// `export const POST = wrapper(...)`, `export { handler as GET }`, `export const { GET, POST } = x`
// and re-exports from other modules (read by shared/method-exports.ts).
import { ts } from 'ts-morph';
import { unwrap, type Unwrapped } from '../../analysis/unwrap.js';
import { skipOuter } from '../../analysis/values.js';
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
      return mountAdapter(u) ? undefined : buildEndpoint({ ...seed, chain: [], unwrapped: u }, ctx);
    });
    if (ep) out.push(ep);
  }
  return out;
}
