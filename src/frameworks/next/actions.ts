// Next.js server actions: every one is a public endpoint (a POST to the page that renders it) that
// Next.js middleware does not cover. Listed: the exported async functions of a module whose first
// statements hold `'use server'`, and every function whose body starts with `'use server'` (inline
// actions in server components and forms); an action built by an action client
// (`actionClient.use(mw).schema(s).action(fn)`, zsa `createServerAction().input(s).handler(fn)`)
// has its middleware and context stages as its chain and its input schema as its body fields.
// Identity: method `ACTION`, path `<file relative to the application root>#<export name>`, inline
// actions `#<enclosing function>.<action name>`.
import { ts } from 'ts-morph';
import { forEachNode } from '../../analysis/walk.js';
import { hasDirective, hasModifier } from '../../analysis/directives.js';
import { addSchemaFields, readBodyFields } from '../../analysis/body.js';
import { findDeclaration, lookupName } from '../../analysis/scope.js';
import { unwrap } from '../../analysis/unwrap.js';
import { isFunctionNode, propertyNameText, skipOuter } from '../../analysis/values.js';
import type { BodyField, Endpoint, FunctionNode } from '../../model.js';
import { isTestPath } from '../../project/prefilter.js';
import { ruleFile } from '../../rules/load.js';
import { relPosix, spanOf } from '../../util.js';
import {
  builderRules,
  builtChains,
  commonSteps,
  inputSchemas,
  isInputOption,
  stepLinks,
  wordsPath,
  type BuiltChain,
} from '../shared/builders.js';
import { containedEndpoint, handlerRef, unanalysedEndpoint, wrapperLinks } from '../shared/endpoint.js';
import { textMarks } from '../shared/text-marks.js';
import type { AdapterContext, AdapterPlan, FrameworkAdapter, PlanContext } from '../types.js';
import { exportedExpression } from '../shared/method-exports.js';

interface ActionSite {
  name: string;
  /** A default export's own name (`export default async function addBalance`): what the handler is called. */
  own?: string;
  /** Listed from the module's statements alone, after finding its actions failed. */
  unanalysed?: boolean;
  anchor: ts.Node;
  /** The exported or inline value: a function, a wrapper call, an action-client chain. */
  value: ts.Expression;
}

function isAsyncFunction(fn: ts.Node): boolean {
  return isFunctionNode(fn) && hasModifier(fn, ts.SyntaxKind.AsyncKeyword);
}

/**
 * The built procedures an action runs: its own chain (`actionClient.schema(s).action(fn)`), or the
 * procedure a wrapper call is handed (`createAction(router.inviteMember)`, tRPC's server-action
 * handler): the wrapper adds a context, the procedure's steps and handler are the action's.
 */
function actionChains(value: ts.Expression, ctx: AdapterContext): BuiltChain[] {
  const own = builtChains(value, ctx.values).filter((c) => c.terminal);
  const x = skipOuter(value);
  if (own.length || !ts.isCallExpression(x)) return own;
  for (const a of x.arguments) {
    const handed = builtChains(a, ctx.values).filter((c) => c.terminal);
    if (handed.length) return handed;
  }
  return [];
}

/**
 * Can an exported value be a server action? An async function, a wrapper or action-client call
 * whose result runs a function, or a name for one of those. (A schema, a constant or a sync
 * function cannot be exported from a `'use server'` module.)
 */
function isActionValue(expr: ts.Expression, ctx: AdapterContext, depth = 0): boolean {
  const x = skipOuter(expr);
  if (depth > 6) return false;
  if (isFunctionNode(x)) return isAsyncFunction(x);
  if (ts.isCallExpression(x)) {
    if (actionChains(x, ctx).length) return true;
    const u = unwrap(x, ctx.values);
    return !!u.fn && (u.wrappers.length > 0 || !!u.factory);
  }
  if (ts.isIdentifier(x) || ts.isPropertyAccessExpression(x)) {
    return ctx.values
      .resolve(x)
      .some((v) =>
        v.kind === 'function'
          ? isAsyncFunction(v.node)
          : v.kind === 'call' && ts.isCallExpression(v.node)
            ? isActionValue(v.node, ctx, depth + 1)
            : false,
      );
  }
  return false;
}

/** The exported actions of a `'use server'` module. */
function moduleActions(sf: ts.SourceFile, ctx: AdapterContext): ActionSite[] {
  const out: ActionSite[] = [];
  const push = (name: string, anchor: ts.Node, value: ts.Expression | undefined, own?: string): void => {
    if (!value || out.some((o) => o.name === name) || !isActionValue(value, ctx)) return;
    out.push({ name, anchor, value, ...(own && own !== name ? { own } : {}) });
  };
  const local = (id: ts.Identifier, from: ts.Node): ts.Expression | undefined => {
    const d = lookupName(id.text, from) ?? findDeclaration(id);
    if (!d) return undefined;
    if (ts.isFunctionDeclaration(d)) return d as unknown as ts.Expression;
    if (ts.isVariableDeclaration(d)) return d.initializer;
    return id;
  };
  for (const st of sf.statements) {
    if (ts.isFunctionDeclaration(st) && hasModifier(st, ts.SyntaxKind.ExportKeyword) && st.body) {
      const name = hasModifier(st, ts.SyntaxKind.DefaultKeyword) ? 'default' : st.name?.text;
      if (name) push(name, st, st as unknown as ts.Expression, st.name?.text);
    } else if (ts.isVariableStatement(st) && hasModifier(st, ts.SyntaxKind.ExportKeyword)) {
      const many = st.declarationList.declarations.length > 1;
      for (const d of st.declarationList.declarations)
        if (ts.isIdentifier(d.name)) push(d.name.text, many ? d : st, d.initializer);
    } else if (ts.isExportDeclaration(st) && !st.isTypeOnly && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const el of st.exportClause.elements) {
        if (el.isTypeOnly) continue;
        const src = (el.propertyName ?? el.name) as ts.Identifier;
        if (!st.moduleSpecifier) push(el.name.text, el, local(src, st));
        else {
          const r = ctx.values.resolver.resolve((st.moduleSpecifier as ts.StringLiteral).text, sf.fileName);
          push(el.name.text, el, r.kind === 'file' ? exportedExpression(r.file, src.text, ctx) : undefined);
        }
      }
    } else if (ts.isExportAssignment(st) && !st.isExportEquals)
      push('default', st, st.expression, ts.isIdentifier(st.expression) ? st.expression.text : undefined);
  }
  return out;
}

/**
 * The functions a `'use server'` module visibly exports, read from its statements alone (no
 * resolution): what is listed when finding its actions fails.
 */
function visibleExports(sf: ts.SourceFile): ActionSite[] {
  const out: ActionSite[] = [];
  for (const st of sf.statements) {
    if (
      ts.isFunctionDeclaration(st) &&
      hasModifier(st, ts.SyntaxKind.ExportKeyword) &&
      st.body &&
      isAsyncFunction(st)
    ) {
      const isDefault = hasModifier(st, ts.SyntaxKind.DefaultKeyword);
      const name = isDefault ? 'default' : st.name?.text;
      if (name)
        out.push({
          name,
          anchor: st,
          value: st as unknown as ts.Expression,
          ...(isDefault && st.name ? { own: st.name.text } : {}),
        });
    } else if (ts.isVariableStatement(st) && hasModifier(st, ts.SyntaxKind.ExportKeyword)) {
      for (const d of st.declarationList.declarations) {
        const init = d.initializer && skipOuter(d.initializer);
        // an async function or a call (an action client's chain, a wrapper): a constant or a schema is not an action
        if (
          ts.isIdentifier(d.name) &&
          init &&
          ((isFunctionNode(init) && isAsyncFunction(init)) || ts.isCallExpression(init))
        )
          out.push({
            name: d.name.text,
            anchor: st.declarationList.declarations.length > 1 ? d : st,
            value: d.initializer,
          });
      }
    }
  }
  return out;
}

/** The name a function is known by where it is written: its own, its variable's, its key's, or the form attribute it is passed to. */
function ownName(fn: FunctionNode): string | undefined {
  if ((ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn) || ts.isMethodDeclaration(fn)) && fn.name)
    return fn.name.getText();
  let n: ts.Node = fn;
  while (
    n.parent &&
    (ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isSatisfiesExpression(n.parent))
  )
    n = n.parent;
  const p = n.parent;
  if (!p) return undefined;
  if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  if ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) && p.name) return propertyNameText(p.name);
  // `<form action={async () => { 'use server'; … }}>`: the attribute it is passed to
  if (ts.isJsxExpression(p) && p.parent && ts.isJsxAttribute(p.parent)) return p.parent.name.getText();
  if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const left = skipOuter(p.left);
    if (ts.isIdentifier(left)) return left.text;
    if (ts.isPropertyAccessExpression(left)) return left.name.text;
  }
  return undefined;
}

/** The nearest enclosing function's name (a component, a page), if any. */
function enclosingName(fn: ts.Node): string | undefined {
  let n: ts.Node | undefined = fn.parent;
  while (n && !ts.isSourceFile(n)) {
    if (isFunctionNode(n)) {
      const own = ownName(n);
      if (own) return own;
      if (ts.isFunctionDeclaration(n) && hasModifier(n, ts.SyntaxKind.DefaultKeyword)) return 'default';
      // an anonymous function handed to something else: keep looking outwards
    }
    if (ts.isExportAssignment(n)) return 'default';
    n = n.parent;
  }
  return undefined;
}

/** Functions whose body starts with the directive (not the module's own exports). */
function inlineActions(sf: ts.SourceFile, directive: string, exported: Set<ts.Node>): ActionSite[] {
  const out: ActionSite[] = [];
  // a whole-file walk without recursion: a file nested deeper than the stack still yields its actions
  forEachNode(sf, (n) => {
    if (
      isFunctionNode(n) &&
      n.body &&
      ts.isBlock(n.body) &&
      hasDirective(n.body.statements, directive) &&
      !exported.has(n)
    ) {
      const own = ownName(n) ?? 'action';
      const outer = enclosingName(n);
      out.push({ name: outer ? `${outer}.${own}` : own, anchor: n, value: n as unknown as ts.Expression });
    }
  });
  return out;
}

/** Body fields of an action: what its parameters carry (`formData.get('x')`, `{ amount }`, `input.x`). */
function paramFields(fn: FunctionNode, ctx: AdapterContext): BodyField[] {
  const params = new Set<ts.Node>(fn.parameters);
  const fields = readBodyFields(fn, 'next-action', ctx.values, 'ACTION', [], (e) => {
    const x = skipOuter(e);
    if (!ts.isIdentifier(x)) return false;
    const d = findDeclaration(x);
    return !!d && params.has(d);
  });
  for (const p of fn.parameters) {
    // a value the client passes as its own argument (`addBalance(userID, amount)`): the parameter names the field
    // (a parameter read as an object, `formData.get('x')`, `input.email`, is the container its fields are read from)
    if (ts.isIdentifier(p.name) && !p.dotDotDotToken && scalarParameter(p, fn)) {
      const name = p.name.text;
      if (!fields.some((f) => f.name === name)) fields.push({ name, span: spanOf(p) });
      continue;
    }
    if (!ts.isObjectBindingPattern(p.name)) continue;
    for (const el of p.name.elements) {
      const name = propertyNameText((el.propertyName ?? el.name) as ts.PropertyName);
      if (name && !el.dotDotDotToken && !fields.some((f) => f.name === name)) fields.push({ name, span: spanOf(el) });
    }
  }
  return fields;
}

/**
 * A parameter used only as a value: never a property read (`p.x`, `p['x']`, `p.get()`), never
 * destructured, not typed as an object or `FormData`, and not named like a container.
 */
function scalarParameter(p: ts.ParameterDeclaration, fn: FunctionNode): boolean {
  const containers = ruleFile('frameworks').serverActions.containerParameters ?? [];
  if (!ts.isIdentifier(p.name) || containers.includes(p.name.text.toLowerCase())) return false;
  if (p.type && !SCALAR_TYPES.has(p.type.kind)) return false;
  if (!fn.body) return false;
  const name = p.name.text;
  let used = false;
  let container = false;
  forEachNode(fn.body, (n) => {
    if (container || !ts.isIdentifier(n) || n.text !== name || findDeclaration(n) !== p) return;
    used = true;
    const at = n.parent;
    if ((ts.isPropertyAccessExpression(at) || ts.isElementAccessExpression(at)) && at.expression === n)
      container = true;
    if (ts.isVariableDeclaration(at) && at.initializer === n && !ts.isIdentifier(at.name)) container = true;
    if (ts.isSpreadAssignment(at) || ts.isSpreadElement(at)) container = true;
  });
  return used && !container;
}

const SCALAR_TYPES = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.StringKeyword,
  ts.SyntaxKind.NumberKeyword,
  ts.SyntaxKind.BooleanKeyword,
  ts.SyntaxKind.BigIntKeyword,
]);

/**
 * The words an action is classified on: the route folders of its file and its name
 * (`src/app/(main)/settings/danger/actions.ts#deleteAccountAction` → `/settings/danger/delete-account-action`).
 */
export function actionWords(relFile: string, name: string, structural: readonly string[]): string {
  const parts = relFile.replace(/\.[cm]?[jt]sx?$/, '').split('/');
  const stem = parts.pop() ?? '';
  const keep = (seg: string): boolean => !!seg && !structural.includes(seg.toLowerCase()) && !/^[(@_]/.test(seg);
  const segs = parts.filter(keep);
  const stemWords = stem.split('.').filter(keep);
  return wordsPath([...segs, ...stemWords, ...name.split('.')]);
}

function actionEndpoint(site: ActionSite, file: string, ctx: AdapterContext): Endpoint {
  const appRoot = ctx.workspace.appRootOf(file);
  const chains = actionChains(site.value, ctx);
  const built = chains[0];
  const handlerExpr = built ? built.terminal!.handler : site.value;
  const u = unwrap(handlerExpr, ctx.values);
  const steps = built ? commonSteps(chains) : [];
  let bodyFields: BodyField[] = [];
  if (u.fn) {
    const inputOption = built ? builderRules(built.builder)?.inputOption : undefined;
    bodyFields = built
      ? readBodyFields(
          u.fn,
          'next-action',
          ctx.values,
          'ACTION',
          [],
          inputOption ? isInputOption(u.fn, inputOption) : undefined,
        )
      : paramFields(u.fn, ctx);
  }
  if (built) addSchemaFields(bodyFields, inputSchemas(built.steps), ctx.values);
  const rel = relPosix(appRoot, file);
  return {
    id: '',
    framework: 'next-action',
    method: 'ACTION',
    path: `${rel}#${site.name}`,
    wordsPath: actionWords(rel, site.name, ruleFile('frameworks').serverActions.structuralSegments),
    anchor: spanOf(site.anchor),
    appRoot,
    handler: { ...handlerRef(u, handlerExpr), name: u.fn ? (site.own ?? site.name) : u.name },
    chain: [...stepLinks(steps, ctx.values), ...wrapperLinks(u)],
    bodyFields,
    tags: [],
  };
}

export function createServerActionsAdapter(): FrameworkAdapter {
  const files = new Set<string>();
  return {
    name: 'next-action',

    plan(ctx: PlanContext): AdapterPlan {
      for (const f of ctx.sources) {
        const appRoot = ctx.workspace.appRootOf(f);
        // server actions belong to Next.js applications (a bare folder without package.json may be one)
        if (ctx.workspace.packageAt(appRoot) && !ctx.workspace.dependsOn(appRoot, 'next')) continue;
        if (isTestPath(relPosix(ctx.root, f))) continue;
        if (textMarks(ctx, f)?.useServer) files.add(f);
      }
      return { routeFiles: [...files], conventionOnlyApps: [] };
    },

    extract(ctx: AdapterContext): Endpoint[] {
      const rules = ruleFile('frameworks').serverActions;
      const out: Endpoint[] = [];
      for (const file of ctx.candidates) {
        if (!files.has(file)) continue;
        const sf = ctx.store.get(file);
        if (!sf) continue;
        // Finding a file's actions is one unit (if it fails, the functions the module visibly exports
        // are listed, unverifiable); each action's analysis is another.
        const moduleLevel = hasDirective(sf.statements, rules.directive);
        const sites = ctx.values.session.contain(
          file,
          'extract',
          () => {
            const found = moduleLevel ? moduleActions(sf, ctx) : [];
            const exported = new Set<ts.Node>(
              found.flatMap((s) => [
                s.value as ts.Node,
                ...(isFunctionNode(skipOuter(s.value)) ? [skipOuter(s.value)] : []),
              ]),
            );
            return [...found, ...inlineActions(sf, rules.directive, exported)];
          },
          () =>
            [...(moduleLevel ? visibleExports(sf) : []), ...inlineActions(sf, rules.directive, new Set())].map((s) => ({
              ...s,
              unanalysed: true,
            })),
          { wholeFile: true },
        );
        for (const site of sites) {
          const appRoot = ctx.workspace.appRootOf(file);
          const seed = {
            framework: 'next-action' as const,
            method: 'ACTION' as const,
            path: `${relPosix(appRoot, file)}#${site.name}`,
            anchor: site.anchor,
            handlerExpr: site.value,
          };
          out.push(
            site.unanalysed
              ? unanalysedEndpoint(seed, ctx, ctx.values.session.failureOf(file) ?? 'not analysed')
              : containedEndpoint(seed, ctx, () => actionEndpoint(site, file, ctx)),
          );
        }
      }
      return out;
    },
  };
}
