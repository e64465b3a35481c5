// Helpers to run a real VS Code (code-server, pinned by install.sh) offline and drive
// it with Debian's chromium through playwright-core. Plain ESM, no build step.
//
//   import { installVsix, startCodeServer, launchBrowser, openWorkbench, openFromExplorer,
//            editorLines, waitFor } from './scripts/e2e/code-server.mjs';
//   installVsix('cnn-lens.vsix', extDir);
//   const cs = await startCodeServer({ workspace: 'examples', extensionsDir: extDir });
//   const { page, close } = await launchBrowser();
//   await openWorkbench(page, cs.url); await openFromExplorer(page, 'resnet.cnn');
//   ...; await close(); await cs.stop();
//
// Every code-server started here runs in its own process group and is killed (whole
// group, extension host included) on stop(), on process exit, and on SIGINT/SIGTERM/SIGHUP.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, existsSync, rmSync, openSync, closeSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const CACHE = process.env.CNN_LENS_CACHE || join(homedir(), '.cache', 'cnn-lens');
export const CHROMIUM = process.env.CNN_LENS_CHROMIUM || '/usr/bin/chromium';

/** Path of the code-server launcher written by scripts/e2e/install.sh. */
export function codeServerBin() {
  const bin = join(CACHE, 'bin', 'code-server');
  if (!existsSync(bin)) throw new Error(`code-server not installed at ${bin}: run bash scripts/e2e/install.sh`);
  return bin;
}

// ---- cleanup on exit -------------------------------------------------------------
const cleanups = new Set(); // sync functions, run once on exit / signal
let hooked = false;
function onExit(fn) {
  if (!hooked) {
    hooked = true;
    process.on('exit', runCleanups);
    for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
      process.on(sig, () => { runCleanups(); process.exit(code); });
    }
  }
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}
function runCleanups() {
  for (const fn of [...cleanups]) { cleanups.delete(fn); try { fn(); } catch { /* best effort */ } }
}

function killGroup(pid, signal) {
  try { process.kill(-pid, signal); return true; } catch { return false; } // ESRCH: already gone
}
function groupAlive(pid) { return killGroup(pid, 0); }

// ---- small utilities -------------------------------------------------------------
/** Poll `fn` until it returns a truthy value (returned) or the deadline passes (throws).
 *  Errors thrown by `fn` count as "not yet", unless they carry `fatal: true`. */
export async function waitFor(fn, { timeout = 30_000, interval = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let lastErr;
  for (;;) {
    try { const v = await fn(); if (v) return v; } catch (e) { if (e?.fatal) throw e; lastErr = e; }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}` + (lastErr ? `: ${lastErr.message}` : ''));
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** A free TCP port on 127.0.0.1 (asks the kernel for port 0). */
export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => res(port)); });
  });
}

/** Settings that keep a test VS Code quiet and deterministic (no network, no popups). */
export const QUIET_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'telemetry.feedback.enabled': false,
  'update.mode': 'none',
  'update.showReleaseNotes': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'workbench.settings.enableNaturalLanguageSearch': false,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'git.openRepositoryInParentFolders': 'never',
  'github.gitAuthentication': false,
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'chat.agent.enabled': false,
  'github.copilot.enable': { '*': false },
  'npm.fetchOnlinePackageInfo': false,
  'json.schemaDownload.enable': false,
  'typescript.disableAutomaticTypeAcquisition': true,
  'typescript.tsserver.web.typeAcquisition.enabled': false,
  'editor.accessibilitySupport': 'off',
  'accessibility.signalOptions.volume': 0,
  'files.hotExit': 'off',
  'window.restoreWindows': 'none',
  'workbench.editor.restoreViewState': false,
};

/** Write `QUIET_SETTINGS` + `extra` into USERDATA/User/settings.json. */
export function writeQuietSettings(userDataDir, extra = {}) {
  const dir = join(userDataDir, 'User');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...extra }, null, 2) + '\n');
}

// --ignore-last-opened: open the workspace given, not the folder a user-data dir remembers (`npm start`
// keeps one in ~/.cache, so a second checkout would otherwise open the first one's examples/).
const BASE_ARGS = ['--config', '/dev/null', '--auth', 'none', '--disable-telemetry', '--disable-update-check',
  '--disable-workspace-trust', '--disable-getting-started-override', '--ignore-last-opened'];

// ---- code-server -----------------------------------------------------------------
/**
 * Start code-server in its own process group and wait until GET /healthz answers.
 * @param {object} o
 * @param {string} o.workspace        folder to open (absolute or relative to cwd)
 * @param {number} [o.port]           default: a free port
 * @param {string} [o.extensionsDir]  default: a fresh temp dir (removed on stop)
 * @param {string} [o.userDataDir]    default: a fresh temp dir (removed on stop)
 * @param {boolean} [o.smokeTestDriver] enable VS Code's smoke-test driver (needed for `payload` test runs)
 * @param {object} [o.settings]       extra user settings merged over QUIET_SETTINGS
 * @param {string[]} [o.args]         extra code-server arguments
 * @param {number} [o.timeout]        startup deadline in ms (default 60 s)
 * @param {boolean} [o.verbose]       also echo code-server's output (default: env CNN_LENS_E2E_VERBOSE)
 * @returns {Promise<{url:string, port:number, pid:number, workspace:string, extensionsDir:string, userDataDir:string, logFile:string, stop:()=>Promise<void>}>}
 */
export async function startCodeServer(o) {
  if (!o?.workspace) throw new Error('startCodeServer: workspace is required');
  const workspace = resolve(o.workspace);
  const port = o.port ?? await freePort();
  const temps = [];
  const tmp = (name) => { const d = mkdtempSync(join(tmpdir(), `cnn-lens-${name}-`)); temps.push(d); return d; };
  const extensionsDir = o.extensionsDir ? resolve(o.extensionsDir) : tmp('ext');
  const userDataDir = o.userDataDir ? resolve(o.userDataDir) : tmp('data');
  mkdirSync(extensionsDir, { recursive: true });
  writeQuietSettings(userDataDir, o.settings);
  const logFile = join(userDataDir, 'code-server.log');

  const args = [...BASE_ARGS, '--bind-addr', `127.0.0.1:${port}`,
    '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir,
    ...(o.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ...(o.args ?? []), workspace];
  const verbose = o.verbose ?? !!process.env.CNN_LENS_E2E_VERBOSE;
  const fd = openSync(logFile, 'a');
  // detached: the child calls setsid(), so it leads a new process group we can kill whole.
  const child = spawn(codeServerBin(), args, {
    detached: true,
    stdio: ['ignore', verbose ? 'inherit' : fd, verbose ? 'inherit' : fd],
    // No extension gallery: offline, and it would only log ENOTFOUND errors.
    env: { ...process.env, EXTENSIONS_GALLERY: process.env.EXTENSIONS_GALLERY ?? '{}' },
  });
  closeSync(fd);
  const pid = child.pid;
  let exited = null;
  child.on('exit', (code, sig) => { exited = { code, sig }; });
  const unhook = onExit(() => { killGroup(pid, 'SIGKILL'); for (const d of temps) rmSync(d, { recursive: true, force: true }); });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    killGroup(pid, 'SIGTERM');
    try { await waitFor(() => !groupAlive(pid), { timeout: 5_000, interval: 50, what: 'code-server to exit' }); }
    catch { killGroup(pid, 'SIGKILL'); await waitFor(() => !groupAlive(pid), { timeout: 5_000, interval: 50, what: 'code-server group to die' }); }
    for (const d of temps) rmSync(d, { recursive: true, force: true });
    unhook();
  };

  const url = `http://127.0.0.1:${port}/`;
  try {
    await waitFor(async () => {
      if (exited) throw Object.assign(new Error(`code-server exited early (${JSON.stringify(exited)})`), { fatal: true });
      const r = await fetch(`${url}healthz`, { signal: AbortSignal.timeout(2_000) });
      return r.ok;
    }, { timeout: o.timeout ?? 60_000, interval: 100, what: `code-server /healthz on port ${port}` });
  } catch (e) {
    const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n') : '';
    await stop();
    throw new Error(`${e.message}\n--- code-server log (${logFile}) ---\n${tail}`);
  }
  return { url, port, pid, workspace, extensionsDir, userDataDir, logFile, stop };
}

/** Install a packaged .vsix into `extensionsDir` (code-server --install-extension). */
export function installVsix(vsixPath, extensionsDir) {
  const r = spawnSync(codeServerBin(), ['--config', '/dev/null', '--extensions-dir', resolve(extensionsDir),
    '--install-extension', resolve(vsixPath), '--force'], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`installing ${vsixPath} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** A `vscode-remote://` URI for an absolute path on the code-server host (for `payload`). */
export function remoteUri(port, absPath) {
  return `vscode-remote://127.0.0.1:${port}${encodeURI(resolve(absPath))}`;
}

// ---- browser ---------------------------------------------------------------------
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Launch Debian's chromium headless through playwright-core with a fresh profile
 * (playwright creates a new temp user-data dir per launch and deletes it on close).
 * @returns {Promise<{browser, context, page, close:()=>Promise<void>}>}
 */
export async function launchBrowser({ headless = true, viewport = { width: 1400, height: 900 } } = {}) {
  const { chromium } = await import('playwright-core');
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: run bash scripts/e2e/install.sh`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless, args: CHROMIUM_ARGS });
  // playwright kills the browser itself on exit/SIGINT/SIGTERM (handleSIGINT etc. default on).
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const close = () => browser.close().catch(() => {});
  return { browser, context, page, close };
}

// ---- DOM helpers (selectors belong to VS Code 1.139 / code-server 4.139.1) ----------
/** Monaco writes spaces (inlay hints included) as U+00A0: normalise before comparing. */
export const normalize = (s) => s.replace(/\u00a0/g, ' ');

/** Open `url` and wait until the workbench and the explorer tree are rendered. */
export async function openWorkbench(page, url, { timeout = 60_000 } = {}) {
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout });
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout });
}

/** Open a top-level file by clicking its row in the explorer; wait for its editor tab. */
export async function openFromExplorer(page, fileName, { timeout = 30_000 } = {}) {
  await page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${fileName}"]`).click({ timeout });
  await page.locator(`.tabs-container .tab.active[aria-label^="${fileName}"]`).waitFor({ timeout });
  await page.locator('.editor-instance .view-lines .view-line').first().waitFor({ timeout });
}

/** Text of the visible editor lines, top to bottom, NBSP normalised (inlay hints included). */
export async function editorLines(page) {
  const lines = await page.locator('.editor-instance .view-lines .view-line').evaluateAll((els) =>
    els.map((e) => ({ top: parseFloat(e.style.top) || 0, text: e.textContent ?? '' })));
  return lines.sort((a, b) => a.top - b.top).map((l) => normalize(l.text));
}

/** Move the mouse onto the first occurrence of `text` in the visible editor lines and
 *  return the hover widget's text (`.monaco-hover`). */
export async function hoverOver(page, text, { timeout = 15_000 } = {}) {
  const box = await waitFor(() => page.evaluate((needle) => {
    const lines = [...document.querySelectorAll('.editor-instance .view-lines .view-line')]
      .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
    for (const line of lines) {
      const walk = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        const i = n.data.replace(/\u00a0/g, ' ').indexOf(needle);
        if (i < 0) continue;
        const r = document.createRange();
        r.setStart(n, i); r.setEnd(n, i + needle.length);
        const { x, y, width, height } = r.getBoundingClientRect();
        return { x: x + width / 2, y: y + height / 2 };
      }
    }
    return null;
  }, text), { timeout, what: `"${text}" in the editor` });
  await page.mouse.move(box.x, box.y);
  const hover = page.locator('.monaco-hover .monaco-hover-content').first();
  await hover.waitFor({ state: 'visible', timeout });
  return normalize(await hover.innerText());
}

/** Text of the status bar (all items), NBSP normalised. */
export async function statusBarText(page) {
  return normalize(await page.locator('#workbench\\.parts\\.statusbar').innerText());
}

/** Number of error / warning squiggles currently rendered in the editor. */
export async function squiggleCounts(page) {
  return {
    errors: await page.locator('.editor-instance .squiggly-error').count(),
    warnings: await page.locator('.editor-instance .squiggly-warning').count(),
  };
}

/** Errors and warnings as the status bar's problems item shows them: "(x) 1 (!) 0". */
export async function problemCounts(page) {
  const item = page.locator('[id="status.problems"]');
  const [errors = 0, warnings = 0] = ((await item.textContent()) ?? '').match(/\d+/g)?.map(Number) ?? [];
  return { errors, warnings, label: await item.getAttribute('aria-label') }; // label: "Errors: 1" / "No Problems"
}
