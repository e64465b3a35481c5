/**
 * `cnn-lens-server`: the CNN Lens language server for any LSP editor.
 *
 *   cnn-lens-server --stdio        speak LSP on stdin/stdout
 *   cnn-lens-server --node-ipc     speak LSP over Node IPC (the VS Code client)
 *   cnn-lens-server --socket=PORT  or --pipe=NAME
 */
import { createConnection, ProposedFeatures } from "vscode-languageserver/node";
import { startServer } from "./server";

const USAGE = `Usage: cnn-lens-server (--stdio | --node-ipc | --socket=PORT | --pipe=NAME)

The CNN Lens language server for .cnn files: diagnostics, hovers, inlay hints,
symbols, folding and completion over the Language Server Protocol.
`;

const TRANSPORTS = ["--stdio", "--node-ipc", "--socket", "--pipe"];

function main(argv: string[]): void {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(USAGE);
    return;
  }
  if (!argv.some((a) => TRANSPORTS.some((t) => a === t || a.startsWith(t + "=")))) {
    process.stderr.write(USAGE);
    process.exitCode = 2;
    return;
  }
  // createConnection reads the transport from process.argv.
  const connection = createConnection(ProposedFeatures.all);
  // Last resort: a fault outside every handler is logged, and the server lives on.
  process.on("uncaughtException", (e) => connection.console.error(`CNN Lens: uncaught ${e?.stack ?? e}`));
  process.on("unhandledRejection", (e) => connection.console.error(`CNN Lens: unhandled rejection ${(e as Error)?.stack ?? e}`));
  startServer(connection);
  connection.listen();
}

main(process.argv.slice(2));
