// The verdict for one endpoint: enforced, missing, broken or unverifiable, with findings that
// say what is wrong, why it matters and how to fix it, pointing at the lines involved.
import path from 'node:path';
import { ts } from 'ts-morph';
import type { Endpoint, Finding, GuardUse, Related, Verdict } from '../model.js';
import { ruleMeta } from '../rules/findings.js';
import { shortText, spanOf } from '../util.js';
import type { VerifyContext } from './context.js';
import { counts, type FlowPoint } from './flow.js';
import { decidedPositions, fmtMinutes } from './guard/index.js';
import { analyseStages, describeGuard, workCover, type StageResult } from './stages.js';
import { findDeclaration } from '../analysis/scope.js';
import { skipOuter } from '../analysis/values.js';

/** What a stolen session can do through the endpoint, from its categories' `harm` (rules/categories.json or the configuration). */
function harm(ep: Endpoint, ctx: VerifyContext): string {
  const cats = ep.classification?.categories ?? [];
  const byName = new Map(ctx.values.session.classifierRulesFor(ctx.config).categories.map((c) => [c.name, c.harm]));
  const h = cats.map((c) => byName.get(c)).filter(Boolean);
  return h.length ? h.join(' and ') : 'perform this sensitive operation';
}

function pointText(p: FlowPoint): string {
  if (p.effect) return p.effect.callee;
  if (p.kind === 'response') return 'the successful response';
  if (p.kind === 'continuation') return shortText(p.node, 40);
  return 'the end of the handler';
}

function line(n: ts.Node): number {
  return spanOf(n).line;
}

interface Draft {
  ruleId: string;
  message: string;
  related: Related[];
}

function finding(ep: Endpoint, d: Draft): Finding {
  const meta = ruleMeta(d.ruleId);
  return {
    ruleId: d.ruleId,
    level: meta.level,
    message: d.message,
    endpointId: ep.id,
    span: ep.anchor,
    related: d.related,
  };
}

function rel(role: Related['role'], node: ts.Node, message: string): Related {
  return { role, message, span: spanOf(node) };
}

function guardUses(stages: StageResult[], handler: StageResult): GuardUse[] {
  const out: GuardUse[] = [];
  for (const s of [...stages, handler]) {
    const via: GuardUse['via'] =
      s.via === 'handler'
        ? 'handler'
        : s.via === 'next-middleware'
          ? 'next-middleware'
          : s.via === 'wrapper'
            ? 'wrapper'
            : 'middleware';
    if (s.spec && s.link) out.push({ name: s.spec.name, via, span: s.link.span });
    for (const e of s.protecting)
      out.push({
        name: e.usage === 'inline' ? e.name : shortText(e.node, 60),
        via: e.usage === 'inline' ? 'inline' : via,
        span: spanOf(e.node),
      });
  }
  return out;
}

/** Weak or client-trusted guards that are all that protects an endpoint. */
function qualityFindings(
  ep: Endpoint,
  guards: {
    name: string;
    node: ts.Node;
    spec: {
      kind?: string;
      weakness?: string;
      clientTrusted?: string;
      aalOnly?: boolean;
      hasFreshness?: boolean;
      windowMinutes?: number;
    };
  }[],
  ctx: VerifyContext,
): Draft[] {
  if (!guards.length) return [];
  const strong = guards.filter((g) => !g.spec.weakness && !g.spec.clientTrusted && !g.spec.aalOnly);
  if (strong.length) return [];
  const out: Draft[] = [];
  const client = guards.find((g) => g.spec.clientTrusted);
  if (client) {
    out.push({
      ruleId: 'stepup/client-trusted',
      message: client.spec.clientTrusted?.startsWith('the stored secret of a record the request chooses')
        ? `the step-up decision (${client.name}, line ${line(client.node)}) checks ${client.spec.clientTrusted}, not the signed-in user's: the caller picks whose secret it proves, so it says nothing about who holds the session. Check the secret of the signed-in user (look the record up by the session's user), never of an account the request names.`
        : `the step-up decision (${client.name}, line ${line(client.node)}) reads ${client.spec.clientTrusted}, which the client controls: an attacker with a stolen session just sends it. ${client.spec.kind === 'verifier' || client.spec.clientTrusted?.startsWith('the stored side') ? "Compare with the secret stored on the user's record, never one the request supplies." : 'Decide on a server-side step-up record or a verified token claim.'}`,
      related: [rel('guard', client.node, `decision based on ${client.spec.clientTrusted}`)],
    });
    return out;
  }
  const weak = guards.find((g) => g.spec.weakness) ?? guards[0];
  const why =
    weak.spec.weakness ??
    (weak.spec.aalOnly
      ? 'AAL2 proves MFA at sign-in, not a recent re-authentication, and no freshness bound is checked'
      : 'it asks for less than step-up');
  out.push({
    ruleId: 'stepup/weak-assurance',
    message: `${weak.name} (line ${line(weak.node)}) is not step-up: ${why}. A session that signed in long ago still passes; require a re-authentication within ${fmtMinutes(ctx.config.maxFreshnessMinutes)} (or an elevated level with a freshness bound).`,
    related: [rel('guard', weak.node, why)],
  });
  return out;
}

export function verifyEndpoint(ep: Endpoint, ctx: VerifyContext): Verdict {
  if (!ep.classification?.sensitive) return { status: 'not-required', guards: [], findings: [] };
  // an authentication library's route that asks for the current password itself (better-auth's /change-password)
  const byLibrary = ep.classification.libraryGuard;
  if (byLibrary)
    return {
      status: 'enforced',
      guards: [
        {
          name: `${ep.classification.library} (asks for ${byLibrary})`,
          via: 'handler',
          span: ep.classification.reasons.find((r) => r.kind === 'asset' && r.span)?.span ?? ep.anchor,
        },
      ],
      findings: [],
    };
  const { chain, handler, late } = analyseStages(ep, ctx);
  const drafts: Draft[] = [];
  const guards = guardUses(chain, handler);

  // 1. Every stage that protects everything after it (middleware, wrappers, the handler itself).
  //    One strong protection is enough; if all of them are weak or client-trusted, that is the finding.
  // The route's own middleware that does work must itself be protected (see workCover); a handler that only
  // answers after it has nothing left to protect, so the work's own protection is the endpoint's.
  const work = workCover(ep, chain, ctx);
  const answersOnly = !handler.points.some((p) => p.kind === 'effect');
  const protectors = !work
    ? []
    : [...chain.filter((st) => st.protects), ...(handler.protects ? [handler] : []), ...(answersOnly ? work : [])];
  if (protectors.length) {
    const qualityOf = (st: StageResult): Draft[] =>
      qualityFindings(
        ep,
        st.spec && st.link
          ? [{ name: st.spec.name, node: st.link.expr, spec: st.spec }]
          : st.protecting.map((e) => ({ name: describeGuard(e), node: e.node, spec: e.spec })),
        ctx,
      );
    const strong = protectors.filter((st) => qualityOf(st).length === 0);
    if (!strong.length)
      return { status: 'broken', guards, findings: qualityOf(protectors[0]).map((d) => finding(ep, d)) };
    const findings: Finding[] = [];
    if (strong.every((st) => st.via === 'next-middleware')) {
      const mw = strong[0];
      findings.push(
        finding(ep, {
          ruleId: 'stepup/middleware-only',
          message: `step-up is enforced only in Next.js middleware (${mw.name}); a middleware bypass (CVE-2025-29927) or a matcher change removes it silently. Repeat the check in the route handler.`,
          related: [rel('middleware', mw.link!.expr, 'step-up enforced here')],
        }),
      );
    }
    return { status: 'enforced', guards, findings };
  }

  // 3. Something is missing or broken: find out what.
  let d = diagnose(ep, chain, handler, late, ctx);
  // Sensitive by its words while the operation itself could not be seen: nothing proves step-up is missing either.
  const unseen = ep.classification.unseen;
  if (d.ruleId === 'stepup/missing' && unseen) {
    d = {
      ruleId: 'stepup/unverifiable',
      message: `the endpoint's path says it can ${harm(ep, ctx)}, but the operation happens in ${unseen.call} (line ${unseen.span.line}), which the analysis could not follow, and no step-up check was found before it. Make the code visible to the analysis (or declare the guard in the configuration) so that it can be verified.`,
      related: [{ role: 'side-effect', message: 'not followed', span: unseen.span }],
    };
  }
  drafts.push(d);
  const status =
    d.ruleId === 'stepup/missing' ? 'missing' : d.ruleId === 'stepup/unverifiable' ? 'unverifiable' : 'broken';
  return { status, guards, findings: drafts.map((x) => finding(ep, x)) };
}

function firstUnprotected(h: StageResult): FlowPoint | undefined {
  return [...h.unprotected].sort((a, b) => a.node.getStart() - b.node.getStart())[0];
}

function diagnose(
  ep: Endpoint,
  chain: StageResult[],
  handler: StageResult,
  late: StageResult[],
  ctx: VerifyContext,
): Draft {
  const p = firstUnprotected(handler);
  const effectRel: Related[] = p ? [rel('side-effect', p.node, `${pointText(p)} runs without step-up`)] : [];
  const where = p ? `${pointText(p)} (line ${line(p.node)})` : 'the handler';
  const allEvents = [...chain.flatMap((s) => s.events), ...handler.events];

  // A failure branch that falls through into the side effect
  if (p && p.fall.size) {
    const [id, fall] = [...p.fall.entries()][0];
    const ev = handler.events.find((e) => e.id === id) ?? handler.flow?.events.find((e) => e.id === id);
    const g = ev ? describeGuard(ev) : 'the step-up check';
    if (fall.kind === 'caught') {
      return {
        ruleId: 'stepup/result-ignored',
        message: `${g} throws when step-up fails, but the catch block (line ${line(fall.node)}) swallows the error and the handler carries on to ${where}: a stolen session can ${harm(ep, ctx)}. Return a 401/403 from the catch block (or let the error propagate).`,
        related: [
          ...(ev ? [rel('guard', ev.node, 'step-up check')] : []),
          rel('defeated-branch', fall.node, 'failure caught and ignored'),
          ...effectRel,
        ],
      };
    }
    return {
      ruleId: 'stepup/incomplete',
      message: `when ${g} fails, the failure branch (line ${line(fall.node)}) does not end the request, so execution continues to ${where}. Return a 401/403 refusal from that branch.`,
      related: [
        ...(ev ? [rel('guard', ev.node, 'step-up check')] : []),
        rel('defeated-branch', fall.node, 'failure branch falls through'),
        ...effectRel,
      ],
    };
  }

  // A condition that lets the base assurance level through (`aal !== 'aal1' && aal !== 'aal2'` refuses neither)
  const baseLevel = allEvents.find((e) => e.misread && e.inline?.kind === 'level' && e.inline.baseLevel);
  if (baseLevel) {
    const why = `accepts the base assurance level (${baseLevel.inline!.level})`;
    return {
      ruleId: 'stepup/weak-assurance',
      message: `the condition at line ${line(baseLevel.misread!)} is not step-up: it ${why}, so a session that signed in with one factor long ago still passes. Require an elevated level with a freshness bound (or a re-authentication within ${fmtMinutes(ctx.config.maxFreshnessMinutes)}).`,
      related: [rel('guard', baseLevel.misread!, why), ...effectRel],
    };
  }

  // The result is tested the wrong way round (the whole object instead of its deciding field)
  const misread = allEvents.find((e) => e.misread);
  // A tuple position read whose meaning the check's answers do not say
  const unread = allEvents.find((e) => e.unreadTuple && !e.established);
  if (unread) {
    return {
      ruleId: 'stepup/unverifiable',
      message: `${describeGuard(unread)} (line ${line(unread.node)}) answers a tuple, and the condition at line ${line(unread.unreadTuple!)} reads a position whose meaning its answers do not say (no literal there that differs between a failed and a passed check): whether ${where} runs after a failed check cannot be told. Return a literal in that position on every path (\`[null, error]\` / \`[value, null]\`), or test the position that holds the error.`,
      related: [
        rel('guard', unread.node, 'tuple answer'),
        rel('defeated-branch', unread.unreadTuple!, 'position of unknown meaning'),
        ...effectRel,
      ],
    };
  }
  if (misread?.spec.tuple) {
    const at = tuplePosition(misread.misread!);
    const pos = at !== undefined ? `\`[${at}]\`` : 'a position';
    const passes = at !== undefined ? decidedPositions(misread.spec.positions).find(([i]) => i === at)?.[1] : undefined;
    const says = passes ? `, which is ${passes} when the check passed` : '';
    return {
      ruleId: 'stepup/result-ignored',
      message: `${describeGuard(misread)} (line ${line(misread.node)}) answers a tuple, and the condition at line ${line(misread.misread!)} reads its ${pos}${says}, the wrong way round: a failed check goes on and ${where} goes ahead. Test the position that says the check failed.`,
      related: [
        rel('guard', misread.node, 'result tested the wrong way'),
        rel('defeated-branch', misread.misread!, 'condition lets a failed check through'),
        ...effectRel,
      ],
    };
  }
  if (misread) {
    const field = misread.spec.field ? ` its \`.${misread.spec.field}\`` : ' the deciding field';
    return {
      ruleId: 'stepup/result-ignored',
      message: `${describeGuard(misread)} (line ${line(misread.node)}) returns an object that is always truthy, and the condition at line ${line(misread.misread!)} tests the object instead of${field}: the refusal never runs and ${where} goes ahead. Test${field} instead.`,
      related: [
        rel('guard', misread.node, 'result tested the wrong way'),
        rel('defeated-branch', misread.misread!, 'condition never fails'),
        ...effectRel,
      ],
    };
  }

  // Not awaited
  const notAwaited = allEvents.find((e) => e.notAwaited);
  if (notAwaited) {
    return {
      ruleId: 'stepup/not-awaited',
      message: `${describeGuard(notAwaited)} (line ${line(notAwaited.node)}) is asynchronous but not awaited: its Promise is always truthy and a rejection is never seen, so ${where} runs whatever the check decides. Add \`await\`.`,
      related: [rel('guard', notAwaited.node, 'not awaited'), ...effectRel],
    };
  }

  // An unseen verifier tested without `await`: a Promise would always pass the test
  const unsure = allEvents.find((e) => e.unknownAsync);
  if (unsure) {
    return {
      ruleId: 'stepup/unverifiable',
      message: `${describeGuard(unsure)} (line ${line(unsure.node)}) compares the secret typed for this request with the stored one, but it is not awaited and its code is not in the scanned tree: if it is asynchronous, its Promise is always truthy and ${where} runs whatever it decides. Add \`await\` (or scan the folder that defines it).`,
      related: [rel('guard', unsure.node, 'not awaited, asynchrony unknown'), ...effectRel],
    };
  }

  // Called, result discarded
  const ignored = allEvents.find(
    (e) =>
      !e.checked &&
      !e.opaque &&
      (e.usage === 'bare' || e.usage === 'var') &&
      e.spec.mode !== 'throws' &&
      e.spec.mode !== 'middleware' &&
      e.spec.mode !== 'never-fails' &&
      e.spec.mode !== 'unknown',
  );
  if (ignored) {
    const what =
      ignored.spec.mode === 'returns-response'
        ? 'its 403 Response'
        : ignored.spec.mode === 'returns-falsy'
          ? 'its false result'
          : ignored.spec.mode === 'returns-null'
            ? 'its null result'
            : 'its failure value';
    const callText = shortText(ignored.node, 40).replace(/^await\s+/, '');
    const awaited = ignored.spec.async === false ? callText : `await ${callText}`;
    const fix =
      ignored.spec.mode === 'returns-response'
        ? `const block = ${awaited}; if (block) return block;`
        : `if (!(${awaited})) return a 403`;
    return {
      ruleId: 'stepup/result-ignored',
      message: `${describeGuard(ignored)} is called (line ${line(ignored.node)}) but ${what} is discarded; ${where} still runs, so a stolen session can ${harm(ep, ctx)}. Check the result and return it: ${fix}`,
      related: [rel('guard', ignored.node, 'result discarded'), ...effectRel],
    };
  }

  // A check that a branch skips: inside a guard (an account without a password, an admin override) or in the condition itself
  const skipped = allEvents.find((e) => e.spec.skip && (e.checked || e.established || e.spec.mode === 'middleware'));
  if (skipped && skipped.spec.skip) {
    return {
      ruleId: 'stepup/incomplete',
      message: `${describeGuard(skipped)} (line ${line(skipped.node)}) skips its check ${skipped.spec.skip.why} (line ${line(skipped.spec.skip.node)}) and lets the request through, so on that branch ${where} runs without step-up. Check on every branch, or refuse the request where the check cannot run.`,
      related: [
        rel('guard', skipped.node, 'step-up check'),
        rel('defeated-branch', skipped.spec.skip.node, `check skipped ${skipped.spec.skip.why}`),
        ...effectRel,
      ],
    };
  }
  const skippingSpec = chain.find((s) => s.spec?.skip);
  if (skippingSpec && skippingSpec.spec?.skip && skippingSpec.link) {
    const sk = skippingSpec.spec.skip;
    return {
      ruleId: 'stepup/incomplete',
      message: `${skippingSpec.name} skips its step-up check ${sk.why} (line ${line(sk.node)}) and calls the handler anyway, so on that branch ${where} runs without step-up. Check on every branch.`,
      related: [
        rel('middleware', skippingSpec.link.expr, 'step-up middleware'),
        rel('defeated-branch', sk.node, `check skipped ${sk.why}`),
        ...effectRel,
      ],
    };
  }
  // The side effect sits on a branch that never runs the check, or the check on a branch the side effect does not need
  const decisive = p
    ? allEvents.filter(
        (e) => (e.checked || e.established) && counts(e) && e.node.getSourceFile() === p.node.getSourceFile(),
      )
    : [];
  for (const e of decisive) {
    const branch = skippingBranch(e.node, p!.node);
    if (!branch) continue;
    return {
      ruleId: 'stepup/incomplete',
      message: `${describeGuard(e)} (line ${line(e.node)}) does not protect every path: ${branch.text} (line ${line(branch.node)}), and ${where} runs without it. Run the check unconditionally before the side effect.`,
      related: [
        rel('guard', e.node, 'step-up check'),
        rel('defeated-branch', branch.node, `check skipped: ${branch.text}`),
        ...effectRel,
      ],
    };
  }
  const bypassed = allEvents.find((e) => e.bypass && !e.misread);
  if (bypassed && bypassed.bypass) {
    const others = otherOperands(bypassed.bypass, bypassed.node);
    return {
      ruleId: 'stepup/incomplete',
      message: `the condition at line ${line(bypassed.bypass)} (\`${shortText(bypassed.bypass, 80)}\`) lets a request through without a passed ${describeGuard(bypassed)}${others ? ` whenever ${others} decides it` : ''}, so ${where} can run without step-up. Refuse the request unless the check itself passed.`,
      related: [
        rel('guard', bypassed.node, 'step-up check'),
        rel('defeated-branch', bypassed.bypass, 'condition lets the request through without the check'),
        ...effectRel,
      ],
    };
  }

  // A middleware that calls next() even when the check fails
  const leaky = chain.find((s) => s.leak);
  if (leaky && leaky.leak) {
    return {
      ruleId: 'stepup/incomplete',
      message:
        leaky.via === 'wrapper'
          ? `${leaky.name} checks step-up but still calls the wrapped handler when the check fails (line ${line(leaky.leak.node)}). Return the refusal instead of calling the handler.`
          : leaky.link?.handsOn && 'returns' in leaky.link.handsOn
            ? `${leaky.name} checks step-up but still returns normally when the check fails (line ${line(leaky.leak.node)}), so the action runs anyway. Throw on failure instead of returning.`
            : `${leaky.name} checks step-up but still calls next() when the check fails (line ${line(leaky.leak.node)}), so the handler runs anyway. End the request on failure instead of calling next().`,
      related: [
        rel('middleware', leaky.link!.expr, 'step-up middleware'),
        rel('defeated-branch', leaky.leak.node, 'next() reached on failure'),
        ...effectRel,
      ],
    };
  }
  const leakySpec = chain.find((s) => s.spec?.leaks);
  if (leakySpec) {
    return {
      ruleId: 'stepup/incomplete',
      message: `${leakySpec.name} calls next() even when its step-up check fails (line ${line(leakySpec.spec!.leaks!)}), so the handler runs anyway. End the request on failure.`,
      related: [
        rel('middleware', leakySpec.link!.expr, 'step-up middleware'),
        rel('defeated-branch', leakySpec.spec!.leaks!, 'next() reached on failure'),
        ...effectRel,
      ],
    };
  }

  // A code checked against the factor being enrolled proves that factor, not the account
  const enrolling = allEvents.find((e) => e.spec.enrolling && (e.checked || e.established));
  if (enrolling) {
    return {
      ruleId: 'stepup/missing',
      message: `${describeGuard(enrolling)} (line ${line(enrolling.node)}) checks the code against the secret this request is enrolling (${enrolling.spec.enrolling}): it proves possession of the new factor, not that the caller owns the account, so a stolen session can still ${harm(ep, ctx)}. Ask for the current password or a code from a factor the account already has before ${where}.`,
      related: [rel('guard', enrolling.node, 'checks the factor being enrolled'), ...effectRel],
    };
  }

  // The check comes after the side effect
  const after = p
    ? handler.events.find((e) => (e.checked || e.established) && !e.opaque && e.node.getStart() > p.node.getStart())
    : undefined;
  if (p && after) {
    return {
      ruleId: 'stepup/after-side-effect',
      message: `${describeGuard(after)} (line ${line(after.node)}) runs after ${where}: by the time the check can fail the operation has already happened. Move the step-up check before any side effect.`,
      related: [rel('guard', after.node, 'step-up check, too late'), ...effectRel],
    };
  }

  // A guard whose body never fails
  const hollow = allEvents.find((e) => e.spec.mode === 'never-fails');
  if (hollow) {
    return {
      ruleId: 'stepup/missing',
      message: `${describeGuard(hollow)} (line ${line(hollow.node)}) looks like a step-up guard but never rejects: no path through it fails, so ${where} runs for any session. Make it return a 401/403 (or throw) when step-up is missing.`,
      related: [rel('guard', hollow.node, 'never fails'), ...effectRel],
    };
  }

  // Named like a check and deciding the request, but what it checks is not recognised as re-verification
  const unrecognised = allEvents.find(
    (e) => e.spec.unrecognised && (e.checked || e.spec.mode === 'throws' || e.spec.mode === 'middleware'),
  );
  if (unrecognised) {
    const def = unrecognised.spec.defNode;
    const seen = def
      ? ` (defined in ${path.basename(def.getSourceFile().fileName)}:${line(def)})`
      : ' (its code is not in the scanned tree)';
    return {
      ruleId: 'stepup/unverifiable',
      message: `step-up could not be verified: ${describeGuard(unrecognised)} (line ${line(unrecognised.node)}) is named like a step-up check and its result decides the request, but what it checks${seen} is not recognised as re-verification (a secret typed for this request compared with a stored one, or a server-side time or level of the session compared with a bound). Declare it in the configuration ("guards": [{ "name": …, "fails": … }]) if it is one.`,
      related: [rel('guard', unrecognised.node, 'not recognised as re-verification'), ...effectRel],
    };
  }

  // A check on some paths only
  const mayIds = p ? [...p.may].filter((id) => handler.events.some((e) => e.id === id && counts(e))) : [];
  if (p && mayIds.length) {
    const ev = handler.events.find((e) => mayIds.includes(e.id));
    const branch = ev ? skippingBranch(ev.node, p.node) : undefined;
    return {
      ruleId: 'stepup/incomplete',
      message: `${ev ? describeGuard(ev) : 'the step-up check'} protects only some paths: ${where} is also reachable on a path that skips it${branch ? ` (${branch.text}, line ${line(branch.node)})` : ''}. Run the check unconditionally before the side effect.`,
      related: [
        ...(ev ? [rel('guard', ev.node, 'check on one branch only')] : []),
        ...(branch ? [rel('defeated-branch', branch.node, `check skipped ${branch.text}`)] : []),
        ...effectRel,
      ],
    };
  }

  // The route was registered before a router-level guard
  const lateGuard = late.find((s) => s.protects);
  if (lateGuard && lateGuard.link) {
    return {
      ruleId: 'stepup/incomplete',
      message: `${lateGuard.name} is registered on the router (line ${lateGuard.link.span.line}) after this route, so it never runs before it. Register the guard before the route, or pass it in the route's own middleware list.`,
      related: [rel('middleware', lateGuard.link.expr, 'guard registered after the route'), ...effectRel],
    };
  }

  // Something we cannot see
  const opaqueStage = chain.find((s) => s.opaque);
  const opaqueEvent = allEvents.find((e) => e.opaque);
  // an authentication library's own handler (its routes known from its configuration, which never ask
  // for re-verification): what cannot be seen is the library, and nothing in front of it checks
  if ((handler.opaque && !ep.classification?.library) || opaqueStage || opaqueEvent) {
    const what = handler.opaque
      ? `the handler (${ep.handler.name}) cannot be resolved: ${handler.opaque}`
      : opaqueStage
        ? `${opaqueStage.opaque} looks like a step-up guard but its code is not in the scanned tree`
        : opaqueEvent!.spec.outsideTree
          ? `${describeGuard(opaqueEvent!)} looks like a step-up guard but its code is outside the scanned tree, which is never read`
          : `${describeGuard(opaqueEvent!)} looks like a step-up guard but its code is not in the scanned tree and its result is not checked here`;
    return {
      ruleId: 'stepup/unverifiable',
      message: `step-up could not be verified: ${what}. Declare the guard in the configuration ("guards": [{ "name": …, "fails": … }]) or scan the folder that holds it.`,
      related: opaqueEvent ? [rel('guard', opaqueEvent.node, 'not visible'), ...effectRel] : effectRel,
    };
  }

  return {
    ruleId: 'stepup/missing',
    message: `no step-up guard before ${where}: a stolen session token is enough to ${harm(ep, ctx)}. ${ruleMeta('stepup/missing').fix}`,
    related: effectRel,
  };
}

/** The operands of a condition other than the one holding `check` (`pin` in `pin && !ok`). */
function otherOperands(cond: ts.Expression, check: ts.Node): string | undefined {
  const parts: string[] = [];
  const visit = (e: ts.Expression): void => {
    const x = e;
    if (ts.isParenthesizedExpression(x)) return visit(x.expression);
    if (
      ts.isBinaryExpression(x) &&
      (x.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken ||
        x.operatorToken.kind === ts.SyntaxKind.BarBarToken)
    ) {
      visit(x.left);
      visit(x.right);
      return;
    }
    if (!(x.pos <= check.pos && check.end <= x.end)) parts.push(`\`${shortText(x, 40)}\``);
  };
  visit(cond);
  return parts.length ? parts.join(' or ') : undefined;
}

/** The branch that skips a check on the way to a point: the `if` holding the check but not the point, or the point but not the check. */
function skippingBranch(check: ts.Node, point: ts.Node): { node: ts.Node; text: string } | undefined {
  const inside = (n: ts.Node, root: ts.Node): boolean => n.pos >= root.pos && n.end <= root.end;
  for (const [from, other, holds] of [
    [check, point, 'only'],
    [point, check, 'skip'],
  ] as const) {
    let child: ts.Node = from;
    for (let cur = from.parent; cur && !ts.isFunctionLike(cur); child = cur, cur = cur.parent) {
      if (!ts.isIfStatement(cur) || (child !== cur.thenStatement && child !== cur.elseStatement)) continue;
      if (inside(other, child)) continue;
      const cond = `\`${shortText(cur.expression, 60)}\``;
      const thenSide = child === cur.thenStatement;
      const text =
        holds === 'only'
          ? `the check runs only ${thenSide ? 'when' : 'unless'} ${cond}`
          : `${thenSide ? 'when' : 'unless'} ${cond} the check is not run`;
      return { node: cur.expression, text };
    }
  }
  return undefined;
}

/** The tuple position a condition reads: `check()[0]` in it, or a local it tests holding one. */
function tuplePosition(cond: ts.Node): string | undefined {
  let found: string | undefined;
  const visit = (n: ts.Node): void => {
    if (found !== undefined) return;
    if (ts.isElementAccessExpression(n) && ts.isNumericLiteral(n.argumentExpression)) {
      found = n.argumentExpression.text;
      return;
    }
    if (ts.isIdentifier(n)) {
      const d = findDeclaration(n);
      const init = d && ts.isVariableDeclaration(d) && d.initializer ? skipOuter(d.initializer) : undefined;
      if (init && ts.isElementAccessExpression(init) && ts.isNumericLiteral(init.argumentExpression))
        found = init.argumentExpression.text;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(cond);
  return found;
}
