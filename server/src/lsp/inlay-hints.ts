/**
 * Inlay hints: converts the range, asks the pure hint builder for that range only, converts back.
 * A client that can resolve tooltips (VS Code) gets labels first and each tooltip when it shows it.
 */
import { InlayHint, InlayHintKind, InlayHintParams, MarkupKind } from "vscode-languageserver";
import { DocumentAnalysis } from "./analysis-cache";
import { toPosition, toSpan } from "./convert";
import { computeHints, HintData } from "./ide/hints";
import { HintSettings } from "./settings";

/** What a hint carries to its resolve request: which document version, and where the hint sits. */
interface HintRef {
  uri: string;
  version: number;
  offset: number;
}

function toInlayHint(doc: DocumentAnalysis, h: HintData, data?: HintRef): InlayHint {
  return {
    position: toPosition(doc.lines, h.offset),
    label: h.label,
    kind: InlayHintKind.Type,
    paddingLeft: true,
    ...(h.tooltip !== undefined ? { tooltip: { kind: MarkupKind.Markdown, value: h.tooltip } } : {}),
    ...(data ? { data } : {}),
  };
}

/**
 * Hints for the requested range only; an empty list when the range lies outside the text or
 * the request was cancelled. With `deferTooltips`, tooltips are left for inlayHint/resolve.
 */
export function inlayHints(doc: DocumentAnalysis, params: InlayHintParams, settings: HintSettings, cancelled: () => boolean, deferTooltips = false): InlayHint[] {
  const span = toSpan(doc.lines, params.range);
  if (!span) return [];
  return computeHints(doc.analysis, span, settings, cancelled, !deferTooltips).map((h) =>
    toInlayHint(doc, h, deferTooltips ? { uri: doc.uri, version: doc.version, offset: h.offset } : undefined),
  );
}

/** The hint's reference, if it is one of ours. */
export function hintRef(hint: InlayHint): HintRef | undefined {
  const d = hint?.data as Partial<HintRef> | undefined;
  return d && typeof d.uri === "string" && typeof d.version === "number" && typeof d.offset === "number" ? (d as HintRef) : undefined;
}

/** Fills in the tooltip of a hint from `inlayHints(..., deferTooltips)`; the hint as it was when its document has moved on. */
export function resolveInlayHint(doc: DocumentAnalysis, hint: InlayHint, settings: HintSettings): InlayHint {
  const ref = hintRef(hint);
  if (!ref || ref.version !== doc.version) return hint;
  const found = computeHints(doc.analysis, { start: ref.offset, end: ref.offset }, settings).find((h) => h.offset === ref.offset);
  return found?.tooltip !== undefined ? { ...hint, tooltip: { kind: MarkupKind.Markdown, value: found.tooltip } } : hint;
}
