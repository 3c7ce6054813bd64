// Command line: argument parsing, output routing and exit codes only.
//   0 nothing at or above --fail-on · 1 findings at or above --fail-on (files that could not be
//   analysed included) · 2 the job could not be done (usage, configuration, I/O, nothing to analyse,
//   internal error), with one line on stderr.
// Only commander and Node built-ins load before the arguments are parsed: the analysis engine
// (TypeScript's parser) is imported when there is something to scan, so --version and --help
// start as fast as Node does.
import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { OutputError, UsageError, UserError } from './errors.js';

type Format = 'text' | 'compact' | 'json' | 'sarif' | 'github' | 'markdown';
const FORMATS: Format[] = ['text', 'compact', 'json', 'sarif', 'github', 'markdown'];
const FAIL_LEVELS = ['error', 'warning', 'note', 'none'] as const;

/** Where the CLI writes and what it reads from its environment (the process's by default; tests pass their own). */
export interface CliIO {
  stdout: OutStream;
  stderr: OutStream;
  env: Record<string, string | undefined>;
  cwd: string;
}

export interface OutStream {
  write(chunk: string, cb?: (err?: Error | null) => void): boolean;
  isTTY?: boolean;
  columns?: number;
  on?(event: 'error', listener: (err: Error) => void): unknown;
}

interface CliOptions {
  format: string[];
  output: string[];
  config?: string;
  failOn?: string;
  baseline?: string;
  baselineRef?: string;
  updateBaseline?: string;
  includeSuppressed?: boolean;
  allowEmpty?: boolean;
  endpoints?: boolean;
  explain?: string;
  maxFreshness?: string;
  sarifCategory?: string;
  color: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

/** The package version, read directly: version.ts reaches the rules loader, which --version does not need. */
function packageVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
      .version;
  } catch {
    return '0.0.0';
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function buildProgram(io: CliIO, sinks: { out: Sink; err: Sink }): Command {
  return new Command()
    .name('stepup-audit')
    .description('Audit Next.js, Express and Hono endpoints for missing server-side step-up authentication.')
    .version(packageVersion(), '-V, --version')
    .argument('[paths...]', 'folders to scan (each may hold several apps); a file stands for the project around it', [
      '.',
    ])
    .addOption(
      new Option('-f, --format <format>', `report format: ${FORMATS.join(', ')} (repeatable, paired with -o in order)`)
        .argParser(collect)
        .default([]),
    )
    .addOption(
      new Option('-o, --output <file>', 'write the report to this file (repeatable)').argParser(collect).default([]),
    )
    .option(
      '--config <file>',
      'configuration file for every application (default: the nearest stepup-audit.config.json, .stepupauditrc.json or package.json#stepupAudit upward from each application)',
    )
    .option(
      '--fail-on <level>',
      'exit 1 when an unsuppressed finding is at or above: error, warning, note, none (default: warning)',
    )
    .option('--baseline <file>', 'only findings not in this baseline count')
    .option(
      '--baseline-ref <git-ref>',
      'only findings not present in the tree at this git ref count (pull requests: the base branch)',
    )
    .option('--update-baseline <file>', 'write the current findings to this baseline file and exit 0')
    .option('--include-suppressed', 'show suppressed and baselined findings in reports')
    .option('--allow-empty', 'a scanned folder with no endpoint is not an error (exit 0 instead of 2)')
    .option('--endpoints', 'print the full endpoint inventory, not only findings')
    .option('--explain <endpoint>', 'explain the classification and verdict of one endpoint, e.g. "POST /api/transfer"')
    .option('--max-freshness <minutes>', 'longest re-authentication window accepted as step-up (default 15)')
    .option(
      '--sarif-category <id>',
      'SARIF run category (automationDetails.id), to keep several analyses of one commit apart',
    )
    .option('--no-color', 'disable colours (NO_COLOR and FORCE_COLOR=0 are honoured too)')
    .option('-q, --quiet', 'print nothing but errors; reports still go to -o files')
    .option(
      '--verbose',
      'phase timings, the configuration of each application, every unreadable file, stack traces on internal errors',
    )
    .showHelpAfterError(false)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => sinks.out.write(s),
      // commander's messages can span lines (a suggestion on the next one): keep them to one.
      writeErr: (s) => sinks.err.write(`${s.trim().split(/\n+/).join(' ')}\n`),
      getOutHelpWidth: () => io.stdout.columns ?? 100,
      getErrHelpWidth: () => io.stderr.columns ?? 100,
    });
}

/**
 * A stream the CLI writes to. A reader that goes away (EPIPE: `| head`) ends the output quietly;
 * any other write failure is kept and reported as one line (exit 2).
 */
class Sink {
  private closed = false;
  private pending: Promise<void>[] = [];
  failure?: Error;

  constructor(readonly stream: OutStream) {
    stream.on?.('error', (err) => this.fail(err));
  }

  private fail(err: Error): void {
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') this.closed = true;
    else this.failure ??= err;
  }

  write(text: string): void {
    if (this.closed || this.failure || !text) return;
    try {
      this.pending.push(
        new Promise<void>((resolve) => {
          this.stream.write(text, (err) => {
            if (err) this.fail(err);
            resolve();
          });
        }),
      );
    } catch (err) {
      this.fail(err as Error);
    }
  }

  async flush(): Promise<Error | undefined> {
    await Promise.all(this.pending);
    this.pending = [];
    return this.failure;
  }
}

interface Output {
  format: Format;
  file?: string;
}

function inferFormat(file: string | undefined): Format {
  if (!file) return 'text';
  const f = file.toLowerCase();
  if (f.endsWith('.sarif') || f.endsWith('.sarif.json')) return 'sarif';
  if (f.endsWith('.json')) return 'json';
  if (f.endsWith('.md') || f.endsWith('.markdown')) return 'markdown';
  return 'text';
}

/** A file the run will write: its folder must exist and it must not be a folder; checked before the scan. */
function checkWritable(file: string, what: string): void {
  const abs = path.resolve(file);
  const dir = path.dirname(abs);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(dir);
  } catch {
    throw new UsageError(`${what} folder does not exist: ${dir}`);
  }
  if (!st.isDirectory()) throw new UsageError(`${what} folder is not a folder: ${dir}`);
  let target: fs.Stats | undefined;
  try {
    target = fs.statSync(abs);
  } catch {
    target = undefined;
  }
  if (target?.isDirectory()) throw new UsageError(`${what} path is a folder: ${file}`);
  try {
    fs.accessSync(target ? abs : dir, fs.constants.W_OK);
  } catch {
    throw new UsageError(`${what} is not writable: ${file}`);
  }
}

function planOutputs(opts: CliOptions, cwd: string): Output[] {
  for (const f of opts.format)
    if (!FORMATS.includes(f as Format)) throw new UsageError(`unknown format '${f}' (use ${FORMATS.join(', ')})`);
  const formats = opts.format as Format[];
  let outs: Output[];
  if (formats.length === 0) {
    if (opts.output.length > 1) throw new UsageError('several -o files need a --format for each');
    const file = opts.output[0];
    outs = [{ format: inferFormat(file), file }];
  } else {
    if (opts.output.length > formats.length) throw new UsageError('more -o files than --format values');
    outs = formats.map((format, i) => ({ format, file: opts.output[i] }));
  }
  if (outs.filter((o) => !o.file).length > 1)
    throw new UsageError('only one format can go to standard output: give -o files for the others');
  for (const o of outs) {
    if (!o.file) continue;
    o.file = path.resolve(cwd, o.file);
    checkWritable(o.file, 'output');
  }
  const files = outs.filter((o) => o.file).map((o) => o.file);
  if (new Set(files).size !== files.length) throw new UsageError('two reports would be written to the same file');
  return outs;
}

function useColor(opts: CliOptions, stream: OutStream, env: CliIO['env']): boolean {
  if (!opts.color) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return !['0', 'false', 'no'].includes(force.toLowerCase());
  return !!stream.isTTY;
}

function writeFile(file: string, text: string): void {
  try {
    fs.writeFileSync(file, text);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new OutputError(`cannot write ${file}: ${e.code === 'EISDIR' ? 'it is a folder' : e.message}`);
  }
}

/** Runs the command line. `args` are the arguments after the program name. Resolves to the exit code. */
export async function main(args: string[] = process.argv.slice(2), io: Partial<CliIO> = {}): Promise<number> {
  const cio: CliIO = {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    env: io.env ?? process.env,
    cwd: io.cwd ?? process.cwd(),
  };
  const out = new Sink(cio.stdout);
  const err = new Sink(cio.stderr);
  const finish = async (code: number): Promise<number> => {
    const failure = await out.flush();
    if (failure) {
      err.write(`stepup-audit: cannot write to standard output: ${failure.message}\n`);
      code = 2;
    }
    await err.flush();
    return code;
  };

  const program = buildProgram(cio, { out, err });
  let opts: CliOptions;
  let paths: string[];
  try {
    program.parse(args, { from: 'user' });
    opts = program.opts<CliOptions>();
    paths = program.args.length ? program.args : ['.'];
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
        return finish(0);
      return finish(2);
    }
    throw e;
  }
  const verbose = !!opts.verbose;
  const { visible } = await import('./report/escape.js');
  const say = (line: string): void => err.write(`stepup-audit: ${visible(line)}\n`);
  try {
    const code = await run(opts, paths, cio, out, err);
    return finish(code);
  } catch (e) {
    if (e instanceof UserError) {
      say(e.message);
      return finish(2);
    }
    say(`internal error: ${e instanceof Error ? e.message : String(e)}`);
    if (verbose && e instanceof Error && e.stack) err.write(`${e.stack}\n`);
    return finish(2);
  }
}

async function run(opts: CliOptions, paths: string[], io: CliIO, out: Sink, err: Sink): Promise<number> {
  // ---- everything that can be checked before the scan ----
  const outputs = planOutputs(opts, io.cwd);
  let failOn: (typeof FAIL_LEVELS)[number] | undefined;
  if (opts.failOn !== undefined) {
    if (!(FAIL_LEVELS as readonly string[]).includes(opts.failOn))
      throw new UsageError(`--fail-on must be error, warning, note or none (got '${opts.failOn}')`);
    failOn = opts.failOn as (typeof FAIL_LEVELS)[number];
  }
  let maxFreshnessMinutes: number | undefined;
  if (opts.maxFreshness !== undefined) {
    const n = Number(opts.maxFreshness);
    if (!Number.isFinite(n) || n <= 0)
      throw new UsageError(`--max-freshness must be a positive number of minutes (got '${opts.maxFreshness}')`);
    maxFreshnessMinutes = n;
  }
  if (opts.baseline && opts.updateBaseline)
    throw new UsageError('use either --baseline or --update-baseline, not both');
  if (opts.baselineRef !== undefined && (!opts.baselineRef.trim() || opts.baselineRef.startsWith('-')))
    throw new UsageError(`--baseline-ref needs a git ref such as origin/main or HEAD~1 (got '${opts.baselineRef}')`);
  if (opts.sarifCategory !== undefined && !/^[\w.@:/+-]+$/.test(opts.sarifCategory))
    throw new UsageError(`--sarif-category may hold letters, digits and . _ - / : @ + (got '${opts.sarifCategory}')`);
  const updateBaseline = opts.updateBaseline ? path.resolve(io.cwd, opts.updateBaseline) : undefined;
  if (updateBaseline) checkWritable(updateBaseline, 'baseline');
  const { resolveTargets } = await import('./config/targets.js');
  resolveTargets(paths, io.cwd); // a missing path or a lone file is refused before the engine loads

  // ---- scan ----
  const [{ audit }, { createProgress }] = await Promise.all([import('./audit.js'), import('./progress.js')]);
  const progress = opts.quiet ? undefined : createProgress(io.stderr as NodeJS.WriteStream);
  const t0 = performance.now();
  const result = await audit({
    paths,
    cwd: io.cwd,
    config: opts.config,
    overrides: { failOn, maxFreshnessMinutes },
    baseline: opts.baseline,
    baselineRef: opts.baselineRef,
    allowEmpty: !!opts.allowEmpty,
    onProgress: progress?.update,
  });
  progress?.done();
  const total = performance.now() - t0;
  const { report, scan: scanned } = result;
  report.sarifCategory = opts.sarifCategory;
  const { visible } = await import('./report/escape.js');
  const display = (abs: string): string => {
    const r = path.relative(io.cwd, abs);
    return r === '' ? '.' : r;
  };

  if (opts.explain !== undefined) {
    const { explainEndpoint } = await import('./report/explain.js');
    const text = explainEndpoint(report, opts.explain);
    out.write(text.output);
    return text.found ? 0 : 2;
  }

  const { emptyMessage } = await import('./report/common.js');
  const empty = emptyMessage(report, display);
  const refuseEmpty = (): number => {
    err.write(`stepup-audit: ${visible(empty ?? '')}: nothing was checked (use --allow-empty to accept)\n`);
    return 2;
  };

  if (updateBaseline) {
    if (empty && !opts.allowEmpty) return refuseEmpty();
    const { renderBaseline } = await import('./config/baseline.js');
    writeFile(updateBaseline, renderBaseline(report.findings));
    if (!opts.quiet)
      err.write(
        `wrote ${report.findings.filter((f) => f.suppressed?.kind !== 'inline').length} finding(s) to ${visible(display(updateBaseline))}\n`,
      );
    return 0;
  }

  // Suppressed and baselined findings are counted, and shown only when asked for.
  const shown = opts.includeSuppressed
    ? report
    : {
        ...report,
        findings: report.findings.filter((f) => !f.suppressed),
        hidden: report.findings.filter((f) => f.suppressed),
      };
  const stdoutColor = useColor(opts, io.stdout, io.env);
  const render = async (format: Format, color: boolean): Promise<string> => {
    switch (format) {
      case 'json':
        return (await import('./report/json.js')).renderJson(shown);
      case 'sarif':
        return (await import('./report/sarif.js')).renderSarif(shown);
      case 'github':
        return (await import('./report/github.js')).renderGithub(shown);
      case 'markdown':
        return (await import('./report/markdown.js')).renderMarkdown(shown, { env: io.env });
      case 'compact':
        return (await import('./report/text.js')).renderCompact(shown, {
          color,
          endpoints: !!opts.endpoints,
          verbose: !!opts.verbose,
          display,
          width: io.stdout.isTTY ? io.stdout.columns : undefined,
        });
      default:
        return (await import('./report/text.js')).renderText(shown, {
          color,
          endpoints: !!opts.endpoints,
          verbose: !!opts.verbose,
          display,
        });
    }
  };
  let wroteTextToStdout = false;
  for (const o of outputs) {
    const text = await render(o.format, o.file ? false : stdoutColor);
    if (o.file) writeFile(o.file, text);
    else if (!opts.quiet || (o.format !== 'text' && o.format !== 'compact')) {
      out.write(text);
      if (o.format === 'text' || o.format === 'compact') wroteTextToStdout = true;
    }
    if (o.format === 'github') (await import('./report/github.js')).writeStepSummary(shown, io.env);
  }
  // Reports written to files: the text summary still goes to the terminal unless --quiet.
  if (!opts.quiet && !wroteTextToStdout && outputs.every((o) => o.file)) out.write(await render('text', stdoutColor));

  if (opts.verbose) {
    const t = scanned.timings;
    err.write(
      `phases: discover ${t.discover.toFixed(0)} ms · parse ${t.parse.toFixed(0)} ms · extract ${t.extract.toFixed(0)} ms · classify ${t.classify.toFixed(0)} ms · verify ${t.verify.toFixed(0)} ms · report ${(total - scanned.summary.durationMs).toFixed(0)} ms\n`,
    );
    err.write(
      `work: ${scanned.summary.files} files · ${scanned.stats.candidates} candidates · ${scanned.stats.parsed} parsed · ${scanned.stats.routers} routers modelled · ${scanned.stats.steps} analysis steps (largest unit ${scanned.stats.largestUnit})\n`,
    );
    for (const c of report.configs ?? [])
      err.write(
        `configuration: ${visible(display(c.appRoot))} → ${c.file ? visible(display(c.file.replace(/#stepupAudit$/, '')) + (c.file.endsWith('#stepupAudit') ? '#stepupAudit' : '')) : 'defaults (no configuration file)'}\n`,
      );
    if (opts.baselineRef)
      err.write(
        `baseline ref: ${visible(opts.baselineRef)} (${report.findings.filter((f) => f.suppressed?.kind === 'baseline').length} finding(s) present there)\n`,
      );
  }

  if (empty && !opts.allowEmpty) return refuseEmpty();
  return result.exitCode;
}
