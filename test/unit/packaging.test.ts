/**
 * The .vsix holds only what runs — bundled client and server, manifest,
 * grammar, snippets, language configuration, icon, README and licence — with
 * no TypeScript sources, tests or source maps, and stays under 2 MB. Asks vsce
 * itself which files it would package. Needs the build (dist/) done first.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../../..");

test("the .vsix holds the bundles and assets only, under 2 MB", () => {
  const vsce = path.join(ROOT, "node_modules/@vscode/vsce/vsce");
  const r = spawnSync(process.execPath, [vsce, "ls", "--no-dependencies"], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, `vsce ls failed:\n${r.stderr}`);
  const files = r.stdout.split("\n").map((l) => l.trim()).filter(Boolean).sort();
  assert.deepEqual(files, [
    "LICENSE",
    "README.md",
    "dist/extension.js",
    "dist/server.js",
    "images/icon.png",
    "language-configuration.json",
    "package.json",
    "snippets/cnn.json",
    "syntaxes/cnn.tmLanguage.json",
  ]);
  for (const f of files) assert.ok(!/\.(ts|map)$|(^|\/)test\//.test(f), `${f} must not be packaged`);
  const bytes = files.reduce((sum, f) => sum + fs.statSync(path.join(ROOT, f)).size, 0);
  assert.ok(bytes < 2_000_000, `the packaged files come to ${bytes} bytes, over 2 MB`);
  // The manifest's entry point is one of them.
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  assert.equal(manifest.main, "./dist/extension.js");
});
