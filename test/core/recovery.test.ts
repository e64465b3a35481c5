/**
 * Recovery from half-typed and broken input: the parser never gives up, each
 * error has a range inside the document, and the statements after the broken
 * one are still analysed. Written as inline fixtures in the format of
 * fixture-harness.ts, so each case reads like the text a user is typing.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { analyze } from "../../server/src/core";
import { loadFixture } from "./fixture-harness";

/** Runs every expectation of an inline fixture; fails with all broken ones at once. */
function check(name: string, text: string): void {
  const fixture = loadFixture(text, `recovery:${name}`);
  const failures: string[] = [];
  for (const c of fixture.cases) {
    try {
      c.check();
    } catch (e) {
      failures.push((e as Error).message);
    }
  }
  if (failures.length) assert.fail(failures.join("\n\n"));
}

test("a trailing comma at the end of a line: one error, later statements keep their shapes", () => {
  check(
    "trailing-comma",
    `
model M {
  input 3x8x8
  conv 64, 
  #        ^ error[syntax-error]
  relu
  # ^ 3x8x8
  conv 8, 3
  # ^ 8x6x6 params=224
}
`,
  );
});

test("a block call with its first argument left out: its syntax errors, and no unknown layer", () => {
  check(
    "call-without-first-argument",
    `
block stage(c, out=4) {
  conv out, 3
}
model M {
  input 3x8x8
  stage(, out=3)
  #     ^ error[syntax-error]: expected a value but found ','
  #            ^ error[syntax-error]
  conv 4, 3
  # ^ 4x6x6
  stgae(, out=3)
  # ^^^ error[unknown-block]: unknown block 'stgae'
  #     ^ error[syntax-error]: expected a value but found ','
  #            ^ error[syntax-error]
}
`,
  );
});

test("a half-typed keyword argument", () => {
  check(
    "half-keyword",
    `
model M {
  input 3x8x8
  conv 8, 3, padding=
  #                  ^ error[syntax-error]
  conv 4, 1
  # ^ 4x8x8
}
`,
  );
});

test("a layer name alone is a missing argument, not a syntax error", () => {
  check(
    "layer-alone",
    `
model M {
  input 3x8x8
  conv
  # ^^ error[missing-argument]: conv needs arguments 'filters' and 'kernel'
}
`,
  );
});

test("a missing closing brace before the next model", () => {
  check(
    "missing-brace",
    `
model M {
  input 3x8x8
  conv 8, 3
  # ^ 8x6x6
  relu

model N {
# ^^^ error[syntax-error]: expected '}'
  input 3x4x4
  conv 2, 1
  # ^ 2x4x4 params=8
}
`,
  );
});

test("a missing closing brace at the end of the file", () => {
  check(
    "missing-brace-eof",
    `model M {
  input 3x8x8
  conv 8, 3
  # ^ 8x6x6
  flatten
  dense 10
  # ^ 10 params=2,890
  #       ^ error[syntax-error]: expected '}' but found the end of the file`,
  );
});

test("a misspelt keyword before a body: the statements after it keep their shapes", () => {
  check(
    "keyword-typo",
    `
model M {
  input 3x8x8
  repaet 2 {
  # ^^^^ error[unknown-layer]: did you mean 'repeat'?
    relu
  }
  conv 8, 3
  # ^ 8x6x6 in=3x8x8
}

model N {
  input 3x4x4
  residul {
  # ^^^^^ error[unknown-layer]: unknown layer 'residul'; did you mean 'residual'?
    conv 3, 1
  }
  conv 2, 1
  # ^ 2x4x4
  relu { conv 8, 1 }
  #    ^^^^^^^^^^^^^ error[syntax-error]: a layer takes no '{ }' body: 'relu' is a layer kind
  # ^ 2x4x4
}
`,
  );
});

test("garbage characters are reported and skipped", () => {
  check(
    "garbage",
    `
model M {
  input 3x8x8
  conv 8, 3 $$ @
  #         ^^ error[unexpected-character]: unexpected characters '$$'
  #            ^ error[unexpected-character]: unexpected character '@'
  # ^ 8x6x6
  relu
  conv 4, 1
  # ^ 4x6x6 params=36
}
`,
  );
});

test("an unclosed parenthesis does not swallow the lines after it", () => {
  check(
    "unclosed-paren",
    `
model M {
  input 3x8x8
  conv 8, (3
  #         ^ error[syntax-error]: expected ')' but found the end of the line
  relu
  # ^ 8x6x6
  conv 4, 1
  # ^ 4x6x6 params=36
}

model N {
  input 3x4x4
  conv 2, min(3, 1
  #               ^ error[syntax-error]: expected ')'
  conv 2, 1
  # ^ 2x4x4
}
`,
  );
});

test("an unclosed block call", () => {
  check(
    "unclosed-call",
    `
block two(f) {
  conv f, 1
}

model M {
  input 3x8x8
  two(4
  #    ^ error[syntax-error]: expected ')'
  conv 4, 1
  # ^ 4x8x8
}
`,
  );
});

test("half-typed let, budget and input lines", () => {
  check(
    "half-settings",
    `
model M {
  input 3x8x8
  let w =
  #      ^ error[syntax-error]
  budget params <=
  #               ^ error[syntax-error]
  conv 8, 1
  # ^ 8x8x8 params=32
}

model N {
  input
  #    ^ error[syntax-error]
  conv 8, 1
  # ^ ?
}
`,
  );
});

test("a half-typed definition at the end of the file", () => {
  check(
    "half-definition",
    `
model M {
  input 3x8x8
  conv 8, 1
  # ^ 8x8x8
}

block f(
#       ^ error[syntax-error]`,
  );
});

test("a stray closing brace between definitions", () => {
  check(
    "stray-brace",
    `
model M {
  input 3x8x8
  conv 8, 1
}
  }
# ^ error[syntax-error]: found '}'
model N {
  input 3x4x4
  conv 2, 1
  # ^ 2x4x4
}
`,
  );
});

test("a doubled comma between arguments", () => {
  check(
    "double-comma",
    `
model M {
  input 3x8x8
  conv 8,, 3
  #      ^ error[syntax-error]
  # ^ 8x6x6
  conv 4, 1
  # ^ 4x6x6
}
`,
  );
});

test("CRLF line endings give the same offsets and results", () => {
  check(
    "crlf",
    [
      "model M {",
      "  input 3x8x8",
      "  conv 8, 3, padding=1",
      "  # ^ 8x8x8 params=224",
      "  dense 10",
      "  # ^^^^^ error[needs-flat-input]: the input is 8x8x8",
      "}",
    ].join("\r\n"),
  );
});

test("only comments, or nothing at all, is a valid file", () => {
  for (const text of ["", "# nothing here\n", "\n\n  \n"]) {
    const a = analyze(text);
    assert.deepEqual(a.diagnostics, [], JSON.stringify(text));
    assert.equal(a.models.length, 0);
  }
});

test("every prefix of a valid file analyses without throwing, with ranges inside the text", () => {
  const text = `# A small network
model Net {
  input 3x32x32
  budget params <= 1M
  stem: conv 16, 3, padding=1
  repeat 2 {
    residual {
      conv 16, 3, padding=1
      relu
    }
  }
  concat {
    branch { conv 8, 1 }
    branch { }
  }
  globalavgpool
  flatten
  dense 10
}

block stage(c, n=2) {
  repeat n { conv c, 3, padding=(1 + 1) / 2 }
}
`;
  for (let i = 0; i <= text.length; i++) {
    const prefix = text.slice(0, i);
    const a = analyze(prefix);
    for (const d of a.diagnostics) {
      assert.ok(d.start >= 0 && d.start <= d.end && d.end <= prefix.length, `prefix of ${i} characters: ${d.code} at ${d.start}..${d.end}`);
      assert.notEqual(d.code, "internal-error", `prefix of ${i} characters: ${d.message}`);
    }
  }
  // The whole text is clean.
  assert.deepEqual(analyze(text).diagnostics, []);
});

test("parentheses nested too deeply: one error, and the model goes on", () => {
  const text = `model M {\n  input 4\n  dense ${"(".repeat(70)}1${")".repeat(70)}\n  relu\n  dense 3\n}\n`;
  const a = analyze(text);
  assert.deepEqual(
    a.diagnostics.map((d) => d.code),
    ["nesting-too-deep"],
  );
  const last = a.file.statements[a.file.statements.length - 1];
  assert.deepEqual(a.occurrences.of(last)[0]?.output, [3]);
});

test("braces nested too deeply: one error, and the model goes on", () => {
  const text = `model M {\n  input 4\n${"  repeat 1 {\n".repeat(70)}  relu\n${"}\n".repeat(70)}  dense 3\n}\n`;
  const a = analyze(text);
  assert.deepEqual(
    a.diagnostics.map((d) => d.code),
    ["nesting-too-deep"],
  );
  const last = a.file.statements[a.file.statements.length - 1];
  assert.deepEqual(a.occurrences.of(last)[0]?.output, [3]);
});

test("thousands of prefix operators are evaluated without overflowing the stack", () => {
  const text = `model M {\n  input 4\n  dense ${"- ".repeat(50000)}2\n  relu\n}\n`;
  const a = analyze(text);
  assert.deepEqual(a.diagnostics, []);
  assert.deepEqual(a.models[0].output, [2]);
});
