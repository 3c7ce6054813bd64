// SARIF 2.1.0 output: valid against the official schema and GitHub's ingestion rules.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { audit } from '../src/audit.js';
import { defaults } from '../src/config/types.js';
import { buildSarif } from '../src/report/sarif.js';
import { findingRules } from '../src/report/rules-meta.js';
import { sarifValidator } from './helpers/sarif-schema.js';
import { removeProject, writeProject } from './helpers/project.js';

const validate = sarifValidator();
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
    expect(rules.map((r) => r.id).sort()).toEqual(
      findingRules()
        .rules.map((r) => r.id)
        .sort(),
    );
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

  it('is empty but valid when clean', async () => {
    const dir = writeProject({
      'package.json': '{"name":"c","dependencies":{"express":"4"}}',
      'src/a.ts':
        "import express from 'express';\nconst app = express();\napp.get('/health', (req, res) => res.send('ok'));\n",
    });
    try {
      const { sarif } = await sarifOf(dir);
      expect(validate(sarif)).toBe(true);
      expect(sarif.runs[0].results).toEqual([]);
      expect(sarif.runs[0].invocations![0].executionSuccessful).toBe(true);
    } finally {
      removeProject(dir);
    }
  });

  it('reports a route file that could not be analysed: a notification and an error-level result at the file', async () => {
    const dir = writeProject({
      'package.json': '{"name":"c","dependencies":{"express":"4"}}',
      'src/a.ts':
        "import express from 'express';\nconst app = express();\napp.get('/health', (req, res) => res.send('ok'));\n",
      'src/broken.ts':
        "import express from 'express';\nconst r = express.Router();\nr.post('/api/x', (req, res) => { res.send( });\n",
    });
    try {
      const { sarif } = await sarifOf(dir);
      expect(validate(sarif)).toBe(true);
      expect(sarif.runs[0].invocations![0].executionSuccessful).toBe(false);
      expect(sarif.runs[0].invocations![0].toolExecutionNotifications![0].message.text).toMatch(/syntax error/);
      const results = sarif.runs[0].results!;
      expect(results.map((r) => [r.ruleId, r.level])).toEqual([['stepup/not-analysed', 'error']]);
      const loc = results[0].locations![0].physicalLocation!;
      expect(loc.artifactLocation!.uri).toMatch(/(^|\/)src\/broken\.ts$/);
      expect(loc.region!.startLine).toBe(3); // at the syntax error
    } finally {
      removeProject(dir);
    }
  });

  it('percent-encodes URIs: dynamic segments, spaces, %, #, backslashes and non-ASCII names validate', async () => {
    const route =
      "import { db } from '@/lib/db';\nexport async function POST(req: Request) {\n  const { amount, iban } = await req.json();\n  await db.transfer.create({ data: { amount, iban } });\n  return Response.json({ ok: true });\n}\n";
    const names = [
      'teams/[teamId]/transfers',
      'payouts/[...slug]',
      'wire/[[...rest]]',
      'my transfers',
      '100%/transfers',
      'a#b/transfers',
      'überweisung/transfers',
      'back\\slash/transfers',
    ];
    const files: Record<string, string> = {
      'package.json': '{"name":"weird","dependencies":{"next":"15.0.0"}}',
      'tsconfig.json': '{"compilerOptions":{"baseUrl":".","paths":{"@/*":["./*"]}}}',
      'lib/db.ts': 'export const db: any = {};\n',
    };
    for (const n of names) files[`app/api/${n}/route.ts`] = route;
    const dir = writeProject(files);
    try {
      const { sarif, report } = await sarifOf(dir);
      const ok = validate(sarif);
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
      const uris = sarif.runs[0].results!.map((r) => r.locations![0].physicalLocation!.artifactLocation!.uri!);
      expect(uris.length).toBe(names.length);
      expect(uris).toContain('app/api/teams/%5BteamId%5D/transfers/route.ts');
      expect(uris).toContain('app/api/payouts/%5B...slug%5D/route.ts');
      expect(uris).toContain('app/api/my%20transfers/route.ts');
      expect(uris).toContain('app/api/100%25/transfers/route.ts');
      expect(uris).toContain('app/api/a%23b/transfers/route.ts');
      expect(uris).toContain('app/api/%C3%BCberweisung/transfers/route.ts');
      expect(uris).toContain('app/api/back%5Cslash/transfers/route.ts');
      for (const u of uris)
        expect(
          decodeURIComponent(
            u
              .split('/')
              .map((s) => s)
              .join('/'),
          ).length,
        ).toBeGreaterThan(0);
      // the JSON report keeps the file name as it is
      expect(report.findings.map((f) => f.span.file).some((f) => f.includes('back\\slash'))).toBe(true);
    } finally {
      removeProject(dir);
    }
  });

  it('a tree with no endpoint is not a successful run; a category names the run', async () => {
    const dir = writeProject({
      'package.json': '{"name":"f","dependencies":{"fastify":"4"}}',
      'src/a.ts': "import Fastify from 'fastify';\nconst app = Fastify();\napp.post('/transfers', async () => ({}));\n",
    });
    try {
      const { report } = await audit({ paths: [dir], config: defaults() });
      report.sarifCategory = 'stepup/web';
      const sarif = buildSarif(report);
      expect(validate(sarif)).toBe(true);
      const inv = sarif.runs[0].invocations![0];
      expect(inv.executionSuccessful).toBe(false);
      expect(inv.toolExecutionNotifications!.map((n) => n.message.text).join('\n')).toMatch(
        /no endpoints found in .*supported: Next\.js, Express, Hono; package\.json declares: Fastify/,
      );
      expect(sarif.runs[0].automationDetails).toEqual({ id: 'stepup/web/' });
      const allowed = buildSarif({ ...report, allowEmpty: true });
      expect(allowed.runs[0].invocations![0].executionSuccessful).toBe(true);
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
    expect(all.runs[0].results!.find((r) => r.suppressions)?.suppressions![0]).toEqual({
      kind: 'inSource',
      justification: 'reviewed',
    });
  });
});
