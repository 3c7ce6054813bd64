// Columns a schema lets be empty: a Prisma field declared optional (`transactionPin String?`) or
// defaulting to '' (`@default("")`), or a Mongoose path that is not required and defaults to nothing
// (`transactionPin: { type: String, default: null }`, `default: ''`), or has no default at all (`pin: String`)
// and is not written when the record is created. An account may hold no value there, so comparing it with what
// the request sends (`pin != wallet.transactionPin`) lets a request that sends nothing through for that account
// (verify/guard/empty-match.ts).
import { memo } from '../memo.js';
import type { ScanSession } from '../session.js';
import type { ValueResolver } from '../analysis/values.js';
import { norm } from './words.js';
import { MONGOOSE_INLINE, MONGOOSE_MODEL, MONGOOSE_START, schemaSources, stringEnd } from './schema-columns.js';
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

/**
 * The paths of a Mongoose schema object that are not required and default to nothing: `explicit` (`default: null`,
 * `default: ''`) or `unset` (no default at all, `pin: String`), which a new document holds nothing in until
 * something writes it.
 */
function emptyPaths(schema: string): { explicit: string[]; unset: string[] } {
  const out: string[] = [];
  const unset: string[] = [];
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
        unset.push(bare[1]);
        continue;
      }
      const m = /^([A-Za-z_$][\w$]*)\s*:\s*\{/.exec(schema.slice(i, i + 80));
      if (!m) continue;
      const body = objectText(schema, i + m[0].length - 1);
      // (defaulting to nothing, or to no default at all: a new document holds nothing there)
      if (!REQUIRED.test(body)) {
        if (EMPTY_DEFAULT.test(body)) out.push(m[1]);
        else if (!/\bdefault\s*:/.test(body)) unset.push(m[1]);
      }
      i += m[0].length - 2;
    }
  }
  return { explicit: out, unset };
}

const EMPTY_COLUMNS = memo('classify.emptyColumns', () => ({
  byModel: undefined as Map<string, Set<string>> | undefined,
  /** Paths with no default: empty unless the record's creation writes them (`User.create({ …, pin })`). */
  unset: new Map<string, Set<string>>(),
  created: new Map<string, boolean>(),
}));

function build(values: ValueResolver, session: ScanSession, unset: Map<string, Set<string>>): Map<string, Set<string>> {
  const byModel = new Map<string, Set<string>>();
  const into =
    (map: Map<string, Set<string>>) =>
    (model: string, cols: Iterable<string>): void => {
      const k = norm(model);
      const set = map.get(k) ?? new Set<string>();
      for (const c of cols) set.add(norm(c));
      map.set(k, set);
    };
  const add = into(byModel);
  const addUnset = into(unset);
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
    const schemas = new Map<string, ReturnType<typeof emptyPaths>>();
    for (const m of text.matchAll(MONGOOSE_START)) {
      const paths = emptyPaths(objectText(text, (m.index ?? 0) + m[0].length - 1));
      schemas.set(m[1], paths);
      add(m[1].replace(/schema$/i, ''), paths.explicit);
      addUnset(m[1].replace(/schema$/i, ''), paths.unset);
    }
    for (const m of text.matchAll(MONGOOSE_MODEL)) {
      const paths = schemas.get(m[2]);
      if (paths) {
        add(m[1], paths.explicit);
        addUnset(m[1], paths.unset);
      }
    }
    // a schema written inside the model call (`mongoose.model('Customer', new Schema({ … }))`)
    for (const m of text.matchAll(MONGOOSE_INLINE)) {
      const paths = emptyPaths(objectText(text, (m.index ?? 0) + m[0].length - 1));
      add(m[1], paths.explicit);
      addUnset(m[1], paths.unset);
    }
  }
  return byModel;
}

/** Does a schema let `model.column` hold nothing (optional, or defaulting to null or '')? */
export function mayBeEmpty(values: ValueResolver, model: string, column: string): boolean {
  const slot = values.session.get(EMPTY_COLUMNS);
  slot.byModel ??= build(values, values.session, slot.unset);
  const of = (map: Map<string, Set<string>>): Set<string> | undefined =>
    map.get(norm(model)) ?? map.get(norm(model).replace(/s$/, ''));
  if (of(slot.byModel)?.has(norm(column))) return true;
  if (!of(slot.unset)?.has(norm(column))) return false;
  // (a path with no default that the account's creation writes, `User.create({ …, withdrawalPin })` at sign-up,
  // holds what the sign-up gave)
  const key = `${norm(model)}.${norm(column)}`;
  let created = slot.created.get(key);
  if (created === undefined) slot.created.set(key, (created = createdWith(values, model, column)));
  return !created;
}

/**
 * May some source create a `model` record with `column` among the keys it writes: named in the object written
 * (`new User({ …, pin })`), or in an object the analysis cannot list (`User.create(req.body)`, `User.create(buildUser(…))`,
 * `{ ...fields }`), which may hold it?
 */
function createdWith(values: ValueResolver, model: string, column: string): boolean {
  const m = model.replace(/[^\w$]/g, '');
  const c = column.replace(/[^\w$]/g, '');
  const start = `(?:new\\s+${m}\\s*\\(|\\b${m}\\s*\\.\\s*(?:create|insertMany)\\s*\\()\\s*`;
  const named = new RegExp(`${start}\\{[^;]{0,1500}?\\b${c}\\b`, 'i');
  const unlisted = new RegExp(`${start}(?:[^{\\s)]|\\{[^;]{0,300}?\\.\\.\\.)`, 'i');
  for (const file of values.store.known) {
    const text = values.store.text(file, false);
    if (!text || !text.toLowerCase().includes(m.toLowerCase())) continue;
    if ((text.includes(c) && named.test(text)) || unlisted.test(text)) return true;
  }
  return false;
}
