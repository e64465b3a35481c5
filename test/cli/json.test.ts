/**
 * `cnn-lens summary --json`: one document with every file's diagnostics and
 * models, each layer instance in execution order. Values are checked exactly.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { cli, fixture } from "./run-cli";

function json(args: string[]) {
  const r = cli(["summary", "--json", ...args]);
  return { ...r, doc: JSON.parse(r.stdout) };
}

test("--json: the model's totals and budgets", () => {
  const { status, stderr, doc } = json([fixture("small.cnn")]);
  assert.equal(status, 0);
  assert.equal(stderr, "");
  assert.equal(doc.files.length, 1);
  const file = doc.files[0];
  assert.equal(file.path, "test/cli/fixtures/small.cnn");
  assert.deepEqual(file.diagnostics, []);
  const { layers, ...model } = file.models[0];
  assert.deepEqual(model, {
    name: "Small",
    line: 2,
    input: [3, 32, 32],
    output: [10],
    params: 224650,
    nonLearnable: 256,
    macs: 115016960,
    flops: 230033920,
    auxParams: 0,
    auxMacs: 0,
    weightBytes: 898600,
    peakActivationBytes: 1048576,
    dtype: "fp32",
    batch: 1,
    hasErrors: false,
    budgets: [
      { metric: "params", limit: 300000, strict: false, value: 224650, ok: true, line: 4 },
      { metric: "macs", limit: 200000000, strict: false, value: 115016960, ok: true, line: 5 },
    ],
    layersTruncated: false,
  });
  assert.equal(layers.length, 10);
});

test("--json: every layer instance in execution order, blocks and residuals expanded", () => {
  const layers = json([fixture("small.cnn")]).doc.files[0].models[0].layers;
  const row = (l: Record<string, unknown>) => [l.label, l.kind, l.line, l.input, l.output, l.params, l.macs];
  assert.deepEqual(layers.map(row), [
    ["stem1.conv1", "conv", 21, [3, 32, 32], [64, 32, 32], 1792, 1769472],
    ["stem1.relu1", "relu", 22, [64, 32, 32], [64, 32, 32], 0, 0],
    ["conv1", "conv", 8, [64, 32, 32], [128, 32, 32], 73856, 75497472],
    ["bn", "batchnorm", 9, [128, 32, 32], [128, 32, 32], 256, 0],
    ["maxpool1", "maxpool", 10, [128, 32, 32], [128, 16, 16], 0, 0],
    ["conv2", "conv", 12, [128, 16, 16], [128, 16, 16], 147456, 37748736],
    ["relu1", "relu", 13, [128, 16, 16], [128, 16, 16], 0, 0],
    ["globalavgpool1", "globalavgpool", 15, [128, 16, 16], [128, 1, 1], 0, 0],
    ["flatten1", "flatten", 16, [128, 1, 1], [128], 0, 0],
    ["fc", "dense", 17, [128], [10], 1290, 1280],
  ]);
  assert.equal(layers[3].nonLearnable, 256);
  // Receptive field: 3, then 5 after the second 3x3; the 2x2 pool adds 1 and doubles the step; the next 3x3 adds 2 steps of 2.
  assert.deepEqual(
    layers.slice(0, 7).map((l: { receptiveField: number[]; effectiveStride: number[] }) => [l.receptiveField, l.effectiveStride]),
    [
      [[3, 3], [1, 1]],
      [[3, 3], [1, 1]],
      [[5, 5], [1, 1]],
      [[5, 5], [1, 1]],
      [[6, 6], [2, 2]],
      [[10, 10], [2, 2]],
      [[10, 10], [2, 2]],
    ],
  );
  assert.ok(layers.every((l: { aux: boolean }) => l.aux === false));
});

test("--json: aux-head layers are listed with aux: true; their MACs stay out of the model's", () => {
  const model = json([fixture("aux-head.cnn")]).doc.files[0].models[0];
  assert.deepEqual(
    model.layers.map((l: { label: string; aux: boolean; macs: number }) => [l.label, l.aux, l.macs]),
    [
      ["conv1", false, 36864],
      ["globalavgpool1", true, 0],
      ["flatten1", true, 0],
      ["dense1", true, 32],
      ["flatten2", false, 0],
      ["dense2", false, 1024],
    ],
  );
  assert.deepEqual([model.params, model.auxParams, model.macs, model.auxMacs, model.flops], [1646, 36, 37888, 32, 75776]);
});

test("--json: a typo in a layer name is one error at its line and column, and the rest of the model still has shapes", () => {
  const { status, stderr, doc } = json([fixture("typo.cnn")]);
  assert.equal(status, 1);
  assert.equal(stderr, "");
  const file = doc.files[0];
  assert.deepEqual(file.diagnostics, [
    { severity: "error", line: 5, column: 3, endLine: 5, endColumn: 8, code: "unknown-layer", message: "unknown layer 'reluu'; did you mean 'relu'?" },
  ]);
  const model = file.models[0];
  assert.equal(model.hasErrors, true);
  assert.deepEqual(model.output, [10]);
  assert.deepEqual(
    model.layers.map((l: { label: string; line: number; output: number[]; params: number }) => [l.label, l.line, l.output, l.params]),
    [
      ["conv1", 4, [16, 32, 32], 448],
      ["conv2", 6, [32, 16, 16], 4640],
      ["flatten1", 7, [8192], 0],
      ["dense1", 8, [10], 81930],
    ],
  );
});

test("--json: a broken budget has ok: false, and the warnings carry their related places", () => {
  const { status, doc } = json([fixture("over-budget.cnn")]);
  assert.equal(status, 1);
  const file = doc.files[0];
  assert.deepEqual(file.models[0].budgets, [
    { metric: "params", limit: 1000, strict: false, value: 1792, ok: false, line: 4 },
    { metric: "memory", limit: 1000000, strict: false, value: 7168, ok: true, line: 5 },
  ]);
  assert.deepEqual(file.diagnostics[0], {
    severity: "warning",
    line: 4,
    column: 3,
    endLine: 4,
    endColumn: 22,
    code: "budget-exceeded",
    message: "params 1,792 exceeds the budget of 1,000 by 792 (79.2% over)",
    related: [{ line: 6, column: 3, endLine: 6, endColumn: 26, message: "the running total first passes the budget here" }],
  });
});

test("--json: several files in one document; an empty file has no models", () => {
  const { status, doc } = json([fixture("small.cnn"), fixture("empty.cnn")]);
  assert.equal(status, 0);
  assert.deepEqual(
    doc.files.map((f: { path: string; models: unknown[] }) => [f.path, f.models.length]),
    [
      ["test/cli/fixtures/small.cnn", 1],
      ["test/cli/fixtures/empty.cnn", 0],
    ],
  );
});

test("--json: a repeat too long to list gives fewer layers than run, and says so", () => {
  const model = json([fixture("long-repeat.cnn")]).doc.files[0].models[0];
  assert.deepEqual([model.layers.length, model.layersTruncated, model.params, model.macs], [2, true, 28800000, 409600000]);
});

test("check --json: diagnostics only", () => {
  const r = cli(["check", "--json", fixture("typo.cnn")]);
  assert.equal(r.status, 1);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(doc.files[0]), ["path", "diagnostics"]);
  assert.equal(doc.files[0].diagnostics.length, 1);
});

test("--json: a file that cannot be read is left out, reported on stderr, and the status is 2", () => {
  const r = cli(["summary", "--json", fixture("small.cnn"), fixture("missing.cnn")]);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, "cnn-lens: test/cli/fixtures/missing.cnn: no such file\n");
  assert.deepEqual(
    JSON.parse(r.stdout).files.map((f: { path: string }) => f.path),
    ["test/cli/fixtures/small.cnn"],
  );
});
