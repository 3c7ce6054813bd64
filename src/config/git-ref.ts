// PR mode: the tree at a git ref, read through `git archive` into a folder under the operating
// system's temporary directory and removed afterwards. Never a worktree, never a write to the
// user's checkout or to .git.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../errors.js';

const GIT_ENV = { ...process.env, GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };

function git(args: string[], cwd: string): { ok: boolean; out: string; err: string; missing: boolean } {
  const r = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: GIT_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 16 * 1024 * 1024,
  });
  return {
    ok: r.status === 0,
    out: (r.stdout ?? '').trim(),
    err: (r.stderr ?? '').trim().split('\n')[0] ?? '',
    missing: errorCode(r.error) === 'ENOENT',
  };
}

export interface TreeAtRef {
  /** Commit the ref names. */
  commit: string;
  /** Temporary folder holding the tree (the repository top). */
  dir: string;
  /** Each scanned folder's counterpart in the tree at the ref (undefined where it does not exist there). */
  roots: (string | undefined)[];
}

function extract(commit: string, top: string, dest: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const archive = spawn('git', ['archive', '--format=tar', commit], {
      cwd: top,
      env: GIT_ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tar = spawn('tar', ['-x', '-f', '-', '-C', dest], { stdio: ['pipe', 'ignore', 'pipe'] });
    let gitErr = '';
    let tarErr = '';
    let pending = 2;
    let failed = false;
    const fail = (msg: string): void => {
      if (failed) return;
      failed = true;
      archive.kill();
      tar.kill();
      reject(new UsageError(`--baseline-ref: ${msg}`));
    };
    const done = (): void => {
      if (--pending === 0 && !failed) resolve();
    };
    archive.stderr.on('data', (d: Buffer) => (gitErr += d.toString()));
    tar.stderr.on('data', (d: Buffer) => (tarErr += d.toString()));
    archive.on('error', (e) => fail(`cannot run git (${e.message})`));
    tar.on('error', (e) => fail(`cannot run tar (${e.message})`));
    tar.stdin.on('error', () => undefined);
    archive.stdout.pipe(tar.stdin);
    archive.on('close', (code) =>
      code === 0 ? done() : fail(`git archive failed: ${gitErr.trim().split('\n')[0] || `exit ${code}`}`),
    );
    tar.on('close', (code) =>
      code === 0 ? done() : fail(`tar failed: ${tarErr.trim().split('\n')[0] || `exit ${code}`}`),
    );
  });
}

/** Runs `fn` on the tree at `ref` of the repository that holds `roots`; the temporary copy is removed afterwards. */
export async function withTreeAt<T>(ref: string, roots: string[], fn: (tree: TreeAtRef) => Promise<T>): Promise<T> {
  const first = roots[0];
  const top = git(['rev-parse', '--show-toplevel'], first);
  if (top.missing) throw new UsageError('--baseline-ref needs git, which was not found');
  if (!top.ok) throw new UsageError(`--baseline-ref: ${path.basename(first)} is not inside a git repository`);
  const topReal = fs.realpathSync(top.out);
  const rels = roots.map((r) => {
    const rel = path.relative(topReal, fs.realpathSync(r));
    if (rel.startsWith('..') || path.isAbsolute(rel))
      throw new UsageError(`--baseline-ref: ${r} is not inside the repository at ${topReal}`);
    return rel;
  });
  const commit = git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], topReal);
  if (!commit.ok || !commit.out) throw new UsageError(`--baseline-ref: '${ref}' does not name a commit in ${topReal}`);
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'stepup-audit-ref-')));
  try {
    await extract(commit.out, topReal, dir);
    const mapped = rels.map((rel) => {
      const p = path.join(dir, rel);
      try {
        return fs.statSync(p).isDirectory() ? p : undefined;
      } catch {
        return undefined;
      }
    });
    return await fn({ commit: commit.out, dir, roots: mapped });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The system error code of a failed spawn (`ENOENT` when git is not installed). */
function errorCode(err: Error | undefined): string | undefined {
  return err && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}
