/**
 * Reading a server process's memory, for the tests that hold it to a bound.
 * Linux only: it reads /proc/<pid>/status.
 */
import * as fs from "node:fs";

export const LINUX = process.platform === "linux";

/** The resident set and its peak, in MB, of a process. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

export const mb = (n: number) => `${n.toFixed(1)} MB`;

/**
 * The resident set once the server has been quiet long enough for its collections
 * (server/src/lsp/memory.ts: after 1.5 s, then every 6 s until the young generation
 * is shrunk, 7.5–19.5 s in all): polls until it is at most `target` MB or `ms` have
 * passed, and returns the last reading.
 */
export async function quietRss(pid: number, target: number, ms: number): Promise<number> {
  const deadline = performance.now() + ms;
  let rss = memoryOf(pid).rss;
  while (rss > target && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    rss = memoryOf(pid).rss;
  }
  return rss;
}

/** A flat model of 100,000 statements (about 2.1 MB): the size the memory target is set for. */
export function bigModel(): string {
  const lines = ["model Big {", "  input 16x32x32"];
  for (let i = 0; i < 25_000; i++) lines.push("  conv 16, 3, padding=1", "  batchnorm", "  relu", "  dropout 0.1");
  lines.push("}");
  return lines.join("\n") + "\n";
}
