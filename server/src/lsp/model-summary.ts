/**
 * `cnnLens/modelSummary`: the totals of every model in a document, for the
 * client's status bar, and which model holds the cursor.
 */
import { Position, RequestType } from "vscode-languageserver";
import { DocumentAnalysis } from "./analysis-cache";
import { toOffset } from "./convert";

/** `position` is optional: without it, no model is marked active. */
export interface ModelSummaryParams {
  uri: string;
  position?: Position;
}

export interface ModelSummary {
  name: string;
  /** Learnable parameters, aux heads included. */
  params: number;
  /** Inference MACs per sample (FLOPs are twice this). */
  macs: number;
  /** Learnable parameters × bytes per value at the model's dtype. */
  weightBytes: number;
  /** Peak live activations of one inference, at the model's batch and dtype. */
  peakActivationBytes: number;
  dtype: string;
  hasErrors: boolean;
}

export interface ModelSummaryResult {
  models: ModelSummary[];
  /** Index into `models` of the model whose text holds `position`. */
  active?: number;
}

/** The request the VS Code client's status bar sends. */
export const ModelSummaryRequest = new RequestType<ModelSummaryParams, ModelSummaryResult, void>("cnnLens/modelSummary");

/** The answer for a document the server has not seen. */
export const EMPTY_SUMMARY: ModelSummaryResult = { models: [] };

/** Totals of every model in the document (exact integers), and the index of the one holding the position. */
export function modelSummary(doc: DocumentAnalysis, params: ModelSummaryParams): ModelSummaryResult {
  const models = doc.analysis.models.map((m) => ({
    name: m.name,
    params: m.params,
    macs: m.macs,
    weightBytes: m.weightBytes,
    peakActivationBytes: m.peakActivationBytes,
    dtype: m.dtype,
    hasErrors: m.hasErrors,
  }));
  const result: ModelSummaryResult = { models };
  const offset = params.position ? toOffset(doc.lines, params.position) : undefined;
  if (offset !== undefined) {
    const i = doc.analysis.models.findIndex((m) => m.decl.start <= offset && offset <= m.decl.end);
    if (i >= 0) result.active = i;
  }
  return result;
}
