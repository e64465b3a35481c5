/**
 * Runs every `.cnn` fixture under test/core/fixtures against the core: one
 * test per expectation line, plus one per file that fails on any error or
 * warning no expectation asked for. See fixture-harness.ts for the format.
 */
import { describe, test } from "node:test";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadFixture } from "./fixture-harness";

/** The fixtures live beside this file's source, not in out/. */
const FIXTURES = path.resolve(__dirname, "../../../test/core/fixtures");

const files = fs
  .readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".cnn"))
  .sort();

test("the fixture folder holds fixtures", () => {
  if (files.length === 0) throw new Error(`no .cnn fixtures in ${FIXTURES}`);
});

for (const file of files) {
  const full = path.join(FIXTURES, file);
  const display = path.relative(process.cwd(), full) || full;
  describe(file, () => {
    const fixture = loadFixture(fs.readFileSync(full, "utf8"), display);
    for (const c of fixture.cases) test(c.name, { todo: c.todo }, () => c.check());
  });
}
