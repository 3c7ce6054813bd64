// Deno's module names: registry specifiers and import-map entries, read as the package or file they stand for.
import { describe, expect, it } from 'vitest';
import { denoPackage, denoTarget, mapSpecifier } from '../src/project/import-map.js';

describe('Deno specifiers', () => {
  it('reads registry and URL specifiers as package names, without versions', () => {
    expect(denoPackage('npm:hono@^4.6.14')).toBe('hono');
    expect(denoPackage('npm:hono@4/cors')).toBe('hono/cors');
    expect(denoPackage('npm:@hono/zod-openapi@0.9.0')).toBe('@hono/zod-openapi');
    expect(denoPackage('jsr:@hono/hono@^4')).toBe('@hono/hono');
    expect(denoPackage('jsr:@std/assert')).toBe('@std/assert');
    expect(denoPackage('https://deno.land/x/hono@v4.3.11/mod.ts')).toBe('hono');
    expect(denoPackage('https://deno.land/x/hono@v4.3.11/middleware.ts')).toBe('hono/middleware');
    expect(denoPackage('https://esm.sh/stripe@14?target=deno')).toBe('stripe');
    expect(denoPackage('hono')).toBeUndefined();
    expect(denoPackage('https://example.com/x.ts')).toBeUndefined();
  });

  it('maps exact keys, then the longest prefix key', () => {
    const map = {
      base: '/p',
      entries: new Map([
        ['@hono', 'npm:hono@4'],
        ['@/', './src/'],
        ['@/lib/', './lib/'],
      ]),
    };
    expect(mapSpecifier('@hono', map)).toBe('npm:hono@4');
    expect(mapSpecifier('@/routes/a.ts', map)).toBe('./src/routes/a.ts');
    expect(mapSpecifier('@/lib/db.ts', map)).toBe('./lib/db.ts');
    expect(mapSpecifier('@honox', map)).toBeUndefined();
    expect(denoTarget('@hono', map)).toEqual({ kind: 'package', module: 'hono' });
    expect(denoTarget('@/routes/a.ts', map)).toEqual({ kind: 'path', file: '/p/src/routes/a.ts' });
    expect(denoTarget('express', map)).toBeUndefined();
  });
});
