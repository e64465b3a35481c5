/**
 * Long bodies are parsed in pieces (parse.ts, PIECE_TOKENS): the result must be
 * the same as reading the file in one go — the same statements with the same
 * spans, the same syntax problems — whatever breaks the text.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parse, PIECE_TOKENS } from "../../server/src/core/syntax/parse";

/** A model long enough to be read in several pieces, with the given line spliced in every `every` lines. */
function longModel(extra: string, every: number): string {
  const kinds = ["conv 16, 3x3, padding=1", "batchnorm", "relu", "residual {\n    conv 16, 1\n  }", "dropout 0.1"];
  const lines = ["# a long model", "model Long {", "  input 16x32x32"];
  for (let i = 0; i < 3 * PIECE_TOKENS; i++) lines.push("  " + (i % every === every - 1 ? extra : kinds[i % kinds.length]));
  lines.push("}", "", "block unused(c) {", "  conv c, 3", "}");
  return lines.join("\n") + "\n";
}

function summary(text: string, pieces: boolean) {
  const r = parse(text, { pieces });
  return {
    models: r.file.models.map((m) => [m.name, m.start, m.end, m.body.length, m.doc]),
    blocks: r.file.blocks.map((b) => [b.name, b.start, b.end, b.body.length]),
    statements: r.file.statements.map((s) => [s.kind, s.start, s.end, s.headerEnd]),
    problems: r.problems.map((p) => [p.code, p.start, p.end, p.message]),
  };
}

const cases: [string, string, number][] = [
  ["a clean long model", "relu", 7],
  ["a syntax error every 500 lines", "conv 64,, ,", 500],
  ["two statements on one line", "relu relu", 333],
  ["an unclosed parenthesis", "conv (16, 3", 777],
  ["a stray closing brace", "relu }", 2000],
];

for (const [name, extra, every] of cases) {
  test(`read in pieces = read whole: ${name}`, () => {
    const text = longModel(extra, every);
    const whole = summary(text, false);
    // The first body alone is long enough to be read in several pieces.
    assert.ok(whole.models[0] && (whole.models[0][3] as number) > PIECE_TOKENS / 2, "the model is long enough to be read in pieces");
    assert.deepEqual(summary(text, true), whole);
  });
}
