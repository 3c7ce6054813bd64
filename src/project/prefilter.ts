// Cheap text checks that decide which files are parsed up front. Everything else is parsed only
// when an import is followed into it.

/** Tests, mocks, stories and e2e suites never declare served routes. */
const TEST_PATH = /(^|\/)(__tests__|__mocks__|__fixtures__|test|tests|spec|e2e|cypress|playwright)\/|\.(test|spec|e2e|stories|story|cy)\.[cm]?[jt]sx?$/;

export function isTestPath(rel: string): boolean {
  return TEST_PATH.test(rel);
}

const TEST_FILE = /\.(test|spec|e2e|stories|story|cy)\.[cm]?[jt]sx?$/;

/** A test or story file by its name alone. */
export function isTestFileName(rel: string): boolean {
  return TEST_FILE.test(rel);
}

/** A registration-shaped call: `.get(`, `.post(`, `.use(`, `.route(`, `.openapi(`, `.on(`… */
const ROUTING_CALL = /\.\s*(get|post|put|patch|delete|all|use|route|on|openapi|basePath|options|head)\s*\(/;
/** Server entry points, where registrar functions and route modules are wired to the app. */
const SERVER_ENTRY = /\.\s*listen\s*\(|\bcreateServer\s*\(|['"](express|hono)['"]|\bnew\s+Hono\b|\bexpress\s*\(\s*\)/;

export function mentionsRouting(text: string): boolean {
  return ROUTING_CALL.test(text) || SERVER_ENTRY.test(text);
}
