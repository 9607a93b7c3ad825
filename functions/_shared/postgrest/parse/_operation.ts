/**
 * The operator expression of a filter (`not.ilike.*smith`), shared by filter parameters and the filters
 * inside `or=(…)` trees (PostgREST's `pOpExpr`).
 *
 * @module
 */

import type { Cursor } from "./_cursor.ts";
import { MAX_PATTERN_LENGTH, MAX_TSQUERY_NESTING } from "./limits.ts";
import { isIdentifierChar, parseQuoted } from "./_grammar.ts";
import { quote } from "./_quote.ts";
import type { FtsOperator, IsValue, Operation, QuantifiableOperator, SimpleOperator } from "./request.ts";

/**
 * Where an expression is: a filter parameter's value runs to the end of the text; inside a logic tree a
 * value ends at `,` or `)` unless it is quoted (`"a,b"`) or a `{…}` array.
 */
export type OperationContext = "filter" | "logic";

const QUANTIFIABLE: readonly QuantifiableOperator[] = [
  "eq",
  "gt",
  "gte",
  "lt",
  "lte",
  "like",
  "ilike",
  "match",
  "imatch",
];
const SIMPLE: readonly SimpleOperator[] = ["neq", "cs", "cd", "ov", "sl", "sr", "nxr", "nxl", "adj"];
const FTS: readonly FtsOperator[] = ["fts", "plfts", "phfts", "wfts"];
const IS_VALUES: readonly IsValue[] = ["null", "not_null", "true", "false", "unknown"];

/** Every operator, for hints. */
export const OPERATORS: readonly string[] = [...QUANTIFIABLE, ...SIMPLE, "in", "is", "isdistinct", ...FTS];

const OPERATOR_HINT = `Use one of: ${OPERATORS.join(", ")}; optionally after "not."`;

/** Parses `[not.]operator[(modifier)].value` at the cursor. */
export function parseOpExpr(
  c: Cursor,
  context: OperationContext,
): { negated: boolean; operation: Operation } {
  const negated = c.eat("not.");
  const at = c.pos;
  const name = c.takeWhile((ch) =>
    ch !== "." && ch !== "(" && (context === "filter" || (ch !== "," && ch !== ")"))
  );
  if (name === "") c.fail("expected an operator", { at, hint: OPERATOR_HINT });
  if (name === "in") {
    expectDot(c, name);
    return { negated, operation: { kind: "in", values: parseList(c) } };
  }
  if (name === "is") {
    expectDot(c, name);
    const valueAt = c.pos;
    const raw = readValue(c, context);
    const value = IS_VALUES.find((v) => v === raw.toLowerCase());
    if (value === undefined) {
      c.fail(`expected null, not_null, true, false or unknown after "is."`, { at: valueAt });
    }
    return { negated, operation: { kind: "is", value } };
  }
  if (name === "isdistinct") {
    expectDot(c, name);
    return { negated, operation: { kind: "isdistinct", value: readValue(c, context) } };
  }
  const fts = FTS.find((op) => op === name);
  if (fts !== undefined) {
    let config: string | null = null;
    if (c.eat("(")) {
      const configAt = c.pos;
      config = c.takeWhile(isIdentifierChar).trim();
      if (config === "") c.fail("expected a text search configuration", { at: configAt });
      c.expect(")");
    }
    expectDot(c, name);
    const valueStart = c.pos;
    const value = readValue(c, context);
    if ((fts === "fts" || fts === "wfts") && tsqueryNesting(value) > MAX_TSQUERY_NESTING) {
      c.fail(
        `the text search query nests deeper than ${MAX_TSQUERY_NESTING} levels (parentheses, or negations in a row)`,
        { at: valueStart },
      );
    }
    return { negated, operation: { kind: "fts", operator: fts, config, value } };
  }
  const quantifiable = QUANTIFIABLE.find((op) => op === name);
  if (quantifiable !== undefined) {
    let quantifier: "any" | "all" | null = null;
    if (c.peek() === "(") {
      if (c.eat("(any)")) quantifier = "any";
      else if (c.eat("(all)")) quantifier = "all";
      else c.fail('expected "(any)" or "(all)"');
    }
    expectDot(c, name);
    const valueStart = c.pos;
    const raw = readValue(c, context);
    // Compiling a regular expression is superlinear in its length: a long one would hold a connection
    // until the statement timeout.
    if ((name === "match" || name === "imatch") && raw.length > MAX_PATTERN_LENGTH) {
      c.fail(`the pattern is longer than ${MAX_PATTERN_LENGTH} characters`, { at: valueStart });
    }
    // PostgREST accepts * for % in patterns: it needs no URL encoding.
    const value = name === "like" || name === "ilike" ? raw.replaceAll("*", "%") : raw;
    return { negated, operation: { kind: "compare", operator: quantifiable, quantifier, value } };
  }
  const simple = SIMPLE.find((op) => op === name);
  if (simple !== undefined) {
    expectDot(c, name);
    return {
      negated,
      operation: { kind: "compare", operator: simple, quantifier: null, value: readValue(c, context) },
    };
  }
  c.fail(`unknown operator ${quote(name)}`, { at, hint: OPERATOR_HINT });
}

const WORD_CHARACTER = /[\p{L}\p{N}]/u;

/**
 * The deepest a text search query nests: its parentheses, or its negations (`!` of `to_tsquery`, `-` of
 * `websearch_to_tsquery`) with no word between them, whichever is more.
 */
function tsqueryNesting(query: string): number {
  let depth = 0;
  let negations = 0;
  let deepest = 0;
  for (const character of query) {
    if (character === "(") deepest = Math.max(deepest, ++depth);
    else if (character === ")") depth--;
    else if (character === "!" || character === "-") deepest = Math.max(deepest, ++negations);
    else if (WORD_CHARACTER.test(character)) negations = 0;
  }
  return deepest;
}

function expectDot(c: Cursor, operator: string): void {
  if (!c.eat(".")) c.fail(`expected "." after ${quote(operator)}`);
}

/** A single value: the rest of a filter; in a logic tree a quoted value, a `{…}` array, or up to `,`/`)`. */
function readValue(c: Cursor, context: OperationContext): string {
  if (context === "filter") {
    const value = c.text.slice(c.pos, c.end);
    c.pos = c.end;
    return value;
  }
  const quoted = tryQuoted(c);
  if (quoted !== null) return quoted;
  if (c.peek() === "{") {
    const close = c.text.indexOf("}", c.pos);
    const nested = c.text.indexOf("{", c.pos + 1);
    if (close !== -1 && close < c.end && (nested === -1 || nested > close)) {
      const value = c.text.slice(c.pos, close + 1);
      c.pos = close + 1;
      return value;
    }
  }
  return c.takeWhile((ch) => ch !== "," && ch !== ")");
}

/** `(a,"b,c",d)`: elements are raw up to `,`/`)`, or quoted when the closing quote ends the element. */
function parseList(c: Cursor): string[] {
  c.skipSpace();
  if (!c.eat("(")) c.fail('expected "(" to start the list');
  c.skipSpace();
  const values: string[] = [];
  let quotedAny = false;
  do {
    const quoted = tryQuoted(c);
    if (quoted !== null) quotedAny = true;
    values.push(quoted ?? c.takeWhile((ch) => ch !== "," && ch !== ")"));
  } while (c.eat(","));
  c.skipSpace();
  if (!c.eat(")")) c.fail(c.done ? 'expected ")" to end the list' : `unexpected ${quote(c.peek())}`);
  c.skipSpace();
  // `in.()` is the empty list (no row matches), not a list of one empty string; `in.("")` is.
  return values.length === 1 && values[0] === "" && !quotedAny ? [] : values;
}

/** A quoted value followed by `,`, `)` or the end; else `null` with the cursor unmoved. */
function tryQuoted(c: Cursor): string | null {
  if (c.peek() !== '"') return null;
  const start = c.pos;
  try {
    const value = parseQuoted(c, "value");
    if (c.done || c.peek() === "," || c.peek() === ")") return value;
  } catch {
    // An unterminated quote: the value is raw text.
  }
  c.pos = start;
  return null;
}
