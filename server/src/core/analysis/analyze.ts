/**
 * The façade of the core: `analyze(text)` parses, evaluates and measures a
 * `.cnn` document and returns plain data that every feature reads — the
 * diagnostics, the models with their totals, and each statement's occurrences.
 * Offsets in, offsets out; no LSP, no VS Code.
 */
import { parse } from "../syntax/parse";
import { CnnFile } from "../syntax/ast";
import { Diagnostic } from "../diagnostics";
import { evaluateFile, ModelAnalysis } from "./evaluate";
import { Occurrences } from "./occurrences";

export interface Analysis {
  text: string;
  file: CnnFile;
  /** Syntax, semantic, shape and budget problems, sorted by position. */
  diagnostics: Diagnostic[];
  models: ModelAnalysis[];
  /** Every evaluation of each statement (a statement in a block called twice has two). */
  occurrences: Occurrences;
}

/** Analyses a whole document. Never throws; every problem becomes a diagnostic. */
export function analyze(text: string): Analysis {
  const parsed = parse(text);
  const diagnostics: Diagnostic[] = parsed.problems.map((p) => ({
    start: p.start,
    end: p.end,
    severity: "error",
    code: p.code as Diagnostic["code"],
    message: p.message,
  }));
  let evaluation;
  try {
    evaluation = evaluateFile(parsed.file);
  } catch (e) {
    // A fault in the evaluator must not take the editor down: report it and return what parsed.
    diagnostics.push({ start: 0, end: 0, severity: "error", code: "internal-error", message: `CNN Lens failed to analyse this file: ${(e as Error)?.message ?? e}` });
    return { text, file: parsed.file, diagnostics, models: [], occurrences: new Occurrences() };
  }
  diagnostics.push(...evaluation.diagnostics);
  diagnostics.sort((a, b) => a.start - b.start || a.end - b.end);
  return { text, file: parsed.file, diagnostics, models: evaluation.models, occurrences: evaluation.occurrences };
}
