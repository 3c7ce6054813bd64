// Next.js adapter: app router route handlers, pages router API routes, and middleware.ts /
// proxy.ts coverage (applied after every adapter has run, so Hono-in-Next routes are covered too).
import type { Endpoint } from '../../model.js';
import { errorMessage } from '../../util.js';
import type { AdapterContext, FrameworkAdapter } from '../types.js';
import { extractAppRoute } from './app-router.js';
import { classifyNextFile } from './files.js';
import { attachMiddleware, readMiddleware, type NextMiddleware } from './middleware.js';
import { extractPagesRoute } from './pages-router.js';

export { classifyNextFile } from './files.js';

export const nextAdapter: FrameworkAdapter & { finalize(endpoints: Endpoint[], ctx: AdapterContext): void } = {
  name: 'next',
  extract(ctx: AdapterContext): Endpoint[] {
    const out: Endpoint[] = [];
    for (const file of ctx.candidates) {
      const info = classifyNextFile(file, ctx);
      if (!info || info.kind === 'middleware') continue;
      const sf = ctx.store.get(file);
      if (!sf) continue;
      try {
        out.push(...(info.kind === 'app-route' ? extractAppRoute(sf, info, ctx) : extractPagesRoute(sf, info, ctx)));
      } catch (err) {
        ctx.errors.push({ file, phase: 'extract', message: errorMessage(err) });
      }
    }
    return out;
  },
  finalize(endpoints: Endpoint[], ctx: AdapterContext): void {
    const middlewares: NextMiddleware[] = [];
    for (const file of ctx.candidates) {
      const info = classifyNextFile(file, ctx);
      if (info?.kind !== 'middleware') continue;
      const sf = ctx.store.get(file);
      const mw = sf ? readMiddleware(sf, info, ctx) : undefined;
      if (mw && !middlewares.some((m) => m.appRoot === mw.appRoot)) middlewares.push(mw);
    }
    attachMiddleware(endpoints, middlewares, ctx);
  },
};
