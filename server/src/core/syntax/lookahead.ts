/**
 * Chevrotain's LL(k) lookahead, with the next token's kind looked up first.
 *
 * Where a decision needs two or three tokens to choose (a statement: `conv 64`
 * is a layer, `conv: ...` a label, `stage(...)` a block call), Chevrotain's
 * LLkLookaheadStrategy tries the paths of each alternative in turn, asking for
 * tokens ahead at every try: a layer written as `relu` is found after most of
 * the statement's dozens of paths. This strategy computes the same paths
 * (Chevrotain's own `getLookaheadPaths`) and keeps, for each kind of token,
 * only the paths that can start with it, in their order; a decision then
 * checks the rest of those paths only. The first path that matches is the one
 * Chevrotain's would have found, so every decision is the same.
 *
 * Decisions of one token, with gates, with an empty path (which matches
 * anything) or with dynamically defined tokens are left to Chevrotain's.
 */
import { getLookaheadPaths, IOrAlt, IToken, LLkLookaheadStrategy, OptionalProductionType, Rule, TokenType } from "chevrotain";

/** A path after its first token, and the alternative it belongs to. */
interface Rest {
  alt: number;
  tokens: TokenType[];
}

/** What a lookahead function is called on: the parser. */
interface Reader {
  LA_FAST(k: number): IToken;
}

/** Chevrotain's tokenStructuredMatcher: the token's kind, or one of the categories it belongs to. */
function matches(t: IToken, type: TokenType): boolean {
  return t.tokenTypeIdx === type.tokenTypeIdx || (type.isParent === true && type.categoryMatchesMap![t.tokenTypeIdx!] === true);
}

/** Whether the tokens from LA(2) on are `rest`. */
function restMatches(reader: Reader, rest: TokenType[]): boolean {
  for (let i = 0; i < rest.length; i++) if (!matches(reader.LA_FAST(i + 2), rest[i])) return false;
  return true;
}

/**
 * For each token kind (by tokenTypeIdx), the paths of `alts` that start with it, in order; undefined when this
 * lookup would not help (every path one token long) or could change a decision (an empty path).
 */
function byFirstToken(alts: TokenType[][][]): (Rest[] | undefined)[] | undefined {
  const paths = alts.flatMap((paths, alt) => paths.map((tokens) => ({ alt, tokens })));
  if (paths.some((p) => p.tokens.length === 0) || paths.every((p) => p.tokens.length === 1)) return undefined;
  const table: (Rest[] | undefined)[] = [];
  for (const { alt, tokens } of paths) {
    const [first, ...rest] = tokens;
    for (const idx of [first.tokenTypeIdx!, ...(first.categoryMatches ?? [])]) (table[idx] ??= []).push({ alt, tokens: rest });
  }
  return table;
}

export class FirstTokenLookahead extends LLkLookaheadStrategy {
  override buildLookaheadForAlternation(options: {
    prodOccurrence: number;
    rule: Rule;
    maxLookahead: number;
    hasPredicates: boolean;
    dynamicTokensEnabled: boolean;
  }): (orAlts?: IOrAlt<unknown>[]) => number | undefined {
    const { prodOccurrence: occurrence, rule, maxLookahead } = options;
    const table = options.hasPredicates || options.dynamicTokensEnabled ? undefined : byFirstToken(getLookaheadPaths({ occurrence, rule, prodType: "Alternation", maxLookahead }));
    if (!table) return super.buildLookaheadForAlternation(options);
    return function byFirstTokenAlternative(this: Reader): number | undefined {
      const rests = table[this.LA_FAST(1).tokenTypeIdx!];
      if (rests) for (let i = 0; i < rests.length; i++) if (restMatches(this, rests[i].tokens)) return rests[i].alt;
      return undefined;
    };
  }

  override buildLookaheadForOptional(options: {
    prodOccurrence: number;
    prodType: OptionalProductionType;
    rule: Rule;
    maxLookahead: number;
    dynamicTokensEnabled: boolean;
  }): () => boolean {
    const { prodOccurrence: occurrence, rule, maxLookahead, prodType } = options;
    // The paths into the production (the second alternative is what may follow it, for the lengths).
    const table = options.dynamicTokensEnabled ? undefined : byFirstToken([getLookaheadPaths({ occurrence, rule, prodType, maxLookahead })[0]]);
    if (!table) return super.buildLookaheadForOptional(options);
    return function byFirstTokenOptional(this: Reader): boolean {
      const rests = table[this.LA_FAST(1).tokenTypeIdx!];
      if (rests) for (let i = 0; i < rests.length; i++) if (restMatches(this, rests[i].tokens)) return true;
      return false;
    };
  }
}
