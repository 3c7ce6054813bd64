// Body fields: what a handler reads of the request body, however it reaches the value.
import { describe, expect, it } from 'vitest';
import { scanFiles } from './helpers/project.js';

const PKG = JSON.stringify({ name: 'body', dependencies: { next: '15.0.0' } });

async function fieldsOf(handler: string): Promise<string[]> {
  const r = await scanFiles({
    'package.json': PKG,
    'app/api/hooks/route.ts': `export async function POST(req: Request) {\n${handler}\n  return Response.json({ ok: true });\n}\n`,
  });
  const ep = r.endpoints.find((e) => e.path === '/api/hooks' && e.method === 'POST');
  if (!ep) throw new Error('no POST /api/hooks');
  return ep.bodyFields.map((f) => f.name).sort();
}

describe('body fields', () => {
  it('a parse with a fallback (`req.json().catch(() => ({}))`) is the body, not a field named catch', async () => {
    expect(
      await fieldsOf(`  const body = await req.json().catch(() => ({}));
  const { url, events } = body as { url?: string; events?: string[] };
  console.log(url, events);`),
    ).toEqual(['events', 'url']);
  });

  it('a member read straight off the parse with a fallback is a field', async () => {
    expect(await fieldsOf(`  const to = (await req.json().catch(() => null))?.to;\n  console.log(to);`)).toEqual([
      'to',
    ]);
  });

  it('`finally` passes the body through as well', async () => {
    expect(
      await fieldsOf(
        `  const { amount } = await req.json().finally(() => console.log('parsed'));\n  console.log(amount);`,
      ),
    ).toEqual(['amount']);
  });
});
