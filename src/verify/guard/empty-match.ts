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
import { EQUALITY } from '../../analysis/operators.js';
import { modelOfReceiver } from '../../analysis/effects.js';
import { accessName, lastName, propertyNameText, skipOuter, type ValueResolver } from '../../analysis/values.js';
import { forEachNode } from '../../analysis/walk.js';
import { findDeclaration } from '../../analysis/scope.js';
import { mayBeEmpty } from '../../classify/empty-columns.js';
import { memo } from '../../memo.js';
import { compiled, ruleFile } from '../../rules/load.js';
import { norm } from '../../classify/words.js';

/** Validation calls, names of calls refusing a missing value, and schema keys left optional (rules/guards.json `operands`). */
const refusal = compiled(() => {
  const o = ruleFile('guards').operands;
  return {
    validation: new RegExp(o.inputValidators),
    requires: new RegExp(o.requireNames, 'i'),
    optional: new RegExp(o.optionalSchemaKeys),
  };
});

export function emptyMatch(
  x: ts.BinaryExpression,
  verdict: { storedNodes?: ts.Expression[] },
  values: ValueResolver,
): { node: ts.Node; why: string } | undefined {
  const op = x.operatorToken.kind;
  if (!EQUALITY.has(op)) return undefined;
  let emptied = false;
  // (a stored value converted before the comparison, `Number(user.pin)`, `String(user.pin ?? '')`: an empty one
  // becomes a value a request can send, `Number(null) === Number('') === 0`, `String(null) === 'null'`)
  const converted = new Map<ts.Expression, ts.Expression>();
  for (const n of verdict.storedNodes ?? []) {
    const inner = convertedFrom(skipOuter(n));
    if (inner) converted.set(inner, skipOuter(n));
  }
  const stored = [...(verdict.storedNodes ?? []).map(skipOuter), ...converted.keys()].find((s) => {
    const column = ts.isPropertyAccessExpression(s) || ts.isElementAccessExpression(s) ? accessName(s) : undefined;
    if (!column) return false;
    // a one-time code the application empties once spent (`user.otp = undefined; await user.save()`): every
    // account with none pending holds nothing there
    if (clearedIn(s.getSourceFile(), values).has(norm(column))) {
      emptied = true;
      return true;
    }
    const model = modelOfReceiver((s as ts.PropertyAccessExpression | ts.ElementAccessExpression).expression, values);
    return !!model && mayBeEmpty(values, model, column);
  });
  if (!stored) return undefined;
  const storedSide = converted.get(stored) ?? stored;
  const typed = [x.left, x.right].map(skipOuter).find((s) => s !== storedSide && s !== stored);
  // (a typed value converted the same way is no refusal then: both sides meet on the converted empty value)
  if (!typed || refused(typed, stored, x, values, converted.has(stored))) return undefined;
  if (emptied && refusedAround(typed, stored, x, values)) return undefined;
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

function refused(
  typed: ts.Expression,
  stored: ts.Expression,
  at: ts.Node,
  values: ValueResolver,
  storedConverted = false,
): boolean {
  // `String(pin)`, `${pin}`: never null, never undefined, never '' for a missing value
  if (!storedConverted && (ts.isTemplateExpression(typed) || converts(typed) || convertedLocal(typed))) return true;
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
 * A value made from the typed one that is never empty when nothing was sent: `String(otp)`, a hash of it
 * (`sha256(otp)`, `createHash('sha256').update(otp).digest('hex')`), `otp.trim()` (which throws on nothing).
 * Not a read that answers nothing when absent (`req.get('x-otp')`, `c.req.header(…)`, `body.otp?.toString()`).
 */
function converts(e: ts.Expression): boolean {
  const x = skipOuter(e);
  if (!ts.isCallExpression(x) || x.questionDotToken) return false;
  const name = lastName(x.expression) ?? '';
  if (READS.test(name)) return false;
  // (a method on the typed value, `otp.trim()`, must not be reached optionally either)
  const callee = skipOuter(x.expression);
  if (ts.isPropertyAccessExpression(callee) && callee.questionDotToken) return false;
  return x.arguments.length > 0 || ts.isPropertyAccessExpression(callee);
}

/**
 * The column a conversion is made of (`Number(user.pin)`, `String(user.pin ?? '')`, `user.pin.toString()`,
 * `parseInt(user.pin, 10)`): a value that is some number or text even when the column holds nothing.
 */
function convertedFrom(e: ts.Expression): ts.Expression | undefined {
  if (!ts.isCallExpression(e)) return undefined;
  const callee = skipOuter(e.expression);
  let inner: ts.Expression | undefined;
  if (ts.isIdentifier(callee) && CONVERSIONS.test(callee.text)) inner = e.arguments[0];
  else if (ts.isPropertyAccessExpression(callee) && /^(toString|trim|valueOf)$/.test(callee.name.text))
    inner = callee.expression;
  if (!inner) return undefined;
  let x = skipOuter(inner);
  // `user.pin ?? ''`, `user.pin || ''`: the column, with its empty stand-in
  while (isFallback(x)) x = skipOuter(x.left);
  if (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) return x;
  return convertedFrom(x);
}

/**
 * A constant made by a conversion of the typed value (`const pin = parseInt(req.body.pin, 10)`), with no stand-in
 * for a value not sent (`String(req.body.pin ?? user.pin)` falls back to what is stored).
 */
function convertedLocal(e: ts.Expression): boolean {
  if (!ts.isIdentifier(e)) return false;
  const d = findDeclaration(e);
  return (
    !!d &&
    ts.isVariableDeclaration(d) &&
    ts.isVariableDeclarationList(d.parent) &&
    !!(d.parent.flags & ts.NodeFlags.Const) &&
    !!d.initializer &&
    converts(d.initializer) &&
    !hasFallback(d.initializer)
  );
}

/** `a ?? b`, `a || b`: a value that stands in when the first is missing. */
function isFallback(e: ts.Node): e is ts.BinaryExpression {
  return (
    ts.isBinaryExpression(e) &&
    (e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || e.operatorToken.kind === ts.SyntaxKind.BarBarToken)
  );
}

/** A stand-in anywhere inside an expression. */
function hasFallback(e: ts.Node): boolean {
  return isFallback(e) || !!ts.forEachChild(e, (c) => (hasFallback(c) ? true : undefined));
}

/** Global conversions that answer a number or a text for any value (`Number(null) === 0`). */
const CONVERSIONS = /^(Number|String|parseInt|parseFloat|BigInt)$/;

/** Calls that read a request's value, answering nothing when it is absent. */
const READS = /^(get|header|headers|getHeader|query|param|params|cookie|cookies|formData|json|body|valid|req)$/;

/** A name tested missing (`!user.otpExpires`, `otp == null`, `typeof otp !== 'string'`): the name, in one of three groups. */
const MISSING =
  /!\s*\(?\s*(?:[\w$]+\??\.)*([\w$]+)\b(?!\s*[.([])|\b([\w$]+)\s*={2,3}\s*(?:null|undefined|''|"")|typeof\s+(?:[\w$]+\.)*([\w$]+)\s*!==?\s*['"]string['"]/g;

/**
 * For a column the application empties, what else refuses a missing code (an account with a code pending is the
 * usual case, so a refusal is looked for in more shapes than `exitsWhenMissing` alone): the code made into a
 * value never empty (`converts`), an exiting test of the code, the stored column or a column emptied with it being
 * missing (`!user.otpExpires || …`, also ahead of the comparison in its own condition), of its length or format
 * where nothing skips the test for a missing code (`otp?.length !== 6`, not `otp && otp.length !== 6`), the code
 * named among required fields (`checkEmpty(body, ['otp'])`), or a middleware ahead of the handler on its route
 * that names the field (`validate(withdrawSchema)` with `otp` in the schema).
 */
function refusedAround(typed: ts.Expression, stored: ts.Expression, at: ts.Node, values: ValueResolver): boolean {
  if (converts(typed)) return true;
  if (ts.isIdentifier(typed)) {
    const d = findDeclaration(typed);
    const init = d && ts.isVariableDeclaration(d) && ts.isIdentifier(d.name) && d.initializer;
    if (init && converts(init)) return true;
  }
  const fn = enclosingFunction(at);
  const body = fn && (fn as ts.FunctionLikeDeclaration).body;
  if (!fn || !body) return false;
  const field = lastName(typed);
  const column = lastName(stored);
  const cleared = clearedIn(at.getSourceFile(), values);
  const esc = (t: string): string => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const own = [field, column].filter((n): n is string => !!n).map(esc);
  if (!own.length) return false;
  const names = own.join('|');
  // the code, the stored column, or a column emptied with it (`user.otpExpires`), tested missing
  const missingName = (n: string): boolean => own.includes(esc(n)) || cleared.has(norm(n));
  const format = new RegExp(
    `\\b(?:${names})\\s*\\??\\.\\s*length\\s*(?:!==?|<|>)|!\\s*\\/.+\\/[a-z]*\\.test\\(\\s*(?:[\\w$]+\\.)*(?:${names})\\s*\\)`,
  );
  // (a test reached only when a code was sent skips a missing one: `otp && …`, `otp !== undefined && …`)
  const onlyWhenSent = new RegExp(`\\b(?:${names})\\s*(?:!==?\\s*(?:undefined|null|''|"")\\s*)?&&`);
  const refuses = (cond: string): boolean => {
    if (onlyWhenSent.test(cond)) return false;
    if (format.test(cond)) return true;
    for (const m of cond.matchAll(MISSING)) if (missingName(m[1] ?? m[2] ?? m[3])) return true;
    return false;
  };
  let found = false;
  forEachNode(body, (n) => {
    if (found || n.getStart() > at.getStart()) return false;
    if (n !== body && ts.isFunctionLike(n)) return false;
    // a required-fields list naming the code, handed to a call named for refusing what is missing
    if (field && ts.isStringLiteralLike(n) && n.text === field && requiredBy(n)) {
      found = true;
      return false;
    }
    if (!ts.isIfStatement(n) || !exits(n.thenStatement)) return;
    const cond = n.expression;
    // before the comparison, or ahead of it in its own condition (`!user.otpExpires || user.otp !== otp`)
    const text =
      cond.getEnd() <= at.getStart()
        ? cond.getText()
        : at.getStart() >= cond.getStart() && at.getEnd() <= cond.getEnd()
          ? cond.getText().slice(0, at.getStart() - cond.getStart())
          : '';
    if (text && refuses(text)) found = true;
  });
  if (found) return true;
  // a middleware handed to the route ahead of the handler that requires the field (a validator of its schema), or
  // that refuses a request whose account holds nothing in the column (`if (!req.user.transactionPin) return …`)
  const call = fn.parent;
  if (call && ts.isCallExpression(call)) {
    const i = call.arguments.indexOf(fn as unknown as ts.Expression);
    const before = i > 0 ? call.arguments.slice(0, i) : [];
    if (field && before.some((a) => requiresField(a, field, values))) return true;
    if (before.some((a) => refusesMissingIn(a, own, refuses, values))) return true;
  }
  return false;
}

/**
 * A string in a list (or the argument list) of a call named for refusing what is missing (`checkEmpty(b, ['otp'])`),
 * or in a list filtered for the fields the request lacks.
 */
function requiredBy(s: ts.StringLiteralLike): boolean {
  const p = s.parent;
  // a list filtered for the fields the request lacks (`['otp', 'amount'].filter((f) => !req.body[f])`)
  if (ts.isArrayLiteralExpression(p) && ts.isPropertyAccessExpression(p.parent) && p.parent.expression === p) {
    const use = p.parent.parent;
    return (
      /^(filter|some|every|find|forEach)$/.test(p.parent.name.text) &&
      ts.isCallExpression(use) &&
      use.arguments.some((a) => /!\s*[\w$.]+\[|===?\s*(undefined|null)|\bin\b/.test(a.getText()))
    );
  }
  // a list held in a name handed to such a call (`const fields = ['otp', …]; checkEmptyWithFields(data, fields)`)
  if (ts.isArrayLiteralExpression(p) && ts.isVariableDeclaration(p.parent) && ts.isIdentifier(p.parent.name)) {
    const name = p.parent.name.text;
    const fn = enclosingFunction(p);
    let handed = false;
    if (fn)
      forEachNode(fn, (n) => {
        if (
          !handed &&
          ts.isCallExpression(n) &&
          refusal().requires.test(lastName(n.expression) ?? '') &&
          n.arguments.some((a) => ts.isIdentifier(skipOuter(a)) && (skipOuter(a) as ts.Identifier).text === name)
        )
          handed = true;
      });
    return handed;
  }
  const call = ts.isArrayLiteralExpression(p) ? p.parent : p;
  return !!call && ts.isCallExpression(call) && refusal().requires.test(lastName(call.expression) ?? '');
}

/**
 * Does a route's middleware require the field: a validator naming it as a whole string (`body('otp')`,
 * `['otp']`) or a schema key not marked optional (`{ otp: z.string() }`), in its own text or in what the names
 * it uses hold (a schema, a list of validator chains in another module)? The route's path, a message that
 * mentions the word, or a key the schema leaves optional is no requirement.
 */
function requiresField(mw: ts.Expression, field: string, values: ValueResolver): boolean {
  const x = skipOuter(mw);
  if (ts.isStringLiteralLike(x) || ts.isTemplateExpression(x)) return false;
  const names = (root: ts.Node): boolean => {
    let hit = false;
    forEachNode(root, (n) => {
      if (hit) return false;
      if (ts.isStringLiteralLike(n) && n.text === field && !ts.isPropertyAssignment(n.parent)) hit = true;
      else if (
        ts.isPropertyAssignment(n) &&
        propertyNameText(n.name) === field &&
        !refusal().optional.test(n.initializer.getText())
      )
        hit = true;
    });
    return hit;
  };
  if (names(x)) return true;
  let found = false;
  forEachNode(x, (n) => {
    if (found || !ts.isIdentifier(n)) return;
    for (const v of values.resolve(n)) {
      const node = v.kind === 'object' || v.kind === 'array' || v.kind === 'call' ? v.node : undefined;
      if (node && !node.getSourceFile().isDeclarationFile && names(node)) {
        found = true;
        return;
      }
    }
  });
  return found;
}

/**
 * Does a middleware (a function, or one a call returns: `requirePinSet()`) refuse a request whose code or column
 * is missing, by an exiting test in its own body (`if (!req.user.transactionPin) return res.status(403)…`)?
 */
function refusesMissingIn(
  mw: ts.Expression,
  own: readonly string[],
  refuses: (cond: string) => boolean,
  values: ValueResolver,
): boolean {
  const x = skipOuter(mw);
  if (ts.isStringLiteralLike(x) || ts.isTemplateExpression(x) || !own.length) return false;
  const fns: ts.Node[] = [];
  for (const v of values.resolve(x)) {
    if (v.kind === 'function') fns.push(v.node);
    else if (v.kind === 'call') for (const c of v.callee) if (c.kind === 'function') fns.push(c.node);
  }
  return fns.some((f) => {
    let hit = false;
    forEachNode(f, (n) => {
      if (hit) return false;
      if (ts.isIfStatement(n) && exits(n.thenStatement) && refuses(n.expression.getText())) hit = true;
    });
    return hit;
  });
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
  if (body && refusal().validation.test(body.getText().slice(0, Math.max(0, at.getStart() - body.getStart()))))
    return true;
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
