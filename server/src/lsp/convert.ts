/**
 * Conversions between the core's offsets and the protocol's positions and
 * ranges. Positions are zero-based lines and UTF-16 characters, as LSP counts
 * them by default and as the core's offsets count them.
 */
import { Position, Range } from "vscode-languageserver";
import { LineIndex } from "../core";

/** The LSP position of a core offset (clamped into the text). */
export function toPosition(lines: LineIndex, offset: number): Position {
  return lines.position(offset);
}

/** The LSP range of a core span. */
export function toRange(lines: LineIndex, span: { start: number; end: number }): Range {
  return { start: lines.position(span.start), end: lines.position(Math.max(span.start, span.end)) };
}

/**
 * The core offset of an LSP position, or undefined when the position lies
 * outside the text: a line past the last, a character past the end of its
 * line, or anything that is not a whole non-negative number. Requests at such
 * positions get an empty answer.
 */
export function toOffset(lines: LineIndex, position: Position | undefined | null): number | undefined {
  if (!position) return undefined;
  const { line, character } = position;
  const start = lines.offset(line, 0);
  if (start === undefined || !Number.isInteger(character) || character < 0) return undefined;
  if (character > lines.lineEnd(line) - start) return undefined;
  return start + character;
}

/** The offsets covered by an LSP range, clamped into the text; undefined when it does not meet the text. */
export function toSpan(lines: LineIndex, range: Range | undefined | null): { start: number; end: number } | undefined {
  if (!range) return { start: 0, end: lines.text.length };
  const clamp = (p: Position, atEnd: boolean): number | undefined => {
    if (!p || !Number.isInteger(p.line) || !Number.isInteger(p.character)) return undefined;
    if (p.line < 0) return 0;
    if (p.line >= lines.lineCount) return atEnd ? lines.text.length : undefined;
    const start = lines.offset(p.line, 0)!;
    return Math.min(start + Math.max(0, p.character), lines.lineEnd(p.line));
  };
  const start = clamp(range.start, false);
  const end = clamp(range.end, true);
  if (start === undefined || end === undefined || end < start) return undefined;
  return { start, end };
}
