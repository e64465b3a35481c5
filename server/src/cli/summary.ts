/**
 * `cnn-lens summary`: per model, a table in the spirit of torchinfo and Keras'
 * `summary()` — each statement with its output shape, parameters, MACs and
 * share of the model — then the totals and every budget with its margin.
 * Counts are exact with thousands separators, followed by a short form.
 */
import { BudgetResult, formatBytes, formatExact, formatPercent, formatShape, formatShort, ModelAnalysis } from "../core";
import { lineColumn } from "./check";
import { AnalyzedFile } from "./source-file";
import { headerText, statementRows, StatementRow } from "./statement-rows";

/** The widest a name cell grows before it is cut with `…`. */
const MAX_NAME_WIDTH = 48;

/** The summary of every model in a file, as text ending in a newline. */
export function renderSummary(file: AnalyzedFile, depth: number): string {
  const { models } = file.analysis;
  if (models.length === 0) return `${file.path}: no models\n`;
  return models.map((m) => renderModel(file, m, depth)).join("\n");
}

/** `15470264320, "MACs"` → `15,470,264,320 (15.47 GMACs)`: exact, then short with two decimals and the unit. */
function exactAndShort(n: number, unit: string, digits = 2): string {
  if (Math.abs(n) < 1000) return `${formatExact(n)} ${unit}`;
  const m = /^(-?[\d.]+)([KMGTP]?)$/.exec(formatShort(n, digits));
  return `${formatExact(n)} (${m ? `${m[1]} ${m[2]}` : ""}${unit})`;
}

/** Bytes: `553,430,176 bytes (553.4 MB)`. */
function bytesText(n: number): string {
  return n < 1000 ? `${formatExact(n)} bytes` : `${formatExact(n)} bytes (${formatBytes(n)})`;
}

/** A parameter count: `138,357,544 (138.4M)`. */
function paramsText(n: number): string {
  return n < 1000 ? formatExact(n) : `${formatExact(n)} (${formatShort(n)})`;
}

function renderModel(file: AnalyzedFile, model: ModelAnalysis, depth: number): string {
  const out: string[] = [];
  const { line } = lineColumn(file.lines, model.decl.start);
  out.push(`Model: ${model.name || "(unnamed)"} (${file.path}:${line})`);
  const rows = statementRows(file, model, depth);
  out.push(...renderTable(rows, model));
  out.push(...renderTotals(model));
  out.push(...renderBudgets(file, model.budgets));
  return out.join("\n") + "\n";
}

/** MACs of a row: inference MACs, and aux-head MACs in parentheses (training only). */
function macsCell(r: StatementRow): string {
  if (r.auxMacs === 0) return formatExact(r.macs);
  if (r.macs === 0) return `(${formatExact(r.auxMacs)})`;
  return `${formatExact(r.macs)} (+${formatExact(r.auxMacs)})`;
}

function renderTable(rows: StatementRow[], model: ModelAnalysis): string[] {
  const header = ["Statement", "Output shape", "Params", "MACs", "Params %", "MACs %"];
  const right = [false, false, true, true, true, true];
  const name = (r: StatementRow) => cut("  ".repeat(r.depth - 1) + r.name, MAX_NAME_WIDTH);
  const cells = rows
    .filter((r) => r.kind !== "note")
    .map((r) => [
      name(r),
      formatShape(r.output),
      formatExact(r.params),
      macsCell(r),
      model.params && r.params ? formatPercent(r.params, model.params) : "",
      model.macs && r.macs ? formatPercent(r.macs, model.macs) : "",
    ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length), ...(i === 0 ? rows.map((r) => name(r).length) : [])));
  const line = (c: string[]) =>
    c
      .map((v, i) => (right[i] ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join("   ")
      .trimEnd();
  const rule = "─".repeat(widths.reduce((a, w) => a + w, 0) + 3 * (widths.length - 1));
  const out = [rule, line(header), rule];
  let i = 0;
  // A note (passes of a repeat counted without being listed) is written after the name, across the number columns.
  for (const r of rows) out.push(r.kind !== "note" ? line(cells[i++]) : `${name(r).padEnd(widths[0])}   ${r.note}`);
  out.push(rule);
  if (rows.some((r) => r.auxMacs > 0)) out.push("MACs in parentheses: aux heads, which run only in training and are left out of the totals.");
  return out;
}

function cut(s: string, width: number): string {
  return s.length <= width ? s : s.slice(0, width - 1) + "…";
}

function renderTotals(m: ModelAnalysis): string[] {
  const dtype = m.dtype;
  const items: [string, string][] = [
    ["Input", formatShape(m.input)],
    ["Output", formatShape(m.output)],
    ["Parameters (learnable)", paramsText(m.params)],
    ["Non-learnable parameters", m.nonLearnable ? `${paramsText(m.nonLearnable)}, BatchNorm running statistics` : "0"],
    [`Weight memory (${dtype})`, bytesText(m.weightBytes)],
    ["MACs (per sample)", exactAndShort(m.macs, "MACs")],
    ["FLOPs (2 × MACs)", exactAndShort(2 * m.macs, "FLOPs")],
    ["Peak activations", `${bytesText(m.peakActivationBytes)} at batch ${m.batch}, ${dtype}`],
  ];
  if (m.auxParams || m.auxMacs) {
    items.push(["Aux heads", `${paramsText(m.auxParams)} parameters, included above; ${exactAndShort(m.auxMacs, "MACs")} in training only, not in the MACs above`]);
  }
  const w = Math.max(...items.map(([k]) => k.length)) + 1;
  const out = items.map(([k, v]) => `${(k + ":").padEnd(w)}  ${v}`);
  if (m.layersTruncated) out.push("Some repeat passes were counted without being listed one by one (the repeat is too long to expand).");
  if (m.hasErrors) out.push("The model has errors: the totals cover only what could be analysed.");
  return out;
}

/** A metric's value with its unit. */
function metricText(metric: BudgetResult["metric"], n: number): string {
  switch (metric) {
    case "params":
      return paramsText(n);
    case "memory":
    case "activations":
      return bytesText(n);
    case "macs":
      return exactAndShort(n, "MACs");
    case "flops":
      return exactAndShort(n, "FLOPs");
  }
}

/** A margin: exact, in bytes for the byte metrics. */
function marginText(metric: BudgetResult["metric"], n: number): string {
  return metric === "memory" || metric === "activations" ? `${formatExact(n)} bytes` : formatExact(n);
}

function renderBudgets(file: AnalyzedFile, budgets: BudgetResult[]): string[] {
  if (budgets.length === 0) return [];
  const rows = budgets.map((b) => {
    const text = headerText(file.analysis.text, { start: b.stmt.start, headerEnd: b.stmt.end }).replace(/^budget\s+/, "");
    const margin = b.limit - b.value;
    const pct = b.limit > 0 ? ` (${formatPercent(Math.abs(margin), b.limit)})` : "";
    const verdict = b.ok ? `margin ${marginText(b.metric, margin)}${pct}` : margin === 0 ? "reaches the limit" : `over by ${marginText(b.metric, -margin)}${pct}`;
    return [text, b.ok ? "ok" : "BROKEN", `${metricText(b.metric, b.value)}, ${verdict}`];
  });
  const w0 = Math.max(...rows.map((r) => r[0].length));
  return ["Budgets:", ...rows.map((r) => `  ${r[0].padEnd(w0)}   ${r[1].padEnd(6)}   ${r[2]}`)];
}
