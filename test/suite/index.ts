/**
 * Entry point of the extension-host test suite, in the shape
 * `@vscode/test-electron` expects (`extensionTestsPath` exports `run()`): the
 * same file runs in desktop VS Code (test/run-electron.ts) and offline in
 * code-server's Node extension host (scripts/e2e/run-extension-tests.mjs).
 *
 * Every `*.test.js` file next to this one is run, in name order, with mocha's
 * `bdd` interface. `CNN_LENS_SUITE_GREP` (a regular expression) runs only the
 * matching tests.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Mocha from "mocha";

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: "bdd",
    // The offline runner reads the reporter's output from the browser console: no colours.
    color: false,
    // Each test waits for its own events with its own deadlines (helpers.ts); this is the backstop.
    timeout: 60_000,
    grep: process.env.CNN_LENS_SUITE_GREP || undefined,
  });
  for (const file of fs.readdirSync(__dirname).filter((f) => f.endsWith(".test.js")).sort()) {
    mocha.addFile(path.join(__dirname, file));
  }
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
    } catch (e) {
      reject(e);
    }
  });
}
