// Cheap text checks that decide which files are parsed up front. Everything else is parsed only
// when an import is followed into it.
import { compiled, ruleFile } from '../rules/load.js';

/** Tests, mocks, stories and e2e suites never declare served routes. */
const TEST_PATH =
  /(^|\/)(__tests__|__mocks__|__fixtures__|test|tests|spec|e2e|cypress|playwright)\/|\.(test|spec|e2e|stories|story|cy)\.[cm]?[jt]sx?$/;

export function isTestPath(rel: string): boolean {
  return TEST_PATH.test(rel);
}

const TEST_FILE = /\.(test|spec|e2e|stories|story|cy)\.[cm]?[jt]sx?$/;

/** A test or story file by its name alone. */
export function isTestFileName(rel: string): boolean {
  return TEST_FILE.test(rel);
}

/**
 * A registration-shaped call: a route method whose first argument is a path literal, a named path
 * or a computed one followed by handlers (`app.get('/x'`, `router.post(PATHS.x, …`,
 * `router.get(loginPath(cfg), …`), or a router-only method
 * (`.use(`, `.route(`, `.openapi(`, `.basePath(`, `.doc(`), or Hono's `.on('POST', …`. `map.get(key)`
 * and `searchParams.get(name)` do not qualify, so ordinary code is not parsed up front.
 */
const ROUTE_CALL = compiled(() => {
  // the route methods, and the other names packages give them (`router.getAsync('/x', …)`, rules/frameworks.json)
  const aliases = Object.entries(ruleFile('frameworks').express.methodAliases ?? {})
    .filter(([, m]) => m !== 'use')
    .map(([a]) => a);
  const verbs = ['get', 'post', 'put', 'patch', 'delete', 'all', 'options', 'head', ...aliases].join('|');
  return new RegExp(
    `\\.\\s*(${verbs})\\s*\\(\\s*(['"\`[]|[A-Za-z_$][\\w$.]*\\s*[,+]|[A-Za-z_$][\\w$.]*\\s*\\([^()]*\\)\\s*,)`,
  );
});
/** `router[verb](path, …)`: a computed route method (registrar helpers, route tables). */
const COMPUTED_ROUTE_CALL =
  /[\w$)]\s*\[\s*[A-Za-z_$][\w$.]*\s*\]\s*\(\s*(['"`]\/|[A-Za-z_$][\w$.]*\s*,\s*[A-Za-z_$[(])/;
const ROUTER_CALL = /\.\s*(use|route|openapi|basePath|doc|doc31)\s*\(|\.\s*on\s*\(\s*\[?\s*['"`][A-Za-z]+['"`]/;
/** Server entry points, where registrar functions and route modules are wired to the app. */
const SERVER_ENTRY =
  /\.\s*listen\s*\(|\bcreateServer\s*\(|['"](express|hono)['"]|\bnew\s+Hono\b|\bexpress\s*\(\s*\)|from\s+['"](next-connect|@hono\/|hono\/)/;

/** A controller class of a decorator-routing library (`@Controller('x')`, `@controller('/x')`, `@Route('x')`). */
const CONTROLLER_DECORATOR = /@\s*(Controller|JsonController|controller|Route)\s*\(/;

/** A dispatcher that rewrites the path before handing the request on (`url.pathname = url.pathname.replace('/api', '')`). */
const PATH_REWRITE = /\.pathname\s*=\s*[\w$.]+\.pathname\s*\.\s*(replace|replaceAll|slice|substring|substr)\s*\(/;

export function mentionsRouting(text: string): boolean {
  return (
    CONTROLLER_DECORATOR.test(text) ||
    PATH_REWRITE.test(text) ||
    ROUTE_CALL().test(text) ||
    ROUTER_CALL.test(text) ||
    SERVER_ENTRY.test(text) ||
    COMPUTED_ROUTE_CALL.test(text)
  );
}
