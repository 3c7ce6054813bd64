// The flow walk: a function's statements in evaluation order, with the set of step-up checks
// that have succeeded on EVERY path so far (`must`), on SOME path (`may`), and the checks whose
// failure branch fell through into this path (`fall`). Branches split the state, joins intersect
// it, `return`/`throw` end a path. Every side effect, continuation (`next()`, the wrapped handler)
// and answer is recorded with the state that reaches it.
import { ts } from 'ts-morph';
import { evalUnder, isMethodExpr, literal, type Assumptions } from '../analysis/assume.js';
import { isEnvironmentPredicate } from '../analysis/deployment.js';
import { effectOfCall, leafEffects, type Effect } from '../analysis/effects.js';
import { isStepUpMachinery } from '../analysis/machinery.js';
import { findDeclaration } from '../analysis/scope.js';
import { and3, not3, or3 } from '../analysis/tri.js';
import { argumentEnv, type Env } from '../analysis/strings.js';
import {
  calleeName,
  enclosingFunction,
  isFunctionNode,
  isInside,
  isNullish,
  propertyNameText,
  skipOuter,
} from '../analysis/values.js';
import { forEachNode } from '../analysis/walk.js';
import type { FunctionNode } from '../model.js';
import {
  inlineEvidence,
  localInit,
  resultHolds,
  truthUnder,
  type Check,
  type GuardRecogniser,
  type GuardSpec,
  type InlineEvidence,
  type ResultLookup,
  judgeCompare,
  vocab,
} from './guard/index.js';
import { answerOf, isNextResponseNext, neverReturns, type Answer } from './responses.js';

export type Role = 'handler' | 'middleware' | 'next-middleware' | 'wrapper' | 'summary';

export interface Fall {
  kind: 'no-return' | 'caught';
  node: ts.Node;
}

export interface GuardEvent extends Check {
  id: number;
  spec: GuardSpec;
  /** The call, or the condition for inline evidence. */
  node: ts.Node;
  name: string;
  usage: 'bare' | 'var' | 'cond' | 'return' | 'other' | 'inline';
  awaited: boolean;
  /** Its failure decides a branch. */
  checked: boolean;
  /** Established (succeeded) on at least one path. */
  established: boolean;
  notAwaited: boolean;
  /** A catalogue-less guard whose body cannot be seen, used where its failure mode matters. */
  opaque: boolean;
  inline?: InlineEvidence;
  /** Returned by a guard summary as its verdict. */
  returned?: boolean;
  /** A condition that tests the result the wrong way (the whole object instead of its field). */
  misread?: ts.Node;
  /** A condition that reads a position of a tuple whose meaning the check's answers do not say. */
  unreadTuple?: ts.Node;
  /** A condition that refuses the request when a yes-or-no check passes (`if (same) return 400`): not a use as a guard. */
  inverted?: ts.Node;
  /** A condition that lets a request through without a passed check (`pin && !ok`, `!ok && !isAdmin`). */
  bypass?: ts.Expression;
  /** Where the result's variable is given a passing value the check did not produce (`isMatch = true`). */
  forged?: ts.Node;
  /** An unseen verifier used without `await` whose asynchrony cannot be seen. */
  unknownAsync?: boolean;
  /** Result variable declarations (`const block = await G()`, the parameter of `.then((ok) => …)`). */
  vars: ts.Node[];
  field?: string;
}

/**
 * Does a check count as step-up where it succeeded? Not when it is not awaited, never fails, is
 * skipped on a branch, checks the factor being enrolled, is named like a check but recognised as
 * nothing, cannot be seen and decides nothing here, or when the variable holding its result is given
 * a passing value on a path where it never ran (`if (req.body.skip) ok = true; else ok = verify(…)`).
 */
export function counts(e: GuardEvent): boolean {
  const s = e.spec;
  return (
    (!e.opaque || (e.checked && !s.outsideTree)) &&
    !e.forged &&
    !e.notAwaited &&
    !e.unknownAsync &&
    s.mode !== 'never-fails' &&
    !s.enrolling &&
    !s.skip &&
    !s.unrecognised
  );
}

export interface FlowPoint {
  /** `assign`: a key set on a local object (`data.passwordHash = …`) that a later write may carry. */
  kind: 'effect' | 'continuation' | 'response' | 'end' | 'assign';
  node: ts.Node;
  effect?: Effect;
  answer?: Answer;
  must: Set<number>;
  may: Set<number>;
  fall: Map<number, Fall>;
  /** Checks whose failure branch this point is in (recording a failed attempt is not the operation they protect). */
  failing: Set<number>;
}

export interface FlowExit {
  kind: 'return' | 'throw' | 'end';
  node: ts.Node;
  value?: ts.Expression;
  answer?: Answer;
  must: Set<number>;
  may: Set<number>;
  /** The checks in whose failure branch it lies (`return 'INVALID_OTP'` after the password passed). */
  failing?: Set<number>;
  /** A callback's first argument as the path knows it: true where it is known truthy (`err` inside `if (err)`). */
  truthy?: boolean;
}

export interface FlowResult {
  fn: FunctionNode;
  events: GuardEvent[];
  points: FlowPoint[];
  exits: FlowExit[];
}

interface St {
  must: Set<number>;
  may: Set<number>;
  fall: Map<number, Fall>;
  /** Checks whose failure branch this path is in (a throw here reports their failure). */
  failing: Set<number>;
  /** What conditions taken on this path say about plain references (`if (!hash) return` → `hash` is truthy after). */
  facts: Map<string, boolean>;
}

export interface FlowOptions {
  fn: FunctionNode;
  role: Role;
  assumptions: Assumptions;
  env?: Env;
  specs: GuardRecogniser;
  /** Is this call the continuation (next(), the wrapped handler)? */
  isContinuation?: (call: ts.CallExpression) => boolean;
  /** `next(err)`: hands the request to the error handler (a failure exit). */
  isErrorContinuation?: (call: ts.CallExpression) => boolean;
  maxFreshnessMinutes: number;
  /** Record effects (handlers, wrappers) — guard summaries only need exits. */
  effects: boolean;
  /** The error-first callback the function reports through: its calls are the function's exits. */
  callbackParam?: ts.ParameterDeclaration;
}

// States are copy-on-write: a clone shares its sets, and adding replaces the set it changes.
function clone(s: St): St {
  return { must: s.must, may: s.may, fall: s.fall, failing: s.failing, facts: s.facts };
}

function establish(s: St, id: number): void {
  if (!s.must.has(id)) s.must = new Set(s.must).add(id);
  if (!s.may.has(id)) s.may = new Set(s.may).add(id);
}

function setFall(s: St, id: number, f: Fall): void {
  s.fall = new Map(s.fall).set(id, f);
}

function merge(a: St | null, b: St | null): St | null {
  if (!a) return b;
  if (!b) return a;
  const must = a.must === b.must ? a.must : new Set([...a.must].filter((x) => b.must.has(x)));
  const may = a.may === b.may ? a.may : new Set([...a.may, ...b.may]);
  const fall =
    a.fall === b.fall || b.fall.size === 0 ? a.fall : a.fall.size === 0 ? b.fall : new Map([...a.fall, ...b.fall]);
  const failing =
    a.failing === b.failing || b.failing.size === 0
      ? a.failing
      : a.failing.size === 0
        ? b.failing
        : new Set([...a.failing, ...b.failing]);
  const facts = a.facts === b.facts ? a.facts : new Map([...a.facts].filter(([k, v]) => b.facts.get(k) === v));
  return { must, may, fall, failing, facts };
}

/** Calls whose every evaluation in one request gives the same value (a predicate of the deployment). */
type StableCall = (call: ts.CallExpression) => boolean;

/** A plain reference (`hash`, `user.passwordHash`, a deployment predicate's call) a condition can say something about. */
function refKey(e: ts.Expression, stable?: StableCall): string | undefined {
  const x = skipOuter(e);
  if (ts.isIdentifier(x)) return x.text;
  if (ts.isPropertyAccessExpression(x) && refKey(x.expression)) return x.getText().replace(/\s+/g, '');
  // `isDemoMode()` tested twice: the second test has the first one's answer
  if (ts.isCallExpression(x) && !x.arguments.length && stable?.(x) && refKey(x.expression))
    return `${x.expression.getText().replace(/\s+/g, '')}()`;
  return undefined;
}

/** What `cond` being `truth` says about plain references: `!a || !b` false → a and b truthy. */
function factsOf(cond: ts.Expression, truth: boolean, out: Map<string, boolean>, stable?: StableCall): void {
  const x = skipOuter(cond);
  const key = refKey(x, stable);
  if (key) {
    out.set(key, truth);
    return;
  }
  if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.ExclamationToken)
    return factsOf(x.operand, !truth, out, stable);
  if (ts.isBinaryExpression(x)) {
    const op = x.operatorToken.kind;
    // both sides hold: `a && b` true, `a || b` false
    if ((op === ts.SyntaxKind.AmpersandAmpersandToken && truth) || (op === ts.SyntaxKind.BarBarToken && !truth)) {
      factsOf(x.left, truth, out, stable);
      factsOf(x.right, truth, out, stable);
    }
  }
}

/** Does `cond` test a predicate of the deployment (`!isDemoMode()`)? */
function stableFacts(cond: ts.Expression, stable: StableCall): boolean {
  const out = new Map<string, boolean>();
  factsOf(cond, true, out, stable);
  return [...out.keys()].some((k) => k.endsWith('()'));
}

function withFacts(s: St, cond: ts.Expression, truth: boolean, stable?: StableCall): void {
  const add = new Map<string, boolean>();
  factsOf(cond, truth, add, stable);
  if (add.size) s.facts = new Map([...s.facts, ...add]);
}

/** A condition's value from the facts of the path: `hash` after `if (!hash) return`. */
function evalFacts(cond: ts.Expression, facts: Map<string, boolean>, stable?: StableCall): boolean | undefined {
  if (!facts.size) return undefined;
  const x = skipOuter(cond);
  const key = refKey(x, stable);
  if (key) return facts.get(key);
  if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.ExclamationToken)
    return not3(evalFacts(x.operand, facts, stable));
  // `oldPassword && newPassword` after `if (!oldPassword || !newPassword) return`
  if (ts.isBinaryExpression(x)) {
    const op = x.operatorToken.kind;
    if (op === ts.SyntaxKind.AmpersandAmpersandToken)
      return and3(evalFacts(x.left, facts, stable), evalFacts(x.right, facts, stable));
    if (op === ts.SyntaxKind.BarBarToken)
      return or3(evalFacts(x.left, facts, stable), evalFacts(x.right, facts, stable));
  }
  return undefined;
}

function mergeAll(list: (St | null)[]): St | null {
  return list.reduce<St | null>((acc, s) => merge(acc, s), null);
}

/** The syntactic context of a call: how its value is used. */
/** Does the effect of a call reach a write outside the functions written among its arguments? */
function effectOutsideCallbacks(eff: Effect, c: ts.CallExpression): boolean {
  const fns = c.arguments.filter((a) => isFunctionNode(a));
  if (!fns.length) return true;
  return leafEffects([eff]).some((l) => !fns.some((fn) => isInside(l.node, fn)));
}

/** `check(…).catch(() => true)` (or any constant but `false`): a failure that throws becomes an answer that passes. */
function swallowsFailure(c: ts.Node): boolean {
  const p = c.parent;
  if (!p || !ts.isPropertyAccessExpression(p) || p.expression !== c || p.name.text !== 'catch') return false;
  const call = p.parent;
  const handler = call && ts.isCallExpression(call) ? call.arguments[0] : undefined;
  if (!handler || (!ts.isArrowFunction(handler) && !ts.isFunctionExpression(handler))) return false;
  const body = handler.body;
  const returned = ts.isBlock(body)
    ? body.statements.find((st): st is ts.ReturnStatement => ts.isReturnStatement(st))?.expression
    : body;
  if (!returned) return false;
  const x = skipOuter(returned);
  return (
    x.kind !== ts.SyntaxKind.FalseKeyword &&
    x.kind !== ts.SyntaxKind.NullKeyword &&
    (ts.isLiteralExpression(x) || x.kind === ts.SyntaxKind.TrueKeyword || ts.isObjectLiteralExpression(x))
  );
}

/** A call whose promise is caught by a handler that throws nothing (`verify(…).catch(() => null)`). */
function caughtWithoutThrow(c: ts.Node): boolean {
  const p = c.parent;
  if (!p || !ts.isPropertyAccessExpression(p) || p.expression !== c || p.name.text !== 'catch') return false;
  const call = p.parent;
  const handler = call && ts.isCallExpression(call) ? call.arguments[0] : undefined;
  if (!handler || (!ts.isArrowFunction(handler) && !ts.isFunctionExpression(handler))) return false;
  let throws = false;
  const visit = (n: ts.Node): void => {
    if (ts.isThrowStatement(n)) throws = true;
    else if (!ts.isFunctionLike(n)) n.forEachChild(visit);
  };
  handler.body.forEachChild(visit);
  if (!ts.isBlock(handler.body)) visit(handler.body);
  return !throws;
}

function usageOf(
  call: ts.Node,
  isResolve?: (c: ts.CallExpression) => boolean,
): { usage: GuardEvent['usage']; awaited: boolean; decl?: ts.VariableDeclaration | ts.ParameterDeclaration } {
  let cur: ts.Node = call;
  let awaited = false;
  for (;;) {
    const p = cur.parent;
    if (!p) return { usage: 'other', awaited };
    if (ts.isAwaitExpression(p)) awaited = true;
    if (
      ts.isParenthesizedExpression(p) ||
      ts.isAwaitExpression(p) ||
      ts.isAsExpression(p) ||
      ts.isNonNullExpression(p) ||
      ts.isSatisfiesExpression(p) ||
      ts.isTypeAssertionExpression(p)
    ) {
      cur = p;
      continue;
    }
    // `check()[1]`: a position of the tuple the check answers, held or tested as the result is
    if (ts.isElementAccessExpression(p) && p.expression === cur && ts.isNumericLiteral(p.argumentExpression)) {
      cur = p;
      continue;
    }
    // `.then((ok) => …)`: the callback's parameter holds the result (none: the result is dropped)
    if (
      ts.isPropertyAccessExpression(p) &&
      p.expression === cur &&
      p.name.text === 'then' &&
      ts.isCallExpression(p.parent) &&
      p.parent.expression === p
    ) {
      const cb = p.parent.arguments[0] && skipOuter(p.parent.arguments[0]);
      if (cb && isFunctionNode(cb))
        return cb.parameters[0]
          ? { usage: 'var', awaited: true, decl: cb.parameters[0] }
          : { usage: 'bare', awaited: true };
    }
    if (ts.isPropertyAccessExpression(p) && p.expression === cur && (p.name.text === 'then' || p.name.text === 'catch'))
      return { usage: 'other', awaited: true };
    // `account ? await check() : false`: the value is the check's result, or a refusal where it could not run
    // (only `false`: a `null` or `undefined` there passes a test written `ok === false`)
    if (
      ts.isConditionalExpression(p) &&
      p.condition !== cur &&
      skipOuter(p.whenTrue === cur ? p.whenFalse : p.whenTrue).kind === ts.SyntaxKind.FalseKeyword
    ) {
      cur = p;
      continue;
    }
    // `(await check()) || {}`: the default only stands in when the result is missing
    if (
      ts.isBinaryExpression(p) &&
      p.left === cur &&
      (p.operatorToken.kind === ts.SyntaxKind.BarBarToken ||
        p.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken) &&
      (ts.isObjectLiteralExpression(skipOuter(p.right)) || ts.isArrayLiteralExpression(skipOuter(p.right)))
    ) {
      cur = p;
      continue;
    }
    // `resolve(check())` in a Promise executor: the promise's value
    if (ts.isCallExpression(p) && p.arguments.includes(cur as ts.Expression) && isResolve?.(p))
      return { usage: 'return', awaited: true };
    if (ts.isExpressionStatement(p)) return { usage: 'bare', awaited };
    if (ts.isVariableDeclaration(p) && p.initializer === cur) return { usage: 'var', awaited, decl: p };
    if (ts.isReturnStatement(p) || (ts.isArrowFunction(p) && p.body === cur)) return { usage: 'return', awaited: true }; // a returned promise is the caller's to await
    if (
      ts.isBinaryExpression(p) &&
      p.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      p.right === cur &&
      ts.isIdentifier(p.left)
    ) {
      const d = findDeclaration(p.left);
      if (d && ts.isVariableDeclaration(d)) return { usage: 'var', awaited, decl: d };
    }
    if (
      ts.isIfStatement(p) ||
      ts.isConditionalExpression(p) ||
      ts.isPrefixUnaryExpression(p) ||
      (ts.isBinaryExpression(p) && p.operatorToken.kind !== ts.SyntaxKind.EqualsToken) ||
      ts.isWhileStatement(p)
    )
      return { usage: 'cond', awaited };
    return { usage: 'other', awaited };
  }
}

export class Flow implements ResultLookup {
  readonly events: GuardEvent[] = [];
  readonly points: FlowPoint[] = [];
  readonly exits: FlowExit[] = [];
  private readonly callEvents = new Map<ts.Node, GuardEvent>();
  private readonly inlineEvents = new Map<ts.Node, GuardEvent>();
  /** Result-variable declarations → event. */
  private readonly resultVars = new Map<ts.Node, GuardEvent>();
  private readonly breakTargets: { breaks: St[]; label?: string; loop: boolean }[] = [];
  /** Inside a Promise executor: `resolve(v)` is the function's return, `reject(e)` its throw. */
  private executor?: { resolve?: ts.ParameterDeclaration; reject?: ts.ParameterDeclaration };
  /** Per enclosing `try`: the checks whose failure branch throws into its catch. */
  private readonly tryFrames: Set<number>[] = [];
  private inlineDepth = 0;
  /** Calls of the error-first callback (`callback('WRONG_PASSWORD')`, `cb(null, user)`), wherever they are. */
  private readonly reported: FlowExit[] = [];

  /** The two states an `if` on a predicate of the deployment just ended in, for the statements after it. */
  private stableSplit?: { node: ts.IfStatement; states: [St, St] };
  private splits = 0;

  constructor(private readonly o: FlowOptions) {}

  /** A call of a predicate of the deployment (`isDemoMode()`), which answers the same every time it is asked. */
  private readonly stableCall = (call: ts.CallExpression): boolean =>
    this.o.specs.values.resolve(call.expression).some((v) => v.kind === 'function' && isEnvironmentPredicate(v.node));

  /** Does the function report through an error-first callback (its exits are that callback's calls)? */
  get reportsThroughCallback(): boolean {
    return !!this.o.callbackParam;
  }

  run(): FlowResult {
    const fn = this.o.fn;
    const start: St = { must: new Set(), may: new Set(), fall: new Map(), failing: new Set(), facts: new Map() };
    let out: St | null;
    if (!fn.body) out = start;
    else if (ts.isBlock(fn.body)) out = this.stmts(fn.body.statements, start);
    else {
      if (!this.promiseBody(fn.body, start)) this.exit('return', fn.body, fn.body, this.expr(fn.body, start));
      out = null;
    }
    if (out) {
      this.exits.push({ kind: 'end', node: fn, must: out.must, may: out.may });
      if (this.o.role === 'next-middleware') this.point('continuation', fn, out);
      else this.point('end', fn, out);
    }
    // a function reporting through its callback ends where it calls it, not where it returns
    if (this.o.callbackParam)
      this.exits.splice(0, this.exits.length, ...this.reported, ...this.exits.filter((x) => x.kind === 'throw'));
    return { fn, events: this.events, points: this.points, exits: this.exits };
  }

  // ---- statements -------------------------------------------------------------------------

  private stmts(list: readonly ts.Statement[], st: St | null): St | null {
    let cur = st;
    for (let i = 0; i < list.length; i++) {
      if (!cur) return null;
      const s = list[i];
      cur = this.stmt(s, cur);
      // an `if` on a predicate of the deployment (`if (!isDemoMode()) { check }`): the statements after it are
      // walked once per answer, so a later test of the same predicate (`if (isDemoMode()) return`) knows it
      const split = this.stableSplit;
      this.stableSplit = undefined;
      // (only the `if` just walked: one nested in it, an `else if`, leaves the states of its own branch alone)
      if (split && split.node === s && this.splits < 4) {
        this.splits++;
        const rest = list.slice(i + 1);
        const out = mergeAll(split.states.map((b) => this.stmts(rest, b)));
        this.splits--;
        return out;
      }
    }
    return cur;
  }

  private stmt(s: ts.Statement, st: St): St | null {
    this.o.specs.values.budget.step('flow');
    if (ts.isBlock(s)) return this.stmts(s.statements, st);
    if (ts.isExpressionStatement(s)) {
      const cur = this.expr(s.expression, st);
      // `redirect('/reauth')`, `notFound()`: the call throws, the path ends here
      if (neverReturns(s.expression, this.o.specs.values)) {
        this.exit('throw', s, s.expression, cur);
        return null;
      }
      return cur;
    }
    if (ts.isVariableStatement(s)) {
      let cur = st;
      for (const d of s.declarationList.declarations) if (d.initializer) cur = this.expr(d.initializer, cur);
      return cur;
    }
    if (ts.isReturnStatement(s)) {
      // a return inside a Promise executor settles nothing
      if (this.executor) {
        if (s.expression) this.expr(s.expression, st);
        return null;
      }
      if (s.expression && this.promiseBody(s.expression, st)) return null;
      const cur = s.expression ? this.expr(s.expression, st) : st;
      this.exit('return', s, s.expression, cur);
      return null;
    }
    if (ts.isThrowStatement(s)) {
      const cur = this.expr(s.expression, st);
      this.exit('throw', s, s.expression, cur);
      const frame = this.tryFrames[this.tryFrames.length - 1];
      if (frame) for (const id of cur.failing) frame.add(id);
      return null;
    }
    if (ts.isIfStatement(s)) return this.ifStmt(s, st);
    if (ts.isTryStatement(s)) return this.tryStmt(s, st);
    if (ts.isSwitchStatement(s)) return this.switchStmt(s, st);
    if (ts.isIterationStatement(s, false)) return this.loop(s, st);
    if (ts.isLabeledStatement(s)) {
      this.breakTargets.push({ breaks: [], label: s.label.text, loop: false });
      const out = this.stmt(s.statement, st);
      const t = this.breakTargets.pop()!;
      return mergeAll([out, ...t.breaks]);
    }
    if (ts.isBreakStatement(s) || ts.isContinueStatement(s)) {
      const label = s.label?.text;
      const target = [...this.breakTargets]
        .reverse()
        .find((t) => (label ? t.label === label : ts.isContinueStatement(s) ? t.loop : true));
      if (target) target.breaks.push(clone(st));
      return null;
    }
    if (
      ts.isFunctionDeclaration(s) ||
      ts.isClassDeclaration(s) ||
      ts.isInterfaceDeclaration(s) ||
      ts.isTypeAliasDeclaration(s) ||
      ts.isEnumDeclaration(s)
    )
      return st;
    let cur = st;
    ts.forEachChild(s, (c) => {
      if (ts.isExpression(c)) cur = this.expr(c, cur);
    });
    return cur;
  }

  private ifStmt(s: ts.IfStatement, st: St): St | null {
    const known = evalUnder(s.expression, this.o.assumptions) ?? evalFacts(s.expression, st.facts, this.stableCall);
    const afterCond = this.expr(s.expression, st);
    if (known === true) return this.stmt(s.thenStatement, afterCond);
    if (known === false) return s.elseStatement ? this.stmt(s.elseStatement, afterCond) : afterCond;
    const { thenSt, elseSt, failThen, failElse } = this.branch(
      s.expression,
      afterCond,
      s.thenStatement,
      s.elseStatement,
    );
    const outThen = this.stmt(s.thenStatement, thenSt);
    const outElse = s.elseStatement ? this.stmt(s.elseStatement, elseSt) : elseSt;
    if (outThen) for (const id of failThen) setFall(outThen, id, { kind: 'no-return', node: s.thenStatement });
    if (outElse) for (const id of failElse) setFall(outElse, id, { kind: 'no-return', node: s.elseStatement ?? s });
    // Past the `if`, no path is inside its failure branch any more.
    if (outThen) outThen.failing = afterCond.failing;
    if (outElse) outElse.failing = afterCond.failing;
    if (outThen && outElse && stableFacts(s.expression, this.stableCall))
      this.stableSplit = { node: s, states: [outThen, outElse] };
    return merge(outThen, outElse);
  }

  /**
   * Splits the state at a condition. For every step-up check the condition makes, each branch gets
   * the check established when the condition's value there is impossible had the check failed; a
   * branch the condition can reach with the check failed is a failure branch (if it falls through,
   * the check is defeated). `pin && !ok`: the then-branch is a failure branch, and the else-branch
   * does not establish the check (a request without a PIN never ran it).
   */
  private branch(
    cond: ts.Expression,
    st: St,
    thenNode: ts.Node,
    elseNode: ts.Node | undefined,
  ): { thenSt: St; elseSt: St; failThen: number[]; failElse: number[] } {
    const thenSt = clone(st);
    const elseSt = clone(st);
    const failThen: number[] = [];
    const failElse: number[] = [];
    withFacts(thenSt, cond, true, this.stableCall);
    withFacts(elseSt, cond, false, this.stableCall);
    for (const ev of this.atoms(cond)) {
      // A Promise is always truthy: an unawaited async check decides nothing; a hollow guard decides nothing either.
      // A check whose code is outside the scanned tree decides nothing the analysis can vouch for.
      if (ev.notAwaited || ev.spec.mode === 'never-fails' || ev.spec.outsideTree) continue;
      // A check that throws when it fails has decided at its call: a condition on what it returns
      // (`payload.sub !== userId` on the verified token) is a further check, not its verdict.
      // (the check called in the condition itself, `if (!(await requirePassword(…)))`, decides there)
      if (ev.spec.mode === 'throws' && !ev.inline && ev.usage !== 'cond') continue;
      // An unseen verifier tested without `await`: if it is asynchronous, the test never fails.
      if (ev.spec.inferred && !ev.awaited && ev.spec.async !== false) {
        ev.unknownAsync = true;
        continue;
      }
      const structural = this.structural(thenNode, elseNode);
      let whenFailed: boolean | undefined;
      let whenOk: boolean | undefined;
      if (ev.inline || resultHolds(ev.spec, true) !== undefined) {
        whenFailed = truthUnder(cond, ev, true, this);
        whenOk = truthUnder(cond, ev, false, this);
      } else {
        // How the result fails is not known (an unseen guard): the branch that answers with an error
        // says which value of the result is the failure, when the condition depends on it alone there.
        if (structural === undefined) continue;
        const asBool: GuardSpec = { ...ev.spec, mode: 'returns-falsy' };
        const onFalsy = truthUnder(cond, ev, true, this, 0, asBool);
        const onTruthy = truthUnder(cond, ev, false, this, 0, asBool);
        const fits = (fail: boolean | undefined, ok: boolean | undefined): boolean =>
          fail !== !structural && ok !== structural;
        const f = fits(onFalsy, onTruthy);
        const t = fits(onTruthy, onFalsy);
        if (f && !t) [whenFailed, whenOk] = [onFalsy, onTruthy];
        else if (t && !f) [whenFailed, whenOk] = [onTruthy, onFalsy];
      }
      let estThen: boolean;
      let estElse: boolean;
      let isFailThen: boolean;
      let isFailElse: boolean;
      if (whenFailed === undefined && whenOk === undefined) {
        // a tuple read where its answers say nothing of that position: no guess from the branch's shape
        if (ev.spec.tuple) {
          ev.unreadTuple ??= cond;
          continue;
        }
        if (structural === undefined) continue;
        // (an error result compared with one of its codes, `err === 'NO_USER'`, singles out one failure, not all)
        if (this.onlyCheck(cond, ev) && !(ev.spec.mode === 'returns-error' && !testsTruthiness(cond))) {
          // Nothing else decides (`flag?.value === '1'`): the branch that answers with an error is the failure branch.
          [estThen, estElse, isFailThen, isFailElse] = [!structural, structural, structural, !structural];
        } else {
          // Other parts of the condition decide too (`user.password && !ok`): the check decides nothing alone.
          [estThen, estElse, isFailThen, isFailElse] = [false, false, structural, !structural];
          ev.bypass ??= cond;
        }
      } else {
        // The condition's meaning contradicts the code: it tests the whole result object (always
        // truthy) instead of its deciding field, so the refusal never runs.
        if (whenFailed !== undefined && structural !== undefined && whenFailed !== structural) {
          // (a yes-or-no check refused when it passes, `if (await bcrypt.compare(password, user.passwordHash))
          // return 400`, keeps a new secret from equalling the old one: validation, not a check misread)
          if (
            ev.spec.mode === 'returns-falsy' &&
            !ev.inline &&
            !ev.spec.viaCallback &&
            ts.isCallExpression(ev.node) &&
            hashedAfter(ev.node)
          )
            ev.inverted = cond;
          else ev.misread = cond;
          continue;
        }
        estThen = whenFailed === false;
        estElse = whenFailed === true;
        isFailThen = whenFailed === true || whenOk === false;
        isFailElse = whenFailed === false || whenOk === true;
      }
      ev.checked = true;
      if (estThen) establish(thenSt, ev.id);
      if (estElse) establish(elseSt, ev.id);
      if (estThen || estElse) ev.established = true;
      // A failure branch whose other side does not establish the check: something else in the condition lets requests through.
      if ((isFailThen && !estElse) || (isFailElse && !estThen)) ev.bypass ??= cond;
      if (isFailThen) {
        failThen.push(ev.id);
        thenSt.failing = new Set(thenSt.failing).add(ev.id);
      }
      if (isFailElse) {
        failElse.push(ev.id);
        elseSt.failing = new Set(elseSt.failing).add(ev.id);
      }
    }
    return { thenSt, elseSt, failThen, failElse };
  }

  private tryStmt(s: ts.TryStatement, st: St): St | null {
    const before = this.events.length;
    const frame = new Set<number>();
    if (s.catchClause) this.tryFrames.push(frame);
    const tryOut = this.stmts(s.tryBlock.statements, clone(st));
    if (s.catchClause) this.tryFrames.pop();
    let out: St | null = tryOut;
    if (s.catchClause) {
      // A guard that throws inside the try, or a check whose failure branch throws, lands here: a catch that carries on defeats it.
      const thrown = new Set([
        ...this.events
          .slice(before)
          .filter((e) => e.spec.mode === 'throws' && e.established)
          .map((e) => e.id),
        ...frame,
      ]);
      const catchOut = this.stmts(s.catchClause.block.statements, clone(st));
      if (catchOut) for (const id of thrown) setFall(catchOut, id, { kind: 'caught', node: s.catchClause });
      out = merge(tryOut, catchOut);
    }
    if (s.finallyBlock) {
      if (!out) {
        this.stmts(s.finallyBlock.statements, clone(st));
        return null;
      }
      out = this.stmts(s.finallyBlock.statements, out);
    }
    return out;
  }

  private switchStmt(s: ts.SwitchStatement, st: St): St | null {
    const afterExpr = this.expr(s.expression, st);
    this.breakTargets.push({ breaks: [], loop: false });
    const method =
      this.o.assumptions.method && this.o.assumptions.method !== 'ANY' && isMethodExpr(s.expression)
        ? this.o.assumptions.method
        : undefined;
    const caseMethod = (c: ts.CaseOrDefaultClause): string | undefined => {
      if (!ts.isCaseClause(c)) return undefined;
      return literal(c.expression, this.o.assumptions)?.toUpperCase();
    };
    const anyCaseMatches = method !== undefined && s.caseBlock.clauses.some((c) => caseMethod(c) === method);
    let fallIn: St | null = null;
    let hasDefault = false;
    for (const clause of s.caseBlock.clauses) {
      if (ts.isDefaultClause(clause)) hasDefault = true;
      // Under a known method (`switch (req.method)`), only the matching case is entered; others
      // are reached only by falling through.
      let enters = true;
      if (method !== undefined) {
        const cm = caseMethod(clause);
        enters = ts.isDefaultClause(clause) ? !anyCaseMatches : cm === undefined || cm === method;
      }
      const entry = mergeAll([enters ? clone(afterExpr) : null, fallIn]);
      fallIn = entry ? this.stmts(clause.statements, entry) : null;
    }
    const t = this.breakTargets.pop()!;
    return mergeAll([fallIn, ...t.breaks, hasDefault || anyCaseMatches ? null : afterExpr]);
  }

  private loop(s: ts.IterationStatement, st: St): St | null {
    let cur = st;
    if (ts.isForStatement(s)) {
      const init = s.initializer;
      if (init && ts.isVariableDeclarationList(init)) {
        for (const d of init.declarations) if (d.initializer) cur = this.expr(d.initializer, cur);
      } else if (init) cur = this.expr(init, cur);
      if (s.condition) cur = this.expr(s.condition, cur);
    } else if (ts.isForOfStatement(s) || ts.isForInStatement(s)) cur = this.expr(s.expression, cur);
    else if (ts.isWhileStatement(s)) cur = this.expr(s.expression, cur);
    this.breakTargets.push({ breaks: [], loop: true });
    const body = this.stmt(s.statement, clone(cur));
    const t = this.breakTargets.pop()!;
    if (ts.isDoStatement(s)) return mergeAll([body ? this.expr(s.expression, body) : null, ...t.breaks]);
    return mergeAll([cur, body, ...t.breaks]);
  }

  // ---- expressions ------------------------------------------------------------------------

  private expr(e: ts.Expression, st: St): St {
    this.o.specs.values.budget.step('flow');
    const x = e;
    if (isFunctionNode(x)) return st; // not called here
    if (ts.isClassExpression(x)) return st;
    // An assignment makes what the path knew about its target stale; a key set on a local object
    // (`update.passwordHash = hash`) is also where a value reaches the write built from it.
    if (
      ts.isBinaryExpression(x) &&
      x.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      x.operatorToken.kind <= ts.SyntaxKind.LastAssignment
    ) {
      const setsKey =
        this.o.effects &&
        x.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        (ts.isPropertyAccessExpression(x.left) || ts.isElementAccessExpression(x.left)) &&
        ts.isIdentifier(skipOuter(x.left.expression));
      if (st.facts.size || setsKey) {
        const key = refKey(x.left);
        const cur = this.expr(x.right, this.expr(x.left, st));
        if (key && cur.facts.size)
          cur.facts = new Map([...cur.facts].filter(([k]) => k !== key && !k.startsWith(`${key}.`)));
        if (setsKey) this.point('assign', x, cur);
        return cur;
      }
    }
    if (ts.isConditionalExpression(x)) {
      const known = evalUnder(x.condition, this.o.assumptions);
      const afterCond = this.expr(x.condition, st);
      if (known === true) return this.expr(x.whenTrue, afterCond);
      if (known === false) return this.expr(x.whenFalse, afterCond);
      const { thenSt, elseSt, failThen, failElse } = this.branch(x.condition, afterCond, x.whenTrue, x.whenFalse);
      const a = this.expr(x.whenTrue, thenSt);
      const b = this.expr(x.whenFalse, elseSt);
      for (const id of failThen) setFall(a, id, { kind: 'no-return', node: x.whenTrue });
      for (const id of failElse) setFall(b, id, { kind: 'no-return', node: x.whenFalse });
      a.failing = afterCond.failing;
      b.failing = afterCond.failing;
      return merge(a, b)!;
    }
    if (
      ts.isBinaryExpression(x) &&
      (x.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken ||
        x.operatorToken.kind === ts.SyntaxKind.BarBarToken ||
        x.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)
    ) {
      const left = this.expr(x.left, st);
      if (x.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)
        return merge(clone(left), this.expr(x.right, clone(left)))!;
      // `ok && transfer()` runs the right side only when the left is truthy
      const and = x.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken;
      const { thenSt, elseSt } = this.branch(x.left, left, and ? x.right : x.left, and ? undefined : x.right);
      const rightIn = and ? thenSt : elseSt;
      const right = this.expr(x.right, rightIn);
      const other = and ? elseSt : thenSt;
      right.failing = left.failing;
      other.failing = left.failing;
      return merge(other, right)!;
    }
    if (ts.isCallExpression(x)) return this.call(x, st);
    if (ts.isNewExpression(x)) {
      let cur = st;
      for (const a of x.arguments ?? []) cur = isFunctionNode(a) ? this.inline(a, cur) : this.expr(a, cur);
      return cur;
    }
    if (ts.isTaggedTemplateExpression(x)) {
      const cur = this.expr(x.template, st);
      const eff = this.o.effects ? effectOfCall(x, this.o.specs.values) : undefined;
      if (eff) this.point('effect', x, cur, eff);
      return cur;
    }
    let cur = st;
    ts.forEachChild(x, (c) => {
      if (ts.isExpression(c)) cur = this.expr(c, cur);
    });
    return cur;
  }

  /** A function passed as an argument (a transaction callback, a .then): its body runs here. */
  private inline(fn: FunctionNode, st: St): St {
    // (keep in step with the call's own effect, left out when its callbacks were walked: see callNow)
    if (this.inlineDepth > 3 || !fn.body) return st;
    this.inlineDepth++;
    const savedExits = this.exits.length;
    if (ts.isBlock(fn.body)) this.stmts(fn.body.statements, clone(st));
    else this.expr(fn.body, clone(st));
    this.exits.length = savedExits; // its returns end the callback, not the handler
    this.inlineDepth--;
    return st;
  }

  /** The step being walked in a sequence of steps, and the states its continuation was called in without an error. */
  private stepCont?: { param: ts.ParameterDeclaration | undefined; states: St[] };

  /** Steps run in order, each from where the one before called its continuation without an error. */
  private steps(fns: FunctionNode[], st: St): St {
    let cur = st;
    for (const f of fns) {
      const saved = this.stepCont;
      this.stepCont = { param: f.parameters[f.parameters.length - 1], states: [] };
      this.inline(f, cur);
      const reached = this.stepCont.states;
      this.stepCont = saved;
      cur = mergeAll(reached) ?? cur;
    }
    return cur;
  }

  /** `return new Promise((resolve, reject) => …)`: the executor's settlements are the function's exits. */
  private promiseBody(value: ts.Expression, st: St): boolean {
    const x = skipOuter(value);
    if (!ts.isNewExpression(x) || !ts.isIdentifier(x.expression) || x.expression.text !== 'Promise') return false;
    const fn = x.arguments?.[0] ? skipOuter(x.arguments[0]) : undefined;
    if (!fn || !isFunctionNode(fn) || !fn.parameters.length || !fn.body) return false;
    const saved = this.executor;
    this.executor = { resolve: fn.parameters[0], reject: fn.parameters[1] };
    if (ts.isBlock(fn.body)) this.stmts(fn.body.statements, clone(st));
    else this.expr(fn.body, clone(st));
    this.executor = saved;
    return true;
  }

  /**
   * The checks a project function makes before every call of the callback it is handed (read as a
   * wrapper whose continuation is that callback), when it makes one on every path to it.
   */
  private checkedBefore(c: ts.CallExpression, fn: FunctionNode): GuardEvent[] {
    if (Flow.nested > 1) return [];
    const k = c.arguments.indexOf(fn as unknown as ts.Expression);
    // exactly one callee, all of it known (a helper picked from a map may be one that checks nothing)
    const resolved = this.o.specs.values.resolve(c.expression);
    const g = resolved.length === 1 && resolved[0].kind === 'function' ? resolved[0].node : undefined;
    if (!g?.body || !g.parameters[k]) return [];
    const param = g.parameters[k];
    // a helper that is itself made inside a function (`withPassword(hash)(c, cb)`) compares what its
    // factory was given: those are not this call's arguments
    if (enclosingFunction(g)) return [];
    // the callback is only ever called, directly: aliased, handed on, stored or iterated, it may run
    // where the walk cannot see
    if (!onlyCalled(g, param)) return [];
    // the callee's parameters are what this call passes (`handle(c, user.passwordHash, cb)` checks no typed secret)
    const env = argumentEnv(g, c);
    Flow.nested++;
    let sub: FlowResult;
    try {
      sub = new Flow({
        fn: g,
        role: 'wrapper',
        env,
        assumptions: this.o.assumptions,
        specs: this.o.specs,
        isContinuation: (x) => callsDecl(x, param),
        maxFreshnessMinutes: this.o.maxFreshnessMinutes,
        effects: false,
      }).run();
    } finally {
      Flow.nested--;
    }
    const conts = sub.points.filter((p) => p.kind === 'continuation');
    if (!conts.length) return [];
    const ids = new Set(sub.events.filter(counts).map((e) => e.id));
    let common = new Set([...conts[0].must].filter((id) => ids.has(id)));
    for (const p of conts.slice(1)) common = new Set([...common].filter((id) => p.must.has(id)));
    // a check of a constant this call hands in (`confirmed(c, 'changeme', cb)`) proves nothing typed
    const constant = (e: GuardEvent): boolean =>
      ts.isCallExpression(e.node) &&
      e.node.arguments.some((a) => {
        const x = skipOuter(a);
        const d = ts.isIdentifier(x) ? findDeclaration(x) : undefined;
        const bound = d && ts.isParameter(d) ? env.get(d) : undefined;
        return !!bound && (ts.isStringLiteralLike(skipOuter(bound)) || ts.isNumericLiteral(skipOuter(bound)));
      });
    return sub.events.filter((e) => common.has(e.id) && !constant(e));
  }

  /** Callee flows being read for the callbacks they run (bounded: a callee handing its callback on). */
  private static nested = 0;

  /**
   * Callbacks handed to a project function that calls them itself (`handle(c, pw, (service) => service.changeRole(…))`,
   * `handle` checking the password before `run(new Service())`): they run where they are written, with
   * what that function checks before every call of them.
   */
  private call(c: ts.CallExpression, st: St): St {
    const later = this.runLater(c);
    if (!later.length) return this.callNow(c, st);
    const saved = this.deferred;
    this.deferred = new Map(later.map((fn) => [fn as ts.Node, this.checkedBefore(c, fn)] as const));
    try {
      return this.callNow(c, st);
    } finally {
      this.deferred = saved;
    }
  }

  /** Callbacks of the call being walked that its callee runs, each with the checks it makes before. */
  private deferred?: Map<ts.Node, GuardEvent[]>;

  /** A callback walked where it is written, past the checks its callee makes before calling it. */
  private inlineChecked(fn: FunctionNode, st: St): St {
    const checks = this.deferred?.get(fn);
    if (!checks?.length) return this.inline(fn, st);
    const inside = clone(st);
    for (const e of checks) {
      const copy: GuardEvent = { ...e, id: this.events.length };
      this.events.push(copy);
      establish(inside, copy.id);
    }
    this.inline(fn, inside);
    return st;
  }

  /** The function arguments of `c` that its callee, a project function, calls through its own parameter. */
  private runLater(c: ts.CallExpression): FunctionNode[] {
    const fns = c.arguments.filter((a): a is ts.Expression & FunctionNode => isFunctionNode(a));
    if (!fns.length) return [];
    const values = this.o.specs.values;
    const callees = values.resolve(c.expression).flatMap((v) => (v.kind === 'function' && v.node.body ? [v.node] : []));
    if (!callees.length) return [];
    return fns.filter((fn) => {
      const k = c.arguments.indexOf(fn);
      return callees.every((g) => !!g.parameters[k] && values.callsOfParameter(g, g.parameters[k]).length > 0);
    });
  }

  private callNow(c: ts.CallExpression, st: St): St {
    let cur = st;
    const callee = skipOuter(c.expression);
    if (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee))
      cur = this.expr(callee.expression, cur);
    else if (!ts.isIdentifier(callee)) cur = this.expr(callee, cur);
    // a check reporting through an error-first callback: the callback runs once it is done, its first
    // parameter holding the result (`validateUser(u, pw, function (err) { if (err) return …; transfer() })`)
    const cb = [...c.arguments].reverse().find((a): a is ts.Expression & FunctionNode => isFunctionNode(a));
    const cbSpec = cb ? this.o.specs.specOfCall(c, this.o.env) : undefined;
    if (cb && cbSpec?.viaCallback) {
      for (const a of c.arguments) if (a !== cb) cur = isFunctionNode(a) ? this.inline(a, cur) : this.expr(a, cur);
      const result = cb.parameters[0];
      const ev = this.event(c, cbSpec, result ? 'var' : 'bare', true);
      // a check that throws on failure ends the request at the call; the callback runs only past it
      if (cbSpec.mode === 'throws' && !cbSpec.opaque) {
        establish(cur, ev.id);
        ev.established = true;
        ev.checked = true;
      } else if (result) this.bindResult(result, ev);
      return this.inline(cb, cur);
    }
    // `async.waterfall([step1, step2], done)`: each step runs once the one before reported success
    const stepList = SEQUENCERS.test(calleeName(c))
      ? c.arguments.find(
          (a): a is ts.ArrayLiteralExpression =>
            ts.isArrayLiteralExpression(a) && a.elements.length > 0 && a.elements.every((e) => isFunctionNode(e)),
        )
      : undefined;
    // (the final callback runs after every step, or at the first step that reports an error)
    let beforeSteps: St | undefined;
    for (const a of c.arguments) {
      if (a === stepList) {
        beforeSteps = cur;
        cur = this.steps(stepList.elements as unknown as FunctionNode[], cur);
      } else if (isFunctionNode(a)) cur = this.inlineChecked(a, beforeSteps ? (merge(beforeSteps, cur) ?? cur) : cur);
      else cur = this.expr(a, cur);
    }
    // a step's continuation called with no error: the next step runs from here
    if (this.stepCont && callsDecl(c, this.stepCont.param) && (!c.arguments[0] || isNullish(c.arguments[0]))) {
      this.stepCont.states.push(clone(cur));
      return cur;
    }
    if (this.o.callbackParam && callsDecl(c, this.o.callbackParam)) {
      const before = this.exits.length;
      this.exit('return', c, c.arguments[0], cur);
      const reported = this.exits.splice(before);
      // what the path knows of a name handed back (`err` inside `if (err)`): an unknown one may be null
      const first = c.arguments[0];
      for (const x of reported) x.truthy = !!first && testedTruthy(first, c);
      this.reported.push(...reported);
      return cur;
    }

    if (this.executor && callsDecl(c, this.executor.resolve)) {
      this.exit('return', c, c.arguments[0], cur);
      return cur;
    }
    if (this.executor && callsDecl(c, this.executor.reject)) {
      this.exit('throw', c, c.arguments[0], cur);
      return cur;
    }

    if (this.o.isContinuation?.(c)) {
      this.point('continuation', c, cur);
      return cur;
    }
    // In Next.js middleware the request goes on where `NextResponse.next()` is returned, not where it is built.
    if (this.o.role === 'next-middleware' && isNextResponseNext(c)) return cur;
    // (asked once: a call handed a callback was asked before its arguments were walked)
    let spec = cb ? cbSpec : this.o.specs.specOfCall(c, this.o.env);
    // a check reporting error-first straight to a step's continuation (`validateUser(u, pw, cb)` in a
    // waterfall): the next step runs only when it passed
    const lastArg = c.arguments[c.arguments.length - 1];
    if (spec?.viaCallback && this.stepCont && lastArg && refersTo(lastArg, this.stepCont.param)) {
      const ev = this.event(c, spec, 'var', true);
      const passed = clone(cur);
      // only an error reported on every failure stops the steps (`callback(null, false)` goes on; so does a skip)
      if (!spec.opaque && spec.mode === 'returns-error' && !spec.skip && !spec.weakness && !spec.enrolling) {
        establish(passed, ev.id);
        ev.checked = true;
        ev.established = true;
      }
      this.stepCont.states.push(passed);
      return cur;
    }
    // a check whose failure a `.catch(() => true)` turns into a pass decides nothing
    if (spec && swallowsFailure(c)) spec = { ...spec, mode: 'never-fails' };
    // …and a throwing check whose throw a `.catch(() => null)` turns into an answer fails only by that answer
    else if (spec && spec.mode === 'throws' && caughtWithoutThrow(c)) spec = { ...spec, mode: 'returns-falsy' };
    if (spec) {
      const u = usageOf(c, (r) => !!this.executor && callsDecl(r, this.executor.resolve));
      const ev = this.event(c, spec, u.usage, u.awaited);
      if (u.decl) this.bindResult(u.decl, ev);
      // A throwing guard ends the request on failure whatever is done with its result.
      if ((spec.mode === 'throws' || spec.mode === 'middleware') && u.usage !== 'cond') {
        if (spec.async && !u.awaited && !(spec.guardsOwnEffects && ts.isExpressionStatement(c.parent)))
          ev.notAwaited = true;
        else if (!spec.opaque) {
          establish(cur, ev.id);
          ev.established = true;
          ev.checked = true;
        }
      }
      // A self-protected operation: its side effects run behind its own check (also a library's call that
      // checks the current password and throws before changing it, `auth.api.changePassword(…)`).
      const ownCheck =
        spec.guardsOwnEffects ||
        (spec.source === 'catalog' &&
          spec.kind === 'verifier' &&
          spec.mode === 'throws' &&
          !spec.opaque &&
          ev.established);
      if (ownCheck && this.o.effects && !ev.notAwaited) {
        const eff = effectOfCall(c, this.o.specs.values);
        if (eff) {
          ev.checked = true;
          ev.established = true;
          const st = clone(cur);
          establish(st, ev.id);
          this.point('effect', c, st, eff);
        }
      }
      return cur;
    }
    if (this.o.effects) {
      const eff = effectOfCall(c, this.o.specs.values);
      // (the effects of a callback it was handed and that was walked where it is written, a transaction
      // wrapper's `withTx(db, async (t) => { check; write })`, were met in their order inside it)
      if (eff && this.inlineDepth <= 3 && !effectOutsideCallbacks(eff, c)) return cur;
      if (eff) {
        // Issuing or recording a step-up challenge is part of the step-up flow, not the operation it protects.
        if (!isStepUpMachinery(eff, this.o.specs.values)) this.point('effect', c, cur, eff);
        return cur;
      }
      const ans = answerOf(c, this.o.specs.values, this.o.env);
      if (ans && !ans.error && ans.kind === 'response' && ts.isExpressionStatement(c.parent))
        this.point('response', c, cur, undefined, ans);
    }
    return cur;
  }

  // ---- events, points, exits --------------------------------------------------------------

  private event(node: ts.Node, spec: GuardSpec, usage: GuardEvent['usage'], awaited: boolean): GuardEvent {
    const existing = this.callEvents.get(node);
    if (existing) return existing;
    const ev: GuardEvent = {
      id: this.events.length,
      spec,
      node,
      name: spec.name,
      usage,
      awaited,
      checked: false,
      established: false,
      notAwaited: false,
      opaque: !!spec.opaque,
      vars: [],
    };
    // (an operation that protects its own side effects, called as a statement of its own and left running, still
    // runs them behind its check: nothing after it waits on its answer)
    const leftRunning = !!spec.guardsOwnEffects && !!node.parent && ts.isExpressionStatement(node.parent);
    if (spec.async && !awaited && usage !== 'other' && !leftRunning) ev.notAwaited = true;
    this.events.push(ev);
    this.callEvents.set(node, ev);
    return ev;
  }

  /**
   * Does a condition make a step-up check of its own (`await bcrypt.compare(code, backup)`, or a local
   * holding one: `const pinOk = await verifyPin(…)`)? Then what it sets is a second way to pass, not a forgery.
   */
  private holdsACheck(cond: ts.Expression, own?: ts.Node): boolean {
    let found = false;
    // (a compare in a search over stored codes counts: `codes.some((h) => bcrypt.compareSync(code, h))`)
    const searchCallback = (n: ts.Node): boolean =>
      ts.isCallExpression(n.parent) &&
      n.parent.arguments[0] === n &&
      ts.isPropertyAccessExpression(n.parent.expression) &&
      /^(find|findIndex|findLast|some|every|filter)$/.test(n.parent.expression.name.text);
    const visit = (n: ts.Node, depth: number): void => {
      if (found || depth > 2 || (isFunctionNode(n) && !searchCallback(n))) return;
      if (ts.isCallExpression(n) && this.o.specs.specOfCall(n, this.o.env)) {
        found = true;
        return;
      }
      // a value typed for this request compared with a stored secret some other way (`hashPin(req.body.pin) ===
      // user.pinHash`, `user.backupHashes.includes(sha256(code))`): a second check, not a pass given for nothing
      // (a constant, a presence test or an error code compared is not: `req.body.code === '000000'`)
      if (this.comparesSecret(n)) {
        found = true;
        return;
      }
      if (ts.isIdentifier(n)) {
        // (a local, or a name taken out of one: `const { verified: assertionOk } = await verifyAuthentication(…)`)
        let d: ts.Node | undefined = findDeclaration(n);
        // (the result's own variable is what is being given a pass: `if (!ok && isAdmin) ok = true`)
        if (d === own) return;
        while (d && ts.isBindingElement(d)) d = d.parent.parent;
        if (d && ts.isVariableDeclaration(d) && d.initializer && isLocalTo(d, this.o.fn))
          visit(d.initializer, depth + 1);
        return;
      }
      ts.forEachChild(n, (c) => visit(c, depth));
    };
    visit(cond, 0);
    return found;
  }

  /** An equality, or a list membership (`includes`, `indexOf`), of a typed secret and a stored one. */
  private comparesSecret(n: ts.Node): boolean {
    let pair: ts.Expression[] | undefined;
    if (
      ts.isBinaryExpression(n) &&
      (n.operatorToken.kind === ts.SyntaxKind.EqualsEqualsEqualsToken ||
        n.operatorToken.kind === ts.SyntaxKind.EqualsEqualsToken)
    )
      pair = [n.left, n.right];
    else if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      /^(includes|indexOf)$/.test(n.expression.name.text) &&
      n.arguments.length === 1
    )
      pair = [n.arguments[0], n.expression.expression];
    return !!pair && judgeCompare({ candidates: pair }, this.o.env).kind === 'proof';
  }

  private bindResult(decl: ts.VariableDeclaration | ts.ParameterDeclaration, ev: GuardEvent): void {
    if (ts.isIdentifier(decl.name)) {
      this.resultVars.set(decl, ev);
      ev.vars.push(decl);
      // `let ok = false; if (isSuperAdmin) ok = true; else ok = await verify(…)`: the variable says the check
      // passed on a path where it never ran
      if (ts.isVariableDeclaration(decl)) {
        const forged = forgedResult(decl, ev.node, this.o.fn, (cond) => this.holdsACheck(cond, decl));
        if (forged) {
          ev.bypass ??= forged;
          ev.forged = forged;
        }
      }
    } else if (ts.isObjectBindingPattern(decl.name) || ts.isArrayBindingPattern(decl.name)) {
      for (const el of decl.name.elements) {
        if (ts.isBindingElement(el)) {
          this.resultVars.set(el, ev);
          ev.vars.push(el);
        }
      }
    }
  }

  private point(kind: FlowPoint['kind'], node: ts.Node, st: St, effect?: Effect, answer?: Answer): void {
    this.points.push({ kind, node, effect, answer, must: st.must, may: st.may, fall: st.fall, failing: st.failing });
  }

  private exit(kind: FlowExit['kind'], node: ts.Node, value: ts.Expression | undefined, st: St): void {
    const answer = value ? answerOf(value, this.o.specs.values, this.o.env) : undefined;
    // A guard summary may return its evidence: `return Date.now() - s.authAt < FIVE_MIN`.
    // (only what decides the result: the value itself or a result field of a returned object, `{ ok: fresh }`; a
    // flag copied into another field of a record it hands back, `{ ...row, otpVerified: !!row.otpVerified }`, is data)
    if (this.o.role === 'summary' && value && kind === 'return')
      for (const ev of this.atoms(value, true)) ev.returned = true;
    this.exits.push({ kind, node, value, answer, must: st.must, may: st.may, failing: st.failing });
    if (kind !== 'return' || !value) {
      if (kind === 'return' && !value && this.o.role === 'next-middleware') this.point('continuation', node, st);
      return;
    }
    // Next.js middleware: returning `NextResponse.next()` (directly or through a variable) lets the request on.
    if (this.o.role === 'next-middleware') {
      let v = skipOuter(value);
      if (ts.isIdentifier(v)) v = localInit(v) ?? v;
      if (isNextResponseNext(v)) this.point('continuation', node, st);
      return;
    }
    if (this.o.role === 'handler' || this.o.role === 'wrapper') {
      if (this.returnsGuardFailure(value)) return;
      if (answer?.error || answer?.kind === 'redirect') return;
      this.point('response', node, st, undefined, answer);
    }
  }

  /** `return block` where block holds a guard's failure value. */
  private returnsGuardFailure(value: ts.Expression): boolean {
    let x = skipOuter(value);
    // `return auth.response`: a field of the guard's result
    while (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) x = skipOuter(x.expression);
    if (ts.isIdentifier(x)) {
      const d = findDeclaration(x);
      if (d && this.resultVars.has(d)) return true;
    }
    return false;
  }

  // ---- conditions --------------------------------------------------------------------------

  /**
   * Step-up checks a condition makes: guard calls, guard results, inline evidence. `asResult`: the condition is a
   * returned value, whose object fields count only as results or checks made here (see checkedHere).
   */
  private atoms(cond: ts.Expression, asResult = false): GuardEvent[] {
    const out: GuardEvent[] = [];
    const v = vocab();
    const resultField = (p: ts.ObjectLiteralElementLike): boolean => {
      const n = p.name ? propertyNameText(p.name) : undefined;
      return !!n && (v.successFields.test(n) || v.failureFields.test(n) || v.errorFields.test(n));
    };
    const seen = new Set<ts.Node>();
    const visit = (n: ts.Node, depth: number): void => {
      if (depth > 4 || seen.has(n)) return;
      seen.add(n);
      this.o.specs.values.budget.step('flow');
      if (isFunctionNode(n)) return;
      const x = ts.isExpression(n) ? skipOuter(n) : n;
      if (ts.isIdentifier(x)) {
        const d = findDeclaration(x);
        if (d) {
          const ev = this.resultVars.get(d);
          if (ev) {
            if (!out.includes(ev)) out.push(ev);
            return;
          }
          // `const { stepUpVerified } = req.body` — a flag read through destructuring
          if (ts.isBindingElement(d)) {
            const inl = inlineEvidence(x, this.o.specs.values, this.o.env, this.o.maxFreshnessMinutes);
            if (inl) {
              const e = this.inlineEvent(inl);
              if (!out.includes(e)) out.push(e);
              return;
            }
          }
          if (ts.isVariableDeclaration(d) && d.initializer && ts.isIdentifier(d.name) && isLocalTo(d, this.o.fn))
            visit(d.initializer, depth + 1);
        }
        return;
      }
      if (ts.isCallExpression(x)) {
        const ev = this.callEvents.get(x);
        if (ev) {
          if (!out.includes(ev)) out.push(ev);
          return;
        }
      }
      if (ts.isExpression(x)) {
        const inl = inlineEvidence(x, this.o.specs.values, this.o.env, this.o.maxFreshnessMinutes);
        if (inl) {
          const ev = this.inlineEvent(inl);
          if (!out.includes(ev)) out.push(ev);
          return;
        }
      }
      if (asResult && ts.isObjectLiteralExpression(x)) {
        // (another field counts where its value is a check made here, `passwordOk` from a compare; a flag copied
        // from a stored row, `otpVerified: !!row.otpVerified`, is data)
        for (const p of x.properties) if (resultField(p) || checkedHere(p)) visit(p, depth);
        return;
      }
      ts.forEachChild(x, (c) => visit(c, depth));
    };
    visit(cond, 0);
    return out;
  }

  private inlineEvent(inl: InlineEvidence): GuardEvent {
    let ev = this.inlineEvents.get(inl.node);
    if (!ev) {
      ev = {
        id: this.events.length,
        spec: this.o.specs.inlineSpec(inl),
        node: inl.node,
        name: inl.label,
        usage: 'inline',
        awaited: true,
        checked: false,
        established: false,
        notAwaited: false,
        opaque: false,
        inline: inl,
        vars: [],
      };
      this.events.push(ev);
      this.inlineEvents.set(inl.node, ev);
    }
    return ev;
  }

  /** Does `cond` read nothing but the check (its call, its result, the locals computed from them) and constants? */
  private onlyCheck(cond: ts.Node, ev: GuardEvent, depth = 0): boolean {
    if (depth > 6) return false;
    let ok = true;
    const visit = (n: ts.Node): void => {
      if (!ok || n === ev.node) return;
      if (ts.isIdentifier(n)) {
        if (n.text === 'undefined' || (n.parent && ts.isPropertyAccessExpression(n.parent) && n.parent.name === n))
          return;
        const d = findDeclaration(n);
        if (d && this.resultVars.get(d) === ev) return;
        const init = d && ts.isVariableDeclaration(d) && ts.isIdentifier(d.name) ? d.initializer : undefined;
        if (!init || !this.onlyCheck(init, ev, depth + 1)) ok = false;
        return;
      }
      if (n.kind === ts.SyntaxKind.ThisKeyword) ok = false;
      else ts.forEachChild(n, visit);
    };
    visit(cond);
    return ok;
  }

  resultOf(decl: ts.Node): GuardEvent | undefined {
    return this.resultVars.get(decl);
  }

  checkOf(call: ts.Node): GuardEvent | undefined {
    return this.callEvents.get(call);
  }

  /** When the condition's meaning is unknown: the branch that answers with an error is the failure branch. */
  private structural(thenNode: ts.Node, elseNode: ts.Node | undefined): boolean | undefined {
    const t = this.errorish(thenNode);
    const e = elseNode ? this.errorish(elseNode) : false;
    if (t && !e) return true;
    if (e && !t) return false;
    const tc = this.proceeds(thenNode);
    const ec = elseNode ? this.proceeds(elseNode) : false;
    if (tc && !ec && elseNode) return false;
    return undefined;
  }

  /** Does a branch answer with an error, throw, redirect, or return false? */
  private errorish(n: ts.Node): boolean {
    let hit = false;
    const visit = (c: ts.Node): void => {
      if (hit || isFunctionNode(c)) return;
      this.o.specs.values.budget.step('flow');
      if (ts.isThrowStatement(c) || (ts.isExpressionStatement(c) && neverReturns(c.expression, this.o.specs.values)))
        hit = true;
      else if (ts.isReturnStatement(c) && c.expression) {
        const v = skipOuter(c.expression);
        if (v.kind === ts.SyntaxKind.FalseKeyword || this.returnsGuardFailure(v)) hit = true;
        const a = answerOf(v, this.o.specs.values, this.o.env);
        if (a && (a.error || a.kind === 'redirect')) hit = true;
      } else if (ts.isCallExpression(c)) {
        const a = answerOf(c, this.o.specs.values, this.o.env);
        if (a && (a.error || a.kind === 'redirect')) hit = true;
        // next(err) hands an error on
        if (this.o.isErrorContinuation?.(c)) hit = true;
      }
      if (!hit) ts.forEachChild(c, visit);
    };
    visit(n);
    return hit;
  }

  /** Does a branch go on to side effects or the continuation? */
  private proceeds(n: ts.Node): boolean {
    let hit = false;
    const visit = (c: ts.Node): void => {
      if (hit || isFunctionNode(c)) return;
      this.o.specs.values.budget.step('flow');
      if (ts.isCallExpression(c)) {
        if (this.o.isContinuation?.(c)) hit = true;
        else if (this.o.effects && effectOfCall(c, this.o.specs.values)) hit = true;
      }
      if (!hit) ts.forEachChild(c, visit);
    };
    visit(n);
    return hit;
  }
}

/** Calls that run a list of steps in order, each only after the one before succeeded (async's waterfall, series). */
const SEQUENCERS = /^(waterfall|series|seq|auto)$/;

/**
 * Does a condition test whether a value is set at all (`err`, `!err`, `!!err`, `err != null`)? An error
 * result compared with one of its codes (`err === NOT_FOUND`, `codes.includes(err)`) singles out one failure.
 */
function testsTruthiness(cond: ts.Expression): boolean {
  let x = skipOuter(cond);
  while (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.ExclamationToken) x = skipOuter(x.operand);
  if (ts.isIdentifier(x) || ts.isPropertyAccessExpression(x)) return true;
  if (!ts.isBinaryExpression(x)) return false;
  const op = x.operatorToken.kind;
  if (
    op !== ts.SyntaxKind.EqualsEqualsEqualsToken &&
    op !== ts.SyntaxKind.EqualsEqualsToken &&
    op !== ts.SyntaxKind.ExclamationEqualsEqualsToken &&
    op !== ts.SyntaxKind.ExclamationEqualsToken
  )
    return false;
  return isNullish(x.left) || isNullish(x.right);
}

/**
 * Is a name handed back known to be set where it is: the call sits in the then-branch of an `if` that
 * tests that very variable (`if (err) return callback(err)`), with no function in between?
 */
function testedTruthy(arg: ts.Expression, at: ts.Node): boolean {
  const x = skipOuter(arg);
  if (!ts.isIdentifier(x)) return false;
  const decl = findDeclaration(x);
  if (!decl) return false;
  for (let n: ts.Node = at; n.parent && !ts.isFunctionLike(n); n = n.parent) {
    const p = n.parent;
    if (ts.isIfStatement(p) && p.thenStatement === n) {
      const cond = skipOuter(p.expression);
      if (ts.isIdentifier(cond) && findDeclaration(cond) === decl) return true;
    }
  }
  return false;
}

/** Is every reference to a parameter in its function's body a direct call of it (`run(…)`)? */
function onlyCalled(fn: FunctionNode, param: ts.ParameterDeclaration): boolean {
  if (!ts.isIdentifier(param.name) || !fn.body) return false;
  const name = param.name.text;
  let ok = true;
  const visit = (n: ts.Node): void => {
    if (!ok) return;
    if (ts.isIdentifier(n) && n.text === name && n !== param.name && findDeclaration(n) === param) {
      let e: ts.Node = n;
      while (ts.isParenthesizedExpression(e.parent) || ts.isNonNullExpression(e.parent)) e = e.parent;
      if (!(ts.isCallExpression(e.parent) && e.parent.expression === e)) ok = false;
      // called from a closure of the helper (`const go = () => run(x)`): when it runs is not where it is written
      else if (enclosingFunction(e) !== fn) ok = false;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(fn.body);
  return ok;
}

/** Is `c` a call of the function held by `p` (a parameter)? */
function callsDecl(c: ts.CallExpression, p: ts.ParameterDeclaration | undefined): boolean {
  return refersTo(c.expression, p);
}

/** Is the expression the parameter itself (by name, its declaration)? */
function refersTo(e: ts.Expression, p: ts.ParameterDeclaration | undefined): boolean {
  const x = skipOuter(e);
  return !!p && ts.isIdentifier(x) && findDeclaration(x) === p;
}

function isLocalTo(d: ts.Node, fn: ts.Node): boolean {
  let n: ts.Node | undefined = d;
  while (n) {
    if (n === fn) return true;
    n = n.parent;
  }
  return false;
}

/** Assignments that can give a result variable a value of their own: `=`, `||=`, `??=`. */
const FORGING_OPERATORS = new Set([
  ts.SyntaxKind.EqualsToken,
  ts.SyntaxKind.BarBarEqualsToken,
  ts.SyntaxKind.QuestionQuestionEqualsToken,
]);

/** `false`, `0`, `''`, `null`, `undefined`: a value that says the check failed (or has not run). */
function alwaysFalsy(e: ts.Expression): boolean {
  const x = skipOuter(e);
  if (x.kind === ts.SyntaxKind.FalseKeyword || x.kind === ts.SyntaxKind.NullKeyword) return true;
  if (ts.isIdentifier(x) && x.text === 'undefined') return true;
  if (ts.isNumericLiteral(x)) return Number(x.text) === 0;
  return ts.isStringLiteralLike(x) && x.text.length === 0;
}

/**
 * Is the value a check compares (`bcrypt.compare(password, user.hash)`) also hashed in the same function
 * (`bcrypt.hash(password, 10)`)? Then it is the new secret, and a refusal when it matches the stored one
 * keeps the new from equalling the old; a current password compared the same way is a check tested wrongly.
 */
function hashedAfter(check: ts.CallExpression): boolean {
  const typed = check.arguments[0] && skipOuter(check.arguments[0]).getText();
  const fn = enclosingFunction(check);
  if (!typed || !fn) return false;
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (
      ts.isCallExpression(n) &&
      n !== check &&
      /hash|crypt/i.test(calleeName(n)) &&
      !/compare|verify|check/i.test(calleeName(n)) &&
      n.arguments.some((a) => skipOuter(a).getText() === typed)
    )
      found = true;
    else ts.forEachChild(n, visit);
  };
  visit(fn);
  return found;
}

/** A value that is always truthy: `true`, a non-zero number, a non-empty string, an object or array literal. */
function alwaysTruthy(e: ts.Expression): boolean {
  const x = skipOuter(e);
  if (x.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (ts.isNumericLiteral(x)) return Number(x.text) !== 0;
  if (ts.isStringLiteralLike(x)) return x.text.length > 0;
  return ts.isObjectLiteralExpression(x) || ts.isArrayLiteralExpression(x);
}

/** A call handed the secret typed for this request (`await useRecoveryCode(user.id, token)`). */
function handsTypedSecret(e: ts.Expression): boolean {
  let x = skipOuter(e);
  if (ts.isAwaitExpression(x)) x = skipOuter(x.expression);
  if (!ts.isCallExpression(x)) return false;
  const { secretInputs: secrets, codeCheckers } = vocab();
  // (a `token` is the code only where the helper says it checks one: `useRecoveryCode(id, token)`)
  const checksCode = codeCheckers.test(calleeName(x));
  return x.arguments.some((a) => {
    const y = skipOuter(a);
    const name = ts.isIdentifier(y) ? y.text : ts.isPropertyAccessExpression(y) ? y.name.text : undefined;
    return !!name && (secrets.test(name) || (checksCode && /^token$/i.test(name)));
  });
}

/**
 * Where a guard's result variable is given a passing value the guard did not produce (`isMatch = true`
 * on one branch, or a truthy initializer the guard only overwrites on some paths): the condition that
 * leads there (or the assignment), when there is one.
 */
function forgedResult(
  decl: ts.VariableDeclaration,
  guard: ts.Node,
  fn: ts.Node,
  /** Does a condition make a check of its own? */
  isCheck: (cond: ts.Expression) => boolean,
): ts.Expression | undefined {
  const assignedByGuard = decl.initializer === undefined || !isInside(guard, decl.initializer);
  if (assignedByGuard && decl.initializer && alwaysTruthy(decl.initializer)) return decl.initializer;
  let found: ts.Expression | undefined;
  forEachNode(fn, (n) => {
    if (found) return false;
    if (
      !ts.isBinaryExpression(n) ||
      !FORGING_OPERATORS.has(n.operatorToken.kind) ||
      !ts.isIdentifier(n.left) ||
      n.left.text !== (decl.name as ts.Identifier).text ||
      findDeclaration(n.left) !== decl ||
      isInside(guard, n.right) ||
      alwaysFalsy(n.right) ||
      // another check's result (`ok = await verifyPin(pin)`, `ok = result.valid`) is a second way to pass,
      // also a helper handed the code typed for this request (`ok = await useRecoveryCode(userId, token)`)
      isCheck(n.right) ||
      handsTypedSecret(n.right)
    )
      return;
    let at: ts.Node = n;
    while (at.parent && at.parent !== fn && !ts.isIfStatement(at.parent)) at = at.parent;
    const cond =
      at.parent && ts.isIfStatement(at.parent) && at.parent.thenStatement === at ? at.parent.expression : undefined;
    // `if (await bcrypt.compare(code, backup)) ok = true`: another check passing, not a forgery
    if (cond && isCheck(cond)) return;
    found = cond ?? n;
  });
  return found;
}

/**
 * A returned object's field whose value is a check made in the function (`passwordOk` given a compare's result,
 * `{ match: await verify(…) }`), not a stored flag copied into the record (`otpVerified: !!row.otpVerified`).
 */
function checkedHere(p: ts.ObjectLiteralElementLike): boolean {
  const value = ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : undefined;
  if (!value) return false;
  const strip = (e: ts.Expression): ts.Expression => {
    let x = skipOuter(e);
    for (;;) {
      if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.ExclamationToken) x = skipOuter(x.operand);
      else if (ts.isAwaitExpression(x)) x = skipOuter(x.expression);
      else if (
        ts.isCallExpression(x) &&
        ts.isIdentifier(x.expression) &&
        x.expression.text === 'Boolean' &&
        x.arguments[0]
      )
        x = skipOuter(x.arguments[0]);
      else return x;
    }
  };
  let x = strip(value);
  if (ts.isIdentifier(x)) {
    const init = localInit(x);
    if (!init) return false;
    x = strip(init);
  }
  return ts.isCallExpression(x) || (ts.isBinaryExpression(x) && x.operatorToken.kind !== ts.SyntaxKind.EqualsToken);
}
