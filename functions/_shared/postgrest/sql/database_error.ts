/**
 * A database error as the client sees it: the server's `code`, `message`, `detail` and `hint`, with
 * PostgREST's status — and nothing else from the driver's error object.
 *
 * @module
 */

import { PostgrestError } from "../../errors/mod.ts";
import { statusForSqlState } from "./sql_state.ts";

/** Options of {@linkcode databaseError}. */
export interface DatabaseErrorOptions {
  /** Whether the request carried a user JWT (decides 401 or 403 for `42501`). */
  authenticated: boolean;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * 5xx SQLSTATEs whose server message is fixed text a client can act on: a statement timeout, a
 * serialization failure or deadlock (retry), too many connections. Every other 5xx is rendered opaquely.
 */
const EXPLAINED_SERVER_ERRORS = new Set(["57014", "53300", "55P03"]);

/**
 * Converts an error thrown by the database driver into a {@linkcode PostgrestError}.
 *
 * Only four fields are copied, each only when it is a string: `code` (a SQLSTATE), `message`, `detail`
 * (or `details`) and `hint`. Whatever else the driver attaches (postgres.js adds `query`, `parameters`,
 * `where`, `internal_query`, `file`, `line`, `routine`…) is never rendered, so neither the SQL text nor bind
 * parameters reach a response. An error without a SQLSTATE (a network error, a bug) becomes an opaque
 * `PGRSTX00` 500. The driver's error is not kept as `cause` either, so logging the result cannot leak
 * the query or its parameters; a caller that logs the original must redact it itself.
 *
 * @example
 * ```ts
 * try {
 *   await sql.unsafe(text, params);
 * } catch (err) {
 *   throw databaseError(err, { authenticated: true }); // 23505 → 409
 * }
 * ```
 */
export function databaseError(error: unknown, options: DatabaseErrorOptions): PostgrestError {
  const code = stringField(error, "code");
  const message = stringField(error, "message");
  if (code === null || !SQLSTATE.test(code) || message === null) {
    return new PostgrestError("PGRSTX00");
  }
  const status = statusForSqlState(code, { authenticated: options.authenticated, message });
  if (RETRYABLE.has(code)) {
    // The whole transaction was rolled back, so trying again is the remedy. The server's detail names
    // processes and transactions: not for clients.
    return new PostgrestError(code, message, { status: 503, retryAfter: 1 });
  }
  if (REQUEST_LIMITS.has(code)) {
    // A PostgreSQL limit met by what the request sent (an array of more than 6 dimensions, a value too big
    // for an index, too many columns): the client's to fix, so not a 500 as in PostgREST. The server's text
    // may name an index, so it is replaced.
    return new PostgrestError(code, "The request exceeds a limit of PostgreSQL", {
      status: 400,
      hint: "Send smaller values, fewer items or less nesting (arrays have at most 6 dimensions)",
    });
  }
  if (status >= 500 && !EXPLAINED_SERVER_ERRORS.has(code)) {
    // A server-side failure the client cannot act on: its text may name settings or internals (54001's
    // hint quotes max_stack_depth). The opaque body keeps the SQLSTATE in `details` for support.
    return new PostgrestError("PGRSTX00", undefined, { status, details: `SQLSTATE ${code}` });
  }
  return new PostgrestError(code, withoutAliases(message), {
    status,
    details: withoutAliases(stringField(error, "detail") ?? stringField(error, "details")),
    hint: withoutAliases(stringField(error, "hint")) ?? FIXED_HINTS.get(code) ?? null,
  });
}

/** What to do about an error whose server text says what happened but not what to do. */
const FIXED_HINTS: ReadonlyMap<string, string> = new Map([
  ["57014", "The request ran longer than the statement timeout: narrow it with filters or a smaller limit"],
]);

/**
 * PostgreSQL limits a request's values can meet: `program_limit_exceeded`, `too_many_columns`,
 * `too_many_arguments`. `54001` (stack depth) stays a 500: it is the server's setting.
 */
const REQUEST_LIMITS = new Set(["54000", "54011", "54023"]);

/** A deadlock or serialization failure: the request can simply be sent again. */
const RETRYABLE = new Set(["40P01", "40001"]);

/**
 * Server messages about the gateway's statements name its table aliases (`"pgrst_t0.status"`); the client
 * named a column, so the message says the column (`"status"`), as PostgREST's does.
 */
function withoutAliases<T extends string | null>(text: T): T {
  return (text === null ? null : text.replace(/\bpgrst_t\d+\./g, "")) as T;
}

function stringField(value: unknown, name: string): string | null {
  if (typeof value !== "object" || value === null) return null;
  const field: unknown = (value as Record<string, unknown>)[name];
  return typeof field === "string" ? field : null;
}
