/**
 * Builds the AST from Chevrotain's concrete syntax tree.
 *
 * Defensive throughout: a node produced by error recovery may lack any child,
 * so every child is optional here and a missing part becomes `undefined` or a
 * `missing` expression rather than an exception.
 */
import { CstElement, CstNode, IToken } from "chevrotain";
import * as A from "./ast";
import { LAYER_NAMES } from "../layers/layer-table";

type Children = Record<string, CstElement[] | undefined>;

const isToken = (e: CstElement): e is IToken => (e as IToken).tokenType !== undefined;

function node(c: Children, key: string, i = 0): CstNode | undefined {
  const e = c[key]?.[i];
  return e && !isToken(e) ? e : undefined;
}

const NONE: never[] = [];

function nodes(c: Children, key: string): CstNode[] {
  const list = c[key];
  if (!list) return NONE;
  // A label holds nodes only (the grammar never mixes): no copy needed.
  return isToken(list[0]) ? list.filter((e): e is CstNode => !isToken(e)) : (list as CstNode[]);
}

function token(c: Children, key: string, i = 0): IToken | undefined {
  const e = c[key]?.[i];
  // Tokens inserted by recovery have NaN offsets; treat them as absent.
  return e && isToken(e) && !Number.isNaN(e.startOffset) ? e : undefined;
}

function tokens(c: Children, key: string): IToken[] {
  const list = c[key];
  if (!list) return NONE;
  return list.filter((e): e is IToken => isToken(e) && !Number.isNaN(e.startOffset));
}

const tokenSpan = (t: IToken): A.Span => ({ start: t.startOffset, end: t.endOffset! + 1 });

function nodeSpan(n: CstNode): A.Span {
  const loc = n.location;
  if (!loc || Number.isNaN(loc.startOffset)) return { start: 0, end: 0 };
  const end = loc.endOffset === undefined || Number.isNaN(loc.endOffset) ? loc.startOffset : loc.endOffset + 1;
  return { start: loc.startOffset, end };
}

/** The first child element with a real position, in source order. */
function firstOffset(c: Children): number | undefined {
  let best: number | undefined;
  for (const list of Object.values(c)) {
    for (const e of list ?? []) {
      const off = isToken(e) ? e.startOffset : e.location?.startOffset;
      if (off !== undefined && !Number.isNaN(off) && (best === undefined || off < best)) best = off;
    }
  }
  return best;
}

/** Converts a parsed `file` CST node; `docFor` finds the doc comment ending right before an offset. */
export function buildFile(
  root: CstNode | undefined,
  docFor: (offset: number) => string | undefined,
  problems: A.SyntaxProblem[],
): A.CnnFile {
  const file: A.CnnFile = { models: [], blocks: [], statements: [] };
  if (!root) return file;
  const b = new Builder(file, problems);
  for (const m of nodes(root.children, "modelDecl")) {
    const decl = b.model(m);
    if (decl) {
      decl.doc = docFor(decl.start);
      file.models.push(decl);
    }
  }
  for (const m of nodes(root.children, "blockDecl")) {
    const decl = b.block(m);
    if (decl) {
      decl.doc = docFor(decl.start);
      file.blocks.push(decl);
    }
  }
  file.models.sort((x, y) => x.start - y.start);
  file.blocks.sort((x, y) => x.start - y.start);
  file.statements.sort((x, y) => x.start - y.start);
  return file;
}

/** Converts a `statements` CST node (a piece of a long body) and records its statements in `file`. */
export function buildStatements(n: CstNode | undefined, file: A.CnnFile, problems: A.SyntaxProblem[]): A.Statement[] {
  return new Builder(file, problems).body(n);
}

class Builder {
  constructor(
    private readonly file: A.CnnFile,
    private readonly problems: A.SyntaxProblem[],
  ) {}

  model(n: CstNode): A.ModelDecl | undefined {
    const c = n.children;
    const name = token(c, "name");
    const span = nodeSpan(n);
    return {
      kind: "model",
      name: name?.image ?? "",
      nameSpan: name ? tokenSpan(name) : { start: span.start, end: span.start + 5 },
      body: this.body(node(c, "bracedBody")),
      ...span,
    };
  }

  block(n: CstNode): A.BlockDecl | undefined {
    const c = n.children;
    const name = token(c, "name");
    const span = nodeSpan(n);
    const params: A.Parameter[] = [];
    for (const p of nodes(c, "parameter")) {
      const pn = token(p.children, "name");
      if (!pn) continue;
      const def = node(p.children, "default");
      params.push({ name: pn.image, default: def ? this.expr(def) : undefined, ...nodeSpan(p) });
    }
    return {
      kind: "block",
      name: name?.image ?? "",
      nameSpan: name ? tokenSpan(name) : { start: span.start, end: span.start + 5 },
      params,
      signature: "(" + params.map((p) => p.name + (p.default ? "=" + describeExpr(p.default) : "")).join(", ") + ")",
      body: this.body(node(c, "bracedBody")),
      ...span,
    };
  }

  body(n: CstNode | undefined): A.Statement[] {
    if (!n) return [];
    const out: A.Statement[] = [];
    // Statements must be separated by a newline or `;`: remember where each terminator is.
    const terminators = tokens(n.children, "terminators").map((t) => t.startOffset);
    let ti = 0;
    for (const s of nodes(n.children, "statement")) {
      const st = this.statement(s);
      if (!st) continue;
      const prev = out[out.length - 1];
      if (prev) {
        while (ti < terminators.length && terminators[ti] < prev.end) ti++;
        if (!(ti < terminators.length && terminators[ti] < st.start)) {
          this.problems.push({
            start: st.start,
            end: st.end,
            message: "expected a new line or ';' before this statement",
            code: "syntax-error",
          });
        }
      }
      out.push(st);
      this.file.statements.push(st);
    }
    return out;
  }

  /** The offset just past the `{` of a braced body, or a fallback. */
  private openEnd(n: CstNode | undefined, fallback: number): number {
    const t = n && token(n.children, "LBrace");
    return t ? t.endOffset! + 1 : fallback;
  }

  statement(n: CstNode): A.Statement | undefined {
    const c = n.children;
    const labelTok = token(c, "label");
    const label = labelTok ? { name: labelTok.image, start: labelTok.startOffset, end: labelTok.endOffset! + 1 } : undefined;
    let inner: CstElement | undefined = (c.layerStmt ?? c.callStmt)?.[0];
    if (!inner) {
      for (const k in c) {
        if (k !== "label" && k !== "Colon") {
          inner = c[k]?.[0];
          break;
        }
      }
    }
    if (!inner || isToken(inner)) return undefined;
    const span = nodeSpan(n);
    // Layers and calls are most statements: built with one fixed object shape, no spreading.
    if (inner.name === "layerStmt" || inner.name === "callStmt") return this.layerOrCall(inner, label, span.start, span.end);
    const base = { label, ...span, headerEnd: span.end };
    const ic = inner.children;
    const exprOf = () => {
      const e = node(ic, "expression");
      return e ? this.expr(e) : undefined;
    };
    switch (inner.name) {
      case "inputStmt":
        return { kind: "input", shape: exprOf(), ...base };
      case "dtypeStmt":
        return { kind: "dtype", value: exprOf(), ...base };
      case "batchStmt":
        return { kind: "batch", value: exprOf(), ...base };
      case "budgetStmt": {
        const m = token(ic, "metric");
        return {
          kind: "budget",
          metric: m?.image,
          metricSpan: m ? tokenSpan(m) : undefined,
          strict: !!token(ic, "Less"),
          limit: exprOf(),
          ...base,
        };
      }
      case "letStmt": {
        const name = token(ic, "name");
        return { kind: "let", name: name?.image, nameSpan: name ? tokenSpan(name) : undefined, value: exprOf(), ...base };
      }
      case "repeatStmt": {
        const bodyNode = node(ic, "bracedBody");
        return { kind: "repeat", count: exprOf(), body: this.body(bodyNode), ...base, headerEnd: this.openEnd(bodyNode, span.end) };
      }
      case "residualStmt": {
        const main = node(ic, "main");
        const sc = node(ic, "shortcut");
        const scTok = token(ic, "Shortcut");
        const mainClose = main && token(main.children, "RBrace");
        return {
          kind: "residual",
          main: this.body(main),
          shortcut: sc || scTok ? this.body(sc) : undefined,
          shortcutSpan: scTok ? tokenSpan(scTok) : undefined,
          mainEnd: mainClose ? mainClose.endOffset! + 1 : span.end,
          ...base,
          headerEnd: this.openEnd(main, span.end),
        };
      }
      case "branchesStmt": {
        const kind = token(ic, "Concat") ? "concat" : "add";
        const branchToks = tokens(ic, "Branch");
        const bodies = nodes(ic, "bracedBody");
        const branches = bodies.map((bn, i) => {
          const bs = nodeSpan(bn);
          const start = branchToks[i]?.startOffset ?? bs.start;
          // A body made up by error recovery has no position: the span then ends after `branch`.
          const end = Math.max(bs.end, branchToks[i] ? branchToks[i].endOffset! + 1 : start);
          return { span: { start, end }, body: this.body(bn) };
        });
        const open = token(ic, "LBrace");
        return { kind, branches, ...base, headerEnd: open ? open.endOffset! + 1 : span.end };
      }
      case "bodyStmt": {
        const bodyNode = node(ic, "bracedBody");
        return { kind: token(ic, "Scale") ? "scale" : "aux", body: this.body(bodyNode), ...base, headerEnd: this.openEnd(bodyNode, span.end) };
      }
      case "ifStmt":
        return { kind: "if", clauses: this.ifClauses(inner), ...base, headerEnd: this.openEnd(node(ic, "bracedBody"), span.end) };
    }
    return undefined;
  }

  private layerOrCall(inner: CstNode, label: A.Label | undefined, start: number, end: number): A.LayerStatement | A.CallStatement | undefined {
    const ic = inner.children;
    const name = token(ic, "name");
    if (!name) return undefined;
    // An argument the parser recovered from nothing (`conv 16, 3x3,` at a line end) has no text; its syntax error is already reported.
    const hasText = (a: CstNode) => !!a.location && !Number.isNaN(a.location.startOffset);
    const written = nodes(ic, "argument");
    const args: A.Argument[] = [];
    for (const a of written) if (hasText(a)) args.push(this.argument(a));
    const nameSpan = { start: name.startOffset, end: name.endOffset! + 1 };
    if (inner.name === "callStmt") return { kind: "call", name: name.image, nameSpan, args, label, start, end, headerEnd: end };
    const st: A.LayerStatement = { kind: "layer", name: name.image, nameSpan, args, label, start, end, headerEnd: end };
    // A dangling comma or a `key=` without a value leaves the layer half-typed (`conv 8,, 3` is still whole).
    if ((written.length > 0 && !hasText(written[written.length - 1])) || args.some((a) => a.value.kind === "missing")) st.incomplete = true;
    const body = node(ic, "body");
    if (body) {
      st.bodySpan = nodeSpan(body);
      // An unknown name with a body is reported by the evaluator, with keywords as suggestions.
      if (LAYER_NAMES.has(name.image)) {
        this.problems.push({ ...st.bodySpan, message: `a layer takes no '{ }' body: '${name.image}' is a layer kind`, code: "syntax-error" });
      }
    }
    return st;
  }

  private ifClauses(n: CstNode): A.IfStatement["clauses"] {
    const clauses: A.IfStatement["clauses"] = [];
    // `else if` chains nest in the CST; walk them iteratively.
    let cur: CstNode | undefined = n;
    while (cur) {
      const c: Children = cur.children;
      const e = node(c, "expression");
      clauses.push({ cond: e ? this.expr(e) : { kind: "missing", ...nodeSpan(cur) }, body: this.body(node(c, "bracedBody")), span: nodeSpan(cur) });
      const elseBody = node(c, "elseBody");
      if (elseBody) clauses.push({ body: this.body(elseBody), span: nodeSpan(elseBody) });
      cur = node(c, "elseIf");
    }
    return clauses;
  }

  private argument(n: CstNode): A.Argument {
    const c = n.children;
    const key = token(c, "key");
    const { start, end } = nodeSpan(n);
    // The parser reads an argument's expression inline: its operands are the argument's own children.
    return {
      name: key?.image,
      nameSpan: key ? tokenSpan(key) : undefined,
      value: c.operands ? this.expr(n) : { kind: "missing", start, end },
      start,
      end,
    };
  }

  /** An expression: flat operands and operators from the parser, precedence applied here. */
  expr(n: CstNode): A.Expr {
    const c = n.children;
    // The common case, a lone value (`64`, `3x3`, `same`): no operators to arrange.
    const lone = c.operands?.length === 1 && !c.ops ? c.operands[0] : undefined;
    if (lone && !isToken(lone) && !lone.children.prefix) return this.primary(lone);
    const items: ExprItem[] = [];
    const operands = nodes(c, "operands");
    const ops = tokens(c, "ops");
    operands.forEach((o, i) => {
      if (i > 0) items.push({ op: (ops[i - 1]?.image ?? "+") as A.BinaryOp });
      for (const t of tokens(o.children, "prefix")) items.push({ prefix: t.image as "-" | "not", at: t.startOffset });
      items.push({ atom: this.primary(o) });
    });
    if (items.length === 0) return { kind: "missing", ...nodeSpan(n) };
    return new Precedence(items).parse();
  }

  private primary(n: CstNode): A.Expr {
    const c = n.children;
    const lit = token(c, "Number") ?? token(c, "Suffixed") ?? token(c, "ByteSize");
    if (lit) return { kind: "number", text: lit.image, bytes: lit.tokenType.name === "ByteSize", start: lit.startOffset, end: lit.endOffset! + 1 };
    const span = nodeSpan(n);
    const tup = token(c, "Tuple");
    if (tup) {
      // Split `3x224x224` into its numbers, each with its own span.
      const items: A.Expr[] = [];
      let off = tup.startOffset;
      for (const part of tup.image.split("x")) {
        items.push({ kind: "number", text: part, bytes: false, start: off, end: off + part.length });
        off += part.length + 1;
      }
      return { kind: "tuple", items, ...tokenSpan(tup) };
    }
    if (token(c, "True")) return { kind: "bool", value: true, ...span };
    if (token(c, "False")) return { kind: "bool", value: false, ...span };
    if (token(c, "InChannels")) return { kind: "inChannels", ...span };
    const id = token(c, "Identifier");
    if (id) {
      if (c.callOpen) {
        const args = nodes(c, "callArgs").map((a) => this.expr(a));
        return { kind: "call", name: id.image, nameSpan: tokenSpan(id), args, ...span };
      }
      return { kind: "name", name: id.image, ...tokenSpan(id) };
    }
    const items = nodes(c, "items").map((i) => this.expr(i));
    if (items.length === 1) return { ...items[0], start: span.start, end: span.end };
    if (items.length > 1) return { kind: "tuple", items, ...span };
    return { kind: "missing", ...span };
  }
}

type ExprItem = { op: A.BinaryOp } | { prefix: "-" | "not"; at: number } | { atom: A.Expr };

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
