// Guard-engine unit tests in the typescript-eslint style: each case is a literal route file, one
// behaviour per case, exact lines for the finding's related locations, and every failing case has
// a passing neighbour that differs only by the fix.
import { describe, expect, it } from 'vitest';
import type { VerdictStatus } from '../src/model.js';
import { scanFiles } from './helpers/project.js';

interface Valid {
  name: string;
  code: string;
  /** Extra files (guards) next to the route. */
  files?: Record<string, string>;
}

interface Invalid extends Valid {
  rule: string;
  status: VerdictStatus;
  /** role → line of the related location (1-based, in the route file). */
  related?: Partial<Record<'guard' | 'side-effect' | 'defeated-branch' | 'middleware', number>>;
}

const ROUTE = 'app/api/transfers/route.ts';
const PKG = JSON.stringify({ name: 'engine', dependencies: { next: '15.0.0', bcryptjs: '2', otplib: '12' } });
const DB = 'export const db: any = {};\n';

/** A guard returning a 403 Response or null (seed 000). */
const STEP_UP = `export async function requireStepUp(req: Request): Promise<Response | null> {
  const session = await getSession(req);
  if (!session || Date.now() - session.reauthAt > 5 * 60 * 1000) {
    return Response.json({ error: 'step-up required' }, { status: 403 });
  }
  return null;
}
async function getSession(req: Request): Promise<any> { return null; }
`;

/** A guard that throws. */
const RECENT = `export async function assertRecentAuth(req: Request): Promise<void> {
  const session: any = await (globalThis as any).loadSession(req);
  if (!session?.reauthAt || Date.now() - session.reauthAt > 5 * 60 * 1000) throw new Error('re-authenticate');
}
`;

async function verdict(c: Valid) {
  const result = await scanFiles({
    'package.json': PKG,
    'lib/db.ts': DB,
    'lib/step-up.ts': STEP_UP,
    'lib/recent.ts': RECENT,
    [ROUTE]: c.code,
    ...c.files,
  });
  const ep = result.endpoints.find((e) => e.path === '/api/transfers' && e.method === 'POST');
  if (!ep) throw new Error(`no POST /api/transfers endpoint in case "${c.name}"`);
  return ep;
}

const valid: Valid[] = [
  {
    name: 'Response|null guard checked and returned',
    code: `import { db } from '../../../lib/db';
import { requireStepUp } from '../../../lib/step-up';
export async function POST(req: Request) {
  const block = await requireStepUp(req);
  if (block) return block;
  await db.transfer.create({ data: await req.json() });
  return Response.json({ ok: true });
}
`,
  },
  {
    name: 'throwing guard awaited',
    code: `import { db } from '../../../lib/db';
import { assertRecentAuth } from '../../../lib/recent';
export async function POST(req: Request) {
  await assertRecentAuth(req);
  await db.transfer.create({ data: await req.json() });
  return Response.json({ ok: true });
}
`,
  },
  {
    name: 'inline session freshness, 5 minutes',
    code: `import { db } from '../../../lib/db';
export async function POST(req: Request) {
  const session: any = await (globalThis as any).loadSession(req);
  if (Date.now() - session.reauthenticatedAt > 5 * 60 * 1000) return Response.json({ error: 'stale' }, { status: 401 });
  await db.transfer.create({ data: await req.json() });
  return Response.json({ ok: true });
}
`,
  },
  {
    name: 'current password re-checked with bcrypt, awaited',
    code: `import bcrypt from 'bcryptjs';
import { db } from '../../../lib/db';
export async function POST(req: Request) {
  const { currentPassword, amount } = await req.json();
  const user = await db.user.findUnique({ where: { id: 'me' } });
  if (!(await bcrypt.compare(currentPassword, user.passwordHash))) return Response.json({ error: 'wrong password' }, { status: 403 });
  await db.transfer.create({ data: { amount } });
  return Response.json({ ok: true });
}
`,
  },
  {
    name: 'TOTP verified with otplib',
    code: `import { authenticator } from 'otplib';
import { db } from '../../../lib/db';
export async function POST(req: Request) {
  const { code, amount } = await req.json();
  const user = await db.user.findUnique({ where: { id: 'me' } });
  const ok = authenticator.verify({ token: code, secret: user.totpSecret });
  if (!ok) return Response.json({ error: 'bad code' }, { status: 403 });
  await db.transfer.create({ data: { amount } });
  return Response.json({ ok: true });
}
`,
  },
  {
    name: 'guard inside a try whose catch returns 403',
    code: `import { db } from '../../../lib/db';
import { assertRecentAuth } from '../../../lib/recent';
export async function POST(req: Request) {
  try {
    await assertRecentAuth(req);
  } catch {
    return Response.json({ error: 're-authenticate' }, { status: 403 });
  }
  await db.transfer.create({ data: await req.json() });
  return Response.json({ ok: true });
}
`,
  },
];

const invalid: Invalid[] = [
  {
    name: 'no guard at all',
    rule: 'stepup/missing',
    status: 'missing',
    related: { 'side-effect': 4 },
    code: `import { db } from '../../../lib/db';
export async function POST(req: Request) {
  const body = await req.json();
  await db.transfer.create({ data: body });
  return Response.json({ ok: true });
}
`,
  },
  {
    name: 'Response|null guard awaited, result discarded (seed 000)',
    rule: 'stepup/result-ignored',
    status: 'broken',
    related: { guard: 4, 'side-effect': 5 },
    code: `import { db } from '../../../lib/db';
import { requireStepUp } from '../../../lib/step-up';
export async function POST(req: Request) {
  await requireStepUp(req);
  await db.transfer.create({ data: await req.json() });
  return Response.json({ ok: true });
}
`,
  },
  {
    name: 'throwing guard not awaited',
    rule: 'stepup/not-awaited',
    status: 'broken',
    related: { guard: 4, 'side-effect': 5 },
    code: `import { db } from '../../../lib/db';
import { assertRecentAuth } from '../../../lib/recent';
export async function POST(req: Request) {
  assertRecentAuth(req);
  await db.transfer.create({ data: await req.json() });
  return Response.json({ ok: true });
}
`,
  },
  {
    name: 'bcrypt.compare not awaited',
    rule: 'stepup/not-awaited',
    status: 'broken',
    related: { guard: 6, 'side-effect': 7 },
    code: `import bcrypt from 'bcryptjs';
import { db } from '../../../lib/db';
export async function POST(req: Request) {
  const { currentPassword, amount } = await req.json();
  const user = await db.user.findUnique({ where: { id: 'me' } });
  if (!bcrypt.compare(currentPassword, user.passwordHash)) return Response.json({ error: 'wrong password' }, { status: 403 });
  await db.transfer.create({ data: { amount } });
  return Response.json({ ok: true });
}
`,
  },
  {
    name: 'guard after the side effect',
    rule: 'stepup/after-side-effect',
    status: 'broken',
    related: { guard: 6, 'side-effect': 5 },
    code: `import { db } from '../../../lib/db';
import { requireStepUp } from '../../../lib/step-up';
export async function POST(req: Request) {
  const body = await req.json();
  const t = await db.transfer.create({ data: body });
  const block = await requireStepUp(req);
  if (block) return block;
  return Response.json(t);
}
`,
  },
  {
    name: 'failure branch without return',
    rule: 'stepup/incomplete',
    status: 'broken',
    related: { 'side-effect': 8 },
    code: `import { db } from '../../../lib/db';
export async function POST(req: Request) {
  const session: any = await (globalThis as any).loadSession(req);
  let res = Response.json({ ok: true });
  if (Date.now() - session.reauthenticatedAt > 5 * 60 * 1000) {
    res = Response.json({ error: 'stale' }, { status: 401 });
  }
  await db.transfer.create({ data: await req.json() });
  return res;
}
`,
  },
  {
    name: 'guard on one branch only',
    rule: 'stepup/incomplete',
    status: 'broken',
    related: { 'side-effect': 9 },
    code: `import { db } from '../../../lib/db';
import { requireStepUp } from '../../../lib/step-up';
export async function POST(req: Request) {
  const body = await req.json();
  if (body.amount > 1000) {
    const block = await requireStepUp(req);
    if (block) return block;
  }
  await db.transfer.create({ data: body });
  return Response.json({ ok: true });
}
`,
  },
  {
    name: 'throwing guard swallowed by catch',
    rule: 'stepup/result-ignored',
    status: 'broken',
    related: { 'defeated-branch': 6, 'side-effect': 9 },
    code: `import { db } from '../../../lib/db';
import { assertRecentAuth } from '../../../lib/recent';
export async function POST(req: Request) {
  try {
    await assertRecentAuth(req);
  } catch (e) {
    console.warn('step-up failed', e);
  }
  await db.transfer.create({ data: await req.json() });
  return Response.json({ ok: true });
}
`,
  },
  {
    name: 'decision read from a client header',
    rule: 'stepup/client-trusted',
    status: 'broken',
    related: { guard: 3 },
    code: `import { db } from '../../../lib/db';
export async function POST(req: Request) {
  if (req.headers.get('x-step-up-verified') !== 'true') return Response.json({ error: 'step-up' }, { status: 403 });
  await db.transfer.create({ data: await req.json() });
  return Response.json({ ok: true });
}
`,
  },
  {
    name: 'freshness window of 24 hours',
    rule: 'stepup/weak-assurance',
    status: 'broken',
    related: { guard: 4 },
    code: `import { db } from '../../../lib/db';
export async function POST(req: Request) {
  const session: any = await (globalThis as any).loadSession(req);
  if (Date.now() - session.reauthenticatedAt > 24 * 60 * 60 * 1000) return Response.json({ error: 'stale' }, { status: 401 });
  await db.transfer.create({ data: await req.json() });
  return Response.json({ ok: true });
}
`,
  },
  {
    name: 'guard imported from a package outside the tree, used bare',
    rule: 'stepup/unverifiable',
    status: 'unverifiable',
    related: { guard: 4 },
    code: `import { db } from '../../../lib/db';
import { requireStepUp } from '@vendor/step-up';
export async function POST(req: Request) {
  await requireStepUp(req);
  await db.transfer.create({ data: await req.json() });
  return Response.json({ ok: true });
}
`,
  },
  {
    name: 'a "guard" whose body never fails',
    rule: 'stepup/missing',
    status: 'missing',
    related: { guard: 4 },
    files: {
      'lib/hollow.ts':
        'export async function requireStepUp(req: Request): Promise<Response | null> {\n  return null;\n}\n',
    },
    code: `import { db } from '../../../lib/db';
import { requireStepUp } from '../../../lib/hollow';
export async function POST(req: Request) {
  const block = await requireStepUp(req);
  if (block) return block;
  await db.transfer.create({ data: await req.json() });
  return Response.json({ ok: true });
}
`,
  },
];

describe('guard engine', () => {
  describe('valid: enforced', () => {
    for (const c of valid) {
      it(c.name, async () => {
        const ep = await verdict(c);
        expect(ep.classification?.sensitive).toBe(true);
        expect(ep.verdict?.findings.map((f) => f.ruleId)).toEqual([]);
        expect(ep.verdict?.status).toBe('enforced');
      });
    }
  });

  describe('invalid', () => {
    for (const c of invalid) {
      it(`${c.name} → ${c.rule}`, async () => {
        const ep = await verdict(c);
        expect(ep.verdict?.status).toBe(c.status);
        const f = ep.verdict!.findings.find((x) => x.ruleId === c.rule);
        expect(f, `findings: ${ep.verdict!.findings.map((x) => x.ruleId).join(', ')}`).toBeDefined();
        expect(ep.verdict!.findings).toHaveLength(1);
        const exportLine = c.code.split('\n').findIndex((l) => l.startsWith('export async function POST')) + 1;
        expect(f!.span.line).toBe(exportLine); // anchored on the export line
        for (const [role, lineNo] of Object.entries(c.related ?? {})) {
          const r = f!.related.find((x) => x.role === role);
          expect(r, `related ${role}`).toBeDefined();
          expect(r!.span.line, `related ${role} line`).toBe(lineNo);
          expect(r!.span.file.endsWith(ROUTE) || role === 'middleware').toBe(true);
        }
      });
    }
  });

  it('every invalid case has a passing neighbour', () => {
    // the fixes of the invalid cases above are the valid cases (same shapes, one change each)
    const rulesCovered = new Set(invalid.map((c) => c.rule));
    for (const r of [
      'stepup/missing',
      'stepup/result-ignored',
      'stepup/not-awaited',
      'stepup/after-side-effect',
      'stepup/incomplete',
      'stepup/client-trusted',
      'stepup/weak-assurance',
      'stepup/unverifiable',
    ])
      expect(rulesCovered).toContain(r);
    expect(valid.length).toBeGreaterThanOrEqual(6);
  });
});

describe('messages say what is true', () => {
  const route = (body: string, imports = ''): string => `import bcrypt from 'bcryptjs';
import { db } from '../../../lib/db';
${imports}
export async function POST(req: Request) {
${body}
}
`;
  const finding = async (c: Valid) => {
    const ep = await verdict(c);
    expect(ep.verdict!.findings).toHaveLength(1);
    return { ep, f: ep.verdict!.findings[0] };
  };

  it('a side effect written over several lines is named on one line', async () => {
    const { f } = await finding({
      name: 'multi-line callee',
      code: route(
        `  const { to, amount } = await req.json();
  await new Ledger(
    db,
  ).move(to, amount);
  return Response.json({ ok: true });`,
        "import { Ledger } from '../../../lib/ledger';",
      ),
      files: {
        'lib/ledger.ts': `export class Ledger {
  constructor(private db: any) {}
  async move(to: string, amount: number) {
    await this.db.transfer.create({ data: { to, amount } });
  }
}
`,
      },
    });
    expect(f.message).toContain('new Ledger( db, ).move');
    expect(f.message).not.toMatch(/\n/);
    for (const r of f.related) expect(r.message ?? '').not.toMatch(/\n/);
  });

  it('a check an administrator skips is incomplete, with the branch named', async () => {
    const { ep, f } = await finding({
      name: 'admin override',
      code: route(`  const user = await db.user.findUnique({ where: { id: 1 } });
  const { password, to, amount } = await req.json();
  if (!user.isAdmin) {
    if (!(await bcrypt.compare(password, user.passwordHash))) return Response.json({}, { status: 403 });
  }
  await db.transfer.create({ data: { to, amount } });
  return Response.json({ ok: true });`),
    });
    expect(ep.verdict?.status).toBe('broken');
    expect(f.ruleId).toBe('stepup/incomplete');
    expect(f.message).toContain('!user.isAdmin');
    expect(f.related.find((r) => r.role === 'defeated-branch')?.span.line).toBe(7);
  });

  it('a code checked against the secret being enrolled is not step-up, and says so', async () => {
    const { ep, f } = await finding({
      name: 'enrolment',
      code: route(
        `  const { code, to, amount } = await req.json();
  const pending = await db.pendingTotp.findUnique({ where: { userId: 1 } });
  if (!authenticator.check(code, pending.secret)) return Response.json({}, { status: 400 });
  await db.transfer.create({ data: { to, amount } });
  return Response.json({ ok: true });`,
        "import { authenticator } from 'otplib';",
      ),
    });
    expect(ep.verdict?.status).toBe('missing');
    expect(f.message).toMatch(/enrolling .*new factor/);
  });

  it('"never rejects" only for a guard that says yes on every path; one whose answer cannot be read is unverifiable', async () => {
    const files = {
      'lib/reauth.ts':
        "import { client } from 'reauth-sdk';\nexport async function requireReauth(id: number) { return client.isRecent(id); }\nexport async function requireRecentAuth(id: number) { return true; }\n",
    };
    const body = (fn: string): string => `  if (!(await ${fn}(1))) return Response.json({}, { status: 403 });
  await db.transfer.create({ data: await req.json() });
  return Response.json({ ok: true });`;
    const unseen = await finding({
      name: 'computed',
      files,
      code: route(body('requireReauth'), "import { requireReauth } from '../../../lib/reauth';"),
    });
    expect(unseen.ep.verdict?.status).toBe('unverifiable');
    expect(unseen.f.message).not.toContain('never rejects');
    const hollow = await finding({
      name: 'always yes',
      files,
      code: route(body('requireRecentAuth'), "import { requireRecentAuth } from '../../../lib/reauth';"),
    });
    expect(hollow.ep.verdict?.status).toBe('missing');
    expect(hollow.f.message).toContain('never rejects');
  });

  it('the secret of a record the request names is client-trusted, with the key that names it', async () => {
    const { ep, f } = await finding({
      name: 'chosen record',
      code: route(`  const { email, currentPassword, to, amount } = await req.json();
  const owner = await db.user.findFirst({ where: { email } });
  if (!(await bcrypt.compare(currentPassword, owner.passwordHash))) return Response.json({}, { status: 403 });
  await db.transfer.create({ data: { to, amount } });
  return Response.json({ ok: true });`),
    });
    expect(ep.verdict?.status).toBe('broken');
    expect(f.ruleId).toBe('stepup/client-trusted');
    expect(f.message).toContain('looked up by email');
    expect(f.message).toContain("not the signed-in user's");
  });

  it('a stored hash sent by the caller is client-trusted, named as the stored side', async () => {
    const { ep, f } = await finding({
      name: 'client hash',
      code: route(`  const { currentPassword, hash, to, amount } = await req.json();
  if (!(await bcrypt.compare(currentPassword, hash))) return Response.json({}, { status: 403 });
  await db.transfer.create({ data: { to, amount } });
  return Response.json({ ok: true });`),
    });
    expect(ep.verdict?.status).toBe('broken');
    expect(f.ruleId).toBe('stepup/client-trusted');
    expect(f.message).toContain('stored side');
  });
});
