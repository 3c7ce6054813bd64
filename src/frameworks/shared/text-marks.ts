// What the planning hooks look for in a file's text, read once per file for every adapter that
// asks. Only the marks are kept, never the text.
import { memo } from '../../memo.js';
import { compiled, ruleFile } from '../../rules/load.js';
import type { PlanContext } from '../types.js';

export interface TextMarks {
  /** The server-action directive somewhere (a module or an inline action). */
  useServer: boolean;
  /** Names a tRPC server adapter (`createExpressMiddleware`, `trpcServer`, …). */
  trpcServerMount: boolean;
  /** Names any tRPC adapter, Next.js route adapters included. */
  trpcMount: boolean;
  /** Defines a router: with procedures (`router(`/`createTRPCRouter(` and `.query(`/`.mutation(`) or made of other routers. */
  trpcRouter: boolean;
}

const MARKS = memo('frameworks.textMarks', () => new Map<string, TextMarks | null>());

const PATTERNS = compiled(() => {
  const rules = ruleFile('frameworks');
  const lastName = (p: string): string => p.split('.').pop() ?? p;
  const server = rules.trpc.serverMounts.map((m) => lastName(m.path));
  const next = rules.mountAdapters
    .filter((m) => m.framework === 'trpc')
    .flatMap((m) => m.adapters.map((a) => lastName(a.path)));
  return {
    directive: new RegExp(`['"]${rules.serverActions.directive}['"]`),
    server,
    any: [...new Set([...server, ...next])],
  };
});

// a router call, type arguments too (`trpc.router<Context>()`)
const ROUTER_CALL = /[rR]outer\s*(?:<[^()]*>)?\s*\(/;
const PROCEDURES = /\.\s*(query|mutation|subscription)\s*\(/;
/** A router made of other routers only (`router({ user: userRouter })`, `mergeRouters(a, b)`): a root's file. */
const COMPOSES = /[rR]outer\s*(?:<[^()]*>)?\s*\(\s*\{[^}]*?\b[\w$]+Router\b|\bmergeRouters\s*\(/;

/** Does a file's text define a router, by its procedures or by the routers it is made of? */
export function definesRouter(text: string): boolean {
  return ROUTER_CALL.test(text) && (PROCEDURES.test(text) || COMPOSES.test(text));
}

/** The marks of a file's text (read on the first question, remembered for the scan). */
export function textMarks(ctx: PlanContext, file: string): TextMarks | undefined {
  const cache = ctx.values.session.get(MARKS);
  const hit = cache.get(file);
  if (hit !== undefined) return hit ?? undefined;
  // a file over the size limit is looked at by its head (a module's directive opens it): claimed,
  // it is reported as not analysed instead of being left out in silence
  const text = ctx.store.text(file, false) ?? ctx.store.oversized.get(file)?.head;
  let marks: TextMarks | null = null;
  if (text !== undefined) {
    const p = PATTERNS();
    const trpc = /trpc/i.test(text);
    marks = {
      useServer: p.directive.test(text),
      trpcServerMount: trpc && p.server.some((n) => text.includes(n)),
      trpcMount: trpc && p.any.some((n) => text.includes(n)),
      trpcRouter: definesRouter(text),
    };
  }
  cache.set(file, marks);
  return marks ?? undefined;
}
