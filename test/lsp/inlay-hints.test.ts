/**
 * Inlay hints over real LSP: placement, the short labels, the clutter rules,
 * statements evaluated several times, settings from initializationOptions and
 * from workspace/configuration, and requests for part of the document.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { InlayHint, InlayHintKind } from "vscode-languageserver-protocol/node";
import { fixture, hintLabel, lineOf, LspClient, wholeRange } from "./harness";

/** `line:character label`, one per hint, for readable comparisons. */
const show = (hints: InlayHint[] | null) => (hints ?? []).map((h) => `${h.position.line}:${h.position.character} ${hintLabel(h)}`);

/** The hint labels by source line, with the line's text for context. */
const byLine = (text: string, hints: InlayHint[] | null) => {
  const lines = text.split("\n");
  return (hints ?? []).map((h) => `${lines[h.position.line].trim()}  ⇒  ${hintLabel(h)}`);
};

const teach = fixture("teach.cnn");

describe("inlay hints with the default settings", () => {
  let client: LspClient;
  before(async () => {
    client = await LspClient.start();
  });
  after(async () => {
    await client?.stop();
  });

  it("show shape and parameters at the end of each statement, and skip what keeps the shape and adds nothing", async () => {
    const uri = "file:///hints/teach.cnn";
    await client.open(uri, teach);
    const hints = await client.inlayHints(uri, wholeRange(teach));
    assert.deepEqual(byLine(teach, hints), [
      "budget params <= 100K  ⇒  862.7K of 100K (862.7%)",
      "conv1: conv 128, 3x3, padding=1  ⇒  → 128×56×56 · 73.9K",
      "bn1: batchnorm  ⇒  → 128×56×56 · 256",
      "down: conv 128, 3x3, stride=2, padding=1, bias=false  ⇒  → 128×28×28 · 147.5K",
      // A repeat's body: shown once, with the pass count.
      "conv 128, 1x1  ⇒  → 128×28×28 · 16.5K ×3",
      // The repeat: the totals of what it expands to, after its closing brace.
      "}  ⇒  → 128×28×28 · 49.5K",
      // A block call: the totals of the block.
      "twice()  ⇒  → 128×28×28 · 295.2K",
      "twice()  ⇒  → 128×28×28 · 295.2K",
      "pool: maxpool 2  ⇒  → 128×14×14",
      "globalavgpool  ⇒  → 128×1×1",
      "flatten  ⇒  → 128",
      "fc: dense 10  ⇒  → 10 · 1.3K",
      // In a block called twice with the same result: shown once, no count.
      "conv 128, 3x3, padding=1  ⇒  → 128×28×28 · 147.6K",
      "conv 128, 3x3, padding=1  ⇒  → 128×28×28 · 147.6K",
    ]);
    // At the very end of the statement, before any comment; kind Type, padded.
    const conv1 = hints!.find((h) => h.position.line === lineOf(teach, "conv1:"))!;
    assert.deepEqual(conv1.position, { line: 4, character: 33 });
    assert.equal(conv1.kind, InlayHintKind.Type);
    assert.equal(conv1.paddingLeft, true);
  });

  it("carry a markdown tooltip with the exact numbers", async () => {
    const uri = "file:///hints/teach-tooltip.cnn";
    await client.open(uri, teach);
    const hints = await client.inlayHints(uri, wholeRange(teach));
    const conv1 = hints!.find((h) => h.position.line === lineOf(teach, "conv1:"))!;
    const tooltip = conv1.tooltip as { kind: string; value: string };
    assert.equal(tooltip.kind, "markdown");
    assert.equal(
      tooltip.value,
      "**conv** `conv1`: `64×56×56 → 128×56×56`\n\n- 73,856 parameters · 231,211,008 MACs · running total 73,856 parameters, 231,211,008 MACs",
    );
  });

  it("are computed only for the requested range", async () => {
    const uri = "file:///hints/teach-range.cnn";
    await client.open(uri, teach);
    const hints = await client.inlayHints(uri, { start: { line: 4, character: 0 }, end: { line: 5, character: 99 } });
    assert.deepEqual(show(hints), ["4:33 → 128×56×56 · 73.9K", "5:16 → 128×56×56 · 256"]);
  });

  it("put the joined result of residual, concat, add, scale and aux after the header's brace", async () => {
    const uri = "file:///hints/composite.cnn";
    const text = fixture("composite.cnn");
    await client.open(uri, text);
    const hints = await client.inlayHints(uri, wholeRange(text));
    const at = (needle: string) => show(hints).find((s) => s.startsWith(`${lineOf(text, needle)}:`));
    assert.equal(at("concat {"), "3:10 → 32×8×8 · 1.3K");
    assert.equal(at("scale {"), "8:9 → 32×8×8 · 1.1K");
    assert.equal(at("add {"), "13:7 → 32×8×8 · 9.2K");
    assert.equal(at("residual {"), "17:12 → 32×8×8 · 9.2K");
    assert.equal(at("aux {"), "21:7 aux head · 330");
  });

  it("show a few distinct values compactly, and a count beyond", async () => {
    const uri = "file:///hints/distinct.cnn";
    const text = [
      "model Multi {",
      "  input 16x32x32",
      "  unit(32)",
      "  proj()",
      "  unit(64)",
      "  proj()",
      "}",
      "",
      "block unit(c) {",
      "  conv c, 3x3, padding=1",
      "  relu",
      "}",
      "",
      "block proj() {",
      "  conv 8, 1x1",
      "}",
      "",
    ].join("\n");
    await client.open(uri, text);
    assert.deepEqual(byLine(text, await client.inlayHints(uri, wholeRange(text))), [
      "unit(32)  ⇒  → 32×32×32 · 4.6K",
      "proj()  ⇒  → 8×32×32 · 264",
      "unit(64)  ⇒  → 64×32×32 · 4.7K",
      "proj()  ⇒  → 8×32×32 · 520",
      "conv c, 3x3, padding=1  ⇒  → 32×32×32 · 4.6K | 64×32×32 · 4.7K",
      // The same shape twice: said once.
      "conv 8, 1x1  ⇒  → 8×32×32 · 264 | 520",
    ]);
    const vgg = fixture("vgg16.cnn");
    await client.open("file:///hints/vgg16.cnn", vgg);
    const conv = byLine(vgg, await client.inlayHints("file:///hints/vgg16.cnn", wholeRange(vgg))).find((s) => s.startsWith("conv channels"));
    // Thirteen evaluations with nine distinct outcomes: a count and the line's share of the model.
    assert.equal(conv, "conv channels, 3x3, padding=1  ⇒  ×13 calls · 14.7M in all");
  });

  it("land on the same positions in a file with CRLF line ends", async () => {
    await client.open("file:///hints/teach-lf.cnn", teach);
    const lf = await client.inlayHints("file:///hints/teach-lf.cnn", wholeRange(teach));
    assert.equal(lf?.length, 14);
    const crlf = teach.replace(/\n/g, "\r\n");
    await client.open("file:///hints/teach-crlf.cnn", crlf);
    assert.deepEqual(show(await client.inlayHints("file:///hints/teach-crlf.cnn", wholeRange(teach))), show(lf));
  });

  it("show nothing for statements no model evaluates", async () => {
    const uri = "file:///hints/unused.cnn";
    const text = "block unused(c) {\n  conv c, 3x3\n}\n";
    await client.open(uri, text);
    assert.deepEqual(await client.inlayHints(uri, wholeRange(text)), []);
  });
});

describe("inlay hint settings", () => {
  it("come from initializationOptions: shape-keeping statements shown", async () => {
    const client = await LspClient.start({ initializationOptions: { inlayHints: { shapeKeeping: true } } });
    try {
      const uri = "file:///settings/teach.cnn";
      await client.open(uri, teach);
      const labels = byLine(teach, await client.inlayHints(uri, wholeRange(teach)));
      assert.ok(labels.includes("relu  ⇒  → 128×56×56"), labels.join("\n"));
      assert.ok(labels.includes("relu  ⇒  → 128×28×28 ×3"), labels.join("\n"));
    } finally {
      await client.stop();
    }
  });

  it("choose the kinds shown: MACs and running total on, parameters off (wrapped in cnnLens)", async () => {
    const client = await LspClient.start({ initializationOptions: { cnnLens: { inlayHints: { params: false, macs: true, runningTotal: true } } } });
    try {
      const uri = "file:///settings/teach.cnn";
      await client.open(uri, teach);
      const labels = byLine(teach, await client.inlayHints(uri, wholeRange(teach)));
      assert.ok(labels.includes("conv1: conv 128, 3x3, padding=1  ⇒  → 128×56×56 · 231.2M MACs · Σ 73.9K"), labels.join("\n"));
      assert.ok(labels.includes("fc: dense 10  ⇒  → 10 · 1.3K MACs · Σ 862.7K"), labels.join("\n"));
      // No running total where a statement runs several times.
      assert.ok(labels.includes("conv 128, 1x1  ⇒  → 128×28×28 · 12.8M MACs ×3"), labels.join("\n"));
    } finally {
      await client.stop();
    }
  });

  it("come wrapped in `settings` as the VS Code client passes them, and follow a pushed change", async () => {
    const client = await LspClient.start({ initializationOptions: { settings: { inlayHints: { params: false } } } });
    try {
      const uri = "file:///settings/pushed.cnn";
      await client.open(uri, teach);
      const range = { start: { line: 4, character: 0 }, end: { line: 4, character: 99 } };
      assert.deepEqual(show(await client.inlayHints(uri, range)), ["4:33 → 128×56×56"]);
      // A client that cannot be asked pushes the new settings in the notification.
      await client.changeConfiguration({ cnnLens: { inlayHints: { params: true, runningTotal: true } } });
      assert.deepEqual(show(await client.inlayHints(uri, range)), ["4:33 → 128×56×56 · 73.9K · Σ 73.9K"]);
      assert.equal(client.configurationRequests.length, 0, "never asked: the client did not say it can answer");
    } finally {
      await client.stop();
    }
  });

  it("are pulled with workspace/configuration, and a change re-pulls them and refreshes the hints", async () => {
    let settings: unknown = { inlayHints: { shape: false } };
    const client = await LspClient.start({
      capabilities: { workspace: { configuration: true, inlayHint: { refreshSupport: true }, didChangeConfiguration: { dynamicRegistration: true } } },
      configuration: () => settings,
    });
    try {
      const uri = "file:///settings/pulled.cnn";
      await client.open(uri, teach);
      const range = { start: { line: 4, character: 0 }, end: { line: 4, character: 99 } };
      assert.deepEqual(show(await client.inlayHints(uri, range)), ["4:33 73.9K params"]);
      assert.deepEqual(client.configurationRequests, [{ items: [{ section: "cnnLens" }] }]);
      settings = { inlayHints: { shape: true, macs: true } };
      await client.changeConfiguration(null);
      await client.waitFor(() => client.refreshRequests >= 1, "workspace/inlayHint/refresh");
      assert.deepEqual(show(await client.inlayHints(uri, range)), ["4:33 → 128×56×56 · 73.9K · 231.2M MACs"]);
      assert.equal(client.configurationRequests.length, 2);
    } finally {
      await client.stop();
    }
  });
});

describe("tooltips resolved on demand, as VS Code asks for them", () => {
  let eager: LspClient;
  let lazy: LspClient;
  const uri = "file:///fixtures/teach.cnn";
  before(async () => {
    eager = await LspClient.start();
    lazy = await LspClient.start({ capabilities: { textDocument: { inlayHint: { resolveSupport: { properties: ["tooltip"] } } } } });
    for (const c of [eager, lazy]) {
      await c.open(uri, teach, 1);
      await c.diagnosticsFor(uri, 1);
    }
  });
  after(async () => {
    await eager?.stop();
    await lazy?.stop();
  });

  it("sends labels first, then each hint's tooltip exactly as an eager client gets it", async () => {
    assert.equal((lazy.initializeResult.capabilities.inlayHintProvider as { resolveProvider?: boolean }).resolveProvider, true);
    const full = (await eager.inlayHints(uri, wholeRange(teach))) ?? [];
    const bare = (await lazy.inlayHints(uri, wholeRange(teach))) ?? [];
    assert.ok(full.length > 3);
    assert.deepEqual(show(bare), show(full));
    for (const h of bare) assert.equal(h.tooltip, undefined, `${hintLabel(h)} came with its tooltip`);
    const resolved = await Promise.all(bare.map((h) => lazy.request<InlayHint>("inlayHint/resolve", h)));
    assert.deepEqual(
      resolved.map((h) => h.tooltip),
      full.map((h) => h.tooltip),
    );
  });

  it("answers a hint of a version that has moved on as it came", async () => {
    const [first] = (await lazy.inlayHints(uri, wholeRange(teach))) ?? [];
    await lazy.change(uri, 2, [{ text: teach + "\n" }]);
    await lazy.diagnosticsFor(uri, 2);
    const same = await lazy.request<InlayHint>("inlayHint/resolve", first);
    assert.equal(same.tooltip, undefined);
    assert.deepEqual(same.position, first.position);
  });
});
