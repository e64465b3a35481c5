/**
 * The cheaper features over real LSP: document symbols, folding ranges,
 * completion from the layer table, and the status bar's `cnnLens/modelSummary`.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CompletionItem, DocumentSymbol, SymbolKind } from "vscode-languageserver-protocol/node";
import { fixture, lineOf, LspClient, positionOf } from "./harness";

describe("outline, folding, completion and the model summary", () => {
  let client: LspClient;
  const teach = { uri: "file:///outline/teach.cnn", text: fixture("teach.cnn") };
  const resnet = { uri: "file:///outline/resnet.cnn", text: fixture("resnet.cnn") };

  before(async () => {
    client = await LspClient.start();
    await client.open(teach.uri, teach.text);
    await client.open(resnet.uri, resnet.text);
  });
  after(async () => {
    await client?.stop();
  });

  it("list models, blocks and labelled statements, nested where they are written", async () => {
    const symbols = (await client.documentSymbols(teach.uri)) as DocumentSymbol[];
    const kindName = (k: SymbolKind) => Object.entries(SymbolKind).find(([, v]) => v === k)?.[0];
    const outline = (s: DocumentSymbol): unknown => [s.name, kindName(s.kind), s.detail, ...(s.children?.length ? [s.children.map(outline)] : [])];
    assert.deepEqual(symbols.map(outline), [
      [
        "Teach",
        "Class",
        "862.7K params · 847.8M MACs",
        [
          ["conv1", "Field", "conv → 128×56×56"],
          ["bn1", "Field", "batchnorm → 128×56×56"],
          ["down", "Field", "conv → 128×28×28"],
          ["pool", "Field", "maxpool → 128×14×14"],
          ["fc", "Field", "dense → 10"],
        ],
      ],
      ["twice", "Function", "()"],
    ]);
    const conv1 = symbols[0].children![0];
    assert.deepEqual(conv1.selectionRange, { start: { line: 4, character: 2 }, end: { line: 4, character: 7 } });
    assert.deepEqual(conv1.range, { start: { line: 4, character: 2 }, end: { line: 4, character: 33 } });
    const resnetSymbols = (await client.documentSymbols(resnet.uri)) as DocumentSymbol[];
    assert.deepEqual(
      resnetSymbols.map((s) => s.name),
      ["ResNet50", "ResNet152", "stem", "bottleneck", "stage"],
    );
    assert.deepEqual(
      resnetSymbols[0].children!.map((c) => `${c.name}: ${c.detail}`),
      ["layer1: stage → 256×56×56", "layer2: stage → 512×28×28", "layer3: stage → 1024×14×14", "layer4: stage → 2048×7×7", "avgpool: globalavgpool → 2048×1×1", "fc: dense → 1000"],
    );
  });

  it("fold braces, keeping the closing brace visible, and folding a residual's main path and shortcut apart", async () => {
    assert.deepEqual(await client.foldingRanges(teach.uri), [
      { startLine: 1, endLine: 17 },
      { startLine: 8, endLine: 10 },
      { startLine: 21, endLine: 24 },
    ]);
    const text = fixture("residual.cnn");
    await client.open("file:///outline/residual.cnn", text);
    const folds = await client.foldingRanges("file:///outline/residual.cnn");
    assert.deepEqual(folds, [
      { startLine: lineOf(text, "model Down"), endLine: lineOf(text, "relu", 2) },
      { startLine: lineOf(text, "residual {"), endLine: lineOf(text, "} shortcut") - 1 },
      { startLine: lineOf(text, "} shortcut"), endLine: lineOf(text, "conv 128, 1x1") + 1 },
    ]);
  });

  it("complete layer kinds, blocks and keywords where a statement starts", async () => {
    const items = (await client.completion(teach.uri, positionOf(teach.text, "twice()", 0, 1))) as CompletionItem[];
    const labels = items.map((i) => i.label);
    for (const expected of ["conv", "dwconv", "batchnorm", "dense", "linear", "fc", "twice", "repeat", "residual", "budget"]) assert.ok(labels.includes(expected), expected);
    const conv = items.find((i) => i.label === "conv")!;
    assert.equal(conv.detail, "conv filters, kernel, stride=1, padding=0, dilation=1, groups=1, bias=true");
    assert.deepEqual(conv.documentation, { kind: "markdown", value: "Convolution with F filters of size K (1-D, 2-D or 3-D by the input)." });
    // Outside any model or block: only the two definitions.
    const top = (await client.completion(teach.uri, { line: lineOf(teach.text, "# Two 3x3") - 1, character: 0 })) as CompletionItem[];
    assert.deepEqual(
      top.map((i) => i.label),
      ["model", "block"],
    );
  });

  it("complete a layer's keyword arguments not given yet, and the words an argument takes", async () => {
    const text = "model M {\n  input 3x32x32\n  conv 16, 3x3, padding=1, \n  maxpool 2, padding=\n  dtype \n}\n";
    const uri = "file:///outline/completion.cnn";
    await client.open(uri, text);
    const args = (await client.completion(uri, { line: 2, character: 27 })) as CompletionItem[];
    assert.deepEqual(
      args.map((i) => i.label),
      ["stride=", "dilation=", "groups=", "bias="],
    );
    assert.equal(args[0].documentation, "step between windows");
    const words = (await client.completion(uri, { line: 3, character: 21 })) as CompletionItem[];
    assert.deepEqual(
      words.map((i) => i.label),
      ["same", "valid"],
    );
    const dtypes = (await client.completion(uri, { line: 4, character: 8 })) as CompletionItem[];
    assert.deepEqual(
      dtypes.map((i) => i.label),
      ["fp32", "fp16", "bf16", "int8", "int4"],
    );
  });

  it("summarise every model for the status bar, with the one holding the cursor", async () => {
    const summary = await client.request("cnnLens/modelSummary", { uri: resnet.uri, position: positionOf(resnet.text, "layer3: stage(256, 36") });
    assert.deepEqual(summary, {
      models: [
        { name: "ResNet50", params: 25557032, macs: 4089184256, weightBytes: 102228128, peakActivationBytes: 10436608, dtype: "fp32", hasErrors: false },
        { name: "ResNet152", params: 60192808, macs: 11513626624, weightBytes: 240771232, peakActivationBytes: 10436608, dtype: "fp32", hasErrors: false },
      ],
      active: 1,
    });
    const outside = (await client.request("cnnLens/modelSummary", { uri: resnet.uri, position: positionOf(resnet.text, "block stem") })) as { active?: number };
    assert.equal(outside.active, undefined);
  });
});
