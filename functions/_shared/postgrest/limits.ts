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

/** The default largest request body, 1 MiB; more is a 413 (`TR413`). */
export const MAX_BODY_BYTES = 1_048_576;
