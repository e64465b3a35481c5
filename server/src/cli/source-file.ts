/**
 * Reading `.cnn` files for the command line: every way a read can fail becomes
 * one plain sentence (never a stack trace), and the text is checked to be UTF-8.
 */
import * as fs from "fs";
import { analyze, Analysis, LineIndex } from "../core";

/** A file that was read and analysed. */
export interface AnalyzedFile {
  /** The path as the user wrote it (`-` is shown as `<stdin>`). */
  path: string;
  analysis: Analysis;
  lines: LineIndex;
}

/** The result of reading one path: its text, or why it could not be read. */
export type ReadResult = { ok: true; text: string } | { ok: false; message: string };

/** Reads `path` (`-` is standard input) as UTF-8 text. A leading byte-order mark is dropped. */
export function readSource(path: string): ReadResult {
  if (path === "") return { ok: false, message: "an empty file name" };
  // Standard input is named as its diagnostics name it.
  const name = displayName(path);
  let bytes: Buffer;
  try {
    if (path === "-") bytes = fs.readFileSync(0);
    else {
      // stat first, so a directory or a device gets a clear sentence rather than a read error.
      const st = fs.statSync(path);
      if (st.isDirectory()) return { ok: false, message: `${name}: is a directory, not a .cnn file` };
      if (!st.isFile()) return { ok: false, message: `${name}: not a regular file` };
      bytes = fs.readFileSync(path);
    }
  } catch (e) {
    return { ok: false, message: `${name}: ${describeIoError(e)}` };
  }
  // A NUL byte never occurs in text; it marks an image, an archive, a compiled file...
  if (bytes.includes(0)) return { ok: false, message: `${name}: a binary file, not .cnn text` };
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, message: `${name}: not valid UTF-8 text` };
  }
}

/** Says in words why a read failed, from Node's error code. */
function describeIoError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
    case "EPERM":
    case "ERR_ACCESS_DENIED": // Node's permission model
      return "permission denied";
    case "EISDIR":
      return "is a directory, not a .cnn file";
    case "ENOTDIR":
      return "a part of the path is not a directory";
    case "ELOOP":
      return "too many levels of symbolic links";
    case "ENAMETOOLONG":
      return "the path is too long";
    default:
      return `cannot read it (${code ?? (e as Error)?.message ?? String(e)})`;
  }
}

/** How a path is shown: `-` (standard input) as `<stdin>`. */
function displayName(path: string): string {
  return path === "-" ? "<stdin>" : path;
}

/** Analyses text read from `path`. */
export function analyzeSource(path: string, text: string): AnalyzedFile {
  return { path: displayName(path), analysis: analyze(text), lines: new LineIndex(text) };
}
