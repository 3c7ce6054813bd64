// Next.js `middleware.ts` / `proxy.ts`: the function it runs and the endpoints its
// `config.matcher` covers (path-to-regexp patterns with regex groups, or objects with `source`).
import { ts } from 'ts-morph';
import { evalString } from '../../analysis/strings.js';
import { propertyNameText, skipOuter } from '../../analysis/values.js';
import type { Endpoint } from '../../model.js';
import { concretePath } from '../shared/router-graph.js';
import { chainLink } from '../shared/endpoint.js';
import type { AdapterContext } from '../types.js';
import type { NextFile } from './files.js';

export interface NextMiddleware {
  appRoot: string;
  basePath: string;
  expr: ts.Expression;
  /** undefined = runs for every path. */
  matchers?: RegExp[];
}

/** Converts a Next.js matcher (path-to-regexp syntax) to an anchored RegExp. */
export function matcherToRegex(src: string): RegExp | undefined {
  let out = '';
  let i = 0;
  const segment = '[^/]+';
  while (i < src.length) {
    const ch = src[i];
    if (ch === '/' && src[i + 1] === ':') {
      // `/:name(re)?` with modifier
      let j = i + 2;
      while (j < src.length && /[A-Za-z0-9_]/.test(src[j])) j++;
      let re = segment;
      if (src[j] === '(') {
        const end = closeParen(src, j);
        if (end < 0) return undefined;
        re = src.slice(j + 1, end);
        j = end + 1;
      }
      const mod = src[j];
      if (mod === '*') {
        out += `(?:/${re}(?:/${re})*)?`;
        j++;
      } else if (mod === '+') {
        out += `/${re}(?:/${re})*`;
        j++;
      } else if (mod === '?') {
        out += `(?:/${re})?`;
        j++;
      } else out += `/${re}`;
      i = j;
      continue;
    }
    if (ch === '(') {
      const end = closeParen(src, i);
      if (end < 0) return undefined;
      out += `(?:${src.slice(i + 1, end)})`;
      i = end + 1;
      if (src[i] === '?' || src[i] === '*' || src[i] === '+') out += src[i++];
      continue;
    }
    if (ch === '*') {
      out += '.*';
      i++;
      continue;
    }
    out += /[.^$|\\{}[\]+?]/.test(ch) ? `\\${ch}` : ch;
    i++;
  }
  try {
    return new RegExp(`^${out}/?$`);
  } catch {
    return undefined;
  }
}

function closeParen(s: string, open: number): number {
  let depth = 0;
  for (let k = open; k < s.length; k++) {
    if (s[k] === '\\') {
      k++;
      continue;
    }
    if (s[k] === '(') depth++;
    else if (s[k] === ')' && --depth === 0) return k;
  }
  return -1;
}

function exported(sf: ts.SourceFile, names: string[]): ts.Expression | undefined {
  for (const st of sf.statements) {
    const exp = ts.canHaveModifiers(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (names.includes('default')) {
      if (ts.isExportAssignment(st) && !st.isExportEquals) return st.expression;
      if (
        ts.isFunctionDeclaration(st) &&
        exp &&
        ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)
      )
        return st as unknown as ts.Expression;
    }
    if (ts.isFunctionDeclaration(st) && exp && st.name && names.includes(st.name.text))
      return st as unknown as ts.Expression;
    if (ts.isVariableStatement(st) && exp) {
      for (const d of st.declarationList.declarations)
        if (ts.isIdentifier(d.name) && names.includes(d.name.text) && d.initializer) return d.initializer;
    }
    if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause) && !st.moduleSpecifier) {
      for (const el of st.exportClause.elements) if (names.includes(el.name.text)) return el.propertyName ?? el.name;
    }
  }
  return undefined;
}

export function readMiddleware(sf: ts.SourceFile, info: NextFile, ctx: AdapterContext): NextMiddleware | undefined {
  const expr = exported(sf, ['default', 'middleware', 'proxy']);
  if (!expr) return undefined;
  const mw: NextMiddleware = { appRoot: info.appRoot, basePath: info.config.basePath, expr };
  const config = exported(sf, ['config']);
  if (config) {
    const obj = ctx.values.resolve(config).find((v) => v.kind === 'object');
    if (obj && obj.kind === 'object') {
      const prop = obj.node.properties.find((p) => p.name && propertyNameText(p.name) === 'matcher');
      if (prop && ts.isPropertyAssignment(prop)) {
        const sources: string[] = [];
        const init = skipOuter(prop.initializer);
        const items = ts.isArrayLiteralExpression(init) ? [...init.elements] : [init];
        let unknown = false;
        for (const item of items) {
          const x = skipOuter(item);
          if (ts.isObjectLiteralExpression(x)) {
            const src = x.properties.find((p) => p.name && propertyNameText(p.name) === 'source');
            const s = src && ts.isPropertyAssignment(src) ? evalString(src.initializer, ctx.values) : undefined;
            if (s !== undefined) sources.push(s);
            else unknown = true;
          } else {
            const s = evalString(x, ctx.values);
            if (s !== undefined) sources.push(s);
            else unknown = true;
          }
        }
        // An unreadable matcher: assume it may cover everything (the middleware is still analysed).
        if (!unknown) mw.matchers = sources.map(matcherToRegex).filter((r): r is RegExp => !!r);
      }
    }
  }
  return mw;
}

export function middlewareCovers(mw: NextMiddleware, endpointPath: string): string | undefined {
  let p = endpointPath;
  if (mw.basePath && (p === mw.basePath || p.startsWith(`${mw.basePath}/`))) p = p.slice(mw.basePath.length) || '/';
  const concrete = concretePath(p);
  if (!mw.matchers) return concrete;
  return mw.matchers.some((r) => r.test(concrete)) ? concrete : undefined;
}

/** Puts each app's middleware at the front of the chain of the endpoints it covers. */
export function attachMiddleware(endpoints: Endpoint[], middlewares: NextMiddleware[], ctx: AdapterContext): void {
  for (const mw of middlewares) {
    let link: ReturnType<typeof chainLink> | undefined;
    for (const ep of endpoints) {
      if (ep.appRoot !== mw.appRoot) continue;
      if (ep.framework !== 'next-app' && ep.framework !== 'next-pages' && !ep.tags.includes('next-mounted')) continue;
      const matched = middlewareCovers(mw, ep.path);
      if (matched === undefined) continue;
      link ??= chainLink(mw.expr, 'next-middleware', ctx.values);
      ep.chain.unshift({ ...link, matchedPath: matched });
    }
  }
}
