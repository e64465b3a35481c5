/**
 * Hovers over real LSP: the formulas filled in, the parameter arithmetic,
 * exact numbers with thousands separators, block docs and per-call costs,
 * model totals with the heaviest layers, and budgets with their margins.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fixture, lineOf, LspClient, positionOf } from "./harness";

describe("hover", () => {
  let client: LspClient;
  const teach = { uri: "file:///hover/teach.cnn", text: fixture("teach.cnn") };
  const resnet = { uri: "file:///hover/resnet.cnn", text: fixture("resnet.cnn") };
  const composite = { uri: "file:///hover/composite.cnn", text: fixture("composite.cnn") };

  before(async () => {
    client = await LspClient.start();
    for (const d of [teach, resnet, composite]) await client.open(d.uri, d.text);
  });
  after(async () => {
    await client?.stop();
  });

  const hoverAt = (d: { uri: string; text: string }, needle: string, delta = 1, occurrence = 1) => client.hoverText(d.uri, positionOf(d.text, needle, delta, occurrence));

  it("on a convolution: shapes with the formula filled in, the parameter arithmetic, MACs, memory, share and receptive field", async () => {
    const md = await hoverAt(teach, "conv1: conv", 8);
    assert.match(md, /^\*\*conv\*\* — Convolution with F filters of size K/);
    assert.ok(md.includes("`conv1` in `Teach` · PyTorch `Conv2d`"), md);
    assert.ok(md.includes("`64×56×56 → 128×56×56`"), md);
    assert.ok(md.includes("H: ⌊(56 + 2·1 − 3)/1⌋ + 1 = 56\nW: ⌊(56 + 2·1 − 3)/1⌋ + 1 = 56"), md);
    assert.ok(md.includes("**Parameters:** 128 × (64 × 3 × 3) + 128 bias = 73,856"), md);
    assert.ok(md.includes("**Weights:** 295,424 bytes (295.4 KB) at fp32"), md);
    assert.ok(md.includes("**MACs:** 56×56 outputs × 128 × (64 × 3 × 3) = 231,211,008 (462,422,016 FLOPs)"), md);
    assert.ok(md.includes("**Running total:** 73,856 params · 231,211,008 MACs"), md);
    // 73,856 of 862,730 parameters; 231,211,008 of 847,774,976 MACs.
    assert.ok(md.includes("**Share of `Teach`:** 8.6% of params · 27.3% of MACs"), md);
    assert.ok(md.includes("**Receptive field:** 3×3 · effective stride 1×1"), md);
  });

  it("on a strided convolution without bias, and on a pool", async () => {
    const down = await hoverAt(teach, "down: conv", 8);
    assert.ok(down.includes("H: ⌊(56 + 2·1 − 3)/2⌋ + 1 = 28"), down);
    assert.ok(down.includes("**Parameters:** 128 × (128 × 3 × 3) = 147,456"), down);
    assert.ok(down.includes("**Receptive field:** 5×5 · effective stride 2×2"), down);
    const pool = await hoverAt(teach, "pool: maxpool", 8);
    assert.ok(pool.includes("`128×28×28 → 128×14×14`"), pool);
    assert.ok(pool.includes("H: ⌊(28 + 2·0 − 2)/2⌋ + 1 = 14"), pool);
  });

  it("on batchnorm: learnable and non-learnable parameters apart", async () => {
    const md = await hoverAt(teach, "bn1:", 6);
    assert.ok(md.includes("**Parameters:** 2 × 128 (scale and shift per channel) = 256 learnable + 256 non-learnable (running statistics)"), md);
  });

  it("on a dense layer: the flattened size in the arithmetic", async () => {
    const md = await hoverAt(teach, "fc: dense", 5);
    assert.ok(md.includes("**Parameters:** 128 × 10 + 10 bias = 1,290"), md);
    assert.ok(md.includes("**Running total:** 862,730 params · 847,774,976 MACs"), md);
  });

  it("on a layer in a block called twice: the first in detail, then each evaluation", async () => {
    const md = await hoverAt(teach, "conv 128, 3x3, padding=1", 1, 2);
    assert.ok(md.includes("`twice1.conv1` in `Teach` · PyTorch `Conv2d` (the first of 2)"), md);
    assert.ok(md.includes("**Evaluated 2 times** (calls):"), md);
    assert.ok(md.includes("**Running total:** 418,688 params · 500,957,184 MACs"), md);
    assert.ok(md.includes("**Receptive field:** 9×9 · effective stride 2×2"), md);
    // Both calls agree, so they share one line.
    assert.ok(md.includes("- ×2 `128×28×28 → 128×28×28` · 147,584 params · 115,605,504 MACs — `twice1.conv1`, `twice2.conv1`"), md);
  });

  it("on a block name: its doc comment, signature and what each call costs", async () => {
    const md = await hoverAt(resnet, "block bottleneck", 7);
    assert.match(md, /^`block bottleneck\(width, stride=1, downsample=false\)`\n\nA bottleneck: 1x1 down to `width`/);
    assert.ok(md.includes("**What each call costs** (66 evaluations):"), md);
    assert.ok(md.includes("- `bottleneck(width, stride, true)` in `ResNet50`: `64×56×56 → 256×56×56` · 75,008 params · 1,280 non-learnable · 231,211,008 MACs"), md);
  });

  it("on a block call: the block's doc and what this call costs", async () => {
    const md = await hoverAt(resnet, "layer3: stage(256, 6, 2)", 9);
    assert.ok(md.startsWith("`block stage(width, blocks, stride)`\n\nOne stage:"), md);
    assert.ok(md.includes("`layer3: stage(256, 6, 2)` in `ResNet50`: `512×28×28 → 1024×14×14`"), md);
    assert.ok(md.includes("**Parameters:** 7,098,368 learnable + 20,480 non-learnable"), md);
    assert.ok(md.includes("**MACs:** 1,464,336,384 MACs (2,928,672,768 FLOPs)"), md);
    assert.ok(md.includes("**Layers:** 56"), md);
  });

  it("on a model name: totals labelled, the heaviest layers, the budgets", async () => {
    const md = await hoverAt(resnet, "model ResNet50", 7);
    // torchvision's resnet50: 25,557,032 parameters, 4,089,184,256 MACs.
    assert.ok(md.includes("`3×224×224 → 1000` · fp32 · batch 1"), md);
    assert.ok(md.includes("**Parameters:** 25,557,032 learnable · 53,120 non-learnable"), md);
    assert.ok(md.includes("**MACs:** 4,089,184,256 MACs (8,178,368,512 FLOPs) per sample"), md);
    assert.ok(md.includes("**Weight memory:** 102,228,128 bytes (102.2 MB) at fp32"), md);
    assert.ok(md.includes("**Peak activations:**"), md);
    assert.ok(md.includes("**Heaviest layers by parameters**\n\n1. `layer4.bottleneck1.conv2` conv — 2,359,296 (9.2%)"), md);
    assert.ok(md.includes("5. `fc` dense — 2,049,000 (8%)"), md);
    assert.ok(md.includes("**Heaviest layers by MACs**\n\n1. `stem1.conv1` conv — 118,013,952 (2.9%)"), md);
    assert.ok(md.includes("- params ≤ 30,000,000 parameters: 25,557,032 parameters — ✓ within, 4,442,968 parameters to spare (14.8% of the limit)"), md);
  });

  it("on a budget line: the value against the limit, and the margin or the overrun", async () => {
    const ok = await hoverAt(resnet, "budget macs", 3);
    assert.ok(ok.includes("**budget macs** of `ResNet50` — ✓ within the budget"), ok);
    assert.ok(ok.includes("**Value:** 4,089,184,256 MACs"), ok);
    assert.ok(ok.includes("**Limit:** ≤ 5,000,000,000 MACs"), ok);
    assert.ok(ok.includes("**Margin:** 910,815,744 MACs to spare (18.2% of the limit)"), ok);
    const broken = await hoverAt(teach, "budget params", 3);
    assert.ok(broken.includes("✗ over the budget"), broken);
    assert.ok(broken.includes("**Over by:** 762,730 parameters (762.7% over)"), broken);
    assert.ok(broken.includes("**First broken at:** `down: conv 128, 3x3, stride=2, padding=1, bias=false`"), broken);
  });

  it("on compound headers: the joined result", async () => {
    const concat = await hoverAt(composite, "concat {", 2);
    assert.ok(concat.includes("`16×8×8 → 32×8×8`"), concat);
    assert.ok(concat.includes("**Parameters:** 1,296"), concat);
    const aux = await hoverAt(composite, "aux {", 1);
    assert.ok(aux.includes("**MACs:** 0 MACs (0 FLOPs) + 320 aux MACs (training only)"), aux);
  });

  it("on an aux layer: its MACs are kept out of the inference total", async () => {
    const md = await hoverAt(composite, "dense 10", 2, 1);
    assert.ok(md.includes("**MACs:** 32 × 10 = 320 — in an aux head: training only, not in the inference total"), md);
  });

  it("on the input: its size and memory", async () => {
    const md = await hoverAt(teach, "input 64x56x56", 2);
    assert.ok(md.includes("**Values:** 200,704 per sample"), md);
    assert.ok(md.includes("**Memory:** 802,816 bytes (802.8 KB) at fp32, batch 1"), md);
  });

  it("on a blank line, a comment or a body between statements: nothing", async () => {
    assert.equal(await client.hover(teach.uri, { line: lineOf(teach.text, "# Two 3x3") , character: 4 }), null);
    assert.equal(await client.hover(teach.uri, { line: lineOf(teach.text, "twice()") - 0, character: 0 }), null);
  });
});
