/**
 * Reading postgres.js and network errors without repeating them: which ones mean "this data source cannot
 * be reached" (the circuit breaker counts them), and a short description built only from fixed words and
 * validated codes, never from the error's message (which can name hosts, ports, users or databases).
 *
 * @module
 */

/** Codes of the network layer and postgres.js that mean the connection could not be made or was lost. */
const NETWORK_CODES: ReadonlyMap<string, string> = new Map([
  ["ECONNREFUSED", "connection refused"],
  ["ECONNRESET", "connection reset"],
  ["ECONNABORTED", "connection aborted"],
  ["EPIPE", "connection closed"],
  ["ETIMEDOUT", "connection timed out"],
  ["EHOSTUNREACH", "host unreachable"],
  ["ENETUNREACH", "network unreachable"],
  ["ENOTFOUND", "host not found"],
  ["EAI_AGAIN", "host not found"],
  ["CONNECT_TIMEOUT", "connection timed out"],
  ["CONNECTION_CLOSED", "connection closed"],
  ["CONNECTION_DESTROYED", "connection closed"],
]);

/** SQLSTATEs that mean the server refused or dropped the session, whatever their severity. */
const CONNECTION_SQLSTATES: ReadonlyMap<string, string> = new Map([
  ["28000", "authentication failed"],
  ["28P01", "authentication failed"],
  ["3D000", "database does not exist"],
  ["53300", "too many connections"],
  ["57P01", "server shut down the connection"],
  ["57P02", "server crashed"],
  ["57P03", "server cannot accept connections now"],
]);

/** SQLSTATEs a probe reports in words when a query fails. */
const QUERY_SQLSTATES: ReadonlyMap<string, string> = new Map([
  ["42883", "private.schema_version() is missing (tenant schema not installed)"],
  ["3F000", "schema private is missing (tenant schema not installed)"],
  ["42501", "permission denied"],
  ["57014", "query cancelled (statement timeout)"],
]);

const SQLSTATE = /^[0-9A-Z]{5}$/;

interface ErrorFields {
  code: string | undefined;
  severity: string | undefined;
  isPostgres: boolean;
}

function fields(error: unknown): ErrorFields {
  if (typeof error !== "object" || error === null) {
    return { code: undefined, severity: undefined, isPostgres: false };
  }
  const record = error as Record<string, unknown>;
  const code = typeof record.code === "string" ? record.code : undefined;
  const severity = typeof record.severity === "string" ? record.severity : undefined;
  return { code, severity, isPostgres: record.name === "PostgresError" };
}

/**
 * Whether `error` means the data source could not be reached or refused the session: a network error, a
 * postgres.js connection timeout or closed connection, a `FATAL`/`PANIC` server error (authentication,
 * unknown database, Supavisor's refusals), SQLSTATE class 08, too many connections, or a shutdown.
 * Errors of a query the server answered (syntax, constraint, RLS, statement timeout) are not.
 */
export function isConnectionFailure(error: unknown): boolean {
  const { code, severity, isPostgres } = fields(error);
  if (code === undefined) return false;
  if (isPostgres) {
    return severity === "FATAL" || severity === "PANIC" || code.startsWith("08") ||
      CONNECTION_SQLSTATES.has(code);
  }
  return NETWORK_CODES.has(code);
}

/**
 * A description of a connection or query error for logs, CLI output and error messages, made of fixed
 * words plus the SQLSTATE or network code: `authentication failed (SQLSTATE 28P01)`,
 * `connection refused (ECONNREFUSED)`. Never the error's own message, so never a host, user, database,
 * URL or password.
 */
export function describeConnectionError(error: unknown): string {
  const { code, isPostgres } = fields(error);
  if (code !== undefined && isPostgres && SQLSTATE.test(code)) {
    const words = CONNECTION_SQLSTATES.get(code) ?? QUERY_SQLSTATES.get(code) ??
      (code.startsWith("08") ? "connection failure" : "database error");
    return `${words} (SQLSTATE ${code})`;
  }
  const network = code === undefined ? undefined : NETWORK_CODES.get(code);
  if (network !== undefined) return `${network} (${code})`;
  if (error instanceof Error && error.name === "AbortError") return "request aborted";
  if (error instanceof Error && error.name === "TimeoutError") return "timed out";
  return "connection failed";
}
