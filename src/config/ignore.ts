// `ignore` patterns are written relative to the folder of the configuration that declares them;
// discovery wants them relative to the scanned path. A pattern that cannot match under the
// scanned path is dropped.
import path from 'node:path';
import { relPosix } from '../paths.js';
import type { ResolvedConfig } from './types.js';

function escapeGlob(p: string): string {
  return p.replace(/[*?{}()[\]!\\]/g, '\\$&');
}

function segmentRegex(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const ch = seg[i];
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '{') {
      const end = seg.indexOf('}', i);
      if (end === -1) re += '\\{';
      else {
        re += `(?:${seg
          .slice(i + 1, end)
          .split(',')
          .map((s) => s.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
          .join('|')})`;
        i = end;
      }
    } else re += /[.+^$()|[\]\\}]/.test(ch) ? `\\${ch}` : ch;
  }
  return new RegExp(`^${re}$`);
}

/** Re-roots one pattern written relative to `base` so that it is relative to `root`; undefined when it cannot apply. */
export function rerootPattern(pattern: string, base: string, root: string): string | undefined {
  const p = pattern.replace(/^\.?\//, '');
  if (base === root) return p;
  const down = relPosix(root, base);
  if (!down.startsWith('..') && !path.isAbsolute(down)) return `${escapeGlob(down)}/${p}`;
  const up = relPosix(base, root);
  if (up.startsWith('..') || path.isAbsolute(up)) return undefined;
  const ps = p.split('/');
  const rs = up.split('/');
  for (let i = 0; i < rs.length; i++) {
    if (ps[i] === '**') return ps.slice(i).join('/');
    if (i >= ps.length || !segmentRegex(ps[i]).test(rs[i])) return undefined;
  }
  const rest = ps.slice(rs.length);
  return rest.length ? rest.join('/') : '**';
}

/** Discovery's ignore patterns for one scanned path, from every configuration in use. */
export function ignoreFor(config: ResolvedConfig, root: string): string[] {
  const out = new Set<string>();
  for (const c of config.perApp ? config.perApp.all() : [config]) {
    for (const pattern of c.ignore) {
      const r = c.ignoreBase ? rerootPattern(pattern, c.ignoreBase, root) : pattern;
      if (r !== undefined) out.add(r);
    }
  }
  return [...out];
}
