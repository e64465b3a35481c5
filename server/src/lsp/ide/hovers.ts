/**
 * Hover text as plain data (markdown and the span it is about). Hovers teach:
 * the formula filled in, the parameter arithmetic, exact numbers with
 * thousands separators, the share of the model, and the receptive field.
 * Pure: reads the core's analysis only.
 */
import {
  Analysis,
  ast,
  Explanation,
  findLayer,
  formatBytes,
  formatExact,
  formatPercent,
  formatShape,
  LayerInstance,
  LayerKind,
  ModelAnalysis,
  Occurrence,
  torchModule,
} from "../../core";
import { targetAt } from "./locate";
import { exactMetric, groupBy, instanceOf, Outcome, outcomeKey, runsWord } from "./occurrences";

/** Markdown, and the span of text it is about (highlighted by the editor). */
export interface HoverData {
  span: ast.Span;
  markdown: string;
}

/** How many distinct evaluations a hover lists before it summarises the rest. */
const MAX_LISTED = 10;
/** How many layers the model hover names as the heaviest. */
const TOP_LAYERS = 5;

/** The hover at `offset`, or undefined when there is nothing to say. */
export function computeHover(analysis: Analysis, offset: number): HoverData | undefined {
  const target = targetAt(analysis, offset);
  if (!target) return undefined;
  let markdown: string | undefined;
  if (target.kind === "model") markdown = modelHover(analysis, target.decl);
  else if (target.kind === "block") markdown = blockHover(analysis, target.decl);
  else {
    const s = target.stmt;
    switch (s.kind) {
      case "layer":
        markdown = layerHover(analysis, s);
        break;
      case "call":
        markdown = callHover(analysis, s);
        break;
      case "budget":
        markdown = budgetHover(analysis, s);
        break;
      case "input":
        markdown = inputHover(analysis, s);
        break;
      case "repeat":
      case "residual":
      case "add":
      case "concat":
      case "scale":
      case "aux":
        markdown = compoundHover(analysis, s);
        break;
      default:
        markdown = undefined;
    }
  }
  return markdown ? { span: target.span, markdown } : undefined;
}

// ---------------------------------------------------------------------------
// Small writers

const code = (s: string) => "`" + s.replace(/`/g, "'") + "`";
const shape = (s: readonly number[] | null) => formatShape(s);
const flops = (macs: number) => `${formatExact(macs)} MACs (${formatExact(2 * macs)} FLOPs)`;
const bytes = (n: number) => `${formatExact(n)} bytes (${formatBytes(n)})`;
/** Per-dimension sizes that may be fractions (effective stride after upsampling). */
const dims = (xs: readonly number[]) => xs.map((x) => formatExact(x)).join("×");
const list = (items: string[]) => items.map((i) => `- ${i}`).join("\n");
const source = (a: Analysis, span: ast.Span, max = 60) => {
  const text = a.text.slice(span.start, span.end).replace(/\s+/g, " ").trim();
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
};

function flowOf(o: Occurrence): string {
  return code(`${shape(o.input)} → ${shape(o.output)}`);
}

/** One line about one outcome: shapes, parameters, MACs, with its count when several agree. */
function outcomeLine(g: Outcome, extra = ""): string {
  const o = g.first;
  const count = g.count > 1 ? `×${g.count} ` : "";
  const parts = [`${formatExact(o.params)} params`];
  if (o.nonLearnable) parts.push(`${formatExact(o.nonLearnable)} non-learnable`);
  parts.push(`${formatExact(o.macs)} MACs`);
  if (o.auxMacs) parts.push(`${formatExact(o.auxMacs)} aux MACs`);
  return `${count}${flowOf(o)} · ${parts.join(" · ")}${extra}`;
}

/** Lists distinct outcomes, capped, with the number left out. */
function outcomeList(groups: Outcome[], extra: (g: Outcome) => string = () => ""): string {
  const lines = groups.slice(0, MAX_LISTED).map((g) => outcomeLine(g, extra(g)));
  if (groups.length > MAX_LISTED) lines.push(`… and ${groups.length - MAX_LISTED} more`);
  return list(lines);
}


/** Totals of one evaluation of a statement, with its share of the model. */
function costFacts(o: Occurrence): string[] {
  const m = o.model;
  const facts: string[] = [];
  facts.push(`**Parameters:** ${formatExact(o.params)}${o.nonLearnable ? ` learnable + ${formatExact(o.nonLearnable)} non-learnable` : ""}`);
  facts.push(`**Weights:** ${bytes(o.params * m.dtypeBytes)} at ${m.dtype}`);
  facts.push(`**MACs:** ${flops(o.macs)}${o.auxMacs ? ` + ${formatExact(o.auxMacs)} aux MACs (training only)` : ""}`);
  facts.push(`**Layers:** ${formatExact(o.endLayer - o.firstLayer)}`);
  facts.push(`**Running total:** ${formatExact(o.runningParams)} params · ${formatExact(o.runningMacs)} MACs`);
  facts.push(`**Share of ${code(m.name)}:** ${formatPercent(o.params, m.params)} of params · ${formatPercent(o.macs, m.macs)} of MACs`);
  return facts;
}

// ---------------------------------------------------------------------------
// Layers

const SPATIAL_NAMES: Record<number, string[]> = { 1: ["L"], 2: ["H", "W"], 3: ["D", "H", "W"] };
/** Layers whose shape formula is written once per spatial dimension. */
const PER_DIMENSION = new Set(["conv", "dwconv", "deconv", "maxpool", "avgpool", "upsample", "zeropad"]);

function layerHover(a: Analysis, s: ast.LayerStatement): string | undefined {
  const kind = findLayer(s.name);
  if (!kind) return undefined;
  const alias = kind.name !== s.name ? ` (${kind.name})` : "";
  const head = `**${s.name}**${alias} — ${kind.doc}`;
  const occs = a.occurrences.of(s);
  if (occs.length === 0) return [head, argumentDocs(kind), "_Not evaluated: no model reaches this statement with a known input._"].join("\n\n");
  const sections = [head];
  const first = occs[0];
  const inst = instanceOf(first);
  if (!inst) sections.push("_Not measured: the expansion limit was reached before this layer._");
  else sections.push(layerDetail(kind, inst, first, occs.length));
  if (occs.length > 1) {
    const outcomes = groupBy(occs, outcomeKey);
    sections.push(`**Evaluated ${occs.length} times** (${runsWord(occs)}):\n\n${outcomeList(outcomes, ((tag) => (g: Outcome) => tag(g) + labelsOf(g))(modelTag(occs)))}`);
  }
  return sections.join("\n\n");
}

/** ` in \`Model\`` when the occurrences span several models, so equal lines stay apart. */
function modelTag(occs: Occurrence[]): (g: Outcome) => string {
  const several = new Set(occs.map((o) => o.model)).size > 1;
  return (g) => (several ? ` in ${code(g.first.model.name)}` : "");
}

/** The instance labels of the occurrences in an outcome group, for the list. */
function labelsOf(g: Outcome): string {
  const labels = g.members.slice(0, 4).map((o) => instanceOf(o)?.label).filter((l): l is string => !!l);
  if (labels.length === 0) return "";
  return ` — ${labels.slice(0, 3).map(code).join(", ")}${g.members.length > 3 ? ", …" : ""}`;
}

function layerDetail(kind: LayerKind, inst: LayerInstance, o: Occurrence, total: number): string {
  const m = o.model;
  const where = `${code(inst.label)} in ${code(m.name)}${inst.input ? ` · PyTorch ${code(torchModule(kind, inst.input))}` : ""}${total > 1 ? ` (the first of ${total})` : ""}`;
  if (!inst.input) return `${where}\n\n_The input is unknown here: an error earlier in the model stops the shapes._`;
  if (!inst.output || !inst.args) return `${where}\n\n${code(shape(inst.input) + " → ?")}: _this layer does not fit its input; see the error on this line._`;
  const explain: Explanation = { shape: [] };
  try {
    kind.infer({ input: inst.input, args: inst.args, explain });
  } catch {
    // The evaluator already ran this rule and succeeded; a failure now leaves the formulas out.
  }
  const rank = inst.input.length - 1;
  const names = SPATIAL_NAMES[rank];
  const formulas = explain.shape.map((f, i) => (PER_DIMENSION.has(kind.name) && names && explain.shape.length === rank ? `${names[i]}: ${f}` : f));
  const facts: string[] = [];
  facts.push(`**Parameters:** ${explain.params ?? formatExact(inst.params)}${inst.nonLearnable ? ` learnable + ${formatExact(inst.nonLearnable)} non-learnable (running statistics)` : ""}`);
  facts.push(`**Weights:** ${bytes(inst.params * m.dtypeBytes)} at ${m.dtype}`);
  if (inst.aux) facts.push(`**MACs:** ${explain.macs ?? formatExact(inst.macs)} — in an aux head: training only, not in the inference total`);
  else facts.push(`**MACs:** ${explain.macs ?? formatExact(inst.macs)} (${formatExact(2 * inst.macs)} FLOPs)`);
  facts.push(`**Running total:** ${formatExact(o.runningParams)} params · ${formatExact(o.runningMacs)} MACs`);
  facts.push(`**Share of ${code(m.name)}:** ${formatPercent(inst.params, m.params)} of params · ${inst.aux ? "aux" : formatPercent(inst.macs, m.macs) + " of MACs"}`);
  if (inst.receptiveField && inst.effectiveStride && inst.receptiveField.length > 0) {
    facts.push(`**Receptive field:** ${dims(inst.receptiveField)} · effective stride ${dims(inst.effectiveStride)}`);
  }
  const flow = `${code(`${shape(inst.input)} → ${shape(inst.output)}`)}`;
  const formulaBlock = formulas.length ? `\n\n\`\`\`text\n${formulas.join("\n")}\n\`\`\`` : "";
  return [where, flow + formulaBlock, list(facts)].join("\n\n");
}

/** The layer kind's arguments, for a statement that was never evaluated. */
function argumentDocs(kind: LayerKind): string {
  if (kind.args.length === 0) return "_No arguments._";
  return list(
    kind.args.map((arg) => {
      const def = arg.default === undefined ? "" : typeof arg.default === "object" && !Array.isArray(arg.default) ? ` (default: the ${arg.default.sameAs})` : ` (default ${String(arg.default)})`;
      return `${code(arg.name)}${arg.positional ? "" : def} — ${arg.doc}`;
    }),
  );
}

// ---------------------------------------------------------------------------
// Blocks and calls

function blockHeader(b: ast.BlockDecl): string {
  const sig = code(`block ${b.name}${b.signature}`);
  return b.doc ? `${sig}\n\n${b.doc}` : sig;
}

function blockHover(a: Analysis, b: ast.BlockDecl): string {
  const calls = a.file.statements.filter((s): s is ast.CallStatement => s.kind === "call" && s.name === b.name);
  const sections = [blockHeader(b)];
  const lines: string[] = [];
  let total = 0;
  for (const call of calls) {
    const occs = a.occurrences.of(call);
    total += occs.length;
    for (const g of groupBy(occs, outcomeKey)) lines.push(`${code(source(a, call))} in ${code(g.first.model.name)}: ${outcomeLine(g)}`);
  }
  if (calls.length === 0) sections.push("_Not called anywhere in this file._");
  else if (total === 0) sections.push(`_Called ${calls.length} time${calls.length === 1 ? "" : "s"}, but no model reaches the call${calls.length === 1 ? "" : "s"}._`);
  else {
    const shown = lines.slice(0, MAX_LISTED);
    if (lines.length > shown.length) shown.push(`… and ${lines.length - shown.length} more`);
    sections.push(`**What each call costs** (${total} evaluation${total === 1 ? "" : "s"}):\n\n${list(shown)}`);
  }
  return sections.join("\n\n");
}

function callHover(a: Analysis, s: ast.CallStatement): string | undefined {
  const b = a.file.blocks.find((d) => d.name === s.name);
  if (!b) return undefined;
  const occs = a.occurrences.of(s).filter((o) => o.output !== null || o.params > 0);
  const sections = [blockHeader(b)];
  if (occs.length === 0) {
    sections.push(`${code(source(a, s))}: _not evaluated (no model reaches this call with a known input)._`);
  } else if (occs.length === 1) {
    const o = occs[0];
    sections.push(`${code(source(a, s))} in ${code(o.model.name)}: ${flowOf(o)}`, list(costFacts(o)));
  } else {
    sections.push(`${code(source(a, s))}, evaluated ${occs.length} times (${runsWord(occs)}):\n\n${outcomeList(groupBy(occs, outcomeKey), modelTag(occs))}`);
  }
  return sections.join("\n\n");
}

// ---------------------------------------------------------------------------
// Compound statements

function compoundHover(a: Analysis, s: ast.Statement): string | undefined {
  const occs = a.occurrences.of(s);
  const what: Record<string, string> = {
    repeat: "the body, pass after pass",
    residual: "main path plus shortcut",
    add: "the sum of the branches",
    concat: "the branches joined along channels",
    scale: "the input times the body's result",
    aux: "a side head: its parameters count, its MACs run only in training",
  };
  const head = `**${s.kind}** — ${what[s.kind] ?? ""}`;
  if (occs.length === 0) return `${head}\n\n_Not evaluated._`;
  if (occs.length === 1) {
    const o = occs[0];
    const passes = o.multipliedPasses ? `\n\n${formatExact(o.multipliedPasses)} passes; the later ones repeat the same counts and were multiplied out.` : "";
    return `${head}\n\n${flowOf(o)}${passes}\n\n${list(costFacts(o))}`;
  }
  return `${head}\n\nEvaluated ${occs.length} times (${runsWord(occs)}):\n\n${outcomeList(groupBy(occs, outcomeKey), modelTag(occs))}`;
}

// ---------------------------------------------------------------------------
// Models, inputs and budgets

function modelHover(a: Analysis, decl: ast.ModelDecl): string | undefined {
  const m = a.models.find((x) => x.decl === decl);
  const title = `**model** ${code(decl.name)}`;
  if (!m) return decl.doc ? `${title}\n\n${decl.doc}` : title;
  const sections = [title];
  if (decl.doc) sections.push(decl.doc);
  sections.push(`${code(`${shape(m.input)} → ${shape(m.output)}`)} · ${m.dtype} · batch ${formatExact(m.batch)}`);
  if (m.hasErrors) sections.push("⚠ _The model has errors: the totals cover only what could be analysed._");
  const facts: string[] = [];
  facts.push(
    `**Parameters:** ${formatExact(m.params)} learnable${m.auxParams ? ` (${formatExact(m.auxParams)} of them in aux heads)` : ""} · ${formatExact(m.nonLearnable)} non-learnable`,
  );
  facts.push(`**MACs:** ${flops(m.macs)} per sample${m.auxMacs ? ` · aux heads: ${formatExact(m.auxMacs)} MACs, training only` : ""}`);
  facts.push(`**Weight memory:** ${bytes(m.weightBytes)} at ${m.dtype}`);
  facts.push(`**Peak activations:** ${bytes(m.peakActivationBytes)} at batch ${formatExact(m.batch)}`);
  facts.push(`**Layers:** ${formatExact(m.layers.length)}${m.layersTruncated ? " listed (repeats multiplied out run more)" : ""}`);
  sections.push(list(facts));
  const top = (pick: (l: LayerInstance) => number, total: number) =>
    m.layers
      .map((l, i) => ({ l, i, v: pick(l) }))
      .filter((x) => x.v > 0)
      .sort((x, y) => y.v - x.v || x.i - y.i)
      .slice(0, TOP_LAYERS)
      .map((x, k) => `${k + 1}. ${code(x.l.label)} ${x.l.kind} — ${formatExact(x.v)} (${formatPercent(x.v, total)})`)
      .join("\n");
  const byParams = top((l) => l.params, m.params);
  const byMacs = top((l) => (l.aux ? 0 : l.macs), m.macs);
  if (byParams) sections.push(`**Heaviest layers by parameters**\n\n${byParams}`);
  if (byMacs) sections.push(`**Heaviest layers by MACs**\n\n${byMacs}`);
  if (m.budgets.length) sections.push(`**Budgets**\n\n${list(m.budgets.map((b) => `${b.metric} ${b.strict ? "<" : "≤"} ${exactMetric(b.metric, b.limit)}: ${budgetVerdict(b.value, b.limit, b.ok, b.metric)}`))}`);
  return sections.join("\n\n");
}

function budgetVerdict(value: number, limit: number, ok: boolean, metric: Parameters<typeof exactMetric>[0]): string {
  const margin = limit - value;
  if (ok) return `${exactMetric(metric, value)} — ✓ within, ${exactMetric(metric, margin)} to spare (${formatPercent(margin, limit)} of the limit)`;
  return `${exactMetric(metric, value)} — ✗ over by ${exactMetric(metric, -margin)} (${formatPercent(-margin, limit)} over)`;
}

function budgetHover(a: Analysis, s: ast.BudgetStatement): string | undefined {
  for (const m of a.models) {
    const b = m.budgets.find((r) => r.stmt === s);
    if (!b) continue;
    const facts = [
      `**Value:** ${exactMetric(b.metric, b.value)}`,
      `**Limit:** ${b.strict ? "<" : "≤"} ${exactMetric(b.metric, b.limit)}`,
      b.ok
        ? `**Margin:** ${exactMetric(b.metric, b.limit - b.value)} to spare (${formatPercent(b.limit - b.value, b.limit)} of the limit)`
        : `**Over by:** ${exactMetric(b.metric, b.value - b.limit)} (${formatPercent(b.value - b.limit, b.limit)} over)`,
    ];
    if (!b.ok && b.crossing) facts.push(`**First broken at:** ${code(source(a, { start: b.crossing.start, end: b.crossing.headerEnd }))}`);
    const verdict = b.ok ? "✓ within the budget" : "✗ over the budget";
    return `**budget ${b.metric}** of ${code(m.name)} — ${verdict}\n\n${list(facts)}${m.hasErrors ? "\n\n⚠ _The model has errors: the value covers only what could be analysed._" : ""}`;
  }
  return undefined;
}

function inputHover(a: Analysis, s: ast.InputStatement): string | undefined {
  const m: ModelAnalysis | undefined = a.models.find((x) => x.decl.start <= s.start && s.end <= x.decl.end);
  if (!m || !m.input) return undefined;
  const values = m.input.reduce((p, v) => p * v, 1);
  const layout = { 1: "a flat vector", 2: "C×L", 3: "C×H×W", 4: "C×D×H×W" }[m.input.length] ?? "";
  return `**input** of ${code(m.name)} — ${code(shape(m.input))} (${layout}, batch not written)\n\n${list([
    `**Values:** ${formatExact(values)} per sample`,
    `**Memory:** ${bytes(values * m.dtypeBytes * m.batch)} at ${m.dtype}, batch ${formatExact(m.batch)}`,
  ])}`;
}
