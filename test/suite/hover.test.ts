/**
 * Hovers through VS Code's own hover command (`vscode.executeHoverProvider`,
 * what the editor asks when the mouse rests on a word): exact parameter counts
 * and the arithmetic behind them, on the reference examples.
 */
import * as assert from "node:assert/strict";
import { after, describe, it } from "mocha";
import { hoverText, openExample, positionOf, revertAndCloseAll } from "./helpers";

/** Asserts that every expected line is a whole line of the hover text. */
function assertLines(text: string, expected: string[]): void {
  const lines = text.split("\n");
  for (const line of expected) assert.ok(lines.includes(line), `hover has no line\n  ${line}\nhover text:\n${text}`);
}

describe("hover", () => {
  after(revertAndCloseAll);

  it("shows the stem convolution of ResNet-18 with its shape, arithmetic and exact counts", async () => {
    const doc = await openExample("resnet18.cnn");
    const text = await hoverText(doc.uri, positionOf(doc, "conv 64, 7x7", 1));
    assertLines(text, [
      "`conv1` in `ResNet18` · PyTorch `Conv2d`",
      "`3×224×224 → 64×112×112`",
      "H: ⌊(224 + 2·3 − 7)/2⌋ + 1 = 112",
      "W: ⌊(224 + 2·3 − 7)/2⌋ + 1 = 112",
      "- **Parameters:** 64 × (3 × 7 × 7) = 9,408",
      "- **Weights:** 37,632 bytes (37.6 KB) at fp32",
      "- **MACs:** 112×112 outputs × 64 × (3 × 7 × 7) = 118,013,952 (236,027,904 FLOPs)",
    ]);
  });

  it("counts the bias of a biased convolution (AlexNet conv2)", async () => {
    const doc = await openExample("alexnet.cnn");
    const text = await hoverText(doc.uri, positionOf(doc, "conv 192, 5x5", 1));
    assertLines(text, [
      "`64×27×27 → 192×27×27`",
      "- **Parameters:** 192 × (64 × 5 × 5) + 192 bias = 307,392",
      "- **MACs:** 27×27 outputs × 192 × (64 × 5 × 5) = 223,948,800 (447,897,600 FLOPs)",
    ]);
  });

  it("lists every evaluation of a convolution inside a block (VGG-16's stage)", async () => {
    const doc = await openExample("vgg16.cnn");
    const text = await hoverText(doc.uri, positionOf(doc, "conv channels, 3x3", 1));
    assertLines(text, [
      "`stage1.conv1` in `VGG16` · PyTorch `Conv2d` (the first of 13)",
      "- **Parameters:** 64 × (3 × 3 × 3) + 64 bias = 1,792",
      "**Evaluated 13 times** (calls):",
      "- `64×112×112 → 128×112×112` · 73,856 params · 924,844,032 MACs — `stage2.conv1`",
      "- ×3 `512×14×14 → 512×14×14` · 2,359,808 params · 462,422,016 MACs — `stage5.conv1`, `stage5.conv2`, `stage5.conv3`",
    ]);
  });

  it("sums a block call's layers (Inception v3's first BasicConv2d)", async () => {
    const doc = await openExample("inception_v3.cnn");
    const text = await hoverText(doc.uri, positionOf(doc, "basic_conv(32, 3, stride=2)", 1));
    assertLines(text, [
      "`Conv2d_1a_3x3: basic_conv(32, 3, stride=2)` in `InceptionV3`: `3×299×299 → 32×149×149`",
      "- **Parameters:** 928 learnable + 64 non-learnable",
      "- **MACs:** 19,181,664 MACs (38,363,328 FLOPs)",
    ]);
  });

  it("has nothing to say on a comment", async () => {
    const doc = await openExample("resnet18.cnn");
    assert.equal(await hoverText(doc.uri, positionOf(doc, "# stem", 3)), "");
  });
});
