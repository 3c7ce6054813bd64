// Builds dist/ from src/ without the development dependencies: each module is transpiled with the
// TypeScript compiler that ts-morph (a production dependency) carries. No type-checking and no
// declarations: `npm run build` (tsc) does both; this is for a fresh source checkout and the
// GitHub Action, which install production dependencies only.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function buildDist() {
  // ts-morph is CommonJS and carries its own TypeScript compiler.
  const { ts } = createRequire(path.join(root, 'package.json'))('ts-morph');
  const src = path.join(root, 'src');
  const dist = path.join(root, 'dist');
  const tmp = fs.mkdtempSync(path.join(root, '.dist-'));
  try {
    const walk = (dir) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
          const out = ts.transpileModule(fs.readFileSync(p, 'utf8'), {
            fileName: p,
            compilerOptions: {
              target: ts.ScriptTarget.ES2022,
              module: ts.ModuleKind.ESNext,
              esModuleInterop: true,
              sourceMap: false,
            },
          });
          const dest = path.join(tmp, path.relative(src, p)).replace(/\.ts$/, '.js');
          fs.mkdirSync(path.dirname(dest), { recursive: true });
          fs.writeFileSync(dest, out.outputText);
        }
      }
    };
    walk(src);
    fs.rmSync(dist, { recursive: true, force: true });
    fs.renameSync(tmp, dist);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildDist();
  process.stdout.write('built dist/ with the TypeScript compiler from ts-morph\n');
}
