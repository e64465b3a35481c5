/**
 * The benchmark (`npm run bench`): measures what the issues set targets for and
 * prints a table for the README. Not a test: it reports, it does not assert.
 *
 *  - full analysis (parse, evaluate, shapes, counts) of examples/resnet101.cnn, warm;
 *  - generated flat models of 1,000 to 100,000 statements (cost per statement);
 *  - over real LSP with the bundled server (dist/server.js --stdio, started as
 *    the VS Code client starts it): didChange → publishDiagnostics on an
 *    unrolled ResNet-152, hover and inlay hints on resnet101 (warm), resident
 *    memory with the 100,000-statement file open, once the server is quiet,
 *    before and after two edits (this waits for the idle collections: ~45 s);
 *  - `cnn-lens summary examples/resnet101.cnn` against a bare `node -e 0`.
 *
 * Run after `npm run build`. CNN_LENS_BENCH_QUICK=1 uses fewer iterations.
 */
import { spawnSync } from "node:child_process";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as fs from "node:fs";
import * as path from "node:path";

process.env.CNN_LENS_SERVER ??= "dist/server.js";
// The harness reads CNN_LENS_SERVER when it is loaded, so load it after setting it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { LspClient, wholeRange, positionOf } = require("../test/lsp/harness") as typeof import("../test/lsp/harness");
import { unrolledResNet152 } from "../test/lsp/resnet152";
import { analyze } from "../server/src/core/analysis/analyze";
import { QUIET_MS, SHRINK_AFTER_MS, SHRINK_TRIES } from "../server/src/lsp/memory";

const ROOT = path.resolve(__dirname, "../..");
const QUICK = !!process.env.CNN_LENS_BENCH_QUICK;
const rows: [string, string, string][] = [];

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;

function report(what: string, figure: string, target: string): void {
  rows.push([what, figure, target]);
  console.log(`${what.padEnd(62)} ${figure.padEnd(30)} ${target}`);
}

/** A flat model of `n` statements: a repeating mix of conv, batchnorm, activation and dropout. */
export function generatedModel(n: number): string {
  const kinds = ["conv 64, 3x3, padding=1", "batchnorm", "relu", "conv 64, 1, bias=false", "dropout 0.1"];
  const lines = ["model Generated {", "  input 64x56x56"];
  for (let i = 0; i < n - 1; i++) lines.push("  " + kinds[i % kinds.length]);
  lines.push("}");
  return lines.join("\n") + "\n";
}

function timeAnalysis(text: string, runs: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    analyze(text);
    times.push(performance.now() - t0);
  }
  return times;
}

function benchCore(): void {
  const resnet101 = fs.readFileSync(path.join(ROOT, "examples/resnet101.cnn"), "utf8");
  timeAnalysis(resnet101, QUICK ? 50 : 300);
  const warm = timeAnalysis(resnet101, QUICK ? 200 : 2000);
  report("analysis of examples/resnet101.cnn (311 layers), warm", `p50 ${ms(percentile(warm, 50))}, p95 ${ms(percentile(warm, 95))}`, "p95 ≤ 2 ms");

  for (const n of [1_000, 10_000, 40_000, 100_000]) {
    const text = generatedModel(n);
    const runs = n >= 40_000 ? (QUICK ? 2 : 5) : QUICK ? 5 : 20;
    timeAnalysis(text, 2);
    const t = percentile(timeAnalysis(text, runs), 50);
    const target = n === 10_000 ? "≤ 30 ms" : n === 100_000 ? "≤ 300 ms" : n === 40_000 ? "well under 1 s" : "";
    report(`analysis of a generated ${n.toLocaleString("en-US")}-statement model (median)`, `${ms(t)} (${((1000 * t) / n).toFixed(2)} µs/statement)`, target);
  }

  // What an analysis keeps alive: the heap after a full collection, with and without one held.
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const text = generatedModel(100_000);
  gc();
  const before = process.memoryUsage().heapUsed;
  let held: ReturnType<typeof analyze> | undefined = analyze(text);
  gc();
  const retained = process.memoryUsage().heapUsed - before;
  report("heap an analysis of the 100,000-statement model keeps", `${(retained / 1e6).toFixed(0)} MB (${Math.round(retained / 100_000)} bytes/statement)`, "");
  held = undefined;
  void held;
}

/** The resident set of process `pid`, in MB (Linux). */
function rssOf(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN) / 1024;
}

/**
 * The resident set (MB) of `pid` once the server has been quiet long enough for all its idle collections
 * (server/src/lsp/memory.ts: the first after QUIET_MS, then up to SHRINK_TRIES more, SHRINK_AFTER_MS apart).
 */
async function settledRss(pid: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, QUIET_MS + SHRINK_TRIES * SHRINK_AFTER_MS + 1500));
  return rssOf(pid);
}

async function benchServer(): Promise<void> {
  // Declare what VS Code declares for inlay hints: tooltips are fetched when shown.
  const client = await LspClient.start({ capabilities: { textDocument: { inlayHint: { resolveSupport: { properties: ["tooltip"] } } } } });
  try {
    const idle = rssOf(client.process.pid!);
    // didChange → publishDiagnostics on an unrolled ResNet-152: alternate a stride between 2 and 1.
    const uri = "file:///bench/resnet152.cnn";
    let text = unrolledResNet152();
    let version = 1;
    await client.open(uri, text, version);
    await client.diagnosticsFor(uri, version);
    const at = text.indexOf("stride=2, padding=1, bias=false");
    const pos = positionOf(text, "stride=2, padding=1, bias=false", "stride=".length);
    const latencies: number[] = [];
    const edits = QUICK ? 100 : 500;
    for (let i = 0; i < edits; i++) {
      const digit = text[at + "stride=".length] === "2" ? "1" : "2";
      text = text.slice(0, at + "stride=".length) + digit + text.slice(at + "stride=".length + 1);
      version++;
      const t0 = performance.now();
      await client.change(uri, version, [{ range: { start: pos, end: { line: pos.line, character: pos.character + 1 } }, text: digit }]);
      await client.diagnosticsFor(uri, version);
      latencies.push(performance.now() - t0);
      client.diagnostics.length = 0;
    }
    report("didChange → publishDiagnostics, unrolled ResNet-152 (465 layers)", `p50 ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))}`, "p95 ≤ 20 ms");

    // Hover and inlay hints on resnet101.
    const r101 = fs.readFileSync(path.join(ROOT, "examples/resnet101.cnn"), "utf8");
    const u101 = "file:///bench/resnet101.cnn";
    await client.open(u101, r101, 1);
    await client.diagnosticsFor(u101, 1);
    const hoverAt = positionOf(r101, "conv1: conv", "conv1: ".length);
    const hovers: number[] = [];
    const hints: number[] = [];
    const range = wholeRange(r101);
    // Warm, as the analysis figures: the first few hundred requests run before V8 has optimised the handlers.
    const warmUp = QUICK ? 50 : 300;
    for (let i = 0; i < warmUp + (QUICK ? 100 : 1000); i++) {
      let t0 = performance.now();
      await client.hover(u101, hoverAt);
      if (i >= warmUp) hovers.push(performance.now() - t0);
      t0 = performance.now();
      await client.inlayHints(u101, range);
      if (i >= warmUp) hints.push(performance.now() - t0);
    }
    report("hover on a conv in resnet101 (round trip), warm", `p50 ${ms(percentile(hovers, 50))}, p95 ${ms(percentile(hovers, 95))}`, "p95 ≤ 2 ms");
    report("inlay hints for all of resnet101, tooltips resolved later (round trip), warm", `p50 ${ms(percentile(hints, 50))}, p95 ${ms(percentile(hints, 95))}`, "p95 ≤ 2 ms");

    // Resident memory with the 100,000-statement file open: right after the analysis, once the server has been
    // quiet long enough for its collections (server/src/lsp/memory.ts), and the same after two edits.
    const pid = client.process.pid!;
    const big = "file:///bench/generated-100k.cnn";
    await client.open(big, generatedModel(100_000), 1);
    await client.diagnosticsFor(big, 1);
    const open = rssOf(pid);
    const quiet = await settledRss(pid);
    for (const version of [2, 3]) {
      await client.change(big, version, [{ range: { start: { line: 2, character: 7 }, end: { line: 2, character: 9 } }, text: version === 2 ? "32" : "64" }]);
      await client.diagnosticsFor(big, version);
    }
    const edited = rssOf(pid);
    const quietAgain = await settledRss(pid);
    report("server resident memory, 100,000-statement file open, once quiet", `${quiet.toFixed(0)} MB (${open.toFixed(0)} MB right after opening)`, "≤ 100 MB");
    report("  the same after two edits", `${quietAgain.toFixed(0)} MB (${edited.toFixed(0)} MB right after them)`, "≤ 100 MB");
    report("  idle server, no document open", `${idle.toFixed(0)} MB`, "");
  } finally {
    await client.stop();
  }
}

function benchCli(): void {
  const runs = QUICK ? 10 : 30;
  const time = (cmd: string, args: string[]) => {
    const times: number[] = [];
    for (let i = 0; i < runs + 3; i++) {
      const t0 = performance.now();
      const r = spawnSync(cmd, args, { cwd: ROOT, stdio: "ignore" });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}`);
      if (i >= 3) times.push(performance.now() - t0);
    }
    return percentile(times, 50);
  };
  const bare = time(process.execPath, ["-e", "0"]);
  const cli = time(path.join(ROOT, "bin/cnn-lens"), ["summary", "examples/resnet101.cnn"]);
  report("`cnn-lens summary examples/resnet101.cnn` vs `node -e 0` (median)", `${ms(cli)} vs ${ms(bare)}: ${(cli / bare).toFixed(2)}×`, "≤ 1.5×");
}

async function main(): Promise<void> {
  console.log(`CNN Lens benchmark — Node ${process.version}, ${require("node:os").cpus().length} cores${QUICK ? " (quick)" : ""}\n`);
  benchCore();
  // The core's garbage is this process's, not the server's: collect it now, or the client's collections
  // would land in the server's round trips.
  (runInNewContext("gc") as () => void)();
  await benchServer();
  benchCli();
  console.log("\n| measure | figure | target |\n|---|---|---|");
  for (const [a, b, c] of rows) console.log(`| ${a} | ${b} | ${c} |`);
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
