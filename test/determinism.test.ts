// Results do not depend on what else one scan asked first: an application scanned alone and the same
// application scanned after, or beside, others (resolution caches filled in another order, the budget
// spent elsewhere) gets the same endpoints, sensitivity and verdicts.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaults } from '../src/config/types.js';
import { scan, type ScanResult } from '../src/pipeline.js';

const repo = path.resolve(__dirname, '..');
const apps = [
  'fixtures/express/regress-booted-controllers',
  'fixtures/express/regress-router-run-by-wrapper',
  'fixtures/hono/regress-otpauth-parsed-receiver',
  'fixtures/trpc/regress-lazy-module-sole-router',
].map((p) => path.join(repo, p));

/** What a report says of each endpoint, keyed by its file, method and path. */
function outcome(r: ScanResult, root: string): string[] {
  return r.endpoints
    .filter((e) => path.resolve(r.base, e.anchor.file).startsWith(root + path.sep))
    .map(
      (e) =>
        `${path.relative(root, path.resolve(r.base, e.anchor.file))}:${e.anchor.line} ${e.method} ${e.path} ` +
        `${(e.classification?.categories ?? []).join(',')} ${e.verdict?.status ?? '-'}`,
    )
    .sort();
}

describe('results do not depend on the order of the work', () => {
  it('an application scanned alone, first or last among others gets the same results', async () => {
    const alone = new Map<string, string[]>();
    for (const a of apps) alone.set(a, outcome(await scan({ paths: [a], config: defaults() }), a));
    for (const order of [apps, [...apps].reverse()]) {
      const together = await scan({ paths: order, config: defaults() });
      for (const a of apps) expect(outcome(together, a), path.relative(repo, a)).toEqual(alone.get(a));
    }
    // every application has endpoints and sensitive ones: the comparison says something
    for (const a of apps) {
      expect(alone.get(a)!.length).toBeGreaterThan(1);
      expect(alone.get(a)!.some((l) => /\b(missing|enforced|broken)$/.test(l))).toBe(true);
    }
  }, 120_000);
});
