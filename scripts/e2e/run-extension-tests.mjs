#!/usr/bin/env node
// Run an extension-host test suite (@vscode/test-electron style: TESTS_MAIN exports
// `run(): Promise<void>`) inside code-server's real Node extension host, offline.
//
//   node scripts/e2e/run-extension-tests.mjs EXT_DIR TESTS_MAIN WORKSPACE
//
// EXT_DIR is loaded as a development extension (its package.json), TESTS_MAIN is the
// compiled test entry, WORKSPACE the folder to open. Exit code = the suite's exit code.
// Env: CNN_LENS_E2E_TIMEOUT (ms, default 300000), CNN_LENS_E2E_VERBOSE=1 (echo code-server).
import { existsSync, statSync, readFileSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { tmpdir } from 'node:os';
import { format } from 'node:util';
import { startCodeServer, launchBrowser, remoteUri } from './code-server.mjs';

const [extDir, testsMain, workspace] = process.argv.slice(2).map((p) => p && resolve(p));
if (!extDir || !testsMain || !workspace) {
  console.error('usage: node scripts/e2e/run-extension-tests.mjs EXT_DIR TESTS_MAIN WORKSPACE');
  process.exit(2);
}
for (const [what, p] of [['EXT_DIR/package.json', join(extDir, 'package.json')], ['TESTS_MAIN', testsMain], ['WORKSPACE', workspace]]) {
  if (!existsSync(p)) { console.error(`e2e: ${what} not found: ${p}`); process.exit(2); }
}
if (!statSync(workspace).isDirectory()) { console.error(`e2e: WORKSPACE is not a folder: ${workspace}`); process.exit(2); }

const timeoutMs = Number(process.env.CNN_LENS_E2E_TIMEOUT || 300_000);
const verbose = !!process.env.CNN_LENS_E2E_VERBOSE;
// Workbench chatter that says nothing about the suite (shown with CNN_LENS_E2E_VERBOSE=1).
const NOISE = /^(Resolving connection token|Resolved connection token|Creating a socket|\[reconnection-grace-time\]|Ignoring fetching additional builtin extensions|Updating additional builtin extensions cache|\[Service Worker\]|\[AgentHost:|\[AccountPolicyGate\])/;
const t0 = Date.now();
const say = (msg) => console.log(`[e2e ${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

let cs, browser;
async function finish(code) {
  await browser?.close();
  await cs?.stop();
  say(`exit ${code}`);
  process.exit(code);
}

try {
  cs = await startCodeServer({ workspace, smokeTestDriver: true });
  say(`code-server up at ${cs.url}`);
  browser = await launchBrowser();
  const { page } = browser;

  let resolveExit;
  const exited = new Promise((r) => { resolveExit = r; });
  // VS Code's smoke-test driver calls these; they must exist before the page loads.
  // codeAutomationLog(level, args): args are console.log arguments (printf-style), from
  // the workbench and from the extension host's console (mocha's reporter output).
  await page.exposeFunction('codeAutomationLog', (_level, args) => {
    const text = format(...(Array.isArray(args) ? args : [args]));
    if (verbose || !NOISE.test(text)) process.stdout.write(text + '\n');
  });
  await page.exposeFunction('codeAutomationExit', (code) => resolveExit(Number(code)));
  page.on('pageerror', (e) => say(`page error: ${e.message}`));
  page.on('crash', () => resolveExit(-1));

  const payload = [
    ['extensionDevelopmentPath', remoteUri(cs.port, extDir)],
    ['extensionTestsPath', remoteUri(cs.port, testsMain)],
    ['skipWelcome', 'true'],
    ['skipReleaseNotes', 'true'],
  ];
  const url = `${cs.url}?${new URLSearchParams({ folder: workspace, payload: JSON.stringify(payload) })}`;
  say(`opening ${workspace} with tests ${testsMain}`);
  await page.goto(url);

  let timer;
  const deadline = new Promise((r) => { timer = setTimeout(() => r('timeout'), timeoutMs - (Date.now() - t0)); });
  const result = await Promise.race([exited, deadline]);
  clearTimeout(timer);
  if (result === 'timeout') {
    const shot = join(tmpdir(), `cnn-lens-e2e-timeout-${Date.now()}.png`);
    await page.screenshot({ path: shot }).catch(() => {});
    const log = readFileSync(cs.logFile, 'utf8').split('\n').slice(-20).join('\n');
    console.error(`--- last lines of the code-server log ---\n${log}`);
    console.error(`e2e: TIMEOUT — the extension-host suite did not finish within ${timeoutMs / 1000}s ` +
      `(screenshot of the page: ${shot}).`);
    await finish(124);
  }
  if (result === -1) { console.error('e2e: the browser page crashed'); await finish(1); }
  await finish(result);
} catch (e) {
  console.error(`e2e: ${e.stack || e}`);
  await finish(1);
}
