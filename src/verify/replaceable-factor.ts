// A one-time-code factor whose secret another endpoint replaces with only a session. A check of a code
// against that stored secret (`speakeasy.totp.verify({ secret: user.twoFactorSecret, token })` before
// turning 2FA off or sending money) proves possession of whatever the secret is now, and a stolen session
// can first make it one of its own: `POST /2fa/setup` writing a fresh `twoFactorSecret` while 2FA is on.
// The check is then defeated (broken), as a client-chosen secret would be. Columns are rules/guards.json
// `factorSecretColumns`.
import { ts } from 'ts-morph';
import type { Effect } from '../analysis/effects.js';
import { skipOuter } from '../analysis/values.js';
import { exits, forEachNode } from '../analysis/walk.js';
import type { Endpoint, FunctionNode, Span } from '../model.js';
import { vocab } from './guard/index.js';

/** A constant that empties a column: the factor is removed, not replaced. */
const EMPTIED = /^(null|undefined|''|""|)$/;

/**
 * The factor-secret columns an endpoint's writes set to a new value without switching the factor on (a
 * setup step keeping its pending secret in the live column), unless the handler writes them only while the
 * factor is off (it refuses first when the factor is on, or writes under a test that it is off).
 */
export function factorSecretsWritten(effects: readonly Effect[], fn: FunctionNode | undefined): string[] {
  const v = vocab();
  const out = new Set<string>();
  for (const e of effects) {
    if (e.kind !== 'db-write' && e.kind !== 'sql-write') continue;
    if (/^(delete|remove|destroy)/i.test(e.action ?? '')) continue;
    if (fn && writtenOnlyWhileOff(e.node, fn)) continue;
    for (const k of e.dataKeys) {
      if (!v.factorSecretColumns.test(k)) continue;
      const c = e.constants?.[k];
      if (c !== undefined && EMPTIED.test(c.trim())) continue;
      out.add(columnKey(k));
    }
  }
  if (!out.size || (fn && refusesWhenOn(fn))) return [];
  // (an enrolment that switches the factor on with the new secret, after a code of it, is a change of the
  // factor reported as such; the defect here is a pending secret kept in the live one's column)
  const switchesOn = effects.some((e) =>
    e.dataKeys.some((k) => v.factorEnabledFlags.test(k) && /^(true|1)$/.test(e.constants?.[k] ?? '')),
  );
  return switchesOn ? [] : [...out].sort();
}

function columnKey(k: string): string {
  return k.toLowerCase().replace(/_/g, '');
}

/** Does a condition test that the factor is on (`user.twoFactorEnabled`, `mfa_enabled === true`), not negated? */
function testsOn(cond: ts.Expression, negate = false): boolean | undefined {
  const x = skipOuter(cond);
  if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.ExclamationToken)
    return testsOn(x.operand, !negate);
  if (ts.isBinaryExpression(x)) {
    const op = x.operatorToken.kind;
    if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.AmpersandAmpersandToken)
      return testsOn(x.left, negate) ?? testsOn(x.right, negate);
    const eq = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken;
    const ne = op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
    if (!eq && !ne) return undefined;
    const r = skipOuter(x.right);
    const lit = r.kind === ts.SyntaxKind.TrueKeyword ? true : r.kind === ts.SyntaxKind.FalseKeyword ? false : undefined;
    if (lit === undefined) return undefined;
    const flag = testsOn(x.left, false);
    if (flag === undefined) return undefined;
    return (lit === eq) !== negate ? flag : !flag;
  }
  const name = ts.isPropertyAccessExpression(x) ? x.name.text : ts.isIdentifier(x) ? x.text : undefined;
  const v = vocab();
  if (name && v.factorEnabledFlags.test(name)) return !negate;
  // a flag of the factor's own record (`user.twoFactor?.enabled`, `mfa.active`)
  if (!name || !ts.isPropertyAccessExpression(x) || !v.factorRecordFlags.test(name)) return undefined;
  const recv = skipOuter(x.expression);
  const owner = ts.isPropertyAccessExpression(recv) ? recv.name.text : ts.isIdentifier(recv) ? recv.text : '';
  return v.factorRecords.test(owner) ? !negate : undefined;
}

/** Does the handler refuse when the factor is already on (`if (user.twoFactorEnabled) return res.status(400)…`)? */
function refusesWhenOn(fn: FunctionNode): boolean {
  let found = false;
  forEachNode(fn, (n) => {
    if (found || (n !== fn && ts.isFunctionLike(n))) return false;
    if (ts.isIfStatement(n) && testsOn(n.expression) === true && exits(n.thenStatement)) found = true;
  });
  return found;
}

/** Is the write inside a branch taken only while the factor is off (`if (!user.mfaEnabled) { … }`)? */
function writtenOnlyWhileOff(node: ts.Node, fn: FunctionNode): boolean {
  for (let p: ts.Node | undefined = node; p && p !== fn; p = p.parent) {
    const parent: ts.Node | undefined = p.parent;
    if (parent && ts.isIfStatement(parent) && parent.thenStatement === p && testsOn(parent.expression) === false)
      return true;
  }
  return false;
}

/**
 * After verification: an endpoint enforced by a code checked against a factor secret that another endpoint
 * replaces with only a session (its own verdict not enforced) is broken.
 */
export function replaceableFactors(endpoints: readonly Endpoint[], lines: (span: Span) => string): void {
  const replacers = new Map<string, Endpoint[]>();
  for (const ep of endpoints) {
    const status = ep.verdict?.status;
    if (status === 'enforced' || status === 'unverifiable') continue;
    for (const c of ep.classification?.factorSecretWrites ?? []) {
      const list = replacers.get(c) ?? [];
      list.push(ep);
      replacers.set(c, list);
    }
  }
  if (!replacers.size) return;
  for (const ep of endpoints) {
    const v = ep.verdict;
    if (!v || v.status !== 'enforced' || !ep.classification?.sensitive) continue;
    for (const g of v.guards) {
      const text = `${g.name}\n${lines(g.span)}`;
      const names = new Set([...text.matchAll(/[A-Za-z_$][\w$]*/g)].map((m) => columnKey(m[0])));
      const hit = [...replacers].find(([c, eps]) => names.has(c) && eps.some((r) => r !== ep));
      if (!hit) continue;
      const [column, eps] = hit;
      const by = eps.find((r) => r !== ep)!;
      v.status = 'broken';
      v.findings.push({
        ruleId: 'stepup/incomplete',
        level: 'error',
        message: `${g.name} (line ${g.span.line}) checks a code against the stored ${column}, which ${by.method} ${by.path} replaces with only a session (it writes a new one without refusing while the factor is on): a stolen session can set its own secret there first and then pass this check. Refuse to replace an active factor's secret without step-up, or keep a pending secret apart from the live one.`,
        endpointId: ep.id,
        span: g.span,
        related: [
          { role: 'guard', message: 'checks the code against a replaceable secret', span: g.span },
          { role: 'defeated-branch', message: `${by.method} ${by.path} replaces the secret`, span: by.anchor },
        ],
      });
      break;
    }
  }
}
