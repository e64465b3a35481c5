/**
 * What the language server may touch: it runs, and does all its work, under
 * Node's permission model with nothing but read access to its own bundle —
 * no other file, no child process, no worker. Documents reach it over LSP
 * only. (Node 20's permission model does not cover the network; that the
 * server opens no connection of its own is established by reading the code.)
 *
 * The controls at the end show that the sandbox is real: under the same
 * flags, reading any other file or starting a process fails.
 */
import "./use-bundled-server";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { LspClient, positionOf, ROOT, SERVER, wholeRange } from "../lsp/harness";

const BUNDLE = path.join(ROOT, "dist", "server.js");
const CLI = path.join(ROOT, "dist", "cli.js");
const SUPPORTED = process.allowedNodeEnvironmentFlags.has("--experimental-permission");
const skip = !SUPPORTED ? "this Node.js has no permission model" : !fs.existsSync(BUNDLE) ? "dist/server.js is not built (node scripts/bundle.mjs)" : false;

/** Read access to one file and nothing else: no writes, no child processes, no workers. */
const sandbox = (file: string) => `--experimental-permission --allow-fs-read=${file}`;

describe("the language server in a sandbox", { skip }, () => {
  it("serves diagnostics, hovers, hints, symbols, folding, completion and summaries with read access to its own bundle only", async () => {
    assert.equal(SERVER, BUNDLE, "the harness runs the bundle");
    const client = await LspClient.start({ env: { NODE_OPTIONS: sandbox(BUNDLE) } });
    try {
      const uri = "file:///sandbox/teach.cnn";
      const text = fs.readFileSync(path.join(ROOT, "test/lsp/fixtures/teach.cnn"), "utf8");
      await client.open(uri, text);
      const diagnostics = await client.diagnosticsFor(uri, 1);
      assert.ok(diagnostics.some((d) => d.code === "budget-exceeded"), JSON.stringify(diagnostics));
      assert.match(await client.hoverText(uri, positionOf(text, "conv1:")), /128 × \(64 × 3 × 3\) \+ 128 bias = 73,856/);
      assert.ok((await client.inlayHints(uri, wholeRange(text)))!.length > 5);
      assert.ok((await client.documentSymbols(uri))!.length >= 2);
      assert.ok((await client.foldingRanges(uri))!.length >= 2);
      const completion = await client.completion(uri, positionOf(text, "relu"));
      assert.ok(Array.isArray(completion) ? completion.length > 0 : completion!.items.length > 0);
      const summary = await client.request<{ models: { name: string }[] }>("cnnLens/modelSummary", { uri });
      assert.deepEqual(summary.models.map((m) => m.name), ["Teach"]);
      // An edit, and the examples, all the way through.
      await client.change(uri, 2, [{ range: { start: positionOf(text, "dense 10"), end: positionOf(text, "dense 10", 8) }, text: "dense 1000" }]);
      await client.diagnosticsFor(uri, 2);
      for (const name of fs.readdirSync(path.join(ROOT, "examples")).filter((f) => f.endsWith(".cnn"))) {
        const example = `file:///sandbox/${name}`;
        await client.open(example, fs.readFileSync(path.join(ROOT, "examples", name), "utf8"));
        const errors = (await client.diagnosticsFor(example, 1)).filter((d) => d.severity === 1);
        assert.deepEqual(errors, [], name);
      }
      assert.equal(client.exitCode, null);
      assert.doesNotMatch(client.stderr, /ERR_ACCESS_DENIED/);
    } finally {
      assert.equal(await client.stop(), 0);
    }
  });

  it("controls: the flags reach the process, and under them reading another file or starting a process is refused", () => {
    const env = { ...process.env, NODE_OPTIONS: sandbox(CLI) };
    const read = spawnSync(process.execPath, [CLI, "check", path.join(ROOT, "examples", "vgg16.cnn")], { env, encoding: "utf8" });
    // The CLI says in words what the permission model refused.
    assert.equal(read.status, 2);
    assert.match(read.stderr, /^cnn-lens: .*vgg16\.cnn: permission denied$/m);
    // The flags reach the server: denied its own bundle, it cannot even start.
    const denied = spawnSync(process.execPath, [BUNDLE, "--help"], { env: { ...process.env, NODE_OPTIONS: sandbox(path.join(ROOT, "package.json")) }, encoding: "utf8" });
    assert.notEqual(denied.status, 0);
    assert.match(denied.stderr, /ERR_ACCESS_DENIED/);
    const spawned = spawnSync(process.execPath, ["-e", "try { require('child_process').spawnSync('true'); console.log('spawned') } catch (e) { console.log(e.code) }"], { env: { ...process.env, NODE_OPTIONS: "--experimental-permission" }, encoding: "utf8" });
    assert.equal(spawned.stdout.trim(), "ERR_ACCESS_DENIED");
  });
});
