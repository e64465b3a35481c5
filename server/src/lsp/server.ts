/**
 * The wiring: documents with incremental sync, one analysis per version,
 * diagnostics pushed on open and on every change, and one guarded handler per
 * feature. Each feature file only converts between the protocol and the pure
 * builders; nothing here computes a number.
 */
import {
  CancellationToken,
  Connection,
  DidChangeConfigurationNotification,
  InitializeParams,
  InitializeResult,
  InlayHint,
  TextDocuments,
  TextDocumentSyncKind,
} from "vscode-languageserver";
import { TextDocument } from "vscode-languageserver-textdocument";
import { AnalysisCache, DocumentAnalysis, Snapshot } from "./analysis-cache";
import { completions } from "./completion";
import { toDiagnostics } from "./diagnostics";
import { foldingRanges } from "./folding";
import { Cancelled, guardNotification, guardRequest, Logger, yieldToEventLoop } from "./guard";
import { hover } from "./hover";
import { hintRef, inlayHints, resolveInlayHint } from "./inlay-hints";
import { IdleCollector } from "./memory";
import { EMPTY_SUMMARY, modelSummary, ModelSummaryRequest } from "./model-summary";
import { DEFAULT_SETTINGS, readSettings, Settings } from "./settings";
import { documentSymbols } from "./symbols";

/**
 * Delay between a change and its diagnostics. Zero: analysis is fast enough to
 * run on every change, and a timer (rather than running inline) lets a burst
 * of queued edits collapse into one analysis of the final text.
 */
export const DIAGNOSTICS_DELAY_MS = 0;

/** Analyses slower than this are logged, so a pathological file shows up in the output channel. */
const SLOW_ANALYSIS_MS = 250;

/** Registers every handler on `connection`; the caller then calls `connection.listen()`. */
export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const cache = new AnalysisCache();
  const collector = new IdleCollector();
  const logger: Logger = { error: (m) => connection.console.error(m) };

  let settings: Settings = DEFAULT_SETTINGS;
  let pulled: Promise<Settings> | undefined;
  let canPullConfiguration = false;
  let canRegisterConfiguration = false;
  let canRefreshHints = false;
  /** The client fetches tooltips with inlayHint/resolve: hints go out with labels only. */
  let canResolveTooltips = false;

  const snapshotOf = (doc: TextDocument): Snapshot => ({ uri: doc.uri, version: doc.version, text: doc.getText() });

  const analyse = (snapshot: Snapshot): DocumentAnalysis => {
    const run = cache.analysesRun;
    const result = cache.get(snapshot);
    if (cache.analysesRun !== run) collector.schedule();
    if (result.millis > SLOW_ANALYSIS_MS) connection.console.warn(`CNN Lens: analysing ${snapshot.uri} took ${Math.round(result.millis)} ms`);
    return result;
  };

  /** The settings: pulled from the client once per change when it can answer, else what it pushed. */
  const currentSettings = (): Promise<Settings> | Settings => {
    if (!canPullConfiguration) return settings;
    pulled ??= connection.workspace
      .getConfiguration("cnnLens")
      .then((raw) => (settings = readSettings(raw)))
      .catch(() => settings);
    return pulled;
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const caps = params.capabilities ?? {};
    canPullConfiguration = !!caps.workspace?.configuration;
    canRegisterConfiguration = !!caps.workspace?.didChangeConfiguration?.dynamicRegistration;
    canRefreshHints = !!caps.workspace?.inlayHint?.refreshSupport;
    canResolveTooltips = !!caps.textDocument?.inlayHint?.resolveSupport?.properties?.includes("tooltip");
    if (params.initializationOptions) settings = readSettings(params.initializationOptions);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        inlayHintProvider: { resolveProvider: true },
        documentSymbolProvider: { label: "CNN Lens" },
        foldingRangeProvider: true,
        completionProvider: { triggerCharacters: ["=", "("] },
      },
      serverInfo: { name: "cnn-lens" },
    };
  });

  connection.onInitialized(() => {
    if (canRegisterConfiguration) void connection.client.register(DidChangeConfigurationNotification.type, { section: "cnnLens" });
  });

  connection.onDidChangeConfiguration(
    guardNotification(logger, "workspace/didChangeConfiguration", (params) => {
      pulled = undefined;
      // A client that cannot be asked pushes the settings in the notification.
      if (!canPullConfiguration && params?.settings) settings = readSettings(params.settings);
      if (canRefreshHints) void connection.languages.inlayHint.refresh().catch(() => undefined);
    }),
  );

  // -------------------------------------------------------------------------
  // Diagnostics, pushed on open and after every change

  const pending = new Map<string, ReturnType<typeof setTimeout>>();

  const publishDiagnostics = (uri: string) => {
    try {
      const doc = documents.get(uri);
      if (!doc) return;
      const analysed = analyse(snapshotOf(doc));
      void connection.sendDiagnostics({ uri, version: analysed.version, diagnostics: toDiagnostics(analysed) });
    } catch (e) {
      logger.error(`CNN Lens: diagnostics for ${uri} failed: ${(e as Error)?.stack ?? e}`);
    }
  };

  documents.onDidChangeContent(({ document }) => {
    clearTimeout(pending.get(document.uri));
    pending.set(
      document.uri,
      setTimeout(() => {
        pending.delete(document.uri);
        publishDiagnostics(document.uri);
      }, DIAGNOSTICS_DELAY_MS),
    );
  });

  documents.onDidClose(({ document }) => {
    clearTimeout(pending.get(document.uri));
    pending.delete(document.uri);
    cache.delete(document.uri);
    collector.schedule();
    void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
  });

  // -------------------------------------------------------------------------
  // Requests on one document: unknown documents get the empty answer

  /**
   * Takes the document as it is when the request arrives, lets pending
   * cancellations land, then reads (or makes) that version's analysis.
   */
  const withDocument = async (uri: unknown, token: CancellationToken): Promise<DocumentAnalysis | undefined> => {
    const doc = typeof uri === "string" ? documents.get(uri) : undefined;
    if (!doc) return undefined;
    const snapshot = snapshotOf(doc);
    await yieldToEventLoop();
    if (token.isCancellationRequested) throw new Cancelled();
    const analysed = analyse(snapshot);
    if (token.isCancellationRequested) throw new Cancelled();
    return analysed;
  };

  type DocParams = { textDocument?: { uri?: unknown } } | null | undefined;

  connection.onHover(
    guardRequest(logger, "textDocument/hover", null, async (params, token) => {
      const doc = await withDocument((params as DocParams)?.textDocument?.uri, token);
      return doc ? hover(doc, params) : null;
    }),
  );

  connection.languages.inlayHint.on(
    guardRequest(logger, "textDocument/inlayHint", [], async (params, token) => {
      const current = await currentSettings();
      const doc = await withDocument((params as DocParams)?.textDocument?.uri, token);
      return doc ? inlayHints(doc, params, current.inlayHints, () => token.isCancellationRequested, canResolveTooltips) : [];
    }),
  );

  // A hint whose tooltip cannot be found (its document moved on, a failure) is answered as it came.
  connection.languages.inlayHint.resolve((hint, token) =>
    guardRequest(logger, "inlayHint/resolve", hint, async (h: InlayHint, t) => {
      const ref = hintRef(h);
      const current = await currentSettings();
      const doc = ref ? await withDocument(ref.uri, t) : undefined;
      return doc ? resolveInlayHint(doc, h, current.inlayHints) : h;
    })(hint, token),
  );

  connection.onDocumentSymbol(
    guardRequest(logger, "textDocument/documentSymbol", [], async (params, token) => {
      const doc = await withDocument((params as DocParams)?.textDocument?.uri, token);
      return doc ? documentSymbols(doc) : [];
    }),
  );

  connection.onFoldingRanges(
    guardRequest(logger, "textDocument/foldingRange", [], async (params, token) => {
      const doc = await withDocument((params as DocParams)?.textDocument?.uri, token);
      return doc ? foldingRanges(doc) : [];
    }),
  );

  connection.onCompletion(
    guardRequest(logger, "textDocument/completion", [], async (params, token) => {
      const doc = await withDocument((params as DocParams)?.textDocument?.uri, token);
      return doc ? completions(doc, params) : [];
    }),
  );

  connection.onRequest(
    ModelSummaryRequest,
    guardRequest(logger, ModelSummaryRequest.method, EMPTY_SUMMARY, async (params, token) => {
      const doc = await withDocument(params?.uri, token);
      return doc ? modelSummary(doc, params) : EMPTY_SUMMARY;
    }),
  );

  documents.listen(connection);
}
