// A bulk export by what the endpoint does: a whole collection of people's records read (no page
// size, not one record, not a count) and turned into a file (CSV/TSV rows joined by a delimiter, a
// CSV or spreadsheet writer, an attachment header). Policy: "a bulk export of the account's personal
// data (a download of everything, a whole-collection CSV/JSON)" is data-export; aggregate
// statistics, a single record and a paginated list are not. Patterns in rules/assets.json `exports`.
import { ts } from 'ts-morph';
import type { FunctionNode } from '../model.js';
import { calleeClosure } from '../analysis/callees.js';
import { calleeParts, callsIn, getterParts, modelName, rootIdentifier } from '../analysis/effects.js';
import { calleeName, propertyNameText, skipOuter, type ValueResolver } from '../analysis/values.js';
import { findDeclaration, localUses } from '../analysis/scope.js';
import { queryCondition, queryKeys } from './query.js';
import { compiled, ruleFile } from '../rules/load.js';
import { norm } from './words.js';
import { vocab } from '../verify/guard/index.js';
import { memo } from '../memo.js';
import { declaredFields, schemaSources } from './schema-columns.js';
import { signsInOn } from './sign-in.js';

export interface BulkExport {
  /** The collection read. */
  read: ts.CallExpression;
  /** What makes the answer a file (for a gathering of the account's collections, the last collection read). */
  marker: ts.Node;
  what: string;
  /** Several whole collections of the account's gathered under an export path, file or not. */
  gathered?: boolean;
}

const rules = compiled(() => {
  const r = ruleFile('assets').exports;
  return {
    readMany: new RegExp(r.readMany),
    listMethod: new RegExp(r.listMethod, 'i'),
    people: r.personalModels.map(norm),
    personalColumns: new Set((r.personalColumns ?? []).map(norm)),
    paging: new RegExp(r.pagingKeys, 'i'),
    fileCalls: new RegExp(r.fileCalls, 'i'),
    schemaReceivers: r.schemaReceivers ? new RegExp(r.schemaReceivers) : undefined,
    fileReaders: r.fileReaders ? new RegExp(r.fileReaders, 'i') : undefined,
    fileText: new RegExp(r.fileText, 'i'),
    responseCalls: new RegExp(r.responseCalls),
    mailAttachments: r.mailAttachments ? new RegExp(r.mailAttachments, 'i') : undefined,
    delimiter: new RegExp(r.delimiters),
    quiet: r.quietCalls ? new RegExp(r.quietCalls) : undefined,
    single: r.singleReads ? new RegExp(r.singleReads) : undefined,
    work: r.exportWork ? new RegExp(r.exportWork) : undefined,
    builtReads: new RegExp(r.builtReads ?? '$^'),
    inertModules: new RegExp(r.inertModules ?? '$^'),
    followDepth: r.followDepth,
  };
});

type Rules = ReturnType<typeof rules>;

function isPeople(model: string, r: Rules): boolean {
  const m = norm(model);
  return r.people.some((p) => m === p || m === `${p}s` || (p.length >= 4 && (m.endsWith(p) || m.endsWith(`${p}s`))));
}

/** A read of a whole collection of people's records: `db.user.findMany({ where: { createdAt } })`, `auth().listUsers(1000)`. */
function collectionRead(c: ts.CallExpression, r: Rules): string | undefined {
  const callee = skipOuter(c.expression);
  // drizzle: db.select().from(users), db.select({ … }).from(requests).innerJoin(users, …)
  const table = c.arguments[0] && skipOuter(c.arguments[0]);
  const drizzle =
    ts.isPropertyAccessExpression(callee) && callee.name.text === 'from' && !!table && ts.isIdentifier(table);
  const parts = calleeParts(c.expression) ?? getterParts(c.expression) ?? (drizzle ? ['from'] : undefined);
  if (!parts || !parts.length) return undefined;
  const sql = sqlCollectionRead(c, r);
  if (sql) return sql;
  const method = parts[parts.length - 1];
  let model: string | undefined;
  const listed = r.listMethod.exec(method);
  if (drizzle) model = table.text;
  else if (listed) model = listed[1];
  // (`UserModel.find()`: the model a Mongoose convention names with a suffix)
  else if (r.readMany.test(method) && parts.length >= 2) model = modelName(norm(parts[parts.length - 2]));
  // one person's record read with the collections it owns, and theirs (`user.findUnique({ include: { collections:
  // { include: { links } } } })`): the whole account, however it is keyed
  else if (parts.length >= 2 && isPeople(parts[parts.length - 2], r) && ownedGraph(c.arguments[0]))
    return `${parts.join('.')}(…) with the records the account owns`;
  if (!model) return undefined;
  // records of people, or records that carry people's personal columns (`user: { select: { email: true } }`)
  const personal = isPeople(model, r)
    ? undefined
    : drizzle
      ? drizzlePersonal(c, r)
      : selectedPersonal(c.arguments[0], r);
  const { keys, where } = queryKeys(c.arguments[0]);
  // …or every record a person owns (`photo.findMany({ where: { userId } })`): with a file made of it, the
  // account's own data handed out
  // (the owner alone: `{ invoiceId, userId }` is one record's rows)
  const owned = !drizzle && where.length > 0 && where.every((k) => OWNER_KEYS.test(k));
  if (!isPeople(model, r) && !personal && !owned) return undefined;
  // a page, or one record by its id; a bound far above a page (`take: 100000`) is the whole collection
  if (keys.some((k) => r.paging.test(k)) && !onlyLargeBound(c.arguments[0], r)) return undefined;
  if (where.length && where.every((k) => /^(id|_id|uuid)$/i.test(k)) && !idInList(c.arguments[0])) return undefined;
  // a limit further down the chain: `.from(users).limit(50)`
  let joined = false;
  for (let p: ts.Node = c; p.parent && ts.isPropertyAccessExpression(p.parent);) {
    const call = p.parent.parent;
    if (!call || !ts.isCallExpression(call)) break;
    if (r.paging.test(p.parent.name.text)) return undefined;
    if (/join$/i.test(p.parent.name.text)) joined = true;
    // one record by its key: `.where(eq(users.id, id))` (not after a join: one organisation's every member)
    if (drizzle && !joined && p.parent.name.text === 'where' && byKey(call.arguments[0])) return undefined;
    p = call;
  }
  return drizzle
    ? `select from ${model}`
    : `${parts.join('.')}(…)${!isPeople(model, r) && !personal && owned ? OWNED : ''}`;
}

/** What a read of every row one person owns says of itself (`SELECT … FROM moods WHERE user_id = ?`). */
const OWNED = ' (the rows a person owns)';

/** Keys naming whose records a read takes: the person they belong to. */
const OWNER_KEYS = /^(user|owner|account|member|author|creator|customer)_?id$/i;

/** The relations a read takes in (`include`, `with`, `populate`), as an object literal, if any. */
function relationsOf(arg: ts.Expression | undefined): ts.ObjectLiteralExpression | undefined {
  const x = arg && skipOuter(arg);
  if (!x || !ts.isObjectLiteralExpression(x)) return undefined;
  for (const p of x.properties) {
    if (!ts.isPropertyAssignment(p) || !/^(include|with|populate)$/.test(propertyNameText(p.name) ?? '')) continue;
    const v = skipOuter(p.initializer);
    if (ts.isObjectLiteralExpression(v)) return v;
  }
  return undefined;
}

/** Relations taken in two levels deep: a related list read with its own relations (a whole account's graph). */
function ownedGraph(arg: ts.Expression | undefined): boolean {
  const rel = relationsOf(arg);
  return !!rel?.properties.some((p) => ts.isPropertyAssignment(p) && !!relationsOf(p.initializer));
}

/** `eq(users.id, id)`: a drizzle condition on the record's key. */
function byKey(cond: ts.Expression | undefined): boolean {
  const x = cond && skipOuter(cond);
  if (!x || !ts.isCallExpression(x) || calleeName(x) !== 'eq') return false;
  const col = x.arguments[0] && skipOuter(x.arguments[0]);
  return !!col && ts.isPropertyAccessExpression(col) && /^(id|_id|uuid)$/i.test(col.name.text);
}

/**
 * A drizzle read that carries people's data although its table is not one of people: a joined table
 * of people (`.from(requests).innerJoin(user, …)`) or a personal column selected
 * (`db.select({ userEmail: user.email }).from(requests)`).
 */
function drizzlePersonal(from: ts.CallExpression, r: Rules): string | undefined {
  const callee = skipOuter(from.expression);
  const select = ts.isPropertyAccessExpression(callee) ? skipOuter(callee.expression) : undefined;
  if (select && ts.isCallExpression(select) && select.arguments[0]) {
    const obj = skipOuter(select.arguments[0]);
    if (ts.isObjectLiteralExpression(obj))
      for (const p of obj.properties) {
        const v = ts.isPropertyAssignment(p) ? skipOuter(p.initializer) : undefined;
        if (v && ts.isPropertyAccessExpression(v) && r.personalColumns.has(norm(v.name.text))) return norm(v.name.text);
      }
  }
  for (let p: ts.Node = from; p.parent && ts.isPropertyAccessExpression(p.parent);) {
    const call = p.parent.parent;
    if (!call || !ts.isCallExpression(call)) break;
    const table = call.arguments[0] && skipOuter(call.arguments[0]);
    if (/join$/i.test(p.parent.name.text) && table && ts.isIdentifier(table) && isPeople(table.text, r))
      return table.text;
    p = call;
  }
  return undefined;
}

/** Is a query's id condition a list (`where: { id: { in: ids } }`): many records, not one? */
function idInList(arg: ts.Expression | undefined): boolean {
  const cond = queryCondition(arg);
  return !!cond?.properties.some((p) => {
    if (!ts.isPropertyAssignment(p) || !/^(id|_id|uuid)$/i.test(propertyNameText(p.name) ?? '')) return false;
    const v = skipOuter(p.initializer);
    return (
      ts.isObjectLiteralExpression(v) &&
      v.properties.some((q) => q.name && /^(\$?in|inArray)$/.test(propertyNameText(q.name) ?? ''))
    );
  });
}

/** The largest page a list answers: a bound above it reads the collection (as `LIMIT 100` is the SQL limit). */
const PAGE_LIMIT = 100;

/** The literal bounds a query's options set (`take: 100`, `limit: 20`, `first: 5`), and whether it pages otherwise. */
function literalBounds(arg: ts.Expression | undefined, r: Rules): { bounds: number[]; otherPaging: boolean } {
  const x = arg && skipOuter(arg);
  const out = { bounds: [] as number[], otherPaging: false };
  if (!x || !ts.isObjectLiteralExpression(x)) return out;
  for (const p of x.properties) {
    const name = p.name ? (propertyNameText(p.name) ?? '') : '';
    if (!r.paging.test(name)) continue;
    const v = ts.isPropertyAssignment(p) ? skipOuter(p.initializer) : undefined;
    if (/^(take|limit|first)$/.test(name) && v && ts.isNumericLiteral(v)) out.bounds.push(Number(v.text));
    else out.otherPaging = true;
  }
  return out;
}

/** Is the only paging key of a query a literal bound above a page (`take: 100000`), with no offset or cursor? */
function onlyLargeBound(arg: ts.Expression | undefined, r: Rules): boolean {
  const { bounds, otherPaging } = literalBounds(arg, r);
  return bounds.length > 0 && !otherPaging && bounds.every((b) => b > PAGE_LIMIT);
}

/** A personal column a query selects, at any depth (`select: { user: { select: { email: true } } }`). */
function selectedPersonal(arg: ts.Expression | undefined, r: Rules): string | undefined {
  const x = arg && skipOuter(arg);
  if (!x || !ts.isObjectLiteralExpression(x)) return undefined;
  const select = x.properties.find(
    (p) => p.name && /^(select|attributes|columns)$/.test(propertyNameText(p.name) ?? ''),
  );
  if (!select || !ts.isPropertyAssignment(select)) return relatedPersonal(x, r);
  let found: string | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isPropertyAssignment(n) && n.initializer.kind === ts.SyntaxKind.TrueKeyword) {
      const k = norm(propertyNameText(n.name) ?? '');
      if (r.personalColumns.has(k)) found = k;
    } else if (ts.isStringLiteral(n) && r.personalColumns.has(norm(n.text))) found = norm(n.text);
    ts.forEachChild(n, visit);
  };
  visit(select.initializer);
  return found;
}

/**
 * Personal columns a read takes in through a relation to people (`include: { user: { select: { email: true } } }`,
 * `include: { user: true }`): each row then carries its person's record.
 */
function relatedPersonal(query: ts.ObjectLiteralExpression, r: Rules): string | undefined {
  for (const p of query.properties) {
    if (!p.name || !/^(include|with|populate)$/.test(propertyNameText(p.name) ?? '') || !ts.isPropertyAssignment(p))
      continue;
    const relations = skipOuter(p.initializer);
    if (!ts.isObjectLiteralExpression(relations)) continue;
    for (const rel of relations.properties) {
      if (!rel.name || !ts.isPropertyAssignment(rel)) continue;
      const name = propertyNameText(rel.name) ?? '';
      const v = skipOuter(rel.initializer);
      if (v.kind === ts.SyntaxKind.TrueKeyword && isPeople(name, r)) return `${name} (whole record)`;
      const inner = ts.isObjectLiteralExpression(v) ? selectedPersonal(v, r) : undefined;
      if (inner && (isPeople(name, r) || r.personalColumns.has(inner))) return inner;
    }
  }
  return undefined;
}

/** SQL text handed to a call: a string or template literal, its `${…}` parts left blank. */
function sqlText(c: ts.CallExpression): string | undefined {
  const a = c.arguments[0] && skipOuter(c.arguments[0]);
  if (!a) return undefined;
  if (ts.isStringLiteralLike(a)) return a.text;
  if (ts.isTemplateExpression(a)) return a.head.text + a.templateSpans.map((s) => ` ${s.literal.text}`).join('');
  return undefined;
}

/**
 * A raw SQL read of many people's records: `db.query('SELECT c.ip, c.user_agent FROM click_events c …')`
 * reading a table of people or selecting a personal column, neither a page (OFFSET, a small LIMIT),
 * one record by its id, nor an aggregate (COUNT, SUM, GROUP BY).
 */
function sqlCollectionRead(c: ts.CallExpression, r: Rules): string | undefined {
  const text = sqlText(c);
  if (!text) return undefined;
  const m = /^\s*select\s+([\s\S]*?)\s+from\s+["`]?(\w+)/i.exec(text);
  if (!m) return undefined;
  if (/\boffset\b/i.test(text) || /\b(count|sum|avg|min|max)\s*\(|\bgroup\s+by\b/i.test(text)) return undefined;
  const small = /\blimit\s+(\d+)/i.exec(text);
  if (small && Number(small[1]) <= PAGE_LIMIT) return undefined;
  if (/\bwhere\s+(\w+\.)?(id|uuid)\s*=\s*[$?:@]?\w*\s*(limit\b|$)/i.test(text)) return undefined;
  // one row by its key among other conditions (`WHERE id = $1 AND user_id = $2`), or an API that answers one
  // row (`db.get(sql)`, `queryOne`): a single record
  // (not a row gathering many, `json_group_array(…)`, nor one read again for every item of a loop)
  const gathers = /\b(json_group_array|json_agg|jsonb_agg|array_agg|group_concat|string_agg)\s*\(/i.test(text);
  let fn: ts.Node = c;
  while (fn.parent && !ts.isFunctionLike(fn) && !ts.isSourceFile(fn)) fn = fn.parent;
  const repeated = inLoop(c, fn);
  const where = /\bwhere\b([\s\S]*)$/i.exec(text)?.[1] ?? '';
  const joins = /\bjoin\b/i.test(text);
  if (
    !gathers &&
    !repeated &&
    !joins &&
    /(^|\band\b|\()\s*(id|uuid)\s*=\s*[$?:@]\w*/i.test(where) &&
    !/\bor\b/i.test(where)
  )
    return undefined;
  if (!gathers && !repeated && r.single?.test(calleeName(c))) return undefined;
  const tables = [...text.matchAll(/\b(?:from|join)\s+["`]?(\w+)/gi)].map((t) => t[1]);
  const columns = m[1].split(',').map((col) => {
    const ids = col.match(/\w+/g) ?? [];
    // `c.ip::text AS ip`: the name the row carries
    const as = /\bas\s+["`]?(\w+)["`]?\s*$/i.exec(col);
    return norm(as ? as[1] : (ids.filter((w) => !/^(text|varchar|distinct)$/i.test(w)).pop() ?? ''));
  });
  const people = tables.find((t) => isPeople(t, r));
  const personal = columns.find((col) => r.personalColumns.has(col));
  // …or every row a person owns (`FROM mood_entries WHERE user_id = ?`), as a keyed read's owner-only `where`
  const compared = [...where.matchAll(/(?:^|\band\b|\()\s*(?:\w+\.)?["`]?(\w+)["`]?\s*=/gi)].map((x) => x[1]);
  const owned = !joins && compared.length > 0 && compared.every((k) => OWNER_KEYS.test(k)) && !/\bor\b/i.test(where);
  if (!people && !personal && !owned) return undefined;
  return `SELECT … FROM ${m[2]}${personal ? ` (${personal})` : owned && !people ? OWNED : ''}`;
}

/**
 * Is the file a call makes only attached to a mail (`const content = buildCsv(rows)` used nowhere but in
 * `sendEmail({ to, attachments: [{ filename, content }] })`, or built in place there)? It goes to an address,
 * not back to the caller.
 */
function mailedOnly(c: ts.CallExpression, r: Rules): boolean {
  const keys = r.mailAttachments;
  if (!keys) return false;
  let n: ts.Node = c;
  while (
    n.parent &&
    (ts.isAwaitExpression(n.parent) ||
      ts.isParenthesizedExpression(n.parent) ||
      ts.isAsExpression(n.parent) ||
      (ts.isConditionalExpression(n.parent) && n.parent.condition !== n))
  )
    n = n.parent;
  if (underMailKey(n, keys)) return true;
  const holder = n.parent;
  if (!holder || !ts.isVariableDeclaration(holder) || holder.initializer !== n || !ts.isIdentifier(holder.name))
    return false;
  const uses = localUses(holder);
  return uses.length > 0 && uses.every((u) => underMailKey(u, keys));
}

/**
 * Is a node inside a mail's attachment key (`attachments: [{ content }]`) of the call it is handed to, addressed
 * (`to`) to someone the request does not choose? A file mailed to an address the client sends is handed out.
 */
function underMailKey(n: ts.Node, keys: RegExp): boolean {
  for (let p = n.parent; p && !ts.isCallExpression(p) && !ts.isFunctionLike(p) && !ts.isStatement(p); p = p.parent)
    if (ts.isPropertyAssignment(p) && keys.test(propertyNameText(p.name) ?? '')) {
      const mail = p.parent;
      if (!ts.isObjectLiteralExpression(mail)) return false;
      // every recipient (`to`, `cc`, `bcc`…) someone the request does not choose, and no spread that may add one
      if (mail.properties.some((q) => ts.isSpreadAssignment(q))) return false;
      const recipients = mail.properties.flatMap((q) =>
        q.name && /^(to|cc|bcc|recipients?|personalizations)$/i.test(propertyNameText(q.name) ?? '')
          ? ts.isPropertyAssignment(q)
            ? [q.initializer]
            : ts.isShorthandPropertyAssignment(q)
              ? [q.name]
              : []
          : [],
      );
      return recipients.length > 0 && !recipients.some((r) => fromRequest(r, 0));
    }
  return false;
}

/** Does a value read the request's own data (its body, query, parameters), through the locals it is held in? */
function fromRequest(e: ts.Expression, depth: number): boolean {
  const x = skipOuter(e);
  if (vocab().requestData.test(x.getText())) return true;
  if (depth > 4) return false;
  // a value a call makes from the request's data (`await recipientFor(req)` picking `req.body.sendTo`): the client's
  // choice (one that reads only who is signed in, `requireAuth(req)`, is not)
  const call = ts.isAwaitExpression(x) ? skipOuter(x.expression) : x;
  if (
    ts.isCallExpression(call) &&
    call.arguments.some((a) => REQUEST_NAMES.test(skipOuter(a).getText())) &&
    findFunction(call.expression)?.body?.getText().match(PAYLOAD_READ)
  )
    return true;
  const root = ts.isIdentifier(x) ? x : rootIdentifier(x);
  const d = root && findDeclaration(root);
  if (d && ts.isVariableDeclaration(d) && d.initializer) return fromRequest(d.initializer, depth + 1);
  if (d && ts.isBindingElement(d)) {
    const top = ts.findAncestor(d, ts.isVariableDeclaration);
    return !!top?.initializer && fromRequest(top.initializer, depth + 1);
  }
  // a parameter: whatever a caller hands in may be the request's (the request itself was read above: what it holds
  // besides its data, `req.user`, is the session's)
  return !!d && ts.isParameter(d) && !REQUEST_NAMES.test(root.text);
}

/** A read of the request's payload: its body, query or route parameters. */
const PAYLOAD_READ = /\b(req|request|c\.req|ctx\.request)\.(body|query|params|json\(\)|formData\(\)|param\(|valid\()/;

/** The function a callee names, when it is declared in the project (one hop through a local or an import's declaration). */
function findFunction(
  callee: ts.Expression,
): ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression | undefined {
  const x = skipOuter(callee);
  if (!ts.isIdentifier(x)) return undefined;
  const d = findDeclaration(x);
  if (d && ts.isFunctionDeclaration(d)) return d;
  if (d && ts.isVariableDeclaration(d) && d.initializer) {
    const i = skipOuter(d.initializer);
    if (ts.isArrowFunction(i) || ts.isFunctionExpression(i)) return i;
  }
  return undefined;
}

/** Names a handler gives the request it serves. */
const REQUEST_NAMES = /^(req|request|c|ctx|context|event)$/;

/** The language's own tests of a string: given a file type, they look at a name rather than write a file. */
const STRING_TESTS = /^(endsWith|startsWith|includes|indexOf|lastIndexOf|match|matchAll|search|test|localeCompare)$/;

/** A sign that the answer is a file: rows joined by a delimiter, a CSV/spreadsheet writer, an attachment or CSV content type. */
function fileMarker(c: ts.CallExpression, r: Rules): boolean {
  const parts = calleeParts(c.expression) ?? getterParts(c.expression);
  if (calleeName(c) === 'join') {
    const a = c.arguments[0] && skipOuter(c.arguments[0]);
    // the row idiom: fields joined by a delimiter inside a `.map(…)` over records, or mapped rows joined
    return (
      !!a &&
      ts.isStringLiteralLike(a) &&
      r.delimiter.test(a.text) &&
      (inMapCallback(c) || joinsMapped(c)) &&
      !joinsPlaceholders(c)
    );
  }
  if (
    parts &&
    r.fileCalls.test(parts.join('.')) &&
    !r.fileReaders?.test(parts[parts.length - 1]) &&
    // (`UserSchema.parseAsync(row)`: a validation schema checks a value)
    !(parts.length > 1 && r.schemaReceivers?.test(parts[parts.length - 2])) &&
    !(parts.length > 1 && r.schemaReceivers?.test(parts[0]))
  )
    return true;
  // a name tested against a file type (`file.name.endsWith('.csv')`) checks an upload, it makes no file
  if (STRING_TESTS.test(calleeName(c))) return false;
  // (headers given as an object say so of the answer only when the answer is what is called: a storage write's
  // `{ contentDisposition }` keeps a file for later)
  const answers = r.responseCalls.test(calleeName(c));
  return c.arguments.some((a) => (answers || !ts.isObjectLiteralExpression(skipOuter(a))) && namesFile(a, r));
}

/**
 * Does an argument say the answer is a file: a file type or an attachment header as text (a template's fixed
 * head too: `attachment; filename="export-${day}.json"`), or headers naming one (`{ 'Content-Disposition': … }`,
 * `{ headers: { … } }`)?
 */
function namesFile(a: ts.Expression, r: Rules, depth = 0): boolean {
  const x = skipOuter(a);
  if (ts.isStringLiteralLike(x)) return r.fileText.test(x.text);
  if (ts.isTemplateExpression(x)) return r.fileText.test(x.head.text);
  if (!ts.isObjectLiteralExpression(x) || depth > 1) return false;
  return x.properties.some(
    (p) =>
      ts.isPropertyAssignment(p) &&
      (r.fileText.test(propertyNameText(p.name) ?? '') || namesFile(p.initializer, r, depth + 1)),
  );
}

function isMapCall(n: ts.Node): boolean {
  if (!ts.isCallExpression(n)) return false;
  const e = skipOuter(n.expression);
  return ts.isPropertyAccessExpression(e) && /^(map|flatMap|forEach)$/.test(e.name.text);
}

function inMapCallback(c: ts.Node): boolean {
  for (let p = c.parent; p; p = p.parent) {
    if ((ts.isArrowFunction(p) || ts.isFunctionExpression(p)) && p.parent && isMapCall(p.parent)) return true;
    if (ts.isFunctionDeclaration(p) || ts.isMethodDeclaration(p)) return false;
  }
  return false;
}

/**
 * Does the join build a statement's placeholders (`ids.map(() => '?').join(',')`, `` ids.map((_, i) => `$${i + 1}`) ``)?
 * Those are the parameters of a query, not the rows of a file.
 */
function joinsPlaceholders(c: ts.CallExpression): boolean {
  const e = skipOuter(c.expression);
  if (!ts.isPropertyAccessExpression(e)) return false;
  const m = skipOuter(e.expression);
  if (!ts.isCallExpression(m) || !isMapCall(m)) return false;
  const cb = m.arguments[0] && skipOuter(m.arguments[0]);
  if (!cb || !(ts.isArrowFunction(cb) || ts.isFunctionExpression(cb)) || ts.isBlock(cb.body)) return false;
  const body = skipOuter(cb.body);
  const text = ts.isStringLiteralLike(body)
    ? body.text
    : ts.isTemplateExpression(body)
      ? body.head.text + body.templateSpans.map((s) => `#${s.literal.text}`).join('')
      : undefined;
  return text !== undefined && /^\s*(\?|\$#|\$\d+|:\w+|@\w+)\s*$/.test(text);
}

function joinsMapped(c: ts.CallExpression): boolean {
  const e = skipOuter(c.expression);
  return ts.isPropertyAccessExpression(e) && isMapCall(skipOuter(e.expression));
}

/** A whole collection of people's records handed out as a file, in the handler or the functions it calls. */
export function bulkExport(
  fn: FunctionNode,
  values: ValueResolver,
  /** Is a node of the handler itself served by this endpoint (a pages handler's other method branches are not)? */
  served: (n: ts.Node) => boolean = () => true,
  /** Does the endpoint's path name an export (`/export/full`, `/data-request`)? */
  namedExport = false,
): BulkExport | undefined {
  const r = rules();
  let read: ts.CallExpression | undefined;
  let what = '';
  let marker: ts.Node | undefined;
  // every row of several collections one person owns, read whole (`moods`, `journals`, `health_metrics` by `user_id`)
  const owned = new Map<string, ts.CallExpression>();
  const closure = calleeClosure([fn], values, r.followDepth);
  // a file made only for a mail, in place or by a helper whose every call hands its file to one
  const mailed = (c: ts.CallExpression, f: FunctionNode, depth: number): boolean => {
    if (mailedOnly(c, r)) return true;
    if (f === fn || depth > 3) return false;
    const sites: [ts.CallExpression, FunctionNode][] = [];
    for (const g of closure)
      for (const s of callsIn(g))
        if (ts.isCallExpression(s) && values.resolve(s.expression).some((v) => v.kind === 'function' && v.node === f))
          sites.push([s, g]);
    return sites.length > 0 && sites.every(([s, g]) => mailed(s, g, depth + 1));
  };
  for (const f of closure) {
    for (const c of callsIn(f)) {
      if (!ts.isCallExpression(c) || (f === fn && !served(c))) continue;
      const w = collectionRead(c, r);
      if (w && !read) {
        read = c;
        what = w;
      }
      if (w?.endsWith(OWNED)) owned.set(w, c);
      if (!marker && fileMarker(c, r) && !mailed(c, f, 0)) marker = c;
      if (read && marker) return { read, marker, what };
    }
  }
  // an endpoint named for an export that gathers the whole of several collections of the account's: everything the
  // account holds handed out, as a file or not (a data-portability or access request answered in place)
  if (namedExport && owned.size >= GATHERED) {
    const reads = [...owned.values()];
    return {
      read: reads[0],
      marker: reads[reads.length - 1],
      what: `${owned.size} collections the account owns`,
      gathered: true,
    };
  }
  return undefined;
}

/** How many whole collections of one account's rows make the account's data gathered. */
const GATHERED = 3;

/**
 * Does the handler read more than one record, or call anything that might (a package, a service)?
 * Not when it is a stub answering 501, reads one record by its key, or sets a cookie: then an
 * export word in its path has nothing to describe.
 */
/** Why a handler reads no collection for an export word to describe, if it reads none. */
export function noCollection(fn: FunctionNode, values: ValueResolver): string | undefined {
  if (!readsBeyondOneRecord(fn, values)) return 'a handler that reads no more than one record';
  if (readsOnlyPages(fn, values)) return 'a handler whose list reads are each bounded to a page';
  return undefined;
}

/**
 * A call that reads no records: on an object the function itself builds with `new` (a PDF document, a
 * workbook being written), or on one of Node's own modules (`fs.createWriteStream`, `path.join`).
 */
function readsNothing(c: ts.CallExpression, f: FunctionNode, values: ValueResolver): boolean {
  if (rules().builtReads.test(calleeName(c))) return false;
  const recv = rootOf(c.expression);
  return !!recv && recv !== skipOuter(c.expression) && builtHere(recv, f, values, 0);
}

/** Is the call made on an object the function builds itself (`client.send(…)` with `client = new Client()`)? */
function builtReceiver(c: ts.CallExpression, f: FunctionNode): boolean {
  const recv = rootOf(c.expression);
  const init = recv && recv !== skipOuter(c.expression) ? localInit(recv, f) : undefined;
  return !!init && ts.isNewExpression(init);
}

/** What a local of `f` is initialised with (`new Client()`, `fs.createWriteStream(…)`), if the name is one. */
function localInit(id: ts.Identifier, f: FunctionNode): ts.Expression | undefined {
  const d = findDeclaration(id);
  return d && ts.isVariableDeclaration(d) && d.initializer && isInside(d, f) ? skipOuter(d.initializer) : undefined;
}

/** The identifier a chain of member accesses and calls starts from (`stream` in `stream.on(…)`). */
function rootOf(e: ts.Expression): ts.Identifier | undefined {
  let x = skipOuter(e);
  while (ts.isPropertyAccessExpression(x) || ts.isCallExpression(x)) x = skipOuter(x.expression);
  return ts.isIdentifier(x) ? x : undefined;
}

/** Is a name one of Node's modules, or a local the function makes from `new` or from one of those? */
function builtHere(id: ts.Identifier, f: FunctionNode, values: ValueResolver, depth: number): boolean {
  const init = depth < 3 ? localInit(id, f) : undefined;
  if (init) {
    if (ts.isNewExpression(init)) return true;
    const root = ts.isCallExpression(init) ? rootOf(init.expression) : undefined;
    return !!root && builtHere(root, f, values, depth + 1);
  }
  return values.resolve(id).some((v) => v.kind === 'external' && rules().inertModules.test(v.module));
}

function isInside(n: ts.Node, f: ts.Node): boolean {
  for (let p: ts.Node | undefined = n; p; p = p.parent) if (p === f) return true;
  return false;
}

function readsBeyondOneRecord(fn: FunctionNode, values: ValueResolver): boolean {
  const r = rules();
  if (!r.quiet || !r.single) return true;
  const closure = calleeClosure([fn], values, r.followDepth);
  const looked = new Set<ts.Node>(closure);
  for (const f of closure) {
    for (const c of callsIn(f)) {
      if (!ts.isCallExpression(c)) return true;
      const name = calleeName(c);
      // a read named call on a client the function builds (`new DynamoDBClient().send(scan)`) reads, whatever the name's other uses
      if (name && r.builtReads.test(name) && builtReceiver(c, f)) return true;
      if (!name || r.quiet.test(name) || readsNothing(c, f, values)) continue;
      // inside a query bounded to one row (`db.select(…).from(users).where(eq(…)).limit(1)`): one record
      if (inOneRowQuery(c, f)) continue;
      // a project function looked into: its own calls are looked at, unless its name is an export's work
      // (one past the follow depth is not looked into, so it counts as a call that might read)
      if (!r.work?.test(name) && values.resolve(c.expression).some((v) => v.kind === 'function' && looked.has(v.node)))
        continue;
      if (!r.single.test(name)) return true;
    }
  }
  return false;
}

/** A call inside (or ending) a query chain bounded to one row: `.limit(1)`, `.take(1)`, `.first()`. */
function inOneRowQuery(c: ts.CallExpression, f: ts.Node): boolean {
  for (let p: ts.Node | undefined = c; p && p !== f && !ts.isStatement(p); p = p.parent) {
    if (!ts.isCallExpression(p)) continue;
    const name = calleeName(p);
    const arg = p.arguments.length === 1 ? skipOuter(p.arguments[0]) : undefined;
    const one = !!arg && ts.isNumericLiteral(arg) && arg.text === '1';
    if (((name === 'limit' || name === 'take') && one) || (name === 'first' && p.arguments.length === 0)) return true;
  }
  return false;
}

/**
 * Are the handler's list reads all bounded to a page (`findMany({ take: 100 })`, `.limit(20)`)? Then what it
 * answers is a page of records, whatever its path calls it (policy: a paginated list is not an export).
 * False when it makes no list read, or one without such a bound.
 */
function readsOnlyPages(fn: FunctionNode, values: ValueResolver): boolean {
  const r = rules();
  let lists = 0;
  for (const f of calleeClosure([fn], values, r.followDepth))
    for (const c of callsIn(f)) {
      if (!ts.isCallExpression(c)) continue;
      // a statement's own collection read (raw SQL, a builder) is not bounded by this check
      if (sqlCollectionRead(c, r)) return false;
      // a statement bounded to a page (`SELECT … LIMIT 20`, `… LIMIT ? OFFSET ?`), and the calls that run it
      // (`.bind(id).all()` on the prepared statement)
      if (pagedStatement(c)) {
        // (pages read in a loop until none are left: the whole collection)
        if (inLoop(c, f)) return false;
        lists++;
        continue;
      }
      const parts = calleeParts(c.expression) ?? getterParts(c.expression);
      if (!parts || parts.length < 2 || !r.readMany.test(parts[parts.length - 1])) continue;
      if (chainRoot(c, pagedStatement)) continue;
      // a page read in a loop (a cursor walked to the end) reads the whole collection
      if (!boundedToPage(c, r) || inLoop(c, f)) return false;
      lists++;
    }
  return lists > 0;
}

/** A SQL read bounded to a page: a literal LIMIT of a page or less, or an OFFSET. */
function pagedStatement(c: ts.CallExpression): boolean {
  const text = sqlText(c);
  if (!text || !/^\s*select\b/i.test(text)) return false;
  const small = /\blimit\s+(\d+)/i.exec(text);
  return (!!small && Number(small[1]) <= PAGE_LIMIT) || /\boffset\b/i.test(text);
}

/** Is a call made on a chain that starts at a call `test` accepts (`db.prepare(sql).bind(id).all()`)? */
function chainRoot(c: ts.CallExpression, test: (x: ts.CallExpression) => boolean): boolean {
  let x: ts.Expression = skipOuter(c.expression);
  while (ts.isPropertyAccessExpression(x) || ts.isCallExpression(x)) {
    if (ts.isCallExpression(x) && test(x)) return true;
    x = skipOuter(x.expression);
  }
  return false;
}

/** Does the call sit in a loop of its function (`for (;;) { … findMany({ take: 100, cursor }) … }`)? */
function inLoop(c: ts.Node, fn: ts.Node): boolean {
  for (let p = c.parent; p && p !== fn; p = p.parent) if (ts.isIterationStatement(p, false)) return true;
  return false;
}

/** A list read bounded to a page by a literal (`findMany({ take: 100 })`, `.limit(20)`): a page, not the collection. */
function boundedToPage(c: ts.CallExpression, r: Rules): boolean {
  if (literalBounds(c.arguments[0], r).bounds.some((b) => b <= PAGE_LIMIT)) return true;
  // `.from(events).limit(20)`: the bound further down the chain
  for (let p: ts.Node = c; p.parent && ts.isPropertyAccessExpression(p.parent);) {
    const call = p.parent.parent;
    if (!call || !ts.isCallExpression(call)) break;
    if (/^(limit|take)$/.test(p.parent.name.text)) {
      const n = call.arguments[0] && skipOuter(call.arguments[0]);
      return !!n && ts.isNumericLiteral(n) && Number(n.text) <= PAGE_LIMIT;
    }
    p = call;
  }
  return false;
}

/** A whole collection of sign-in records answered as they are stored, their secret column with them. */
export interface CredentialDump {
  read: ts.CallExpression;
  what: string;
  /** Where the records are answered. */
  answer: ts.Node;
}

/**
 * Every record people sign in with, answered as stored (`const users = await User.find(); res.json(users)`):
 * each row carries its password hash, so the answer is the whole collection of credentials, a bulk export
 * whether or not it is a file (policy: "a whole-collection CSV/JSON"). Not when the read picks its columns
 * (`select`, a projection, `attributes`), is a page or one record, or the schema hides the secret column
 * (`select: false`, a `toJSON` transform); not when the records are mapped or counted before the answer.
 */
export function credentialDump(
  fn: FunctionNode,
  values: ValueResolver,
  served: (n: ts.Node) => boolean = () => true,
): CredentialDump | undefined {
  const r = rules();
  const d = dumps();
  const closure = calleeClosure([fn], values, r.followDepth);
  for (const f of closure)
    for (const c of callsIn(f)) {
      if (!ts.isCallExpression(c) || (f === fn && !served(c))) continue;
      const model = wholeRecordsRead(c, r, d);
      // (the project's schemas are read for a hidden secret only once a read of sign-in records is found)
      if (!model || !holdsSecret(values, model, d) || hidesSecrets(values, d)) continue;
      // (a secret column named anywhere else in the function, `delete u.password`, `omit(u, 'password')`: taken out)
      const own = ts.findAncestor(c.parent, ts.isFunctionLike) ?? fn;
      if (d.stripped.test(reachableText(own, c))) continue;
      const answer = answered(c, fn, closure, values, d, 0);
      if (answer) return { read: c, what: `${calleeParts(c.expression)?.join('.') ?? model}(…)`, answer };
    }
  return undefined;
}

/**
 * The text of `own` that can run with the read `c`'s result in hand: `c` itself and the branches that exclude
 * it left out (the other arm of an `if` around it, the other cases of its `switch`; a case that falls through
 * keeps those after it). A sign-up in another case hashing `body.password` strips nothing from what `c` reads.
 */
function reachableText(own: ts.Node, c: ts.Node): string {
  const cut: Array<[number, number]> = [[c.getStart(), c.getEnd()]];
  for (let n: ts.Node = c; n.parent && n !== own; n = n.parent) {
    const p = n.parent;
    if (ts.isIfStatement(p) && p.elseStatement) {
      const other = n === p.thenStatement ? p.elseStatement : n === p.elseStatement ? p.thenStatement : undefined;
      if (other) cut.push([other.getStart(), other.getEnd()]);
    } else if (ts.isConditionalExpression(p) && n !== p.condition) {
      const other = n === p.whenTrue ? p.whenFalse : p.whenTrue;
      cut.push([other.getStart(), other.getEnd()]);
    } else if (ts.isCaseBlock(p) && (ts.isCaseClause(n) || ts.isDefaultClause(n))) {
      const clauses = p.clauses;
      const i = clauses.indexOf(n);
      const ends = leavesSwitch(n.statements[n.statements.length - 1]);
      clauses.forEach((k, j) => {
        if (j < i || (j > i && ends)) cut.push([k.getStart(), k.getEnd()]);
      });
    }
  }
  const text = own.getSourceFile().text;
  let out = '';
  let at = own.getStart();
  for (const [a, b] of cut.sort((x, y) => x[0] - y[0])) {
    if (a < at) continue;
    out += text.slice(at, a);
    at = b;
  }
  return out + text.slice(at, own.getEnd());
}

/** A clause's last statement that leaves the switch: `break`, `return`, `throw`, or a `{ … }` ending in one. */
function leavesSwitch(s: ts.Statement | undefined): boolean {
  if (!s) return false;
  if (ts.isBlock(s)) return leavesSwitch(s.statements[s.statements.length - 1]);
  return ts.isBreakStatement(s) || ts.isReturnStatement(s) || ts.isThrowStatement(s);
}

const dumps = compiled(() => {
  const x = ruleFile('assets').exports.dumps;
  return {
    secretColumns: new RegExp(x.secretColumns, 'i'),
    projections: new RegExp(x.projections),
    passThrough: new RegExp(x.passThrough),
    hidden: new RegExp(x.hiddenSecrets),
    markedValues: new RegExp(x.markedValues, 'i'),
    stripped: new RegExp(x.strippedSecrets, 'i'),
    resultRows: new RegExp(x.resultRows),
  };
});

type Dumps = ReturnType<typeof dumps>;

/** Does any schema the project declares keep its secret columns out of answers (`select: false`, `toJSON`)? */
function hidesSecrets(values: ValueResolver, d: Dumps): boolean {
  const slot = values.session.get(HIDES_SECRETS);
  slot.value ??= schemaSources(values).some((f) => d.hidden.test(values.store.text(f, false) ?? ''));
  return slot.value;
}

const HIDES_SECRETS = memo('classify.hidesSecrets', () => ({ value: undefined as boolean | undefined }));

/** Does a record keep a sign-in secret: the sign-in looks it up, or its declared columns hold a password? */
function holdsSecret(values: ValueResolver, model: string, d: Dumps): boolean {
  if (declaredFields(values, model)?.some((col) => d.secretColumns.test(col))) return true;
  return signsInOn(values, model);
}

/**
 * The record a read takes whole: every row (no page, not one by its key) with every column (no
 * projection in its options, its chain or its statement). `User.find()`, `db.user.findMany()`,
 * `Users.findAll({ where })`, `db.select().from(users)`, `SELECT * FROM users`.
 */
function wholeRecordsRead(c: ts.CallExpression, r: Rules, d: Dumps): string | undefined {
  if (!collectionRead(c, r)) return undefined;
  const sql = sqlText(c);
  if (sql) {
    const m = /^\s*select\s+([\s\S]*?)\s+from\s+["`]?(\w+)/i.exec(sql);
    // (a condition picks rows the analysis does not weigh: `WHERE role = 'admin'`)
    if (!m || /\bwhere\b/i.test(sql)) return undefined;
    const cols = m[1].split(',').map((s) => norm(s.replace(/^.*\./, '')));
    return cols.some((col) => col === '' || d.secretColumns.test(col)) || /^\s*(\w+\.)?\*\s*$/.test(m[1])
      ? m[2]
      : undefined;
  }
  const callee = skipOuter(c.expression);
  let model: string | undefined;
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'from') {
    // drizzle: `db.select().from(users)` takes every column; `db.select({ id: users.id })` picks
    const select = skipOuter(callee.expression);
    if (!ts.isCallExpression(select) || select.arguments.length) return undefined;
    // a condition further down the chain (`.where(inArray(users.id, ids))`) picks rows the analysis does not weigh
    for (
      let p: ts.Node = c;
      p.parent && ts.isPropertyAccessExpression(p.parent) && p.parent.parent;
      p = p.parent.parent
    )
      if (p.parent.name.text === 'where') return undefined;
    const t = c.arguments[0] && skipOuter(c.arguments[0]);
    model = t && ts.isIdentifier(t) ? t.text : undefined;
  } else {
    const parts = calleeParts(c.expression) ?? getterParts(c.expression);
    if (!parts || parts.length < 2 || !r.readMany.test(parts[parts.length - 1])) return undefined;
    model = modelName(norm(parts[parts.length - 2]));
    // a projection handed in (`find({}, '-password')`, `find(filter, { password: 0 })`) or named in the options
    if (c.arguments.length > 1) return undefined;
    const opts = c.arguments[0] && skipOuter(c.arguments[0]);
    // options the analysis cannot list (`findAll(publicAttrs)`, `{ ...publicUser }`) may pick the columns
    if (opts && (!ts.isObjectLiteralExpression(opts) || opts.properties.some((p) => ts.isSpreadAssignment(p))))
      return undefined;
    if (opts?.properties.some((p) => p.name && d.projections.test(propertyNameText(p.name) ?? ''))) return undefined;
  }
  if (!model || !isPeople(model, r) || markedSubset(c.arguments[0], d)) return undefined;
  return model;
}

/**
 * Does a read's condition pick a marked few out of the collection: a flag that holds (`{ is_banned: true }`), the
 * administrators' role (`{ type: 'admin' }`), records listed by their ids (`{ id: { in: ids } }`)? Those are a
 * subset a screen shows, not every account; a flag that does not hold (`{ is_banned: false }`) leaves the rest.
 */
function markedSubset(arg: ts.Expression | undefined, d: Dumps): boolean {
  if (idInList(arg)) return true;
  const cond = queryCondition(arg);
  return !!cond?.properties.some((p) => {
    if (!ts.isPropertyAssignment(p)) return false;
    const v = skipOuter(p.initializer);
    return v.kind === ts.SyntaxKind.TrueKeyword || (ts.isStringLiteralLike(v) && d.markedValues.test(v.text));
  });
}

/**
 * Where the records a read returns are answered as they are: the read (through `await` and calls along its chain
 * that keep every column, `.lean()`, `.sort()`, `.populate()`) handed to a response call, as its argument or a
 * member of one (`res.json({ data: users })`); held in a local so handed; returned by the handler (a tRPC
 * resolver, a server action) or by a helper whose call is answered so.
 */
function answered(
  read: ts.Node,
  fn: FunctionNode,
  closure: readonly FunctionNode[],
  values: ValueResolver,
  d: Dumps,
  depth: number,
): ts.Node | undefined {
  let n: ts.Node = read;
  for (;;) {
    const p = n.parent;
    if (!p) return undefined;
    if (
      ts.isAwaitExpression(p) ||
      ts.isParenthesizedExpression(p) ||
      ts.isAsExpression(p) ||
      ts.isNonNullExpression(p)
    ) {
      n = p;
      continue;
    }
    // a driver's result rows (`(await pool.query(sql)).rows`)
    if (
      ts.isPropertyAccessExpression(p) &&
      p.expression === n &&
      d.resultRows.test(p.name.text) &&
      !(p.parent && ts.isCallExpression(p.parent) && p.parent.expression === p)
    ) {
      n = p;
      continue;
    }
    if (ts.isPropertyAccessExpression(p) && p.expression === n && p.parent && ts.isCallExpression(p.parent)) {
      if (p.parent.expression !== p) return undefined;
      const name = p.name.text;
      // `User.find().then((users) => res.json(users))`: the records are the callback's parameter
      const cb = name === 'then' ? p.parent.arguments[0] && skipOuter(p.parent.arguments[0]) : undefined;
      if (cb && (ts.isArrowFunction(cb) || ts.isFunctionExpression(cb))) {
        const param = cb.parameters[0];
        if (!param || !ts.isIdentifier(param.name)) return undefined;
        for (const u of localUses(param)) {
          const at = answeredAt(u, fn, values);
          if (at) return at;
        }
        return undefined;
      }
      if (d.projections.test(name) || !d.passThrough.test(name)) return undefined;
      n = p.parent;
      continue;
    }
    break;
  }
  const direct = answeredAt(n, fn, values);
  if (direct) return direct;
  const p = n.parent;
  if (p && ts.isVariableDeclaration(p) && p.initializer === n) {
    // the records held in a local (`const users = …`), or a driver's rows taken out of its result
    // (`const { rows } = await db.query(sql)`, `const [rows] = await pool.query(sql)`, `result.rows`)
    const holders: (ts.VariableDeclaration | ts.BindingElement)[] = [];
    if (ts.isIdentifier(p.name)) holders.push(p);
    else if (ts.isObjectBindingPattern(p.name))
      for (const el of p.name.elements) {
        const key = el.propertyName ? propertyNameText(el.propertyName) : ts.isIdentifier(el.name) ? el.name.text : '';
        if (ts.isIdentifier(el.name) && d.resultRows.test(key ?? '')) holders.push(el);
      }
    else if (ts.isArrayBindingPattern(p.name)) {
      const first = p.name.elements[0];
      if (first && ts.isBindingElement(first) && ts.isIdentifier(first.name)) holders.push(first);
    }
    for (const h of holders)
      for (const u of localUses(h)) {
        const rows =
          ts.isPropertyAccessExpression(u.parent) && u.parent.expression === u && d.resultRows.test(u.parent.name.text)
            ? u.parent
            : u;
        const at = answeredAt(rows, fn, values);
        if (at) return at;
      }
    return undefined;
  }
  // a helper returning the records: answered where a call of it is
  const own = ts.findAncestor(n, ts.isFunctionLike);
  if (depth < 2 && own && own !== fn && returnsValue(n)) {
    for (const g of closure)
      for (const s of callsIn(g))
        if (
          ts.isCallExpression(s) &&
          values.resolve(s.expression).some((v) => v.kind === 'function' && v.node === own)
        ) {
          const at = answered(s, fn, closure, values, d, depth + 1);
          if (at) return at;
        }
  }
  return undefined;
}

/** Is a value what its function returns (`return users`, an arrow's expression body)? */
function returnsValue(n: ts.Node): boolean {
  const p = n.parent;
  return !!p && (ts.isReturnStatement(p) || (ts.isArrowFunction(p) && p.body === n));
}

/** Is the handler's response object (its second parameter, `res` of `(req, res)`) among the call's arguments? */
function handsResponse(call: ts.CallExpression | ts.NewExpression, fn: FunctionNode): boolean {
  const res = fn.parameters[1];
  if (!res || !ts.isIdentifier(res.name)) return false;
  const name = res.name.text;
  return !!call.arguments?.some((a) => {
    const x = skipOuter(a);
    return ts.isIdentifier(x) && x.text === name && findDeclaration(x) === res;
  });
}

/** Methods of a list that answer a tally or new rows, not the rows as they are (`users.length`, `users.map(…)`). */
const TALLIES = /^(length|map|flatMap|reduce|forEach|some|every|filter|find|findIndex|includes|slice|join|size|count)$/;

/**
 * Does a project helper handed the response object answer the records it is given as they are? The parameter
 * that receives them reaches it whole (`sendSuccess(res, 200, 'Users', users)` answering `{ data }`), not only
 * counted or mapped (`sendCount(res, users)` answering `users.length`). A helper the analysis cannot read, or an
 * object handed to it (`{ users, total }`), is taken as answered.
 */
function helperAnswers(call: ts.CallExpression | ts.NewExpression, arg: ts.Node, values?: ValueResolver): boolean {
  if (!values || !ts.isCallExpression(call)) return true;
  const i = call.arguments.findIndex((a) => a === arg);
  if (i < 0) return true;
  const x = skipOuter(call.arguments[i]);
  if (!ts.isIdentifier(x)) return true;
  const helper = values.resolve(call.expression).find((v) => v.kind === 'function' && !!v.node.body);
  if (!helper || helper.kind !== 'function') return true;
  const param = helper.node.parameters[i];
  if (!param || !ts.isIdentifier(param.name)) return true;
  return localUses(param).some((u) => {
    const p = u.parent;
    return !(ts.isPropertyAccessExpression(p) && p.expression === u && TALLIES.test(p.name.text));
  });
}

/**
 * Is a value answered where it stands: an argument of a response call, directly or as a member of an object or
 * array handed to one (`res.status(200).json({ message: users })`, `c.json(users)`, `new Response(JSON.stringify(
 * users))`), or returned by the handler itself?
 */
function answeredAt(n: ts.Node, fn: FunctionNode, values?: ValueResolver): ts.Node | undefined {
  const r = rules();
  let x: ts.Node = n;
  for (let hops = 0; hops < 6; hops++) {
    const p = x.parent;
    if (!p) return undefined;
    if (
      ts.isPropertyAssignment(p) ||
      ts.isShorthandPropertyAssignment(p) ||
      ts.isObjectLiteralExpression(p) ||
      ts.isArrayLiteralExpression(p) ||
      ts.isParenthesizedExpression(p) ||
      ts.isAsExpression(p) ||
      ts.isAwaitExpression(p)
    ) {
      if (ts.isPropertyAssignment(p) && p.initializer !== x) return undefined;
      x = p;
      continue;
    }
    if (ts.isCallExpression(p) || ts.isNewExpression(p)) {
      if (!p.arguments?.some((a) => a === x)) return undefined;
      const name = ts.isCallExpression(p) ? calleeName(p) : skipOuter(p.expression).getText();
      if (name === 'stringify') {
        x = p;
        continue;
      }
      // (a project helper handed the handler's response object, `sendSuccess(res, 200, 'Users', { users })`, answers with it)
      return r.responseCalls.test(name ?? '') || (handsResponse(p, fn) && helperAnswers(p, x, values)) ? p : undefined;
    }
    if (returnsValue(x) && ts.findAncestor(p, ts.isFunctionLike) === fn) return p;
    return undefined;
  }
  return undefined;
}
