/**
 * Helpers for the extension-host suite: open the reference examples from the
 * workspace folder, ask VS Code's own provider commands (the same path the
 * editor takes), edit documents in memory, and wait for events with a
 * deadline. Nothing here sleeps, and nothing here saves a document: the
 * examples on disk are never touched.
 */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";

/** `publisher.name` from package.json. */
export const EXTENSION_ID = "cnn-lens.cnn-lens";
/** How long any single wait may take before the test fails. */
export const DEADLINE_MS = 20_000;

/** Activates CNN Lens (idempotent) and returns it. `onLanguage:` activation is asynchronous: await this before asking providers. */
export async function activateExtension(): Promise<vscode.Extension<unknown>> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not installed in this extension host`);
  await extension.activate();
  return extension;
}

/** The uri of a reference example in the workspace folder (examples/, or a copy of it). */
export function exampleUri(fileName: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, "the suite needs the reference examples open as the workspace folder");
  return vscode.Uri.joinPath(folder.uri, fileName);
}

/** Opens a reference example in an editor and waits until CNN Lens is active. */
export async function openExample(fileName: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(exampleUri(fileName));
  await vscode.window.showTextDocument(doc);
  assert.equal(doc.languageId, "cnn", `${fileName} should open as a cnn document`);
  await activateExtension();
  return doc;
}

/** The position of the first occurrence of `needle` in the document, plus `delta` characters. */
export function positionOf(doc: vscode.TextDocument, needle: string, delta = 0): vscode.Position {
  const at = doc.getText().indexOf(needle);
  assert.ok(at >= 0, `'${needle}' is not in ${doc.uri.path}`);
  return doc.positionAt(at + delta);
}

/** The zero-based line of the first line containing `needle`. */
export function lineOf(doc: vscode.TextDocument, needle: string): number {
  return positionOf(doc, needle).line;
}

/**
 * Resolves with the first truthy value of `check`, tried now and again after
 * each of `events` fires; rejects after `ms` with `describe()`'s account of
 * what was there instead.
 */
export function waitFor<T>(
  check: () => T | undefined | null | false,
  events: vscode.Event<unknown>[],
  what: string,
  describe: () => string = () => "",
  ms = DEADLINE_MS,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const subscriptions: vscode.Disposable[] = [];
    const done = () => {
      clearTimeout(timer);
      for (const s of subscriptions) s.dispose();
    };
    const attempt = () => {
      let value: T | undefined | null | false;
      try {
        value = check();
      } catch (e) {
        done();
        reject(e);
        return;
      }
      if (value) {
        done();
        resolve(value);
      }
    };
    const timer = setTimeout(() => {
      done();
      const found = describe();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}${found ? `; found instead:\n${found}` : ""}`));
    }, ms);
    for (const event of events) subscriptions.push(event(attempt));
    attempt();
  });
}

/**
 * Polls an asynchronous `check` until it returns a truthy value, for answers
 * that come with no event (a provider re-registered after a server restart).
 */
export async function poll<T>(check: () => Promise<T | undefined | null | false>, what: string, describe: () => string = () => "", ms = DEADLINE_MS): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}; last seen:\n${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A diagnostic as the tests compare it: zero-based line, severity name, code, message. */
export interface DiagnosticSummary {
  line: number;
  severity: string;
  code: string;
  message: string;
}

export function summarize(diagnostics: readonly vscode.Diagnostic[]): DiagnosticSummary[] {
  return diagnostics
    .map((d) => ({
      line: d.range.start.line,
      severity: vscode.DiagnosticSeverity[d.severity],
      code: String(typeof d.code === "object" ? d.code.value : d.code),
      message: d.message,
    }))
    .sort((a, b) => a.line - b.line || a.message.localeCompare(b.message));
}

/** CNN Lens's diagnostics of `uri` (only source "cnn-lens"), summarised. */
export function cnnDiagnostics(uri: vscode.Uri): DiagnosticSummary[] {
  return summarize(vscode.languages.getDiagnostics(uri).filter((d) => d.source === "cnn-lens"));
}

/** Waits until CNN Lens's diagnostics of `uri` satisfy `accept` (re-checked on every diagnostics change). */
export function waitForDiagnostics(uri: vscode.Uri, accept: (d: DiagnosticSummary[]) => boolean, what: string): Promise<DiagnosticSummary[]> {
  return waitFor(
    () => {
      const found = cnnDiagnostics(uri);
      return accept(found) && found;
    },
    [vscode.languages.onDidChangeDiagnostics],
    what,
    () => JSON.stringify(cnnDiagnostics(uri), null, 2),
  );
}

/** Replaces the only occurrence of `from` with `to` through a WorkspaceEdit (in memory; never saved). */
export async function replaceOnce(doc: vscode.TextDocument, from: string, to: string): Promise<void> {
  const text = doc.getText();
  const at = text.indexOf(from);
  assert.ok(at >= 0, `'${from}' is not in ${doc.uri.path}`);
  assert.equal(text.indexOf(from, at + 1), -1, `'${from}' occurs more than once in ${doc.uri.path}`);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(at), doc.positionAt(at + from.length)), to);
  assert.equal(await vscode.workspace.applyEdit(edit), true, `the edit '${from}' → '${to}' was refused`);
  assert.ok(doc.getText().includes(to), "the edit did not land in the document");
}

/** Reverts every edited .cnn document to its text on disk and closes all editors. */
export async function revertAndCloseAll(): Promise<void> {
  // Only the .cnn documents the tests edit: VS Code opens and saves the user settings.json itself when a
  // test changes a setting, and showing it while it does so fails ("unknown text editor").
  for (const doc of vscode.workspace.textDocuments.filter((d) => d.isDirty && d.languageId === "cnn")) {
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand("workbench.action.files.revert");
    assert.equal(doc.isDirty, false, `${doc.uri.path} could not be reverted`);
  }
  await vscode.commands.executeCommand("workbench.action.closeAllEditors");
}

/** The hover markdown VS Code gathers at `position` (all providers), joined; "" when none. */
export async function hoverText(uri: vscode.Uri, position: vscode.Position): Promise<string> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>("vscode.executeHoverProvider", uri, position)) ?? [];
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === "string" ? c : c.value))
    .join("\n\n---\n\n");
}

/** The inlay hints VS Code gathers over `range`, each as `line:character label` (zero-based), in position order. */
export async function inlayHints(uri: vscode.Uri, range: vscode.Range): Promise<string[]> {
  const hints = (await vscode.commands.executeCommand<vscode.InlayHint[]>("vscode.executeInlayHintProvider", uri, range)) ?? [];
  return hints
    .slice()
    .sort((a, b) => a.position.compareTo(b.position))
    .map((h) => `${h.position.line}:${h.position.character} ${typeof h.label === "string" ? h.label : h.label.map((p) => p.value).join("")}`);
}
