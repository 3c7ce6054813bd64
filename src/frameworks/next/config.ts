// Reads `basePath` and `pageExtensions` from next.config.* by walking its syntax tree. The
// config is never executed: values must be constants (or resolve to constants) to be used.
import path from 'node:path';
import { ts } from 'ts-morph';
import { evalString, evalStrings } from '../../analysis/strings.js';
import { isNullish, propertyNameText, skipOuter } from '../../analysis/values.js';
import { forEachNode } from '../../analysis/walk.js';
import type { ValueResolver } from '../../analysis/values.js';
import type { SourceStore } from '../../project/sources.js';

/** Next.js settings of one application, read from next.config.* syntax. */
export interface NextAppConfig {
  appRoot: string;
  basePath: string;
  pageExtensions: string[];
}

/** next.config file names. */
export const NEXT_CONFIG_FILE = /^next\.config\.(js|mjs|cjs|ts|mts)$/;

export const DEFAULT_PAGE_EXTENSIONS = ['tsx', 'ts', 'jsx', 'js'];

export function readNextConfig(file: string, ctx: { store: SourceStore; values: ValueResolver }): NextAppConfig {
  const cfg: NextAppConfig = { appRoot: path.dirname(file), basePath: '', pageExtensions: DEFAULT_PAGE_EXTENSIONS };
  const sf = ctx.store.get(file);
  if (!sf) return cfg;
  forEachNode(sf, (n) => {
    if ((ts.isPropertyAssignment(n) || ts.isShorthandPropertyAssignment(n)) && n.name) {
      const key = propertyNameText(n.name);
      const init = ts.isPropertyAssignment(n) ? n.initializer : n.name;
      if (key === 'basePath') {
        // `isCI ? '/preview' : undefined`: a base path only some builds get; the plain build serves at the root
        const x = skipOuter(init);
        const unset = (e: ts.Expression): boolean => {
          const y = skipOuter(e);
          return isNullish(y) || (ts.isStringLiteralLike(y) && y.text === '');
        };
        if (ts.isConditionalExpression(x) && (unset(x.whenTrue) || unset(x.whenFalse))) return;
        const v = evalString(init, ctx.values);
        if (v !== undefined && (v === '' || v.startsWith('/'))) cfg.basePath = v.replace(/\/$/, '');
      } else if (key === 'pageExtensions') {
        const v = evalStrings(init, ctx.values);
        if (v && v.length) cfg.pageExtensions = v.map((e) => e.replace(/^\./, ''));
      }
    }
  });
  return cfg;
}
