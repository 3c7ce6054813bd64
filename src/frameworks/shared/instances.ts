// Classes whose routes are built from their constructor's arguments (`constructor(path) { this.path =
// path; this.router.get(`${this.path}/:id`, h) }`): each `new C('/users')` in the project is its own
// router, its registrations evaluated with the constructor's parameters bound to that `new`'s arguments.
import { ts } from 'ts-morph';
import { findDeclaration } from '../../analysis/scope.js';
import { skipOuter, type ValueResolver } from '../../analysis/values.js';
import { forEachNode } from '../../analysis/walk.js';
import { isTestPath } from '../../project/prefilter.js';
import type { SourceStore } from '../../project/sources.js';
import { relPosix } from '../../util.js';

/** One evaluation's bindings: each parameter (or class, for its `this`) and the expression it stands for. */
export type Bindings = [ts.Node, ts.Expression][];

/** At most this many instantiations of one class are evaluated one by one. */
const MAX_SITES = 20;

export class Instantiations {
  private readonly sites = new Map<ts.ClassLikeDeclaration, ts.NewExpression[]>();
  private readonly perClass = new Map<ts.ClassLikeDeclaration, boolean>();
  /** The project's files and how to read them (set when collection starts). */
  sources?: { store: SourceStore; allSources: readonly string[]; root: string };

  constructor(
    private readonly values: ValueResolver,
    /** Is `name` a registration method of the framework? */
    private readonly isMethod: (name: string) => boolean,
  ) {}

  /**
   * The bindings of a registration `call` made in a class's constructor (or in a method the
   * constructor calls) whose path reads a constructor parameter: one set per `new` of the class.
   */
  bindingsFor(fn: ts.SignatureDeclaration, call: ts.CallExpression): Bindings[] | undefined {
    const cls = fn.parent;
    if (!cls || !ts.isClassLike(cls) || !call.arguments[0]) return undefined;
    const ctor = constructorOf(cls);
    if (!ctor || !(fn === ctor || calledByConstructor(fn, ctor))) return undefined;
    if (!readsConstructor(call.arguments[0], ctor)) return undefined;
    const sites = this.sitesOf(cls);
    if (!sites.length || sites.length > MAX_SITES) return undefined;
    return sites.map((site) => {
      const b: Bindings = [[cls, site]];
      ctor.parameters.forEach((p, i) => {
        const arg = site.arguments?.[i];
        if (arg && !ts.isSpreadElement(arg)) b.push([p, arg]);
      });
      return b;
    });
  }

  /** Does the class build routes from its constructor's arguments (its routers are then one per `new`)? */
  perInstance(cls: ts.ClassLikeDeclaration): boolean {
    let hit = this.perClass.get(cls);
    if (hit === undefined) {
      hit = false;
      const ctor = constructorOf(cls);
      if (ctor) {
        const fns: ts.Node[] = [
          ctor,
          ...cls.members.filter((m) => ts.isMethodDeclaration(m) && calledByConstructor(m, ctor)),
        ];
        for (const fn of fns)
          forEachNode(fn, (n) => {
            if (
              !hit &&
              ts.isCallExpression(n) &&
              ts.isPropertyAccessExpression(n.expression) &&
              this.isMethod(n.expression.name.text) &&
              n.arguments[0] &&
              readsConstructor(n.arguments[0], ctor)
            )
              hit = true;
          });
      }
      this.perClass.set(cls, hit);
    }
    return hit;
  }

  /** Every `new` of the class in the project outside tests (found from the files' text, then resolved). */
  private sitesOf(cls: ts.ClassLikeDeclaration): ts.NewExpression[] {
    let hit = this.sites.get(cls);
    if (hit) return hit;
    hit = [];
    const name = cls.name?.text;
    const src = this.sources;
    if (name && src) {
      const needle = new RegExp(`\\bnew\\s+${name.replace(/[$]/g, '\\$')}\\s*[(<]`);
      for (const file of src.allSources) {
        // a test's instance is not served
        if (isTestPath(relPosix(src.root, file))) continue;
        const text = src.store.text(file, false);
        if (!text || !text.includes(name) || !needle.test(text)) continue;
        const sf = src.store.get(file);
        if (!sf) continue;
        forEachNode(sf, (n) => {
          if (
            ts.isNewExpression(n) &&
            ts.isIdentifier(skipOuter(n.expression)) &&
            (skipOuter(n.expression) as ts.Identifier).text === name &&
            this.values.resolve(n.expression).some((v) => v.kind === 'class' && v.node === cls)
          )
            hit.push(n);
        });
      }
    }
    this.sites.set(cls, hit);
    return hit;
  }
}

function constructorOf(cls: ts.ClassLikeDeclaration): ts.ConstructorDeclaration | undefined {
  const ctor = cls.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && !!m.body);
  return ctor?.parameters.length ? ctor : undefined;
}

/** `this.initializeRoutes()` in the constructor's body. */
function calledByConstructor(fn: ts.Node, ctor: ts.ConstructorDeclaration): boolean {
  if (!ts.isMethodDeclaration(fn) || !fn.name || !ctor.body) return false;
  const name = fn.name.getText();
  let found = false;
  forEachNode(ctor.body, (n) => {
    if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      n.expression.expression.kind === ts.SyntaxKind.ThisKeyword &&
      n.expression.name.text === name
    )
      found = true;
  });
  return found;
}

/**
 * Does an expression read a constructor parameter: the parameter itself, a parameter property
 * (`constructor(private base: string)` read as `this.base`) or a field the constructor sets from a
 * parameter (`this.path = path`)?
 */
function readsConstructor(expr: ts.Expression, ctor: ts.ConstructorDeclaration): boolean {
  const isParam = (n: ts.Node): boolean => ts.isIdentifier(n) && ctor.parameters.some((p) => p === findDeclaration(n));
  const fields = new Set<string>();
  for (const p of ctor.parameters) if (ts.isIdentifier(p.name) && ts.getModifiers(p)?.length) fields.add(p.name.text);
  forEachNode(ctor.body!, (n) => {
    if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(n.left) &&
      n.left.expression.kind === ts.SyntaxKind.ThisKeyword &&
      some(n.right, isParam)
    )
      fields.add(n.left.name.text);
  });
  return some(
    expr,
    (n) =>
      isParam(n) ||
      (ts.isPropertyAccessExpression(n) && n.expression.kind === ts.SyntaxKind.ThisKeyword && fields.has(n.name.text)),
  );
}

function some(root: ts.Node, test: (n: ts.Node) => boolean): boolean {
  let found = false;
  forEachNode(root, (n) => {
    if (!found && test(n)) found = true;
  });
  return found;
}
