/**
 * The entry of the CLI's V8 startup snapshot (built by scripts/bundle.mjs
 * with `node --build-snapshot`). Loading Chevrotain and constructing the lexer
 * and parser take longer than Node's own start; in the snapshot they are
 * already done, so `cnn-lens` starts about as fast as a bare `node`.
 * bin/cnn-lens uses the snapshot when it was built for the Node.js binary at
 * hand, and the plain bundle otherwise.
 */
import * as v8 from "v8";
import { analyze } from "../core/analysis/analyze";
import { main } from "./main";

// Run one analysis so the lexer, the parser and their lookahead tables are built and warm.
analyze("model Warm {\n  input 3x8x8\n  conv 4, 3x3, padding=1\n  relu\n}\n");

// Started from a snapshot, process.argv has no script path: the arguments start at index 1.
v8.startupSnapshot.setDeserializeMainFunction(() => {
  main(process.argv.slice(1));
});
