// The HTTP-method exports of a route module (`export async function POST`, `export const { GET } = h`,
// `export { handler as PUT }`, re-exports and `export *`): Next.js app-router route files and HonoX route
// files declare their routes this way.
import { ts } from 'ts-morph';
import { HTTP_METHODS, type HttpMethod } from '../../model.js';
import type { AdapterContext } from '../types.js';

export interface MethodExport {
  method: HttpMethod;
  /** Where the export is written: the anchor line. */
  anchor: ts.Node;
  /** Expression (or declaration) that evaluates to the handler. */
  handler: ts.Expression;
}

function hasExport(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && !!ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

const METHOD_SET = new Set<string>(HTTP_METHODS);

/** The expression a module export evaluates to, following `export … from` re-exports. */
export function exportedExpression(
  file: string,
  name: string,
  ctx: AdapterContext,
  depth = 0,
): ts.Expression | undefined {
  if (depth > 6) return undefined;
  const sf = ctx.store.get(file);
  if (!sf) return undefined;
  for (const st of sf.statements) {
    if (ts.isFunctionDeclaration(st) && hasExport(st) && st.name?.text === name && st.body)
      return st as unknown as ts.Expression;
    if (ts.isVariableStatement(st) && hasExport(st)) {
      for (const d of st.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.name.text === name && d.initializer) return d.initializer;
        if (ts.isObjectBindingPattern(d.name)) {
          for (const el of d.name.elements) if (ts.isIdentifier(el.name) && el.name.text === name) return el.name;
        }
      }
    }
    if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const el of st.exportClause.elements) {
        if (el.name.text !== name) continue;
        const local = el.propertyName ?? el.name;
        if (!st.moduleSpecifier) return local;
        const r = ctx.values.resolver.resolve((st.moduleSpecifier as ts.StringLiteral).text, file);
        if (r.kind === 'file') return exportedExpression(r.file, (local as ts.Identifier).text, ctx, depth + 1);
        return local;
      }
    }
  }
  for (const [, target] of starExports(sf, ctx)) {
    const e = exportedExpression(target, name, ctx, depth + 1);
    if (e) return e;
  }
  return undefined;
}

/** `export * from './x'` statements of a file, each with the project file it resolves to. */
function starExports(sf: ts.SourceFile, ctx: AdapterContext): [ts.ExportDeclaration, string][] {
  const out: [ts.ExportDeclaration, string][] = [];
  for (const st of sf.statements) {
    if (
      ts.isExportDeclaration(st) &&
      !st.exportClause &&
      st.moduleSpecifier &&
      ts.isStringLiteralLike(st.moduleSpecifier)
    ) {
      const r = ctx.values.resolver.resolve(st.moduleSpecifier.text, sf.fileName);
      if (r.kind === 'file') out.push([st, r.file]);
    }
  }
  return out;
}

/** Every HTTP-method export of a route file with its anchor. */
export function methodExports(sf: ts.SourceFile, ctx: AdapterContext): MethodExport[] {
  const out: MethodExport[] = [];
  const push = (name: string, anchor: ts.Node, handler: ts.Expression | undefined): void => {
    if (!METHOD_SET.has(name) || !handler || out.some((o) => o.method === name)) return;
    out.push({ method: name as HttpMethod, anchor, handler });
  };
  for (const st of sf.statements) {
    if (ts.isFunctionDeclaration(st) && hasExport(st) && st.name && st.body)
      push(st.name.text, st, st as unknown as ts.Expression);
    else if (ts.isVariableStatement(st) && hasExport(st)) {
      for (const d of st.declarationList.declarations) {
        if (ts.isIdentifier(d.name)) push(d.name.text, st, d.initializer);
        else if (ts.isObjectBindingPattern(d.name)) {
          for (const el of d.name.elements) if (ts.isIdentifier(el.name)) push(el.name.text, st, el.name);
        }
      }
    } else if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const el of st.exportClause.elements) {
        const local = (el.propertyName ?? el.name) as ts.Identifier;
        if (!st.moduleSpecifier) push(el.name.text, el, local);
        else {
          const r = ctx.values.resolver.resolve((st.moduleSpecifier as ts.StringLiteral).text, sf.fileName);
          push(el.name.text, el, r.kind === 'file' ? (exportedExpression(r.file, local.text, ctx) ?? local) : local);
        }
      }
    }
  }
  // `export * from './x'`: explicit exports shadow star exports, so these come last.
  for (const [st, target] of starExports(sf, ctx))
    for (const m of HTTP_METHODS) push(m, st, exportedExpression(target, m, ctx));
  return out;
}
