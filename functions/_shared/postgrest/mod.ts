/**
 * The gateway's PostgREST language, one folder per stage of the pipeline parse → plan → sql → execute →
 * respond (execute and respond are the gateway's):
 *
 * - `parse/` ({@linkcode parseRequest}): an HTTP `Request` to `/rest/v1/<table>` or `/rest/v1/rpc/<fn>` →
 *   an {@linkcode ApiRequest}. Pure: no catalog, no database. The limits a request must respect are in
 *   `parse/limits.ts`.
 * - `plan/` ({@linkcode planRequest}): an `ApiRequest` checked against a catalog snapshot → a
 *   {@linkcode Plan}. Pure. Calls of functions (`/rpc/<name>`) are planned by {@linkcode planCall}, which
 *   picks the overload with {@linkcode findFunction}. Unknown tables (`PGRST205`, 404), columns (`42703`,
 *   or `PGRST204` for `columns` and write bodies), functions (`PGRST202`) and relationships
 *   (`PGRST200`/`PGRST201`) are errors here, never SQL.
 * - `sql/` ({@linkcode buildQuery}): a plan → a {@linkcode SqlQuery}, one statement whose values are all
 *   bind parameters; {@linkcode statusForSqlState} and {@linkcode databaseError} read database errors
 *   back with PostgREST's statuses, without query text or parameters.
 *
 * This door re-exports the three stages, and for the gateway's convenience the catalog (`../catalog/`) and
 * the one error type {@linkcode PostgrestError} with its code table (`../errors/`). The grammars throw
 * {@linkcode QuerySyntaxError}; {@linkcode parseQuery} and {@linkcode parseRequest} turn it into
 * `PGRST100`, so a caller of the stage only handles `PostgrestError`.
 *
 * Layer 4: may import `errors`, `http`, `catalog`; no pools, no secrets, no tokens.
 *
 * @example
 * ```ts
 * import { parseRequest, PostgrestError } from "../_shared/postgrest/mod.ts";
 *
 * try {
 *   const apiRequest = await parseRequest(request, { path: "/rest/v1/contacts" });
 *   // plan → sql → execute → respond
 * } catch (err) {
 *   if (err instanceof PostgrestError) return err.toResponse();
 *   throw err;
 * }
 *
 * const query = buildQuery(planRequest(apiRequest, catalog, { maxRows: 1000 }));
 * const [row] = await tx.unsafe(query.statement.text, [...query.statement.params]);
 * ```
 *
 * @module
 */

export * from "./parse/mod.ts";
export * from "./plan/mod.ts";
export * from "./sql/mod.ts";

// The catalog and the error type sit below the language; re-exported so one import serves the gateway.
export * from "../catalog/mod.ts";
export * from "../errors/mod.ts";
