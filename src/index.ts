// The programmatic API: `import { audit, renderSarif } from 'stepup-audit'`.
//
//   const { report, exitCode } = await audit({ paths: ['apps/web'] });
//   process.stdout.write(renderText(report, { color: false, endpoints: false, verbose: false }));
//
// `audit(options)` resolves the paths (a file stands for the project around it), reads each
// application's configuration, scans, and applies inline suppressions, a baseline and a baseline
// git ref. It never writes anything. Errors the caller can fix are thrown as `UserError`s
// (UsageError, ConfigError); the command line prints their message and exits 2.
export { audit, exitCodeFor, type AuditOptions, type AuditResult } from './audit.js';
export type { ConfigOverrides } from './config/targets.js';
export {
  defaults as defaultConfig,
  type ResolvedConfig,
  type UserGuard,
  type CategoryOverride,
  type FailureMode,
} from './config/types.js';
export { resolveConfig, validateConfig } from './config/load.js';
export { renderBaseline, type BaselineEntry } from './config/baseline.js';
export { ConfigError, OutputError, UsageError, UserError } from './errors.js';
export { headline, tally, type Report, type EmptyRoot, type InvalidSuppression, type Tally } from './report/common.js';
export { renderText, renderCompact, type TextOptions } from './report/text.js';
export { renderJson } from './report/json.js';
export { renderSarif } from './report/sarif.js';
export { renderMarkdown, type MarkdownOptions } from './report/markdown.js';
export { renderGithub } from './report/github.js';
export type {
  Endpoint,
  Finding,
  Level,
  ScanError,
  ScanSummary,
  Span,
  VerdictStatus,
  Framework,
  HttpMethod,
} from './model.js';
export { toolVersion } from './version.js';
