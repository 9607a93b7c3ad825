/**
 * The `tenant-data` handler configured from the function's environment: `SUPABASE_DB_URL` (the
 * application database), `TENANT_ENCRYPTION_KEYS` / `TENANT_ENCRYPTION_ACTIVE_KEY`, the JWT keys
 * (`SUPABASE_JWT_SECRET`, `SUPABASE_JWKS`, `SUPABASE_JWKS_URL`), and optional limits in milliseconds:
 * `TENANT_DATA_STATEMENT_TIMEOUT_MS` (default 8000), `TENANT_DATA_ACQUIRE_TIMEOUT_MS` (3000) and
 * `TENANT_DIRECTORY_TTL_MS` (30000); the pools' sizing per function instance: `TENANT_DATA_CONNECTION_BUDGET`
 * (200 connections over all pools) and `TENANT_DATA_MAX_POOLS` (50 pools); `TENANT_DATA_STATS_INTERVAL_MS`
 * (off by default) logs the caches' and pools' counters every so often, one JSON line, never a secret.
 *
 * @module
 */
import { ApiKeyVerifier, type EnvReader, JwtVerifier } from "../auth/mod.ts";
import { Keyring } from "../crypto/mod.ts";
import { DataSourcePools } from "../data_sources/mod.ts";
import { PostgrestError } from "../postgrest/mod.ts";
import { TenantDirectory } from "../tenancy/mod.ts";
import { CatalogCache } from "../catalog/mod.ts";
import { createGatewayHandler } from "./handler.ts";

/** Options of {@linkcode createGatewayHandlerFromEnv}. */
export interface GatewayFromEnvOptions {
  functionName: string;
  log?: (line: string) => void;
}

/**
 * Builds the gateway from the environment. When the configuration is incomplete the reason is logged
 * once (variable names only, never a value): `/health` answers 503 `unconfigured` and every other request
 * `TR505`, so one misconfigured function does not take a shared functions server down.
 *
 * @example
 * ```ts
 * Deno.serve(await createGatewayHandlerFromEnv(Deno.env, { functionName: "tenant-data" }));
 * ```
 */
export async function createGatewayHandlerFromEnv(
  env: EnvReader,
  options: GatewayFromEnvOptions,
): Promise<(request: Request) => Promise<Response>> {
  const log = options.log ?? console.error;
  try {
    const [keyring, jwtVerifier] = await Promise.all([Keyring.fromEnv(env), JwtVerifier.fromEnv(env)]);
    const apiKeys = ApiKeyVerifier.fromEnv(env, { jwtVerifier });
    const statementTimeoutMs = millisecondsFromEnv(env, "TENANT_DATA_STATEMENT_TIMEOUT_MS");
    const acquireTimeoutMs = millisecondsFromEnv(env, "TENANT_DATA_ACQUIRE_TIMEOUT_MS");
    const ttlMs = millisecondsFromEnv(env, "TENANT_DIRECTORY_TTL_MS");
    const connectionBudget = countFromEnv(env, "TENANT_DATA_CONNECTION_BUDGET");
    const maxPools = countFromEnv(env, "TENANT_DATA_MAX_POOLS");
    const statsIntervalMs = millisecondsFromEnv(env, "TENANT_DATA_STATS_INTERVAL_MS");
    const pools = new DataSourcePools({
      applicationName: options.functionName,
      ...(acquireTimeoutMs === undefined ? {} : { acquireTimeoutMs }),
      ...(connectionBudget === undefined ? {} : { connectionBudget }),
      ...(maxPools === undefined ? {} : { maxPools }),
    });
    const catalogs = new CatalogCache();
    const directory = TenantDirectory.fromEnv(env, {
      keyring,
      log,
      ...(ttlMs === undefined ? {} : { ttlMs }),
      // null: changes may have been missed, so no snapshot can be trusted; pools check their own version.
      onDataSourceChange: (id) => {
        if (id === null) return catalogs.clear();
        void pools.invalidate(id);
        catalogs.invalidate(id);
      },
    });
    directory.start();
    if (statsIntervalMs !== undefined) {
      const timer = setInterval(() => {
        const { pools: open, allocatedConnections, connectionBudget } = pools.stats();
        log(`${options.functionName}: stats ${
          JSON.stringify({
            directory: directory.stats(),
            catalogs: catalogs.stats(),
            pools: {
              count: open.length,
              allocatedConnections,
              connectionBudget,
              connections: open.reduce((sum, pool) => sum + pool.connections, 0),
              waiting: open.reduce((sum, pool) => sum + pool.waiting, 0),
            },
          })
        }`);
      }, statsIntervalMs);
      Deno.unrefTimer(timer);
    }
    return createGatewayHandler({
      ...options,
      jwtVerifier,
      apiKeys,
      directory,
      pools,
      catalogs,
      log,
      ...(statementTimeoutMs === undefined ? {} : { statementTimeoutMs }),
      ...(acquireTimeoutMs === undefined ? {} : { acquireTimeoutMs }),
    });
  } catch (error) {
    log(
      `${options.functionName}: not configured: ${error instanceof Error ? error.message : "unknown error"}`,
    );
    return function handleUnconfigured(request: Request): Promise<Response> {
      if (new URL(request.url).pathname.endsWith(`/${options.functionName}/health`)) {
        return Promise.resolve(Response.json({ status: "unconfigured", function: options.functionName }, {
          status: 503,
        }));
      }
      return Promise.resolve(new PostgrestError("TR505").toResponse());
    };
  }
}

/** An optional count of 1 or more from the environment. */
function countFromEnv(env: EnvReader, name: string): number | undefined {
  const text = env.get(name)?.trim();
  if (!text) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new TypeError(`${name} must be a whole number of 1 or more`);
  }
  return value;
}

/** An optional positive whole number of milliseconds from the environment. */
function millisecondsFromEnv(env: EnvReader, name: string): number | undefined {
  const text = env.get(name)?.trim();
  if (!text) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) {
    throw new TypeError(`${name} must be a whole number of milliseconds above 0`);
  }
  return value;
}
