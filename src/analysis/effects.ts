// Side effects a function performs, directly or through project functions it calls: database
// writes (ORM delegates, models, repositories, query builders, SQL text), payment SDK calls,
// state-changing outgoing requests, identity-provider admin calls and secret minting. Shapes
// come from rules/effects.json. Summaries are computed once per function.
import { ts } from 'ts-morph';
import type { FunctionNode } from '../model.js';
import { compiled, ruleFile } from '../rules/load.js';
import type { EffectRules } from '../rules/types.js';
import { memo } from '../memo.js';
import { externalName } from './unwrap.js';
import { evalString } from './strings.js';
import { findDeclaration } from './scope.js';
import { accessName, isFunctionNode, propertyNameText, skipOuter, type ValueResolver } from './values.js';

export type EffectKind = 'db-write' | 'sql-write' | 'payment' | 'http' | 'identity' | 'mint' | 'call';

export interface Effect {
  kind: EffectKind;
  /** The call in the analysed function (for `call` effects: the call into the project function). */
  node: ts.CallExpression | ts.TaggedTemplateExpression;
  /** Normalised model / table / SDK resource (`transfer`, `apikey`, `payouts`). */
  model?: string;
  /** create, update, delete, … */
  action?: string;
  /** Keys written (`data: { role }` → role). */
  dataKeys: string[];
  /** Display text of the callee, e.g. `prisma.transfer.create`. */
  callee: string;
  /** Identity calls: the category of what they change. */
  category?: string;
  /** For `call` effects: the effects inside the called function. */
  via?: Effect[];
}


interface Compiled {
  r: EffectRules;
  delegateRoots: RegExp;
  repoRoots: RegExp;
  builderRoots: RegExp;
  payRoots: RegExp;
  httpRoots: RegExp;
  sql: RegExp;
  idTargets: RegExp;
  identity: { re: RegExp; category: string }[];
  /** What an imported module's text must contain to be worth parsing for writes. */
  lookAhead: RegExp;
  /** Models of the step-up flow itself (challenges, codes). */
  machinery: RegExp;
  /** Keys whose writes are bookkeeping (last use, counters). */
  bookkeeping: Set<string>;
  updateActions: RegExp;
  deleteActions: RegExp;
}

const rules = compiled<Compiled>(() => {
    const r = ruleFile('effects');
    return {
      r,
      delegateRoots: new RegExp(r.orm.delegateRoots),
      repoRoots: new RegExp(r.orm.repoRoots),
      builderRoots: new RegExp(r.orm.builderRoots),
      payRoots: new RegExp(r.payments.roots),
      httpRoots: new RegExp(r.http.clientRoots),
      sql: new RegExp(r.sql.write, 'i'),
      idTargets: new RegExp(r.mint.identifierTargets),
      identity: r.identity.calls.map((c) => ({ re: new RegExp(c.pattern), category: c.category })),
      lookAhead: new RegExp(r.lookAheadWrites.pattern, 'i'),
      machinery: new RegExp(r.stepUpMachinery.models, 'i'),
      bookkeeping: new Set(r.bookkeepingKeys.keys),
      updateActions: new RegExp(r.orm.updateActions, 'i'),
      deleteActions: new RegExp(r.orm.deleteActions, 'i'),
    };
});

/** Compiled side-effect rules (rules/effects.json). */
export const effectRules = rules;

export function normalizeName(s: string): string {
  return s.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
}

/** `a.b.c` → ['a','b','c']; `this.x.y` → ['this','x','y']; undefined when the chain has a call or computed part. */
export function calleeParts(e: ts.Expression): string[] | undefined {
  const x = skipOuter(e);
  if (ts.isIdentifier(x)) return [x.text];
  if (x.kind === ts.SyntaxKind.ThisKeyword) return ['this'];
  if (ts.isPropertyAccessExpression(x)) {
    const base = calleeParts(x.expression);
    return base ? [...base, x.name.text] : undefined;
  }
  if (ts.isElementAccessExpression(x) && ts.isStringLiteralLike(x.argumentExpression)) {
    const base = calleeParts(x.expression);
    return base ? [...base, x.argumentExpression.text] : undefined;
  }
  return undefined;
}

/** The method name of a call `x.m()` and its receiver. */
function methodCall(call: ts.CallExpression): { method: string; recv: ts.Expression } | undefined {
  const c = skipOuter(call.expression);
  if (ts.isPropertyAccessExpression(c)) return { method: c.name.text, recv: c.expression };
  return undefined;
}

const SKIP_KEYS = new Set(['where', 'select', 'include', 'orderBy', 'take', 'skip', 'filter', 'options', 'returning']);

function objectKeys(e: ts.Expression | undefined, values: ValueResolver, depth = 0): string[] {
  if (!e || depth > 3) return [];
  const x = skipOuter(e);
  // `...(isAdmin ? { role } : {})`, `...(cond && { role })`
  if (ts.isConditionalExpression(x)) return [...objectKeys(x.whenTrue, values, depth + 1), ...objectKeys(x.whenFalse, values, depth + 1)];
  if (ts.isBinaryExpression(x) && (x.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || x.operatorToken.kind === ts.SyntaxKind.BarBarToken || x.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)) return [...objectKeys(x.left, values, depth + 1), ...objectKeys(x.right, values, depth + 1)];
  let obj: ts.ObjectLiteralExpression | undefined;
  const assigned: string[] = [];
  if (ts.isObjectLiteralExpression(x)) obj = x;
  else if (ts.isIdentifier(x)) {
    const v = values.resolve(x).find((y) => y.kind === 'object');
    if (v && v.kind === 'object') obj = v.node;
    assigned.push(...fieldAssignments(x));
  }
  if (!obj) return assigned;
  const out: string[] = [...assigned];
  for (const p of obj.properties) {
    const name = p.name ? propertyNameText(p.name) : undefined;
    if (ts.isSpreadAssignment(p)) {
      out.push(...objectKeys(p.expression, values, depth + 1));
      continue;
    }
    if (!name || SKIP_KEYS.has(name)) continue;
    if (name === 'data' || name === '$set' || name === 'set' || name === 'values' || name === 'update') {
      if (ts.isPropertyAssignment(p)) out.push(...objectKeys(p.initializer, values, depth + 1));
      else if (ts.isShorthandPropertyAssignment(p)) out.push(...objectKeys(p.name, values, depth + 1));
      continue;
    }
    out.push(name);
  }
  return out;
}

/** `data.password = hash; data.role = role;` before the write: keys assigned field by field. */
function fieldAssignments(id: ts.Identifier): string[] {
  const d = findDeclaration(id);
  if (!d || !ts.isVariableDeclaration(d) || !ts.isIdentifier(d.name)) return [];
  const name = d.name.text;
  let scope: ts.Node | undefined = d.parent;
  while (scope && !ts.isBlock(scope) && !ts.isSourceFile(scope)) scope = scope.parent;
  if (!scope) return [];
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && (ts.isPropertyAccessExpression(n.left) || ts.isElementAccessExpression(n.left)) && ts.isIdentifier(n.left.expression) && n.left.expression.text === name) {
      const k = accessName(n.left);
      if (k) out.push(k);
    }
    ts.forEachChild(n, visit);
  };
  visit(scope);
  return out;
}

function isCapitalized(s: string): boolean {
  return /^[A-Z][A-Za-z0-9]*$/.test(s);
}

/** Model name behind a receiver: `new User()`, `User.findById()`, `userRepository`, `getRepository(User)`. */
function modelOfReceiver(recv: ts.Expression, values: ValueResolver): string | undefined {
  const x = skipOuter(recv);
  if (ts.isIdentifier(x) || ts.isPropertyAccessExpression(x)) {
    for (const v of values.resolve(x)) {
      if (v.kind === 'call') {
        const n = v.node;
        if (ts.isNewExpression(n) && ts.isIdentifier(n.expression)) return n.expression.text;
        if (ts.isCallExpression(n)) {
          const parts = calleeParts(n.expression);
          if (parts && parts.length >= 2 && isCapitalized(parts[parts.length - 2])) return parts[parts.length - 2];
          if (parts && /getRepository|getCustomRepository/.test(parts[parts.length - 1]) && n.arguments[0]) return skipOuter(n.arguments[0]).getText();
        }
      }
      if (v.kind === 'instance' && v.cls.name) return v.cls.name.text;
    }
    const name = ts.isIdentifier(x) ? x.text : x.name.text;
    const m = /^(.*?)(Repo|Repository|Model|Doc|Document|Record|Entity)$/i.exec(name);
    return m && m[1] ? m[1] : name;
  }
  if (ts.isCallExpression(x)) {
    const parts = calleeParts(x.expression);
    if (parts && /getRepository|getCustomRepository|repository/.test(parts[parts.length - 1]) && x.arguments[0]) return skipOuter(x.arguments[0]).getText();
  }
  return undefined;
}

function rootResolvesTo(recvParts: string[], node: ts.Expression, modules: string[], values: ValueResolver): boolean {
  void recvParts;
  for (const v of values.resolve(node)) {
    const ext = externalName(v);
    if (ext && modules.some((m) => ext.module === m || ext.module.startsWith(`${m}/`))) return true;
    if (v.kind === 'call' && v.callee.some((c) => {
      const e = externalName(c);
      return !!e && modules.some((m) => e.module === m || e.module.startsWith(`${m}/`));
    })) return true;
  }
  return false;
}

function stringArg(call: ts.CallExpression, values: ValueResolver): string | undefined {
  const a = call.arguments[0];
  if (!a) return undefined;
  const s = evalString(a, values);
  if (s !== undefined) return s;
  const x = skipOuter(a);
  return ts.isIdentifier(x) || ts.isPropertyAccessExpression(x) ? x.getText() : undefined;
}

/** Keys written by a builder chain: `.values({...})`, `.set({...})`, `.update({...})`. */
function chainDataKeys(call: ts.CallExpression, values: ValueResolver): string[] {
  const out = call.arguments.flatMap((a) => objectKeys(a, values));
  let cur: ts.Node = call;
  for (let i = 0; i < 4; i++) {
    const p = cur.parent;
    if (!p || !ts.isPropertyAccessExpression(p) || !p.parent || !ts.isCallExpression(p.parent)) break;
    if (['values', 'set', 'update', 'insert', 'upsert'].includes(p.name.text)) out.push(...p.parent.arguments.flatMap((a) => objectKeys(a, values)));
    cur = p.parent;
  }
  return out;
}

const DIRECT = memo('effects.direct', () => new WeakMap<ts.CallExpression, Effect | null>());

/** Classifies one call as a direct side effect, or undefined (cached per call unless call-site bindings apply). */
export function directEffect(call: ts.CallExpression, values: ValueResolver): Effect | undefined {
  if (values.bound) return directEffectOf(call, values);
  const cache = values.session.get(DIRECT);
  const hit = cache.get(call);
  if (hit !== undefined) return hit ?? undefined;
  const e = directEffectOf(call, values);
  cache.set(call, e ?? null);
  return e;
}

function directEffectOf(call: ts.CallExpression, values: ValueResolver): Effect | undefined {
  const { r, delegateRoots, repoRoots, builderRoots, payRoots, httpRoots, identity } = rules();
  const parts = calleeParts(call.expression);
  const text = parts ? parts.join('.') : call.expression.getText().replace(/\s+/g, '');
  const mc = methodCall(call);
  const base = (kind: EffectKind, extra: Partial<Effect>): Effect => ({ kind, node: call, dataKeys: [], callee: text.length > 80 ? `${text.slice(0, 77)}...` : text, ...extra });

  if (parts && parts.length >= 3) {
    const method = parts[parts.length - 1];
    const model = parts[parts.length - 2];
    const root = parts.slice(0, -2).join('.');
    const recv = (skipOuter(call.expression) as ts.PropertyAccessExpression).expression;
    const payment = (): Effect => base('payment', { model: normalizeName(model), action: method, dataKeys: objectKeys(call.arguments[0], values) });
    const delegate = (): Effect => base('db-write', { model: normalizeName(model), action: method, dataKeys: call.arguments.flatMap((a) => objectKeys(a, values)) });
    const isPayVerb = r.payments.verbs.includes(method);
    const isDelegate = r.orm.delegateMethods.includes(method) && !model.startsWith('$');
    // names first (cheap), then what the root resolves to
    if (isPayVerb && payRoots.test(root)) return payment();
    if (isDelegate && delegateRoots.test(root)) return delegate();
    if (isPayVerb && rootResolvesTo(parts, recv, r.payments.modules, values)) return payment();
    if (isDelegate && rootResolvesTo(parts, recv, ['@prisma/client', '.prisma/client'], values)) return delegate();
  }
  // a client object of a payment SDK: `new Preference(client).create(…)`, `payments.refund(…)`
  if (parts && parts.length === 2 && r.payments.verbs.includes(parts[1])) {
    const recv = (skipOuter(call.expression) as ts.PropertyAccessExpression).expression;
    if (rootResolvesTo(parts, recv, r.payments.modules, values)) return base('payment', { model: normalizeName(parts[0]), action: parts[1], dataKeys: objectKeys(call.arguments[0], values) });
  }
  for (const id of identity) {
    if (id.re.test(text)) return base('identity', { category: id.category, action: parts?.[parts.length - 1], dataKeys: call.arguments.flatMap((a) => objectKeys(a, values)) });
  }
  if (mc) {
    const recvParts = calleeParts(mc.recv);
    const recvText = recvParts?.join('.');
    // Mongoose / Sequelize statics: User.updateOne(...)
    if (recvParts && recvParts.length >= 1 && isCapitalized(recvParts[recvParts.length - 1]) && r.orm.staticMethods.includes(mc.method)) {
      return base('db-write', { model: normalizeName(recvParts[recvParts.length - 1]), action: mc.method, dataKeys: call.arguments.flatMap((a) => objectKeys(a, values)) });
    }
    // Repositories: userRepository.save(...)
    if (recvText && repoRoots.test(recvText) && r.orm.repoMethods.includes(mc.method)) {
      const model = call.arguments[0] && isCapitalized(skipOuter(call.arguments[0]).getText()) ? skipOuter(call.arguments[0]).getText() : modelOfReceiver(mc.recv, values);
      return base('db-write', { model: model ? normalizeName(model) : undefined, action: mc.method, dataKeys: call.arguments.flatMap((a) => objectKeys(a, values)) });
    }
    if (ts.isCallExpression(skipOuter(mc.recv))) {
      const inner = skipOuter(mc.recv) as ts.CallExpression;
      const innerParts = calleeParts(inner.expression);
      // getRepository(User).save(...)
      if (innerParts && /getRepository|getCustomRepository|getMongoRepository/.test(innerParts[innerParts.length - 1]) && r.orm.repoMethods.includes(mc.method)) {
        return base('db-write', { model: normalizeName(stringArg(inner, values) ?? ''), action: mc.method, dataKeys: call.arguments.flatMap((a) => objectKeys(a, values)) });
      }
      // supabase.from('users').update(), knex('users').insert(), db.collection('users').doc(id).set()
      if (r.orm.builderWrites.includes(mc.method) || r.orm.firestoreWrites.includes(mc.method)) {
        let table: string | undefined;
        let cur: ts.Expression = inner;
        for (let i = 0; i < 5 && ts.isCallExpression(cur); i++) {
          const m = methodCall(cur);
          const ps = calleeParts(cur.expression);
          if (m && r.orm.builderTableCalls.includes(m.method)) {
            if (m.method !== 'doc' || !table) table = stringArg(cur, values) ?? table;
            if (m.method === 'collection' || m.method === 'from' || m.method === 'table' || m.method === 'into') break;
          } else if (ps && ps.length === 1 && builderRoots.test(ps[0])) {
            table = stringArg(cur, values);
            break;
          }
          cur = m ? skipOuter(m.recv) : cur;
          if (!ts.isCallExpression(cur)) break;
        }
        const root = calleeParts(cur) ?? (ts.isCallExpression(cur) ? calleeParts(cur.expression) : undefined);
        if (table && (r.orm.builderWrites.includes(mc.method) || r.orm.firestoreWrites.includes(mc.method)) && root && builderRoots.test(root[0] === 'this' ? root.slice(0, 2).join('.') : root[0])) {
          return base('db-write', { model: normalizeName(table), action: mc.method, dataKeys: chainDataKeys(call, values) });
        }
      }
    }
    // drizzle / kysely: db.insert(transfers).values(...), db.update(users).set(...), db.deleteFrom('x')
    if (recvParts && builderRoots.test(recvText ?? '') && r.orm.builderWrites.includes(mc.method) && call.arguments.length >= 1) {
      return base('db-write', { model: normalizeName(stringArg(call, values) ?? ''), action: mc.method, dataKeys: chainDataKeys(call, values) });
    }
    // Instances: user.save(), doc.destroy()
    if (r.orm.instanceMethods.includes(mc.method) && call.arguments.length <= 2) {
      const model = modelOfReceiver(mc.recv, values);
      return base('db-write', { model: model ? normalizeName(model) : undefined, action: mc.method, dataKeys: [] });
    }
    // Outgoing writes: axios.post(url, body)
    if (recvText && httpRoots.test(recvText) && r.http.clientWrites.includes(mc.method) && call.arguments.length >= 1) {
      return base('http', { action: mc.method, dataKeys: objectKeys(call.arguments[1], values) });
    }
  }
  // fetch(url, { method: 'POST' })
  if (parts && r.http.fetchFunctions.includes(parts.join('.')) && call.arguments[1]) {
    const opts = skipOuter(call.arguments[1]);
    if (ts.isObjectLiteralExpression(opts)) {
      const m = opts.properties.find((p) => p.name && propertyNameText(p.name) === 'method');
      const method = m && ts.isPropertyAssignment(m) ? evalString(m.initializer, values) : undefined;
      if (method && method.toUpperCase() !== 'GET' && method.toUpperCase() !== 'HEAD') return base('http', { action: method.toLowerCase(), dataKeys: [] });
      if (m && !method) return base('http', { action: 'request', dataKeys: [] });
    }
  }
  // SQL text with a write statement anywhere in the arguments
  for (const a of call.arguments) {
    const sql = sqlWrite(a);
    if (sql) return base('sql-write', { model: normalizeName(sql.table), action: sql.verb, dataKeys: sql.columns });
  }
  if (parts && r.mint.calls.includes(parts[parts.length - 1]) && !mintsIdentifier(call)) return base('mint', { action: 'mint', dataKeys: [] });
  return undefined;
}

/** The name a minted value is stored under (`const requestId = h.get('x') ?? randomUUID()`) says whether it is a secret. */
function mintsIdentifier(call: ts.CallExpression): boolean {
  let n: ts.Node = call;
  for (let i = 0; i < 6 && n.parent; i++) {
    const p: ts.Node = n.parent;
    if (ts.isParenthesizedExpression(p) || ts.isAwaitExpression(p) || ts.isAsExpression(p) || ts.isNonNullExpression(p)) n = p;
    else if (ts.isBinaryExpression(p) && [ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken].includes(p.operatorToken.kind)) n = p;
    else if (ts.isPropertyAccessExpression(p) && p.expression === n && ts.isCallExpression(p.parent) && /^(toString|slice|substring|replace|replaceAll|toLowerCase|toUpperCase)$/.test(p.name.text)) n = p.parent;
    else break;
  }
  const p = n.parent;
  let name: string | undefined;
  if (p && ts.isVariableDeclaration(p) && p.initializer === n && ts.isIdentifier(p.name)) name = p.name.text;
  else if (p && ts.isPropertyAssignment(p) && p.initializer === n) name = propertyNameText(p.name);
  else if (p && ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.right === n) name = accessName(p.left as ts.Expression) ?? (ts.isIdentifier(p.left) ? p.left.text : undefined);
  return !!name && rules().idTargets.test(name);
}

function sqlText(e: ts.Node): string | undefined {
  const x = ts.isExpression(e) ? skipOuter(e) : e;
  if (ts.isStringLiteralLike(x)) return x.text;
  if (ts.isTemplateExpression(x)) return x.head.text + x.templateSpans.map((s) => ` ? ${s.literal.text}`).join('');
  return undefined;
}

export function sqlWrite(e: ts.Node): { verb: string; table: string; columns: string[] } | undefined {
  const text = sqlText(e);
  if (!text) return undefined;
  const m = rules().sql.exec(text);
  if (!m) return undefined;
  const table = m.slice(2).find(Boolean) ?? '';
  const verb = m[1].trim().split(/\s+/)[0].toLowerCase();
  const columns: string[] = [];
  const set = /\bset\s+(.+?)(?:\bwhere\b|$)/is.exec(text);
  if (set) for (const c of set[1].split(',')) {
    const col = /^\s*[`"']?(\w+)[`"']?\s*=/.exec(c);
    if (col) columns.push(col[1]);
  }
  const ins = /insert\s+(?:or\s+\w+\s+)?into\s+[`"']?\w+[`"']?\s*\(([^)]*)\)/is.exec(text);
  if (ins) for (const c of ins[1].split(',')) columns.push(c.trim().replace(/[`"']/g, ''));
  return { verb, table, columns };
}

export interface EffectOptions {
  /** How deep to follow project function calls. */
  depth?: number;
}

/**
 * What a look into another module must be able to find to be worth parsing it. Verification wants
 * every write; classification only writes a category cares about (`terms`: normalised words).
 */
export interface EffectScope {
  name: string;
  terms?: readonly string[];
}

export const ALL_WRITES: EffectScope = { name: 'all' };

/** Per scan: effect summaries and per-call effects, one cache per scope; functions being summarised. */
const SUMMARIES = memo('effects.summaries', () => new Map<string, WeakMap<ts.Node, Effect[]>>());
const CALLS = memo('effects.calls', () => new Map<string, WeakMap<ts.Node, Effect | null>>());
const IN_PROGRESS = memo('effects.inProgress', () => new WeakSet<ts.Node>());

function cacheOf<V>(caches: Map<string, WeakMap<ts.Node, V>>, scope: EffectScope): WeakMap<ts.Node, V> {
  let c = caches.get(scope.name);
  if (!c) caches.set(scope.name, (c = new WeakMap()));
  return c;
}

/** Calls a function makes, excluding those inside nested function declarations it does not call. */
const callsCache = new WeakMap<ts.Node, (ts.CallExpression | ts.TaggedTemplateExpression)[]>();

export function callsIn(fn: FunctionNode | ts.Node): (ts.CallExpression | ts.TaggedTemplateExpression)[] {
  const hit = callsCache.get(fn);
  if (hit) return hit;
  const body = isFunctionNode(fn as ts.Node) ? (fn as FunctionNode).body : fn;
  const out: (ts.CallExpression | ts.TaggedTemplateExpression)[] = [];
  callsCache.set(fn, out);
  if (!body) return out;
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) || ts.isTaggedTemplateExpression(n)) out.push(n);
    if (ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n)) return;
    // A function defined but not run here (a callback stored in a config object, a local helper)
    // is not this function's side effect; callbacks passed to a call are.
    if ((ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isMethodDeclaration(n)) && !(n.parent && (ts.isCallExpression(n.parent) || ts.isNewExpression(n.parent)))) return;
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(body, visit);
  return out;
}

/**
 * Every side effect of a function, in source order, following project calls `depth` levels
 * (handler → service → repository is two).
 */
export function effectsOf(fn: FunctionNode, values: ValueResolver, depth = 2, scope: EffectScope = ALL_WRITES): Effect[] {
  const cache = cacheOf(values.session.get(SUMMARIES), scope);
  const cached = depth === 2 ? cache.get(fn) : undefined;
  if (cached) return cached;
  const inProgress = values.session.get(IN_PROGRESS);
  if (inProgress.has(fn)) return [];
  inProgress.add(fn);
  const out: Effect[] = [];
  for (const c of callsIn(fn)) {
    const e = effectOfCall(c, values, depth, scope);
    if (e) out.push(e);
  }
  inProgress.delete(fn);
  if (depth === 2) cache.set(fn, out);
  return out;
}


/** Side effects a function performs itself, without following its calls. */
export function directEffectsOf(fn: FunctionNode, values: ValueResolver): Effect[] {
  const out: Effect[] = [];
  for (const c of callsIn(fn)) {
    const e = ts.isTaggedTemplateExpression(c) ? effectOfCall(c, values, 0) : directEffect(c, values);
    if (e) out.push(e);
  }
  return out;
}

/** The effect of one call: direct, or through the project function it calls. Cached per call. */
export function effectOfCall(c: ts.CallExpression | ts.TaggedTemplateExpression, values: ValueResolver, depth = 2, scope: EffectScope = ALL_WRITES): Effect | undefined {
  if (depth !== 2) return effectOfCallUncached(c, values, depth, scope);
  const cache = cacheOf(values.session.get(CALLS), scope);
  const hit = cache.get(c);
  if (hit !== undefined) return hit ?? undefined;
  const e = effectOfCallUncached(c, values, depth, scope);
  cache.set(c, e ?? null);
  return e;
}

function effectOfCallUncached(c: ts.CallExpression | ts.TaggedTemplateExpression, values: ValueResolver, depth: number, scope: EffectScope): Effect | undefined {
  if (ts.isTaggedTemplateExpression(c)) {
    const sql = sqlWrite(c.template);
    return sql ? { kind: 'sql-write', node: c, model: normalizeName(sql.table), action: sql.verb, dataKeys: sql.columns, callee: c.tag.getText() } : undefined;
  }
  const direct = directEffect(c, values);
  if (direct) return direct;
  if (depth <= 0) return undefined;
  // Before parsing an imported module to look into a call, check its text can write anything at all.
  const target = values.importedFile(c.expression);
  if (target && !values.isParsed(target)) {
    if (!values.textMatches(target, rules().lookAhead)) return undefined;
    if (scope.terms && !values.textHasAnyTerm(target, scope.terms)) return undefined;
  }
  const fns = values.resolve(c.expression).filter((v) => v.kind === 'function');
  for (const v of fns) {
    if (v.kind !== 'function' || !v.node.body) continue;
    let inner = effectsOf(v.node, values, depth - 1, scope).filter((e) => e.kind !== 'mint');
    // A write helper (`updateUser({ where, data })`): the keys it writes come from this call's arguments.
    if (inner.some((e) => e.kind !== 'call' && e.dataKeys.length === 0) && ts.isCallExpression(c) && c.arguments.length) {
      inner = rebind(inner, v.node, c, values);
    }
    if (inner.length) {
      const parts = calleeParts(c.expression);
      return { kind: 'call', node: c, dataKeys: [], callee: parts ? parts.join('.') : c.expression.getText().slice(0, 60), via: inner, model: inner[0].model, action: inner[0].action };
    }
  }
  return undefined;
}


/** Recomputes a helper's direct writes with its parameters bound to one call's arguments. */
function rebind(inner: Effect[], fn: FunctionNode, call: ts.CallExpression, values: ValueResolver): Effect[] {
  const bindings: [ts.ParameterDeclaration, ts.Expression][] = [];
  fn.parameters.forEach((p, i) => {
    const a = call.arguments[i];
    if (a && !ts.isSpreadElement(a)) bindings.push([p, a]);
  });
  const run = (k: number): Effect[] => {
    if (k === bindings.length) {
      return inner.map((e) => {
        if (e.kind === 'call' || e.dataKeys.length || !ts.isCallExpression(e.node)) return e;
        const again = directEffect(e.node, values);
        return again && again.dataKeys.length ? again : e;
      });
    }
    return values.withBinding(bindings[k][0], bindings[k][1], () => run(k + 1));
  };
  return run(0);
}

/** Flattens `call` effects to the direct effects they lead to. */
export function leafEffects(effects: Effect[]): Effect[] {
  return effects.flatMap((e) => (e.kind === 'call' && e.via ? leafEffects(e.via) : [e]));
}

/** Writes of the step-up flow itself (challenges, verification codes): every leaf effect is one. */
export function isStepUpMachinery(e: Effect): boolean {
  const { machinery } = rules();
  const leaves = leafEffects([e]);
  return leaves.length > 0 && leaves.every((l) => (l.kind === 'db-write' || l.kind === 'sql-write') && !!l.model && machinery.test(l.model));
}
