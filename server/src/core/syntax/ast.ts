/**
 * The abstract syntax tree of a `.cnn` file.
 *
 * Every node carries `start`/`end` UTF-16 offsets into the text (end exclusive).
 * Nodes built from recovered, half-typed input may miss parts: optional fields
 * are genuinely optional and the evaluator treats a missing part as unknown.
 */

export interface Span {
  start: number;
  end: number;
}

/** A parse or lex error, before it becomes a diagnostic. */
export interface SyntaxProblem extends Span {
  message: string;
  code: string;
}

export type BinaryOp = "+" | "-" | "*" | "/" | "%" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "and" | "or";

export type Expr =
  /** A number literal; `text` is its source (`1.5G`, `20MB`), `bytes` marks a byte size. */
  | (Span & { kind: "number"; text: string; bytes: boolean })
  /** `3x224x224` (from a literal) or `(1, s, s)` (from expressions). */
  | (Span & { kind: "tuple"; items: Expr[] })
  | (Span & { kind: "bool"; value: boolean })
  /** A parameter, `let` name, or a bare word such as `same`. */
  | (Span & { kind: "name"; name: string })
  | (Span & { kind: "inChannels" })
  | (Span & { kind: "unary"; op: "-" | "not"; operand: Expr })
  /** A left-associative chain `a op b op c`, kept flat so long chains never recurse deeply. */
  | (Span & { kind: "chain"; first: Expr; rest: { op: BinaryOp; operand: Expr }[] })
  | (Span & { kind: "call"; name: string; nameSpan: Span; args: Expr[] })
  /** A part the parser could not read; evaluates to unknown, quietly. */
  | (Span & { kind: "missing" });

export interface Argument extends Span {
  name?: string;
  nameSpan?: Span;
  value: Expr;
}

export interface Label extends Span {
  name: string;
}

interface StatementBase extends Span {
  label?: Label;
  /** Where the header ends (after `{` for compound statements, the statement end otherwise). */
  headerEnd: number;
}

/**
 * What a layer and a block call have in common: a name and arguments.
 *
 * Statements written alike share one list of arguments (`conv 64, 3x3, padding=1`
 * on a thousand lines holds one): `written` is that list, placed where it was
 * first written, and `args` is it placed here, made when asked. What does not
 * depend on where the arguments are (hashing and comparing them, resolving
 * their values) reads `written`; what reports or points at one reads `args`.
 */
interface WithArguments extends StatementBase {
  name: string;
  nameSpan: Span;
  /** The arguments at their place in this statement, made on each read. */
  readonly args: readonly Argument[];
  /** The arguments as written, perhaps at another statement's place. */
  readonly written: readonly Argument[];
}

export interface LayerStatement extends WithArguments {
  kind: "layer";
  /** Half-typed: the parser recovered inside the arguments (`conv 64,` at a line end, `padding=` with no value); the syntax error is already reported. */
  incomplete?: boolean;
  /** A `{ }` body written after the name (a misspelt `repeat`, say): an error; its statements are skipped. */
  bodySpan?: Span;
  /**
   * Meant as a block call (a name that is no layer kind, then `(`), but its arguments did not read as one
   * (`stage(, out=3)`): the syntax error is reported, and the statement is skipped.
   */
  brokenCall?: boolean;
}

export interface CallStatement extends WithArguments {
  kind: "call";
}

export interface InputStatement extends StatementBase {
  kind: "input";
  shape?: Expr;
}

export interface DtypeStatement extends StatementBase {
  kind: "dtype";
  value?: Expr;
}

export interface BatchStatement extends StatementBase {
  kind: "batch";
  value?: Expr;
}

export interface BudgetStatement extends StatementBase {
  kind: "budget";
  metric?: string;
  metricSpan?: Span;
  strict: boolean;
  limit?: Expr;
}

export interface LetStatement extends StatementBase {
  kind: "let";
  name?: string;
  nameSpan?: Span;
  value?: Expr;
}

export interface RepeatStatement extends StatementBase {
  kind: "repeat";
  count?: Expr;
  body: Statement[];
}

export interface ResidualStatement extends StatementBase {
  kind: "residual";
  main: Statement[];
  /** Absent when there is no `shortcut` clause: the shortcut is the identity. */
  shortcut?: Statement[];
  shortcutSpan?: Span;
  /** The closing brace of the main path, for related information. */
  mainEnd: number;
}

export interface BranchesStatement extends StatementBase {
  kind: "add" | "concat";
  branches: { span: Span; body: Statement[] }[];
}

export interface BodyStatement extends StatementBase {
  kind: "scale" | "aux";
  body: Statement[];
}

export interface IfStatement extends StatementBase {
  kind: "if";
  /** `if`, then each `else if`; a final `else` has no condition. */
  clauses: { cond?: Expr; body: Statement[]; span: Span }[];
}

export type Statement =
  | LayerStatement
  | CallStatement
  | InputStatement
  | DtypeStatement
  | BatchStatement
  | BudgetStatement
  | LetStatement
  | RepeatStatement
  | ResidualStatement
  | BranchesStatement
  | BodyStatement
  | IfStatement;

export interface Parameter extends Span {
  name: string;
  default?: Expr;
}

export interface ModelDecl extends Span {
  kind: "model";
  name: string;
  nameSpan: Span;
  body: Statement[];
  doc?: string;
}

export interface BlockDecl extends Span {
  kind: "block";
  name: string;
  nameSpan: Span;
  params: Parameter[];
  /** The `(...)` parameter list as written, for signatures in hovers. */
  signature: string;
  body: Statement[];
  doc?: string;
}

export interface CnnFile {
  models: ModelDecl[];
  blocks: BlockDecl[];
  /** Every statement in the file, in text order, nested ones included. */
  statements: Statement[];
}

/** Calls `visit` on each statement of `body` and, depth-first, on the statements nested in it. */
export function forEachStatement(body: Statement[], visit: (s: Statement) => void): void {
  for (const s of body) {
    visit(s);
    for (const inner of childBodies(s)) forEachStatement(inner, visit);
  }
}

/** The statement lists directly nested in `s`. */
export function childBodies(s: Statement): Statement[][] {
  switch (s.kind) {
    case "repeat":
    case "scale":
    case "aux":
      return [s.body];
    case "residual":
      return s.shortcut ? [s.main, s.shortcut] : [s.main];
    case "add":
    case "concat":
      return s.branches.map((b) => b.body);
    case "if":
      return s.clauses.map((c) => c.body);
    default:
      return [];
  }
}

/** `args`, each span `by` further on. */
export function shiftArguments(args: readonly Argument[], by: number): Argument[] {
  return args.map((a) => ({
    name: a.name,
    nameSpan: a.nameSpan && { start: a.nameSpan.start + by, end: a.nameSpan.end + by },
    value: shiftExpr(a.value, by),
    start: a.start + by,
    end: a.end + by,
  }));
}

/** `e`, each span `by` further on. Arguments are short, so the recursion is shallow. */
function shiftExpr(e: Expr, by: number): Expr {
  const start = e.start + by;
  const end = e.end + by;
  switch (e.kind) {
    case "number":
      return { kind: "number", text: e.text, bytes: e.bytes, start, end };
    case "tuple":
      return { kind: "tuple", items: e.items.map((x) => shiftExpr(x, by)), start, end };
    case "bool":
      return { kind: "bool", value: e.value, start, end };
    case "name":
      return { kind: "name", name: e.name, start, end };
    case "inChannels":
      return { kind: "inChannels", start, end };
    case "unary":
      return { kind: "unary", op: e.op, operand: shiftExpr(e.operand, by), start, end };
    case "chain":
      return { kind: "chain", first: shiftExpr(e.first, by), rest: e.rest.map((r) => ({ op: r.op, operand: shiftExpr(r.operand, by) })), start, end };
    case "call":
      return { kind: "call", name: e.name, nameSpan: { start: e.nameSpan.start + by, end: e.nameSpan.end + by }, args: e.args.map((x) => shiftExpr(x, by)), start, end };
    case "missing":
      return { kind: "missing", start, end };
  }
}
