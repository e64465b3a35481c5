/**
 * What a person sees: the freshly packaged .vsix installed into a fresh
 * extensions folder of a real VS Code (code-server), driven through the page
 * with Debian's chromium. Hints are read as editor text, the hover as the
 * hover widget's text, the totals from the status bar, and a broken padding
 * from its squiggle and the problems count. The workspace is a temp copy of
 * examples/ (the test types into it).
 *
 * The screenshot of the hover goes to test-results/screenshot.png; with
 * CNN_LENS_UPDATE_SCREENSHOT=1 it also replaces docs/screenshot.png (the
 * README's picture).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { CodeServer, copyExamples, Helpers, loadHelpers, packageVsix, ROOT, SKIP_REASON, tempDir } from "./harness";

const skip = SKIP_REASON;

describe("what a person sees in VS Code", () => {
  let h: Helpers;
  let page: Page;
  let server: CodeServer | undefined;
  let closeBrowser: (() => Promise<void>) | undefined;
  const temps: { remove: () => void }[] = [];

  before(async () => {
    if (skip) return;
    h = await loadHelpers();
    const build = tempDir("vsix");
    const extensions = tempDir("extensions");
    const workspace = tempDir("workspace");
    temps.push(build, extensions, workspace);

    const vsix = path.join(build.dir, "cnn-lens.vsix");
    await packageVsix(vsix);
    h.installVsix(vsix, extensions.dir);
    const installed = fs.readdirSync(extensions.dir).filter((name) => name.startsWith("cnn-lens.cnn-lens-"));
    assert.equal(installed.length, 1, `the .vsix did not install into ${extensions.dir}: ${fs.readdirSync(extensions.dir)}`);

    server = await h.startCodeServer({ workspace: copyExamples(workspace.dir), extensionsDir: extensions.dir, settings: { "workbench.colorTheme": "Default Dark Modern" } });
    const browser = await h.launchBrowser({ viewport: { width: 1400, height: 1000 } });
    closeBrowser = browser.close;
    page = browser.page;
    await h.openWorkbench(page, server.url);
  }, { timeout: 120_000 });

  after(async () => {
    await closeBrowser?.();
    await server?.stop();
    for (const t of temps) t.remove();
  });

  /** Reads `read()` until `accept` takes it; on timeout the error shows the last value read. */
  async function until<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string): Promise<T> {
    let last: T | undefined;
    try {
      await h.waitFor(async () => accept((last = await read())), { timeout: 30_000, what });
    } catch (e) {
      throw new Error(`${(e as Error).message}\nlast seen: ${typeof last === "string" ? last : JSON.stringify(last, null, 2)}`);
    }
    return last as T;
  }

  /** Waits until the editor shows every line of `expected` (hints included), exactly. */
  const waitForLines = (expected: string[], what: string) =>
    until(() => h.editorLines(page), (lines) => expected.every((line) => lines.includes(line)), what);

  /** Moves the mouse away and closes any open hover. */
  async function dismissHover(): Promise<void> {
    await page.mouse.move(0, 0);
    await page.keyboard.press("Escape");
    await page.locator(".monaco-hover .monaco-hover-content").first().waitFor({ state: "hidden", timeout: 10_000 });
  }

  /**
   * Rests the mouse on `needle` and waits until the hover it opens (a new one,
   * not the last one) shows each of `expected` as a whole line.
   */
  async function hover(needle: string, expected: string[]): Promise<string> {
    await dismissHover();
    return until(
      () => h.hoverOver(page, needle),
      (text) => expected.every((line) => text.split("\n").includes(line)),
      `the hover over "${needle}" to show ${JSON.stringify(expected)}`,
    );
  }

  it("shows Inception v3's totals in the status bar", { skip, timeout: 60_000 }, async () => {
    await h.openFromExplorer(page, "inception_v3.cnn");
    const totals = "InceptionV3: 27,161,264 params · 5.71G MACs · 108.6 MB";
    await until(() => h.statusBarText(page), (text) => text.includes(totals), `"${totals}" in the status bar`);
  });

  it("shows shapes, parameter counts and budget use as hints in the editor", { skip, timeout: 60_000 }, async () => {
    // Monaco puts each hint right after its statement (the gap is CSS padding, not a space).
    await waitForLines(
      [
        "  budget params <= 28M27.2M of 28M (97%)",
        "  Conv2d_1a_3x3: basic_conv(32, 3, stride=2)→ 32×149×149 · 928",
        "  maxpool1: maxpool 3, stride=2→ 64×73×73",
        "  Mixed_5b: inception_a(pool_features=32)→ 256×35×35 · 255.9K",
        "  aux {aux head · 3.3M AuxLogits: inception_aux()→ 1000 · 3.3M }",
        "  fc: dense 1000→ 1000 · 2M",
      ],
      "Inception v3's hints",
    );
    await h.openFromExplorer(page, "resnet18.cnn");
    await waitForLines(
      [
        "  budget params <= 12M11.7M of 12M (97.4%)",
        "  conv1: conv 64, 7x7, stride=2, padding=3, bias=false→ 64×112×112 · 9.4K",
        "  layer2: stage(128, 2, stride=2)→ 128×28×28 · 525.6K",
        "  fc: dense 1000→ 1000 · 513K",
        "  relu", // activations keep the shape and get no hint by default
      ],
      "ResNet-18's hints",
    );
  });

  it("shows the arithmetic behind a layer's counts in the hover", { skip, timeout: 60_000 }, async () => {
    await hover("conv1", [
      "3×224×224 → 64×112×112",
      "H: ⌊(224 + 2·3 − 7)/2⌋ + 1 = 112",
      "Parameters: 64 × (3 × 7 × 7) = 9,408",
      "MACs: 112×112 outputs × 64 × (3 × 7 × 7) = 118,013,952 (236,027,904 FLOPs)",
    ]);
    // The shortcut's 1x1 convolution runs three times: the hover lists each with its own numbers.
    await hover("downsample", [
      "Parameters: 128 × (64 × 1 × 1) = 8,192",
      "Evaluated 3 times (calls):",
      "128×28×28 → 256×14×14 · 32,768 params · 6,422,528 MACs — layer3.basic1.downsample",
    ]);
    const totals = "ResNet18: 11,689,512 params · 1.81G MACs · 46.8 MB";
    await until(() => h.statusBarText(page), (text) => text.includes(totals), `"${totals}" in the status bar`);

    const results = path.join(ROOT, "test-results");
    fs.mkdirSync(results, { recursive: true });
    // animations "disabled" finishes the hover's fade-in before the picture is taken.
    await page.screenshot({ path: path.join(results, "screenshot.png"), animations: "disabled" });
    if (process.env.CNN_LENS_UPDATE_SCREENSHOT === "1") fs.copyFileSync(path.join(results, "screenshot.png"), path.join(ROOT, "docs/screenshot.png"));
  });

  it("underlines the residual that a broken padding breaks, and clears it on undo", { skip, timeout: 60_000 }, async () => {
    assert.deepEqual(await h.problemCounts(page), { errors: 0, warnings: 0, label: "No Problems" });
    const file = fs.readFileSync(path.join(ROOT, "examples/resnet18.cnn"), "utf8").split("\n");
    const line = file.findIndex((l) => l.includes("conv channels, 3x3, padding=1, bias=false")) + 1;
    assert.ok(line > 0);

    // As a person would: go to the line, select the padding's 1, type 0.
    await dismissHover();
    await page.locator(".editor-instance .view-lines").click();
    await page.keyboard.press("Control+G");
    await page.keyboard.type(String(line));
    await page.keyboard.press("Enter");
    await page.keyboard.press("End");
    for (let i = 0; i < ", bias=false".length; i++) await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("Shift+ArrowLeft");
    await page.keyboard.type("0");
    const edited = "    conv channels, 3x3, padding=0, bias=false";
    await until(() => h.editorLines(page), (lines) => lines.some((l) => l.startsWith(edited)), "the edited line");

    // The residual, and the two calls that led to it: three errors.
    const problems = await until(() => h.problemCounts(page), (p) => p.errors > 0, "errors in the status bar");
    assert.deepEqual(problems, { errors: 3, warnings: 0, label: "Errors: 3" });
    assert.ok((await h.squiggleCounts(page)).errors >= 1, "no error squiggle in the editor");
    // The squiggle is on the residual: resting the mouse there shows the error first.
    const message = await hover("residual", ["residual — main path plus shortcut"]);
    assert.ok(message.startsWith("residual: main gives 64x54x54 but the shortcut gives 64x56x56"), `hover over the squiggle:\n${message}`);
    await dismissHover();

    await page.keyboard.press("Control+Z");
    await waitForLines(["    conv channels, 3x3, padding=1, bias=false×8 calls · 6.3M in all"], "the line restored by undo");
    const cleared = await until(() => h.problemCounts(page), (p) => p.errors === 0, "no errors after undo");
    assert.deepEqual(cleared, { errors: 0, warnings: 0, label: "No Problems" });
    assert.deepEqual(await h.squiggleCounts(page), { errors: 0, warnings: 0 });
  });
});
