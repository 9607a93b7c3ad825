import assert from "node:assert/strict";
import * as mod from "./mod.ts";

Deno.test("mod.ts exports the public API", () => {
  assert.deepEqual(Object.keys(mod).sort(), [
    "CREDENTIALS_CONTEXT",
    "CircuitBreaker",
    "DEFAULT_CONNECTION_BUDGET",
    "DEFAULT_CONNECT_TIMEOUT_SECONDS",
    "DEFAULT_COOL_DOWN_MS",
    "DEFAULT_END_TIMEOUT_SECONDS",
    "DEFAULT_FAILURE_THRESHOLD",
    "DEFAULT_IDLE_TIMEOUT_SECONDS",
    "DEFAULT_LIFETIME_JITTER",
    "DEFAULT_MAX_COOL_DOWN_MS",
    "DEFAULT_MAX_LIFETIME_SECONDS",
    "DEFAULT_MAX_POOLS",
    "DEFAULT_PROBE_INTERVAL_MS",
    "DEFAULT_PROBE_TIMEOUT_MS",
    "DEFAULT_TRIAL_TIMEOUT_MS",
    "DataSource",
    "DataSourcePools",
    "DataSourceUnavailableError",
    "PoolBusyError",
    "PostgresCredentials",
    "SupabaseCredentials",
    "TRANSACTION_MODE_PORTS",
    "databaseUrlOf",
    "displayFields",
    "isConnectionFailure",
    "isTransactionModeUrl",
    "openCredentials",
    "probeDataSource",
    "registerDataSource",
    "registerKeys",
    "sealCredentials",
  ]);
});
