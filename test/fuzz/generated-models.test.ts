/**
 * Valid models from the grammar-aware generator (model-generator.ts): each
 * must analyse robustly (support.ts), without any error, to the output shape
 * the generator computed, with totals that add up:
 *
 * - every count a non-negative safe integer, every output size a positive integer;
 * - model params, non-learnable, MACs, aux params and aux MACs are the sums over
 *   its layers (inference MACs leave aux layers out), and over its own statements;
 * - running totals rise monotonically and end at the model's totals;
 * - weight bytes are params × dtype bytes; peak activation memory is at least the
 *   input's, and at least each (non-aux) layer's output, at dtype and batch;
 * - each budget's value is its metric's, `ok` says whether it holds, and a
 *   broken one is a warning (the only warnings there may be);
 * - the same file written in another layout gives exactly the same numbers.
 */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Analysis, ModelAnalysis } from "../../server/src/core";
import { analyzeRobustly, params, REPLAY, runs, show, Tally } from "./support";
import { GeneratedFile, ModelGenerator, render, rngFromGen, seededRng } from "./model-generator";

/** Files per run (CNN_LENS_FUZZ_RUNS overrides). */
export const RUNS = 400;

const elems = (s: number[]) => s.reduce((a, b) => a * b, 1);

function checkModel(a: Analysis, m: ModelAnalysis, file: GeneratedFile, fail: (msg: string) => never): void {
  const expected = file.expected.get(m.name);
  if (!expected) fail(`the analysis has a model ${m.name} the generator did not write`);
  assert.deepEqual(m.input, expected.input, `${m.name}: input`);
  assert.deepEqual(m.output, expected.output, `${m.name}: output shape (the generator's own rules say ${expected.output.join("x")})`);
  assert.equal(m.hasErrors, false, `${m.name}: hasErrors`);
  assert.equal(m.layersTruncated, expected.hugeRepeat && m.layersTruncated, `${m.name}: layers truncated without a huge repeat`);

  const safe = (what: string, v: number) => {
    if (!(Number.isSafeInteger(v) && v >= 0)) fail(`${m.name}: ${what} = ${v} is not a non-negative safe integer`);
  };
  for (const l of m.layers) {
    safe(`${l.label} params`, l.params);
    safe(`${l.label} nonLearnable`, l.nonLearnable);
    safe(`${l.label} macs`, l.macs);
    if (!l.output || !l.output.every((n) => Number.isSafeInteger(n) && n >= 1)) fail(`${m.name}: layer ${l.label} has output ${JSON.stringify(l.output)}`);
    if (!l.input) fail(`${m.name}: layer ${l.label} has no input shape`);
  }

  // The model's totals are the sums over its layers (when every pass was expanded)...
  if (!m.layersTruncated) {
    const sum = (f: (l: (typeof m.layers)[number]) => number, filter = (_: (typeof m.layers)[number]) => true) => m.layers.filter(filter).reduce((a, l) => a + f(l), 0);
    assert.equal(m.params, sum((l) => l.params), `${m.name}: params = sum of layer params`);
    assert.equal(m.nonLearnable, sum((l) => l.nonLearnable), `${m.name}: nonLearnable = sum over layers`);
    assert.equal(m.macs, sum((l) => l.macs, (l) => !l.aux), `${m.name}: macs = sum of non-aux layer MACs`);
    assert.equal(m.auxParams, sum((l) => l.params, (l) => l.aux), `${m.name}: auxParams = sum of aux layer params`);
    assert.equal(m.auxMacs, sum((l) => l.macs, (l) => l.aux), `${m.name}: auxMacs = sum of aux layer MACs`);
  }
  // ...and over its own statements, whose running totals rise to them.
  let params = 0;
  let macs = 0;
  let nonLearnable = 0;
  let auxMacs = 0;
  for (const occ of a.occurrences.topLevel(m)) {
    const stmt = occ.stmt;
    params += occ.params;
    macs += occ.macs;
    nonLearnable += occ.nonLearnable;
    auxMacs += occ.auxMacs;
    assert.equal(occ.runningParams, params, `${m.name}: running params after the statement at offset ${stmt.start}`);
    assert.equal(occ.runningMacs, macs, `${m.name}: running MACs after the statement at offset ${stmt.start}`);
    assert.ok(occ.params >= 0 && occ.macs >= 0, `${m.name}: a statement with negative counts`);
  }
  assert.equal(params, m.params, `${m.name}: params = sum over the model's statements`);
  assert.equal(macs, m.macs, `${m.name}: macs = sum over the model's statements`);
  assert.equal(nonLearnable, m.nonLearnable, `${m.name}: nonLearnable = sum over the model's statements`);
  assert.equal(auxMacs, m.auxMacs, `${m.name}: auxMacs = sum over the model's statements`);

  // Memory.
  assert.equal(m.weightBytes, m.params * m.dtypeBytes, `${m.name}: weight bytes = params × dtype bytes`);
  const factor = m.dtypeBytes * m.batch;
  assert.ok(m.peakActivationBytes >= elems(expected.input) * factor, `${m.name}: peak ${m.peakActivationBytes} below the input's ${elems(expected.input) * factor}`);
  for (const l of m.layers) {
    if (!l.aux && l.output) assert.ok(m.peakActivationBytes >= elems(l.output) * factor, `${m.name}: peak ${m.peakActivationBytes} below the output of ${l.label} (${l.output.join("x")})`);
  }

  // Budgets.
  const metricValue: Record<string, number> = { params: m.params, memory: m.weightBytes, macs: m.macs, flops: 2 * m.macs, activations: m.peakActivationBytes };
  for (const b of m.budgets) {
    assert.equal(b.value, metricValue[b.metric], `${m.name}: budget ${b.metric} value`);
    assert.equal(b.ok, b.strict ? b.value < b.limit : b.value <= b.limit, `${m.name}: budget ${b.metric} ${b.strict ? "<" : "<="} ${b.limit} with value ${b.value}`);
  }
}

/** The numbers that must not depend on layout. */
function fingerprint(a: Analysis): unknown {
  return a.models.map((m) => ({
    name: m.name,
    output: m.output,
    params: m.params,
    nonLearnable: m.nonLearnable,
    macs: m.macs,
    auxParams: m.auxParams,
    auxMacs: m.auxMacs,
    weightBytes: m.weightBytes,
    peak: m.peakActivationBytes,
    layers: m.layers.map((l) => `${l.label} ${l.kind} ${l.output?.join("x")} ${l.params} ${l.macs}`),
    budgets: m.budgets.map((b) => `${b.metric} ${b.value} ${b.ok}`),
    diagnostics: a.diagnostics.map((d) => `${d.severity} ${d.code}`).sort(),
  }));
}

describe("generated valid models", () => {
  const tally = new Tally("generated models");
  const styled = new Tally("generated models, restyled");
  let models = 0;
  let huge = 0;

  it(`${runs(RUNS)} files: no errors, the generator's shapes, totals that add up, layout does not matter`, () => {
    fc.assert(
      fc.property(fc.gen(), fc.integer(), (g, styleSeed) => {
        const file = new ModelGenerator(rngFromGen(g)).file();
        const text = render(file);
        const fail = (msg: string): never => assert.fail(`${msg}\nfile:\n${text}\n${REPLAY}`);
        const a = analyzeRobustly(text, tally, "generated");
        const bad = a.diagnostics.filter((d) => d.severity === "error" || d.code !== "budget-exceeded");
        if (bad.length) fail(`unexpected diagnostics: ${JSON.stringify(bad.map((d) => ({ ...d, text: text.slice(d.start, d.end) })))}`);
        assert.equal(a.models.length, file.models.length);
        try {
          for (const m of a.models) checkModel(a, m, file, fail);
        } catch (e) {
          if (e instanceof assert.AssertionError) fail(e.message);
          throw e;
        }
        for (const m of a.models) {
          models++;
          if (m.layersTruncated) huge++;
          for (const b of m.budgets) {
            if (!b.ok) assert.ok(a.diagnostics.some((d) => d.code === "budget-exceeded" && d.start === b.stmt.start), `${m.name}: a broken budget without its warning\n${text}`);
          }
        }
        // The same file in another layout.
        const restyled = render(file, seededRng(styleSeed));
        const b = analyzeRobustly(restyled, styled, "restyled");
        assert.deepEqual(fingerprint(b), fingerprint(a), `the restyled file ${show(restyled, 4000)} analyses differently from\n${text}\n${REPLAY}`);
      }),
      params(RUNS),
    );
  });

  it("report", (t) => {
    t.diagnostic(`${tally.summary()}; ${models} models, ${huge} with a huge repeat multiplied out`);
    t.diagnostic(styled.summary());
  });
});
