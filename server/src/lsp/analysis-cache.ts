/**
 * One analysis per document version. Every feature (diagnostics, hovers,
 * inlay hints, symbols, the status-bar summary) reads the analysis from here,
 * so a version is parsed and evaluated once however many requests ask.
 */
import { analyze, Analysis, LineIndex } from "../core";

/** The text of one document version: what a request works on, taken before it yields. */
export interface Snapshot {
  uri: string;
  version: number;
  text: string;
}

/** A document version with its analysis and the line index to convert offsets. */
export interface DocumentAnalysis extends Snapshot {
  analysis: Analysis;
  lines: LineIndex;
  /** Milliseconds the analysis took. */
  millis: number;
}

/** The newest analysis of each open document, keyed by uri and version. */
export class AnalysisCache {
  private readonly entries = new Map<string, DocumentAnalysis>();
  /** How many analyses ran since start-up (for logs and tests of the cache). */
  analysesRun = 0;

  /** The analysis of this uri and version, computed at most once. */
  get(snapshot: Snapshot): DocumentAnalysis {
    const cached = this.entries.get(snapshot.uri);
    if (cached && cached.version === snapshot.version && cached.text.length === snapshot.text.length) return cached;
    // The older version is never asked for again: let it go before the new analysis runs,
    // so the heap never holds both (two analyses of 100,000 statements are 125 MB).
    if (cached && cached.version <= snapshot.version) this.entries.delete(snapshot.uri);
    const t0 = performance.now();
    const analysis = analyze(snapshot.text);
    const entry: DocumentAnalysis = {
      uri: snapshot.uri,
      version: snapshot.version,
      text: snapshot.text,
      analysis,
      lines: new LineIndex(snapshot.text),
      millis: performance.now() - t0,
    };
    this.analysesRun++;
    // Only the newest version is kept: an older one is never asked for again.
    if (!cached || cached.version <= snapshot.version) this.entries.set(snapshot.uri, entry);
    return entry;
  }

  /** Forgets a closed document. */
  delete(uri: string): void {
    this.entries.delete(uri);
  }
}
