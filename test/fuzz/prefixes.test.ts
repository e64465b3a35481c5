/**
 * Every way of stopping halfway: the reference networks cut off at a point,
 * as a file looks while it is typed from top to bottom. Deterministic rather
 * than random, in two volumes:
 *
 * - EVERY_CHAR files: the prefix at every character (every truncation point);
 * - every other example: about PER_FILE prefixes at token boundaries, every
 *   k-th boundary from a start the seed picks, so successive runs cover
 *   different boundaries. (All boundaries of all 15 files take minutes.)
 *
 * Each prefix must satisfy analyzeRobustly's checks (support.ts).
 */
import { describe, it } from "node:test";
import { analyzeRobustly, examples, SEED, Tally } from "./support";

/** Checked at every character: residuals and shortcuts, if, defaults (resnet18); concat, branches, deconv (tiny_unet). */
export const EVERY_CHAR = ["resnet18.cnn", "tiny_unet.cnn"];
/** Token-boundary prefixes per other example. */
export const PER_FILE = 100;

/** Offsets where a token (or a run of one whitespace character, or a comment) starts, plus the end. */
function tokenBoundaries(text: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(/#[^\r\n]*|\r\n|\s|[A-Za-z_0-9.]+|[^\sA-Za-z_0-9.#]/g)) out.push(m.index!);
  out.push(text.length);
  return out;
}

describe("every prefix of the examples", () => {
  const all = examples();
  const tally = new Tally("prefixes");

  for (const { name, text } of all.filter((e) => EVERY_CHAR.includes(e.name))) {
    it(`${name}: at each of its ${text.length + 1} truncation points`, () => {
      for (let i = 0; i <= text.length; i++) analyzeRobustly(text.slice(0, i), tally, `${name} cut at offset ${i}`);
    });
  }

  for (const { name, text } of all.filter((e) => !EVERY_CHAR.includes(e.name))) {
    const boundaries = tokenBoundaries(text);
    const step = Math.max(1, Math.ceil(boundaries.length / PER_FILE));
    const first = Math.abs(SEED) % step;
    it(`${name}: ${step === 1 ? "every one" : `1 in ${step}`} of its ${boundaries.length} token boundaries (from number ${first})`, () => {
      for (let i = first; i < boundaries.length; i += step) analyzeRobustly(text.slice(0, boundaries[i]), tally, `${name} cut at offset ${boundaries[i]}`);
      // The whole file, always.
      analyzeRobustly(text, tally, name);
    });
  }

  it("report", (t) => {
    t.diagnostic(tally.summary());
  });
});
