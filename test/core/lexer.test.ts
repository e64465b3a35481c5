/**
 * The hand-written scanner (`lex`) against the reference it replaced:
 * Chevrotain's lexer built from the token definitions, with the former
 * foreign-character blanking and layout rules (chevrotain-lexer.ts). For
 * every input both must give the same tokens (type, image, offsets, the same
 * TokenType objects and fields), comments and problems, in the same order:
 * on every `.cnn` file of the repository, on hand-picked edge cases, and on
 * random text from fast-check (seed and run counts as in the fuzz tests:
 * CNN_LENS_FUZZ_SEED, CNN_LENS_FUZZ_RUNS).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it, test } from "node:test";
import fc from "fast-check";
import type { IToken } from "chevrotain";
import { lex, MAX_CHARACTER_PROBLEMS, MAX_NESTING } from "../../server/src/core/syntax/lexer";
import * as T from "../../server/src/core/syntax/tokens";
import { params, REPLAY, runs, show } from "../fuzz/support";
import { referenceLex, ReferenceLexResult } from "./chevrotain-lexer";

const ROOT = path.resolve(__dirname, "../../..");

/** A token as the comparison sees it: every field Chevrotain's lexer sets. */
function plainToken(t: IToken) {
  return { type: t.tokenType.name, image: t.image, start: t.startOffset, end: t.endOffset, idx: t.tokenTypeIdx, keys: Object.keys(t).join(",") };
}

function plain(r: ReferenceLexResult) {
  return { tokens: r.tokens.map(plainToken), comments: r.comments.map(plainToken), problems: r.problems };
}

/** Fails, with the input, unless `lex(text)` is exactly what the reference gives. */
function checkSame(text: string, context = ""): void {
  const lexed = lex(text);
  const actual = { ...lexed, tokens: lexed.tokens.toArray() };
  const expected = referenceLex(text);
  const where = `${context ? context + ": " : ""}input ${show(text)}`;
  const a = plain(actual);
  const e = plain(expected);
  assert.deepEqual(a.problems, e.problems, `problems differ; ${where}`);
  assert.deepEqual(a.comments, e.comments, `comments differ; ${where}`);
  assert.deepEqual(a.tokens, e.tokens, `tokens differ; ${where}`);
  // The very TokenType objects of tokens.ts, which the parser matches.
  for (let i = 0; i < actual.tokens.length; i++) assert.ok(actual.tokens[i].tokenType === expected.tokens[i].tokenType, `token ${i}: not the TokenType of tokens.ts; ${where}`);
  for (const t of [...actual.tokens, ...actual.comments]) {
    assert.equal(t.tokenTypeIdx, t.tokenType.tokenTypeIdx);
    assert.equal(t.image, text.slice(t.startOffset, t.endOffset! + 1));
  }
}

/** Every `.cnn` file under examples/ and test/. */
function repositoryFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".cnn")) found.push(p);
    }
  };
  walk(path.join(ROOT, "examples"));
  walk(path.join(ROOT, "test"));
  return found.sort();
}

describe("lexer: the same as Chevrotain's", () => {
  test("on every .cnn file of the repository, and with its line breaks as \\r\\n and \\r", () => {
    const files = repositoryFiles();
    assert.ok(files.length >= 30, `only ${files.length} .cnn files found`);
    assert.ok(files.some((f) => f.includes(`fixtures${path.sep}syntax-forms.cnn`)));
    for (const f of files) {
      const text = fs.readFileSync(f, "utf8");
      const name = path.relative(ROOT, f);
      checkSame(text, name);
      checkSame(text.replace(/\n/g, "\r\n"), `${name} with \\r\\n`);
      checkSame(text.replace(/\n/g, "\r"), `${name} with \\r`);
    }
  });

  const EDGE_CASES: string[] = [
    "", " ", "\n", "\r\n", "\r", "\n\r", "\r\r\n\n", "\r\n\r\n\r", "a\rb", "a\r\nb\nc\rd",
    "1.", ".5", "1.5", "1.5.5", "1.5.5.5", "1..5", "..", ".", "a.b", "a1.5", "x1.5", "3x3.5", "1x2.5.6", "_1.5",
    "3x", "3x3x", "3x3x3", "3x3a", "3x3_", "3x33", "3x3x4a", "3xx3", "3x.5", "0x3", "3x3 ", "3x3,", "3x3é", "1x2x3x4x5x6",
    "25M", "25Mx", "25M_", "25M1", "25Mé", "1.5G", "1.5Gx", "2T", "2Tb", "300K", "1.5", "1e9", "99999999999999999999",
    "1.5GiB", "1.5GiBx", "512KiB", "512KiBs", "20MB", "20MBs", "100B", "100Bx", "1KB", "1Ki", "1KiB_", "1KiBB", "1GB", "1MiB", "1.5B", "1.B", "1.5.B", "1Bé",
    "!", "!=", "!!=", "!!", "! =", "=!=", "a!b", "==", "===", "=", "<", "<=", "<==", ">", ">=", ">=>", "<>", "=<",
    "models", "model", "model_", "model1", "in_channels", "in_channelsx", "in", "in_", "iff", "if", "else", "elsewhere", "Model", "_", "__", "a_b_c",
    "café", "λ x", "ñ", "Ａ", "ｘ", "😀", "a😀b", "\ud800", "\udc00", "a\ud800", "\ud83d", "😀".repeat(30),
    "\u0000", "a\u0000b", "\u0000\u0000\u0000", "\u2028", "\u2029", "\u0085", "\u000b\u000c", "\t\tconv", "a\u00a0b", "\ufeffmodel M {}", "\u00a0\ufeff\u00a0",
    "#", "# c", "#comment at the end", "a # c", "# c\n", "# c\r\nx", "# c\rx", "#é😀\u0000", "x#y", "1#2", "#\n#\n", ". #", "é#é",
    "{", "}", "(", ")", "()", ")(", "(\n)", "(\n", "a (\n b,\n c)\nd", "f(\n{\n)", "(({\n))", "conv (8, 3\nrelu\n", "((\n)\n",
    "if x {\n} else {\n}", "if x {\n}\n\n\nelse {\n}", "residual {\n}\n\nshortcut {\n}", "model M\n{\n}", "\n\n\n{", "a\n\n\nb", "\n\nelse", "else\n\n",
    "{".repeat(MAX_NESTING + 6) + "}".repeat(MAX_NESTING + 6),
    "(".repeat(MAX_NESTING + 6) + ")".repeat(MAX_NESTING + 6),
    "{".repeat(MAX_NESTING) + "(x)" + "}".repeat(MAX_NESTING),
    "{".repeat(MAX_NESTING + 1) + "\n",
    "{".repeat(MAX_NESTING + 3) + "}".repeat(2) + "{(" + "}".repeat(MAX_NESTING),
    "model M {\n" + "repeat 2 {\n".repeat(80) + "relu\n" + "}\n".repeat(80) + "}\n",
    "({".repeat(70) + "})".repeat(70),
    "é".repeat(MAX_CHARACTER_PROBLEMS - 1).split("").join(" "),
    "é".repeat(MAX_CHARACTER_PROBLEMS).split("").join(" "),
    "é".repeat(MAX_CHARACTER_PROBLEMS + 1).split("").join(" "),
    "é".repeat(MAX_CHARACTER_PROBLEMS + 50).split("").join(" ") + "{".repeat(MAX_NESTING + 2),
    "1.5.5 ".repeat(MAX_CHARACTER_PROBLEMS + 5),
    "@ 1.5.5 ".repeat(MAX_CHARACTER_PROBLEMS / 2 + 5),
    "é".repeat(30), "@$?'\"\\`~^|[]&",
    "model M {\n  input 3x224x224\n  conv 64, 7, stride=2, padding=3 # stem\n  if in_channels >= 64 and not false {\n    dense 10\n  }\n}\n",
  ];

  test(`on ${EDGE_CASES.length} hand-picked edge cases`, () => {
    for (const text of EDGE_CASES) {
      checkSame(text, "edge case");
      checkSame(`model M {\n  ${text}\n}\n`, "edge case in a model");
    }
  });

  test("on binary data", () => {
    const bytes = Buffer.alloc(20_000);
    let x = 12345;
    for (let i = 0; i < bytes.length; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      bytes[i] = x >> 16;
    }
    checkSame(bytes.toString("latin1"), "binary as Latin-1");
    checkSame(bytes.toString("utf8"), "binary as UTF-8");
  });

  test("on a generated 2,000-statement model", () => {
    const kinds = ["conv 64, 3x3, padding=1", "batchnorm", "relu", "conv 64, 1, bias=false", "dropout 0.1", "b(8, min(2, 3))"];
    const lines = ["model Generated {", "  input 64x56x56"];
    for (let i = 0; i < 2000; i++) lines.push("  " + kinds[i % kinds.length]);
    lines.push("}");
    checkSame(lines.join("\n") + "\n", "generated model");
  });
});

/** Characters of the language and next to it, most of them often. */
const CHARS = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(..."abcegilmnorstx_ABGKMTBi") },
  { weight: 10, arbitrary: fc.constantFrom(..."0123456789x.") },
  { weight: 8, arbitrary: fc.constantFrom(..."{}(),:;=<>+-*/%#!.") },
  { weight: 8, arbitrary: fc.constantFrom(" ", " ", "\t", "\n", "\n", "\r", "\r\n", "\v", "\f", "\u00a0", "\ufeff") },
  { weight: 2, arbitrary: fc.constantFrom("é", "λ", "😀", "\ud800", "\udc00", "\u0000", "\u2028", "\u0085", "@", "$", "?", "'", '"', "\\", "[", "]", "ｘ") },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 3 }) },
);

/** Pieces of the language: keywords, near-keywords, numbers and their near misses, operators, comments. */
const PIECES = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...T.KEYWORDS, "models", "in_channelsx", "iff", "elsex", "conv", "relu", "x", "b", "Mx", "iB") },
  { weight: 4, arbitrary: fc.constantFrom("3x3", "3x", "3x3x", "64x56x56", "1.", ".5", "1.5", "25M", "25Mx", "1.5GiB", "512KiB", "20MB", "100B", "2T", "1K", "1Ki", "0.1", "9") },
  { weight: 3, arbitrary: fc.constantFrom("==", "!=", "<=", ">=", "!", "=", "<", ">", "{", "}", "(", ")", ",", ":", ";", "+", "-", "*", "/", "%", ".") },
  { weight: 3, arbitrary: fc.constantFrom(" ", "\n", "\r\n", "\r", "\t", "\n\n", "\u00a0") },
  { weight: 1, arbitrary: fc.constantFrom("# c", "#", "# é\n", "é", "😀", "\u0000", "@@") },
  { weight: 2, arbitrary: CHARS },
);

const RANDOM: [string, fc.Arbitrary<string>, number][] = [
  ["characters of the language", fc.string({ unit: CHARS, maxLength: 300, size: "medium" }), 3000],
  ["pieces of the language, run together", fc.array(PIECES, { maxLength: 200, size: "medium" }).map((ps) => ps.join("")), 3000],
  ["pieces of the language, spaced", fc.array(PIECES, { maxLength: 200, size: "medium" }).map((ps) => ps.join(" ")), 1000],
  ["deep brackets", fc.array(fc.constantFrom("{", "}", "(", ")", "\n", "else", "x", "{{{{{{{{", "((((((((", "}}}}}}}}", "))))))))"), { maxLength: 400, size: "medium" }).map((ps) => ps.join("")), 1000],
  ["many unexpected characters", fc.array(fc.constantFrom("é", " ", "x", "1.5.5", "!", "a.b", "\n", "😀"), { minLength: 150, maxLength: 800 }).map((ps) => ps.join("")), 300],
  ["random Unicode", fc.string({ unit: "binary", maxLength: 500, size: "medium" }), 1000],
  ["random UTF-16 code units", fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 500, size: "medium" }), 1000],
];

describe("lexer: the same as Chevrotain's on random text", () => {
  for (const [category, arb, count] of RANDOM) {
    it(`${category}: ${runs(count)} inputs`, (t) => {
      fc.assert(
        fc.property(arb, (text) => checkSame(text, category)),
        params(count),
      );
      t.diagnostic(REPLAY);
    });
  }
});

describe("lexer: block calls", () => {
  it("marks a name before '(' as a CallName unless it is a layer kind", () => {
    const types = (text: string) =>
      lex(text)
        .tokens.toArray()
        .filter((t) => t.tokenType === T.Identifier || t.tokenType === T.CallName)
        .map((t) => `${t.image}:${t.tokenType.name}`);
    assert.deepEqual(types("stage(64, 2)\ndense (n * 2)\nconv(8)\nlet y = max(a, b)\nx: stage (1)\nrelu"), [
      "stage:CallName",
      "dense:Identifier",
      "n:Identifier",
      "conv:Identifier",
      "y:Identifier",
      "max:CallName",
      "a:Identifier",
      "b:Identifier",
      "x:Identifier",
      "stage:CallName",
      "relu:Identifier",
    ]);
  });
});
