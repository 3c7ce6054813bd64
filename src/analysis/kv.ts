// Collections kept whole under one key of a key-value store (Keyv, quick.db): the handler reads the
// array, changes it and writes it back (`users.push(u); await db.set('users', users)`). The key names
// the collection; what was done to the array before the write says which operation it was and which
// fields of its records were written.
import { ts } from 'ts-morph';
import { findDeclaration } from './scope.js';
import { evalString } from './strings.js';
import { skipOuter, type ValueResolver } from './values.js';
import { forEachNode } from './walk.js';

export interface CollectionWrite {
  /** The collection, from the key (`'users'`, `` `${id}_instances` `` → `instances`). */
  collection: string;
  op: 'create' | 'update' | 'delete';
  /** Object literals written as records (pushed, or returned by a `map` that rewrites one). */
  records: ts.Expression[];
  /** Fields assigned on a record of the collection (`user.password = hash` after `users.find(…)`). */
  assigned: string[];
  /** The array's changes could not be seen: whatever it holds may have been written. */
  opaque: boolean;
}

/** The collection a key names: a literal, or the longest literal run of a template (`${userId}_instances`). */
export function collectionOf(key: ts.Expression, values: ValueResolver): string | undefined {
  const s = evalString(key, values);
  const pick = (t: string): string | undefined => {
    const runs = t.split(/[^A-Za-z]+/).filter((w) => w.length >= 3);
    return runs.sort((a, b) => b.length - a.length)[0];
  };
  if (s !== undefined) return /^[A-Za-z][\w-]*$/.test(s) ? s : pick(s);
  const x = skipOuter(key);
  if (ts.isTemplateExpression(x)) return pick([x.head.text, ...x.templateSpans.map((t) => t.literal.text)].join(' '));
  return undefined;
}

/**
 * The record kind a JSON file keeps (`path.join(process.cwd(), 'data', 'users.json')` → `users`): the last
 * string of the path, through locals, `path.join`/`resolve` and a helper's answer. Only a `.json` file counts.
 */
export function jsonFileCollection(e: ts.Expression, values: ValueResolver, depth = 0): string | undefined {
  if (depth > 4) return undefined;
  const x = skipOuter(e);
  const stem = (t: string): string | undefined => /(?:^|[\\/])([A-Za-z][\w-]*)\.json$/i.exec(t)?.[1];
  if (ts.isStringLiteralLike(x)) return stem(x.text);
  if (ts.isTemplateExpression(x)) return stem(x.templateSpans[x.templateSpans.length - 1].literal.text);
  if (
    ts.isCallExpression(x) &&
    ts.isPropertyAccessExpression(x.expression) &&
    /^(join|resolve)$/.test(x.expression.name.text)
  ) {
    const last = x.arguments[x.arguments.length - 1];
    return last ? jsonFileCollection(last, values, depth + 1) : undefined;
  }
  if (ts.isIdentifier(x) || ts.isCallExpression(x) || ts.isPropertyAccessExpression(x)) {
    for (const v of values.resolve(x)) {
      const node = v.kind === 'call' ? v.node : v.kind === 'literal' ? v.node : undefined;
      if (!node || node === x || !ts.isExpression(node)) continue;
      const found = jsonFileCollection(node, values, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/** `JSON.stringify(x)` stores `x`. */
function stored(e: ts.Expression): ts.Expression {
  const x = skipOuter(e);
  if (ts.isCallExpression(x) && x.expression.getText() === 'JSON.stringify' && x.arguments[0]) return x.arguments[0];
  return x;
}

function enclosingBody(n: ts.Node): ts.Node | undefined {
  for (let p: ts.Node | undefined = n.parent; p; p = p.parent) if (ts.isFunctionLike(p)) return p;
  return n.getSourceFile();
}

/** Object literals a `map` callback returns (`u => u.id === id ? { ...u, password } : u`). */
function returnedObjects(cb: ts.Expression): ts.ObjectLiteralExpression[] {
  const x = skipOuter(cb);
  if (!ts.isArrowFunction(x) && !ts.isFunctionExpression(x)) return [];
  const out: ts.ObjectLiteralExpression[] = [];
  const take = (e: ts.Expression): void => {
    const y = skipOuter(e);
    if (ts.isObjectLiteralExpression(y)) out.push(y);
    else if (ts.isConditionalExpression(y)) {
      take(y.whenTrue);
      take(y.whenFalse);
    }
  };
  if (!ts.isBlock(x.body)) take(x.body);
  else
    forEachNode(x.body, (n) => {
      if (ts.isReturnStatement(n) && n.expression) take(n.expression);
    });
  return out;
}

/**
 * A write of a whole collection to a key-value store: `store.set(key, value)` where the store is one of
 * `modules`' clients. Undefined when the call is not one.
 */
export function collectionWrite(
  call: ts.CallExpression,
  values: ValueResolver,
  /** The collection, when the caller knows it (a JSON file's name). */
  named?: string,
): CollectionWrite | undefined {
  const [key, value] = call.arguments;
  if (!key || !value) return undefined;
  const collection = named ?? collectionOf(key, values);
  if (!collection) return undefined;
  const out: CollectionWrite = { collection, op: 'update', records: [], assigned: [], opaque: false };
  const v = stored(value);
  if (ts.isArrayLiteralExpression(v)) {
    out.op = 'create';
    out.records.push(...v.elements.filter((e) => ts.isObjectLiteralExpression(skipOuter(e))));
    return out;
  }
  if (ts.isObjectLiteralExpression(v)) {
    out.records.push(v);
    return out;
  }
  if (!ts.isIdentifier(v)) {
    out.opaque = true;
    return out;
  }
  const decl = findDeclaration(v);
  const body = enclosingBody(call);
  if (!decl || !body) {
    out.opaque = true;
    return out;
  }
  const name = v.text;
  const before = call.getStart();
  // the array's own derivations: `const updated = users.map(…)`, `users = users.filter(…)`
  const derivations: ts.Expression[] = [];
  if (ts.isVariableDeclaration(decl) && decl.initializer) derivations.push(decl.initializer);
  // records of the collection taken out of it (`const user = users.find(…)`), whose fields are then assigned
  const elements = new Set<string>();
  let seen = false;
  forEachNode(body, (n) => {
    if (n.getStart() >= before) return;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = skipOuter(n.left);
      if (ts.isIdentifier(left) && left.text === name) derivations.push(n.right);
      // `users[i].password = hash`, `user.password = hash`
      if (ts.isPropertyAccessExpression(left)) {
        const base = skipOuter(left.expression);
        const root = ts.isElementAccessExpression(base) ? skipOuter(base.expression) : base;
        if (ts.isIdentifier(root) && (root.text === name || elements.has(root.text))) {
          out.assigned.push(left.name.text);
          seen = true;
        }
      }
    }
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer) {
      const init = skipOuter(n.initializer);
      if (
        ts.isCallExpression(init) &&
        ts.isPropertyAccessExpression(init.expression) &&
        /^(find|findLast)$/.test(init.expression.name.text)
      )
        elements.add(n.name.text);
    }
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
      const recv = skipOuter(n.expression.expression);
      if (!ts.isIdentifier(recv) || recv.text !== name) return;
      const m = n.expression.name.text;
      if (m === 'push' || m === 'unshift') {
        out.op = 'create';
        out.records.push(...n.arguments);
        seen = true;
      } else if (m === 'splice') {
        out.op = n.arguments.length > 2 ? 'update' : 'delete';
        out.records.push(...n.arguments.slice(2));
        seen = true;
      }
    }
  });
  for (const d of derivations) {
    const x = skipOuter(d);
    if (!ts.isCallExpression(x) || !ts.isPropertyAccessExpression(x.expression)) continue;
    const m = x.expression.name.text;
    if (m === 'filter') {
      out.op = 'delete';
      seen = true;
    } else if (m === 'map' && x.arguments[0]) {
      out.records.push(...returnedObjects(x.arguments[0]));
      seen = true;
    } else if (m === 'concat') {
      out.op = 'create';
      out.records.push(...x.arguments);
      seen = true;
    }
  }
  if (!seen) out.opaque = true;
  return out;
}
