/**
 * Inlay hints as plain data: where each hint goes (an offset), its short
 * label, and a markdown tooltip with the exact numbers. Pure: offsets in,
 * plain data out.
 *
 * Placement: at the end of a layer, block call or `repeat` statement; after
 * the `{` of a `residual`, `add`, `concat`, `scale` or `aux` header (the joined
 * result); at the end of a `budget` line (the value against the limit).
 * Clutter rules, as in rust-analyzer: a statement that keeps the shape and
 * adds nothing (activations, dropout) gets no hint unless `shapeKeeping` is on;
 * a statement evaluated several times shows one label when every evaluation
 * agrees, the distinct labels when there are a few, or a count otherwise.
 */
import { Analysis, ast, formatExact, formatPercent, formatShape, formatShort, Occurrence } from "../../core";
import { HintSettings } from "../settings";
import { enclosingRepeat } from "./locate";
import { exactMetric, groupBy, instanceOf, keepsShape, Outcome, outcomeKey, runsWord, shortMetric } from "./occurrences";

export interface HintData {
  /** Where the hint goes, as a core offset. */
  offset: number;
  label: string;
  /** Markdown, exact numbers; left out when asked for labels only (the client resolves tooltips later). */
  tooltip?: string;
}

/** At most this many distinct labels are listed (`→ 64×56×56 | 128×28×28`); beyond, a count. */
export const MAX_DISTINCT_LABELS = 3;

/**
 * Hints for the statements whose hint falls in [start, end]. `cancelled` is polled between
 * statements; `tooltips: false` leaves the tooltips out (most of the work and of the bytes).
 */
export function computeHints(analysis: Analysis, span: ast.Span, settings: HintSettings, cancelled: () => boolean = () => false, tooltips = true): HintData[] {
  const hints: HintData[] = [];
  for (const stmt of analysis.file.statements) {
    if (stmt.start > span.end) break;
    const offset = hintOffset(stmt);
    if (offset === undefined || offset < span.start || offset > span.end) continue;
    if (cancelled()) return [];
    const hint = stmt.kind === "budget" ? budgetHint(analysis, stmt, offset, tooltips) : statementHint(analysis, stmt, offset, settings, tooltips);
    if (hint) hints.push(hint);
  }
  // A repeat's hint sits after its closing brace, past its body's hints: keep the list in text order.
  return hints.sort((a, b) => a.offset - b.offset);
}

function hintOffset(s: ast.Statement): number | undefined {
  switch (s.kind) {
    case "layer":
    case "call":
    case "repeat":
    case "budget":
      return s.end;
    case "residual":
    case "add":
    case "concat":
    case "scale":
    case "aux":
      return s.headerEnd;
    default:
      return undefined;
  }
}

/** The label of one occurrence, without the arrow: `128×56×56 · 73.9K · 231.2M MACs`. */
function outcomeLabel(stmt: ast.Statement, o: Occurrence, settings: HintSettings): string {
  const parts: string[] = [];
  if (stmt.kind === "aux") {
    if (settings.shape) parts.push("aux head");
    if (settings.params && o.params) parts.push(formatShort(o.params));
    if (settings.macs && o.auxMacs) parts.push(`${formatShort(o.auxMacs)} MACs (training)`);
    return parts.join(" · ");
  }
  if (settings.shape) parts.push(formatShape(o.output));
  if (settings.params && o.params) parts.push(settings.shape ? formatShort(o.params) : `${formatShort(o.params)} params`);
  if (settings.macs && o.macs) parts.push(`${formatShort(o.macs)} MACs`);
  return parts.join(" · ");
}

function statementHint(analysis: Analysis, stmt: ast.Statement, offset: number, settings: HintSettings, tooltips: boolean): HintData | undefined {
  const all = analysis.occurrences.of(stmt);
  // An evaluation after an error has no shape; the diagnostic speaks for it.
  const occs = all.filter((o) => o.output !== null);
  if (occs.length === 0) return undefined;
  if (!settings.shapeKeeping && keepsShape(occs)) return undefined;
  const arrow = settings.shape && stmt.kind !== "aux" ? "→ " : "";
  // Group by the numbers first (cheap), then by the label shown: many evaluations, few outcomes.
  const outcomes = groupBy(occs, outcomeKey);
  const labels = [...new Set(outcomes.map((g) => outcomeLabel(stmt, g.first, settings)))];
  const models = new Set(outcomes.map((g) => g.first.model));
  let label: string;
  if (labels.length === 1) {
    const passes = passCount(analysis, stmt, all);
    label = labels[0] ? `${arrow}${labels[0]}${passes > 1 ? ` ×${passes}` : ""}` : "";
  } else if (labels.length <= MAX_DISTINCT_LABELS) {
    const shapes = new Set(outcomes.map((g) => formatShape(g.first.output)));
    const shape = formatShape(outcomes[0].first.output);
    // The same shape with different counts: say the shape once (`→ 64×35×35 · 12.4K | 16.5K`).
    if (arrow && shapes.size === 1 && labels.every((l) => l.startsWith(`${shape} · `))) {
      label = `${arrow}${shape} · ${labels.map((l) => l.slice(shape.length + 3)).join(" | ")}`;
    } else label = arrow + labels.join(" | ");
  } else {
    label = `×${occs.length} ${runsWord(occs)}`;
    const total = occs.reduce((sum, o) => sum + o.params, 0);
    // A sum over several models means nothing; over one, it is this line's share of the model.
    if (models.size > 1) label += ` in ${models.size} models`;
    else if (settings.params && total) label += ` · ${formatShort(total)} in all`;
  }
  if (settings.runningTotal && occs.length === 1) {
    label = label ? `${label} · Σ ${formatShort(occs[0].runningParams)}` : `Σ ${formatShort(occs[0].runningParams)}`;
  }
  if (!label) return undefined;
  return { offset, label, tooltip: tooltips ? statementTooltip(stmt, outcomes, occs.length) : undefined };
}

/**
 * How many passes each run of the innermost enclosing `repeat` makes of
 * `stmt`, when every run makes the same number; 1 outside a repeat, when runs
 * differ (a block called with n=50, then n=60), or when passes were multiplied
 * out rather than evaluated one by one. A block called several times with the
 * same result gets no count: the count is about repeats.
 */
function passCount(analysis: Analysis, stmt: ast.Statement, occs: readonly Occurrence[]): number {
  const repeat = enclosingRepeat(analysis.file, stmt);
  if (!repeat) return 1;
  const runs = analysis.occurrences.of(repeat);
  if (runs.length === 0 || occs.length % runs.length !== 0 || runs.some((r) => r.multipliedPasses !== undefined)) return 1;
  const per = occs.length / runs.length;
  // Both lists are in execution order: walk them together, counting each run's share by its layer range.
  let i = 0;
  for (const run of runs) {
    let n = 0;
    while (i < occs.length && occs[i].model === run.model && occs[i].firstLayer >= run.firstLayer && occs[i].endLayer <= run.endLayer && occs[i].endLayer > occs[i].firstLayer) {
      n++;
      i++;
    }
    // A statement that made no layers cannot be placed; trust the even share then.
    if (n === 0 && per > 0 && occs[i] && occs[i].endLayer === occs[i].firstLayer) return per;
    if (n !== per) return 1;
  }
  return per;
}

/** Exact numbers for the tooltip: one block per distinct outcome, with its count. */
function statementTooltip(stmt: ast.Statement, groups: Outcome[], total: number): string {
  const title = stmt.kind === "layer" ? `**${stmt.name}**` : stmt.kind === "call" ? `**${stmt.name}(…)**` : `**${stmt.kind}**`;
  const lines: string[] = [];
  const shown = groups.slice(0, 8);
  for (const g of shown) {
    const o = g.first;
    const name = stmt.kind === "layer" ? instanceOf(o)?.label : undefined;
    const head = `${title}${name ? ` \`${name}\`` : ""}${g.count > 1 ? ` ×${g.count}` : ""}`;
    lines.push(`${head}: \`${formatShape(o.input)} → ${formatShape(o.output)}\``);
    const facts = [`${formatExact(o.params)} parameters`];
    if (o.nonLearnable) facts.push(`${formatExact(o.nonLearnable)} non-learnable`);
    facts.push(`${formatExact(o.macs)} MACs`);
    if (o.auxMacs) facts.push(`${formatExact(o.auxMacs)} aux MACs (training only)`);
    if (total === 1) facts.push(`running total ${formatExact(o.runningParams)} parameters, ${formatExact(o.runningMacs)} MACs`);
    lines.push(`- ${facts.join(" · ")}`);
  }
  if (groups.length > shown.length) lines.push(`- … and ${groups.length - shown.length} more distinct outcomes`);
  return lines.join("\n\n");
}

function budgetHint(analysis: Analysis, stmt: ast.BudgetStatement, offset: number, tooltips: boolean): HintData | undefined {
  for (const m of analysis.models) {
    const b = m.budgets.find((r) => r.stmt === stmt);
    if (!b) continue;
    const label = `${shortMetric(b.metric, b.value)} of ${shortMetric(b.metric, b.limit)} (${formatPercent(b.value, b.limit)})`;
    const margin = b.limit - b.value;
    const verdict = b.ok ? `within the budget, ${exactMetric(b.metric, margin)} to spare` : `over the budget by ${exactMetric(b.metric, -margin)}`;
    const tooltip = `**budget ${b.metric}** of \`${m.name}\`: ${exactMetric(b.metric, b.value)} against a limit of ${exactMetric(b.metric, b.limit)}; ${verdict}`;
    return { offset, label, tooltip: tooltips ? tooltip : undefined };
  }
  return undefined;
}
