/**
 * The tokens of the `.cnn` language and its vocabulary of keywords.
 *
 * The keyword list here is the one the TextMate grammar highlights; a test
 * fails when `syntaxes/cnn.tmLanguage.json` drifts from it.
 */
import { createToken, Lexer, TokenType } from "chevrotain";

/** Identifiers: `[A-Za-z_][A-Za-z0-9_]*`, case-sensitive. */
export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

/**
 * A name followed by `(` that is not a layer kind: a block call (`stage(64, 2)`)
 * or a function (`max(a, b)`). The lexer marks these (see `markCallNames`); a
 * CallName is a kind of Identifier, read wherever a name is, and the statement
 * rule tells a block call from a layer by it (`dense (n * 2)` is a layer)
 * without a gate.
 */
export const CallName = createToken({ name: "CallName", pattern: Lexer.NA, categories: [Identifier] });

function keyword(word: string): TokenType {
  return createToken({ name: word[0].toUpperCase() + word.slice(1), pattern: new RegExp(word), longer_alt: Identifier });
}

export const Model = keyword("model");
export const Block = keyword("block");
export const Input = keyword("input");
export const Dtype = keyword("dtype");
export const Batch = keyword("batch");
export const Budget = keyword("budget");
export const Repeat = keyword("repeat");
export const Residual = keyword("residual");
export const Shortcut = keyword("shortcut");
export const Add = keyword("add");
export const Concat = keyword("concat");
export const Branch = keyword("branch");
export const Scale = keyword("scale");
export const Aux = keyword("aux");
export const If = keyword("if");
export const Else = keyword("else");
export const Let = keyword("let");
export const And = keyword("and");
export const Or = keyword("or");
export const Not = keyword("not");
export const True = keyword("true");
export const False = keyword("false");
export const InChannels = createToken({ name: "InChannels", pattern: /in_channels/, longer_alt: Identifier });

/** Every reserved word of the language, in the order the grammar lists them. */
export const KEYWORDS: readonly string[] = [
  "model", "block", "input", "dtype", "batch", "budget", "repeat", "residual", "shortcut",
  "add", "concat", "branch", "scale", "aux", "if", "else", "let", "and", "or", "not",
  "true", "false", "in_channels",
];

/** Whole numbers joined by `x`: `3x224x224`, `3x3`. Must be tried before plain numbers. */
export const Tuple = createToken({ name: "Tuple", pattern: /\d+(?:x\d+)+(?![A-Za-z0-9_])/ });
/** Byte sizes: `20MB`, `512KiB`, `100B` (decimal or binary units). */
export const ByteSize = createToken({ name: "ByteSize", pattern: /\d+(?:\.\d+)?(?:KiB|MiB|GiB|KB|MB|GB|B)(?![A-Za-z0-9_])/ });
/** Counts with a decimal suffix: `25M`, `1.5G`, `300K`, `2T`. */
export const Suffixed = createToken({ name: "Suffixed", pattern: /\d+(?:\.\d+)?[KMGT](?![A-Za-z0-9_])/ });
/** Integers and decimals: `64`, `0.5`. */
export const NumberLiteral = createToken({ name: "Number", pattern: /\d+(?:\.\d+)?/ });

export const LBrace = createToken({ name: "LBrace", pattern: /{/ });
export const RBrace = createToken({ name: "RBrace", pattern: /}/ });
export const LParen = createToken({ name: "LParen", pattern: /\(/ });
export const RParen = createToken({ name: "RParen", pattern: /\)/ });
export const Comma = createToken({ name: "Comma", pattern: /,/ });
export const Colon = createToken({ name: "Colon", pattern: /:/ });
export const Semicolon = createToken({ name: "Semicolon", pattern: /;/ });
export const Newline = createToken({ name: "Newline", pattern: /\r?\n|\r/, line_breaks: true });

export const EqEq = createToken({ name: "EqEq", pattern: /==/ });
export const NotEq = createToken({ name: "NotEq", pattern: /!=/ });
export const LessEq = createToken({ name: "LessEq", pattern: /<=/ });
export const GreaterEq = createToken({ name: "GreaterEq", pattern: />=/ });
export const Less = createToken({ name: "Less", pattern: /</ });
export const Greater = createToken({ name: "Greater", pattern: />/ });
export const Equals = createToken({ name: "Equals", pattern: /=/ });
export const Plus = createToken({ name: "Plus", pattern: /\+/ });
export const Minus = createToken({ name: "Minus", pattern: /-/ });
export const Star = createToken({ name: "Star", pattern: /\*/ });
export const Slash = createToken({ name: "Slash", pattern: /\// });
export const Percent = createToken({ name: "Percent", pattern: /%/ });

/** `#` to the end of the line; kept in a group so doc comments reach hovers. */
export const Comment = createToken({ name: "Comment", pattern: /#[^\r\n]*/, group: "comments" });
export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED });

/** The token types in lexing order: longer and more specific patterns first. */
export const ALL_TOKENS: TokenType[] = [
  WhiteSpace, Newline, Comment,
  Tuple, ByteSize, Suffixed, NumberLiteral,
  Model, Block, Input, Dtype, Batch, Budget, Repeat, Residual, Shortcut, Add, Concat, Branch,
  Scale, Aux, If, Else, Let, And, Or, Not, True, False, InChannels,
  Identifier, CallName,
  LBrace, RBrace, LParen, RParen, Comma, Colon, Semicolon,
  EqEq, NotEq, LessEq, GreaterEq, Less, Greater, Equals, Plus, Minus, Star, Slash, Percent,
];
