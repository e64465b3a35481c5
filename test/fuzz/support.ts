/**
 * What every fuzz test shares: the seed and run counts (from the environment,
 * so a failure can be replayed and a long local run asked for), and the checks
 * that hold for *any* text given to `analyze` — it returns, in bounded time,
 * with diagnostics inside the document, in plain words, with known codes.
 *
 *   CNN_LENS_FUZZ_SEED=123 node --test out/test/fuzz/     replay a run
 *   CNN_LENS_FUZZ_RUNS=20000 node --test out/test/fuzz/   a long local run
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { analyze, Analysis, CODES, KEYWORDS, LAYER_NAMES } from "../../server/src/core";

/** The repository root (tests run from out/test/fuzz/). */
export const ROOT = path.resolve(__dirname, "../../..");

/** The seed of this run: CNN_LENS_FUZZ_SEED, or a fresh one that every test prints. */
export const SEED: number = (() => {
  const env = process.env.CNN_LENS_FUZZ_SEED;
  if (env !== undefined && env !== "") {
    const n = Number(env);
    if (!Number.isSafeInteger(n)) throw new Error(`CNN_LENS_FUZZ_SEED must be an integer, but it is '${env}'`);
    return n | 0;
  }
  return (Date.now() ^ (process.pid << 16)) | 0;
})();

/** How many inputs a property tries: CNN_LENS_FUZZ_RUNS when set, else the suite's own volume. */
export function runs(defaultRuns: number): number {
  const env = Number(process.env.CNN_LENS_FUZZ_RUNS);
  return Number.isSafeInteger(env) && env > 0 ? env : defaultRuns;
}

/** fast-check's parameters for this run: the shared seed and the run count. */
export function params<T>(defaultRuns: number): fc.Parameters<T> {
  // A property that fails on a slow input would spend minutes shrinking it: after two
  // minutes fast-check stops and reports the failure it has (with the seed to replay).
  return { seed: SEED, numRuns: runs(defaultRuns), includeErrorInReport: true, interruptAfterTimeLimit: 120_000, markInterruptAsFailure: true };
}

/** How to replay this run, for test output. */
export const REPLAY = `seed ${SEED} (replay with CNN_LENS_FUZZ_SEED=${SEED})`;

/**
 * The longest one analysis of a fuzz input may take. Inputs are at most a few
 * kilobytes and a typical one takes a few milliseconds, so a second means a
 * hang or a blow-up, not a slow machine...
 */
export const TIME_LIMIT_MS = 1000;
/**
 * ...unless the text expands to many statement runs: a few characters
 * (`repeat 65536 {`) can ask for up to the evaluator's limits (300,000 layer
 * instances, 1,000,000 statement runs), which cost about a second on a 2-core
 * machine by design. Inputs that made more than EXPANDED_RUNS statement runs
 * get EXPANDED_TIME_LIMIT_MS.
 */
export const EXPANDED_TIME_LIMIT_MS = 5000;
export const EXPANDED_RUNS = 20_000;

/** Statement runs (occurrences) the analysis made: its work, beyond parsing. */
export function statementRuns(a: Analysis): number {
  return a.occurrences.count;
}

/** The 15 reference networks, by file name. */
export function examples(): { name: string; text: string }[] {
  const dir = path.join(ROOT, "examples");
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".cnn"))
    .sort()
    .map((name) => ({ name, text: fs.readFileSync(path.join(dir, name), "utf8") }));
}

/** Tokens worth inserting: the language's own words and punctuation, extreme numbers, and characters it does not know. */
export const VOCABULARY: readonly string[] = [
  ...KEYWORDS,
  ...[...LAYER_NAMES].slice(0, 20),
  "conv", "dense", "repeat", "residual", "shortcut", "branch", "block", "model", "if", "else", "let",
  "{", "}", "(", ")", ",", "=", ":", ";", "\n", "\r\n", "\r", " ", "\t",
  "0", "1", "-1", "3x3", "0x3", "1x1x1x1x1", "1.5G", "20MB", "512KiB", "0.5", "99999999999999999999", "9007199254740993", "1e9",
  "+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "not", "and", "or",
  "in_channels", "same", "valid", "true", "false", "min(", "max(1,", "round(", "x", "stride=", "padding=", "groups=",
  "#", "# comment\n", '"', "'", "@", "$", "\\", "é", "\u00a0", "\ufeff", "\u2028", "\u0000", "\ud800", "😀", "ｘ",
];

/** Counts inputs and the slowest analyses of a category, for the report. */
export class Tally {
  count = 0;
  worstMs = 0;
  worstInput = "";
  /** Inputs that expanded to more than EXPANDED_RUNS statement runs, and the slowest of them. */
  expandedCount = 0;
  expandedWorstMs = 0;
  constructor(readonly category: string) {}

  note(ms: number, text: string, expanded = false): void {
    this.count++;
    if (expanded) {
      this.expandedCount++;
      this.expandedWorstMs = Math.max(this.expandedWorstMs, ms);
    } else if (ms > this.worstMs) {
      this.worstMs = ms;
      this.worstInput = text;
    }
  }

  summary(): string {
    const expanded = this.expandedCount ? `; ${this.expandedCount} expanded to over ${EXPANDED_RUNS} statement runs, slowest ${this.expandedWorstMs.toFixed(0)} ms` : "";
    return `${this.category}: ${this.count} inputs, slowest analysis ${this.worstMs.toFixed(1)} ms (${this.worstInput.length} chars)${expanded}; ${REPLAY}`;
  }
}

const KNOWN_CODES = new Set(Object.keys(CODES));

/** A short, printable excerpt of an input for failure messages. */
export function show(text: string, max = 600): string {
  const s = text.length > max ? text.slice(0, max) + `… (${text.length} chars in all)` : text;
  return JSON.stringify(s);
}

/**
 * Analyses `text` and checks what must hold for any input whatsoever: no
 * exception, an answer within TIME_LIMIT_MS, every diagnostic (and related
 * location) inside the document with a known code, a severity and a
 * non-empty message, no internal error, and every count that is reported a
 * non-negative safe integer (never a rounded or negative number).
 */
export function analyzeRobustly(text: string, tally?: Tally, context = ""): Analysis {
  const where = () => `${context ? context + ": " : ""}input ${show(text)}; ${REPLAY}`;
  const t0 = performance.now();
  let analysis: Analysis;
  try {
    analysis = analyze(text);
  } catch (e) {
    assert.fail(`analyze threw ${(e as Error)?.stack ?? e}\n${where()}`);
  }
  const ms = performance.now() - t0;
  const expanded = statementRuns(analysis) > EXPANDED_RUNS || analysis.diagnostics.some((d) => d.code === "expansion-too-large");
  const limit = expanded ? EXPANDED_TIME_LIMIT_MS : TIME_LIMIT_MS;
  tally?.note(ms, text, expanded);
  assert.ok(ms < limit, `analyze took ${ms.toFixed(0)} ms (limit ${limit} ms${expanded ? ", for a text that expands to many statement runs" : ""})\n${where()}`);
  assert.equal(analysis.text, text);
  for (const d of analysis.diagnostics) {
    const what = () => `diagnostic ${JSON.stringify(d)}\n${where()}`;
    assert.ok(Number.isInteger(d.start) && Number.isInteger(d.end), `offsets must be integers: ${what()}`);
    assert.ok(0 <= d.start && d.start <= d.end && d.end <= text.length, `range outside the document (length ${text.length}): ${what()}`);
    assert.ok(KNOWN_CODES.has(d.code), `unknown code: ${what()}`);
    assert.notEqual(d.code, "internal-error", `an internal error: ${what()}`);
    assert.ok(d.severity === "error" || d.severity === "warning" || d.severity === "info", `bad severity: ${what()}`);
    assert.ok(typeof d.message === "string" && d.message.trim().length > 0, `empty message: ${what()}`);
    assert.ok(!/undefined|NaN|\[object /.test(d.message), `a message that leaks a programming value: ${what()}`);
    for (const r of d.related ?? []) {
      assert.ok(0 <= r.start && r.start <= r.end && r.end <= text.length, `related range outside the document: ${JSON.stringify(r)} of ${what()}`);
      assert.ok(r.message.trim().length > 0, `empty related message: ${what()}`);
    }
  }
  for (const m of analysis.models) {
    for (const [key, value] of Object.entries({ params: m.params, nonLearnable: m.nonLearnable, macs: m.macs, auxParams: m.auxParams, auxMacs: m.auxMacs })) {
      assert.ok(Number.isSafeInteger(value) && value >= 0, `model ${m.name}: ${key} = ${value} is not a non-negative safe integer\n${where()}`);
    }
    assert.ok(Number.isFinite(m.peakActivationBytes) && m.peakActivationBytes >= 0, `model ${m.name}: peak activation ${m.peakActivationBytes}\n${where()}`);
    for (const l of m.layers) {
      for (const [key, value] of Object.entries({ params: l.params, nonLearnable: l.nonLearnable, macs: l.macs })) {
        assert.ok(Number.isSafeInteger(value) && value >= 0, `layer ${l.label}: ${key} = ${value}\n${where()}`);
      }
      if (l.output) assert.ok(l.output.every((n) => Number.isSafeInteger(n) && n >= 1), `layer ${l.label}: output ${JSON.stringify(l.output)} is not all positive integers\n${where()}`);
    }
  }
  return analysis;
}
