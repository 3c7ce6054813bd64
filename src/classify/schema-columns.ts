// The columns each record has, read from the project's Prisma schema files as text (never run):
// what a whole record returned to the client carries. Used to see a stored secret reach the answer
// when the handler returns the record itself (`return Response.json(integration)`).
import fs from 'node:fs';
import { memo } from '../memo.js';
import type { ScanSession } from '../session.js';

const MAX_SCHEMA_BYTES = 2 * 1024 * 1024;

const COLUMNS = memo('classify.schemaColumns', (session: ScanSession) => {
  const byModel = new Map<string, string[]>();
  for (const file of [...session.schemas].sort()) {
    let text: string;
    try {
      if (fs.statSync(file).size > MAX_SCHEMA_BYTES) continue;
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const m of text.matchAll(/^\s*model\s+(\w+)\s*\{([^}]*)\}/gm)) {
      const cols: string[] = [];
      for (const line of m[2].split('\n')) {
        // `apiKey String @unique`: scalar columns only (relations and attributes left out)
        const f = /^\s*(\w+)\s+(String|Bytes|Json)\??(\s|$)/.exec(line);
        if (f) cols.push(f[1]);
      }
      byModel.set(m[1].toLowerCase(), cols);
    }
  }
  return byModel;
});

/** The text columns of a record (`integrationSettings` → apiKey, secretKey, …), if a schema declares it. */
export function schemaColumns(session: ScanSession, model: string): readonly string[] | undefined {
  return session.get(COLUMNS).get(model.toLowerCase());
}
