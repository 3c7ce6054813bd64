// The official SARIF 2.1.0 schema (draft-04) compiled once with ajv-draft-04 and ajv-formats.
// Both packages are CommonJS modules whose export is `default`; the unwrap below works whether the
// loader hands over the module object or its default.
import fs from 'node:fs';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import * as draft04 from 'ajv-draft-04';
import * as formats from 'ajv-formats';

type AjvLike = { compile(schema: object): ValidateFunction };
type AjvCtor = new (opts: object) => AjvLike;

function unwrap<T>(mod: unknown): T {
  let m = mod as { default?: unknown };
  while (m && typeof m === 'object' && 'default' in m) m = m.default as { default?: unknown };
  return m as T;
}

export function sarifValidator(): ValidateFunction {
  const Ajv = unwrap<AjvCtor>(draft04);
  const addFormats = unwrap<(ajv: AjvLike) => void>(formats);
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const schema = JSON.parse(
    fs.readFileSync(path.resolve(__dirname, '../schemas/sarif-schema-2.1.0.json'), 'utf8'),
  ) as object;
  return ajv.compile(schema);
}
