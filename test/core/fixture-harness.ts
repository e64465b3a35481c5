/**
 * The fixture harness: `.cnn` files with inline expectations, checked against
 * the real core (`analyze`), in the style of rust-analyzer's annotated tests.
 *
 * A fixture is an ordinary `.cnn` file. Expectations are `#` comments, so the
 * file stays valid `.cnn`:
 *
 *     conv 64, 3, padding=1
 *   # ^ 64x224x224 params=1,792 macs=86,704,128
 *
 * - A caret line (`#`, spaces, one or more `^`, then expectations) refers to
 *   the nearest line above it that is not itself a caret or `#!` line (it
 *   must be code, not a plain comment). The
 *   column of the first `^` points into that line; the statement checked is the
 *   innermost statement whose span covers that position.
 * - Statement keys: a bare shape (`64x56x56`, `10`, or `?` for unknown) is the
 *   output shape; `in=` the input shape; `params=`, `nonlearnable=`, `macs=`,
 *   `auxmacs=` the statement's counts (a compound statement's are the sum of
 *   what it contains); `rf=` and `stride=` the receptive field and effective
 *   stride of the last layer instance the statement made; `label=` that
 *   layer's dotted name; `calls=N` the number of occurrences (evaluations) of
 *   the statement; `occurrence=K` picks which one (1-based) the other keys
 *   read, the first by default. Numbers may have thousands commas.
 * - Diagnostic keys: `error[code]: fragment` (or `warning[...]`, `info[...]`)
 *   expects a diagnostic with that severity and code whose range overlaps the
 *   carets and whose message contains the fragment (the fragment is optional).
 *   Such carets may reach one column past the line's end: the line break.
 * - Model keys, on a `#!` line anywhere in a model body: `params=`,
 *   `nonlearnable=`, `macs=`, `auxparams=`, `auxmacs=`, `weight=` (bytes),
 *   `peak=` (peak activation bytes), `output=`, `input=`, `layers=` (layer
 *   instances), `dtype=`, `batch=`.
 * - A trailing `(todo: reason)` marks a known failure: the case runs but does
 *   not fail the suite.
 *
 * Every error and warning the analysis produces must be claimed by some
 * diagnostic expectation, so a fixture fails on unexpected errors; and every
 * diagnostic must have a range inside the document.
 */
import * as assert from "node:assert/strict";
import { analyze, Analysis, LineIndex, ModelAnalysis, Occurrence } from "../../server/src/core";
import type { Diagnostic } from "../../server/src/core";
import type { Statement } from "../../server/src/core/syntax/ast";

/** One checkable expectation of a fixture: a test case. */
export interface FixtureCase {
  /** A short name for the test runner: the line and the expectation as written. */
  name: string;
  /** One-based line of the expectation in the fixture. */
  line: number;
  /** Set when the case is a known failure. */
  todo?: string;
  /** Throws an AssertionError pointing at `file:line` when the expectation does not hold. */
  check(): void;
}

export interface Fixture {
  path: string;
  analysis: Analysis;
  cases: FixtureCase[];
}

interface DiagExpectation {
  line: number;
  severity: string;
  code: string;
  fragment: string;
  start: number;
  end: number;
  todo?: string;
}

const CARET_LINE = /^(\s*)#(\s*)(\^+)(.*)$/;
const MODEL_LINE = /^\s*#!(.*)$/;
const TODO = /\s*\(todo(?::\s*([^)]*))?\)\s*$/;
const DIAG = /^(error|warning|info)\[([a-z0-9-]+)\](?::\s*(.*))?$/;
const SHAPE = /^(\?|\d+(?:x\d+)*)$/;

const STATEMENT_KEYS = new Set(["in", "params", "nonlearnable", "macs", "auxmacs", "rf", "stride", "label", "calls", "occurrence"]);
const MODEL_KEYS = new Set(["params", "nonlearnable", "macs", "auxparams", "auxmacs", "weight", "peak", "output", "input", "layers", "dtype", "batch"]);
const NUMBER_KEYS = new Set(["params", "nonlearnable", "macs", "auxmacs", "auxparams", "calls", "occurrence", "weight", "peak", "layers", "batch"]);

const shapeText = (s: readonly number[] | null | undefined) => (s ? s.join("x") : "?");

/** `73,856` → 73856; throws on anything that is not a plain decimal number. */
function parseNumber(text: string, where: string): number {
  const clean = text.replace(/,/g, "");
  if (!/^-?\d+(\.\d+)?$/.test(clean)) throw new Error(`${where}: '${text}' is not a number`);
  return Number(clean);
}

function withCommas(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString("en-US") : String(n);
}

/** Splits `text` into lines, each with its start offset (lines end at \n, \r\n or \r). */
function splitLines(text: string): { text: string; start: number }[] {
  const out: { text: string; start: number }[] = [];
  const re = /\r\n|\r|\n/g;
  let start = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    out.push({ text: text.slice(start, m.index), start });
    start = m.index + m[0].length;
  }
  out.push({ text: text.slice(start), start });
  return out;
}

/** The innermost statement whose span covers `offset`. */
function statementAt(statements: readonly Statement[], offset: number): Statement | undefined {
  let best: Statement | undefined;
  for (const s of statements) {
    if (s.start <= offset && offset < s.end && (!best || s.end - s.start <= best.end - best.start)) best = s;
  }
  return best;
}

function describeDiag(text: string, index: LineIndex, path: string, d: Diagnostic): string {
  const p = index.position(d.start);
  return `${path}:${p.line + 1}:${p.character + 1}: ${d.severity}[${d.code}] on '${text.slice(d.start, d.end).slice(0, 40)}': ${d.message}`;
}

/** Reads a fixture's text, analyses it with the real core, and returns one case per expectation line. */
export function loadFixture(text: string, path: string): Fixture {
  const analysis = analyze(text);
  const index = new LineIndex(text);
  const lines = splitLines(text);
  const cases: FixtureCase[] = [];
  const diagExpectations: DiagExpectation[] = [];
  const at = (line: number) => `${path}:${line}`;
  const isAnnotation = (l: string) => CARET_LINE.test(l) || MODEL_LINE.test(l);

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].text;
    const lineNo = i + 1;
    const caret = CARET_LINE.exec(raw);
    const modelLine = caret ? null : MODEL_LINE.exec(raw);
    if (!caret && !modelLine) continue;
    let body = (caret ? caret[4] : modelLine![1]).trim();
    let todo: string | undefined;
    const t = TODO.exec(body);
    if (t) {
      todo = t[1]?.trim() || "known failure";
      body = body.slice(0, t.index).trim();
    }
    const name = `line ${lineNo}: ${caret ? caret[3] + " " : "#! "}${body}`;
    const bad = (message: string): void => {
      cases.push({ name, line: lineNo, check: () => assert.fail(`${at(lineNo)}: malformed expectation: ${message}`) });
    };

    if (modelLine) {
      const model = analysis.models.find((m) => m.decl.start <= lines[i].start && lines[i].start < m.decl.end);
      if (!model) {
        bad("a '#!' line must sit inside a model body");
        continue;
      }
      const expected = new Map<string, string>();
      let problem: string | undefined;
      for (const tok of body.split(/\s+/).filter(Boolean)) {
        const eq = tok.indexOf("=");
        const key = eq > 0 ? tok.slice(0, eq) : "";
        if (!MODEL_KEYS.has(key)) problem = `unknown model key in '${tok}' (keys: ${[...MODEL_KEYS].join(", ")})`;
        else expected.set(key, tok.slice(eq + 1));
      }
      if (problem || expected.size === 0) {
        bad(problem ?? "no expectations");
        continue;
      }
      cases.push({ name, line: lineNo, todo, check: () => checkModel(model, expected, at(lineNo)) });
      continue;
    }

    // A caret line: find the code line it points into.
    let target = i - 1;
    while (target >= 0 && isAnnotation(lines[target].text)) target--;
    const col = caret![1].length + 1 + caret![2].length;
    const width = caret![3].length;
    if (target < 0) {
      bad("no code line above the carets");
      continue;
    }
    const codeLine = lines[target];
    if (/^\s*#/.test(codeLine.text)) {
      bad(`the carets point into the comment on line ${target + 1}: put expectations right under the code they check`);
      continue;
    }
    const diag = DIAG.exec(body);
    // A diagnostic caret may sit just past the last character: it then points at the line break.
    if (col > codeLine.text.length || (!diag && col === codeLine.text.length)) {
      bad(`the caret at column ${col + 1} is past the end of line ${target + 1}`);
      continue;
    }
    const start = codeLine.start + col;
    const end = codeLine.start + Math.min(col + width, codeLine.text.length + 1);

    if (diag) {
      const exp: DiagExpectation = { line: lineNo, severity: diag[1], code: diag[2], fragment: (diag[3] ?? "").trim(), start, end, todo };
      diagExpectations.push(exp);
      cases.push({ name, line: lineNo, todo, check: () => checkDiagnostic(analysis, index, path, exp, target + 1) });
      continue;
    }

    const stmt = statementAt(analysis.file.statements, start);
    if (!stmt) {
      bad(`no statement under the caret on line ${target + 1}, column ${col + 1}`);
      continue;
    }
    const expected = new Map<string, string>();
    let problem: string | undefined;
    for (const tok of body.split(/\s+/).filter(Boolean)) {
      const eq = tok.indexOf("=");
      if (eq < 0) {
        if (SHAPE.test(tok)) expected.set("shape", tok);
        else problem = `'${tok}' is neither a shape nor key=value`;
        continue;
      }
      const key = tok.slice(0, eq);
      if (!STATEMENT_KEYS.has(key)) problem = `unknown key '${key}' (keys: ${[...STATEMENT_KEYS].join(", ")})`;
      else expected.set(key, tok.slice(eq + 1));
    }
    if (problem || expected.size === 0) {
      bad(problem ?? "no expectations");
      continue;
    }
    const where = `${at(lineNo)} (statement '${text.slice(stmt.start, Math.min(stmt.end, stmt.headerEnd)).split(/\r?\n/)[0].slice(0, 50)}' on line ${target + 1})`;
    cases.push({ name, line: lineNo, todo, check: () => checkStatement(analysis, stmt, expected, where) });
  }

  // Every error and warning must be expected; every range must lie inside the document.
  cases.push({
    name: "no unexpected errors or warnings",
    line: 0,
    check: () => {
      const problems: string[] = [];
      for (const d of analysis.diagnostics) {
        if (!(d.start >= 0 && d.start <= d.end && d.end <= text.length)) {
          problems.push(`range ${d.start}..${d.end} is outside the ${text.length}-character document: ${describeDiag(text, index, path, d)}`);
        }
        if (d.severity === "info") continue;
        const claimed = diagExpectations.some((e) => matches(e, d));
        if (!claimed) problems.push(`unexpected ${describeDiag(text, index, path, d)}`);
      }
      if (problems.length) assert.fail(problems.join("\n"));
    },
  });
  return { path, analysis, cases };
}

function overlaps(e: { start: number; end: number }, d: Diagnostic): boolean {
  if (d.start === d.end) return e.start <= d.start && d.start <= e.end;
  return d.start < e.end && d.end > e.start;
}

function matches(e: DiagExpectation, d: Diagnostic): boolean {
  return d.severity === e.severity && d.code === e.code && overlaps(e, d) && d.message.includes(e.fragment);
}

function checkDiagnostic(analysis: Analysis, index: LineIndex, path: string, e: DiagExpectation, codeLine: number): void {
  if (analysis.diagnostics.some((d) => matches(e, d))) return;
  const near = analysis.diagnostics.filter((d) => overlaps(e, d) || index.position(d.start).line + 1 === codeLine);
  const seen = near.length ? near.map((d) => "  " + describeDiag(analysis.text, index, path, d)).join("\n") : "  (no diagnostic on that line)";
  assert.fail(`${path}:${e.line}: expected ${e.severity}[${e.code}]${e.fragment ? ` containing '${e.fragment}'` : ""} over the carets on line ${codeLine}; found:\n${seen}`);
}

function checkStatement(analysis: Analysis, stmt: Statement, expected: Map<string, string>, where: string): void {
  const occs = analysis.occurrences.of(stmt);
  const failures: string[] = [];
  const compare = (key: string, actual: string, want: string) => {
    if (actual !== want) failures.push(`${key}: expected ${want}, got ${actual}`);
  };
  if (expected.has("calls")) compare("calls", String(occs.length), String(parseNumber(expected.get("calls")!, where)));
  const others = [...expected.keys()].filter((k) => k !== "calls" && k !== "occurrence");
  if (others.length) {
    const k = expected.has("occurrence") ? parseNumber(expected.get("occurrence")!, where) : 1;
    const occ: Occurrence | undefined = occs[k - 1];
    if (!occ) failures.push(`occurrence ${k} does not exist: the statement ran ${occs.length} time(s)`);
    else {
      const layer = occ.endLayer > occ.firstLayer ? occ.model.layers[occ.endLayer - 1] : undefined;
      for (const key of others) {
        const want = expected.get(key)!;
        switch (key) {
          case "shape":
            compare("shape", shapeText(occ.output), want);
            break;
          case "in":
            compare("in", shapeText(occ.input), want);
            break;
          case "params":
          case "nonlearnable":
          case "macs":
          case "auxmacs": {
            const field = ({ params: "params", nonlearnable: "nonLearnable", macs: "macs", auxmacs: "auxMacs" } as const)[key];
            compare(key, withCommas(occ[field]), withCommas(parseNumber(want, where)));
            break;
          }
          case "rf":
            compare("rf", layer ? shapeText(layer.receptiveField) : "(no layer)", want);
            break;
          case "stride":
            compare("stride", layer ? shapeText(layer.effectiveStride) : "(no layer)", want);
            break;
          case "label":
            compare("label", layer ? layer.label : "(no layer)", want);
            break;
        }
      }
    }
  }
  if (failures.length) assert.fail(`${where}:\n  ${failures.join("\n  ")}`);
}

function checkModel(model: ModelAnalysis, expected: Map<string, string>, where: string): void {
  const failures: string[] = [];
  const actual: Record<string, string> = {
    params: withCommas(model.params),
    nonlearnable: withCommas(model.nonLearnable),
    macs: withCommas(model.macs),
    auxparams: withCommas(model.auxParams),
    auxmacs: withCommas(model.auxMacs),
    weight: withCommas(model.weightBytes),
    peak: withCommas(model.peakActivationBytes),
    output: shapeText(model.output),
    input: shapeText(model.input),
    layers: withCommas(model.layers.length),
    dtype: model.dtype,
    batch: withCommas(model.batch),
  };
  for (const [key, raw] of expected) {
    const want = NUMBER_KEYS.has(key) ? withCommas(parseNumber(raw, where)) : raw;
    if (actual[key] !== want) failures.push(`${key}: expected ${want}, got ${actual[key]}`);
  }
  if (failures.length) assert.fail(`${where} (model ${model.name}):\n  ${failures.join("\n  ")}`);
}
