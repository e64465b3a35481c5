/**
 * `cnn-lens summary`: the table of a small model whose numbers are worked out
 * by hand in test/cli/fixtures/small.cnn, `--depth`, totals, budgets, aux heads.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { cells, cli, fixture, ROOT, tableRows, total } from "./run-cli";

// Small: stem conv 3->64 (1,792), conv 64->128 (73,856), batchnorm (256 + 256 running statistics),
// residual conv 128->128 without bias (147,456), dense 128->10 (1,290).
// MACs: 32*32*64*27 = 1,769,472; 32*32*128*576 = 75,497,472; 16*16*128*1152 = 37,748,736; 1,280.
const SMALL_ROWS = [
  ["input 3x32x32", "3×32×32", "0", "0"],
  ["stem(64)", "64×32×32", "1,792", "1,769,472", "0.8%", "1.5%"],
  ["conv 128, 3x3, padding=1", "128×32×32", "73,856", "75,497,472", "32.9%", "65.6%"],
  ["bn: batchnorm", "128×32×32", "256", "0", "0.11%"],
  ["maxpool 2", "128×16×16", "0", "0"],
  ["residual", "128×16×16", "147,456", "37,748,736", "65.6%", "32.8%"],
  ["globalavgpool", "128×1×1", "0", "0"],
  ["flatten", "128", "0", "0"],
  ["fc: dense 10", "10", "1,290", "1,280", "0.57%", "0.0011%"],
];

test("summary: one row per model-level statement, with hand-checked shapes, parameters, MACs and shares", () => {
  const r = cli(["summary", fixture("small.cnn")]);
  assert.equal(r.stderr, "");
  assert.equal(r.status, 0);
  assert.equal(r.stdout.split("\n")[0], "Model: Small (test/cli/fixtures/small.cnn:2)");
  assert.deepEqual(cells(r.stdout.split("\n")[2]), ["Statement", "Output shape", "Params", "MACs", "Params %", "MACs %"]);
  assert.deepEqual(tableRows(r.stdout).map(cells), SMALL_ROWS);
});

test("summary: totals say what they count, exact and short", () => {
  const r = cli(["summary", fixture("small.cnn")]);
  assert.equal(total(r.stdout, "Input"), "3×32×32");
  assert.equal(total(r.stdout, "Output"), "10");
  assert.equal(total(r.stdout, "Parameters (learnable)"), "224,650 (224.7K)");
  assert.equal(total(r.stdout, "Non-learnable parameters"), "256, BatchNorm running statistics");
  assert.equal(total(r.stdout, "Weight memory (fp32)"), "898,600 bytes (898.6 KB)");
  assert.equal(total(r.stdout, "MACs (per sample)"), "115,016,960 (115.02 MMACs)");
  assert.equal(total(r.stdout, "FLOPs (2 × MACs)"), "230,033,920 (230.03 MFLOPs)");
  // Peak: the batchnorm's input and output, 2 × 128×32×32 values of 4 bytes.
  assert.equal(total(r.stdout, "Peak activations"), "1,048,576 bytes (1 MB) at batch 1, fp32");
});

test("summary: each budget with its value and margin", () => {
  const r = cli(["summary", fixture("small.cnn")]);
  const lines = r.stdout.split("\n");
  const at = lines.indexOf("Budgets:");
  assert.ok(at > 0, r.stdout);
  assert.deepEqual(
    lines.slice(at + 1, at + 3).map((l) => cells(l.trim())),
    [
      ["params <= 300K", "ok", "224,650 (224.7K), margin 75,350 (25.1%)"],
      ["macs <= 200M", "ok", "115,016,960 (115.02 MMACs), margin 84,983,040 (42.5%)"],
    ],
  );
});

test("summary --depth 2: the statements inside calls and residuals, indented", () => {
  const r = cli(["summary", "--depth", "2", fixture("small.cnn")]);
  assert.equal(r.status, 0);
  const rows = tableRows(r.stdout).map(cells);
  assert.deepEqual(
    rows.map((c) => c[0]),
    [
      "input 3x32x32",
      "stem(64)",
      "  conv c, 3x3, padding=1",
      "  relu",
      "conv 128, 3x3, padding=1",
      "bn: batchnorm",
      "maxpool 2",
      "residual",
      "  conv 128, 3x3, padding=1, bias=false",
      "  relu",
      "globalavgpool",
      "flatten",
      "fc: dense 10",
    ],
  );
  assert.deepEqual(rows[2], ["  conv c, 3x3, padding=1", "64×32×32", "1,792", "1,769,472", "0.8%", "1.5%"]);
  assert.deepEqual(rows[8], ["  conv 128, 3x3, padding=1, bias=false", "128×16×16", "147,456", "37,748,736", "65.6%", "32.8%"]);
  // --depth=N is the same option.
  assert.equal(cli(["summary", "--depth=2", fixture("small.cnn")]).stdout, r.stdout);
});

test("summary --depth on a deeper file: repeats expand pass by pass, each branch gets a row", () => {
  const file = path.join(ROOT, "test/cli/fixtures/nested.cnn");
  const r = cli(["summary", "--depth", "3", file]);
  assert.equal(r.stderr, "");
  const rows = tableRows(r.stdout).map(cells);
  assert.deepEqual(
    rows.map((c) => [c[0], c[1], c[2]]),
    [
      ["input 8x16x16", "8×16×16", "0"],
      ["repeat 2", "8×16×16", "1,168"],
      ["  unit(8)", "8×16×16", "584"],
      ["    conv c, 3, padding=1", "8×16×16", "584"],
      ["    relu", "8×16×16", "0"],
      ["  unit(8)", "8×16×16", "584"],
      ["    conv c, 3, padding=1", "8×16×16", "584"],
      ["    relu", "8×16×16", "0"],
      ["concat", "12×16×16", "36"],
      ["  branch", "8×16×16", "0"],
      ["  branch", "4×16×16", "36"],
      ["    conv 4, 1", "4×16×16", "36"],
      ["globalavgpool", "12×1×1", "0"],
    ],
  );
});

test("summary --depth: the passes of a repeat too long to list are counted and said so", () => {
  const r = cli(["summary", "--depth", "2", fixture("long-repeat.cnn")]);
  assert.equal(r.status, 0, r.stderr);
  const rows = tableRows(r.stdout).map(cells);
  assert.deepEqual(rows, [
    ["input 8x4x4", "8×4×4", "0", "0"],
    ["repeat 400000", "8×4×4", "28,800,000", "409,600,000", "100%", "100%"],
    ["  conv 8, 1", "8×4×4", "72", "1,024", "0.00025%", "0.00025%"],
    ["  relu", "8×4×4", "0", "0"],
    ["  …", "399,999 more passes, counted without listing them"],
  ]);
  assert.equal(total(r.stdout, "Parameters (learnable)"), "28,800,000 (28.8M)");
  assert.match(r.stdout, /^Some repeat passes were counted without being listed one by one/m);
});

test("summary: an aux head's parameters are included, its MACs shown apart", () => {
  const r = cli(["summary", "--depth", "2", fixture("aux-head.cnn")]);
  assert.equal(r.status, 0);
  const rows = tableRows(r.stdout).map(cells);
  assert.deepEqual(rows[2], ["aux", "8×8×8", "36", "(32)", "2.2%"]);
  assert.deepEqual(rows[5], ["  dense 4", "4", "36", "(32)", "2.2%"]);
  assert.equal(total(r.stdout, "Parameters (learnable)"), "1,646 (1.6K)");
  assert.equal(total(r.stdout, "MACs (per sample)"), "37,888 (37.89 KMACs)");
  assert.equal(total(r.stdout, "Aux heads"), "36 parameters, included above; 32 MACs in training only, not in the MACs above");
});

test("summary: VGG16 totals match torchvision (138,357,544 parameters, 15.47 GMACs)", () => {
  const r = cli(["summary", fixture("vgg16.cnn")]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(total(r.stdout, "Parameters (learnable)"), "138,357,544 (138.4M)");
  assert.equal(total(r.stdout, "MACs (per sample)"), "15,470,264,320 (15.47 GMACs)");
  assert.equal(total(r.stdout, "FLOPs (2 × MACs)"), "30,940,528,640 (30.94 GFLOPs)");
  assert.equal(total(r.stdout, "Weight memory (fp32)"), "553,430,176 bytes (553.4 MB)");
});

test("summary: a broken budget is marked, with how far over, and exits 1", () => {
  const r = cli(["summary", fixture("over-budget.cnn")]);
  assert.equal(r.status, 1);
  const lines = r.stdout.split("\n");
  const at = lines.indexOf("Budgets:");
  assert.deepEqual(
    lines.slice(at + 1, at + 3).map((l) => cells(l.trim())),
    [
      ["params <= 1K", "BROKEN", "1,792 (1.8K), over by 792 (79.2%)"],
      ["memory <= 1MB", "ok", "7,168 bytes (7.2 KB), margin 992,832 bytes (99.3%)"],
    ],
  );
  // The diagnostics go to stderr, in the same form as `check`.
  assert.equal(
    r.stderr,
    "test/cli/fixtures/over-budget.cnn:4:3: warning: params 1,792 exceeds the budget of 1,000 by 792 (79.2% over) [budget-exceeded]\n" +
      "test/cli/fixtures/over-budget.cnn:6:3: warning: params budget of 1,000 first broken here: 1,792 so far [budget-exceeded]\n",
  );
});

test("summary: a file with an error prints its diagnostics on stderr, the table on stdout, and exits 1", () => {
  const r = cli(["summary", fixture("typo.cnn")]);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, "test/cli/fixtures/typo.cnn:5:3: error: unknown layer 'reluu'; did you mean 'relu'? [unknown-layer]\n");
  const rows = tableRows(r.stdout).map(cells);
  assert.deepEqual(rows.at(-1), ["dense 10", "10", "81,930", "81,920", "94.2%", "4.8%"]);
  assert.match(r.stdout, /^The model has errors: the totals cover only what could be analysed\.$/m);
});

test("summary: an empty file is clean and has no models", () => {
  const r = cli(["summary", fixture("empty.cnn")]);
  assert.deepEqual(r, { status: 0, stdout: "test/cli/fixtures/empty.cnn: no models\n", stderr: "" });
});

test("summary: several files, one after the other", () => {
  const r = cli(["summary", fixture("small.cnn"), fixture("aux-head.cnn")]);
  assert.equal(r.status, 0);
  assert.deepEqual(
    r.stdout.split("\n").filter((l) => l.startsWith("Model: ")),
    ["Model: Small (test/cli/fixtures/small.cnn:2)", "Model: WithAux (test/cli/fixtures/aux-head.cnn:2)"],
  );
});
