/**
 * A generator of valid `.cnn` files, for property tests: models on flat, 1-D,
 * 2-D and 3-D inputs made of random layers with valid arguments, `repeat`
 * (small, and huge ones that must be multiplied out), `residual` (with and
 * without a shortcut), `add` and `concat` branches, `scale`, `aux`, blocks
 * with parameters, defaults and nested calls, `if`/`else if`/`else`, `let`,
 * labels, model settings and budgets. Numbers are written as literals or as
 * expressions (names, `in_channels`, arithmetic, `min`, `floor`, `%`, ...)
 * that evaluate to them.
 *
 * The generator tracks every shape itself, from the language reference's
 * rules (a small, independent re-implementation), so it knows each model's
 * output shape: the analysis must agree. Each statement is generated for the
 * shape that reaches it, and can be re-applied to another shape (the passes of
 * a `repeat`), which throws `Invalid` when it does not fit.
 *
 * Rendering is separate from generation: the same file can be written
 * canonically or in a random style (indentation, CRLF, `;` between
 * statements, comments, blank lines, braces, `else` and `shortcut` on the next
 * line, call arguments over several lines), which must not change any number.
 */
import fc from "fast-check";

export type Shape = number[];

/** A statement applied to a shape it does not fit. */
export class Invalid extends Error {}

/** The source of every random choice. */
export interface Rng {
  /** A whole number in [min, max]. */
  int(min: number, max: number): number;
  /** True with probability p. */
  bool(p?: number): boolean;
  pick<T>(xs: readonly T[]): T;
}

/** Choices drawn through fast-check's `gen()`, so failures shrink toward simpler files. */
export function rngFromGen(g: fc.GeneratorValue): Rng {
  return {
    int: (min, max) => (min >= max ? min : g(fc.integer, { min, max })),
    bool: (p = 0.5) => g(fc.integer, { min: 0, max: 999 }) < p * 1000,
    pick: (xs) => xs[xs.length === 1 ? 0 : g(fc.integer, { min: 0, max: xs.length - 1 })],
  };
}

/** A small deterministic generator (mulberry32), for styles and for tests outside fast-check. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    bool: (p = 0.5) => next() < p,
    pick: (xs) => xs[Math.floor(next() * xs.length)],
  };
}

// ---------------------------------------------------------------------------
// Statements as text

export type Stmt =
  | { t: "simple"; text: string; label?: string; call?: { name: string; args: string[] } }
  | { t: "compound"; label?: string; header: string; clauses: { lead: string; body: Stmt[] }[] };

export interface BlockDef {
  name: string;
  params: string[];
  body: Stmt[];
  doc?: string;
}

export interface ModelDef {
  name: string;
  body: Stmt[];
  doc?: string;
}

export interface GeneratedFile {
  models: ModelDef[];
  blocks: BlockDef[];
  /** The order in which models (m) and blocks (b) are written. */
  order: { kind: "m" | "b"; index: number }[];
  /** What the generator computed for each model, by name. */
  expected: Map<string, { input: Shape; output: Shape; hugeRepeat: boolean }>;
}

/** Writes the file: canonically without `style`, else with random layout choices drawn from `style`. */
export function render(file: GeneratedFile, style?: Rng): string {
  const indentUnit = style ? style.pick(["  ", "    ", "\t", " "]) : "  ";
  const eol = style?.bool(0.3) ? "\r\n" : "\n";
  const lines: string[] = [];
  const blank = () => {
    if (style?.bool(0.15)) lines.push("");
  };
  const body = (stmts: Stmt[], depth: number) => {
    const ind = indentUnit.repeat(depth);
    let pending: string | undefined;
    const flush = () => {
      if (pending !== undefined) lines.push(pending + (style?.bool(0.15) ? "  # a comment; { ( not code" : ""));
      pending = undefined;
    };
    for (const s of stmts) {
      const label = s.label ? `${s.label}: ` : "";
      if (s.t === "simple") {
        let text = s.text;
        if (s.call && style?.bool(0.2)) {
          // Newlines inside ( ) do not end a statement.
          text = `${s.call.name}(${s.call.args.map((a) => eol + ind + indentUnit + a).join(",")}${eol}${ind})`;
        }
        if (pending !== undefined && style?.bool(0.25)) {
          pending += `; ${label}${text}`;
          continue;
        }
        flush();
        blank();
        pending = ind + label + text;
        continue;
      }
      flush();
      blank();
      s.clauses.forEach((c, i) => {
        const open = style?.bool(0.15) ? `${eol}${ind}{` : " {";
        if (i === 0) lines.push(`${ind}${label}${s.header}${open}`);
        else if (style?.bool(0.3)) lines.push(`${ind}${c.lead}${open}`);
        else lines[lines.length - 1] += ` ${c.lead}${open}`;
        body(c.body, depth + 1);
        lines.push(`${ind}}`);
      });
    }
    flush();
  };
  for (const { kind, index } of file.order) {
    const def = kind === "m" ? file.models[index] : file.blocks[index];
    if (lines.length) lines.push("");
    if (def.doc) lines.push(`# ${def.doc}`);
    const header = kind === "m" ? `model ${def.name}` : `block ${def.name}(${(def as BlockDef).params.join(", ")})`;
    lines.push(header + (style?.bool(0.15) ? `${eol}{` : " {"));
    body(def.body, 1);
    lines.push("}");
  }
  return lines.join(eol) + eol;
}

// ---------------------------------------------------------------------------
// The shape rules, re-implemented from the language reference

const spatialOf = (s: Shape) => s.slice(1);
const product = (xs: number[]) => xs.reduce((a, b) => a * b, 1);
export const sameShape = (a: Shape, b: Shape) => a.length === b.length && a.every((v, i) => v === b[i]);

function need(ok: boolean): void {
  if (!ok) throw new Invalid();
}

/** ⌊(in + 2p − d(k−1) − 1)/s⌋ + 1 (or PyTorch's ceil_mode), throwing when the window does not fit. */
function slideOut(n: number, k: number, s: number, p: number, d: number, ceil = false): number {
  const span = n + 2 * p - d * (k - 1) - 1;
  need(span >= 0);
  let o = ceil ? Math.floor((span + s - 1) / s) + 1 : Math.floor(span / s) + 1;
  if (ceil && (o - 1) * s >= n + p) o--;
  need(o >= 1);
  return o;
}

type Pad = number[] | "same";

function checkRank(s: Shape, ...perDim: (number[] | undefined)[]): void {
  need(s.length >= 2);
  for (const v of perDim) if (v) need(v.length === s.length - 1);
}

interface Gen {
  stmt: Stmt;
  /** The statement's output for input `s`; throws Invalid when it does not fit. */
  apply(s: Shape): Shape;
}

interface Ctx {
  /** Whole-number names in scope (block parameters, `let` values). */
  env: Map<string, number>;
  bools: Map<string, boolean>;
  /** The statement runs once, on the shape it is generated for: `in_channels` may be written. */
  stable: boolean;
  depth: number;
  callDepth: number;
  /** Directly in a model body (settings and huge repeats go only there). */
  top: boolean;
}

const MAX_DEPTH = 3;
const MAX_CALL_DEPTH = 3;
/** Sizes are kept small so that counts stay far below 2^53 even in huge repeats. */
const MAX_SIZE = 64;

const ACTIVATIONS = ["relu", "relu6", "gelu", "silu", "swish", "hardswish", "hardsigmoid", "sigmoid", "tanh", "mish", "softmax", "elu", "leakyrelu"];

function divisors(n: number): number[] {
  const out: number[] = [];
  for (let i = 1; i <= n; i++) if (n % i === 0) out.push(i);
  return out;
}

/** Generates one file. */
export class ModelGenerator {
  private readonly blocks: BlockDef[] = [];
  private names = 0;
  private hugeUsed = false;

  constructor(private readonly r: Rng) {}

  private fresh(prefix: string): string {
    return `${prefix}_${this.names++}`;
  }

  file(): GeneratedFile {
    const models: ModelDef[] = [];
    const expected: GeneratedFile["expected"] = new Map();
    const count = this.r.int(1, 2);
    for (let i = 0; i < count; i++) {
      const { def, input, output, huge } = this.model(`M${i}`);
      models.push(def);
      expected.set(def.name, { input, output, hugeRepeat: huge });
    }
    const order: GeneratedFile["order"] = models.map((_, index) => ({ kind: "m" as const, index }));
    this.blocks.forEach((_, index) => order.splice(this.r.int(0, order.length), 0, { kind: "b", index }));
    return { models, blocks: this.blocks, order, expected };
  }

  // -------------------------------------------------------------------------
  // Expressions that evaluate to known values

  /** Text that evaluates to the whole number v; `c` is the channel count `in_channels` stands for (when it may be used). */
  int(ctx: Ctx, v: number, c?: number, depth = 0): string {
    const r = this.r;
    const atom = (x: number) => (x < 0 ? `(-${-x})` : String(x));
    if (depth >= 2 || r.bool(0.45)) {
      const same = [...ctx.env].filter(([, x]) => x === v).map(([n]) => n);
      if (same.length && r.bool(0.5)) return r.pick(same);
      if (c === v && ctx.stable && r.bool(0.5)) return "in_channels";
      return atom(v);
    }
    const sub = (x: number) => this.int(ctx, x, c, depth + 1);
    const named = [...ctx.env];
    switch (r.int(0, 9)) {
      case 0: {
        const a = r.int(-3, Math.max(0, v));
        return `(${sub(a)} + ${sub(v - a)})`;
      }
      case 1: {
        const a = r.int(0, 5);
        return `(${sub(v + a)} - ${sub(a)})`;
      }
      case 2: {
        const a = r.pick(divisors(Math.max(1, Math.abs(v))));
        return v === 0 ? `(${sub(0)} * ${sub(r.int(0, 4))})` : `(${sub(a)} * ${sub(v / a)})`;
      }
      case 3:
        return r.bool() ? `min(${sub(v)}, ${sub(v + r.int(0, 3))})` : `max(${sub(v - r.int(0, 3))}, ${sub(v)}, ${sub(v - 1)})`;
      case 4: {
        const a = r.int(1, 4);
        return `(${sub(v * a)} / ${sub(a)})`;
      }
      case 5:
        return r.pick([`floor((${sub(3 * v + 1)}) / 3)`, `ceil((${sub(3 * v - 1)}) / 3)`, `round(${sub(2 * v)} / 2)`, v >= 0 ? `round(${v}.4)` : `round(${atom(v)})`]);
      case 6: {
        const m = Math.max(v + 1, r.int(1, 9));
        return v >= 0 ? `((${sub(v + m * r.int(0, 3))}) % ${sub(m)})` : atom(v);
      }
      case 7:
        return `-(${sub(-v)})`;
      case 8:
        if (named.length) {
          const [n, x] = r.pick(named);
          return v >= x ? `(${n} + ${atom(v - x)})` : `(${n} - ${atom(x - v)})`;
        }
        return atom(v);
      default:
        if (c !== undefined && ctx.stable) return v >= c ? `(in_channels + ${atom(v - c)})` : `(in_channels - ${atom(c - v)})`;
        return atom(v);
    }
  }

  /** Text that evaluates to the boolean b. */
  bool(ctx: Ctx, b: boolean, c?: number, depth = 0): string {
    const r = this.r;
    const sub = (x: boolean) => this.bool(ctx, x, c, depth + 1);
    const choice = depth >= 2 ? r.int(0, 1) : r.int(0, 5);
    switch (choice) {
      case 0: {
        const names = [...ctx.bools].filter(([, x]) => x === b).map(([n]) => n);
        return names.length && r.bool() ? names[0] : String(b);
      }
      case 1: {
        const x = r.int(0, 20);
        const ops: [string, (a: number, b: number) => boolean][] = [
          ["<", (p, q) => p < q],
          ["<=", (p, q) => p <= q],
          [">", (p, q) => p > q],
          [">=", (p, q) => p >= q],
          ["==", (p, q) => p === q],
          ["!=", (p, q) => p !== q],
        ];
        for (let tries = 0; tries < 20; tries++) {
          const [op, f] = r.pick(ops);
          const y = r.int(0, 20);
          if (f(x, y) === b) return `${this.int(ctx, x, c, depth + 1)} ${op} ${this.int(ctx, y, c, depth + 1)}`;
        }
        return String(b);
      }
      case 2:
        return `not (${sub(!b)})`;
      case 3: {
        // and: true only when both are.
        const [left, right] = b ? [true, true] : r.pick([[false, true], [true, false], [false, false]] as const);
        return `(${sub(left)}) and (${sub(right)})`;
      }
      case 4: {
        // or: false only when both are.
        const [left, right] = b ? r.pick([[true, false], [false, true], [true, true]] as const) : [false, false];
        return `(${sub(left)}) or (${sub(right)})`;
      }
      default:
        return `(${sub(b)})`;
    }
  }

  /** A per-dimension value: one number for all dimensions, a literal tuple (3x3) or a tuple of expressions. */
  private dims(ctx: Ctx, values: number[], c: number): string {
    const allSame = values.every((v) => v === values[0]);
    if (values.length === 1 || (allSame && this.r.bool(0.6))) return this.int(ctx, values[0], c);
    if (this.r.bool(0.5)) return values.join("x");
    return `(${values.map((v) => this.int(ctx, v, c)).join(", ")})`;
  }

  private child(ctx: Ctx, changes: Partial<Ctx> = {}): Ctx {
    return { ...ctx, env: new Map(ctx.env), bools: new Map(ctx.bools), top: false, depth: ctx.depth + 1, ...changes };
  }

  private label(): string | undefined {
    return this.r.bool(0.2) ? this.fresh("l") : undefined;
  }

  // -------------------------------------------------------------------------
  // Models

  private model(name: string): { def: ModelDef; input: Shape; output: Shape; huge: boolean } {
    const r = this.r;
    this.hugeUsed = false;
    const rank = r.int(0, 3);
    const input: Shape =
      rank === 0 ? [r.int(1, 600)] : rank === 1 ? [r.int(1, 8), r.int(1, 64)] : rank === 2 ? [r.int(1, 8), r.int(1, 32), r.int(1, 32)] : [r.int(1, 4), r.int(1, 8), r.int(1, 16), r.int(1, 16)];
    const ctx: Ctx = { env: new Map(), bools: new Map(), stable: true, depth: 0, callDepth: 0, top: true };
    const body: Stmt[] = [];
    const inputText =
      input.length === 1
        ? this.int(ctx, input[0])
        : r.bool(0.7)
          ? input.join("x")
          : `(${input.map((v) => this.int(ctx, v)).join(", ")})`;
    body.push({ t: "simple", text: `input ${inputText}` });
    const { stmts, out } = this.sequence(ctx, input, r.int(1, 8));
    body.push(...stmts);
    // Settings go anywhere in the model's own body, before or after the layers.
    const settings: Stmt[] = [];
    // Settings may land before a `let`: they use no names.
    const bare: Ctx = { ...ctx, env: new Map(), bools: new Map() };
    if (r.bool(0.3)) settings.push({ t: "simple", text: `dtype ${r.pick(["fp32", "fp16", "bf16", "int8", "int4"])}` });
    if (r.bool(0.3)) settings.push({ t: "simple", text: `batch ${this.int(bare, r.int(1, 16))}` });
    for (let i = r.int(0, 2); i > 0; i--) {
      const metric = r.pick(["params", "memory", "macs", "flops", "activations"]);
      const limit = metric === "memory" || metric === "activations" ? r.pick(["100B", "20KB", "512KiB", "2MB", "1.5MiB", "1GB"]) : r.pick(["0", "100", "5K", "1.5M", "20M", "1G", "2T"]);
      settings.push({ t: "simple", text: `budget ${metric} ${r.pick(["<=", "<"])} ${limit}` });
    }
    for (const s of settings) body.splice(r.int(0, body.length), 0, s);
    return { def: { name, body, doc: r.bool(0.3) ? `model ${name}, generated` : undefined }, input, output: out, huge: this.hugeUsed };
  }

  /** `count` statements in a row from shape s; each fits the shape that reaches it. */
  private sequence(ctx: Ctx, s: Shape, count: number): { stmts: Stmt[]; gens: Gen[]; out: Shape } {
    const gens: Gen[] = [];
    let cur = s;
    for (let i = 0; i < count; i++) {
      const g = this.statement(ctx, cur);
      cur = g.apply(cur);
      gens.push(g);
    }
    return { stmts: gens.map((g) => g.stmt), gens, out: cur };
  }

  private statement(ctx: Ctx, s: Shape): Gen {
    const r = this.r;
    const nest = ctx.depth < MAX_DEPTH;
    const choice = r.int(0, 99);
    if (choice < 45 || !nest) return r.bool(0.1) ? this.let(ctx, s) : this.layer(ctx, s);
    if (choice < 53) return this.repeat(ctx, s);
    if (choice < 61) return this.residual(ctx, s);
    if (choice < 67) return this.branches(ctx, s, "add");
    if (choice < 74) return this.branches(ctx, s, "concat");
    if (choice < 78) return this.scale(ctx, s);
    if (choice < 81) return this.aux(ctx, s);
    if (choice < 88) return this.if(ctx, s);
    if (ctx.callDepth < MAX_CALL_DEPTH) return this.call(ctx, s);
    return this.layer(ctx, s);
  }

  private let(ctx: Ctx, s: Shape): Gen {
    const name = this.fresh("v");
    if (this.r.bool(0.2)) {
      const b = this.r.bool();
      const text = `let ${name} = ${this.bool(ctx, b, s[0])}`;
      ctx.bools.set(name, b);
      ctx.env.delete(name);
      return { stmt: { t: "simple", text }, apply: (x) => x };
    }
    const v = this.r.int(1, 32);
    const text = `let ${name} = ${this.int(ctx, v, s[0])}`;
    ctx.env.set(name, v);
    ctx.bools.delete(name);
    return { stmt: { t: "simple", text }, apply: (x) => x };
  }

  // -------------------------------------------------------------------------
  // Layers

  /** A random layer that fits s (retrying a few random choices, then an activation). */
  layer(ctx: Ctx, s: Shape): Gen {
    for (let tries = 0; tries < 6; tries++) {
      const g = s.length === 1 ? this.flatLayer(ctx, s) : this.spatialLayer(ctx, s);
      if (!g) continue;
      try {
        const out = g.apply(s);
        if (out.every((n) => n <= MAX_SIZE || out.length === 1) && product(out) <= 70_000) return g;
      } catch (e) {
        if (!(e instanceof Invalid)) throw e;
      }
    }
    return this.activation(ctx);
  }

  private simple(text: string, apply: (s: Shape) => Shape, label = this.label()): Gen {
    return { stmt: { t: "simple", text, label }, apply };
  }

  /** `name a, b, key=v, ...` with the keyword arguments in random order. */
  private layerText(name: string, positional: string[], keywords: [string, string][]): string {
    const kw = [...keywords];
    for (let i = kw.length - 1; i > 0; i--) {
      const j = this.r.int(0, i);
      [kw[i], kw[j]] = [kw[j], kw[i]];
    }
    const args = [...positional, ...kw.map(([k, v]) => `${k}=${v}`)];
    return args.length ? `${name} ${args.join(", ")}` : name;
  }

  private activation(ctx: Ctx): Gen {
    const name = this.r.pick(ACTIVATIONS);
    const kw: [string, string][] = [];
    if (name === "leakyrelu" && this.r.bool()) kw.push(["slope", this.r.pick(["0.2", "1/10", "0"])]);
    if (name === "elu" && this.r.bool()) kw.push(["alpha", this.r.pick(["1", "0.5", String(this.r.int(1, 3))])]);
    void ctx;
    return this.simple(this.layerText(name, [], kw), (x) => x);
  }

  private flatLayer(ctx: Ctx, s: Shape): Gen | undefined {
    const r = this.r;
    const c = s[0];
    switch (r.int(0, 7)) {
      case 0:
      case 1:
      case 2: {
        const f = r.int(1, 64);
        const kw: [string, string][] = r.bool(0.3) ? [["bias", r.pick(["true", "false"])]] : [];
        return this.simple(this.layerText(r.pick(["dense", "dense", "linear", "fc"]), [this.int(ctx, f, c)], kw), (x) => {
          need(x.length === 1);
          return [f];
        });
      }
      case 3:
        return this.norm(ctx, s);
      case 4:
        return this.simple(this.layerText("dropout", [r.pick(["0", "0.5", "1", "1/3", "0.25"])], []), (x) => x);
      case 5:
        return this.simple(this.layerText("prelu", [], r.bool() ? [["per_channel", r.pick(["true", "false"])]] : []), (x) => x);
      case 6:
        return this.simple(r.pick(["identity", "flatten"]), (x) => [product(x)]);
      default:
        return this.activation(ctx);
    }
  }

  private norm(ctx: Ctx, s: Shape): Gen {
    const r = this.r;
    const kind = s.length === 1 ? r.pick(["batchnorm", "layernorm"]) : r.pick(["batchnorm", "layernorm", "instancenorm", "groupnorm", "lrn"]);
    const kw: [string, string][] = [];
    if (kind !== "lrn" && r.bool(0.3)) kw.push(["affine", r.pick(["true", "false"])]);
    if (kind === "lrn" && r.bool(0.3)) kw.push(["size", this.int(ctx, r.int(1, 7), s[0])]);
    if (kind === "instancenorm") {
      return this.simple(this.layerText(kind, [], kw), (x) => {
        need(x.length >= 2 && product(spatialOf(x)) > 1);
        return x;
      });
    }
    if (kind === "groupnorm") {
      const g = r.pick(divisors(s[0]));
      return this.simple(this.layerText(kind, [this.int(ctx, g, s[0])], kw), (x) => {
        need(x.length >= 2 && x[0] % g === 0 && (x[0] / g) * product(spatialOf(x)) > 1);
        return x;
      });
    }
    if (kind === "lrn") {
      return this.simple(this.layerText(kind, [], kw), (x) => {
        need(x.length >= 2);
        return x;
      });
    }
    return this.simple(this.layerText(kind, [], kw), (x) => x);
  }

  /** A size per spatial dimension in [min, max]: mostly the same in every dimension. */
  private perDim(rank: number, min: number, max: number): number[] {
    const v = this.r.int(min, max);
    return this.r.bool(0.7) ? new Array(rank).fill(v) : Array.from({ length: rank }, () => this.r.int(min, max));
  }

  private spatialLayer(ctx: Ctx, s: Shape): Gen | undefined {
    const r = this.r;
    const c = s[0];
    const rank = s.length - 1;
    const perDim = (min: number, max: number) => this.perDim(rank, min, max);
    switch (r.int(0, 17)) {
      case 0:
      case 1:
      case 2:
        return this.conv(ctx, s);
      case 3: {
        // dwconv: F = C × multiplier, groups = C.
        const k = perDim(1, 5);
        const stride = perDim(1, 2);
        const dilation = r.bool(0.8) ? k.map(() => 1) : perDim(1, 2);
        const padding: Pad = r.bool(0.2) ? "same" : perDim(0, 2);
        const mult = r.bool(0.8) ? 1 : r.int(1, 3);
        const kw: [string, string][] = [];
        if (stride.some((v) => v !== 1) || r.bool(0.2)) kw.push(["stride", this.dims(ctx, stride, c)]);
        kw.push(["padding", padding === "same" ? "same" : this.dims(ctx, padding, c)]);
        if (dilation.some((v) => v !== 1)) kw.push(["dilation", this.dims(ctx, dilation, c)]);
        if (mult !== 1) kw.push(["multiplier", this.int(ctx, mult, c)]);
        if (r.bool(0.3)) kw.push(["bias", "false"]);
        return this.simple(this.layerText("dwconv", [this.dims(ctx, k, c)], kw), (x) => {
          checkRank(x, k, stride);
          return [x[0] * mult, ...spatialOf(x).map((n, i) => (padding === "same" ? Math.ceil(n / stride[i]) : slideOut(n, k[i], stride[i], padding[i], dilation[i])))];
        });
      }
      case 4: {
        const f = r.int(1, 32);
        const g = r.pick(divisors(c).filter((d) => f % d === 0));
        const k = perDim(1, 4);
        const stride = perDim(1, 3);
        const dilation = r.bool(0.8) ? k.map(() => 1) : perDim(1, 2);
        const padding = perDim(0, 2);
        const outPad = stride.map((st, i) => r.int(0, Math.max(st, dilation[i]) - 1));
        const kw: [string, string][] = [];
        if (stride.some((v) => v !== 1) || r.bool(0.2)) kw.push(["stride", this.dims(ctx, stride, c)]);
        if (padding.some((v) => v !== 0) || r.bool(0.2)) kw.push(["padding", this.dims(ctx, padding, c)]);
        if (outPad.some((v) => v !== 0)) kw.push(["output_padding", this.dims(ctx, outPad, c)]);
        if (dilation.some((v) => v !== 1)) kw.push(["dilation", this.dims(ctx, dilation, c)]);
        if (g !== 1) kw.push(["groups", this.int(ctx, g, c)]);
        return this.simple(this.layerText("deconv", [this.int(ctx, f, c), this.dims(ctx, k, c)], kw), (x) => {
          checkRank(x, k);
          need(x[0] % g === 0);
          const out = spatialOf(x).map((n, i) => (n - 1) * stride[i] - 2 * padding[i] + dilation[i] * (k[i] - 1) + outPad[i] + 1);
          need(out.every((o) => o >= 1));
          return [f, ...out];
        });
      }
      case 5:
      case 6:
        return this.pool(ctx, s, r.pick(["maxpool", "avgpool"]));
      case 7: {
        const size = perDim(1, 8);
        return this.simple(this.layerText(r.pick(["adaptiveavgpool", "adaptivemaxpool"]), [this.dims(ctx, size, c)], []), (x) => {
          checkRank(x, size);
          return [x[0], ...size];
        });
      }
      case 8:
        return this.simple(r.pick(["globalavgpool", "globalmaxpool"]), (x) => {
          need(x.length >= 2);
          return [x[0], ...spatialOf(x).map(() => 1)];
        });
      case 9:
      case 10:
        return this.norm(ctx, s);
      case 11: {
        const scale = r.pick([1, 2, 3, 0.5, 1.5]);
        const bilinear = rank === 2 && r.bool(0.4);
        const scaleText = scale === 0.5 ? r.pick(["0.5", "1/2"]) : scale === 1.5 ? r.pick(["1.5", "3/2"]) : this.int(ctx, scale, c);
        return this.simple(this.layerText("upsample", [scaleText], bilinear ? [["mode", "bilinear"]] : r.bool(0.2) ? [["mode", "nearest"]] : []), (x) => {
          need(x.length >= 2 && (!bilinear || x.length === 3));
          const out = spatialOf(x).map((n) => Math.floor(n * scale + 1e-9));
          need(out.every((o) => o >= 1));
          return [x[0], ...out];
        });
      }
      case 12: {
        const p = perDim(0, 3);
        return this.simple(this.layerText("zeropad", [this.dims(ctx, p, c)], []), (x) => {
          checkRank(x, p);
          return [x[0], ...spatialOf(x).map((n, i) => n + 2 * p[i])];
        });
      }
      case 13: {
        const g = r.pick(divisors(c));
        return this.simple(this.layerText("channelshuffle", [this.int(ctx, g, c)], []), (x) => {
          need(x.length >= 2 && x[0] % g === 0);
          return x;
        });
      }
      case 14: {
        const a = r.int(0, c - 1);
        const b = r.int(a + 1, c);
        return this.simple(this.layerText("slice", [this.int(ctx, a, c), this.int(ctx, b, c)], []), (x) => {
          need(x.length >= 2 && a < b && b <= x[0]);
          return [b - a, ...spatialOf(x)];
        });
      }
      case 15:
        return r.bool(0.3) ? this.simple("flatten", (x) => [product(x)]) : this.simple("identity", (x) => x);
      default:
        return r.bool(0.5) ? this.activation(ctx) : this.simple(this.layerText("dropout", [r.pick(["0.1", "0.5", "1/5"])], []), (x) => x);
    }
  }

  /** conv with every argument at random: stride, padding (numbers, same, valid), dilation, groups, bias. */
  private conv(ctx: Ctx, s: Shape, fixed?: { f: number; k: number; stride: number; pad: number }): Gen {
    const r = this.r;
    const c = s[0];
    const rank = s.length - 1;
    const perDim = (min: number, max: number) => this.perDim(rank, min, max);
    const f = fixed?.f ?? r.int(1, 32);
    const g = fixed ? 1 : r.pick(divisors(c).filter((d) => f % d === 0));
    const k = fixed ? new Array(rank).fill(fixed.k) : perDim(1, 5);
    const stride = fixed ? new Array(rank).fill(fixed.stride) : r.bool(0.6) ? k.map(() => 1) : perDim(1, 3);
    const dilation = fixed || r.bool(0.8) ? k.map(() => 1) : perDim(1, 2);
    const padWord = fixed ? undefined : r.pick([undefined, undefined, undefined, "same", "valid"]);
    const padding: Pad = padWord === "same" ? "same" : padWord === "valid" ? k.map(() => 0) : fixed ? k.map(() => fixed.pad) : perDim(0, 2);
    const kw: [string, string][] = [];
    if (stride.some((v) => v !== 1) || r.bool(0.1)) kw.push(["stride", this.dims(ctx, stride, c)]);
    if (padWord) kw.push(["padding", padWord]);
    else if (padding !== "same" && (padding.some((v) => v !== 0) || r.bool(0.1))) kw.push(["padding", this.dims(ctx, padding, c)]);
    if (dilation.some((v) => v !== 1)) kw.push(["dilation", this.dims(ctx, dilation, c)]);
    if (g !== 1) kw.push(["groups", this.int(ctx, g, c)]);
    if (r.bool(0.3)) kw.push(["bias", r.pick(["true", "false"])]);
    return this.simple(this.layerText("conv", [this.int(ctx, f, c), this.dims(ctx, k, c)], kw), (x) => {
      checkRank(x, k);
      need(x[0] % g === 0);
      return [f, ...spatialOf(x).map((n, i) => (padding === "same" ? Math.ceil(n / stride[i]) : slideOut(n, k[i], stride[i], padding[i], dilation[i])))];
    });
  }

  private pool(ctx: Ctx, s: Shape, kind: "maxpool" | "avgpool", fixed?: { k: number; stride: number }): Gen {
    const r = this.r;
    const c = s[0];
    const rank = s.length - 1;
    const k = new Array(rank).fill(fixed?.k ?? r.int(1, 4));
    const strideGiven = fixed !== undefined || r.bool(0.6);
    const stride = strideGiven ? new Array(rank).fill(fixed?.stride ?? r.int(1, 3)) : k;
    const same = !fixed && r.bool(0.15);
    const padding = fixed ? k.map((kk) => (kk - 1) / 2) : k.map((kk) => r.int(0, Math.floor(kk / 2)));
    const dilation = kind === "maxpool" && !fixed && r.bool(0.15) ? k.map(() => 2) : k.map(() => 1);
    const ceil = !fixed && r.bool(0.25);
    const kw: [string, string][] = [];
    if (strideGiven) kw.push(["stride", this.dims(ctx, stride, c)]);
    if (same) kw.push(["padding", "same"]);
    else if (padding.some((p) => p !== 0) || r.bool(0.1)) kw.push(["padding", this.dims(ctx, padding, c)]);
    if (dilation.some((d) => d !== 1)) kw.push(["dilation", this.dims(ctx, dilation, c)]);
    if (ceil || r.bool(0.05)) kw.push(["ceil", String(ceil)]);
    return this.simple(this.layerText(kind, [this.dims(ctx, k, c)], kw), (x) => {
      checkRank(x, k);
      const sizes = spatialOf(x);
      if (kind === "avgpool" && x.length === 4 && !same) need(sizes.every((n, i) => n >= k[i]));
      return [x[0], ...sizes.map((n, i) => (same ? Math.ceil(n / stride[i]) : slideOut(n, k[i], stride[i], padding[i], dilation[i], ceil)))];
    });
  }

  // -------------------------------------------------------------------------
  // Statements that keep the shape, and heads that reach a target shape

  /** A statement whose output is exactly its input s. */
  private keeping(ctx: Ctx, s: Shape): Gen {
    const r = this.r;
    const c = s[0];
    const rank = s.length - 1;
    const nest = ctx.depth < MAX_DEPTH;
    const choice = r.int(0, 14);
    let g: Gen;
    if (choice <= 2) g = this.activation(ctx);
    else if (choice <= 4) g = this.norm(ctx, s);
    else if (choice === 5 && rank > 0) {
      const k = r.pick([1, 3, 5]);
      const d = k === 1 ? 1 : r.pick([1, 1, 2]);
      g = this.conv(ctx, s, { f: c, k, stride: 1, pad: (d * (k - 1)) / 2 });
      if (d !== 1) {
        // Dilated and padded to keep the size.
        const pad = (d * (k - 1)) / 2;
        g = this.simple(this.layerText("conv", [this.int(ctx, c, c), String(k)], [["padding", String(pad)], ["dilation", String(d)]]), (x) => {
          need(x.length >= 2);
          return [c, ...spatialOf(x).map((n) => slideOut(n, k, 1, pad, d))];
        });
      }
    } else if (choice === 6 && rank > 0) g = r.bool() ? this.pool(ctx, s, "maxpool", { k: r.pick([1, 3]), stride: 1 }) : this.simple(`conv ${this.int(ctx, c, c)}, ${r.int(1, 4)}, padding=same`, (x) => [c, ...spatialOf(x)]);
    else if (choice === 7 && rank === 0) g = this.simple(`dense ${this.int(ctx, c, c)}`, (x) => (need(x.length === 1), [c]));
    else if (choice === 8 && nest) g = this.residual(ctx, s, true);
    else if (choice === 9 && nest) g = this.repeat(ctx, s, true);
    else if (choice === 10 && nest) g = this.scale(ctx, s);
    else if (choice === 11 && nest) g = this.aux(ctx, s);
    else if (choice === 12 && nest) g = this.if(ctx, s, true);
    else if (choice === 13 && nest && ctx.callDepth < MAX_CALL_DEPTH) g = this.call(ctx, s, true);
    else if (choice === 14) g = this.let(ctx, s);
    else g = this.simple(r.pick(["identity", "dropout 0.5", "prelu"]), (x) => x);
    try {
      if (sameShape(g.apply(s), s)) return g;
    } catch (e) {
      if (!(e instanceof Invalid)) throw e;
    }
    return this.activation(ctx);
  }

  private keepingSequence(ctx: Ctx, s: Shape, count: number): Gen[] {
    const out: Gen[] = [];
    for (let i = 0; i < count; i++) out.push(this.keeping(ctx, s));
    return out;
  }

  /**
   * A statement from s to [f, ⌊(n−1)/stride⌋+1 ...]: an odd kernel with half padding, or a pool
   * when f = C, or nothing at all when f = C and stride = 1. On a flat vector: dense f.
   */
  private head(ctx: Ctx, s: Shape, f: number, stride: number): Gen | undefined {
    const r = this.r;
    const c = s[0];
    if (s.length === 1) return f === c && r.bool(0.3) ? undefined : this.simple(`dense ${this.int(ctx, f, c)}`, (x) => (need(x.length === 1), [f]));
    const k = r.pick([1, 3, 5]);
    if (f === c && stride === 1 && r.bool(0.3)) return undefined;
    if (f === c && r.bool(0.4)) {
      const kind = s.length === 4 || r.bool() ? "maxpool" : "avgpool";
      return this.pool(ctx, s, kind, { k, stride });
    }
    if (f === c && r.bool(0.3)) {
      return this.simple(this.layerText("dwconv", [String(k)], [["stride", this.int(ctx, stride, c)], ["padding", this.int(ctx, (k - 1) / 2, c)]]), (x) => {
        need(x.length >= 2);
        return [x[0], ...spatialOf(x).map((n) => slideOut(n, k, stride, (k - 1) / 2, 1))];
      });
    }
    return this.conv(ctx, s, { f, k, stride, pad: (k - 1) / 2 });
  }

  private headOut(s: Shape, f: number, stride: number): Shape {
    return s.length === 1 ? [f] : [f, ...spatialOf(s).map((n) => Math.floor((n - 1) / stride) + 1)];
  }

  // -------------------------------------------------------------------------
  // Composition

  private compound(header: string, clauses: { lead: string; body: Gen[] }[], apply: (s: Shape) => Shape, label?: string): Gen {
    return { stmt: { t: "compound", header, label, clauses: clauses.map((c) => ({ lead: c.lead, body: c.body.map((g) => g.stmt) })) }, apply };
  }

  private repeat(ctx: Ctx, s: Shape, keep = false): Gen {
    const r = this.r;
    const inner = this.child(ctx, { stable: false });
    const body = keep ? this.keepingSequence(inner, s, r.int(1, 3)) : this.sequence(inner, s, r.int(1, 3)).gens;
    const pass = (x: Shape) => body.reduce((acc, g) => g.apply(acc), x);
    // How many passes fit, and whether the body settles (a pass that keeps the shape keeps it forever).
    let cur = s;
    let valid = 0;
    let settles = false;
    for (let i = 0; i < 6; i++) {
      let next: Shape;
      try {
        next = pass(cur);
      } catch (e) {
        if (e instanceof Invalid) break;
        throw e;
      }
      if (next.some((n) => n > 4 * MAX_SIZE) || product(next) > 300_000) break;
      valid++;
      if (sameShape(next, cur)) {
        settles = true;
        break;
      }
      cur = next;
    }
    let n: number;
    if (settles && ctx.top && !this.hugeUsed && r.bool(0.25)) {
      // More passes than the file may expand: the analysis must multiply them out, exactly.
      this.hugeUsed = true;
      n = 300_001 + r.int(0, 700_000);
    } else n = settles ? r.int(0, valid + 2) : r.int(0, valid);
    const apply = (x: Shape) => {
      for (let i = 0; i < n; i++) {
        const next = pass(x);
        if (sameShape(next, x)) break;
        need(i < 50);
        x = next;
      }
      return x;
    };
    return this.compound(`repeat ${this.int(ctx, n, s[0])}`, [{ lead: "", body }], apply, this.label());
  }

  private residual(ctx: Ctx, s: Shape, keep = false): Gen {
    const r = this.r;
    const c = s[0];
    const inner = () => this.child(ctx);
    if (keep || r.bool(0.4)) {
      // The main path keeps the shape; the shortcut is absent, empty, or keeps it too.
      const main = this.keepingSequence(inner(), s, r.int(1, 3));
      const form = r.int(0, 2);
      const shortcut = form === 0 ? undefined : form === 1 ? [] : this.keepingSequence(inner(), s, r.int(1, 2));
      const clauses = [{ lead: "", body: main }, ...(shortcut ? [{ lead: "shortcut", body: shortcut }] : [])];
      return this.compound("residual", clauses, (x) => {
        const a = main.reduce((acc, g) => g.apply(acc), x);
        const b = (shortcut ?? []).reduce((acc, g) => g.apply(acc), x);
        need(sameShape(a, b));
        return a;
      }, this.label());
    }
    // A projection: main goes to f channels at a stride, the shortcut matches it with a 1x1 conv (dense on a flat vector).
    const f = r.int(1, 32);
    const stride = s.length === 1 ? 1 : r.int(1, 2);
    const mainCtx = inner();
    const headGen = this.head(mainCtx, s, f, stride) ?? this.activation(mainCtx);
    const mid = this.headOut(s, f, stride);
    const main = [headGen, ...this.keepingSequence(mainCtx, mid, r.int(0, 2))];
    const scCtx = inner();
    const proj =
      s.length === 1
        ? this.simple(`dense ${this.int(scCtx, f, c)}`, (x) => (need(x.length === 1), [f]))
        : this.simple(this.layerText("conv", [this.int(scCtx, f, c), r.pick(["1", "1x".repeat(s.length - 2) + "1"])], [["stride", this.int(scCtx, stride, c)], ...(r.bool() ? [["bias", "false"] as [string, string]] : [])]), (x) => {
            need(x.length >= 2);
            return [f, ...spatialOf(x).map((n) => slideOut(n, 1, stride, 0, 1))];
          });
    const shortcut = [proj];
    if (r.bool(0.5)) {
      const norm = this.norm(scCtx, mid);
      try {
        if (sameShape(norm.apply(mid), mid)) shortcut.push(norm);
      } catch (e) {
        if (!(e instanceof Invalid)) throw e;
      }
    }
    return this.compound("residual", [{ lead: "", body: main }, { lead: "shortcut", body: shortcut }], (x) => {
      const a = main.reduce((acc, g) => g.apply(acc), x);
      const b = shortcut.reduce((acc, g) => g.apply(acc), x);
      need(sameShape(a, b));
      return a;
    }, this.label());
  }

  private branches(ctx: Ctx, s: Shape, kind: "add" | "concat"): Gen {
    const r = this.r;
    const count = r.int(1, 3);
    const stride = s.length === 1 ? 1 : r.int(1, 2);
    const fAdd = r.int(1, 24);
    const bodies: Gen[][] = [];
    for (let i = 0; i < count; i++) {
      const inner = this.child(ctx);
      const f = kind === "add" ? fAdd : stride === 1 && r.bool(0.3) ? s[0] : r.int(1, 24);
      const head = this.head(inner, s, f, stride);
      const mid = head ? this.headOut(s, f, stride) : s;
      bodies.push([...(head ? [head] : []), ...this.keepingSequence(inner, mid, r.int(0, 2))]);
    }
    const clauses = bodies.map((body) => ({ lead: "", body }));
    const gen = this.compound(kind, [], (x) => {
      const outs = bodies.map((b) => b.reduce((acc, g) => g.apply(acc), x));
      if (kind === "add") {
        need(outs.every((o) => sameShape(o, outs[0])));
        return outs[0];
      }
      need(outs.every((o) => o.length === outs[0].length && sameShape(spatialOf(o), spatialOf(outs[0]))));
      return [outs.reduce((a, o) => a + o[0], 0), ...spatialOf(outs[0])];
    }, this.label());
    // `add { branch { ... } branch { ... } }`: the branches are the body's compound statements.
    gen.stmt = { t: "compound", header: kind, label: gen.stmt.label, clauses: [{ lead: "", body: clauses.map((c) => ({ t: "compound", header: "branch", clauses: [{ lead: "", body: c.body.map((g) => g.stmt) }] })) }] };
    return gen;
  }

  private scale(ctx: Ctx, s: Shape): Gen {
    const r = this.r;
    const c = s[0];
    const inner = this.child(ctx);
    let body: Gen[];
    if (s.length === 1) {
      const f = r.bool(0.7) ? c : 1;
      body = [this.simple(`dense ${this.int(inner, f, c)}`, (x) => (need(x.length === 1), [f])), this.simple(r.pick(["sigmoid", "hardsigmoid"]), (x) => x)];
    } else if (r.bool(0.7)) {
      // Squeeze and excitation: pool to C×1×1, squeeze, expand back to C (or 1), gate.
      const squeeze = Math.max(1, Math.floor(c / r.int(1, 4)));
      const out = r.bool(0.85) ? c : 1;
      const pool = r.pick(["globalavgpool", "globalmaxpool", "adaptiveavgpool 1", "adaptivemaxpool 1"]);
      const ones = (x: Shape) => spatialOf(x).map(() => 1);
      body = [
        this.simple(pool, (x) => (need(x.length >= 2), [x[0], ...ones(x)])),
        this.simple(`conv ${this.int(inner, squeeze, c)}, 1`, (x) => (need(x.length >= 2), [squeeze, ...spatialOf(x)])),
        this.simple("relu", (x) => x),
        this.simple(`conv ${this.int(inner, out, squeeze)}, 1`, (x) => (need(x.length >= 2), [out, ...spatialOf(x)])),
        this.simple(r.pick(["sigmoid", "hardsigmoid"]), (x) => x),
      ];
    } else body = this.keepingSequence(inner, s, r.int(1, 2));
    return this.compound("scale", [{ lead: "", body }], (x) => {
      const y = body.reduce((acc, g) => g.apply(acc), x);
      need(y.length === x.length && y.every((v, i) => v === 1 || v === x[i]));
      return x;
    }, this.label());
  }

  private aux(ctx: Ctx, s: Shape): Gen {
    const { gens } = this.sequence(this.child(ctx), s, this.r.int(1, 3));
    return this.compound("aux", [{ lead: "", body: gens }], (x) => {
      gens.reduce((acc, g) => g.apply(acc), x);
      return x;
    }, this.label());
  }

  private if(ctx: Ctx, s: Shape, keep = false): Gen {
    const r = this.r;
    const count = r.int(1, 3);
    const conds: boolean[] = [];
    const clauses: { lead: string; body: Gen[] }[] = [];
    const hasElse = r.bool(0.5);
    for (let i = 0; i < count; i++) {
      const b = r.bool();
      conds.push(b);
      const inner = this.child(ctx);
      const body = keep ? this.keepingSequence(inner, s, r.int(0, 2)) : this.sequence(inner, s, r.int(0, 2)).gens;
      const cond = this.bool(ctx, b, s[0]);
      clauses.push({ lead: i === 0 ? "" : `else if ${cond}`, body });
      if (i === 0) clauses[0].lead = cond;
    }
    if (hasElse) {
      const inner = this.child(ctx);
      clauses.push({ lead: "else", body: keep ? this.keepingSequence(inner, s, r.int(0, 2)) : this.sequence(inner, s, r.int(0, 2)).gens });
    }
    const taken = conds.findIndex((b) => b);
    const chosen = taken >= 0 ? clauses[taken].body : hasElse ? clauses[clauses.length - 1].body : [];
    const header = `if ${clauses[0].lead}`;
    clauses[0].lead = "";
    return this.compound(header, clauses, (x) => chosen.reduce((acc, g) => g.apply(acc), x));
  }

  /** A call of a new block, generated for shape s, with parameters, defaults and labels. */
  private call(ctx: Ctx, s: Shape, keep = false): Gen {
    const r = this.r;
    const c = s[0];
    const name = this.fresh("blk");
    const count = r.int(0, 3);
    const values = Array.from({ length: count }, () => r.int(1, 32));
    const paramNames = values.map(() => this.fresh("p"));
    const env = new Map(paramNames.map((p, i) => [p, values[i]]));
    const inner: Ctx = { env, bools: new Map(), stable: ctx.stable, depth: ctx.depth + 1, callDepth: ctx.callDepth + 1, top: false };
    const body = keep ? this.keepingSequence(inner, s, r.int(1, 3)) : this.sequence(inner, s, r.int(1, 4)).gens;
    // Parameters with defaults come last; a default may be in_channels (the channels reaching the call).
    const firstDefault = r.int(0, count);
    const noEnv: Ctx = { env: new Map(), bools: new Map(), stable: ctx.stable, depth: 0, callDepth: 0, top: false };
    const params = paramNames.map((p, i) => (i >= firstDefault ? `${p}=${this.int(noEnv, values[i], c)}` : p));
    const args: string[] = [];
    let keywordsOnly = false;
    for (let i = 0; i < count; i++) {
      if (i >= firstDefault && r.bool(0.5)) {
        keywordsOnly = true;
        continue;
      }
      if (!keywordsOnly && r.bool(0.7)) args.push(this.int(ctx, values[i], c));
      else {
        keywordsOnly = true;
        args.push(`${paramNames[i]}=${this.int(ctx, values[i], c)}`);
      }
    }
    this.blocks.push({ name, params, body: body.map((g) => g.stmt), doc: r.bool(0.3) ? `block ${name}: generated` : undefined });
    const text = `${name}(${args.join(", ")})`;
    const apply = (x: Shape) => body.reduce((acc, g) => g.apply(acc), x);
    return { stmt: { t: "simple", text, label: this.label(), call: { name, args } }, apply };
  }
}
