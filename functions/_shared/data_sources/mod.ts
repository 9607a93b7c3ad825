/**
 * Data sources: the databases tenants' rows live in, and the one door to them. This folder reads a data
 * source's row, decrypts its credentials, caches it, and serves both kinds behind one breaker registry.
 *
 * - Credentials: {@linkcode sealCredentials} / {@linkcode openCredentials} (one sealed JSON document per
 *   row, bound to its row by associated data); {@linkcode DataSource} holds the opened credentials in a
 *   private field, so logs and JSON show a masked URL only.
 * - The registry: {@linkcode registerDataSource}, {@linkcode registerKeys}.
 * - Health: {@linkcode probeDataSource} (connect, `select 1`, `private.schema_version()`, latency).
 * - Where a secret is decrypted on the request path: {@linkcode DataSourceCache} reads a row from the
 *   application database, opens its credentials once per sealed value and caches the {@linkcode DataSource}.
 * - Serving: {@linkcode DataSourcePools.serve} answers a request from a data source of either kind: a
 *   `postgres` one through its pool ({@linkcode DataSourcePools.run}), a `supabase` one by forwarding to
 *   the project's Data API ({@linkcode forwardToSupabase}, a minted short-lived JWT).
 * - The pools: {@linkcode DataSourcePools}, one lazily created postgres.js pool per data
 *   source (max from `pool_max`, idle timeout 30 s, max lifetime 30 min ± 10 %, LRU cap 50 pools,
 *   global budget 200 connections, `prepare: false` through a transaction-mode pooler: a `direct_url`
 *   besides `url`, port 6543 or `?prepare=false`; at most one connection opening at a time), each behind a
 *   {@linkcode CircuitBreaker} (opens after 3 consecutive connection failures for 5 s, doubling to
 *   30 s; half-open trial). An unavailable data source throws {@linkcode DataSourceUnavailableError}
 *   (TR503, 503 with `Retry-After`) for its tenants only. `supabase` data sources have their breaker in
 *   the same registry.
 *
 * Layer 3: may import `errors`, `http`, `crypto`, `postgres_js` (and nothing above); `tenancy`, the
 * control plane, the move engine and the gateway build on it.
 *
 * @module
 */
export {
  CREDENTIALS_CONTEXT,
  databaseUrlOf,
  type DataSourceCredentials,
  openCredentials,
  PostgresCredentials,
  sealCredentials,
  SupabaseCredentials,
} from "./credentials.ts";
export {
  CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitDecision,
  type CircuitPermit,
  type CircuitState,
  DEFAULT_COOL_DOWN_MS,
  DEFAULT_FAILURE_THRESHOLD,
  DEFAULT_MAX_COOL_DOWN_MS,
  DEFAULT_TRIAL_TIMEOUT_MS,
} from "./circuit_breaker.ts";
export { DataSourceCache, type DataSourceCacheOptions } from "./data_source_cache.ts";
export {
  DataSource,
  type DataSourceOptions,
  type DataSourceStatus,
  type DataSourceView,
  POSTGREST_DEFAULTS,
  type PostgrestSettings,
} from "./data_source.ts";
export {
  DataSourceUnavailableError,
  type DataSourceUnavailableErrorOptions,
  type DataSourceUnavailableReason,
  PoolBusyError,
} from "./errors.ts";
export { isConnectionFailure } from "../postgres_js/mod.ts";
export {
  type BreakerInfo,
  type CloseAllOptions,
  DataSourcePools,
  type DataSourcePoolsOptions,
  type DataSourcePoolsStats,
  DEFAULT_ACQUIRE_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_SECONDS,
  DEFAULT_CONNECTION_BUDGET,
  DEFAULT_END_TIMEOUT_SECONDS,
  DEFAULT_IDLE_TIMEOUT_SECONDS,
  DEFAULT_LIFETIME_JITTER,
  DEFAULT_MAX_LIFETIME_SECONDS,
  DEFAULT_MAX_POOLS,
  DEFAULT_PROBE_INTERVAL_MS,
  type PoolInfo,
  type RunContext,
  type RunWithPool,
  type ServeOptions,
} from "./pools.ts";
export {
  DEFAULT_FORWARD_TIMEOUT_MS,
  FORWARD_TOKEN_TTL_SECONDS,
  FORWARDED_REQUEST_HEADERS,
  forwardToSupabase,
  type ForwardToSupabaseOptions,
  PASSED_RESPONSE_HEADERS,
} from "./forward_supabase.ts";
export { LoadingCache, type LoadingCacheOptions, type LoadingCacheStats } from "./loading_cache.ts";
export type { RequestClaims } from "./request_claims.ts";
export { DEFAULT_PROBE_TIMEOUT_MS, probeDataSource, type ProbeOptions, type ProbeResult } from "./probe.ts";
export {
  displayFields,
  type Queryable,
  registerDataSource,
  type RegisterDataSourceOptions,
  type RegisteredDataSource,
  registerKeys,
} from "./registry.ts";
export { isTransactionModePool, isTransactionModeUrl, TRANSACTION_MODE_PORTS } from "./transaction_mode.ts";
