// The router graph models routers, sub-routers and router *parameters* of registrar functions.
// A parameter becomes a router only when a router reaches it; ordinary values passed from one
// helper to the next must not (they multiplied the graph and stalled linking on large apps).
import { describe, expect, it } from 'vitest';
import { HONO_PKG, scanFiles } from './helpers/project.js';

/** `n` service helpers, each passing its destructured parameters on to the next. */
function serviceChain(n: number): string {
  const out = ['export const db: any = {};'];
  for (let i = 0; i < n; i++) {
    out.push(
      `export async function step${i}({ organizationId, documentId }: { organizationId: string; documentId: string }) {`,
    );
    out.push(
      i + 1 < n
        ? `  await step${i + 1}({ organizationId, documentId });`
        : '  await db.documents.delete({ where: { id: documentId } });',
    );
    out.push(`  return lookup${i}(organizationId, documentId);`);
    out.push('}');
    out.push(
      `function lookup${i}(organizationId: string, documentId: string) { return db.cache.get(organizationId + documentId); }`,
    );
  }
  return out.join('\n');
}

const files = {
  'package.json': HONO_PKG,
  'src/server.ts': `import { Hono } from 'hono';
import registerDocuments from './documents.routes';
const app = new Hono();
registerDocuments(app);
export default app;
`,
  // A default-exported registrar: no stable name, so every call is a linking candidate.
  'src/documents.routes.ts': `import type { Hono } from 'hono';
import { step0 } from './documents.usecases';
export default (app: Hono) => {
  app.delete('/organizations/:organizationId/documents/:documentId', async (c) => {
    const { organizationId, documentId } = c.req.param();
    await step0({ organizationId, documentId });
    return c.json({ ok: true });
  });
};
`,
  'src/documents.usecases.ts': serviceChain(12),
};

describe('router graph', () => {
  it('makes router parameters only of parameters a router reaches', async () => {
    const result = await scanFiles(files);
    expect(result.endpoints.map((e) => `${e.method} ${e.path}`)).toEqual([
      'DELETE /organizations/:organizationId/documents/:documentId',
    ]);
    // Hono: the app and the registrar's `app` parameter; Express: the same parameter (which yields
    // nothing without Express evidence). Nothing for the helpers' parameters (51 before the fix).
    expect(result.stats.routers).toBe(3);
  });
});

describe('unmounted routers', () => {
  it('are reported once in errors[], with their routes, and are not endpoints', async () => {
    const result = await scanFiles({
      'package.json': HONO_PKG,
      'src/archive.ts': `import { Hono } from 'hono';
export const archive = new Hono();
archive.get('/', (c) => c.json([]));
archive.delete('/:id', (c) => c.body(null, 204));
`,
      'src/app.ts': `import { Hono } from 'hono';
import { archive } from './archive';
const app = new Hono();
app.get('/health', (c) => c.text(String(typeof archive)));
export default app;
`,
    });
    expect(result.endpoints.map((e) => `${e.method} ${e.path}`)).toEqual(['GET /health']);
    const notes = result.errors.filter((e) => /never mounted/.test(e.message));
    expect(notes).toHaveLength(1);
    expect(notes[0].file).toMatch(/src[/]archive\.ts$/);
    expect(notes[0].message).toContain('GET /, DELETE /:id');
  });

  it('an application module imported only to be served stays the application', async () => {
    const result = await scanFiles({
      'package.json': HONO_PKG,
      'src/app.ts': `import { Hono } from 'hono';
export const app = new Hono();
app.get('/health', (c) => c.text('up'));
`,
      'src/index.ts': `import { app } from './app';
export default { fetch: app.fetch };
`,
    });
    expect(result.endpoints.map((e) => `${e.method} ${e.path}`)).toEqual(['GET /health']);
    expect(result.errors).toEqual([]);
  });
});

describe('a registration in a file that cannot be parsed whole shadows nothing', () => {
  it('a later route of the same method and path is still listed when the earlier one may hand on', async () => {
    const r = await scanFiles({
      'package.json': HONO_PKG,
      'src/members.ts': `import { Hono } from 'hono';
const members = new Hono();
members.get('/', (c) => c.json([]));
export default members;
`,
      'src/index.ts': `import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import members from './members';
const requireManager = createMiddleware(async (c, next) => {
  if (c.req.header'x-role') != 'manager')  c.text('forbidden', 403);
  await next();
});
const app = new Hono();
app.get('/api/members', requireManager);
app.route('/api/members', members);
export default app;
`,
    });
    expect(r.endpoints.some((e) => e.path === '/api/members' && e.anchor.file.endsWith('members.ts'))).toBe(true);
  });
});

describe('a Hono app handed to a Next.js route file that cannot be parsed whole', () => {
  it('keeps every route of the app: the methods the host exports cannot all be read', async () => {
    const r = await scanFiles({
      'package.json': JSON.stringify({ name: 'web', dependencies: { next: '15.0.0', hono: '4.6.0' } }),
      'server/rpc.ts': `import { Hono } from 'hono';
export const rpc = new Hono().basePath('/rpc');
rpc.get('/todos', (c) => c.json([]));
rpc.delete('/todos/:id', (c) => c.json({ ok: true }));
`,
      'app/rpc/[[...route]]/route.ts': `import { handle } from 'hono/vercel';
import { rpc } from '../../../server/rpc';
export const GET = handle(rpc);
export const DELE"TE = handle(rpc);
`,
    });
    expect(r.endpoints.map((e) => `${e.method} ${e.path}`)).toEqual(
      expect.arrayContaining(['GET /rpc/todos', 'DELETE /rpc/todos/:id']),
    );
  });
});

describe('a router never mounted is reported in every file its routes are written in', () => {
  it('the sub-router files are named, not only the root router file', async () => {
    const r = await scanFiles({
      'package.json': JSON.stringify({ name: 'api', dependencies: { express: '4.21.0' } }),
      'src/app.js': `const express = require('e\u3000xpress');\nconst routes = require('./routes');\nconst app = express();\napp.use('/v1', routes);\n`,
      'src/routes/index.js': `const express = require('express');\nconst users = require('./users');\nconst router = express.Router();\nrouter.use('/users', users);\nmodule.exports = router;\n`,
      'src/routes/users.js': `const express = require('express');\nconst router = express.Router();\nrouter.delete('/:id', (req, res) => res.end());\nmodule.exports = router;\n`,
    });
    const noted = r.errors
      .filter((e) => /never mounted/.test(e.message))
      .map((e) => e.file.split('/').slice(-2).join('/'));
    expect(noted).toEqual(expect.arrayContaining(['routes/index.js', 'routes/users.js']));
  });
});

describe('files importing an anonymous registrar', () => {
  // `mount` is a default-exported registrar in src/routes/server.ts, called from the entry. Many files import `hono/server`-like package paths ending in the same name:
  // they are not importers of the registrar and must not be parsed to find its caller.
  const many: Record<string, string> = {};
  for (let i = 0; i < 20; i++)
    many[`src/lib/helper${i}.ts`] =
      `import { thing } from 'some-kit/server';\nexport const helper${i} = () => thing(${i});\n`;
  const project = {
    'package.json': HONO_PKG,
    'src/app.ts': `import { Hono } from 'hono';\nexport const app = new Hono();\n`,
    'src/routes/server.ts': `import type { Hono } from 'hono';
export default (app: Hono) => {
  app.post('/wallet/withdraw', async (c) => c.json({ ok: true }));
};
`,
    'src/main.ts': `import { serve } from '@hono/node-server';
import { app } from './app';
import mount from './routes/server';
mount(app);
serve({ fetch: app.fetch, port: 3000 });
`,
    ...many,
  };

  it('finds the caller through a specifier that resolves to the registrar, and only there', async () => {
    const result = await scanFiles(project);
    expect(result.endpoints.map((e) => `${e.method} ${e.path}`)).toEqual(['POST /wallet/withdraw']);
    // app.ts, routes/server.ts and main.ts, and none of the 20 package importers (23 before)
    expect(result.stats.parsed).toBe(3);
  });
});
