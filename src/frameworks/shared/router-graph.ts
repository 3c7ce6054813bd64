// The router graph shared by router-style frameworks (Express, Hono): routers with ordered
// registrations (routes, middleware, mounts, inlined registrar functions), flattened from the
// roots into endpoints with full paths and the middleware chain in force when each route was
// registered. Middleware registered after a route is kept apart (`late`): it never runs first.
import { ts } from 'ts-morph';
import type { HttpMethod } from '../../model.js';

export interface Order {
  file: string;
  pos: number;
}

export type Entry =
  | { kind: 'route'; methods: HttpMethod[]; paths: string[]; args: ts.Expression[]; anchor: ts.Node; order: Order; extraMiddleware?: ts.Expression[]; schemas?: ts.Expression[] }
  | { kind: 'use'; path?: string; items: ts.Expression[]; anchor: ts.Node; order: Order }
  | { kind: 'mount'; path: string; router: RouterNode; anchor: ts.Node; order: Order }
  | { kind: 'inline'; router: RouterNode; anchor: ts.Node; order: Order };

export interface RouterNode {
  id: number;
  framework: 'express' | 'hono';
  /** Prefix every registration carries (Hono `basePath`). */
  prefix: string;
  file: string;
  pos: number;
  entries: Entry[];
  /** Mounted or inlined somewhere: not a root. */
  attached: boolean;
  /** A router reached only through a guessed receiver (no creation seen). */
  guessed: boolean;
  /** A function parameter used as a router: a registrar function's input. */
  param: boolean;
  /** For a parameter router: its type or its file ties it to this framework. */
  evidence?: boolean;
}

export interface MiddlewareUse {
  expr: ts.Expression;
  /** Full path pattern the middleware was registered under ('' = everything). */
  pattern: string;
  via: 'router' | 'route';
  order: Order;
}

export interface FlatRoute {
  method: HttpMethod;
  path: string;
  anchor: ts.Node;
  handler: ts.Expression;
  chain: MiddlewareUse[];
  /** Matching router-level middleware registered after the route. */
  late: MiddlewareUse[];
  routeArgs: ts.Expression[];
  /** Body schemas declared with the route (OpenAPI `request.body`). */
  schemas: ts.Expression[];
  root: RouterNode;
}

export type PathMatcher = (pattern: string, path: string) => boolean;

export class RouterGraph {
  private readonly nodes = new Map<ts.Node | string, RouterNode>();
  private nextId = 0;

  constructor(readonly framework: 'express' | 'hono') {}

  node(key: ts.Node | string, file: string, pos: number, opts: Partial<Pick<RouterNode, 'prefix' | 'guessed' | 'param'>> = {}): RouterNode {
    let n = this.nodes.get(key);
    if (!n) {
      n = { id: this.nextId++, framework: this.framework, prefix: opts.prefix ?? '', file, pos, entries: [], attached: false, guessed: opts.guessed ?? false, param: opts.param ?? false };
      this.nodes.set(key, n);
    }
    return n;
  }

  get all(): RouterNode[] {
    return [...this.nodes.values()];
  }

  add(router: RouterNode, entry: Entry): void {
    if (router.entries.some((e) => e.anchor === entry.anchor && e.kind === entry.kind && (e.kind !== 'mount' && e.kind !== 'inline' ? true : (e as { router: RouterNode }).router === (entry as { router: RouterNode }).router))) return;
    if (entry.kind === 'mount' || entry.kind === 'inline') entry.router.attached = true;
    router.entries.push(entry);
  }

  roots(): RouterNode[] {
    // A parameter router never linked to a real router counts only with framework evidence.
    return this.all.filter((n) => !n.attached && n.entries.length > 0 && (!n.param || n.evidence)).sort((a, b) => a.id - b.id);
  }

  flatten(matches: PathMatcher, join: (a: string, b: string) => string): FlatRoute[] {
    const out: FlatRoute[] = [];
    for (const root of this.roots()) {
      const start = out.length;
      this.walk(root, '', [], matches, join, out, new Set());
      for (let i = start; i < out.length; i++) out[i].root = root;
    }
    return out;
  }

  private sorted(router: RouterNode): Entry[] {
    return [...router.entries].sort((a, b) => {
      const fa = a.order.file === router.file ? 0 : 1;
      const fb = b.order.file === router.file ? 0 : 1;
      if (fa !== fb) return fa - fb;
      if (a.order.file !== b.order.file) return a.order.file < b.order.file ? -1 : 1;
      return a.order.pos - b.order.pos;
    });
  }

  private walk(router: RouterNode, prefix: string, chain: MiddlewareUse[], matches: PathMatcher, join: (a: string, b: string) => string, out: FlatRoute[], stack: Set<RouterNode>): void {
    if (stack.has(router) || stack.size > 24) return;
    stack.add(router);
    const base = join(prefix, router.prefix);
    const entries = this.sorted(router);
    const startIndex = out.length;
    const ownUses: MiddlewareUse[] = [];
    for (const entry of entries) {
      if (entry.kind === 'route') {
        for (const p of entry.paths) {
          const full = join(base, p);
          const applicable = chain.filter((m) => matches(m.pattern, full));
          const handler = entry.args[entry.args.length - 1];
          const routeMw = [...(entry.extraMiddleware ?? []), ...entry.args.slice(0, -1)].map<MiddlewareUse>((expr) => ({ expr, pattern: full, via: 'route', order: entry.order }));
          for (const method of entry.methods) {
            out.push({ method, path: full, anchor: entry.anchor, handler, chain: [...applicable, ...routeMw], late: [], routeArgs: entry.args, schemas: entry.schemas ?? [], root: router });
          }
        }
      } else if (entry.kind === 'use') {
        const pattern = join(base, entry.path ?? '');
        for (const expr of entry.items) {
          const m: MiddlewareUse = { expr, pattern: entry.path === undefined ? (base || '') : pattern, via: 'router', order: entry.order };
          chain.push(m);
          ownUses.push(m);
        }
      } else if (entry.kind === 'mount') {
        this.walk(entry.router, join(base, entry.path), [...chain], matches, join, out, stack);
      } else {
        // A registrar function called with this router: its registrations happen here, in order,
        // and its middleware stays in force for what follows.
        this.walk(entry.router, base, chain, matches, join, out, stack);
      }
    }
    // Middleware registered on this router after a route still matches its path but never runs first.
    for (let i = startIndex; i < out.length; i++) {
      const r = out[i];
      for (const m of ownUses) {
        if (!r.chain.includes(m) && matches(m.pattern, r.path)) r.late.push(m);
      }
    }
    stack.delete(router);
  }
}

/** Joins a mount prefix and a route path the way Express and Hono do. */
export function joinPaths(a: string, b: string): string {
  if (!a) return b === '' ? '' : b.startsWith('/') || b === '*' ? b : `/${b}`;
  if (!b || b === '/') return a || '/';
  const left = a.endsWith('/') ? a.slice(0, -1) : a;
  const right = b.startsWith('/') ? b : `/${b}`;
  return left + right;
}

/** A representative concrete path for matching middleware patterns (`:id`, `{id}`, `[id]` → a segment). */
export function concretePath(p: string): string {
  return p
    .replace(/\[\[\.\.\.[^\]]+\]\]/g, 'x')
    .replace(/\[\.\.\.[^\]]+\]/g, 'x/y')
    .replace(/\[[^\]]+\]/g, 'x')
    .replace(/:[A-Za-z_][A-Za-z0-9_]*(\([^)]*\))?[?*+]?/g, 'x')
    .replace(/\{[^}]+\}/g, 'x');
}
