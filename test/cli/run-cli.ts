/**
 * Runs the real command line from the repository root, as a user would: the
 * `bin/cnn-lens` that npm installs, which starts from the CLI's startup snapshot
 * (falling back to the bundle dist/cli.js). The tests assume the build was done:
 * `npx tsc -p . && node scripts/bundle.mjs`.
 */
import { spawnSync, SpawnSyncOptions } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";

/** The repository root (this file runs from out/test/cli/). */
export const ROOT = path.resolve(__dirname, "../../..");
export const CLI = path.join(ROOT, "bin", "cnn-lens");
/** Fixture paths relative to ROOT, as they appear in the CLI's output. */
export const FIXTURES = "test/cli/fixtures";

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `cnn-lens args...` in ROOT and returns its exit status and output. */
export function cli(args: string[], options: SpawnSyncOptions & { input?: string } = {}): CliResult {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first with 'npx tsc -p . && node scripts/bundle.mjs'`);
  const r = spawnSync(CLI, args, { cwd: ROOT, encoding: "utf8", timeout: 30_000, ...options });
  if (r.error) throw r.error;
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** The path of a fixture, relative to ROOT. */
export function fixture(name: string): string {
  return `${FIXTURES}/${name}`;
}

/**
 * The cells of a table row: the columns are separated by three or more spaces;
 * the first cell keeps its indentation (two spaces per level of depth).
 */
export function cells(line: string): string[] {
  const indent = /^ */.exec(line)![0];
  const parts = line.trimStart().split(/ {3,}/);
  parts[0] = indent + parts[0];
  return parts;
}

/** The rows of the first table in a summary: the lines between the header's rule and the closing rule. */
export function tableRows(stdout: string): string[] {
  const lines = stdout.split("\n");
  const rules = lines.flatMap((l, i) => (/^─+$/.test(l) ? [i] : []));
  return lines.slice(rules[1] + 1, rules[2]);
}

/** The value after `label:` in a summary's totals. */
export function total(stdout: string, label: string): string | undefined {
  const line = stdout.split("\n").find((l) => l.startsWith(label + ":"));
  return line?.slice(label.length + 1).trim();
}
