/**
 * The layer table: every layer kind in one entry — its arguments with types
 * and defaults, its shape, parameter and MAC rules, and its documentation.
 * Hovers, argument checking, the CLI and the grammar test all read this table;
 * adding a layer kind touches this file only.
 *
 * Conventions: shapes are channels first without the batch dimension
 * (`[C, H, W]`, `[C, L]`, `[C, D, H, W]`, or `[N]` for a flat vector).
 * Parameter counts include bias. MACs are multiply-accumulates for one sample
 * (FLOPs = 2 × MACs), counted for conv, deconv and dense layers only, as
 * torchvision does.
 */
import { formatExact, formatShape } from "../format";
import { OverflowError } from "../values/rational";

/** Channels first, without the batch dimension. A shape is never changed once made: layers that keep it share the array. */
export type Shape = number[];

/** The argument types a layer can take. */
export type ArgType =
  /** A whole number ≥ 1 (channels, groups). */
  | "count"
  /** A whole number ≥ 0 (slice bounds). */
  | "index"
  /** ≥ 1 per spatial dimension: a whole number or a tuple (kernel, stride, dilation). */
  | "size"
  /** ≥ 0 per spatial dimension (output_padding, zeropad). */
  | "pad"
  /** `pad`, or the words `same` / `valid`. */
  | "padding"
  /** A number > 0 per spatial dimension, decimals allowed (upsample scale). */
  | "factor"
  | "bool"
  /** A probability in [0, 1]. */
  | "probability"
  /** Any number. */
  | "number"
  /** One of `choices`. */
  | "word";

export interface ArgSpec {
  name: string;
  type: ArgType;
  /** Positional arguments are required and come first, in order. */
  positional?: boolean;
  /** The default of a keyword argument; a string names another argument whose value it copies (maxpool's stride = K). */
  default?: ArgValue | { sameAs: string };
  choices?: readonly string[];
  doc: string;
}

/** A checked argument value: numbers as JS numbers (exact: whole, or a decimal from a literal). */
export type ArgValue = number | number[] | boolean | string;

export type Args = Record<string, ArgValue>;

/** What a layer does to a tensor, for receptive-field tracking. */
export type Window =
  | { kind: "none" }
  | { kind: "sliding"; kernel: number[]; stride: number[]; dilation: number[] }
  | { kind: "transposed"; kernel: number[]; stride: number[]; dilation: number[] }
  | { kind: "resize"; factor: number[] }
  /** The output sees the whole input (global pools, flatten, dense). */
  | { kind: "whole" };

/** The window of a convolution or pool. */
export type SlidingWindow = Window & { kind: "sliding" };

export interface LayerResult {
  output: Shape;
  /** Learnable parameters (PyTorch's `p.numel()` sum), bias included. */
  params: number;
  /** Non-learnable state: BatchNorm running mean and variance. */
  nonLearnable: number;
  /** Multiply-accumulates for one sample. */
  macs: number;
  window: Window;
}

/** The formulas behind a result, filled in, for hovers. */
export interface Explanation {
  shape: string[];
  params?: string;
  macs?: string;
}

/** A rule violation; `arg` names the argument to blame when there is one. */
export class LayerError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly arg?: string,
  ) {
    super(message);
  }
}

export interface LayerContext {
  input: Shape;
  args: Args;
  /** When present, the rule writes its arithmetic here. */
  explain?: Explanation;
}

export interface LayerKind {
  name: string;
  aliases?: readonly string[];
  /** One line for hovers and completion. */
  doc: string;
  /** The PyTorch module it mirrors; `{n}` is the spatial rank (1, 2, 3). */
  torch: string;
  args: readonly ArgSpec[];
  /** Whether a flat vector is an acceptable input. */
  acceptsFlat: boolean;
  /** Whether a spatial input is acceptable (dense takes flat vectors only). */
  acceptsSpatial: boolean;
  infer(ctx: LayerContext): LayerResult;
}

// ---------------------------------------------------------------------------
// Arithmetic helpers

/** The product of `xs`, exact, or OverflowError beyond 2^53. */
export function product(xs: readonly number[]): number {
  let p = 1;
  // An index loop: `for...of` makes an iterator result per element in some runs, and this runs for every layer.
  for (let i = 0; i < xs.length; i++) {
    p *= xs[i];
    if (!Number.isSafeInteger(p)) throw new OverflowError("a count");
  }
  return p;
}

/** a × b for counts, exact, or OverflowError beyond 2^53. */
export function times(a: number, b: number): number {
  const p = a * b;
  if (!Number.isSafeInteger(p)) throw new OverflowError("a count");
  return p;
}

/** a + b for counts, exact, or OverflowError. */
export function plus(a: number, b: number): number {
  const s = a + b;
  if (!Number.isSafeInteger(s)) throw new OverflowError("a count");
  return s;
}

const x = (xs: readonly number[]) => xs.join("x");

/** Expands a per-dimension argument to the input's spatial rank, or throws naming the mismatch. */
function perDim(args: Args, name: string, input: Shape): number[] {
  const v = args[name];
  const rank = input.length - 1;
  if (typeof v === "number") return uniform(rank, v);
  if (Array.isArray(v)) {
    if (v.length !== rank) {
      throw new LayerError(
        `${name} ${x(v)} has ${v.length} size${v.length === 1 ? "" : "s"} but the ${formatShape(input, "x")} input has ${rank} spatial dimension${rank === 1 ? "" : "s"}`,
        "rank-mismatch",
        name,
      );
    }
    return v;
  }
  return uniform(rank, 0);
}

/** Uniform arrays of small values, by rank and value: shared, as rules only read the arrays they get. */
const UNIFORM: readonly (readonly number[][])[] = [1, 2, 3].map((rank) => Array.from({ length: 16 }, (_, v) => new Array<number>(rank).fill(v)));

/** `rank` times `v`. */
function uniform(rank: number, v: number): number[] {
  if (rank >= 1 && rank <= 3 && Number.isInteger(v) && v >= 0 && v < 16) return UNIFORM[rank - 1][v];
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) out[i] = v;
  return out;
}

const C = (input: Shape) => input[0];
const spatial = (input: Shape) => input.slice(1);

/** The shape `[c, ...sizes]`, made without the iterator a spread costs: this runs for most layers. */
function withChannels(c: number, sizes: readonly number[]): Shape {
  const shape = new Array<number>(sizes.length + 1);
  shape[0] = c;
  for (let i = 0; i < sizes.length; i++) shape[i + 1] = sizes[i];
  return shape;
}

/** `⌊(in + 2p − d(k−1) − 1)/s⌋ + 1` for one dimension, written out. */
function slidingFormula(i: number, k: number, s: number, p: number, d: number, ceil: boolean, out: number): string {
  const [open, close] = ceil ? ["⌈", "⌉"] : ["⌊", "⌋"];
  const inner = d === 1 ? `${i} + 2·${p} − ${k}` : `${i} + 2·${p} − ${d}·(${k}−1) − 1`;
  return `${open}(${inner})/${s}${close} + 1 = ${out}`;
}

const NO_OPTIONS = {};

/**
 * A sliding window (conv or pool) with `channels` output channels, as a layer without weights (convolve adds them):
 * its output shape, PyTorch's rule, including `ceil=true` (the last window must start inside the input or left padding)
 * and `padding=same` (TensorFlow's ⌈in/s⌉), and the window.
 */
function slide(ctx: LayerContext, what: string, channels: number, opts: { ceil?: boolean; maxPad?: boolean }): LayerResult & { window: SlidingWindow } {
  const { input, args } = ctx;
  const kernel = perDim(args, args.kernel === undefined ? "size" : "kernel", input);
  const stride = perDim(args, "stride", input);
  const dilation = args.dilation === undefined ? uniform(kernel.length, 1) : perDim(args, "dilation", input);
  const same = args.padding === "same";
  const pad = same || args.padding === "valid" ? uniform(kernel.length, 0) : perDim(args, "padding", input);
  const rank = input.length - 1;
  if (opts.maxPad && !same) {
    for (let i = 0; i < kernel.length; i++) {
      if (pad[i] > Math.floor(kernel[i] / 2)) {
        throw new LayerError(`padding ${x(pad)} is more than half the ${x(kernel)} window (at most ${x(kernel.map((kk) => Math.floor(kk / 2)))})`, "pool-padding", "padding");
      }
    }
  }
  // Channels, then one size per spatial dimension; -1 where the window does not fit.
  const output = new Array<number>(rank + 1);
  output[0] = channels;
  let fits = true;
  for (let i = 0; i < rank; i++) {
    const n = input[i + 1];
    const s = stride[i];
    if (same) {
      const o = Math.ceil(n / s);
      ctx.explain?.shape.push(`⌈${n}/${s}⌉ = ${o} (padding=same)`);
      output[i + 1] = o;
      continue;
    }
    const k = kernel[i];
    const p = pad[i];
    const d = dilation[i];
    const span = n + 2 * p - d * (k - 1) - 1;
    let o = opts.ceil ? Math.floor((span + s - 1) / s) + 1 : Math.floor(span / s) + 1;
    // PyTorch: with ceil_mode the last window must start inside the input or the left padding.
    if (opts.ceil && (o - 1) * s >= n + p) o--;
    if (span < 0 || o < 1) {
      output[i + 1] = -1;
      fits = false;
      continue;
    }
    ctx.explain?.shape.push(slidingFormula(n, k, s, p, d, !!opts.ceil, o));
    output[i + 1] = o;
  }
  if (!fits) throw doesNotFit(what, kernel, dilation, pad, input);
  return { output, params: 0, nonLearnable: 0, macs: 0, window: { kind: "sliding", kernel, stride, dilation } };
}

/** The error for a window that does not fit its input. (Apart from `slide`, whose every call its closures would cost a context.) */
function doesNotFit(what: string, kernel: number[], dilation: number[], pad: number[], input: Shape): LayerError {
  const effective = kernel.map((k, i) => dilation[i] * (k - 1) + 1);
  const dil = dilation.some((d) => d !== 1) ? ` (dilation ${x(dilation)}, effective ${x(effective)})` : "";
  // A uniform padding reads as one number, as it is usually written: "with padding 0".
  const padText = pad.every((p) => p === pad[0]) ? String(pad[0]) : x(pad);
  return new LayerError(`${what} ${x(kernel)}${dil} with padding ${padText} does not fit the ${x(spatial(input))} input`, "size-too-small", "kernel");
}

function checkGroups(c: number, f: number, g: number): void {
  if (c % g !== 0) throw new LayerError(`${c} input channels are not divisible by groups=${g}`, "groups-mismatch", "groups");
  if (f % g !== 0) throw new LayerError(`${f} output channels are not divisible by groups=${g}`, "groups-mismatch", "groups");
}

// Rules write their formulas only when asked (`ctx.explain`, for a hover): not for every layer of every run.

function explainParams(explain: Explanation, text: string, total: number): void {
  explain.params = `${text} = ${formatExact(total)}`;
}

function explainMacs(explain: Explanation, text: string, total: number): void {
  explain.macs = `${text} = ${formatExact(total)}`;
}

const NONE: Window = { kind: "none" };

/** The input's shape, kept: the output is the input's own array (shapes are never changed once made). */
function sameShape(ctx: LayerContext, params = 0, nonLearnable = 0): LayerResult {
  ctx.explain?.shape.push(`${formatShape(ctx.input)} (shape kept)`);
  return { output: ctx.input, params, nonLearnable, macs: 0, window: NONE };
}

// ---------------------------------------------------------------------------
// Argument specs shared by several layers

const bias: ArgSpec = { name: "bias", type: "bool", default: true, doc: "learn an additive bias per output channel" };
const stride1: ArgSpec = { name: "stride", type: "size", default: 1, doc: "step between windows" };
const padding0: ArgSpec = { name: "padding", type: "padding", default: 0, doc: "zeros added on each side; `same` keeps ⌈in/stride⌉, `valid` is 0" };
const dilation1: ArgSpec = { name: "dilation", type: "size", default: 1, doc: "spacing between kernel elements" };
const groups1: ArgSpec = { name: "groups", type: "count", default: 1, doc: "split channels into groups convolved separately" };
const kernelArg: ArgSpec = { name: "kernel", type: "size", positional: true, doc: "window size, e.g. 3 or 3x3" };
const affine = (on: boolean): ArgSpec => ({ name: "affine", type: "bool", default: on, doc: "learn a scale and shift per channel" });

function activation(name: string, torch: string, doc: string, extra: ArgSpec[] = [], aliases?: string[]): LayerKind {
  return { name, aliases, torch, doc, args: extra, acceptsFlat: true, acceptsSpatial: true, infer: (ctx) => sameShape(ctx) };
}

/** conv and dwconv share this rule; F and groups are already resolved. */
function convolve(ctx: LayerContext, f: number, groups: number, hasBias: boolean): LayerResult {
  const c = C(ctx.input);
  checkGroups(c, f, groups);
  const result = slide(ctx, "kernel", f, NO_OPTIONS);
  const { output, window } = result;
  const perFilter = times(c / groups, product(window.kernel));
  const weights = times(f, perFilter);
  result.params = plus(weights, hasBias ? f : 0);
  // The output's elements (F × the output sizes), each a sum over one filter's weights.
  result.macs = times(product(output), perFilter);
  if (ctx.explain) {
    const cg = groups === 1 ? `${c}` : `${c}/${groups}`;
    const k = window.kernel.join(" × ");
    explainParams(ctx.explain, `${f} × (${cg} × ${k})${hasBias ? ` + ${f} bias` : ""}`, result.params);
    explainMacs(ctx.explain, `${spatial(output).join("×")} outputs × ${f} × (${cg} × ${k})`, result.macs);
  }
  return result;
}

/** Max and average pooling; avgpool takes no dilation, so its window's is 1. */
function pool(ctx: LayerContext, what: string): LayerResult {
  const { input, args } = ctx;
  if (what === "avgpool" && input.length === 4 && args.padding !== "same") {
    const kernel = perDim(args, "kernel", input);
    for (let i = 0; i < kernel.length; i++) {
      if (input[i + 1] < kernel[i]) {
        throw new LayerError(`avgpool ${x(kernel)} needs every input size to be at least the window, but the input is ${x(spatial(input))}`, "size-too-small", "kernel");
      }
    }
  }
  return slide(ctx, what, C(input), { ceil: args.ceil === true && args.padding !== "same", maxPad: true });
}

function adaptive(ctx: LayerContext): LayerResult {
  const size = perDim(ctx.args, "size", ctx.input);
  const sizes = spatial(ctx.input);
  ctx.explain?.shape.push(`${x(sizes)} → ${x(size)} (adaptive)`);
  // PyTorch's bins run from ⌊i·in/S⌋ to ⌈(i+1)·in/S⌉; the widest bin is the receptive window.
  const kernel = sizes.map((n, i) => widestBin(n, size[i]));
  const stride = sizes.map((n, i) => n / size[i]);
  return {
    output: withChannels(C(ctx.input), size),
    params: 0,
    nonLearnable: 0,
    macs: 0,
    window: { kind: "sliding", kernel, stride, dilation: kernel.map(() => 1) },
  };
}

function widestBin(n: number, s: number): number {
  if (s > 4096) return Math.ceil(n / s) + 1;
  let widest = 0;
  for (let i = 0; i < s; i++) widest = Math.max(widest, Math.ceil(((i + 1) * n) / s) - Math.floor((i * n) / s));
  return widest;
}

function global(ctx: LayerContext): LayerResult {
  const out = spatial(ctx.input).map(() => 1);
  ctx.explain?.shape.push(`${x(spatial(ctx.input))} → ${x(out)} (global)`);
  return { output: withChannels(C(ctx.input), out), params: 0, nonLearnable: 0, macs: 0, window: { kind: "whole" } };
}

function affineParams(ctx: LayerContext, c: number, on: boolean, what: string): number {
  const params = on ? times(2, c) : 0;
  if (ctx.explain) explainParams(ctx.explain, on ? `2 × ${c} (scale and shift per ${what})` : "0 (affine=false)", params);
  return params;
}

// ---------------------------------------------------------------------------
// The table

const ENTRIES: readonly LayerKind[] = [
  {
    name: "conv",
    torch: "Conv{n}d",
    doc: "Convolution with F filters of size K (1-D, 2-D or 3-D by the input).",
    args: [
      { name: "filters", type: "count", positional: true, doc: "output channels F" },
      kernelArg,
      stride1,
      padding0,
      dilation1,
      groups1,
      bias,
    ],
    acceptsFlat: false,
    acceptsSpatial: true,
    infer: (ctx) => convolve(ctx, ctx.args.filters as number, ctx.args.groups as number, ctx.args.bias as boolean),
  },
  {
    name: "dwconv",
    torch: "Conv{n}d",
    doc: "Depthwise convolution: one K window per input channel (groups = C), F = C × multiplier.",
    args: [kernelArg, stride1, padding0, dilation1, { name: "multiplier", type: "count", default: 1, doc: "filters per input channel" }, bias],
    acceptsFlat: false,
    acceptsSpatial: true,
    infer: (ctx) => {
      const c = C(ctx.input);
      return convolve(ctx, product([c, ctx.args.multiplier as number]), c, ctx.args.bias as boolean);
    },
  },
  {
    name: "deconv",
    torch: "ConvTranspose{n}d",
    doc: "Transposed convolution (learned upsampling) to F channels.",
    args: [
      { name: "filters", type: "count", positional: true, doc: "output channels F" },
      kernelArg,
      stride1,
      { ...padding0, type: "pad", doc: "implicit zeros removed from each side of the output" },
      { name: "output_padding", type: "pad", default: 0, doc: "extra size added to one side of the output" },
      dilation1,
      groups1,
      bias,
    ],
    acceptsFlat: false,
    acceptsSpatial: true,
    infer: (ctx) => {
      const { input, args } = ctx;
      const c = C(input);
      const f = args.filters as number;
      const g = args.groups as number;
      checkGroups(c, f, g);
      const kernel = perDim(args, "kernel", input);
      const stride = perDim(args, "stride", input);
      const pad = perDim(args, "padding", input);
      const outPad = perDim(args, "output_padding", input);
      const dilation = perDim(args, "dilation", input);
      outPad.forEach((op, i) => {
        if (op >= stride[i] && op >= dilation[i]) {
          throw new LayerError(`output_padding ${x(outPad)} must be smaller than the stride ${x(stride)} or the dilation ${x(dilation)}`, "output-padding", "output_padding");
        }
      });
      const sizes = spatial(input);
      const out = sizes.map((n, i) => (n - 1) * stride[i] - 2 * pad[i] + dilation[i] * (kernel[i] - 1) + outPad[i] + 1);
      if (out.some((o) => o < 1)) {
        throw new LayerError(`deconv ${x(kernel)} with padding ${x(pad)} gives a size below 1 from the ${x(sizes)} input`, "size-too-small", "padding");
      }
      sizes.forEach((n, i) =>
        ctx.explain?.shape.push(
          `(${n}−1)·${stride[i]} − 2·${pad[i]} + ${dilation[i]}·(${kernel[i]}−1) + ${outPad[i]} + 1 = ${out[i]}`,
        ),
      );
      const perInput = product([c, f / g, ...kernel]);
      const params = plus(perInput, args.bias ? f : 0);
      const macs = product([product(sizes), perInput]);
      if (ctx.explain) {
        const fg = g === 1 ? `${f}` : `${f}/${g}`;
        explainParams(ctx.explain, `${c} × (${fg} × ${kernel.join(" × ")})${args.bias ? ` + ${f} bias` : ""}`, params);
        explainMacs(ctx.explain, `${sizes.join("×")} inputs × ${c} × (${fg} × ${kernel.join(" × ")})`, macs);
      }
      return { output: withChannels(f, out), params, nonLearnable: 0, macs, window: { kind: "transposed", kernel, stride, dilation } };
    },
  },
  {
    name: "maxpool",
    torch: "MaxPool{n}d",
    doc: "Max pooling over K windows; stride defaults to K.",
    args: [
      kernelArg,
      { name: "stride", type: "size", default: { sameAs: "kernel" }, doc: "step between windows (default: the kernel size)" },
      { ...padding0, doc: "padding on each side, at most half the window; `same` keeps ⌈in/stride⌉" },
      dilation1,
      { name: "ceil", type: "bool", default: false, doc: "round output sizes up (PyTorch's ceil_mode)" },
    ],
    acceptsFlat: false,
    acceptsSpatial: true,
    infer: (ctx) => pool(ctx, "maxpool"),
  },
  {
    name: "avgpool",
    torch: "AvgPool{n}d",
    doc: "Average pooling over K windows; stride defaults to K.",
    args: [
      kernelArg,
      { name: "stride", type: "size", default: { sameAs: "kernel" }, doc: "step between windows (default: the kernel size)" },
      { ...padding0, doc: "padding on each side, at most half the window; `same` keeps ⌈in/stride⌉" },
      { name: "ceil", type: "bool", default: false, doc: "round output sizes up (PyTorch's ceil_mode)" },
    ],
    acceptsFlat: false,
    acceptsSpatial: true,
    infer: (ctx) => pool(ctx, "avgpool"),
  },
  {
    name: "adaptiveavgpool",
    torch: "AdaptiveAvgPool{n}d",
    doc: "Average pooling to a fixed output size S (may be larger than the input, as in PyTorch).",
    args: [{ name: "size", type: "size", positional: true, doc: "output spatial size" }],
    acceptsFlat: false,
    acceptsSpatial: true,
    infer: adaptive,
  },
  {
    name: "adaptivemaxpool",
    torch: "AdaptiveMaxPool{n}d",
    doc: "Max pooling to a fixed output size S.",
    args: [{ name: "size", type: "size", positional: true, doc: "output spatial size" }],
    acceptsFlat: false,
    acceptsSpatial: true,
    infer: adaptive,
  },
  { name: "globalavgpool", torch: "AdaptiveAvgPool{n}d", doc: "Average over all spatial positions: C × 1 × 1 (rank kept).", args: [], acceptsFlat: false, acceptsSpatial: true, infer: global },
  { name: "globalmaxpool", torch: "AdaptiveMaxPool{n}d", doc: "Maximum over all spatial positions: C × 1 × 1 (rank kept).", args: [], acceptsFlat: false, acceptsSpatial: true, infer: global },
  {
    name: "batchnorm",
    torch: "BatchNorm{n}d",
    doc: "Batch normalisation: 2C learnable (scale, shift) and 2C non-learnable running statistics.",
    args: [affine(true)],
    acceptsFlat: true,
    acceptsSpatial: true,
    infer: (ctx) => {
      const c = C(ctx.input);
      const params = affineParams(ctx, c, ctx.args.affine as boolean, "channel");
      return sameShape(ctx, params, times(2, c));
    },
  },
  {
    name: "layernorm",
    torch: "LayerNorm",
    doc: "Layer normalisation over channels (ConvNeXt's LayerNorm2d): 2C parameters.",
    args: [affine(true)],
    acceptsFlat: true,
    acceptsSpatial: true,
    infer: (ctx) => sameShape(ctx, affineParams(ctx, C(ctx.input), ctx.args.affine as boolean, "channel")),
  },
  {
    name: "groupnorm",
    torch: "GroupNorm",
    doc: "Group normalisation over G channel groups: 2C parameters.",
    args: [{ name: "groups", type: "count", positional: true, doc: "number of groups G; C must be divisible by G" }, affine(true)],
    acceptsFlat: false,
    acceptsSpatial: true,
    infer: (ctx) => {
      const c = C(ctx.input);
      const g = ctx.args.groups as number;
      if (c % g !== 0) throw new LayerError(`${c} channels are not divisible by ${g} groups`, "groups-mismatch", "groups");
      const perGroup = product([c / g, ...spatial(ctx.input)]);
      if (perGroup <= 1) throw new LayerError(`groupnorm needs more than one value per group, but each of the ${g} groups of the ${formatShape(ctx.input, "x")} input has ${perGroup}`, "size-too-small", "groups");
      return sameShape(ctx, affineParams(ctx, c, ctx.args.affine as boolean, "channel"));
    },
  },
  {
    name: "instancenorm",
    torch: "InstanceNorm{n}d",
    doc: "Instance normalisation per sample and channel; no parameters unless affine=true.",
    args: [affine(false)],
    acceptsFlat: false,
    acceptsSpatial: true,
    infer: (ctx) => {
      const elems = product(spatial(ctx.input));
      if (elems <= 1) throw new LayerError(`instancenorm needs more than one spatial element, but the input is ${formatShape(ctx.input, "x")}`, "size-too-small");
      return sameShape(ctx, affineParams(ctx, C(ctx.input), ctx.args.affine as boolean, "channel"));
    },
  },
  {
    name: "lrn",
    torch: "LocalResponseNorm",
    doc: "Local response normalisation across `size` neighbouring channels (AlexNet).",
    args: [{ name: "size", type: "count", default: 5, doc: "neighbouring channels" }],
    acceptsFlat: false,
    acceptsSpatial: true,
    infer: (ctx) => sameShape(ctx),
  },
  activation("relu", "ReLU", "max(0, x)."),
  activation("relu6", "ReLU6", "min(max(0, x), 6)."),
  activation("leakyrelu", "LeakyReLU", "x, or slope·x below 0.", [{ name: "slope", type: "number", default: 0.01, doc: "negative slope" }]),
  activation("elu", "ELU", "Exponential linear unit.", [{ name: "alpha", type: "number", default: 1, doc: "scale of the negative part" }]),
  activation("gelu", "GELU", "Gaussian error linear unit."),
  activation("silu", "SiLU", "x·sigmoid(x) (swish).", [], ["swish"]),
  activation("hardswish", "Hardswish", "x·relu6(x+3)/6 (MobileNetV3)."),
  activation("hardsigmoid", "Hardsigmoid", "relu6(x+3)/6 (MobileNetV3)."),
  activation("sigmoid", "Sigmoid", "1/(1+e^−x)."),
  activation("tanh", "Tanh", "Hyperbolic tangent."),
  activation("mish", "Mish", "x·tanh(softplus(x))."),
  activation("softmax", "Softmax", "Softmax over channels."),
  {
    name: "prelu",
    torch: "PReLU",
    doc: "Parametric ReLU: one learned slope, or one per channel.",
    args: [{ name: "per_channel", type: "bool", default: false, doc: "learn a slope per channel (C parameters) instead of one" }],
    acceptsFlat: true,
    acceptsSpatial: true,
    infer: (ctx) => {
      const params = ctx.args.per_channel ? C(ctx.input) : 1;
      if (ctx.explain) explainParams(ctx.explain, ctx.args.per_channel ? `${params} (one slope per channel)` : "1 (one shared slope)", params);
      return sameShape(ctx, params);
    },
  },
  {
    name: "dropout",
    torch: "Dropout",
    doc: "Zeroes a share P of the values in training; no effect on shape or counts.",
    args: [{ name: "p", type: "probability", positional: true, doc: "probability of dropping a value" }],
    acceptsFlat: true,
    acceptsSpatial: true,
    infer: (ctx) => sameShape(ctx),
  },
  {
    name: "flatten",
    torch: "Flatten",
    doc: "Flattens C × spatial into one vector of ∏ shape features.",
    args: [],
    acceptsFlat: true,
    acceptsSpatial: true,
    infer: (ctx) => {
      const n = product(ctx.input);
      ctx.explain?.shape.push(`${ctx.input.join(" × ")} = ${formatExact(n)}`);
      return { output: [n], params: 0, nonLearnable: 0, macs: 0, window: { kind: "whole" } };
    },
  },
  {
    name: "dense",
    aliases: ["linear", "fc"],
    torch: "Linear",
    doc: "Fully connected layer to F features: N·F weights + F bias.",
    args: [{ name: "features", type: "count", positional: true, doc: "output features F" }, bias],
    acceptsFlat: true,
    acceptsSpatial: false,
    infer: (ctx) => {
      const n = ctx.input[0];
      const f = ctx.args.features as number;
      const weights = product([n, f]);
      const params = plus(weights, ctx.args.bias ? f : 0);
      ctx.explain?.shape.push(`${formatExact(n)} → ${formatExact(f)}`);
      if (ctx.explain) {
        explainParams(ctx.explain, `${formatExact(n)} × ${formatExact(f)}${ctx.args.bias ? ` + ${formatExact(f)} bias` : ""}`, params);
        explainMacs(ctx.explain, `${formatExact(n)} × ${formatExact(f)}`, weights);
      }
      return { output: [f], params, nonLearnable: 0, macs: weights, window: { kind: "whole" } };
    },
  },
  {
    name: "upsample",
    torch: "Upsample",
    doc: "Resizes by a factor S (sizes rounded down); no parameters.",
    args: [
      { name: "scale", type: "factor", positional: true, doc: "scale factor per spatial dimension" },
      { name: "mode", type: "word", default: "nearest", choices: ["nearest", "bilinear"], doc: "interpolation (bilinear on 2-D inputs only)" },
    ],
    acceptsFlat: false,
    acceptsSpatial: true,
    infer: (ctx) => {
      const { input, args } = ctx;
      if (args.mode === "bilinear" && input.length !== 3) {
        throw new LayerError(`mode=bilinear needs a C×H×W input, but the input is ${formatShape(input, "x")}`, "rank-mismatch", "mode");
      }
      const factor = perDim(args, "scale", input);
      const sizes = spatial(input);
      const out = sizes.map((n, i) => Math.floor(n * factor[i] + 1e-9));
      if (out.some((o) => o < 1)) throw new LayerError(`upsample by ${x(factor)} gives a size below 1 from the ${x(sizes)} input`, "size-too-small", "scale");
      sizes.forEach((n, i) => ctx.explain?.shape.push(`⌊${n}·${factor[i]}⌋ = ${out[i]}`));
      return { output: withChannels(C(input), out), params: 0, nonLearnable: 0, macs: 0, window: { kind: "resize", factor } };
    },
  },
  {
    name: "zeropad",
    torch: "ZeroPad{n}d",
    doc: "Adds P zeros on each side of every spatial dimension.",
    args: [{ name: "padding", type: "pad", positional: true, doc: "zeros on each side" }],
    acceptsFlat: false,
    acceptsSpatial: true,
    infer: (ctx) => {
      const pad = perDim(ctx.args, "padding", ctx.input);
      const out = spatial(ctx.input).map((n, i) => n + 2 * pad[i]);
      spatial(ctx.input).forEach((n, i) => ctx.explain?.shape.push(`${n} + 2·${pad[i]} = ${out[i]}`));
      return { output: withChannels(C(ctx.input), out), params: 0, nonLearnable: 0, macs: 0, window: NONE };
    },
  },
  {
    name: "channelshuffle",
    torch: "ChannelShuffle",
    doc: "Interleaves channels across G groups (ShuffleNet); shape kept.",
    args: [{ name: "groups", type: "count", positional: true, doc: "groups G; C must be divisible by G" }],
    acceptsFlat: false,
    acceptsSpatial: true,
    infer: (ctx) => {
      const c = C(ctx.input);
      const g = ctx.args.groups as number;
      if (c % g !== 0) throw new LayerError(`${c} channels are not divisible by ${g} groups`, "groups-mismatch", "groups");
      return sameShape(ctx);
    },
  },
  {
    name: "slice",
    torch: "(slice)",
    doc: "Channels A..B−1 of the input (B − A channels); spatial size kept.",
    args: [
      { name: "start", type: "index", positional: true, doc: "first channel A" },
      { name: "stop", type: "index", positional: true, doc: "one past the last channel B" },
    ],
    acceptsFlat: false,
    acceptsSpatial: true,
    infer: (ctx) => {
      const c = C(ctx.input);
      const a = ctx.args.start as number;
      const b = ctx.args.stop as number;
      if (!(a < b && b <= c)) throw new LayerError(`slice ${a}, ${b} needs 0 ≤ A < B ≤ ${c} (the input has ${c} channels)`, "slice-range", a >= b ? "start" : "stop");
      ctx.explain?.shape.push(`channels ${a}..${b - 1}: ${b} − ${a} = ${b - a}`);
      return { output: withChannels(b - a, spatial(ctx.input)), params: 0, nonLearnable: 0, macs: 0, window: NONE };
    },
  },
  {
    name: "identity",
    torch: "Identity",
    doc: "Passes the input through.",
    args: [],
    acceptsFlat: true,
    acceptsSpatial: true,
    infer: (ctx) => sameShape(ctx),
  },
];

/**
 * Every layer kind. The entries and their argument specs are rebuilt with every field present, in one order: the
 * evaluator reads them for each layer it runs, and objects that all have one shape are the quickest to read.
 */
export const LAYERS: readonly LayerKind[] = ENTRIES.map((l) => ({
  name: l.name,
  aliases: l.aliases,
  doc: l.doc,
  torch: l.torch,
  args: l.args.map((a) => ({ name: a.name, type: a.type, positional: a.positional, default: a.default, choices: a.choices, doc: a.doc })),
  acceptsFlat: l.acceptsFlat,
  acceptsSpatial: l.acceptsSpatial,
  infer: l.infer,
}));

const BY_NAME = new Map<string, LayerKind>();
for (const layer of LAYERS) {
  BY_NAME.set(layer.name, layer);
  for (const a of layer.aliases ?? []) BY_NAME.set(a, layer);
}

/** Every layer kind and alias, as written in `.cnn` files. */
export const LAYER_NAMES: ReadonlySet<string> = new Set(BY_NAME.keys());

/** The layer kind for a name or alias. */
export function findLayer(name: string): LayerKind | undefined {
  return BY_NAME.get(name);
}

/** The PyTorch module a layer mirrors for an input of the given rank: `Conv2d`, `BatchNorm1d`. */
export function torchModule(layer: LayerKind, input: Shape): string {
  return layer.torch.replace("{n}", String(Math.max(1, input.length - 1)));
}
