/**
 * `parse(text)`: text in, AST and syntax problems out. Never throws.
 */
import { IParserErrorMessageProvider, IToken, TokenType } from "chevrotain";
import { lex, Tokens } from "./lexer";
import * as T from "./tokens";
import { parser, Read } from "./parser";
import { childBodies, CnnFile, Statement, SyntaxProblem } from "./ast";

export interface ParseResult {
  file: CnnFile;
  problems: SyntaxProblem[];
  /** Comment tokens, for documentation and tools. */
  comments: IToken[];
}

const TOKEN_WORDS: Record<string, string> = {
  Identifier: "a name",
  CallName: "a name",
  Number: "a number",
  Suffixed: "a number",
  ByteSize: "a byte size",
  Tuple: "a size such as 3x3",
  LBrace: "'{'",
  RBrace: "'}'",
  LParen: "'('",
  RParen: "')'",
  Comma: "','",
  Colon: "':'",
  Semicolon: "';'",
  Newline: "the end of the line",
  Equals: "'='",
  LessEq: "'<='",
  Less: "'<'",
  EOF: "the end of the file",
};

function tokenWord(t: TokenType): string {
  return TOKEN_WORDS[t.name] ?? `'${t.name === "InChannels" ? "in_channels" : t.name.toLowerCase()}'`;
}

function found(t: IToken): string {
  if (t.tokenType.name === "EOF") return "the end of the file";
  if (t.tokenType.name === "Newline") return "the end of the line";
  return `'${t.image}'`;
}

const RULE_WORDS: Record<string, string> = {
  file: "a 'model' or 'block' definition",
  statement: "a layer, block call or statement",
  bracedBody: "'{'",
  primary: "a value",
  operand: "a value",
  expression: "a value",
  argument: "an argument",
};

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual }) => `expected ${tokenWord(expected)} but found ${found(actual)}`,
  buildNotAllInputParsedMessage: ({ firstRedundant }) => `unexpected ${found(firstRedundant)}: expected a 'model' or 'block' definition`,
  buildNoViableAltMessage: ({ actual, ruleName }) =>
    `expected ${RULE_WORDS[ruleName] ?? ruleName} but found ${found(actual[0])}`,
  buildEarlyExitMessage: ({ actual, ruleName }) => `expected ${RULE_WORDS[ruleName] ?? ruleName} but found ${found(actual[0])}`,
};
(parser as unknown as { errorMessageProvider: IParserErrorMessageProvider }).errorMessageProvider = messages;

/** Finds the `#` comment lines directly above `offset` (no blank line between) and joins them. */
function docAbove(text: string, offset: number): string | undefined {
  const lines: string[] = [];
  let lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  while (lineStart > 0) {
    const prevEnd = lineStart - 1;
    const prevStart = text.lastIndexOf("\n", prevEnd - 1) + 1;
    const line = text.slice(prevStart, prevEnd).trim();
    if (!line.startsWith("#")) break;
    lines.unshift(line.replace(/^#+ ?/, ""));
    lineStart = prevStart;
  }
  return lines.length ? lines.join("\n") : undefined;
}

/** Parses `text` into an AST, with every syntax problem located by offsets. */
export function parse(text: string): ParseResult {
  const { tokens, comments, problems } = lex(text);
  const reader = new Reader(text, tokens, problems);
  let file: CnnFile | undefined;
  try {
    file = reader.read();
  } catch (e) {
    // Recursion too deep for the stack (e.g. thousands of prefix operators): say so, keep the server up.
    if (!(e instanceof RangeError)) throw e;
    problems.push({ start: 0, end: text.length, message: "this text is nested too deeply to analyse", code: "nesting-too-deep" });
    file = { models: [], blocks: [], statements: [] };
  }
  problems.sort((a, b) => a.start - b.start);
  return { file, problems, comments };
}

const NEWLINE = T.Newline.tokenTypeIdx!;
const SEMICOLON = T.Semicolon.tokenTypeIdx!;

/** Runs the parser over a file's tokens and collects its syntax problems. */
class Reader {
  /** Where an error at the end of the input is shown: right after the last token. */
  private readonly eof: number;
  /** Text cut out for nesting too deeply: syntax errors there would only repeat the nesting error. */
  private readonly cuts: { start: number; end: number }[];

  constructor(
    private readonly text: string,
    private readonly tokens: Tokens,
    private readonly problems: SyntaxProblem[],
  ) {
    // An error at the end of the file (a missing `}`) sits right after the last token, where the
    // fix goes, rather than after trailing comments and blank lines.
    let eof = text.length;
    for (let i = tokens.count - 1; i >= 0; i--) {
      if (tokens.types[i] !== NEWLINE) {
        eof = tokens.end(i);
        break;
      }
    }
    this.eof = eof;
    // A cut leaves its statement broken (`dense ((...))` loses its innermost value). The lexer
    // reports the cuts in text order, so one pass over the tokens finds where each one's statement stops.
    let ti = 0;
    this.cuts = problems
      .filter((p) => p.code === "nesting-too-deep")
      .map((p) => {
        while (ti < tokens.count && !(tokens.starts[ti] >= p.end && (tokens.types[ti] === NEWLINE || tokens.types[ti] === SEMICOLON))) ti++;
        return { start: p.start, end: ti < tokens.count ? tokens.starts[ti] : eof };
      });
  }

  /** The file's definitions and statements. */
  read(): CnnFile {
    return this.finish(this.run(parser.readFile(this.text, this.tokens, this.problems)).file);
  }

  /** Doc comments, definitions in text order, and every statement listed in `file.statements`. */
  private finish(file: CnnFile): CnnFile {
    for (const d of file.models) d.doc = docAbove(this.text, d.start);
    for (const d of file.blocks) d.doc = docAbove(this.text, d.start);
    file.models.sort((x, y) => x.start - y.start);
    file.blocks.sort((x, y) => x.start - y.start);
    const all = file.statements;
    const collect = (body: Statement[]) => {
      for (const s of body) {
        all.push(s);
        if (s.kind !== "layer" && s.kind !== "call") for (const child of childBodies(s)) collect(child);
      }
    };
    for (const d of file.models) collect(d.body);
    for (const d of file.blocks) collect(d.body);
    all.sort((x, y) => x.start - y.start);
    return file;
  }

  /** Records one parser run's syntax errors as problems. */
  private run<R extends Read>(read: R): R {
    for (const err of read.errors) {
      const t = err.token;
      const start = Number.isNaN(t.startOffset) ? this.eof : t.startOffset;
      const end = Number.isNaN(t.startOffset) ? this.eof : t.endOffset! + 1;
      if (this.cuts.some((c) => c.start <= start && start <= c.end)) continue;
      this.problems.push({ start, end: Math.max(end, start), message: err.message, code: "syntax-error" });
    }
    if (read.gaveUp) {
      const last = read.errors[read.errors.length - 1]?.token;
      const at = last && !Number.isNaN(last.startOffset) ? last.startOffset : 0;
      this.problems.push({ start: at, end: this.text.length, message: `${read.gaveUp}: the text from here on is not read (is this a .cnn file?)`, code: "syntax-error" });
    }
    return read;
  }
}
