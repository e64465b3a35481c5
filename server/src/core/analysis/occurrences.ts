/**
 * The record of every statement run in a file — each time the evaluation met a
 * statement, an occurrence: what it received, what it gave, what it added.
 *
 * A 100,000-line model makes 100,000 runs, so the record keeps one array per
 * field (columns) rather than one object per run: half the memory, and little
 * for the garbage collector to trace. `of(stmt)` makes a statement's
 * Occurrence objects when a feature asks for them.
 */
import * as A from "../syntax/ast";
import type { Shape } from "../layers/layer-table";
import type { ModelAnalysis } from "./evaluate";

/** One evaluation of a statement: what it received, what it gave, and what it added. */
export interface Occurrence {
  stmt: A.Statement;
  input: Shape | null;
  output: Shape | null;
  params: number;
  nonLearnable: number;
  /** Inference MACs (aux heads excluded). */
  macs: number;
  /** MACs of aux heads inside the statement. */
  auxMacs: number;
  /** Model totals right after this statement. */
  runningParams: number;
  runningMacs: number;
  /** Indices into the model's `layers` of the instances this statement made: [first, end). */
  firstLayer: number;
  endLayer: number;
  /** For a repeat whose passes were multiplied out rather than expanded: the number of passes. */
  multipliedPasses?: number;
  model: ModelAnalysis;
  /** The chain of block calls that led here, outermost first. */
  calls: A.CallStatement[];
}

/**
 * Numbers every statement of a file depth-first in text order (models and blocks by where they start), and lists the
 * numbers of each body's statements: the record files runs by number, which is quicker and smaller than a Map keyed
 * by statement.
 */
export function numberStatements(file: A.CnnFile): { statements: A.Statement[]; bodies: Map<A.Statement[], Int32Array> } {
  const statements: A.Statement[] = [];
  const bodies = new Map<A.Statement[], Int32Array>();
  const decls: (A.ModelDecl | A.BlockDecl)[] = [...file.models, ...file.blocks].sort((a, b) => a.start - b.start);
  // An explicit stack, so deep nesting cannot overflow the call stack.
  const stack: { body: A.Statement[]; numbers: Int32Array; i: number }[] = [];
  for (let d = decls.length - 1; d >= 0; d--) stack.push({ body: decls[d].body, numbers: new Int32Array(decls[d].body.length), i: 0 });
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.i === top.body.length) {
      bodies.set(top.body, top.numbers);
      stack.pop();
      continue;
    }
    const s = top.body[top.i];
    top.numbers[top.i++] = statements.length;
    statements.push(s);
    // Most statements are layers and calls, which hold no bodies: asking would make an empty list for each.
    if (s.kind === "layer" || s.kind === "call") continue;
    const inner = A.childBodies(s);
    for (let c = inner.length - 1; c >= 0; c--) stack.push({ body: inner[c], numbers: new Int32Array(inner[c].length), i: 0 });
  }
  return { statements, bodies };
}

/** A model's running totals as its evaluation goes: what a run added is their difference across it. */
export interface Totals {
  params: number;
  nonLearnable: number;
  macs: number;
  auxMacs: number;
  /** The layer instances made so far. */
  layers: readonly unknown[];
}

/** Every statement run of a file, in the order the runs started, and each statement's runs. */
export class Occurrences {
  private size = 0;
  private capacity: number;
  // Column by column, one entry per run. Counts and layer indices are in typed arrays: compact, and not traced by the garbage collector.
  // The columns that hold objects are JS arrays made at the columns' capacity, so that they do not grow run by run.
  /** Where each run was: its chain of block calls is made only when asked for. */
  private sites: { readonly calls: A.CallStatement[] }[];
  private input: (Shape | null)[];
  private output: (Shape | null)[];
  private params: Float64Array;
  private nonLearnable: Float64Array;
  private macs: Float64Array;
  private auxMacs: Float64Array;
  private runningParams: Float64Array;
  private runningMacs: Float64Array;
  /** The statement's number. */
  private number: Int32Array;
  private firstLayer: Int32Array;
  private endLayer: Int32Array;
  /** The run before it of the same statement, or -1: a statement's runs are a chain back from its last one. */
  private previous: Int32Array;
  /** By statement number: the statement's last run, or -1. */
  private readonly last: Int32Array;
  /** Few runs have this field (repeats multiplied out): it is kept apart, by run. */
  private readonly multipliedPasses = new Map<number, number>();
  /** The models in the order they ran, each with the index of its first run. */
  private readonly models: { model: ModelAnalysis; firstRun: number }[] = [];

  /** `statements` as numbered by numberStatements: in text order. */
  constructor(private readonly statements: readonly A.Statement[] = []) {
    this.last = new Int32Array(statements.length).fill(-1);
    // Most statements run once: room for that many runs is usually room enough.
    this.capacity = Math.max(16, statements.length);
    this.sites = new Array(this.capacity);
    this.input = new Array(this.capacity);
    this.output = new Array(this.capacity);
    this.params = new Float64Array(this.capacity);
    this.nonLearnable = new Float64Array(this.capacity);
    this.macs = new Float64Array(this.capacity);
    this.auxMacs = new Float64Array(this.capacity);
    this.runningParams = new Float64Array(this.capacity);
    this.runningMacs = new Float64Array(this.capacity);
    this.number = new Int32Array(this.capacity);
    this.firstLayer = new Int32Array(this.capacity);
    this.endLayer = new Int32Array(this.capacity);
    this.previous = new Int32Array(this.capacity);
  }

  /** How many statement runs there were in all. */
  get count(): number {
    return this.size;
  }

  /** Every run recorded from now on belongs to `model`. */
  startModel(model: ModelAnalysis): void {
    this.models.push({ model, firstRun: this.size });
  }

  /** Starts a run of the statement numbered `number` (in the model started last), given the totals before it; returns the run's index. */
  begin(number: number, site: { readonly calls: A.CallStatement[] }, input: Shape | null, before: Totals): number {
    if (this.size === this.capacity) this.grow();
    const run = this.size++;
    this.number[run] = number;
    this.sites[run] = site;
    this.input[run] = input;
    this.output[run] = null;
    // The totals before the run, until `end` turns them into what it added.
    this.params[run] = before.params;
    this.nonLearnable[run] = before.nonLearnable;
    this.macs[run] = before.macs;
    this.auxMacs[run] = before.auxMacs;
    this.firstLayer[run] = before.layers.length;
    this.previous[run] = this.last[number];
    this.last[number] = run;
    return run;
  }

  /** Ends run `run`: what it gave, and the totals after it. */
  end(run: number, output: Shape | null, after: Totals, multipliedPasses?: number): void {
    this.output[run] = output;
    this.params[run] = after.params - this.params[run];
    this.nonLearnable[run] = after.nonLearnable - this.nonLearnable[run];
    this.macs[run] = after.macs - this.macs[run];
    this.auxMacs[run] = after.auxMacs - this.auxMacs[run];
    this.runningParams[run] = after.params;
    this.runningMacs[run] = after.macs;
    this.endLayer[run] = after.layers.length;
    if (multipliedPasses !== undefined) this.multipliedPasses.set(run, multipliedPasses);
  }

  /** The runs of `s`, in execution order; none when no model reached it. */
  of(s: A.Statement): Occurrence[] {
    const runs: Occurrence[] = [];
    const number = this.numberOf(s);
    for (let run = number < 0 ? -1 : this.last[number]; run >= 0; run = this.previous[run]) runs.push(this.at(run));
    return runs.reverse();
  }

  /** The runs of the statements directly in `model`'s body, in order: each runs once (unless the expansion limit stopped the model before it). */
  topLevel(model: ModelAnalysis): Occurrence[] {
    return model.decl.body.flatMap((s) => this.of(s));
  }

  /** The run with index `run` (as `begin` returned it). */
  at(run: number): Occurrence {
    const o: Occurrence = {
      stmt: this.statements[this.number[run]],
      input: this.input[run],
      output: this.output[run],
      params: this.params[run],
      nonLearnable: this.nonLearnable[run],
      macs: this.macs[run],
      auxMacs: this.auxMacs[run],
      runningParams: this.runningParams[run],
      runningMacs: this.runningMacs[run],
      firstLayer: this.firstLayer[run],
      endLayer: this.endLayer[run],
      model: this.modelOf(run),
      calls: this.sites[run].calls,
    };
    const passes = this.multipliedPasses.get(run);
    if (passes !== undefined) o.multipliedPasses = passes;
    return o;
  }

  /** The number of `s`: the statements are in text order, so a binary search by start finds it. */
  private numberOf(s: A.Statement): number {
    const list = this.statements;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid].start < s.start) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < list.length && list[i].start === s.start; i++) if (list[i] === s) return i;
    // Only a syntax tree out of text order gets here; a plain search is still right.
    return list.indexOf(s);
  }

  private modelOf(run: number): ModelAnalysis {
    let i = this.models.length - 1;
    while (this.models[i].firstRun > run) i--;
    return this.models[i].model;
  }

  /** Gives back the room no run took, once the evaluation is done: repeats may have made the columns grow well past it. */
  trim(): void {
    if (this.capacity > this.size) this.resize(this.size);
  }

  /** Doubles the room of the typed columns. */
  private grow(): void {
    this.resize(Math.max(16, 2 * this.capacity));
  }

  private resize(n: number): void {
    this.capacity = n;
    this.sites = resizedArray(this.sites, n);
    this.input = resizedArray(this.input, n);
    this.output = resizedArray(this.output, n);
    this.params = resized(this.params, new Float64Array(n));
    this.nonLearnable = resized(this.nonLearnable, new Float64Array(n));
    this.macs = resized(this.macs, new Float64Array(n));
    this.auxMacs = resized(this.auxMacs, new Float64Array(n));
    this.runningParams = resized(this.runningParams, new Float64Array(n));
    this.runningMacs = resized(this.runningMacs, new Float64Array(n));
    this.number = resized(this.number, new Int32Array(n));
    this.firstLayer = resized(this.firstLayer, new Int32Array(n));
    this.endLayer = resized(this.endLayer, new Int32Array(n));
    this.previous = resized(this.previous, new Int32Array(n));
  }
}

/** An array of length `n` with `from`'s first values: shrinking cuts `from` itself (V8 trims its store in place), growing copies it into a new array. */
function resizedArray<T>(from: T[], n: number): T[] {
  if (n <= from.length) {
    from.length = n;
    return from;
  }
  const to = new Array<T>(n);
  for (let i = 0; i < from.length; i++) to[i] = from[i];
  return to;
}

/** `to`, holding as many of `from`'s first values as it has room for. */
function resized<T extends Float64Array | Int32Array>(from: T, to: T): T {
  to.set(from.length > to.length ? from.subarray(0, to.length) : from);
  return to;
}
