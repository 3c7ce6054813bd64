// Database functions the project defines in its .sql files (`CREATE OR REPLACE FUNCTION public.wallet_spend(…)
// … AS $$ … $$`), read as text (never run), by name: the write statements of each body, so that a call of the
// function by name (`db.rpc('wallet_spend', { … })`) has the writes its body makes.
import path from 'node:path';
import { memo } from '../memo.js';
import { schemaText } from '../project/schema-text.js';
import type { ScanSession } from '../session.js';

/** `CREATE [OR REPLACE] FUNCTION [schema.]name(`: where a definition starts, its schema and its name. */
const CREATE_FUNCTION = /\bcreate\s+(?:or\s+replace\s+)?function\s+(?:["`]?(\w+)["`]?\.)?["`]?(\w+)["`]?\s*\(/gi;
/** Where a write statement may start inside a body (`UPDATE t SET`, `INSERT INTO`, `DELETE FROM`). */
const WRITE_START = /\b(?:insert\s+into|update\s+(?:only\s+)?["`]?\w|delete\s+from|merge\s+into)/gi;
/**
 * A body that checks what the caller proves before it writes: a password or PIN compared through `crypt(…)` or a
 * digest, a `check_pin(…)`/`verify_password(…)`-like helper, the session's assurance level or its sign-in time
 * (`auth.jwt() ->> 'aal'`, `iat`, `last_sign_in_at`). Its writes are guarded where the analysis cannot follow: the
 * call stays what its name says, unverifiable.
 */
const VERIFIES =
  /(=|<>|!=)\s*(extensions\.)?(crypt|digest|encode)\s*\(|\b(crypt|digest)\s*\([^;]*?\)\s*(=|<>|!=)|\baal\b|'iat'|\blast_sign_in_at\b|\b(verify|check|validate)_?\w*(password|pin|passcode|otp|totp)\w*\s*\(/i;

export interface StoredFunction {
  /** The write statements of the body, each from its verb to its `;`. */
  writes: string[];
  /** The body checks a password, a PIN or the session's assurance before it writes. */
  verifies: boolean;
}

/** The schemas a function called by bare name is looked up in (PostgREST exposes `public` unless configured). */
const DEFAULT_SCHEMAS = new Set(['', 'public']);

interface Definition extends StoredFunction {
  file: string;
  schema: string;
  /** Its place among every definition read (a later one of the same folder replaces an earlier one). */
  order: number;
}

/** Every definition of each function, by lower-case name, in the order the files are read. */
const STORED = memo('analysis.sqlFunctions', (session: ScanSession): Map<string, Definition[]> => {
  const out = new Map<string, Definition[]>();
  let order = 0;
  const own = [...session.schemas].filter((f) => f.endsWith('.sql')).sort();
  for (const file of [...session.sharedSql, ...own]) {
    const text = schemaText(file);
    if (!text || !/create\s+(or\s+replace\s+)?function/i.test(text)) continue;
    const clean = text.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
    for (const m of clean.matchAll(CREATE_FUNCTION)) {
      const body = functionBody(clean, (m.index ?? 0) + m[0].length);
      if (body === undefined) continue;
      const name = m[2].toLowerCase();
      let list = out.get(name);
      if (!list) out.set(name, (list = []));
      list.push({
        file,
        schema: (m[1] ?? '').toLowerCase(),
        order: order++,
        writes: writeStatements(body),
        verifies: VERIFIES.test(body),
      });
    }
  }
  return out;
});

/** How many leading folders two paths share. */
function sharedDepth(a: string, b: string): number {
  const x = path.dirname(a).split(path.sep);
  const y = path.dirname(b).split(path.sep);
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  return i;
}

/**
 * The body of a definition whose parameter list opens at `from`: the text between the dollar quotes
 * (`AS $$ … $$`, `AS $fn$ … $fn$`) or the single quotes (`AS ' … '`) that follow, before the next definition.
 */
function functionBody(text: string, from: number): string | undefined {
  const rest = text.slice(from);
  const next = rest.search(/\bcreate\s+(?:or\s+replace\s+)?(?:function|procedure|table|trigger)\b/i);
  const head = next >= 0 ? rest.slice(0, next) : rest;
  const dollar = /\bas\s+(\$\w*\$)/i.exec(head);
  if (dollar) {
    const start = dollar.index + dollar[0].length;
    const end = head.indexOf(dollar[1], start);
    return end >= 0 ? head.slice(start, end) : undefined;
  }
  const quoted = /\bas\s+'((?:[^']|'')*)'/i.exec(head);
  return quoted ? quoted[1].replace(/''/g, "'") : undefined;
}

/**
 * Each write statement of a body, from its verb to its `;` (a statement nested in `IF … THEN` included): never
 * one inside a quoted string (`RAISE EXCEPTION 'cannot delete from users'`).
 */
function writeStatements(body: string): string[] {
  const out: string[] = [];
  for (const chunk of body.split(';'))
    for (const m of chunk.matchAll(WRITE_START)) {
      const before = chunk.slice(0, m.index);
      if ((before.match(/'/g) ?? []).length % 2 === 1) continue;
      // `SELECT … FOR UPDATE` and `ON CONFLICT … DO UPDATE SET` lock or merge: they are not statements of their own
      if (/\b(for|do)$/i.test(before.trimEnd())) continue;
      out.push(chunk.slice(m.index).trim());
      break;
    }
  return out;
}

/**
 * The project's database function `name` as the code in `from` calls it, or undefined when it defines none by that
 * name: the default schema's (or an unqualified) definition when there is one, else the only schema's; among
 * those, the one in the folder nearest the calling file (a workspace's own `supabase/` before the repository's),
 * and the latest there.
 */
export function storedFunction(session: ScanSession, name: string, from: string): StoredFunction | undefined {
  const all = session.get(STORED).get(name.toLowerCase());
  if (!all) return undefined;
  const defaults = all.filter((d) => DEFAULT_SCHEMAS.has(d.schema));
  const candidates = defaults.length ? defaults : new Set(all.map((d) => d.schema)).size === 1 ? all : [];
  let best: Definition | undefined;
  for (const d of candidates) {
    const depth = sharedDepth(d.file, from);
    const bestDepth = best ? sharedDepth(best.file, from) : -1;
    if (depth > bestDepth || (depth === bestDepth && best && d.order > best.order)) best = d;
  }
  return best;
}
