/**
 * `cnn-lens check` and the command line as a whole: the one-line diagnostic
 * format, exit statuses 0/1/2, every kind of file that cannot be read, usage.
 */
import { after, test } from "node:test";
import * as assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { cli, fixture, ROOT } from "./run-cli";

const tmp = mkdtempSync(path.join(tmpdir(), "cnn-lens-cli-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const GOOD = "model M {\n  input 3x8x8\n  conv 4, 3\n}\n";

/** Asserts a usage or I/O failure: status 2, nothing on stdout, exactly `line` on stderr. */
function assertTrouble(args: string[], line: string, options = {}): void {
  const r = cli(args, options);
  assert.deepEqual(r, { status: 2, stdout: "", stderr: line + "\n" });
}

test("check: a clean file prints nothing and exits 0", () => {
  assert.deepEqual(cli(["check", fixture("small.cnn")]), { status: 0, stdout: "", stderr: "" });
});

test("check: an empty file is clean", () => {
  assert.deepEqual(cli(["check", fixture("empty.cnn")]), { status: 0, stdout: "", stderr: "" });
});

test("check: a typo in a layer name is one line path:line:col: severity: message [code], exit 1", () => {
  assert.deepEqual(cli(["check", fixture("typo.cnn")]), {
    status: 1,
    stdout: "test/cli/fixtures/typo.cnn:5:3: error: unknown layer 'reluu'; did you mean 'relu'? [unknown-layer]\n",
    stderr: "",
  });
});

test("check: a broken budget exits 1 though it is a warning", () => {
  const r = cli(["check", fixture("over-budget.cnn")]);
  assert.equal(r.status, 1);
  assert.deepEqual(r.stdout.split("\n"), [
    "test/cli/fixtures/over-budget.cnn:4:3: warning: params 1,792 exceeds the budget of 1,000 by 792 (79.2% over) [budget-exceeded]",
    "test/cli/fixtures/over-budget.cnn:6:3: warning: params budget of 1,000 first broken here: 1,792 so far [budget-exceeded]",
    "",
  ]);
});

test("check: warnings alone exit 0", () => {
  const file = path.join(tmp, "warn.cnn");
  writeFileSync(file, "model M {\n  input 4\n  dense 2\n}\nmodel N {\n  input 4\n  budget params <= 100\n  dense 2\n}\n");
  assert.deepEqual(cli(["check", file]), { status: 0, stdout: "", stderr: "" });
});

test("check: errors inside a block are reported there and at the call, each on its own line", () => {
  const file = path.join(tmp, "block-error.cnn");
  writeFileSync(file, "model M {\n  input 3x8x8\n  unit(4)\n}\n\nblock unit(c) {\n  conv c, 3, strid=2\n}\n");
  const r = cli(["check", file]);
  assert.equal(r.status, 1);
  const lines = r.stdout.trimEnd().split("\n");
  assert.equal(lines.length, 2, r.stdout);
  assert.match(lines[0], new RegExp(`^${escape(file)}:3:3: error: in unit\\(4\\): .*\\[unknown-argument\\]$`));
  assert.match(lines[1], new RegExp(`^${escape(file)}:7:14: error: .*'strid'.*\\[unknown-argument\\]$`));
});

test("check: several files, and the worst status wins", () => {
  const r = cli(["check", fixture("small.cnn"), fixture("typo.cnn"), fixture("empty.cnn")]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout.trimEnd().split("\n").length, 1);
});

test("check -: reads standard input", () => {
  const r = cli(["check", "-"], { input: "model M {\n  input 4\n  densee 2\n}\n" });
  assert.deepEqual(r, { status: 1, stdout: "<stdin>:3:3: error: unknown layer 'densee'; did you mean 'dense'? [unknown-layer]\n", stderr: "" });
});

test("check: columns are 1-based and lines may end in CRLF", () => {
  const file = path.join(tmp, "crlf.cnn");
  writeFileSync(file, "model M {\r\n  input 3x8x8\r\n\tconvv 4, 3\r\n}\r\n");
  assert.equal(cli(["check", file]).stdout, `${file}:3:2: error: unknown layer 'convv'; did you mean 'conv'? [unknown-layer]\n`);
});

// ---------------------------------------------------------------------------
// I/O problems: exit 2, one clear line on stderr, never a stack trace.

test("a missing file: exit 2", () => {
  assertTrouble(["check", fixture("missing.cnn")], "cnn-lens: test/cli/fixtures/missing.cnn: no such file");
  assertTrouble(["summary", fixture("missing.cnn")], "cnn-lens: test/cli/fixtures/missing.cnn: no such file");
});

test("a directory: exit 2", () => {
  assertTrouble(["check", "test/cli/fixtures"], "cnn-lens: test/cli/fixtures: is a directory, not a .cnn file");
});

test("a path through a file: exit 2", () => {
  assertTrouble(["check", fixture("small.cnn/x.cnn")], "cnn-lens: test/cli/fixtures/small.cnn/x.cnn: a part of the path is not a directory");
});

test("a binary file: exit 2", () => {
  const file = path.join(tmp, "weights.cnn");
  writeFileSync(file, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]));
  assertTrouble(["check", file], `cnn-lens: ${file}: a binary file, not .cnn text`);
});

test("a file that is not UTF-8: exit 2", () => {
  const file = path.join(tmp, "latin1.cnn");
  writeFileSync(file, Buffer.concat([Buffer.from(GOOD), Buffer.from("# caf\xe9\n", "latin1")]));
  assertTrouble(["summary", file], `cnn-lens: ${file}: not valid UTF-8 text`);
});

test("a UTF-8 file with a byte-order mark reads normally", () => {
  const file = path.join(tmp, "bom.cnn");
  writeFileSync(file, "\ufeff" + GOOD.replace("conv", "convv"));
  assert.equal(cli(["check", file]).stdout, `${file}:3:3: error: unknown layer 'convv'; did you mean 'conv'? [unknown-layer]\n`);
});

test("an unreadable file: exit 2", { skip: process.platform === "win32" && "no POSIX permissions" }, () => {
  const dir = path.join(tmp, "locked");
  mkdirSync(dir);
  const file = path.join(dir, "secret.cnn");
  writeFileSync(file, GOOD);
  chmodSync(file, 0o000);
  // root reads any file, so run the CLI as 'nobody' then (it needs the temporary directories to be searchable).
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    chmodSync(tmp, 0o755);
    chmodSync(dir, 0o755);
  }
  assertTrouble(["check", file], `cnn-lens: ${file}: permission denied`, asRoot ? { uid: 65534, gid: 65534 } : {});
});

test("a bad file among good ones: the good ones are still reported, and the status is 2", () => {
  const r = cli(["check", fixture("typo.cnn"), fixture("missing.cnn")]);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, "test/cli/fixtures/typo.cnn:5:3: error: unknown layer 'reluu'; did you mean 'relu'? [unknown-layer]\n");
  assert.equal(r.stderr, "cnn-lens: test/cli/fixtures/missing.cnn: no such file\n");
});

// ---------------------------------------------------------------------------
// Usage.

test("no arguments: the usage on stderr, exit 2", () => {
  const r = cli([]);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^Usage: cnn-lens <command> \[options\] FILE\.\.\.\n/);
});

test("--help and -h: the usage on stdout, exit 0", () => {
  for (const flag of ["--help", "-h"]) {
    const r = cli([flag]);
    assert.equal(r.status, 0);
    assert.equal(r.stderr, "");
    assert.match(r.stdout, /^Usage: cnn-lens <command> \[options\] FILE\.\.\.\n/);
    assert.match(r.stdout, /^ {2}summary FILE\.\.\./m);
    assert.match(r.stdout, /^ {2}check FILE\.\.\./m);
    assert.match(r.stdout, /^ {2}--depth N/m);
    assert.match(r.stdout, /^ {2}--json/m);
  }
  assert.equal(cli(["summary", "--help"]).status, 0);
});

test("--version: the version of package.json", () => {
  const { version } = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
  assert.deepEqual(cli(["--version"]), { status: 0, stdout: version + "\n", stderr: "" });
});

test("usage errors: one line on stderr, exit 2", () => {
  const hint = " (see 'cnn-lens --help')";
  assertTrouble(["check", "--bogus", fixture("small.cnn")], `cnn-lens: unknown option '--bogus'${hint}`);
  assertTrouble(["lint", fixture("small.cnn")], `cnn-lens: unknown command 'lint': the commands are 'summary' and 'check'${hint}`);
  assertTrouble([fixture("small.cnn")], `cnn-lens: unknown command '${fixture("small.cnn")}': the commands are 'summary' and 'check' (did you mean 'cnn-lens summary ${fixture("small.cnn")}'?)${hint}`);
  assertTrouble(["summary"], `cnn-lens: summary needs at least one file${hint}`);
  assertTrouble(["--json"], `cnn-lens: no command given: use 'summary' or 'check'${hint}`);
  assertTrouble(["summary", "--depth", "0", fixture("small.cnn")], `cnn-lens: --depth needs a whole number of at least 1, but it is '0'${hint}`);
  assertTrouble(["summary", "--depth=two", fixture("small.cnn")], `cnn-lens: --depth needs a whole number of at least 1, but it is 'two'${hint}`);
  assertTrouble(["summary", fixture("small.cnn"), "--depth"], `cnn-lens: --depth needs a number, such as --depth 2${hint}`);
  assertTrouble(["check", "--depth", "2", fixture("small.cnn")], `cnn-lens: --depth applies to 'summary' only${hint}`);
});

test("-- ends the options: a file named like an option", () => {
  const file = path.join(tmp, "--odd.cnn");
  writeFileSync(file, GOOD);
  const r = cli(["check", "--", "--odd.cnn"], { cwd: tmp });
  assert.deepEqual(r, { status: 0, stdout: "", stderr: "" });
});

test("the bundle holds the core only: no language-server code to load at start-up", () => {
  const bundle = readFileSync(path.join(ROOT, "dist", "cli.js"), "utf8");
  assert.ok(bundle.startsWith("#!/usr/bin/env node\n"));
  assert.ok(!bundle.includes("vscode-languageserver"), "the CLI bundle must not include vscode-languageserver");
  assert.ok(!bundle.includes("vscode-jsonrpc"), "the CLI bundle must not include vscode-jsonrpc");
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
