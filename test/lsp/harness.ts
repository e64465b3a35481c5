/**
 * A small LSP client for tests: starts the real server process with
 * `--stdio`, speaks JSON-RPC over its pipes as an editor would, and waits for
 * events (never sleeps). Each wait has a deadline so a broken server fails
 * the test instead of hanging it.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { serverEnvironment } from "../../server/src/lsp/process-env";
import {
  ClientCapabilities,
  CompletionItem,
  CompletionList,
  ConfigurationRequest,
  createProtocolConnection,
  Diagnostic,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DocumentSymbol,
  ExitNotification,
  FoldingRange,
  Hover,
  InitializedNotification,
  InitializeRequest,
  InitializeResult,
  InlayHint,
  InlayHintRefreshRequest,
  LogMessageNotification,
  LogMessageParams,
  Position,
  ProtocolConnection,
  PublishDiagnosticsNotification,
  PublishDiagnosticsParams,
  Range,
  RegistrationRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  TextDocumentContentChangeEvent,
} from "vscode-languageserver-protocol/node";

/** The repository root (tests run from out/test/lsp/). */
export const ROOT = path.resolve(__dirname, "../../..");
/** The server under test: the tsc build by default, or `CNN_LENS_SERVER=dist/server.js` for the bundle. */
export const SERVER = path.resolve(ROOT, process.env.CNN_LENS_SERVER ?? "out/server/src/lsp/main.js");
/** How long any single wait may take before the test fails. */
export const DEADLINE_MS = 10_000;

export function fixture(name: string): string {
  return fs.readFileSync(path.join(ROOT, "test/lsp/fixtures", name), "utf8");
}

/** The position of the `occurrence`-th match of `needle` in `text`, plus `delta` characters. */
export function positionOf(text: string, needle: string, delta = 0, occurrence = 1): Position {
  let at = -1;
  for (let i = 0; i < occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' (occurrence ${occurrence}) is not in the text`);
  }
  return positionAt(text, at + delta);
}

/** Applies one LSP content change (ranged, or the whole text) to a string, as the server's document store must. */
export function applyChange(text: string, change: TextDocumentContentChangeEvent): string {
  if (!("range" in change) || !change.range) return change.text;
  const offset = (p: { line: number; character: number }) => {
    const lines = text.split("\n");
    let o = 0;
    for (let i = 0; i < p.line; i++) o += lines[i].length + 1;
    return o + p.character;
  };
  return text.slice(0, offset(change.range.start)) + change.text + text.slice(offset(change.range.end));
}

export function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length - 1, character: before[before.length - 1].length };
}

/** The zero-based line of the first line containing `needle`. */
export function lineOf(text: string, needle: string, occurrence = 1): number {
  return positionOf(text, needle, 0, occurrence).line;
}

export interface StartOptions {
  /** Added to the environment the VS Code client starts the server with (see serverEnvironment). */
  env?: Record<string, string>;
  capabilities?: ClientCapabilities;
  initializationOptions?: unknown;
  /** Answered to workspace/configuration requests (only asked when capabilities.workspace.configuration is set). */
  configuration?: () => unknown;
}

export class LspClient {
  readonly diagnostics: PublishDiagnosticsParams[] = [];
  readonly logs: LogMessageParams[] = [];
  readonly configurationRequests: unknown[] = [];
  refreshRequests = 0;
  stderr = "";
  exitCode: number | null = null;
  initializeResult!: InitializeResult;
  private readonly waiters = new Set<() => void>();
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly process: ChildProcess,
    readonly connection: ProtocolConnection,
  ) {
    this.exited = new Promise((resolve) =>
      process.on("exit", (code) => {
        this.exitCode = code;
        this.notify();
        resolve(code);
      }),
    );
    process.stderr!.on("data", (d) => (this.stderr += String(d)));
    connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.diagnostics.push(p);
      this.notify();
    });
    connection.onNotification(LogMessageNotification.type, (p) => {
      this.logs.push(p);
      this.notify();
    });
    connection.onRequest(RegistrationRequest.method, () => null);
    connection.onRequest(InlayHintRefreshRequest.method, () => {
      this.refreshRequests++;
      this.notify();
      return null;
    });
  }

  static async start(options: StartOptions = {}): Promise<LspClient> {
    const child = spawn(process.execPath, [SERVER, "--stdio"], { env: { ...serverEnvironment(process.env), ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspClient(child, connection);
    connection.onRequest(ConfigurationRequest.type, (params) => {
      client.configurationRequests.push(params);
      client.notify();
      return params.items.map(() => options.configuration?.() ?? null);
    });
    connection.listen();
    client.initializeResult = await client.within(
      connection.sendRequest(InitializeRequest.type, {
        processId: process.pid,
        rootUri: null,
        capabilities: options.capabilities ?? {},
        initializationOptions: options.initializationOptions,
      }),
      "initialize",
    );
    await connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves with the first truthy value of `check`, re-checked on every message from the server. */
  waitFor<T>(check: () => T | undefined | null | false, what: string, ms = DEADLINE_MS): Promise<T> {
    return new Promise((resolve, reject) => {
      const attempt = () => {
        const v = check();
        if (v) {
          cleanup();
          resolve(v);
        } else if (this.exitCode !== null) {
          cleanup();
          reject(new Error(`the server exited (code ${this.exitCode}) while waiting for ${what}; stderr:\n${this.stderr}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${ms} ms waiting for ${what}; server stderr:\n${this.stderr}`));
      }, ms);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(attempt);
      };
      this.waiters.add(attempt);
      attempt();
    });
  }

  /** A request with a deadline. */
  within<T>(p: Thenable<T>, what: string, ms = DEADLINE_MS): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}; server stderr:\n${this.stderr}`)), ms);
      if (what !== "server exit") {
        void this.exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`the server exited (code ${code}) while waiting for ${what}; stderr:\n${this.stderr}`));
        });
      }
      p.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }

  async open(uri: string, text: string, version = 1): Promise<void> {
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: "cnn", version, text } });
  }

  async change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): Promise<void> {
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: changes });
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  async changeConfiguration(settings: unknown): Promise<void> {
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings });
  }

  /** The diagnostics published for `uri` at `version` (waits for them). */
  diagnosticsFor(uri: string, version: number): Promise<Diagnostic[]> {
    return this.waitFor(() => this.diagnostics.find((d) => d.uri === uri && d.version === version)?.diagnostics, `diagnostics of ${uri} v${version}`);
  }

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.within(this.connection.sendRequest("textDocument/hover", { textDocument: { uri }, position }), "hover");
  }

  /** Hover markdown as a string ("" when there is no hover). */
  async hoverText(uri: string, position: Position): Promise<string> {
    const h = await this.hover(uri, position);
    if (!h) return "";
    const c = h.contents as { value?: string };
    return c.value ?? String(h.contents);
  }

  inlayHints(uri: string, range: Range): Promise<InlayHint[] | null> {
    return this.within(this.connection.sendRequest("textDocument/inlayHint", { textDocument: { uri }, range }), "inlay hints");
  }

  documentSymbols(uri: string): Promise<DocumentSymbol[] | null> {
    return this.within(this.connection.sendRequest("textDocument/documentSymbol", { textDocument: { uri } }), "document symbols");
  }

  foldingRanges(uri: string): Promise<FoldingRange[] | null> {
    return this.within(this.connection.sendRequest("textDocument/foldingRange", { textDocument: { uri } }), "folding ranges");
  }

  completion(uri: string, position: Position): Promise<CompletionItem[] | CompletionList | null> {
    return this.within(this.connection.sendRequest("textDocument/completion", { textDocument: { uri }, position }), "completion");
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.within(this.connection.sendRequest(method, params) as Thenable<R>, method);
  }

  /** shutdown, then exit; resolves with the process's exit code. */
  async stop(): Promise<number | null> {
    if (this.exitCode === null) {
      try {
        await this.within(this.connection.sendRequest(ShutdownRequest.type), "shutdown");
        await this.connection.sendNotification(ExitNotification.type);
      } catch {
        this.process.kill();
      }
    }
    const code = await this.within(this.exited, "server exit");
    this.connection.dispose();
    return code;
  }
}

/** The whole text as one range, for inlay hint requests. */
export function wholeRange(text: string): Range {
  const lines = text.split("\n");
  return { start: { line: 0, character: 0 }, end: { line: lines.length - 1, character: lines[lines.length - 1].length } };
}

/** `label` of an inlay hint as a plain string. */
export function hintLabel(h: InlayHint): string {
  return typeof h.label === "string" ? h.label : h.label.map((p) => p.value).join("");
}
