/**
 * The Chevrotain grammar of `.cnn` files, with error recovery, building the AST
 * as it reads.
 *
 * An `EmbeddedActionsParser`: no concrete syntax tree. Each rule invocation
 * fills a small frame (a statement's tokens, a body's statements, an
 * expression's items) and, when the rule ends, turns it into AST nodes and hands
 * them to the frame of the rule that called it. "Ends" includes error recovery:
 * a rule that fails part-way is finished with what it read, exactly as
 * Chevrotain attaches a partial node to its parent in a syntax tree. A
 * 10,000-line model parses two to three times faster this way than through a CST.
 *
 * The tokens come as columns (see `Tokens`): the parser reads them through
 * LA and LA_FAST, which Chevrotain lets a parser override for lazy lexing, and
 * makes each token object as it reaches it.
 *
 * One instance is built once and reused; `readFile` runs one parse. It hooks
 * into four of Chevrotain's internal methods (consumeInternal, invokeRuleCatch,
 * SAVE_ERROR, findReSyncTokenType), reads RULE_STACK_IDX and currIdx and sets
 * tokVectorLength, so package.json pins Chevrotain's exact version: an upgrade
 * is a change to check here.
 */
import { createTokenInstance, EmbeddedActionsParser, EOF, IOrAlt, IRecognitionException, IToken, tokenMatcher, TokenType } from "chevrotain";
import * as T from "./tokens";
import * as A from "./ast";
import { arrange, describeExpr, ExprItem } from "./precedence";
import { LAYER_NAMES } from "../layers/layer-table";
import { FirstTokenLookahead } from "./lookahead";
import type { Tokens } from "./lexer";

/** Binary operators, all read at one level; precedence is applied by `arrange`. */
const BINARY_OPS: TokenType[] = [T.Or, T.And, T.EqEq, T.NotEq, T.LessEq, T.GreaterEq, T.Less, T.Greater, T.Plus, T.Minus, T.Star, T.Slash, T.Percent];

type Alts = IOrAlt<unknown>[];

/** The syntax errors a parse reports before it gives up on the rest of the text (see SAVE_ERROR). */
export const MAX_SYNTAX_ERRORS = 100;
/** How far past an error the parser looks for a token to resume at (see findReSyncTokenType). */
export const MAX_RESYNC_DISTANCE = 10_000;

/** Thrown out of the parser when it gives up on the rest of the text; `reason` says why, in words. */
class GaveUp extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

const saveError = (EmbeddedActionsParser.prototype as unknown as { SAVE_ERROR(e: IRecognitionException): IRecognitionException }).SAVE_ERROR;
const invokeRuleCatch = (EmbeddedActionsParser.prototype as unknown as { invokeRuleCatch(e: unknown, resync: boolean, value: (e: unknown) => unknown): unknown }).invokeRuleCatch;
const consumeInternal = (EmbeddedActionsParser.prototype as unknown as { consumeInternal(t: TokenType, idx: number, o: unknown): IToken }).consumeInternal;

/** What a parse reports besides its result: Chevrotain's syntax errors, and why it stopped early if it did. */
export interface Read {
  errors: IRecognitionException[];
  /** Set when the parse gave up on the rest of the text (MAX_SYNTAX_ERRORS); what was read before stays. */
  gaveUp?: string;
}

/** What LA gives past the last token, as Chevrotain's own end-of-input token. */
const END_OF_INPUT = createTokenInstance(EOF, "", NaN, NaN, NaN, NaN, NaN, NaN);
/** Token objects made recently, by index modulo their number: LA asks for the same few tokens many times. */
const RECENT = 8;

/** A token the parser really read (error recovery inserts tokens with no position). */
const real = (t: IToken | undefined): t is IToken => t !== undefined && t.startOffset === t.startOffset;
const tokenSpan = (t: IToken): A.Span => ({ start: t.startOffset, end: t.endOffset! + 1 });
/** Where a node is when it holds no token at all. */
const NOWHERE = 0;
/**
 * "No token read yet", for offsets. Not NaN: a field or array that ever holds
 * NaN holds every number boxed, and the AST's offsets come from these.
 */
const UNREAD = -1;

// ---------------------------------------------------------------------------
// Frames: what one rule invocation has read so far.

/** A `{ }` body: its statements, and where its braces and last terminator are. */
class BodyFrame {
  stmts: A.Statement[] = [];
  /** Offset of the last `;` or newline read between statements (for "statements must be separated"). */
  lastTerm = -1;
  openEnd = UNREAD;
  closeEnd = UNREAD;
  start = NOWHERE;
  end = NOWHERE;
  constructor(readonly problems: A.SyntaxProblem[]) {}

  add(st: A.Statement): void {
    const prev = this.stmts[this.stmts.length - 1];
    if (prev && !(this.lastTerm >= prev.end && this.lastTerm < st.start)) {
      this.problems.push({ start: st.start, end: st.end, message: "expected a new line or ';' before this statement", code: "syntax-error" });
    }
    this.stmts.push(st);
  }
}

/**
 * What an expression is read into: its operands, prefix and binary operators in
 * a row (`arrange` applies precedence). A lone value, most arguments, is kept
 * as it is, without the list.
 */
class ItemsFrame {
  lone?: A.Expr;
  items?: ExprItem[];

  push(item: ExprItem): void {
    if (!this.items) {
      this.items = this.lone ? [{ atom: this.lone }] : [];
      this.lone = undefined;
    }
    this.items.push(item);
  }

  atom(e: A.Expr): void {
    if (!this.items && !this.lone) this.lone = e;
    else this.push({ atom: e });
  }

  /** The expression read; `start`/`end` place it when nothing was read. */
  expr(start: number, end: number): A.Expr {
    return this.items ? arrange(this.items, { start, end }) : (this.lone ?? { kind: "missing", start, end });
  }
}

/** An expression; `done` receives it when its rule ends. */
class ExprFrame extends ItemsFrame {
  constructor(readonly done: (e: A.Expr) => void) {
    super();
  }
}

/** One operand: prefix operators, then a literal, a name, a call or a parenthesised list. */
class OperandFrame {
  atom?: IToken;
  callOpen = false;
  parens = false;
  exprs?: A.Expr[];
}

class ArgumentFrame extends ItemsFrame {
  key?: IToken;
  operands = false;
}

/** A statement: the tokens that decide what it is, its expression, its arguments and bodies. */
class StatementFrame {
  kind?: A.Statement["kind"];
  label?: IToken;
  /** The layer or block name, `let` name or budget metric. */
  name?: IToken;
  args?: A.Argument[];
  /** Arguments written, with or without text (recovery makes empty ones). */
  written = 0;
  lastWrittenEmpty = false;
  // The other kinds' parts, rare in a long file: set only when read, so a layer's frame does without them.
  declare expr?: A.Expr;
  declare strict?: boolean;
  declare shortcut?: IToken;
  declare branchOpen?: IToken;
  declare branches?: { tok?: IToken; body: BodyFrame }[];
  declare bodies?: BodyFrame[];
  declare ifFrame?: IfFrame;
  /** Arguments read quietly, as the list `known` placed at `knownAt` (see readArguments). */
  known?: SharedList;
  knownAt = 0;
  /** The arguments were read, and the token after them ends a layer's arguments (see Tokens.endsArguments). */
  argumentsEndStatement = false;
  /** How many syntax errors and problems there were when the statement began. */
  errorsBefore = 0;
  problemsBefore = 0;
}

class IfFrame {
  cond?: A.Expr;
  body?: BodyFrame;
  elseBody?: BodyFrame;
  elseIf?: IfFrame;
  start = NOWHERE;
  end = NOWHERE;
}

class DeclFrame {
  name?: IToken;
  params: A.Parameter[] = [];
  body?: BodyFrame;
}

class ParameterFrame {
  name?: IToken;
  default?: A.Expr;
}

type Frame = ItemsFrame | BodyFrame | ExprFrame | OperandFrame | ArgumentFrame | StatementFrame | IfFrame | DeclFrame | ParameterFrame | A.CnnFile;

class CnnParser extends EmbeddedActionsParser {
  /** Per rule-stack depth: the frame of the rule running there, how it is finished, and its first token's offset. */
  private frames: (Frame | undefined)[] = [];
  private finishers: (((f: never, start: number, end: number, read: boolean) => void) | undefined)[] = [];
  private starts: number[] = [];
  /** The end of the last token read, for the span of the rule that ends. */
  private lastEnd = 0;
  /** Where syntax problems found while building go (set by `read`). */
  private problems: A.SyntaxProblem[] = [];
  /** The tokens being read, and the objects made for the last few. */
  private tokens?: Tokens;
  private readonly recentIdx = new Int32Array(RECENT);
  private readonly recent: IToken[] = new Array<IToken>(RECENT).fill(END_OF_INPUT);
  /** The text being read, and the argument lists read in it so far by what they say (see sharedArguments). */
  private text = "";
  /** Set while reading arguments written exactly like a list in `shared`: their tokens are checked, not built. */
  private quiet = false;
  private readonly shared = new Map<number, SharedList[]>();
  /** The index of the last token of the list knownArguments found. */
  private knownLast = -1;

  // Alternatives of each OR, built once: an array literal in a rule body would be
  // rebuilt, closures and all, on every call (Chevrotain's performance guide).
  private fileAlts?: Alts;
  private bodyAlts?: Alts;
  private statementAlts?: Alts;
  private budgetAlts?: Alts;
  private branchKindAlts?: Alts;
  private branchAlts?: Alts;
  private bodyKindAlts?: Alts;
  private elseAlts?: Alts;
  private opAlts?: Alts;
  private prefixAlts?: Alts;
  private atomAlts?: Alts;

  constructor() {
    super(T.ALL_TOKENS, { recoveryEnabled: true, maxLookahead: 3, skipValidations: true, lookaheadStrategy: new FirstTokenLookahead({ maxLookahead: 3 }) });
    this.performSelfAnalysis();
  }

  /** Reads a whole file, `text` lexed into `tokens`. See `Read` for what comes back besides the definitions. */
  readFile(text: string, tokens: Tokens, problems: A.SyntaxProblem[]): Read & { file: A.CnnFile } {
    const file: A.CnnFile = { models: [], blocks: [], statements: [] };
    this.text = text;
    try {
      return { file, ...this.read(tokens, problems, () => this.file(file)) };
    } finally {
      this.text = "";
      this.shared.clear();
    }
  }

  private read(tokens: Tokens, problems: A.SyntaxProblem[], rule: () => void): Read {
    // Chevrotain's input is an empty array (its bounds-free LA pads it with end tokens); LA reads `tokens`.
    this.input = [];
    (this as unknown as { tokVectorLength: number }).tokVectorLength = tokens.count;
    this.tokens = tokens;
    this.recentIdx.fill(-1);
    this.problems = problems;
    this.lastEnd = 0;
    let gaveUp: string | undefined;
    let errors: IRecognitionException[] = [];
    try {
      rule();
    } catch (e) {
      if (!(e instanceof GaveUp)) throw e;
      gaveUp = e.reason;
    } finally {
      errors = this.errors;
      this.frames.length = 0;
      this.finishers.length = 0;
      this.problems = [];
      // The parser keeps its input until the next parse: let go of these tokens now, whatever happened.
      this.input = [];
      this.tokens = undefined;
      this.recent.fill(END_OF_INPUT);
    }
    return { errors, gaveUp };
  }

  // --- Frame bookkeeping -------------------------------------------------------

  /**
   * Whether actions build: not while Chevrotain records the grammar, nor while the
   * parser reads arguments it already has (see readArguments).
   */
  private get building(): boolean {
    return !this.RECORDING_PHASE && !this.quiet;
  }

  /** A rule that builds nothing (its frame and finisher cleared: recovery finishes nothing here). */
  private enterQuietly(): undefined {
    const d = this.depth;
    this.frames[d] = undefined;
    this.finishers[d] = undefined;
    this.starts[d] = NOWHERE;
    return undefined;
  }

  private get errorCount(): number {
    return (this as unknown as { _errors: unknown[] })._errors.length;
  }

  private get depth(): number {
    return (this as unknown as { RULE_STACK_IDX: number }).RULE_STACK_IDX;
  }

  /** Registers the frame of the rule now starting and how it is finished. */
  private enter<F extends Frame>(frame: F, finish?: (f: F, start: number, end: number, read: boolean) => void): F {
    if (this.RECORDING_PHASE) return frame;
    const d = this.depth;
    this.frames[d] = frame;
    this.finishers[d] = finish as (f: never, start: number, end: number, read: boolean) => void;
    this.starts[d] = UNREAD;
    return frame;
  }

  /** The frame of the rule now running. */
  private current<F extends Frame>(): F {
    return this.frames[this.depth] as F;
  }

  /** The frame of the rule that called the one now running. */
  private caller<F extends Frame>(): F {
    return this.frames[this.depth - 1] as F;
  }

  /** Finishes the rule now running (normally, or in recovery) with its span and whether it read any token. */
  private finish(): void {
    if (this.RECORDING_PHASE) return;
    const d = this.depth;
    const finisher = this.finishers[d];
    if (!finisher) return;
    this.finishers[d] = undefined;
    const start = this.starts[d];
    // A rule that read no token (recovery made it up) has no position: NOWHERE, and `read` false.
    if (start === UNREAD) finisher(this.frames[d] as never, NOWHERE, NOWHERE, false);
    else finisher(this.frames[d] as never, start, this.lastEnd, true);
  }

  /** The token `k` places ahead (`k` ≥ 1) or the one just read (`k` = 0). */
  override LA(k: number): IToken {
    return this.tokenAt((this as unknown as { currIdx: number }).currIdx + k);
  }

  /** LA: `tokenAt` checks the bounds that Chevrotain's LA_FAST pads its input to skip. */
  override LA_FAST(k: number): IToken {
    return this.LA(k);
  }

  /** Token `i` of the input as an object, made on first request; END_OF_INPUT outside the input. */
  private tokenAt(i: number): IToken {
    const slot = i & (RECENT - 1);
    if (this.recentIdx[slot] === i) return this.recent[slot];
    const tokens = this.tokens;
    if (tokens === undefined || i < 0 || i >= tokens.count) return END_OF_INPUT;
    const t = tokens.at(i);
    this.recentIdx[slot] = i;
    this.recent[slot] = t;
    return t;
  }

  /** Every token read passes here: it starts the span of each rule on the stack that has none yet. */
  consumeInternal(type: TokenType, idx: number, options: unknown): IToken {
    const t = consumeInternal.call(this, type, idx, options);
    if (t.startOffset === t.startOffset && !this.RECORDING_PHASE) {
      this.lastEnd = t.endOffset! + 1;
      for (let d = this.depth; d >= 0 && this.starts[d] === UNREAD; d--) this.starts[d] = t.startOffset;
    }
    return t;
  }

  /**
   * A rule that fails part-way is finished with what it read, whether Chevrotain
   * resumes after it or passes the error on to the rule that called it. Giving up
   * (GaveUp) finishes nothing: the definitions completed before it stay.
   */
  invokeRuleCatch(e: unknown, resync: boolean, value: (e: unknown) => unknown): unknown {
    if (!(e instanceof GaveUp)) this.finish();
    const frame = this.frames[this.depth];
    return invokeRuleCatch.call(this, e, resync, () => frame);
  }

  /**
   * Chevrotain's hook for every syntax error; past MAX_SYNTAX_ERRORS it ends the
   * parse. Recovering from an error scans ahead for a token to resume at, and in
   * text that is mostly not `.cnn` (a binary file, a pasted script) those scans
   * add up to minutes for a megabyte and recurse deep enough to overflow the stack.
   */
  SAVE_ERROR(error: IRecognitionException): IRecognitionException {
    const self = this as unknown as { _errors: unknown[] };
    // With no rule on the stack the parse is over (input left after the last definition): nothing left to save.
    if (self._errors.length >= MAX_SYNTAX_ERRORS && this.depth >= 0) throw new GaveUp(`more than ${MAX_SYNTAX_ERRORS} syntax errors`);
    return saveError.call(this, error);
  }

  /**
   * Chevrotain's search for the next token that recovery can resume at (one the
   * rules on the stack may be followed by), as Chevrotain writes it, but at most
   * MAX_RESYNC_DISTANCE tokens ahead, and then the end of the text: its own
   * search runs on to the end for every error. Real text has a line break or a
   * brace well within reach.
   */
  findReSyncTokenType(): TokenType {
    const follows = (this as unknown as { flattenFollowSet(): TokenType[] }).flattenFollowSet();
    for (let k = 1; k <= MAX_RESYNC_DISTANCE; k++) {
      const next = this.LA(k);
      for (const type of follows) if (tokenMatcher(next, type)) return type;
    }
    return EOF;
  }

  /** A `{ }` body for the rule now running; `bracedBody` fills it. */
  private bracedBodyInto(body: BodyFrame, idx: 1 | 2 | 3): void {
    const options = { ARGS: [body] as [BodyFrame] };
    if (idx === 1) this.SUBRULE(this.bracedBody, options);
    else if (idx === 2) this.SUBRULE2(this.bracedBody, options);
    else this.SUBRULE3(this.bracedBody, options);
  }

  /** `;` or a newline between statements. */
  private terminator(type: TokenType): void {
    const t = this.CONSUME(type);
    if (!this.RECORDING_PHASE && real(t)) this.current<BodyFrame>().lastTerm = t.startOffset;
  }

  // --- The grammar --------------------------------------------------------------

  /** A file: `model` and `block` definitions separated by blank lines. */
  file = this.RULE("file", (out: A.CnnFile) => {
    this.enter(out ?? { models: [], blocks: [], statements: [] });
    this.MANY(this.definition);
  });

  private readonly definition = () => {
    this.OR(
      (this.fileAlts ??= [
        { ALT: () => this.SUBRULE(this.modelDecl) },
        { ALT: () => this.SUBRULE(this.blockDecl) },
        { ALT: () => this.CONSUME(T.Newline) },
        { ALT: () => this.CONSUME(T.Semicolon) },
      ]),
    );
  };

  modelDecl = this.RULE("modelDecl", () => {
    const f = this.enter(new DeclFrame(), (f, start, end) => {
      this.caller<A.CnnFile>().models.push({
        kind: "model",
        name: f.name?.image ?? "",
        nameSpan: f.name ? tokenSpan(f.name) : { start, end: start + 5 },
        body: f.body?.stmts ?? [],
        start,
        end,
      });
    });
    this.CONSUME(T.Model);
    this.name(f, this.CONSUME(T.Identifier));
    this.bracedBodyInto((f.body = new BodyFrame(this.problems)), 1);
    this.finish();
  });

  blockDecl = this.RULE("blockDecl", () => {
    const f = this.enter(new DeclFrame(), (f, start, end) => {
      const params = f.params;
      this.caller<A.CnnFile>().blocks.push({
        kind: "block",
        name: f.name?.image ?? "",
        nameSpan: f.name ? tokenSpan(f.name) : { start, end: start + 5 },
        params,
        signature: "(" + params.map((p) => p.name + (p.default ? "=" + describeExpr(p.default) : "")).join(", ") + ")",
        body: f.body?.stmts ?? [],
        start,
        end,
      });
    });
    this.CONSUME(T.Block);
    this.name(f, this.CONSUME(T.Identifier));
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.parameter) });
    this.CONSUME(T.RParen);
    this.bracedBodyInto((f.body = new BodyFrame(this.problems)), 1);
    this.finish();
  });

  /** Records a name token (a declaration's, a statement's) when it is really there. */
  private name(f: DeclFrame | ParameterFrame | StatementFrame, t: IToken): void {
    if (real(t)) f.name = t;
  }

  parameter = this.RULE("parameter", () => {
    const f = this.enter(new ParameterFrame(), (f, start, end) => {
      if (f.name) this.caller<DeclFrame>().params.push({ name: f.name.image, default: f.default, start, end });
    });
    this.name(f, this.CONSUME(T.Identifier));
    this.OPTION(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.expression, { ARGS: [(e: A.Expr) => (f.default = e)] });
    });
    this.finish();
  });

  /** `{ statements }` */
  bracedBody = this.RULE("bracedBody", (body: BodyFrame) => {
    const f = this.enter(body ?? new BodyFrame([]), (f, start, end) => {
      f.start = start;
      f.end = end;
    });
    const open = this.CONSUME(T.LBrace);
    if (real(open)) f.openEnd = open.endOffset! + 1;
    this.MANY(this.bodyItem);
    const close = this.CONSUME(T.RBrace);
    if (real(close)) f.closeEnd = close.endOffset! + 1;
    this.finish();
  });

  /** A statement or a terminator in a body. */
  private readonly bodyItem = () => {
    this.OR(
      (this.bodyAlts ??= [
        { ALT: () => this.terminator(T.Newline) },
        { ALT: () => this.terminator(T.Semicolon) },
        { ALT: () => this.SUBRULE(this.statement) },
      ]),
    );
  };

  private endStatement = (f: StatementFrame, start: number, end: number): void => {
    const st = this.buildStatement(f, start, end);
    if (st) this.caller<BodyFrame>().add(st);
  };

  statement = this.RULE("statement", () => {
    const f = this.enter(new StatementFrame(), this.endStatement);
    f.errorsBefore = this.errorCount;
    f.problemsBefore = this.problems.length;
    this.OPTION(this.label);
    this.OR(
      // A block call before a layer: its CallName is an Identifier too, and the first alternative that fits is taken.
      (this.statementAlts ??= [
        { ALT: () => this.SUBRULE(this.callStmt) },
        { ALT: () => this.SUBRULE(this.layerStmt) },
        { ALT: () => this.SUBRULE(this.inputStmt) },
        { ALT: () => this.SUBRULE(this.dtypeStmt) },
        { ALT: () => this.SUBRULE(this.batchStmt) },
        { ALT: () => this.SUBRULE(this.budgetStmt) },
        { ALT: () => this.SUBRULE(this.letStmt) },
        { ALT: () => this.SUBRULE(this.repeatStmt) },
        { ALT: () => this.SUBRULE(this.residualStmt) },
        { ALT: () => this.SUBRULE(this.branchesStmt) },
        { ALT: () => this.SUBRULE(this.bodyStmt) },
        { ALT: () => this.SUBRULE(this.ifStmt) },
      ]),
    );
    this.finish();
  });

  /** `name:` before a statement. */
  private readonly label = () => {
    const label = this.CONSUME(T.Identifier);
    if (real(label)) this.statementFrame().label = label;
    this.CONSUME(T.Colon);
  };

  /**
   * The rules of the statement kinds share their statement's frame: they say
   * which kind it is and read into it.
   */
  private kind(kind: A.Statement["kind"]): StatementFrame {
    const f = this.RECORDING_PHASE ? new StatementFrame() : this.caller<StatementFrame>();
    this.enter(f);
    f.kind = kind;
    return f;
  }

  /** The frame of the statement being read, from a cached alternative (a throwaway while Chevrotain records the grammar). */
  private statementFrame(): StatementFrame {
    return this.RECORDING_PHASE ? new StatementFrame() : this.current<StatementFrame>();
  }

  /** The statement's one expression (`input`, `dtype`, `batch`, `budget`, `let`, `repeat`). */
  private statementExpr(f: StatementFrame): void {
    this.SUBRULE(this.expression, { ARGS: [(e: A.Expr) => (f.expr = e)] });
  }

  inputStmt = this.RULE("inputStmt", () => {
    const f = this.kind("input");
    this.CONSUME(T.Input);
    this.statementExpr(f);
  });

  dtypeStmt = this.RULE("dtypeStmt", () => {
    const f = this.kind("dtype");
    this.CONSUME(T.Dtype);
    this.statementExpr(f);
  });

  batchStmt = this.RULE("batchStmt", () => {
    const f = this.kind("batch");
    this.CONSUME(T.Batch);
    this.statementExpr(f);
  });

  budgetStmt = this.RULE("budgetStmt", () => {
    const f = this.kind("budget");
    this.CONSUME(T.Budget);
    this.name(f, this.CONSUME(T.Identifier));
    this.OR((this.budgetAlts ??= [{ ALT: () => this.CONSUME(T.LessEq) }, { ALT: () => this.strictLess() }]));
    this.statementExpr(f);
  });

  private strictLess(): void {
    if (real(this.CONSUME(T.Less))) this.statementFrame().strict = true;
  }

  letStmt = this.RULE("letStmt", () => {
    const f = this.kind("let");
    this.CONSUME(T.Let);
    this.name(f, this.CONSUME(T.Identifier));
    this.CONSUME(T.Equals);
    this.statementExpr(f);
  });

  repeatStmt = this.RULE("repeatStmt", () => {
    const f = this.kind("repeat");
    this.CONSUME(T.Repeat);
    this.statementExpr(f);
    this.bracedBodyInto(this.newBody(f), 1);
  });

  /** A body of the statement `f`, in the order they are written. */
  private newBody(f: StatementFrame): BodyFrame {
    const b = new BodyFrame(this.problems);
    (f.bodies ??= []).push(b);
    return b;
  }

  residualStmt = this.RULE("residualStmt", () => {
    const f = this.kind("residual");
    this.CONSUME(T.Residual);
    this.bracedBodyInto(this.newBody(f), 1);
    this.OPTION(() => {
      const t = this.CONSUME(T.Shortcut);
      if (real(t)) f.shortcut = t;
      this.bracedBodyInto(this.newBody(f), 2);
    });
  });

  branchesStmt = this.RULE("branchesStmt", () => {
    const f = this.kind("add");
    f.branches = [];
    this.OR((this.branchKindAlts ??= [{ ALT: () => this.CONSUME(T.Add) }, { ALT: () => this.branchKind(this.CONSUME(T.Concat)) }]));
    const open = this.CONSUME(T.LBrace);
    if (real(open)) f.branchOpen = open;
    this.MANY(() => {
      this.OR2(
        (this.branchAlts ??= [
          { ALT: () => this.CONSUME(T.Newline) },
          { ALT: () => this.CONSUME(T.Semicolon) },
          {
            ALT: () => {
              const t = this.CONSUME(T.Branch);
              const body = new BodyFrame(this.problems);
              this.statementFrame().branches?.push({ tok: real(t) ? t : undefined, body });
              this.bracedBodyInto(body, 1);
            },
          },
        ]),
      );
    });
    this.CONSUME(T.RBrace);
  });

  private branchKind(t: IToken): void {
    if (real(t)) this.statementFrame().kind = "concat";
  }

  bodyStmt = this.RULE("bodyStmt", () => {
    const f = this.kind("scale");
    this.OR(
      (this.bodyKindAlts ??= [
        { ALT: () => this.CONSUME(T.Scale) },
        {
          ALT: () => {
            if (real(this.CONSUME(T.Aux))) this.statementFrame().kind = "aux";
          },
        },
      ]),
    );
    this.bracedBodyInto(this.newBody(f), 1);
  });

  ifStmt = this.RULE("ifStmt", () => {
    const f = this.enter(new IfFrame(), (f, start, end) => {
      f.start = start;
      f.end = end;
      const outer = this.caller<StatementFrame | IfFrame>();
      if (outer instanceof IfFrame) outer.elseIf = f;
      else outer.ifFrame = f;
    });
    const outer = this.RECORDING_PHASE ? undefined : this.caller<StatementFrame | IfFrame>();
    if (outer instanceof StatementFrame) outer.kind = "if";
    this.CONSUME(T.If);
    this.SUBRULE(this.expression, { ARGS: [(e: A.Expr) => (f.cond = e)] });
    this.bracedBodyInto((f.body = new BodyFrame(this.problems)), 1);
    this.OPTION(() => {
      this.CONSUME(T.Else);
      this.OR(
        (this.elseAlts ??= [
          { ALT: () => this.SUBRULE2(this.ifStmt) },
          {
            ALT: () => {
              const g = this.RECORDING_PHASE ? new IfFrame() : this.current<IfFrame>();
              this.bracedBodyInto((g.elseBody = new BodyFrame(this.problems)), 2);
            },
          },
        ]),
      );
    });
    this.finish();
  });

  callStmt = this.RULE("callStmt", () => {
    const f = this.kind("call");
    this.name(f, this.CONSUME(T.CallName));
    this.CONSUME(T.LParen);
    this.MANY_SEP(this.argumentList);
    this.CONSUME(T.RParen);
  });

  /**
   * A layer's arguments. When the rest of the line is an argument list already
   * read in this file without error (see sharedArguments), the statement takes
   * that list instead of building its own:
   *
   * - When that list was itself read after a layer's name and before the end of
   *   a statement, the parser steps over its tokens. The same tokens in the same
   *   place read the same way: the grammar's choices inside a list look at its
   *   own tokens and at most the one after it, which ends the list in both.
   * - Otherwise (a block call's list), its tokens are read quietly: checked by
   *   the grammar as always, but not built. Should that reading meet an error,
   *   or stop elsewhere, the arguments are read again from where they started,
   *   and built.
   */
  private readArguments(f: StatementFrame): void {
    const known = this.RECORDING_PHASE ? undefined : this.knownArguments();
    const self = this as unknown as { currIdx: number; _errors: unknown[] };
    if (!known) {
      this.MANY_SEP(this.argumentList);
      if (!this.RECORDING_PHASE) f.argumentsEndStatement = this.tokens!.endsArguments(self.currIdx + 1);
      return;
    }
    const from = self.currIdx;
    const last = this.knownLast;
    if (known.stepOver) {
      self.currIdx = last;
      this.lastEnd = this.tokens!.end(last);
    } else if (!this.readQuietly(last)) {
      this.MANY_SEP(this.argumentList);
      return;
    }
    f.known = known;
    f.knownAt = this.tokens!.starts[from + 1];
  }

  /**
   * Reads arguments without building them; whether they read without error and ended at token `last`. When they
   * did not, the parser is put back where it was, errors and all.
   */
  private readQuietly(last: number): boolean {
    const self = this as unknown as { currIdx: number; _errors: unknown[] };
    const from = self.currIdx;
    const errors = self._errors.length;
    let read = false;
    this.quiet = true;
    try {
      this.MANY_SEP(this.argumentList);
      read = self.currIdx === last && self._errors.length === errors;
    } catch (e) {
      if (e instanceof GaveUp) throw e;
    } finally {
      this.quiet = false;
    }
    if (!read) {
      self.currIdx = from;
      self._errors.length = errors;
    }
    return read;
  }

  /**
   * The shared list the tokens after the current one spell, up to the end of the line (the index of its last token
   * goes to knownLast); undefined when there is none, or when the line holds brackets (which `sharedArguments` may
   * not have seen).
   */
  private knownArguments(): SharedList | undefined {
    if (this.shared.size === 0) return undefined;
    const tokens = this.tokens!;
    const first = (this as unknown as { currIdx: number }).currIdx + 1;
    let i = first;
    for (; !tokens.endsArguments(i); i++) if (tokens.isParen(i)) return undefined;
    if (i === first) return undefined;
    this.knownLast = i - 1;
    return this.sharedAt(tokens.starts[first], tokens.end(i - 1));
  }

  /** The shared list read from text that says what `text` says from `from` to `to`. */
  private sharedAt(from: number, to: number): SharedList | undefined {
    const bucket = this.shared.get(textHash(this.text, from, to));
    if (bucket) for (const e of bucket) if (e.text.length === to - from && this.text.startsWith(e.text, from)) return e;
    return undefined;
  }

  /** Arguments separated by commas, of a layer or a block call. */
  private readonly argumentList = { SEP: T.Comma, DEF: () => this.SUBRULE(this.argument) };

  layerStmt = this.RULE("layerStmt", () => {
    const f = this.kind("layer");
    this.name(f, this.CONSUME(T.Identifier));
    this.readArguments(f);
    this.OPTION(this.layerBody);
  });

  /**
   * A layer takes no body, but a misspelt `repaet 2 { ... }` has one: reading it keeps the braces balanced.
   * Its statements are not analysed, so what is wrong inside it beyond syntax errors is not reported.
   */
  private readonly layerBody = () => {
    const problems = this.problems;
    this.problems = [];
    try {
      this.bracedBodyInto(this.newBody(this.statementFrame()), 1);
    } finally {
      this.problems = problems;
    }
  };

  private endArgument = (f: ArgumentFrame, start: number, end: number, read: boolean): void => {
    const statement = this.caller<StatementFrame>();
    statement.written++;
    // An argument the parser recovered from nothing (`conv 16, 3x3,` at a line end) has no text; its syntax error is already reported.
    statement.lastWrittenEmpty = !read;
    if (!read) return;
    (statement.args ??= []).push({
      name: f.key && word(f.key.image),
      nameSpan: f.key ? tokenSpan(f.key) : undefined,
      value: f.operands ? f.expr(start, end) : { kind: "missing", start, end },
      start,
      end,
    });
  };

  /** `key=` and an expression, read inline (operands and operators) to spare a rule call per argument. */
  argument = this.RULE("argument", () => {
    const f = this.quiet ? this.enterQuietly() : this.enter(new ArgumentFrame(), this.endArgument);
    this.OPTION(this.argumentKey);
    if (f) f.operands = true;
    this.SUBRULE(this.operand);
    this.MANY(this.moreOperands);
    this.finish();
  });

  /** `key=` before an argument's value. */
  private readonly argumentKey = () => {
    const key = this.CONSUME(T.Identifier);
    if (real(key) && this.building) this.current<ArgumentFrame>().key = key;
    this.CONSUME(T.Equals);
  };

  /** A binary operator and the operand after it, in an argument or an expression. */
  private readonly moreOperands = () => {
    this.OR((this.opAlts ??= BINARY_OPS.map((t) => ({ ALT: () => this.binaryOp(this.CONSUME(t)) }))));
    this.SUBRULE2(this.operand);
  };

  private binaryOp(t: IToken): void {
    if (this.building) this.current<ItemsFrame>().push({ op: (real(t) ? t.image : "+") as A.BinaryOp });
  }

  /**
   * An expression is read flat — operands separated by binary operators — and
   * `arrange` applies precedence. `done` receives it when the rule ends.
   */
  expression = this.RULE("expression", (done: (e: A.Expr) => void) => {
    if (this.quiet) this.enterQuietly();
    else this.enter(new ExprFrame(done), this.endExpression);
    this.SUBRULE(this.operand);
    this.MANY(this.moreOperands);
    this.finish();
  });

  private endExpression = (f: ExprFrame, start: number, end: number): void => {
    f.done(f.expr(start, end));
  };

  /** Prefix operators (`-`, `not`) and one atom. */
  operand = this.RULE("operand", () => {
    if (this.quiet) this.enterQuietly();
    else this.enter(new OperandFrame(), this.endOperand);
    this.MANY(this.prefixOp);
    this.OR2(
      (this.atomAlts ??= [
        { ALT: () => this.atom(this.CONSUME(T.NumberLiteral)) },
        { ALT: () => this.atom(this.CONSUME(T.Suffixed)) },
        { ALT: () => this.atom(this.CONSUME(T.ByteSize)) },
        { ALT: () => this.atom(this.CONSUME(T.Tuple)) },
        { ALT: () => this.atom(this.CONSUME(T.True)) },
        { ALT: () => this.atom(this.CONSUME(T.False)) },
        { ALT: () => this.atom(this.CONSUME(T.InChannels)) },
        {
          ALT: () => {
            this.atom(this.CONSUME(T.Identifier));
            this.OPTION(this.callArguments);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.LParen);
            const g = this.building ? this.current<OperandFrame>() : new OperandFrame();
            g.parens = true;
            const items: A.Expr[] = (g.exprs = []);
            this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE2(this.expression, { ARGS: [(e: A.Expr) => items.push(e)] }) });
            this.CONSUME(T.RParen);
          },
        },
      ]),
    );
    this.finish();
  });

  private readonly prefixOp = () => {
    this.OR((this.prefixAlts ??= [{ ALT: () => this.prefix(this.CONSUME(T.Minus)) }, { ALT: () => this.prefix(this.CONSUME(T.Not)) }]));
  };

  /** `(values)` after a name: a function call such as `max(a, b)`. */
  private readonly callArguments = () => {
    this.CONSUME2(T.LParen);
    const g = this.building ? this.current<OperandFrame>() : new OperandFrame();
    g.callOpen = true;
    const args: A.Expr[] = (g.exprs = []);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression, { ARGS: [(e: A.Expr) => args.push(e)] }) });
    this.CONSUME2(T.RParen);
  };

  private endOperand = (f: OperandFrame, start: number, end: number): void => {
    this.caller<ItemsFrame>().atom(primary(f, start, end));
  };

  private prefix(t: IToken): void {
    if (this.building && real(t)) this.caller<ItemsFrame>().push({ prefix: t.image as "-" | "not", at: t.startOffset });
  }

  private atom(t: IToken): void {
    if (this.building && real(t)) this.current<OperandFrame>().atom = t;
  }

  // --- Statements from their frames ------------------------------------------------

  private buildStatement(f: StatementFrame, start: number, end: number): A.Statement | undefined {
    const label = f.label ? { name: f.label.image, start: f.label.startOffset, end: f.label.endOffset! + 1 } : undefined;
    switch (f.kind) {
      case undefined:
        return undefined;
      case "layer":
      case "call":
        return this.layerOrCall(f, label, start, end);
      case "input":
        return { kind: "input", shape: f.expr, label, start, end, headerEnd: end };
      case "dtype":
        return { kind: "dtype", value: f.expr, label, start, end, headerEnd: end };
      case "batch":
        return { kind: "batch", value: f.expr, label, start, end, headerEnd: end };
      case "budget":
        return { kind: "budget", metric: f.name?.image, metricSpan: f.name ? tokenSpan(f.name) : undefined, strict: f.strict === true, limit: f.expr, label, start, end, headerEnd: end };
      case "let":
        return { kind: "let", name: f.name?.image, nameSpan: f.name ? tokenSpan(f.name) : undefined, value: f.expr, label, start, end, headerEnd: end };
      case "repeat":
        return { kind: "repeat", count: f.expr, body: f.bodies?.[0]?.stmts ?? [], label, start, end, headerEnd: openEnd(f.bodies?.[0], end) };
      case "residual": {
        const [main, shortcut] = f.bodies ?? [];
        return {
          kind: "residual",
          main: main?.stmts ?? [],
          shortcut: shortcut || f.shortcut ? (shortcut?.stmts ?? []) : undefined,
          shortcutSpan: f.shortcut ? tokenSpan(f.shortcut) : undefined,
          mainEnd: main && main.closeEnd !== UNREAD ? main.closeEnd : end,
          label,
          start,
          end,
          headerEnd: openEnd(main, end),
        };
      }
      case "add":
      case "concat": {
        const branches = (f.branches ?? []).map(({ tok, body }) => {
          const bStart = tok?.startOffset ?? body.start;
          // A body made up by error recovery has no position: the span then ends after `branch`.
          const bEnd = Math.max(body.end, tok ? tok.endOffset! + 1 : bStart);
          return { span: { start: bStart, end: bEnd }, body: body.stmts };
        });
        return { kind: f.kind, branches, label, start, end, headerEnd: f.branchOpen ? f.branchOpen.endOffset! + 1 : end };
      }
      case "scale":
      case "aux":
        return { kind: f.kind, body: f.bodies?.[0]?.stmts ?? [], label, start, end, headerEnd: openEnd(f.bodies?.[0], end) };
      case "if": {
        const top = f.ifFrame;
        return { kind: "if", clauses: ifClauses(top), label, start, end, headerEnd: openEnd(top?.body, end) };
      }
    }
  }

  /**
   * The list of arguments written exactly as `args` earlier in the file, or `args` themselves, and where that list
   * starts: statements written alike share one (see WithArguments in the AST). Only arguments read without any
   * syntax error are shared, and only on one line: line breaks inside brackets read differently in other places.
   */
  private sharedArguments(args: A.Argument[], stepOver: boolean): { list: readonly A.Argument[]; at: number } {
    if (args.length === 0) return { list: NO_ARGUMENTS, at: 0 };
    const at = args[0].start;
    const end = args[args.length - 1].end;
    const known = this.sharedAt(at, end);
    if (known) {
      if (stepOver) known.stepOver = true;
      return known;
    }
    // A copy of exactly the right size: an array grown by `push` keeps room for 17.
    const list = { text: this.text.slice(at, end), list: args.slice(), at, stepOver };
    if (list.text.includes("\n")) return list;
    const hash = textHash(this.text, at, end);
    const bucket = this.shared.get(hash);
    if (bucket) bucket.push(list);
    else this.shared.set(hash, [list]);
    return list;
  }

  private layerOrCall(f: StatementFrame, label: A.Label | undefined, start: number, end: number): A.LayerStatement | A.CallStatement | undefined {
    const name = f.name;
    if (!name) return undefined;
    const args = f.args ?? NO_ARGUMENTS;
    // A dangling comma or a `key=` without a value leaves the layer half-typed (`conv 8,, 3` is still whole).
    const incomplete = !f.known && ((f.written > 0 && f.lastWrittenEmpty) || args.some((a) => a.value.kind === "missing"));
    const whole = !incomplete && this.problems.length === f.problemsBefore && this.errorCount === f.errorsBefore;
    const stepOver = f.kind === "layer" && f.argumentsEndStatement;
    const { list, at } = f.known ?? (whole ? this.sharedArguments(args, stepOver) : { list: args.slice(), at: args[0]?.start ?? 0 });
    const shift = (f.known ? f.knownAt : (args[0]?.start ?? 0)) - at;
    if (f.kind === "call") return new CallNode(word(name.image), name.startOffset, list, shift, label, start, end);
    const st = new LayerNode(word(name.image), name.startOffset, list, shift, label, start, end);
    if (incomplete) st.incomplete = true;
    // The lexer marks a name that is no layer kind, followed by `(`, as a call; read as a layer, it was one that failed.
    if (name.tokenType === T.CallName) st.brokenCall = true;
    const body = f.bodies?.[0];
    if (body) {
      st.bodySpan = { start: body.start, end: body.end };
      // An unknown name with a body is reported by the evaluator, with keywords as suggestions.
      if (LAYER_NAMES.has(name.image)) {
        this.problems.push({ ...st.bodySpan, message: `a layer takes no '{ }' body: '${name.image}' is a layer kind`, code: "syntax-error" });
      }
    }
    return st;
  }
}

/** A layer or block call (see WithArguments in the AST). */
abstract class ArgumentsNode {
  start: number;
  end: number;
  // Set only on a labelled statement: most start with their name, where `nameAt` would be `start`.
  declare label?: A.Label;
  private declare nameAt?: number;

  constructor(
    readonly name: string,
    nameStart: number,
    readonly written: readonly A.Argument[],
    /** How far on from `written` this statement's arguments are. */
    private readonly shift: number,
    label: A.Label | undefined,
    start: number,
    end: number,
  ) {
    this.start = start;
    this.end = end;
    if (label) this.label = label;
    if (nameStart !== start) this.nameAt = nameStart;
  }

  get headerEnd(): number {
    return this.end;
  }

  get nameSpan(): A.Span {
    const at = this.nameAt ?? this.start;
    return { start: at, end: at + this.name.length };
  }

  get args(): readonly A.Argument[] {
    return this.shift === 0 ? this.written : A.shiftArguments(this.written, this.shift);
  }

  abstract readonly kind: "layer" | "call";

  /** The statement as plain data, its arguments at their place (for JSON). */
  toJSON(): object {
    const { kind, name, nameSpan, args, label, start, end, headerEnd } = this;
    return { kind, name, nameSpan, args, label, start, end, headerEnd, ...this.extra() };
  }

  protected extra(): object {
    return {};
  }
}

class LayerNode extends ArgumentsNode implements A.LayerStatement {
  readonly kind = "layer";
  // Rare: set only when there, so most statements do without the two fields.
  declare incomplete?: boolean;
  declare bodySpan?: A.Span;
  declare brokenCall?: boolean;

  protected override extra(): object {
    return { incomplete: this.incomplete, bodySpan: this.bodySpan, brokenCall: this.brokenCall };
  }
}

class CallNode extends ArgumentsNode implements A.CallStatement {
  readonly kind = "call";
}

/**
 * The same string for every occurrence of a word: layer names, argument names
 * and number literals repeat thousands of times in a long model, and each
 * token's text is otherwise a string of its own that the AST keeps alive.
 */
const words = new Map<string, string>();
function word(s: string): string {
  const known = words.get(s);
  if (known !== undefined) return known;
  if (words.size >= 100_000) words.clear();
  words.set(s, s);
  return s;
}

/** An argument list read without error, the text it was read from, and where that starts (see sharedArguments). */
interface SharedList {
  text: string;
  list: readonly A.Argument[];
  at: number;
  /** Read after a layer's name, with the end of its statement next: the parser may step over the same tokens there. */
  stepOver: boolean;
}


/** A hash of `text` from `from` to `to`, without making the substring. */
function textHash(text: string, from: number, to: number): number {
  let h = 0;
  for (let i = from; i < to; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}

/** The arguments of a layer written without any (`relu`), shared. */
const NO_ARGUMENTS: A.Argument[] = [];

/** The offset just past the `{` of a body, or a fallback. */
function openEnd(b: BodyFrame | undefined, fallback: number): number {
  return b && b.openEnd !== UNREAD ? b.openEnd : fallback;
}

function ifClauses(top: IfFrame | undefined): A.IfStatement["clauses"] {
  const clauses: A.IfStatement["clauses"] = [];
  // `else if` chains nest; walk them iteratively.
  for (let cur = top; cur; cur = cur.elseIf) {
    const span = { start: cur.start, end: cur.end };
    clauses.push({ cond: cur.cond ?? { kind: "missing", ...span }, body: cur.body?.stmts ?? [], span });
    if (cur.elseBody) clauses.push({ body: cur.elseBody.stmts, span: { start: cur.elseBody.start, end: cur.elseBody.end } });
  }
  return clauses;
}

/** The value an operand's atom stands for; `span` is the operand's, prefix operators included. */
function primary(f: OperandFrame, start: number, end: number): A.Expr {
  const t = f.atom;
  if (t) {
    switch (t.tokenType) {
      case T.NumberLiteral:
      case T.Suffixed:
      case T.ByteSize:
        return { kind: "number", text: word(t.image), bytes: t.tokenType === T.ByteSize, start: t.startOffset, end: t.endOffset! + 1 };
      case T.Tuple: {
        // Split `3x224x224` into its numbers, each with its own span.
        let off = t.startOffset;
        const items = t.image.split("x").map((part): A.Expr => {
          const start = off;
          off += part.length + 1;
          return { kind: "number", text: word(part), bytes: false, start, end: start + part.length };
        });
        return { kind: "tuple", items, start: t.startOffset, end: t.endOffset! + 1 };
      }
      case T.True:
        return { kind: "bool", value: true, start, end };
      case T.False:
        return { kind: "bool", value: false, start, end };
      case T.InChannels:
        return { kind: "inChannels", start, end };
      case T.Identifier:
      case T.CallName:
        if (f.callOpen) return { kind: "call", name: t.image, nameSpan: tokenSpan(t), args: f.exprs ?? [], start, end };
        return { kind: "name", name: word(t.image), start: t.startOffset, end: t.endOffset! + 1 };
    }
  }
  const items = f.exprs ?? [];
  if (items.length === 1) return { ...items[0], start, end };
  if (items.length > 1) return { kind: "tuple", items, start, end };
  return { kind: "missing", start, end };
}

/** The one parser instance. */
export const parser = new CnnParser();

