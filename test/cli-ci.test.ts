// The CLI as a CI gate (in-process): never a silent pass, per-app configuration, PR mode,
// markdown and compact reports, inert output, I/O failures that say what they are.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inertLine, mdCode, mdText, uriOfPath, visible } from '../src/report/escape.js';
import { runCli, repoRoot } from './helpers/cli.js';
import { removeProject, writeProject } from './helpers/project.js';

const temps: string[] = [];
afterAll(() => temps.forEach(removeProject));
function tmp(files: Record<string, string>): string {
  const d = writeProject(files, 'stepup-ci-');
  temps.push(d);
  return d;
}
const run = (args: string[], opts: Parameters<typeof runCli>[1] = {}) =>
  runCli(args, { ...opts, env: { GITHUB_STEP_SUMMARY: '', ...opts.env } });

const NEXT = JSON.stringify({ name: 'web', dependencies: { next: '15.0.0' } });
const EXPRESS = JSON.stringify({ name: 'api', dependencies: { express: '4.21.0' } });
const route = (model: string) =>
  `export async function POST(req: Request) {\n  const { iban } = await req.json();\n  await db.${model}.create({ data: { iban } });\n  return Response.json({ ok: true });\n}\nconst db: any = {};\n`;

function digest(dir: string): string {
  const h = crypto.createHash('sha256');
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      h.update(path.relative(dir, p));
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) h.update(fs.readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex');
}

const jsonOf = async (args: string[], opts: Parameters<typeof runCli>[1] = {}) => {
  const r = await run([...args, '--format', 'json'], opts);
  return {
    ...r,
    json: JSON.parse(r.stdout) as {
      endpoints: { id: string }[];
      findings: { ruleId: string; endpointId: string; suppressed: boolean }[];
    },
  };
};

describe('never a silent pass', () => {
  it('a file argument stands for the project around it', async () => {
    const file = 'fixtures/demo/apps/web/app/api/wires/route.ts';
    const r = await jsonOf([file]);
    expect(r.code).toBe(1);
    const web = await jsonOf(['fixtures/demo/apps/web']);
    expect(r.json.endpoints.map((e) => e.id)).toEqual(web.json.endpoints.map((e) => e.id));
    expect(r.json.findings.length).toBeGreaterThan(0);
  });

  it('a file with no project around it is refused with exit 2', async () => {
    const lone = fs.mkdtempSync(path.join(os.tmpdir(), 'stepup-lone-'));
    temps.push(lone);
    fs.writeFileSync(path.join(lone, 'route.ts'), route('transfer'));
    const r = await run([path.join(lone, 'route.ts')], { cwd: lone });
    if (fs.existsSync('/package.json')) return; // a package.json at the filesystem root would be the project
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/route\.ts is a file with no package\.json above it/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('identical and nested paths are scanned once: same endpoints and ids as the outer path alone', async () => {
    const one = await jsonOf(['fixtures/demo']);
    const twice = await jsonOf(['fixtures/demo', 'fixtures/demo']);
    const nested = await jsonOf(['fixtures/demo/apps/web', 'fixtures/demo', './fixtures/demo/']);
    for (const other of [twice, nested]) {
      expect(other.json.endpoints.map((e) => e.id)).toEqual(one.json.endpoints.map((e) => e.id));
      expect(other.json.findings).toEqual(one.json.findings);
    }
  });

  it('an unsupported framework is named, exit 2; --allow-empty accepts it', async () => {
    const dir = tmp({
      'package.json': JSON.stringify({ name: 'f', dependencies: { fastify: '4', '@nestjs/core': '10' } }),
      'src/app.ts':
        "import Fastify from 'fastify';\nconst app = Fastify();\napp.post('/transfers', async () => ({}));\n",
    });
    const r = await run([dir, '--format', 'sarif']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^stepup-audit: no endpoints found in .* \(supported: Next\.js, Express, Hono; package\.json declares: Fastify, NestJS\): nothing was checked \(use --allow-empty to accept\)\n$/,
    );
    expect(JSON.parse(r.stdout).runs[0].invocations[0].executionSuccessful).toBe(false);
    expect((await run([dir, '--allow-empty'])).code).toBe(0);
  });

  it('an empty folder is exit 2 (no baseline written from it), and so is one scanned folder of two with nothing in it', async () => {
    const empty = tmp({});
    expect((await run([empty])).code).toBe(2);
    const base = path.join(empty, 'b.json');
    expect((await run([empty, '--update-baseline', base])).code).toBe(2);
    expect(fs.existsSync(base)).toBe(false);
    const r = await run(['fixtures/demo', empty]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no endpoints found in /);
  });
});

describe('per-app configuration', () => {
  it('each application uses the nearest configuration upward from its root, whatever the path order', async () => {
    const dir = tmp({
      'apps/web/package.json': NEXT,
      'apps/web/stepup-audit.config.json':
        '{ // web marks payees as internal\n "sensitive": { "POST /api/payees": false } }',
      'apps/web/app/api/payees/route.ts': route('payee'),
      'apps/other/package.json': NEXT,
      'apps/other/app/api/payees/route.ts': route('payee'),
    });
    fs.mkdirSync(path.join(dir, '.git'));
    const a = await jsonOf([dir]);
    expect(a.json.findings.map((f) => f.endpointId)).toEqual([
      'next-app POST /api/payees (apps/other/app/api/payees/route.ts)',
    ]);
    const b = await jsonOf([path.join(dir, 'apps/web'), path.join(dir, 'apps/other')]);
    const c = await jsonOf([path.join(dir, 'apps/other'), path.join(dir, 'apps/web')]);
    expect(b.json.findings.length).toBe(1);
    expect(c.json.findings).toEqual(b.json.findings);
    const v = await run([dir, '--verbose', '--fail-on', 'none'], { cwd: dir });
    expect(v.stderr).toMatch(/configuration: apps\/web → apps\/web\/stepup-audit\.config\.json/);
    expect(v.stderr).toMatch(/configuration: apps\/other → defaults \(no configuration file\)/);
  });

  it("an application's fail-on and ignore apply to that application only", async () => {
    const dir = tmp({
      'apps/web/package.json': NEXT,
      'apps/web/stepup-audit.config.json': '{"failOn": "none", "ignore": ["legacy/**"]}',
      'apps/web/app/api/payees/route.ts': route('payee'),
      'apps/web/legacy/app.ts':
        "import express from 'express';\nconst app = express();\napp.post('/api/wires', async (req, res) => { await db.wire.create({ data: req.body }); res.send(); });\nconst db: any = {};\n",
      'apps/api/package.json': EXPRESS,
      'apps/api/legacy/app.ts':
        "import express from 'express';\nconst app = express();\napp.post('/api/payouts', async (req, res) => { await db.payout.create({ data: req.body }); res.send(); });\nconst db: any = {};\n",
    });
    fs.mkdirSync(path.join(dir, '.git'));
    const r = await jsonOf([dir]);
    const ids = r.json.endpoints.map((e) => e.id);
    expect(ids).toContain('express POST /api/payouts'); // apps/api/legacy is not ignored by web's configuration
    expect(ids).not.toContain('express POST /api/wires'); // apps/web/legacy is
    expect(r.code).toBe(1); // the api finding fails the gate
    const web = await run([path.join(dir, 'apps/web')]);
    expect(web.code).toBe(0); // web's own failOn: none
  });
});

describe('PR mode: --baseline-ref', () => {
  function repo(): string {
    const dir = tmp({ 'package.json': NEXT, 'app/api/payees/route.ts': route('payee') });
    const git = (...args: string[]) =>
      execFileSync(
        'git',
        ['-c', 'user.email=ci@example.invalid', '-c', 'user.name=ci', '-c', 'commit.gpgsign=false', ...args],
        { cwd: dir, stdio: 'pipe' },
      );
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'one finding');
    fs.mkdirSync(path.join(dir, 'app/api/payouts'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'app/api/payouts/route.ts'), route('payout'));
    git('add', '.');
    git('commit', '-q', '-m', 'a second finding');
    return dir;
  }
  const refDirs = () => fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('stepup-audit-ref-'));

  it('reports exactly the finding a commit added, exits 1; an unchanged tree exits 0; nothing written to .git or left behind', async () => {
    const dir = repo();
    const gitBefore = digest(path.join(dir, '.git'));
    const treeBefore = refDirs();
    const r = await jsonOf(['.', '--baseline-ref', 'HEAD~1'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.json.findings.filter((f) => !f.suppressed).map((f) => f.endpointId)).toEqual([
      'next-app POST /api/payouts',
    ]);
    const text = await run(['.', '--baseline-ref', 'HEAD~1'], { cwd: dir });
    expect(text.stdout).toMatch(/POST \/api\/payouts/);
    expect(text.stdout).not.toMatch(/POST \/api\/payees/);
    expect(text.stdout).toMatch(
      /1 of 2 sensitive endpoints lacks step-up \(1 missing, 0 broken\); 1 more baselined or suppressed/,
    );
    const same = await run(['.', '--baseline-ref', 'HEAD'], { cwd: dir });
    expect(same.code).toBe(0);
    expect(digest(path.join(dir, '.git'))).toBe(gitBefore);
    expect(refDirs()).toEqual(treeBefore);
  });

  it('a ref that names no commit, or a folder outside git, is exit 2 with one line', async () => {
    const dir = repo();
    const r = await run(['.', '--baseline-ref', 'no-such-branch'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^stepup-audit: --baseline-ref: 'no-such-branch' does not name a commit/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const plain = tmp({ 'package.json': NEXT, 'app/api/payees/route.ts': route('payee') });
    const p = await run([plain, '--baseline-ref', 'HEAD'], { env: { GIT_CEILING_DIRECTORIES: path.dirname(plain) } });
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/not inside a git repository/);
  });
});

describe('reports', () => {
  it('--format markdown: a category × status matrix, one linked line per finding, each fix once', async () => {
    const env = {
      GITHUB_SERVER_URL: 'https://github.example',
      GITHUB_REPOSITORY: 'acme/bank',
      GITHUB_SHA: 'a'.repeat(40),
    };
    const r = await run(['fixtures/demo', '--format', 'markdown'], { env });
    expect(r.code).toBe(1);
    const md = r.stdout;
    expect(md).toMatch(/^### stepup-audit/);
    expect(md).toMatch(/\| category \| sensitive \| enforced \| missing \| broken \| unverifiable \|/);
    expect(md).toMatch(/\| money \| \d+ \| \d+ \| \d+ \| \d+ \| \d+ \|/);
    const items = md.split('\n').filter((l) => /^- (❌|⚠️|ℹ️) /.test(l));
    expect(items).toHaveLength(7);
    for (const l of items)
      expect(l).toMatch(/\]\(https:\/\/github\.example\/acme\/bank\/blob\/a{40}\/fixtures\/demo\/apps\/[^)]+#L\d+\)/);
    expect(
      md.match(
        /^- \[`stepup\/missing`\]\(https:\/\/github\.com\/stepup-audit\/stepup-audit\/blob\/main\/rules\/stepup\/missing\.md\): /gm,
      ),
    ).toHaveLength(1);
    const plain = await run(['fixtures/demo', '--format', 'markdown']);
    expect(plain.stdout).not.toMatch(/\]\(https:\/\/github\.example/);
  });

  it('markdown: new vs baselined', async () => {
    const dir = tmp({ 'package.json': NEXT, 'app/api/payees/route.ts': route('payee') });
    const base = path.join(dir, 'baseline.json');
    expect((await run([dir, '--update-baseline', base])).code).toBe(0);
    fs.mkdirSync(path.join(dir, 'app/api/payouts'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'app/api/payouts/route.ts'), route('payout'));
    const md = (await run([dir, '--baseline', base, '--format', 'markdown'])).stdout;
    expect(md).toMatch(/\| money \| 2 \| 0 \| 1 new · 1 baselined \| 0 \| 0 \|/);
    expect(md).toMatch(/#### New findings \(1\)/);
    expect(md).toMatch(/<summary>Baselined and suppressed findings \(1\)<\/summary>/);
  });

  it('with a baseline (BOM or not), the headline counts new findings only; --include-suppressed shows the rest in text', async () => {
    const dir = tmp({ 'package.json': NEXT, 'app/api/payees/route.ts': route('payee') });
    const base = path.join(dir, 'b.json');
    await run([dir, '--update-baseline', base]);
    fs.writeFileSync(base, `\ufeff${fs.readFileSync(base, 'utf8')}`);
    const r = await run([dir, '--baseline', base]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /0 of 1 sensitive endpoint lack step-up \(0 missing, 0 broken\); 1 more baselined or suppressed · 1 endpoint · 1 framework · 1 baselined/,
    );
    expect(r.stdout).not.toMatch(/stepup\/missing/);
    const all = await run([dir, '--baseline', base, '--include-suppressed']);
    expect(all.stdout).toMatch(/stepup\/missing .*\(baselined\)/);
  });

  it('text paths are relative to the working folder (clickable); one finding reads "1 … lacks"', async () => {
    const r = await run(['demo/apps/web'], { cwd: path.join(repoRoot, 'fixtures') });
    expect(r.stdout).toMatch(/^demo\/apps\/web\/app\/api\/wires\/route\.ts:9 {2}POST \/api\/wires/m);
    const dir = tmp({ 'package.json': NEXT, 'app/api/payees/route.ts': route('payee') });
    const one = await run(['.'], { cwd: path.join(dir, 'app') });
    expect(one.stdout).toMatch(/^api\/payees\/route\.ts:1 {2}POST/m);
    expect((await run([dir])).stdout).toMatch(/1 of 1 sensitive endpoint lacks step-up/);
  });

  it('--format compact: one line per finding fitted to the terminal, each fix said once', async () => {
    const r = await run(['fixtures/demo', '--format', 'compact'], { tty: true, columns: 80 });
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(80);
    expect(lines.filter((l) => /^fixtures\/demo\/\S+:\d+:\d+ [✖⚠ℹ] stepup\//.test(l))).toHaveLength(7);
    expect(lines.filter((l) => l.startsWith('stepup/missing: '))).toHaveLength(1);
  });

  it('FORCE_COLOR=0 turns colours off even on a terminal', async () => {
    expect((await run(['fixtures/demo'], { tty: true, env: { NO_COLOR: '' } })).stdout).toMatch(/\x1b\[/);
    expect((await run(['fixtures/demo'], { tty: true, env: { NO_COLOR: '', FORCE_COLOR: '0' } })).stdout).not.toMatch(
      /\x1b\[/,
    );
  });

  it('--sarif-category sets the SARIF run category', async () => {
    const r = await run(['fixtures/demo', '--format', 'sarif', '--sarif-category', 'stepup/web']);
    expect(JSON.parse(r.stdout).runs[0].automationDetails).toEqual({ id: 'stepup/web/' });
    expect((await run(['fixtures/demo', '--sarif-category', 'a b'])).code).toBe(2);
  });
});

describe('text report', () => {
  it('prints a finding that belongs to no endpoint (a file-level finding) under its file', async () => {
    const { renderText } = await import('../src/report/text.js');
    const { audit } = await import('../src/audit.js');
    const { report } = await audit({ paths: ['fixtures/demo/apps/web'], cwd: repoRoot });
    const file = report.endpoints[0].anchor.file;
    report.findings.push({
      ruleId: 'stepup/unverifiable',
      level: 'note',
      message: 'this file could not be analysed',
      endpointId: '',
      span: { file, line: 3, column: 1 },
      related: [],
    });
    const text = renderText(report, { color: false, endpoints: false, verbose: false });
    expect(text).toMatch(/\n\S*route\.ts:3\n {2}ℹ stepup\/unverifiable {2}this file could not be analysed/);
  });
});

describe('usage', () => {
  it("commander's suggestion is kept on the one line", async () => {
    const r = await run(['--formt', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: unknown option '--formt' (Did you mean --format?)\n");
  });

  it('malformed suppressions are reported, not ignored and not "could not be analysed"', async () => {
    const variants = [
      ['// stepup-audit-ignore stepup/missing: internal tool', /separate the reason with " -- ", not a colon/],
      ['// stepup-audit-ignore stepup/missing, stepup/incomplete -- reviewed', /one rule id per comment/],
      ['// stepup-audit-ignore -- reviewed', /no rule id/],
      [
        '// stepup-audit-ignore-next-line stepup/missing -- reviewed',
        /unknown directive stepup-audit-ignore-next-line/,
      ],
      ['// stepup-audit-ignore stepup/mising -- reviewed', /unknown rule id stepup\/mising/],
      ['// stepup-audit-ignore stepup/missing', /a reason is required/],
    ] as const;
    for (const [comment, re] of variants) {
      const dir = tmp({ 'package.json': NEXT, 'app/api/payees/route.ts': `${comment}\n${route('payee')}` });
      const r = await run([dir]);
      expect(r.code, comment).toBe(1);
      expect(r.stdout, comment).toMatch(new RegExp(`invalid suppression: .*route\\.ts:1: .*${re.source}`));
      expect(r.stdout, comment).not.toMatch(/could not be fully analysed/);
      const j = await run([dir, '--format', 'json']);
      expect(JSON.parse(j.stdout).invalidSuppressions[0].line, comment).toBe(1);
      expect(JSON.parse(j.stdout).errors, comment).toEqual([]);
    }
  });

  it('a config category named "constructor" is just a category', async () => {
    const dir = tmp({
      'package.json': NEXT,
      'stepup-audit.config.json': '{"sensitive": {"POST /api/gift": ["constructor"]}}',
      'app/api/gift/route.ts': route('giftCard'),
    });
    const r = await run([dir, '--format', 'sarif']);
    expect(r.stdout).not.toMatch(/function Object|native code/);
    const res = JSON.parse(r.stdout).runs[0].results[0];
    expect(Number(res.properties['security-severity'])).toBeGreaterThan(0);
  });
});

describe('inert output', () => {
  it('escapes for each sink', () => {
    expect(visible('a\nb\x1b[2J\x07\x7f\x9b\u202etxt.ts\u2066')).toBe(
      'a\\nb\\x1b[2J\\x07\\x7f\\x9b\\u202etxt.ts\\u2066',
    );
    expect(visible('café ✓ 日本')).toBe('café ✓ 日本');
    expect(inertLine('::error title=x::y')).toBe('\\x3a:error title=x::y');
    expect(inertLine('   ::warning ::x')).toBe('   \\x3a:warning ::x');
    expect(inertLine('a ##[error]b')).toBe('a #\\x23[error]b');
    expect(inertLine('a :: b')).toBe('a :: b');
    expect(mdText('a|b <img src=x> *c* [d](e)')).toBe('a\\|b &lt;img src=x&gt; \\*c\\* \\[d\\]\\(e\\)');
    expect(mdCode('POST /a|b')).toBe('`POST /a\\|b`');
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(uriOfPath("app/[id]/my file/100%/#/ü/a\\b/(x)!'*")).toBe(
      'app/%5Bid%5D/my%20file/100%25/%23/%C3%BC/a%5Cb/%28x%29%21%27%2A',
    );
  });

  const hostile = `import express from 'express';\nconst app = express();\napp.post('/withdraw\\n::error title=pwned::owned\\u001b]0;title\\u0007\\u001b[2J|x', async (req, res) => { await db.payout.create({ data: req.body }); res.send(); });\nconst db: any = {};\n`;

  it('route strings with newlines, workflow commands and ESC bytes print neither raw', async () => {
    const dir = tmp({ 'package.json': EXPRESS, 'src/app.ts': hostile });
    for (const format of ['text', 'compact', 'github', 'markdown']) {
      const r = await run([dir, '--format', format, '--endpoints']);
      expect(r.code, format).toBe(1);
      expect(r.stdout, format).not.toMatch(/\x1b|\x07/);
      const commands = r.stdout.split('\n').filter((l) => /^\s*::/.test(l));
      if (format === 'github') for (const c of commands) expect(c).toMatch(/^::(error|warning|notice) file=/);
      else expect(commands, format).toEqual([]);
    }
    const text = (await run([dir])).stdout;
    expect(text).toMatch(/POST \/withdraw\\n::error title=pwned::owned\\x1b\]0;title\\x07\\x1b\[2J\|x/);
    const md = (await run([dir, '--format', 'markdown'])).stdout;
    expect(md).toMatch(/`POST \/withdraw\\n::error title=pwned::owned\\x1b]0;title\\x07\\x1b\[2J\\\|x`/);
  });

  it('a file name that starts a workflow command cannot start a text line', async () => {
    const dir = tmp({ 'package.json': NEXT, 'app/api/x/route.ts': route('transfer') });
    const odd = path.join(dir, '::error title=x::y');
    fs.mkdirSync(odd);
    fs.writeFileSync(path.join(odd, 'package.json'), NEXT);
    fs.mkdirSync(path.join(odd, 'app/api/payouts'), { recursive: true });
    fs.writeFileSync(path.join(odd, 'app/api/payouts/route.ts'), route('payout'));
    const r = await run(['.'], { cwd: dir });
    expect(r.stdout).toMatch(/POST \/api\/payouts/);
    expect(r.stdout.split('\n').filter((l) => /^\s*::/.test(l))).toEqual([]);
    expect(r.stdout).toMatch(/^\\x3a:error title=x::y\/app\/api\/payouts\/route\.ts:1/m);
  });
});

describe('I/O errors are I/O errors', () => {
  it('a closed pipe (EPIPE) ends quietly with the scan result', async () => {
    const r = await run(['fixtures/demo'], { stdoutError: 'EPIPE' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
  });

  it('another write failure is exit 2 with one line', async () => {
    const r = await run(['fixtures/demo', '--fail-on', 'none'], { stdoutError: 'ENOSPC' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('stepup-audit: cannot write to standard output: write ENOSPC\n');
  });

  it('output paths are checked before the scan: a folder, a missing folder, --update-baseline to a folder', async () => {
    const dir = tmp({ 'out/.keep': '' });
    const cases: [string[], RegExp][] = [
      [['-o', path.join(dir, 'out')], /output path is a folder/],
      [['-o', path.join(dir, 'nope', 'r.json')], /output folder does not exist/],
      [['--update-baseline', path.join(dir, 'out')], /baseline path is a folder/],
      [['--update-baseline', path.join(dir, 'nope', 'b.json')], /baseline folder does not exist/],
      [
        ['--format', 'json', '-o', path.join(dir, 'r.json'), '--format', 'sarif', '-o', path.join(dir, 'r.json')],
        /same file/,
      ],
    ];
    for (const [args, re] of cases) {
      const t0 = performance.now();
      const r = await run(['fixtures/demo', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(re);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
      expect(performance.now() - t0).toBeLessThan(2000);
    }
  });
});
