// Every fixture mini-project is scanned and compared with the annotations written in it.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listFixtures } from './helpers/annotations.js';
import { checkFixture } from './helpers/oracle.js';

const root = path.resolve(__dirname, '../fixtures');

describe('fixtures', () => {
  for (const dir of listFixtures(root)) {
    it(path.relative(root, dir), async () => {
      const r = await checkFixture(dir);
      expect(r.problems).toEqual([]);
    });
  }
});
