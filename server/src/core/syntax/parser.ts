/**
 * The Chevrotain grammar of `.cnn` files: a `CstParser` with error recovery.
 *
 * One instance is built once and reused. Rules are class fields; children are
 * labelled where a rule consumes the same token type in two roles.
 */
import { CstNode, CstParser, EOF, IOrAlt, IRecognitionException, IToken, tokenMatcher, TokenType } from "chevrotain";
import * as T from "./tokens";
import { LAYER_NAMES } from "../layers/layer-table";

/** Binary operators, all read at one level; precedence is applied when the AST is built. */
const BINARY_OPS: TokenType[] = [T.Or, T.And, T.EqEq, T.NotEq, T.LessEq, T.GreaterEq, T.Less, T.Greater, T.Plus, T.Minus, T.Star, T.Slash, T.Percent];

type Alts = IOrAlt<unknown>[];

/** The syntax errors a parse reports before it gives up on the rest of the text (see SAVE_ERROR). */
export const MAX_SYNTAX_ERRORS = 100;
/** How far past an error the parser looks for a token to resume at (see findReSyncTokenType). */
export const MAX_RESYNC_DISTANCE = 10_000;

/** Thrown out of the parser when it gives up on the rest of the text; `reason` says why, in words. */
export class GaveUp extends Error {
  constructor(
    readonly reason: string,
    /** The syntax tree's root as far as the parse got: the definitions completed before it gave up. */
    readonly partial: CstNode | undefined,
  ) {
    super(reason);
  }
}

const saveError = (CstParser.prototype as unknown as { SAVE_ERROR(e: IRecognitionException): IRecognitionException }).SAVE_ERROR;

class CnnParser extends CstParser {
  // Alternatives of each OR, built once: an array literal in a rule body would be
  // rebuilt, closures and all, on every call (Chevrotain's performance guide).
  private fileAlts?: Alts;
  private bodyAlts?: Alts;
  private piecesAlts?: Alts;
  private statementAlts?: Alts;
  private budgetAlts?: Alts;
  private branchKindAlts?: Alts;
  private branchAlts?: Alts;
  private bodyKindAlts?: Alts;
  private elseAlts?: Alts;
  private argOpAlts?: Alts;
  private exprOpAlts?: Alts;
  private prefixAlts?: Alts;
  private atomAlts?: Alts;

  constructor() {
    super(T.ALL_TOKENS, { recoveryEnabled: true, nodeLocationTracking: "onlyOffset", maxLookahead: 3, skipValidations: true });
    this.performSelfAnalysis();
  }

  /**
   * Chevrotain's hook for every syntax error; past MAX_SYNTAX_ERRORS it ends the
   * parse. Recovering from an error scans ahead for a token to resume at, and in
   * text that is mostly not `.cnn` (a binary file, a pasted script) those scans
   * add up to minutes for a megabyte and recurse deep enough to overflow the stack.
   */
  SAVE_ERROR(error: IRecognitionException): IRecognitionException {
    const self = this as unknown as { _errors: unknown[]; CST_STACK: CstNode[] };
    // With no rule on the stack the parse is over (input left after the last definition): nothing left to save.
    if (self._errors.length >= MAX_SYNTAX_ERRORS && self.CST_STACK.length > 0) throw new GaveUp(`more than ${MAX_SYNTAX_ERRORS} syntax errors`, self.CST_STACK[0]);
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

  /** A file: `model` and `block` definitions separated by blank lines. */
  file = this.RULE("file", () => {
    this.MANY(() => {
      this.OR(
        this.fileAlts ??= [
          { ALT: () => this.SUBRULE(this.modelDecl) },
          { ALT: () => this.SUBRULE(this.blockDecl) },
          { ALT: () => this.CONSUME(T.Newline, { LABEL: "terminators" }) },
          { ALT: () => this.CONSUME(T.Semicolon, { LABEL: "terminators" }) },
        ],
      );
    });
  });

  modelDecl = this.RULE("modelDecl", () => {
    this.CONSUME(T.Model);
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.SUBRULE(this.bracedBody);
  });

  blockDecl = this.RULE("blockDecl", () => {
    this.CONSUME(T.Block);
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.parameter) });
    this.CONSUME(T.RParen);
    this.SUBRULE(this.bracedBody);
  });

  parameter = this.RULE("parameter", () => {
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.OPTION(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.expression, { LABEL: "default" });
    });
  });

  /** `{ statements }` */
  bracedBody = this.RULE("bracedBody", () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.OR(
        this.bodyAlts ??= [
          { ALT: () => this.CONSUME(T.Newline, { LABEL: "terminators" }) },
          { ALT: () => this.CONSUME(T.Semicolon, { LABEL: "terminators" }) },
          { ALT: () => this.SUBRULE(this.statement) },
        ],
      );
    });
    this.CONSUME(T.RBrace);
  });

  /**
   * The statements of a body without its braces: the entry point for a long
   * body read in pieces (see parse.ts), so no piece's syntax tree grows large.
   */
  statements = this.RULE("statements", () => {
    this.MANY(() => {
      this.OR(
        (this.piecesAlts ??= [
          { ALT: () => this.CONSUME(T.Newline, { LABEL: "terminators" }) },
          { ALT: () => this.CONSUME(T.Semicolon, { LABEL: "terminators" }) },
          { ALT: () => this.SUBRULE(this.statement) },
        ]),
      );
    });
  });

  statement = this.RULE("statement", () => {
    this.OPTION({
      GATE: () => this.LA(2).tokenType === T.Colon,
      DEF: () => {
        this.CONSUME(T.Identifier, { LABEL: "label" });
        this.CONSUME(T.Colon);
      },
    });
    this.OR(
      (this.statementAlts ??= [
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
      {
        // `name(` is a block call unless `name` is a layer kind (`dense (n * 2)` is a layer).
        GATE: () => this.LA(2).tokenType === T.LParen && !LAYER_NAMES.has(this.LA(1).image),
        ALT: () => this.SUBRULE(this.callStmt),
      },
      { ALT: () => this.SUBRULE(this.layerStmt) },
    ]),
    );
  });

  inputStmt = this.RULE("inputStmt", () => {
    this.CONSUME(T.Input);
    this.SUBRULE(this.expression);
  });

  dtypeStmt = this.RULE("dtypeStmt", () => {
    this.CONSUME(T.Dtype);
    this.SUBRULE(this.expression);
  });

  batchStmt = this.RULE("batchStmt", () => {
    this.CONSUME(T.Batch);
    this.SUBRULE(this.expression);
  });

  budgetStmt = this.RULE("budgetStmt", () => {
    this.CONSUME(T.Budget);
    this.CONSUME(T.Identifier, { LABEL: "metric" });
    this.OR((this.budgetAlts ??= [{ ALT: () => this.CONSUME(T.LessEq) }, { ALT: () => this.CONSUME(T.Less) }]));
    this.SUBRULE(this.expression);
  });

  letStmt = this.RULE("letStmt", () => {
    this.CONSUME(T.Let);
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  repeatStmt = this.RULE("repeatStmt", () => {
    this.CONSUME(T.Repeat);
    this.SUBRULE(this.expression);
    this.SUBRULE(this.bracedBody);
  });

  residualStmt = this.RULE("residualStmt", () => {
    this.CONSUME(T.Residual);
    this.SUBRULE(this.bracedBody, { LABEL: "main" });
    this.OPTION(() => {
      this.CONSUME(T.Shortcut);
      this.SUBRULE2(this.bracedBody, { LABEL: "shortcut" });
    });
  });

  branchesStmt = this.RULE("branchesStmt", () => {
    this.OR((this.branchKindAlts ??= [{ ALT: () => this.CONSUME(T.Add) }, { ALT: () => this.CONSUME(T.Concat) }]));
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.OR2(
        (this.branchAlts ??= [
          { ALT: () => this.CONSUME(T.Newline, { LABEL: "terminators" }) },
          { ALT: () => this.CONSUME(T.Semicolon, { LABEL: "terminators" }) },
          {
            ALT: () => {
              this.CONSUME(T.Branch);
              this.SUBRULE(this.bracedBody);
            },
          },
        ]),
      );
    });
    this.CONSUME(T.RBrace);
  });

  bodyStmt = this.RULE("bodyStmt", () => {
    this.OR((this.bodyKindAlts ??= [{ ALT: () => this.CONSUME(T.Scale) }, { ALT: () => this.CONSUME(T.Aux) }]));
    this.SUBRULE(this.bracedBody);
  });

  ifStmt = this.RULE("ifStmt", () => {
    this.CONSUME(T.If);
    this.SUBRULE(this.expression);
    this.SUBRULE(this.bracedBody);
    this.OPTION(() => {
      this.CONSUME(T.Else);
      this.OR(
        (this.elseAlts ??= [
          { ALT: () => this.SUBRULE(this.ifStmt, { LABEL: "elseIf" }) },
          { ALT: () => this.SUBRULE2(this.bracedBody, { LABEL: "elseBody" }) },
        ]),
      );
    });
  });

  callStmt = this.RULE("callStmt", () => {
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.argument) });
    this.CONSUME(T.RParen);
  });

  layerStmt = this.RULE("layerStmt", () => {
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.argument) });
    // A layer takes no body, but a misspelt `repaet 2 { ... }` has one: reading it keeps the braces balanced.
    this.OPTION(() => this.SUBRULE(this.bracedBody, { LABEL: "body" }));
  });

  /** `key=` and an expression, read inline (operands and operators) to spare a rule call per argument. */
  argument = this.RULE("argument", () => {
    this.OPTION({
      GATE: () => this.LA(2).tokenType === T.Equals,
      DEF: () => {
        this.CONSUME(T.Identifier, { LABEL: "key" });
        this.CONSUME(T.Equals);
      },
    });
    this.SUBRULE(this.operand, { LABEL: "operands" });
    this.MANY(() => {
      this.OR((this.argOpAlts ??= BINARY_OPS.map((t) => ({ ALT: () => this.CONSUME(t, { LABEL: "ops" }) }))));
      this.SUBRULE2(this.operand, { LABEL: "operands" });
    });
  });

  /**
   * An expression is read flat — operands separated by binary operators — and
   * the CST→AST step applies precedence. One rule per precedence level would
   * build eight CST nodes for every plain number in an argument list.
   */
  expression = this.RULE("expression", () => {
    this.SUBRULE(this.operand, { LABEL: "operands" });
    this.MANY(() => {
      this.OR((this.exprOpAlts ??= BINARY_OPS.map((t) => ({ ALT: () => this.CONSUME(t, { LABEL: "ops" }) }))));
      this.SUBRULE2(this.operand, { LABEL: "operands" });
    });
  });

  /** Prefix operators (`-`, `not`) and one atom. */
  operand = this.RULE("operand", () => {
    this.MANY(() => {
      this.OR((this.prefixAlts ??= [{ ALT: () => this.CONSUME(T.Minus, { LABEL: "prefix" }) }, { ALT: () => this.CONSUME(T.Not, { LABEL: "prefix" }) }]));
    });
    this.OR2(
      (this.atomAlts ??= [
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(T.Suffixed) },
      { ALT: () => this.CONSUME(T.ByteSize) },
      { ALT: () => this.CONSUME(T.Tuple) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.CONSUME(T.InChannels) },
      {
        ALT: () => {
          this.CONSUME(T.Identifier);
          this.OPTION(() => {
            this.CONSUME2(T.LParen, { LABEL: "callOpen" });
            this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression, { LABEL: "callArgs" }) });
            this.CONSUME2(T.RParen, { LABEL: "callClose" });
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE2(this.expression, { LABEL: "items" }) });
          this.CONSUME(T.RParen);
        },
      },
    ]),
    );
  });
}

/** The one parser instance; `input` is reset for every parse. */
export const parser = new CnnParser();

/** The token types whose images the CST→AST step reads. */
export type { IToken };
