/**
 * `parse(text)`: text in, AST and syntax problems out. Never throws.
 */
import { IParserErrorMessageProvider, IToken, TokenType } from "chevrotain";
import { lex } from "./lexer";
import { MAX_SYNTAX_ERRORS, parser, Read } from "./parser";
import { childBodies, CnnFile, Statement, SyntaxProblem } from "./ast";
import * as T from "./tokens";

export interface ParseResult {
  file: CnnFile;
  problems: SyntaxProblem[];
  /** Comment tokens, for documentation and tools. */
  comments: IToken[];
}

const TOKEN_WORDS: Record<string, string> = {
  Identifier: "a name",
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

/**
 * Bodies longer than this many tokens are read in pieces of about this size:
 * each parse's short-lived data then stays in V8's young generation, which
 * makes a 100,000-statement model about 10% faster to read than one long parse.
 */
export const PIECE_TOKENS = 4000;

/**
 * Parses `text` into an AST, with every syntax problem located by offsets.
 * `pieces: false` reads long bodies in one go (for tests: both ways must agree).
 */
export function parse(text: string, options: { pieces?: boolean } = {}): ParseResult {
  const { tokens, comments, problems } = lex(text);
  const reader = new Reader(text, tokens, problems);
  let file: CnnFile | undefined;
  try {
    file = (options.pieces !== false ? reader.readInPieces() : undefined) ?? reader.readWhole();
  } catch (e) {
    // Recursion too deep for the stack (e.g. thousands of prefix operators): say so, keep the server up.
    if (!(e instanceof RangeError)) throw e;
    problems.push({ start: 0, end: text.length, message: "this text is nested too deeply to analyse", code: "nesting-too-deep" });
    file = { models: [], blocks: [], statements: [] };
  }
  problems.sort((a, b) => a.start - b.start);
  return { file, problems, comments };
}

/** Runs the parser over a file's tokens, whole or in pieces, and collects its syntax problems. */
class Reader {
  /** Where an error at the end of the input is shown: right after the last token. */
  private readonly eof: number;
  /** Text cut out for nesting too deeply: syntax errors there would only repeat the nesting error. */
  private readonly cuts: { start: number; end: number }[];
  private readonly lexProblems: number;

  constructor(
    private readonly text: string,
    private readonly tokens: IToken[],
    private readonly problems: SyntaxProblem[],
  ) {
    this.lexProblems = problems.length;
    // An error at the end of the file (a missing `}`) sits right after the last token, where the
    // fix goes, rather than after trailing comments and blank lines.
    let eof = text.length;
    for (let i = tokens.length - 1; i >= 0; i--) {
      if (tokens[i].tokenType.name !== "Newline") {
        eof = tokens[i].endOffset! + 1;
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
        while (ti < tokens.length && !(tokens[ti].startOffset >= p.end && (tokens[ti].tokenType.name === "Newline" || tokens[ti].tokenType.name === "Semicolon"))) ti++;
        return { start: p.start, end: ti < tokens.length ? tokens[ti].startOffset : eof };
      });
  }

  /** The whole file in one parse. */
  readWhole(): CnnFile {
    return this.finish(this.run(parser.readFile(this.tokens, this.problems)).file);
  }

  /**
   * The file with each long top-level body read in pieces, split where a statement ends;
   * undefined when there is no long body, or one does not belong to a definition (then
   * the file is read whole, as error recovery sees it).
   */
  readInPieces(): CnnFile | undefined {
    const bodies = longBodies(this.tokens);
    if (bodies.length === 0) return undefined;
    // The file with those bodies emptied, then each body's pieces.
    const outline: IToken[] = [];
    let next = 0;
    for (const b of bodies) {
      for (let i = next; i <= b.open; i++) outline.push(this.tokens[i]);
      next = b.close;
    }
    for (let i = next; i < this.tokens.length; i++) outline.push(this.tokens[i]);
    const file = this.run(parser.readFile(outline, this.problems)).file;
    const decls: { start: number; end: number; body: Statement[] }[] = [...file.models, ...file.blocks];
    for (const b of bodies) {
      const open = this.tokens[b.open].startOffset;
      const decl = decls.find((d) => d.start < open && d.end > open && d.body.length === 0);
      if (!decl) {
        this.problems.length = this.lexProblems;
        return undefined;
      }
      for (const piece of pieces(this.tokens, b.open + 1, b.close)) {
        for (const st of this.run(parser.readStatements(piece, this.problems)).statements) decl.body.push(st);
        // Text that is mostly errors is read whole, where the parser's error budget holds for the file, not per piece.
        if (this.problems.length - this.lexProblems > MAX_SYNTAX_ERRORS / 2) {
          this.problems.length = this.lexProblems;
          return undefined;
        }
      }
    }
    return this.finish(file);
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

/** Top-level `{ ... }` bodies (closed) holding more than PIECE_TOKENS tokens: the indices of their braces. */
function longBodies(tokens: IToken[]): { open: number; close: number }[] {
  const out: { open: number; close: number }[] = [];
  let depth = 0;
  let open = -1;
  for (let i = 0; i < tokens.length; i++) {
    const type = tokens[i].tokenType;
    if (type === T.LBrace) {
      if (depth++ === 0) open = i;
    } else if (type === T.RBrace && depth > 0 && --depth === 0 && i - open - 1 > PIECE_TOKENS) {
      out.push({ open, close: i });
    }
  }
  return out;
}

/** The tokens from `from` to `to` cut into pieces of about PIECE_TOKENS, each ending after a statement's terminator. */
function* pieces(tokens: IToken[], from: number, to: number): Generator<IToken[]> {
  let start = from;
  let depth = 0;
  for (let i = from; i < to; i++) {
    const type = tokens[i].tokenType;
    if (type === T.LBrace) depth++;
    else if (type === T.RBrace) depth--;
    else if (depth === 0 && i + 1 - start >= PIECE_TOKENS && (type === T.Newline || type === T.Semicolon)) {
      yield tokens.slice(start, i + 1);
      start = i + 1;
    }
  }
  if (start < to) yield tokens.slice(start, to);
}
