// Columns a schema lets be empty: a Prisma field declared optional (`transactionPin String?`) or
// defaulting to '' (`@default("")`), or a Mongoose path that is not required and defaults to nothing
// (`transactionPin: { type: String, default: null }`, `default: ''`, no default at all, `pin: String`). An account may hold no value
// there, so comparing it with what the request sends (`pin != wallet.transactionPin`) lets a request
// that sends nothing through for that account (verify/guard/empty-match.ts).
import { memo } from '../memo.js';
import type { ScanSession } from '../session.js';
import type { ValueResolver } from '../analysis/values.js';
import { norm } from './words.js';
import { MONGOOSE_MODEL, MONGOOSE_START, schemaSources, stringEnd } from './schema-columns.js';
import { schemaText } from '../project/schema-text.js';
const EMPTY_DEFAULT = /\bdefault\s*:\s*(null|undefined|''|""|``)\s*[,}]/;
const REQUIRED = /\brequired\s*:\s*(true|\[\s*true)/;

/** The text of the object literal opening at `open` (a `{`), strings skipped; bounded. */
function objectText(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length && i < open + 4000; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'" || ch === '`') {
      i = stringEnd(text, i);
      continue;
    }
    if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return text.slice(open, i + 1);
  }
  return '';
}

/** The paths of a Mongoose schema object that default to nothing and are not required. */
function emptyPaths(schema: string): string[] {
  const out: string[] = [];
  // `name: {` at the schema's top level (depth 1)
  let depth = 0;
  for (let i = 0; i < schema.length; i++) {
    const ch = schema[i];
    if (ch === '{' || ch === '[' || ch === '(') depth++;
    else if (ch === '}' || ch === ']' || ch === ')') depth--;
    else if (depth === 1 && /[A-Za-z_$]/.test(ch) && !/[\w$]/.test(schema[i - 1] ?? '')) {
      // (a path declared by its type alone, `pin: String`, holds nothing until something sets it)
      const bare = /^([A-Za-z_$][\w$]*)\s*:\s*String\s*[,}\n]/.exec(schema.slice(i, i + 80));
      if (bare) {
        out.push(bare[1]);
        continue;
      }
      const m = /^([A-Za-z_$][\w$]*)\s*:\s*\{/.exec(schema.slice(i, i + 80));
      if (!m) continue;
      const body = objectText(schema, i + m[0].length - 1);
      // (defaulting to nothing, or to no default at all: a new document holds nothing there)
      if ((EMPTY_DEFAULT.test(body) || !/\bdefault\s*:/.test(body)) && !REQUIRED.test(body)) out.push(m[1]);
      i += m[0].length - 2;
    }
  }
  return out;
}

const EMPTY_COLUMNS = memo('classify.emptyColumns', () => ({
  byModel: undefined as Map<string, Set<string>> | undefined,
}));

function build(values: ValueResolver, session: ScanSession): Map<string, Set<string>> {
  const byModel = new Map<string, Set<string>>();
  const add = (model: string, cols: Iterable<string>): void => {
    const k = norm(model);
    const set = byModel.get(k) ?? new Set<string>();
    for (const c of cols) set.add(norm(c));
    byModel.set(k, set);
  };
  for (const file of [...session.schemas].sort()) {
    if (file.endsWith('.sql')) continue;
    const text = schemaText(file);
    if (!text) continue;
    for (const m of text.matchAll(/^\s*model\s+(\w+)\s*\{([\s\S]*?)^\s*\}/gm))
      add(
        m[1],
        m[2]
          .split('\n')
          .map(
            (line) =>
              /^\s*(\w+)\s+\w+\?(\s|$)/.exec(line)?.[1] ?? /^\s*(\w+)\s+String\b.*@default\(\s*""\s*\)/.exec(line)?.[1],
          )
          .filter((c): c is string => !!c),
      );
  }
  for (const file of schemaSources(values)) {
    const text = values.store.text(file, false);
    if (!text || !/Schema\s*(<[^>]*>)?\(/.test(text)) continue;
    const schemas = new Map<string, string[]>();
    for (const m of text.matchAll(MONGOOSE_START)) {
      const paths = emptyPaths(objectText(text, (m.index ?? 0) + m[0].length - 1));
      schemas.set(m[1], paths);
      add(m[1].replace(/schema$/i, ''), paths);
    }
    for (const m of text.matchAll(MONGOOSE_MODEL)) {
      const paths = schemas.get(m[2]);
      if (paths) add(m[1], paths);
    }
  }
  return byModel;
}

/** Does a schema let `model.column` hold nothing (optional, or defaulting to null or '')? */
export function mayBeEmpty(values: ValueResolver, model: string, column: string): boolean {
  const slot = values.session.get(EMPTY_COLUMNS);
  slot.byModel ??= build(values, values.session);
  const cols = slot.byModel.get(norm(model)) ?? slot.byModel.get(norm(model).replace(/s$/, ''));
  return !!cols?.has(norm(column));
}
