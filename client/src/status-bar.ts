/**
 * The status-bar item: the totals of the model under the cursor (or the
 * file's first model) — parameters · MACs · weight memory — updated as the
 * user types, asked of the server with the `cnnLens/modelSummary` request.
 */
import * as vscode from "vscode";
import { LanguageClient } from "vscode-languageclient/node";
import { formatBytes, formatExact, formatShort } from "../../server/src/core/format";
import type { ModelSummaryResult } from "../../server/src/lsp/model-summary";

export class ModelStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("cnnLens.model", vscode.StatusBarAlignment.Left, 10);
  private readonly subscriptions: vscode.Disposable[] = [];
  private client: LanguageClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private generation = 0;

  constructor() {
    this.item.name = "CNN Lens model totals";
    this.subscriptions.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule(0)),
      vscode.window.onDidChangeTextEditorSelection((e) => e.textEditor === vscode.window.activeTextEditor && this.schedule(100)),
      vscode.workspace.onDidChangeTextDocument((e) => e.document === vscode.window.activeTextEditor?.document && this.schedule(100)),
      // Diagnostics arrive after the server has analysed the latest text: a good moment to ask.
      vscode.languages.onDidChangeDiagnostics(() => this.schedule(0)),
    );
  }

  attach(client: LanguageClient): void {
    this.client = client;
  }

  refresh(): void {
    this.schedule(0);
  }

  private schedule(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), delay);
  }

  private async update(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const client = this.client;
    if (!editor || editor.document.languageId !== "cnn" || !client?.isRunning()) {
      this.item.hide();
      return;
    }
    const generation = ++this.generation;
    let result: ModelSummaryResult | undefined;
    try {
      result = await client.sendRequest<ModelSummaryResult>("cnnLens/modelSummary", {
        uri: editor.document.uri.toString(),
        position: client.code2ProtocolConverter.asPosition(editor.selection.active),
      });
    } catch {
      return;
    }
    if (generation !== this.generation) return;
    const model = result?.models[result.active ?? 0];
    if (!model) {
      this.item.hide();
      return;
    }
    const warn = model.hasErrors ? "$(warning) " : "";
    this.item.text = `${warn}$(symbol-structure) ${model.name}: ${formatExact(model.params)} params · ${formatShort(model.macs, 2)} MACs · ${formatBytes(model.weightBytes)}`;
    this.item.tooltip = new vscode.MarkdownString(
      [
        `**${model.name}**${model.hasErrors ? " (partial: the model has errors)" : ""}`,
        "",
        `- Parameters: ${formatExact(model.params)}`,
        `- MACs: ${formatExact(model.macs)} (FLOPs: ${formatExact(2 * model.macs)})`,
        `- Weight memory (${model.dtype}): ${formatBytes(model.weightBytes)}`,
        `- Peak activations: ${formatBytes(model.peakActivationBytes)}`,
      ].join("\n"),
    );
    this.item.show();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}
