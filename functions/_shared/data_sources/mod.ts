/**
 * Data sources: the databases tenants' rows live in.
 *
 * - Credentials: {@linkcode sealCredentials} / {@linkcode openCredentials} (one sealed JSON document per
 *   row, bound to its row by associated data); {@linkcode DataSource} holds the opened credentials in a
 *   private field, so logs and JSON show a masked URL only.
 * - The registry: {@linkcode registerDataSource}, {@linkcode registerKeys}.
 * - Health: {@linkcode probeDataSource} (connect, `select 1`, `private.schema_version()`, latency).
 * - The gateway's pools: {@linkcode DataSourcePools}, one lazily created postgres.js pool per data
 *   source (max from `pool_max`, idle timeout 30 s, max lifetime 30 min ± 10 %, LRU cap 50 pools,
 *   global budget 200 connections, `prepare: false` through a transaction-mode pooler: a `direct_url`
 *   besides `url`, port 6543 or `?prepare=false`; at most one connection opening at a time), each behind a
 *   {@linkcode CircuitBreaker} (opens after 3 consecutive connection failures for 5 s, doubling to
 *   30 s; half-open trial). An unavailable data source throws {@linkcode DataSourceUnavailableError}
 *   (TR503, 503 with `Retry-After`) for its tenants only.
 *
 * @module
 */
export {
  CREDENTIALS_CONTEXT,
  type DataSourceCredentials,
  openCredentials,
  PostgresCredentials,
  sealCredentials,
  sessionUrl,
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
export {
  DataSource,
  type DataSourceOptions,
  type DataSourceStatus,
  type DataSourceView,
} from "./data_source.ts";
export {
  DataSourceUnavailableError,
  type DataSourceUnavailableErrorOptions,
  type DataSourceUnavailableReason,
  PoolBusyError,
} from "./errors.ts";
export { isConnectionFailure } from "./_connection_errors.ts";
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
} from "./pools.ts";
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
