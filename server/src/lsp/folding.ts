/**
 * Folding ranges on braces: models, blocks and every braced body (a residual's
 * main path and its shortcut fold apart, as do branches and if clauses), and
 * runs of comment lines. The closing brace stays visible.
 */
import { FoldingRange, FoldingRangeKind } from "vscode-languageserver";
import { DocumentAnalysis } from "./analysis-cache";

/** Every fold of the document, sorted by start line. */
export function foldingRanges(doc: DocumentAnalysis): FoldingRange[] {
  const { file } = doc.analysis;
  const ranges: FoldingRange[] = [];
  const add = (start: number, end: number) => {
    const startLine = doc.lines.position(start).line;
    // `end` is just past the closing brace; the fold stops on the line before it.
    const endLine = doc.lines.position(Math.max(start, end - 1)).line - 1;
    if (endLine > startLine) ranges.push({ startLine, endLine });
  };
  for (const d of [...file.models, ...file.blocks]) add(d.start, d.end);
  for (const s of file.statements) {
    switch (s.kind) {
      case "repeat":
      case "scale":
      case "aux":
        add(s.start, s.end);
        break;
      case "residual":
        add(s.start, s.mainEnd);
        if (s.shortcutSpan) add(s.shortcutSpan.start, s.end);
        break;
      case "add":
      case "concat":
        add(s.start, s.end);
        for (const b of s.branches) add(b.span.start, b.span.end);
        break;
      case "if":
        for (const c of s.clauses) add(c.span.start, c.span.end);
        break;
    }
  }
  ranges.push(...commentRuns(doc));
  return ranges.sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine);
}

/** Three or more consecutive comment-only lines fold as a comment. */
function commentRuns(doc: DocumentAnalysis): FoldingRange[] {
  const out: FoldingRange[] = [];
  const lines = doc.text.split(/\r\n|\r|\n/);
  let start = -1;
  for (let i = 0; i <= lines.length; i++) {
    const isComment = i < lines.length && /^\s*#/.test(lines[i]);
    if (isComment && start < 0) start = i;
    if (!isComment && start >= 0) {
      if (i - 1 - start >= 2) out.push({ startLine: start, endLine: i - 1, kind: FoldingRangeKind.Comment });
      start = -1;
    }
  }
  return out;
}
