// A loop over a folder's listing (`fs.readdirSync(__dirname).forEach((n) => router.use(`/${n}`,
// require(`./${n}`)))`): the loop variable takes each module name of that folder as the project's
// source tree lists it (nothing is read from disk, nothing executed). A module is a source file
// (`posts.js`) or a sub-folder with an index (`user`); the folder's own index is left out, and so is
// a name the loop's written filter (`n !== 'index.js'`, `.filter((f) => f.endsWith('.js'))`,
// `if (n === 'index.js') return`) turns away.
import path from 'node:path';
import { ts } from 'ts-morph';
import { findDeclaration } from '../../analysis/scope.js';
import { stringTest } from '../../analysis/string-ops.js';
import { evalString } from '../../analysis/strings.js';
import { externalName } from '../../analysis/unwrap.js';
import { skipOuter, type ValueResolver } from '../../analysis/values.js';
import type { Bindings } from './instances.js';

const MAX_ENTRIES = 50;
const SOURCE = /\.[cm]?[jt]sx?$/;
const INDEX = /^index\.[cm]?[jt]sx?$/;
const FS_MODULES = new Set(['fs', 'node:fs', 'fs-extra', 'graceful-fs']);
const PATH_MODULES = new Set(['path', 'node:path']);

export class FolderListing {
  /** The project's files (set when collection starts). */
  sources?: { allSources: readonly string[] };
  private readonly names = new Map<string, ts.NodeArray<ts.Expression>>();

  constructor(private readonly values: ValueResolver) {}

  /**
   * One binding of the loop variable `decl` per module of the folder `source` lists, when `source`
   * is `fs.readdirSync(dir)` (possibly filtered, possibly through a variable) with a static `dir`.
   * `loop`: the loop (statement or callback) whose body holds `call`.
   */
  bindings(decl: ts.Node, source: ts.Expression, loop: ts.Node, call: ts.Node): Bindings[] | undefined {
    const filters: ts.SignatureDeclaration[] = [];
    let src = skipOuter(source);
    for (let i = 0; i < 4; i++) {
      if (
        ts.isCallExpression(src) &&
        ts.isPropertyAccessExpression(src.expression) &&
        src.expression.name.text === 'filter' &&
        src.arguments[0] &&
        (ts.isArrowFunction(src.arguments[0]) || ts.isFunctionExpression(src.arguments[0]))
      ) {
        filters.push(src.arguments[0]);
        src = skipOuter(src.expression.expression);
        continue;
      }
      const d = ts.isIdentifier(src) ? findDeclaration(src) : undefined;
      if (d && ts.isVariableDeclaration(d) && d.initializer) {
        src = skipOuter(d.initializer);
        continue;
      }
      break;
    }
    if (!ts.isCallExpression(src) || !this.isReaddir(src) || !src.arguments[0]) return undefined;
    const dir = this.folderOf(src.arguments[0], path.dirname(src.getSourceFile().fileName));
    if (!dir || !this.sources) return undefined;
    const names = this.namesIn(dir);
    if (!names) return undefined;
    const out: Bindings[] = [];
    for (const name of names) {
      const keep = this.values.withBinding(decl, name, () => this.passes(name, filters, loop, call));
      if (keep) out.push([[decl, name]]);
    }
    return out;
  }

  /**
   * A loop over a list the analysis cannot read (`_.forEach(config.paymentGateway, (gateway) => app.use(\`/${gateway}\`,
   * require(\`./lib/payments/${gateway}\`)))`) whose variable names a module of a fixed folder in the registration:
   * the variable takes each module name of that folder (without its extension), as a listing of it would give.
   */
  moduleNames(decl: ts.Node, call: ts.Node): Bindings[] | undefined {
    if (!this.sources || !ts.isCallExpression(call)) return undefined;
    let dir: string | undefined;
    const visit = (n: ts.Node): void => {
      if (dir) return;
      if (
        ts.isCallExpression(n) &&
        ((ts.isIdentifier(n.expression) && n.expression.text === 'require') ||
          n.expression.kind === ts.SyntaxKind.ImportKeyword) &&
        n.arguments.length === 1
      ) {
        const t = skipOuter(n.arguments[0]);
        if (
          ts.isTemplateExpression(t) &&
          t.templateSpans.length === 1 &&
          /^\.\.?\//.test(t.head.text) &&
          /^(\.[cm]?[jt]sx?)?$/.test(t.templateSpans[0].literal.text) &&
          ts.isIdentifier(t.templateSpans[0].expression) &&
          findDeclaration(t.templateSpans[0].expression) === decl
        )
          dir = path.resolve(path.dirname(n.getSourceFile().fileName), t.head.text);
        return;
      }
      n.forEachChild(visit);
    };
    for (const a of call.arguments) visit(a);
    const names = dir && this.stemsIn(dir);
    return names ? names.map((name) => [[decl, name]] as Bindings) : undefined;
  }

  /** The module names of a folder without their extensions (`stripe` for `stripe.js`), as string literals. */
  private stemsIn(dir: string): ts.Expression[] | undefined {
    const names = this.namesIn(dir);
    if (!names) return undefined;
    const stems = [...new Set(names.map((n) => (ts.isStringLiteral(n) ? n.text.replace(SOURCE, '') : '')))].filter(
      Boolean,
    );
    return [...literals(dir, '[stems]', stems)];
  }

  private isReaddir(call: ts.CallExpression): boolean {
    const callee = skipOuter(call.expression);
    const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
    if (name !== 'readdirSync') return false;
    return this.values.resolve(callee).some((v) => {
      const ext = externalName(v);
      return !!ext && FS_MODULES.has(ext.module);
    });
  }

  /** Does a name pass the loop's filters (evaluated with the loop variable bound to it)? Unknown tests keep it. */
  private passes(name: ts.Expression, filters: ts.SignatureDeclaration[], loop: ts.Node, call: ts.Node): boolean {
    const test = (e: ts.Expression): boolean | undefined => stringTest(e, (x) => evalString(x, this.values));
    for (const f of filters) {
      const p = f.parameters[0];
      const body = (f as ts.ArrowFunction).body;
      const ret = body && (ts.isBlock(body) ? singleReturn(body) : body);
      if (!p || !ret) continue;
      if (this.values.withBinding(p, name, () => test(ret)) === false) return false;
    }
    // `if (cond) router.use(…)`, `if (cond) { … } else { … }` around the registration
    for (let n: ts.Node = call; n !== loop && n.parent; n = n.parent) {
      const at = n.parent;
      if (ts.isIfStatement(at) && n !== at.expression) {
        const t = test(at.expression);
        if (t === (n === at.elseStatement)) return false;
      }
      // `if (name === 'index.js') return;` before the registration in the same block
      if (ts.isBlock(at)) {
        for (const st of at.statements) {
          if (st === n) break;
          if (ts.isIfStatement(st) && !st.elseStatement && leaves(st.thenStatement) && test(st.expression) === true)
            return false;
        }
      }
    }
    return true;
  }

  /** `__dirname`, `path.join(__dirname, 'x')`, `resolve(__dirname, 'x')` (Node's `path`): the folder, else undefined. */
  private folderOf(e: ts.Expression, here: string, depth = 0): string | undefined {
    if (depth > 4) return undefined;
    const x = skipOuter(e);
    if (ts.isIdentifier(x) && x.text === '__dirname' && !findDeclaration(x)) return here;
    // `__dirname + '/../routes'`, or a constant holding it
    if (
      ts.isBinaryExpression(x) &&
      x.operatorToken.kind === ts.SyntaxKind.PlusToken &&
      ts.isStringLiteralLike(x.right)
    ) {
      const base = this.folderOf(x.left, here, depth + 1);
      return base ? path.join(base, x.right.text) : undefined;
    }
    // `${__dirname}`, `${__dirname}/routes`: a template starting from a folder, the rest constant
    if (ts.isTemplateExpression(x) && !x.head.text && x.templateSpans[0]) {
      const [first, ...rest] = x.templateSpans;
      const base = this.folderOf(first.expression, here, depth + 1);
      if (!base || rest.length) return undefined;
      return path.join(base, first.literal.text);
    }
    if (ts.isIdentifier(x)) {
      const d = findDeclaration(x);
      if (d && ts.isVariableDeclaration(d) && d.initializer && d.initializer !== e)
        return this.folderOf(d.initializer, here, depth + 1);
      return undefined;
    }
    if (!ts.isCallExpression(x) || !x.arguments.length) return undefined;
    const joins = this.values.resolve(x.expression).some((v) => {
      const ext = externalName(v);
      return !!ext && PATH_MODULES.has(ext.module) && (ext.name === 'join' || ext.name === 'resolve');
    });
    if (!joins) return undefined;
    const base = this.folderOf(x.arguments[0], here);
    const rest = x.arguments.slice(1);
    if (!base || !rest.every((a) => ts.isStringLiteralLike(a))) return undefined;
    return path.join(base, ...rest.map((a) => a.text));
  }

  /** The module names of a folder, as string literals (made once per folder). */
  private namesIn(dir: string): ts.NodeArray<ts.Expression> | undefined {
    let hit = this.names.get(dir);
    if (hit) return hit.length ? hit : undefined;
    const found = new Set<string>();
    for (const f of this.sources?.allSources ?? []) {
      const rel = path.relative(dir, f);
      if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
      const parts = rel.split(path.sep);
      if (parts.length === 1 && SOURCE.test(parts[0]) && !INDEX.test(parts[0]) && !/\.d\.[cm]?ts$/.test(parts[0]))
        found.add(parts[0]);
      else if (parts.length === 2 && INDEX.test(parts[1])) found.add(parts[0]);
    }
    const list = found.size <= MAX_ENTRIES ? [...found].sort() : [];
    // the names as parsed literals, so that a binding is an expression like any other
    hit = literals(dir, '[listing]', list);
    this.names.set(dir, hit);
    return hit.length ? hit : undefined;
  }
}

/** Strings as parsed string literals (in a source file of their own, named for the folder they list). */
function literals(dir: string, tag: string, list: readonly string[]): ts.NodeArray<ts.Expression> {
  const sf = ts.createSourceFile(path.join(dir, tag), JSON.stringify(list), ts.ScriptTarget.Latest, true);
  const st = sf.statements[0];
  return st && ts.isExpressionStatement(st) && ts.isArrayLiteralExpression(st.expression)
    ? st.expression.elements
    : ts.factory.createNodeArray<ts.Expression>([]);
}

function singleReturn(b: ts.Block): ts.Expression | undefined {
  const st = b.statements.length === 1 ? b.statements[0] : undefined;
  return st && ts.isReturnStatement(st) ? st.expression : undefined;
}

/** `return;`, `continue;` or a block of just that. */
function leaves(st: ts.Statement): boolean {
  if (ts.isReturnStatement(st) || ts.isContinueStatement(st)) return true;
  return ts.isBlock(st) && st.statements.length === 1 && leaves(st.statements[0]);
}
