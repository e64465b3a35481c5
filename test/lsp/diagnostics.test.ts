/**
 * Diagnostics over real LSP: pushed on open and on every incremental change,
 * with the core's codes, `source: "cnn-lens"`, and related information where
 * two places are involved. A storm of edits ends in exactly the diagnostics a
 * fresh open of the final text gives.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Diagnostic, DiagnosticSeverity, Range, TextDocumentContentChangeEvent } from "vscode-languageserver-protocol/node";
import { applyChange, fixture, lineOf, LspClient, positionAt, positionOf, wholeRange } from "./harness";
import { unrolledResNet152 } from "./resnet152";
import { analyze } from "../../server/src/core";

/** Replaces the `occurrence`-th `needle` with `replacement`: one incremental change. */
function replace(text: string, needle: string, replacement: string, occurrence = 1): { range: Range; text: string } {
  const start = positionOf(text, needle, 0, occurrence);
  return { range: { start, end: { line: start.line, character: start.character + needle.length } }, text: replacement };
}

/** The core's own diagnostics for `text`, converted by hand to LSP's shape. */
function expectedFromCore(uri: string, text: string): Diagnostic[] {
  const severity = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information };
  const range = (s: { start: number; end: number }) => ({ start: positionAt(text, s.start), end: positionAt(text, s.end) });
  return analyze(text).diagnostics.map((d) => ({
    range: range(d),
    severity: severity[d.severity],
    code: d.code,
    source: "cnn-lens",
    message: d.message,
    ...(d.related?.length ? { relatedInformation: d.related.map((r) => ({ location: { uri, range: range(r) }, message: r.message })) } : {}),
  }));
}

describe("diagnostics", () => {
  let client: LspClient;
  before(async () => {
    client = await LspClient.start();
  });
  after(async () => {
    await client?.stop();
  });

  it("are pushed on open: a clean file gets an empty list", async () => {
    const uri = "file:///diag/composite.cnn";
    await client.open(uri, fixture("composite.cnn"));
    assert.deepEqual(await client.diagnosticsFor(uri, 1), []);
  });

  it("surface a broken budget on the budget line and where the running total first passes it", async () => {
    const uri = "file:///diag/teach.cnn";
    const text = fixture("teach.cnn");
    await client.open(uri, text);
    const diags = await client.diagnosticsFor(uri, 1);
    const budgetLine = lineOf(text, "budget params");
    const downLine = lineOf(text, "down: conv");
    assert.deepEqual(diags, [
      {
        range: { start: { line: budgetLine, character: 2 }, end: { line: budgetLine, character: 23 } },
        severity: DiagnosticSeverity.Warning,
        code: "budget-exceeded",
        source: "cnn-lens",
        message: "params 862,730 exceeds the budget of 100,000 by 762,730 (762.7% over)",
        relatedInformation: [
          { location: { uri, range: { start: { line: downLine, character: 2 }, end: { line: downLine, character: 54 } } }, message: "the running total first passes the budget here" },
        ],
      },
      {
        range: { start: { line: downLine, character: 2 }, end: { line: downLine, character: 54 } },
        severity: DiagnosticSeverity.Warning,
        code: "budget-exceeded",
        source: "cnn-lens",
        message: "params budget of 100,000 first broken here: 221,568 so far",
        relatedInformation: [
          {
            location: { uri, range: { start: { line: budgetLine, character: 2 }, end: { line: budgetLine, character: 23 } } },
            message: "params 862,730 exceeds the budget of 100,000 by 762,730 (762.7% over)",
          },
        ],
      },
    ]);
  });

  it("report exactly what the core reports on broken documents, with its stable codes", async () => {
    const cases: { text: string; code: string; line: number; message: RegExp }[] = [
      { text: "model M {\n  input 3x32x32\n  conv 16, 3x3,\n  relu\n}\n", code: "syntax-error", line: 2, message: /end of the line/ },
      { text: "model M {\n  input 3x32x32\n  convv 16, 3x3\n}\n", code: "unknown-layer", line: 2, message: /unknown layer 'convv'; did you mean 'conv'\?/ },
      { text: "model M {\n  input 3x32x32\n  dense 10\n}\n", code: "needs-flat-input", line: 2, message: /dense needs a flat vector, but the input is 3x32x32/ },
      { text: "model M {\n  input 3x32x32\n  conv 16, 3x3, foo=1\n}\n", code: "unknown-argument", line: 2, message: /conv has no argument 'foo'/ },
      { text: "model M {\n  input 3x32x32\n  @\n}\n", code: "unexpected-character", line: 2, message: /unexpected character '@'/ },
      { text: "model M {\n  input 3x8x8\n  conv 16, 9x9\n}\n", code: "size-too-small", line: 2, message: /kernel 9x9 with padding 0(x0)? does not fit the 8x8 input/ },
      { text: "model M {\n  input 3x32x32\n  loop()\n}\nblock loop() {\n  loop()\n}\n", code: "recursive-block", line: 5, message: /block 'loop' calls itself/ },
    ];
    for (const [i, c] of cases.entries()) {
      const uri = `file:///diag/broken-${i}.cnn`;
      await client.open(uri, c.text);
      const diags = await client.diagnosticsFor(uri, 1);
      const d = diags.find((x) => x.code === c.code);
      assert.ok(d, `${c.code} in ${JSON.stringify(c.text)}; got ${JSON.stringify(diags.map((x) => x.code))}`);
      assert.equal(d.severity, DiagnosticSeverity.Error);
      assert.equal(d.source, "cnn-lens");
      assert.equal(d.range.start.line, c.line, c.code);
      assert.match(String(d.message), c.message);
      // Everything the core says, converted faithfully: ranges, severities, codes, messages, related places.
      assert.deepEqual(diags, expectedFromCore(uri, c.text));
    }
  });

  it("report an error inside a block at the statement and at the call, related to each other", async () => {
    const uri = "file:///diag/in-block.cnn";
    const text = "model M {\n  input 3x32x32\n  stage(5)\n}\nblock stage(c) {\n  conv c, 3x3, groups=2\n}\n";
    await client.open(uri, text);
    const diags = await client.diagnosticsFor(uri, 1);
    assert.deepEqual(
      diags.map((d) => [d.range.start.line, d.code, d.message]),
      [
        [2, "groups-mismatch", "in stage(5): conv: 3 input channels are not divisible by groups=2"],
        [5, "groups-mismatch", "conv: 3 input channels are not divisible by groups=2"],
      ],
    );
    assert.deepEqual(diags[0].relatedInformation?.[0].location.range.start, { line: 5, character: 15 });
  });

  it("follow incremental edits: a stride change makes a residual mismatch appear, and fixing it clears it", async () => {
    const uri = "file:///diag/residual.cnn";
    let text = fixture("residual.cnn");
    await client.open(uri, text);
    assert.deepEqual(await client.diagnosticsFor(uri, 1), []);

    // The shortcut's stride=2 becomes stride=1: the shortcut keeps 56x56 while the main path halves it.
    const toOne = replace(text, "stride=2", "stride=1", 2);
    await client.change(uri, 2, [toOne]);
    text = applyChange(text, toOne);
    const diags = await client.diagnosticsFor(uri, 2);
    assert.equal(diags.length, 1, JSON.stringify(diags));
    const [d] = diags;
    const residualLine = lineOf(text, "residual {");
    assert.equal(d.code, "residual-mismatch");
    assert.equal(d.severity, DiagnosticSeverity.Error);
    assert.equal(d.message, "residual: main gives 128x28x28 but the shortcut gives 128x56x56");
    assert.deepEqual(d.range, { start: { line: residualLine, character: 2 }, end: { line: residualLine, character: 12 } });
    // Related: the end of the main path (its closing brace) and the shortcut.
    const related = d.relatedInformation!;
    assert.equal(related.length, 2);
    assert.deepEqual(related[0].location.range.start, positionOf(text, "} shortcut"));
    assert.equal(related[0].message, "the main path gives 128x28x28");
    assert.deepEqual(related[1].location.range.start, positionOf(text, "shortcut {"));
    assert.equal(related[1].message, "the shortcut gives 128x56x56");
    assert.equal(related[1].location.uri, uri);

    const back = replace(text, "stride=1", "stride=2");
    await client.change(uri, 3, [back]);
    assert.deepEqual(await client.diagnosticsFor(uri, 3), []);
  });

  it("end a storm of 200 incremental edits in exactly the diagnostics a fresh open of the final text gives", async () => {
    const uri = "file:///diag/storm.cnn";
    let text = fixture("resnet.cnn");
    await client.open(uri, text);
    await client.diagnosticsFor(uri, 1);
    // A deterministic generator (mulberry32), so a failure can be replayed.
    let seed = 0x5eed;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const snippets = ["x", " ", "\n", "3", "0", "conv 8, 3x3", "relu\n", "}", "{", "stride=2, ", "#", "residual {\n", "(", ",", "dense 10\n"];
    for (let version = 2; version <= 201; version++) {
      const changes: TextDocumentContentChangeEvent[] = [];
      for (let k = 1 + Math.floor(random() * 2); k > 0; k--) {
        const start = Math.floor(random() * (text.length + 1));
        const end = Math.min(text.length, start + (random() < 0.5 ? 0 : Math.floor(random() * 6)));
        const insert = random() < 0.7 ? snippets[Math.floor(random() * snippets.length)] : "";
        const change = { range: { start: positionAt(text, start), end: positionAt(text, end) }, text: insert };
        text = applyChange(text, change);
        changes.push(change);
      }
      // Sent without waiting, as fast as a typist with a macro.
      void client.change(uri, version, changes);
    }
    const afterStorm = await client.diagnosticsFor(uri, 201);
    const fresh = "file:///diag/storm-fresh.cnn";
    await client.open(fresh, text);
    const expected = await client.diagnosticsFor(fresh, 1);
    const normalise = (ds: Diagnostic[], from: string) => JSON.parse(JSON.stringify(ds).split(from).join("URI"));
    assert.deepEqual(normalise(afterStorm, uri), normalise(expected, fresh));
    // The server's text is the final text: the hints agree too.
    assert.deepEqual(await client.inlayHints(uri, wholeRange(text)), await client.inlayHints(fresh, wholeRange(text)));
  });

  it("are cleared when the document closes", async () => {
    const uri = "file:///diag/closing.cnn";
    await client.open(uri, "model M {\n  convv 3\n}\n");
    assert.ok((await client.diagnosticsFor(uri, 1)).length > 0);
    const before = client.diagnostics.length;
    await client.close(uri);
    const cleared = await client.waitFor(() => client.diagnostics.slice(before).find((d) => d.uri === uri), "cleared diagnostics");
    assert.deepEqual(cleared.diagnostics, []);
    assert.equal(await client.hover(uri, { line: 1, character: 3 }), null, "a closed document is unknown again");
  });

  it("arrive within the latency budget after each change on a ResNet-152-sized file", async (t) => {
    const uri = "file:///diag/resnet152.cnn";
    let text = unrolledResNet152();
    await client.open(uri, text);
    assert.deepEqual(await client.diagnosticsFor(uri, 1), []);
    let version = 1;
    /** One round: `count` changes, each waited for; the times from didChange to publishDiagnostics. */
    const round = async (count: number) => {
      const times: number[] = [];
      for (let i = 0; i < count; i++) {
        version++;
        // Alternate the classifier width, so every change alters the analysis.
        const change = version % 2 === 0 ? replace(text, "dense 1000", "dense 1001") : replace(text, "dense 1001", "dense 1000");
        text = applyChange(text, change);
        const t0 = performance.now();
        await client.change(uri, version, [change]);
        await client.diagnosticsFor(uri, version);
        times.push(performance.now() - t0);
      }
      return times.sort((a, b) => a - b);
    };
    // The first changes warm the JIT up; they are not what a user feels while typing.
    await round(10);
    // The budget is for the server, not for whatever else the machine runs: the best of five rounds
    // counts, and a loaded CI runner can raise the budget with CNN_LENS_LATENCY_P95_MS.
    const budget = Number(process.env.CNN_LENS_LATENCY_P95_MS ?? 20);
    let best = Infinity;
    for (let r = 1; r <= 5 && best > budget; r++) {
      const times = await round(60);
      const p50 = times[Math.floor(times.length * 0.5)];
      const p95 = times[Math.ceil(times.length * 0.95) - 1];
      best = Math.min(best, p95);
      t.diagnostic(`round ${r}: didChange → publishDiagnostics on ${text.split("\n").length} lines: p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms`);
    }
    assert.ok(best <= budget, `p95 ${best.toFixed(1)} ms exceeds ${budget} ms`);
  });
});
