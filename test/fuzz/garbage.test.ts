/**
 * Text that was never a `.cnn` file: random Unicode (astral characters
 * included), lone UTF-16 surrogates, random bytes decoded as UTF-8 and as
 * Latin-1, soups of the language's own tokens, and runs of brackets. Each
 * must satisfy analyzeRobustly's checks (support.ts).
 */
import { describe, it } from "node:test";
import fc from "fast-check";
import { analyzeRobustly, params, runs, Tally, VOCABULARY } from "./support";

/** Inputs per category and run (CNN_LENS_FUZZ_RUNS overrides). */
export const RUNS = 200;

const BRACKETS = ["{", "}", "(", ")", "\n", " ", "model M", "block b()", "repeat 2", "residual", "shortcut", "add", "concat", "branch", "if true", "else", "input 3x8x8", "conv 4, 3", "b()", ","];

const CATEGORIES: [string, fc.Arbitrary<string>][] = [
  ["random Unicode", fc.string({ unit: "binary", maxLength: 2000, size: "medium" })],
  ["lone surrogates and control characters", fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 2000, size: "medium" })],
  ["random bytes as UTF-8", fc.uint8Array({ maxLength: 4000, size: "medium" }).map((b) => Buffer.from(b).toString("utf8"))],
  ["random bytes as Latin-1", fc.uint8Array({ maxLength: 4000, size: "medium" }).map((b) => Buffer.from(b).toString("latin1"))],
  ["token soup", fc.array(fc.constantFrom(...VOCABULARY), { maxLength: 600, size: "medium" }).chain((ts) => fc.constantFrom(ts.join(" "), ts.join("")))],
  ["bracket soup", fc.array(fc.constantFrom(...BRACKETS), { maxLength: 800, size: "medium" }).map((ts) => ts.join(" "))],
];

/** Large inputs, fewer of them: error recovery that is quadratic in the length shows only here. */
const LARGE: [string, fc.Arbitrary<string>][] = [
  ["large token soup (30,000 to 60,000 tokens)", fc.array(fc.constantFrom(...VOCABULARY), { minLength: 30_000, maxLength: 60_000 }).map((ts) => ts.join(" "))],
  ["large random text (100 to 200 KB)", fc.string({ unit: "binary-ascii", minLength: 100_000, maxLength: 200_000 })],
];
/** One large input for every LARGE_SHARE small ones. */
const LARGE_SHARE = 20;

describe("garbage", () => {
  const large = Math.max(1, Math.round(runs(RUNS) / LARGE_SHARE));
  for (const [category, arb, count] of [...CATEGORIES.map(([c, a]) => [c, a, runs(RUNS)] as const), ...LARGE.map(([c, a]) => [c, a, large] as const)]) {
    const tally = new Tally(category);
    it(`${category}: ${count} inputs`, (t) => {
      fc.assert(
        fc.property(arb, (text) => {
          analyzeRobustly(text, tally, category);
        }),
        { ...params(count), numRuns: count },
      );
      t.diagnostic(tally.summary());
    });
  }
});
