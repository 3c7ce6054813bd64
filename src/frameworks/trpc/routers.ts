// tRPC routers: `t.router({...})` / `createTRPCRouter({...})`, nested routers (an object nested in
// place, a router imported from another file, a plain object of procedures spread or nested),
// `mergeRouters(a, b)`; walked down to the procedures, each with its dotted path and its key.
import { ts } from 'ts-morph';
import { evalString } from '../../analysis/strings.js';
import { findDeclaration } from '../../analysis/scope.js';
import { unwrap } from '../../analysis/unwrap.js';
import {
  accessName,
  isInside,
  isFunctionNode,
  propertyNameText,
  returnExpressions,
  skipOuter,
  type Value,
  type ValueResolver,
} from '../../analysis/values.js';
import type { FunctionNode } from '../../model.js';
import type { FrameworkRules } from '../../rules/types.js';
import { builtChains, isExport, type BuiltChain } from '../shared/builders.js';
import { exportedNode } from '../shared/export-paths.js';
import { ChainedRouters } from './chained.js';

export interface ProcedureSite {
  /** Keys from the root router down to the procedure. */
  path: string[];
  /** The procedure's key in its router object: the anchor. */
  key: ts.Node;
  /** How the procedure is built (one per alternative of a conditional base). */
  chains: BuiltChain[];
}

export class RouterWalker {
  /** Router calls reached as a part of another router. */
  readonly nested = new Set<ts.Node>();
  private readonly kinds = new Map<ts.Node, 'router' | 'merge' | 'lazy' | 'chain' | null>();
  private readonly chained: ChainedRouters;
  private readonly wrapping = new Set<ts.Node>();

  /** Called when a part of a router could not be walked (its procedures may be missing). */
  onFail: (reason: string) => void = () => undefined;

  constructor(
    private readonly values: ValueResolver,
    private readonly rules: FrameworkRules['trpc'],
  ) {
    this.chained = new ChainedRouters(values, rules, (reason) => this.onFail(reason));
  }

  /**
   * `t.router(…)` (however it is exported and named), `mergeRouters(…)`, `lazy(() => import(…))` or
   * the last call of a v9 chain (`createRouter().query(…)`).
   */
  routerKind(call: ts.CallExpression): 'router' | 'merge' | 'lazy' | 'chain' | undefined {
    // (while a factory's parameters are bound, `t.router(…)` with `t` a parameter is asked afresh)
    let k = this.values.bound ? undefined : this.kinds.get(call);
    if (k === undefined) {
      const r = this.rules;
      k = isExport(call.expression, r.routers, this.values)
        ? 'router'
        : isExport(call.expression, r.mergers, this.values)
          ? 'merge'
          : isExport(call.expression, r.lazy, this.values)
            ? 'lazy'
            : this.chained.isRouter(call)
              ? 'chain'
              : null;
      if (!this.values.bound) this.kinds.set(call, k);
    }
    return k ?? undefined;
  }

  /** `lazy(() => import('./user').then((m) => m.userRouter))`: the router it picks; the module's file when it loads the module whole (its one export is read there). */
  private lazyTarget(call: ts.CallExpression): ts.Node | string | undefined {
    const loader = call.arguments[0] && skipOuter(call.arguments[0]);
    if (!loader || !isFunctionNode(loader)) return undefined;
    let x: ts.Expression | undefined = returnExpressions(loader)[0];
    if (!x) return undefined;
    x = skipOuter(x);
    let name: string | undefined;
    if (ts.isCallExpression(x) && ts.isPropertyAccessExpression(x.expression) && x.expression.name.text === 'then') {
      const pick = x.arguments[0] && skipOuter(x.arguments[0]);
      const picked = pick && isFunctionNode(pick) ? returnExpressions(pick)[0] : undefined;
      const member = picked && skipOuter(picked);
      const n =
        member && (ts.isPropertyAccessExpression(member) || ts.isElementAccessExpression(member))
          ? accessName(member)
          : undefined;
      if (!n) return undefined;
      name = n;
      x = skipOuter(x.expression.expression);
    }
    if (
      !ts.isCallExpression(x) ||
      x.expression.kind !== ts.SyntaxKind.ImportKeyword ||
      !x.arguments[0] ||
      !ts.isStringLiteralLike(x.arguments[0])
    )
      return undefined;
    const r = this.values.resolver.resolve(x.arguments[0].text, call.getSourceFile().fileName);
    if (r.kind !== 'file') return undefined;
    return name !== undefined ? exportedNode(r.file, name, this.values) : r.file;
  }

  /**
   * A module loaded whole (`lazy(() => import('./user'))`): tRPC serves the module's one export when it is
   * a router (default or named: `export const userRouter = router({…})`); a module with any other value
   * exported beside it (a schema, a constant) fails to load, and serves nothing. Type exports do not count.
   */
  private soleRouterExport(file: string, depth: number, stack: Set<ts.Node>): ProcedureSite[] {
    const names = valueExports(file, this.values, 0);
    if (!names || names.length !== 1) return [];
    const node = exportedNode(file, names[0], this.values);
    return node ? this.procedures(node, [], depth + 1, stack) : [];
  }

  /** Every procedure a router expression serves, with its path below `prefix`. */
  procedures(expr: ts.Node, prefix: string[] = [], depth = 0, stack: Set<ts.Node> = new Set()): ProcedureSite[] {
    if (depth > 16) return [];
    const x = ts.isExpression(expr) ? skipOuter(expr) : expr;
    if (ts.isCallExpression(x)) {
      const kind = this.routerKind(x);
      if (kind) {
        if (stack.has(x)) return [];
        stack.add(x);
        try {
          if (kind === 'chain')
            return this.chained.procedures(x, this.nested).map((s) => ({ ...s, path: [...prefix, ...s.path] }));
          if (kind === 'merge') return x.arguments.flatMap((a) => this.procedures(a, prefix, depth + 1, stack));
          if (kind === 'lazy') {
            const target = this.lazyTarget(x);
            if (typeof target === 'string')
              return this.soleRouterExport(target, depth, stack).map((s) => ({ ...s, path: [...prefix, ...s.path] }));
            return target ? this.procedures(target, prefix, depth + 1, stack) : [];
          }
          return x.arguments[0] ? this.objectProcedures(x.arguments[0], prefix, depth + 1, stack) : [];
        } finally {
          stack.delete(x);
        }
      }
    }
    if (ts.isObjectLiteralExpression(x)) return this.entries(x, prefix, depth + 1, stack);
    // `changePassword: settingsRouter.changePassword`: one member of another router, served under this key
    const picked = this.pickedMember(x, prefix, depth, stack);
    if (picked) return picked;
    const out: ProcedureSite[] = [];
    for (const v of this.values.resolve(x)) {
      if (v.kind === 'call' && ts.isCallExpression(v.node) && v.node !== x) {
        const node = v.node;
        const made = this.factoryOf(v);
        // (also a router a project function builds on the tRPC instance it is handed: `tokensRouter(t)`
        // returning `t.router({…})`, asked with the function's parameters bound)
        if (
          this.routerKind(node) ||
          (made && this.values.withArguments(made.fn, made.site, () => this.routerKind(node)))
        ) {
          this.nested.add(node);
          out.push(
            ...(made
              ? this.fromFactory(made, () => this.procedures(node, prefix, depth + 1, stack))
              : this.procedures(node, prefix, depth + 1, stack)),
          );
          continue;
        }
      }
      if (v.kind === 'object' && v.node !== x) out.push(...this.entries(v.node, prefix, depth + 1, stack));
      // `{ one, ...adminProcedures }` with `import * as adminProcedures`: every export is a member
      else if (v.kind === 'module') out.push(...this.moduleProcedures(v.file, prefix, depth + 1, stack, new Set()));
      else if (v.kind === 'call' && ts.isCallExpression(v.node) && !this.routerKind(v.node))
        for (const inner of this.wrappedRouters(v.node)) out.push(...this.procedures(inner, prefix, depth + 1, stack));
    }
    return out;
  }

  /**
   * A member picked from a router by name (`settingsRouter.changePassword`, `adminRouter['users']`): the procedures
   * that router serves under that key, served here under `prefix` (which ends with this router's own key).
   */
  private pickedMember(x: ts.Node, prefix: string[], depth: number, stack: Set<ts.Node>): ProcedureSite[] | undefined {
    if (!ts.isPropertyAccessExpression(x) && !ts.isElementAccessExpression(x)) return undefined;
    const name = accessName(x);
    if (name === undefined) return undefined;
    const routers = this.values
      .resolve(x.expression)
      .filter(
        (v): v is Extract<Value, { kind: 'call' }> =>
          v.kind === 'call' && ts.isCallExpression(v.node) && !!this.routerKind(v.node),
      );
    if (!routers.length) return undefined;
    const out: ProcedureSite[] = [];
    for (const r of routers) {
      this.nested.add(r.node);
      for (const s of this.procedures(r.node, [], depth + 1, stack))
        if (s.path[0] === name) out.push({ ...s, path: [...prefix, ...s.path.slice(1)] });
    }
    return out;
  }

  /**
   * A router a project function builds from its arguments (`defineMutation({ key: 'changePassword',
   * handler })` returning `router({ [config.key]: procedure })`): the call site and the function, so
   * the router is walked with the function's parameters bound to that call's arguments.
   */
  private factoryOf(v: Value): { site: ts.CallExpression; fn: FunctionNode } | undefined {
    if (v.kind !== 'call' || !v.site || !ts.isCallExpression(v.site)) return undefined;
    const site = v.site;
    const fn = this.values
      .resolve(site.expression)
      .find((f): f is Extract<Value, { kind: 'function' }> => f.kind === 'function' && isInside(v.node, f.node));
    return fn && fn.node.parameters.length && site.arguments.length ? { site, fn: fn.node } : undefined;
  }

  /**
   * The procedures of a factory-built router, for one call: what each reads of the call's arguments
   * (its handler, its input schema) is taken while they are bound, and a procedure whose key is written
   * inside the factory is anchored at the call that names it.
   */
  private fromFactory(
    made: { site: ts.CallExpression; fn: FunctionNode },
    walk: () => ProcedureSite[],
  ): ProcedureSite[] {
    return this.values.withArguments(made.fn, made.site, () =>
      walk().map((s) => ({
        ...s,
        // (a key the factory computes from its arguments, `[config.key]`, is named at the call; one it writes, at itself)
        key: isInside(s.key, made.fn) && computedKey(s.key) ? made.site : s.key,
        chains: s.chains.map((c) => this.concrete(c, made.fn)),
      })),
    );
  }

  /** A chain built inside a factory, with what it reads of the factory's parameters resolved to this call's values. */
  private concrete(chain: BuiltChain, fn: FunctionNode): BuiltChain {
    const pick = (e: ts.Expression): ts.Expression => {
      if (!isInside(e, fn)) return e;
      // `config.middleware`: the expression the call wrote there (`recentReauth`, `withReauth(async …)`)
      const written = this.writtenArgument(e);
      if (written) return written;
      const vals = this.values.resolve(e);
      const only = vals.length === 1 ? vals[0] : undefined;
      return only && 'node' in only && !isInside(only.node, fn) && ts.isExpression(only.node) ? only.node : e;
    };
    const terminal = chain.terminal;
    return {
      ...chain,
      steps: chain.steps.map((st) =>
        st.kind === 'input' || st.kind === 'middleware' ? { ...st, expr: pick(st.expr) } : st,
      ),
      terminal: terminal ? { ...terminal, handler: this.concreteHandler(terminal.handler, fn) } : terminal,
    };
  }

  /**
   * The handler a factory's resolver hands the request to: the expression the call gave for it (`handler:
   * withReauth(async …)` keeps its wrapper), whether the resolver only forwards (`(opts) => config.handler(opts)`)
   * or does more around it (`const data = await config.handler(opts); return { ok: true, data }`).
   */
  private concreteHandler(handler: ts.Expression, fn: FunctionNode): ts.Expression {
    const h = skipOuter(handler);
    // `.mutation(config.handler)`: what the call wrote there
    const direct = this.writtenArgument(h);
    if (direct) return direct;
    if (!isFunctionNode(h) || !h.body) return handler;
    const written: ts.Expression[] = [];
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n)) {
        const w = this.writtenArgument(skipOuter(n.expression));
        if (w && !written.includes(w)) written.push(w);
      }
      if (!isFunctionNode(n) || n === h) n.forEachChild(visit);
    };
    visit(h);
    if (written.length === 1) return written[0];
    const u = unwrap(handler, this.values).fn;
    return u && u !== h && !isInside(u, fn) ? (u as unknown as ts.Expression) : handler;
  }

  /** `config.handler` with `config` a parameter bound to an object literal of the call: what that object writes there. */
  private writtenArgument(e: ts.Expression): ts.Expression | undefined {
    const x = skipOuter(e);
    if (!ts.isPropertyAccessExpression(x) || !ts.isIdentifier(skipOuter(x.expression))) return undefined;
    const d = findDeclaration(skipOuter(x.expression) as ts.Identifier);
    const obj = d && ts.isParameter(d) ? this.values.boundTo(d) : undefined;
    const o = obj && skipOuter(obj);
    if (!o || !ts.isObjectLiteralExpression(o)) return undefined;
    const name = x.name.text;
    for (const p of o.properties) {
      if (!p.name || propertyNameText(p.name) !== name) continue;
      if (ts.isPropertyAssignment(p)) return p.initializer;
      if (ts.isShorthandPropertyAssignment(p)) return p.name;
      if (ts.isMethodDeclaration(p)) return p as unknown as ts.Expression;
    }
    return undefined;
  }

  /**
   * A call the analysis cannot follow (a package's `withIntrospection(t, router, options)`, a
   * project's decorator) that is handed a router serves that router: such wrappers return it,
   * augmented. Only arguments that are routers count; options objects are not procedures.
   */
  private wrappedRouters(call: ts.CallExpression): ts.Expression[] {
    if (this.wrapping.has(call)) return [];
    this.wrapping.add(call);
    try {
      return call.arguments.filter((a) => {
        const x = skipOuter(a);
        if (ts.isCallExpression(x)) return !!this.routerKind(x);
        return this.values
          .resolve(x)
          .some(
            (v) => v.kind === 'call' && ts.isCallExpression(v.node) && v.node !== call && !!this.routerKind(v.node),
          );
      });
    } finally {
      this.wrapping.delete(call);
    }
  }

  private objectProcedures(arg: ts.Expression, prefix: string[], depth: number, stack: Set<ts.Node>): ProcedureSite[] {
    const x = skipOuter(arg);
    if (ts.isObjectLiteralExpression(x)) return this.entries(x, prefix, depth, stack);
    return this.values
      .resolve(x)
      .flatMap((v) =>
        v.kind === 'object'
          ? this.entries(v.node, prefix, depth, stack)
          : v.kind === 'module'
            ? this.moduleProcedures(v.file, prefix, depth, stack, new Set())
            : [],
      );
  }

  /**
   * `router(authProcedures)` with `import * as authProcedures from './procedures'`: every export of
   * the module (through `export * from './change-email'` too) is a member under its exported name.
   */
  private moduleProcedures(
    file: string,
    prefix: string[],
    depth: number,
    stack: Set<ts.Node>,
    seen: Set<string>,
  ): ProcedureSite[] {
    if (seen.has(file) || seen.size > 64) return [];
    seen.add(file);
    const t = this.values.exportsOf(file);
    if (!t) return [];
    const out: ProcedureSite[] = [];
    for (const [name, entry] of t.named) {
      if (name === 'default') continue;
      const d = entry.decl;
      const node =
        entry.expr ??
        (d && (ts.isVariableDeclaration(d) || ts.isFunctionDeclaration(d)) && d.name && ts.isIdentifier(d.name)
          ? d.name
          : undefined);
      if (node) out.push(...this.member(node, [...prefix, name], node, depth + 1, stack));
    }
    for (const spec of t.stars) {
      const r = this.values.resolver.resolve(spec, file);
      if (r.kind === 'file') out.push(...this.moduleProcedures(r.file, prefix, depth, stack, seen));
    }
    return out;
  }

  private entries(
    obj: ts.ObjectLiteralExpression,
    prefix: string[],
    depth: number,
    stack: Set<ts.Node>,
  ): ProcedureSite[] {
    if (stack.has(obj)) return [];
    stack.add(obj);
    const out: ProcedureSite[] = [];
    try {
      for (const p of obj.properties) {
        if (ts.isSpreadAssignment(p)) {
          out.push(...this.procedures(p.expression, prefix, depth + 1, stack));
          continue;
        }
        if (!ts.isPropertyAssignment(p) && !ts.isShorthandPropertyAssignment(p)) continue;
        // `{ [config.key]: procedure }` in a factory walked for one call: the key that call gives
        const name =
          propertyNameText(p.name) ??
          (this.values.bound && ts.isComputedPropertyName(p.name)
            ? evalString(p.name.expression, this.values)
            : undefined);
        if (name === undefined) continue;
        const value: ts.Expression = ts.isPropertyAssignment(p) ? p.initializer : p.name;
        out.push(...this.member(value, [...prefix, name], p.name, depth + 1, stack));
      }
    } finally {
      stack.delete(obj);
    }
    return out;
  }

  /**
   * A member of a router: a procedure, or a router whose walk is a unit of its own when no unit is
   * running (each part of the root router), so a part that cannot be walked costs that part only.
   */
  private member(
    value: ts.Expression,
    path: string[],
    key: ts.Node,
    depth: number,
    stack: Set<ts.Node>,
  ): ProcedureSite[] {
    const session = this.values.session;
    if (session.budget.current !== undefined) return this.memberInner(value, path, key, depth, stack);
    const file = key.getSourceFile().fileName;
    return session.contain(
      file,
      'extract',
      () => this.memberInner(value, path, key, depth, stack),
      (reason) => {
        this.onFail(reason);
        return [];
      },
      { wholeFile: true },
    );
  }

  private memberInner(
    value: ts.Expression,
    path: string[],
    key: ts.Node,
    depth: number,
    stack: Set<ts.Node>,
  ): ProcedureSite[] {
    const chains = builtChains(value, this.values).filter((c) => c.terminal && c.builder === this.rules.builder);
    if (chains.length) return [{ path, key, chains }];
    const x = skipOuter(value);
    if (ts.isCallExpression(x) && this.routerKind(x)) this.nested.add(x);
    return this.procedures(value, path, depth, stack);
  }
}

/** A router key computed from a value (`[config.key]: procedure`), not written as a name. */
function computedKey(key: ts.Node): boolean {
  return ts.isComputedPropertyName(key) || (!!key.parent && ts.isComputedPropertyName(key.parent));
}

/**
 * The names a module exports as values at run time (what `Object.values(await import(…))` holds): type
 * exports, type-only re-exports and namespaces holding only types are erased; `export *` adds the values of the
 * module it names. Undefined when a re-exported module cannot be read.
 */
function valueExports(file: string, values: ValueResolver, depth: number): string[] | undefined {
  const sf = values.sourceFile(file);
  if (!sf || depth > 4) return undefined;
  const out = new Set<string>();
  const exported = (n: ts.Node): boolean =>
    ts.canHaveModifiers(n) && !!ts.getModifiers(n)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const isDefault = (n: ts.Node): boolean =>
    ts.canHaveModifiers(n) && !!ts.getModifiers(n)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
  for (const st of sf.statements) {
    if (ts.isExportAssignment(st)) out.add('default');
    else if (ts.isExportDeclaration(st)) {
      if (st.isTypeOnly) continue;
      if (!st.exportClause) {
        // `export * from './types'`: whatever values that module has
        const spec = st.moduleSpecifier;
        const r = spec && ts.isStringLiteral(spec) ? values.resolver.resolve(spec.text, file) : undefined;
        if (!r || r.kind !== 'file') return undefined;
        const inner = valueExports(r.file, values, depth + 1);
        if (!inner) return undefined;
        for (const n of inner) if (n !== 'default') out.add(n);
      } else if (ts.isNamespaceExport(st.exportClause)) out.add(st.exportClause.name.text);
      else for (const el of st.exportClause.elements) if (!el.isTypeOnly) out.add(el.name.text);
    } else if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) continue;
    else if (!exported(st)) continue;
    else if (ts.isModuleDeclaration(st)) {
      if (instantiated(st)) out.add(st.name.getText());
    } else if (ts.isVariableStatement(st))
      for (const d of st.declarationList.declarations) {
        if (ts.isIdentifier(d.name)) out.add(d.name.text);
        else return undefined;
      }
    else if (isDefault(st)) out.add('default');
    else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isEnumDeclaration(st)) && st.name)
      out.add(st.name.text);
  }
  return [...out];
}

/** Does a namespace hold anything at run time (not only types, not only `declare`d)? */
function instantiated(m: ts.ModuleDeclaration): boolean {
  if (ts.getModifiers(m)?.some((x) => x.kind === ts.SyntaxKind.DeclareKeyword)) return false;
  const body = m.body;
  if (!body) return false;
  if (ts.isModuleDeclaration(body)) return instantiated(body);
  if (!ts.isModuleBlock(body)) return false;
  return body.statements.some((st) =>
    ts.isModuleDeclaration(st) ? instantiated(st) : !(ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)),
  );
}
