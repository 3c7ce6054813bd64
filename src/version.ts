import fs from 'node:fs';
import { compiled } from './rules/load.js';

/** This package's version (a constant of the installed package). */
export const toolVersion = compiled((): string => {
  try {
    return (JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
      .version;
  } catch {
    return '0.0.0';
  }
});
