// Temporary mini-projects for tests: written under the OS temp folder, removed afterwards.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaults, type ResolvedConfig } from '../../src/config/types.js';
import { scan, type ScanResult } from '../../src/pipeline.js';

export function writeProject(files: Record<string, string>, prefix = 'stepup-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const [rel, text] of Object.entries(files)) {
    const abs = path.join(dir, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
  }
  return dir;
}

export function removeProject(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export async function scanFiles(
  files: Record<string, string>,
  config: Partial<ResolvedConfig> = {},
): Promise<ScanResult> {
  const dir = writeProject(files);
  try {
    return await scan({ paths: [dir], config: { ...defaults(), ...config } });
  } finally {
    removeProject(dir);
  }
}

export const NEXT_PKG = JSON.stringify({ name: 'app', dependencies: { next: '15.0.0' } });
export const EXPRESS_PKG = JSON.stringify({ name: 'api', dependencies: { express: '4.21.0' } });
export const HONO_PKG = JSON.stringify({ name: 'edge', dependencies: { hono: '4.6.0' } });
export const TSCONFIG = JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@/*': ['./*'] } } });
