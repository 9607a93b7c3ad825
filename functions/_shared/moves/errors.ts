/**
 * The one error a caller of the move engine catches: a move that cannot start or continue, with the reason
 * the CLI and the admin API map to an exit code or an HTTP status.
 *
 * @module
 */

/**
 * Why a move was refused:
 *
 * - `not_found`: no such tenant, data source or move;
 * - `conflict`: the move's or the tenant's state forbids it (an unfinished move exists, the move is done,
 *   the tenant already lives in that database, the data source takes no new tenants);
 * - `schema_mismatch`: source and target hold different tenant-schema versions;
 * - `unsupported`: a data source without a database URL, a table the engine cannot copy;
 * - `unavailable`: a database cannot be reached or its credentials do not open;
 * - `busy`: another process is running this move right now.
 */
export type MoveErrorReason =
  | "not_found"
  | "conflict"
  | "schema_mismatch"
  | "unsupported"
  | "unavailable"
  | "busy";

/** Options of {@linkcode MoveError}. */
export interface MoveErrorOptions {
  /** What to do about it. */
  hint?: string | undefined;
  /** The underlying error (never shown: its message may name hosts or SQL). */
  cause?: unknown;
}

/**
 * A move was refused before it changed anything, or could not continue. The message is written by the
 * engine from names, ids and fixed words: never a connection string, a secret or SQL text.
 *
 * @example
 * ```ts
 * throw new MoveError("schema_mismatch", "Source is at 20261126140500, target at 20261126140400", {
 *   hint: "Provision the target: npm run tenants -- provision tenant_eu",
 * });
 * ```
 */
export class MoveError extends Error {
  /** Why the move was refused. */
  readonly reason: MoveErrorReason;
  /** What to do about it, or `null`. */
  readonly hint: string | null;

  /** Creates the error. */
  constructor(reason: MoveErrorReason, message: string, options: MoveErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
    this.hint = options.hint ?? null;
  }

  /** The error name, shown by `String(err)` and in stacks. */
  override name = "MoveError";
}
