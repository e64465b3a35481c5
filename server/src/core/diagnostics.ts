/**
 * Diagnostics: what the analysis reports, with stable codes from one table.
 */
import { Span } from "./syntax/ast";

export type Severity = "error" | "warning" | "info";

/** Every diagnostic code, with what it means. Codes are stable: tools and tests match on them. */
export const CODES = {
  "unexpected-character": "a character that is not part of the language",
  "syntax-error": "text that does not follow the grammar",
  "nesting-too-deep": "braces, parentheses or operators nested too deeply to analyse",
  "unknown-layer": "a layer kind that does not exist",
  "unknown-block": "a call of a block that is not defined",
  "unknown-argument": "a keyword argument the layer or block does not take",
  "missing-argument": "a required argument is missing",
  "extra-argument": "more positional arguments than the layer or block takes",
  "duplicate-argument": "the same argument given twice",
  "wrong-type": "a value of the wrong type (a word where a number is needed, ...)",
  "not-whole-number": "a value that must be a whole number is not",
  "invalid-value": "a value out of range, or an expression that cannot be evaluated",
  "unknown-name": "a name that is not a parameter or `let` value in scope",
  "recursive-block": "a block that calls itself, directly or through others",
  "duplicate-definition": "two models, blocks or parameters with the same name",
  "reserved-name": "a block named like a layer kind or function",
  "misplaced-setting": "`input`, `dtype`, `batch` or `budget` outside a model's top level",
  "missing-input": "a model without `input` before its first layer",
  "rank-mismatch": "a tuple or input with the wrong number of dimensions",
  "needs-spatial-input": "a layer that needs C×L, C×H×W or C×D×H×W input got a flat vector",
  "needs-flat-input": "a layer that needs a flat vector (dense) got a spatial tensor",
  "size-too-small": "a spatial size that drops to zero or below",
  "groups-mismatch": "channels not divisible by groups",
  "pool-padding": "pool padding larger than half the window",
  "output-padding": "deconv output_padding not smaller than stride or dilation",
  "slice-range": "slice bounds outside the channels",
  "residual-mismatch": "a residual whose main path and shortcut give different shapes",
  "add-mismatch": "an add whose branches give different shapes",
  "concat-mismatch": "a concat whose branches differ in spatial size or rank",
  "scale-mismatch": "a scale whose body does not broadcast to its input",
  "call-depth": "block calls nested too deeply",
  "expansion-too-large": "a repeat or call that expands to too many layers to analyse",
  "count-overflow": "a count beyond 2^53 that cannot be kept exact",
  "budget-exceeded": "a budget the model breaks",
  "internal-error": "a fault in CNN Lens itself",
} as const;

export type Code = keyof typeof CODES;

export interface RelatedInfo extends Span {
  message: string;
}

export interface Diagnostic extends Span {
  severity: Severity;
  code: Code;
  message: string;
  related?: RelatedInfo[];
}
