/**
 * The command line against what test/cli/check.test.ts leaves out: bad input
 * on standard input, devices and pipes, odd arguments, and files that are
 * huge, garbage or pathological. A usage or I/O problem is one clear line on
 * stderr and exit 2; a file, however bad, is analysed in bounded time to
 * diagnostics in the usual one-line format (exit 1), never a stack trace.
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";
import { cli } from "../cli/run-cli";

const tmp = mkdtempSync(path.join(tmpdir(), "cnn-lens-robust-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const GOOD = "model M {\n  input 3x8x8\n  conv 4, 3\n}\n";
/** `path:line:col: severity: message [code]` */
const DIAGNOSTIC_LINE = /^.+:\d+:\d+: (error|warning|info): .+ \[[a-z-]+\]$/;

function assertTrouble(args: string[], line: string | RegExp, options = {}): void {
  const r = cli(args, options);
  assert.equal(r.status, 2, JSON.stringify(r));
  assert.equal(r.stdout, "");
  const lines = r.stderr.split("\n");
  assert.equal(lines.length, 2, `one line, then the end: ${JSON.stringify(r.stderr)}`);
  if (typeof line === "string") assert.equal(lines[0], line);
  else assert.match(lines[0], line);
}

function assertNoStack(text: string): void {
  assert.doesNotMatch(text, /^\s+at .+:\d+:\d+\)?$/m, "a stack trace");
  assert.doesNotMatch(text, /internal error/);
}

test("binary and non-UTF-8 text on standard input: exit 2, one line", () => {
  assertTrouble(["check", "-"], /^cnn-lens: <stdin>: a binary file, not \.cnn text$/, { input: "model\0M {" });
  assertTrouble(["check", "-"], /^cnn-lens: <stdin>: not valid UTF-8 text$/, { input: Buffer.from([0x6d, 0x6f, 0xff, 0xfe, 0x0a]) });
});

test("empty standard input is a clean, empty file", () => {
  assert.deepEqual(cli(["check", "-"], { input: "" }), { status: 0, stdout: "", stderr: "" });
});

test("a device or a named pipe is not a .cnn file: exit 2 without reading it", { skip: process.platform === "win32" && "no /dev/null or mkfifo" }, () => {
  assertTrouble(["check", "/dev/null"], "cnn-lens: /dev/null: not a regular file");
  const fifo = path.join(tmp, "pipe.cnn");
  execFileSync("mkfifo", [fifo]);
  // Reading a FIFO nobody writes to would block for ever: the CLI must not open it.
  assertTrouble(["check", fifo], `cnn-lens: ${fifo}: not a regular file`);
});

test("odd arguments: one line, exit 2", () => {
  const file = path.join(tmp, "good.cnn");
  writeFileSync(file, GOOD);
  const hint = " (see 'cnn-lens --help')";
  assertTrouble(["check", "-x", file], `cnn-lens: unknown option '-x'${hint}`);
  assertTrouble(["summary", "--json", "--bogus=1", file], `cnn-lens: unknown option '--bogus=1'${hint}`);
  assertTrouble(["summary", "--depth=-1", file], `cnn-lens: --depth needs a whole number of at least 1, but it is '-1'${hint}`);
  assertTrouble(["check", ""], /^cnn-lens: an empty file name$/);
});

test("10 MB of garbage: diagnostics in the one-line format, a few hundred at most, in bounded time", () => {
  const file = path.join(tmp, "garbage.cnn");
  const alphabet = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).concat(["\n"]);
  const out: string[] = [];
  let s = 7;
  for (let i = 0; i < 10_000_000; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out.push(alphabet[(s >>> 16) % alphabet.length]);
  }
  writeFileSync(file, out.join(""));
  const t0 = performance.now();
  const r = cli(["check", file]);
  const ms = performance.now() - t0;
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assert.ok(lines.length >= 1 && lines.length <= 1000, `${lines.length} lines`);
  for (const line of lines) assert.match(line, DIAGNOSTIC_LINE);
  assertNoStack(r.stdout + r.stderr);
  assert.ok(ms < 20_000, `${ms.toFixed(0)} ms`);
  const json = cli(["check", "--json", file]);
  assert.equal(json.status, 1);
  JSON.parse(json.stdout);
});

test("pathological files: nesting, expansion and overflow are one line each, exit 1", () => {
  const cases: [string, string, string][] = [
    ["nesting.cnn", "model N {\n  input 3x8x8\n  " + "{".repeat(10_000) + "\n}\n", "nesting-too-deep"],
    ["expansion.cnn", "model E {\n  input 1x1x1\n  repeat 99999999 { zeropad 1 }\n}\n", "expansion-too-large"],
    ["overflow.cnn", "model O {\n  input 16\n  dense 99999999999999999999\n}\n", "count-overflow"],
    ["recursion.cnn", "model R {\n  input 8\n  a()\n}\nblock a() {\n  a()\n}\n", "recursive-block"],
  ];
  for (const [name, text, code] of cases) {
    const file = path.join(tmp, name);
    writeFileSync(file, text);
    for (const command of ["check", "summary"]) {
      const r = cli([command, file]);
      assert.equal(r.status, 1, `${command} ${name}: ${JSON.stringify(r)}`);
      const diagnostics = command === "check" ? r.stdout : r.stderr;
      assert.match(diagnostics, new RegExp(`\\[${code}\\]`), `${command} ${name}`);
      for (const line of diagnostics.trimEnd().split("\n")) assert.match(line, DIAGNOSTIC_LINE);
      assertNoStack(r.stdout + r.stderr);
    }
  }
});
