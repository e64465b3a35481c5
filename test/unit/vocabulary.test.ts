/**
 * The editor assets and the docs agree with the language as implemented:
 * the TextMate grammar highlights exactly the lexer's keywords, the layer
 * table's kinds and aliases, the dtypes, budget metrics and functions; the
 * snippets expand to valid `.cnn`; docs/language.md lists every diagnostic code.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { analyze, CODES, DTYPES, FUNCTIONS, KEYWORDS, LAYER_NAMES, METRICS } from "../../server/src/core";

const ROOT = path.resolve(__dirname, "../../..");
const grammar = JSON.parse(fs.readFileSync(path.join(ROOT, "syntaxes/cnn.tmLanguage.json"), "utf8"));

/** The words of a repository entry whose match is one `\b(?:a|b|c)\b` alternation. */
function grammarWords(entry: string): string[] {
  const match: string | undefined = grammar.repository?.[entry]?.match;
  assert.ok(match, `the grammar has no repository entry '${entry}' with a match`);
  const m = /^\\b\(\?:([A-Za-z0-9_|]+)\)\\b$/.exec(match);
  assert.ok(m, `grammar entry '${entry}' is not a plain word alternation: ${match}`);
  return m[1].split("|");
}

const sorted = (xs: Iterable<string>) => [...xs].sort();

test("the grammar's keywords are the lexer's keywords", () => {
  assert.deepEqual(sorted(grammarWords("keywords")), sorted(KEYWORDS));
});

test("the grammar's layer kinds are the layer table's kinds and aliases", () => {
  assert.deepEqual(sorted(grammarWords("layer-kinds")), sorted(LAYER_NAMES));
});

test("the grammar's dtypes, budget metrics and functions are the evaluator's", () => {
  assert.deepEqual(sorted(grammarWords("dtypes")), sorted(Object.keys(DTYPES)));
  assert.deepEqual(sorted(grammarWords("budget-metrics")), sorted(METRICS));
  assert.deepEqual(sorted(grammarWords("functions")), sorted(FUNCTIONS));
});

/** A snippet body with each placeholder replaced by its default (the first choice of a choice). */
function expand(body: string[]): string {
  return body
    .join("\n")
    .replace(/\$\{\d+\|([^,|}]+)[^}]*\|\}/g, "$1")
    .replace(/\$\{\d+:([^}]*)\}/g, "$1")
    .replace(/\$\d+/g, "")
    .replace(/\t/g, "  ");
}

test("every snippet expands to .cnn without errors", () => {
  const snippets = JSON.parse(fs.readFileSync(path.join(ROOT, "snippets/cnn.json"), "utf8")) as Record<string, { prefix: string; body: string[] }>;
  assert.ok(Object.keys(snippets).length >= 8);
  for (const [name, s] of Object.entries(snippets)) {
    const text = expand(s.body);
    // Statement snippets go inside a model; model and block snippets stand alone.
    const standalone = /^\s*(model|block)\b/.test(text);
    const doc = standalone ? `${text}\n` : `model M {\n  input 64x32x32\n${text}\n}\n`;
    const uses = standalone && /^\s*block\s+(\w+)/.exec(text);
    const full = uses ? `${doc}model UsesIt {\n  input 64x32x32\n  ${uses[1]}(64)\n}\n` : doc;
    const errors = analyze(full).diagnostics.filter((d) => d.severity === "error");
    assert.deepEqual(
      errors.map((d) => `${d.code}: ${d.message}`),
      [],
      `snippet '${name}' (${s.prefix}) expands to text with errors:\n${full}`,
    );
  }
});

test("docs/language.md lists every diagnostic code", () => {
  const doc = fs.readFileSync(path.join(ROOT, "docs/language.md"), "utf8").split("## Diagnostic codes")[1] ?? "";
  const listed = [...doc.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual(sorted(listed), sorted(Object.keys(CODES)));
});
