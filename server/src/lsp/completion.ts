/**
 * Completion from the layer table and the language's vocabulary: layer kinds,
 * block names and keywords where a statement starts; a layer's keyword
 * arguments after its kind; a block's parameters inside a call; dtypes and
 * budget metrics after `dtype` and `budget`. Read from the text before the
 * cursor on its line, so it works on half-typed, unparsable lines too.
 */
import { CompletionItem, CompletionItemKind, CompletionParams, InsertTextFormat, MarkupKind } from "vscode-languageserver";
import { ArgSpec, DTYPES, findLayer, LAYERS, METRICS } from "../core";
import { DocumentAnalysis } from "./analysis-cache";
import { toOffset } from "./convert";
import { declAt } from "./ide/locate";

/** Keywords that start a statement inside a model or block. */
const STATEMENT_KEYWORDS = ["input", "dtype", "batch", "budget", "let", "repeat", "residual", "add", "concat", "branch", "scale", "aux", "if", "else", "shortcut"];
const WORD_VALUES: Record<string, readonly string[]> = { padding: ["same", "valid"] };

/** Completion items at the request's position; empty inside a comment or outside the text. */
export function completions(doc: DocumentAnalysis, params: CompletionParams): CompletionItem[] {
  const offset = toOffset(doc.lines, params.position);
  if (offset === undefined) return [];
  const lineStart = doc.lines.offset(params.position.line, 0) ?? 0;
  const before = doc.text.slice(lineStart, offset);
  if (before.includes("#")) return [];
  const part = before.slice(before.lastIndexOf(";") + 1);
  const { file } = doc.analysis;

  if (/^\s*dtype\s+\w*$/.test(part)) return Object.keys(DTYPES).map((d) => ({ label: d, kind: CompletionItemKind.EnumMember, detail: `${DTYPES[d]} bytes per value` }));
  if (/^\s*budget\s+\w*$/.test(part)) return METRICS.map((m) => ({ label: m, kind: CompletionItemKind.EnumMember }));

  const call = /([A-Za-z_]\w*)\s*\(([^()]*)$/.exec(part);
  if (call) {
    const block = file.blocks.find((b) => b.name === call[1]);
    if (!block) return [];
    return block.params
      .filter((p) => !new RegExp(`\\b${p.name}\\s*=`).test(call[2]))
      .map((p) => ({ label: `${p.name}=`, kind: CompletionItemKind.Variable, detail: `${block.name}${block.signature}` }));
  }

  const start = /^\s*(?:[A-Za-z_]\w*\s*:\s*)?[A-Za-z_]*$/.test(part);
  if (start) {
    if (!declAt(file, offset)) return ["model", "block"].map((k) => ({ label: k, kind: CompletionItemKind.Keyword }));
    const items: CompletionItem[] = [];
    for (const layer of LAYERS) {
      for (const name of [layer.name, ...(layer.aliases ?? [])]) {
        items.push({
          label: name,
          kind: CompletionItemKind.Function,
          detail: signatureOf(name, layer.args),
          documentation: { kind: MarkupKind.Markdown, value: layer.doc },
          sortText: `0${name}`,
        });
      }
    }
    for (const b of file.blocks) {
      if (!b.name) continue;
      items.push({
        label: b.name,
        kind: CompletionItemKind.Module,
        detail: `block ${b.name}${b.signature}`,
        documentation: b.doc ? { kind: MarkupKind.Markdown, value: b.doc } : undefined,
        insertText: `${b.name}($0)`,
        insertTextFormat: InsertTextFormat.Snippet,
        sortText: `1${b.name}`,
      });
    }
    for (const k of STATEMENT_KEYWORDS) items.push({ label: k, kind: CompletionItemKind.Keyword, sortText: `2${k}` });
    return items;
  }

  // After a layer kind: its keyword arguments not given yet, or the words a keyword takes.
  const layerStmt = /^\s*(?:[A-Za-z_]\w*\s*:\s*)?([A-Za-z_]\w*)\s+(.*)$/.exec(part);
  if (!layerStmt) return [];
  const layer = findLayer(layerStmt[1]);
  if (!layer) return [];
  const rest = layerStmt[2];
  const value = /([A-Za-z_]\w*)\s*=\s*\w*$/.exec(rest);
  if (value) {
    const arg = layer.args.find((a) => a.name === value[1]);
    const words = arg?.choices ?? (arg ? WORD_VALUES[arg.name] : undefined) ?? (arg?.type === "bool" ? ["true", "false"] : undefined);
    return (words ?? []).map((w) => ({ label: w, kind: CompletionItemKind.EnumMember }));
  }
  return layer.args
    .filter((a) => !a.positional && !new RegExp(`\\b${a.name}\\s*=`).test(rest))
    .map((a) => ({
      label: `${a.name}=`,
      kind: CompletionItemKind.Property,
      detail: a.default === undefined ? undefined : `default ${describeDefault(a)}`,
      documentation: a.doc,
    }));
}

function describeDefault(a: ArgSpec): string {
  const d = a.default;
  if (typeof d === "object" && d !== null && !Array.isArray(d)) return `the ${d.sameAs}`;
  return Array.isArray(d) ? d.join("x") : String(d);
}

/** `conv filters, kernel, stride=1, padding=0, ...`. */
function signatureOf(name: string, args: readonly ArgSpec[]): string {
  const parts = args.map((a) => (a.positional ? a.name : `${a.name}=${describeDefault(a)}`));
  return parts.length ? `${name} ${parts.join(", ")}` : name;
}
