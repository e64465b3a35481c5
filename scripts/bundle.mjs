// Bundles the extension client, the language server and the CLI with esbuild:
// one file each in dist/, no source maps, minified (what the .vsix and `bin` ship).
// Then builds the CLI's V8 startup snapshot for the Node.js binary running this
// script (see server/src/cli/snapshot.ts and bin/cnn-lens).
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { chmodSync, realpathSync, rmSync, writeFileSync } from "node:fs";

const common = { bundle: true, platform: "node", format: "cjs", target: "node20", minify: true, legalComments: "none", logLevel: "warning" };
const node = { ...common, banner: { js: "#!/usr/bin/env node" } };

await Promise.all([
  build({ ...common, entryPoints: ["client/src/extension.ts"], outfile: "dist/extension.js", external: ["vscode"] }),
  build({ ...node, entryPoints: ["server/src/lsp/main.ts"], outfile: "dist/server.js" }),
  build({ ...node, entryPoints: ["server/src/cli/main.ts"], outfile: "dist/cli.js" }),
  build({ ...common, entryPoints: ["server/src/cli/snapshot.ts"], outfile: "dist/cli-snapshot.js" }),
]);
chmodSync("dist/cli.js", 0o755);
chmodSync("dist/server.js", 0o755);

// The snapshot is only valid for the exact Node.js binary that built it: record which.
rmSync("dist/cli.blob.node", { force: true });
try {
  execFileSync(process.execPath, ["--snapshot-blob", "dist/cli.blob", "--build-snapshot", "dist/cli-snapshot.js"], { stdio: "pipe" });
  // bin/cnn-lens compares this path with the `node` it finds, and the blob's age with the binary's.
  writeFileSync("dist/cli.blob.node", `${realpathSync(process.execPath)}\n`);
} catch (e) {
  // Without a snapshot the CLI still works, only slower to start.
  console.warn(`bundle: no CLI startup snapshot (${e.stderr?.toString().trim() || e.message}); bin/cnn-lens will use dist/cli.js`);
}
