import fs from 'node:fs';

let cached: string | undefined;

export function toolVersion(): string {
  if (!cached) {
    try {
      cached = (JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      cached = '0.0.0';
    }
  }
  return cached;
}
