/**
 * Operator precedence for expressions, and expressions back to text.
 *
 * The parser reads an expression flat (operands, prefix operators and binary
 * operators in a row); `arrange` applies precedence. One grammar rule per
 * precedence level would cost eight rule calls for every plain number.
 */
import * as A from "./ast";

export type ExprItem = { op: A.BinaryOp } | { prefix: "-" | "not"; at: number } | { atom: A.Expr };

/** Lowest to highest; `not` sits between `and` and the comparisons, as in Python. */
const LEVELS: A.BinaryOp[][] = [["or"], ["and"], [], ["==", "!=", "<", "<=", ">", ">="], ["+", "-"], ["*", "/", "%"]];
const NOT_LEVEL = 2;

/**
 * Precedence climbing over the flat item list. Runs of one level become one
 * `chain` node, so a long `1 + 1 + ... + 1` never recurses deeply.
 */
class Precedence {
  private i = 0;
  constructor(private readonly items: ExprItem[]) {}

  parse(): A.Expr {
    return this.level(0);
  }

  private level(l: number): A.Expr {
    if (l === NOT_LEVEL) return this.notLevel();
    if (l >= LEVELS.length) return this.unary();
    const first = this.level(l + 1);
    const rest: { op: A.BinaryOp; operand: A.Expr }[] = [];
    for (;;) {
      const item = this.items[this.i];
      if (!item || !("op" in item) || !LEVELS[l].includes(item.op)) break;
      this.i++;
      rest.push({ op: item.op, operand: this.level(l + 1) });
    }
    if (rest.length === 0) return first;
    return { kind: "chain", first, rest, start: first.start, end: rest[rest.length - 1].operand.end };
  }

  private notLevel(): A.Expr {
    const nots: number[] = [];
    for (let item = this.items[this.i]; item && "prefix" in item && item.prefix === "not"; item = this.items[this.i]) {
      nots.push(item.at);
      this.i++;
    }
    let e = this.level(NOT_LEVEL + 1);
    for (let k = nots.length - 1; k >= 0; k--) e = { kind: "unary", op: "not", operand: e, start: nots[k], end: e.end };
    return e;
  }

  private unary(): A.Expr {
    const minuses: number[] = [];
    for (let item = this.items[this.i]; item && "prefix" in item && item.prefix === "-"; item = this.items[this.i]) {
      minuses.push(item.at);
      this.i++;
    }
    const item = this.items[this.i];
    let e: A.Expr;
    if (item && "atom" in item) {
      this.i++;
      e = item.atom;
    } else if (item && "prefix" in item) {
      e = this.notLevel(); // `- not x`: unusual, but read it rather than fail
    } else {
      const at = minuses.length ? minuses[minuses.length - 1] + 1 : 0;
      e = { kind: "missing", start: at, end: at };
      this.i++;
    }
    for (let k = minuses.length - 1; k >= 0; k--) e = { kind: "unary", op: "-", operand: e, start: minuses[k], end: e.end };
    return e;
  }
}

/** Source-like text of an expression, for signatures and messages. */
export function describeExpr(e: A.Expr): string {
  switch (e.kind) {
    case "number":
      return e.text;
    case "tuple":
      return e.items.every((i) => i.kind === "number") ? e.items.map(describeExpr).join("x") : "(" + e.items.map(describeExpr).join(", ") + ")";
    case "bool":
      return String(e.value);
    case "name":
      return e.name;
    case "inChannels":
      return "in_channels";
    case "unary":
      return e.op === "-" ? "-" + describeExpr(e.operand) : "not " + describeExpr(e.operand);
    case "chain":
      return describeExpr(e.first) + e.rest.map((r) => ` ${r.op} ${describeExpr(r.operand)}`).join("");
    case "call":
      return `${e.name}(${e.args.map(describeExpr).join(", ")})`;
    case "missing":
      return "?";
  }
}

/** The expression written as `items`: a lone value as it is, otherwise precedence applied. */
export function arrange(items: ExprItem[], whereMissing: A.Span): A.Expr {
  if (items.length === 0) return { kind: "missing", start: whereMissing.start, end: whereMissing.end };
  if (items.length === 1 && "atom" in items[0]) return items[0].atom;
  return new Precedence(items).parse();
}
