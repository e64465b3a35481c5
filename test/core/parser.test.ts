/**
 * What the parser does to be fast on long files, checked against what it must
 * still give: statements written alike share one argument list yet each sees
 * its arguments at its own place, and its lookahead makes the same choices as
 * Chevrotain's.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { Alternation, createTokenInstance, EOF, IProduction, IToken, LLkLookaheadStrategy, NonTerminal, Option, Repetition, RepetitionMandatory, RepetitionMandatoryWithSeparator, RepetitionWithSeparator, Rule, TokenType } from "chevrotain";
import { analyze, ast, parse } from "../../server/src/core";
import { parser } from "../../server/src/core/syntax/parser";
import { FirstTokenLookahead } from "../../server/src/core/syntax/lookahead";
import * as T from "../../server/src/core/syntax/tokens";

type WithArgs = ast.LayerStatement | ast.CallStatement;

/** The layer and call statements of `text`, in order. */
function statements(text: string): WithArgs[] {
  const { file, problems } = parse(text);
  assert.deepEqual(problems, []);
  return file.statements.filter((s): s is WithArgs => s.kind === "layer" || s.kind === "call");
}

/** Each argument of `s` as its text, `key=value` parts and values read back from their spans. */
function placed(text: string, s: WithArgs): string[] {
  return s.args.map((a) => {
    const value = text.slice(a.value.start, a.value.end);
    if (a.nameSpan) assert.equal(text.slice(a.nameSpan.start, a.nameSpan.end), a.name);
    assert.equal(text.slice(a.start, a.end), a.name ? `${a.name}=${value}` : value);
    return text.slice(a.start, a.end);
  });
}

test("statements written alike share one argument list, and each sees it at its own place", () => {
  const text = [
    "block stage(c, k) {",
    "  conv c, k",
    "}",
    "model M {",
    "  input 8x32x32",
    "  stage(16, 3)",
    "  conv 16, 3", // first read by the call: read again quietly, and shared
    "  conv 16, 3x3, padding=1",
    "  relu; conv 16, 3x3, padding=1", // the same list after a `;`
    "  l: conv 16, 3x3, padding=1;", // labelled, and ended by `;`
    "  conv   16, 3x3, padding=1", // other spacing before the list: still the same text
    "  conv 16, 3x3,  padding=1", // other text: a list of its own
    "  dense 16, 3x3, padding=1 }", // another layer kind, the model's `}` right after
  ].join("\n");
  const [inBlock, call, conv3, a, relu, b, c, d, e, f] = statements(text);
  assert.equal(inBlock.kind, "layer");
  assert.deepEqual(relu.args, []);
  assert.equal(call.kind, "call");
  assert.equal(conv3.written, call.written);
  for (const s of [b, c, d, f]) assert.equal(s.written, a.written);
  assert.notEqual(e.written, a.written);
  assert.deepEqual(placed(text, call), ["16", "3"]);
  assert.deepEqual(placed(text, conv3), ["16", "3"]);
  for (const s of [a, b, c, d, f]) assert.deepEqual(placed(text, s), ["16", "3x3", "padding=1"]);
  assert.deepEqual(placed(text, e), ["16", "3x3", "padding=1"]);
  // The tuple's numbers too, and the name of each statement.
  const tuple = d.args[1].value;
  assert.ok(tuple.kind === "tuple");
  assert.deepEqual(
    tuple.items.map((x) => text.slice(x.start, x.end)),
    ["3", "3"],
  );
  for (const s of [inBlock, call, conv3, a, b, c, d, e, f]) assert.equal(text.slice(s.nameSpan.start, s.nameSpan.end), s.name);
  assert.equal(c.label?.name, "l");
});

test("a list shared by statements reports its problems at each of them", () => {
  const text = "model M {\n  input 3x8x8\n  conv 4, 3, padding=-1\n  conv 4, 3, padding=-1\n}\n";
  const diagnostics = analyze(text).diagnostics.filter((d) => d.severity === "error");
  const at = diagnostics.map((d) => text.slice(d.start, d.end));
  assert.equal(diagnostics.length, 2, JSON.stringify(diagnostics));
  assert.deepEqual(at, ["-1", "-1"]);
  assert.notEqual(diagnostics[0].start, diagnostics[1].start);
});

/** Every OR and OPTION/MANY/AT_LEAST_ONE of `rule`, with its occurrence index. */
function decisions(rule: Rule): { prod: IProduction & { idx: number }; type: "Alternation" | "Option" | "Repetition" | "RepetitionMandatory" | "RepetitionMandatoryWithSeparator" | "RepetitionWithSeparator" }[] {
  const found: ReturnType<typeof decisions> = [];
  const walk = (prods: IProduction[]) => {
    for (const p of prods) {
      if (p instanceof Alternation) found.push({ prod: p, type: "Alternation" });
      else if (p instanceof Option) found.push({ prod: p, type: "Option" });
      else if (p instanceof Repetition) found.push({ prod: p, type: "Repetition" });
      else if (p instanceof RepetitionMandatory) found.push({ prod: p, type: "RepetitionMandatory" });
      else if (p instanceof RepetitionMandatoryWithSeparator) found.push({ prod: p, type: "RepetitionMandatoryWithSeparator" });
      else if (p instanceof RepetitionWithSeparator) found.push({ prod: p, type: "RepetitionWithSeparator" });
      // A rule's own decisions are its own: do not follow a reference into another rule.
      if (!(p instanceof NonTerminal)) walk((p as { definition?: IProduction[] }).definition ?? []);
    }
  };
  walk(rule.definition);
  return found;
}

test("the lookahead chooses as Chevrotain's LL(3) does, for every decision and every three next tokens", () => {
  const kinds: TokenType[] = [...T.ALL_TOKENS.filter((t) => t !== T.WhiteSpace && t !== T.Comment), EOF];
  const tokens = kinds.map((k) => createTokenInstance(k, "x", 0, 0, NaN, NaN, NaN, NaN));
  const ours = new FirstTokenLookahead({ maxLookahead: 3 });
  const chevrotains = new LLkLookaheadStrategy({ maxLookahead: 3 });
  let compared = 0;
  let faster = 0;
  for (const rule of Object.values(parser.getGAstProductions())) {
    for (const { prod, type } of decisions(rule)) {
      const common = { prodOccurrence: prod.idx, rule, maxLookahead: 3, dynamicTokensEnabled: false };
      const [mine, theirs] =
        type === "Alternation"
          ? [ours, chevrotains].map((s) => s.buildLookaheadForAlternation({ ...common, hasPredicates: false }))
          : [ours, chevrotains].map((s) => s.buildLookaheadForOptional({ ...common, prodType: type }));
      if (mine.name.startsWith("byFirstToken")) faster++;
      const next: IToken[] = [];
      const reader = { LA_FAST: (k: number) => next[k - 1] };
      for (const t1 of tokens)
        for (const t2 of tokens)
          for (const t3 of tokens) {
            next[0] = t1;
            next[1] = t2;
            next[2] = t3;
            const a = (mine as (this: unknown) => unknown).call(reader);
            const b = (theirs as (this: unknown) => unknown).call(reader);
            if (a !== b) assert.fail(`${rule.name}, ${type} ${prod.idx}: ${a} where Chevrotain chooses ${b}, before ${[t1, t2, t3].map((t) => t.tokenType.name).join(" ")}`);
            compared++;
          }
    }
  }
  // The statement's choice among layers, calls and labels needs more than one token: it must be among those rebuilt.
  assert.ok(faster >= 1, "no decision uses the first-token lookup");
  assert.ok(compared > 1_000_000, `${compared} comparisons`);
});
