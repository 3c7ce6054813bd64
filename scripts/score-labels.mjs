#!/usr/bin/env node
// Scores the scanner against the blind-labelled corpus (corpus/labels/*.json).
//
//   node scripts/score-labels.mjs [--split tune|held|all] [--repos <dir>] [--show] [--by-asset] [--only owner/name]
//
// Each label file names a public repository, the commit labelled and the application root. The
// repository must be checked out at <repos>/<owner>__<name> (default /work/repos); nothing is
// fetched. The scanner (bin/stepup-audit.js, built) is run on <checkout>/<root> with --format json.
//
// The split is fixed by the repository name (first hex digit of sha1(owner/name): 0-7 tune, 8-f
// held out), so it never depends on results. Tune on `tune`; read `held` misses only when reporting.
//
// Matching: endpoints match on method and path, with parameter syntax normalised (`:id`, `[id]`,
// `{id}`, `[...x]` → `:`), trailing slashes removed; server actions on `<file>#<export>` (suffix
// match, since app roots differ); an `ANY` the scanner reports for a handler the label splits by
// method is an inventory miss for each method (classification is still scored on it). A label's `ALL`
// (app.all) is the scanner's `ANY`.
// Metrics:
//   inventory recall   labelled endpoints found at the right method and path, per framework
//   sensitivity P/R    TP: labelled and reported sensitive; FN: labelled sensitive, reported not (or
//                      not found); FP: reported sensitive, labelled not
//   finding F1         expected: labelled sensitive with step-up absent or broken; reported: sensitive
//                      with status missing or broken (unverifiable is shown apart)
//   step-up credit     of labelled-present endpoints reported sensitive, how many are enforced; and
//                      false "enforced" (reported enforced, labelled absent or broken)
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const project = path.resolve(here, '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const split = opt('split', 'tune');
const reposDir = opt('repos', '/work/repos');
const labelsDir = opt('labels', path.join(project, 'corpus/labels'));
const only = opt('only', undefined);
const show = args.includes('--show');
// --dump <file>: one JSON line per labelled endpoint (label and scan side by side), for per-rule analysis
const dump = opt('dump', undefined);
if (dump) fs.writeFileSync(dump, '');
const bin = path.join(project, 'bin/stepup-audit.js');

export function splitOf(repo) {
  const h = crypto.createHash('sha1').update(repo).digest('hex')[0];
  return parseInt(h, 16) < 8 ? 'tune' : 'held';
}

function normPath(p) {
  let s = p
    .replace(/\[\[\.\.\.[^\]]+\]\]|\[\.\.\.[^\]]+\]|\[[^\]]+\]|\{[^}]+\}|:[A-Za-z_$][\w$]*\??/g, ':')
    .replace(/\/+$/, '');
  return s === '' ? '/' : s;
}

function actionKey(p) {
  const [file, name] = p.split('#');
  return { file: file.replace(/\.(t|j)sx?$/, ''), name };
}

// a default export is `#default`; a label may name it by the function's own name
// (`export default async function addBalance` labelled `#addBalance`), which the scan reports as its handler
function sameAction(se, labelPath) {
  const x = actionKey(se.path);
  const y = actionKey(labelPath);
  const named = x.name === y.name || (x.name === 'default' && se.handler?.name === y.name);
  return named && (x.file.endsWith(y.file) || y.file.endsWith(x.file));
}

function scanRepo(dir) {
  try {
    const out = execFileSync(process.execPath, [bin, dir, '--format', 'json', '--fail-on', 'none', '--allow-empty'], {
      maxBuffer: 1 << 28,
      timeout: 600_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return JSON.parse(out.toString());
  } catch (err) {
    // older builds without --allow-empty, or exit codes other than 0
    try {
      const out = execFileSync(process.execPath, [bin, dir, '--format', 'json', '--fail-on', 'none'], {
        maxBuffer: 1 << 28,
        timeout: 600_000,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      return JSON.parse(out.toString());
    } catch (err2) {
      const stdout = err2.stdout?.toString();
      if (stdout)
        try {
          return JSON.parse(stdout);
        } catch {
          /* fall through */
        }
      return { endpoints: [], error: String(err2.message).split('\n')[0] };
    }
  }
}

const ratio = (a, b) => (b ? a / b : NaN);
const f1 = (tp, fp, fn) => ratio(2 * tp, 2 * tp + fp + fn);
const fmt = (x) => (Number.isNaN(x) ? '  -  ' : x.toFixed(3));

const files = fs
  .readdirSync(labelsDir)
  .filter((f) => f.endsWith('.json'))
  .sort();
const total = {
  inv: {},
  sens: { tp: 0, fp: 0, fn: 0 },
  find: { tp: 0, fp: 0, fn: 0 },
  present: 0,
  credited: 0,
  falseEnforced: 0,
  unverifiable: 0,
  repos: 0,
  extra: 0,
  // reported sensitive, by what decided it: an effect the asset model names, or words alone
  evidence: { effect: { tp: 0, fp: 0 }, words: { tp: 0, fp: 0 } },
  byAsset: {},
};
const rows = [];
for (const f of files) {
  const label = JSON.parse(fs.readFileSync(path.join(labelsDir, f), 'utf8'));
  if (only && label.repo !== only) continue;
  if (split !== 'all' && splitOf(label.repo) !== split) continue;
  const checkout = path.join(reposDir, label.repo.replace('/', '__'));
  if (!fs.existsSync(checkout)) {
    rows.push(`${label.repo}: not checked out at ${checkout}`);
    continue;
  }
  const dir = path.join(checkout, label.root || '');
  const result = scanRepo(dir);
  total.repos++;
  const scanned = (result.endpoints ?? []).filter(
    (e) => !(e.framework?.startsWith('next') && /\/api\/trpc\/\[[^\]]+\]$/.test(e.path)),
  );
  const used = new Set();
  const repo = { inv: 0, n: 0, sens: { tp: 0, fp: 0, fn: 0 }, find: { tp: 0, fp: 0, fn: 0 } };
  const notes = [];
  for (const le of label.endpoints) {
    if (le.framework?.startsWith('next') && /\/api\/trpc\/\[[^\]]+\]$/.test(le.path)) continue;
    const fw = le.framework ?? 'unknown';
    total.inv[fw] ??= { found: 0, n: 0 };
    total.inv[fw].n++;
    repo.n++;
    const isAction = le.method === 'ACTION';
    const candidates = scanned.filter((se) =>
      isAction ? se.method === 'ACTION' && sameAction(se, le.path) : normPath(se.path) === normPath(le.path),
    );
    // `ALL` (Express/Hono `app.all`) and `ANY` name the same thing: a handler that answers every method
    const method = le.method === 'ALL' ? 'ANY' : le.method;
    let se = candidates.find((c) => c.method === method && !used.has(c));
    const exact = !!se;
    if (!se) se = candidates.find((c) => c.method === 'ANY') ?? candidates.find(() => method === 'ANY');
    if (exact) {
      used.add(se);
      total.inv[fw].found++;
      repo.inv++;
    } else if (show) notes.push(`  inventory miss: ${le.method} ${le.path}${se ? ` (scanner has ${se.method})` : ''}`);
    if (se && !exact) used.add(se);
    const reported = !!se?.sensitive;
    if (dump)
      fs.appendFileSync(
        dump,
        JSON.stringify({
          repo: label.repo,
          method: le.method,
          path: le.path,
          label: { sensitive: le.sensitive, stepUp: le.stepUp, categories: le.categories, why: le.why },
          scan: se
            ? { sensitive: !!se.sensitive, status: se.stepUp?.status, categories: se.categories, reasons: se.reasons }
            : null,
        }) + '\n',
      );
    if (reported) {
      const by = se.reasons?.some((r) => r.kind === 'asset' || r.kind === 'call' || r.kind === 'config')
        ? 'effect'
        : 'words';
      total.evidence[by][le.sensitive ? 'tp' : 'fp']++;
      // and by each asset rule that decided it (a reported endpoint counts once per rule)
      for (const id of new Set((se.reasons ?? []).filter((r) => r.kind === 'asset').map((r) => r.value))) {
        total.byAsset[id] ??= { tp: 0, fp: 0 };
        total.byAsset[id][le.sensitive ? 'tp' : 'fp']++;
      }
    }
    const status = se?.stepUp?.status;
    if (le.sensitive && reported) repo.sens.tp++;
    else if (le.sensitive) {
      repo.sens.fn++;
      if (show)
        notes.push(
          `  FN sensitive: ${le.method} ${le.path} [${le.categories.join(',')}]${se ? '' : ' (not found)'} — ${le.why ?? ''}`,
        );
    } else if (reported) {
      repo.sens.fp++;
      if (show)
        notes.push(
          `  FP sensitive: ${le.method} ${le.path} → [${se.categories.join(',')}] ${se.reasons
            ?.map((r) => r.detail ?? r.value)
            .slice(0, 3)
            .join('; ')} — label: ${le.why ?? ''}`,
        );
    }
    const expected = le.sensitive && (le.stepUp === 'absent' || le.stepUp === 'broken');
    const predicted = reported && (status === 'missing' || status === 'broken');
    if (expected && predicted) repo.find.tp++;
    else if (expected) repo.find.fn++;
    else if (predicted) repo.find.fp++;
    if (reported && status === 'unverifiable') total.unverifiable++;
    if (le.sensitive && le.stepUp === 'present' && reported) {
      total.present++;
      if (status === 'enforced') total.credited++;
      else if (show) notes.push(`  step-up not credited: ${le.method} ${le.path} → ${status} — ${le.why ?? ''}`);
    }
    if (reported && status === 'enforced' && le.stepUp !== 'present') {
      total.falseEnforced++;
      notes.push(`  FALSE ENFORCED: ${le.method} ${le.path} (label: ${le.sensitive ? le.stepUp : 'not sensitive'})`);
    }
  }
  // Reported sensitive endpoints the labels do not list at all.
  for (const se of scanned) {
    if (used.has(se) || !se.sensitive) continue;
    repo.sens.fp++;
    total.extra++;
    if (se.stepUp?.status === 'missing' || se.stepUp?.status === 'broken') repo.find.fp++;
    if (show) notes.push(`  FP sensitive (not in labels): ${se.method} ${se.path} [${se.categories.join(',')}]`);
  }
  for (const k of ['tp', 'fp', 'fn']) {
    total.sens[k] += repo.sens[k];
    total.find[k] += repo.find[k];
  }
  rows.push(
    `${label.repo.padEnd(48)} inv ${repo.inv}/${repo.n}  sens P ${fmt(ratio(repo.sens.tp, repo.sens.tp + repo.sens.fp))} R ${fmt(ratio(repo.sens.tp, repo.sens.tp + repo.sens.fn))}  find F1 ${fmt(f1(repo.find.tp, repo.find.fp, repo.find.fn))}${result.error ? `  ERROR ${result.error}` : ''}`,
  );
  rows.push(...notes);
}
console.log(rows.join('\n'));
console.log(`\n== ${split}: ${total.repos} repositories`);
const inv = Object.entries(total.inv).sort();
const invAll = inv.reduce((a, [, v]) => ({ found: a.found + v.found, n: a.n + v.n }), { found: 0, n: 0 });
console.log(
  `inventory recall ${fmt(ratio(invAll.found, invAll.n))} (${invAll.found}/${invAll.n}); ${inv.map(([k, v]) => `${k} ${fmt(ratio(v.found, v.n))} (${v.found}/${v.n})`).join(', ')}`,
);
const s = total.sens;
console.log(
  `sensitivity precision ${fmt(ratio(s.tp, s.tp + s.fp))} recall ${fmt(ratio(s.tp, s.tp + s.fn))} (tp ${s.tp}, fp ${s.fp} of which ${total.extra} not in labels, fn ${s.fn})`,
);
const ev = total.evidence;
console.log(
  `reported sensitive by evidence: effect tp ${ev.effect.tp} fp ${ev.effect.fp}; words alone tp ${ev.words.tp} fp ${ev.words.fp}`,
);
if (args.includes('--by-asset'))
  console.log(
    `reported sensitive by asset rule: ${Object.entries(total.byAsset)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, v]) => `${id} ${v.tp}/${v.fp}`)
      .join(', ')}`,
  );
const d = total.find;
console.log(
  `finding F1 ${fmt(f1(d.tp, d.fp, d.fn))} (tp ${d.tp}, fp ${d.fp}, fn ${d.fn}); unverifiable among reported sensitive: ${total.unverifiable}`,
);
console.log(
  `step-up credited ${total.credited}/${total.present} of labelled-present reported sensitive; false enforced ${total.falseEnforced}`,
);
