/**
 * The gateway's PostgREST language: the parse stage of the pipeline parse → plan → sql → execute →
 * respond, and the error type of every stage.
 *
 * - {@linkcode parseRequest}: an HTTP `Request` to `/rest/v1/<table>` or `/rest/v1/rpc/<fn>` → an
 *   {@linkcode ApiRequest} (resource, method, query, preferences, accept, range, JSON body). Pure: no
 *   catalog, no database. Its parts are usable alone: {@linkcode parseQuery} (and the grammars
 *   {@linkcode parseSelect}, {@linkcode parseFilter}, {@linkcode parseLogic}, {@linkcode parseOrder}),
 *   {@linkcode parseHeaders} ({@linkcode parsePrefer}, {@linkcode parseAccept}, {@linkcode parseRange},
 *   {@linkcode parseContentType}), {@linkcode readBody} and {@linkcode parseBody}.
 * - {@linkcode PostgrestError}: PostgREST's error body `{code, message, details, hint}` with its HTTP status,
 *   rendered by `toResponse()`. Codes and statuses live in one table, {@linkcode ERROR_CODES}; retired codes
 *   ({@linkcode RETIRED_CODES}) are never reused.
 * - {@linkcode statusForSqlState} and {@linkcode databaseError}: database errors with PostgREST's statuses,
 *   without query text or parameters.
 * - The limits a request must respect are in one module: {@linkcode MAX_LIMIT}, {@linkcode MAX_OFFSET},
 *   {@linkcode MAX_EMBED_DEPTH}, {@linkcode MAX_LOGIC_DEPTH}, {@linkcode MAX_BODY_BYTES}.
 *
 * Then the plan and sql stages:
 *
 * - {@linkcode loadCatalog}: a data source's schema as a {@linkcode Catalog} snapshot (tables, columns,
 *   keys, foreign keys, version): the only database access of the plan stage; cache it per data source.
 * - {@linkcode planRequest}: an `ApiRequest` checked against the snapshot → a {@linkcode Plan}. Pure.
 *   Unknown tables (`PGRST205`, 404), columns (`PGRST204`) and relationships (`PGRST200`/`PGRST201`) are
 *   errors here, never SQL.
 * - {@linkcode buildQuery}: a plan → a {@linkcode SqlQuery}: one statement (every value a bind parameter)
 *   that returns one row `page_total`, `total_count`, `body`, and what the execute and respond stages need
 *   to know (read only, single object, count, offset, max-affected).
 *
 * The grammars throw {@linkcode QuerySyntaxError} (a `SyntaxError` with a 1-based position);
 * {@linkcode parseQuery} and {@linkcode parseRequest} turn it into `PGRST100`, so a caller of the stage
 * only handles `PostgrestError`.
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
