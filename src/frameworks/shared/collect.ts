// Collects router registrations for a router-style framework into a RouterGraph: every
// `recv.method(...)` call whose receiver resolves (through variables, imports, classes, factory
// returns, parameters) to a router of the framework, plus registrar functions called with a router.
import { ts } from 'ts-morph';
import { findDeclaration } from '../../analysis/scope.js';
import { evalStrings } from '../../analysis/strings.js';
import { externalName } from '../../analysis/unwrap.js';
import {
  accessName,
  lastName,
  propertyNameText,
  skipOuter,
  type Value,
  type ValueResolver,
} from '../../analysis/values.js';
import { matchesExport } from '../../rules/load.js';
import type { ModuleExport } from '../../rules/types.js';
import { FolderListing } from './folder-listing.js';
import { Instantiations } from './instances.js';
import { callIndex, iteration, nameOf, withBindings } from './iterations.js';
import { importedPackageFiles } from './package-files.js';
import type { Order, RouterGraph, RouterNode } from './router-graph.js';
import { conditionTruth, onTakenBranch } from './router-graph.js';
import type { AdapterContext } from '../types.js';
import { isTestPath } from '../../project/prefilter.js';
import { relPosix } from '../../util.js';
import { forEachNode } from '../../analysis/walk.js';
import { memo } from '../../memo.js';

export interface RouterRef {
  router: RouterNode;
  /** Express `route('/x')` chain, or the last path of a Hono chained registration. */
  routePath?: string;
}

export interface Dialect {
  creators: readonly ModuleExport[];
  /** Creators of application objects (served by themselves) rather than routers to mount. */
  appCreators?: readonly ModuleExport[];
  /** Methods whose call on a router returns something router-like (chains, basePath, route). `site`: the factory call it was built for. */
  chain(method: string, call: ts.CallExpression, refs: RouterRef[], c: Collector, site?: ts.Node): RouterRef[];
  /**
   * Record the registration `call` (method `method`) on `refs`. `methodExpr`: the method was a
   * computed key (`router[verb](…)`) that only a registrar's call arguments decide.
   */
  register(method: string, call: ts.CallExpression, refs: RouterRef[], c: Collector, methodExpr?: ts.Expression): void;
  /** Method names worth looking at on any receiver. */
  methods: Set<string>;
  /** Other names of those methods (`postAsync` → `post`), from packages that add them to a router. */
  methodAliases?: Readonly<Record<string, string>>;
  /** Calls that return the router they are given (`decorateRouter(express.Router())`). */
  routerWrappers?: readonly ModuleExport[];
  /** Calls whose result holds the app they are given under a property (`expressWs(app).app`). */
  appHolders?: readonly (ModuleExport & { property: string })[];
  /**
   * An object built by a call into a package the analysis cannot read: may it be this framework's
   * router (then its routes are accepted by their handlers' shape, see `RouterNode.duck`)?
   */
  builtElsewhere?(callee: { module: string; name: string }): boolean;
  /** Receivers that resolve to nothing known: may this call still be a route? */
  guess(method: string, call: ts.CallExpression, c: Collector): boolean;
  /** Type names that mark a parameter as this framework's router (`Express`, `Router`, `Hono`). */
  paramTypes: RegExp;
  /** A parameter (or a member read through it) that holds no router: a handler's context, its bindings. */
  holdsNoRouter?: (param: ts.ParameterDeclaration, path: readonly string[]) => boolean;
  /** Could this call register something at all (argument shape)? Parameters become routers only then. */
  plausible(method: string, call: ts.CallExpression): boolean;
  /** Module names whose import marks a file as this framework's. */
  importHints: string[];
}

/** How many members deep a parameter may hold a router (`{ app }`, `deps.routers.api`). */
const MAX_PARAM_PATH = 3;

/**
 * Where a registration happens in its file. A method call is placed at its method's name: in a chain
 * (`handler.use(auth).post(create)`) every call starts where the chain does, but runs in name order.
 */
export function orderOf(node: ts.Node): Order {
  const at = ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) ? node.expression.name : node;
  return { file: node.getSourceFile().fileName, pos: at.getStart() };
}

/** `require(path.resolve(file))(app)`: a module loaded by a name that is not a plain string, called at once. */
const COMPUTED_LOAD_CALL = /\brequire\s*\(\s*(?!['"][^'"]*['"]\s*\))[^;\n]*?\)\s*\(\s*[\w$.]+\s*[,)]/;

const CALLS_COMPUTED_LOAD = memo('collect.callsComputedLoad', () => ({ value: undefined as boolean | undefined }));

/** A function that is its module's whole export (`module.exports = function (app) {…}`, `export default (app) => …`). */
function exportedWhole(fn: ts.Node): boolean {
  const p = fn.parent;
  if (ts.isFunctionDeclaration(fn)) return !!ts.getModifiers(fn)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
  if (ts.isExportAssignment(p)) return true;
  return (
    ts.isBinaryExpression(p) &&
    p.right === fn &&
    p.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
    /^(module\.exports|exports)$/.test(p.left.getText())
  );
}

export class Collector {
  private readonly paramRouters = new Map<ts.Node, { index: number; path: string[]; router: RouterNode }[]>();
  /**
   * Routers made by calling the framework's creator through a parameter (`module.exports = (app, express) =>
   * { const router = express.Router(); … }`): each counts once a call of its function passes the creator.
   */
  private readonly paramCreators = new Map<ts.Node, { index: number; path: string[]; router: RouterNode }[]>();
  /** Classes whose routers are one per `new` (paths from the constructor's arguments). */
  private readonly instances: Instantiations;
  /** Folders whose modules a loop mounts (`fs.readdirSync(__dirname).forEach(…)`). */
  private readonly folders: FolderListing;

  constructor(
    readonly graph: RouterGraph,
    readonly values: ValueResolver,
    readonly dialect: Dialect,
  ) {
    graph.session = values.session;
    this.instances = new Instantiations(values, (name) => !!this.methodName(name));
    this.folders = new FolderListing(values);
  }

  isCreator(callee: Value): boolean {
    return matchesExport(this.dialect.creators, externalName(callee));
  }

  /** Does a project class extend the framework's app class, directly or through other project classes? */
  private readonly subclassesApp = new Map<ts.ClassLikeDeclaration, boolean>();

  private extendsCreator(cls: ts.ClassLikeDeclaration, depth: number): boolean {
    if (depth > 4) return false;
    const known = this.subclassesApp.get(cls);
    if (known !== undefined) return known;
    const found = this.extendsCreatorUncached(cls, depth);
    this.subclassesApp.set(cls, found);
    return found;
  }

  private readonly madeClasses = new Map<ts.ClassLikeDeclaration, boolean>();

  /**
   * Is the class, or a class of the project extending it, made somewhere (`new CaptionsApp()`)? A subclass of the
   * framework's app that nothing instantiates serves nothing. Read from the sources' text, a few levels of subclasses.
   */
  private instantiated(cls: ts.ClassLikeDeclaration): boolean {
    const known = this.madeClasses.get(cls);
    if (known !== undefined) return known;
    const store = this.values.store;
    const texts = [...store.known].map((f) => store.text(f, false) ?? '');
    let names = cls.name ? [cls.name.text] : [];
    const all = new Set(names);
    for (let level = 0; level < 4 && names.length; level++) {
      const next: string[] = [];
      for (const n of names)
        for (const t of texts)
          for (const m of t.matchAll(new RegExp(`\\bclass\\s+(\\w+)\\s+extends\\s+(?:\\w+\\.)?${n}\\b`, 'g')))
            if (!all.has(m[1])) {
              all.add(m[1]);
              next.push(m[1]);
            }
      names = next;
    }
    const made = [...all].some((n) => texts.some((t) => new RegExp(`\\bnew\\s+${n}\\b`).test(t)));
    this.madeClasses.set(cls, made);
    return made;
  }

  /** Is the framework class a project class extends (through its bases) the framework's app (`Hono`, not a router)? */
  private creatorIsApp(cls: ts.ClassLikeDeclaration, depth: number): boolean {
    const ext = cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
    if (!ext || depth > 4) return false;
    return this.values
      .resolve(ext.expression)
      .some(
        (b) =>
          matchesExport(this.dialect.appCreators ?? [], externalName(b)) ||
          (b.kind === 'class' && this.creatorIsApp(b.node, depth + 1)),
      );
  }

  private extendsCreatorUncached(cls: ts.ClassLikeDeclaration, depth: number): boolean {
    const ext = cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
    if (!ext) return false;
    return this.values
      .resolve(ext.expression)
      .some((b) => this.isCreator(b) || (b.kind === 'class' && this.extendsCreator(b.node, depth + 1)));
  }

  /** The method a name stands for (`postAsync` → `post`), or undefined when it is not one. */
  methodName(name: string): string | undefined {
    const m = this.dialect.methodAliases?.[name] ?? name;
    return this.dialect.methods.has(m) ? m : undefined;
  }

  private builtElsewhere(c: Value): boolean {
    const ext = externalName(c);
    return !!ext && !!this.dialect.builtElsewhere?.(ext);
  }

  /** Router references an expression may evaluate to. */
  refs(expr: ts.Expression, params = true): RouterRef[] {
    return this.values.resolve(expr).flatMap((v) => this.refsFromValue(v, 0, params));
  }

  refsFromValue(v: Value, depth: number, params = true, siteOverride?: ts.Node): RouterRef[] {
    // `depth` follows a value's own structure (one step per chained call): finite, so only a guard.
    if (depth > 5000) return [];
    this.values.budget.step('router references');
    if (v.kind === 'call') {
      const site = this.ownSite(v) ?? siteOverride;
      const out: RouterRef[] = [];
      for (const c of v.callee) {
        if (this.isCreator(c)) {
          const made = this.graph.node(v.node, v.node.getSourceFile().fileName, v.node.getStart());
          made.node ??= v.node;
          if (matchesExport(this.dialect.appCreators ?? [], externalName(c))) made.app = true;
          if (!site) {
            out.push({ router: made });
            continue;
          }
          // Built by a factory: one router per call site, carrying what the factory registers itself.
          const perSite = this.graph.node(siteKey(site, v.node), site.getSourceFile().fileName, site.getStart());
          perSite.node ??= site;
          if (made.app) perSite.app = true;
          if (perSite !== made)
            this.graph.add(perSite, { kind: 'inline', router: made, anchor: site, order: orderOf(site), alias: true });
          out.push({ router: perSite });
        } else if (c.kind === 'member' && ts.isCallExpression(v.node)) {
          // `new Hono().basePath(p)` returned by a factory: the whole chain is per call site.
          const base = this.refsFromValue(c.base, depth + 1, params, site);
          if (base.length) out.push(...this.dialect.chain(c.name, v.node, base, this, site));
        } else if (
          ts.isCallExpression(v.node) &&
          v.node.arguments.length &&
          matchesExport(this.dialect.routerWrappers ?? [], externalName(c))
        ) {
          // `decorateRouter(express.Router())`: the wrapper returns the router it was given
          out.push(...this.refs(v.node.arguments[0], params));
        } else if (c.kind === 'external' && this.builtElsewhere(c)) {
          const made = this.graph.node(v.node, v.node.getSourceFile().fileName, v.node.getStart(), { guessed: true });
          made.node ??= v.node;
          made.duck = true;
          out.push({ router: made });
        } else if (c.kind === 'param' && this.creatorThroughParam(c.path)) {
          // `express.Router()` with `express` a parameter: a router once a caller passes the framework in
          const made = this.graph.node(v.node, v.node.getSourceFile().fileName, v.node.getStart(), { param: true });
          made.node ??= v.node;
          let list = this.paramCreators.get(c.fn);
          if (!list) this.paramCreators.set(c.fn, (list = []));
          if (!list.some((p) => p.router === made)) list.push({ index: c.index, path: c.path, router: made });
          out.push({ router: made });
        } else if (c.kind === 'param' && c.path.length && ts.isCallExpression(v.node)) {
          // `app.basePath('/api/v1')` on a registrar's parameter: a method called on the parameter's router
          const base = this.refsFromValue({ ...c, path: c.path.slice(0, -1) }, depth + 1, params, site);
          if (base.length) out.push(...this.dialect.chain(c.path[c.path.length - 1], v.node, base, this, site));
        }
      }
      return out;
    }
    // `const ws = expressWs(app); ws.app.get(…)`: a package's result holding the app it was given
    if (
      v.kind === 'member' &&
      v.base.kind === 'call' &&
      ts.isCallExpression(v.base.node) &&
      v.base.node.arguments.length
    ) {
      const holders = (this.dialect.appHolders ?? []).filter((h) => h.property === v.name);
      if (holders.length && v.base.callee.some((c) => matchesExport(holders, externalName(c))))
        return this.refs(v.base.node.arguments[0], params);
    }
    // `new AppHandler()` with `class AppHandler extends OpenAPIHono`: a project subclass of the
    // framework's app is an app, one per `new`
    if (v.kind === 'instance' && v.site && this.extendsCreator(v.cls, 0)) {
      const made = this.graph.node(v.site, v.site.getSourceFile().fileName, v.site.getStart());
      made.node ??= v.site;
      return [{ router: made }];
    }
    // `this.get('/health', …)` in a method of such a subclass (`class ToolServer extends Hono`, its constructor
    // calling `this.setupRoutes()`): the app each instance is, one router for the class's own registrations
    if (v.kind === 'instance' && !v.site && this.extendsCreator(v.cls, 0) && this.instantiated(v.cls)) {
      const made = this.graph.node(v.cls, v.cls.getSourceFile().fileName, v.cls.getStart());
      made.node ??= v.cls;
      if (this.creatorIsApp(v.cls, 0)) made.app = true;
      return [{ router: made }];
    }
    if (v.kind === 'param') {
      // A router handed over as a member of a parameter (`deps.routers.api`) is followed a few members
      // deep; a deeper chain is a value passed back into its own function (`f(body.readable)`), not a router.
      if (!params || v.path.length > MAX_PARAM_PATH) return [];
      const key = v.path.length
        ? `${v.fn.pos}:${v.fn.getSourceFile().fileName}:${v.index}:${v.path.join('.')}`
        : (v.fn.parameters[v.index] ?? v.node);
      const router = this.graph.node(key, v.node.getSourceFile().fileName, v.node.getStart(), { param: true });
      if (!router.evidence) router.evidence = this.paramEvidence(v);
      let list = this.paramRouters.get(v.fn);
      if (!list) this.paramRouters.set(v.fn, (list = []));
      if (!list.some((p) => p.router === router)) list.push({ index: v.index, path: v.path, router });
      return [{ router }];
    }
    return [];
  }

  /** Is a member of a parameter named like one of the framework's creators (`Router` of `express.Router()`)? */
  private creatorThroughParam(path: readonly string[]): boolean {
    if (path.length !== 1) return false;
    return this.dialect.creators.some((m) => m.path === path[0] || m.path === `default.${path[0]}`);
  }

  /** A router made through a parameter counts when this call passes the framework's creator for it. */
  private confirmCreators(fn: ts.Node, args: readonly ts.Expression[], call: ts.Node): void {
    for (const p of this.paramCreators.get(fn) ?? []) {
      if (p.router.evidence || !args[p.index]) continue;
      let vals = this.values.resolve(args[p.index]);
      for (const name of p.path) vals = vals.flatMap((b) => this.values.member(b, name, call));
      if (!vals.some((v) => this.isCreator(v))) continue;
      p.router.evidence = true;
      if (vals.some((v) => matchesExport(this.dialect.appCreators ?? [], externalName(v)))) p.router.app = true;
    }
  }

  /**
   * The call site a router value was made for: a factory's call, or the `new` of a class whose routes
   * are built from its constructor's arguments (another class's instances share one router).
   */
  private ownSite(v: Extract<Value, { kind: 'call' }>): ts.Node | undefined {
    if (!v.site || !ts.isNewExpression(v.site)) return v.site;
    let cls: ts.Node | undefined = v.node.parent;
    while (cls && !ts.isClassLike(cls)) cls = cls.parent;
    return cls && this.instances.perInstance(cls) ? v.site : undefined;
  }

  /** Does a parameter used as a router belong to this framework (type annotation or file import)? */
  private paramEvidence(v: Extract<Value, { kind: 'param' }>): boolean {
    const p = v.fn.parameters[v.index];
    if (p && this.dialect.holdsNoRouter?.(p, v.path)) return false;
    if (this.dialect.paramTypes.test(typeText(p))) return true;
    // `({ app }: HookArgs)` with `interface HookArgs { app: Express }` in the project: the member's declared type
    if (p?.type && v.path.length && this.dialect.paramTypes.test(this.memberTypeText(p.type, v.path[0]))) return true;
    const sf = v.node.getSourceFile();
    if (this.dialect.importHints.some((h) => sf.text.includes(`'${h}`) || sf.text.includes(`"${h}`))) return true;
    // a module that is a registrar as a whole (`module.exports = function (app) { app.route('/notes')… }`) in a
    // project that calls what it loads by a computed name (`require(path.resolve(file))(app)`): handed the app
    return (
      !!this.dialect.appCreators?.length &&
      v.index === 0 &&
      !v.path.length &&
      exportedWhole(v.fn) &&
      this.callsComputedLoad()
    );
  }

  /** Does a module of the project call what it loads by a computed name? Asked once per scan. */
  private callsComputedLoad(): boolean {
    const slot = this.values.session.get(CALLS_COMPUTED_LOAD);
    slot.value ??= [...this.values.store.known].some((f) => {
      const text = this.values.store.text(f, false);
      return !!text && COMPUTED_LOAD_CALL.test(text);
    });
    return slot.value;
  }

  /** The declared type of property `name` of a named project type (interface or type literal alias), as text. */
  private memberTypeText(type: ts.TypeNode, name: string): string {
    if (!ts.isTypeReferenceNode(type) || !ts.isIdentifier(type.typeName)) return '';
    const typeName = type.typeName.text;
    const file = this.values.importedFile(type.typeName) ?? type.getSourceFile().fileName;
    const sf = this.values.sourceFile(file);
    if (!sf) return '';
    for (const st of sf.statements) {
      let members: ts.NodeArray<ts.TypeElement> | undefined;
      if (ts.isInterfaceDeclaration(st) && st.name.text === typeName) members = st.members;
      else if (ts.isTypeAliasDeclaration(st) && st.name.text === typeName && ts.isTypeLiteralNode(st.type))
        members = st.type.members;
      const m = members?.find((x) => x.name && propertyNameText(x.name) === name);
      if (m && ts.isPropertySignature(m) && m.type) return m.type.getText(sf);
    }
    return '';
  }

  /**
   * The name callers use for a registrar, or undefined when they may call it anything: a module's
   * default export (`const index = (app, db) => {…}; module.exports = index` is `routes(app, db)` there).
   */
  private nameOf(fn: ts.Node): string | undefined {
    const name = nameOf(fn);
    if (!name) return undefined;
    const table = this.values.exportsOf(fn.getSourceFile().fileName);
    const isName = (e: ts.Expression | undefined): boolean => {
      const x = e && skipOuter(e);
      return !!x && ts.isIdentifier(x) && x.text === name;
    };
    if (table && (isName(table.cjs) || isName(table.named.get('default')?.expr))) return undefined;
    return name;
  }

  private isMountTarget(router: RouterNode): boolean {
    this.values.budget.step('router linking', this.graph.size);
    return this.graph.all.some((n) =>
      n.entries.some((e) => (e.kind === 'mount' || e.kind === 'inline') && e.router === router),
    );
  }

  /** Is the call the body of a method alias a project adds to a router (`router.postAsync = (p, ...h) => router.post(p, …)`)? */
  private definesAlias(call: ts.CallExpression): boolean {
    let fn: ts.Node | undefined = call.parent;
    while (fn && !ts.isFunctionLike(fn)) fn = fn.parent;
    const at = fn?.parent;
    if (!at || !ts.isBinaryExpression(at) || at.operatorToken.kind !== ts.SyntaxKind.EqualsToken || at.right !== fn)
      return false;
    const target = skipOuter(at.left);
    return ts.isPropertyAccessExpression(target) && !!this.dialect.methodAliases?.[target.name.text];
  }

  /**
   * Look at every call in a file: registrations, then registrar calls. A call whose analysis fails
   * (an expression nested deeper than the stack allows, an internal error) costs that registration
   * only: it is reported and the file's other calls are still collected.
   */
  collectFile(sf: ts.SourceFile): void {
    const { calls, newExprs } = callIndex(sf);
    const session = this.values.session;
    for (const call of calls) {
      const callee = skipOuter(call.expression);
      if (
        !ts.isElementAccessExpression(callee) &&
        !(ts.isPropertyAccessExpression(callee) && this.methodName(callee.name.text))
      )
        continue;
      session.contain(
        sf.fileName,
        'extract',
        () => this.collectCall(call, callee, sf),
        () => undefined,
      );
    }
    // (a package file's own calls wire that package's apps, not this application's)
    if (!this.paramsOnly) this.pending(sf).push(...calls, ...newExprs);
  }

  private collectCall(call: ts.CallExpression, callee: ts.Expression, sf: ts.SourceFile): void {
    if (ts.isElementAccessExpression(callee)) return this.computedCall(call, callee, sf);
    if (!ts.isPropertyAccessExpression(callee)) return;
    const method = this.methodName(callee.name.text);
    if (!method) return;
    // `router.getAsync = (path, ...h) => router.get(path, …)`: the alias's definition, not a route
    if (this.definesAlias(call)) return;
    // `routes.forEach((r) => router.use(r.path, r.router))`: one registration per element.
    const iter = iteration(call, this.values, this.instances, this.folders);
    if (iter) {
      for (const b of iter)
        withBindings(this.values, b, () => {
          // `if (entry.sensitive) r.use(path, requireStepUp, router); else r.use(path, router)`: the branch each element takes
          if (takenWithBindings(call, this.values)) this.registerCall(method, call, callee.expression, sf);
        });
      return;
    }
    this.registerCall(method, call, callee.expression, sf);
  }

  private registerCall(
    method: string,
    call: ts.CallExpression,
    receiver: ts.Expression,
    sf: ts.SourceFile,
    methodExpr?: ts.Expression,
  ): void {
    // `map.get(key)`, `headers.get('x')`: not a registration unless the receiver is a chain (`route('/x').get(h)`).
    const plausible = this.dialect.plausible(method, call);
    if (!plausible && !ts.isCallExpression(skipOuter(receiver))) return;
    const all = this.refs(receiver, plausible);
    const refs = this.paramsOnly ? all.filter((r) => r.router.param) : all;
    if (this.paramsOnly && !refs.length) return;
    const forwarded = refs.length || methodExpr ? [] : this.forwardedRefs(method, call);
    if (refs.length) this.dialect.register(method, call, refs, this, methodExpr);
    else if (forwarded.length) this.dialect.register(method, call, forwarded, this);
    else if (!methodExpr && this.unknownReceiver(receiver) && this.dialect.guess(method, call, this)) {
      const key = guessKey(receiver);
      const router = this.graph.node(key, sf.fileName, call.getStart(), { guessed: true });
      this.dialect.register(method, call, [{ router }], this);
    }
  }

  /**
   * `router[verb](path, …handlers)`: the method is a computed key. Known values (a constant, an
   * iterated array) register one route each; a registrar's parameter (`function add(router, verb, …)`)
   * registers a route whose method each call of the registrar decides.
   */
  private computedCall(call: ts.CallExpression, callee: ts.ElementAccessExpression, sf: ts.SourceFile): void {
    const key = callee.argumentExpression;
    if (ts.isStringLiteralLike(key) || ts.isNumericLiteral(key)) {
      const m = this.methodName(key.text);
      if (m) this.registerCall(m, call, callee.expression, sf);
      return;
    }
    const once = (): void => {
      const names = evalStrings(key, this.values);
      if (names) {
        for (const n of new Set(names.map((x) => x.toLowerCase())))
          if (this.dialect.methods.has(n) && n !== 'use' && n !== 'route')
            this.registerCall(n, call, callee.expression, sf);
        return;
      }
      const params = this.values.resolve(key).filter((v) => v.kind === 'param');
      if (!params.length) return;
      // a helper on a router it does not take (`route(GET, '/login', …)` → `router[method](path, …)` on a module's
      // router): each call of the helper decides the method, expanded once every file is collected
      const fn = ts.findAncestor(call.parent, ts.isFunctionLike);
      if (
        fn &&
        !this.paramsOnly &&
        params.some((v) => v.kind === 'param' && v.fn === fn) &&
        !this.values.resolve(callee.expression).some((v) => v.kind === 'param') &&
        this.nameOf(fn)
      ) {
        if (!this.verbHelpers.some((h) => h.call === call)) this.verbHelpers.push({ call, callee, sf, fn });
        return;
      }
      this.registerCall('all', call, callee.expression, sf, key);
    };
    const iter = iteration(call, this.values, this.instances, this.folders);
    if (iter) for (const b of iter) withBindings(this.values, b, once);
    else once();
  }

  /** Functions that register on a router they are handed or build one from the framework they are handed. */
  private registrarFns(): ts.Node[] {
    return [...this.paramRouters.keys(), ...this.paramCreators.keys()];
  }

  /** Files outside the candidates that call registrar functions (`getDomains(app)` in an entry file). */
  registrarNames(): string[] {
    const names = new Set<string>();
    for (const fn of this.registrarFns()) {
      const n = this.nameOf(fn);
      if (n) names.add(n);
    }
    return [...names].filter((n) => n.length > 2);
  }

  /** File stems of modules whose registrar has no stable name (`export default function (app) {…}`). */
  anonymousRegistrarModules(): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const fn of this.registrarFns()) {
      if (this.nameOf(fn)) continue;
      const file = fn.getSourceFile().fileName;
      const parts = file.split(/[\\/]/);
      const base = parts[parts.length - 1].replace(/\.[cm]?[jt]sx?$/, '');
      const key = base === 'index' ? parts[parts.length - 2] : base;
      if (!key || key.length < 2) continue;
      let files = out.get(key);
      if (!files) out.set(key, (files = new Set()));
      files.add(file);
    }
    return out;
  }

  /**
   * Does `text` (of `file`) name one of these registrar modules in a specifier that resolves to it?
   * A specifier ending like the module is not enough: `next/server` is not `./server`.
   */
  private importsModule(text: string, file: string, modules: Map<string, Set<string>>, re: RegExp): boolean {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const r = this.values.resolver.resolve(m[1], file);
      // an unresolvable specifier may still be the registrar's: kept, as before
      if (r.kind === 'missing' || (r.kind === 'file' && modules.get(m[2])?.has(r.file))) return true;
    }
    return false;
  }

  /** Adds the calls of an extra file (one that only wires registrars) to the linking pass. */
  addCallsOf(sf: ts.SourceFile): void {
    const { calls, newExprs } = callIndex(sf);
    this.pending(sf).push(...calls, ...newExprs);
  }

  /** Collecting a package file outside the scanned folder: registrations on a parameter only. */
  private paramsOnly = false;

  /** `router[method](…)` in a named helper whose parameter is the method, on a router it does not take. */
  private readonly verbHelpers: {
    call: ts.CallExpression;
    callee: ts.ElementAccessExpression;
    sf: ts.SourceFile;
    fn: ts.SignatureDeclaration;
  }[] = [];

  /**
   * Each call of a verb helper registers one route, its method and path those of the call (through a helper
   * forwarding its own parameters, `apiRoute(method, path, h)` → `route(method, path, [auth], h)`, each call of
   * that one). A helper no call decides registers one route of any method, as before.
   */
  private expandVerbHelpers(): void {
    for (const h of this.verbHelpers) {
      let registered = false;
      const register = (): void => {
        const names = evalStrings(h.callee.argumentExpression, this.values);
        if (!names) return;
        for (const n of new Set(names.map((x) => x.toLowerCase())))
          if (this.dialect.methods.has(n) && n !== 'use' && n !== 'route') {
            this.registerCall(n, h.call, h.callee.expression, h.sf);
            registered = true;
          }
      };
      this.values.session.contain(
        h.sf.fileName,
        'extract',
        () => this.throughCalls(h.fn, register, 0),
        () => undefined,
      );
      if (!registered) this.registerCall('all', h.call, h.callee.expression, h.sf, h.callee.argumentExpression);
    }
  }

  /** Runs `run` once per call of `fn` with its parameters bound to that call's arguments (two helpers deep). */
  private throughCalls(fn: ts.SignatureDeclaration, run: () => void, depth: number): void {
    if (depth > 2) return;
    for (const site of this.sitesCalling(fn)) {
      const outer = ts.findAncestor(site.parent, ts.isFunctionLike);
      const forwards =
        !!outer && site.arguments.some((a) => this.values.resolve(a).some((v) => v.kind === 'param' && v.fn === outer));
      if (forwards && outer) this.throughCalls(outer, () => this.values.withArguments(fn, site, run), depth + 1);
      else this.values.withArguments(fn, site, run);
    }
  }

  /** The calls of `fn` by its name among the calls to link (each call's callees resolved once). */
  private *sitesCalling(fn: ts.SignatureDeclaration): Generator<ts.CallExpression> {
    const name = this.nameOf(fn);
    if (!name) return;
    for (const calls of this.pendingCalls.values())
      for (const site of calls) {
        if (!ts.isCallExpression(site) || lastName(skipOuter(site.expression)) !== name) continue;
        let targets = this.calleesOf.get(site);
        if (!targets) this.calleesOf.set(site, (targets = this.calleeFunctions(site)));
        if (targets.includes(fn)) yield site;
      }
  }

  /** Calls to link, per file (each file's linking is one unit of work). */
  private readonly pendingCalls = new Map<string, (ts.CallExpression | ts.NewExpression)[]>();

  private pending(sf: ts.SourceFile): (ts.CallExpression | ts.NewExpression)[] {
    let list = this.pendingCalls.get(sf.fileName);
    if (!list) this.pendingCalls.set(sf.fileName, (list = []));
    return list;
  }

  private readonly forwardCache = new Map<ts.Node, RouterRef[]>();

  /**
   * A project method or function of the same name that hands its own parameters, in order, to a router's
   * method (`class RouteBuilder { openapi(route, handler, level) { …; this.router.openapi(route, handler);
   * return this } }`): each call of it (`createRouteBuilder().openapi(routes.list, handlers.list, 'admin')`)
   * registers on the routers that method registers on, with the call's own arguments.
   */
  private forwardedRefs(method: string, call: ts.CallExpression): RouterRef[] {
    const callee = skipOuter(call.expression);
    if (!ts.isPropertyAccessExpression(callee) || !this.declaresMethod(callee.name.text)) return [];
    const out: RouterRef[] = [];
    for (const v of this.values.resolve(callee)) {
      if (v.kind !== 'function' || !v.node.body) continue;
      let refs = this.forwardCache.get(v.node);
      if (!refs) {
        this.forwardCache.set(v.node, (refs = []));
        const fn = v.node;
        forEachNode(fn.body!, (n) => {
          if (!ts.isCallExpression(n) || n === call) return;
          const inner = skipOuter(n.expression);
          if (!ts.isPropertyAccessExpression(inner) || this.methodName(inner.name.text) !== method) return;
          const passesOwn =
            n.arguments.length > 0 &&
            n.arguments.every((a, i) => {
              const x = skipOuter(a);
              return ts.isIdentifier(x) && !!fn.parameters[i] && findDeclaration(x) === fn.parameters[i];
            });
          if (passesOwn) refs!.push(...this.refs(inner.expression, false));
        });
      }
      out.push(...refs);
    }
    return out;
  }

  private declared: Set<string> | undefined;

  /**
   * Does any parsed source declare a function or method of this name (`openapi(route, handler) {`,
   * `get = (path, h) =>`)? Read from the text in one pass, so that calls of a package's method of the same
   * name (`z.string().openapi({ … })`) cost no resolution when the project defines none.
   */
  private declaresMethod(name: string): boolean {
    if (!this.declared) {
      const names = new Set<string>();
      const re =
        /(?<![.\w$])([A-Za-z_$][\w$]*)\s*(?:<[^()]*>)?\s*(?:\([^()]*\)\s*(?::[^{;=]*)?\{|[:=]\s*(?:async\s*)?(?:function\b|\([^()]*\)\s*(?::[^=;]*)?=>))/g;
      const store = this.values.store;
      for (const f of store.known) {
        if (!this.values.isParsed(f)) continue;
        const text = store.text(f, false) ?? '';
        // only names that are also router methods matter
        for (const m of text.matchAll(re)) if (this.methodName(m[1])) names.add(m[1]);
      }
      this.declared = names;
    }
    return this.declared.has(name);
  }

  /** A receiver the analysis knows nothing about (not an import from another package, not a local value). */
  private unknownReceiver(recv: ts.Expression): boolean {
    return this.values
      .resolve(recv)
      .every((v) => v.kind === 'unknown' || (v.kind === 'member' && v.base.kind === 'unknown'));
  }

  private elementsOf(vals: Value[], node: ts.Node): Value[] {
    return vals.flatMap((v) =>
      v.kind === 'array'
        ? this.values.member(v, '*', node)
        : v.kind === 'param'
          ? [{ ...v, path: [...v.path, '*'] }]
          : [v],
    );
  }

  /**
   * Collects every candidate file, then files that only wire registrar functions to an app
   * (`getDomains(app)` in an entry file), then links registrars to the routers they are called with.
   */
  collectAll(ctx: AdapterContext): void {
    // One file is one unit of work: a file that runs out of budget is reported, and its endpoints are unverifiable.
    const session = this.values.session;
    this.instances.sources = ctx;
    this.folders.sources = ctx;
    const collect = (file: string): boolean => {
      const sf = ctx.store.get(file);
      if (sf)
        session.contain(
          file,
          'extract',
          () => this.collectFile(sf),
          () => undefined,
          { wholeFile: true },
        );
      return !!sf;
    };
    for (const file of ctx.candidates) collect(file);
    // Registrars in workspace packages outside the scanned folder (`setupHealthReporting(app)` imported
    // from `@acme/hono`): only their registrations on a parameter count, since a router such a file
    // builds on its own is that package's, not this application's.
    const done = new Set(ctx.candidates);
    const outside = new Set(importedPackageFiles(ctx));
    this.paramsOnly = true;
    try {
      for (const file of outside) if (collect(file)) done.add(file);
    } finally {
      this.paramsOnly = false;
    }
    // Linking reveals registrars that pass their router on; the files calling those are looked for in turn.
    const searched = new Set<string>();
    for (let round = 0; round < 5; round++) {
      const names = this.registrarNames().filter((n) => !searched.has(n));
      names.forEach((n) => searched.add(n));
      // Registrars without a stable name (default exports): look for the files importing their module.
      const modules = new Map([...this.anonymousRegistrarModules()].filter(([m]) => !searched.has(`module:${m}`)));
      for (const m of modules.keys()) searched.add(`module:${m}`);
      if (names.length || modules.size) {
        const escape = (m: string) => m.replace(/[.$]/g, (c) => `\\${c}`);
        const called = names.length
          ? new RegExp(`\\b(${names.map((n) => n.replace(/[$]/g, '\\$')).join('|')})\\s*\\(`)
          : undefined;
        const imported = modules.size
          ? new RegExp(
              `['"]([^'"]*/(${[...modules.keys()].map(escape).join('|')})(?:/index)?(?:\\.[cm]?[jt]sx?)?)['"]`,
              'g',
            )
          : undefined;
        // the regular expressions backtrack over every quoted string: a plain substring test first
        const needles = [...names, ...modules.keys()];
        for (const file of ctx.allSources) {
          if (done.has(file) || isTestPath(relPosix(ctx.root, file))) continue;
          const text = ctx.store.text(file, false);
          if (!text || !needles.some((n) => text.includes(n))) continue;
          if (!called?.test(text) && !(imported && this.importsModule(text, file, modules, imported))) continue;
          const sf = ctx.store.get(file);
          if (sf) {
            session.contain(
              file,
              'extract',
              () => this.addCallsOf(sf),
              () => undefined,
              { wholeFile: true },
            );
            done.add(file);
          }
        }
      }
      const before = this.countParamRouters();
      this.linkRound();
      if (!names.length && !modules.size && this.countParamRouters() === before) break;
    }
    this.expandVerbHelpers();
    this.linkRound();
    // a package's helper never called with this application's router registers nothing here
    if (outside.size) for (const n of this.graph.all) if (outside.has(n.file) && !n.attached) n.entries.length = 0;
  }

  /** After every file is collected: link registrar functions to the routers they are called with. */
  linkRegistrars(): void {
    // Linking can reveal new parameter routers (a registrar passing its parameter on): repeat until stable.
    for (let round = 0; round < 4; round++) {
      const before = this.countParamRouters();
      this.linkRound();
      if (this.countParamRouters() === before) break;
    }
  }

  private countParamRouters(): number {
    let n = 0;
    for (const list of this.paramRouters.values()) n += list.length;
    return n;
  }

  private linkRound(): void {
    if (this.paramRouters.size === 0 && this.paramCreators.size === 0) return;
    const registrars = this.registrarFns();
    // Cheap filter: calls whose callee names a registrar (unless a registrar has no stable name).
    const names = new Set(this.registrarNames());
    const anonymous = registrars.some((fn) => !this.nameOf(fn));
    // Registrars without a stable name that are members of an object (`exports.register = function (app)`):
    // the property name a caller reaches them through.
    const members = new Set<string>();
    for (const fn of registrars) {
      if (this.nameOf(fn)) continue;
      const at = fn.parent;
      if (
        at &&
        ts.isBinaryExpression(at) &&
        at.right === fn &&
        (ts.isPropertyAccessExpression(at.left) || ts.isElementAccessExpression(at.left))
      ) {
        const n = accessName(at.left);
        if (n) members.add(n);
      } else if (at && (ts.isPropertyAssignment(at) || ts.isMethodDeclaration(at)) && at.name) {
        members.add(propertyNameText(at.name) ?? '');
      } else if (ts.isMethodDeclaration(fn) && fn.name) members.add(propertyNameText(fn.name) ?? '');
    }
    // One file's linking is one unit of work (its allowance is its own in every round).
    const session = this.values.session;
    for (const [file, calls] of this.pendingCalls) {
      if (session.incomplete.has(file)) continue;
      session.contain(
        file,
        'extract',
        () => {
          for (const call of calls) this.linkCall(call, names, anonymous, members);
        },
        () => undefined,
        { wholeFile: true },
      );
    }
  }

  private linkCall(
    call: ts.CallExpression | ts.NewExpression,
    names: Set<string>,
    anonymous: boolean,
    members: Set<string>,
  ): void {
    const args = call.arguments ?? [];
    if (!args.length) return;
    const callee = skipOuter(call.expression);
    const last = lastName(callee);
    if (last !== undefined && !names.has(last)) {
      // A registrar without a stable name (a default export, `module.exports = function (app) …`) is
      // called through a name of the caller's choosing (`setup(app)`, `require('./x')(app)`) or as
      // `.default(app)`; a method call by another name (`db.user.findMany(q)`) cannot reach it.
      if (!anonymous || (ts.isPropertyAccessExpression(callee) && last !== 'default' && !members.has(last))) return;
      if (ts.isIdentifier(callee) && !this.mayBeRegistrar(callee)) return;
    }
    // A registrar is in a parsed file: a callee imported from a module not parsed yet (known from its text) is none.
    if (this.values.importsUnparsed(callee)) return;
    // The callee is resolved once per call (linking runs in rounds): a call reaching no registrar is done.
    let targets = this.calleesOf.get(call);
    if (!targets) this.calleesOf.set(call, (targets = this.calleeFunctions(call)));
    for (const fn of targets) this.confirmCreators(fn, args, call);
    if (!targets.some((fn) => this.paramRouters.has(fn))) return;
    // Cheap first: only calls passing something that may hold a router.
    const structured = args.some((a) => {
      const x = skipOuter(a);
      return ts.isArrayLiteralExpression(x) || ts.isObjectLiteralExpression(x) || ts.isNewExpression(x);
    });
    if (!structured) {
      // (a test only: a parameter becomes a router below, when it reaches a registrar's router parameter)
      const mayHold = (a: ts.Expression): boolean => {
        const x = skipOuter(a);
        if (!(ts.isIdentifier(x) || ts.isPropertyAccessExpression(x) || ts.isCallExpression(x))) return false;
        return this.values.resolve(a).some((v) => v.kind === 'param' || this.refsFromValue(v, 0, false).length > 0);
      };
      if (!args.some(mayHold)) return;
    }
    for (const fn of targets) {
      const params = this.paramRouters.get(fn);
      if (!params) continue;
      // A snapshot: linking a recursive function (`function f(body) { … f(body.readable) … }`) finds new
      // parameter routers of the same function, which belong to the next round, not to this loop.
      for (const p of [...params]) {
        const arg = args[p.index];
        if (!arg) continue;
        let vals = this.values.resolve(arg);
        for (const name of p.path)
          vals = name === '*' ? this.elementsOf(vals, call) : vals.flatMap((b) => this.values.member(b, name, call));
        for (const r of vals.flatMap((v) => this.refsFromValue(v, 0))) {
          if (r.router === p.router) continue;
          const receivesRegistrations = p.router.entries.some((e) => e.kind !== 'inline' || !e.alias);
          const standsFor = !receivesRegistrations && (p.router.entries.length > 0 || this.isMountTarget(p.router));
          if (!standsFor) {
            // The parameter receives registrations: they happen on the router passed in (an earlier call
            // that saw it only hand the router on made it stand for the router: no longer).
            this.graph.unalias(p.router, r.router);
            this.graph.add(r.router, {
              kind: 'inline',
              router: p.router,
              anchor: call,
              order: orderOf(call),
              call,
              fn: fn as ts.SignatureDeclaration,
            });
          } else if (!r.router.entries.some((e) => e.kind === 'inline' && !e.alias && e.router === p.router)) {
            // The parameter is only mounted (`app.use('/api', route.router)`): it stands for the router passed in
            // (unless the router already holds it: the parameter received registrations at another call).
            this.graph.add(p.router, {
              kind: 'inline',
              router: r.router,
              anchor: call,
              order: orderOf(call),
              alias: true,
            });
          }
        }
      }
    }
  }

  /**
   * Whether a called name may stand for a registrar, judged from its declaration alone: a binding
   * imported from a package, or a function of this file that takes no router, cannot.
   */
  private mayBeRegistrar(id: ts.Identifier): boolean {
    const decl = findDeclaration(id);
    if (!decl) return true;
    const fromPackage = (spec: ts.Expression | undefined): boolean =>
      !!spec &&
      ts.isStringLiteralLike(spec) &&
      this.values.resolver.resolve(spec.text, id.getSourceFile().fileName).kind === 'external';
    if (ts.isImportClause(decl) || ts.isImportSpecifier(decl) || ts.isNamespaceImport(decl)) {
      const imp = ts.isImportClause(decl)
        ? decl.parent
        : ts.isNamespaceImport(decl)
          ? decl.parent.parent
          : decl.parent.parent.parent;
      return !fromPackage(imp.moduleSpecifier);
    }
    if (ts.isFunctionDeclaration(decl)) return this.paramRouters.has(decl);
    if (ts.isVariableDeclaration(decl) && decl.initializer) {
      const init = skipOuter(decl.initializer);
      if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return this.paramRouters.has(init);
      if (ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require')
        return !fromPackage(init.arguments[0]);
    }
    return true;
  }

  private readonly calleesOf = new Map<ts.CallExpression | ts.NewExpression, ts.Node[]>();

  private calleeFunctions(call: ts.CallExpression | ts.NewExpression): ts.Node[] {
    const out: ts.Node[] = [];
    for (const v of this.values.resolve(call.expression)) {
      if (v.kind === 'function') out.push(v.node);
      else if (v.kind === 'class') {
        const ctor = v.node.members.find(ts.isConstructorDeclaration);
        if (ctor) out.push(ctor);
      } else if (v.kind === 'param' && !v.path.length) out.push(...this.handedFunctions(v.fn, v.index));
    }
    return out;
  }

  private readonly handed = new Map<ts.ParameterDeclaration, ts.Node[]>();

  /**
   * The functions callers hand a function as its `index`th argument, when it calls that parameter
   * (`router(routes) { routes(app) }` called as `server.router(routes)`): each is called there.
   */
  private handedFunctions(fn: ts.SignatureDeclaration, index: number): ts.Node[] {
    const param = fn.parameters[index];
    if (!param) return [];
    const hit = this.handed.get(param);
    if (hit) return hit;
    const out: ts.Node[] = [];
    // (set before the search: a call site inside the function itself resolves to none)
    this.handed.set(param, out);
    for (const site of this.sitesCalling(fn)) {
      const arg = site.arguments[index];
      if (!arg) continue;
      for (const v of this.values.resolve(arg)) if (v.kind === 'function' && !out.includes(v.node)) out.push(v.node);
    }
    return out;
  }

  /** Flattens `[a, b]`, `...arr` and `...factory.createHandlers(a, b)` arguments into expressions. */
  flattenArgs(args: readonly ts.Expression[], spreadCalls: string[] = []): ts.Expression[] {
    const out: ts.Expression[] = [];
    const add = (e: ts.Expression, depth: number): void => {
      const x = skipOuter(e);
      if (depth > 4) return void out.push(x);
      if (ts.isArrayLiteralExpression(x)) {
        for (const el of x.elements) add(el, depth + 1);
        return;
      }
      if (ts.isSpreadElement(x)) {
        const inner = skipOuter(x.expression);
        if (
          ts.isCallExpression(inner) &&
          ts.isPropertyAccessExpression(inner.expression) &&
          spreadCalls.includes(inner.expression.name.text)
        ) {
          for (const a of inner.arguments) add(a, depth + 1);
          return;
        }
        // a list a registrar picks by one of its own arguments (`...(stepUp ? [requireStepUp] : [])`, or a
        // local holding it): kept whole, each call of the registrar takes the branch its arguments decide
        const picked = parameterChoice(inner);
        if (picked) {
          out.push(picked);
          return;
        }
        const resolved = this.values.resolve(inner);
        const arr = resolved.find((v) => v.kind === 'array');
        if (arr && arr.kind === 'array') {
          for (const el of arr.node.elements) add(el, depth + 1);
          // `const mws = []; if (schema) mws.push(validator(schema)); mws.push(handler); app[m](path, ...mws)`
          for (const el of pushedOnto(arr.node)) add(el, depth + 1);
          return;
        }
        // `const h = factory.createHandlers(a, b); app.post('/x', ...h)`
        const made = resolved.find(
          (v) =>
            v.kind === 'call' &&
            ts.isCallExpression(v.node) &&
            ts.isPropertyAccessExpression(v.node.expression) &&
            spreadCalls.includes(v.node.expression.name.text),
        );
        if (made && made.kind === 'call') {
          for (const a of made.node.arguments ?? []) add(a, depth + 1);
          return;
        }
        out.push(inner);
        return;
      }
      if (ts.isIdentifier(x)) {
        const arr = this.values.resolve(x);
        if (arr.length === 1 && arr[0].kind === 'array') {
          for (const el of arr[0].node.elements) add(el, depth + 1);
          return;
        }
      }
      // Inside an iteration (`table.forEach((r) => router[r.method](r.path, r.handler))`) the argument
      // means this element's value: keep the expression it resolves to, not `r.handler`; a list
      // (`r.middleware` written `[auth]`) is its elements.
      if (this.values.bound && (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x))) {
        const vals = this.values.resolve(x);
        const only = vals.length === 1 ? vals[0] : undefined;
        if (only && only.kind === 'function') return void out.push(only.node as unknown as ts.Expression);
        if (only && only.kind === 'array') {
          for (const el of only.node.elements) add(el, depth + 1);
          return;
        }
      }
      out.push(x);
    };
    for (const a of args) add(a, 0);
    return out;
  }
}

function typeText(p: ts.ParameterDeclaration | undefined): string {
  return p?.type ? p.type.getText() : '';
}

/** Key of a router built at `node` for the factory call `site`. */
export function siteKey(site: ts.Node, node: ts.Node): string {
  return `site:${site.getSourceFile().fileName}:${site.pos}:${site.end}:${node.getSourceFile().fileName}:${node.pos}:${node.end}`;
}

function guessKey(recv: ts.Expression): string {
  const sf = recv.getSourceFile();
  return `guess:${sf.fileName}:${recv.getText(sf)}`;
}

/** True when `e` is (or resolves to) a function with at least `minParams` parameters. */
export function looksLikeHandler(e: ts.Expression, values: ValueResolver, minParams: number): boolean {
  const x = skipOuter(e);
  if (ts.isArrowFunction(x) || ts.isFunctionExpression(x)) return x.parameters.length >= minParams;
  if (ts.isIdentifier(x) || ts.isPropertyAccessExpression(x)) {
    return values.resolve(x).some((v) => v.kind === 'function' && v.node.parameters.length >= minParams);
  }
  if (ts.isCallExpression(x)) {
    return x.arguments.some((a) => looksLikeHandler(a, values, minParams));
  }
  return false;
}

/**
 * What the function declaring a local array always pushes onto it (`list.push(a, b)`), in source order.
 * A push under a condition, a loop or a nested function is left out: whether it happens depends on the
 * call (`if (config.stepUp) middlewares.push(requirePassword)`), and a guard counted for a call that
 * never adds it would be a false "enforced".
 */
function pushedOnto(arr: ts.ArrayLiteralExpression): ts.Expression[] {
  const decl = arr.parent;
  if (!ts.isVariableDeclaration(decl) || decl.initializer !== arr || !ts.isIdentifier(decl.name)) return [];
  const name = decl.name.text;
  let scope: ts.Node | undefined = decl.parent;
  while (scope && !ts.isFunctionLike(scope) && !ts.isSourceFile(scope)) scope = scope.parent;
  if (!scope) return [];
  const out: ts.Expression[] = [];
  forEachNode(scope, (n) => {
    if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      n.expression.name.text === 'push' &&
      ts.isIdentifier(n.expression.expression) &&
      n.expression.expression.text === name &&
      findDeclaration(n.expression.expression) === decl &&
      unconditional(n, scope)
    )
      out.push(...n.arguments);
  });
  return out;
}

/** Does `node` run whenever `scope` does: only plain blocks and statements between them? */
function unconditional(node: ts.Node, scope: ts.Node): boolean {
  for (let p = node.parent; p && p !== scope; p = p.parent) {
    if (ts.isBlock(p) || ts.isExpressionStatement(p) || ts.isAwaitExpression(p) || ts.isParenthesizedExpression(p))
      continue;
    return false;
  }
  return true;
}

/**
 * A conditional choice of lists whose condition reads a parameter (or a name destructured from one):
 * `stepUp ? [requireStepUp] : []`, directly or through a local constant holding it.
 */
function parameterChoice(e: ts.Expression): ts.ConditionalExpression | undefined {
  let x = skipOuter(e);
  if (ts.isIdentifier(x)) {
    const d = findDeclaration(x);
    if (!d || !ts.isVariableDeclaration(d) || !d.initializer || !(d.parent.flags & ts.NodeFlags.Const))
      return undefined;
    x = skipOuter(d.initializer);
  }
  if (!ts.isConditionalExpression(x)) return undefined;
  let reads = false;
  const visit = (n: ts.Node): void => {
    if (reads) return;
    if (ts.isIdentifier(n)) {
      const d = findDeclaration(n);
      if (d && (ts.isParameter(d) || (ts.isBindingElement(d) && !!ts.findAncestor(d, ts.isFunctionLike)))) reads = true;
    }
    n.forEachChild(visit);
  };
  visit(x.condition);
  return reads ? x : undefined;
}

/** A condition's truth where the loop's element decides it: a literal `true`/`false` the element holds, or its negation. */
function truthWithBindings(e: ts.Expression, values: ValueResolver): boolean | undefined {
  return conditionTruth(e, (x) => {
    if (!ts.isIdentifier(x) && !ts.isPropertyAccessExpression(x)) return undefined;
    const vs = values.resolve(x);
    if (!vs.length || !vs.every((v) => v.kind === 'literal')) return undefined;
    const truths = new Set(vs.map((v) => v.kind === 'literal' && !!v.value));
    return truths.size === 1 ? [...truths][0] : undefined;
  });
}

/** Does the call sit on a branch the loop's current element takes (no enclosing condition it makes false)? */
function takenWithBindings(call: ts.Node, values: ValueResolver): boolean {
  return onTakenBranch(call, (e) => truthWithBindings(e, values));
}
