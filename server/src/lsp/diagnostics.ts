/**
 * Diagnostics: the core's problems as LSP diagnostics. `code` is the core's
 * stable code, `source` is "cnn-lens", and where two places are involved (a
 * residual's main path and shortcut, a budget and the statement that broke
 * it) the other places come as relatedInformation.
 */
import { Diagnostic, DiagnosticSeverity } from "vscode-languageserver";
import { Severity } from "../core";
import { DocumentAnalysis } from "./analysis-cache";
import { toRange } from "./convert";

/** The `source` of every diagnostic this server publishes. */
export const SOURCE = "cnn-lens";

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

/** Every diagnostic of the document version, in the core's order (by position). */
export function toDiagnostics(doc: DocumentAnalysis): Diagnostic[] {
  return doc.analysis.diagnostics.map((d) => {
    const out: Diagnostic = {
      range: toRange(doc.lines, d),
      severity: SEVERITY[d.severity] ?? DiagnosticSeverity.Error,
      code: d.code,
      source: SOURCE,
      message: d.message,
    };
    if (d.related?.length) {
      out.relatedInformation = d.related.map((r) => ({ location: { uri: doc.uri, range: toRange(doc.lines, r) }, message: r.message }));
    }
    return out;
  });
}
