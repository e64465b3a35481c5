/**
 * The evaluator: runs each model's statements on a symbolic tensor, expanding
 * blocks, repeats and branches into layer instances, and measures everything
 * on the way — shapes, parameters, MACs, activation lifetimes, receptive
 * fields. It keeps going past every error: a statement that fails yields an
 * unknown tensor, and unknown tensors flow on quietly, without follow-on errors.
 */
import * as A from "../syntax/ast";
import { Code, Diagnostic, RelatedInfo } from "../diagnostics";
import { Args, findLayer, LayerError, LayerKind, LAYER_NAMES, plus, product, Shape } from "../layers/layer-table";
import { describeValue, evaluate, EvalContext, ExprError, FUNCTIONS, Scope, UNKNOWN, Value, wholeNumber } from "../values/expressions";
import * as R from "../values/rational";
import { formatExact, formatShape } from "../format";
import { argumentsAreConstant, constantArgumentsHash, didYouMean, matchArguments, NO_CONTEXT, Report, resolveLayerArgs, ResolvedConstants, writtenArgument } from "./arguments";
import { numberStatements, Occurrences, Totals } from "./occurrences";
import { Field, inputField, joinFields, nextField } from "./receptive-field";
import { describeExpr } from "../syntax/precedence";

/** At most this many layer instances are expanded per file; beyond, an error (repeats that reach a fixed point are multiplied out instead). */
export const MAX_LAYER_INSTANCES = 300_000;
/** The keywords that open a `{ }` body, suggested for an unknown name written with one. */
const BODY_KEYWORDS = ["repeat", "residual", "shortcut", "add", "concat", "branch", "scale", "aux", "if", "else"];
/** Deepest chain of block calls. */
export const MAX_CALL_DEPTH = 48;
/**
 * At most this many statement runs (layers, lets, ifs, calls, ... each time the expansion meets one) per
 * file, and as many again for checking block bodies: bodies without layers (a `let`, an `if`, an unknown
 * layer) and trees of block calls must not run for ever either. Repeats that reach a fixed point are
 * multiplied out before they would pass it.
 */
export const MAX_STATEMENT_RUNS = 1_000_000;

/**
 * Where a body runs: in which block call (`call`, made from the site `outer`), under which prefix of dotted names, and
 * whether in an aux head. Every statement of a body run shares its site.
 */
class Site {
  /** How many block calls led here. */
  readonly depth: number;
  private chain: A.CallStatement[] | undefined;

  constructor(
    readonly outer: Site | null,
    /** The block call that made this site; null for a model's or block's own body, a labelled repeat's pass, an aux head. */
    readonly call: A.CallStatement | null,
    readonly prefix: string,
    readonly aux: boolean,
  ) {
    this.depth = (outer?.depth ?? 0) + (call ? 1 : 0);
  }

  /** The chain of block calls that led here, outermost first: made when first asked for, as most are never read. */
  get calls(): A.CallStatement[] {
    if (!this.chain) this.chain = !this.outer ? [] : this.call ? [...this.outer.calls, this.call] : this.outer.calls;
    return this.chain;
  }
}

/**
 * One layer as it runs: a layer statement evaluated in one place of the expansion. A model may have hundreds of
 * thousands, so an instance keeps few fields: its kind and dotted name are worked out when asked for, and its counts
 * are kept in the model's columns (LayerCounts).
 */
export class LayerInstance {
  /** Null when the layer does not fit its input, or its input is unknown. */
  output: Shape | null = null;
  receptiveField: number[] | null = null;
  effectiveStride: number[] | null = null;

  constructor(
    readonly stmt: A.LayerStatement,
    private readonly site: Site,
    /** Its number among the unlabelled layers of its kind in its body (`conv3`); 0 for a labelled one. */
    private readonly ordinal: number,
    readonly input: Shape | null,
    resolvedArgs: Args | undefined,
    /** The counts of the model's layers, where this one's are at `index`. */
    private readonly counts: LayerCounts,
    private readonly index: number,
  ) {
    if (resolvedArgs) this.resolvedArgs = resolvedArgs;
  }

  /** The resolved arguments when they depend on where the statement runs (see `args`); set only then, as it is rare. */
  private declare resolvedArgs?: Args;

  /** Learnable parameters, bias included. */
  get params(): number {
    return this.counts.params[this.index];
  }

  /** Non-learnable state (BatchNorm running statistics). */
  get nonLearnable(): number {
    return this.counts.nonLearnable[this.index];
  }

  /** Multiply-accumulates for one sample. */
  get macs(): number {
    return this.counts.macs[this.index];
  }

  /**
   * The resolved arguments; undefined when one is missing, unknown or wrong. Arguments written as plain values resolve
   * the same in every run, so they are worked out again when asked for rather than kept by every instance.
   */
  get args(): Args | undefined {
    const s = this.stmt;
    if (!argumentsAreConstant(s.written)) return this.resolvedArgs;
    // Nothing is reported here, so where the arguments are does not matter.
    return resolveLayerArgs(findLayer(s.name)!, s.name, s.written, s, NO_CONTEXT, () => {});
  }

  /** The canonical layer kind (`dense` for `fc`). */
  get kind(): string {
    return findLayer(this.stmt.name)!.name;
  }

  /** A PyTorch-style dotted name: the labels of the calls that led here, then the layer's label or kind and position. */
  get label(): string {
    const name = this.stmt.label?.name || `${this.kind}${this.ordinal}`;
    return this.site.prefix ? `${this.site.prefix}.${name}` : name;
  }

  /** The chain of block calls that led here, outermost first. */
  get calls(): A.CallStatement[] {
    return this.site.calls;
  }

  /** Inside an `aux` head: counted in parameters, not in inference MACs or activations. */
  get aux(): boolean {
    return this.site.aux;
  }
}

/**
 * The counts of a model's layer instances, one column per count and an entry per instance (0 until set), as the
 * occurrences keep theirs: a count kept in an object field takes a heap number of its own once counts pass 2^31.
 */
class LayerCounts {
  private size = 0;
  params: Float64Array;
  nonLearnable: Float64Array;
  macs: Float64Array;

  constructor(capacity: number) {
    this.params = new Float64Array(capacity);
    this.nonLearnable = new Float64Array(capacity);
    this.macs = new Float64Array(capacity);
  }

  /** Makes room for one more instance's counts; returns its index. */
  add(): number {
    if (this.size === this.params.length) this.resize(Math.max(16, 2 * this.size));
    return this.size++;
  }

  set(index: number, params: number, nonLearnable: number, macs: number): void {
    this.params[index] = params;
    this.nonLearnable[index] = nonLearnable;
    this.macs[index] = macs;
  }

  /** Gives back the room no instance took, once the model is done. */
  trim(): void {
    if (this.params.length > this.size) this.resize(this.size);
  }

  private resize(n: number): void {
    this.params = resized(this.params, n);
    this.nonLearnable = resized(this.nonLearnable, n);
    this.macs = resized(this.macs, n);
  }
}

/** A column of `n` entries with `from`'s first ones. */
function resized(from: Float64Array, n: number): Float64Array {
  const to = new Float64Array(n);
  to.set(from.length > n ? from.subarray(0, n) : from);
  return to;
}

export interface BudgetResult {
  stmt: A.BudgetStatement;
  metric: Metric;
  limit: number;
  strict: boolean;
  value: number;
  ok: boolean;
  /** The model-level statement where the running total first passed the limit. */
  crossing?: A.Statement;
}

export const METRICS = ["params", "memory", "macs", "flops", "activations"] as const;
export type Metric = (typeof METRICS)[number];

export const DTYPES: Record<string, number> = { fp32: 4, fp16: 2, bf16: 2, int8: 1, int4: 0.5 };

export interface ModelAnalysis {
  decl: A.ModelDecl;
  name: string;
  input: Shape | null;
  output: Shape | null;
  /** Learnable parameters, aux heads included. */
  params: number;
  nonLearnable: number;
  /** Inference MACs per sample (aux heads excluded); FLOPs are twice this. */
  macs: number;
  auxParams: number;
  auxMacs: number;
  dtype: string;
  /** Bytes per weight and activation value (0.5 for int4). */
  dtypeBytes: number;
  batch: number;
  /** Learnable parameters × dtype bytes. */
  weightBytes: number;
  /** Peak of live activations during one inference, input included, at `batch` and dtype bytes. */
  peakActivationBytes: number;
  layers: LayerInstance[];
  /** True when a repeat was multiplied out, so `layers` lists fewer instances than run. */
  layersTruncated: boolean;
  budgets: BudgetResult[];
  /** True when the analysis met an error, so totals cover only what could be analysed. */
  hasErrors: boolean;
}

/** A symbolic tensor: its shape (null when unknown), its size, and who still needs it. */
interface Tensor {
  shape: Shape | null;
  elems: number;
  refs: number;
  field: Field | null;
  /** Tells the tensors apart: a tensor object reused for a layer's output (see `replace`) is a new tensor, with a new id. */
  id: number;
}

interface Frame {
  scope: Scope;
  site: Site;
  /** How many unlabelled layers and calls of each kind ran so far under this name prefix: `conv1`, `conv2`, ... */
  counters: Map<string, number>;
  /** True for statements directly in a model body. */
  top: boolean;
  /** Reports problems in this frame (see `reporter`), made when first needed. */
  reporter: Report | undefined;
}

/** One model's evaluation as it goes: its running totals, its layers and its activation lifetimes. */
class Run implements Totals {
  layers: LayerInstance[] = [];
  /** The layers' counts; a flat model has a layer per statement, most others more. */
  readonly layerCounts: LayerCounts;
  params = 0;
  nonLearnable = 0;
  macs = 0;
  auxParams = 0;
  auxMacs = 0;
  live = 0;
  peak = 0;
  hasInput = false;
  missingInputReported = false;
  truncated = false;
  hasErrors = false;
  /**
   * The occurrences (run indices) of the model-level statements, and the activation peak right after each: where is a
   * budget first broken? Each statement runs at most once, so there is room for all from the start.
   */
  readonly top: Int32Array;
  readonly peakAfterTop: Float64Array;
  topCount = 0;
  constructor(readonly model: ModelAnalysis) {
    this.layerCounts = new LayerCounts(model.decl.body.length);
    this.top = new Int32Array(model.decl.body.length);
    this.peakAfterTop = new Float64Array(model.decl.body.length);
  }
}

/** The context of a statement that receives a tensor of `shape`: `in_channels` is worked out only when an expression reads it. */
class TensorContext implements EvalContext {
  constructor(
    readonly scope: Scope,
    private readonly shape: Shape | null,
  ) {}

  get inChannels(): Value {
    return this.shape ? wholeNumber(this.shape[0]) : UNKNOWN;
  }
}

/** Everything the evaluator found in a file. */
export interface Evaluation {
  models: ModelAnalysis[];
  diagnostics: Diagnostic[];
  occurrences: Occurrences;
}

/** Evaluates every model of `file`, and checks every block even when it is never called. */
export function evaluateFile(file: A.CnnFile): Evaluation {
  return new Evaluator(file).run();
}

function shapesEqual(a: Shape, b: Shape): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
const fmt = (s: Shape | null) => formatShape(s, "x");

class Evaluator {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly seen = new Set<string>();
  /** The numbers of each body's statements (see numberStatements), under which their runs are recorded. */
  private readonly numbers: Map<A.Statement[], Int32Array>;
  private readonly occurrences: Occurrences;
  private readonly blocks = new Map<string, A.BlockDecl>();
  /** The blocks running now, outermost first (with the one being checked): a block may not run inside itself. */
  private readonly running: A.BlockDecl[] = [];
  /** Each block's parameters as argument specs, made once: matchArguments caches by the list's identity. */
  private readonly paramSpecs = new Map<A.BlockDecl, { name: string; positional: boolean; required: boolean }[]>();
  private readonly unknownLayerMessages = new Map<A.LayerStatement, string>();
  /** Layer instances expanded so far in this file. */
  private expanded = 0;
  private expansionReported = false;
  /** Statement runs so far (see MAX_STATEMENT_RUNS); checking block bodies has its own count. */
  private steps = 0;
  /** Checking block bodies with unknown inputs: all `if` clauses, one pass of each repeat, nothing recorded. */
  private checking = false;
  /** Constant arguments resolved so far, shared by the layers written alike (arguments are only ever read). */
  private readonly resolvedConstants = new ResolvedConstants();
  /** Tensors made so far: their ids. */
  private tensors = 0;
  /** Set by a repeat whose passes were multiplied out, for its occurrence record to pick up. */
  private lastMultiplied: number | undefined;
  private run_!: Run;

  constructor(private readonly file: A.CnnFile) {
    const { statements, bodies } = numberStatements(file);
    this.numbers = bodies;
    this.occurrences = new Occurrences(statements);
  }

  run(): Evaluation {
    this.checkDefinitions();
    this.checkBlockBodies();
    const models = this.file.models.map((m) => this.runModel(m));
    this.occurrences.trim();
    return { models, diagnostics: this.diagnostics, occurrences: this.occurrences };
  }

  // -------------------------------------------------------------------------
  // Reporting

  private report(span: A.Span, code: Code, message: string, frame?: Frame, severity: Diagnostic["severity"] = "error", related?: RelatedInfo[]): void {
    if (severity === "error" && this.run_) this.run_.hasErrors = true;
    this.push({ start: span.start, end: span.end, severity, code, message, related });
    // An error inside a block is also reported at every call that led there.
    for (const call of frame?.site.calls ?? []) {
      this.push({
        start: call.start,
        end: call.end,
        severity,
        code,
        message: `in ${call.name}(${call.args.map((a) => (a.name ? a.name + "=" : "") + describeExpr(a.value)).join(", ")}): ${message}`,
        related: [{ start: span.start, end: span.end, message }],
      });
    }
  }

  /** `report` for the argument checks, in `frame`. */
  private reporter(frame: Frame): Report {
    return (frame.reporter ??= this.reportIn(frame));
  }

  /** A Report for `frame`. The closure is made here rather than in `reporter`, where it would cost every call a context. */
  private reportIn(frame: Frame): Report {
    return (span, code, message) => this.report(span, code, message, frame);
  }

  private push(d: Diagnostic): void {
    const key = `${d.start}:${d.end}:${d.code}:${d.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.diagnostics.push(d);
  }

  // -------------------------------------------------------------------------
  // Definitions: duplicates, reserved names, recursion

  private checkDefinitions(): void {
    const models = new Set<string>();
    for (const m of this.file.models) {
      if (!m.name) continue;
      if (models.has(m.name)) this.report(m.nameSpan, "duplicate-definition", `model '${m.name}' is defined twice`);
      models.add(m.name);
    }
    for (const b of this.file.blocks) {
      if (!b.name) continue;
      if (LAYER_NAMES.has(b.name)) this.report(b.nameSpan, "reserved-name", `a block may not take the name of the layer kind '${b.name}'`);
      else if (FUNCTIONS.includes(b.name)) this.report(b.nameSpan, "reserved-name", `a block may not take the name of the function '${b.name}'`);
      if (this.blocks.has(b.name)) this.report(b.nameSpan, "duplicate-definition", `block '${b.name}' is defined twice`);
      else this.blocks.set(b.name, b);
      const params = new Set<string>();
      for (const p of b.params) {
        if (params.has(p.name)) this.report(p, "duplicate-definition", `block '${b.name}' has two parameters named '${p.name}'`);
        params.add(p.name);
      }
    }
    this.checkRecursion();
  }

  /** Finds cycles in the block call graph (Tarjan's strongly connected components). */
  private checkRecursion(): void {
    const calls = new Map<A.BlockDecl, A.CallStatement[]>();
    for (const b of this.blocks.values()) {
      const list: A.CallStatement[] = [];
      A.forEachStatement(b.body, (s) => {
        if (s.kind === "call" && this.blocks.has(s.name)) list.push(s);
      });
      calls.set(b, list);
    }
    let index = 0;
    const idx = new Map<A.BlockDecl, number>();
    const low = new Map<A.BlockDecl, number>();
    const onStack = new Set<A.BlockDecl>();
    const stack: A.BlockDecl[] = [];
    const component = new Map<A.BlockDecl, number>();
    let comp = 0;
    // Iterative DFS, so a long chain of blocks cannot overflow the stack.
    for (const root of this.blocks.values()) {
      if (idx.has(root)) continue;
      const work: { b: A.BlockDecl; i: number }[] = [{ b: root, i: 0 }];
      idx.set(root, index);
      low.set(root, index++);
      stack.push(root);
      onStack.add(root);
      while (work.length) {
        const top = work[work.length - 1];
        const out = calls.get(top.b)!;
        if (top.i < out.length) {
          const callee = this.blocks.get(out[top.i++].name)!;
          if (!idx.has(callee)) {
            idx.set(callee, index);
            low.set(callee, index++);
            stack.push(callee);
            onStack.add(callee);
            work.push({ b: callee, i: 0 });
          } else if (onStack.has(callee)) {
            low.set(top.b, Math.min(low.get(top.b)!, idx.get(callee)!));
          }
          continue;
        }
        work.pop();
        if (work.length) {
          const parent = work[work.length - 1].b;
          low.set(parent, Math.min(low.get(parent)!, low.get(top.b)!));
        }
        if (low.get(top.b) === idx.get(top.b)) {
          let member: A.BlockDecl;
          do {
            member = stack.pop()!;
            onStack.delete(member);
            component.set(member, comp);
          } while (member !== top.b);
          comp++;
        }
      }
    }
    for (const [b, list] of calls) {
      for (const call of list) {
        const callee = this.blocks.get(call.name)!;
        if (component.get(callee) !== component.get(b)) continue;
        const path = callee === b ? `${b.name} → ${b.name}` : `${b.name} → ${this.pathBetween(callee, b, calls)}`;
        this.report(call.nameSpan, "recursive-block", `block '${b.name}' calls itself (${path}); blocks may not be recursive`);
      }
    }
  }

  /** The chain of block names from `from` back to `to`, for the recursion message. */
  private pathBetween(from: A.BlockDecl, to: A.BlockDecl, calls: Map<A.BlockDecl, A.CallStatement[]>): string {
    const prev = new Map<A.BlockDecl, A.BlockDecl>();
    const queue = [from];
    const seen = new Set([from]);
    while (queue.length) {
      const b = queue.shift()!;
      if (b === to) break;
      for (const c of calls.get(b)!) {
        const n = this.blocks.get(c.name)!;
        if (!seen.has(n)) {
          seen.add(n);
          prev.set(n, b);
          queue.push(n);
        }
      }
    }
    const names = [to.name];
    for (let b = to; b !== from && prev.has(b); ) {
      b = prev.get(b)!;
      names.unshift(b.name);
    }
    return names.join(" → ");
  }

  /** Checks each block's body once with unknown input, so errors show even in blocks never called. */
  private checkBlockBodies(): void {
    this.checking = true;
    const dummy = this.newModel({ kind: "model", name: "", nameSpan: { start: 0, end: 0 }, body: [], start: 0, end: 0 });
    this.run_ = new Run(dummy);
    for (const b of this.file.blocks) {
      const scope = new Scope();
      for (const p of b.params) scope.define(p.name, UNKNOWN);
      const frame: Frame = { scope, site: new Site(null, null, "", false), counters: new Map(), top: false, reporter: undefined };
      this.running.push(b);
      this.runBody(b.body, this.unknownTensor(), frame);
      this.running.pop();
    }
    this.checking = false;
    this.steps = 0;
  }

  // -------------------------------------------------------------------------
  // Models

  private newModel(decl: A.ModelDecl): ModelAnalysis {
    return {
      decl,
      name: decl.name,
      input: null,
      output: null,
      params: 0,
      nonLearnable: 0,
      macs: 0,
      auxParams: 0,
      auxMacs: 0,
      dtype: "fp32",
      dtypeBytes: 4,
      batch: 1,
      weightBytes: 0,
      peakActivationBytes: 0,
      layers: [],
      layersTruncated: false,
      budgets: [],
      hasErrors: false,
    };
  }

  private runModel(decl: A.ModelDecl): ModelAnalysis {
    const model = this.newModel(decl);
    const run = (this.run_ = new Run(model));
    this.occurrences.startModel(model);
    // The expansion limit is shared by the file, but each model it cuts short is told so.
    this.expansionReported = false;
    const frame: Frame = { scope: new Scope(), site: new Site(null, null, "", false), counters: new Map(), top: true, reporter: undefined };
    const settings: A.Statement[] = [];
    const out = this.runBody(decl.body, this.unknownTensor(), frame, settings);
    // Reported once: at the first layer when there is one, else at the model's name.
    if (!run.hasInput && !run.missingInputReported) this.report(decl.nameSpan, "missing-input", `model '${decl.name}' has no input: start it with a line such as 'input 3x224x224'`);
    model.output = out.shape;
    model.params = run.params;
    model.nonLearnable = run.nonLearnable;
    model.macs = run.macs;
    model.auxParams = run.auxParams;
    model.auxMacs = run.auxMacs;
    model.layers = run.layers;
    run.layerCounts.trim();
    model.layersTruncated = run.truncated;
    this.applySettings(model, settings, frame);
    const factor = model.batch * model.dtypeBytes;
    model.weightBytes = model.params * model.dtypeBytes;
    model.peakActivationBytes = run.peak * factor;
    this.checkBudgets(model, settings, frame, run);
    model.hasErrors = run.hasErrors;
    return model;
  }

  /** dtype and batch, read after the run (they scale totals; they never change shapes). */
  private applySettings(model: ModelAnalysis, settings: A.Statement[], frame: Frame): void {
    let dtypeSeen: A.Statement | undefined;
    let batchSeen: A.Statement | undefined;
    for (const s of settings) {
      if (s.kind === "dtype") {
        if (dtypeSeen) this.report(s, "duplicate-definition", "the model's dtype is set twice");
        dtypeSeen = s;
        const v = s.value ? this.evalQuiet(s.value, frame, null) : UNKNOWN;
        if (v.t === "word" && v.v in DTYPES) {
          model.dtype = v.v;
          model.dtypeBytes = DTYPES[v.v];
        } else if (v.t !== "unknown") {
          this.report(s.value ?? s, "invalid-value", `dtype must be one of ${Object.keys(DTYPES).join(", ")}, but it is ${describeValue(v)}`);
        }
      } else if (s.kind === "batch") {
        if (batchSeen) this.report(s, "duplicate-definition", "the model's batch size is set twice");
        batchSeen = s;
        const v = s.value ? this.evalQuiet(s.value, frame, null) : UNKNOWN;
        if (v.t === "num" && v.v.d === 1 && v.v.n >= 1) model.batch = v.v.n;
        else if (v.t !== "unknown") this.report(s.value ?? s, "invalid-value", `batch must be a whole number of at least 1, but it is ${describeValue(v)}`);
      }
    }
  }

  private checkBudgets(model: ModelAnalysis, settings: A.Statement[], frame: Frame, run: Run): void {
    const factor = model.batch * model.dtypeBytes;
    for (const s of settings) {
      if (s.kind !== "budget" || !s.metric || !s.metricSpan) continue;
      if (!(METRICS as readonly string[]).includes(s.metric)) {
        this.report(s.metricSpan, "invalid-value", `unknown budget metric '${s.metric}': the metrics are ${METRICS.join(", ")}${didYouMean(s.metric, METRICS)}`);
        continue;
      }
      const metric = s.metric as Metric;
      const v = s.limit ? this.evalQuiet(s.limit, frame, null) : UNKNOWN;
      if (v.t === "unknown") continue;
      if (v.t !== "num" || v.v.n < 0) {
        this.report(s.limit ?? s, "invalid-value", `a budget limit must be a number of at least 0, but it is ${describeValue(v)}`);
        continue;
      }
      const limit = R.toNumber(v.v);
      const valueAt = (params: number, macs: number, peak: number): number => {
        switch (metric) {
          case "params":
            return params;
          case "memory":
            return params * model.dtypeBytes;
          case "macs":
            return macs;
          case "flops":
            return 2 * macs;
          case "activations":
            return peak * factor;
        }
      };
      const value = valueAt(model.params, model.macs, run.peak);
      const ok = s.strict ? value < limit : value <= limit;
      const result: BudgetResult = { stmt: s, metric, limit, strict: s.strict, value, ok };
      model.budgets.push(result);
      if (ok) continue;
      // The first model-level statement whose running total breaks the limit.
      const breaks = (x: number) => (s.strict ? x >= limit : x > limit);
      const valueAfter = (k: number) => {
        const occ = this.occurrences.at(run.top[k]);
        return valueAt(occ.runningParams, occ.runningMacs, run.peakAfterTop[k]);
      };
      let i = -1;
      for (let k = 0; k < run.topCount && i < 0; k++) if (breaks(valueAfter(k))) i = k;
      result.crossing = i >= 0 ? this.occurrences.at(run.top[i]).stmt : undefined;
      const over = value - limit;
      const pct = limit > 0 ? ` (${((100 * over) / limit).toFixed(1)}% over)` : "";
      const text = `${metric} ${formatMetric(metric, value)} ${s.strict && over === 0 ? "reaches" : "exceeds"} the budget of ${formatMetric(metric, limit)} by ${formatMetric(metric, over)}${pct}`;
      const related = result.crossing ? [{ start: result.crossing.start, end: result.crossing.end, message: `the running total first passes the budget here` }] : undefined;
      this.report({ start: s.start, end: s.end }, "budget-exceeded", text, undefined, "warning", related);
      if (result.crossing) {
        const c = result.crossing;
        const at = valueAfter(i);
        this.report(c, "budget-exceeded", `${metric} budget of ${formatMetric(metric, limit)} first broken here: ${formatMetric(metric, at)} so far`, undefined, "warning", [
          { start: s.start, end: s.end, message: text },
        ]);
      }
    }
  }

  // -------------------------------------------------------------------------
  // Tensors and activation lifetimes

  private unknownTensor(): Tensor {
    return { shape: null, elems: 0, refs: 1, field: null, id: this.tensors++ };
  }

  /** Makes a tensor; while it and the inputs still needed are live, the peak may rise. */
  private alloc(shape: Shape | null, field: Field | null, frame: Frame): Tensor {
    return { shape, elems: this.live(shape, frame), refs: 1, field, id: this.tensors++ };
  }

  /** Counts a new tensor of `shape` as live, and returns its size (0 in an aux head: training only). */
  private live(shape: Shape | null, frame: Frame): number {
    const run = this.run_;
    let elems = 0;
    if (shape && !frame.site.aux) {
      try {
        elems = product(shape);
      } catch {
        elems = 0;
      }
      run.live += elems;
      if (run.live > run.peak) run.peak = run.live;
    }
    return elems;
  }

  /**
   * A layer's output, made from its input `x`: allocated while `x` is live, then `x` is freed. When the layer held the
   * only reference to `x` (most do: a chain of layers passes one tensor along), the object of `x` is reused for the
   * output, as a new tensor with a new id, rather than a new object made for every layer.
   */
  private replace(x: Tensor, shape: Shape, field: Field | null, frame: Frame): Tensor {
    if (x.refs !== 1) {
      const y = this.alloc(shape, field, frame);
      this.release(x);
      return y;
    }
    const elems = this.live(shape, frame);
    this.run_.live -= x.elems;
    x.shape = shape;
    x.elems = elems;
    x.field = field;
    x.id = this.tensors++;
    return x;
  }

  private retain(t: Tensor, n = 1): void {
    t.refs += n;
  }

  private release(t: Tensor): void {
    if (t.refs > 0 && --t.refs === 0) this.run_.live -= t.elems;
  }

  // -------------------------------------------------------------------------
  // Statements

  private runBody(body: A.Statement[], x: Tensor, frame: Frame, settings?: A.Statement[]): Tensor {
    const numbers = this.numbers.get(body)!;
    for (let i = 0; i < body.length; i++) x = this.runRecorded(body[i], numbers[i], x, frame, settings);
    return x;
  }

  /** Runs one statement (`number` is its number in the file), records its occurrence, and turns any failure into a diagnostic. */
  private runRecorded(s: A.Statement, number: number, x: Tensor, frame: Frame, settings?: A.Statement[]): Tensor {
    if (++this.steps > MAX_STATEMENT_RUNS && !this.checking) {
      if (!this.expansionReported) {
        this.expansionReported = true;
        this.report(s, "expansion-too-large", `the file expands to more than ${formatExact(MAX_STATEMENT_RUNS)} statement runs, too many to analyse; statements past this point are not measured`, frame);
      }
      this.release(x);
      return this.unknownTensor();
    }
    const run = this.run_;
    const occ = this.checking ? -1 : this.occurrences.begin(number, frame.site, x.shape, run);
    // A layer inside the statement may have reused `x` for its output (see `replace`): then `x` was consumed already.
    const inputId = x.id;
    let y: Tensor;
    try {
      y = this.runStatement(s, x, frame, settings);
    } catch (e) {
      if (e instanceof R.OverflowError) this.report(s, "count-overflow", e.message, frame);
      else if (e instanceof ExprError) this.report(e.span, e.code as Code, e.message, frame);
      else this.report(s, "internal-error", `CNN Lens failed on this statement: ${(e as Error)?.message ?? e}`, frame);
      if (x.id === inputId) this.release(x);
      y = this.unknownTensor();
    }
    if (this.checking) return y;
    let multipliedPasses: number | undefined;
    if (s.kind === "repeat" && this.lastMultiplied !== undefined) {
      multipliedPasses = this.lastMultiplied;
      this.lastMultiplied = undefined;
    }
    this.occurrences.end(occ, y.shape, run, multipliedPasses);
    if (frame.top) {
      run.top[run.topCount] = occ;
      run.peakAfterTop[run.topCount++] = run.peak;
    }
    return y;
  }

  private ctxFor(x: Tensor, frame: Frame): EvalContext {
    return new TensorContext(frame.scope, x.shape);
  }

  /** Evaluates an expression; an error is reported and gives unknown. */
  private evalQuiet(e: A.Expr, frame: Frame, x: Tensor | null): Value {
    try {
      return evaluate(e, x ? this.ctxFor(x, frame) : { scope: frame.scope, inChannels: UNKNOWN });
    } catch (err) {
      if (err instanceof ExprError) {
        this.report(err.span, err.code as Code, err.message, frame);
        return UNKNOWN;
      }
      throw err;
    }
  }

  private runStatement(s: A.Statement, x: Tensor, frame: Frame, settings?: A.Statement[]): Tensor {
    switch (s.kind) {
      case "layer":
        return this.runLayer(s, x, frame);
      case "call":
        return this.runCall(s, x, frame);
      case "input":
        return this.runInput(s, x, frame);
      case "dtype":
      case "batch":
      case "budget":
        if (!frame.top) {
          this.report(s, "misplaced-setting", `'${s.kind}' sets the whole model: put it directly in the model body, not inside a block, branch or if`, frame);
        } else settings?.push(s);
        return x;
      case "let": {
        if (s.name && s.value) frame.scope.define(s.name, this.evalQuiet(s.value, frame, x));
        return x;
      }
      case "repeat":
        return this.runRepeat(s, x, frame);
      case "residual":
        return this.runResidual(s, x, frame);
      case "add":
      case "concat":
        return this.runBranches(s, x, frame);
      case "scale":
        return this.runScale(s, x, frame);
      case "aux":
        return this.runAux(s, x, frame);
      case "if":
        return this.runIf(s, x, frame);
    }
  }

  private runInput(s: A.InputStatement, x: Tensor, frame: Frame): Tensor {
    const run = this.run_;
    if (!frame.top) {
      this.report(s, "misplaced-setting", "'input' belongs at the start of a model body, not inside a block, branch or if", frame);
      return x;
    }
    if (run.hasInput) {
      this.report(s, "misplaced-setting", "the model already has an input", frame);
      return x;
    }
    if (run.layers.length > 0) this.report(s, "misplaced-setting", "'input' must come before the model's first layer", frame);
    run.hasInput = true;
    const v = s.shape ? this.evalQuiet(s.shape, frame, null) : UNKNOWN;
    const items = v.t === "num" ? [v.v] : v.t === "tuple" ? v.items : undefined;
    let shape: Shape | null = null;
    if (v.t === "unknown") shape = null;
    else if (!items) this.report(s.shape ?? s, "wrong-type", `input must be a shape such as 3x224x224 or 784, but it is ${describeValue(v)}`, frame);
    else if (items.some((r) => r.d !== 1 || r.n < 1)) this.report(s.shape ?? s, "invalid-value", `every size of the input must be a whole number of at least 1, but it is ${describeValue(v)}`, frame);
    else if (items.length > 4) {
      this.report(s.shape ?? s, "rank-mismatch", `input ${describeValue(v)} has ${items.length} dimensions; a model takes a flat vector (784), C×L, C×H×W or C×D×H×W`, frame);
    } else shape = items.map((r) => r.n);
    run.model.input = shape;
    this.release(x);
    return this.alloc(shape, shape ? inputField(shape) : null, frame);
  }

  /** A call's dotted name: the caller's prefix, then the call's label, or the block's name and its number. */
  private label(s: A.CallStatement, base: string, frame: Frame): string {
    const name = s.label?.name || `${base}${this.ordinal(base, frame)}`;
    return frame.site.prefix ? `${frame.site.prefix}.${name}` : name;
  }

  /** The next number for an unlabelled layer or call named `base` in this frame: 1, 2, ... */
  private ordinal(base: string, frame: Frame): number {
    const n = (frame.counters.get(base) ?? 0) + 1;
    frame.counters.set(base, n);
    return n;
  }

  private runLayer(s: A.LayerStatement, x: Tensor, frame: Frame): Tensor {
    const run = this.run_;
    const layer = findLayer(s.name);
    if (!layer && s.brokenCall) {
      // A block call whose arguments did not read: its syntax error is reported; only a name that is no block is news.
      if (!this.blocks.has(s.name)) this.reportUnknownBlock(s, frame);
      return x;
    }
    if (!layer) {
      // Worked out once per statement: a repeat may run it a million times.
      let message = this.unknownLayerMessages.get(s);
      if (message === undefined) {
        const block = this.blocks.get(s.name);
        // With a `{ }` body, the name was meant to be a keyword that opens one (`repaet 2 {`).
        const candidates = s.bodySpan ? BODY_KEYWORDS : [...LAYER_NAMES, ...this.blocks.keys()];
        const hint = block ? `; '${s.name}' is a block: call it with parentheses, ${s.name}(...)` : didYouMean(s.name, candidates);
        this.unknownLayerMessages.set(s, (message = `unknown layer '${s.name}'${hint}`));
      }
      this.report(s.nameSpan, "unknown-layer", message, frame);
      // A misspelt layer passes its input through, so the layers after a typo still get shapes.
      return x;
    }
    // So does a half-typed one (`conv 64,` at a line end): its syntax error is already reported.
    if (s.incomplete) return x;
    // Arguments written as plain values (the usual case) need no context, and no instance keeps them (see LayerInstance.args).
    const hash = constantArgumentsHash(s.written);
    const constant = hash >= 0;
    const args = constant ? this.constantArgs(layer, s, hash, frame) : resolveLayerArgs(layer, s.name, s.args, s, this.ctxFor(x, frame), this.reporter(frame));
    if (this.checking) {
      this.release(x);
      return this.unknownTensor();
    }
    if (!run.hasInput && !run.missingInputReported) {
      run.missingInputReported = true;
      this.report(s, "missing-input", `model '${run.model.name}' has no input before its first layer: start it with a line such as 'input 3x224x224'`, frame);
    }
    if (this.expanded >= MAX_LAYER_INSTANCES) {
      if (!this.expansionReported) {
        this.expansionReported = true;
        this.report(s, "expansion-too-large", `the file expands to more than ${formatExact(MAX_LAYER_INSTANCES)} layers, too many to analyse; layers past this point are not measured`, frame);
      }
      this.release(x);
      return this.unknownTensor();
    }
    this.expanded++;
    const ordinal = s.label?.name ? 0 : this.ordinal(layer.name, frame);
    const index = run.layerCounts.add();
    const instance = new LayerInstance(s, frame.site, ordinal, x.shape, constant ? undefined : args, run.layerCounts, index);
    run.layers.push(instance);
    if (!x.shape || !args) {
      this.release(x);
      return this.unknownTensor();
    }
    const input = x.shape;
    if (input.length === 1 && !layer.acceptsFlat) {
      this.report(s, "needs-spatial-input", `${s.name} needs a C×L, C×H×W or C×D×H×W input, but it gets a flat vector of ${formatExact(input[0])}`, frame);
      this.release(x);
      return this.unknownTensor();
    }
    if (input.length > 1 && !layer.acceptsSpatial) {
      this.report(s, "needs-flat-input", `${s.name} needs a flat vector, but the input is ${fmt(input)}: add 'flatten' (or a global pool and 'flatten') before it`, frame);
      this.release(x);
      return this.unknownTensor();
    }
    let result;
    try {
      result = layer.infer({ input, args });
    } catch (e) {
      if (e instanceof LayerError) {
        const span = (e.arg && writtenArgument(layer, s.args, e.arg)) || s;
        this.report(span, e.code as Code, `${s.name}: ${e.message}`, frame);
        this.release(x);
        return this.unknownTensor();
      }
      throw e;
    }
    // Shapes are never changed once made, so an output equal to the input shares its array (most layers keep the shape).
    const output = shapesEqual(result.output, input) ? input : result.output;
    instance.output = output;
    run.layerCounts.set(index, result.params, result.nonLearnable, result.macs);
    this.account(result.params, result.nonLearnable, result.macs, frame.site.aux);
    const field = x.field ? nextField(x.field, result.window, input) : null;
    if (field) {
      instance.receptiveField = field.rf;
      instance.effectiveStride = field.jump;
    }
    return this.replace(x, output, field, frame);
  }

  /**
   * The arguments of `s`, constant ones with the hash `hash`: resolved at the first layer of its kind written so, and
   * shared by the others (see ResolvedConstants). Arguments with problems are resolved at each statement, which
   * reports them there.
   */
  private constantArgs(layer: LayerKind, s: A.LayerStatement, hash: number, frame: Frame): Args | undefined {
    return this.resolvedConstants.get(layer, s.written, hash) ?? this.resolveConstantArgs(layer, s, hash, frame);
  }

  private resolveConstantArgs(layer: LayerKind, s: A.LayerStatement, hash: number, frame: Frame): Args | undefined {
    let problems = false;
    const report = this.reporter(frame);
    const args = resolveLayerArgs(layer, s.name, s.args, s, NO_CONTEXT, (span, code, message) => {
      problems = true;
      report(span, code, message);
    });
    if (args && !problems) this.resolvedConstants.add(layer, s.written, hash, args);
    return args;
  }

  /** Adds a layer's counts to the model's totals; aux heads keep their MACs apart. */
  private account(params: number, nonLearnable: number, macs: number, aux: boolean): void {
    const run = this.run_;
    run.params = plus(run.params, params);
    run.nonLearnable = plus(run.nonLearnable, nonLearnable);
    if (aux) {
      run.auxParams = plus(run.auxParams, params);
      run.auxMacs = plus(run.auxMacs, macs);
    } else run.macs = plus(run.macs, macs);
  }

  /** `s` calls a block by a name no block has. */
  private reportUnknownBlock(s: A.CallStatement | A.LayerStatement, frame: Frame): void {
    this.report(s.nameSpan, "unknown-block", `unknown block '${s.name}'${didYouMean(s.name, this.blocks.keys())}`, frame);
  }

  private runCall(s: A.CallStatement, x: Tensor, frame: Frame): Tensor {
    const block = this.blocks.get(s.name);
    if (!block) {
      this.reportUnknownBlock(s, frame);
      this.release(x);
      return this.unknownTensor();
    }
    const what = `${block.name}${block.signature}`;
    let specs = this.paramSpecs.get(block);
    if (!specs) this.paramSpecs.set(block, (specs = block.params.map((p) => ({ name: p.name, positional: true, required: !p.default }))));
    const bound = matchArguments(what, specs, s.args, s, this.reporter(frame));
    // Recursion was reported statically; stop expanding here.
    if (this.running.includes(block)) {
      this.release(x);
      return this.unknownTensor();
    }
    // Past the expansion limit nothing is measured, so a tree of calls stops here instead of running on; checking a
    // block stops expanding the blocks it calls past its budget, quietly (a model that calls them is still analysed).
    if (this.checking ? this.steps >= MAX_STATEMENT_RUNS : this.expansionReported) {
      this.release(x);
      return this.unknownTensor();
    }
    if (frame.site.depth >= MAX_CALL_DEPTH) {
      this.report(s, "call-depth", `block calls are nested more than ${MAX_CALL_DEPTH} deep here; the analysis stops expanding`, frame);
      this.release(x);
      return this.unknownTensor();
    }
    const callerCtx = this.ctxFor(x, frame);
    const scope = new Scope();
    const inner: EvalContext = { scope, inChannels: callerCtx.inChannels };
    for (let i = 0; i < block.params.length; i++) {
      const p = block.params[i];
      const arg = bound[i];
      let v: Value = UNKNOWN;
      try {
        if (arg) v = evaluate(arg.value, callerCtx);
        else if (p.default) v = evaluate(p.default, inner);
      } catch (e) {
        if (!(e instanceof ExprError)) throw e;
        this.report(e.span, e.code as Code, e.message, frame);
      }
      scope.define(p.name, v);
    }
    const label = this.label(s, block.name, frame);
    const site = new Site(frame.site, s, label, frame.site.aux);
    const inner_: Frame = { scope, site, counters: new Map(), top: false, reporter: undefined };
    this.running.push(block);
    try {
      return this.runBody(block.body, x, inner_);
    } finally {
      this.running.pop();
    }
  }

  /** The frame of a nested body: a scope of its own; a new site for the passes of a labelled repeat (a new name prefix) and an aux head. */
  private child(frame: Frame, site = frame.site): Frame {
    const counters = site.prefix === frame.site.prefix ? frame.counters : new Map<string, number>();
    return { scope: new Scope(frame.scope), site, counters, top: false, reporter: undefined };
  }

  private runRepeat(s: A.RepeatStatement, x: Tensor, frame: Frame): Tensor {
    const v = s.count ? this.evalQuiet(s.count, frame, x) : UNKNOWN;
    let n: number | undefined;
    if (v.t === "num" && v.v.d === 1 && v.v.n >= 0) n = v.v.n;
    else if (v.t !== "unknown") this.report(s.count ?? s, v.t === "num" ? "not-whole-number" : "wrong-type", `repeat needs a whole number of at least 0, but it is ${describeValue(v)}`, frame);
    if (this.checking) return this.runBody(s.body, x, this.child(frame));
    if (n === undefined) {
      this.release(x);
      return this.unknownTensor();
    }
    const run = this.run_;
    const base = s.label?.name ?? "";
    let lastIn: Shape | null | undefined;
    let lastOut: Shape | null | undefined;
    let last = { params: 0, nonLearnable: 0, macs: 0, auxParams: 0, auxMacs: 0, layers: 0, steps: 0 };
    for (let i = 0; i < n; i++) {
      const fixed = i > 0 && lastIn !== undefined && sameOrBothUnknown(lastIn, lastOut!);
      // Every pass costs at least one unit, so a huge repeat of a body without layers is multiplied out too.
      if (fixed && (this.expanded + (n - i) * Math.max(1, last.layers) > MAX_LAYER_INSTANCES - 1 || this.steps + (n - i) * last.steps > MAX_STATEMENT_RUNS)) {
        // Every further pass gets the same input as the last one, so it adds the same counts: multiply them out.
        const times = n - i;
        run.params = plus(run.params, mulCount(last.params, times));
        run.nonLearnable = plus(run.nonLearnable, mulCount(last.nonLearnable, times));
        run.macs = plus(run.macs, mulCount(last.macs, times));
        run.auxParams = plus(run.auxParams, mulCount(last.auxParams, times));
        run.auxMacs = plus(run.auxMacs, mulCount(last.auxMacs, times));
        run.truncated = true;
        this.lastMultiplied = n;
        if (x.field) x.field = null;
        break;
      }
      const before = { params: run.params, nonLearnable: run.nonLearnable, macs: run.macs, auxParams: run.auxParams, auxMacs: run.auxMacs, layers: run.layers.length, steps: this.steps };
      lastIn = x.shape;
      const prefix = base ? (frame.site.prefix ? `${frame.site.prefix}.${base}.${i}` : `${base}.${i}`) : frame.site.prefix;
      x = this.runBody(s.body, x, this.child(frame, prefix === frame.site.prefix ? frame.site : new Site(frame.site, null, prefix, frame.site.aux)));
      lastOut = x.shape;
      last = {
        params: run.params - before.params,
        nonLearnable: run.nonLearnable - before.nonLearnable,
        macs: run.macs - before.macs,
        auxParams: run.auxParams - before.auxParams,
        auxMacs: run.auxMacs - before.auxMacs,
        layers: run.layers.length - before.layers,
        steps: this.steps - before.steps,
      };
      if (this.expansionReported) break;
    }
    return x;
  }

  private runResidual(s: A.ResidualStatement, x: Tensor, frame: Frame): Tensor {
    this.retain(x, 2);
    const main = this.runBody(s.main, x, this.child(frame));
    const short = s.shortcut ? this.runBody(s.shortcut, x, this.child(frame)) : x;
    let shape: Shape | null = null;
    if (main.shape && short.shape) {
      if (shapesEqual(main.shape, short.shape)) shape = main.shape;
      else {
        const related: RelatedInfo[] = [{ start: s.mainEnd - 1, end: s.mainEnd, message: `the main path gives ${fmt(main.shape)}` }];
        if (s.shortcut && s.shortcutSpan) related.push({ start: s.shortcutSpan.start, end: s.end, message: `the shortcut gives ${fmt(short.shape)}` });
        const which = s.shortcut ? "the shortcut gives" : "the shortcut (identity) passes";
        this.report({ start: s.start, end: s.headerEnd }, "residual-mismatch", `residual: main gives ${fmt(main.shape)} but ${which} ${fmt(short.shape)}`, frame, "error", related);
      }
    }
    return this.join(shape, [main, short], x, frame);
  }

  /** Allocates a join's output while its inputs and the statement's input are live, then frees them. */
  private join(shape: Shape | null, parts: Tensor[], x: Tensor, frame: Frame): Tensor {
    const field = shape ? joinFields(parts.map((p) => p.field)) : null;
    const out = this.alloc(shape, field, frame);
    for (const p of parts) this.release(p);
    this.release(x);
    return out;
  }

  private runBranches(s: A.BranchesStatement, x: Tensor, frame: Frame): Tensor {
    this.retain(x, s.branches.length);
    const outs = s.branches.map((b) => this.runBody(b.body, x, this.child(frame)));
    const shapes = outs.map((o) => o.shape);
    let shape: Shape | null = null;
    if (outs.length === 0) {
      this.report({ start: s.start, end: s.headerEnd }, s.kind === "add" ? "add-mismatch" : "concat-mismatch", `${s.kind} needs at least one branch`, frame);
    } else if (shapes.every((sh): sh is Shape => sh !== null)) {
      if (s.kind === "add") {
        if (shapes.every((sh) => shapesEqual(sh, shapes[0]))) shape = shapes[0];
        else this.reportBranches(s, shapes, "add-mismatch", "add: branch shapes differ: ", frame);
      } else {
        const rank = shapes[0].length;
        if (shapes.some((sh) => sh.length !== rank)) {
          this.reportBranches(s, shapes, "concat-mismatch", "concat: branches differ in rank: ", frame);
        } else if (rank > 1 && shapes.some((sh) => !sameSizes(sh, shapes[0]))) {
          this.reportBranches(s, shapes, "concat-mismatch", "concat: spatial sizes must match, but ", frame);
        } else {
          let c = 0;
          for (const sh of shapes) c = plus(c, sh[0]);
          shape = shapes[0].slice();
          shape[0] = c;
        }
      }
    }
    return this.join(shape, outs, x, frame);
  }

  /** Reports branches that do not join: `what`, then what each branch gives, each branch also as related information. */
  private reportBranches(s: A.BranchesStatement, shapes: Shape[], code: Code, what: string, frame: Frame): void {
    const related = s.branches.map((b, i) => ({ start: b.span.start, end: b.span.end, message: `branch ${i + 1} gives ${fmt(shapes[i])}` }));
    const list = shapes.map((sh, i) => `branch ${i + 1} gives ${fmt(sh)}`).join(", ");
    this.report({ start: s.start, end: s.headerEnd }, code, `${what}${list}`, frame, "error", related);
  }

  private runScale(s: A.BodyStatement, x: Tensor, frame: Frame): Tensor {
    this.retain(x);
    const y = this.runBody(s.body, x, this.child(frame));
    let shape: Shape | null = null;
    if (x.shape && y.shape) {
      const xs = x.shape;
      const ys = y.shape;
      if (ys.length === xs.length && ys.every((v, i) => v === 1 || v === xs[i])) shape = xs;
      else this.report({ start: s.start, end: s.headerEnd }, "scale-mismatch", `scale: the body gives ${fmt(ys)}, which does not broadcast to the input ${fmt(xs)} (each size must be 1 or equal)`, frame);
    }
    const out = this.alloc(shape, shape ? x.field : null, frame);
    this.release(y);
    this.release(x);
    return out;
  }

  private runAux(s: A.BodyStatement, x: Tensor, frame: Frame): Tensor {
    this.retain(x);
    const y = this.runBody(s.body, x, this.child(frame, frame.site.aux ? frame.site : new Site(frame.site, null, frame.site.prefix, true)));
    this.release(y);
    return x;
  }

  private runIf(s: A.IfStatement, x: Tensor, frame: Frame): Tensor {
    if (this.checking) {
      for (const c of s.clauses) {
        if (c.cond) this.evalQuiet(c.cond, frame, x);
        this.retain(x);
        this.release(this.runBody(c.body, x, this.child(frame)));
      }
      return x;
    }
    for (const c of s.clauses) {
      if (c.cond) {
        const v = this.evalQuiet(c.cond, frame, x);
        if (v.t === "unknown") {
          this.release(x);
          return this.unknownTensor();
        }
        if (v.t !== "bool") {
          this.report(c.cond, v.t === "word" ? "unknown-name" : "wrong-type", v.t === "word" ? `unknown name ${describeValue(v)}: not a parameter or 'let' value in scope` : `a condition must be true or false, but it is ${describeValue(v)}`, frame);
          this.release(x);
          return this.unknownTensor();
        }
        if (!v.v) continue;
      }
      return this.runBody(c.body, x, this.child(frame));
    }
    return x;
  }
}

/** True when two shapes of one rank have the same spatial sizes (channels aside). */
function sameSizes(a: Shape, b: Shape): boolean {
  for (let i = 1; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameOrBothUnknown(a: Shape | null, b: Shape | null): boolean {
  if (a === null || b === null) return a === b;
  return shapesEqual(a, b);
}

function mulCount(a: number, times: number): number {
  const p = a * times;
  if (!Number.isSafeInteger(p)) throw new R.OverflowError("a count");
  return p;
}

/** A metric's value for messages: bytes for memory and activations, counts otherwise. */
export function formatMetric(metric: Metric, value: number): string {
  if (metric === "memory" || metric === "activations") return `${formatExact(value)} bytes`;
  return formatExact(value);
}

