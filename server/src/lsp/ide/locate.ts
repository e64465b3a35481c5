/**
 * What sits at an offset: a model or block name, or the innermost statement.
 * Pure: reads the core's AST, knows nothing of LSP.
 */
import { Analysis, ast } from "../../core";

/** A hover target: a model or block (by its keyword or name), or a statement (by its header). */
export type Target =
  | { kind: "model"; decl: ast.ModelDecl; span: ast.Span }
  | { kind: "block"; decl: ast.BlockDecl; span: ast.Span }
  | { kind: "statement"; stmt: ast.Statement; span: ast.Span };

/**
 * The thing a hover at `offset` is about. A compound statement (`repeat`,
 * `residual`, ...) counts only on its header, so the blank lines of its body
 * do not all hover the same summary.
 */
export function targetAt(analysis: Analysis, offset: number): Target | undefined {
  const { file } = analysis;
  // The keyword and the name both count: `model VGG16`, `block stage`.
  const onName = (d: ast.ModelDecl | ast.BlockDecl) => d.name && d.start <= offset && offset <= d.nameSpan.end;
  for (const m of file.models) if (onName(m)) return { kind: "model", decl: m, span: m.nameSpan };
  for (const b of file.blocks) if (onName(b)) return { kind: "block", decl: b, span: b.nameSpan };
  const stmt = statementAt(file, offset);
  if (!stmt) return undefined;
  return { kind: "statement", stmt, span: { start: stmt.start, end: stmt.headerEnd } };
}

/** The innermost statement whose header holds `offset` (its whole text, for simple statements). */
export function statementAt(file: ast.CnnFile, offset: number): ast.Statement | undefined {
  let found: ast.Statement | undefined;
  // Statements are in text order and a nested one starts after its parent, so the last match is the innermost.
  for (const s of file.statements) {
    if (s.start > offset) break;
    if (offset <= s.headerEnd) found = s;
  }
  return found;
}

/** The model or block whose body holds `offset`. */
export function declAt(file: ast.CnnFile, offset: number): ast.ModelDecl | ast.BlockDecl | undefined {
  return [...file.models, ...file.blocks].find((d) => d.start <= offset && offset <= d.end);
}

const parentMaps = new WeakMap<ast.CnnFile, Map<ast.Statement, ast.Statement>>();

/** Each statement's enclosing statement (undefined directly in a model or block body); built once per file. */
export function parentOf(file: ast.CnnFile, s: ast.Statement): ast.Statement | undefined {
  let map = parentMaps.get(file);
  if (!map) {
    // Only nested statements are entered: a flat 100,000-statement model would otherwise keep a 3.5 MB map.
    const m = new Map<ast.Statement, ast.Statement>();
    const walk = (body: ast.Statement[], parent: ast.Statement | undefined) => {
      for (const child of body) {
        if (parent) m.set(child, parent);
        for (const inner of ast.childBodies(child)) walk(inner, child);
      }
    };
    for (const d of [...file.models, ...file.blocks]) walk(d.body, undefined);
    parentMaps.set(file, (map = m));
  }
  return map.get(s);
}

/** The innermost `repeat` around `s` within its model or block, if any. */
export function enclosingRepeat(file: ast.CnnFile, s: ast.Statement): ast.RepeatStatement | undefined {
  for (let p = parentOf(file, s); p; p = parentOf(file, p)) if (p.kind === "repeat") return p;
  return undefined;
}
