/**
 * The reference networks, broken at random: characters and tokens deleted,
 * inserted, duplicated and swapped, lines dropped and doubled, numbers
 * replaced by extreme ones — one to six edits per input, as a file looks in
 * the middle of an edit. Each result must satisfy analyzeRobustly's checks.
 */
import { describe, it } from "node:test";
import fc from "fast-check";
import { analyzeRobustly, examples, params, runs, Tally } from "./support";
import { applyEdit, editArb } from "./edits";

/** Inputs per run (CNN_LENS_FUZZ_RUNS overrides). */
export const RUNS = 600;

describe("randomly edited examples", () => {
  const all = examples();
  const tally = new Tally("edited examples");

  it(`${runs(RUNS)} inputs of 1 to 6 random edits each, every one analysed robustly`, () => {
    fc.assert(
      fc.property(fc.nat({ max: all.length - 1 }), fc.array(editArb, { minLength: 1, maxLength: 6 }), (which, edits) => {
        const { name, text } = all[which];
        const edited = edits.reduce(applyEdit, text);
        analyzeRobustly(edited, tally, `${name} after ${JSON.stringify(edits)}`);
      }),
      params(RUNS),
    );
  });

  it("report", (t) => {
    t.diagnostic(tally.summary());
  });
});
