/**
 * Runs the extension-host suite (test/suite) in desktop VS Code through
 * `@vscode/test-electron`: `npm run test:vscode`. It downloads a VS Code build
 * on first use, so it needs the internet; offline, the same suite runs in
 * code-server (test/e2e/extension-host.test.ts).
 *
 * The workspace folder is examples/: the suite edits documents only in memory
 * and reverts them, so the files on disk stay as they are. Each run gets a
 * fresh user-data folder, so no editor from an earlier run is restored (the
 * suite checks that the extension sleeps until a .cnn file opens) and the
 * settings the suite changes start from the defaults.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runTests } from "@vscode/test-electron";

async function main(): Promise<number> {
  // Compiled to out/test/run-electron.js: the repository root is two folders up.
  const root = path.resolve(__dirname, "../..");
  const userData = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-lens-vscode-user-"));
  try {
    await runTests({
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, "out/test/suite/index.js"),
      launchArgs: [path.join(root, "examples"), "--disable-extensions", `--user-data-dir=${userData}`],
    });
    return 0;
  } catch (e) {
    console.error(`The extension-host tests failed: ${(e as Error)?.message ?? e}`);
    return 1;
  } finally {
    fs.rmSync(userData, { recursive: true, force: true });
  }
}

void main().then((code) => process.exit(code));
