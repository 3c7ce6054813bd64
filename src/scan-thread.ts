// The audit on a thread of its own with a large stack. TypeScript's parser and the analysis'
// walks are recursive: on the default stack (under 1 MB) callbacks nested a few hundred deep or
// a string concatenation of thousands of terms end in a stack overflow, and the file is lost;
// `tsc` itself needs a larger stack for them. A worker thread gets the stack it asks for, so the
// built package audits there and the calling thread only renders. The result crosses the thread
// as plain data: the syntax nodes the analysis kept are left behind (see model.ts).
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMainThread, Worker } from 'node:worker_threads';
import type { AuditOptions, AuditResult } from './audit.js';
import { ConfigError, OutputError, UsageError, UserError } from './errors.js';
import type { ChainLink, Endpoint } from './model.js';

/** Stack of the audit thread: 64 times the default, reserved (not committed) memory. */
export const THREAD_STACK_MB = 64;

export type ThreadMessage =
  | { type: 'progress'; phase: string; done: number; total: number }
  | { type: 'done'; result: AuditResult }
  | { type: 'error'; message: string; stack?: string; kind?: UserErrorKind };

type UserErrorKind = 'usage' | 'config' | 'output' | 'user';

/** The kind of a user-facing error, so that it keeps its class (and its exit code) across the thread. */
export function userErrorKind(err: unknown): UserErrorKind | undefined {
  if (err instanceof UsageError) return 'usage';
  if (err instanceof ConfigError) return 'config';
  if (err instanceof OutputError) return 'output';
  if (err instanceof UserError) return 'user';
  return undefined;
}

function rebuild(m: Extract<ThreadMessage, { type: 'error' }>): Error {
  const Kind =
    m.kind === 'usage'
      ? UsageError
      : m.kind === 'config'
        ? ConfigError
        : m.kind === 'output'
          ? OutputError
          : m.kind === 'user'
            ? UserError
            : Error;
  const err = new Kind(m.message);
  if (m.stack) err.stack = m.stack;
  return err;
}

function plainLink(l: ChainLink): ChainLink {
  const { expr: _expr, fn: _fn, factory: _factory, ...rest } = l;
  return rest as ChainLink;
}

/** An endpoint without the syntax nodes only the analysis uses. */
export function plainEndpoint(ep: Endpoint): Endpoint {
  const { expr: _expr, fn: _fn, madeBy: _madeBy, ...handler } = ep.handler;
  const { workLinks: _work, ...rest } = ep;
  return {
    ...rest,
    handler,
    chain: ep.chain.map(plainLink),
    ...(ep.lateChain ? { lateChain: ep.lateChain.map(plainLink) } : {}),
  };
}

/** An audit result that can be posted to another thread (the scan's `textOf` stays behind: suppressions are applied). */
export function plainAudit(r: AuditResult): AuditResult {
  const endpoints = r.scan.endpoints.map(plainEndpoint);
  const byRef = new Map(r.scan.endpoints.map((e, i) => [e, endpoints[i]]));
  const { textOf: _textOf, ...scan } = r.scan;
  return {
    ...r,
    report: { ...r.report, endpoints: r.report.endpoints.map((e) => byRef.get(e) ?? plainEndpoint(e)) },
    // textOf is a function: it stays behind, and the receiving side gives one back
    scan: { ...scan, endpoints } as AuditResult['scan'],
  };
}

function workerFile(): string | undefined {
  // Only the built package has the worker as JavaScript (tests running the TypeScript sources audit in-process).
  if (!import.meta.url.endsWith('.js')) return undefined;
  const file = fileURLToPath(new URL('./scan-worker.js', import.meta.url));
  return fs.existsSync(file) ? file : undefined;
}

/**
 * Runs `audit(options)` on a large-stack thread and resolves with its result; undefined when it
 * cannot (already on that thread, running from sources, or a configuration object that cannot
 * cross threads): the caller then audits in its own thread.
 */
export async function auditOnThread(options: AuditOptions): Promise<AuditResult | undefined> {
  const file = isMainThread ? workerFile() : undefined;
  if (!file || (options.config !== undefined && typeof options.config !== 'string')) return undefined;
  const { onProgress, ...data } = options;
  return new Promise<AuditResult>((resolve, reject) => {
    let settled = false;
    const worker = new Worker(file, { workerData: data, resourceLimits: { stackSizeMb: THREAD_STACK_MB } });
    worker.on('message', (m: ThreadMessage) => {
      if (m.type === 'progress') onProgress?.(m.phase, m.done, m.total);
      else if (m.type === 'done') {
        settled = true;
        resolve({ ...m.result, scan: { ...m.result.scan, textOf: () => undefined } });
      } else {
        settled = true;
        reject(rebuild(m));
      }
    });
    worker.on('error', (err) => {
      if (settled) return;
      settled = true;
      reject(err);
    });
    worker.on('exit', (code) => {
      if (settled) return;
      settled = true;
      reject(new Error(`the audit thread stopped (exit code ${code})`));
    });
  });
}
