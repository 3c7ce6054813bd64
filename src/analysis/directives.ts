// Directive prologues (`'use server'`) and what they make of a function's parameters.
import { ts } from 'ts-morph';
import { ruleFile } from '../rules/load.js';

export function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && !!ts.getModifiers(node)?.some((m) => m.kind === kind);
}

/** The directive prologue of a file or a function body: its leading string statements. */
export function hasDirective(statements: readonly ts.Statement[], directive: string): boolean {
  for (const st of statements) {
    if (!ts.isExpressionStatement(st) || !ts.isStringLiteral(st.expression)) return false;
    if (st.expression.text === directive) return true;
  }
  return false;
}

/**
 * A parameter of a server action: the client calls the action with these arguments, so each is
 * what the request sends (`updatePassword({ oldpass, newpass })`). The action is a function whose
 * own body opens with `'use server'`, or a function exported at the top of a module that does.
 */
export function isActionParameter(p: ts.ParameterDeclaration): boolean {
  const fn = p.parent;
  if (!ts.isFunctionDeclaration(fn) && !ts.isFunctionExpression(fn) && !ts.isArrowFunction(fn)) return false;
  const directive = ruleFile('frameworks').serverActions.directive;
  if (fn.body && ts.isBlock(fn.body) && hasDirective(fn.body.statements, directive)) return true;
  const sf = fn.getSourceFile();
  // (the prologue is read up to its first statement that is not a string: nothing to keep)
  if (!hasDirective(sf.statements, directive)) return false;
  const exported = (n: ts.Node): boolean => hasModifier(n, ts.SyntaxKind.ExportKeyword);
  if (ts.isFunctionDeclaration(fn)) return fn.parent === sf && exported(fn);
  // `export const act = async (x) => …`
  const decl = fn.parent;
  if (!ts.isVariableDeclaration(decl) || decl.initializer !== fn) return false;
  const stmt = decl.parent?.parent;
  return !!stmt && ts.isVariableStatement(stmt) && stmt.parent === sf && exported(stmt);
}

/**
 * The input options a procedure handler's first parameter carries, when the function is handed to a
 * builder's terminal step (`.mutation(({ ctx, input }) => …)`, `.action(({ parsedInput }) => …)`) or is a
 * v9 chained router's `resolve`: the options holding what the client sent. Undefined for any other function.
 */
function procedureInputs(p: ts.ParameterDeclaration): string[] | undefined {
  const fn = p.parent;
  if (!ts.isFunctionExpression(fn) && !ts.isArrowFunction(fn) && !ts.isMethodDeclaration(fn)) return undefined;
  if (fn.parameters[0] !== p) return undefined;
  const rules = ruleFile('frameworks');
  // `.query('name', { input, resolve({ input }) { … } })`: the handler option of a v9 chained router
  const chained = rules.trpc.chainedRouters;
  let at: ts.Node = fn;
  if (ts.isMethodDeclaration(fn) || ts.isPropertyAssignment(fn.parent)) {
    const prop: ts.MethodDeclaration | ts.PropertyAssignment = ts.isMethodDeclaration(fn)
      ? fn
      : (fn.parent as ts.PropertyAssignment);
    const name = prop.name && ts.isIdentifier(prop.name) ? prop.name.text : undefined;
    if (!chained || name !== chained.handlerOption) return undefined;
    at = prop.parent;
    if (!ts.isObjectLiteralExpression(at)) return undefined;
  }
  const call = at.parent;
  if (!ts.isCallExpression(call) || !call.arguments.includes(at as ts.Expression)) return undefined;
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const step = callee.name.text;
  if (at !== fn) return step in rules.trpc.procedureTypes && chained ? [chained.inputOption] : undefined;
  const inputs = Object.values(rules.procedureBuilders.builders)
    .filter((b) => b.steps[step] === 'terminal' && b.inputOption)
    .map((b) => b.inputOption!);
  return inputs.length ? inputs : undefined;
}

/**
 * The option of a procedure handler's argument that holds what the client sent (`({ ctx, input }) =>`
 * given to `.mutation(…)`, `({ parsedInput }) =>` given to `.action(…)`, a v9 `resolve({ input })`).
 */
export function isProcedureInput(p: ts.ParameterDeclaration, member: string | undefined): boolean {
  return !!member && !!procedureInputs(p)?.includes(member);
}

/**
 * The procedure's context (`ctx` of `({ ctx, input }) =>`): what the server's context and middleware
 * made for this request, the signed-in user among it (`ctx.user.id`, `ctx.session.user.id`).
 */
export function isProcedureContext(p: ts.ParameterDeclaration, member: string | undefined): boolean {
  return member === ruleFile('frameworks').procedureBuilders.contextOption && !!procedureInputs(p);
}
