/**
 * Runs the extension-host suite (test/suite, mocha and the `vscode` API) in a
 * real VS Code, offline: code-server's Node extension host, loading this
 * repository as the development extension (dist/ as built) and a temp copy
 * of examples/ as the workspace. Passes when the suite's exit code is 0 and
 * it ran tests; on failure the message carries mocha's whole output.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { copyExamples, differencesFromExamples, ROOT, runNode, SKIP_REASON, tempDir } from "./harness";

const SUITE_TIMEOUT_MS = 150_000;

describe("the extension-host suite in code-server", () => {
  it("passes", { skip: SKIP_REASON, timeout: SUITE_TIMEOUT_MS + 30_000 }, async (t) => {
    const workspace = tempDir("suite-ws");
    try {
      const examples = copyExamples(workspace.dir);
      const run = await runNode([path.join(ROOT, "scripts/e2e/run-extension-tests.mjs"), ROOT, path.join(ROOT, "out/test/suite/index.js"), examples], {
        signal: t.signal,
        env: { CNN_LENS_E2E_TIMEOUT: String(SUITE_TIMEOUT_MS) },
      });
      const passing = Number(/^\s*(\d+) passing/m.exec(run.output)?.[1] ?? 0);
      const failing = Number(/^\s*(\d+) failing/m.exec(run.output)?.[1] ?? 0);
      t.diagnostic(`mocha in code-server: ${passing} passing, ${failing} failing`);
      assert.equal(run.code, 0, `the suite exited with ${run.code ?? run.signal}; its output:\n${run.output}`);
      assert.ok(passing > 0 && failing === 0, `the suite reported ${passing} passing and ${failing} failing; its output:\n${run.output}`);
      // The suite edits documents in memory only: the files on disk must be as they were.
      assert.deepEqual(differencesFromExamples(examples), [], "the suite changed files in its workspace");
    } finally {
      workspace.remove();
    }
  });
});
