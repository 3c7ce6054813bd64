// Command line: argument parsing, output routing and exit codes only.
//   0 nothing at or above --fail-on · 1 findings · 2 usage, configuration or internal error
import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { audit, exitCodeFor } from './audit.js';
import { renderBaseline } from './config/baseline.js';
import { ConfigError, resolveConfig } from './config/load.js';
import type { ResolvedConfig } from './config/types.js';
import { checkScanPath } from './project/discover.js';
import { explainEndpoint } from './report/explain.js';
import { renderGithub, writeStepSummary } from './report/github.js';
import { renderJson } from './report/json.js';
import { renderSarif } from './report/sarif.js';
import { renderText } from './report/text.js';
import type { Report } from './report/common.js';
import { createProgress } from './progress.js';
import { toolVersion } from './version.js';

type Format = 'text' | 'json' | 'sarif' | 'github';
const FORMATS: Format[] = ['text', 'json', 'sarif', 'github'];

class UsageError extends Error {}

interface CliOptions {
  format: string[];
  output: string[];
  config?: string;
  failOn?: string;
  baseline?: string;
  updateBaseline?: string;
  includeSuppressed?: boolean;
  endpoints?: boolean;
  explain?: string;
  maxFreshness?: string;
  color: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function buildProgram(): Command {
  return new Command()
    .name('stepup-audit')
    .description('Audit Next.js, Express and Hono endpoints for missing server-side step-up authentication.')
    .version(toolVersion(), '-V, --version')
    .argument('[paths...]', 'folders to scan (each may hold several apps)', ['.'])
    .addOption(new Option('-f, --format <format>', `report format: ${FORMATS.join(', ')} (repeatable, paired with -o in order)`).argParser(collect).default([]))
    .addOption(new Option('-o, --output <file>', 'write the report to this file (repeatable)').argParser(collect).default([]))
    .option('--config <file>', 'configuration file (default: stepup-audit.config.json, .stepupauditrc.json or package.json#stepupAudit, searched upward)')
    .option('--fail-on <level>', 'exit 1 when an unsuppressed finding is at or above: error, warning, note, none (default: warning)')
    .option('--baseline <file>', 'only findings not in this baseline count')
    .option('--update-baseline <file>', 'write the current findings to this baseline file and exit 0')
    .option('--include-suppressed', 'show suppressed and baselined findings in reports')
    .option('--endpoints', 'print the full endpoint inventory, not only findings')
    .option('--explain <endpoint>', 'explain the classification and verdict of one endpoint, e.g. "POST /api/transfer"')
    .option('--max-freshness <minutes>', 'longest re-authentication window accepted as step-up (default 15)')
    .option('--no-color', 'disable colours (NO_COLOR is honoured too)')
    .option('-q, --quiet', 'print nothing but errors; reports still go to -o files')
    .option('--verbose', 'phase timings, every unreadable file, stack traces on internal errors')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s.split('\n')[0] ? `${s.split('\n')[0]}\n` : s) });
}

interface Output {
  format: Format;
  file?: string;
}

function planOutputs(opts: CliOptions): Output[] {
  for (const f of opts.format) if (!FORMATS.includes(f as Format)) throw new UsageError(`unknown format '${f}' (use ${FORMATS.join(', ')})`);
  const formats = opts.format as Format[];
  let outs: Output[];
  if (formats.length === 0) {
    if (opts.output.length > 1) throw new UsageError('several -o files need a --format for each');
    const file = opts.output[0];
    const inferred: Format = file?.endsWith('.sarif') || file?.endsWith('.sarif.json') ? 'sarif' : file?.endsWith('.json') ? 'json' : 'text';
    outs = [{ format: inferred, file }];
  } else {
    if (opts.output.length > formats.length) throw new UsageError('more -o files than --format values');
    outs = formats.map((format, i) => ({ format, file: opts.output[i] }));
  }
  if (outs.filter((o) => !o.file).length > 1) throw new UsageError('only one format can go to standard output: give -o files for the others');
  for (const o of outs) {
    if (!o.file) continue;
    const dir = path.dirname(path.resolve(o.file));
    if (!fs.existsSync(dir)) throw new UsageError(`output folder does not exist: ${dir}`);
    if (fs.existsSync(o.file) && fs.statSync(o.file).isDirectory()) throw new UsageError(`output path is a folder: ${o.file}`);
  }
  return outs;
}

function render(format: Format, report: Report, opts: CliOptions, color: boolean, failOn: string): string {
  const visible: Report = opts.includeSuppressed ? report : { ...report, findings: report.findings.filter((f) => !f.suppressed), hiddenSuppressed: report.findings.filter((f) => f.suppressed).length };
  switch (format) {
    case 'json':
      return renderJson(visible);
    case 'sarif':
      return renderSarif(visible);
    case 'github':
      return renderGithub(visible, failOn);
    default:
      return renderText(visible, { color, endpoints: !!opts.endpoints, verbose: !!opts.verbose });
  }
}

function useColor(opts: CliOptions, stream: NodeJS.WriteStream): boolean {
  if (!opts.color) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return !!stream.isTTY;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  let opts: CliOptions;
  let paths: string[];
  try {
    program.parse(argv);
    opts = program.opts<CliOptions>();
    paths = program.args.length ? program.args : ['.'];
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2;
    }
    throw err;
  }
  const verbose = !!opts.verbose;
  try {
    const outputs = planOutputs(opts);
    for (const p of paths) {
      const problem = checkScanPath(p);
      if (problem) throw new UsageError(problem);
    }
    const configStart = fs.statSync(paths[0]).isDirectory() ? paths[0] : path.dirname(paths[0]);
    const config: ResolvedConfig = resolveConfig(opts.config, configStart);
    if (opts.failOn !== undefined) {
      if (!['error', 'warning', 'note', 'none'].includes(opts.failOn)) throw new UsageError(`--fail-on must be error, warning, note or none (got '${opts.failOn}')`);
      config.failOn = opts.failOn as ResolvedConfig['failOn'];
    }
    if (opts.maxFreshness !== undefined) {
      const n = Number(opts.maxFreshness);
      if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--max-freshness must be a positive number of minutes (got '${opts.maxFreshness}')`);
      config.maxFreshnessMinutes = n;
    }
    if (opts.baseline && opts.updateBaseline) throw new UsageError('use either --baseline or --update-baseline, not both');
    if (opts.updateBaseline && !fs.existsSync(path.dirname(path.resolve(opts.updateBaseline)))) throw new UsageError(`baseline folder does not exist: ${path.dirname(path.resolve(opts.updateBaseline))}`);

    const progress = opts.quiet ? undefined : createProgress(process.stderr);
    const t0 = performance.now();
    const { report, scan: result } = await audit({ paths, config, baseline: opts.baseline, onProgress: progress?.update });
    progress?.done();
    const total = performance.now() - t0;

    if (opts.explain !== undefined) {
      const text = explainEndpoint(report, opts.explain);
      process.stdout.write(text.output);
      return text.found ? 0 : 2;
    }

    if (opts.updateBaseline) {
      fs.writeFileSync(opts.updateBaseline, renderBaseline(report.findings));
      if (!opts.quiet) process.stderr.write(`wrote ${report.findings.filter((f) => f.suppressed?.kind !== 'inline').length} finding(s) to ${opts.updateBaseline}\n`);
      return 0;
    }

    const stdoutColor = useColor(opts, process.stdout);
    let wroteTextToStdout = false;
    for (const o of outputs) {
      const text = render(o.format, report, opts, o.file ? false : stdoutColor, config.failOn);
      if (o.file) fs.writeFileSync(o.file, text);
      else if (!opts.quiet || o.format !== 'text') {
        process.stdout.write(text);
        if (o.format === 'text') wroteTextToStdout = true;
      }
      if (o.format === 'github') writeStepSummary(report);
    }
    // Reports written to files: the text summary still goes to the terminal unless --quiet.
    if (!opts.quiet && !wroteTextToStdout && outputs.every((o) => o.file)) {
      process.stdout.write(render('text', report, opts, stdoutColor, config.failOn));
    }
    if (verbose) {
      const t = result.timings;
      process.stderr.write(
        `phases: discover ${t.discover.toFixed(0)} ms · parse ${t.parse.toFixed(0)} ms · extract ${t.extract.toFixed(0)} ms · classify ${t.classify.toFixed(0)} ms · verify ${t.verify.toFixed(0)} ms · report ${(total - result.summary.durationMs).toFixed(0)} ms\n`,
      );
      process.stderr.write(`work: ${result.summary.files} files · ${result.stats.candidates} candidates · ${result.stats.parsed} parsed · ${result.stats.routers} routers modelled\n`);
      if (config.file) process.stderr.write(`configuration: ${config.file}\n`);
    }
    return exitCodeFor(report.findings, config.failOn);
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      process.stderr.write(`stepup-audit: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`stepup-audit: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (verbose && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    return 2;
  }
}
