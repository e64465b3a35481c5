/**
 * Binds the arguments written at a layer statement to the layer's argument
 * table: positional then keyword, defaults filled in, each value checked
 * against its type. Problems are reported and the layer's output becomes
 * unknown; nothing throws.
 */
import { Argument, Span } from "../syntax/ast";
import { ArgSpec, ArgValue, Args, LayerKind } from "../layers/layer-table";
import { describeValue, evaluate, EvalContext, ExprError, Value } from "../values/expressions";
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

/** The positional specs of each spec list, computed once per layer kind. */
const POSITIONAL = new WeakMap<readonly object[], readonly { name: string; positional?: boolean }[]>();

/**
 * Matches written arguments to specs: returns, per spec name, the written
 * argument (or undefined). Reports unknown, duplicate, extra and missing ones.
 */
export function matchArguments(
  what: string,
  specs: readonly { name: string; positional?: boolean; required?: boolean }[],
  written: readonly Argument[],
  stmtSpan: Span,
  report: Report,
): Map<string, Argument> {
  const bound = new Map<string, Argument>();
  let positional = POSITIONAL.get(specs);
  if (!positional) POSITIONAL.set(specs, (positional = specs.filter((s) => s.positional)));
  let next = 0;
  for (const arg of written) {
    if (arg.name === undefined) {
      if (next >= positional.length) {
        const names = positional.map((s) => s.name).join(", ");
        report(arg, "extra-argument", `${what} takes ${positional.length} positional argument${positional.length === 1 ? "" : "s"}${names ? ` (${names})` : ""}, but this is argument ${next + 1}`);
        next++;
        continue;
      }
      const name = positional[next++].name;
      // `conv filters=8, 3`: the 3 would silently replace the 8 and leave the kernel "missing".
      if (bound.has(name)) {
        report(arg, "duplicate-argument", `${what}: argument '${name}' is already given by name; positional arguments come first`);
        continue;
      }
      bound.set(name, arg);
      continue;
    }
    const spec = specs.find((s) => s.name === arg.name);
    if (!spec) {
      report(arg.nameSpan ?? arg, "unknown-argument", `${what} has no argument '${arg.name}'${didYouMean(arg.name, specs.map((s) => s.name))}`);
      continue;
    }
    if (bound.has(spec.name)) {
      report(arg, "duplicate-argument", `${what}: argument '${spec.name}' is given twice`);
      continue;
    }
    bound.set(spec.name, arg);
  }
  if (bound.size === written.length && bound.size === specs.length) return bound;
  const missing = specs.filter((s) => (s.required ?? s.positional) && !bound.has(s.name)).map((s) => s.name);
  if (missing.length) {
    report(stmtSpan, "missing-argument", `${what} needs ${missing.length === 1 ? "argument" : "arguments"} ${missing.map((m) => `'${m}'`).join(" and ")}, missing here`);
  }
  return bound;
}

type Checked = { value: ArgValue } | { code: Code; message: string };

/** A value checked against an argument type: the value, or the problem with it. */
function checkValue(spec: ArgSpec, v: Value): Checked {
  const problem = (code: Code, message: string): Checked => ({ code, message });
  const whole = (r: R.Rational, min: number): Checked => {
    if (r.d !== 1) return problem("not-whole-number", `${spec.name} must be a whole number, but ${R.formatRational(r)} = ${R.toNumber(r).toFixed(3)} is not`);
    if (r.n < min) return problem("invalid-value", `${spec.name} must be at least ${min}, but it is ${r.n}`);
    return { value: r.n };
  };
  const perDim = (min: number): Checked => {
    if (v.t === "num") return whole(v.v, min);
    if (v.t === "tuple") {
      const out: number[] = [];
      for (const item of v.items) {
        const w = whole(item, min);
        if (!("value" in w)) return w;
        out.push(w.value as number);
      }
      return { value: out };
    }
    return problem("wrong-type", `${spec.name} must be a whole number or a size such as 3x3, but it is ${describeValue(v)}`);
  };
  switch (spec.type) {
    case "count":
    case "index":
      if (v.t !== "num") return problem("wrong-type", `${spec.name} must be a whole number, but it is ${describeValue(v)}`);
      return whole(v.v, spec.type === "count" ? 1 : 0);
    case "size":
      return perDim(1);
    case "pad":
      return perDim(0);
    case "padding":
      if (v.t === "word" && (v.v === "same" || v.v === "valid")) return { value: v.v };
      if (v.t === "word") return problem("invalid-value", `padding must be a number, a size such as 1x1, 'same' or 'valid', but it is ${describeValue(v)}`);
      return perDim(0);
    case "factor": {
      const items = v.t === "num" ? [v.v] : v.t === "tuple" ? v.items : undefined;
      if (!items) return problem("wrong-type", `${spec.name} must be a number or a size such as 2x2, but it is ${describeValue(v)}`);
      if (items.some((r) => r.n <= 0)) return problem("invalid-value", `${spec.name} must be greater than 0, but it is ${describeValue(v)}`);
      const nums = items.map(R.toNumber);
      return { value: v.t === "num" ? nums[0] : nums };
    }
    case "bool":
      if (v.t !== "bool") return problem("wrong-type", `${spec.name} must be true or false, but it is ${describeValue(v)}`);
      return { value: v.v };
    case "probability":
      if (v.t !== "num") return problem("wrong-type", `${spec.name} must be a number between 0 and 1, but it is ${describeValue(v)}`);
      if (v.v.n < 0 || v.v.n > v.v.d) return problem("invalid-value", `${spec.name} must be between 0 and 1, but it is ${describeValue(v)}`);
      return { value: R.toNumber(v.v) };
    case "number":
      if (v.t !== "num") return problem("wrong-type", `${spec.name} must be a number, but it is ${describeValue(v)}`);
      return { value: R.toNumber(v.v) };
    case "word":
      if (v.t !== "word" || !spec.choices?.includes(v.v)) {
        return problem(v.t === "word" ? "invalid-value" : "wrong-type", `${spec.name} must be one of ${spec.choices?.join(", ")}, but it is ${describeValue(v)}`);
      }
      return { value: v.v };
  }
}

/**
 * Resolves a layer's arguments. Returns undefined when any value is unknown
 * or wrong (the layer's output is then unknown); problems are reported.
 */
export function resolveLayerArgs(layer: LayerKind, name: string, written: readonly Argument[], stmtSpan: Span, ctx: EvalContext, report: Report): { args?: Args; spans: Map<string, Span> } {
  const bound = matchArguments(name, layer.args, written, stmtSpan, report);
  const args: Args = {};
  let ok = true;
  for (const spec of layer.args) {
    const arg = bound.get(spec.name);
    if (!arg) {
      if (spec.positional) ok = false;
      else if (spec.default !== undefined && typeof spec.default === "object" && !Array.isArray(spec.default)) {
        // Filled in below, once the argument it copies is known.
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
    if (!("value" in checked)) {
      report(arg.value, checked.code, checked.message);
      ok = false;
      continue;
    }
    args[spec.name] = checked.value;
  }
  for (const spec of layer.args) {
    if (args[spec.name] === undefined && spec.default && typeof spec.default === "object" && "sameAs" in spec.default) {
      args[spec.name] = args[spec.default.sameAs];
    }
  }
  // Each written argument is its own span: errors about an argument point at it.
  return { args: ok ? args : undefined, spans: bound };
}
