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
import { type DataSource, DataSourcePools, DEFAULT_MAX_POOLS } from "../data_sources/mod.ts";
import {
  API_PREFIX,
  buildQuery,
  type Catalog,
  parseRequest,
  planRequest,
  PostgrestError,
} from "../postgrest/mod.ts";
import { TenantDirectory } from "../tenancy/mod.ts";
import { CatalogCache } from "../catalog/mod.ts";
import { createGatewayHandler } from "./handler.ts";
import { primeConnection } from "./_prime_connection.ts";
import { preparesStatements } from "./execute.ts";

/** Options of {@linkcode createGatewayHandlerFromEnv}. */
export interface GatewayFromEnvOptions {
  functionName: string;
  log?: (line: string) => void;
  /**
   * Prepare at start-up what the first request would wait for (default true): see
   * {@linkcode createGatewayHandlerFromEnv}.
   */
  prepare?: boolean;
}

/** How many of the busiest data sources are opened ahead at start-up (`TENANT_DATA_OPEN_AHEAD`). */
const DEFAULT_OPEN_AHEAD = 50;

/**
 * How long start-up preparation (opening ahead included) may hold the handler back; past it, it goes on
 * beside the requests.
 */
const PREPARE_TIMEOUT_MS = 3000;

/** How many data sources are opened ahead at the same time. */
const OPEN_AHEAD_PARALLEL = 4;

/**
 * How many connections a data source gets opened ahead: a third of its pool's size, at least one. An
 * operator sizes `pool_max` by a data source's traffic, so the busy ones (a dedicated database with
 * `pool_max` 6: 2) meet the first burst with more than one connection, and the small shared ones (3: 1) do
 * not hold connections they may not need (idle ones close after 30 s).
 */
export function connectionsAhead(poolMax: number): number {
  return Math.max(1, Math.floor(poolMax / 3));
}

/**
 * Builds the gateway from the environment. When the configuration is incomplete the reason is logged
 * once (variable names only, never a value): `/health` answers 503 `unconfigured` and every other request
 * `TR505`, so one misconfigured function does not take a shared functions server down.
 *
 * Before it returns (for at most 3 s) it prepares what every first request would otherwise wait for: the
 * anon key verified (the JWT library's first run), the default data source read and decrypted, its pool's
 * first connection opened and its catalog snapshot loaded (shared with every data source at that schema
 * version), and the parse, plan and sql stages run once on it; then the busiest other data sources
 * (`TENANT_DATA_OPEN_AHEAD`, default 50, at most `TENANT_DATA_MAX_POOLS`; 0: none) opened the same way,
 * each with {@linkcode connectionsAhead} connections, so the first burst of requests does not queue
 * behind the opening. A failure there is only logged: the first request tries again. Past 3 s the
 * handler is returned and the opening goes on beside the requests.
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
    const openAhead = Math.min(
      countFromEnv(env, "TENANT_DATA_OPEN_AHEAD", { zero: true }) ?? DEFAULT_OPEN_AHEAD,
      maxPools ?? DEFAULT_MAX_POOLS,
    );
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
            memoryMiB: memoryMiB(),
            at: Date.now(),
          })
        }`);
      }, statsIntervalMs);
      Deno.unrefTimer(timer);
    }
    const handler = createGatewayHandler({
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
    if (options.prepare ?? true) {
      await prepareAtStart({
        env,
        apiKeys,
        directory,
        pools,
        catalogs,
        openAhead,
        functionName: options.functionName,
        log,
      });
    }
    return handler;
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

/** An optional count of 1 or more (or 0 too, with `zero`) from the environment. */
function countFromEnv(env: EnvReader, name: string, options: { zero?: boolean } = {}): number | undefined {
  const text = env.get(name)?.trim();
  if (!text) return undefined;
  const value = Number(text);
  const least = options.zero ? 0 : 1;
  if (!Number.isInteger(value) || value < least) {
    throw new TypeError(`${name} must be a whole number of ${least} or more`);
  }
  return value;
}

interface PrepareOptions {
  env: EnvReader;
  apiKeys: ApiKeyVerifier;
  directory: TenantDirectory;
  pools: DataSourcePools;
  catalogs: CatalogCache;
  /** How many of the busiest data sources to have open, the default (always prepared) among them. */
  openAhead: number;
  functionName: string;
  log: (line: string) => void;
}

/** The start-up preparation of {@linkcode createGatewayHandlerFromEnv}; never throws. */
async function prepareAtStart(options: PrepareOptions): Promise<void> {
  const { directory, pools, catalogs } = options;
  const anonKey = options.env.get("SUPABASE_ANON_KEY");
  const preparing = Promise.all([
    anonKey ? options.apiKeys.verify(new Headers({ apikey: anonKey })).catch(() => {}) : undefined,
    (async () => {
      const dataSource = await directory.dataSource(null);
      if (dataSource.kind !== "postgres") return;
      const catalog = await pools.run(dataSource, async (sql) => await catalogs.get(dataSource.id, sql));
      await rehearse(catalog);
    })(),
  ]).then(async () => {
    // The busiest data sources read (and decrypted) now, one after the other on the application
    // database's open connection; then their connections opened. Past the timeout this goes on beside
    // the requests: a request for a data source being opened shares its connections (the pools' gate).
    const dataSources = await readBusiest(options);
    await openAhead(dataSources, options);
  }, (error) => {
    options.log(`${options.functionName}: start-up preparation skipped: ${errorName(error)}`);
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([preparing, new Promise((resolve) => timer = setTimeout(resolve, PREPARE_TIMEOUT_MS))]);
  clearTimeout(timer);
}

/**
 * The busiest `postgres` data sources, the default one first, read one at a time: in parallel they would
 * open more connections to the application database, which the first requests would wait for.
 */
async function readBusiest(options: PrepareOptions): Promise<DataSource[]> {
  if (options.openAhead === 0) return [];
  const { directory } = options;
  const found: DataSource[] = [];
  try {
    for (const id of await directory.busiestDataSources(options.openAhead)) {
      const dataSource = await directory.dataSource(id).catch(() => undefined);
      // The default one's first connection is open already; warming it opens its others.
      if (dataSource !== undefined) found.push(dataSource);
    }
  } catch {
    // The application database did not answer: the first requests try again.
  }
  return found;
}

/**
 * Opens the data sources' connections ({@linkcode connectionsAhead} each), checks their schema version on
 * the first (the catalog snapshot is shared per version) and primes each (`_prime_connection.ts`: the
 * server process loads the tenant schema's definitions and policies now, not on the first requests), four
 * data sources at a time: a connection
 * costs 10–30 ms (TCP, SCRAM, a server process or a PgBouncer client), which the first requests for their
 * tenants would otherwise wait for. Pools close idle connections after 30 s, so this serves the first half
 * minute after a start, when every data source is cold at once. Failures are left to the first request
 * (and its breaker).
 */
async function openAhead(dataSources: DataSource[], options: PrepareOptions): Promise<void> {
  const { pools, catalogs } = options;
  const queue = [...dataSources];
  const worker = async () => {
    for (let dataSource = queue.shift(); dataSource !== undefined; dataSource = queue.shift()) {
      const opening = dataSource;
      let catalog: Catalog | undefined;
      await pools.warm(opening, connectionsAhead(opening.poolMax), {
        first: async (sql) => catalog = await catalogs.get(opening.id, sql),
        each: async (connection, sql) =>
          catalog && await primeConnection(connection, catalog, { prepared: preparesStatements(sql) }),
      }).catch(() => {});
    }
  };
  await Promise.all(Array.from({ length: OPEN_AHEAD_PARALLEL }, worker));
}

/**
 * Runs the pure stages once on a typical read of the snapshot's first table, so their code is compiled
 * before the first request needs it.
 */
async function rehearse(catalog: Catalog): Promise<void> {
  const table = catalog.tables.find((candidate) => candidate.primaryKey.length === 1);
  const key = table?.primaryKey[0];
  if (table === undefined || key === undefined) return;
  for (
    const [query, accept] of [
      [`select=*&${encodeURIComponent(key)}=eq.x`, "application/vnd.pgrst.object+json"],
      [
        `select=${encodeURIComponent(key)}&${encodeURIComponent(key)}=not.is.null&order=${
          encodeURIComponent(key)
        }.asc&limit=20`,
        "*/*",
      ],
    ] as const
  ) {
    const url = new URL(`http://prepare${API_PREFIX}/${encodeURIComponent(table.name)}?${query}`);
    const request = new Request(url, { headers: { accept, "accept-profile": "public" } });
    const apiRequest = await parseRequest(request, { path: url.pathname });
    buildQuery(planRequest(apiRequest, catalog, { maxRows: 1000 }));
  }
}

/** The process's memory (`Deno.memoryUsage()`) in MiB, to tell the JavaScript heap from the rest. */
function memoryMiB(): Record<string, number> {
  return Object.fromEntries(
    Object.entries(Deno.memoryUsage()).map(([name, bytes]) => [name, Math.round(bytes / 104_857.6) / 10]),
  );
}

function errorName(error: unknown): string {
  return error instanceof Error
    ? `${error.name}${"code" in error ? ` ${String(error.code)}` : ""}`
    : typeof error;
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
