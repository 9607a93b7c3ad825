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
 * - {@linkcode planRequest}: an `ApiRequest` checked against the snapshot → a {@linkcode Plan}. Pure. Calls
 *   of functions (`/rpc/<name>`) are planned by {@linkcode planCall}, which picks the overload with
 *   {@linkcode findFunction}.
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

export type * from "./catalog.ts";
export { findColumn, findTable } from "./catalog.ts";
export {
  DEFAULT_SCOPE_COLUMNS,
  relationshipsFrom,
  type RelationshipsFromOptions,
} from "./catalog_relationships.ts";
export { databaseError, type DatabaseErrorOptions } from "./database_error.ts";
export {
  ERROR_CODES,
  type ErrorCode,
  type ErrorCodeInfo,
  type ErrorLayer,
  isErrorCode,
  RETIRED_CODES,
} from "./error_codes.ts";
export { PostgrestError, type PostgrestErrorBody, type PostgrestErrorOptions } from "./errors.ts";
export {
  MAX_BODY_BYTES,
  MAX_CONDITIONS,
  MAX_EMBED_DEPTH,
  MAX_JSON_DEPTH,
  MAX_LIMIT,
  MAX_LOGIC_DEPTH,
  MAX_OFFSET,
  MAX_ORDER_TERMS,
  MAX_PATTERN_LENGTH,
  MAX_SELECT_ITEMS,
} from "./limits.ts";
export { loadCatalog, type LoadCatalogOptions } from "./load_catalog.ts";
export { type MediaRange, parseAccept, parseMediaRange } from "./parse_accept.ts";
export { parseBody, type ParseBodyOptions } from "./parse_body.ts";
export { parseContentType } from "./parse_content_type.ts";
export { parseFilter } from "./parse_filter.ts";
export { DEFAULT_SCHEMAS, parseHeaders, type ParseHeadersOptions } from "./parse_headers.ts";
export { parseLogic, type ParseLogicOptions } from "./parse_logic.ts";
export { parseOrder } from "./parse_order.ts";
export { parsePrefer } from "./parse_prefer.ts";
export { parseQuery, type ParseQueryOptions } from "./parse_query.ts";
export { parseRange, type ParseRangeOptions } from "./parse_range.ts";
export { API_PREFIX, parseRequest, type ParseRequestOptions } from "./parse_request.ts";
export { CAST_TYPE_PATTERN, parseSelect, type ParseSelectOptions } from "./parse_select.ts";
export type * from "./plan.ts";
export { findRelationship, type FindRelationshipOptions } from "./plan_relationship.ts";
export { planCall, type PlanCallOptions } from "./plan_call.ts";
export { findFunction, type FindFunctionOptions, type FoundFunction } from "./plan_function.ts";
export { planRequest, type PlanRequestOptions } from "./plan_request.ts";
export { readBody, type ReadBodyOptions } from "./read_body.ts";
export type * from "./request.ts";
export { type SqlParam, type SqlStatement } from "./sql_fragment.ts";
export { buildQuery, type SqlQuery } from "./sql_query.ts";
export { statusForSqlState, type StatusForSqlStateOptions } from "./sql_state.ts";
export { QuerySyntaxError, type QuerySyntaxErrorOptions } from "./syntax_error.ts";
