// The main job (`npm start`, after `npm run package`): VS Code in the browser via
// code-server, with the freshly packaged extension installed and examples/ open. Prints the URL and
// serves until Ctrl-C. The first run installs code-server (about 3.5 minutes);
// later runs reuse it.
//
//   npm start                 # http://127.0.0.1:8080 (or the next free port)
//   PORT=9000 npm start       # a chosen port
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { CACHE, installVsix, startCodeServer, freePort } from "./e2e/code-server.mjs";

const root = resolve(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..");

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`cnn-lens: '${cmd} ${args.join(" ")}' failed (${r.status ?? r.signal})`);
    process.exit(1);
  }
}

async function portToUse() {
  if (process.env.PORT) return Number(process.env.PORT);
  // 8080 when it is free, another free port otherwise.
  const net = await import("node:net");
  const free = await new Promise((ok) => {
    const srv = net.createServer().once("error", () => ok(false)).listen(8080, "127.0.0.1", () => srv.close(() => ok(true)));
  });
  return free ? 8080 : freePort();
}

// `npm start` has just built and packaged cnn-lens.vsix (`npm run package`).
run("bash", ["scripts/e2e/install.sh"]);
const extensionsDir = join(CACHE, "main-job", "extensions");
mkdirSync(extensionsDir, { recursive: true });
installVsix(join(root, "cnn-lens.vsix"), extensionsDir);
const server = await startCodeServer({
  port: await portToUse(),
  workspace: join(root, "examples"),
  extensionsDir,
  userDataDir: join(CACHE, "main-job", "user-data"),
});
console.log(`\nCNN Lens is running in VS Code for the web: ${server.url}`);
console.log("Open it in a browser, then open any .cnn file in examples/. Press Ctrl-C to stop.\n");
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
// Keep serving until stopped.
setInterval(() => {}, 1 << 30);
