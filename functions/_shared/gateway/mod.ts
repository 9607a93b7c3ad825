/**
 * The `tenant-data` gateway: PostgREST requests routed to each tenant's database under RLS.
 * Stages: auth (`../auth/`) → tenant (`../tenancy/`) → parse (`../postgrest/parse/`) → plan against the
 * catalog snapshot (`../catalog/`, `../postgrest/plan/`) → sql (`../postgrest/sql/`) → execute
 * (`execute.ts`, the only stage that touches a tenant database) → respond (`respond.ts`). The data source
 * of either kind is served through `../data_sources/` (`DataSourcePools.serve`): the handler never
 * branches on the kind.
 *
 * Layer 6 (a transport): may import every layer below; nothing imports it but the `tenant-data` function.
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
