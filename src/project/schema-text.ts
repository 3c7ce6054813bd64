// Reading the project's schema files (Prisma schemas, SQL migrations) as text: never run, never larger than a bound.
import fs from 'node:fs';

export const MAX_SCHEMA_BYTES = 2 * 1024 * 1024;

/** The text of a schema file, or undefined when it is too large or cannot be read. */
export function schemaText(file: string): string | undefined {
  try {
    if (fs.statSync(file).size > MAX_SCHEMA_BYTES) return undefined;
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
