/**
 * The rows of a summary table: a model's statements with what each one did,
 * and, `depth` levels down, the statements inside its block calls, repeats,
 * residuals, branches, `scale` and `aux` bodies.
 *
 * The analysis records every evaluation of a statement as an Occurrence, in
 * execution order, but not which occurrence ran inside which. This module
 * rebuilds that nesting by replaying the model's execution over the syntax
 * tree: a body runs every one of its statements once, in order, so the next
 * unread occurrence of each statement is the one of the current pass, and it
 * must lie within its parent's layer range and share its parent's chain of
 * block calls (the analysis gives each block call a fresh chain).
 */
import { ast, formatExact, Occurrence, ModelAnalysis, Shape } from "../core";
import { AnalyzedFile } from "./source-file";

type Statement = ast.Statement;
type CallStatement = ast.CallStatement;

/** One row of the table: a statement, or a `shortcut`/`branch` grouping its statements. */
export interface StatementRow {
  /** 1 for the model's own statements; each level of nesting adds one. */
  depth: number;
  /** The statement's kind; `group` for a `shortcut` or `branch`; `note` for a remark. */
  kind: Statement["kind"] | "group" | "note";
  /** The statement's header as written (`conv 64, 3x3, padding=1`, `stage(64, 2)`, `repeat 3`), or `shortcut` / `branch`. */
  name: string;
  input: Shape | null;
  output: Shape | null;
  /** Learnable parameters, aux heads included. */
  params: number;
  nonLearnable: number;
  /** Inference MACs for one sample (aux heads excluded). */
  macs: number;
  /** MACs of aux heads (training only). */
  auxMacs: number;
  /** A remark instead of numbers (passes of a repeat that were multiplied out rather than listed). */
  note?: string;
}

/** The rows of `model`'s table, down to `maxDepth` (1 = the model's own statements). */
export function statementRows(file: AnalyzedFile, model: ModelAnalysis, maxDepth: number): StatementRow[] {
  return new RowBuilder(file, model, maxDepth).build();
}

/** Where a body runs: its chain of block calls, and the layer range still open to it. */
interface Scope {
  calls: readonly CallStatement[];
  /** The first layer index the next statement may start at. */
  at: number;
  /** The end of the parent's layer range. */
  end: number;
}

/** Statements that set up the model or name values: no row of their own. */
const SILENT = new Set<Statement["kind"]>(["dtype", "batch", "budget", "let"]);

class RowBuilder {
  private readonly rows: StatementRow[] = [];
  /** Each statement's occurrences in this model, and how many have been read. */
  private readonly occurrences = new Map<Statement, Occurrence[]>();
  private readonly read = new Map<Statement, number>();
  private readonly blocks = new Map<string, ast.BlockDecl>();

  constructor(
    private readonly file: AnalyzedFile,
    private readonly model: ModelAnalysis,
    private readonly maxDepth: number,
  ) {
    // The first definition wins, as in the analysis.
    for (const b of file.analysis.file.blocks) if (!this.blocks.has(b.name)) this.blocks.set(b.name, b);
  }

  build(): StatementRow[] {
    // Model-level statements run exactly once each; the record gives their occurrences in order.
    for (const occ of this.file.analysis.occurrences.topLevel(this.model)) this.emit(occ.stmt, occ, 1);
    return this.rows;
  }

  private pending(s: Statement): Occurrence | undefined {
    let list = this.occurrences.get(s);
    if (!list) {
      list = this.file.analysis.occurrences.of(s).filter((o) => o.model === this.model);
      this.occurrences.set(s, list);
    }
    return list[this.read.get(s) ?? 0];
  }

  private fits(occ: Occurrence, scope: Scope): boolean {
    return occ.calls === scope.calls && occ.firstLayer >= scope.at && occ.endLayer <= scope.end;
  }

  /** True when `s`'s next occurrence belongs to `scope`: the body containing `s` ran (again) there. */
  private runsIn(s: Statement | undefined, scope: Scope): boolean {
    const occ = s && this.pending(s);
    return !!occ && this.fits(occ, scope);
  }

  /** Reads one run of `body` in `scope`, emitting rows; returns the occurrences read at this level. */
  private body(body: Statement[], scope: Scope, depth: number): Occurrence[] {
    const done: Occurrence[] = [];
    for (const s of body) {
      const occ = this.pending(s);
      if (!occ || !this.fits(occ, scope)) break;
      this.read.set(s, (this.read.get(s) ?? 0) + 1);
      scope.at = occ.endLayer;
      this.emit(s, occ, depth);
      done.push(occ);
    }
    return done;
  }

  private push(row: StatementRow): void {
    if (row.depth <= this.maxDepth) this.rows.push(row);
  }

  /** Emits the row of one run of `s` and, when the table goes deeper, the runs inside it. */
  private emit(s: Statement, occ: Occurrence, depth: number): void {
    if (SILENT.has(s.kind)) return;
    const inner = (): Scope => ({ calls: occ.calls, at: occ.firstLayer, end: occ.endLayer });
    if (s.kind === "if") {
      // An `if` is control flow, not a layer: the statements of the clause taken stand in its place.
      const scope = inner();
      const taken = s.clauses.find((c) => this.runsIn(c.body[0], scope));
      if (taken) this.body(taken.body, scope, depth);
      return;
    }
    this.push({ depth, kind: s.kind, name: headerText(this.file.analysis.text, s), ...counts(occ) });
    // Below depth 1 nothing nested is shown; otherwise every run is read, shown or not, to keep the replay in step.
    if (this.maxDepth === 1) return;
    switch (s.kind) {
      case "call": {
        const block = this.blocks.get(s.name);
        const first = block?.body[0] && this.pending(block.body[0]);
        if (!block || !first || !isCallChainOf(first.calls, occ.calls, s)) return;
        this.body(block.body, { calls: first.calls, at: occ.firstLayer, end: occ.endLayer }, depth + 1);
        return;
      }
      case "repeat": {
        const scope = inner();
        let passes = 0;
        while (this.runsIn(s.body[0], scope)) {
          this.body(s.body, scope, depth + 1);
          passes++;
        }
        if (occ.multipliedPasses !== undefined && passes < occ.multipliedPasses) {
          const rest = occ.multipliedPasses - passes;
          this.push({ depth: depth + 1, kind: "note", name: "…", input: null, output: null, params: 0, nonLearnable: 0, macs: 0, auxMacs: 0, note: `${formatExact(rest)} more pass${rest === 1 ? "" : "es"}, counted without listing them` });
        }
        return;
      }
      case "residual": {
        const scope = inner();
        this.body(s.main, scope, depth + 1);
        if (s.shortcut) this.group("shortcut", s.shortcut, scope, depth + 1, occ.input);
        return;
      }
      case "add":
      case "concat": {
        const scope = inner();
        for (const b of s.branches) this.group("branch", b.body, scope, depth + 1, occ.input);
        return;
      }
      case "scale":
      case "aux":
        this.body(s.body, inner(), depth + 1);
        return;
      default:
        return;
    }
  }

  /** A `shortcut` or `branch` row summing its statements, followed by their rows. */
  private group(name: string, body: Statement[], scope: Scope, depth: number, input: Shape | null): void {
    const row: StatementRow = { depth, kind: "group", name, input, output: input, params: 0, nonLearnable: 0, macs: 0, auxMacs: 0 };
    this.push(row);
    const done = this.body(body, scope, depth + 1);
    if (done.length < body.length) row.output = null;
    else if (done.length) row.output = done[done.length - 1].output;
    for (const o of done) {
      row.params += o.params;
      row.nonLearnable += o.nonLearnable;
      row.macs += o.macs;
      row.auxMacs += o.auxMacs;
    }
  }
}

/** True when `chain` is the chain of block calls of a run of `call` made from `outer`. */
function isCallChainOf(chain: readonly CallStatement[], outer: readonly CallStatement[], call: CallStatement): boolean {
  return chain.length === outer.length + 1 && chain[outer.length] === call && outer.every((c, i) => chain[i] === c);
}

function counts(occ: Occurrence): Omit<StatementRow, "depth" | "kind" | "name"> {
  return { input: occ.input, output: occ.output, params: occ.params, nonLearnable: occ.nonLearnable, macs: occ.macs, auxMacs: occ.auxMacs };
}

/**
 * A statement's header as written, on one line: a layer with its label and
 * arguments, a call with its arguments, or the keyword of a compound statement.
 */
export function headerText(text: string, s: { start: number; headerEnd: number }): string {
  return text
    .slice(s.start, s.headerEnd)
    .replace(/#[^\r\n]*/g, "")
    .replace(/\{\s*$/, "")
    .replace(/\s+/g, " ")
    .replace(/\(\s/g, "(")
    .replace(/\s\)/g, ")")
    .trim();
}
