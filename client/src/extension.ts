/**
 * The VS Code side of CNN Lens: starts the bundled language server over IPC,
 * passes the `cnnLens` settings (restarting the server when they change),
 * logs to an output channel, and shows the active model's totals in the
 * status bar.
 */
import * as path from "path";
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from "vscode-languageclient/node";
import { ModelStatus } from "./status-bar";
import { serverEnvironment } from "../../server/src/lsp/process-env";

let client: LanguageClient | undefined;
let status: ModelStatus | undefined;

function createClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): LanguageClient {
  const module = context.asAbsolutePath(path.join("dist", "server.js"));
  const options = { env: serverEnvironment(process.env) };
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options },
    debug: { module, transport: TransportKind.ipc, options },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: "cnn" }],
    outputChannel: output,
    initializationOptions: { settings: vscode.workspace.getConfiguration("cnnLens") },
    synchronize: { configurationSection: "cnnLens" },
  };
  return new LanguageClient("cnnLens", "CNN Lens", serverOptions, clientOptions);
}

let restarting: Promise<void> = Promise.resolve();

/**
 * Stops the running server (if any) and starts a new one. Restarts run one
 * after another: two settings changes in a row must not start two servers
 * (each would answer every request, doubling hints and diagnostics).
 */
function restart(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): Promise<void> {
  const next = () => restartNow(context, output);
  restarting = restarting.then(next, next);
  return restarting;
}

async function restartNow(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): Promise<void> {
  const old = client;
  client = undefined;
  if (old) await old.stop().catch((e) => output.error(`stopping the server failed: ${e}`));
  client = createClient(context, output);
  status?.attach(client);
  await client.start();
  status?.refresh();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel("CNN Lens", { log: true });
  status = new ModelStatus();
  context.subscriptions.push(output, status);
  context.subscriptions.push(
    vscode.commands.registerCommand("cnnLens.restartServer", () => restart(context, output)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("cnnLens")) restart(context, output).catch((err) => output.error(`restarting the server failed: ${err}`));
    }),
  );
  await restart(context, output);
}

export async function deactivate(): Promise<void> {
  await restarting.catch(() => undefined);
  await client?.stop();
  client = undefined;
}
