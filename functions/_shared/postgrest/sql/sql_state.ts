/**
 * PostgreSQL SQLSTATE → HTTP status, exactly as PostgREST maps them (`mapSQLtoHTTP` in
 * `src/PostgREST/Error.hs`). The executor uses it for every database error.
 *
 * @module
 */

/** Options of {@linkcode statusForSqlState}. */
export interface StatusForSqlStateOptions {
  /** Whether the request carried a user JWT: decides 403 (authenticated) or 401 (anon) for `42501`. */
  authenticated: boolean;
  /** The server's message: a few codes depend on it, as in PostgREST. */
  message?: string;
}

/**
 * The HTTP status for a database error with SQLSTATE `code`. The first matching rule wins:
 *
 * | SQLSTATE | status | condition |
 * | --- | --- | --- |
 * | `08*` | 503 | connection exception |
 * | `09*` | 500 | triggered action exception |
 * | `0L*`, `0P*` | 403 | invalid grantor, invalid role specification |
 * | `23503`, `23505` | 409 | foreign key violation, unique violation |
 * | `25006` | 405 | read-only transaction (a write in a GET) |
 * | `21000` | 400 if the message ends in "requires a WHERE clause" (pg-safeupdate), else 500 | cardinality violation |
 * | `22023` | 401 if the message is "role … does not exist", else 400 | invalid parameter value |
 * | `25*`, `2D*`, `38*`, `39*`, `3B*`, `40*` | 500 | transaction state, external routine, savepoint, rollback |
 * | `28*` | 403 | invalid authorization specification |
 * | `53400` | 500 | configuration limit exceeded |
 * | `53*` | 503 | insufficient resources |
 * | `54*`, `55*` | 500 | program limit exceeded, object not in prerequisite state |
 * | `57P01` | 503 | admin shutdown |
 * | `57*` (e.g. `57014` statement timeout) | 500 | operator intervention |
 * | `58*`, `F0*`, `HV*`, `XX*` | 500 | system, config file, foreign data wrapper, internal |
 * | `P0001` | 400 | `raise exception` default |
 * | `P0*` | 500 | other PL/pgSQL errors |
 * | `42883` | 406 for `xmlagg(`, else 404 | undefined function |
 * | `42P01` | 404 | undefined table |
 * | `42P17` | 500 | infinite recursion (e.g. in a policy) |
 * | `42501` | 403 when authenticated, 401 for anon | insufficient privilege (and RLS `with check`) |
 * | `PTnnn` | nnn (100–599, else 500) | `raise sqlstate 'PT404'`: the function chooses the status |
 * | anything else (`22*`, `23502`, `23514`, `42703`, `P0002`…) | 400 | |
 *
 * `PGRST` (a `raise sqlstate 'PGRST'` with a JSON message for full response control) is not supported:
 * it is answered with 500.
 *
 * @example
 * ```ts
 * statusForSqlState("23505", { authenticated: true }); // 409
 * statusForSqlState("42501", { authenticated: false }); // 401
 * ```
 */
export function statusForSqlState(code: string, options: StatusForSqlStateOptions): number {
  const message = options.message ?? "";
  const prefix = code.slice(0, 2);
  if (prefix === "08") return 503;
  if (prefix === "09") return 500;
  if (prefix === "0L" || prefix === "0P") return 403;
  switch (code) {
    case "23503":
    case "23505":
      return 409;
    case "25006":
      return 405;
    case "21000":
      return message.endsWith("requires a WHERE clause") ? 400 : 500;
    case "22023":
      return message.startsWith("role") && message.endsWith("does not exist") ? 401 : 400;
  }
  if (["25", "2D", "38", "39", "3B", "40"].includes(prefix)) return 500;
  if (prefix === "28") return 403;
  if (code === "53400") return 500;
  if (prefix === "53") return 503;
  if (prefix === "54" || prefix === "55") return 500;
  if (code === "57P01") return 503;
  if (["57", "58", "F0", "HV"].includes(prefix)) return 500;
  if (code === "P0001") return 400;
  if (prefix === "P0" || prefix === "XX") return 500;
  switch (code) {
    case "42883":
      return message.startsWith("function xmlagg(") ? 406 : 404;
    case "42P01":
      return 404;
    case "42P17":
      return 500;
    case "42501":
      return options.authenticated ? 403 : 401;
    case "PGRST":
      return 500;
  }
  if (prefix === "PT") {
    const status = /^PT(\d{3})$/.exec(code)?.[1];
    const value = status === undefined ? NaN : Number(status);
    return value >= 100 && value <= 599 ? value : 500;
  }
  return 400;
}
