// A tree with one file of each shape that used to cost a whole adapter or a whole file: an import
// whose specifier has no text, a 3,000-term concatenation, callbacks nested 300 deep and a route
// file over 1 MiB, next to healthy files (a Hono application).
export function hostileFiles(): Record<string, string> {
  const terms = Array.from({ length: 3000 }, (_, i) => `'x${i}'`).join(' + ');
  let nest = 'done()';
  for (let i = 0; i < 300; i++) nest = `step(function () { ${nest} })`;
  return {
    'package.json': JSON.stringify({ name: 'hostile-hono', dependencies: { hono: '4.6.0' } }),
    'src/db.ts': 'export const db: any = {};\n',
    'src/index.ts': [
      "import { Hono } from 'hono';",
      "import { db } from './db';",
      "import { listRoutes } from './list';",
      "import { concatRoutes } from './concat';",
      "import { nestRoutes } from './nest';",
      'const app = new Hono();',
      "app.post('/api/payouts', async (c) => { await db.payout.create({ data: await c.req.json() }); return c.json({ ok: true }); });",
      "app.route('/list', listRoutes);",
      "app.route('/concat', concatRoutes);",
      "app.route('/nest', nestRoutes);",
      'export default app;',
      '',
    ].join('\n'),
    // an import without its opening quote (moduleSpecifier without text)
    'src/list.ts':
      "import { Hono } from 'hono';\nimport { list } from ../x';\nimport { db } from './db';\nexport const listRoutes = new Hono();\nlistRoutes.get('/', (c) => c.json(list()));\nlistRoutes.post('/transfers', async (c) => { await db.transfer.create({ data: await c.req.json() }); return c.json({}); });\n",
    'src/concat.ts': `import { Hono } from 'hono';\nimport { db } from './db';\nexport const concatRoutes = new Hono();\nconst banner = ${terms};\nconcatRoutes.post('/wires', async (c) => { await db.wire.create({ data: { note: banner } }); return c.json({}); });\nconcatRoutes.delete('/account', async (c) => { await db.user.delete({ where: { id: 1 } }); return c.json({}); });\n`,
    'src/nest.ts': `import { Hono } from 'hono';\nimport { db } from './db';\nexport const nestRoutes = new Hono();\ndeclare function step(f: () => void): void;\ndeclare function done(): void;\nexport function deep() { ${nest}; }\nnestRoutes.post('/api-keys', async (c) => { await db.apiKey.create({ data: {} }); return c.json({}); });\n`,
    'src/big.ts': `import { Hono } from 'hono';\nimport { db } from './db';\nconst big = new Hono();\nbig.post('/api/big/withdrawals', async (c) => { await db.withdrawal.create({ data: {} }); return c.json({}); });\nexport default big;\n// ${'x'.repeat(1_100_000)}\n`,
  };
}
