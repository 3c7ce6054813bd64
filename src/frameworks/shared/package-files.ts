// Files of workspace packages outside the scanned folder that the scanned code imports
// (`import { setupTrpcHandler } from '@acme/hono'` in `apps/api`): the helpers there may register
// routes or mount a tRPC router on the app they are handed, and the pre-filter never saw them.
import path from 'node:path';
import { ts } from 'ts-morph';
import { memo } from '../../memo.js';
import { isTestPath, mentionsRouting } from '../../project/prefilter.js';
import { ruleFile } from '../../rules/load.js';
import type { AdapterContext } from '../types.js';

const IMPORTED = memo('frameworks.packageFiles', () => new Map<string, string[]>());

/** Module specifiers a file imports or requires for their values, and those it re-exports from. */
function specifiers(sf: ts.SourceFile): string[] {
  const out: string[] = [];
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && !st.importClause?.isTypeOnly && ts.isStringLiteralLike(st.moduleSpecifier))
      out.push(st.moduleSpecifier.text);
    else if (
      ts.isExportDeclaration(st) &&
      !st.isTypeOnly &&
      st.moduleSpecifier &&
      ts.isStringLiteralLike(st.moduleSpecifier)
    )
      out.push(st.moduleSpecifier.text);
  }
  // `const { setup } = require('@acme/server')`
  if (sf.text.includes('require('))
    for (const m of sf.text.matchAll(/\brequire\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]);
  return out;
}

/**
 * The files outside `ctx.root` that a candidate imports by a package name or a subpath import (value
 * imports and `require`s), and the files those re-export from (a package's `index.ts` that only
 * re-exports its helpers), when they mention routing or a tRPC adapter. Sorted.
 */
export function importedPackageFiles(ctx: AdapterContext): string[] {
  const cache = ctx.values.session.get(IMPORTED);
  const hit = cache.get(ctx.root);
  if (hit) return hit;
  const inside = (f: string): boolean => f === ctx.root || f.startsWith(ctx.root + path.sep);
  const adapters = ruleFile('frameworks').trpc.serverMounts.map((m) => m.path.split('.').pop() ?? m.path);
  const out = new Set<string>();
  const seen = new Set<string>();
  const visit = (from: string, spec: string, level: number): void => {
    if (spec.startsWith('.') && level === 0) return; // the scanned folder's own modules are its sources
    const r = ctx.values.resolver.resolve(spec, from);
    if (r.kind !== 'file' || inside(r.file) || seen.has(r.file) || isTestPath(r.file)) return;
    seen.add(r.file);
    const text = ctx.store.text(r.file, false);
    if (text === undefined) return;
    if (mentionsRouting(text) || adapters.some((a) => text.includes(a))) out.add(r.file);
    // a re-exporting entry: one more level, through its `export … from`
    if (level < 2) {
      const sf = ctx.store.get(r.file);
      if (sf)
        for (const st of sf.statements)
          if (ts.isExportDeclaration(st) && st.moduleSpecifier && ts.isStringLiteralLike(st.moduleSpecifier))
            visit(r.file, st.moduleSpecifier.text, level + 1);
    }
  };
  for (const file of ctx.candidates) {
    const sf = ctx.store.get(file);
    if (!sf) continue;
    for (const spec of specifiers(sf)) visit(file, spec, 0);
  }
  const list = [...out].sort();
  cache.set(ctx.root, list);
  return list;
}
