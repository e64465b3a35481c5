/**
 * Values and the evaluation of expressions: exact, rational arithmetic.
 */
import { Expr, Span } from "../syntax/ast";
import * as R from "./rational";
import { Rational } from "./rational";

/** A value: a number, a tuple of numbers, a boolean, a bare word, or unknown (after an error). */
export type Value =
  | { t: "num"; v: Rational }
  | { t: "tuple"; items: Rational[] }
  | { t: "bool"; v: boolean }
  | { t: "word"; v: string }
  | { t: "unknown" };

export const UNKNOWN: Value = { t: "unknown" };

export const num = (v: Rational): Value => ({ t: "num", v });

/** The values of small whole numbers, shared (values are never changed): most literals are one of them. */
const SMALL: readonly Value[] = Array.from({ length: 1024 }, (_, n) => num(R.rat(n)));

/** The value of a whole number (a channel count, say): shared when it is small. */
export function wholeNumber(n: number): Value {
  return Number.isInteger(n) && n >= 0 && n < SMALL.length ? SMALL[n] : num(R.rat(n));
}

/** Names in scope: parameters and `let` values, innermost first. */
export class Scope {
  /** Made by the first definition: most scopes (a body's) define nothing. */
  private vars: Map<string, Value> | undefined;
  constructor(readonly parent?: Scope) {}

  lookup(name: string): Value | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const v = s.vars?.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  define(name: string, value: Value): void {
    (this.vars ??= new Map()).set(name, value);
  }
}

/** Raised for an expression that cannot be evaluated; carries the span to blame. */
export class ExprError extends Error {
  constructor(
    message: string,
    readonly span: Span,
    readonly code = "invalid-value",
  ) {
    super(message);
  }
}

/** The functions of the expression language. */
export const FUNCTIONS: readonly string[] = ["min", "max", "round", "floor", "ceil"];

/** Describes a value for messages: `64`, `3x3`, `true`, `'same'`. */
export function describeValue(v: Value): string {
  switch (v.t) {
    case "num":
      return R.formatRational(v.v);
    case "tuple":
      return v.items.map(R.formatRational).join("x");
    case "bool":
      return String(v.v);
    case "word":
      return `'${v.v}'`;
    case "unknown":
      return "unknown";
  }
}

export interface EvalContext {
  scope: Scope;
  /** The channel count reaching the statement (features of a flat vector), or unknown. */
  inChannels: Value;
}

/** Evaluates `e`; throws ExprError for type errors, division by zero and overflow. */
export function evaluate(e: Expr, ctx: EvalContext): Value {
  // One small function per kind: a large `evaluate` is left unoptimized by V8 in some runs.
  switch (e.kind) {
    case "number":
      return literal(e);
    case "bool":
      return { t: "bool", v: e.value };
    case "inChannels":
      return ctx.inChannels;
    case "name":
      return ctx.scope.lookup(e.name) ?? { t: "word", v: e.name };
    case "missing":
      return UNKNOWN;
    case "tuple":
      return tuple(e, ctx);
    case "unary":
      return unary(e, ctx);
    case "chain":
      return chain(e, ctx);
    case "call":
      try {
        return callFunction(e.name, e.nameSpan, e.args, ctx, e);
      } catch (err) {
        throw overflowAt(err, e);
      }
  }
}

function literal(e: Expr & { kind: "number" }): Value {
  let v: Rational;
  try {
    v = R.parseLiteral(e.text);
  } catch (err) {
    throw overflowAt(err, e);
  }
  return v.d === 1 && v.n >= 0 && v.n < SMALL.length ? SMALL[v.n] : num(v);
}

function tuple(e: Expr & { kind: "tuple" }, ctx: EvalContext): Value {
  const items = new Array<Rational>(e.items.length);
  let unknown = false;
  for (let i = 0; i < e.items.length; i++) {
    const v = evaluate(e.items[i], ctx);
    if (v.t === "unknown") unknown = true;
    else items[i] = expectNumber(v, e.items[i]);
  }
  return unknown ? UNKNOWN : { t: "tuple", items };
}

function unary(e: Expr & { kind: "unary" }, ctx: EvalContext): Value {
  // Peel a run of prefix operators without recursing, so `- - - ... 1` cannot overflow the stack.
  const ops: (Expr & { kind: "unary" })[] = [];
  let inner: Expr = e;
  while (inner.kind === "unary") {
    ops.push(inner);
    inner = inner.operand;
  }
  let v = evaluate(inner, ctx);
  for (let i = ops.length - 1; i >= 0 && v.t !== "unknown"; i--) {
    const op = ops[i];
    v = op.op === "not" ? { t: "bool", v: !expectBool(v, op.operand) } : num(R.neg(expectNumber(v, op.operand)));
  }
  return v;
}

function chain(e: Expr & { kind: "chain" }, ctx: EvalContext): Value {
  let acc = evaluate(e.first, ctx);
  for (const { op, operand } of e.rest) {
    // `and`/`or` short-circuit, as in Python.
    if (op === "and" || op === "or") {
      if (acc.t === "unknown") return acc;
      const left = expectBool(acc, e.first);
      if (op === "and" ? !left : left) continue;
      const right = evaluate(operand, ctx);
      acc = right.t === "unknown" ? right : { t: "bool", v: expectBool(right, operand) };
      continue;
    }
    const right = evaluate(operand, ctx);
    if (acc.t === "unknown" || right.t === "unknown") {
      acc = UNKNOWN;
      continue;
    }
    acc = binary(op, acc, right, e, operand);
  }
  return acc;
}

/** A value beyond 2^53 becomes an ExprError on `span`, so every caller reports it as count-overflow (in a budget limit or a setting too). */
function overflowAt(err: unknown, span: Span): unknown {
  return err instanceof R.OverflowError ? new ExprError(err.message, span, "count-overflow") : err;
}

function binary(op: string, a: Value, b: Value, whole: Span, right: Span): Value {
  if (op === "==" || op === "!=") {
    const eq = valuesEqual(a, b);
    return { t: "bool", v: op === "==" ? eq : !eq };
  }
  const x = expectNumber(a, whole);
  const y = expectNumber(b, right);
  try {
    switch (op) {
      case "+":
        return num(R.add(x, y));
      case "-":
        return num(R.sub(x, y));
      case "*":
        return num(R.mul(x, y));
      case "/":
        if (y.n === 0) throw new ExprError(`division by zero: ${R.formatRational(x)} / 0`, right);
        return num(R.div(x, y));
      case "%":
        if (y.n === 0) throw new ExprError(`division by zero: ${R.formatRational(x)} % 0`, right);
        return num(R.mod(x, y));
      case "<":
        return { t: "bool", v: R.cmp(x, y) < 0 };
      case "<=":
        return { t: "bool", v: R.cmp(x, y) <= 0 };
      case ">":
        return { t: "bool", v: R.cmp(x, y) > 0 };
      case ">=":
        return { t: "bool", v: R.cmp(x, y) >= 0 };
    }
  } catch (err) {
    if (err instanceof R.OverflowError) throw new ExprError(err.message, whole, "count-overflow");
    throw err;
  }
  throw new ExprError(`unknown operator '${op}'`, whole);
}

function valuesEqual(a: Value, b: Value): boolean {
  if (a.t !== b.t) return false;
  switch (a.t) {
    case "num":
      return R.cmp(a.v, (b as typeof a).v) === 0;
    case "tuple": {
      const bi = (b as typeof a).items;
      return a.items.length === bi.length && a.items.every((x, i) => R.cmp(x, bi[i]) === 0);
    }
    case "bool":
    case "word":
      return a.v === (b as typeof a).v;
    default:
      return false;
  }
}

function callFunction(name: string, nameSpan: Span, args: Expr[], ctx: EvalContext, whole: Span): Value {
  if (!FUNCTIONS.includes(name)) {
    throw new ExprError(`unknown function '${name}': the functions are ${FUNCTIONS.join(", ")}`, nameSpan, "unknown-name");
  }
  const values = args.map((a) => evaluate(a, ctx));
  if (values.some((v) => v.t === "unknown")) return UNKNOWN;
  const nums = values.map((v, i) => expectNumber(v, args[i]));
  if (name === "min" || name === "max") {
    if (nums.length === 0) throw new ExprError(`${name}() needs at least one value`, whole, "missing-argument");
    let best = nums[0];
    for (const x of nums) if (name === "min" ? R.cmp(x, best) < 0 : R.cmp(x, best) > 0) best = x;
    return num(best);
  }
  if (nums.length !== 1) throw new ExprError(`${name}() takes one value, found ${nums.length}`, whole, nums.length ? "extra-argument" : "missing-argument");
  const x = nums[0];
  return num(name === "round" ? R.roundHalfEven(x) : name === "floor" ? R.floor(x) : R.ceil(x));
}

/** The number in `v`, or an ExprError naming what was found. */
export function expectNumber(v: Value, span: Span): Rational {
  if (v.t === "num") return v.v;
  if (v.t === "word") throw new ExprError(`unknown name '${v.v}': not a parameter or 'let' value in scope`, span, "unknown-name");
  throw new ExprError(`expected a number but found ${describeValue(v)}`, span, "wrong-type");
}

function expectBool(v: Value, span: Span): boolean {
  if (v.t === "bool") return v.v;
  if (v.t === "word") throw new ExprError(`unknown name '${v.v}': not a parameter or 'let' value in scope`, span, "unknown-name");
  throw new ExprError(`expected true or false but found ${describeValue(v)}`, span, "wrong-type");
}
