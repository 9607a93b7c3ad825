/**
 * The parse stage's limits, in one place. Each bounds work or memory a single request can cause before
 * it reaches a database; each is enforced with a clear error rather than by truncating silently.
 *
 * @module
 */

/** The largest `limit=` (and `Range` size) a request may ask for; more is a 400 (`PGRST100`). */
export const MAX_LIMIT = 10_000;

/** The largest `offset=` (and `Range` start); more is a 400 (`PGRST100`). Deep pages: filter on a key. */
export const MAX_OFFSET = 1_000_000;

/** How deep embedded resources may nest in `select` (`a(b(c(…)))`); deeper is a 400 (`PGRST100`). */
export const MAX_EMBED_DEPTH = 8;

/** How deep `and(…)`/`or(…)` may nest in a logic parameter; deeper is a 400 (`PGRST100`). */
export const MAX_LOGIC_DEPTH = 8;

/**
 * How many items a `select` may list, embedded ones included (and how many names `columns=` may list);
 * more is a 400 (`PGRST100`). PostgreSQL refuses more than 1664 output columns per statement.
 */
export const MAX_SELECT_ITEMS = 500;

/** How many terms one `order=` may list; more is a 400 (`PGRST100`). */
export const MAX_ORDER_TERMS = 50;

/**
 * How many filter conditions a request may carry, the leaves of `or`/`and` trees included; more is a 400
 * (`PGRST100`). Each is a bind parameter, and a statement takes at most 65,535.
 */
export const MAX_CONDITIONS = 1_000;

/** The longest regular expression a `match`/`imatch` filter may carry; longer is a 400 (`PGRST100`). */
export const MAX_PATTERN_LENGTH = 1_000;

/**
 * How deep a text search query of `fts`/`wfts` may nest: parentheses, or negations (`!`, `-`) in a row;
 * deeper is a 400 (`PGRST100`). PostgreSQL's tsquery parser fails with an internal error past about 32
 * operators waiting for an operand, and runs out of stack on some thousands of parentheses.
 */
export const MAX_TSQUERY_NESTING = 16;

/**
 * How deep JSON may nest, in a request body (deeper is a 400 `PGRST102`) or a query parameter's value (a
 * filter operand, a function argument: a 400 `PGRST100`), before PostgreSQL's parser runs out of stack.
 */
export const MAX_JSON_DEPTH = 64;

/** The default largest request body, 1 MiB; more is a 413 (`TR413`). Enforced by `readBody` of `http`. */
export { MAX_BODY_BYTES } from "../../http/mod.ts";
