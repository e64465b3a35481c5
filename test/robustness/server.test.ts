/**
 * The language server under abuse, over real LSP (test/lsp/harness.ts):
 * requests it cannot answer, a storm of incremental edits, cancellations,
 * megabytes of garbage, malformed parameters, and long sessions whose memory
 * must stay flat. After each, the server must still be up and answer the
 * next request correctly.
 *
 * Memory is the server process's resident set (VmRSS in /proc/<pid>/status),
 * so those tests run on Linux only.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { CancellationTokenSource, Diagnostic, LSPErrorCodes, ResponseError, TextDocumentContentChangeEvent } from "vscode-languageserver-protocol/node";
import { applyChange, DEADLINE_MS, LspClient, positionAt, ROOT, SERVER, wholeRange } from "../lsp/harness";
import { Rng, seededRng } from "../fuzz/model-generator";
import { REPLAY, SEED } from "../fuzz/support";
import { LINUX, mb, memoryOf } from "./process-memory";

function example(name: string): string {
  return fs.readFileSync(path.join(ROOT, "examples", name), "utf8");
}

/** A random replacement of a short range, as LSP sends it; `text` is the document before it. */
function randomChange(r: Rng, text: string, snippets: readonly string[]): TextDocumentContentChangeEvent {
  const start = r.int(0, text.length);
  const end = Math.min(text.length, start + (r.bool(0.5) ? 0 : r.int(1, 12)));
  return { range: { start: positionAt(text, start), end: positionAt(text, end) }, text: r.bool(0.2) ? "" : r.pick(snippets) };
}

/**
 * What edits insert: tokens, brackets, non-ASCII text. Nothing that multiplies
 * layers (`repeat`, `in_channels` as a count): a version that expands to the
 * evaluator's limits takes seconds to analyse, and these tests are about
 * correctness and memory, not about that cost (see "expands to the evaluator's limits" below).
 */
const SNIPPETS = ["x", " ", "\n", "3", "0", "64", "conv 8, 3x3", "relu\n", "}", "{", "stride=2, ", "#", "residual {\n", "(", ")", ",", "dense 10\n", "é", "😀", "\t", "=", "-"];

describe("server resilience", () => {
  let client: LspClient;
  before(async () => {
    client = await LspClient.start();
  });
  after(async () => {
    await client?.stop();
  });

  /** The server still answers a plain hover on a plain document, correctly. */
  async function stillServes(): Promise<void> {
    const uri = "file:///resilience/check.cnn";
    const text = "model Check {\n  input 3x8x8\n  conv 4, 3\n}\n";
    await client.open(uri, text, 1);
    const hover = await client.hoverText(uri, { line: 2, character: 3 });
    assert.match(hover, /4 × \(3 × 3 × 3\) \+ 4 bias = 112/);
    await client.close(uri);
    assert.equal(client.exitCode, null, "the server is still running");
  }

  it("answers every request on unknown documents and impossible positions with an empty answer", async () => {
    const unknown = "file:///never/opened.cnn";
    const known = "file:///resilience/known.cnn";
    const text = example("resnet18.cnn");
    await client.open(known, text);
    await client.diagnosticsFor(known, 1);
    // Positions outside any text (the unknown document has none at all: {0, 0} too).
    const positions: unknown[] = [
      { line: 1e9, character: 0 },
      { line: 0, character: 1e9 },
      { line: -1, character: -1 },
      { line: 2 ** 53, character: 2 ** 53 },
      { line: 0.5, character: 0.5 },
      { line: "3", character: "4" },
      { line: null, character: null },
      {},
      null,
      "start",
      [0, 0],
    ];
    for (const uri of [unknown, known]) {
      for (const position of uri === unknown ? [{ line: 0, character: 0 }, ...positions] : positions) {
        const at = JSON.stringify(position);
        assert.equal(await client.request("textDocument/hover", { textDocument: { uri }, position }), null, `hover at ${at} of ${uri}`);
        assert.deepEqual(await client.request("textDocument/completion", { textDocument: { uri }, position }), [], `completion at ${at} of ${uri}`);
        const hints = await client.request<unknown[]>("textDocument/inlayHint", { textDocument: { uri }, range: { start: position, end: { line: 1e9, character: 0 } } });
        assert.ok(Array.isArray(hints), `inlay hints from ${at} of ${uri}`);
      }
      for (const range of [{ start: { line: 5, character: 0 }, end: { line: 2, character: 0 } }, { start: { line: 1e6, character: 0 }, end: { line: 1e7, character: 0 } }]) {
        assert.deepEqual(await client.request("textDocument/inlayHint", { textDocument: { uri }, range }), [], `an inverted or distant range of ${uri}`);
      }
    }
    for (const method of ["textDocument/documentSymbol", "textDocument/foldingRange"]) {
      assert.deepEqual(await client.request(method, { textDocument: { uri: unknown } }), [], method);
    }
    assert.deepEqual(await client.request("cnnLens/modelSummary", { uri: unknown }), { models: [] });
    await client.close(known);
    await stillServes();
  });

  it("answers malformed parameters and unknown methods without falling over", async () => {
    // (Numbers, strings and arrays are left out here: the client library refuses to send them; see the raw test below.)
    const bad: unknown[] = [null, { textDocument: null }, { textDocument: { uri: 42 } }, { textDocument: { uri: {} }, position: {} }, { textDocument: { uri: "file:///x.cnn" }, range: "all" }];
    for (const method of ["textDocument/hover", "textDocument/inlayHint", "textDocument/documentSymbol", "textDocument/foldingRange", "textDocument/completion", "cnnLens/modelSummary"]) {
      for (const params of bad) {
        // An answer rather than a crash or silence: a result, or a JSON-RPC error (InvalidParams for `null`).
        await client.request(method, params).catch((e: unknown) => assert.ok(e instanceof ResponseError, `${method} with ${JSON.stringify(params)}: ${e}`));
      }
    }
    await assert.rejects(client.request("cnnLens/noSuchRequest", {}), (e: unknown) => e instanceof ResponseError && e.code === -32601);
    // Notifications with nonsense: changes to documents never opened, closes of unknown ones, ranges past the end.
    await client.change("file:///never/opened.cnn", 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: "x" }]);
    await client.close("file:///never/opened.cnn");
    await client.connection.sendNotification("textDocument/didOpen", { textDocument: null });
    await client.connection.sendNotification("textDocument/didChange", { textDocument: { uri: 7 }, contentChanges: "nope" });
    await client.connection.sendNotification("workspace/didChangeConfiguration", { settings: { cnnLens: { inlayHints: "yes please" } } });
    await client.connection.sendNotification("$/cancelRequest", { id: "no such request" });
    await client.connection.sendNotification("$/cancelRequest", { id: 987654321 });
    const uri = "file:///resilience/past-the-end.cnn";
    const text = "model P {\n  input 8\n  dense 4\n}\n";
    await client.open(uri, text);
    await client.change(uri, 2, [{ range: { start: { line: 999, character: 999 }, end: { line: 1000, character: 0 } }, text: "\n# appended past the end\n" }]);
    const diagnostics = await client.diagnosticsFor(uri, 2);
    assert.deepEqual(diagnostics, [], "a change past the end is clamped to the end, as LSP says");
    await client.close(uri);
    await stillServes();
  });

  it(`ends a storm of 1,000 incremental edits, hovers interleaved, in exactly the diagnostics of a fresh open (${REPLAY})`, async () => {
    const r = seededRng(SEED);
    const uri = "file:///resilience/storm.cnn";
    let text = example("inception_v3.cnn");
    await client.open(uri, text);
    const pending: Promise<unknown>[] = [];
    let version = 1;
    for (let i = 0; i < 1000; i++) {
      const changes: TextDocumentContentChangeEvent[] = [];
      for (let k = r.int(1, 3); k > 0; k--) {
        const change = randomChange(r, text, SNIPPETS);
        changes.push(change);
        text = applyChange(text, change);
      }
      await client.change(uri, ++version, changes);
      if (i % 25 === 0) {
        const at = positionAt(text, r.int(0, text.length));
        pending.push(client.hover(uri, at), client.inlayHints(uri, wholeRange(text)));
      }
    }
    await Promise.all(pending);
    const afterStorm = await client.waitFor(() => client.diagnostics.find((d) => d.uri === uri && d.version === version)?.diagnostics, `diagnostics of version ${version}`, 30_000);
    const fresh = "file:///resilience/storm-fresh.cnn";
    await client.open(fresh, text);
    const expected = await client.diagnosticsFor(fresh, 1);
    const withUri = (ds: Diagnostic[], u: string) => JSON.parse(JSON.stringify(ds).split(u).join("URI"));
    assert.deepEqual(withUri(afterStorm, uri), withUri(expected, fresh), `the final text:\n${text}`);
    await client.close(uri);
    await client.close(fresh);
    await stillServes();
  });

  it("survives a storm of cancelled requests, and answers the next one correctly", async () => {
    const uri = "file:///resilience/cancel.cnn";
    const text = example("resnet50.cnn");
    await client.open(uri, text);
    await client.diagnosticsFor(uri, 1);
    const at = { line: text.split("\n").findIndex((l) => l.includes("conv1:")), character: 4 };
    const before = await client.hoverText(uri, at);
    assert.ok(before.length > 0);
    const requests: Promise<unknown>[] = [];
    let cancelled = 0;
    for (let i = 0; i < 300; i++) {
      const source = new CancellationTokenSource();
      const method = ["textDocument/hover", "textDocument/inlayHint", "textDocument/documentSymbol", "textDocument/foldingRange", "cnnLens/modelSummary"][i % 5];
      const params = method === "cnnLens/modelSummary" ? { uri } : { textDocument: { uri }, position: at, range: wholeRange(text) };
      const p = Promise.resolve(client.connection.sendRequest(method, params, source.token)).catch((e: unknown) => {
        assert.ok(e instanceof ResponseError && e.code === LSPErrorCodes.RequestCancelled, `${method} failed otherwise: ${e}`);
        cancelled++;
      });
      if (i % 3 === 0) source.cancel();
      else if (i % 3 === 1) void Promise.resolve().then(() => source.cancel());
      requests.push(p);
      // An edit now and then, so cancelled requests meet new versions.
      if (i % 50 === 49) await client.change(uri, 1 + (i + 1) / 50, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: "" }]);
    }
    await client.within(Promise.all(requests), "300 requests, answered or cancelled", 30_000);
    assert.ok(cancelled > 0, "some requests were answered as cancelled");
    assert.equal(await client.hoverText(uri, at), before);
    await client.close(uri);
    await stillServes();
  });

  it("stays up after a 1 MB random document, and serves the next request", async () => {
    const r = seededRng(SEED ^ 0x1234);
    const alphabet = ["{", "}", "(", ")", "\n", " ", "conv", "8", "3x3", ",", "=", "model", "M", "block", "b()", "repeat", "relu", "@", "é", "😀", "\u0000", "#", "-", "residual", "shortcut"];
    const parts: string[] = [];
    let length = 0;
    while (length < 1_000_000) {
      const p = r.pick(alphabet);
      parts.push(p);
      length += p.length;
    }
    const text = parts.join("");
    const uri = "file:///resilience/garbage.cnn";
    await client.open(uri, text);
    const diagnostics = await client.diagnosticsFor(uri, 1).catch(() => client.waitFor(() => client.diagnostics.find((d) => d.uri === uri)?.diagnostics, "diagnostics of 1 MB of garbage", 30_000));
    assert.ok(diagnostics.length > 0 && diagnostics.length < 5000, `${diagnostics.length} diagnostics`);
    for (let i = 0; i < 20; i++) {
      const at = positionAt(text, r.int(0, text.length));
      await client.hover(uri, at);
      await client.completion(uri, at);
    }
    await client.within(client.inlayHints(uri, wholeRange(text)), "inlay hints of 1 MB of garbage", 30_000);
    await client.documentSymbols(uri);
    await client.foldingRanges(uri);
    await client.close(uri);
    await stillServes();
  });
});

describe("the protocol itself, garbled", () => {
  it("skips frames that are not JSON-RPC, answers the rest, and stays up", async () => {
    const child = spawn(process.execPath, [SERVER, "--stdio"], { stdio: ["pipe", "pipe", "pipe"] });
    try {
      let out = "";
      const answers = new Map<unknown, { result?: unknown; error?: { code: number } }>();
      const frames: string[] = [];
      child.stdout!.on("data", (d) => {
        out += String(d);
        for (;;) {
          const m = /^Content-Length: (\d+)\r\n\r\n/.exec(out);
          if (!m || Buffer.byteLength(out.slice(m[0].length)) < Number(m[1])) break;
          const body = Buffer.from(out.slice(m[0].length)).subarray(0, Number(m[1])).toString();
          out = out.slice(m[0].length + body.length);
          frames.push(body);
          const msg = JSON.parse(body);
          if ("id" in msg && ("result" in msg || "error" in msg)) answers.set(msg.id, msg);
        }
      });
      const send = (body: string) => child.stdin!.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      const request = (id: number, method: string, params: unknown) => send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
      request(1, "initialize", { processId: null, rootUri: null, capabilities: {} });
      send("{this is not JSON");
      send(JSON.stringify([1, 2, 3]));
      send(JSON.stringify({ jsonrpc: "2.0" }));
      send("null");
      request(2, "textDocument/hover", 17);
      request(3, "textDocument/inlayHint", "all of it");
      request(4, "textDocument/documentSymbol", [1, 2]);
      request(5, "no/such/method", {});
      send(JSON.stringify({ jsonrpc: "2.0", method: "textDocument/didOpen", params: { textDocument: { uri: "file:///raw.cnn", languageId: "cnn", version: 1, text: "model R {\n  input 3x8x8\n  conv 4, 3\n}\n" } } }));
      request(6, "textDocument/hover", { textDocument: { uri: "file:///raw.cnn" }, position: { line: 2, character: 3 } });
      const deadline = Date.now() + DEADLINE_MS;
      await new Promise<void>((resolve, reject) => {
        const check = () => {
          if (answers.has(6)) return resolve();
          if (child.exitCode !== null) return reject(new Error(`the server exited (${child.exitCode}); frames: ${frames.join("\n")}`));
          if (Date.now() > deadline) return reject(new Error(`no answer to the last request; frames: ${frames.join("\n")}`));
          child.stdout!.once("data", check);
          setTimeout(check, 100).unref();
        };
        check();
      });
      for (const id of [2, 3, 4]) assert.ok(answers.has(id), `request ${id} answered`);
      assert.equal(answers.get(5)?.error?.code, -32601, "an unknown method is MethodNotFound");
      assert.match(JSON.stringify(answers.get(6)?.result), /= 112/, "the last hover is right");
      assert.equal(child.exitCode, null, "still running");
    } finally {
      child.kill();
    }
  });
});

describe("server memory", { skip: !LINUX && "reads /proc/<pid>/status" }, () => {
  it("stays flat over a long editing session: 5,000 edits on resnet50.cnn", async (t) => {
    const client = await LspClient.start();
    try {
      const pid = client.process.pid!;
      const uri = "file:///memory/resnet50.cnn";
      const original = example("resnet50.cnn");
      let text = original;
      await client.open(uri, text);
      await client.diagnosticsFor(uri, 1);
      const r = seededRng(SEED ^ 0x5000);
      let version = 1;
      const samples: number[] = [];
      for (let i = 1; i <= 5000; i++) {
        // Typing and undoing: the text wanders from the original and comes back, so the file keeps its size.
        const change = i % 100 === 0 ? { text: original } : randomChange(r, text, SNIPPETS);
        text = applyChange(text, change);
        await client.change(uri, ++version, [change]);
        if (i % 10 === 0) {
          // Every tenth edit waits for its analysis and asks for hints and a hover, as an editor would.
          await client.diagnosticsFor(uri, version);
          await client.inlayHints(uri, { start: { line: 0, character: 0 }, end: { line: 60, character: 0 } });
          await client.hover(uri, positionAt(text, r.int(0, text.length)));
          // The client keeps every publish: let them go.
          client.diagnostics.length = 0;
        }
        if (i % 100 === 0) samples.push(memoryOf(pid).rss);
      }
      // A leak raises the floor: compare the medians of the second thousand edits (after warm-up) and the last.
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const warm = median(samples.slice(10, 20));
      const end = median(samples.slice(40, 50));
      const peak = memoryOf(pid).peak;
      t.diagnostic(`RSS median over edits 1,001-2,000 ${mb(warm)}, over edits 4,001-5,000 ${mb(end)}: growth ${mb(end - warm)}; peak ${mb(peak)}; every 500 edits: ${samples.filter((_, k) => k % 5 === 4).map((x) => x.toFixed(0)).join(", ")} MB`);
      // Generous: the server analyses at least 500 versions here, each retaining about 0.8 MB while current,
      // so keeping them all would add 400 MB. (Without a forced GC, V8 grows its heap lazily: a few MB.)
      assert.ok(end - warm < 40, `RSS grew by ${mb(end - warm)} over 3,000 edits after warm-up`);
    } finally {
      await client.stop();
    }
  });

  it("survives a 1 KB file that expands to the evaluator's limits, and reports the memory it took", async (t) => {
    const client = await LspClient.start();
    try {
      const pid = client.process.pid!;
      const idle = memoryOf(pid);
      // Blocks b0 … b30, each calling the next twice: 2^30 calls, cut at 300,000 layers.
      let text = "model Tree {\n  input 8x8x8\n  b0()\n}\n";
      for (let i = 0; i < 30; i++) text += `block b${i}() {\n  b${i + 1}()\n  b${i + 1}()\n}\n`;
      text += "block b30() {\n  conv 8, 3, padding=1\n}\n";
      const uri = "file:///memory/tree.cnn";
      const t0 = performance.now();
      await client.open(uri, text);
      const diagnostics = await client.waitFor(() => client.diagnostics.find((d) => d.uri === uri)?.diagnostics, "diagnostics of the call tree", 60_000);
      const ms = performance.now() - t0;
      assert.ok(diagnostics.some((d) => d.code === "expansion-too-large"));
      await client.close(uri);
      const after = memoryOf(pid);
      t.diagnostic(`idle ${mb(idle.rss)}; peak while analysing ${text.length} characters that expand to 300,000 layers: ${mb(after.peak)}; diagnostics after ${ms.toFixed(0)} ms`);
      await client.open("file:///memory/small.cnn", "model S {\n  input 3x8x8\n  conv 4, 3\n}\n");
      assert.match(await client.hoverText("file:///memory/small.cnn", { line: 2, character: 3 }), /= 112/);
    } finally {
      await client.stop();
    }
  });
});
