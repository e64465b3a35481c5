/** Hover: converts the position, asks the pure hover builder, converts back. */
import { Hover, HoverParams, MarkupKind } from "vscode-languageserver";
import { DocumentAnalysis } from "./analysis-cache";
import { toOffset, toRange } from "./convert";
import { computeHover } from "./ide/hovers";

/** The hover at the request's position, or null when there is nothing there (or the position is outside the text). */
export function hover(doc: DocumentAnalysis, params: HoverParams): Hover | null {
  const offset = toOffset(doc.lines, params.position);
  if (offset === undefined) return null;
  const data = computeHover(doc.analysis, offset);
  if (!data) return null;
  return { contents: { kind: MarkupKind.Markdown, value: data.markdown }, range: toRange(doc.lines, data.span) };
}
