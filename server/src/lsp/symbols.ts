/**
 * Document symbols: models, blocks, and labelled statements (`fc6: dense 4096`)
 * nested where they are written. An unlabelled compound statement lends its
 * labelled children to its parent, so the outline stays flat and readable.
 */
import { DocumentSymbol, SymbolKind } from "vscode-languageserver";
import { ast, formatShape, formatShort } from "../core";
import { DocumentAnalysis } from "./analysis-cache";
import { toRange } from "./convert";

/** Models and blocks in text order, each with its labelled statements as children. */
export function documentSymbols(doc: DocumentAnalysis): DocumentSymbol[] {
  const { file, models } = doc.analysis;
  const decls: (ast.ModelDecl | ast.BlockDecl)[] = [...file.models, ...file.blocks].filter((d) => d.name).sort((a, b) => a.start - b.start);
  return decls.map((d) => {
    let detail: string;
    if (d.kind === "model") {
      const m = models.find((x) => x.decl === d);
      detail = m ? `${formatShort(m.params)} params · ${formatShort(m.macs)} MACs` : "";
    } else detail = d.signature;
    return {
      name: d.name,
      detail,
      kind: d.kind === "model" ? SymbolKind.Class : SymbolKind.Function,
      range: toRange(doc.lines, d),
      selectionRange: toRange(doc.lines, d.nameSpan),
      children: statementSymbols(doc, d.body),
    };
  });
}

function statementSymbols(doc: DocumentAnalysis, body: ast.Statement[]): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  for (const s of body) {
    const children = ast.childBodies(s).flatMap((b) => statementSymbols(doc, b));
    if (!s.label) {
      out.push(...children);
      continue;
    }
    out.push({
      name: s.label.name,
      detail: statementDetail(doc, s),
      kind: s.kind === "call" ? SymbolKind.Method : s.kind === "layer" ? SymbolKind.Field : SymbolKind.Namespace,
      range: toRange(doc.lines, s),
      selectionRange: toRange(doc.lines, s.label),
      children,
    });
  }
  return out;
}

/** `conv → 64×112×112`: what the statement is, and its output shape(s). */
function statementDetail(doc: DocumentAnalysis, s: ast.Statement): string {
  const what = s.kind === "layer" || s.kind === "call" ? s.name : s.kind;
  const shapes = [...new Set(doc.analysis.occurrences.of(s).filter((o) => o.output).map((o) => formatShape(o.output)))];
  if (shapes.length === 0) return what;
  return `${what} → ${shapes.length <= 3 ? shapes.join(" | ") : `${shapes.length} shapes`}`;
}
