/**
 * Diagnostics as VS Code holds them (`vscode.languages.getDiagnostics`),
 * after in-memory edits to the reference examples: a broken padding or
 * stride gives its error on the right line, undoing the edit clears it, and
 * a budget that is too tight warns on the budget line and on the statement
 * that crosses it. Waits on `onDidChangeDiagnostics` with a deadline.
 * Documents are edited in memory only and reverted afterwards.
 */
import * as assert from "node:assert/strict";
import { afterEach, describe, it } from "mocha";
import { DiagnosticSummary, lineOf, openExample, replaceOnce, revertAndCloseAll, waitForDiagnostics } from "./helpers";

const none = (d: DiagnosticSummary[]) => d.length === 0;

describe("diagnostics", () => {
  afterEach(revertAndCloseAll);

  it("reports a residual mismatch where ResNet-18's padding breaks it, and clears it when fixed", async () => {
    const doc = await openExample("resnet18.cnn");
    const good = "conv channels, 3x3, padding=1, bias=false";
    const bad = "conv channels, 3x3, padding=0, bias=false";
    await replaceOnce(doc, good, bad);
    const mismatch = "residual: main gives 64x54x54 but the shortcut gives 64x56x56";
    // The error is reported at the residual, and at each call that led there.
    const expected: DiagnosticSummary[] = [
      { line: lineOf(doc, "layer1: stage(64, 2, stride=1)"), severity: "Error", code: "residual-mismatch", message: `in stage(64, 2, stride=1): ${mismatch}` },
      { line: lineOf(doc, "  basic(channels, stride)"), severity: "Error", code: "residual-mismatch", message: `in basic(channels, stride): ${mismatch}` },
      { line: lineOf(doc, "  residual {"), severity: "Error", code: "residual-mismatch", message: mismatch },
    ];
    const found = await waitForDiagnostics(doc.uri, (d) => d.length > 0, "the residual mismatch after padding=0");
    assert.deepEqual(found, expected);

    await replaceOnce(doc, bad, good);
    await waitForDiagnostics(doc.uri, none, "no diagnostics once padding=1 is back");
  });

  it("reports the layer that no longer fits when AlexNet's first stride grows, and clears it when fixed", async () => {
    const doc = await openExample("alexnet.cnn");
    await replaceOnce(doc, "stride=4, padding=2", "stride=40, padding=2");
    // 224 → conv 11x11/40 → 6 → maxpool 3/2 → 2 → conv2 keeps 2 → the second maxpool's 3x3 window no longer fits.
    const found = await waitForDiagnostics(doc.uri, (d) => d.length > 0, "an error after stride=40");
    const secondPool = lineOf(doc, "conv2: conv 192") + 2;
    assert.equal(doc.lineAt(secondPool).text.trim(), "maxpool 3x3, stride=2");
    assert.deepEqual(found, [
      { line: secondPool, severity: "Error", code: "size-too-small", message: "maxpool: maxpool 3x3 with padding 0 does not fit the 2x2 input" },
    ]);

    await replaceOnce(doc, "stride=40, padding=2", "stride=4, padding=2");
    await waitForDiagnostics(doc.uri, none, "no diagnostics once stride=4 is back");
  });

  it("warns on a budget that is too tight, on the budget line and where the total first crosses it", async () => {
    const doc = await openExample("resnet18.cnn");
    await replaceOnce(doc, "budget macs <= 2G", "budget macs <= 1G");
    const found = await waitForDiagnostics(doc.uri, (d) => d.length > 0, "the budget warnings after macs <= 1G");
    assert.deepEqual(found, [
      {
        line: lineOf(doc, "budget macs <= 1G"),
        severity: "Warning",
        code: "budget-exceeded",
        message: "macs 1,814,073,344 exceeds the budget of 1,000,000,000 by 814,073,344 (81.4% over)",
      },
      {
        line: lineOf(doc, "layer3: stage(256, 2, stride=2)"),
        severity: "Warning",
        code: "budget-exceeded",
        message: "macs budget of 1,000,000,000 first broken here: 1,402,519,552 so far",
      },
    ]);

    await replaceOnce(doc, "budget macs <= 1G", "budget macs <= 2G");
    await waitForDiagnostics(doc.uri, none, "no warnings once the budget is 2G again");
  });

  it("warns on VGG-16's parameter budget at the dense layer that crosses it", async () => {
    const doc = await openExample("vgg16.cnn");
    await replaceOnce(doc, "budget params <= 140M", "budget params <= 100M");
    const found = await waitForDiagnostics(doc.uri, (d) => d.length > 0, "the budget warnings after params <= 100M");
    assert.deepEqual(found, [
      {
        line: lineOf(doc, "budget params <= 100M"),
        severity: "Warning",
        code: "budget-exceeded",
        message: "params 138,357,544 exceeds the budget of 100,000,000 by 38,357,544 (38.4% over)",
      },
      {
        line: lineOf(doc, "fc6: dense 4096"),
        severity: "Warning",
        code: "budget-exceeded",
        message: "params budget of 100,000,000 first broken here: 117,479,232 so far",
      },
    ]);
  });
});
