/**
 * Runs `summary` or `check` over files: reads, analyses and prints each one,
 * and works out the exit status.
 */
import { fails, formatDiagnostics } from "./check";
import { CLEAN, FAILED, TROUBLE } from "./exit-status";
import { JsonFile, stringifyDocument, toJsonFile } from "./json";
import { analyzeSource, readSource } from "./source-file";
import { renderSummary } from "./summary";

/** What the command line asked for. */
export interface Options {
  command: "summary" | "check";
  files: string[];
  json: boolean;
  /** summary: how many levels of statements to show; 1 = the model's own. */
  depth: number;
}

/** Where output goes. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** Runs a command; returns the exit status. Output goes through `write`. */
export function run(options: Options, write: Output): number {
  let status = CLEAN;
  const documents: JsonFile[] = [];
  let first = true;
  for (const path of options.files) {
    const read = readSource(path);
    if (!read.ok) {
      write.err(`cnn-lens: ${read.message}\n`);
      status = TROUBLE;
      continue;
    }
    const file = analyzeSource(path, read.text);
    if (fails(file) && status === CLEAN) status = FAILED;
    if (options.json) {
      documents.push(toJsonFile(file, options.command === "summary"));
      continue;
    }
    const diagnostics = formatDiagnostics(file);
    if (options.command === "check") {
      if (diagnostics.length) write.out(diagnostics.join("\n") + "\n");
      continue;
    }
    // summary: the diagnostics on stderr, so the tables on stdout stay clean for a pipe.
    if (diagnostics.length) write.err(diagnostics.join("\n") + "\n");
    write.out((first ? "" : "\n") + renderSummary(file, options.depth));
    first = false;
  }
  if (options.json) write.out(stringifyDocument(documents));
  return status;
}
