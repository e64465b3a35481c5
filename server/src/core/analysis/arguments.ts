/**
 * Binds the arguments written at a layer statement to the layer's argument
 * table: positional then keyword, defaults filled in, each value checked
 * against its type. Problems are reported and the layer's output becomes
 * unknown; nothing throws.
 */
import { Argument, Expr, Span } from "../syntax/ast";
import { ArgSpec, ArgValue, Args, LayerKind } from "../layers/layer-table";
import { describeValue, evaluate, EvalContext, ExprError, Scope, UNKNOWN, Value } from "../values/expressions";
import * as R from "../values/rational";
import { Code } from "../diagnostics";

export type Report = (span: Span, code: Code, message: string) => void;

/** The closest of `candidates` to `word`, if close enough to suggest. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDist = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/** `; did you mean ...?` for the closest candidate, or nothing. */
export const didYouMean = (word: string, candidates: Iterable<string>): string => {
  const s = suggest(word, candidates);
  return s ? `; did you mean '${s}'?` : "";
};

/** The indices of the positional specs of each spec list, worked out once per list. */
const POSITIONAL = new WeakMap<readonly object[], readonly number[]>();

function positionalOf(specs: readonly { positional?: boolean }[]): readonly number[] {
  let indices = POSITIONAL.get(specs);
  if (!indices) {
    const found: number[] = [];
    for (let i = 0; i < specs.length; i++) if (specs[i].positional) found.push(i);
    POSITIONAL.set(specs, (indices = found));
  }
  return indices;
}

/** The index of the first spec named `name`, or -1. */
function specIndex(specs: readonly { name: string }[], name: string): number {
  for (let i = 0; i < specs.length; i++) if (specs[i].name === name) return i;
  return -1;
}

/**
 * Matches written arguments to specs: returns, per spec (by index), the written
 * argument bound to it, or undefined. Reports unknown, duplicate, extra and
 * missing ones. Specs that share a name (a block's duplicated parameter, itself
 * an error) are one argument: they are bound together.
 */
export function matchArguments(
  what: string,
  specs: readonly { name: string; positional?: boolean; required?: boolean }[],
  written: readonly Argument[],
  stmtSpan: Span,
  report: Report,
): (Argument | undefined)[] {
  const bound = new Array<Argument | undefined>(specs.length);
  for (let i = 0; i < specs.length; i++) bound[i] = undefined;
  const positional = positionalOf(specs);
  let next = 0;
  for (let w = 0; w < written.length; w++) {
    const arg = written[w];
    if (arg.name === undefined) {
      if (next >= positional.length) {
        const names = namesAt(specs, positional);
        report(arg, "extra-argument", `${what} takes ${positional.length} positional argument${positional.length === 1 ? "" : "s"}${names ? ` (${names})` : ""}, but this is argument ${next + 1}`);
        next++;
        continue;
      }
      const i = positional[next++];
      // `conv filters=8, 3`: the 3 would silently replace the 8 and leave the kernel "missing".
      if (bound[i]) {
        report(arg, "duplicate-argument", `${what}: argument '${specs[i].name}' is already given by name; positional arguments come first`);
        continue;
      }
      bind(specs, bound, i, arg);
      continue;
    }
    const i = specIndex(specs, arg.name);
    if (i < 0) {
      report(arg.nameSpan ?? arg, "unknown-argument", `${what} has no argument '${arg.name}'${didYouMean(arg.name, specs.map((s) => s.name))}`);
      continue;
    }
    if (bound[i]) {
      report(arg, "duplicate-argument", `${what}: argument '${arg.name}' is given twice`);
      continue;
    }
    bind(specs, bound, i, arg);
  }
  let missing: string[] | undefined;
  for (let i = 0; i < specs.length; i++) {
    const s = specs[i];
    if ((s.required ?? s.positional) && !bound[i]) (missing ??= []).push(s.name);
  }
  if (missing) {
    report(stmtSpan, "missing-argument", `${what} needs ${missing.length === 1 ? "argument" : "arguments"} ${missing.map((m) => `'${m}'`).join(" and ")}, missing here`);
  }
  return bound;
}

/** The names of the specs at `indices`, for messages. (Apart from matchArguments, whose every call a closure over `specs` would cost a context.) */
function namesAt(specs: readonly { name: string }[], indices: readonly number[]): string {
  return indices.map((i) => specs[i].name).join(", ");
}

/** Binds `arg` to spec `i`, and to any other spec of the same name. */
function bind(specs: readonly { name: string }[], bound: (Argument | undefined)[], i: number, arg: Argument): void {
  const name = specs[i].name;
  for (let j = 0; j < specs.length; j++) if (specs[j].name === name) bound[j] = arg;
}

/** The argument written for `name` at a layer statement, if any: where an error about that argument points. */
export function writtenArgument(layer: LayerKind, written: readonly Argument[], name: string): Argument | undefined {
  const bound = matchArguments(layer.name, layer.args, written, { start: 0, end: 0 }, () => {});
  return bound[specIndex(layer.args, name)];
}

/** A value that does not fit its argument: the code and message to report. */
class Problem {
  constructor(
    readonly code: Code,
    readonly message: string,
  ) {}
}

/** A whole number of at least `min` from a rational, or the problem with it. */
function whole(spec: ArgSpec, r: R.Rational, min: number): number | Problem {
  if (r.d !== 1) return new Problem("not-whole-number", `${spec.name} must be a whole number, but ${R.formatRational(r)} = ${R.toNumber(r).toFixed(3)} is not`);
  if (r.n < min) return new Problem("invalid-value", `${spec.name} must be at least ${min}, but it is ${r.n}`);
  return r.n;
}

/** A whole number or a tuple of them (one per spatial dimension), each at least `min`. */
function perDim(spec: ArgSpec, v: Value, min: number): number | number[] | Problem {
  if (v.t === "num") return whole(spec, v.v, min);
  if (v.t === "tuple") {
    const out = new Array<number>(v.items.length);
    for (let i = 0; i < v.items.length; i++) {
      const w = whole(spec, v.items[i], min);
      if (w instanceof Problem) return w;
      out[i] = w;
    }
    return out;
  }
  return new Problem("wrong-type", `${spec.name} must be a whole number or a size such as 3x3, but it is ${describeValue(v)}`);
}

/** A value checked against an argument type: the value, or the problem with it. */
function checkValue(spec: ArgSpec, v: Value): ArgValue | Problem {
  switch (spec.type) {
    case "count":
    case "index":
      if (v.t !== "num") return new Problem("wrong-type", `${spec.name} must be a whole number, but it is ${describeValue(v)}`);
      return whole(spec, v.v, spec.type === "count" ? 1 : 0);
    case "size":
      return perDim(spec, v, 1);
    case "pad":
      return perDim(spec, v, 0);
    case "padding":
      if (v.t === "word" && (v.v === "same" || v.v === "valid")) return v.v;
      if (v.t === "word") return new Problem("invalid-value", `padding must be a number, a size such as 1x1, 'same' or 'valid', but it is ${describeValue(v)}`);
      return perDim(spec, v, 0);
    case "factor": {
      const items = v.t === "num" ? [v.v] : v.t === "tuple" ? v.items : undefined;
      if (!items) return new Problem("wrong-type", `${spec.name} must be a number or a size such as 2x2, but it is ${describeValue(v)}`);
      if (items.some((r) => r.n <= 0)) return new Problem("invalid-value", `${spec.name} must be greater than 0, but it is ${describeValue(v)}`);
      const nums = items.map(R.toNumber);
      return v.t === "num" ? nums[0] : nums;
    }
    case "bool":
      if (v.t !== "bool") return new Problem("wrong-type", `${spec.name} must be true or false, but it is ${describeValue(v)}`);
      return v.v;
    case "probability":
      if (v.t !== "num") return new Problem("wrong-type", `${spec.name} must be a number between 0 and 1, but it is ${describeValue(v)}`);
      if (v.v.n < 0 || v.v.n > v.v.d) return new Problem("invalid-value", `${spec.name} must be between 0 and 1, but it is ${describeValue(v)}`);
      return R.toNumber(v.v);
    case "number":
      if (v.t !== "num") return new Problem("wrong-type", `${spec.name} must be a number, but it is ${describeValue(v)}`);
      return R.toNumber(v.v);
    case "word":
      if (v.t !== "word" || !spec.choices?.includes(v.v)) {
        return new Problem(v.t === "word" ? "invalid-value" : "wrong-type", `${spec.name} must be one of ${spec.choices?.join(", ")}, but it is ${describeValue(v)}`);
      }
      return v.v;
  }
}

/**
 * True when written arguments are plain values — numbers, sizes, true and false, arithmetic on them — that resolve
 * the same wherever the statement runs, whatever the names in scope and the channels reaching it.
 */
export function argumentsAreConstant(written: readonly Argument[]): boolean {
  for (let i = 0; i < written.length; i++) if (!isConstant(written[i].value, 0)) return false;
  return true;
}

/** The context for arguments that are constant: they read no names and not in_channels. */
export const NO_CONTEXT: EvalContext = { scope: new Scope(), inChannels: UNKNOWN };

/** Deeply nested expressions are taken as not constant, rather than walked. */
const MAX_CONSTANT_DEPTH = 8;

function isConstant(e: Expr, depth: number): boolean {
  if (depth > MAX_CONSTANT_DEPTH) return false;
  switch (e.kind) {
    case "number":
    case "bool":
    case "missing":
      return true;
    case "name":
    case "inChannels":
      return false;
    case "tuple":
      return allConstant(e.items, depth + 1);
    case "unary":
      return isConstant(e.operand, depth + 1);
    case "chain":
      if (!isConstant(e.first, depth + 1)) return false;
      for (const r of e.rest) if (!isConstant(r.operand, depth + 1)) return false;
      return true;
    case "call":
      return allConstant(e.args, depth + 1);
  }
}

function allConstant(es: readonly Expr[], depth: number): boolean {
  for (let i = 0; i < es.length; i++) if (!isConstant(es[i], depth)) return false;
  return true;
}

/**
 * Resolves a layer's arguments. Returns undefined when any value is unknown
 * or wrong (the layer's output is then unknown); problems are reported.
 */
export function resolveLayerArgs(layer: LayerKind, name: string, written: readonly Argument[], stmtSpan: Span, ctx: EvalContext, report: Report): Args | undefined {
  if (written.length === 0) {
    const defaults = defaultsOf(layer);
    if (defaults) return defaults;
  }
  return resolveWritten(layer, name, written, stmtSpan, ctx, report);
}

/** Each layer kind's arguments when none are written, for the kinds that need none: made once, and shared. */
const DEFAULTS = new Map<LayerKind, Args | undefined>();

/** A layer's arguments when none are written (`relu`, `batchnorm`): its defaults, or undefined when it needs some. Arguments are only ever read, so every such layer shares one object. */
function defaultsOf(layer: LayerKind): Args | undefined {
  if (!DEFAULTS.has(layer)) {
    const needsSome = positionalOf(layer.args).length > 0;
    DEFAULTS.set(layer, needsSome ? undefined : resolveWritten(layer, layer.name, [], { start: 0, end: 0 }, NO_CONTEXT, () => {}));
  }
  return DEFAULTS.get(layer);
}

function resolveWritten(layer: LayerKind, name: string, written: readonly Argument[], stmtSpan: Span, ctx: EvalContext, report: Report): Args | undefined {
  const specs = layer.args;
  const bound = matchArguments(name, specs, written, stmtSpan, report);
  const args: Args = {};
  let ok = true;
  let copies = false;
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i];
    const arg = bound[i];
    if (!arg) {
      if (spec.positional) ok = false;
      else if (spec.default !== undefined && typeof spec.default === "object" && !Array.isArray(spec.default)) {
        // Filled in below, once the argument it copies is known.
        copies = true;
      } else if (spec.default !== undefined) args[spec.name] = spec.default as ArgValue;
      continue;
    }
    let value: Value;
    try {
      value = evaluate(arg.value, ctx);
    } catch (e) {
      if (e instanceof ExprError) report(e.span, e.code as Code, e.message);
      else throw e;
      ok = false;
      continue;
    }
    if (value.t === "unknown") {
      ok = false;
      continue;
    }
    const takesWords = spec.type === "word" || spec.type === "padding";
    if (value.t === "word" && !takesWords) {
      // `same` and `valid` are known words, just not accepted here (deconv's padding): say so plainly.
      if (spec.name === "padding" && (value.v === "same" || value.v === "valid")) report(arg.value, "invalid-value", `${name} does not take padding=${value.v}: give the padding as a number or a size such as 1x1`);
      else report(arg.value, "unknown-name", `unknown name '${value.v}': not a parameter or 'let' value in scope`);
      ok = false;
      continue;
    }
    const checked = checkValue(spec, value);
    if (checked instanceof Problem) {
      report(arg.value, checked.code, checked.message);
      ok = false;
      continue;
    }
    args[spec.name] = checked;
  }
  for (let i = 0; copies && i < specs.length; i++) {
    const spec = specs[i];
    if (args[spec.name] === undefined && spec.default && typeof spec.default === "object" && "sameAs" in spec.default) {
      args[spec.name] = args[spec.default.sameAs];
    }
  }
  return ok ? args : undefined;
}
