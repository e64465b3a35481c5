/**
 * The evaluator's limits, met head-on: huge repeats computed exactly without
 * expanding them, expansions that never settle, deep nesting of every kind,
 * long chains and trees of block calls, recursion, numbers beyond 2^53,
 * half-typed huge repeats, very long files and megabytes of garbage. Each one
 * must give an answer in bounded time (measured and printed), without a throw
 * or a stack overflow, with the right diagnostic code and a message in plain
 * words.
 *
 * Every analysis runs in a worker thread (analysis-worker.ts) with a deadline,
 * so a hang fails its test instead of stalling the run.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { after, describe, it, TestContext } from "node:test";
import { Worker } from "node:worker_threads";
import type { AnalysisSummary, WorkerAnswer } from "./analysis-worker";

/** Beyond this a case is a hang: the worker is stopped and the test fails. */
const DEADLINE_MS = 60_000;
/** Cases that must not expand anything (a repeat multiplied out, a literal, a half-typed line). */
const QUICK_MS = 1000;
/**
 * Cases that run into the evaluator's limits (300,000 layer instances, 1,000,000
 * statement runs): about a second on a 2-core machine; three for a loaded one.
 */
const LIMIT_MS = 3000;
/**
 * A binary tree of block calls reaches the limits through three statement runs
 * per layer, each run a call with its own scope, label and call chain: about
 * 2.5 s on this 2-core machine.
 */
const TREE_MS = 5000;
/** 10 MB of garbage: Chevrotain lexes about two million tokens a second here. */
const GARBAGE_MS = 15_000;

class AnalysisThread {
  private worker?: Worker;
  private next = 0;

  /** Analyses `text` in the worker; rejects when no answer comes within DEADLINE_MS. */
  analyze(text: string): Promise<AnalysisSummary> {
    this.worker ??= new Worker(path.join(__dirname, "analysis-worker.js"), { resourceLimits: { stackSizeMb: 1 } });
    const worker = this.worker;
    const id = this.next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        // The worker is stuck in the analysis: stop it; the next case starts a fresh one.
        void worker.terminate();
        this.worker = undefined;
        reject(new Error(`no answer within ${DEADLINE_MS} ms: the analysis hangs`));
      }, DEADLINE_MS);
      const onMessage = (m: WorkerAnswer) => {
        if (m.id !== id) return;
        cleanup();
        if ("error" in m) reject(new Error(`analyze threw: ${m.error}`));
        else resolve(m.summary);
      };
      const onError = (e: Error) => {
        cleanup();
        this.worker = undefined;
        reject(new Error(`the analysis worker died: ${e.stack ?? e}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onError);
      };
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.postMessage({ id, text });
    });
  }

  async stop(): Promise<void> {
    await this.worker?.terminate();
  }
}

const thread = new AnalysisThread();
after(() => thread.stop());

/** Analyses `text`, prints how long it took, and checks the bound and every message's wording. */
async function run(t: TestContext, text: string, boundMs: number): Promise<AnalysisSummary> {
  const s = await thread.analyze(text);
  t.diagnostic(`${s.ms.toFixed(0)} ms for ${s.textLength.toLocaleString("en")} characters, ${s.runs.toLocaleString("en")} statement runs, ${s.diagnostics.length} diagnostics`);
  assert.ok(s.ms < boundMs, `the analysis took ${s.ms.toFixed(0)} ms; the bound is ${boundMs} ms`);
  for (const d of s.diagnostics) {
    assert.ok(0 <= d.start && d.start <= d.end && d.end <= s.textLength, `range outside the text: ${JSON.stringify(d)}`);
    assert.notEqual(d.code, "internal-error", d.message);
    assertPlainWords(d.message);
  }
  return s;
}

/** A message a person can read: a sentence of reasonable length, no stack, no programming values. */
function assertPlainWords(message: string): void {
  assert.ok(message.length > 10 && message.length < 400, `message length ${message.length}: ${message}`);
  assert.ok(!/\bat .*\(.*:\d+:\d+\)|undefined|NaN|\[object|RangeError|TypeError|Infinity/.test(message), `not plain words: ${message}`);
}

/** The one diagnostic with `code` (failing if there is none), and that it is an error. */
function only(s: AnalysisSummary, code: string, fragment?: string | RegExp): AnalysisSummary["diagnostics"][number] {
  const found = s.diagnostics.filter((d) => d.code === code);
  assert.ok(found.length >= 1, `expected a ${code} diagnostic, got ${JSON.stringify(s.diagnostics.slice(0, 5))}`);
  if (fragment) assert.match(found[0].message, typeof fragment === "string" ? new RegExp(escape(fragment)) : fragment);
  return found[0];
}

function noErrors(s: AnalysisSummary): void {
  const errors = s.diagnostics.filter((d) => d.severity === "error");
  assert.deepEqual(errors, [], "no errors expected");
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Deterministic garbage of a given length. */
const GARBAGE: [string, (n: number) => string][] = [
  ["random printable ASCII", (n) => randomText(n, Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).concat(["\n"]))],
  ["random bytes read as UTF-8", (n) => Buffer.from(randomText(n, Array.from({ length: 256 }, (_, i) => String.fromCharCode(i))), "latin1").toString("utf8")],
  ["the language's own tokens, shuffled", (n) => randomText(n / 3, ["conv", "8", ",", "3x3", "{", "}", "(", ")", "repeat", "model", "M", "\n", "=", "relu", "block", "b", "input", "residual", "shortcut", "branch", " ", "if", "-", "let"]).slice(0, n)],
  ["brackets only", (n) => randomText(n, ["{", "}", "(", ")", "\n"])],
];

function randomText(n: number, alphabet: string[]): string {
  const out: string[] = [];
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out.push(alphabet[(s >>> 16) % alphabet.length]);
  }
  return out.join("");
}

const model = (input: string, body: string) => `model M {\n  input ${input}\n${body}\n}\n`;

// ---------------------------------------------------------------------------

describe("huge repeats are multiplied out, exactly, without expanding", () => {
  it("repeat 1000000000 { relu }", async (t) => {
    const s = await run(t, model("16x32x32", "  repeat 1000000000 { relu }"), QUICK_MS);
    noErrors(s);
    assert.deepEqual(s.models[0].output, [16, 32, 32]);
    assert.equal(s.models[0].params, 0);
    assert.ok(s.runs < 10, `${s.runs} statement runs`);
  });

  it("a billion passes of conv, batchnorm and relu: every count exact", async (t) => {
    const s = await run(t, model("16x32x32", "  repeat 1000000000 {\n    conv 16, 3, padding=1\n    batchnorm\n    relu\n  }"), QUICK_MS);
    noErrors(s);
    const m = s.models[0];
    // Per pass: conv 16·16·9 + 16 = 2,320 and batchnorm 32 parameters; 32 running statistics; 32·32·16·16·9 MACs.
    assert.equal(m.params, 2_352 * 1e9);
    assert.equal(m.nonLearnable, 32 * 1e9);
    assert.equal(m.macs, 2_359_296 * 1e9);
    assert.deepEqual(m.output, [16, 32, 32]);
    assert.equal(m.layersTruncated, true);
  });

  it("repeats of a billion nested three deep", async (t) => {
    const body = [
      "  repeat 1000 {",
      "    prelu",
      "    repeat 1000000 {",
      "      prelu",
      "      repeat 1000000000 { identity }",
      "      repeat 1000000 { prelu }",
      "    }",
      "  }",
      "  repeat 1000000000 { repeat 1000000000 { relu } }",
    ].join("\n");
    const s = await run(t, model("8x4x4", body), QUICK_MS);
    noErrors(s);
    // prelu: 1 parameter each; 10^3 + 10^3·10^6 + 10^3·10^6·10^6 of them.
    assert.equal(s.models[0].params, 1_000 + 1_000_000_000 + 1_000_000_000_000_000);
    assert.deepEqual(s.models[0].output, [8, 4, 4]);
  });

  it("an aux head inside a huge repeat: its parameters are multiplied out too", async (t) => {
    const s = await run(t, model("8", "  repeat 1000000 {\n    aux { dense 10 }\n    relu\n  }"), QUICK_MS);
    noErrors(s);
    assert.equal(s.models[0].params, 90 * 1e6);
    assert.equal(s.models[0].auxParams, 90 * 1e6);
    assert.equal(s.models[0].auxMacs, 80 * 1e6);
    assert.equal(s.models[0].macs, 0);
  });

  it("nested huge repeats of bodies without layers (let, if, an unknown layer) do not loop", async (t) => {
    for (const inner of ["let a = 1", "if true { }", "reluu", "foo()"]) {
      const s = await run(t, model("8x8", `  repeat 250000 { repeat 250000 { ${inner} } }\n  relu`), LIMIT_MS);
      assert.deepEqual(s.models[0].output, inner === "foo()" ? null : [8, 8], inner);
    }
  });
});

describe("expansions that never settle stop at the limit with one clear error", () => {
  it("repeat 99999999 { conv in_channels + 1, 1 }: the counts outgrow 2^53 or the layers the limit, quickly", async (t) => {
    const s = await run(t, model("16x32x32", "  repeat 99999999 { conv in_channels + 1, 1 }\n  relu"), LIMIT_MS);
    // The channels grow by one a pass: the summed parameters pass 2^53 after about 30,000 passes,
    // before the 300,000-layer limit; either is a clear error, and nothing after it is measured.
    const d = s.diagnostics.find((x) => x.code === "count-overflow" || x.code === "expansion-too-large");
    assert.ok(d, JSON.stringify(s.diagnostics));
    assert.match(d.message, /beyond 2\^53|more than 300,000 layers/);
    assert.equal(s.models[0].output, null);
  });

  it("repeat 99999999 { zeropad 1 }: expansion-too-large at 300,000 layers", async (t) => {
    const s = await run(t, model("1x1x1", "  repeat 99999999 { zeropad 1 }\n  relu"), LIMIT_MS);
    only(s, "expansion-too-large", "the file expands to more than 300,000 layers, too many to analyse");
    assert.equal(s.models[0].layers, 300_000);
    assert.equal(s.models[0].output, null);
  });

  it("a tree of block calls 30 deep (2^30 leaves) stops at the layer limit", async (t) => {
    const s = await run(t, callTree(30, "relu", true), TREE_MS);
    only(s, "expansion-too-large", "more than 300,000 layers");
  });

  it("a tree of block calls 30 deep without layers stops at the statement limit", async (t) => {
    const s = await run(t, callTree(30, "let a = 1", true), TREE_MS);
    only(s, "expansion-too-large", "more than 1,000,000 statement runs");
  });

  it("a tree of block calls 30 deep that no model calls is checked in bounded time, quietly", async (t) => {
    const s = await run(t, callTree(30, "relu", false), TREE_MS);
    assert.deepEqual(s.diagnostics, []);
  });
});

/** Blocks b0 … b(depth) where each calls the next twice; the last holds `leaf`. */
function callTree(depth: number, leaf: string, called: boolean): string {
  let s = called ? "model M {\n  input 8x8x8\n  b0()\n}\n" : "";
  for (let i = 0; i < depth; i++) s += `block b${i}() {\n  b${i + 1}()\n  b${i + 1}()\n}\n`;
  return s + `block b${depth}() {\n  ${leaf}\n}\n`;
}

describe("deep nesting: a clear error, never a stack overflow", () => {
  it("10,000 '{'", async (t) => {
    const s = await run(t, model("3x8x8", "  " + "{".repeat(10_000) + "\n  relu"), QUICK_MS);
    only(s, "nesting-too-deep", "nesting deeper than 64 levels of braces and parentheses is not analysed");
  });

  it("10,000 '{' closed again, in a repeat", async (t) => {
    // The 64 repeats kept double at every level: the expansion runs into the statement-run limit.
    const s = await run(t, model("3x8x8", "  repeat 2 " + "{ repeat 2 ".repeat(5_000) + "{ relu }" + " }".repeat(5_000) + "\n  relu"), LIMIT_MS);
    only(s, "nesting-too-deep", "nesting deeper than 64 levels");
  });

  it("10,000 '('", async (t) => {
    const s = await run(t, model("3x8x8", "  conv " + "(".repeat(10_000) + "8, 3"), QUICK_MS);
    only(s, "nesting-too-deep", "nesting deeper than 64 levels");
  });

  it("10,000 '(' closed again", async (t) => {
    const s = await run(t, model("3x8x8", "  conv " + "(".repeat(10_000) + "8" + ")".repeat(10_000) + ", 3\n  relu"), QUICK_MS);
    only(s, "nesting-too-deep", "nesting deeper than 64 levels");
    // The statements after it are still analysed.
    assert.ok(s.models[0].layers >= 1);
  });

  it("100,000 prefix minus signs: - - - ... 8 is 8", async (t) => {
    const s = await run(t, model("4", "  dense " + "- ".repeat(100_000) + "8"), LIMIT_MS);
    noErrors(s);
    assert.deepEqual(s.models[0].output, [8]);
  });

  it("100,001 prefix minus signs: a negative number of features, said in words", async (t) => {
    const s = await run(t, model("4", "  dense " + "- ".repeat(100_001) + "8"), LIMIT_MS);
    only(s, "invalid-value", "features must be at least 1, but it is -8");
  });

  it("100,000 'not': not not ... true", async (t) => {
    const s = await run(t, model("4", "  if " + "not ".repeat(100_000) + "true { dense 3 }"), LIMIT_MS);
    noErrors(s);
    assert.deepEqual(s.models[0].output, [3]);
  });

  it("a 100,000-term sum 1+1+...+1", async (t) => {
    const s = await run(t, model("4", "  dense " + Array(100_000).fill("1").join("+")), LIMIT_MS);
    noErrors(s);
    assert.deepEqual(s.models[0].output, [100_000]);
    assert.equal(s.models[0].params, 4 * 100_000 + 100_000);
  });

  it("a 100,000-term product and a chain of comparisons", async (t) => {
    const s = await run(t, model("4", "  dense " + Array(100_000).fill("1").join("*") + "\n  let b = " + Array(50_000).fill("1").join(" < ")), LIMIT_MS);
    assert.deepEqual(s.models[0].output, [1]);
  });
});

describe("block calls: depth limit and recursion", () => {
  it("a chain of 1,000 blocks: call-depth at 48, in bounded time", async (t) => {
    let text = "model M {\n  input 8x8x8\n  b0()\n}\n";
    for (let i = 0; i < 1000; i++) text += `block b${i}() {\n  ${i < 999 ? `b${i + 1}()` : "relu"}\n}\n`;
    const s = await run(t, text, LIMIT_MS);
    const d = only(s, "call-depth", "block calls are nested more than 48 deep here; the analysis stops expanding");
    assert.equal(text.slice(d.start, d.end), "b0()", "reported at the model's call");
  });

  it("direct recursion", async (t) => {
    const s = await run(t, "model M {\n  input 8\n  a()\n}\nblock a() {\n  dense 4\n  a()\n}\n", QUICK_MS);
    only(s, "recursive-block", "block 'a' calls itself (a → a); blocks may not be recursive");
  });

  it("indirect recursion through three blocks, never called", async (t) => {
    const s = await run(t, "block a() {\n  b()\n}\nblock b() {\n  c()\n}\nblock c() {\n  relu\n  a()\n}\n", QUICK_MS);
    only(s, "recursive-block", "block 'a' calls itself (a → b → c → a)");
    assert.equal(s.diagnostics.filter((d) => d.code === "recursive-block").length, 3);
  });

  it("indirect recursion, called from a model", async (t) => {
    const s = await run(t, "model M {\n  input 8x8\n  a(2)\n  relu\n}\nblock a(n) {\n  repeat n { b(n) }\n}\nblock b(n) {\n  a(n + 1)\n}\n", QUICK_MS);
    only(s, "recursive-block", /block '[ab]' calls itself/);
  });
});

describe("numbers beyond 2^53: count-overflow, never a rounded number", () => {
  it("conv 99999999999, 99999x99999 on a big input", async (t) => {
    const s = await run(t, model("3x999999x999999", "  conv 99999999999, 99999x99999\n  relu"), QUICK_MS);
    only(s, "count-overflow", "is beyond 2^53 (9,007,199,254,740,992) and cannot be counted exactly");
  });

  it("the literal 99999999999999999999", async (t) => {
    const text = model("16", "  dense 99999999999999999999");
    const s = await run(t, text, QUICK_MS);
    const d = only(s, "count-overflow", "beyond 2^53");
    assert.equal(text.slice(d.start, d.end), "99999999999999999999");
  });

  it("in a budget, a batch and a block argument: still count-overflow, and the model is analysed", async (t) => {
    const text = "model M {\n  input 16\n  budget params <= 99999999999999999999\n  batch 99999999999999999999\n  b(99999999999999999999)\n  dense 4\n}\nblock b(n) {\n  relu\n}\n";
    const s = await run(t, text, QUICK_MS);
    assert.equal(s.diagnostics.filter((d) => d.code === "count-overflow").length, 3, JSON.stringify(s.diagnostics));
    assert.equal(s.models[0].params, 68, "dense 16 → 4 is still measured");
  });

  it("a product of sizes beyond 2^53: flatten and dense", async (t) => {
    const s = await run(t, model("1000000x1000000x100000", "  flatten\n  dense 10"), QUICK_MS);
    only(s, "count-overflow", "beyond 2^53");
  });

  it("repeat 99999999999 { half-typed", async (t) => {
    for (const tail of ["", "\n", "\n    conv 8, 3", "\n    conv 8,", "\n    repeat 99999999999 {"]) {
      const s = await run(t, "model M {\n  input 3x8x8\n  repeat 99999999999 {" + tail, QUICK_MS);
      only(s, "syntax-error", /but found the end of the file/);
    }
  });
});

describe("large files", () => {
  it("40,000 statements: full, correct analysis", async (t) => {
    const lines = ["model Long {", "  input 16x32x32"];
    for (let i = 0; i < 10_000; i++) lines.push("  conv 16, 3, padding=1", "  batchnorm", "  relu", "  dropout 0.1");
    lines.push("}");
    const s = await run(t, lines.join("\n") + "\n", LIMIT_MS);
    noErrors(s);
    const m = s.models[0];
    assert.equal(m.layers, 40_000);
    assert.equal(m.layersWithoutShape, 0, "every layer has its shape");
    assert.deepEqual(m.layerShapes, ["16x32x32"]);
    assert.equal(m.params, 10_000 * 2_352);
    assert.equal(m.nonLearnable, 10_000 * 32);
    assert.equal(m.macs, 10_000 * 2_359_296);
  });

  it("40,000 statements in 4,000 blocks, each called once", async (t) => {
    const lines = ["model Calls {", "  input 16x8x8"];
    for (let i = 0; i < 4_000; i++) lines.push(`  unit${i}(16)`);
    lines.push("}");
    for (let i = 0; i < 4_000; i++) lines.push(`block unit${i}(c) {`, "  conv c, 3, padding=1", "  batchnorm", "  relu", "}");
    const s = await run(t, lines.join("\n") + "\n", LIMIT_MS);
    noErrors(s);
    assert.equal(s.models[0].layers, 12_000);
    assert.equal(s.models[0].layersWithoutShape, 0);
  });

  it("a script pasted after a model: 100 syntax errors, one line saying the rest is not read, the model still analysed", async (t) => {
    const script = Array.from({ length: 300 }, (_, i) => `def f${i}(x): return x[${i}] ** 2 + {'a': ${i}}`).join("\n");
    const s = await run(t, model("3x8x8", "  conv 4, 3") + script + "\n", QUICK_MS);
    const syntax = s.diagnostics.filter((d) => d.code === "syntax-error");
    assert.ok(syntax.length <= 102, `${syntax.length} syntax errors`);
    assert.ok(syntax.some((d) => /more than 100 syntax errors: the text from here on is not read/.test(d.message)));
    assert.deepEqual(s.models[0].output, [4, 6, 6]);
  });

  it("10,000 stray characters: the first 100 listed, and one line for the rest", async (t) => {
    const s = await run(t, model("3x8x8", "  conv 4, 3 " + "@ ".repeat(10_000)), QUICK_MS);
    const stray = s.diagnostics.filter((d) => d.code === "unexpected-character");
    assert.equal(stray.length, 101);
    assert.match(stray[100].message, /^9900 more places with unexpected characters from here on are not listed/);
  });

  for (const [kind, make] of GARBAGE) {
    it(`10 MB of garbage: ${kind}`, async (t) => {
      const text = make(10_000_000);
      const s = await run(t, text, GARBAGE_MS);
      // Hundreds of problems at most, not millions: the editor has to show them.
      assert.ok(s.diagnostics.length <= 3000, `${s.diagnostics.length} diagnostics`);
      assert.ok(s.diagnostics.length >= 1);
    });
  }
});
