// Deterministic generator of a large synthetic monorepo: Next.js, Express and Hono apps; about
// 15% of the files declare routes; step-up guards and wrappers live in shared packages reached
// through tsconfig paths and workspace names. Same seed, same tree.
import fs from 'node:fs';
import path from 'node:path';

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RESOURCES = [
  'posts',
  'comments',
  'books',
  'notes',
  'tags',
  'projects',
  'tasks',
  'invoices',
  'reports',
  'files',
  'events',
  'teams',
  'orders',
  'products',
  'reviews',
];
const SENSITIVE = [
  ['transfers', 'transfer', 'money'],
  ['payouts', 'payout', 'money'],
  ['api-keys', 'apiKey', 'keys'],
  ['password', 'user', 'credentials'],
  ['members', 'membership', 'privilege'],
  ['export', 'exportJob', 'export'],
];

function write(root, rel, text, counter) {
  const abs = path.join(root, rel);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, text);
  counter.files++;
}

function filler(r, i, kind) {
  const n = 3 + Math.floor(r() * 8);
  const lines = [`// ${kind} module ${i}`, `import { useState } from 'react';`, ''];
  for (let k = 0; k < n; k++) {
    lines.push(
      `export function helper${i}_${k}(items: Array<{ id: string; value: number }>, options: { limit?: number } = {}) {`,
    );
    lines.push(`  const map = new Map<string, number>();`);
    lines.push(`  for (const item of items.slice(0, options.limit ?? 100)) map.set(item.id, item.value * ${k + 1});`);
    lines.push(`  const total = [...map.values()].reduce((a, b) => a + b, 0);`);
    lines.push(`  return { total, count: map.size, first: map.get(items[0]?.id ?? '') };`);
    lines.push(`}`);
    lines.push('');
  }
  if (kind === 'component') {
    lines.push(`export default function Widget${i}({ title }: { title: string }) {`);
    lines.push(`  const [open, setOpen] = useState(false);`);
    lines.push(
      `  return <section className="widget"><h2 onClick={() => setOpen(!open)}>{title}</h2>{open && <p>${i}</p>}</section>;`,
    );
    lines.push(`}`);
  }
  return lines.join('\n');
}

function sharedPackages(root, c) {
  write(
    root,
    'package.json',
    JSON.stringify({ name: 'bench-monorepo', private: true, workspaces: ['apps/*', 'packages/*'] }, null, 2),
    c,
  );
  write(
    root,
    'tsconfig.base.json',
    JSON.stringify(
      {
        compilerOptions: {
          baseUrl: '.',
          paths: {
            '@acme/guards': ['packages/guards/src/index.ts'],
            '@acme/guards/*': ['packages/guards/src/*'],
            '@acme/db': ['packages/db/src/index.ts'],
          },
        },
      },
      null,
      2,
    ),
    c,
  );
  write(root, 'packages/db/package.json', JSON.stringify({ name: '@acme/db', main: 'src/index.ts' }), c);
  write(
    root,
    'packages/db/src/index.ts',
    `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`,
    c,
  );
  write(root, 'packages/guards/package.json', JSON.stringify({ name: '@acme/guards', main: 'src/index.ts' }), c);
  write(
    root,
    'packages/guards/src/recent-auth.ts',
    `import { db } from '@acme/db';
export const WINDOW_MS = 5 * 60 * 1000;
export async function loadSession(id: string | undefined) {
  return id ? db.session.findUnique({ where: { id } }) : null;
}
export async function requireStepUp(req: Request): Promise<Response | null> {
  const session = await loadSession(req.headers.get('x-session-id') ?? undefined);
  if (!session || Date.now() - session.reauthenticatedAt > WINDOW_MS) {
    return Response.json({ error: 'step-up required' }, { status: 403 });
  }
  return null;
}
export function requireRecentAuth(req: any, res: any, next: any) {
  if (!req.session?.reauthAt || Date.now() - req.session.reauthAt > WINDOW_MS) return res.status(403).json({ error: 'step-up required' });
  next();
}
`,
    c,
  );
  write(
    root,
    'packages/guards/src/wrappers.ts',
    `import { requireStepUp } from './recent-auth';
export function withStepUp(handler: (req: Request) => Promise<Response>) {
  return async (req: Request) => {
    const block = await requireStepUp(req);
    if (block) return block;
    return handler(req);
  };
}
`,
    c,
  );
  write(
    root,
    'packages/guards/src/hono.ts',
    `import { createMiddleware } from 'hono/factory';
import { loadSession, WINDOW_MS } from './recent-auth';
export const stepUp = createMiddleware(async (c, next) => {
  const session = await loadSession(c.req.header('x-session-id'));
  if (!session || Date.now() - session.reauthenticatedAt > WINDOW_MS) return c.json({ error: 'step-up required' }, 403);
  await next();
});
`,
    c,
  );
  write(root, 'packages/guards/src/index.ts', `export * from './recent-auth';\nexport * from './wrappers';\n`, c);
}

function nextApp(root, r, a, routes, fillers, c) {
  const base = `apps/web-${a}`;
  write(
    root,
    `${base}/package.json`,
    JSON.stringify({
      name: `@acme/web-${a}`,
      dependencies: { next: '15.0.0', '@acme/guards': '1.0.0', '@acme/db': '1.0.0' },
    }),
    c,
  );
  write(
    root,
    `${base}/tsconfig.json`,
    JSON.stringify({
      extends: '../../tsconfig.base.json',
      compilerOptions: {
        baseUrl: '../..',
        paths: {
          '@/*': [`${base}/*`],
          '@acme/guards': ['packages/guards/src/index.ts'],
          '@acme/db': ['packages/db/src/index.ts'],
        },
      },
    }),
    c,
  );
  for (let i = 0; i < routes; i++) {
    const { sens, res, model } = pickRoute(r, i);
    const dir = `${base}/app/api/v${i % 7}/${res}-${i}`;
    const mode = r();
    let text = `import { db } from '@acme/db';\n`;
    if (sens && mode < 0.4)
      text += `import { requireStepUp } from '@acme/guards';\nexport async function POST(req: Request) {\n  const block = await requireStepUp(req);\n  if (block) return block;\n  const body = await req.json();\n  return Response.json(await db.${model}.create({ data: body }), { status: 201 });\n}\n`;
    else if (sens && mode < 0.7)
      text += `import { withStepUp } from '@acme/guards';\nexport const POST = withStepUp(async (req: Request) => {\n  const { amount, toAccount } = await req.json();\n  return Response.json(await db.${model}.create({ data: { amount, toAccount } }));\n});\n`;
    else
      text += `export async function POST(req: Request) {\n  const body = await req.json();\n  return Response.json(await db.${model}.create({ data: body }), { status: 201 });\n}\n`;
    text += `export async function GET() {\n  return Response.json(await db.${model}.findMany({ take: 20 }));\n}\n`;
    write(root, `${dir}/route.ts`, text, c);
  }
  for (let i = 0; i < fillers; i++)
    write(root, `${base}/components/area-${i % 40}/widget-${i}.tsx`, filler(r, i, 'component'), c);
}

/** One route's resource: sensitive three times in ten (a sensitive resource and its model), else an ordinary one. */
function pickRoute(r, i) {
  const sens = r() < 0.3 ? SENSITIVE[Math.floor(r() * SENSITIVE.length)] : undefined;
  return { sens, res: sens ? sens[0] : RESOURCES[i % RESOURCES.length], model: sens ? sens[1] : 'post' };
}

function expressApp(root, r, a, routes, fillers, c) {
  const base = `apps/api-${a}`;
  write(
    root,
    `${base}/package.json`,
    JSON.stringify({
      name: `@acme/api-${a}`,
      dependencies: { express: '4.21.0', '@acme/guards': '1.0.0', '@acme/db': '1.0.0' },
    }),
    c,
  );
  write(root, `${base}/tsconfig.json`, JSON.stringify({ extends: '../../tsconfig.base.json' }), c);
  const imports = [];
  const mounts = [];
  for (let i = 0; i < routes; i++) {
    const { sens, res, model } = pickRoute(r, i);
    const guarded = sens && r() < 0.5;
    let text = `import { Router } from 'express';\nimport { db } from '@acme/db';\n${guarded ? "import { requireRecentAuth } from '@acme/guards';\n" : ''}const router = Router();\n`;
    text += `router.get('/', async (req, res) => res.json(await db.${model}.findMany()));\n`;
    text += `router.post('/', ${guarded ? 'requireRecentAuth, ' : ''}async (req, res) => {\n  res.status(201).json(await db.${model}.create({ data: req.body }));\n});\n`;
    text += `router.delete('/:id', async (req, res) => {\n  await db.${model}.delete({ where: { id: req.params.id } });\n  res.sendStatus(204);\n});\nexport default router;\n`;
    write(root, `${base}/src/routes/${res}-${i}.ts`, text, c);
    imports.push(`import r${i} from './routes/${res}-${i}';`);
    mounts.push(`app.use('/api/${res}-${i}', r${i});`);
  }
  write(
    root,
    `${base}/src/app.ts`,
    `import express from 'express';\n${imports.join('\n')}\nconst app = express();\napp.use(express.json());\n${mounts.join('\n')}\napp.listen(3000);\n`,
    c,
  );
  for (let i = 0; i < fillers; i++)
    write(root, `${base}/src/services/domain-${i % 30}/service-${i}.ts`, filler(r, i, 'service'), c);
}

function honoApp(root, r, a, routes, fillers, c) {
  const base = `apps/edge-${a}`;
  write(
    root,
    `${base}/package.json`,
    JSON.stringify({
      name: `@acme/edge-${a}`,
      dependencies: { hono: '4.6.0', '@acme/guards': '1.0.0', '@acme/db': '1.0.0' },
    }),
    c,
  );
  write(root, `${base}/tsconfig.json`, JSON.stringify({ extends: '../../tsconfig.base.json' }), c);
  const imports = [];
  const mounts = [];
  for (let i = 0; i < routes; i++) {
    const { sens, res, model } = pickRoute(r, i);
    const guarded = sens && r() < 0.5;
    let text = `import { Hono } from 'hono';\nimport { db } from '@acme/db';\n${guarded ? "import { stepUp } from '@acme/guards/hono';\n" : ''}export const sub = new Hono();\n`;
    text += `sub.get('/', async (c) => c.json(await db.${model}.findMany()));\n`;
    text += `sub.post('/', ${guarded ? 'stepUp, ' : ''}async (c) => c.json(await db.${model}.create({ data: await c.req.json() }), 201));\n`;
    write(root, `${base}/src/routes/${res}-${i}.ts`, text, c);
    imports.push(`import { sub as s${i} } from './routes/${res}-${i}';`);
    mounts.push(`app.route('/${res}-${i}', s${i});`);
  }
  write(
    root,
    `${base}/src/index.ts`,
    `import { Hono } from 'hono';\n${imports.join('\n')}\nconst app = new Hono().basePath('/v1');\n${mounts.join('\n')}\nexport default app;\n`,
    c,
  );
  for (let i = 0; i < fillers; i++) write(root, `${base}/src/lib/part-${i % 30}/util-${i}.ts`, filler(r, i, 'util'), c);
}

/** Writes a monorepo of about `files` source files (15% declaring routes) under `root`. */
export function generate(root, files = 10_000, seed = 42) {
  const r = rng(seed);
  const c = { files: 0 };
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(root, { recursive: true });
  sharedPackages(root, c);
  const routeFiles = Math.round(files * 0.15);
  const apps = Math.max(3, Math.round(files / 2500) * 3);
  const perApp = Math.ceil(routeFiles / apps);
  const fillerPerApp = Math.ceil((files - routeFiles - 10) / apps);
  for (let a = 0; a < apps; a++) {
    const kind = a % 3;
    if (kind === 0) nextApp(root, r, a, perApp, fillerPerApp, c);
    else if (kind === 1) expressApp(root, r, a, perApp, fillerPerApp - 1, c);
    else honoApp(root, r, a, perApp, fillerPerApp - 1, c);
  }
  return { files: c.files, routeFiles: apps * perApp };
}
