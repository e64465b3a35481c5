/**
 * Random edits of a text, as a file looks in the middle of an edit: characters
 * and tokens deleted, inserted, duplicated and swapped, lines dropped and
 * doubled, numbers replaced by extreme ones. Positions are taken modulo the
 * current text, so every edit applies to any text.
 */
import fc from "fast-check";
import { VOCABULARY } from "./support";

export type Edit = { kind: "deleteChar" | "insertChar" | "deleteToken" | "insertToken" | "copyToken" | "swapTokens" | "deleteLine" | "doubleLine" | "replaceNumber"; at: number; pick: number };

export const EDIT_KINDS = ["deleteChar", "insertChar", "deleteToken", "insertToken", "copyToken", "swapTokens", "deleteLine", "doubleLine", "replaceNumber"] as const;

export const editArb: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom(...EDIT_KINDS),
  at: fc.nat({ max: 1_000_000 }),
  pick: fc.nat({ max: 1_000_000 }),
});

/** Start offsets of tokens, as a rough tokenizer sees them (enough to cut at the right places). */
export function tokens(text: string): { start: number; end: number }[] {
  return [...text.matchAll(/#[^\r\n]*|\r\n|\s|[A-Za-z_0-9.]+|[^\sA-Za-z_0-9.#]/g)].map((m) => ({ start: m.index!, end: m.index! + m[0].length }));
}

const NUMBERS = ["0", "-3", "99999999999999999999", "9007199254740993", "0.333", "1/3", "1T", "65536", "2147483648", "4294967296x4294967296", "(0, 0)"];

/** Applies one edit; positions are taken modulo the current text, so every edit applies. */
export function applyEdit(text: string, e: Edit): string {
  const toks = tokens(text);
  const pick = <T>(xs: readonly T[]) => xs[e.pick % xs.length];
  switch (e.kind) {
    case "deleteChar": {
      if (!text) return text;
      const i = e.at % text.length;
      return text.slice(0, i) + text.slice(i + 1);
    }
    case "insertChar": {
      const i = e.at % (text.length + 1);
      const ch = pick(VOCABULARY.filter((v) => v.length <= 2));
      return text.slice(0, i) + ch[0] + text.slice(i);
    }
    case "deleteToken": {
      if (!toks.length) return text;
      const t = toks[e.at % toks.length];
      return text.slice(0, t.start) + text.slice(t.end);
    }
    case "insertToken": {
      const at = toks.length ? toks[e.at % toks.length].start : 0;
      return text.slice(0, at) + pick(VOCABULARY) + text.slice(at);
    }
    case "copyToken": {
      if (!toks.length) return text;
      const src = toks[e.pick % toks.length];
      const at = toks[e.at % toks.length].start;
      return text.slice(0, at) + text.slice(src.start, src.end) + text.slice(at);
    }
    case "swapTokens": {
      if (toks.length < 2) return text;
      const i = e.at % (toks.length - 1);
      const a = toks[i];
      const b = toks[i + 1];
      return text.slice(0, a.start) + text.slice(b.start, b.end) + text.slice(a.end, b.start) + text.slice(a.start, a.end) + text.slice(b.end);
    }
    case "deleteLine":
    case "doubleLine": {
      const lines = text.split("\n");
      const i = e.at % lines.length;
      if (e.kind === "deleteLine") lines.splice(i, 1);
      else lines.splice(i, 0, lines[i]);
      return lines.join("\n");
    }
    case "replaceNumber": {
      const nums = [...text.matchAll(/\d+(?:\.\d+)?(?:x\d+)*[A-Za-z]*/g)];
      if (!nums.length) return text;
      const m = nums[e.at % nums.length];
      return text.slice(0, m.index!) + pick(NUMBERS) + text.slice(m.index! + m[0].length);
    }
  }
}

