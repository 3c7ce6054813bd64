// What an endpoint hands out: a stored secret read from a record (or the server's environment)
// that reaches the response. Revealing an API key, a client secret or a password is a keys-secrets
// effect even though nothing is written (policy: "creating, rotating or revealing"). Followed by
// data flow: the answer's expressions (return values, `res.json(…)`, `c.json(…)`,
// `NextResponse.json(…)`), through locals, fields assigned on an answered object, and project
// functions whose result is answered. Masked, hashed, compared or boolean-ified reads reveal nothing.
import { ts } from 'ts-morph';
import type { FunctionNode } from '../model.js';
import { calleeName, isFunctionNode, propertyNameText, skipOuter, type ValueResolver } from '../analysis/values.js';
import { findDeclaration, localUses, lookupName } from '../analysis/scope.js';
import { evalString } from '../analysis/strings.js';
import { compiled, ruleFile } from '../rules/load.js';
import { hiddenColumns, schemaColumns } from './schema-columns.js';
import { norm } from './words.js';
import { modelName, runsProjectCode, stringArg } from '../analysis/effects.js';

export interface Reveal {
  node: ts.Node;
  /** What reaches the answer, e.g. `provisionedDbCredentials.password`. */
  what: string;
}

const rules = compiled(() => {
  const r = ruleFile('assets').reveals;
  const re = (s: string): RegExp => new RegExp(s, 'i');
  return {
    secretNames: re(r.secretNames),
    notSecretNames: re(r.notSecretNames),
    notReceivers: re(r.notReceivers),
    notSecretReceivers: re(r.notSecretReceivers ?? r.notSecretNames),
    derivations: re(r.derivations),
    passThrough: r.passThrough ? new RegExp(r.passThrough) : undefined,
    secretReads: r.secretReadCalls ? new RegExp(r.secretReadCalls) : undefined,
    queryChain: r.queryChain ? new RegExp(r.queryChain) : undefined,
    envSecrets: re(r.envSecrets),
    publicEnv: r.publicEnv ? new RegExp(r.publicEnv) : undefined,
    responseMethods: re(r.responseMethods),
    followDepth: r.followDepth,
    recordSecretNames: r.recordSecretNames ? re(r.recordSecretNames) : undefined,
    recordReads: r.recordReads ? new RegExp(r.recordReads) : undefined,
    recordWrites: r.recordWrites ? new RegExp(r.recordWrites) : undefined,
    signingSecrets: r.revokedWithRecord ? new RegExp(r.revokedWithRecord, 'i') : undefined,
  };
});

type Rules = ReturnType<typeof rules>;

/**
 * Is `e` the response object of the function it is read in: its second parameter (the `res` of
 * `(req, res)`), named as one or used there as one (`res.status(…)`, `res.json(…)`)?
 */
function isResponseObject(e: ts.Expression): boolean {
  const x = skipOuter(e);
  if (!ts.isIdentifier(x)) return false;
  const d = findDeclaration(x);
  if (!d || !ts.isParameter(d) || !isFunctionNode(d.parent) || d.parent.parameters.indexOf(d) !== 1) return false;
  return RESPONSE_NAME.test(x.text) || usedAsResponse(d.parent, x.text);
}

/** The names a response object goes by (`(req, res)`, `(request, reply)`). */
const RESPONSE_NAME = /^(res|resp|response|reply)$/;

/** Does `fn` call a response method on `name` (`res.status(500)`, `res.json(…)`)? */
function usedAsResponse(fn: FunctionNode, name: string): boolean {
  return new RegExp(
    `\\b${name.replace(/[$]/g, '\\$&')}\\s*\\.\\s*(status|json|send|end|sendStatus|redirect|render|setHeader|header|type|cookie)\\s*\\(`,
  ).test(fn.getText());
}

/** The expressions a function answers with: its return values and the arguments of response calls in its own body. */
function answers(fn: FunctionNode, r: Rules, responsesOnly = false): ts.Expression[] {
  const out: ts.Expression[] = [];
  if (!fn.body) return out;
  if (!ts.isBlock(fn.body)) {
    out.push(fn.body);
    return out;
  }
  // the response object the function is given (`res` of `(req, res)`): a helper handed it answers for it
  const second = fn.parameters[1]?.name;
  const response =
    second && ts.isIdentifier(second) && (RESPONSE_NAME.test(second.text) || usedAsResponse(fn, second.text))
      ? second.text
      : undefined;
  const visit = (n: ts.Node): void => {
    if (isFunctionNode(n) || ts.isClassLike(n)) return;
    if (ts.isReturnStatement(n) && n.expression && !responsesOnly) out.push(n.expression);
    if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
      if (r.responseMethods.test(calleeName(n))) {
        // (`fetch(url, { body: JSON.stringify({ client_secret }) })`: text sent to another server, not answered)
        if (!outbound(n)) for (const a of n.arguments ?? []) out.push(a);
      }
      // `ResponseHelper.Success(res, 'Loaded', { project })`: what the helper answers of its other
      // arguments is answered (followed where the call is valued, like a wrapper that returns its argument)
      else if (
        response &&
        ts.isCallExpression(n) &&
        n.arguments.some((a) => ts.isIdentifier(skipOuter(a)) && (skipOuter(a) as ts.Identifier).text === response)
      )
        out.push(n);
    }
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(fn.body, visit);
  return out;
}

/** Calls that send a request to another server (`fetch`, `axios.post`, `got`). */
const OUTBOUND = /^(fetch|axios|got|ky|ofetch|\$fetch|request|post|put|patch)$/;

/** A value taken from the request (`req.body.url`, `input.webhookUrl`, `params.target`). */
const REQUEST_VALUE = /\b(req|request|body|input|params|query|args|payload|dto)\b/;

/** Is a `JSON.stringify(…)` part of a request sent elsewhere rather than of the answer? */
function outbound(call: ts.CallExpression | ts.NewExpression): boolean {
  return calleeName(call) === 'stringify' && sentElsewhere(call, 0);
}

/**
 * Does the value end up only in a request to another server: inside its call's arguments, or kept in a
 * local every use of which does (`const data = JSON.stringify({ Password: process.env.X })`,
 * `const config = { method: 'post', url, data }`, `axios(config)`)?
 */
function sentElsewhere(n: ts.Node, hops: number): boolean {
  for (let p: ts.Node | undefined = n.parent; p && !isFunctionNode(p); p = p.parent) {
    if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) {
      if (hops >= 3) return false;
      const uses = localUses(p);
      return uses.length > 0 && uses.every((u) => sentElsewhere(u, hops + 1));
    }
    if (!ts.isCallExpression(p) && !ts.isNewExpression(p)) continue;
    const name = calleeName(p);
    // (to a server the request names, `fetch(req.body.targetUrl, …)`, it is handed to the requester)
    if (OUTBOUND.test(name))
      return !(ts.isCallExpression(p) && p.arguments[0] && REQUEST_VALUE.test(p.arguments[0].getText()));
    if (rules().responseMethods.test(name)) return false;
  }
  return false;
}

function rootName(e: ts.Expression): string {
  let x = skipOuter(e);
  while (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x) || ts.isCallExpression(x))
    x = skipOuter(x.expression);
  return ts.isIdentifier(x) ? x.text : x.kind === ts.SyntaxKind.ThisKeyword ? 'this' : '';
}

function isProcessEnv(e: ts.Expression): boolean {
  const x = skipOuter(e);
  return (
    ts.isPropertyAccessExpression(x) &&
    x.name.text === 'env' &&
    ts.isIdentifier(x.expression) &&
    x.expression.text === 'process'
  );
}

/** Stored secrets among the values that reach the answers of `fn` (and of the project functions whose result it answers). */
export function revealedSecrets(
  fn: FunctionNode,
  values: ValueResolver,
  /** Is an answer of the handler itself served by this endpoint (a pages handler's other method branches are not)? */
  served: (n: ts.Node) => boolean = () => true,
): Reveal[] {
  const r = rules();
  const out: Reveal[] = [];
  const seen = new Set<ts.Node>();
  const fnsSeen = new Set<ts.Node>();
  // helpers whose refusals were walked for a `Response`-narrowed local (their record is walked on its own)
  const refusalsSeen = new Set<ts.Node>();
  /** Keys a row-mapping callback sets again on the way out: the record's own columns of those names do not leave. */
  const replacedColumns: Set<string>[] = [];
  /** Fields a row-mapping callback takes out of each row (`rows.map((k) => k.key)`): only those columns leave. */
  const projectedColumns: Set<string>[] = [];
  /** Hidden paths a query asks for by name (`.select('+apiKey')`): a whole record read carries them. */
  const unhidden: Set<string>[] = [];

  const hit = (node: ts.Node, what?: string): void => {
    if (!out.some((o) => o.node === node))
      out.push({ node, what: what ?? node.getText().replace(/\s+/g, ' ').slice(0, 80) });
  };

  const fieldsAssigned = (id: ts.Identifier, scope: ts.Node, depth: number): void => {
    // `ret.accessToken = user.accessToken` on an object that is answered
    const visit = (n: ts.Node): void => {
      if (
        ts.isBinaryExpression(n) &&
        n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        ts.isPropertyAccessExpression(n.left) &&
        ts.isIdentifier(n.left.expression) &&
        n.left.expression.text === id.text
      )
        value(n.right, depth, n.left.name.text);
      ts.forEachChild(n, visit);
    };
    visit(scope);
  };

  /** `key`: the name the value is answered under (a property of the answer), if any. */
  const value = (expr: ts.Expression, depth: number, key: string | undefined): void => {
    const e = skipOuter(expr);
    if (seen.has(e) || depth > 6) return;
    seen.add(e);
    if (isProcessEnv(e)) {
      hit(e);
      return;
    }
    if (ts.isObjectLiteralExpression(e)) {
      for (const p of e.properties) {
        if (ts.isPropertyAssignment(p)) value(p.initializer, depth, propertyNameText(p.name));
        else if (ts.isShorthandPropertyAssignment(p)) value(p.name, depth, p.name.text);
        else if (ts.isSpreadAssignment(p)) value(p.expression, depth, key);
      }
      return;
    }
    if (ts.isArrayLiteralExpression(e)) {
      for (const x of e.elements) value(ts.isSpreadElement(x) ? x.expression : x, depth, key);
      return;
    }
    if (ts.isConditionalExpression(e)) {
      value(e.whenTrue, depth, key);
      value(e.whenFalse, depth, key);
      return;
    }
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      if (
        op === ts.SyntaxKind.QuestionQuestionToken ||
        op === ts.SyntaxKind.BarBarToken ||
        op === ts.SyntaxKind.AmpersandAmpersandToken
      ) {
        if (op !== ts.SyntaxKind.AmpersandAmpersandToken) value(e.left, depth, key);
        value(e.right, depth, key);
      }
      return; // comparisons, arithmetic, concatenation with other text: a derivation
    }
    // a row taken out of the rows a read returned (`result[0]`): the row
    if (ts.isElementAccessExpression(e) && ts.isNumericLiteral(skipOuter(e.argumentExpression))) {
      value(e.expression, depth, key);
      return;
    }
    if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
      const name = ts.isPropertyAccessExpression(e)
        ? e.name.text
        : ts.isStringLiteralLike(e.argumentExpression)
          ? e.argumentExpression.text
          : undefined;
      if (ts.isPropertyAccessExpression(e) && isProcessEnv(e.expression)) {
        // a variable the framework ships to the browser (`NEXT_PUBLIC_…`) is no secret
        if (name && r.envSecrets.test(name) && !r.publicEnv?.test(name)) hit(e);
        return;
      }
      const named = (n: string | undefined): boolean => !!n && r.secretNames.test(n) && !r.notSecretNames.test(n);
      const receiver = e.expression.getText();
      if (
        name &&
        (named(name) || (named(key) && !r.notSecretNames.test(name)) || keyOfKeyRecord(e.expression, name, r)) &&
        !enumLabel(e, name, values) &&
        !fromRequest(e.expression, r.notReceivers, 0, r.recordReads) &&
        !r.notSecretReceivers.test(receiver) &&
        !r.notSecretReceivers.test(originCallee(e.expression))
      )
        hit(e);
      // a field of what a project function returned (`revealed.data` with `revealed = await getKey(id)` answering
      // `{ ok: true, data: { id, key } }`): that field of its answers
      else if (name && ts.isPropertyAccessExpression(e) && depth < r.followDepth) memberOfResult(e, name, depth, key);
      return;
    }
    if (ts.isIdentifier(e)) {
      // `if (env instanceof Response) return env`: only the responses the helper builds are answered, not the
      // record it gives back otherwise (a local it returns as it is); a response built from a record is followed
      if (narrowedToResponse(e)) {
        const init = declarationOf(e)?.initializer;
        const call = init && skipOuter(init);
        if (call && ts.isCallExpression(call) && depth < r.followDepth)
          for (const v of values.resolve(call.expression))
            if (v.kind === 'function' && v.node.body && isFunctionNode(v.node) && !refusalsSeen.has(v.node)) {
              refusalsSeen.add(v.node);
              for (const a of answers(v.node, r)) {
                const x = skipOuter(a);
                if (!ts.isIdentifier(x) && !ts.isPropertyAccessExpression(x)) value(a, depth + 1, key);
              }
            }
        return;
      }
      const decl = declarationOf(e);
      // a local costs no level (its initializer is this function's own value; `seen` stops a cycle)
      // (rows answered by a few of their fields are not answered under the name of the local holding them)
      if (decl?.initializer) value(decl.initializer, depth, key ?? (projectedColumns.length ? undefined : e.text));
      if (decl) fieldsAssigned(e, decl.parent.parent?.parent ?? decl, depth + 1);
      return;
    }
    // rows kept in a collection (`new Map(rows.map((r) => [r.id, r]))`): what it holds is answered
    if (ts.isNewExpression(e)) {
      if (ts.isIdentifier(e.expression) && COLLECTIONS.test(e.expression.text))
        for (const a of e.arguments ?? []) value(a, depth, key);
      return;
    }
    if (ts.isCallExpression(e)) {
      const name = calleeName(e);
      // elements handed back as they are (`Array.from(map.values())`, `Object.values(byId)`, `map.values()`)
      const held = elementsOf(e);
      if (held) {
        value(held, depth, key);
        return;
      }
      if (r.derivations.test(name)) return; // masked, hashed, counted, compared
      // a package's read whose result carries a stored secret (`apiController.getConnections(…)`)
      const parts = e.expression.getText().replace(/\s+/g, '');
      if (r.secretReads?.test(parts)) {
        // (only a secret's own field taken out of each row carries it: `list.map((c) => ({ id: c.clientID }))` does not)
        const secretField = (f: string): boolean => r.secretNames.test(f) && !r.notSecretNames.test(f);
        if (projectedColumns.some((set) => ![...set].some(secretField))) return;
        hit(e, `${parts}(…)`);
        return;
      }
      // made readable again (`decrypt(row.secret_key)`): what it is given is what is answered
      if (r.passThrough?.test(name)) {
        for (const a of e.arguments) {
          // the parts of a sealed value (`decrypt({ ciphertext: row.secretCiphertext, iv })`) are answered under the name the result is
          const x = skipOuter(a);
          if (key && ts.isObjectLiteralExpression(x))
            for (const p of x.properties) {
              if (ts.isPropertyAssignment(p)) value(p.initializer, depth, key);
              else if (ts.isShorthandPropertyAssignment(p)) value(p.name, depth, key);
            }
          else value(a, depth, key);
        }
        return;
      }
      // rows passed on (`rows.filter(…)`, `rows.map((row) => ({ ...row, data }))`): what the rows carry is answered
      const callee = skipOuter(e.expression);
      if (ts.isPropertyAccessExpression(callee)) {
        // a promise's value handed on (`p.then((r) => [null, r]).catch(…)`): what it resolves to is answered
        if (/^(catch|finally)$/.test(name) || (name === 'then' && keptElement(e.arguments[0]))) {
          value(callee.expression, depth, key);
          return;
        }
        // a query refined on its way to the answer (`Hook.find(q).select('-secret').lean()`): the records it reads,
        // less the columns its projection drops or leaves out
        const inner = skipOuter(callee.expression);
        // (a SQL or query-builder read, `knex('keys').where(…)`, names its table and columns itself)
        const chained =
          ts.isCallExpression(inner) &&
          (r.queryChain?.test(name) || name === 'select') &&
          !sqlReads(e) &&
          !builderRead(e, values);
        const projection = chained && name === 'select' ? queryProjection(e.arguments[0]) : undefined;
        if (chained && (name !== 'select' || projection)) {
          if (projection?.keep) projectedColumns.push(projection.keep);
          if (projection) replacedColumns.push(projection.drop);
          if (projection) unhidden.push(projection.add);
          value(callee.expression, depth, key);
          if (projection?.keep) projectedColumns.pop();
          if (projection) replacedColumns.pop();
          if (projection) unhidden.pop();
          return;
        }
        const replaced = ROW_PRESERVING.test(name)
          ? new Set<string>()
          : /^(map|flatMap)$/.test(name)
            ? keptElement(e.arguments[0])
            : undefined;
        if (replaced) {
          // the columns the callback sets again are not the rows' own (`secret: mask(row.secret)`)
          replacedColumns.push(replaced);
          value(callee.expression, depth, key);
          replacedColumns.pop();
          // …but what it sets them to is answered (`secret: await decrypt(row.secret)` reveals the row's secret)
          if (replaced.size)
            for (const o of callbackObjects(e.arguments[0]))
              for (const p of o.properties)
                if (ts.isPropertyAssignment(p) && replaced.has(propertyNameText(p.name) ?? ''))
                  value(p.initializer, depth, propertyNameText(p.name));
        }
        // fields taken out of each row (`keys.map((k) => k.key)`, `(k) => ({ id: k.id, key: k.key })`): those columns
        const projected = /^(map|flatMap)$/.test(name) ? projectedFields(e.arguments[0]) : undefined;
        if (projected?.size) {
          // (the rows are answered by those fields only: the name they are answered under is not theirs)
          // (what the projection walked may still be answered whole elsewhere: `{ ids: keys.map(…), keys }`)
          const [walked, followed] = [new Set(seen), new Set(fnsSeen)];
          projectedColumns.push(projected);
          value(callee.expression, depth, undefined);
          projectedColumns.pop();
          restore(seen, walked);
          restore(fnsSeen, followed);
        }
      }
      // a whole record read and answered (`prisma.integration.findUnique(…)`): the secret columns its
      // schema declares, less those a `select` leaves out or an `omit` drops
      for (const col of recordSecrets(e, values, r, new Set(unhidden.flatMap((x) => [...x]))))
        if (!replacedColumns.some((set) => set.has(col)) && projectedColumns.every((set) => set.has(col)))
          hit(e, `${shortCallee(e)} → ${col}`);
      // a project function whose result is answered: what it answers is answered
      if (depth < r.followDepth) {
        for (const v of values.resolve(e.expression)) {
          if (v.kind === 'function' && v.node.body && isFunctionNode(v.node)) {
            // a helper handed the response object answers what it sends through it, not what it returns
            const viaResponse = !r.responseMethods.test(name) && e.arguments.some(isResponseObject);
            const answered = answers(v.node, r, viaResponse);
            // its own answers are followed once; what each call hands it is bound at every call (`asaw(p)` twice)
            if (!fnsSeen.has(v.node)) {
              fnsSeen.add(v.node);
              for (const a of answered) value(a, depth + 1, key);
            }
            // a wrapper that answers what it is given (`apiResponse(data)` → `{ success: true, data }`):
            // the argument bound to an answered parameter is answered
            v.node.parameters.forEach((p, i) => {
              const arg = e.arguments[i];
              // (the argument is this function's own value: following it costs no level)
              if (arg && ts.isIdentifier(p.name) && answered.some((a) => mentions(a, p))) value(arg, depth, key);
              // …and a field of it the wrapper answers (`{ data: body?.data }` for `apiResponse(c, { data: rows })`):
              // that property of the argument
              const obj = arg && skipOuter(arg);
              if (obj && ts.isObjectLiteralExpression(obj) && ts.isIdentifier(p.name))
                for (const f of new Set(answered.flatMap((a) => fieldsAnswered(a, p))))
                  for (const x of propertyValues(obj, f)) value(x, depth, key);
            });
          }
        }
      }
      // a wrapper of the value (`sortByKey(process.env)`, `NextResponse.json(x)`)
      for (const a of e.arguments) if (isProcessEnv(a)) hit(a);
      if (r.responseMethods.test(name)) for (const a of e.arguments) value(a, depth, key);
      return;
    }
  };

  function memberOfResult(e: ts.PropertyAccessExpression, name: string, depth: number, key?: string): void {
    const recv = skipOuter(e.expression);
    const init = ts.isIdentifier(recv) ? declarationOf(recv)?.initializer : undefined;
    const call = init && skipOuter(init);
    if (!call || !ts.isCallExpression(call)) return;
    for (const v of values.resolve(call.expression)) {
      if (v.kind !== 'function' || !v.node.body || !isFunctionNode(v.node)) continue;
      for (const a of answers(v.node, r)) {
        const o = skipOuter(a);
        if (ts.isObjectLiteralExpression(o)) for (const x of propertyValues(o, name)) value(x, depth + 1, key ?? name);
      }
    }
  }

  fnsSeen.add(fn);
  for (const a of answers(fn, r)) if (served(a)) value(a, 0, undefined);
  return out;
}

/** What an object literal gives under `name` (`{ key }`, `{ key: value }`; the object itself for a method or accessor). */
function propertyValues(obj: ts.ObjectLiteralExpression, name: string): ts.Expression[] {
  return obj.properties.flatMap((p) =>
    p.name && propertyNameText(p.name) === name
      ? [ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : obj]
      : [],
  );
}

/** Is the local, where it is read, inside the branch of `if (x instanceof Response)` (a helper's refusal)? */
function narrowedToResponse(id: ts.Identifier): boolean {
  for (let n: ts.Node = id; n.parent && !isFunctionNode(n.parent); n = n.parent) {
    const p = n.parent;
    if (!ts.isIfStatement(p) || p.thenStatement !== n) continue;
    const c = skipOuter(p.expression);
    if (
      ts.isBinaryExpression(c) &&
      c.operatorToken.kind === ts.SyntaxKind.InstanceOfKeyword &&
      ts.isIdentifier(skipOuter(c.left)) &&
      (skipOuter(c.left) as ts.Identifier).text === id.text &&
      /^(Next)?Response$/.test(c.right.getText())
    )
      return true;
  }
  return false;
}

/** Collections whose constructor takes the elements they hold (`new Map(entries)`, `new Set(rows)`). */
const COLLECTIONS = /^(Map|Set|WeakMap)$/;

/** The expression whose elements a call hands back unchanged, if it is such a call. */
function elementsOf(call: ts.CallExpression): ts.Expression | undefined {
  const parts = call.expression.getText().replace(/\s+/g, '');
  if (/^(Array\.from|Object\.values|structuredClone)$/.test(parts) && call.arguments[0]) return call.arguments[0];
  // rows mapped to promises (`Promise.all(rows.map(async (row) => ({ ...row, extra })))`); a list of separate
  // reads (`const [rows, total] = await Promise.all([findMany(…), count(…)])`) is answered element by element
  if (parts === 'Promise.all' && call.arguments[0] && !ts.isArrayLiteralExpression(skipOuter(call.arguments[0])))
    return call.arguments[0];
  const callee = skipOuter(call.expression);
  if (ts.isPropertyAccessExpression(callee) && /^(values|entries)$/.test(callee.name.text) && !call.arguments.length) {
    const recv = skipOuter(callee.expression);
    if (!ts.isIdentifier(recv) || recv.text !== 'Object') return recv;
  }
  return undefined;
}

/** Members that give a record back whole (`toJSON()`, `get({ plain: true })`, `dataValues`). */
const WHOLE_ROW = /^(toJSON|toObject|get|valueOf|dataValues|_doc|lean)$/;

/** Array methods whose result holds the receiver's own elements. */
const ROW_PRESERVING = /^(filter|sort|slice|reverse|toSorted|toReversed|concat|flat|at|find|findLast)$/;

/**
 * A `map` callback that hands each element on: it returns its parameter, or an object spreading it.
 * The keys the object sets again after the spread (`{ ...row, secret: mask(row.secret) }`) are
 * returned as replaced; undefined when the callback does not hand the element on.
 */
/**
 * The fields of its element a row-mapping callback answers as they are (`(k) => k.key`,
 * `(k) => ({ id: k.id, key: k.key })`); undefined when it answers anything else (a derived value, the element).
 */
function projectedFields(cb: ts.Expression | undefined): Set<string> | undefined {
  const f = cb && skipOuter(cb);
  if (!f || !(ts.isArrowFunction(f) || ts.isFunctionExpression(f)) || ts.isBlock(f.body)) return undefined;
  const p = f.parameters[0]?.name;
  if (!p || !ts.isIdentifier(p)) return undefined;
  const field = (x: ts.Expression): string | undefined => {
    const y = skipOuter(x);
    return ts.isPropertyAccessExpression(y) && ts.isIdentifier(y.expression) && y.expression.text === p.text
      ? y.name.text
      : undefined;
  };
  const body = skipOuter(f.body);
  const one = field(body);
  if (one) return new Set([one]);
  if (!ts.isObjectLiteralExpression(body)) return undefined;
  const out = new Set<string>();
  for (const q of body.properties) {
    const got = ts.isPropertyAssignment(q) ? field(q.initializer) : undefined;
    if (got) out.add(got);
  }
  return out;
}

function keptElement(cb: ts.Expression | undefined): Set<string> | undefined {
  const f = cb && skipOuter(cb);
  if (!f || !(ts.isArrowFunction(f) || ts.isFunctionExpression(f))) return undefined;
  const p = f.parameters[0]?.name;
  if (!p || !ts.isIdentifier(p)) return undefined;
  const kept = (x: ts.Expression): Set<string> | undefined => {
    const y = skipOuter(x);
    if (ts.isIdentifier(y)) return y.text === p.text ? new Set() : undefined;
    // a key and the element (`[row.id, row]`, the entries of a Map): the element goes on
    if (ts.isArrayLiteralExpression(y))
      return y.elements.some((el) => ts.isIdentifier(skipOuter(el)) && (skipOuter(el) as ts.Identifier).text === p.text)
        ? new Set()
        : undefined;
    if (!ts.isObjectLiteralExpression(y)) return undefined;
    const at = y.properties.findIndex((q) => {
      const inner = ts.isSpreadAssignment(q) ? skipOuter(q.expression) : undefined;
      return !!inner && ts.isIdentifier(inner) && inner.text === p.text;
    });
    if (at < 0) return undefined;
    const replaced = new Set<string>();
    for (const q of y.properties.slice(at + 1)) if (q.name) replaced.add(propertyNameText(q.name) ?? '');
    return replaced;
  };
  if (!ts.isBlock(f.body)) return kept(f.body);
  let found: Set<string> | undefined;
  const visit = (n: ts.Node): void => {
    if (found || (n !== f.body && ts.isFunctionLike(n))) return;
    if (ts.isReturnStatement(n) && n.expression) found = kept(n.expression);
    if (!found) ts.forEachChild(n, visit);
  };
  visit(f.body);
  return found;
}

/** The object literals a row-mapping callback returns (`(row) => ({ ...row, secret })`, or its `return { … }`). */
function callbackObjects(cb: ts.Expression | undefined): ts.ObjectLiteralExpression[] {
  const f = cb && skipOuter(cb);
  if (!f || !(ts.isArrowFunction(f) || ts.isFunctionExpression(f))) return [];
  const out: ts.ObjectLiteralExpression[] = [];
  const add = (x: ts.Expression): void => {
    const y = skipOuter(x);
    if (ts.isObjectLiteralExpression(y)) out.push(y);
  };
  if (!ts.isBlock(f.body)) add(f.body);
  else {
    const visit = (n: ts.Node): void => {
      if (n !== f.body && ts.isFunctionLike(n)) return;
      if (ts.isReturnStatement(n) && n.expression) add(n.expression);
      ts.forEachChild(n, visit);
    };
    visit(f.body);
  }
  return out;
}

/**
 * Is a field a label rather than a value: a constant spelling its own name (`tokenEnums.accessToken` is
 * `'accessToken'`, `Keys.API_KEY` is `'api_key'`)? It names a kind of secret; it holds none.
 */
function enumLabel(e: ts.Expression, name: string, values: ValueResolver): boolean {
  const vs = values.resolve(e);
  const bare = (t: string): string => t.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
  return (
    vs.length > 0 &&
    vs.every((v) => v.kind === 'literal' && typeof v.value === 'string' && bare(v.value) === bare(name))
  );
}

/** A call's callee for a reason: one line, a long chain cut to its start and end (`db.select().from(webhooks)…limit`). */
function shortCallee(call: ts.CallExpression): string {
  const t = call.expression.getText().replace(/\s+/g, '');
  return t.length > 80 ? `${t.slice(0, 50)}…${t.slice(-20)}` : t;
}

/** The object a call picks columns with, when it is its one argument written in place (`select({ … })`). */
function selectShape(call: ts.Expression): ts.ObjectLiteralExpression | undefined {
  const c = skipOuter(call);
  const a = ts.isCallExpression(c) && c.arguments.length === 1 ? skipOuter(c.arguments[0]) : undefined;
  return a && ts.isObjectLiteralExpression(a) ? a : undefined;
}

/** The columns a Drizzle `select({ id: t.id, key: t.secret })` picks: each column it reads (`t.secret`), and the key it answers under. */
function pickedColumns(shape: ts.ObjectLiteralExpression, values: ValueResolver, depth = 0): Set<string> | undefined {
  const out = new Set<string>();
  for (const p of shape.properties) {
    // `...publicColumns` (an object of the project's): its picks; `...getTableColumns(webhooks)`: every column
    if (ts.isSpreadAssignment(p)) {
      const spread = depth < 3 ? values.resolve(p.expression) : [];
      const objects = spread.filter((v): v is Extract<typeof v, { kind: 'object' }> => v.kind === 'object');
      if (!objects.length || objects.length !== spread.length) return undefined;
      for (const o of objects) {
        const inner = pickedColumns(o.node, values, depth + 1);
        if (!inner) return undefined;
        for (const k of inner) out.add(k);
      }
      continue;
    }
    if (p.name) out.add(propertyNameText(p.name) ?? '');
    const v = ts.isPropertyAssignment(p) ? skipOuter(p.initializer) : undefined;
    if (v && ts.isPropertyAccessExpression(v)) out.add(v.name.text);
  }
  return out;
}

/** The methods of a query builder's read chain (`client('api_token').where({ email }).select()`). */
// (Supabase's filters too: `supabase.from('api_keys').select('id, key').eq('user_id', id).order('created_at').limit(1)`)
const BUILDER_READ =
  /^(select|where|andWhere|orWhere|whereIn|whereNot|first|orderBy|limit|offset|from|table|eq|neq|not|is|in|gt|gte|lt|lte|like|ilike|match|filter|order|range|single|maybeSingle|contains)$/;

/** `SELECT … FROM merchants m JOIN api_keys k ON …`: the statement's column list and the tables it reads, with aliases. */
const SQL_SELECT = /^\s*select\s+([\s\S]+?)\s+from\s+([\s\S]*)$/i;
const SQL_TABLE =
  /\b(?:from|join)\s+["'`]?(\w+)["'`]?(?:\s+(?:as\s+)?(?!(?:on|where|join|inner|left|right|full|cross|order|group|limit|using|natural)\b)(\w+))?/gi;

/**
 * A raw SQL read the chain starts from (`db.prepare('SELECT * FROM merchants WHERE id = ?').bind(id).first()`): each
 * table read with the columns picked from it (none: all). A computed column (`api_key IS NOT NULL AS has_key`) hands
 * out its value, not the column.
 */
function sqlReads(call: ts.CallExpression): { table: string; listed?: Set<string> }[] | undefined {
  let cur: ts.Expression = call;
  for (let i = 0; i < 6 && ts.isCallExpression(cur); i++) {
    for (const a of cur.arguments) {
      const x = skipOuter(a);
      const text = ts.isStringLiteralLike(x)
        ? x.text
        : ts.isTemplateExpression(x)
          ? [x.head.text, ...x.templateSpans.map((t) => t.literal.text)].join(' ')
          : undefined;
      const m = text !== undefined ? SQL_SELECT.exec(text) : null;
      if (!m) continue;
      const aliases = new Map<string, string>();
      const tables: string[] = [];
      for (const t of `from ${m[2]}`.matchAll(SQL_TABLE)) {
        tables.push(t[1]);
        aliases.set(t[1].toLowerCase(), t[1]);
        if (t[2]) aliases.set(t[2].toLowerCase(), t[1]);
      }
      if (!tables.length) return undefined;
      // (a table mapped to null: every column of it)
      const listed = new Map<string, Set<string> | null>();
      const pick = (table: string, col: string | null): void => {
        const had = listed.get(table);
        if (had === null) return;
        if (col === null) listed.set(table, null);
        else listed.set(table, new Set([...(had ?? []), col]));
      };
      for (const raw of m[1].split(',')) {
        const c = raw.trim().replace(/["'`]/g, '');
        // `t.*`, `*`: every column of that table (of every table)
        const star = /^(?:(\w+)\.)?\*$/.exec(c);
        if (star) {
          for (const t of star[1] ? [aliases.get(star[1].toLowerCase())] : tables) if (t) pick(t, null);
          continue;
        }
        // a plain column, aliased or not (`k.api_key AS key`); anything computed is left out
        const col = /^(?:(\w+)\.)?(\w+)(?:\s+(?:as\s+)?\w+)?$/i.exec(c);
        if (!col) continue;
        const owner = col[1] ? aliases.get(col[1].toLowerCase()) : undefined;
        for (const t of owner ? [owner] : tables) pick(t, col[2]);
      }
      return [...listed].map(([table, cols]) => (cols === null ? { table } : { table, listed: cols }));
    }
    const callee = skipOuter(cur.expression);
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    cur = skipOuter(callee.expression);
  }
  return undefined;
}

/**
 * A query builder's read of whole rows (`knex('api_token').select()`, `db.client('providers').where({ id }).first()`):
 * the table, and the columns a `select('id', 'name')` lists, if it lists any.
 */
function builderRead(
  call: ts.CallExpression,
  values: ValueResolver,
): { table: string; listed?: Set<string> } | undefined {
  let cur = call;
  let listed: Set<string> | undefined;
  for (let i = 0; i < 8; i++) {
    const x = skipOuter(cur.expression);
    if (ts.isPropertyAccessExpression(x) && BUILDER_READ.test(x.name.text)) {
      const strings = cur.arguments
        .map((a) => skipOuter(a))
        .filter(ts.isStringLiteralLike)
        .map((a) => a.text);
      if ((x.name.text === 'from' || x.name.text === 'table') && strings.length === 1)
        return { table: strings[0], listed };
      // Drizzle: `db.select().from(webhooks)`, the table object named
      if (x.name.text === 'from' && cur.arguments.length === 1 && !strings.length) {
        const table = stringArg(cur, values);
        // the columns are picked before the table (`db.select({ id: webhooks.id }).from(webhooks)`)
        const shape = selectShape(x.expression);
        if (shape) listed = pickedColumns(shape, values);
        return table ? { table, listed } : undefined;
      }
      // `select({ id: webhooks.id, url: webhooks.url })`: the columns are the object's keys
      const shape = x.name.text === 'select' ? selectShape(cur) : undefined;
      if (shape) listed = pickedColumns(shape, values);
      // (Supabase lists them in one string, `select('id, name, key')`, an alias before its column: `secret:key`)
      else if (x.name.text === 'select' && cur.arguments.length && !strings.some((t) => /^\s*\*\s*$/.test(t)))
        listed = new Set(
          strings.flatMap((t) => t.split(',').map((c) => c.trim().split(':').pop()!.trim())).filter(Boolean),
        );
      const inner = skipOuter(x.expression);
      if (!ts.isCallExpression(inner)) return undefined;
      cur = inner;
      continue;
    }
    // the table the chain starts from: `knex('api_token')`, `database.client('api_token')`
    const arg = cur.arguments.length === 1 ? skipOuter(cur.arguments[0]) : undefined;
    return i > 0 && arg && ts.isStringLiteralLike(arg) ? { table: arg.text, listed } : undefined;
  }
  return undefined;
}

/** The column of a key record that holds the key itself. */
const KEY_COLUMN = /^(token|key)$/i;

/** A record that is itself an issued key (`api_token`, `personal_access_tokens`): its bare `token` or `key` column is the key. */
const KEY_RECORD = compiled(() => {
  const models = ruleFile('assets').assets.find((a) => a.id === 'api-key-record')?.models ?? [];
  return (table: string): boolean => {
    const t = table
      .replace(/[^A-Za-z0-9]/g, '')
      .toLowerCase()
      .replace(/s$/, '');
    return models.some((m) => t === m || t.endsWith(m));
  };
});

/**
 * `row.key` where `row` came from a finder on a key record (`await ctx.db.query.ApiKeys.findFirst(…)`,
 * `prisma.apiToken.findUnique(…)`): the bare `key` or `token` column is the key itself.
 */
function keyOfKeyRecord(recv: ts.Expression, name: string, r: Rules): boolean {
  if (!KEY_COLUMN.test(name) || !r.recordReads) return false;
  const parts = originCallee(recv).replace(/\s+/g, '').split('.');
  const method = parts[parts.length - 1] ?? '';
  const model = parts[parts.length - 2];
  return !!model && r.recordReads.test(method) && KEY_RECORD()(model);
}

/** The secret columns a read of a table hands out: those its schema declares, of those it picks. */
function tableSecrets(read: { table: string; listed?: Set<string> }, values: ValueResolver, r: Rules): string[] {
  // (the columns a read lists by name are the table's, whether or not a schema file declares them)
  const columns = [...new Set([...(schemaColumns(values, read.table) ?? []), ...(read.listed ?? [])])];
  const keyRecord = KEY_RECORD()(read.table);
  return columns.filter(
    (c) =>
      (r.recordSecretNames!.test(c) || (keyRecord && KEY_COLUMN.test(c))) &&
      !r.notSecretNames.test(c) &&
      (!read.listed || read.listed.has(c)),
  );
}

/** Secret columns of the records an ORM read returns whole (from the schema files). */
function recordSecrets(
  call: ts.CallExpression,
  values: ValueResolver,
  r: Rules,
  unhidden: ReadonlySet<string> = new Set(),
): string[] {
  if (!r.recordSecretNames) return [];
  const sql = sqlReads(call);
  if (sql) return sql.flatMap((read) => tableSecrets(read, values, r));
  const built = builderRead(call, values);
  if (built) return tableSecrets(built, values, r);
  if (!r.recordReads || !ts.isPropertyAccessExpression(call.expression)) return [];
  const written = !!r.recordWrites?.test(call.expression.name.text) && !!r.signingSecrets;
  // (a model's static `update` answers a count, Sequelize's `Webhook.update(values, { where })`: only a client's
  // delegate, `prisma.webhook.update`, or a finder that updates, `findOneAndUpdate`, answers the record)
  if (
    written &&
    /^(update|upsert)$/.test(call.expression.name.text) &&
    !ts.isPropertyAccessExpression(skipOuter(call.expression.expression))
  )
    return [];
  if (!r.recordReads.test(call.expression.name.text) && !written) return [];
  // (an array's `find((x) => …)` picks an element by a callback, not a record by a query)
  const first = call.arguments[0] ? skipOuter(call.arguments[0]) : undefined;
  if (first && isFunctionNode(first)) return [];
  const recv = skipOuter(call.expression.expression);
  // a client's delegate (`prisma.integration.findUnique`) or a model's static (`Project.findByPk(id)`);
  // a client the context carries (`ctx.prisma.apiKey.findMany`, `ctx.db.query.ApiKeys.findMany`,
  // `c.get('prisma').apiKey.findMany`) is one too: what the request or the session holds has no finder
  // two members down. The project's own service of that shape (`ctx.services.apiKeys.findMany`) answers
  // what its body returns, not a record.
  if (runsProjectCode(call, values)) return [];
  const model = ts.isPropertyAccessExpression(recv)
    ? r.notReceivers.test(rootName(recv.expression)) && ts.isIdentifier(skipOuter(recv.expression))
      ? undefined
      : recv.name.text
    : ts.isIdentifier(recv) && /^[A-Z]/.test(recv.text)
      ? recv.text
      : undefined;
  if (!model) return [];
  // (`HookModel.find()`: the model a Mongoose convention names with a suffix)
  const columns = schemaColumns(values, model) ?? schemaColumns(values, modelName(norm(model)));
  if (!columns) return [];
  const args = call.arguments[0] ? skipOuter(call.arguments[0]) : undefined;
  const listed = (key: string): Set<string> | undefined => {
    if (!args || !ts.isObjectLiteralExpression(args)) return undefined;
    const p = args.properties.find((x) => x.name && propertyNameText(x.name) === key);
    if (!p) return undefined;
    const v = ts.isPropertyAssignment(p) ? skipOuter(p.initializer) : undefined;
    const out = new Set<string>();
    if (v && ts.isObjectLiteralExpression(v))
      for (const q of v.properties)
        if (q.name && ts.isPropertyAssignment(q) && q.initializer.kind === ts.SyntaxKind.TrueKeyword)
          out.add(propertyNameText(q.name) ?? '');
    return out;
  };
  // drizzle's `columns: { id: true }` picks, `columns: { key: false }` leaves out
  const columnsFlag = (flag: boolean): Set<string> | undefined => {
    if (!args || !ts.isObjectLiteralExpression(args)) return undefined;
    const p = args.properties.find((x) => x.name && propertyNameText(x.name) === 'columns');
    const v = p && ts.isPropertyAssignment(p) ? skipOuter(p.initializer) : undefined;
    if (!v || !ts.isObjectLiteralExpression(v)) return undefined;
    const kind = flag ? ts.SyntaxKind.TrueKeyword : ts.SyntaxKind.FalseKeyword;
    const out = new Set<string>();
    for (const q of v.properties)
      if (q.name && ts.isPropertyAssignment(q) && q.initializer.kind === kind) out.add(propertyNameText(q.name) ?? '');
    return out.size ? out : undefined;
  };
  // Mongoose's projection argument (`Hook.find(q, 'name url')`, `findById(id, '-secret')`)
  const projected = /^find(One|ById)?$/.test(call.expression.name.text)
    ? queryProjection(call.arguments[1])
    : undefined;
  const select = listed('select') ?? columnsFlag(true) ?? attributeNames(args, values, 'select') ?? projected?.keep;
  const omit = listed('omit') ?? columnsFlag(false) ?? attributeNames(args, values, 'omit') ?? projected?.drop;
  const asked = new Set([...unhidden, ...(projected?.add ?? [])].map(norm));
  const hidden = new Set([...hiddenColumns(values, model), ...hiddenColumns(values, modelName(norm(model)))]);
  const keyRecord = KEY_RECORD()(model);
  return columns.filter(
    (c) =>
      (written ? r.signingSecrets!.test(c) : r.recordSecretNames!.test(c) || (keyRecord && KEY_COLUMN.test(c))) &&
      !r.notSecretNames.test(c) &&
      (!select || select.has(c)) &&
      !omit?.has(c) &&
      (!hidden.has(norm(c)) || asked.has(norm(c))),
  );
}

/**
 * A Mongoose projection: `'name url'` keeps those paths, `'-secret'` drops one, `'+apiKey'` asks for a hidden one;
 * `{ secret: 0 }` drops, `{ name: 1 }` keeps. Undefined when the argument is not one.
 */
function queryProjection(
  arg: ts.Expression | undefined,
): { keep?: Set<string>; drop: Set<string>; add: Set<string> } | undefined {
  const x = arg ? skipOuter(arg) : undefined;
  if (!x) return undefined;
  const keep = new Set<string>();
  const drop = new Set<string>();
  const add = new Set<string>();
  if (ts.isStringLiteralLike(x)) {
    for (const w of x.text.split(/\s+/).filter(Boolean)) {
      if (w.startsWith('-')) drop.add(w.slice(1));
      else if (w.startsWith('+')) add.add(w.slice(1));
      else keep.add(w);
    }
  } else if (ts.isObjectLiteralExpression(x)) {
    for (const p of x.properties) {
      if (!ts.isPropertyAssignment(p) || !p.name) return undefined;
      const v = skipOuter(p.initializer);
      const name = propertyNameText(p.name) ?? '';
      if (v.kind === ts.SyntaxKind.FalseKeyword || (ts.isNumericLiteral(v) && v.text === '0')) drop.add(name);
      else if (v.kind === ts.SyntaxKind.TrueKeyword || (ts.isNumericLiteral(v) && v.text === '1')) keep.add(name);
      else return undefined;
    }
  } else return undefined;
  return { keep: keep.size ? keep : undefined, drop, add };
}

/**
 * Sequelize's `attributes` option: a list of the columns read (`attributes: ['id', 'name']`), or
 * `{ exclude: [...] }` of the columns left out; through a constant (`attributes: appAttributes`).
 */
function attributeNames(
  args: ts.Expression | undefined,
  values: ValueResolver,
  want: 'select' | 'omit',
): Set<string> | undefined {
  if (!args || !ts.isObjectLiteralExpression(args)) return undefined;
  const p = args.properties.find((x) => x.name && propertyNameText(x.name) === 'attributes');
  if (!p || !ts.isPropertyAssignment(p)) return undefined;
  const strings = (e: ts.Expression): Set<string> | undefined => {
    for (const v of values.resolve(e)) {
      if (v.kind !== 'array') continue;
      const out = new Set<string>();
      for (const el of v.node.elements) {
        const s = evalString(el, values);
        if (s) out.add(s);
      }
      return out;
    }
    return undefined;
  };
  for (const v of values.resolve(p.initializer)) {
    if (v.kind === 'array') return want === 'select' ? strings(v.node) : undefined;
    if (v.kind === 'object' && want === 'omit') {
      const ex = v.node.properties.find((x) => x.name && propertyNameText(x.name) === 'exclude');
      if (ex && ts.isPropertyAssignment(ex)) return strings(ex.initializer);
    }
  }
  return undefined;
}

/** The variable declaration of a local name (not a parameter, import or function), declared before the use. */
/**
 * Is this the request itself or a part of it (`req.query`, `const searchParams = req.query`,
 * `const { searchParams } = new URL(request.url)`)? What the caller sent and gets back is no stored secret.
 */
function fromRequest(e: ts.Expression, receivers: RegExp, depth = 0, reads?: RegExp): boolean {
  // a record read through a client the context carries (`await ctx.db.query.Webhooks.findFirst(…)`): the database's
  if (reads && readsRecord(e, reads)) return false;
  if (receivers.test(rootName(e))) return true;
  if (depth > 3) return false;
  let x = skipOuter(e);
  while (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x) || ts.isCallExpression(x)) {
    if (reads && ts.isCallExpression(x) && readsRecord(x, reads)) return false;
    x = skipOuter(x.expression);
  }
  if (!ts.isIdentifier(x)) return false;
  const d = lookupName(x.text, x);
  const decl = d && ts.isBindingElement(d) ? d.parent.parent : d;
  if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer) return false;
  let init = skipOuter(decl.initializer);
  if (ts.isAwaitExpression(init)) init = skipOuter(init.expression);
  // `new URL(request.url)`: the URL the request names
  if (ts.isNewExpression(init) && init.arguments?.length === 1) init = skipOuter(init.arguments[0]);
  return fromRequest(init, receivers, depth + 1, reads);
}

/** A finder call two members down a client (`ctx.db.query.Webhooks.findFirst(…)`, `c.get('prisma').apiKey.findMany(…)`). */
function readsRecord(e: ts.Expression, reads: RegExp): boolean {
  const x = skipOuter(e);
  if (!ts.isCallExpression(x) || !ts.isPropertyAccessExpression(x.expression)) return false;
  const model = skipOuter(x.expression.expression);
  return (
    reads.test(x.expression.name.text) &&
    ts.isPropertyAccessExpression(model) &&
    !ts.isIdentifier(skipOuter(model.expression))
  );
}

/**
 * The call a local's value came from (`si` of `const si = await stripe.setupIntents.create(…)`):
 * a provider's fresh intent or session hands out a client secret for one payment, not a stored one.
 */
function originCallee(e: ts.Expression): string {
  let x = skipOuter(e);
  while (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) x = skipOuter(x.expression);
  if (!ts.isIdentifier(x)) return '';
  const decl = declarationOf(x);
  let init = decl?.initializer && skipOuter(decl.initializer);
  if (init && ts.isAwaitExpression(init)) init = skipOuter(init.expression);
  return init && ts.isCallExpression(init) ? init.expression.getText() : '';
}

function declarationOf(id: ts.Identifier): ts.VariableDeclaration | undefined {
  let d = lookupName(id.text, id);
  // the part taken out of a result is answered with what the result holds: a property
  // (`const { data, error } = await sdk.read(…)`) or a tuple element (`const [err, data] = await asaw(read)`);
  // a rest element is not followed
  if (
    d &&
    ts.isBindingElement(d) &&
    !d.dotDotDotToken &&
    (ts.isObjectBindingPattern(d.parent) || ts.isArrayBindingPattern(d.parent))
  )
    d = d.parent.parent;
  return d && ts.isVariableDeclaration(d) && d.getStart() < id.getStart() ? d : undefined;
}

/** The fields of a parameter an answered expression reads (`data` of `{ data: body?.data }`). */
function fieldsAnswered(answer: ts.Node, param: ts.ParameterDeclaration): string[] {
  const name = (param.name as ts.Identifier).text;
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if (
      ts.isPropertyAccessExpression(n) &&
      ts.isIdentifier(skipOuter(n.expression)) &&
      (skipOuter(n.expression) as ts.Identifier).text === name &&
      !(ts.isCallExpression(n.parent) && n.parent.expression === n) &&
      // the field handed on whole, not a part of it (`body.data?.length`)
      !(
        (ts.isPropertyAccessExpression(n.parent) || ts.isElementAccessExpression(n.parent)) &&
        n.parent.expression === n
      )
    )
      out.push(n.name.text);
    if (ts.isFunctionLike(n)) return;
    n.forEachChild(visit);
  };
  visit(answer);
  return out;
}

/** Does an answered expression use this parameter (`{ success: true, data }`, `data`)? */
function mentions(answer: ts.Node, param: ts.ParameterDeclaration): boolean {
  const name = (param.name as ts.Identifier).text;
  let found = false;
  const locals = new Set<ts.Node>();
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n) && n.text === name) {
      const parent = n.parent;
      const isKey = (ts.isPropertyAssignment(parent) || ts.isPropertyAccessExpression(parent)) && parent.name === n;
      // `p.apiKeyPreview`, `!!p.apiKey`: a field of it, looked at where it is read, not the whole value handed on
      // (`p.toJSON()`, `p.get({ plain: true })`, `p.dataValues`: the whole row again)
      const field =
        (ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) &&
        parent.expression === n &&
        !(ts.isPropertyAccessExpression(parent) && WHOLE_ROW.test(parent.name.text)) &&
        !(ts.isCallExpression(parent.parent) && parent.parent.expression === parent);
      if (!isKey && !field) found = true;
      return;
    }
    // an envelope the answer is built in (`const response = { Success: true, Data: data }; res.json(response)`);
    // a local computed from the parameter (`decrypt(encrypted)` then `.slice(-4)`) is a derivation, not it
    if (ts.isIdentifier(n) && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) {
      const d = findDeclaration(n);
      const init = d && ts.isVariableDeclaration(d) && d.initializer ? skipOuter(d.initializer) : undefined;
      if (
        d &&
        init &&
        (ts.isObjectLiteralExpression(init) || ts.isArrayLiteralExpression(init)) &&
        !locals.has(d) &&
        locals.size < 8
      ) {
        locals.add(d);
        visit(init);
      }
      return;
    }
    if (ts.isFunctionLike(n)) return;
    n.forEachChild(visit);
  };
  visit(answer);
  return found;
}

/** Puts a set back as it was. */
function restore<T>(set: Set<T>, was: ReadonlySet<T>): void {
  set.clear();
  for (const x of was) set.add(x);
}
