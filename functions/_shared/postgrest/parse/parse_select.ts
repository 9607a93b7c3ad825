/**
 * The `select` grammar (PostgREST's `pFieldForest`).
 *
 * @module
 */

import { Cursor } from "./_cursor.ts";
import { isIdentifierChar, parseField, parseName } from "./_grammar.ts";
import { quote } from "./_quote.ts";
import { MAX_EMBED_DEPTH, MAX_SELECT_ITEMS } from "./limits.ts";
import type { AggregateFunction, JoinType, SelectItem } from "./request.ts";

/** Options of {@linkcode parseSelect}. */
export interface ParseSelectOptions {
  /** How deep embedded resources may nest; defaults to {@linkcode MAX_EMBED_DEPTH}. */
  maxDepth?: number;
}

/**
 * The cast types a select may name: lower-case ASCII words separated by single spaces, optionally `[]`
 * (`text`, `double precision`, `int4[]`). Casts reach SQL as type names, not as quoted identifiers, so
 * nothing else may pass.
 */
export const CAST_TYPE_PATTERN: RegExp = /^[a-z_][a-z0-9_]*( [a-z0-9_]+)*(\[\])?$/;

const AGGREGATES: readonly AggregateFunction[] = ["avg", "count", "max", "min", "sum"];

/**
 * Parses a `select` value into a list of items.
 *
 * ```text
 * list   := [item ("," item)*]
 * item   := "*"
 *         | "..." name params "(" list ")"                 spread
 *         | [alias ":"] name params "(" list ")"           embed; params := ("!" (hint | "inner" | "left")){0,2}
 *         | [alias ":"] "count()" ["::" type]
 *         | [alias ":"] name jsonpath ["::" type] ["." aggregate "()" ["::" type]]
 * ```
 *
 * Spaces and tabs around items and commas are ignored (supabase-js already strips whitespace outside
 * quotes). An empty value is an empty list. Embeds nest at most `maxDepth` levels.
 *
 * Deliberate differences from PostgREST: a second `::type` needs an aggregate before it (PostgREST's
 * grammar would read `created::created_at::text` as a cast to the type `created_at` and fail later; here
 * it fails at once), a cast may end in `[]`, an embed takes at most one hint and one join type, and
 * `!inner`/`!left` are join types only when followed by `!` or `(` (so a hint may be called `inner_fk`).
 *
 * @throws {QuerySyntaxError} with the position of the first problem.
 *
 * @example
 * ```ts
 * parseSelect("id,account:accounts!inner(name)");
 * // [{ kind: "field", field: { name: "id", jsonPath: [] }, alias: null, … },
 * //  { kind: "embed", relation: "accounts", alias: "account", hint: null, join: "inner", select: […] }]
 * ```
 */
export function parseSelect(text: string, options: ParseSelectOptions = {}): SelectItem[] {
  const c = new Cursor(text, { subject: "select" });
  const items = parseList(c, 0, options.maxDepth ?? MAX_EMBED_DEPTH);
  if (!c.done) c.unexpected();
  if (countItems(items) > MAX_SELECT_ITEMS) {
    c.fail(`more than ${MAX_SELECT_ITEMS} items`, { at: 0, hint: "Select fewer columns" });
  }
  return items;
}

function countItems(items: readonly SelectItem[]): number {
  let count = 0;
  for (const item of items) {
    count += 1 + (item.kind === "embed" || item.kind === "spread" ? countItems(item.select) : 0);
  }
  return count;
}

function parseList(c: Cursor, depth: number, maxDepth: number): SelectItem[] {
  c.skipSpace();
  if (c.done || c.peek() === ")") return [];
  const items = [parseItem(c, depth, maxDepth)];
  for (;;) {
    c.skipSpace();
    if (!c.eat(",")) return items;
    items.push(parseItem(c, depth, maxDepth));
  }
}

function parseItem(c: Cursor, depth: number, maxDepth: number): SelectItem {
  c.skipSpace();
  if (c.eat("...")) {
    const relation = parseName(c);
    const { hint, join } = parseEmbedParams(c);
    return { kind: "spread", relation, hint, join, select: parseEmbedList(c, depth, maxDepth) };
  }
  if (c.eat("*")) {
    expectItemEnd(c);
    return { kind: "star" };
  }
  const alias = parseAlias(c);
  if (c.eat("count()")) {
    const cast = c.eat("::") ? parseCastType(c) : null;
    expectItemEnd(c);
    return { kind: "count", alias, cast, bare: false };
  }
  const quoted = c.peek() === '"';
  const nameStart = c.pos;
  const name = parseName(c);
  if (c.peek() === "!" || (c.peek() === "(" && (quoted || name !== "count"))) {
    const { hint, join } = parseEmbedParams(c);
    return { kind: "embed", relation: name, alias, hint, join, select: parseEmbedList(c, depth, maxDepth) };
  }
  c.pos = nameStart;
  const field = parseField(c);
  const cast = c.eat("::") ? parseCastType(c) : null;
  let aggregate: AggregateFunction | null = null;
  let aggregateCast: string | null = null;
  if (c.eat(".")) {
    const at = c.pos;
    aggregate = AGGREGATES.find((fn) => c.startsWith(`${fn}()`)) ?? null;
    if (aggregate === null) c.fail("expected an aggregate: avg(), count(), max(), min() or sum()", { at });
    c.pos += aggregate.length + 2;
    aggregateCast = c.eat("::") ? parseCastType(c) : null;
  }
  expectItemEnd(c);
  if (!quoted && name === "count" && field.jsonPath.length === 0 && cast === null && aggregate === null) {
    return { kind: "count", alias, cast: null, bare: true };
  }
  return { kind: "field", field, alias, cast, aggregate, aggregateCast };
}

/** `alias:` (a `:` not followed by another `:`), or `null` with the cursor unmoved. */
function parseAlias(c: Cursor): string | null {
  const start = c.pos;
  if (c.peek() !== '"' && !isIdentifierChar(c.peek())) return null;
  try {
    const alias = parseName(c);
    if (c.peek() === ":" && c.peek(1) !== ":") {
      c.pos++;
      c.skipSpace();
      return alias;
    }
  } catch {
    // Not an alias: the item parser reports the problem.
  }
  c.pos = start;
  return null;
}

function parseEmbedParams(c: Cursor): { hint: string | null; join: JoinType | null } {
  let hint: string | null = null;
  let join: JoinType | null = null;
  while (c.peek() === "!") {
    const at = c.pos;
    c.pos++;
    const keyword = (["inner", "left"] as const).find((word) => {
      const next = c.text.charAt(c.pos + word.length);
      return c.startsWith(word) && (next === "!" || next === "(");
    });
    if (keyword !== undefined) {
      if (join !== null) c.fail("an embed takes one join type", { at });
      join = keyword;
      c.pos += keyword.length;
    } else {
      if (hint !== null) c.fail("an embed takes one hint", { at });
      hint = parseName(c);
    }
  }
  return { hint, join };
}

function parseEmbedList(c: Cursor, depth: number, maxDepth: number): SelectItem[] {
  if (c.peek() !== "(") c.unexpected();
  if (depth + 1 > maxDepth) c.fail(`embedded resources nest deeper than ${maxDepth} levels`);
  c.pos++;
  const items = parseList(c, depth + 1, maxDepth);
  c.skipSpace();
  c.expect(")");
  c.skipSpace();
  if (!c.done && c.peek() !== "," && c.peek() !== ")") c.unexpected();
  return items;
}

/** PostgreSQL's pseudo-types: no value can be cast to them (`unknown` even fails inside the server). */
const PSEUDO_TYPES = new Set([
  "any",
  "anyarray",
  "anycompatible",
  "anycompatiblearray",
  "anycompatiblemultirange",
  "anycompatiblenonarray",
  "anycompatiblerange",
  "anyelement",
  "anyenum",
  "anymultirange",
  "anynonarray",
  "anyrange",
  "cstring",
  "event_trigger",
  "fdw_handler",
  "index_am_handler",
  "internal",
  "language_handler",
  "pg_ddl_command",
  "record",
  "table_am_handler",
  "trigger",
  "tsm_handler",
  "unknown",
  "void",
]);

function parseCastType(c: Cursor): string {
  const start = c.pos;
  const raw = c.takeWhile((ch) => isIdentifierChar(ch) || ch === "[" || ch === "]").trim();
  if (raw === "") c.fail('expected a type after "::"', { at: start });
  const type = raw.toLowerCase().replace(/ +/g, " ");
  if (!CAST_TYPE_PATTERN.test(type)) c.fail(`invalid cast type ${quote(raw)}`, { at: start });
  if (PSEUDO_TYPES.has(type.replace(/\[\]$/, ""))) {
    c.fail(`cannot cast to the pseudo-type ${quote(raw)}`, { at: start });
  }
  return type;
}

function expectItemEnd(c: Cursor): void {
  c.skipSpace();
  if (!c.done && c.peek() !== "," && c.peek() !== ")") c.unexpected();
}
