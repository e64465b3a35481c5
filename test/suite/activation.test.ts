/**
 * Activation: CNN Lens sleeps until a `.cnn` file is opened (onLanguage:cnn),
 * then starts its language server; its restart command brings back a server
 * that answers. This file runs first (index.ts runs files in name order), so
 * the extension has not been activated by another test yet.
 */
import * as assert from "node:assert/strict";
import { after, describe, it } from "mocha";
import * as vscode from "vscode";
import { EXTENSION_ID, exampleUri, hoverText, openExample, poll, positionOf, revertAndCloseAll } from "./helpers";

describe("activation", () => {
  after(revertAndCloseAll);

  it("is dormant until a .cnn file opens, then activates on it", async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed in this extension host`);
    assert.equal(extension.isActive, false, "activated before any .cnn file was opened (activationEvents too broad?)");

    const doc = await vscode.workspace.openTextDocument(exampleUri("resnet18.cnn"));
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.languageId, "cnn");
    // Opening the document fires onLanguage:cnn; activation itself is asynchronous.
    await poll(async () => extension.isActive, "the extension to activate after opening resnet18.cnn", () => `isActive=${extension.isActive}`);

    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes("cnnLens.restartServer"), "cnnLens.restartServer is not registered after activation");
  });

  it("restarts its server on cnnLens.restartServer and answers again", async () => {
    const doc = await openExample("resnet18.cnn");
    await vscode.commands.executeCommand("cnnLens.restartServer");
    // The command resolves once the new client has started: its hover provider answers at once.
    const text = await hoverText(doc.uri, positionOf(doc, "fc: dense 1000", 5));
    assert.ok(text.includes("- **Parameters:** 512 × 1,000 + 1,000 bias = 513,000"), `hover text:\n${text}`);
  });
});
