// Runs the CLI in-process through its exported main(args, io): captured stdout/stderr, an
// environment of the test's choosing, a working folder. No subprocess, no TypeScript reload.
import path from 'node:path';
import { main, type OutStream } from '../../src/cli.js';

export const repoRoot = path.resolve(__dirname, '../..');

export class Capture implements OutStream {
  text = '';
  constructor(
    readonly isTTY = false,
    readonly columns?: number,
    private readonly failWith?: NodeJS.ErrnoException,
  ) {}
  write(chunk: string, cb?: (err?: Error | null) => void): boolean {
    if (this.failWith) {
      queueMicrotask(() => cb?.(this.failWith));
      return false;
    }
    this.text += chunk;
    queueMicrotask(() => cb?.(null));
    return true;
  }
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  tty?: boolean;
  columns?: number;
  /** Make every stdout write fail with this error code (EPIPE, ENOSPC…). */
  stdoutError?: string;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const failure = opts.stdoutError
    ? Object.assign(new Error(`write ${opts.stdoutError}`), { code: opts.stdoutError })
    : undefined;
  const stdout = new Capture(!!opts.tty, opts.columns, failure);
  const stderr = new Capture();
  const code = await main(args, { stdout, stderr, env: { NO_COLOR: '1', ...opts.env }, cwd: opts.cwd ?? repoRoot });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
