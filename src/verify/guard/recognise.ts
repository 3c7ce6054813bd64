// What a called function is, as far as step-up goes: a catalogued library guard or verifier,
// a guard declared in the configuration, a project function whose body makes a step-up check
// and fails (summarised once per function and arguments), or an unseen function whose name says
// it is one (opaque). Each comes with how it fails, whether it is async, and what it accepts.
import { ts } from 'ts-morph';
import { calleeParts, effectOfCall, effectsOf, leafEffects, type Effect } from '../../analysis/effects.js';
import { isStepUpMachinery } from '../../analysis/machinery.js';
import { EQUALITY } from '../../analysis/operators.js';
import { forEachNode } from '../../analysis/walk.js';
import { evalNumber } from '../../analysis/numbers.js';
import { bindingPath, findDeclaration } from '../../analysis/scope.js';
import { evalString, type Env } from '../../analysis/strings.js';
import { externalName } from '../../analysis/unwrap.js';
import {
  callArguments,
  isNullish,
  isRequireCall,
  propertyNameText,
  returnExpressions,
  skipOuter,
  type Value,
  type ValueResolver,
} from '../../analysis/values.js';
import type { ResolvedConfig, UserGuard } from '../../config/types.js';
import type { FunctionNode } from '../../model.js';
import { counts, Flow, type FlowExit, type GuardEvent } from '../flow.js';
import { failTruth, localInit, returnShape, truthUnder } from './logic.js';
import {
  arrayAnswer,
  decidedPositions,
  literalTruth,
  literalValue,
  memberOf,
  positionOf,
  sideOf,
  type Truth,
  type TuplePosition,
} from './tuples.js';
import { clientTrustedText, enablesFactor, judgeCompare, type CompareOperands, type SecretVerdict } from './secrets.js';
import { clientSource, nameHas } from './sources.js';
import type { GuardSpec, InlineEvidence } from './types.js';
import { vocab, type CatalogEntry } from './vocab.js';
import { freshAgeWindow, toMinutes, windowWeakness, type ProjectSetting } from './windows.js';

function argObjectKey(call: ts.CallExpression, key: string): ts.Expression | undefined {
  for (const a of call.arguments) {
    const x = skipOuter(a);
    if (!ts.isObjectLiteralExpression(x)) continue;
    for (const p of x.properties) {
      if (p.name && propertyNameText(p.name) === key) {
        if (ts.isPropertyAssignment(p)) return p.initializer;
        if (ts.isShorthandPropertyAssignment(p)) return p.name;
      }
    }
  }
  return undefined;
}

function moduleOf(vals: Value[]): string | undefined {
  for (const v of vals) {
    const e = externalName(v);
    if (e) return e.module;
    if (v.kind === 'call') {
      const m = moduleOf(v.callee);
      if (m) return m;
    }
    if (v.kind === 'member') {
      const m = moduleOf([v.base]);
      if (m) return m;
    }
  }
  return undefined;
}

/** A middleware's continuation: what calling it does with the request. */
export interface Continuation {
  /** The parameter (or destructured `next`) that holds it. */
  param: ts.ParameterDeclaration | ts.BindingElement;
  /** `next()` and Express's `next('route')` hand the request on; `next(err)` hands it to the error handler. */
  kind(c: ts.CallExpression): 'continue' | 'error' | undefined;
}

/**
 * The continuation of a middleware-shaped function: its last parameter named like `next`
 * (`(req, res, next)`, `(c, next)`), or a `next` destructured from a parameter (`({ ctx, next })`).
 */
export function middlewareContinuation(fn: FunctionNode): Continuation | undefined {
  const ps = fn.parameters;
  const names = vocab().middlewareNextParams;
  const last = ps[ps.length - 1];
  let param: ts.ParameterDeclaration | ts.BindingElement | undefined;
  if (last && ts.isIdentifier(last.name) && ps.length >= 2 && names.test(last.name.text)) param = last;
  else {
    for (const p of ps) {
      if (!ts.isObjectBindingPattern(p.name)) continue;
      param = p.name.elements.find((el) => !el.propertyName && ts.isIdentifier(el.name) && names.test(el.name.text));
      if (param) break;
    }
  }
  if (!param) return undefined;
  const decl = param;
  return {
    param: decl,
    kind: (c) => {
      const x = skipOuter(c.expression);
      if (!ts.isIdentifier(x) || findDeclaration(x) !== decl) return undefined;
      const a = c.arguments[0];
      return !a || (c.arguments.length === 1 && ts.isStringLiteralLike(a)) ? 'continue' : 'error';
    },
  };
}

/** A guard declared in the configuration that this callee (`text`, last name `last`, package export `ext`) is. */
function configuredGuard(
  guards: readonly UserGuard[],
  text: string,
  last: string,
  ext: { module: string; name: string } | undefined,
): UserGuard | undefined {
  return guards.find((g) => {
    const nameOk = g.name === text || g.name === last || text.endsWith(`.${g.name}`);
    const moduleOk =
      !g.module ||
      (ext && ext.module === g.module && (!g.export || ext.name === g.export || ext.name.endsWith(`.${g.export}`)));
    return nameOk && moduleOk;
  });
}

export class GuardRecogniser {
  private readonly callCache = new Map<ts.Node, GuardSpec | null>();
  private readonly summaryCache = new Map<string, GuardSpec | null>();
  private readonly inProgress = new Set<ts.Node>();

  constructor(
    readonly values: ValueResolver,
    readonly config: ResolvedConfig,
    /** A numeric setting of the project's configuration a catalogued guard reads (better-auth `freshAge`, seconds). */
    readonly settings: ProjectSetting,
  ) {}

  get maxMinutes(): number {
    return this.config.maxFreshnessMinutes;
  }

  specOfCall(call: ts.CallExpression, env?: Env): GuardSpec | undefined {
    const hit = this.callCache.get(call);
    if (hit !== undefined && !env) return hit ?? undefined;
    const spec = this.compute(call, env);
    if (!env) this.callCache.set(call, spec ?? null);
    return spec;
  }

  private compute(call: ts.CallExpression, env?: Env): GuardSpec | undefined {
    const parts = calleeParts(call.expression);
    const text = parts?.join('.') ?? skipOuter(call.expression).getText().replace(/\s+/g, '');
    const last =
      parts?.[parts.length - 1] ??
      (ts.isPropertyAccessExpression(skipOuter(call.expression))
        ? (skipOuter(call.expression) as ts.PropertyAccessExpression).name.text
        : text);
    const calleeVals = this.values.resolve(call.expression);
    const ext = calleeVals.map(externalName).find(Boolean);

    // 1. Guards declared in the configuration
    const g = configuredGuard(this.config.guards, text, last, ext);
    if (g)
      return {
        name: g.name,
        mode: g.fails,
        source: 'config',
        kind: 'guard',
        async: g.fails === 'throws' ? false : undefined,
      };

    // A function imported from outside the scanned tree (an import, alias or link that leads out of
    // it): its code is never read, so whatever it is named, its check cannot be verified and never
    // counts as step-up (the endpoint is unverifiable, not enforced).
    const fn = calleeVals.find((v) => v.kind === 'function' && v.node.body);
    if (!fn && ext?.outside) {
      return isGuardName(last) || isStepUpRead(parts, last, call)
        ? { name: text, mode: 'unknown', source: 'name', kind: 'guard', opaque: true, outsideTree: true }
        : undefined;
    }

    // 2. The library catalogue
    for (const entry of vocab().catalog) {
      if (!this.matches(entry, call, parts, text, last, calleeVals, fn !== undefined)) continue;
      const spec = this.fromCatalog(entry, call, text, env);
      if (entry.kind !== 'verifier') return spec;
      const verdict = judgeCompare(cataloguedOperands(entry, call, this.values), env);
      return withSecretVerdict(spec, verdict);
    }

    // 3. A project function: what its body does
    if (fn && fn.kind === 'function') {
      const argEnv: Env = new Map(env);
      // (a bound function's given arguments come first: `verifyPin.bind(null, User)` called with `(id, pin)`)
      const args = callArguments(fn, call);
      fn.node.parameters.forEach((p, i) => {
        const a = args[i];
        if (a) argEnv.set(p, a);
      });
      const s = this.summarize(fn.node, argEnv, last);
      // A read of a store named for re-authentication itself (`reauthSessions.extractSessionData(c)`) is the
      // proof whatever the reading function does on the way, unless its body trusts the client (a header
      // decoded) — and only when the proof is tied to the signed-in user: read by the user's own key, or its
      // owner compared with the user. A proof the request picks and nobody ties to the account is anyone's.
      if (isProofStoreRead(parts, last) && (!s?.clientTrusted || answersStoreRead(fn.node)))
        return ownerBound(call) && mayAnswerNothing(fn.node)
          ? { name: text, mode: 'returns-null', source: 'name', kind: 'guard', async: isAsyncFunction(fn.node) }
          : undefined;
      // what it is given or called says the code is a one-time code (`verifyTOTP(code, row.mfa_secret)`)
      // even when its body's names do not: a factor this request switches on is then the one it proves
      if (s && !s.factor && namesOneTimeCode(last, call)) return { ...s, factor: 'otp' };
      if (s) return s;
      // a body that answers the same passing constant whatever it is given (`async (user, pw) => true`)
      // checks nothing, whatever it is called
      const rets = returnExpressions(fn.node);
      if (
        rets.length &&
        rets.every((r) => isConstantTruthy(r) && !ts.isObjectLiteralExpression(skipOuter(r))) &&
        (isGuardName(last) || nameHas(last, vocab().verifierNames))
      )
        return {
          name: text,
          mode: 'never-fails',
          source: 'project',
          kind: 'guard',
          async: isAsyncFunction(fn.node),
          defNode: fn.node,
        };
      // A project helper named like a compare whose body the analysis does not read as one (a hand-written
      // constant-time loop): given a typed and a stored secret, it is a verifier returning its answer.
      // One that also writes (`confirmAndEnableTotp` switching the factor on) does the operation: its
      // name says nothing of whether the write waits for a check the analysis could not read.
      // One that answers a write's own result (`return pool.query('UPDATE backup_codes SET used = true …')`)
      // answers an object, which is always truthy: no refusal can come of it.
      if (
        nameHas(last, vocab().verifierNames) &&
        !vocab().credentialVerifiers.test(text) &&
        !effectsOf(fn.node, this.values, 2).some(
          (e) => e.kind !== 'mint' && e.kind !== 'http' && !isStepUpMachinery(e, this.values),
        ) &&
        !rets.some((r) => {
          const x = skipOuter(r);
          return ts.isCallExpression(x) && !!effectOfCall(x, this.values);
        })
      ) {
        const verdict = judgeCompare(
          { candidates: [...call.arguments], requireStoredSecret: true, callee: last, calleeText: text },
          env,
        );
        const spec =
          verdict.kind === 'none'
            ? undefined
            : withSecretVerdict(
                {
                  name: text,
                  mode: 'returns-falsy',
                  source: 'inferred',
                  kind: 'verifier',
                  async: isAsyncFunction(fn.node),
                  defNode: fn.node,
                },
                verdict,
              );
        if (spec) return spec;
      }
      // Named like a step-up check, its evidence out of sight (a lookup we do not model): its body still says how it fails.
      if (isGuardName(last)) return this.summarizeByName(fn.node, argEnv, last);
      if (isStepUpRead(parts, last, call))
        return {
          name: text,
          mode: 'returns-null',
          source: 'name',
          kind: 'guard',
          async: true,
          ...(staleProof(call, last) ?? unboundProof(call, last)),
        };
      return undefined;
    }

    // 4. Unseen, but named like a step-up check: a read of a step-up record (`db.mfaChallenge.findFirst`,
    //    `redis.get('stepup:…')`) is evidence whose absence (null) means failure; a named check is opaque.
    if (!fn) {
      // An unseen verifier no catalogue knows (`password.verify(plain, hash)`, `user.passwordMatch(pw)`):
      // it is one when it is given a secret typed for this request and a stored secret of the user.
      const credentialCheck =
        vocab().credentialVerifiers.test(text) ||
        (!!ext && vocab().credentialModules.some((m) => ext.module === m || ext.module.startsWith(`${m}/`)));
      if (nameHas(last, vocab().verifierNames) && !credentialCheck) {
        const callee = skipOuter(call.expression);
        // a receiver built once when the module loads (`const changePasswordSchema = yup.object(…)`, a
        // validator, a hasher) holds no secret of the user: only the arguments can hold the stored side
        const receiver =
          ts.isPropertyAccessExpression(callee) && !isModuleObject(callee.expression) ? [callee.expression] : [];
        const verdict = judgeCompare(
          {
            candidates: [...call.arguments],
            storedOnly: receiver,
            requireStoredSecret: true,
            callee: last,
            calleeText: text,
          },
          env,
        );
        if (verdict.kind !== 'none') {
          // A package's export is taken at its word when used as a value (its documentation says whether it is
          // asynchronous); an unseen method of a dynamic object (`doc.passwordMatch`) is not.
          const spec: GuardSpec = {
            name: text,
            mode: 'returns-falsy',
            source: 'inferred',
            kind: 'verifier',
            opaque: true,
            inferred: true,
            async: /Sync$/.test(last) || (ext && !ext.name.includes('(')) ? false : undefined,
          };
          return withSecretVerdict(spec, verdict);
        }
      }
      if (isStepUpRead(parts, last, call)) {
        return {
          name: text,
          mode: 'returns-null',
          source: 'name',
          kind: 'guard',
          opaque: true,
          async: true,
          ...(staleProof(call, last) ?? unboundProof(call, last)),
        };
      }
      if (isGuardName(last))
        return {
          name: text,
          mode: 'unknown',
          source: 'name',
          kind: 'guard',
          opaque: true,
          unrecognised: true,
          async: undefined,
        };
    }
    return undefined;
  }

  /** The flow walk a summary makes: no side effects; for a middleware, `next()` continues and `next(err)` optionally fails. */
  private summaryFlow(
    fn: FunctionNode,
    env: Env | undefined,
    next: Continuation | undefined,
    errorContinuation: boolean,
    callbackParam?: ts.ParameterDeclaration,
  ): Flow {
    return new Flow({
      callbackParam,
      fn,
      role: 'summary',
      assumptions: {},
      env,
      specs: this,
      isContinuation: next ? (c) => next.kind(c) === 'continue' : undefined,
      isErrorContinuation: next && errorContinuation ? (c) => next.kind(c) === 'error' : undefined,
      maxFreshnessMinutes: this.maxMinutes,
      effects: false,
    });
  }

  /** A project function named like a step-up check but with no evidence the analysis recognises. */
  private summarizeByName(fn: FunctionNode, env: Env | undefined, name: string): GuardSpec | undefined {
    // A function that writes is doing the operation, not checking for it (`disableMfa`, `saveMfaSettings`).
    if (effectsOf(fn, this.values, 2).some((e) => e.kind !== 'mint' && e.kind !== 'http')) return undefined;
    const nextParam = middlewareContinuation(fn);
    const flow = this.summaryFlow(fn, env, nextParam, false).run();
    const isAsync = isAsyncFunction(fn);
    // Named like a check, but nothing in it is recognised as re-verification: how it fails is known,
    // what it checks is not (never counted as step-up; `unverifiable` when its result decides).
    const base: GuardSpec = {
      name,
      mode: 'never-fails',
      source: 'name',
      kind: 'guard',
      async: isAsync,
      defNode: fn,
      unrecognised: true,
    };
    const shapes = flow.exits.map((x) => (x.kind === 'throw' ? 'throw' : returnShape(x.value, x.answer)));
    if (nextParam) {
      const ends = flow.exits.some((x) => x.kind !== 'end' || x.answer);
      return ends ? { ...base, mode: 'middleware' } : base;
    }
    if (shapes.includes('throw') && !shapes.some((sh) => sh === 'response')) return { ...base, mode: 'throws' };
    if (shapes.includes('response')) return { ...base, mode: 'returns-response' };
    if (shapes.includes('falsy') && shapes.some((sh) => sh !== 'falsy')) return { ...base, mode: 'returns-falsy' };
    // Every path says yes outright (`return true`): it never fails.
    if (flow.exits.every((x) => x.kind === 'end' || !x.value || isConstantTruthy(x.value))) return base;
    const boolReturn = flow.exits.some(
      (x) => x.value && /[!=<>]=|[<>]|^!|^(true|false)$/.test(skipOuter(x.value).getText()),
    );
    if (boolReturn) return { ...base, mode: 'returns-falsy' };
    // It returns what something else computed: whether that can fail cannot be seen.
    if (flow.exits.some((x) => x.value && !isConstantTruthy(x.value) && x.value.kind !== ts.SyntaxKind.NullKeyword))
      return { ...base, mode: 'unknown' };
    return base;
  }

  private matches(
    entry: CatalogEntry,
    call: ts.CallExpression,
    parts: string[] | undefined,
    text: string,
    last: string,
    calleeVals: Value[],
    isProject: boolean,
  ): boolean {
    const m = entry.match;
    if (m.method && last !== m.method) return false;
    if (m.callee && !new RegExp(m.callee).test(text)) return false;
    // an options object with the key, or a predicate using it: `auth.protect((has) => has({ reverification }))`
    if (
      m.argKey &&
      !argObjectKey(call, m.argKey) &&
      !call.arguments.some((a) => ts.isFunctionLike(skipOuter(a)) && skipOuter(a).getText().includes(m.argKey!))
    )
      return false;
    if (m.argText && !new RegExp(m.argText).test(call.arguments.map((a) => a.getText()).join(','))) return false;
    if (
      entry.requiresArgText &&
      !new RegExp(entry.requiresArgText).test(call.arguments.map((a) => a.getText()).join(','))
    )
      return false;
    if (m.modules) {
      const mod = moduleOf(calleeVals);
      if (!mod || !m.modules.some((x) => mod === x || mod.startsWith(`${x}/`))) return false;
    } else if (isProject && !m.method) return false;
    if (m.receiverFrom) {
      const recv = ts.isPropertyAccessExpression(skipOuter(call.expression))
        ? (skipOuter(call.expression) as ts.PropertyAccessExpression).expression
        : undefined;
      const mod = recv ? moduleOf(this.values.resolve(recv)) : undefined;
      if (!mod || !m.receiverFrom.some((x) => mod === x || mod.startsWith(`${x}/`))) return false;
    }
    void parts;
    return true;
  }

  private fromCatalog(entry: CatalogEntry, call: ts.CallExpression, text: string, env?: Env): GuardSpec {
    const spec: GuardSpec = {
      name: text,
      mode: entry.fails,
      field: entry.field,
      successWhen: entry.successWhen,
      async: entry.async,
      source: 'catalog',
      kind: entry.kind,
      catalogId: entry.id,
      factor: entry.factor,
    };
    if (entry.windowFromArg) {
      const arg = argObjectKey(call, entry.windowFromArg.argKey);
      if (arg) {
        const preset = evalString(arg, this.values, 0, env);
        if (preset !== undefined && entry.windowFromArg.presets[preset] !== undefined)
          spec.windowMinutes = entry.windowFromArg.presets[preset];
        const x = skipOuter(arg);
        if (ts.isObjectLiteralExpression(x)) {
          const p = x.properties.find((pp) => pp.name && propertyNameText(pp.name) === entry.windowFromArg!.objectKey);
          if (p && ts.isPropertyAssignment(p)) spec.windowMinutes = evalNumber(p.initializer, this.values, env);
        }
      }
      spec.hasFreshness = true;
    }
    if (entry.windowArg) {
      const arg = argObjectKey(call, entry.windowArg.argKey);
      const n = arg ? evalNumber(arg, this.values, env) : undefined;
      if (n !== undefined) spec.windowMinutes = toMinutes(n, entry.windowArg.unit);
      spec.hasFreshness = true;
    }
    if (entry.freshAgeFromConfig) Object.assign(spec, this.freshAge(entry));
    spec.weakness ??= windowWeakness(spec.windowMinutes, this.maxMinutes);
    if (entry.level === 'from-args') {
      const levels = call.arguments
        .slice(1)
        .map((a) => evalString(a, this.values, 0, env)?.toLowerCase())
        .filter((x): x is string => !!x);
      if (
        levels.length &&
        !levels.some((l) => vocab().strongLevels.has(l)) &&
        levels.some((l) => vocab().baseLevels.has(l))
      )
        spec.weakness = `accepts the base assurance level (${levels.join(', ')})`;
    }
    if (entry.predicateArg !== undefined) {
      // claimCheck((req, claims) => …): the predicate must itself read step-up claims.
      const pred = call.arguments[entry.predicateArg];
      const fnv = pred ? this.values.resolve(pred).find((v) => v.kind === 'function') : undefined;
      const body = fnv && fnv.kind === 'function' ? fnv.node.getText() : (pred?.getText() ?? '');
      if (!/auth_time|acr|amr|aal/.test(body)) return { ...spec, mode: 'never-fails', weakness: undefined };
      if (fnv && fnv.kind === 'function' && fnv.node.modifiers?.some((mm) => mm.kind === ts.SyntaxKind.AsyncKeyword)) {
        spec.weakness = undefined;
        spec.mode = 'never-fails';
      }
    }
    return spec;
  }

  /** A middleware or wrapper given by reference (`requireFresh`, `freshSessionMiddleware`) or by call. */
  specOfReference(expr: ts.Expression): GuardSpec | undefined {
    const x = skipOuter(expr);
    if (ts.isCallExpression(x)) return this.specOfCall(x);
    const parts = calleeParts(x);
    const text = parts?.join('.') ?? x.getText();
    const last = parts?.[parts.length - 1] ?? text;
    const vals = this.values.resolve(x);
    const ext = vals.map(externalName).find(Boolean);
    const g = configuredGuard(this.config.guards, text, last, ext);
    if (g) return { name: g.name, mode: g.fails, source: 'config', kind: 'guard' };
    for (const entry of vocab().catalog) {
      if (entry.fails !== 'middleware' || !entry.match.callee || entry.match.argText) continue;
      if (!new RegExp(entry.match.callee).test(text)) continue;
      const spec: GuardSpec = {
        name: text,
        mode: entry.fails,
        async: entry.async,
        source: 'catalog',
        kind: entry.kind,
        catalogId: entry.id,
      };
      return entry.freshAgeFromConfig ? { ...spec, ...this.freshAge(entry) } : spec;
    }
    if (vocab().guardNames.test(last))
      return { name: text, mode: 'unknown', source: 'name', kind: 'guard', opaque: true, unrecognised: true };
    return undefined;
  }

  /** A catalogued guard that reads the project's fresh-session setting (better-auth `freshAge`). */
  private freshAge(entry: CatalogEntry): Pick<GuardSpec, 'hasFreshness' | 'windowMinutes' | 'weakness'> {
    return { hasFreshness: true, ...freshAgeWindow(this.settings(entry.configKey ?? 'freshAge'), this.maxMinutes) };
  }

  inlineSpec(inl: InlineEvidence): GuardSpec {
    const spec: GuardSpec = {
      name: inl.label,
      mode: 'returns-falsy',
      source: 'inline',
      kind: 'inline',
      async: false,
      clientTrusted: inl.clientTrusted,
      enrolling: inl.enrolling,
      factor: inl.factor,
      windowMinutes: inl.windowMinutes,
      ...(inl.skip ? { skip: inl.skip } : {}),
    };
    if (inl.kind === 'freshness') {
      spec.hasFreshness = !inl.refreshed;
      if (inl.refreshed) spec.weakness = inl.refreshed;
      else spec.weakness = windowWeakness(inl.windowMinutes, this.maxMinutes);
    }
    if (inl.kind === 'level') {
      if (inl.baseLevel) spec.weakness = `accepts the base assurance level (${inl.level})`;
      if (inl.aal) spec.aalOnly = true;
    }
    return spec;
  }

  /**
   * Summarises a project function: is it a step-up guard, and how does it fail? Computed once per
   * function and argument texts; parameters take the call's arguments (windows, levels).
   */
  summarize(fn: FunctionNode, env: Env | undefined, displayName: string): GuardSpec | undefined {
    const key = `${fn.getSourceFile().fileName}:${fn.pos}:${env ? [...env.values()].map(argKey).join('\u0001') : ''}`;
    const hit = this.summaryCache.get(key);
    if (hit !== undefined) return hit ?? undefined;
    if (this.inProgress.has(fn) || this.inProgress.size > 8) return undefined;
    this.values.budget.step('guard summaries');
    this.inProgress.add(fn);
    let spec: GuardSpec | undefined;
    try {
      spec = this.summarizeInner(fn, env, displayName);
    } finally {
      this.inProgress.delete(fn);
    }
    this.summaryCache.set(key, spec ?? null);
    return spec;
  }

  private summarizeInner(fn: FunctionNode, env: Env | undefined, displayName: string): GuardSpec | undefined {
    const callbackParam = errorFirstCallback(fn);
    const nextParam = callbackParam ? undefined : middlewareContinuation(fn);
    const walker = this.summaryFlow(fn, env, nextParam, true, callbackParam);
    const flow = walker.run();
    const found = this.specOfFlow(fn, env, displayName, nextParam, walker, flow);
    const spec = found && callbackParam ? { ...found, viaCallback: true, async: false } : found;
    // its result said to have passed where the check never ran (`ok = true` for an administrator): it can be skipped
    const forged = flow.events.find(
      (e) => e.forged && (e.checked || e.established || e.returned || e.usage === 'return'),
    )?.forged;
    return spec && forged && !spec.skip ? { ...spec, skip: { node: forged, why: branchText(forged) } } : spec;
  }

  private specOfFlow(
    fn: FunctionNode,
    env: Env | undefined,
    displayName: string,
    nextParam: ReturnType<typeof middlewareContinuation>,
    walker: Flow,
    flow: ReturnType<Flow['run']>,
  ): GuardSpec | undefined {
    const isAsync = isAsyncFunction(fn);
    const evidence = flow.events.filter((e) => e.checked || e.established || e.usage === 'return' || e.returned);
    if (!evidence.length) return undefined;
    const name = displayName;
    const base: Partial<GuardSpec> = { name, source: 'project', kind: 'guard', async: isAsync, defNode: fn };
    // A function that checks a code and switches the code's factor on is enrolling it: each code it checks
    // proves the new factor, also beside another check (an optional password) that decides the rest.
    const enabled = evidence.some((e) => e.spec.factor === 'otp' && !e.spec.enrolling) ? enablesFactor(fn) : undefined;
    const enrolment = enabled && `the factor it switches on (${enabled.getText().replace(/\s+/g, ' ').slice(0, 60)})`;
    if (enrolment) markEnrolling(flow.events, enrolment);
    collectQuality(base, evidence, this.maxMinutes);
    // Does the function also perform the operation? Then it is a guard only if every one of its side
    // effects sits behind its own check (a self-protected operation); otherwise it is an operation.
    if (
      !nextParam &&
      effectsOf(fn, this.values, 2).some((e) => e.kind !== 'mint' && !isStepUpMachinery(e, this.values))
    ) {
      const own = new Flow({
        fn,
        role: 'handler',
        assumptions: {},
        env,
        specs: this,
        maxFreshnessMinutes: this.maxMinutes,
        effects: true,
      }).run();
      if (enrolment) markEnrolling(own.events, enrolment);
      const ownIds = new Set(
        own.events.filter((e) => (e.checked || e.established) && counts(e) && !e.forged).map((e) => e.id),
      );
      const effects = own.points.filter((p) => p.kind === 'effect');
      if (!effects.length) return undefined;
      // (a failed attempt recorded in a check's failure branch, `pinAttempts += 1; await wallet.save()`
      // before the throw, is the check's own bookkeeping, not an operation it must protect)
      const points = effects.filter((p) => !([...p.failing].some((id) => ownIds.has(id)) && countsFailure(p.effect)));
      if (!points.every((p) => [...p.must].some((id) => ownIds.has(id)))) {
        // every effect behind its own check, but one that a branch gets past (`pin != wallet.pin` for an
        // account with no PIN): a self-protected operation whose protection is broken on that branch
        const skipped = own.events.find(
          (e) => (e.checked || e.established) && e.spec.skip && !e.forged && points.every((p) => p.must.has(e.id)),
        );
        // or a check that runs only on a branch (`if (password) { … }`, the client choosing whether to send one)
        // before effects it does not always precede: protection the caller can step around
        const branched = skipped
          ? undefined
          : own.events.find(
              (e) =>
                e.checked &&
                ownIds.has(e.id) &&
                points.every((p) => [...p.must].some((id) => ownIds.has(id)) || p.may.has(e.id)) &&
                !!sideNotChecking(e.node) &&
                // (not when the other side checks too: `if (user.totpEnabled) { code } else { password }`)
                !own.events.some((o) => o !== e && ownIds.has(o.id) && onOtherSide(e.node, o.node)),
            );
        const around = branched && sideNotChecking(branched.node);
        if (skipped?.spec.skip) base.skip = skipped.spec.skip;
        else if (around) base.skip = around;
        else return undefined;
      }
      if (points.length) base.guardsOwnEffects = true;
    }

    // A middleware: every next() must sit behind the check.
    if (nextParam) {
      const conts = flow.points.filter((p) => p.kind === 'continuation');
      const ids = new Set(evidence.filter((e) => !e.opaque).map((e) => e.id));
      if (!conts.length) return undefined;
      const unprotected = conts.find((p) => ![...p.must].some((id) => ids.has(id)));
      if (unprotected && !conts.some((p) => [...p.must].some((id) => ids.has(id)))) {
        // the check decides nothing about next(): not a guard at all, unless it is broken (calls next anyway)
        if (!conts.some((p) => [...p.may].some((id) => ids.has(id))) && !evidence.some((e) => e.checked))
          return undefined;
      }
      // next() reached when the check failed is a leak; reached without the check ever running, a skipped branch
      const failedInto = conts.find(
        (p) => ![...p.must].some((id) => ids.has(id)) && (p.fall.size > 0 || [...p.may].some((id) => ids.has(id))),
      );
      const spec: GuardSpec = {
        ...(base as GuardSpec),
        mode: 'middleware',
        leaks:
          failedInto?.node ??
          (unprotected && !conts.some((p) => [...p.must].some((id) => ids.has(id))) ? unprotected.node : undefined),
      };
      if (unprotected && !spec.leaks) spec.skip = { node: unprotected.node, why: branchText(unprotected.node) };
      if (evidence.every((e) => e.opaque)) spec.opaque = true;
      return spec;
    }

    // The function returns the evidence itself: `return Date.now() - s.authAt < FIVE_MIN`
    for (const x of flow.exits) {
      // (a tuple answer is read position by position below)
      if (!x.value || arrayAnswer(x.value)) continue;
      const ev = evidence.find(
        (e) => e.returned && (containsNode(x.value!, e.node) || e.vars.some((v) => mentions(x.value!, v))),
      );
      if (!ev) continue;
      const truthOnFail = failTruth(x.value, ev, walker);
      // (a function not declared async that hands back an asynchronous verifier's own call, `return
      // bcrypt.compare(pw, hash)`, answers its promise: a caller must await it)
      const handsPromise = !isAsync && !!ev.spec.async && skipOuter(x.value) === ev.node;
      if (truthOnFail !== undefined)
        return withSkip(
          {
            ...(base as GuardSpec),
            mode: truthOnFail ? 'returns-error' : 'returns-falsy',
            ...(handsPromise ? { async: true } : {}),
          },
          flow.exits,
          evidence,
        );
    }
    // A wrapper around another guard: `return requireStepUp(req)`, `return bcrypt.compare(...)`
    const returned = evidence.filter((e) => e.usage === 'return' && !e.inline);
    const checked = evidence.filter((e) => e.checked && !e.opaque);
    if (returned.length && !checked.length) {
      const inner = returned[0].spec;
      // An unseen verifier whose asynchrony is unknown is known to be awaited when this helper is async.
      const known = isAsync || inner.async !== undefined;
      const spec: GuardSpec = {
        ...inner,
        name,
        async: isAsync || inner.async,
        source: inner.source === 'catalog' ? 'project' : inner.source,
        via: inner.name,
        defNode: fn,
      };
      if (inner.inferred && known) {
        spec.inferred = false;
        spec.opaque = false;
      }
      if (base.enrolling) spec.enrolling ??= base.enrolling;
      return withSkip(spec, flow.exits, evidence);
    }
    const ids = new Set(evidence.map((e) => e.id));
    // an exit in a check's failure branch fails, whatever checks passed before it (the code after the password)
    const failure = flow.exits.filter(
      (x) => ![...x.must].some((id) => ids.has(id)) || [...(x.failing ?? [])].some((id) => ids.has(id)),
    );
    const success = flow.exits.filter((x) => !failure.includes(x));
    // a tuple answer (`return [null, error]` / `return [true, null]`): what each position says, read by index
    const positions = tupleAnswer(flow.exits, evidence, walker);
    if (positions) {
      const decided = decidedPositions(positions);
      if (!decided.length) return { ...(base as GuardSpec), mode: 'unknown', tuple: true, positions };
      return withSkip(
        {
          ...(base as GuardSpec),
          mode: 'returns-object',
          field: decided[0][0],
          successWhen: decided[0][1],
          positions,
          tuple: true,
        },
        flow.exits,
        evidence,
      );
    }
    const failingExits = failure.filter((x) => x.kind !== 'end' || !success.length);
    // Nothing fails here, but a throwing check it awaits (`return changePassword(…)`) fails for it: it throws too.
    if (
      !failingExits.length &&
      evidence.some(
        (e) => e.established && !e.opaque && !e.notAwaited && (e.spec.mode === 'throws' || e.spec.guardsOwnEffects),
      )
    ) {
      return { ...(base as GuardSpec), mode: 'throws' };
    }
    if (!failingExits.length || evidence.every((e) => e.opaque && !e.checked)) {
      if (evidence.some((e) => e.opaque)) return { ...(base as GuardSpec), mode: 'unknown', opaque: true };
      return { ...(base as GuardSpec), mode: 'never-fails' };
    }
    if (failingExits.every((x) => x.kind === 'throw')) return { ...(base as GuardSpec), mode: 'throws' };
    // a callback handed a name reports what the path knows of it: an `err` not known truthy may be null
    const shapeOf = (x: FlowExit): string =>
      walker.reportsThroughCallback &&
      x.value &&
      ts.isIdentifier(skipOuter(x.value)) &&
      x.value.getText() !== 'undefined'
        ? x.truthy
          ? 'truthy'
          : 'unknown'
        : returnShape(x.value, x.answer);
    const passed = (x: FlowExit): boolean =>
      [...x.must].some((id) => ids.has(id)) && ![...(x.failing ?? [])].some((id) => ids.has(id));
    // error-first: nothing answers empty but where every check passed, and each refusal answers something
    // (`callback('INVALID_OTP')` for a missing code, after the password passed, is one more refusal)
    const valued = flow.exits.filter((x) => x.kind !== 'end');
    const empty = valued.filter((x) => x.kind === 'return' && shapeOf(x) === 'falsy');
    if (
      empty.length &&
      valued.length === flow.exits.length &&
      empty.every(passed) &&
      valued.every((x) => x.kind === 'throw' || ['falsy', 'truthy'].includes(shapeOf(x))) &&
      failingExits.some((x) => x.kind === 'return' && shapeOf(x) === 'truthy')
    )
      return withSkip({ ...(base as GuardSpec), mode: 'returns-error' }, flow.exits, evidence);
    const shapes = failingExits.map(shapeOf);
    const okShapes = success.map(shapeOf);
    if (shapes.some((s) => s === 'response')) return { ...(base as GuardSpec), mode: 'returns-response' };
    if (shapes.some((s) => s.startsWith('object:'))) {
      const f = shapes.find((s) => s.startsWith('object:'))!.slice(7);
      const [field, when] = f.split('=');
      return withSkip(
        { ...(base as GuardSpec), mode: 'returns-object', field, successWhen: when === 'falsy' ? 'falsy' : 'truthy' },
        flow.exits,
        evidence,
      );
    }
    // (a success answered on a path that never ran the check, `if (req.body.fast) return true`, skips it)
    if (shapes.every((s) => s === 'falsy' || s === 'throw'))
      return withSkip({ ...(base as GuardSpec), mode: 'returns-falsy' }, flow.exits, evidence);
    if (
      shapes.every((s) => s === 'truthy' || s === 'throw') &&
      okShapes.length > 0 &&
      okShapes.every((s) => s === 'falsy')
    )
      return withSkip({ ...(base as GuardSpec), mode: 'returns-error' }, flow.exits, evidence);
    return withSkip({ ...(base as GuardSpec), mode: 'returns-falsy' }, flow.exits, evidence);
  }
}

/**
 * A function whose every answer is a tuple (`return [null, { code: 403 }]`, `return [true, null]`): what each
 * position holds where a check failed and where every check passed, read from literals, or from the check's
 * result where an answer is built from it (`return [ok, ok ? null : msg]`). Answers on paths that ran no
 * check say nothing.
 */
function tupleAnswer(
  exits: readonly FlowExit[],
  evidence: readonly GuardEvent[],
  walker: Flow,
): Record<string, TuplePosition> | undefined {
  const ids = new Set(evidence.map((e) => e.id));
  const valued = exits.filter((x) => x.kind !== 'throw');
  const arrays = new Map<FlowExit, ts.ArrayLiteralExpression>();
  for (const x of valued) {
    const a = x.kind === 'return' && x.value ? arrayAnswer(x.value) : undefined;
    if (a) arrays.set(x, a);
  }
  if (!arrays.size) return undefined;
  // some answers a tuple, others something else (`{ ok: false }`, a value passed on): no position can be read
  if (arrays.size < valued.length) return {};
  const has = (set: Iterable<number> | undefined): boolean => [...(set ?? [])].some((id) => ids.has(id));
  const failed = valued.filter((x) => has(x.failing));
  const passed = valued.filter((x) => !failed.includes(x) && has(x.must));
  // (after a check whose result the answer is built from, or where no check ran: neither side known on the path)
  const either = valued.filter((x) => !failed.includes(x) && !passed.includes(x));
  const under = (el: ts.Expression | undefined, fail: boolean): Truth | undefined => {
    const lit = literalTruth(el);
    if (lit || !el) return lit;
    const x = skipOuter(el);
    // a choice built from the result (`ok ? null : msg`): what the side taken holds
    if (ts.isConditionalExpression(x)) {
      const c = under(x.condition, fail);
      if (c) return under(c === 'truthy' ? x.whenTrue : x.whenFalse, fail);
      const a = under(x.whenTrue, fail);
      return a && a === under(x.whenFalse, fail) ? a : undefined;
    }
    for (const e of evidence) {
      const t = truthUnder(el, e, fail, walker);
      if (t !== undefined) return t ? 'truthy' : 'falsy';
    }
    return undefined;
  };
  const width = Math.max(...valued.map((x) => arrays.get(x)!.elements.length));
  const positions: Record<string, TuplePosition> = {};
  for (let i = 0; i < width; i++) {
    const at = (x: FlowExit): ts.Expression | undefined => arrays.get(x)!.elements[i];
    // an answer written as a literal where the check may not have run says one side: the failing one when it
    // says what the failure branches say, the passing one when it says otherwise (`if (!ok) return [false, …];
    // return [true, null]` with `ok` forced true for an account with no password); one built from the check's
    // result says both
    const failedSays = sideOf(
      failed.map((x) => under(at(x), true)),
      [],
    ).truth;
    const onFail = [...failed];
    const onPass = [...passed];
    for (const x of either) {
      const lit = literalTruth(at(x));
      if (lit && failedSays) (lit === failedSays ? onFail : onPass).push(x);
      else {
        onFail.push(x);
        onPass.push(x);
      }
    }
    const f = sideOf(
      onFail.map((x) => under(at(x), true)),
      onFail.map((x) => literalValue(at(x))),
    );
    const p = sideOf(
      onPass.map((x) => under(at(x), false)),
      onPass.map((x) => literalValue(at(x))),
    );
    // the members of an object answered in that position (`[null, { status: 401 }]`)
    const members: Record<string, TuplePosition> = {};
    const keys = new Set<string>();
    for (const x of [...onFail, ...onPass]) {
      const el = at(x) && skipOuter(at(x)!);
      if (el && ts.isObjectLiteralExpression(el))
        for (const prop of el.properties) {
          const key = prop.name && propertyNameText(prop.name);
          if (key) keys.add(key);
        }
    }
    for (const k of keys) {
      const side = (xs: FlowExit[]): ReturnType<typeof sideOf> => {
        const got = xs.map((x) => memberOf(at(x), k));
        if (got.some((g) => g === undefined)) return {};
        return sideOf(
          got.map((g) => g!.truth),
          got.map((g) => g!.value),
        );
      };
      members[k] = positionOf(side(onFail), side(onPass));
    }
    positions[String(i)] = positionOf(f, p, members);
  }
  return positions;
}

/**
 * The error-first callback a function reports through: its last parameter, called somewhere in its
 * body (nested callbacks included), where the function's own returns hand back nothing else.
 */
function errorFirstCallback(fn: FunctionNode): ts.ParameterDeclaration | undefined {
  const p = fn.parameters[fn.parameters.length - 1];
  if (!p || fn.parameters.length < 2 || !ts.isIdentifier(p.name) || !fn.body || !ts.isBlock(fn.body)) return undefined;
  const callsIt = (n: ts.Node): n is ts.CallExpression => {
    const x = ts.isCallExpression(n) ? skipOuter(n.expression) : undefined;
    return !!x && ts.isIdentifier(x) && findDeclaration(x) === p;
  };
  let called = false;
  let valued = false;
  // `callback(null, user)`: a success reported error-first (a middleware's `next` takes no such null)
  let errorFirst = false;
  const visit = (n: ts.Node, own: boolean): void => {
    if (callsIt(n)) {
      called = true;
      const [first, second] = n.arguments;
      if (first && second && isNullish(first)) errorFirst = true;
    }
    if (own && ts.isReturnStatement(n) && n.expression && !callsIt(skipOuter(n.expression))) valued = true;
    n.forEachChild((k) => visit(k, own && !ts.isFunctionLike(k)));
  };
  visit(fn.body, true);
  // a function given a request is a middleware whose last parameter continues it, unless it reports error-first
  const first = fn.parameters[0];
  const request = !!first && ts.isIdentifier(first.name) && /^(req|request|ctx|c|context|event)$/.test(first.name.text);
  return called && !valued && (errorFirst || (!request && p.name.text !== 'next')) ? p : undefined;
}

/** Literal arguments share a summary by value; any other argument is its own data path (where a secret comes from). */
function argKey(a: ts.Expression): string {
  const x = skipOuter(a);
  if (
    ts.isLiteralExpression(x) ||
    x.kind === ts.SyntaxKind.TrueKeyword ||
    x.kind === ts.SyntaxKind.FalseKeyword ||
    x.kind === ts.SyntaxKind.NullKeyword
  )
    return x.getText();
  return `@${x.getSourceFile().fileName}:${x.pos}`;
}

/**
 * Is a proof-store read tied to the signed-in user? Its arguments name something of the server's own
 * (`stepUpStore.take(user.id)`), or the local holding its result has a field compared with a value the
 * request does not carry (`user.id !== proof?.userId`) in the function that reads it.
 */
function ownerBound(call: ts.CallExpression): boolean {
  const args = call.arguments.map((a) => a.getText());
  // (a member read such as `user.id`; a bare name, the request or a cookie's id, is no key of the server's)
  if (args.some((a) => a.includes('.') && !vocab().requestData.test(a))) return true;
  let p: ts.Node = call.parent;
  while (p && (ts.isAwaitExpression(p) || ts.isParenthesizedExpression(p) || ts.isAsExpression(p))) p = p.parent;
  if (!p || !ts.isVariableDeclaration(p) || !ts.isIdentifier(p.name)) return false;
  const name = p.name.text;
  let fn: ts.Node | undefined = p;
  while (fn && !ts.isFunctionLike(fn)) fn = fn.parent;
  if (!fn) return false;
  const ofResult = (e: ts.Expression): boolean => {
    const x = skipOuter(e);
    return (
      ts.isPropertyAccessExpression(x) &&
      ts.isIdentifier(skipOuter(x.expression)) &&
      skipOuter(x.expression).getText() === name
    );
  };
  let bound = false;
  const visit = (n: ts.Node): void => {
    if (bound) return;
    if (ts.isBinaryExpression(n) && /^(===|!==|==|!=)$/.test(n.operatorToken.getText())) {
      for (const [a, b] of [
        [n.left, n.right],
        [n.right, n.left],
      ] as const)
        if (
          ofResult(a) &&
          !ofResult(b) &&
          !vocab().requestData.test(b.getText()) &&
          ts.isPropertyAccessExpression(skipOuter(b))
        )
          bound = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(fn);
  return bound;
}

/**
 * Can a reading function answer nothing (null, undefined) when there is no proof? Not when every answer is
 * an object, a list or a default (`return { userId, fresh }`, `return r.rows`, `row ?? { scopes: [] }`):
 * a caller's `if (!proof)` then never refuses.
 */
function mayAnswerNothing(fn: ts.Node): boolean {
  const f = fn as ts.FunctionLikeDeclaration;
  if (!f.body) return true;
  if (!ts.isBlock(f.body)) return !alwaysSomething(f.body);
  const rets = returnExpressions(f);
  return rets.length === 0 || rets.some((r) => !alwaysSomething(r));
}

/**
 * Does a function answer what a store holds (`return await store.getAndDestroy(id)`), whatever client value it
 * looks the record up by (a session cookie's id), rather than a value decoded from the request?
 */
function answersStoreRead(fn: ts.Node): boolean {
  const f = fn as ts.FunctionLikeDeclaration;
  const rets = f.body && ts.isBlock(f.body) ? returnExpressions(f) : f.body ? [f.body] : [];
  const answers = rets.filter((r) => !isNullish(r));
  return (
    answers.length > 0 &&
    answers.every((r) => {
      let x = skipOuter(r);
      if (ts.isAwaitExpression(x)) x = skipOuter(x.expression);
      if (!ts.isCallExpression(x)) return false;
      const parts = calleeParts(x.expression);
      const name = parts?.[parts.length - 1] ?? '';
      return vocab().stepUpRecordReads.test(name);
    })
  );
}

function alwaysSomething(e: ts.Expression): boolean {
  let x = skipOuter(e);
  if (ts.isAwaitExpression(x)) x = skipOuter(x.expression);
  if (ts.isObjectLiteralExpression(x) || ts.isArrayLiteralExpression(x) || ts.isNewExpression(x)) return true;
  if (ts.isBinaryExpression(x) && /^(\?\?|\|\|)$/.test(x.operatorToken.getText())) return alwaysSomething(x.right);
  if (ts.isConditionalExpression(x)) return alwaysSomething(x.whenTrue) && alwaysSomething(x.whenFalse);
  // a query's rows (a list, empty when nothing matched), a list mapped or filtered
  if (ts.isPropertyAccessExpression(x) && x.name.text === 'rows' && !x.questionDotToken) return true;
  if (
    ts.isCallExpression(x) &&
    ts.isPropertyAccessExpression(x.expression) &&
    /^(map|filter|slice)$/.test(x.expression.name.text)
  )
    return true;
  return false;
}

/** A read of a store named for re-authentication itself (`reauthSessionController.extractSessionData(c)`). */
function isProofStoreRead(parts: string[] | undefined, last: string): boolean {
  const v = vocab();
  return (
    !!parts && parts.length >= 2 && !!v.proofStores?.test(parts[parts.length - 2]) && !!v.proofStoreReads?.test(last)
  );
}

/** A read of a step-up record: `db.stepUp.findFirst`, `prisma.mfaChallenge.findUnique`, `reauthStore.get`. */
function isStepUpRead(parts: string[] | undefined, last: string, call: ts.CallExpression): boolean {
  if (isProofStoreRead(parts, last)) return ownerBound(call);
  // the record store is the member just before the read (`db.stepUp.findFirst`, `stepUpStore.get`)
  if (!(
    vocab().stepUpRecordReads.test(last) &&
    !!parts &&
    parts.length >= 2 &&
    vocab().guardNames.test(parts[parts.length - 2])
  ))
    return false;
  // (a factor's own record, `mfaFactor.findFirst(…)`, says a factor exists, not that it was used now)
  if (vocab().factorRecords.test(parts[parts.length - 2])) return false;
  // A query must bound the proof (verified since, not expired, not consumed): `webAuthnCredential.findFirst({ where: { id } })`
  // looks up the credential an endpoint is about to delete, it proves nothing. Key-value reads expire by themselves.
  if (!/^(find|count)/.test(last)) return true;
  const text = call.arguments.map((a) => a.getText()).join(',');
  // (a record found because it was never verified, `verifiedAt: null`, is a factor or a code still pending: no proof)
  if (/\b(verified|confirmed|enabled|activated)_?at\s*:\s*(null\b|\{\s*equals\s*:\s*null\b)/i.test(text)) return false;
  return vocab().stepUpRecordProof.test(text);
}

/**
 * A query of a step-up record bounded only by its state (`Otp.findOne({ email, status: 'Verified' })`): it finds a
 * verification made in an earlier request, however long ago, neither bounded by a time nor tied to a code presented
 * now. A key-value read expires by itself; a query with a time bound or the code typed for this request does not age.
 */
function staleProof(call: ts.CallExpression, last: string): { weakness: string } | undefined {
  if (!/^(find|count)/.test(last)) return undefined;
  const text = call.arguments.map((a) => a.getText()).join(',');
  if (/\b(gt|gte|lt|lte)\s*:|new Date|Date\.now|now\(|expire|\b(created|updated|verified|used)_?at\b/i.test(text))
    return undefined;
  // the code, token or challenge the request presents now, in the query or compared with the record found
  if (/(code|otp|token|nonce|challenge|hash)\w*\s*(:|,|})/i.test(text.replace(/status\s*:[^,}]*/gi, '')))
    return undefined;
  if (comparedWithRequest(call)) return undefined;
  return {
    weakness: `${call.expression.getText()} finds a verification made in an earlier request by its state alone, with no time bound, so it proves nothing recent`,
  };
}

/**
 * A step-up record found by the code presented alone (`Otp.findOne({ $or: [{ otp }, { otp: `${otp}` }] })`,
 * `prisma.otp.findFirst({ where: { code, used: false } })`): its filter names nothing but the code, the record's state
 * and values the request sends (an e-mail or a user id of the client's choosing), so a code issued to any account
 * passes. Only when the record found is used for nothing else: a record whose owner, or any other field, the handler
 * reads afterwards (`row.userId !== me.id`, `const { userId } = row`, the record handed on) may be tied to the caller.
 */
function unboundProof(call: ts.CallExpression, last: string): { weakness: string } | undefined {
  const v = vocab();
  if (!/^(find|count)/.test(last) || !v.unboundCodeKeys || !v.unboundStateKeys) return undefined;
  const keyOf = (name: string): string => name.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
  const codeOrState = (k: string): boolean => v.unboundCodeKeys!.test(k) || v.unboundStateKeys!.test(k);
  let code = false;
  let bound = false;
  const visit = (n: ts.Node): void => {
    const x = ts.isExpression(n) ? skipOuter(n) : n;
    if (ts.isArrayLiteralExpression(x)) x.elements.forEach(visit);
    else if (ts.isObjectLiteralExpression(x))
      for (const p of x.properties) {
        const name = p.name ? propertyNameText(p.name) : undefined;
        const key = keyOf(name ?? '');
        if (ts.isSpreadAssignment(p) || name === undefined) bound = true;
        // (a query's containers and operators, `where`, `$or`, `AND`, `OR`: the conditions they hold)
        else if (/^(\$\w+|where|and|or)$/i.test(name) && ts.isPropertyAssignment(p)) visit(p.initializer);
        else if (v.unboundCodeKeys!.test(key)) code = true;
        else if (v.unboundStateKeys!.test(key)) continue;
        else {
          // (a value the client sends, `email` of `const { email } = req.body`, ties the code to no one)
          const value = ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : p;
          if (!clientSource(value)) bound = true;
        }
      }
    else bound = true;
  };
  if (!call.arguments[0]) return undefined;
  visit(call.arguments[0]);
  if (!code || bound) return undefined;
  // what the record found is used for afterwards
  const held = resultHolder(call);
  if (!held) return undefined;
  const { name, fn, decl } = held;
  let other = false;
  forEachNode(fn, (n) => {
    if (other) return false;
    if (!ts.isIdentifier(n) || n.text !== name || n === decl.name) return;
    const parent = n.parent;
    if (ts.isPropertyAccessExpression(parent) && parent.expression === n) {
      const key = keyOf(parent.name.text);
      if (!codeOrState(key) && key !== 'id') other = true;
      return;
    }
    // tested for being there (`if (!row)`, `row == null`, `row ? … : …`) and nothing else
    if (ts.isPrefixUnaryExpression(parent) || ts.isIfStatement(parent) || ts.isConditionalExpression(parent)) return;
    // answered as the result (`return row`, `return { tokenDoc }`): what the caller tests is the check's answer
    if (ts.isReturnStatement(parent)) return;
    const prop =
      ts.isShorthandPropertyAssignment(parent) || ts.isPropertyAssignment(parent) ? parent.parent : undefined;
    if (prop && ts.isObjectLiteralExpression(prop) && ts.isReturnStatement(prop.parent)) return;
    if (ts.isBinaryExpression(parent) && /^(==|===|!=|!==|\|\||&&|\?\?)$/.test(parent.operatorToken.getText())) {
      const otherSide = parent.left === n ? parent.right : parent.left;
      if (
        otherSide.kind === ts.SyntaxKind.NullKeyword ||
        otherSide.getText() === 'undefined' ||
        /\|\||&&/.test(parent.operatorToken.getText())
      )
        return;
    }
    other = true;
  });
  if (other) return undefined;
  return {
    weakness: `${call.expression.getText()} finds the code by its value alone, not by the signed-in account, so a code issued to any account passes`,
  };
}

/** The local a read's answer is kept in (`const row = await Otp.findOne(…)`), and the function around it. */
function resultHolder(
  call: ts.CallExpression,
): { name: string; fn: ts.SignatureDeclaration; decl: ts.VariableDeclaration } | undefined {
  let holder: ts.Node = call.parent;
  while (ts.isAwaitExpression(holder) || ts.isParenthesizedExpression(holder) || ts.isAsExpression(holder))
    holder = holder.parent;
  if (!ts.isVariableDeclaration(holder) || !ts.isIdentifier(holder.name)) return undefined;
  const fn = ts.findAncestor(holder, ts.isFunctionLike);
  return fn ? { name: holder.name.text, fn, decl: holder } : undefined;
}

/** Is the record a read answers (`const sent = await Otp.findOne(…)`) compared with something the request sent? */
function comparedWithRequest(call: ts.CallExpression): boolean {
  const held = resultHolder(call);
  if (!held) return false;
  const { name, fn } = held;
  let hit = false;
  forEachNode(fn, (n) => {
    if (hit) return false;
    const parts =
      ts.isBinaryExpression(n) && EQUALITY.has(n.operatorToken.kind)
        ? [n.left, n.right]
        : ts.isCallExpression(n) && n !== call
          ? [...n.arguments]
          : undefined;
    if (!parts) return;
    const texts = parts.map((p) => p.getText());
    if (texts.some((t) => new RegExp(`^${name}\\??\\.`).test(t)) && texts.some((t) => vocab().requestData.test(t)))
      hit = true;
  });
  return hit;
}

/** A name that says step-up and is not an enrolment, setup or sending action. */
export function isGuardName(name: string): boolean {
  // getters return data (`getAuthenticatorAssuranceLevel`), the decision is the comparison made with it
  return vocab().guardNames.test(name) && !vocab().guardNameExclusions.test(name);
}

/** Does `root` read the variable declared by `decl`? */
function mentions(root: ts.Node, decl: ts.Node): boolean {
  const name = ts.isVariableDeclaration(decl) || ts.isBindingElement(decl) ? decl.name.getText() : undefined;
  if (!name) return false;
  let hit = false;
  const visit = (n: ts.Node): void => {
    if (hit) return;
    if (ts.isIdentifier(n) && n.text === name) hit = true;
    else ts.forEachChild(n, visit);
  };
  visit(root);
  return hit;
}

function containsNode(root: ts.Node, n: ts.Node): boolean {
  let cur: ts.Node | undefined = n;
  while (cur) {
    if (cur === root) return true;
    cur = cur.parent;
  }
  return false;
}

function collectQuality(spec: Partial<GuardSpec>, evidence: GuardEvent[], max: number): void {
  const windows = evidence.map((e) => e.spec.windowMinutes).filter((w): w is number => w !== undefined);
  if (windows.length) spec.windowMinutes = Math.min(...windows);
  spec.hasFreshness = evidence.some((e) => e.spec.hasFreshness);
  const weak = evidence.find((e) => e.spec.weakness);
  if (weak && evidence.every((e) => e.spec.weakness || !e.spec.hasFreshness)) spec.weakness = weak.spec.weakness;
  if (
    spec.windowMinutes !== undefined &&
    spec.windowMinutes <= max &&
    !evidence.some((e) => e.spec.weakness && !e.spec.hasFreshness)
  )
    spec.weakness = undefined;
  const client = evidence.find((e) => e.spec.clientTrusted);
  if (client && evidence.every((e) => e.spec.clientTrusted || e.opaque)) spec.clientTrusted = client.spec.clientTrusted;
  spec.aalOnly = evidence.some((e) => e.spec.aalOnly) && !spec.hasFreshness;
  // What it checks counts only as much as its evidence does: the factor being enrolled, or nothing recognised.
  const counted = evidence.filter((e) => !e.notAwaited && e.spec.mode !== 'never-fails');
  const enrolling = counted.find((e) => e.spec.enrolling);
  if (enrolling && counted.every((e) => e.spec.enrolling || e.spec.unrecognised))
    spec.enrolling = enrolling.spec.enrolling;
  // Nothing it checks is recognised as re-verification (only hollow or unrecognised guards): neither is it.
  if (counted.every((e) => e.spec.unrecognised)) spec.unrecognised = true;
  if (counted.length && counted.every((e) => e.spec.factor === 'otp')) spec.factor = 'otp';
}

/** A call named for a one-time-code factor, or given a value named for one (`row.mfa_secret`, `user.totpSecret`). */
function namesOneTimeCode(callee: string, call: ts.CallExpression): boolean {
  const re = vocab().otpSecrets;
  // (a value, not a label: `verifyUserPassword(id, pw, 'enable-2fa')` names what it logs, not what it checks)
  return (
    nameHas(callee, re) ||
    call.arguments.some((a) => {
      const x = skipOuter(a);
      // a literal counts only when it is the factor's name itself (`verifyCode(id, code, 'totp')`)
      if (ts.isStringLiteralLike(x)) return re.test(x.text.toLowerCase());
      return (
        (ts.isIdentifier(x) || ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) &&
        nameHas(x.getText().replace(/[^\w$]+/g, '_'), re)
      );
    })
  );
}

/**
 * One operand of a catalogued verifier: `0`, `0.token`, `receiver.secret` (what the receiver was constructed with, or
 * the receiver when no `new` made it). A receiver made in another module and imported is what that module made it
 * from (`export const serverTotp = URI.parse(process.env.X)`: the server's secret, not one of the user's).
 */
function selectOperand(call: ts.CallExpression, selector: string, values: ValueResolver): ts.Expression | undefined {
  const [head, ...keys] = selector.split('.');
  let cur: ts.Expression | undefined;
  if (head === 'receiver') {
    const callee = skipOuter(call.expression);
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    cur = callee.expression;
    if (keys.length) {
      let r = skipOuter(cur);
      const imported = ts.isIdentifier(r) ? importedMaker(r, values) : undefined;
      if (ts.isIdentifier(r)) r = imported ?? localInit(r) ?? r;
      r = skipOuter(r);
      // (a receiver made otherwise, `URI.parse(uri)`: the receiver itself holds the secret, and where it comes
      // from is what counts; with no stored side at all, the compare would be taken on trust)
      if (!ts.isNewExpression(r) || !r.arguments?.[0]) return imported ?? cur;
      cur = r.arguments[0];
    }
  } else cur = call.arguments[Number(head)];
  for (const k of keys) {
    if (!cur) return undefined;
    cur = objectKey(cur, k);
  }
  return cur;
}

/** The call or `new` an imported binding was made by in its own module, when that is all it can be. */
function importedMaker(id: ts.Identifier, values: ValueResolver): ts.Expression | undefined {
  const d = findDeclaration(id);
  if (!d) return undefined;
  // (`import { x }`, or `const { x } = require('./m')`, `const x = require('./m').x`)
  const root = ts.isBindingElement(d) ? bindingPath(d).root : d;
  const init = root && ts.isVariableDeclaration(root) ? root.initializer : undefined;
  let base = init && skipOuter(init);
  while (base && ts.isPropertyAccessExpression(base)) base = skipOuter(base.expression);
  const imported =
    ts.isImportSpecifier(d) || ts.isImportClause(d) || ts.isNamespaceImport(d) || (!!base && isRequireCall(base));
  if (!imported) return undefined;
  const made = values.resolve(id);
  if (made.length !== 1 || made[0].kind !== 'call') return undefined;
  return made[0].node;
}

/** `key` of an object literal (directly or through a local constant). */
function objectKey(e: ts.Expression, key: string): ts.Expression | undefined {
  let x = skipOuter(e);
  if (ts.isIdentifier(x)) x = skipOuter(localInit(x) ?? x);
  if (!ts.isObjectLiteralExpression(x)) return undefined;
  for (const p of x.properties) {
    if (!p.name || propertyNameText(p.name) !== key) continue;
    if (ts.isPropertyAssignment(p)) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p)) return p.name;
  }
  return undefined;
}

/** A catalogued verifier's operands: by its declared roles when they can be found, else every argument. */
function cataloguedOperands(entry: CatalogEntry, call: ts.CallExpression, values: ValueResolver): CompareOperands {
  const roles = entry.operands;
  const typed = roles?.typed.map((sel) => selectOperand(call, sel, values)).find(Boolean);
  if (!roles || !typed) return { candidates: [...call.arguments] };
  const stored = roles.stored
    ? roles.stored.map((sel) => selectOperand(call, sel, values)).filter((e): e is ts.Expression => !!e)
    : [];
  return { typed, stored, libraryLooksUp: !roles.stored };
}

/** A verifier's spec once what it compares is known: not step-up at all, client-trusted, or a check of the factor being enrolled. */
function withSecretVerdict(spec: GuardSpec, verdict: SecretVerdict): GuardSpec | undefined {
  if (verdict.kind === 'none') return undefined;
  const factor = spec.factor ?? (verdict.otp ? 'otp' : undefined);
  if (verdict.kind === 'client-trusted') return { ...spec, factor, clientTrusted: clientTrustedText(verdict) };
  if (verdict.kind === 'enrolling') return { ...spec, factor, enrolling: verdict.stored };
  return { ...spec, factor };
}

/** An async function, one declared to return a `Promise<…>`, or one that returns `new Promise(…)`. */
/** Per function (syntax alone): each guard spec of a function asks again, and a body may be long. */
const asyncCache = new WeakMap<FunctionNode, boolean>();

function isAsyncFunction(fn: FunctionNode): boolean {
  let hit = asyncCache.get(fn);
  if (hit === undefined) asyncCache.set(fn, (hit = returnsPromise(fn)));
  return hit;
}

function returnsPromise(fn: FunctionNode): boolean {
  if (fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) return true;
  // declared to answer a promise (`matches(user, pw): Promise<boolean> { return bcrypt.compare(…) }`)
  const declared = fn.type && ts.isTypeReferenceNode(fn.type) ? fn.type.typeName.getText() : undefined;
  if (declared && /^(Promise|PromiseLike)$/.test(declared)) return true;
  const isPromise = (e: ts.Expression): boolean => {
    const x = skipOuter(e);
    return ts.isNewExpression(x) && ts.isIdentifier(x.expression) && x.expression.text === 'Promise';
  };
  if (fn.body && !ts.isBlock(fn.body)) return isPromise(fn.body);
  let hit = false;
  const visit = (n: ts.Node): void => {
    if (hit || ts.isFunctionLike(n)) return;
    if (ts.isReturnStatement(n) && n.expression && isPromise(n.expression)) hit = true;
    else ts.forEachChild(n, visit);
  };
  if (fn.body) ts.forEachChild(fn.body, visit);
  return hit;
}

/** The condition under which `node` runs: `when \`!user.passwordHash\``, from its nearest enclosing `if`. */
export function branchText(node: ts.Node): string {
  const b = innermostBranch(node);
  if (!b) return 'on a path that never runs the check';
  const cond = b.stmt.expression.getText().replace(/\s+/g, ' ');
  return b.onThen ? `when \`${cond}\`` : `unless \`${cond}\``;
}

/** The nearest `if` of `node`'s function that holds it on one of its sides, and which side. */
function innermostBranch(node: ts.Node): { stmt: ts.IfStatement; onThen: boolean } | undefined {
  let child: ts.Node = node;
  for (let cur = node.parent; cur && !ts.isFunctionLike(cur); child = cur, cur = cur.parent)
    if (ts.isIfStatement(cur) && (child === cur.thenStatement || child === cur.elseStatement))
      return { stmt: cur, onThen: child === cur.thenStatement };
  return undefined;
}

/** Is `other` on the opposite side of the innermost `if` that `node` sits on one side of? */
function onOtherSide(node: ts.Node, other: ts.Node): boolean {
  const b = innermostBranch(node);
  const side = b && (b.onThen ? b.stmt.elseStatement : b.stmt.thenStatement);
  return !!side && other.pos >= side.pos && other.end <= side.end;
}

/** The branch that does not run a check made on one side of an `if` (`if (password) { check }`: unless `password`). */
function sideNotChecking(node: ts.Node): { node: ts.Node; why: string } | undefined {
  const b = innermostBranch(node);
  if (!b) return undefined;
  const cond = b.stmt.expression.getText().replace(/\s+/g, ' ');
  return { node: b.stmt.expression, why: b.onThen ? `unless \`${cond}\`` : `when \`${cond}\`` };
}

/** Marks each one-time-code check among `events` as proving the factor the function switches on. */
function markEnrolling(events: GuardEvent[], enrolment: string): void {
  for (const e of events)
    if (e.spec.factor === 'otp' && !e.spec.enrolling) e.spec = { ...e.spec, enrolling: enrolment };
}

/**
 * A guard that reports success on a path that never ran its check (`if (!user.passwordHash) return
 * true`): the check is skipped there.
 */
function withSkip(spec: GuardSpec, exits: FlowExit[], evidence: GuardEvent[]): GuardSpec {
  const ids = new Set(evidence.map((e) => e.id));
  const success =
    spec.mode === 'returns-error'
      ? ['falsy']
      : spec.mode === 'returns-falsy' || spec.mode === 'returns-null'
        ? ['truthy']
        : [];
  for (const x of exits) {
    if (x.kind === 'throw' || [...x.must].some((id) => ids.has(id))) continue;
    if (x.value && evidence.some((e) => containsNode(x.value!, e.node) || e.vars.some((v) => mentions(x.value!, v))))
      continue;
    const shape = returnShape(x.value, x.answer);
    const said =
      spec.mode === 'returns-object'
        ? objectSaysSuccess(x.value, spec)
        : success.includes(shape) && !!x.value && (spec.mode !== 'returns-falsy' || isConstantTruthy(x.value));
    if (said) return { ...spec, skip: { node: x.node, why: branchText(x.node) } };
  }
  return spec;
}

/** `{ error: false, … }` for a guard whose `error` field decides: success said outright. */
function objectSaysSuccess(value: ts.Expression | undefined, spec: GuardSpec): boolean {
  const x = value && skipOuter(value);
  // a tuple saying what every decided position says where the check passed (`return [true, null]`)
  const tuple = value && spec.tuple ? arrayAnswer(value) : undefined;
  if (tuple) {
    const decided = decidedPositions(spec.positions);
    return decided.length > 0 && decided.every(([i, t]) => literalTruth(tuple.elements[Number(i)]) === t);
  }
  if (!x || !ts.isObjectLiteralExpression(x) || !spec.field) return false;
  const p = x.properties.find((pp) => pp.name && propertyNameText(pp.name) === spec.field);
  if (!p || !ts.isPropertyAssignment(p)) return false;
  const v = skipOuter(p.initializer);
  const falsy =
    v.kind === ts.SyntaxKind.FalseKeyword ||
    v.kind === ts.SyntaxKind.NullKeyword ||
    (ts.isIdentifier(v) && v.text === 'undefined');
  const truthy = v.kind === ts.SyntaxKind.TrueKeyword;
  return spec.successWhen === 'falsy' ? falsy : truthy;
}

/** `true`, a non-empty literal: success said outright, not computed. */
function isConstantTruthy(e: ts.Expression): boolean {
  const x = skipOuter(e);
  return (
    x.kind === ts.SyntaxKind.TrueKeyword ||
    (ts.isStringLiteralLike(x) && x.text !== '') ||
    (ts.isNumericLiteral(x) && x.text !== '0') ||
    ts.isObjectLiteralExpression(x)
  );
}

/** An identifier naming a module-level constant made by a call when the module loads (`const schema = z.object(…)`). */
function isModuleObject(e: ts.Expression): boolean {
  const x = skipOuter(e);
  if (!ts.isIdentifier(x)) return false;
  const d = findDeclaration(x);
  if (!d || !ts.isVariableDeclaration(d) || !d.initializer) return false;
  const stmt = d.parent?.parent;
  if (!stmt || !ts.isVariableStatement(stmt) || !ts.isSourceFile(stmt.parent)) return false;
  if (!(d.parent.flags & ts.NodeFlags.Const)) return false;
  const init = skipOuter(d.initializer);
  return ts.isCallExpression(init) || ts.isNewExpression(init);
}

/** A write that only counts a failed attempt (`pinAttempts`, `lockedUntil`): every key it writes is named so. */
function countsFailure(e: Effect | undefined): boolean {
  const leaves = e ? leafEffects([e]) : [];
  const keys = leaves.flatMap((l) => l.dataKeys);
  // (a lock or flag written off, `blocked = false`, releases something: no failure is being counted)
  const releases = leaves.some((l) => Object.values(l.constants ?? {}).some((v) => /^(false|null)$/i.test(v)));
  return keys.length > 0 && !releases && keys.every((k) => nameHas(k, vocab().failureCounters));
}
