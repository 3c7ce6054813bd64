// action.yml loads as a composite GitHub Action: strict YAML, the keys the runner accepts, every
// expression names a declared input or step, inputs reach scripts through env (never
// interpolated into them), every script parses, the install takes production dependencies only.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';

const file = path.resolve(__dirname, '../action.yml');
const text = fs.readFileSync(file, 'utf8');

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

function load(): Obj {
  const doc = parseDocument(text, { strict: true, uniqueKeys: true, prettyErrors: true });
  expect(doc.errors.map((e) => e.message)).toEqual([]);
  expect(doc.warnings.map((e) => e.message)).toEqual([]);
  const action = doc.toJS() as unknown;
  expect(isObj(action)).toBe(true);
  return action as Obj;
}

const TOP = ['name', 'author', 'description', 'inputs', 'outputs', 'runs', 'branding'];
const STEP = ['id', 'name', 'if', 'run', 'shell', 'uses', 'with', 'env', 'working-directory', 'continue-on-error'];
const INPUT = ['description', 'required', 'default', 'deprecationMessage'];
const COLORS = ['white', 'yellow', 'blue', 'green', 'orange', 'red', 'purple', 'gray-dark'];

describe('action.yml', () => {
  it('is strict YAML', () => {
    load();
  });

  it('validates as a composite action', () => {
    const a = load();
    for (const k of Object.keys(a)) expect(TOP, `top-level key ${k}`).toContain(k);
    expect(typeof a.name).toBe('string');
    expect(typeof a.description).toBe('string');
    const branding = a.branding as Obj;
    expect(COLORS).toContain(branding.color);
    expect(typeof branding.icon).toBe('string');

    const inputs = a.inputs as Record<string, Obj>;
    expect(isObj(inputs)).toBe(true);
    for (const [name, input] of Object.entries(inputs)) {
      expect(name).toMatch(/^[A-Za-z_][\w-]*$/);
      for (const k of Object.keys(input)) expect(INPUT, `inputs.${name}.${k}`).toContain(k);
      expect(typeof input.description, `inputs.${name}.description`).toBe('string');
      if ('default' in input) expect(typeof input.default, `inputs.${name}.default is a string`).toBe('string');
      if ('required' in input) expect(typeof input.required).toBe('boolean');
    }
    const outputs = a.outputs as Record<string, Obj>;
    for (const [name, output] of Object.entries(outputs)) {
      expect(typeof output.description, `outputs.${name}.description`).toBe('string');
      expect(typeof output.value, `outputs.${name}.value (required for composite actions)`).toBe('string');
    }

    const runs = a.runs as Obj;
    expect(runs.using).toBe('composite');
    expect(Object.keys(runs).sort()).toEqual(['steps', 'using']);
    const steps = runs.steps as Obj[];
    expect(Array.isArray(steps)).toBe(true);
    const ids = new Set<string>();
    for (const [i, step] of steps.entries()) {
      for (const k of Object.keys(step)) expect(STEP, `steps[${i}].${k}`).toContain(k);
      expect('run' in step !== 'uses' in step, `steps[${i}] has run or uses`).toBe(true);
      if ('run' in step) {
        expect(typeof step.run).toBe('string');
        expect(step.shell, `steps[${i}] needs a shell (composite)`).toBe('bash');
        // inputs reach the script through env, never interpolated into it
        expect(step.run as string, `steps[${i}].run`).not.toMatch(/\$\{\{/);
      } else expect(step.uses as string).toMatch(/^[\w.-]+\/[\w./-]+@[\w.-]+$/);
      if (step.env)
        for (const [k, v] of Object.entries(step.env as Obj)) expect(typeof v, `steps[${i}].env.${k}`).toBe('string');
      if (step.id) ids.add(step.id as string);
    }

    // Every expression names a declared input, a declared step, or a known context.
    for (const m of text.matchAll(/\$\{\{([^}]*)\}\}/g)) {
      for (const ref of m[1].matchAll(/\binputs\.([\w-]+)/g))
        expect(Object.keys(inputs), `inputs.${ref[1]}`).toContain(ref[1]);
      for (const ref of m[1].matchAll(/\bsteps\.([\w-]+)/g)) expect([...ids], `steps.${ref[1]}`).toContain(ref[1]);
    }
    for (const m of text.matchAll(/^\s+if: (.*)$/gm)) {
      for (const ref of m[1].matchAll(/\binputs\.([\w-]+)/g)) expect(Object.keys(inputs)).toContain(ref[1]);
    }
  });

  it('runs scripts that parse, installs production dependencies only, and creates the SARIF folder', () => {
    const steps = (load().runs as Obj).steps as Obj[];
    const scripts = steps.filter((s) => typeof s.run === 'string').map((s) => s.run as string);
    for (const s of scripts) {
      const r = spawnSync('bash', ['-n'], { input: s, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    const install = scripts.join('\n');
    expect(install).toMatch(/npm ci --omit=dev --ignore-scripts/);
    expect(install).not.toMatch(/npm (ci|install)(?![^\n]*--omit=dev)/);
    expect(install).toMatch(/mkdir -p -- "\$\(dirname -- "\$INPUT_SARIF_FILE"\)"/);
    const upload = steps.find(
      (s) => typeof s.uses === 'string' && s.uses.startsWith('github/codeql-action/upload-sarif'),
    );
    expect((upload?.with as Obj).category).toBe('${{ inputs.category }}');
    expect(upload?.if).toMatch(/always\(\)/);
  });
});
