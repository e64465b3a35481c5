/**
 * The lexer as it was before the hand-written scanner: Chevrotain's `Lexer`
 * built from `ALL_TOKENS`, after blanking foreign characters with a regex,
 * then the layout rules. Kept only as the reference that lexer.test.ts checks
 * `lex` against; the code below is the former server/src/core/syntax/lexer.ts.
 */
import { IToken, Lexer } from "chevrotain";
import * as T from "../../server/src/core/syntax/tokens";
import { SyntaxProblem } from "../../server/src/core/syntax/ast";
import { LAYER_NAMES } from "../../server/src/core/layers/layer-table";
import { MAX_CHARACTER_PROBLEMS, MAX_NESTING } from "../../server/src/core/syntax/lexer";

const lexer = new Lexer(T.ALL_TOKENS, {
  positionTracking: "onlyOffset",
  ensureOptimizations: false,
  skipValidations: true,
});

/**
 * A comment, or a run of characters that no token contains (with `!` not
 * followed by `=`, and `.` not inside a number). Chevrotain recovers from each
 * such character by trying every pattern at every offset after it, which takes
 * many seconds on a binary file: they are blanked out before it reads the text.
 */
const FOREIGN = /#[^\r\n]*|(?:[^\t\n\v\f\r \u00a0\ufeffA-Za-z0-9_{}(),:;=<>+\-*\/%#.!]|!(?!=)|(?<![0-9])\.|\.(?![0-9]))+/g;

function characterProblem(text: string, start: number, end: number): SyntaxProblem {
  const ch = text.slice(start, end);
  return { start, end, message: end - start === 1 ? `unexpected character '${ch}'` : `unexpected characters '${ch.slice(0, 20)}'`, code: "unexpected-character" };
}

/** The former `lex`. */
/** What the former lexer gave: its tokens as objects. */
export interface ReferenceLexResult {
  tokens: IToken[];
  comments: IToken[];
  problems: SyntaxProblem[];
}

export function referenceLex(text: string): ReferenceLexResult {
  let problems: SyntaxProblem[] = [];
  // Spaces keep every offset; comments are left as they are.
  const source = text.replace(FOREIGN, (run: string, offset: number) => {
    if (run.charCodeAt(0) === 35 /* # */) return run;
    problems.push(characterProblem(text, offset, offset + run.length));
    return " ".repeat(run.length);
  });
  const result = lexer.tokenize(source);
  for (const e of result.errors) problems.push(characterProblem(text, e.offset, e.offset + e.length));
  if (result.errors.length && problems.length > result.errors.length) problems.sort((a, b) => a.start - b.start);
  if (problems.length > MAX_CHARACTER_PROBLEMS) {
    const rest = problems.slice(MAX_CHARACTER_PROBLEMS);
    problems = problems.slice(0, MAX_CHARACTER_PROBLEMS);
    problems.push({
      start: rest[0].start,
      end: rest[rest.length - 1].end,
      message: `${rest.length} more places with unexpected characters from here on are not listed (is this a .cnn text file?)`,
      code: "unexpected-character",
    });
  }
  const comments = (result.groups.comments ?? []) as IToken[];
  // Chevrotain's "onlyOffset" tracking skips line and column bookkeeping (the core works on
  // offsets) but leaves endOffset unset: fill it in, the parser's node locations need it.
  for (const t of result.tokens) t.endOffset = t.startOffset + t.image.length - 1;
  for (const t of comments) t.endOffset = t.startOffset + t.image.length - 1;
  return { tokens: applyLayout(result.tokens, problems), comments, problems };
}

/**
 * The `(` tokens that a `)` closes before the next brace or the end of the
 * text. Only these let a statement run over newlines: an unclosed `(` (a
 * half-typed `conv (8, 3`) must not swallow the lines after it.
 */
function closedParens(raw: IToken[]): Set<IToken> {
  const closed = new Set<IToken>();
  const open: IToken[] = [];
  for (const tok of raw) {
    const type = tok.tokenType;
    if (type === T.LParen) open.push(tok);
    else if (type === T.RParen) {
      const o = open.pop();
      if (o) closed.add(o);
    } else if (type === T.LBrace || type === T.RBrace) open.length = 0;
  }
  return closed;
}

function applyLayout(raw: IToken[], problems: SyntaxProblem[]): IToken[] {
  const out: IToken[] = [];
  const closed = closedParens(raw);
  let parens = 0;
  let depth = 0;
  let cutFrom = -1; // index in raw where an over-deep region began
  let cutDepth = 0;
  for (let i = 0; i < raw.length; i++) {
    const tok = raw[i];
    const type = tok.tokenType;
    const opens = type === T.LBrace || type === T.LParen;
    const closes = type === T.RBrace || type === T.RParen;
    if (cutFrom >= 0) {
      // Inside a region nested too deeply: skip it up to its matching close.
      if (opens) cutDepth++;
      else if (closes && --cutDepth === 0) {
        problems.push({
          start: raw[cutFrom].startOffset,
          end: tok.endOffset! + 1,
          message: `nesting deeper than ${MAX_NESTING} levels of braces and parentheses is not analysed`,
          code: "nesting-too-deep",
        });
        // A cut-out body stays an empty `{ }`, so the statement around it still parses.
        if (raw[cutFrom].tokenType === T.LBrace && type === T.RBrace) out.push(tok);
        cutFrom = -1;
      }
      continue;
    }
    if (opens) {
      if (depth >= MAX_NESTING) {
        cutFrom = i;
        cutDepth = 1;
        if (type === T.LBrace) out.push(tok);
        continue;
      }
      depth++;
      if (type === T.LParen && closed.has(tok)) parens++;
    } else if (closes) {
      if (depth > 0) depth--;
      if (type === T.RParen && parens > 0) parens--;
    } else if (type === T.Newline) {
      if (parens > 0) continue;
      // A newline followed (past blank lines) by `else`, `shortcut` or `{` continues the statement.
      let j = i + 1;
      while (j < raw.length && raw[j].tokenType === T.Newline) j++;
      const next = raw[j]?.tokenType;
      if (next === T.Else || next === T.Shortcut || next === T.LBrace) {
        i = j - 1;
        continue;
      }
      // Collapse runs of newlines into one terminator.
      const prev = out[out.length - 1];
      if (prev && prev.tokenType === T.Newline) continue;
    }
    out.push(tok);
  }
  if (cutFrom >= 0) {
    const last = raw[raw.length - 1];
    problems.push({
      start: raw[cutFrom].startOffset,
      end: last.endOffset! + 1,
      message: `nesting deeper than ${MAX_NESTING} levels of braces and parentheses is not analysed`,
      code: "nesting-too-deep",
    });
  }
  // Names followed by `(` that are not layer kinds are block calls or functions.
  for (let i = 0; i + 1 < out.length; i++) {
    if (out[i].tokenType === T.Identifier && out[i + 1].tokenType === T.LParen && !LAYER_NAMES.has(out[i].image)) {
      out[i].tokenType = T.CallName;
      out[i].tokenTypeIdx = T.CallName.tokenTypeIdx!;
    }
  }
  return out;
}
