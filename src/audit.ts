// One audit run: resolve what to scan and with which configuration, scan, apply inline
// suppressions, the baseline and the baseline ref, and produce the Report every reporter renders
// and the exit decision. This is the programmatic API (`import { audit } from 'stepup-audit'`).
import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { applyBaseline, key, readBaseline } from './config/baseline.js';
import { withTreeAt } from './config/git-ref.js';
import { parseJson } from './config/jsonc.js';
import { applyInlineSuppressions } from './config/suppressions.js';
import { planConfigs, resolveTargets, type ConfigOverrides } from './config/targets.js';
import { configFor, type ResolvedConfig } from './config/types.js';
import type { Finding, Level } from './model.js';
import { LEVEL_RANK, webFrameworks, type EmptyRoot, type Report } from './report/common.js';
import { findingRules } from './report/rules-meta.js';
import type { ScanResult } from './pipeline.js';
import { gitTopLevel } from './project/gitroot.js';
import { auditOnThread } from './scan-thread.js';
import { toolVersion } from './version.js';

export interface AuditOptions {
  /** Folders or files to scan (a file stands for the project around it). Relative to `cwd`. */
  paths: string[];
  /** Working folder for relative paths (default: the process's). */
  cwd?: string;
  /**
   * A resolved configuration applied to every application, or the path of a configuration file.
   * Default: each application root uses the nearest configuration file upward from it.
   */
  config?: ResolvedConfig | string;
  /** Settings that win over every configuration file (the command line's --fail-on, --max-freshness). */
  overrides?: ConfigOverrides;
  /** Baseline file: findings recorded in it are marked suppressed (kind `baseline`). */
  baseline?: string;
  /** PR mode: a git ref; findings also present in the tree at that ref are marked baselined. */
  baselineRef?: string;
  /** A scanned folder with no endpoint is accepted (exit code 0/1 instead of 2). */
  allowEmpty?: boolean;
  onProgress?: (phase: string, done: number, total: number) => void;
}

export interface AuditResult {
  report: Report;
  scan: ScanResult;
  /** 0 clean · 1 findings at or above the fail-on level · 2 nothing to analyse. */
  exitCode: 0 | 1 | 2;
}

interface Scanned {
  result: ScanResult;
  config: ResolvedConfig;
  used: { appRoot: string; file?: string }[];
  invalid: { file: string; line: number; message: string }[];
  unused: { file: string; line: number; ruleId: string }[];
}

async function scanWithSuppressions(
  roots: string[],
  options: AuditOptions,
  cwd: string,
  stop?: string,
): Promise<Scanned> {
  let config: ResolvedConfig;
  let used: Scanned['used'];
  if (options.config && typeof options.config === 'object') {
    const o = options.overrides ?? {};
    config = {
      ...options.config,
      ...(o.failOn !== undefined ? { failOn: o.failOn } : {}),
      ...(o.maxFreshnessMinutes !== undefined ? { maxFreshnessMinutes: o.maxFreshnessMinutes } : {}),
    };
    used = roots.map((appRoot) => ({ appRoot, file: config.file }));
  } else {
    ({ config, used } = await planConfigs(roots, {
      explicit: options.config,
      cwd,
      overrides: options.overrides,
      stop,
    }));
  }
  // the engine (TypeScript's parser) loads where the scan runs: on the audit thread, not where reports are rendered
  const { scan } = await import('./pipeline.js');
  const result = await scan({ paths: roots, config, onProgress: options.onProgress });
  const textOf = (file: string): string | undefined => {
    const known = result.textOf(file);
    if (known !== undefined) return known;
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  };
  const known = new Set(findingRules().rules.map((r) => r.id));
  const sup = applyInlineSuppressions(result.endpoints, result.findings, textOf, known);
  return {
    result,
    config,
    used,
    invalid: sup.invalid,
    unused: sup.unused.map((s) => ({ file: s.file, line: s.line, ruleId: s.ruleId })),
  };
}

function inside(file: string, root: string): boolean {
  return file === root || file.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/** Web frameworks the package.json files under `root` depend on (display names). */
export function declaredFrameworks(root: string): string[] {
  const known = webFrameworks().known;
  const names = new Set<string>();
  const files = fg.sync('**/package.json', {
    cwd: root,
    ignore: ['**/node_modules/**', '**/.git/**'],
    deep: 8,
    onlyFiles: true,
    followSymbolicLinks: false,
    suppressErrors: true,
  });
  for (const f of files) {
    try {
      const pkg = parseJson(fs.readFileSync(path.join(root, f), 'utf8')) as Record<
        string,
        Record<string, string> | undefined
      >;
      for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
        const deps = pkg?.[field];
        if (!deps || typeof deps !== 'object') continue;
        for (const dep of Object.keys(deps)) if (Object.hasOwn(known, dep)) names.add(known[dep]);
      }
    } catch {
      /* an unreadable package.json says nothing */
    }
  }
  return [...names].sort();
}

export async function audit(options: AuditOptions): Promise<AuditResult> {
  // The scan needs a deeper stack than the main thread has: the built package audits on a thread
  // that has one (see scan-thread.ts), and renders here.
  const threaded = await auditOnThread(options);
  if (threaded) return threaded;
  const cwd = options.cwd ?? process.cwd();
  const targets = resolveTargets(options.paths.length ? options.paths : ['.'], cwd);
  const roots = targets.map((t) => t.root);
  const baselineEntries = options.baseline ? readBaseline(path.resolve(cwd, options.baseline)) : undefined;
  const current = await scanWithSuppressions(roots, options, cwd);
  const result = current.result;

  const staleBaseline = baselineEntries ? applyBaseline(result.findings, baselineEntries) : [];
  if (options.baselineRef) {
    const ref = options.baselineRef;
    const before = await withTreeAt(ref, roots, async (tree) => {
      const there = tree.roots.filter((r): r is string => r !== undefined);
      if (!there.length) return [];
      const s = await scanWithSuppressions(there, options, cwd, tree.dir);
      return s.result.findings
        .filter((f) => f.suppressed?.kind !== 'inline')
        .map((f) => ({ ruleId: f.ruleId, endpointId: f.endpointId }));
    });
    const keys = new Set(before.map(key));
    applyBaseline(
      result.findings,
      [...keys].map((k) => {
        const [ruleId, endpointId] = k.split('\0');
        return { ruleId, endpointId };
      }),
      `present at ${ref}`,
    );
  }

  const empty: EmptyRoot[] = roots
    // an endpoint written in a shared package is the root's when an application in the root serves it
    .filter(
      (root) => !result.endpoints.some((e) => inside(e.anchor.file, root) || (!!e.appRoot && inside(e.appRoot, root))),
    )
    .map((root) => ({ root, declared: declaredFrameworks(root) }));
  const report: Report = {
    base: result.base,
    repoRoot: gitTopLevel(result.base) ?? result.base,
    endpoints: result.endpoints,
    findings: result.findings,
    errors: result.errors,
    summary: result.summary,
    frameworks: result.frameworks,
    staleBaseline,
    unusedSuppressions: current.unused,
    invalidSuppressions: current.invalid,
    toolVersion: toolVersion(),
    roots,
    empty,
    allowEmpty: !!options.allowEmpty,
    configs: current.used,
    ...(options.baselineRef ? { baselineRef: options.baselineRef } : {}),
  };
  const failOn = failOnResolver(report, current.config);
  const exitCode = empty.length && !options.allowEmpty ? 2 : exitCodeFor(report.findings, failOn);
  return { report, scan: result, exitCode };
}

/** The fail-on level of each finding: its application's configuration (or the one for the whole run). */
export function failOnResolver(
  report: Pick<Report, 'endpoints'>,
  config: ResolvedConfig,
): (f: Finding) => Level | 'none' {
  if (!config.perApp) return () => config.failOn;
  const appOf = new Map(report.endpoints.map((e) => [e.id, e.appRoot]));
  return (f) => {
    const app = appOf.get(f.endpointId);
    return app ? configFor(config, app).failOn : config.failOn;
  };
}

/** Exit code for a finished audit: 1 when an unsuppressed finding is at or above its fail-on level. */
export function exitCodeFor(findings: Finding[], failOn: Level | 'none' | ((f: Finding) => Level | 'none')): 0 | 1 {
  const levelOf = typeof failOn === 'function' ? failOn : () => failOn;
  return findings.some((f) => {
    const level = levelOf(f);
    return !f.suppressed && level !== 'none' && LEVEL_RANK[f.level] >= LEVEL_RANK[level];
  })
    ? 1
    : 0;
}
