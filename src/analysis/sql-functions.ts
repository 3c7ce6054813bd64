// Database functions the project defines in its .sql files (`CREATE OR REPLACE FUNCTION public.wallet_spend(…)
// … AS $$ … $$`), read as text (never run), by name: the write statements of each body, so that a call of the
// function by name (`db.rpc('wallet_spend', { … })`) has the writes its body makes.
import { memo } from '../memo.js';
import { schemaText } from '../project/schema-text.js';
import type { ScanSession } from '../session.js';

/** `CREATE [OR REPLACE] FUNCTION [schema.]name(`: where a definition starts and its name. */
const CREATE_FUNCTION = /\bcreate\s+(?:or\s+replace\s+)?function\s+(?:["`]?\w+["`]?\.)?["`]?(\w+)["`]?\s*\(/gi;
/** Where a write statement may start inside a body (`UPDATE t SET`, `INSERT INTO`, `DELETE FROM`). */
const WRITE_START = /\b(?:insert\s+into|update\s+(?:only\s+)?["`]?\w|delete\s+from|merge\s+into)/gi;

/** The write statements of each function's latest definition, by lower-case name. */
const STORED = memo('analysis.sqlFunctions', (session: ScanSession): Map<string, string[]> => {
  const out = new Map<string, string[]>();
  for (const file of [...session.schemas].filter((f) => f.endsWith('.sql')).sort()) {
    const text = schemaText(file);
    if (!text || !/create\s+(or\s+replace\s+)?function/i.test(text)) continue;
    const clean = text.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
    for (const m of clean.matchAll(CREATE_FUNCTION)) {
      const body = functionBody(clean, (m.index ?? 0) + m[0].length);
      // a later definition (a migration replacing the function) is the one that runs
      if (body !== undefined) out.set(m[1].toLowerCase(), writeStatements(body));
    }
  }
  return out;
});

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

/** Each write statement of a body, from its verb to its `;` (a statement nested in `IF … THEN` included). */
function writeStatements(body: string): string[] {
  const out: string[] = [];
  for (const chunk of body.split(';'))
    for (const m of chunk.matchAll(WRITE_START)) {
      // `SELECT … FOR UPDATE` and `ON CONFLICT … DO UPDATE SET` lock or merge: they are not statements of their own
      const before = chunk.slice(0, m.index).trimEnd();
      if (/\b(for|do)$/i.test(before)) continue;
      out.push(chunk.slice(m.index).trim());
      break;
    }
  return out;
}

/** The write statements of the project's database function `name`, or undefined when it defines none by that name. */
export function storedFunction(session: ScanSession, name: string): string[] | undefined {
  return session.get(STORED).get(name.toLowerCase());
}
