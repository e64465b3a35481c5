/**
 * `cnn-lens`, the command line: `summary` and `check` for `.cnn` files.
 *
 * Exit status: 0 when every file is clean, 1 when a file has an error or a
 * model breaks a budget, 2 on a usage or I/O problem (the other files are
 * still analysed and reported). It imports only the core (no LSP), and loads
 * even that only once the arguments ask for an analysis, so it starts fast.
 */
import { CLEAN, TROUBLE } from "./exit-status";
import type { Options } from "./run";

const USAGE = `Usage: cnn-lens <command> [options] FILE...

Commands:
  summary FILE...   per model: each statement's output shape, parameters, MACs
                    and share of the model, then the totals and the budgets
  check FILE...     the diagnostics, one per line: path:line:col: severity: message [code]

Options:
  --depth N         summary: show statements N levels deep, inside block calls,
                    repeats, residuals and branches (default 1: the model's own)
  --json            print one JSON document instead of text
  -h, --help        print this help
  --version         print the version

FILE may be - for standard input.
Exit status: 0 clean, 1 an error or a broken budget, 2 a usage or I/O problem.
`;

/** What the arguments ask for: a run, or an answer to print and a status to exit with. */
type Parsed = { run: Options } | { stdout?: string; stderr?: string; status: number };

function usageError(message: string): Parsed {
  return { stderr: `cnn-lens: ${message} (see 'cnn-lens --help')\n`, status: TROUBLE };
}

/** Reads the arguments by hand: a command, files, and options anywhere (`--` ends them). */
export function parseArguments(argv: string[]): Parsed {
  if (argv.length === 0) return { stderr: USAGE, status: TROUBLE };
  const positional: string[] = [];
  let json = false;
  let depth: number | undefined;
  let help = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a === "-" || !a.startsWith("-")) positional.push(a);
    else if (a === "-h" || a === "--help") help = true;
    else if (a === "--version") version = true;
    else if (a === "--json") json = true;
    else if (a === "--depth" || a.startsWith("--depth=")) {
      const value = a === "--depth" ? argv[++i] : a.slice("--depth=".length);
      if (value === undefined) return usageError("--depth needs a number, such as --depth 2");
      if (!/^\d+$/.test(value) || Number(value) < 1) return usageError(`--depth needs a whole number of at least 1, but it is '${value}'`);
      depth = Number(value);
    } else return usageError(`unknown option '${a}'`);
  }
  if (help) return { stdout: USAGE, status: CLEAN };
  if (version) return { stdout: `${readVersion()}\n`, status: CLEAN };
  const [command, ...files] = positional;
  if (command === undefined) return usageError("no command given: use 'summary' or 'check'");
  if (command !== "summary" && command !== "check") {
    const hint = command.endsWith(".cnn") ? ` (did you mean 'cnn-lens summary ${command}'?)` : "";
    return usageError(`unknown command '${command}': the commands are 'summary' and 'check'${hint}`);
  }
  if (files.length === 0) return usageError(`${command} needs at least one file`);
  if (depth !== undefined && command !== "summary") return usageError("--depth applies to 'summary' only");
  return { run: { command, files, json, depth: depth ?? 1 } };
}

/** The version in the package.json above this script (dist/cli.js, or out/server/src/cli/main.js when unbundled). */
function readVersion(): string {
  const fs = require("fs") as typeof import("fs");
  const path = require("path") as typeof import("path");
  for (let dir = __dirname, i = 0; i < 6; dir = path.dirname(dir), i++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
      if (pkg.name === "cnn-lens" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // No package.json here (or not ours): look one level up.
    }
  }
  return "unknown";
}

/** Runs the CLI on `argv` (the arguments after the script); sets process.exitCode. */
export function main(argv: string[] = process.argv.slice(2)): void {
  // A reader that stops early (`| head`) closes the pipe: that is not an error.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? CLEAN);
    throw e;
  });
  const parsed = parseArguments(argv);
  if (!("run" in parsed)) {
    if (parsed.stdout) process.stdout.write(parsed.stdout);
    if (parsed.stderr) process.stderr.write(parsed.stderr);
    process.exitCode = parsed.status;
    return;
  }
  try {
    // Loaded only now: building the parser is most of the start-up, and --help, --version and usage errors do not need it.
    const { run } = require("./run") as typeof import("./run");
    process.exitCode = run(parsed.run, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) });
  } catch (e) {
    // A fault in CNN Lens itself: one line, and the stack only on request.
    process.stderr.write(`cnn-lens: internal error: ${(e as Error)?.message ?? e}\n`);
    if (process.env.CNN_LENS_DEBUG) process.stderr.write(`${(e as Error)?.stack}\n`);
    process.exitCode = TROUBLE;
  }
}

if (typeof module !== "undefined" && require.main === module) main();
