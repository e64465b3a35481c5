/**
 * Runs `analyze` in a worker thread for the limits tests, so that a hang is a
 * failed test (the test terminates the worker at its deadline) rather than a
 * test run that never ends. Answers each `{ id, text }` with the time the
 * analysis took and a plain summary of what it found.
 *
 * The worker is started with a 1 MB stack, a little less than the language
 * server's main thread has, so deep nesting is tested at least as strictly.
 */
import { parentPort } from "node:worker_threads";
import { analyze } from "../../server/src/core";

/** What the limits tests read from an analysis (the Analysis itself does not cross threads). */
export interface AnalysisSummary {
  ms: number;
  textLength: number;
  /** Statement runs (occurrences) the evaluation made. */
  runs: number;
  diagnostics: { start: number; end: number; severity: string; code: string; message: string }[];
  models: {
    name: string;
    input: number[] | null;
    output: number[] | null;
    params: number;
    nonLearnable: number;
    macs: number;
    auxParams: number;
    auxMacs: number;
    layers: number;
    /** Layer instances whose output shape is unknown. */
    layersWithoutShape: number;
    /** Distinct output shapes of the layers, as `16x32x32`. */
    layerShapes: string[];
    layersTruncated: boolean;
  }[];
}

export type WorkerAnswer = { id: number; summary: AnalysisSummary } | { id: number; error: string };

export function summarize(text: string): AnalysisSummary {
  const t0 = performance.now();
  const a = analyze(text);
  const ms = performance.now() - t0;
  return {
    ms,
    textLength: text.length,
    runs: a.occurrences.count,
    diagnostics: a.diagnostics.map(({ start, end, severity, code, message }) => ({ start, end, severity, code, message })),
    models: a.models.map((m) => ({
      name: m.name,
      input: m.input,
      output: m.output,
      params: m.params,
      nonLearnable: m.nonLearnable,
      macs: m.macs,
      auxParams: m.auxParams,
      auxMacs: m.auxMacs,
      layers: m.layers.length,
      layersWithoutShape: m.layers.filter((l) => !l.output).length,
      layerShapes: [...new Set(m.layers.map((l) => l.output?.join("x") ?? "?"))],
      layersTruncated: m.layersTruncated,
    })),
  };
}

parentPort?.on("message", ({ id, text }: { id: number; text: string }) => {
  let answer: WorkerAnswer;
  try {
    answer = { id, summary: summarize(text) };
  } catch (e) {
    answer = { id, error: (e as Error)?.stack ?? String(e) };
  }
  parentPort!.postMessage(answer);
});
