/**
 * `cnn-lens check`: diagnostics in the one-line form compilers use,
 * `path:line:col: severity: message [code]`, with 1-based lines and columns
 * (columns count UTF-16 code units, as editors do).
 */
import { Diagnostic, LineIndex } from "../core";
import { AnalyzedFile } from "./source-file";

/** A 1-based line and column. */
export interface LineColumn {
  line: number;
  column: number;
}

/** The 1-based line and column of a UTF-16 offset. */
export function lineColumn(lines: LineIndex, offset: number): LineColumn {
  const p = lines.position(offset);
  return { line: p.line + 1, column: p.character + 1 };
}

/** One diagnostic as one line: `path:line:col: severity: message [code]`. */
export function formatDiagnostic(path: string, lines: LineIndex, d: Diagnostic): string {
  const { line, column } = lineColumn(lines, d.start);
  // Keep it to one line, so tools that read the output line by line see each diagnostic whole.
  const message = d.message.replace(/\s*[\r\n]+\s*/g, " ");
  return `${path}:${line}:${column}: ${d.severity}: ${message} [${d.code}]`;
}

/** Every diagnostic of a file, one line each, in text order. */
export function formatDiagnostics(file: AnalyzedFile): string[] {
  return file.analysis.diagnostics.map((d) => formatDiagnostic(file.path, file.lines, d));
}

/** True when the file has an error, or a model breaks one of its budgets: exit status 1. */
export function fails(file: AnalyzedFile): boolean {
  return file.analysis.diagnostics.some((d) => d.severity === "error") || file.analysis.models.some((m) => m.budgets.some((b) => !b.ok));
}
