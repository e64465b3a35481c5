/** Inlay hints: converts the range, asks the pure hint builder for that range only, converts back. */
import { InlayHint, InlayHintKind, InlayHintParams, MarkupKind } from "vscode-languageserver";
import { DocumentAnalysis } from "./analysis-cache";
import { toPosition, toSpan } from "./convert";
import { computeHints } from "./ide/hints";
import { HintSettings } from "./settings";

/** Hints for the requested range only; an empty list when the range lies outside the text or the request was cancelled. */
export function inlayHints(doc: DocumentAnalysis, params: InlayHintParams, settings: HintSettings, cancelled: () => boolean): InlayHint[] {
  const span = toSpan(doc.lines, params.range);
  if (!span) return [];
  return computeHints(doc.analysis, span, settings, cancelled).map((h) => ({
    position: toPosition(doc.lines, h.offset),
    label: h.label,
    kind: InlayHintKind.Type,
    paddingLeft: true,
    tooltip: { kind: MarkupKind.Markdown, value: h.tooltip },
  }));
}
