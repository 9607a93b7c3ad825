/**
 * Tenancy: which tenant a request is for, the caller's role in it, and where the tenant's rows live.
 *
 * - {@linkcode TenantDirectory}: reads tenants and memberships from the application database
 *   (`SUPABASE_DB_URL`) and asks `../data_sources/` (its `DataSourceCache`, which decrypts) for the
 *   tenant's data source; caches memberships per user (and data sources by id) for 30 s, dropped at once by LISTEN/NOTIFY on
 *   `tenant_router_config`. {@linkcode TenantDirectory.resolveTenant} applies the rule of
 *   ARCHITECTURE.md: `x-tenant-id` among the user's memberships; else the one membership; else the
 *   token's `tenant_id` claim; else 400.
 * - Errors, all `PostgrestError`s the gateway answers with `err.toResponse()`:
 *
 * | error | code | status | when |
 * | --- | --- | --- | --- |
 * | {@linkcode TenantAccessError} `tenant_required` | `TR401` | 400 | several memberships, no `x-tenant-id`, no usable claim |
 * | {@linkcode TenantAccessError} `not_accessible` | `TR403` | 403 | unknown tenant, not a member, or no membership at all (one body) |
 * | {@linkcode TenantAccessError} `suspended` | `TR403` | 403 | a member of a suspended tenant |
 * | `DataSourceUnavailableError` | `TR503` | 503 + `Retry-After` | credentials do not open, data source disabled or missing |
 * | {@linkcode TenantDirectoryUnavailableError} | `TR503` | 503 + `Retry-After: 5` | the application database cannot be read and nothing fresh is cached |
 *
 * @example
 * ```ts
 * import { TenantDirectory } from "../_shared/tenancy/mod.ts";
 * import { DataSourcePools } from "../_shared/data_sources/mod.ts";
 *
 * const pools = new DataSourcePools();
 * const directory = TenantDirectory.fromEnv(Deno.env, {
 *   keyring: await Keyring.fromEnv(Deno.env),
 *   onDataSourceChange: (id) => id === null || void pools.invalidate(id),
 * });
 * const { tenant, role, dataSource } = await directory.resolveTenant({
 *   userId: claims.sub,
 *   requestedTenant: request.headers.get("x-tenant-id"),
 *   tokenTenantId: typeof claims.tenant_id === "string" ? claims.tenant_id : undefined,
 * });
 * const rows = await pools.run(dataSource, (sql) => sql.begin(async (tx) => …));
 * ```
 *
 * Layer 3, above `data_sources`: may import `errors`, `http`, `crypto`, `postgres_js` and `data_sources`.
 *
 * @module
 */
export {
  DATABASE_URL_VARIABLE,
  DEFAULT_DIRECTORY_TTL_MS,
  DEFAULT_MAX_USERS,
  freezeRetryAfterSeconds,
  type Membership,
  type ResolveTenantRequest,
  type Tenant,
  TenantDirectory,
  type TenantDirectoryOptions,
  type TenantDirectoryStats,
  type TenantResolution,
  type TenantRole,
  type TenantStatus,
  writesFrozenNow,
} from "./directory.ts";
export {
  DIRECTORY_RETRY_AFTER_SECONDS,
  DIRECTORY_UNAVAILABLE_MESSAGE,
  TENANT_SUSPENDED_MESSAGE,
  TenantAccessError,
  type TenantAccessReason,
  TenantDirectoryUnavailableError,
} from "./errors.ts";
export { CONFIG_CHANNEL, type ConfigChange, type ConfigListenerStats } from "./_config_listener.ts";
export { writeFenceKey } from "./write_fence.ts";
