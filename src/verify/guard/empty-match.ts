// A typed secret compared with a stored one that the schema lets be empty (`pin != wallet.transactionPin`
// where `transactionPin` defaults to null, is optional, or defaults to ''): for an account that never set
// one, a request that sends nothing (or `null`, or '') matches nothing stored, strictly or loosely
// (`undefined == null`, `null === null`, `'' === ''`). Policy: a check skipped for an account without the
// factor is broken. It holds unless the typed value is refused when missing before the comparison: an
// exiting test on it (or on the stored value), a schema that parses the input (a zod `.parse`, a tRPC
// procedure's `.input(…)`, express-validator), a conversion that can never be empty (`String(pin)`), or,
// for a value handed in as a parameter, such a refusal at every call site of the function. The same holds for a
// one-time code the application itself empties once spent (`user.otp = undefined; await user.save()`): every
// account with no code pending holds nothing there; since that is the usual state, a refusal is read wide there
// (`refusedAround`).
import { ts } from 'ts-morph';
import { modelOfReceiver } from '../../analysis/effects.js';
import { accessName, lastName, propertyNameText, skipOuter, type ValueResolver } from '../../analysis/values.js';
import { forEachNode } from '../../analysis/walk.js';
import { findDeclaration } from '../../analysis/scope.js';
import { mayBeEmpty } from '../../classify/empty-columns.js';
import { memo } from '../../memo.js';
import { norm } from '../../classify/words.js';

const EQUALITY = new Set([
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
]);

/** Calls that validate a request's input before it is used: a refusal of a missing value where they run. */
const VALIDATION =
  /\.\s*(parse|parseAsync|safeParse|safeParseAsync|validate|validateAsync|validateSync)\s*\(|\bvalidationResult\s*\(|\bcheckSchema\s*\(/;

export function emptyMatch(
  x: ts.BinaryExpression,
  verdict: { storedNodes?: ts.Expression[] },
  values: ValueResolver,
): { node: ts.Node; why: string } | undefined {
  const op = x.operatorToken.kind;
  if (!EQUALITY.has(op)) return undefined;
  let emptied = false;
  const stored = (verdict.storedNodes ?? []).map(skipOuter).find((s) => {
    const column = ts.isPropertyAccessExpression(s) || ts.isElementAccessExpression(s) ? accessName(s) : undefined;
    if (!column) return false;
    const model = modelOfReceiver((s as ts.PropertyAccessExpression | ts.ElementAccessExpression).expression, values);
    if (model && mayBeEmpty(values, model, column)) return true;
    // a one-time code the application empties once spent (`user.otp = undefined; await user.save()`): every
    // account with none pending holds nothing there
    if (clearedIn(s.getSourceFile(), values).has(norm(column))) {
      emptied = true;
      return true;
    }
    return false;
  });
  if (!stored) return undefined;
  const typed = [x.left, x.right].map(skipOuter).find((s) => s !== stored);
  if (!typed || refused(typed, stored, x, values)) return undefined;
  if (emptied && refusedAround(typed, stored, x)) return undefined;
  return {
    node: x,
    why: `for an account with no ${accessName(stored)} (${emptied ? 'the application empties it' : 'the schema lets it be empty'}): nothing sent matches nothing stored (${ts.tokenToString(op)})`,
  };
}

/** Calls whose object argument writes a record's columns. */
const WRITE_CALLS = /^(update\w*|findOneAndUpdate|findByIdAndUpdate|upsert|set|save|patch)$/;

const CLEARED = memo('verify.emptiedColumns', () => new Map<ts.SourceFile, Set<string>>());

function isEmptyValue(e: ts.Expression): boolean {
  const v = skipOuter(e);
  return (
    v.kind === ts.SyntaxKind.NullKeyword ||
    (ts.isIdentifier(v) && v.text === 'undefined') ||
    (ts.isStringLiteralLike(v) && v.text === '') ||
    ts.isVoidExpression(v)
  );
}

/**
 * Columns (normalised) a file's code empties in storage: set to nothing on a record it then saves
 * (`user.otp = undefined; … user.save()`), written as nothing in an update (`{ otp: null }`), or unset
 * (`$unset: { otp: 1 }`). Emptied only for an answer (`user.password = undefined; res.json(user)`) does not count.
 */
function clearedIn(sf: ts.SourceFile, values: ValueResolver): Set<string> {
  const cache = values.session.get(CLEARED);
  const hit = cache.get(sf);
  if (hit) return hit;
  const out = new Set<string>();
  if (/=\s*(undefined|null|''|""|void 0)|:\s*(undefined|null)\b|\$unset/.test(sf.text))
    forEachNode(sf, (n) => {
      if (
        ts.isBinaryExpression(n) &&
        n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        ts.isPropertyAccessExpression(n.left) &&
        isEmptyValue(n.right)
      ) {
        const recv = skipOuter(n.left.expression).getText();
        const fn = ts.findAncestor(n.parent, ts.isFunctionLike);
        const after = fn ? fn.getText().slice(n.getEnd() - fn.getStart()) : '';
        if (after.includes(`${recv}.save(`)) out.add(norm(n.left.name.text));
      } else if (ts.isPropertyAssignment(n) && propertyNameText(n.name) === '$unset') {
        const o = skipOuter(n.initializer);
        if (ts.isObjectLiteralExpression(o))
          for (const p of o.properties)
            if (p.name && propertyNameText(p.name)) out.add(norm(propertyNameText(p.name)!));
      } else if (ts.isPropertyAssignment(n) && isEmptyValue(n.initializer) && writtenByCall(n)) {
        const name = propertyNameText(n.name);
        if (name) out.add(norm(name));
      }
    });
  cache.set(sf, out);
  return out;
}

/** A property of an object literal (or one nested in it) handed to a writing call. */
function writtenByCall(p: ts.PropertyAssignment): boolean {
  let o: ts.Node = p.parent;
  while (ts.isObjectLiteralExpression(o) && o.parent && ts.isPropertyAssignment(o.parent)) o = o.parent.parent;
  const call = o.parent;
  return !!call && ts.isCallExpression(call) && WRITE_CALLS.test(lastName(call.expression) ?? '');
}

function refused(typed: ts.Expression, stored: ts.Expression, at: ts.Node, values: ValueResolver): boolean {
  // `String(pin)`, `${pin}`: never null, never undefined, never '' for a missing value
  if (ts.isTemplateExpression(typed) || (ts.isCallExpression(typed) && lastName(typed.expression) === 'String'))
    return true;
  const fn = enclosingFunction(at);
  if (!fn) return false;
  if (validatedBefore(fn, at)) return true;
  const names = [rootName(typed), lastName(typed), lastName(stored)].filter((n): n is string => !!n);
  if (exitsWhenMissing(fn, at, names)) return true;
  // a value handed in by the caller (`createWalletTransaction(userId, transactionPin, …)`): refused there
  const root = rootName(typed);
  const index =
    root && 'parameters' in fn ? fn.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === root) : -1;
  return index >= 0 && callersRefuse(fn, index, values);
}

/**
 * For a column the application empties, what else may refuse a missing code (read wide, since an account with
 * a code pending is the usual case): the code typed through a call (`sha256(otp)`, `req.body.otp.trim()`), any
 * test of it or of the record's code columns being missing, its length or its format before or in the same
 * condition (`!user.otpExpires || …`, `otp?.length !== 6`, `/^\d{6}$/.test(otp)`), the code named among
 * required fields (`checkEmpty(body, ['otp'])`), or a middleware ahead of the handler on its route (a validator,
 * `requirePinSet`). Wider than `exitsWhenMissing`, which a column the schema lets be empty keeps.
 */
function refusedAround(typed: ts.Expression, stored: ts.Expression, at: ts.Node): boolean {
  if (ts.isCallExpression(typed) || ts.isNewExpression(typed)) return true;
  if (ts.isIdentifier(typed)) {
    const d = findDeclaration(typed);
    const init = d && ts.isVariableDeclaration(d) && ts.isIdentifier(d.name) && d.initializer;
    if (init && ts.isCallExpression(skipOuter(init))) return true;
  }
  const fn = enclosingFunction(at);
  const body = fn && (fn as ts.FunctionLikeDeclaration).body;
  if (!fn || !body) return false;
  const recv =
    ts.isPropertyAccessExpression(stored) || ts.isElementAccessExpression(stored) ? stored.expression : undefined;
  const esc = (t: string): string => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s*');
  const names = [rootName(typed), lastName(typed)].filter((n): n is string => !!n).map(esc);
  const record = recv ? `${esc(skipOuter(recv).getText())}\\s*\\??\\.\\s*[\\w$]+` : undefined;
  const subject = [...names.map((n) => `\\b${n}\\b`), ...(record ? [record] : [])].join('|');
  const test = new RegExp(
    `!\\s*\\(?\\s*(?:${subject})|(?:${subject})\\s*\\??\\.\\s*(?:length|match|test)\\b|\\.(?:test|match)\\(\\s*(?:${subject})|typeof\\s+(?:${subject})|(?:${subject})\\s*={2,3}\\s*(?:null|undefined)`,
  );
  let found = false;
  // (the field named in a list of required ones before the comparison: `checkEmpty(body, ['otp', …])`, `require('otp')`)
  const field = lastName(typed);
  forEachNode(body, (n) => {
    if (found || n.getStart() > at.getStart()) return false;
    if (
      field &&
      ts.isStringLiteralLike(n) &&
      n.text === field &&
      (ts.isCallExpression(n.parent) || ts.isArrayLiteralExpression(n.parent))
    ) {
      found = true;
      return false;
    }
    if (n !== body && ts.isFunctionLike(n)) return false;
    if (ts.isIfStatement(n) && n.expression.getStart() <= at.getStart() && test.test(n.expression.getText()))
      found = true;
  });
  if (found) return true;
  // a middleware handed to the route ahead of the handler (`router.post('/x', validate(schema), async (req, res) => …)`)
  const call = fn.parent;
  if (call && ts.isCallExpression(call)) {
    const i = call.arguments.indexOf(fn as unknown as ts.Expression);
    if (
      i > 0 &&
      call.arguments.slice(0, i).some((a) => !ts.isStringLiteralLike(skipOuter(a)) && !ts.isTemplateExpression(a))
    )
      return true;
  }
  return false;
}

function enclosingFunction(n: ts.Node): ts.SignatureDeclaration | undefined {
  return ts.findAncestor(n.parent, ts.isFunctionLike);
}

function rootName(e: ts.Expression): string | undefined {
  let x = skipOuter(e);
  while (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) x = skipOuter(x.expression);
  return ts.isIdentifier(x) ? x.text : undefined;
}

/**
 * Input validated before `at` in `fn`: a schema parse or a validator in its body, or a tRPC procedure's
 * `.input(…)` on the chain the resolver is handed to (the adapter answers 400 before the resolver runs).
 */
function validatedBefore(fn: ts.SignatureDeclaration, at: ts.Node): boolean {
  const body = (fn as ts.FunctionLikeDeclaration).body;
  if (body && VALIDATION.test(body.getText().slice(0, Math.max(0, at.getStart() - body.getStart())))) return true;
  for (let p: ts.Node | undefined = fn.parent, i = 0; p && i < 6; p = p.parent, i++) {
    if (ts.isCallExpression(p) && /\.\s*input\s*\(/.test(p.expression.getText())) return true;
    if (ts.isFunctionLike(p) || ts.isSourceFile(p)) break;
  }
  return false;
}

/** A test before `at` on one of `names` being missing (`!pin`, `pin == null`, `typeof pin !== 'string'`) whose branch exits. */
function exitsWhenMissing(fn: ts.SignatureDeclaration, at: ts.Node, names: string[]): boolean {
  const body = (fn as ts.FunctionLikeDeclaration).body;
  if (!body || !names.length) return false;
  const alt = names.map((n) => n.replace(/\$/g, '\\$')).join('|');
  const missing = new RegExp(
    `!\\s*\\(?\\s*(?:[\\w$]+\\??\\.)*(?:${alt})\\b(?!\\s*[.(\\[])|\\b(?:${alt})\\s*={2,3}\\s*(?:null|undefined|''|"")|typeof\\s+(?:[\\w$]+\\.)*(?:${alt})\\s*!==?\\s*['"]string['"]|\\b(?:${alt})\\s*\\??\\.\\s*length\\s*(?:<|={2,3}\\s*0)`,
  );
  let found = false;
  forEachNode(body, (n) => {
    if (found || n.getStart() >= at.getStart()) return false;
    if (n !== body && ts.isFunctionLike(n)) return false;
    if (
      ts.isIfStatement(n) &&
      n.getEnd() <= at.getStart() &&
      exits(n.thenStatement) &&
      missing.test(n.expression.getText())
    )
      found = true;
  });
  return found;
}

function exits(s: ts.Statement): boolean {
  if (ts.isReturnStatement(s) || ts.isThrowStatement(s)) return true;
  if (ts.isBlock(s)) return s.statements.some((x) => ts.isReturnStatement(x) || ts.isThrowStatement(x));
  return false;
}

const CALLERS = memo('verify.emptyMatchCallers', () => new Map<ts.Node, boolean>());

/** Every call of `fn` the parsed files hold refuses its argument at `index` when missing (and there is one). */
function callersRefuse(fn: ts.SignatureDeclaration, index: number, values: ValueResolver): boolean {
  const cache = values.session.get(CALLERS);
  const key = fn.parameters[index];
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const name = functionName(fn);
  let sites = 0;
  let all = true;
  if (name) {
    for (const file of values.store.known) {
      if (!values.isParsed(file)) continue;
      const sf = values.sourceFile(file);
      if (!sf || !sf.text.includes(name)) continue;
      forEachNode(sf, (n) => {
        if (!all) return false;
        if (!ts.isCallExpression(n) || lastName(n.expression) !== name || !n.arguments[index]) return;
        const arg = skipOuter(n.arguments[index]);
        const caller = enclosingFunction(n);
        sites++;
        const argNames = [rootName(arg), lastName(arg)].filter((x): x is string => !!x);
        if (!caller || !(validatedBefore(caller, n) || exitsWhenMissing(caller, n, argNames))) all = false;
      });
      if (!all) break;
    }
  }
  const out = sites > 0 && all;
  cache.set(key, out);
  return out;
}

function functionName(fn: ts.SignatureDeclaration): string | undefined {
  if ((ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) && fn.name && ts.isIdentifier(fn.name))
    return fn.name.text;
  const p = fn.parent;
  if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  if (p && ts.isPropertyAssignment(p)) return propertyNameText(p.name);
  return undefined;
}
