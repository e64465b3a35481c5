// Bundles the extension client, the language server and the CLI with esbuild:
// one file each in dist/, no source maps, minified (what the .vsix and `bin` ship).
import { build } from "esbuild";

const common = { bundle: true, platform: "node", format: "cjs", target: "node20", minify: true, legalComments: "none", logLevel: "warning" };

await Promise.all([
  build({ ...common, entryPoints: ["client/src/extension.ts"], outfile: "dist/extension.js", external: ["vscode"] }),
  build({ ...common, entryPoints: ["server/src/lsp/main.ts"], outfile: "dist/server.js", banner: { js: "#!/usr/bin/env node" } }),
  build({ ...common, entryPoints: ["server/src/cli/main.ts"], outfile: "dist/cli.js", banner: { js: "#!/usr/bin/env node" } }),
]);
