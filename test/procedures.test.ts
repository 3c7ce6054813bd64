// tRPC procedures and Next.js server actions as endpoints: the shapes their middleware hands the
// request on with, where procedures are mounted, and how their identity survives edits
// (suppressions, baselines, SARIF anchors).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaults } from '../src/config/types.js';
import type { Endpoint } from '../src/model.js';
import { scan, type ScanResult } from '../src/pipeline.js';
import { relPosix } from '../src/util.js';
import { actionWords } from '../src/frameworks/next/actions.js';
import { wordsPath } from '../src/frameworks/shared/builders.js';
import { ruleFile } from '../src/rules/load.js';
import { runCli } from './helpers/cli.js';
import { removeProject, scanFiles, writeProject } from './helpers/project.js';

const NEXT_TRPC = JSON.stringify({ name: 'web', dependencies: { next: '15.0.0', '@trpc/server': '11.0.0', zod: '3' } });
const DB = 'export const db: any = {};\n';

/** A tRPC instance and a step-up middleware whose body is `mw` (it receives `({ ctx, next })` or `opts`). */
function trpcWith(mw: string, param = '{ ctx, next }'): string {
  return `import { initTRPC, TRPCError } from '@trpc/server';
import { db } from './db';
const t = initTRPC.context<{ sessionId: string }>().create();
export const router = t.router;
async function recentlyReauthenticated(id: string): Promise<boolean> {
  const s = await db.session.findUnique({ where: { id } });
  return !!s && Date.now() - s.reauthAt.getTime() < 5 * 60 * 1000;
}
export const stepUp = t.procedure.use(async (${param}) => {
${mw}
});
`;
}

const ROUTER = `import { z } from 'zod';
import { db } from './db';
import { router, stepUp } from './trpc';
export const appRouter = router({
  security: router({
    disableMfa: stepUp.input(z.object({ factorId: z.string() })).mutation(async ({ input }) => db.mfaFactor.delete({ where: { id: input.factorId } })),
  }),
});
`;

const ROUTE = `import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from '../../../../server/root';
const handler = (req: Request) => fetchRequestHandler({ endpoint: '/api/trpc', req, router: appRouter, createContext: () => ({ sessionId: '' }) });
export { handler as GET, handler as POST };
`;

async function procedure(mw: string, param?: string): Promise<Endpoint> {
  const r = await scanFiles({
    'package.json': NEXT_TRPC,
    'server/db.ts': DB,
    'server/trpc.ts': trpcWith(mw, param),
    'server/root.ts': ROUTER,
    'app/api/trpc/[trpc]/route.ts': ROUTE,
  });
  const ep = r.endpoints.find((e) => e.path === '/api/trpc/security.disableMfa');
  if (!ep) throw new Error(`not listed: ${r.endpoints.map((e) => `${e.method} ${e.path}`).join(', ')}`);
  return ep;
}

describe('tRPC middleware hands the request on through next()', () => {
  it('a refusal thrown as TRPCError before next() is enforced', async () => {
    const ep =
      await procedure(`  if (!(await recentlyReauthenticated(ctx.sessionId))) throw new TRPCError({ code: 'FORBIDDEN' });
  return next({ ctx });`);
    expect(ep.framework).toBe('trpc');
    expect(ep.method).toBe('POST');
    expect(ep.classification?.categories).toEqual(['credentials']);
    expect(ep.verdict?.status).toBe('enforced');
    expect(ep.bodyFields.map((b) => b.name)).toEqual(['factorId']);
  });

  it('the same check whose result is ignored is broken (result-ignored)', async () => {
    const ep = await procedure(`  await recentlyReauthenticated(ctx.sessionId);
  return next({ ctx });`);
    expect(ep.verdict?.status).toBe('broken');
    expect(ep.verdict?.findings.map((f) => f.ruleId)).toEqual(['stepup/result-ignored']);
  });

  it('a failure branch that still calls next() is incomplete', async () => {
    const ep = await procedure(`  if (!(await recentlyReauthenticated(ctx.sessionId))) console.warn('stale');
  return next();`);
    expect(ep.verdict?.status).toBe('broken');
    expect(ep.verdict?.findings.map((f) => f.ruleId)).toEqual(['stepup/incomplete']);
  });

  it('opts.next() on an options parameter is the continuation', async () => {
    const ep = await procedure(
      `  if (!(await recentlyReauthenticated(opts.ctx.sessionId))) throw new TRPCError({ code: 'UNAUTHORIZED' });
  return opts.next();`,
      'opts',
    );
    expect(ep.verdict?.status).toBe('enforced');
  });

  it('next taken out of the options inside the body is the continuation', async () => {
    const ep = await procedure(
      `  const { ctx, next } = opts;
  if (!(await recentlyReauthenticated(ctx.sessionId))) throw new TRPCError({ code: 'FORBIDDEN' });
  const result = await next();
  return result;`,
      'opts',
    );
    expect(ep.verdict?.status).toBe('enforced');
  });

  it('a middleware that never looks at step-up protects nothing: missing', async () => {
    const ep = await procedure(`  console.log(ctx.sessionId);
  return next();`);
    expect(ep.verdict?.status).toBe('missing');
  });
});

describe('where tRPC procedures are served', () => {
  it('a pages-router adapter route serves them under its folder; the route itself stays listed', async () => {
    const r = await scanFiles({
      'package.json': NEXT_TRPC,
      'server/db.ts': DB,
      'server/trpc.ts': trpcWith('  return next();'),
      'server/root.ts': ROUTER,
      'pages/api/rpc/[trpc].ts': `import { createNextApiHandler } from '@trpc/server/adapters/next';
import { appRouter } from '../../../server/root';
export default createNextApiHandler({ router: appRouter, createContext: () => ({ sessionId: '' }) });
`,
    });
    expect(r.endpoints.map((e) => `${e.framework} ${e.method} ${e.path}`).sort()).toEqual([
      'next-pages ANY /api/rpc/[trpc]',
      'trpc POST /api/rpc/security.disableMfa',
    ]);
  });

  it('with no mount in the tree, root routers are served under /api/trpc (sub-routers are not roots)', async () => {
    const r = await scanFiles({
      'package.json': JSON.stringify({ name: '@acme/api', dependencies: { '@trpc/server': '11.0.0', zod: '3' } }),
      'src/db.ts': DB,
      'src/trpc.ts': trpcWith('  return next();'),
      'src/root.ts': ROUTER,
    });
    expect(r.endpoints.map((e) => `${e.method} ${e.path}`)).toEqual(['POST /api/trpc/security.disableMfa']);
  });

  it('a base procedure built on a condition keeps only the middleware both branches share', async () => {
    const r = await scanFiles({
      'package.json': NEXT_TRPC,
      'server/db.ts': DB,
      'server/trpc.ts': `import { initTRPC, TRPCError } from '@trpc/server';
import { db } from './db';
const t = initTRPC.create();
export const router = t.router;
const fresh = t.middleware(async ({ ctx, next }) => {
  const s = await db.session.findUnique({ where: { id: (ctx as any).sid } });
  if (!s || Date.now() - s.reauthAt.getTime() > 300000) throw new TRPCError({ code: 'FORBIDDEN' });
  return next();
});
export const stepUp = process.env.DEMO ? t.procedure : t.procedure.use(fresh);
`,
      'server/root.ts': ROUTER,
      'app/api/trpc/[trpc]/route.ts': ROUTE,
    });
    const ep = r.endpoints.find((e) => e.framework === 'trpc')!;
    expect(ep.chain).toEqual([]);
    expect(ep.verdict?.status).toBe('missing');
  });
});

describe('the words an action or a procedure is classified on', () => {
  const structural = ruleFile('frameworks').serverActions.structuralSegments;
  it('route folders and the name, without code-organising folders, route groups or repeated names', () => {
    expect(actionWords('src/app/(main)/settings/danger/actions.ts', 'deleteAccountAction', structural)).toBe(
      '/settings/danger/delete-account-action',
    );
    expect(actionWords('src/features/password/actions/password-change.ts', 'passwordChange', structural)).toBe(
      '/password-change',
    );
    expect(actionWords('src/app/(main)/dashboard/groups/[groupId]/actions.ts', 'sendInviteAction', structural)).toBe(
      '/dashboard/groups/[groupId]/send-invite-action',
    );
    expect(actionWords('app/danger/page.tsx', 'DangerZonePage.deleteWorkspace', structural)).toBe(
      '/danger-zone-page/delete-workspace',
    );
  });
  it("a procedure's keys, each a segment", () => {
    expect(wordsPath(['user', 'apiKeys', 'create'])).toBe('/user/api-keys/create');
    expect(wordsPath(['admin', 'payouts', 'startPayoutBatch'])).toBe('/admin/start-payout-batch');
  });
});

describe('hostile shapes end', () => {
  it('self-referencing routers, procedures and re-exports terminate', async () => {
    const r = await scanFiles({
      'package.json': NEXT_TRPC,
      'server/cycle.ts': `export { a as b } from './cycle2';\nexport { b as a } from './cycle2';\n`,
      'server/cycle2.ts': `export { b as a, a as b } from './cycle';\n`,
      'server/root.ts': `import { initTRPC } from '@trpc/server';
import { a } from './cycle';
const t = initTRPC.create();
const p1: any = p2.use(a);
const p2: any = p1.use(a);
const loop: any = t.router({ again: loop, nested: { deeper: loop } });
export const appRouter: any = t.router({ loop, p: p1.mutation(async () => 1), ok: t.procedure.query(() => 1), self: appRouter });
`,
      'app/api/trpc/[trpc]/route.ts': ROUTE,
    });
    expect(r.endpoints.filter((e) => e.framework === 'trpc').map((e) => `${e.method} ${e.path}`)).toEqual([
      'GET /api/trpc/ok',
    ]);
  });
});

describe('failure is contained to one action, one procedure, one part of a router', () => {
  const limits = { unit: 3, free: 100_000, total: 10_000_000 };
  const repo = path.resolve(__dirname, '..');
  const listed = (r: ScanResult, fw: string): string[] =>
    r.endpoints
      .filter((e) => e.framework === fw)
      .map((e) => `${e.method} ${e.path}`)
      .sort();

  it('server actions whose analysis cannot finish are listed at their identity, unverifiable, and the gate fails', async () => {
    const dir = path.join(repo, 'fixtures/next/server-actions');
    const full = await scan({ paths: [dir], config: defaults() });
    const starved = await scan({ paths: [dir], config: defaults(), limits });
    expect(listed(starved, 'next-action')).toEqual(listed(full, 'next-action'));
    expect(
      starved.endpoints.filter((e) => e.framework === 'next-action').every((e) => e.verdict?.status === 'unverifiable'),
    ).toBe(true);
    expect(starved.findings.some((f) => f.ruleId === 'stepup/not-analysed')).toBe(true);
  });

  it('a part of a router that cannot be walked is reported against the file mounting it; the procedures written in place are listed', async () => {
    const dir = path.join(repo, 'fixtures/trpc/next-routers');
    const starved = await scan({ paths: [dir], config: defaults(), limits });
    expect(listed(starved, 'trpc')).toEqual(
      expect.arrayContaining(['GET /api/trpc/ping', 'POST /api/trpc/requestPayout']),
    );
    expect(
      starved.endpoints
        .filter((e) => e.framework === 'trpc')
        .every((e) => e.verdict?.status === 'unverifiable' || e.verdict?.status === 'not-required'),
    ).toBe(true);
    const route = 'src/app/api/trpc/[trpc]/route.ts';
    expect(
      starved.errors.some(
        (e) => relPosix(dir, e.file) === route && /router it mounts could not be walked/.test(e.message),
      ),
    ).toBe(true);
    expect(
      starved.findings.filter((f) => f.ruleId === 'stepup/not-analysed').map((f) => relPosix(dir, f.span.file)),
    ).toContain(route);
  });
});

describe('identity: ids, anchors, suppressions and baselines', () => {
  const files = {
    'package.json': NEXT_TRPC,
    'server/db.ts': DB,
    'server/trpc.ts': trpcWith('  return next();'),
    'server/root.ts': ROUTER,
    'app/api/trpc/[trpc]/route.ts': ROUTE,
    'app/settings/actions.ts': `'use server';
import { db } from '../../server/db';
export async function deleteAccount(formData: FormData) {
  await db.user.delete({ where: { id: String(formData.get('userId')) } });
}
`,
  };

  it('the configuration marks an action or a procedure by its path', async () => {
    const r = await scanFiles(files, {
      sensitive: [
        { pattern: 'ACTION app/settings/*#deleteAccount', value: false },
        { pattern: 'POST /api/trpc/security.*', value: false },
      ],
    });
    expect(r.endpoints.filter((e) => e.classification?.sensitive).map((e) => e.id)).toEqual([]);
  });

  it('ids carry no line; the anchor is the procedure key and the action export', async () => {
    const r = await scanFiles(files);
    const ids = r.endpoints.map((e) => e.id).sort();
    expect(ids).toEqual([
      'next-action ACTION app/settings/actions.ts#deleteAccount',
      'next-app GET /api/trpc/[trpc]',
      'next-app POST /api/trpc/[trpc]',
      'trpc POST /api/trpc/security.disableMfa',
    ]);
    const proc = r.endpoints.find((e) => e.framework === 'trpc')!;
    expect([path.basename(proc.anchor.file), proc.anchor.line, proc.anchor.column]).toEqual(['root.ts', 6, 5]);
    const action = r.endpoints.find((e) => e.framework === 'next-action')!;
    expect([path.basename(action.anchor.file), action.anchor.line]).toEqual(['actions.ts', 3]);
  });

  it('a suppression above the key, a baseline entry that survives moving the code, a SARIF result on the key', async () => {
    const dir = writeProject(files);
    const base = `${dir}-baseline.json`;
    try {
      const sarif = await runCli([dir, '--format', 'sarif', '--fail-on', 'none']);
      const results = JSON.parse(sarif.stdout).runs[0].results as {
        ruleId: string;
        locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
      }[];
      const where = results
        .map(
          (x) =>
            `${x.ruleId} ${x.locations[0].physicalLocation.artifactLocation.uri}:${x.locations[0].physicalLocation.region.startLine}`,
        )
        .sort();
      expect(where).toEqual(['stepup/missing app/settings/actions.ts:3', 'stepup/missing server/root.ts:6']);

      expect((await runCli([dir, '--update-baseline', base])).code).toBe(0);
      expect(JSON.parse(fs.readFileSync(base, 'utf8')).findings).toEqual([
        { ruleId: 'stepup/missing', endpointId: 'next-action ACTION app/settings/actions.ts#deleteAccount' },
        { ruleId: 'stepup/missing', endpointId: 'trpc POST /api/trpc/security.disableMfa' },
      ]);
      // moving the code down does not invalidate the baseline
      fs.writeFileSync(path.join(dir, 'server/root.ts'), `// routers\n\n${ROUTER}`);
      fs.writeFileSync(
        path.join(dir, 'app/settings/actions.ts'),
        files['app/settings/actions.ts'].replace("'use server';\n", "'use server';\n\n// account\n"),
      );
      expect((await runCli([dir, '--baseline', base])).code).toBe(0);

      // a suppression on the line above the procedure key
      fs.writeFileSync(
        path.join(dir, 'server/root.ts'),
        ROUTER.replace(
          '    disableMfa:',
          '    // stepup-audit-ignore stepup/missing -- recovery codes are re-checked by the identity provider\n    disableMfa:',
        ),
      );
      const json = JSON.parse(
        (await runCli([dir, '--format', 'json', '--fail-on', 'none', '--include-suppressed'])).stdout,
      );
      const f = json.findings.find((x: { endpointId: string }) => x.endpointId.startsWith('trpc '));
      expect(f.suppressed).toBe(true);
    } finally {
      removeProject(dir);
      fs.rmSync(base, { force: true });
    }
  });
});

describe('a broken mount or router file never loses procedures in silence', () => {
  const files = (route: string, root = ROUTER): Record<string, string> => ({
    'package.json': NEXT_TRPC,
    'server/db.ts': DB,
    'server/trpc.ts': trpcWith('  return next();'),
    'server/root.ts': root,
    'app/api/trpc/[trpc]/route.ts': route,
  });

  it('a mount file with a syntax error: its routers are listed under the default prefix, and the file fails the gate', async () => {
    const r = await scanFiles(files(ROUTE.replace('router: appRouter', 'router: app\u200bRouter')));
    expect(r.endpoints.map((e) => `${e.method} ${e.path}`)).toContain('POST /api/trpc/security.disableMfa');
    expect(r.findings.some((f) => f.ruleId === 'stepup/not-analysed' && f.span.file.endsWith('route.ts'))).toBe(true);
  });

  it('a mount whose router import no longer resolves: the router is reported as never mounted', async () => {
    const r = await scanFiles(files(ROUTE.replace("'../../../../server/root'", "'../../../../server/r\u00f6ot'")));
    expect(r.endpoints.some((e) => e.path.includes('disableMfa'))).toBe(false);
    expect(r.errors.some((e) => e.file.endsWith('root.ts') && /never mounted/.test(e.message))).toBe(true);
  });

  it('a router file that cannot be parsed bears endpoints: it fails the gate (stepup/not-analysed)', async () => {
    const deep = `${'['.repeat(20000)}${']'.repeat(20000)};\n`;
    const r = await scanFiles(files(ROUTE, ROUTER + deep));
    const listed = r.endpoints.some((e) => e.path.includes('disableMfa'));
    const reported = r.findings.some((f) => f.ruleId === 'stepup/not-analysed' && f.span.file.endsWith('root.ts'));
    expect(listed || reported).toBe(true);
  });

  it('a v9 merge whose prefix is not a known string is reported against the mount, not dropped in silence', async () => {
    const r = await scanFiles({
      'package.json': JSON.stringify({ name: 'v9', dependencies: { next: '12.3.0', '@trpc/server': '9.27.0' } }),
      'server/router.ts': `import * as trpc from '@trpc/server';
const sub = trpc.router().mutation('wipe', { resolve: () => null });
export const appRouter = trpc.router().query('ping', { resolve: () => 'pong' }).merge(process.env.NS as string, sub);
`,
      'pages/api/trpc/[trpc].ts': `import { createNextApiHandler } from '@trpc/server/adapters/next';
import { appRouter } from '../../../server/router';
export default createNextApiHandler({ router: appRouter });
`,
    });
    expect(r.endpoints.map((e) => `${e.method} ${e.path}`)).toContain('GET /api/trpc/ping');
    expect(
      r.errors.some((e) => e.file.endsWith('[trpc].ts') && /merged v9 router .*router\.ts:3/.test(e.message)),
    ).toBe(true);
  });

  it('a healthy tree reports no router as never mounted', async () => {
    const r = await scanFiles(files(ROUTE));
    expect(r.errors.filter((e) => /never mounted/.test(e.message))).toEqual([]);
  });
});

describe('server actions in a tree with a file nested deeper than the stack', () => {
  it("another module's actions are still listed, and the deep page's inline action too", async () => {
    const deep = Array.from({ length: 6000 }, (_, i) => `'p${i}'`).join(' + ');
    const r = await scanFiles({
      'package.json': JSON.stringify({ name: 'web', dependencies: { next: '15.0.0' } }),
      'app/account/actions.ts': `'use server';
export async function deleteAccount() { return 1; }
export async function changeEmail(email: string) { return email; }
`,
      'app/workspace/page.tsx': `export default function Page() {
  async function removeWorkspace() {
    'use server';
    return 1;
  }
  const banner = ${deep};
  return banner + String(removeWorkspace);
}
`,
    });
    const paths = r.endpoints.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining(['app/account/actions.ts#deleteAccount', 'app/account/actions.ts#changeEmail']),
    );
    expect(paths).toContain('app/workspace/page.tsx#Page.removeWorkspace');
  });
});

describe('a server-action module over the size limit', () => {
  it('is reported as not analysed (the gate fails), not left out in silence', async () => {
    const filler = `// ${'x'.repeat(1000)}\n`.repeat(1100);
    const r = await scanFiles({
      'package.json': JSON.stringify({ name: 'web', dependencies: { next: '15.0.0' } }),
      'app/account/actions.ts': `'use server';\nexport async function deleteAccount() { return 1; }\n${filler}`,
      'app/api/health/route.ts': 'export async function GET() { return Response.json({ ok: true }); }\n',
    });
    expect(r.findings.some((f) => f.ruleId === 'stepup/not-analysed' && f.span.file.endsWith('actions.ts'))).toBe(true);
  });
});

describe('a tRPC router no mount reaches', () => {
  it('is reported in the files that hold its procedures, the parts in other files included', async () => {
    const r = await scanFiles({
      'package.json': NEXT_TRPC,
      'server/db.ts': DB,
      'server/trpc.ts': trpcWith('  return next();'),
      'server/security.ts': `import { z } from 'zod';
import { db } from './db';
import { router, stepUp } from './trpc';
export const securityRouter = router({
  disableMfa: stepUp.input(z.object({ factorId: z.string() })).mutation(async ({ input }) => db.mfaFactor.delete({ where: { id: input.factorId } })),
});
`,
      'server/root.ts': `import { router, stepUp } from './trpc';
import { securityRouter } from './security';
export const appRouter = router({ security: securityRouter, ping: stepUp.query(() => 'pong') });
`,
      'app/api/trpc/[trpc]/route.ts': ROUTE.replace("'../../../../server/root'", "'../../../../server/gone'"),
    });
    const noted = r.errors.filter((e) => /never mounted/.test(e.message)).map((e) => e.file.split('/').pop());
    expect(noted).toEqual(expect.arrayContaining(['root.ts', 'security.ts']));
    expect(r.endpoints.some((e) => e.path.includes('disableMfa'))).toBe(false);
  });
});
