/**
 * The one module that owns SQL text: identifier quoting, bind parameters and the few kinds of trusted text.
 * Every other sql module builds statements only from the pieces made here, so request text can reach SQL
 * only as a bind parameter (values, JSON path keys, patterns, the body) or as a quoted identifier (output
 * names): never as code. Through a transaction-mode pooler the bind parameters are written into the text
 * as escape-string literals, here too ({@linkcode inlineStatement}): one round trip less.
 *
 * | piece | made by | becomes |
 * | --- | --- | --- |
 * | code | {@linkcode sql} template strings (source code only) | itself |
 * | identifier | {@linkcode ident} | `"name"`, `"` doubled; NUL, empty and > 63 bytes refused |
 * | value | {@linkcode bind}, {@linkcode bindInteger} | `$n::text`, `$n::int8`, `$n::int4`, `$n::bool` |
 * | row limit | {@linkcode integerLiteral} | digits of a safe, non-negative integer (never text) |
 * | catalog type | {@linkcode typeName} | `numeric`, `timestamp with time zone`, `public."My type"[]` |
 * | select cast | {@linkcode castType} | a type matching {@linkcode CAST_TYPE_PATTERN} |
 * | catalog expression | {@linkcode rawCatalogSql} | a default expression read from `pg_catalog` |
 *
 * Every placeholder carries an explicit type (`$1::text`), so the driver learns the parameter's type from
 * the statement and never reinterprets a value (postgres.js would serialise a string bound to a `bool`
 * parameter as `f`, or JSON-encode it again for `json`); casts to the column's type are written in SQL
 * (`CAST($1::text AS uuid)`). The same {@linkcode Fragment} parameter used twice renders as the same `$n`.
 *
 * @module
 */

import { CAST_TYPE_PATTERN } from "../parse/mod.ts";

/** A bind parameter's value. */
export type SqlParam = string | number | boolean | null;

/** A statement ready for the driver: `sql.unsafe(statement.text, statement.params)`. */
export interface SqlStatement {
  /** The SQL text, with `$1`, `$2`… placeholders. */
  readonly text: string;
  /** The parameters, `params[0]` for `$1`. */
  readonly params: readonly SqlParam[];
}

/** The parameter types placeholders are written with. */
export type ParamType = "text" | "int4" | "int8" | "bool";

class Param {
  readonly value: SqlParam;
  readonly type: ParamType;
  constructor(value: SqlParam, type: ParamType) {
    this.value = value;
    this.type = type;
  }
}

type Part = string | Param;

const TOKEN = Symbol("Fragment");

/** A piece of SQL: code and parameters, numbered only when the statement is rendered. */
export class Fragment {
  readonly #parts: readonly Part[];

  /** Internal: fragments are made by {@linkcode sql}, {@linkcode ident}, {@linkcode bind} and friends. */
  constructor(token: symbol, parts: readonly Part[]) {
    if (token !== TOKEN) throw new TypeError("Cannot create a Fragment: use sql`…`, ident() or bind()");
    this.#parts = parts;
  }

  /** The pieces, for the builders of this module. */
  static partsOf(fragment: Fragment): readonly Part[] {
    return fragment.#parts;
  }
}

function make(parts: readonly Part[]): Fragment {
  return new Fragment(TOKEN, parts);
}

/**
 * SQL code with fragments interpolated. The template's strings are the caller's source code (a template
 * strings array is frozen and has `raw`; anything else is refused), and interpolations must be fragments:
 * a plain string cannot be interpolated.
 *
 * @example
 * ```ts
 * const where = sql`${ident("email")} = ${bind(value)}`;
 * render(sql`select 1 from t where ${where}`); // { text: 'select 1 from t where "email" = $1::text', params: [value] }
 * ```
 */
export function sql(strings: TemplateStringsArray, ...values: readonly Fragment[]): Fragment {
  if (!Object.isFrozen(strings) || !Array.isArray(strings.raw)) {
    throw new TypeError("Cannot build SQL: sql`…` takes a template literal");
  }
  const parts: Part[] = [];
  strings.forEach((text, i) => {
    if (text !== "") parts.push(text);
    const value = values[i];
    if (value === undefined) return;
    if (!(value instanceof Fragment)) throw new TypeError("Cannot build SQL: interpolate fragments only");
    parts.push(...Fragment.partsOf(value));
  });
  return make(parts);
}

/** The longest identifier PostgreSQL keeps (`NAMEDATALEN - 1` bytes); longer ones would be truncated. */
export const MAX_IDENTIFIER_BYTES = 63;

/**
 * A quoted identifier: `"name"` with `"` doubled. Quoting is complete: inside double quotes every
 * character but `"` is inert.
 *
 * @throws {TypeError} for an empty name, a NUL, or more than {@linkcode MAX_IDENTIFIER_BYTES} bytes
 * (PostgreSQL would silently truncate it; the planner refuses such names before).
 *
 * @example
 * ```ts
 * render(ident('a"b')).text; // "\"a\"\"b\""
 * ```
 */
export function ident(name: string): Fragment {
  return make([quoteIdentifier(name)]);
}

/**
 * The project's one identifier quoter, as text: `"name"` with `"` doubled. {@linkcode ident} wraps it for
 * the sql stage; the move engine, which writes its own SQL, uses it directly.
 *
 * @throws {TypeError} for an empty name, a NUL, or more than {@linkcode MAX_IDENTIFIER_BYTES} bytes.
 *
 * @example
 * ```ts
 * quoteIdentifier('a"b'); // "\"a\"\"b\""
 * ```
 */
export function quoteIdentifier(name: string): string {
  if (name === "" || name.includes("\0")) throw new TypeError("Cannot quote identifier: empty or NUL");
  // A UTF-16 code unit is at most 3 UTF-8 bytes, so short names need no encoding (the hot path).
  if (
    name.length * 3 > MAX_IDENTIFIER_BYTES && new TextEncoder().encode(name).length > MAX_IDENTIFIER_BYTES
  ) {
    throw new TypeError(`Cannot quote identifier: longer than ${MAX_IDENTIFIER_BYTES} bytes`);
  }
  return `"${name.replaceAll('"', '""')}"`;
}

/** A schema-qualified name: `"public"."contacts"`. */
export function qualified(schema: string, name: string): Fragment {
  return sql`${ident(schema)}.${ident(name)}`;
}

/**
 * A text bind parameter, written `$n::text`. Every request value goes through here (or
 * {@linkcode bindInteger}).
 *
 * @example
 * ```ts
 * render(sql`${ident("email")} = ${bind("a@b.c")}`); // { text: '"email" = $1::text', params: ["a@b.c"] }
 * ```
 */
export function bind(value: string | null): Fragment {
  return make([new Param(value, "text")]);
}

/** Options of {@linkcode bindInteger}. */
export interface BindIntegerOptions {
  /** `int8` (default: limits, offsets) or `int4` (JSON array indexes: `jsonb -> int`). */
  type?: "int4" | "int8";
}

/**
 * An integer bind parameter, written `$n::int8` (or `$n::int4`).
 *
 * @throws {TypeError} for a value that is not a safe integer.
 */
export function bindInteger(value: number, options: BindIntegerOptions = {}): Fragment {
  if (!Number.isSafeInteger(value)) throw new TypeError("Cannot bind integer: not a safe integer");
  return make([new Param(value, options.type ?? "int8")]);
}

/**
 * A non-negative safe integer written as digits: only for a read's `LIMIT`. The planner must see it:
 * with `LIMIT $n` the generic plan of a prepared statement assumes a tenth of the table, costs more than
 * the custom plans, and PostgreSQL plans the statement again on every execution (PostgREST writes its
 * limits as literals too). Pages come in few sizes, so a literal adds few statement texts; offsets, which
 * take many values, stay bind parameters. The value is a number, never request text.
 *
 * @throws {TypeError} for a value that is not a safe integer of 0 or more.
 */
export function integerLiteral(value: number): Fragment {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TypeError("Cannot write integer: not a safe integer of 0 or more");
  }
  return make([String(value)]);
}

/** A boolean bind parameter, written `$n::bool`. */
export function bindBoolean(value: boolean): Fragment {
  return make([new Param(value, "bool")]);
}

/**
 * A type name read from the catalog (`format_type`): words, digits, `_`, spaces, `.`, `,`, parentheses,
 * brackets and double-quoted parts (with `""` inside). Nothing else can end a statement, open a literal or
 * a comment.
 *
 * @throws {TypeError} for anything else.
 */
export function typeName(type: string): Fragment {
  if (!CATALOG_TYPE.test(type)) throw new TypeError("Cannot use type: not a catalog type name");
  return make([type]);
}

const CATALOG_TYPE = /^(?:[\p{L}\p{N}_ .,()[\]]|"(?:[^"\0]|"")*")+$/u;

/**
 * A cast type from a select (`::text`): it must match {@linkcode CAST_TYPE_PATTERN} again here.
 *
 * @throws {TypeError} otherwise.
 */
export function castType(type: string): Fragment {
  if (!CAST_TYPE_PATTERN.test(type)) throw new TypeError("Cannot use cast: not an allowed type name");
  return make([type]);
}

/**
 * **Raw SQL from the catalog**: a default expression `loadCatalog` read with `pg_get_expr` (PostgREST
 * inlines defaults the same way for `Prefer: missing=default`). It must never be given request input.
 *
 * @throws {TypeError} for text with NUL (it cannot come from the catalog).
 */
export function rawCatalogSql(expression: string): Fragment {
  if (expression === "" || expression.includes("\0")) throw new TypeError("Cannot use catalog expression");
  return make([`(${expression})`]);
}

/**
 * Fragments joined by a separator fragment.
 *
 * @example
 * ```ts
 * join([ident("a"), ident("b")], sql`, `); // "a", "b"
 * ```
 */
export function join(fragments: readonly Fragment[], separator: Fragment): Fragment {
  const parts: Part[] = [];
  fragments.forEach((fragment, i) => {
    if (i > 0) parts.push(...Fragment.partsOf(separator));
    parts.push(...Fragment.partsOf(fragment));
  });
  return make(parts);
}

/** The most parameters one statement may carry (the protocol counts them in 16 bits). */
export const MAX_PARAMS = 65_535;

/**
 * Renders a fragment to a statement: parameters numbered `$1`, `$2`… in order of first appearance, each
 * written with its type (`$1::text`); the same parameter twice gets the same number.
 *
 * @throws {RangeError} beyond {@linkcode MAX_PARAMS} parameters.
 *
 * @example
 * ```ts
 * render(sql`select ${bind("x")}`); // { text: "select $1::text", params: ["x"] }
 * ```
 */
export function render(fragment: Fragment): SqlStatement {
  const numbers = new Map<Param, number>();
  const params: SqlParam[] = [];
  const pieces: string[] = [];
  const slots: number[] = [];
  let text = "";
  let piece = "";
  for (const part of Fragment.partsOf(fragment)) {
    if (typeof part === "string") {
      text += part;
      piece += part;
      continue;
    }
    let n = numbers.get(part);
    if (n === undefined) {
      params.push(part.value);
      n = params.length;
      numbers.set(part, n);
    }
    text += `$${n}::${part.type}`;
    pieces.push(piece);
    slots.push(n - 1);
    piece = `::${part.type}`;
  }
  pieces.push(piece);
  if (params.length > MAX_PARAMS) {
    throw new RangeError(`Cannot render SQL: more than ${MAX_PARAMS} parameters`);
  }
  if (params.length > 0) rememberPlaceholders(text, { pieces, slots });
  return { text, params };
}

/**
 * The statement with each parameter written as a literal in its placeholder's place (the cast stays:
 * `E'a@b.c'::text`), to send as a simple query. Through a transaction-mode pooler nothing is prepared, and
 * postgres.js asks for an unprepared statement's parameter types before it binds it: a round trip that a
 * simple query does not need. A string becomes an escape-string literal ({@linkcode sqlLiteral}), a number
 * its digits quoted, a boolean `true` or `false`, a null `NULL`: what the bound parameter would have been.
 * `undefined` when the text was not rendered here lately (an `EXPLAIN` of it, say), or a value holds a NUL
 * (bound, it gets PostgreSQL's own error).
 *
 * @example
 * ```ts
 * inlineStatement(render(sql`select ${bind("it's")}`)); // "select E'it''s'::text"
 * ```
 */
export function inlineStatement(statement: SqlStatement): string | undefined {
  const { params } = statement;
  const placeholders = PLACEHOLDERS.get(statement.text);
  if (placeholders === undefined) return undefined;
  // Used last, evicted last: a shape kept by the gateway is not rendered again to be remembered again.
  PLACEHOLDERS.delete(statement.text);
  PLACEHOLDERS.set(statement.text, placeholders);
  const { pieces, slots } = placeholders;
  let text = pieces[0]!;
  for (let i = 0; i < slots.length; i++) {
    const value = params[slots[i]!];
    if (value === undefined) return undefined;
    if (typeof value === "string" && value.includes("\0")) return undefined;
    text += literal(value) + pieces[i + 1]!;
  }
  return text;
}

/**
 * A rendered text cut at its placeholders: the text is `pieces[0]`, `$<slots[0] + 1>`, `pieces[1]`, …
 * (a placeholder's cast begins the piece after it).
 */
interface Placeholders {
  readonly pieces: readonly string[];
  /** The `params` index of each placeholder, in order. */
  readonly slots: readonly number[];
}

/**
 * The placeholders of the texts rendered or inlined last, by text: texts hold no values, so a recurring
 * request shape finds its own. Bounded; an evicted or never rendered text is bound instead of inlined.
 */
const PLACEHOLDERS = new Map<string, Placeholders>();
const MAX_REMEMBERED_TEXTS = 2_000;

function rememberPlaceholders(text: string, placeholders: Placeholders): void {
  if (PLACEHOLDERS.has(text)) return;
  if (PLACEHOLDERS.size >= MAX_REMEMBERED_TEXTS) PLACEHOLDERS.delete(PLACEHOLDERS.keys().next().value!);
  PLACEHOLDERS.set(text, placeholders);
}

function literal(value: SqlParam): string {
  if (value === null) return "NULL";
  if (typeof value === "boolean") return value ? "true" : "false";
  return sqlLiteral(String(value));
}

/**
 * A string as an escape-string literal, `E'…'`: backslashes and quotes doubled. An `E` literal reads the
 * same whatever `standard_conforming_strings` says, so no value can end it early. A NUL, which PostgreSQL
 * text cannot hold, is refused.
 *
 * @throws {TypeError} for a string with a NUL.
 *
 * @example
 * ```ts
 * sqlLiteral("it's \\ here"); // "E'it''s \\\\ here'"
 * ```
 */
export function sqlLiteral(text: string): string {
  if (text.includes("\0")) throw new TypeError("A SQL literal cannot hold a NUL character");
  return `E'${text.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}
