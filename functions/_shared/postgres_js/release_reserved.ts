/**
 * Handing a reserved postgres.js connection back, without tripping postgres.js 3.4.9: when a reserved
 * connection's socket closes, postgres.js files it among its closed connections at once; `release()` then
 * moves it, socket-less, among the open ones, and the next query written to it throws from a timer
 * (`Cannot read properties of null (reading 'write')`), which ends the process.
 *
 * @module
 */
import type postgres from "postgres";
import { isConnectionFailure } from "./connection_errors.ts";

/**
 * Releases `connection` unless `error` (the error its last use ended with, if any) says its socket is
 * gone: postgres.js has taken such a connection back already.
 *
 * A server error, even a FATAL one, does not say so: postgres.js rejects the query that was running when
 * the server ended the session with `CONNECTION_CLOSED`, and may hand the FATAL error to the next query
 * of the reconnected connection, which is alive and must be released.
 *
 * @example
 * ```ts
 * const connection = await sql.reserve();
 * let failure: unknown;
 * try {
 *   await connection`select 1`;
 * } catch (error) {
 *   failure = error;
 *   throw error;
 * } finally {
 *   releaseReserved(connection, failure);
 * }
 * ```
 */
export function releaseReserved(connection: postgres.ReservedSql, error?: unknown): void {
  if (!socketLost(error)) connection.release();
}

function socketLost(error: unknown): boolean {
  return isConnectionFailure(error) && (error as { name?: unknown }).name !== "PostgresError";
}
