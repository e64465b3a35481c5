/**
 * Turns text into the token stream the parser reads.
 *
 * A hand-written scanner reads the text once, character by character, and
 * makes the tokens that `tokens.ts` specifies (the same TokenTypes, so the
 * Chevrotain parser reads them); a test checks it against Chevrotain's own
 * lexer built from those definitions. Then the layout rules of the language
 * apply: newlines inside `( )` do not end a statement, `else`, `shortcut` and
 * `{` may start the line after their header, and nesting deeper than
 * MAX_NESTING is cut out with one error instead of overflowing the parser's
 * stack.
 *
 * The tokens come out as columns (`Tokens`), not objects: a long file has
 * hundreds of thousands of them, and objects that live until the end of the
 * parse cost more to copy in the garbage collector than to make. The parser
 * makes each token object when it reads it (`Tokens.at`), and it dies young.
 */
import type { IToken, TokenType } from "chevrotain";
import * as T from "./tokens";
import { SyntaxProblem } from "./ast";
import { LAYER_NAMES } from "../layers/layer-table";

/** The deepest nesting of `{ }` and `( )` the parser is asked to handle. */
export const MAX_NESTING = 64;

/** The significant tokens of a text, after the layout rules, as columns. */
export class Tokens {
  constructor(
    readonly count: number,
    /** Each token's tokenTypeIdx. */
    readonly types: Uint8Array,
    readonly starts: Int32Array,
    readonly images: readonly string[],
  ) {}

  /** The offset just past token `i`. */
  end(i: number): number {
    return this.starts[i] + this.images[i].length;
  }

  /** Token `i` as the object Chevrotain's lexer makes, new on each call. */
  at(i: number): IToken {
    return token(this.images[i], this.starts[i], KINDS[this.types[i]]);
  }

  /** Whether token `i` ends a layer's arguments: the end of the statement, a `{ }` body after them, or of the text. */
  endsArguments(i: number): boolean {
    if (i >= this.count) return true;
    const type = this.types[i];
    return type === L_NEWLINE || type === L_SEMICOLON || type === L_LBRACE || type === L_RBRACE;
  }

  /** Whether token `i` is `(` or `)`. */
  isParen(i: number): boolean {
    const type = this.types[i];
    return type === L_LPAREN || type === L_RPAREN;
  }

  /** Every token as an object (for tests and tools; the parser makes them one by one). */
  toArray(): IToken[] {
    const all: IToken[] = [];
    for (let i = 0; i < this.count; i++) all.push(this.at(i));
    return all;
  }
}

export interface LexResult {
  /** Significant tokens, after the layout rules. */
  tokens: Tokens;
  /** Comment tokens, in text order. */
  comments: IToken[];
  problems: SyntaxProblem[];
}

/** At most this many unexpected-character problems are listed; a binary file would otherwise make millions. */
export const MAX_CHARACTER_PROBLEMS = 100;

/**
 * A token type and its index, read once: the TokenTypes of tokens.ts have
 * several shapes, and reading their fields in the scanning loop would be slow.
 */
interface Kind {
  readonly type: TokenType;
  readonly idx: number;
}

function kind(type: TokenType): Kind {
  return { type, idx: type.tokenTypeIdx! };
}

/** Every token kind, by tokenTypeIdx. */
const KINDS: Kind[] = [];
for (const type of T.ALL_TOKENS) KINDS[type.tokenTypeIdx!] = kind(type);
if (KINDS.length > 256) throw new Error("token types do not fit the lexer's Uint8Array column");

const IDENTIFIER = kind(T.Identifier);
const NUMBER = kind(T.NumberLiteral);
const TUPLE = kind(T.Tuple);
const BYTE_SIZE = kind(T.ByteSize);
const SUFFIXED = kind(T.Suffixed);
const NEWLINE = kind(T.Newline);
const COMMENT = kind(T.Comment);
const EQ_EQ = kind(T.EqEq);
const EQUALS_ = kind(T.Equals);
const LESS_EQ = kind(T.LessEq);
const LESS_ = kind(T.Less);
const GREATER_EQ = kind(T.GreaterEq);
const GREATER_ = kind(T.Greater);
const NOT_EQ = kind(T.NotEq);

/** The keyword token types by their word: the tokens with Identifier as their longer alternative. */
const KEYWORD_KINDS: ReadonlyMap<string, Kind> = (() => {
  const map = new Map<string, Kind>();
  for (const type of T.ALL_TOKENS) {
    if (type.LONGER_ALT !== T.Identifier) continue;
    const word = (type.PATTERN as RegExp).source;
    // The scanner reads a whole word, then looks it up: that is Chevrotain's reading of the
    // keyword patterns only while each is a plain word and none is the start of another.
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(word)) throw new Error(`keyword token ${type.name} is not a plain word: /${word}/`);
    map.set(word, kind(type));
  }
  for (const a of map.keys()) for (const b of map.keys()) if (a !== b && b.startsWith(a)) throw new Error(`keyword '${a}' is the start of keyword '${b}'`);
  return map;
})();

// Character classes of the ASCII characters; every other character is foreign
// except the whitespace U+00A0 and U+FEFF.
const FOREIGN = 0;
const SPACE = 1; // space, \t, \v, \f
const LF = 2;
const CR = 3;
const LETTER = 4; // A-Z a-z _
const DIGIT = 5;
const PUNCT = 6; // a one-character token
const OPERATOR = 7; // `=`, `<`, `>`: alone or with `=` after it
const BANG = 8;
const DOT = 9;
const HASH = 10;

const CLASS = new Uint8Array(128);
/** 1 for the characters of a word: `[A-Za-z0-9_]`. */
const WORD = new Uint8Array(128);
/** The kind of each one-character punctuation token, by character code. */
const PUNCT_KIND: Kind[] = new Array(128).fill(IDENTIFIER);
/** Its image, a constant string. */
const PUNCT_IMAGE: string[] = new Array(128).fill("");
(() => {
  for (const c of " \t\v\f") CLASS[c.charCodeAt(0)] = SPACE;
  CLASS[10] = LF;
  CLASS[13] = CR;
  for (let c = 0; c < 128; c++) {
    const ch = String.fromCharCode(c);
    if (/[A-Za-z_]/.test(ch)) CLASS[c] = LETTER;
    if (/[0-9]/.test(ch)) CLASS[c] = DIGIT;
    if (/[A-Za-z0-9_]/.test(ch)) WORD[c] = 1;
  }
  const punct: [string, TokenType][] = [
    ["{", T.LBrace], ["}", T.RBrace], ["(", T.LParen], [")", T.RParen], [",", T.Comma], [":", T.Colon], [";", T.Semicolon],
    ["+", T.Plus], ["-", T.Minus], ["*", T.Star], ["/", T.Slash], ["%", T.Percent],
  ];
  for (const [ch, type] of punct) {
    const c = ch.charCodeAt(0);
    CLASS[c] = PUNCT;
    PUNCT_KIND[c] = kind(type);
    PUNCT_IMAGE[c] = ch;
  }
  for (const c of [61, 60, 62]) CLASS[c] = OPERATOR;
  CLASS[33] = BANG;
  CLASS[46] = DOT;
  CLASS[35] = HASH;
})();

/** `=`, `<` and `>`: each a token alone, and another with `=` after it (`==`, `<=`, `>=`). */
const OPERATORS: Record<number, { image: string; kind: Kind; imageWithEquals: string; kindWithEquals: Kind }> = {
  61: { image: "=", kind: EQUALS_, imageWithEquals: "==", kindWithEquals: EQ_EQ },
  60: { image: "<", kind: LESS_, imageWithEquals: "<=", kindWithEquals: LESS_EQ },
  62: { image: ">", kind: GREATER_, imageWithEquals: ">=", kindWithEquals: GREATER_EQ },
};

/** `[0-9]`; false past the end of the text (NaN). */
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** `[A-Za-z0-9_]`; false past the end of the text (NaN). */
function isWord(c: number): boolean {
  return c < 128 && WORD[c] === 1;
}

/**
 * Whether the character at `i` is one that no token contains: a character
 * outside the language's set, `!` not followed by `=`, or `.` not between two digits.
 */
function isForeign(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c >= 128) return c !== 0xa0 && c !== 0xfeff;
  switch (CLASS[c]) {
    case FOREIGN:
      return true;
    case BANG:
      return text.charCodeAt(i + 1) !== 61;
    case DOT:
      return !(isDigit(text.charCodeAt(i - 1)) && isDigit(text.charCodeAt(i + 1)));
    default:
      return false;
  }
}

/**
 * The images of recent words and numbers, by a hash of their characters, with
 * the kind of the words: a text repeats a few names and numbers many times,
 * and sharing their strings saves allocating (and collecting) one per token
 * and looking up keywords for each.
 */
const CACHE_SIZE = 4096; // a power of two
/**
 * Longer images are not kept: V8 copies the characters of a slice shorter than
 * 13 characters, but a longer one points into the text, and the cache must not
 * keep old texts alive.
 */
const CACHED_LENGTH = 12;
const cacheImage: string[] = new Array<string>(CACHE_SIZE).fill("");
const cacheKind: Kind[] = new Array<Kind>(CACHE_SIZE).fill(IDENTIFIER);

/** The slot of `text[start, end)` in the cache. */
function cacheSlot(text: string, start: number, end: number): number {
  let h = 0;
  for (let k = start; k < end; k++) h = (Math.imul(h, 31) + text.charCodeAt(k)) | 0;
  return (h ^ (h >>> 13)) & (CACHE_SIZE - 1);
}

/** Whether `image` is `text[start, end)`. */
function isAt(image: string, text: string, start: number, end: number): boolean {
  if (image.length !== end - start) return false;
  for (let k = start; k < end; k++) if (image.charCodeAt(k - start) !== text.charCodeAt(k)) return false;
  return true;
}

/** `text.slice(start, end)`, shared with earlier tokens of the same characters. */
function numberImage(text: string, start: number, end: number): string {
  if (end - start > CACHED_LENGTH) return text.slice(start, end);
  const slot = cacheSlot(text, start, end);
  const cached = cacheImage[slot];
  if (isAt(cached, text, start, end)) return cached;
  const image = text.slice(start, end);
  cacheImage[slot] = image;
  cacheKind[slot] = IDENTIFIER; // not read for numbers: a word never has a number's characters
  return image;
}

/**
 * The scanner's tokens before the layout rules, in columns kept from call to
 * call: the tokens are then copied once into columns of the right size.
 * Growing fresh ones to hundreds of thousands of tokens instead costs more in
 * the garbage collector, and in page faults, than the lexing itself. Columns
 * grown past BUFFER_KEPT tokens are dropped after use.
 */
class TokenBuffer {
  count = 0;
  types = new Uint8Array(1024);
  starts = new Int32Array(1024);
  images: string[] = [];

  push(image: string, start: number, kind: Kind): void {
    const n = this.count;
    if (n === this.types.length) this.grow();
    this.types[n] = kind.idx;
    this.starts[n] = start;
    this.images[n] = image;
    this.count = n + 1;
  }

  private grow(): void {
    const types = new Uint8Array(this.types.length * 2);
    types.set(this.types);
    this.types = types;
    const starts = new Int32Array(this.starts.length * 2);
    starts.set(this.starts);
    this.starts = starts;
  }

  /** The first `count` tokens, copied out; the buffer is emptied. */
  take(count: number): Tokens {
    const tokens = new Tokens(count, this.types.slice(0, count), this.starts.slice(0, count), this.images.slice(0, count));
    this.images.fill("", 0, this.count);
    this.count = 0;
    if (this.types.length > BUFFER_KEPT) buffer = new TokenBuffer();
    return tokens;
  }
}
let buffer = new TokenBuffer();
const BUFFER_KEPT = 1 << 20;

/** Lets go of the columns kept for the next call (see TokenBuffer): a few MB after a long text. */
export function releaseTokenBuffer(): void {
  buffer = new TokenBuffer();
}

function token(image: string, startOffset: number, kind: Kind): IToken {
  // The fields of the tokens Chevrotain's lexer made with "onlyOffset" tracking, in its order, and
  // endOffset, which it left unset: the parser's node locations need it.
  return { image, startOffset, tokenTypeIdx: kind.idx, tokenType: kind.type, endOffset: startOffset + image.length - 1 } as IToken;
}

/** Unexpected characters: the first MAX_CHARACTER_PROBLEMS become problems, the rest one summary. */
class CharacterProblems {
  private count = 0;
  private restStart = 0;
  private restEnd = 0;

  constructor(
    private readonly text: string,
    private readonly problems: SyntaxProblem[],
  ) {}

  add(start: number, end: number): void {
    if (this.count < MAX_CHARACTER_PROBLEMS) {
      const ch = this.text.slice(start, end);
      const message = end - start === 1 ? `unexpected character '${ch}'` : `unexpected characters '${ch.slice(0, 20)}'`;
      this.problems.push({ start, end, message, code: "unexpected-character" });
    } else {
      if (this.count === MAX_CHARACTER_PROBLEMS) this.restStart = start;
      this.restEnd = end;
    }
    this.count++;
  }

  /** Adds the summary of the ones not listed. */
  finish(): void {
    if (this.count <= MAX_CHARACTER_PROBLEMS) return;
    this.problems.push({
      start: this.restStart,
      end: this.restEnd,
      message: `${this.count - MAX_CHARACTER_PROBLEMS} more places with unexpected characters from here on are not listed (is this a .cnn text file?)`,
      code: "unexpected-character",
    });
  }
}

/** Lexes `text`; never throws. Offsets are UTF-16 code-unit offsets into `text`. */
export function lex(text: string): LexResult {
  const n = text.length;
  const raw = buffer;
  const comments: IToken[] = [];
  const problems: SyntaxProblem[] = [];
  const unexpected = new CharacterProblems(text, problems);
  // The `(` tokens that a `)` closes before the next brace or the end of the text (see applyLayout).
  const openParens: number[] = [];
  const closedParens: number[] = [];
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const cls = c < 128 ? CLASS[c] : c === 0xa0 || c === 0xfeff ? SPACE : FOREIGN;
    switch (cls) {
      case SPACE:
        i++;
        continue;
      case LF:
        raw.push("\n", i, NEWLINE);
        i++;
        continue;
      case CR:
        if (text.charCodeAt(i + 1) === 10) {
          raw.push("\r\n", i, NEWLINE);
          i += 2;
        } else {
          raw.push("\r", i, NEWLINE);
          i++;
        }
        continue;
      case LETTER: {
        let h = c; // cacheSlot's hash, computed on the way
        let j = i + 1;
        while (j < n) {
          const d = text.charCodeAt(j);
          if (d < 128 && WORD[d] === 1) {
            h = (Math.imul(h, 31) + d) | 0;
            j++;
          } else break;
        }
        let image: string;
        let kind: Kind;
        if (j - i > CACHED_LENGTH) {
          image = text.slice(i, j);
          kind = KEYWORD_KINDS.get(image) ?? IDENTIFIER;
        } else {
          const slot = (h ^ (h >>> 13)) & (CACHE_SIZE - 1);
          image = cacheImage[slot];
          if (isAt(image, text, i, j)) kind = cacheKind[slot];
          else {
            image = text.slice(i, j);
            kind = KEYWORD_KINDS.get(image) ?? IDENTIFIER;
            cacheImage[slot] = image;
            cacheKind[slot] = kind;
          }
        }
        raw.push(image, i, kind);
        i = j;
        continue;
      }
      case DIGIT: {
        // Tuple, ByteSize, Suffixed and Number, tried in that order as their patterns are.
        let j = i + 1;
        while (isDigit(text.charCodeAt(j))) j++;
        let d = text.charCodeAt(j);
        let type = NUMBER;
        let end = j;
        if (d === 120 /* x */) {
          if (isDigit(text.charCodeAt(j + 1))) {
            // `\d+(?:x\d+)+(?![A-Za-z0-9_])`: backtracking cannot help, a shorter match is followed by a digit or `x`.
            let k = j + 2;
            for (;;) {
              while (isDigit(text.charCodeAt(k))) k++;
              if (text.charCodeAt(k) === 120 && isDigit(text.charCodeAt(k + 1))) k += 2;
              else break;
            }
            if (!isWord(text.charCodeAt(k))) {
              type = TUPLE;
              end = k;
            }
          }
          // Otherwise a plain number: `x` is no unit or suffix.
        } else {
          if (d === 46 /* . */ && isDigit(text.charCodeAt(j + 1))) {
            j += 2;
            while (isDigit(text.charCodeAt(j))) j++;
            d = text.charCodeAt(j);
            end = j;
          }
          if (d === 66 /* B */) {
            if (!isWord(text.charCodeAt(j + 1))) {
              type = BYTE_SIZE;
              end = j + 1;
            }
          } else if (d === 75 /* K */ || d === 77 /* M */ || d === 71 /* G */) {
            const e = text.charCodeAt(j + 1);
            if (e === 105 /* i */ && text.charCodeAt(j + 2) === 66 && !isWord(text.charCodeAt(j + 3))) {
              type = BYTE_SIZE;
              end = j + 3;
            } else if (e === 66 /* B */ && !isWord(text.charCodeAt(j + 2))) {
              type = BYTE_SIZE;
              end = j + 2;
            } else if (!isWord(e)) {
              type = SUFFIXED;
              end = j + 1;
            }
          } else if (d === 84 /* T */ && !isWord(text.charCodeAt(j + 1))) {
            type = SUFFIXED;
            end = j + 1;
          }
        }
        raw.push(numberImage(text, i, end), i, type);
        i = end;
        continue;
      }
      case PUNCT:
        if (c === 40 /* ( */) openParens.push(raw.count);
        else if (c === 41 /* ) */) {
          if (openParens.length > 0) closedParens.push(openParens.pop()!);
        } else if (c === 123 /* { */ || c === 125 /* } */) openParens.length = 0;
        raw.push(PUNCT_IMAGE[c], i, PUNCT_KIND[c]);
        i++;
        continue;
      case OPERATOR: {
        const op = OPERATORS[c];
        if (text.charCodeAt(i + 1) === 61) {
          raw.push(op.imageWithEquals, i, op.kindWithEquals);
          i += 2;
        } else {
          raw.push(op.image, i, op.kind);
          i++;
        }
        continue;
      }
      case HASH: {
        let j = i + 1;
        while (j < n) {
          const d = text.charCodeAt(j);
          if (d === 10 || d === 13) break;
          j++;
        }
        comments.push(token(text.slice(i, j), i, COMMENT));
        i = j;
        continue;
      }
      case BANG:
        if (text.charCodeAt(i + 1) === 61) {
          raw.push("!=", i, NOT_EQ);
          i += 2;
          continue;
        }
        break; // a foreign character
      case DOT:
        if (isDigit(text.charCodeAt(i - 1)) && isDigit(text.charCodeAt(i + 1))) {
          // Between two digits but in no number (`1.5.5`, `a1.5`): a problem of its own.
          unexpected.add(i, i + 1);
          i++;
          continue;
        }
        break; // a foreign character
    }
    // A run of foreign characters: one problem.
    let j = i + 1;
    while (j < n && isForeign(text, j)) j++;
    unexpected.add(i, j);
    i = j;
  }
  unexpected.finish();
  let closed: Uint8Array | undefined;
  if (closedParens.length > 0) {
    closed = new Uint8Array(raw.count);
    for (const k of closedParens) closed[k] = 1;
  }
  const count = applyLayout(raw, closed, problems);
  markCallNames(raw, count);
  return { tokens: raw.take(count), comments, problems };
}

const L_IDENTIFIER = T.Identifier.tokenTypeIdx!;
const L_CALL_NAME = T.CallName.tokenTypeIdx!;

/** Marks the names followed by `(` that are not layer kinds as CallNames (see tokens.ts). */
function markCallNames(raw: TokenBuffer, count: number): void {
  const { types, images } = raw;
  for (let i = 0; i + 1 < count; i++) {
    if (types[i] === L_IDENTIFIER && types[i + 1] === L_LPAREN && !LAYER_NAMES.has(images[i])) types[i] = L_CALL_NAME;
  }
}

// The token types the layout rules and Tokens look at, by tokenTypeIdx.
const L_SEMICOLON = T.Semicolon.tokenTypeIdx!;
const L_LBRACE = T.LBrace.tokenTypeIdx!;
const L_RBRACE = T.RBrace.tokenTypeIdx!;
const L_LPAREN = T.LParen.tokenTypeIdx!;
const L_RPAREN = T.RParen.tokenTypeIdx!;
const L_NEWLINE = T.Newline.tokenTypeIdx!;
const L_ELSE = T.Else.tokenTypeIdx!;
const L_SHORTCUT = T.Shortcut.tokenTypeIdx!;

/**
 * The layout rules, applied in place: the first tokens of `raw` become the
 * significant ones, and their number is returned. `closed` marks (by index in
 * `raw`) the `(` tokens that a `)` closes before the next brace or the end of
 * the text: only these let a statement run over newlines, an unclosed `(` (a
 * half-typed `conv (8, 3`) must not swallow the lines after it.
 */
function applyLayout(raw: TokenBuffer, closed: Uint8Array | undefined, problems: SyntaxProblem[]): number {
  const { types, starts, images } = raw;
  const n = raw.count;
  let w = 0; // tokens kept: [0, w) is the output so far, never past the token read
  const keep = (i: number) => {
    types[w] = types[i];
    starts[w] = starts[i];
    images[w] = images[i];
    w++;
  };
  const nestingProblem = (from: number, to: number): SyntaxProblem => ({
    start: from,
    end: to,
    message: `nesting deeper than ${MAX_NESTING} levels of braces and parentheses is not analysed`,
    code: "nesting-too-deep",
  });
  let parens = 0;
  let depth = 0;
  let cut = -1; // the index of the token that began an over-deep region
  let cutStart = 0;
  let cutType = 0;
  let cutDepth = 0;
  for (let i = 0; i < n; i++) {
    const type = types[i];
    const opens = type === L_LBRACE || type === L_LPAREN;
    const closes = type === L_RBRACE || type === L_RPAREN;
    if (cut >= 0) {
      // Inside a region nested too deeply: skip it up to its matching close.
      if (opens) cutDepth++;
      else if (closes && --cutDepth === 0) {
        problems.push(nestingProblem(cutStart, starts[i] + images[i].length));
        // A cut-out body stays an empty `{ }`, so the statement around it still parses.
        if (cutType === L_LBRACE && type === L_RBRACE) keep(i);
        cut = -1;
      }
      continue;
    }
    if (opens) {
      if (depth >= MAX_NESTING) {
        cut = i;
        cutStart = starts[i];
        cutType = type;
        cutDepth = 1;
        if (type === L_LBRACE) keep(i);
        continue;
      }
      depth++;
      if (type === L_LPAREN && closed !== undefined && closed[i] === 1) parens++;
    } else if (closes) {
      if (depth > 0) depth--;
      if (type === L_RPAREN && parens > 0) parens--;
    } else if (type === L_NEWLINE) {
      if (parens > 0) continue;
      // A newline followed (past blank lines) by `else`, `shortcut` or `{` continues the statement.
      let j = i + 1;
      while (j < n && types[j] === L_NEWLINE) j++;
      const next = j < n ? types[j] : -1;
      if (next === L_ELSE || next === L_SHORTCUT || next === L_LBRACE) {
        i = j - 1;
        continue;
      }
      // Collapse runs of newlines into one terminator.
      if (w > 0 && types[w - 1] === L_NEWLINE) continue;
    }
    keep(i);
  }
  if (cut >= 0) problems.push(nestingProblem(cutStart, starts[n - 1] + images[n - 1].length));
  return w;
}
