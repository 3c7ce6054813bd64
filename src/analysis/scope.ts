// Lexical scope lookup on raw syntax trees: identifier → the declaration that binds it.
// No type checker: declarations are indexed per scope container, lazily, once.
import { ts } from 'ts-morph';

export type Decl =
  | ts.VariableDeclaration
  | ts.BindingElement
  | ts.ParameterDeclaration
  | ts.FunctionDeclaration
  | ts.ClassDeclaration
  | ts.EnumDeclaration
  | ts.ImportClause
  | ts.ImportSpecifier
  | ts.NamespaceImport
  | ts.ImportEqualsDeclaration
  | ts.FunctionExpression
  | ts.ClassExpression
  | ts.ModuleDeclaration;

const cache = new WeakMap<ts.Node, Map<string, Decl>>();

function addBinding(name: ts.BindingName, decl: Decl, map: Map<string, Decl>): void {
  if (ts.isIdentifier(name)) {
    if (!map.has(name.text)) map.set(name.text, decl);
    return;
  }
  for (const el of name.elements) {
    if (ts.isBindingElement(el)) addBinding(el.name, el, map);
  }
}

function addStatement(st: ts.Statement, map: Map<string, Decl>): void {
  if (ts.isVariableStatement(st)) {
    for (const d of st.declarationList.declarations) addBinding(d.name, d, map);
  } else if (ts.isFunctionDeclaration(st) && st.name) {
    if (!map.has(st.name.text) || st.body) map.set(st.name.text, st);
  } else if (ts.isClassDeclaration(st) && st.name) {
    map.set(st.name.text, st);
  } else if (ts.isEnumDeclaration(st)) {
    map.set(st.name.text, st);
  } else if (ts.isImportDeclaration(st) && st.importClause) {
    const ic = st.importClause;
    if (ic.name) map.set(ic.name.text, ic);
    const nb = ic.namedBindings;
    if (nb && ts.isNamespaceImport(nb)) map.set(nb.name.text, nb);
    else if (nb && ts.isNamedImports(nb)) for (const el of nb.elements) map.set(el.name.text, el);
  } else if (ts.isImportEqualsDeclaration(st)) {
    map.set(st.name.text, st);
  } else if (ts.isModuleDeclaration(st) && ts.isIdentifier(st.name) && st.body) {
    // `namespace Api { export const route = … }`; a class or function of the same name is what the name calls
    if (!map.has(st.name.text)) map.set(st.name.text, st);
  }
}

const CONTAINER_KINDS = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.SourceFile,
  ts.SyntaxKind.Block,
  ts.SyntaxKind.ModuleBlock,
  ts.SyntaxKind.CaseClause,
  ts.SyntaxKind.DefaultClause,
  ts.SyntaxKind.ForStatement,
  ts.SyntaxKind.ForOfStatement,
  ts.SyntaxKind.ForInStatement,
  ts.SyntaxKind.CatchClause,
  ts.SyntaxKind.ClassExpression,
]);

function isContainer(node: ts.Node): boolean {
  return CONTAINER_KINDS.has(node.kind) || ts.isFunctionLike(node);
}

function declarationsIn(node: ts.Node): Map<string, Decl> {
  let map = cache.get(node);
  if (map) return map;
  map = new Map();
  if (
    ts.isSourceFile(node) ||
    ts.isBlock(node) ||
    ts.isModuleBlock(node) ||
    ts.isCaseClause(node) ||
    ts.isDefaultClause(node)
  ) {
    for (const st of node.statements) addStatement(st, map);
  } else if (ts.isFunctionLike(node)) {
    for (const p of node.parameters) addBinding(p.name, p, map);
    if ((ts.isFunctionExpression(node) || ts.isClassExpression(node)) && node.name) map.set(node.name.text, node);
  } else if (ts.isForStatement(node) || ts.isForOfStatement(node) || ts.isForInStatement(node)) {
    const init = node.initializer;
    if (init && ts.isVariableDeclarationList(init)) for (const d of init.declarations) addBinding(d.name, d, map);
  } else if (ts.isCatchClause(node)) {
    if (node.variableDeclaration) addBinding(node.variableDeclaration.name, node.variableDeclaration, map);
  } else if (ts.isClassExpression(node) && node.name) {
    map.set(node.name.text, node);
  }
  cache.set(node, map);
  return map;
}

/** The declaration that binds `id` at its position, or undefined for globals and unknown names. */
export function findDeclaration(id: ts.Identifier): Decl | undefined {
  const hit = idCache.get(id);
  if (hit !== undefined) return hit ?? undefined;
  const d = lookupName(id.text, id);
  idCache.set(id, d ?? null);
  return d;
}

/**
 * The identifiers that name a local in the function (or file) declaring it: where it is read,
 * written to or handed on (a local bound by destructuring, `const { rows } = …`, or a parameter, too).
 */
export function localUses(d: ts.VariableDeclaration | ts.BindingElement | ts.ParameterDeclaration): ts.Identifier[] {
  if (!ts.isIdentifier(d.name)) return [];
  const name = d.name.text;
  const scope = ts.findAncestor(d, (n) => ts.isFunctionLike(n) || ts.isSourceFile(n));
  const out: ts.Identifier[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n) && n !== d.name && n.text === name && !isPropertyName(n) && findDeclaration(n) === d)
      out.push(n);
    ts.forEachChild(n, visit);
  };
  if (scope) visit(scope);
  return out;
}

/** A name in a property's place (`x.data`, `{ data: … }`), which names no local. */
function isPropertyName(n: ts.Identifier): boolean {
  const p = n.parent;
  return (
    (ts.isPropertyAccessExpression(p) && p.name === n) ||
    ((ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p)) && p.name === n)
  );
}

/** Identifier → its declaration (syntax trees never change once parsed). */
const idCache = new WeakMap<ts.Identifier, Decl | null>();

export function lookupName(name: string, from: ts.Node): Decl | undefined {
  let node: ts.Node | undefined = from.parent;
  let prev: ts.Node = from;
  while (node) {
    if (isContainer(node)) {
      const d = declarationsIn(node).get(name);
      // A parameter's own name or a binding element must not resolve to itself via its initializer;
      // a class or function named inside its own body (`return Cls.instance`, recursion) is itself.
      if (d && (d !== prev || ts.isClassDeclaration(d) || ts.isFunctionDeclaration(d))) return d;
    }
    prev = node;
    node = node.parent;
  }
  return undefined;
}

/** Walks binding-pattern ancestry of a BindingElement, returning the property path from the initializer root. */
export function bindingPath(el: ts.BindingElement): {
  root: ts.VariableDeclaration | ts.ParameterDeclaration | undefined;
  path: string[];
} {
  const path: string[] = [];
  let cur: ts.Node = el;
  while (ts.isBindingElement(cur)) {
    const pattern: ts.Node = cur.parent;
    if (ts.isObjectBindingPattern(pattern)) {
      const prop = cur.propertyName ?? cur.name;
      if (ts.isIdentifier(prop) || ts.isStringLiteral(prop)) path.unshift(prop.text);
      else if (ts.isComputedPropertyName(prop) && ts.isStringLiteralLike(prop.expression))
        path.unshift(prop.expression.text);
      else path.unshift('*');
    } else if (ts.isArrayBindingPattern(pattern)) {
      path.unshift(String(pattern.elements.indexOf(cur)));
    }
    cur = pattern.parent;
  }
  if (ts.isVariableDeclaration(cur) || ts.isParameter(cur)) return { root: cur, path };
  return { root: undefined, path };
}

/** The initializer of the constant a name refers to (`Object.keys(routes)` of `const keys = Object.keys(routes)`), else the expression. */
export function constInitializer(e: ts.Expression): ts.Expression {
  if (!ts.isIdentifier(e)) return e;
  const d = findDeclaration(e);
  return d && ts.isVariableDeclaration(d) && d.initializer && d.parent.flags & ts.NodeFlags.Const ? d.initializer : e;
}
