import path from 'node:path';
// The columns each record has, read as text (never run) from the project's Prisma schema files and
// from its Drizzle table definitions (`pgTable('webhooks', { secret: text('secret') })`), knex migrations
// (`createTable('api_token', (table) => { table.string('token') })`), Sequelize models and
// Mongoose schemas (`new Schema({ email: String })`): what a whole
// record returned to the client carries, and what deleting one takes with it.
import fs from 'node:fs';
import type { ValueResolver } from '../analysis/values.js';
import { memo } from '../memo.js';
import type { ScanSession } from '../session.js';
import { ruleFile } from '../rules/load.js';
import { norm } from './words.js';
import { MAX_SCHEMA_BYTES, schemaText } from '../project/schema-text.js';

/** `CREATE TABLE [IF NOT EXISTS] [schema.]"name" (`: a SQL table definition and where its columns start. */
const SQL_CREATE =
  /\bcreate\s+(?:unlogged\s+|temporary\s+|temp\s+)?table\s+(?:if\s+not\s+exists\s+)?((?:["`[]?\w+["`\]]?\.)?["`[]?(\w+)["`\]]?)\s*\(/gi;
/** `ALTER TABLE [IF EXISTS] [ONLY] name <actions>;`: a later migration's change of a table. */
const SQL_ALTER =
  /\balter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?(?:["`[]?\w+["`\]]?\.)?["`[]?(\w+)["`\]]?\s+([^;]*)/gi;
/** `DROP TABLE [IF EXISTS] name`: a table a migration removes (a later CREATE makes it anew). */
const SQL_DROP = /\bdrop\s+table\s+(?:if\s+exists\s+)?(?:["`[]?\w+["`\]]?\.)?["`[]?(\w+)["`\]]?/gi;
/** SQL types that hold text (an id, a token, a secret, a JSON document). */
const SQL_TEXT =
  /^(text|varchar|character|char|citext|uuid|json|jsonb|bytea|blob|nvarchar|nchar|string|tinytext|mediumtext|longtext|clob|enum)$/i;
/** Words that open a table constraint rather than a column (`PRIMARY KEY (…)`, `CONSTRAINT fk …`). */
const SQL_CONSTRAINT = /^(constraint|primary|foreign)$/i;
/** Words that open a constraint or an index when followed by `KEY` or a parenthesis (`KEY idx (…)`, `UNIQUE (…)`). */
const SQL_MAYBE_CONSTRAINT = /^(unique|check|index|key|exclude|like|fulltext|spatial)$/i;

/** A table's columns, and whether a migration changed it in a way the parse does not follow. */
interface SqlTable {
  cols: { name: string; type: string }[];
  /** A change not followed (a rename, a drop, several additions in one statement): the list may be wrong. */
  partial?: boolean;
}
type SqlColumns = Map<string, SqlTable>;

/**
 * Every column of each SQL table the project's `.sql` files create, with those later migrations add
 * (`ALTER TABLE … ADD COLUMN`), by table name (lower case), read once per scan, statement by statement
 * in file order: a table dropped and created again is the new one.
 */
const SQL_TABLES = memo('classify.sqlTables', (session: ScanSession): SqlColumns => {
  const out: SqlColumns = new Map();
  const texts = [...session.schemas]
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .flatMap((f) => {
      const t = schemaText(f);
      return t ? [t.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '')] : [];
    });
  for (const text of texts) {
    const events: { at: number; run: () => void }[] = [];
    for (const m of text.matchAll(SQL_CREATE)) {
      const replace = !/if\s+not\s+exists/i.test(m[0]);
      events.push({ at: m.index ?? 0, run: () => sqlCreate(text, m, out, replace) });
    }
    for (const m of text.matchAll(SQL_DROP))
      events.push({ at: m.index ?? 0, run: () => out.delete(m[1].toLowerCase()) });
    for (const m of text.matchAll(SQL_ALTER)) events.push({ at: m.index ?? 0, run: () => sqlAlter(m[1], m[2], out) });
    for (const e of events.sort((x, y) => x.at - y.at)) e.run();
  }
  return out;
});

/** One `ALTER TABLE`'s actions on a known table: a single column added is followed; any other column change makes the list partial. */
function sqlAlter(name: string, actions: string, out: SqlColumns): void {
  const t = out.get(name.toLowerCase());
  if (!t) return;
  const clauses = splitTop(actions);
  for (const clause of clauses) {
    const c = clause.trim();
    // constraints and indexes change no column
    if (/^(add|drop)\s+(constraint|primary|foreign|unique|index|key|check)\b/i.test(c)) continue;
    const add = /^add\s+(?:column\s+)?(?:if\s+not\s+exists\s+)?["`[]?(\w+)["`\]]?\s+(\w+)/i.exec(c);
    if (add) {
      if (!t.cols.some((x) => x.name === add[1])) t.cols.push({ name: add[1], type: add[2] });
      continue;
    }
    // a rename, a dropped or retyped column, anything else: what the table holds is no longer known exactly
    if (/^(rename|drop|alter|modify|change)\b/i.test(c)) t.partial = true;
  }
}

/** A list split at its top-level commas (`numeric(10, 2)` keeps its comma). */
function splitTop(body: string): string[] {
  const parts: string[] = [];
  let d = 0;
  let start = 0;
  for (let j = 0; j < body.length; j++) {
    if (body[j] === '(') d++;
    else if (body[j] === ')') d--;
    else if (body[j] === ',' && d === 0) {
      parts.push(body.slice(start, j));
      start = j + 1;
    }
  }
  parts.push(body.slice(start));
  return parts;
}

/** The table a `CREATE TABLE` defines, added to `out` (`IF NOT EXISTS` keeps an existing definition). */
function sqlCreate(text: string, m: RegExpMatchArray, out: SqlColumns, replace: boolean): void {
  let depth = 1;
  let i = (m.index ?? 0) + m[0].length;
  const from = i;
  for (; i < text.length && depth > 0; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
  }
  const cols: { name: string; type: string }[] = [];
  for (const part of splitTop(text.slice(from, i - 1))) {
    const c = /^\s*(["`[]?)(\w+)["`\]]?\s+(\w+)\s*(\(?)/.exec(part);
    if (!c) continue;
    const quoted = !!c[1];
    // `PRIMARY KEY (id)`, `CONSTRAINT …`; `KEY idx (col)`, `UNIQUE KEY …` (a quoted name is always a column)
    if (!quoted && SQL_CONSTRAINT.test(c[2])) continue;
    if (!quoted && SQL_MAYBE_CONSTRAINT.test(c[2]) && (/^key$/i.test(c[3]) || c[4] === '(')) continue;
    cols.push({ name: c[2], type: c[3] });
  }
  const key = m[2].toLowerCase();
  if (replace || !out.has(key)) out.set(key, { cols });
}

const PRISMA_SCALAR = /^(String|Int|BigInt|Float|Decimal|Boolean|DateTime|Json|Bytes)$/;

/** Each Prisma model of the schema files once: its name, its `@@map` table name, and every field with its type. */
const PRISMA_MODELS = memo('classify.prismaModels', (session: ScanSession) => {
  const out: { name: string; mapped?: string; fields: { name: string; type: string }[] }[] = [];
  for (const file of [...session.schemas].sort()) {
    if (file.endsWith('.sql')) continue;
    const text = schemaText(file);
    if (!text) continue;
    for (const m of text.matchAll(/^\s*model\s+(\w+)\s*\{([\s\S]*?)^\s*\}/gm)) {
      const fields: { name: string; type: string }[] = [];
      for (const line of m[2].split('\n')) {
        const f = /^\s*(\w+)\s+(\w+)/.exec(line);
        if (f) fields.push({ name: f[1], type: f[2] });
      }
      out.push({ name: m[1], mapped: /@@map\(\s*["'`]([\w.-]+)["'`]/.exec(m[2])?.[1], fields });
    }
  }
  return out;
});

/** Every column of each record whose schema lists them all: Prisma models and SQL tables (normalised names). */
const ALL_COLUMNS = memo('classify.allColumns', (session: ScanSession) => {
  const byModel = new Map<string, string[]>();
  /** Columns declared boolean, by model: `model\u0000column` (normalised). */
  const flags = new Set<string>();
  for (const [t, { cols, partial }] of session.get(SQL_TABLES)) {
    const k = norm(t);
    for (const c of cols) if (/^(bool|boolean|bit)$/i.test(c.type)) flags.add(`${k}\u0000${norm(c.name)}`);
    // (a table a migration changed in ways not followed lists no complete set of columns)
    if (!partial && !byModel.has(k))
      byModel.set(
        k,
        cols.map((c) => c.name),
      );
  }
  for (const model of session.get(PRISMA_MODELS)) {
    // scalar columns: a relation field's type is a model, written capitalised and not a scalar
    const cols = model.fields.filter((f) => PRISMA_SCALAR.test(f.type)).map((f) => f.name);
    for (const f of model.fields) if (f.type === 'Boolean') flags.add(`${norm(model.name)}\u0000${norm(f.name)}`);
    const had = byModel.get(norm(model.name));
    byModel.set(norm(model.name), had ? [...new Set([...had, ...cols])] : cols);
  }
  return { byModel, flags };
});

/** Every column a record declares, when a Prisma model or a SQL table lists them (normalised model name). */
export function allColumns(values: ValueResolver, model: string): readonly string[] | undefined {
  return values.session.get(ALL_COLUMNS).byModel.get(norm(model));
}

/** Is the column declared boolean (a flag: `secret boolean` marks a setting as secret, it holds none)? */
export function declaredFlag(values: ValueResolver, model: string, column: string): boolean {
  const { flags } = values.session.get(ALL_COLUMNS);
  return (
    flags.has(`${norm(model)}\u0000${norm(column)}`) ||
    flags.has(`${norm(model).replace(/s$/, '')}\u0000${norm(column)}`)
  );
}

const PRISMA = memo('classify.schemaColumns', (session: ScanSession) => {
  const byModel = new Map<string, string[]>();
  for (const file of [...session.schemas].sort()) {
    if (file.endsWith('.sql')) continue;
    const text = schemaText(file);
    if (!text) continue;
    // `enum Role { USER ADMIN }`: a column of an enum type holds one of its names, a string
    const enums = new Set([...text.matchAll(/^\s*enum\s+(\w+)\s*\{/gm)].map((m) => m[1]));
    for (const m of text.matchAll(/^\s*model\s+(\w+)\s*\{([\s\S]*?)^\s*\}/gm)) {
      const cols: string[] = [];
      for (const line of m[2].split('\n')) {
        // `apiKey String @unique`, `role Role @default(USER)`: scalar columns only (relations and attributes left out)
        const f = /^\s*(\w+)\s+(\w+)\??(\s|$)/.exec(line);
        if (f && (/^(String|Bytes|Json)$/.test(f[2]) || enums.has(f[2]))) cols.push(f[1]);
      }
      // (the same model in two schemas, two packages' databases: its columns in either)
      const had = byModel.get(m[1].toLowerCase());
      byModel.set(m[1].toLowerCase(), had ? [...new Set([...had, ...cols])] : cols);
    }
  }
  return byModel;
});

/**
 * `export const webhooks = pgTable('webhooks', {` (or `, (t) => ({`): the variable, the definition call (a name in rules
 * `orm.tableDefinitions`), the table name, and where its columns start.
 */
const TABLE_START = /\b(\w+)\s*=\s*(?:\w+\.)?(\w+)\(\s*["'`]([\w.-]+)["'`]\s*,\s*(?:\(?\s*\w*\s*\)?\s*=>\s*\(\s*)?\{/g;
/** A text column of a Drizzle table (`secret: text('secret')`, `signingKey: varchar('signing_key', …)`, `email: t.text()`). */
const TEXT_COLUMN = /^(\w+)\s*:\s*(?:\w+\.)?(?:text|varchar|char|json|jsonb|uuid|bytea|blob|string)\s*\(/;
/** `const App = sequelize.define('app', {` / `App.init({`: a Sequelize model and where its attributes start. */
const SEQUELIZE_START = /\b(\w+)\s*=\s*\w+\.define\(\s*["'`]([\w.-]+)["'`]\s*,\s*\{|\b(\w+)\.init\(\s*\{/g;
/** A text attribute of a Sequelize model (`clientSecret: { type: DataTypes.TEXT`, `token: DataTypes.STRING`, `role: DataTypes.ENUM(…)`). */
const SEQUELIZE_TEXT =
  /^(\w+)\s*:\s*(?:\{\s*type\s*:\s*)?(?:DataTypes|Sequelize|DataType)\.(?:STRING|TEXT|CHAR|JSON|JSONB|UUID|BLOB|CITEXT|ENUM)\b/;

/** A Sequelize attribute of any type (`pin: { type: DataTypes.BIGINT`, `failed_attempt: DataTypes.INTEGER`). */
const SEQUELIZE_ANY = /^(\w+)\s*:\s*(?:\{\s*type\s*:\s*)?(?:DataTypes|Sequelize|DataType)\.[A-Z]/;

/**
 * `const userSchema = new mongoose.Schema({` / `new Schema({` / `mongoose.Schema({` (Mongoose builds one without
 * `new` too): a Mongoose schema and where its paths start.
 */
export const MONGOOSE_START = /\b(\w+)\s*=\s*(?:new\s+(?:\w+\.)?|mongoose\.)Schema\s*(?:<[^>]*>)?\(\s*\{/g;
/** A text path of a Mongoose schema (`email: String`, `role: { type: String, enum: […] }`). */
const MONGOOSE_TEXT = /^(\w+)\s*:\s*(?:\{\s*type\s*:\s*)?(?:String|(?:mongoose\.)?Schema\.Types\.String)\b/;
/** A path of a Mongoose schema of any type (`isAdmin: Boolean`, `wallet: { balance: Number }`). */
const MONGOOSE_ANY = /^(\w+)\s*:/;
/** A path of a Mongoose schema a read leaves out unless it asks for it (`apiKey: { type: String, select: false }`). */
const MONGOOSE_HIDDEN = /^(\w+)\s*:\s*\{[^{}]*?\bselect\s*:\s*false\b/;
/** `mongoose.model('User', userSchema)`, `model<IUser>('User', UserSchema)`: the model a schema makes. */
export const MONGOOSE_MODEL = /\bmodel\s*(?:<[^>]*>)?\(\s*["'`](\w+)["'`]\s*,\s*(\w+)/g;
/** A schema written inside the model call: `model('Name', new Schema({`, `model('Name', mongoose.Schema({`. */
export const MONGOOSE_INLINE =
  /\bmodel\s*(?:<[^>]*>)?\(\s*["'`](\w+)["'`]\s*,\s*(?:new\s+(?:\w+\.)?|mongoose\.)Schema\s*(?:<[^>]*>)?\(\s*\{/g;

const DRIZZLE = memo('classify.drizzleColumns', () => ({
  byTable: undefined as Map<string, string[]> | undefined,
  refs: new Map<string, string[]>(),
  /** Every column of each Drizzle table and Sequelize model, whatever its type (`role: roleEnum('role')`). */
  all: new Map<string, string[]>(),
  /** The paths of each Mongoose model a read leaves out unless it asks for them (`select: false`, deleted by `toJSON`). */
  hidden: new Map<string, string[]>(),
}));
/** A Drizzle column of any type (`teamDbId: integer('team_db_id')`), for the keys a table holds. */
const ANY_COLUMN = /^(\w+)\s*:\s*(?:\w+\.)?\w+\s*\(/;

/** How many module files outside the scanned sources the column scan reads through package imports. */
const MAX_PACKAGE_FILES = 400;

/**
 * The scanned sources, and the files of the project's own packages they import (a monorepo's
 * `@acme/db` whose schema lives outside the application folder), followed through `export … from`
 * by their text, never parsed. Sorted, so that the first declaration of a table wins the same way each run.
 */
export function schemaSources(values: ValueResolver): string[] {
  const store = values.store;
  const seen = new Set(store.known);
  const extra: string[] = [];
  const queue: [string, string][] = [];
  const specs = (text: string): string[] =>
    [...text.matchAll(/\b(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);
  // a specifier resolves the same from every file of a folder: each (folder, specifier) is asked once
  const asked = new Set<string>();
  const ask = (spec: string, from: string): void => {
    const key = `${path.dirname(from)}\u0000${spec}`;
    if (asked.has(key)) return;
    asked.add(key);
    queue.push([spec, from]);
  };
  for (const file of [...store.known].sort()) {
    const text = store.text(file, false);
    // a workspace package (`@acme/db`, `db/schema`): not a relative path, which the scan already holds
    if (text) for (const spec of specs(text)) if (!spec.startsWith('.')) ask(spec, file);
  }
  for (let i = 0; i < queue.length && extra.length < MAX_PACKAGE_FILES; i++) {
    const [spec, from] = queue[i];
    const r = values.resolver.resolve(spec, from);
    if (r.kind !== 'file' || seen.has(r.file) || /node_modules/.test(r.file)) continue;
    seen.add(r.file);
    const text = store.text(r.file, false);
    if (!text) continue;
    extra.push(r.file);
    // its own modules, through re-exports and imports (`export * from './schema'`)
    for (const next of specs(text)) ask(next, r.file);
  }
  return [...store.known, ...extra].sort();
}

function drizzleTables(values: ValueResolver): Map<string, string[]> {
  const session = values.session;
  const store = values.store;
  const slot = session.get(DRIZZLE);
  if (slot.byTable) return slot.byTable;
  const byTable = new Map<string, string[]>();
  const defs = ruleFile('effects').orm.tableDefinitions;
  if (!defs) return (slot.byTable = byTable);
  const isDefinition = new RegExp(defs);
  for (const file of schemaSources(values)) {
    const text = store.text(file, false);
    if (!text) continue;
    if (/table\(/i.test(text))
      for (const m of text.matchAll(TABLE_START)) {
        if (!isDefinition.test(m[2])) continue;
        const cols = topLevelColumns(text, (m.index ?? 0) + m[0].length, TEXT_COLUMN);
        const any = topLevelColumns(text, (m.index ?? 0) + m[0].length, ANY_COLUMN);
        const keys = any.filter((c) => /id$/i.test(c));
        for (const name of [m[1], m[3]]) if (!byTable.has(norm(name))) byTable.set(norm(name), cols);
        for (const name of [m[1], m[3]]) if (!slot.refs.has(norm(name))) slot.refs.set(norm(name), keys);
        for (const name of [m[1], m[3]])
          slot.all.set(norm(name), [...new Set([...(slot.all.get(norm(name)) ?? []), ...any])]);
      }
    if (/DataTypes?\.|Sequelize\./.test(text))
      for (const m of text.matchAll(SEQUELIZE_START)) {
        const cols = topLevelColumns(text, (m.index ?? 0) + m[0].length, SEQUELIZE_TEXT);
        const any = topLevelColumns(text, (m.index ?? 0) + m[0].length, SEQUELIZE_ANY);
        for (const name of [m[1], m[2], m[3]]) if (name && !byTable.has(norm(name))) byTable.set(norm(name), cols);
        for (const name of [m[1], m[2], m[3]])
          if (name) slot.all.set(norm(name), [...new Set([...(slot.all.get(norm(name)) ?? []), ...any])]);
      }
    if (/createTable\w*\(/.test(text)) {
      for (const m of text.matchAll(KNEX_START)) {
        const cols = knexColumns(text, (m.index ?? 0) + m[0].length, m[2]);
        if (!byTable.has(norm(m[1]))) byTable.set(norm(m[1]), cols);
      }
      for (const m of text.matchAll(KYSELY_START)) {
        const cols = kyselyColumns(text, (m.index ?? 0) + m[0].length);
        if (!byTable.has(norm(m[1]))) byTable.set(norm(m[1]), cols);
      }
    }
    if (/Schema\s*(<[^>]*>)?\(/.test(text)) {
      const schemas = new Map<string, { cols: string[]; any: string[]; hidden: string[] }>();
      // (a `toJSON`/`toObject` transform deleting a path, `delete ret.secret`, hides it from every answer of the file's models)
      const transformed = /\bto(JSON|Object)\b/.test(text)
        ? [...text.matchAll(/\bdelete\s+\w+\.(\w+)/g)].map((m) => m[1])
        : [];
      for (const m of text.matchAll(MONGOOSE_START)) {
        const start = (m.index ?? 0) + m[0].length;
        const cols = topLevelColumns(text, start, MONGOOSE_TEXT);
        const any = topLevelColumns(text, start, MONGOOSE_ANY);
        const hidden = [...topLevelColumns(text, start, MONGOOSE_HIDDEN), ...transformed];
        schemas.set(m[1], { cols, any, hidden });
        const own = norm(m[1]).replace(/schema$/, '');
        if (own && !byTable.has(own)) byTable.set(own, cols);
        if (own) addAll(slot.all, own, any);
        if (own) addAll(slot.hidden, own, hidden);
      }
      for (const m of text.matchAll(MONGOOSE_MODEL)) {
        const schema = schemas.get(m[2]);
        if (schema && !byTable.has(norm(m[1]))) byTable.set(norm(m[1]), schema.cols);
        if (schema) addAll(slot.all, m[1], schema.any);
        if (schema) addAll(slot.hidden, m[1], schema.hidden);
      }
      // a schema written inside the model call (`mongoose.model('User', new mongoose.Schema({ … }))`)
      for (const m of text.matchAll(MONGOOSE_INLINE)) {
        const start = (m.index ?? 0) + m[0].length;
        if (!byTable.has(norm(m[1]))) byTable.set(norm(m[1]), topLevelColumns(text, start, MONGOOSE_TEXT));
        addAll(slot.all, m[1], topLevelColumns(text, start, MONGOOSE_ANY));
        addAll(slot.hidden, m[1], [...topLevelColumns(text, start, MONGOOSE_HIDDEN), ...transformed]);
      }
    }
  }
  slot.byTable = byTable;
  return byTable;
}

/** Adds columns to what a record is declared to hold, whatever their type. */
function addAll(all: Map<string, string[]>, name: string, cols: readonly string[]): void {
  const k = norm(name);
  if (k) all.set(k, [...new Set([...(all.get(k) ?? []), ...cols])]);
}

/** `schema.createTable('api_token', (table) => {`: a knex migration's table, and the name its builder goes by. */
const KNEX_START =
  /\bcreateTable(?:IfNotExists)?\(\s*["'`]([\w.-]+)["'`]\s*,\s*(?:async\s+)?(?:function\s*)?\(?\s*(\w+)\s*\)?\s*(?:=>)?\s*\{/g;

/** `db.schema.createTable('authorisations')` followed by `.addColumn(…)` calls: a Kysely migration's table. */
const KYSELY_START = /\bcreateTable\(\s*["'`]([\w.-]+)["'`]\s*\)/g;

/**
 * The text columns a Kysely table builder chains on (`.addColumn('provider_user_id', 'varchar(255)', …)`), up to the
 * `.execute()` that ends its statement.
 */
function kyselyColumns(text: string, from: number): string[] {
  const end = text.indexOf('.execute(', from);
  const body = text.slice(from, end < 0 ? Math.min(text.length, from + 4000) : end);
  const cols: string[] = [];
  for (const m of body.matchAll(/\.addColumn\(\s*["'`]([\w.-]+)["'`]\s*,\s*["'`]([\w ]+)/g))
    if (SQL_TEXT.test(m[2].trim().split(/[\s(]/)[0])) cols.push(m[1]);
  return cols;
}

/** The text columns a knex table builder declares (`table.string('token')`, `t.text('client_secret')`) up to its closing brace. */
function knexColumns(text: string, from: number, builder: string): string[] {
  let depth = 1;
  let end = from;
  for (; end < text.length && depth > 0; end++) {
    if (text[end] === '{') depth++;
    else if (text[end] === '}') depth--;
  }
  const body = text.slice(from, end);
  const column = new RegExp(
    `\\b${builder}\\.(?:string|text|uuid|binary|json|jsonb|specificType|varchar|char)\\(\\s*["'\`]([\\w.-]+)["'\`]`,
    'g',
  );
  return [...body.matchAll(column)].map((m) => m[1]);
}

/** The index of the quote closing the one-line string literal that opens at `i` (a `'`, `"` or backquote). */
export function stringEnd(text: string, i: number): number {
  const q = text[i];
  let j = i + 1;
  while (j < text.length && text[j] !== q && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
  return j;
}

/** The text columns declared at the top level of the object literal that starts at `from`. */
function topLevelColumns(text: string, from: number, column: RegExp): string[] {
  const cols: string[] = [];
  let depth = 1;
  let entry = true;
  for (let i = from; i < text.length && depth > 0; i++) {
    const ch = text[i];
    // a string (`default('https://…')`) is skipped whole, so that nothing in it reads as a comment or a bracket
    if (ch === '"' || ch === "'" || ch === '`') {
      i = stringEnd(text, i);
      continue;
    }
    // a comment between columns (`// Signing secret — shown once`) is not a column
    if (ch === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
      continue;
    }
    if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
      continue;
    }
    if (ch === '{' || ch === '(' || ch === '[') depth++;
    else if (ch === '}' || ch === ')' || ch === ']') depth--;
    else if (ch === ',' && depth === 1) entry = true;
    else if (entry && depth === 1 && /\w/.test(ch)) {
      entry = false;
      const m = column.exec(text.slice(i, i + 120));
      if (m) cols.push(m[1]);
    }
  }
  return cols;
}

/** The text columns of a record (`integrationSettings` → apiKey, secretKey, …), if a schema, a Drizzle table, a Sequelize model or a Mongoose schema declares it. */
export function schemaColumns(values: ValueResolver, model: string): readonly string[] | undefined {
  const prisma = values.session.get(PRISMA).get(model.toLowerCase());
  if (prisma) return prisma;
  // a SQL schema or migration last: a Drizzle project's generated SQL names its columns in snake case
  return drizzleTables(values).get(norm(model)) ?? values.session.get(SQL_TEXT_COLUMNS).get(norm(model));
}

/** The text columns of each SQL table (normalised table name). */
const SQL_TEXT_COLUMNS = memo('classify.sqlTextColumns', (session: ScanSession) => {
  const byModel = new Map<string, string[]>();
  for (const [t, { cols }] of session.get(SQL_TABLES))
    if (!byModel.has(norm(t)))
      byModel.set(
        norm(t),
        cols.filter((c) => SQL_TEXT.test(c.type)).map((c) => c.name),
      );
  return byModel;
});

/** The paths of a Mongoose model that a read returns only when it asks for them (`select: false`, a `toJSON` transform's `delete`). */
export function hiddenColumns(values: ValueResolver, model: string): ReadonlySet<string> {
  drizzleTables(values);
  return new Set((values.session.get(DRIZZLE).hidden.get(norm(model)) ?? []).map(norm));
}

/** The key columns of a record (`teamDbId`, `organizationId`), whatever their type: its text columns and a Drizzle table's keys. */
export function keyColumns(values: ValueResolver, model: string): readonly string[] | undefined {
  const text = schemaColumns(values, model);
  drizzleTables(values);
  const refs = values.session.get(DRIZZLE).refs.get(norm(model));
  return text || refs ? [...(text ?? []), ...(refs ?? [])] : undefined;
}

const MEMBERSHIP_TAILS = memo('classify.membershipTails', () => new Map<string, boolean>());

/** A record's declaration: a Prisma model's block, or the text after a table definition up to the next one. */
const RECORD_BLOCKS = [
  /^\s*model\s+\w+\s*\{[^}]*\}/gm,
  /\b\w+\s*=\s*(?:\w+\.)?\w*[Tt]able\(\s*["'`][\w.-]+["'`][\s\S]{0,1500}?(?=\b\w+\s*=\s*(?:\w+\.)?\w*[Tt]able\(|(?![\s\S]))/g,
];

/**
 * Does the application keep members of this record? Either a record named for them (`ProjectMember`,
 * `project_users`, `projectCollaborators`, anywhere in its sources or schema files), or a record that ties
 * a person to it with a role (`model Access { userId projectId role }`). A project or a group with members
 * of its own is the tenant that holds people, roles and keys; one without is a single owner's content.
 */
export function hasMembers(values: ValueResolver, model: string): boolean {
  const stem = norm(model).replace(/s$/, '');
  const cache = values.session.get(MEMBERSHIP_TAILS);
  const known = cache.get(stem);
  if (known !== undefined) return known;
  const r = ruleFile('assets');
  const named = new RegExp(`\\b${stem}_?(?:${(r.membershipTails ?? []).join('|')})s?\\b`, 'i');
  const ref = new RegExp(`\\b${stem}_?id\\b`, 'i');
  const person = /\b(?:user|member|profile|account|person)_?id\b/i;
  const role = new RegExp(`\\b(?:${r.roleKeys.join('|')})\\b`, 'i');
  const texts = function* (): Generator<string> {
    for (const file of [...values.session.schemas].sort()) {
      try {
        if (fs.statSync(file).size <= MAX_SCHEMA_BYTES) yield fs.readFileSync(file, 'utf8');
      } catch {
        /* unreadable schema: no evidence */
      }
    }
    for (const file of [...values.store.known].sort()) yield values.store.text(file, false) ?? '';
  };
  let found = false;
  for (const text of texts()) {
    if (named.test(text)) found = true;
    else if (ref.test(text))
      found = RECORD_BLOCKS.some((re) =>
        [...text.matchAll(re)].some((m) => ref.test(m[0]) && person.test(m[0]) && role.test(m[0])),
      );
    if (found) break;
  }
  cache.set(stem, found);
  return found;
}

/**
 * Every field a record declares, whatever its type (an enum `role Role` in Prisma, `role: roleEnum('role')`
 * in Drizzle, a SQL column), by normalised model name: Prisma models, Drizzle tables and SQL tables.
 * A record found nowhere is absent (undefined): nothing is known of its fields.
 */
const DECLARED_FIELDS = memo('classify.declaredFields', () => ({
  byModel: undefined as Map<string, string[]> | undefined,
}));

/** The declared models (normalised) with a column of these (normalised) names. */
export function modelsDeclaring(values: ValueResolver, columns: readonly string[]): string[] {
  const want = new Set(columns.map(norm));
  return [...declaredByModel(values)].filter(([, cols]) => cols.some((c) => want.has(c))).map(([m]) => m);
}

export function declaredFields(values: ValueResolver, model: string): readonly string[] | undefined {
  const byModel = declaredByModel(values);
  const k = norm(model);
  return byModel.get(k) ?? byModel.get(k.replace(/s$/, '')) ?? byModel.get(`${k}s`);
}

/** Every declared model's columns (normalised), from SQL, Prisma and drizzle schemas: built once per scan. */
function declaredByModel(values: ValueResolver): Map<string, string[]> {
  const slot = values.session.get(DECLARED_FIELDS);
  if (slot.byModel) return slot.byModel;
  const byModel = new Map<string, string[]>();
  const add = (name: string, cols: readonly string[]): void => {
    const k = norm(name);
    if (k) byModel.set(k, [...new Set([...(byModel.get(k) ?? []), ...cols.map(norm)])]);
  };
  for (const [t, { cols }] of values.session.get(SQL_TABLES))
    add(
      t,
      cols.map((c) => c.name),
    );
  for (const m of values.session.get(PRISMA_MODELS)) {
    const names = m.fields.map((f) => f.name);
    add(m.name, names);
    if (m.mapped) add(m.mapped, names);
  }
  drizzleTables(values);
  for (const [t, cols] of values.session.get(DRIZZLE).all) add(t, cols);
  return (slot.byModel = byModel);
}
