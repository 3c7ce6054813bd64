// Every rule has docs in rules/<id>.md with a ❌ example that is reported and a ✅ example that is not.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findingRules } from '../src/report/rules-meta.js';
import { EXPRESS_PKG, NEXT_PKG, scanFiles, TSCONFIG } from './helpers/project.js';

const rulesDir = path.resolve(__dirname, '../rules');

interface Example {
  kind: 'bad' | 'good';
  files: Record<string, string>;
}

function examples(markdown: string): Example[] {
  const out: Example[] = [];
  let current: Example | undefined;
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.startsWith('❌') || l.startsWith('✅')) {
      current = { kind: l.startsWith('❌') ? 'bad' : 'good', files: {} };
      out.push(current);
      continue;
    }
    if (l.startsWith('```ts') && current) {
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i].startsWith('```'); i++) body.push(lines[i]);
      const m = /^\/\/ file: (\S+)/.exec(body[0] ?? '');
      if (!m) throw new Error('example code block without "// file:" line');
      current.files[m[1]] = body.join('\n');
    }
  }
  return out;
}

function project(files: Record<string, string>): Record<string, string> {
  const next = Object.keys(files).some((f) => f.startsWith('app/') || f === 'middleware.ts');
  return {
    'package.json': next ? NEXT_PKG : EXPRESS_PKG,
    'tsconfig.json': TSCONFIG,
    'lib/db.ts': 'export const db: any = {};\n',
    'lib/session.ts': 'export async function getSession(req: Request): Promise<any> { return null; }\n',
    'src/db.ts': 'export const db: any = {};\n',
    ...files,
  };
}

describe('rule docs', () => {
  for (const rule of findingRules().rules) {
    const file = path.join(rulesDir, `${rule.id}.md`);
    it(`${rule.id} has documentation with examples`, () => {
      expect(fs.existsSync(file)).toBe(true);
      const ex = examples(fs.readFileSync(file, 'utf8'));
      expect(ex.filter((e) => e.kind === 'bad').length).toBeGreaterThan(0);
      expect(ex.filter((e) => e.kind === 'good').length).toBeGreaterThan(0);
    });
    it(`${rule.id}: the ❌ example is reported and the ✅ example is not`, async () => {
      for (const ex of examples(fs.readFileSync(file, 'utf8'))) {
        const result = await scanFiles(project(ex.files));
        const ids = result.findings.map((f) => f.ruleId);
        if (ex.kind === 'bad') expect(ids, `❌ example of ${rule.id}`).toContain(rule.id);
        else expect(ids, `✅ example of ${rule.id}`).not.toContain(rule.id);
      }
    });
  }
});
