/**
 * `--json`: the analysis of every file as one JSON document, for scripts and CI.
 * Lines and columns are 1-based (columns in UTF-16 code units; `endColumn` is
 * the column just past the range). Shapes are arrays without the batch
 * dimension, or null where the analysis could not tell. MACs are per sample,
 * FLOPs are 2 × MACs, bytes are at the model's dtype.
 */
import { Diagnostic, LayerInstance, ModelAnalysis, Shape } from "../core";
import { lineColumn } from "./check";
import { AnalyzedFile } from "./source-file";

export interface JsonDiagnostic {
  severity: Diagnostic["severity"];
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  code: string;
  message: string;
  /** Other places the diagnostic refers to (the two sides of a mismatch, where a budget is first broken). */
  related?: { line: number; column: number; endLine: number; endColumn: number; message: string }[];
}

export interface JsonBudget {
  metric: string;
  limit: number;
  /** True for `<`, false for `<=`. */
  strict: boolean;
  value: number;
  ok: boolean;
  line: number;
}

export interface JsonLayer {
  /** PyTorch-style dotted name (`stage1.conv2`). */
  label: string;
  kind: string;
  line: number;
  input: Shape | null;
  output: Shape | null;
  params: number;
  nonLearnable: number;
  macs: number;
  /** Inside an aux head: its MACs are training-only and not in the model's `macs`. */
  aux: boolean;
  receptiveField: number[] | null;
  effectiveStride: number[] | null;
}

export interface JsonModel {
  name: string;
  line: number;
  input: Shape | null;
  output: Shape | null;
  params: number;
  nonLearnable: number;
  macs: number;
  flops: number;
  auxParams: number;
  auxMacs: number;
  weightBytes: number;
  peakActivationBytes: number;
  dtype: string;
  batch: number;
  hasErrors: boolean;
  budgets: JsonBudget[];
  /** Every layer instance in execution order: blocks and repeats expanded, aux heads included. */
  layers: JsonLayer[];
  /** True when a long repeat was counted without listing each pass, so `layers` lists fewer instances than run. */
  layersTruncated: boolean;
}

export interface JsonFile {
  path: string;
  diagnostics: JsonDiagnostic[];
  /** Absent for `check --json`. Files with errors still have their models, as far as they could be analysed. */
  models?: JsonModel[];
}

/** Diagnostics only (for `check --json`), or diagnostics and models. */
export function toJsonFile(file: AnalyzedFile, withModels: boolean): JsonFile {
  const at = (offset: number) => lineColumn(file.lines, offset);
  const range = (start: number, end: number) => {
    const s = at(start);
    const e = at(end);
    return { line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
  };
  const diagnostics = file.analysis.diagnostics.map((d): JsonDiagnostic => {
    const out: JsonDiagnostic = { severity: d.severity, ...range(d.start, d.end), code: d.code, message: d.message };
    if (d.related?.length) out.related = d.related.map((r) => ({ ...range(r.start, r.end), message: r.message }));
    return out;
  });
  const layer = (l: LayerInstance): JsonLayer => ({
    label: l.label,
    kind: l.kind,
    line: at(l.stmt.start).line,
    input: l.input,
    output: l.output,
    params: l.params,
    nonLearnable: l.nonLearnable,
    macs: l.macs,
    aux: l.aux,
    receptiveField: l.receptiveField,
    effectiveStride: l.effectiveStride,
  });
  const model = (m: ModelAnalysis): JsonModel => ({
    name: m.name,
    line: at(m.decl.start).line,
    input: m.input,
    output: m.output,
    params: m.params,
    nonLearnable: m.nonLearnable,
    macs: m.macs,
    flops: 2 * m.macs,
    auxParams: m.auxParams,
    auxMacs: m.auxMacs,
    weightBytes: m.weightBytes,
    peakActivationBytes: m.peakActivationBytes,
    dtype: m.dtype,
    batch: m.batch,
    hasErrors: m.hasErrors,
    budgets: m.budgets.map((b) => ({ metric: b.metric, limit: b.limit, strict: b.strict, value: b.value, ok: b.ok, line: at(b.stmt.start).line })),
    layers: m.layers.map(layer),
    layersTruncated: m.layersTruncated,
  });
  const out: JsonFile = { path: file.path, diagnostics };
  if (withModels) out.models = file.analysis.models.map(model);
  return out;
}

/**
 * The document as text: indented for people, but with shapes and other lists of
 * numbers kept on one line (`[64, 56, 56]`). JSON strings hold no raw newlines,
 * so only arrays laid out by the indentation can match.
 */
export function stringifyDocument(files: JsonFile[]): string {
  return JSON.stringify({ files }, null, 2).replace(/\[\n\s*(-?[\d.e+-]+(?:,\n\s*-?[\d.e+-]+)*)\n\s*\]/g, (_, items: string) => `[${items.split(/,\s*/).join(", ")}]`) + "\n";
}
