// SARIF 2.1.0 output: valid against the official schema and GitHub's ingestion rules.
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { audit } from '../src/audit.js';
import { defaults } from '../src/config/types.js';
import { buildSarif } from '../src/report/sarif.js';
import { findingRules } from '../src/report/rules-meta.js';
import { removeProject, writeProject } from './helpers/project.js';

const schema = JSON.parse(fs.readFileSync(path.resolve(__dirname, 'schemas/sarif-schema-2.1.0.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);
const demo = path.resolve(__dirname, '../fixtures/demo');

async function sarifOf(dir: string) {
  const { report } = await audit({ paths: [dir], config: defaults() });
  return { report, sarif: buildSarif(report) };
}

describe('SARIF', () => {
  it('validates against the official 2.1.0 schema', async () => {
    const { sarif } = await sarifOf(demo);
    const ok = validate(sarif);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('declares every rule with GitHub metadata', async () => {
    const { sarif } = await sarifOf(demo);
    const rules = sarif.runs[0].tool.driver.rules!;
    expect(rules.map((r) => r.id).sort()).toEqual(findingRules().rules.map((r) => r.id).sort());
    for (const r of rules) {
      expect(r.name).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(r.shortDescription?.text.length).toBeGreaterThan(10);
      expect(r.fullDescription?.text.length).toBeGreaterThan(20);
      expect(r.help?.text.length).toBeGreaterThan(20);
      expect(r.help?.markdown).toMatch(/❌/);
      expect(['error', 'warning', 'note']).toContain(r.defaultConfiguration?.level);
      const tags = r.properties?.tags as string[];
      expect(tags.length).toBeLessThanOrEqual(10);
      expect(tags).toContain('security');
      expect(tags).toContain('external/cwe/cwe-306');
      expect(r.properties?.precision).toMatch(/^(very-high|high|medium|low)$/);
      expect(r.properties?.['security-severity']).toMatch(/^\d+(\.\d)?$/);
      expect(Number(r.properties?.['security-severity'])).toBeGreaterThan(0);
    }
  });

  it('has one repository-relative location per result and as many results as unsuppressed findings', async () => {
    const { sarif, report } = await sarifOf(demo);
    const results = sarif.runs[0].results!;
    expect(results.length).toBe(report.findings.filter((f) => !f.suppressed).length);
    const rules = sarif.runs[0].tool.driver.rules!;
    for (const r of results) {
      expect(r.locations).toHaveLength(1);
      const loc = r.locations![0].physicalLocation!;
      expect(loc.artifactLocation!.uriBaseId).toBe('%SRCROOT%');
      expect(loc.artifactLocation!.uri).toMatch(/^fixtures\/demo\/apps\//);
      expect(loc.artifactLocation!.uri).not.toMatch(/\\|^\//);
      expect(loc.region!.startLine).toBeGreaterThanOrEqual(1);
      expect(loc.region!.startColumn).toBeGreaterThanOrEqual(1);
      expect(rules[r.ruleIndex!].id).toBe(r.ruleId);
      expect(r.partialFingerprints?.primaryLocationLineHash).toBeUndefined();
      expect(r.relatedLocations?.length).toBeGreaterThan(0);
    }
    expect(sarif.runs[0].invocations![0].executionSuccessful).toBe(true);
  });

  it('is empty but valid when clean, and reports files that could not be analysed', async () => {
    const dir = writeProject({ 'package.json': '{"name":"c","dependencies":{"express":"4"}}', 'src/a.ts': "import express from 'express';\nconst app = express();\napp.get('/health', (req, res) => res.send('ok'));\n", 'src/broken.ts': "import express from 'express';\nconst r = express.Router();\nr.post('/api/x', (req, res) => { res.send( });\n" });
    try {
      const { sarif } = await sarifOf(dir);
      expect(validate(sarif)).toBe(true);
      expect(sarif.runs[0].results).toEqual([]);
      expect(sarif.runs[0].invocations![0].executionSuccessful).toBe(false);
      expect(sarif.runs[0].invocations![0].toolExecutionNotifications![0].message.text).toMatch(/syntax error/);
    } finally {
      removeProject(dir);
    }
  });

  it('leaves suppressed results out unless asked, and keeps them valid when included', async () => {
    const { report } = await audit({ paths: [demo], config: defaults() });
    report.findings[0].suppressed = { kind: 'inline', reason: 'reviewed' };
    const visible = { ...report, findings: report.findings.filter((f) => !f.suppressed) };
    expect(buildSarif(visible).runs[0].results!.length).toBe(report.findings.length - 1);
    const all = buildSarif(report);
    expect(validate(all)).toBe(true);
    expect(all.runs[0].results!.find((r) => r.suppressions)?.suppressions![0]).toEqual({ kind: 'inSource', justification: 'reviewed' });
  });
});
