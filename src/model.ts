// The types every stage of the pipeline shares. Analysis-only fields hold syntax
// nodes; the reporters serialise only the public fields (see report/json.ts).
import type { ts } from 'ts-morph';

export type Framework = 'next-app' | 'next-pages' | 'next-action' | 'trpc' | 'express' | 'hono';
/** `ACTION`: a Next.js server action (a POST to the page that renders it, identified by the action, not by a URL). */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS' | 'ANY' | 'ACTION';
export const HTTP_METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** A position in a scanned file. `file` is absolute; reporters make it relative. Lines and columns are 1-based. */
export interface Span {
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
}

/** A function-like syntax node with the file it lives in. */
export type FunctionNode = ts.FunctionDeclaration | ts.FunctionExpression | ts.ArrowFunction | ts.MethodDeclaration;

/** One step of the chain that runs before (or around) a handler. */
export interface ChainLink {
  /** How the link applies: route-level argument, router-level `use`, Next middleware.ts, or a higher-order wrapper. */
  via: 'route' | 'router' | 'next-middleware' | 'wrapper';
  /** Display name, e.g. `requireStepUp` or `requireAuthLevel(2)`. */
  name: string;
  /** The expression as registered (call or identifier). Analysis only: removed when an endpoint crosses threads. */
  expr: ts.Expression;
  /** The function the expression resolves to, when the analysis could see it. */
  fn?: FunctionNode;
  /** For a middleware factory call such as `requireAuthLevel(2)`: the factory function. */
  factory?: FunctionNode;
  /** Module the link was imported from when it comes from a package (e.g. `@clerk/express`). */
  externalModule?: string;
  /** Exported name in that module. */
  externalName?: string;
  span: Span;
  /** Next middleware only: representative URL path the endpoint was matched with. */
  matchedPath?: string;
  /**
   * How the link hands the request on when it is not by a `next` last parameter: `option` = a
   * function among the properties of its first parameter (tRPC and action-client middleware:
   * `({ ctx, next }) => next({ ctx })`); `returns` = by returning (a procedure step that produces
   * the context: its throws end the request, its returns go on).
   */
  handsOn?: { option: string } | { returns: true };
}

export interface HandlerRef {
  /** Analysis only (not carried across threads or into reports). */
  expr?: ts.Expression | ts.Node;
  fn?: FunctionNode;
  /**
   * Analysis only: the factory call that made the handler, when the handler is a closure of that factory
   * (`exports.deleteUser = factory.deleteOne(User)` with `deleteOne = (Model) => async (req, res) => …`).
   */
  madeBy?: { call: ts.CallExpression; fn: FunctionNode };
  /** Where the handler function is (for reports). */
  span?: Span;
  name: string;
  externalModule?: string;
  externalName?: string;
  /** Why the handler could not be resolved, when it could not. */
  unresolved?: string;
}

export interface BodyField {
  name: string;
  span: Span;
  /** Declared by a validation schema the body goes through (`Joi.object({ phone })`, `z.object(…)`), not only read. */
  declared?: boolean;
  /** Read by the route's own middleware, not by the handler: it names what the request is about, never decides alone. */
  viaMiddleware?: boolean;
}

export interface Endpoint {
  id: string;
  framework: Framework;
  method: HttpMethod;
  path: string;
  anchor: Span;
  /** Absolute path of the application root (folder with package.json) the endpoint belongs to. */
  appRoot: string;
  handler: HandlerRef;
  /** Ordered chain: Next middleware, router `use`, route-level middleware, wrappers (outermost first). */
  chain: ChainLink[];
  /** Router-level middleware matching the path but registered after the route: it never runs first. */
  lateChain?: ChainLink[];
  /**
   * Route links whose effects stand for an effect-free handler's (`app.delete(p, auth, UserMWs.deleteUser,
   * renderOK)`): set by classification. A check protects the endpoint only if it runs before the first.
   */
  workLinks?: ChainLink[];
  bodyFields: BodyField[];
  /**
   * The path as words, when `path` is an identity rather than a URL: a server action's route
   * folders and name (`/dashboard/settings/delete-account`), a tRPC procedure's keys
   * (`/api/trpc/user/api-keys/create`). Classification reads these words; reports show `path`.
   */
  wordsPath?: string;
  /** Extra facts an adapter knows (e.g. `authHandler` for Auth.js catch-alls). */
  tags: string[];
  classification?: Classification;
  verdict?: Verdict;
  /** Why its handler or chain could not be analysed (the endpoint is listed all the same, unverifiable). */
  unanalysed?: string;
}

export type Category = string;

export interface Reason {
  kind: 'path' | 'field' | 'call' | 'config' | 'exclusion' | 'method' | 'asset';
  value: string;
  category?: Category;
  /** Human-readable explanation of the signal. */
  detail?: string;
  span?: Span;
  /** An asset's columns the write at `span` sets (normalised), for verification; not reported. */
  keys?: string[];
}

export interface Classification {
  sensitive: boolean;
  categories: Category[];
  reasons: Reason[];
  /** Reasons that were seen but did not reach the threshold, or exclusions that applied. */
  considered: Reason[];
  /**
   * Sensitive by its words while the write itself could not be seen (a call the analysis could not
   * follow): the verdict is then `unverifiable` unless a step-up check is found.
   */
  unseen?: { call: string; span: Span };
  /**
   * Sensitive by what an authentication library's configuration serves through this catch-all
   * (better-auth plugins): the library's routes ask for no re-verification, so its own handler
   * being out of sight does not make the verdict unverifiable.
   */
  library?: string;
  /** What that library asks for itself before every operation it serves here (`the current password`): step-up, by the library. */
  libraryGuard?: string;
  /** One-time-code factor secret columns this endpoint sets to a new value while the factor may be on (`twofactorsecret`). */
  factorSecretWrites?: string[];
}

export type VerdictStatus = 'enforced' | 'missing' | 'broken' | 'unverifiable' | 'not-required';

export type Level = 'error' | 'warning' | 'note';

export interface GuardUse {
  name: string;
  via: 'handler' | 'middleware' | 'wrapper' | 'next-middleware' | 'inline';
  span: Span;
}

export interface Related {
  role: 'guard' | 'side-effect' | 'defeated-branch' | 'middleware' | 'handler';
  message: string;
  span: Span;
}

export interface Finding {
  ruleId: string;
  level: Level;
  message: string;
  endpointId: string;
  span: Span;
  related: Related[];
  suppressed?: { kind: 'inline' | 'baseline'; reason?: string };
}

export interface Verdict {
  status: VerdictStatus;
  guards: GuardUse[];
  findings: Finding[];
}

export interface ScanError {
  file: string;
  phase: 'discover' | 'parse' | 'extract' | 'classify' | 'verify' | 'config';
  message: string;
}

export interface ScanSummary {
  files: number;
  endpoints: number;
  sensitive: number;
  enforced: number;
  missing: number;
  broken: number;
  unverifiable: number;
  durationMs: number;
}
