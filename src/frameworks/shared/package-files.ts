// Files of workspace packages outside the scanned folder that the scanned code imports
// (`import { setupTrpcHandler } from '@acme/hono'` in `apps/api`): the helpers there may register
// routes or mount a tRPC router on the app they are handed, and the pre-filter never saw them.
import path from 'node:path';
import { ts } from 'ts-morph';
import { memo } from '../../memo.js';
import { isTestPath, mentionsRouting } from '../../project/prefilter.js';
import type { AdapterContext } from '../types.js';

const IMPORTED = memo('frameworks.packageFiles', () => new Map<string, string[]>());

/**
 * The files outside `ctx.root` that a candidate imports by a package name or a subpath import
 * (value imports only), that mention routing: one level of imports, sorted.
 */
export function importedPackageFiles(ctx: AdapterContext): string[] {
  const cache = ctx.values.session.get(IMPORTED);
  const hit = cache.get(ctx.root);
  if (hit) return hit;
  const inside = (f: string): boolean => f === ctx.root || f.startsWith(ctx.root + path.sep);
  const out = new Set<string>();
  for (const file of ctx.candidates) {
    const sf = ctx.store.get(file);
    if (!sf) continue;
    for (const st of sf.statements) {
      if (!ts.isImportDeclaration(st) || st.importClause?.isTypeOnly) continue;
      const spec = st.moduleSpecifier;
      if (!ts.isStringLiteralLike(spec) || spec.text.startsWith('.') || spec.text.startsWith('/')) continue;
      const r = ctx.values.resolver.resolve(spec.text, file);
      if (r.kind !== 'file' || inside(r.file) || out.has(r.file) || isTestPath(r.file)) continue;
      const text = ctx.store.text(r.file, false);
      if (text !== undefined && mentionsRouting(text)) out.add(r.file);
    }
  }
  const list = [...out].sort();
  cache.set(ctx.root, list);
  return list;
}
