/**
 * Inlay hints through VS Code's own command (`vscode.executeInlayHintProvider`,
 * what the editor asks for the visible range): the output shape and the
 * parameter count at the end of each statement, budget use after each
 * budget, and the `cnnLens.inlayHints.*` settings taking effect.
 */
import * as assert from "node:assert/strict";
import { after, describe, it } from "mocha";
import * as vscode from "vscode";
import { inlayHints, openExample, poll, positionOf, revertAndCloseAll } from "./helpers";

/** Expected hints as `[statement, label]`: each hint sits right after its statement's text. */
type Expected = [statement: string, label: string][];

function expectedHints(doc: vscode.TextDocument, expected: Expected): string[] {
  return expected.map(([statement, label]) => {
    const end = positionOf(doc, statement, statement.length);
    return `${end.line}:${end.character} ${label}`;
  });
}

/** The range of the document's first `model { ... }` (the examples put the model before its blocks). */
function modelRange(doc: vscode.TextDocument): vscode.Range {
  return new vscode.Range(positionOf(doc, "model "), positionOf(doc, "\n}\n", 2));
}

const RESNET18: Expected = [
  ["budget params <= 12M", "11.7M of 12M (97.4%)"],
  ["budget macs <= 2G", "1.8G of 2G (90.7%)"],
  ["conv1: conv 64, 7x7, stride=2, padding=3, bias=false", "→ 64×112×112 · 9.4K"],
  ["bn1: batchnorm", "→ 64×112×112 · 128"],
  ["maxpool 3x3, stride=2, padding=1", "→ 64×56×56"],
  ["layer1: stage(64, 2, stride=1)", "→ 64×56×56 · 148K"],
  ["layer2: stage(128, 2, stride=2)", "→ 128×28×28 · 525.6K"],
  ["layer3: stage(256, 2, stride=2)", "→ 256×14×14 · 2.1M"],
  ["layer4: stage(512, 2, stride=2)", "→ 512×7×7 · 8.4M"],
  ["globalavgpool", "→ 512×1×1"],
  ["flatten", "→ 512"],
  ["fc: dense 1000", "→ 1000 · 513K"],
];

describe("inlay hints", () => {
  after(revertAndCloseAll);

  it("shows ResNet-18's shapes and parameter counts statement by statement", async () => {
    const doc = await openExample("resnet18.cnn");
    assert.deepEqual(await inlayHints(doc.uri, modelRange(doc)), expectedHints(doc, RESNET18));
  });

  it("shows Inception v3's modules, its auxiliary head and its budgets", async () => {
    const doc = await openExample("inception_v3.cnn");
    const expected: Expected = [
      ["budget params <= 28M", "27.2M of 28M (97%)"],
      ["budget macs <= 6G", "5.7G of 6G (95.2%)"],
      ["Conv2d_1a_3x3: basic_conv(32, 3, stride=2)", "→ 32×149×149 · 928"],
      ["Conv2d_2a_3x3: basic_conv(32, 3)", "→ 32×147×147 · 9.3K"],
      ["Conv2d_2b_3x3: basic_conv(64, 3, padding=1)", "→ 64×147×147 · 18.6K"],
      ["maxpool1: maxpool 3, stride=2", "→ 64×73×73"],
      ["Conv2d_3b_1x1: basic_conv(80, 1)", "→ 80×73×73 · 5.3K"],
      ["Conv2d_4a_3x3: basic_conv(192, 3)", "→ 192×71×71 · 138.6K"],
      ["maxpool2: maxpool 3, stride=2", "→ 192×35×35"],
      ["Mixed_5b: inception_a(pool_features=32)", "→ 256×35×35 · 255.9K"],
      ["Mixed_5c: inception_a(pool_features=64)", "→ 288×35×35 · 277.5K"],
      ["Mixed_5d: inception_a(pool_features=64)", "→ 288×35×35 · 285.2K"],
      ["Mixed_6a: inception_b()", "→ 768×17×17 · 1.2M"],
      ["Mixed_6b: inception_c(channels_7x7=128)", "→ 768×17×17 · 1.3M"],
      ["Mixed_6c: inception_c(channels_7x7=160)", "→ 768×17×17 · 1.7M"],
      ["Mixed_6d: inception_c(channels_7x7=160)", "→ 768×17×17 · 1.7M"],
      ["Mixed_6e: inception_c(channels_7x7=192)", "→ 768×17×17 · 2.1M"],
      ["aux {", "aux head · 3.3M"],
      ["AuxLogits: inception_aux()", "→ 1000 · 3.3M"],
      ["Mixed_7a: inception_d()", "→ 1280×8×8 · 1.7M"],
      ["Mixed_7b: inception_e()", "→ 2048×8×8 · 5M"],
      ["Mixed_7c: inception_e()", "→ 2048×8×8 · 6.1M"],
      ["avgpool: globalavgpool", "→ 2048×1×1"],
      ["flatten", "→ 2048"],
      ["fc: dense 1000", "→ 1000 · 2M"],
    ];
    assert.deepEqual(await inlayHints(doc.uri, modelRange(doc)), expectedHints(doc, expected));
  });

  it("answers only for the range asked (the visible lines)", async () => {
    const doc = await openExample("resnet18.cnn");
    const range = new vscode.Range(positionOf(doc, "layer2:"), positionOf(doc, "layer4:"));
    assert.deepEqual(await inlayHints(doc.uri, range), expectedHints(doc, RESNET18.slice(6, 8)));
  });

  describe("settings", () => {
    const config = () => vscode.workspace.getConfiguration("cnnLens");

    after(async () => {
      // Back to the defaults, and wait until the server (restarted by the change) says so.
      await config().update("inlayHints.macs", undefined, vscode.ConfigurationTarget.Global);
      await config().update("inlayHints.runningTotal", undefined, vscode.ConfigurationTarget.Global);
      const doc = await openExample("resnet18.cnn");
      const expected = expectedHints(doc, RESNET18);
      let last: string[] = [];
      await poll(
        async () => JSON.stringify((last = await inlayHints(doc.uri, modelRange(doc)))) === JSON.stringify(expected),
        "the default hints after resetting the settings",
        () => last.join("\n"),
      );
    });

    it("adds MACs and the running total when cnnLens.inlayHints.macs and .runningTotal are on", async () => {
      const doc = await openExample("resnet18.cnn");
      // Two changes in a row, as a person ticking two boxes in the Settings editor.
      await config().update("inlayHints.macs", true, vscode.ConfigurationTarget.Global);
      await config().update("inlayHints.runningTotal", true, vscode.ConfigurationTarget.Global);
      const expected = expectedHints(doc, [
        ["budget params <= 12M", "11.7M of 12M (97.4%)"],
        ["budget macs <= 2G", "1.8G of 2G (90.7%)"],
        ["conv1: conv 64, 7x7, stride=2, padding=3, bias=false", "→ 64×112×112 · 9.4K · 118M MACs · Σ 9.4K"],
        ["bn1: batchnorm", "→ 64×112×112 · 128 · Σ 9.5K"],
        ["maxpool 3x3, stride=2, padding=1", "→ 64×56×56 · Σ 9.5K"],
        ["layer1: stage(64, 2, stride=1)", "→ 64×56×56 · 148K · 462.4M MACs · Σ 157.5K"],
        ["layer2: stage(128, 2, stride=2)", "→ 128×28×28 · 525.6K · 411M MACs · Σ 683.1K"],
        ["layer3: stage(256, 2, stride=2)", "→ 256×14×14 · 2.1M · 411M MACs · Σ 2.8M"],
        ["layer4: stage(512, 2, stride=2)", "→ 512×7×7 · 8.4M · 411M MACs · Σ 11.2M"],
        ["globalavgpool", "→ 512×1×1 · Σ 11.2M"],
        ["flatten", "→ 512 · Σ 11.2M"],
        ["fc: dense 1000", "→ 1000 · 513K · 512K MACs · Σ 11.7M"],
      ]);
      // The client restarts its server on a settings change: poll until the new hints are in.
      let last: string[] = [];
      await poll(
        async () => (last = await inlayHints(doc.uri, modelRange(doc))).some((h) => h.includes("Σ")) && last,
        "hints with MACs and running totals",
        () => last.join("\n"),
      );
      // Exactly one set of hints: a restart racing the next restart must not leave two servers answering.
      await poll(
        async () => JSON.stringify((last = await inlayHints(doc.uri, modelRange(doc)))) === JSON.stringify(expected),
        "exactly the hints with MACs and running totals",
        () => last.join("\n"),
        5_000,
      ).catch(() => assert.deepEqual(last, expected));
    });
  });
});
