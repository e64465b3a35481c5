/**
 * Shared by the end-to-end tests: where code-server lives (they skip, with the
 * reason, only when it is not installed), a typed view of the helpers in
 * scripts/e2e/code-server.mjs, temp copies of the examples, and child
 * processes that die with the test that started them.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";

/** The repository root (the tests run from out/test/e2e/). */
export const ROOT = path.resolve(__dirname, "../../..");

/** The cache scripts/e2e/install.sh installs into; the same rule as code-server.mjs's CACHE (checked in loadHelpers). */
const CACHE = process.env.CNN_LENS_CACHE || path.join(os.homedir(), ".cache", "cnn-lens");
const CODE_SERVER = path.join(CACHE, "bin", "code-server");

/** Why the end-to-end tests cannot run here, or undefined when they can: the one reason to skip them. */
export const SKIP_REASON: string | undefined = fs.existsSync(CODE_SERVER)
  ? undefined
  : `code-server is not installed (${CODE_SERVER} is missing): run bash scripts/e2e/install.sh`;

export interface CodeServer {
  url: string;
  port: number;
  logFile: string;
  stop(): Promise<void>;
}

/** The helpers of scripts/e2e/code-server.mjs that the tests use (see that file for their contracts). */
export interface Helpers {
  CACHE: string;
  installVsix(vsixPath: string, extensionsDir: string): string;
  startCodeServer(o: { workspace: string; extensionsDir?: string; settings?: Record<string, unknown> }): Promise<CodeServer>;
  launchBrowser(o?: { viewport?: { width: number; height: number } }): Promise<{ page: Page; close(): Promise<void> }>;
  waitFor<T>(fn: () => Promise<T> | T, o?: { timeout?: number; interval?: number; what?: string }): Promise<T>;
  openWorkbench(page: Page, url: string): Promise<void>;
  openFromExplorer(page: Page, fileName: string): Promise<void>;
  editorLines(page: Page): Promise<string[]>;
  hoverOver(page: Page, text: string): Promise<string>;
  statusBarText(page: Page): Promise<string>;
  squiggleCounts(page: Page): Promise<{ errors: number; warnings: number }>;
  problemCounts(page: Page): Promise<{ errors: number; warnings: number; label: string | null }>;
}

/** Loads scripts/e2e/code-server.mjs (ESM, so through import()). */
export async function loadHelpers(): Promise<Helpers> {
  const helpers = (await import(pathToFileURL(path.join(ROOT, "scripts/e2e/code-server.mjs")).href)) as Helpers;
  if (path.resolve(helpers.CACHE) !== path.resolve(CACHE)) {
    throw new Error(`test/e2e/harness.ts looks for code-server in ${CACHE}, code-server.mjs in ${helpers.CACHE}: make them agree`);
  }
  return helpers;
}

/** A fresh temp folder, removed by the returned function. */
export function tempDir(name: string): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cnn-lens-${name}-`));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Copies the reference examples into `parent`/examples (tests that edit files edit the copies) and returns that folder. */
export function copyExamples(parent: string): string {
  const dir = path.join(parent, "examples");
  fs.cpSync(path.join(ROOT, "examples"), dir, { recursive: true });
  return dir;
}

/** The files of `dir` that differ from examples/ (by name and content). */
export function differencesFromExamples(dir: string): string[] {
  const examples = path.join(ROOT, "examples");
  const names = new Set([...fs.readdirSync(examples), ...fs.readdirSync(dir)]);
  return [...names].filter((name) => {
    const a = path.join(examples, name);
    const b = path.join(dir, name);
    return !fs.existsSync(a) || !fs.existsSync(b) || !fs.readFileSync(a).equals(fs.readFileSync(b));
  });
}

/**
 * Runs `node args...` in the repository root and collects its output. The
 * child gets SIGTERM when `signal` aborts (node:test aborts a test's signal
 * when it times out or is cancelled), so no process outlives its test.
 */
export function runNode(args: string[], options: { signal?: AbortSignal; env?: Record<string, string> } = {}): Promise<{ code: number | null; signal: string | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      signal: options.signal,
      killSignal: "SIGTERM",
    });
    let output = "";
    child.stdout.on("data", (d) => (output += String(d)));
    child.stderr.on("data", (d) => (output += String(d)));
    child.on("error", (e) => {
      if ((e as NodeJS.ErrnoException).name !== "AbortError") reject(e);
    });
    child.on("close", (code, signal) => resolve({ code, signal, output }));
  });
}

/**
 * Packages the working tree into a .vsix at `outFile` with vsce, as `npm run
 * package` does after the build (this assumes the build is done: dist/ is what ships).
 */
export async function packageVsix(outFile: string, signal?: AbortSignal): Promise<void> {
  const vsce = path.join(ROOT, "node_modules/@vscode/vsce/vsce");
  const r = await runNode([vsce, "package", "--no-dependencies", "--no-rewrite-relative-links", "--out", outFile], { signal });
  // vsce colours its messages whatever the environment says: strip the escapes for a readable failure.
  const output = r.output.replace(/\x1b\[[0-9;]*m/g, "");
  if (r.code !== 0 || !fs.existsSync(outFile)) throw new Error(`vsce package failed (exit ${r.code ?? r.signal}):\n${output}`);
}
