/**
 * The server as a process: start-up over stdio and node-ipc, capabilities,
 * empty answers for unknown documents and positions outside the text, a
 * failing handler that is logged and answered while the server lives on,
 * cancellation, and a clean shutdown.
 */
import assert from "node:assert/strict";
import { fork, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import {
  CancellationTokenSource,
  createProtocolConnection,
  InitializeRequest,
  IPCMessageReader,
  IPCMessageWriter,
  LSPErrorCodes,
  MessageType,
  ResponseError,
  TextDocumentSyncKind,
} from "vscode-languageserver-protocol/node";
import { fixture, LspClient, positionOf, ROOT, SERVER, wholeRange } from "./harness";

describe("lifecycle", () => {
  let client: LspClient;
  const uri = "file:///lifecycle/teach.cnn";
  const text = fixture("teach.cnn");

  before(async () => {
    client = await LspClient.start();
    await client.open(uri, text);
    await client.diagnosticsFor(uri, 1);
  });
  after(async () => {
    await client?.stop();
  });

  it("advertises incremental sync and every feature", () => {
    const caps = client.initializeResult.capabilities;
    assert.deepEqual(caps.textDocumentSync, { openClose: true, change: TextDocumentSyncKind.Incremental });
    assert.equal(caps.hoverProvider, true);
    assert.deepEqual(caps.inlayHintProvider, { resolveProvider: true });
    assert.ok(caps.documentSymbolProvider);
    assert.equal(caps.foldingRangeProvider, true);
    assert.ok(caps.completionProvider);
    assert.equal(client.initializeResult.serverInfo?.name, "cnn-lens");
  });

  it("answers requests on a document it has not seen with empty answers", async () => {
    const unknown = "file:///never/opened.cnn";
    assert.equal(await client.hover(unknown, { line: 0, character: 0 }), null);
    assert.deepEqual(await client.inlayHints(unknown, { start: { line: 0, character: 0 }, end: { line: 10, character: 0 } }), []);
    assert.deepEqual(await client.documentSymbols(unknown), []);
    assert.deepEqual(await client.foldingRanges(unknown), []);
    assert.deepEqual(await client.completion(unknown, { line: 0, character: 0 }), []);
    assert.deepEqual(await client.request("cnnLens/modelSummary", { uri: unknown }), { models: [] });
  });

  it("answers positions outside the text with empty answers", async () => {
    const lines = text.split("\n");
    for (const position of [
      { line: 999, character: 0 },
      { line: lines.length, character: 0 },
      { line: 4, character: 999 },
      { line: -1, character: 0 },
      { line: 4, character: -3 },
      { line: 1.5, character: 0 },
    ]) {
      assert.equal(await client.hover(uri, position), null, `hover at ${JSON.stringify(position)}`);
      assert.deepEqual(await client.completion(uri, position), [], `completion at ${JSON.stringify(position)}`);
    }
    assert.deepEqual(await client.inlayHints(uri, { start: { line: 500, character: 0 }, end: { line: 600, character: 0 } }), []);
    // A range that starts in the text and runs past its end is clamped, not refused.
    const tail = await client.inlayHints(uri, { start: { line: 17, character: 0 }, end: { line: 900, character: 0 } });
    assert.equal(tail?.length, 3, "the three statements of block twice() from line 17 on (fc, and twice's two convs)");
  });

  it("answers malformed parameters with empty answers and stays up", async () => {
    assert.equal(await client.request("textDocument/hover", { textDocument: { uri }, position: null }), null);
    assert.equal(await client.request("textDocument/hover", { textDocument: { uri: 42 }, position: { line: 0, character: 0 } }), null);
    assert.equal(await client.request("textDocument/hover", {}), null);
    assert.deepEqual(await client.request("textDocument/inlayHint", { textDocument: { uri } }), await client.inlayHints(uri, wholeRange(text)));
    assert.ok(await client.hover(uri, positionOf(text, "conv1:")), "the server still answers");
  });

  it("answers a cancelled request as cancelled without computing it, and keeps serving", async () => {
    // A document whose analysis takes a while (30,000 convolutions): while the server works on it,
    // the next request and its cancellation arrive, so the cancellation is there before that request runs.
    const slow = "file:///lifecycle/slow.cnn";
    await client.open(slow, "model Slow {\n  input 8x16x16\n  repeat 30000 {\n    conv 8, 3x3, padding=1\n  }\n}\n");
    const busy = client.hover(slow, { line: 3, character: 5 });
    const source = new CancellationTokenSource();
    const pending = client.connection.sendRequest("textDocument/hover", { textDocument: { uri }, position: positionOf(text, "conv1:") }, source.token);
    source.cancel();
    await assert.rejects(Promise.resolve(pending), (e: unknown) => e instanceof ResponseError && e.code === LSPErrorCodes.RequestCancelled);
    assert.match(String(((await busy) as { contents: { value: string } }).contents.value), /\*\*Evaluated 30000 times\*\*/);
    assert.ok(await client.hover(uri, positionOf(text, "conv1:")), "the server still answers");
  });
});

describe("a failing handler", () => {
  it("is logged and answered with the empty answer; the server lives on", async () => {
    const client = await LspClient.start({ env: { CNN_LENS_FAULT: "textDocument/hover" } });
    try {
      const uri = "file:///fault/teach.cnn";
      const text = fixture("teach.cnn");
      await client.open(uri, text);
      assert.equal(await client.hover(uri, positionOf(text, "conv1:")), null);
      const logged = await client.waitFor(() => client.logs.find((l) => l.type === MessageType.Error && l.message.includes("textDocument/hover failed")), "the error log");
      assert.match(logged.message, /fault injected into textDocument\/hover/);
      // Everything else still works, and so does the next hover request (answered empty again).
      assert.equal((await client.diagnosticsFor(uri, 1)).length, 2);
      assert.ok((await client.inlayHints(uri, wholeRange(text)))!.length > 0);
      assert.equal(await client.hover(uri, positionOf(text, "fc:")), null);
      assert.equal(client.exitCode, null, "the server is still running");
    } finally {
      assert.equal(await client.stop(), 0);
    }
  });
});

describe("process", () => {
  it("exits 0 after shutdown and exit", async () => {
    const client = await LspClient.start();
    assert.equal(await client.stop(), 0);
  });

  it("refuses to start without a transport, printing its usage", () => {
    const r = spawnSync(process.execPath, [SERVER], { encoding: "utf8" });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /Usage: cnn-lens-server \(--stdio \| --node-ipc/);
    const help = spawnSync(process.execPath, [SERVER, "--help"], { encoding: "utf8" });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--node-ipc/);
  });

  it("speaks LSP over node-ipc, as the VS Code client starts it", async () => {
    const child = fork(SERVER, ["--node-ipc"], { stdio: ["ignore", "ignore", "pipe", "ipc"] });
    const connection = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    connection.listen();
    try {
      const init = await connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {} });
      assert.equal(init.capabilities.hoverProvider, true);
      const text = fixture("teach.cnn");
      await connection.sendNotification("textDocument/didOpen", { textDocument: { uri: "file:///ipc.cnn", languageId: "cnn", version: 1, text } });
      const hover = (await connection.sendRequest("textDocument/hover", { textDocument: { uri: "file:///ipc.cnn" }, position: positionOf(text, "conv1:") })) as {
        contents: { value: string };
      };
      assert.match(hover.contents.value, /128 × \(64 × 3 × 3\) \+ 128 bias = 73,856/);
      await connection.sendRequest("shutdown");
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      await connection.sendNotification("exit");
      assert.equal(await exited, 0);
    } finally {
      connection.dispose();
      child.kill();
    }
  });

  // The bundle is what `cnn-lens-server` runs; it exists after `node scripts/bundle.mjs`.
  const bundle = path.join(ROOT, "dist/server.js");
  it("runs as the bundled dist/server.js", { skip: !fs.existsSync(bundle) && "dist/server.js is not built (node scripts/bundle.mjs)" }, () => {
    assert.ok(fs.readFileSync(bundle, "utf8").startsWith("#!/usr/bin/env node"));
    const r = spawnSync(process.execPath, [bundle, "--help"], { encoding: "utf8" });
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Usage: cnn-lens-server/);
  });
});
