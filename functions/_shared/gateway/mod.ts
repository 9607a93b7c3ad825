/**
 * The `tenant-data` gateway: PostgREST requests routed to each tenant's database under RLS.
 * Stages: parse (`../postgrest/parse_*`) → plan against the catalog snapshot (`catalog_cache.ts`,
 * `../postgrest/plan_*`) → sql (`../postgrest/sql_*`) → execute (`execute.ts`, the only stage that
 * touches a tenant database) → respond (`respond.ts`).
 *
 * @module
 */
export { CatalogCache, type CatalogCacheOptions } from "../catalog/mod.ts";
export { type BoundStatement, type ExecuteOptions, executeStatement, type RequestClaims } from "./execute.ts";
export { errorResponse, type ErrorResponseOptions } from "./error_response.ts";
export { createGatewayHandlerFromEnv, type GatewayFromEnvOptions } from "./gateway_from_env.ts";
export { createGatewayHandler, type GatewayHandlerOptions } from "./handler.ts";
export { requireMaxAffected, requireSingleRow, respond, type ResultRow } from "./respond.ts";
export {
  type ExecutionSettings,
  executionSettings,
  runPostgrest,
  type RunPostgrestOptions,
} from "./run_postgrest.ts";
