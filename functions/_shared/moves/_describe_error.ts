// Internal: what a failed move records as its error: for the operator, never SQL text, a connection
// string or a secret.
import { describeConnectionError, isConnectionFailure } from "../postgres_js/mod.ts";
import { MoveError } from "./errors.ts";

/** A one-line reason for `tenant_moves.error`. */
export function describeError(error: unknown): string {
  if (error instanceof MoveError) {
    return error.hint === null ? error.message : `${error.message}. ${error.hint}`;
  }
  if (error instanceof RangeError || error instanceof TypeError) return error.message;
  const record = (typeof error === "object" && error !== null ? error : {}) as Record<string, unknown>;
  if (record.name === "PostgresError" && !isConnectionFailure(error) && typeof record.message === "string") {
    // A query the server refused: its message names objects, not values or credentials.
    return `Database error: ${record.message} (SQLSTATE ${String(record.code)})`;
  }
  return `Database unreachable: ${describeConnectionError(error)}`;
}
