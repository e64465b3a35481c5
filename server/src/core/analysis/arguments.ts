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
  return constantArgumentsHash(written) >= 0;
}

/** The context for arguments that are constant: they read no names and not in_channels. */
export const NO_CONTEXT: EvalContext = { scope: new Scope(), inChannels: UNKNOWN };

/**
 * Constant arguments already resolved in one evaluation, for the layers written alike to share: arguments written
 * alike — the same names, operators and literals — resolve alike, and a flat model of 100,000 layers has a handful
 * of distinct ones. Found by their hash (see constantArgumentsHash), then compared.
 */
export class ResolvedConstants {
  private readonly byHash = new Map<number, { layer: LayerKind; written: readonly Argument[]; args: Args }[]>();

  /** The arguments of a `layer` whose constant arguments `written` hash to `hash`, if some written alike were added. */
  get(layer: LayerKind, written: readonly Argument[], hash: number): Args | undefined {
    const entries = this.byHash.get(hash);
    for (let i = 0; entries && i < entries.length; i++) if (entries[i].layer === layer && (entries[i].written === written || sameArguments(entries[i].written, written))) return entries[i].args;
    return undefined;
  }

  add(layer: LayerKind, written: readonly Argument[], hash: number, args: Args): void {
    const entries = this.byHash.get(hash);
    if (entries) entries.push({ layer, written, args });
    else this.byHash.set(hash, [{ layer, written, args }]);
  }
}

/**
 * A hash of constant arguments, from what they are written as (so arguments written alike have equal hashes), or -1
 * when they are not constant.
 */
export function constantArgumentsHash(written: readonly Argument[]): number {
  let h = written.length;
  for (let i = 0; i < written.length; i++) {
    const a = written[i];
    const v = expressionHash(a.value, 0);
    if (v < 0) return -1;
    h = mix(mix(h, a.name === undefined ? 0 : textHash(a.name)), v);
  }
  return h;
}

/** Deeply nested expressions are taken as not constant, rather than walked. */
const MAX_CONSTANT_DEPTH = 8;

/** Mixes `v` into the hash `h`; hashes stay small non-negative integers. */
function mix(h: number, v: number): number {
  return (Math.imul(h, 31) + v) & 0x3fffffff;
}

function textHash(text: string): number {
  let h = text.length;
  for (let i = 0; i < text.length; i++) h = mix(h, text.charCodeAt(i));
  return h;
}

function expressionHash(e: Expr, depth: number): number {
  if (depth > MAX_CONSTANT_DEPTH) return -1;
  switch (e.kind) {
    case "number":
      return mix(1, textHash(e.text));
    case "bool":
      return e.value ? 2 : 3;
    case "missing":
      return 4;
    case "name":
    case "inChannels":
      return -1;
    case "tuple":
      return listHash(5, e.items, depth);
    case "unary": {
      const operand = expressionHash(e.operand, depth + 1);
      return operand < 0 ? -1 : mix(mix(6, textHash(e.op)), operand);
    }
    case "chain": {
      let h = expressionHash(e.first, depth + 1);
      for (let i = 0; h >= 0 && i < e.rest.length; i++) {
        const operand = expressionHash(e.rest[i].operand, depth + 1);
        h = operand < 0 ? -1 : mix(mix(mix(7, h), textHash(e.rest[i].op)), operand);
      }
      return h;
    }
    case "call":
      return listHash(mix(8, textHash(e.name)), e.args, depth);
  }
}

function listHash(h: number, es: readonly Expr[], depth: number): number {
  h = mix(h, es.length);
  for (let i = 0; i < es.length; i++) {
    const v = expressionHash(es[i], depth + 1);
    if (v < 0) return -1;
    h = mix(h, v);
  }
  return h;
}

/** True when two lists of constant arguments are written alike: the same names, operators and literals. */
function sameArguments(a: readonly Argument[], b: readonly Argument[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].name !== b[i].name || !sameExpression(a[i].value, b[i].value)) return false;
  return true;
}

function sameExpression(a: Expr, b: Expr): boolean {
  switch (a.kind) {
    case "number":
      return b.kind === "number" && a.text === b.text;
    case "bool":
      return b.kind === "bool" && a.value === b.value;
    case "missing":
      return b.kind === "missing";
    case "tuple":
      return b.kind === "tuple" && sameExpressions(a.items, b.items);
    case "unary":
      return b.kind === "unary" && a.op === b.op && sameExpression(a.operand, b.operand);
    case "chain":
      if (b.kind !== "chain" || a.rest.length !== b.rest.length || !sameExpression(a.first, b.first)) return false;
      for (let i = 0; i < a.rest.length; i++) if (a.rest[i].op !== b.rest[i].op || !sameExpression(a.rest[i].operand, b.rest[i].operand)) return false;
      return true;
    case "call":
      return b.kind === "call" && a.name === b.name && sameExpressions(a.args, b.args);
    case "name":
    case "inChannels":
      // Not constant: never compared.
      return false;
  }
}

function sameExpressions(a: readonly Expr[], b: readonly Expr[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameExpression(a[i], b[i])) return false;
  return true;
}

/**
 * Resolves a layer's arguments. Returns undefined when any value is unknown
 * or wrong (the layer's output is then unknown); problems are reported.
 */
export function resolveLayerArgs(layer: LayerKind, name: string, written: readonly Argument[], stmtSpan: Span, ctx: EvalContext, report: Report): Args | undefined {
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
