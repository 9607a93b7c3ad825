/**
 * The gateway's one door to data sources: one lazily created postgres.js pool per `postgres` data source,
 * bounded per process, and forwarding for `supabase` ones, each data source behind its own circuit breaker
 * of one registry.
 *
 * @module
 */
import postgres from "postgres";
import { describeConnectionError, isConnectionFailure } from "../postgres_js/mod.ts";
import { ConnectionGate, DEFAULT_OPENING_AT_ONCE, type GateTicket } from "./_connection_gate.ts";
import {
  CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitPermit,
  type CircuitState,
} from "./circuit_breaker.ts";
import type { ServerTiming } from "../http/mod.ts";
import type { DataSource } from "./data_source.ts";
import { DataSourceUnavailableError, PoolBusyError } from "./errors.ts";
import { forwardToSupabase } from "./forward_supabase.ts";
import type { RequestClaims } from "./request_claims.ts";
import { probeDataSource } from "./probe.ts";
import { isTransactionModePool, TRANSACTION_MODE_PORTS } from "./transaction_mode.ts";

/** The default time between probes of a data source whose circuit is open, in milliseconds: 1 second. */
export const DEFAULT_PROBE_INTERVAL_MS = 1_000;
/** The default number of pools one process keeps: 50. */
export const DEFAULT_MAX_POOLS = 50;
/** The default number of connections all pools of one process may open together: 200. */
export const DEFAULT_CONNECTION_BUDGET = 200;
/** The default idle timeout of a pooled connection, in seconds: 30. */
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 30;
/**
 * The default time a pool keeps its last connection open while unused, in seconds: 5 minutes. Opening
 * one costs 4 round trips (TCP, startup and SCRAM authentication) and a new server process whose caches
 * are cold, each round trip queued behind the other requests on a busy instance, so the first request
 * after a pause would otherwise pay them all.
 */
export const DEFAULT_KEEP_ONE_OPEN_SECONDS = 300;
/** The default max lifetime of a pooled connection, in seconds: 30 minutes, jittered per pool. */
export const DEFAULT_MAX_LIFETIME_SECONDS = 1_800;
/** The default jitter of the max lifetime: ±10 %. */
export const DEFAULT_LIFETIME_JITTER = 0.1;
/** The default time a request waits for its turn on a pool before 503 `TR506`, in milliseconds: 3 s. */
export const DEFAULT_ACQUIRE_TIMEOUT_MS = 3_000;
/** The default connect timeout, in seconds: 5. */
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 5;
/** The default time an evicted or replaced pool gets to finish its queries, in seconds: 5. */
export const DEFAULT_END_TIMEOUT_SECONDS = 5;

/** Options of {@linkcode DataSourcePools}. */
export interface DataSourcePoolsOptions {
  /** How many pools to keep; the least recently used one is closed beyond it. Default 50. */
  maxPools?: number | undefined;
  /** How many connections all pools together may open; see {@linkcode DataSourcePools}. Default 200. */
  connectionBudget?: number | undefined;
  /** Seconds after which an idle connection closes; default 30. */
  idleTimeoutSeconds?: number | undefined;
  /**
   * Seconds a pool keeps one connection open past the idle timeout once its requests are done; default
   * 300. 0: the idle timeout closes every connection. See {@linkcode DataSourcePools}.
   */
  keepOneOpenSeconds?: number | undefined;
  /** Seconds a connection lives at most, before jitter; default 1800. */
  maxLifetimeSeconds?: number | undefined;
  /** Relative jitter of the max lifetime per pool, 0 to 1; default 0.1 (±10 %). */
  lifetimeJitter?: number | undefined;
  /**
   * Milliseconds a request waits for its turn on a pool (while a connection opens, or all are busy)
   * before {@linkcode PoolBusyError}; default 3000. Use the gateway's acquire timeout.
   */
  acquireTimeoutMs?: number | undefined;
  /** Seconds to wait for a connection to open; default 5. */
  connectTimeoutSeconds?: number | undefined;
  /**
   * How many connections a pool that has one open may open together while requests wait (its first
   * always opens alone); default 3. See {@linkcode DataSourcePools}.
   */
  openingAtOnce?: number | undefined;
  /** Seconds an evicted, replaced or closing pool gets to finish running queries; default 5. */
  endTimeoutSeconds?: number | undefined;
  /**
   * Prepared statements: `"auto"` (default) turns them off for a transaction-mode pooler (a data source
   * with a `direct_url` besides its `url`, a URL on a transaction-mode port ({@linkcode
   * TRANSACTION_MODE_PORTS}, or `transactionModePorts`), or one saying `?prepare=false`) and leaves them on
   * otherwise; `true` or `false` forces it for every pool.
   */
  prepare?: boolean | "auto" | undefined;
  /** Ports that mean transaction mode for `prepare: "auto"`; default `[6543]`. */
  transactionModePorts?: readonly number[] | undefined;
  /** Milliseconds between probes of a data source whose circuit is open; default 1000. */
  probeIntervalMs?: number | undefined;
  /** Options of every data source's {@linkcode CircuitBreaker} (the clock comes from `now`). */
  breaker?: Omit<CircuitBreakerOptions, "now"> | undefined;
  /** `application_name` of the connections; default `tenant-router`. */
  applicationName?: string | undefined;
  /** The clock, in milliseconds; default `Date.now`. */
  now?: (() => number) | undefined;
  /** Random numbers in [0, 1) for the lifetime jitter; default `Math.random`. */
  random?: (() => number) | undefined;
}

/** What {@linkcode DataSourcePools.run} gives its function besides the pool. */
export interface RunContext {
  /**
   * Aborted, with a {@linkcode DataSourceUnavailableError} as its reason, when the data source's circuit
   * opens. postgres.js keeps a request that waits for a connection queued through its reconnect back-off
   * (seconds); a wait raced against this signal ends as soon as the data source is known to be down.
   */
  unavailable: AbortSignal;
  /**
   * Call once the request holds a connection (the execute stage does, after reserving one): on a pool that
   * is growing, the next connection may then open without waiting for this request to end.
   */
  connected: () => void;
}

/** One pool as {@linkcode DataSourcePools.stats} shows it. */
export interface PoolInfo {
  dataSourceId: string;
  dataSourceName: string;
  /** The credentials version the pool was built from. */
  version: string;
  /** The pool's size: the data source's `pool_max`, clipped by the connection budget. */
  max: number;
  /** Whether prepared statements were left on. */
  prepare: boolean;
  maxLifetimeSeconds: number;
  idleTimeoutSeconds: number;
  /** Requests on the pool now: running, or waiting for their turn. */
  running: number;
  /** Connections the pool is believed to hold open (counted as they open and close). */
  connections: number;
  /** Requests waiting while a connection opens or all are busy. */
  waiting: number;
}

/** Runs `fn` with a `postgres` data source's pool, as {@linkcode DataSourcePools.run} does. */
export type RunWithPool = <T>(fn: (sql: postgres.Sql, context: RunContext) => Promise<T>) => Promise<T>;

/** Options of {@linkcode DataSourcePools.serve}. */
export interface ServeOptions {
  /** The client's request: a `supabase` data source gets it forwarded. */
  request: Request;
  /** The path inside the function, percent-encoded as in the URL: `/rest/v1/contacts`. */
  path: string;
  /** The claims the data source's RLS reads. */
  claims: RequestClaims;
  /** Records the stages for `Server-Timing`. */
  timing: ServerTiming;
  /**
   * How a `postgres` data source answers: given `run`, which lends the data source's pool behind its
   * breaker, the caller parses, plans and executes the request.
   */
  postgres: (run: RunWithPool) => Promise<Response>;
  /** Where forwarding failures are logged (never a URL or key); default `console.error`. */
  log?: ((line: string) => void) | undefined;
}

/** One breaker as {@linkcode DataSourcePools.stats} shows it. */
export interface BreakerInfo {
  dataSourceId: string;
  state: CircuitState;
  retryAfterMs: number;
  consecutiveFailures: number;
}

/** What {@linkcode DataSourcePools.stats} returns. */
export interface DataSourcePoolsStats {
  /** Pools from least to most recently used. */
  pools: PoolInfo[];
  /** The sum of the pools' `max`: never above `connectionBudget`. */
  allocatedConnections: number;
  connectionBudget: number;
  breakers: BreakerInfo[];
}

/** Options of {@linkcode DataSourcePools.closeAll}. */
export interface CloseAllOptions {
  /**
   * Seconds running queries get before their connections are destroyed (postgres.js `end({ timeout })`);
   * default `endTimeoutSeconds`.
   */
  timeout?: number | undefined;
}

interface Settings {
  probeIntervalMs: number;
  maxPools: number;
  connectionBudget: number;
  idleTimeoutSeconds: number;
  keepOneOpenSeconds: number;
  maxLifetimeSeconds: number;
  lifetimeJitter: number;
  connectTimeoutSeconds: number;
  openingAtOnce: number;
  acquireTimeoutMs: number;
  endTimeoutSeconds: number;
  prepare: boolean | "auto";
  transactionModePorts: readonly number[];
  applicationName: string;
  now: () => number;
  random: () => number;
}

interface PoolEntry {
  sql: postgres.Sql;
  key: string;
  info: Omit<PoolInfo, "running" | "connections" | "waiting">;
  /** The first connection opening alone, then a few at a time; see {@linkcode ConnectionGate}. */
  gate: ConnectionGate;
  running: number;
  /** Replaced or evicted: ended as soon as its last request is done. */
  retired: boolean;
  /** When its last request ended (`now()`); the keep-alive of `keepOneOpenSeconds` counts from it. */
  unusedSince: number;
  /** When a connection was last used, by a request or a keep-alive query. */
  touchedAt: number;
}

/**
 * One postgres.js pool per data source, created on first use.
 *
 * - **Pool settings**: `max` from the data source's `pool_max`, `idle_timeout` 30 s, `max_lifetime`
 *   30 min ± 10 % (jittered per pool, so pools opened together do not all reconnect at once),
 *   `connect_timeout` 5 s, connections opened through a {@linkcode ConnectionGate}: the first requests to a
 *   cold pool wait for one connection rather than each opening its own; once it is open, the pool grows
 *   by up to `openingAtOnce` (3) connections together while requests still wait, never beyond its size;
 *   prepared statements off through a transaction-mode pooler (a `direct_url` besides `url`, port 6543,
 *   `?prepare=false`).
 * - **One connection kept**: once a pool's requests are done, its connections close after the idle
 *   timeout but one, kept open for `keepOneOpenSeconds` (5 min) by a `select 1` every 0.6 × the idle
 *   timeout, so the first request after a pause finds a connection open (see `#startKeepAlive`).
 * - **LRU cap**: at most `maxPools` (50) pools; opening one more closes the least recently used pool
 *   that has no request running (or, when all are busy, the least recently used one).
 * - **Connection budget**: the pools' `max` never add up to more than `connectionBudget` (200). A new
 *   pool gets `min(pool_max, budget left)`; when no budget is left, least recently used pools are
 *   closed until at least one connection is free. A clipped pool keeps its smaller size until it is
 *   replaced (LRU eviction, a credentials change, {@linkcode DataSourcePools.invalidate}).
 * - **Changes**: a data source whose `version` (credentials) or `poolMax` differs from its pool's gets a
 *   new pool. {@linkcode DataSourcePools.invalidate} does the same on a NOTIFY.
 * - **Retiring**: a replaced or evicted pool takes no new request and ends when its running requests are
 *   done (then `end({ timeout })`), so rotating credentials under traffic fails no request. Its
 *   connections count against the budget no longer, so the budget can be exceeded while it drains.
 * - **Lost connections**: a connection failure retires the pool, so its connections, which postgres.js
 *   would reuse with stale state, are not; the next request opens a new pool.
 * - **Circuit breaker**: each data source has a {@linkcode CircuitBreaker}; connection failures (refused,
 *   timed out, authentication, too many connections, shutdown) count, query errors do not. While it is
 *   open, {@linkcode DataSourcePools.run} throws {@linkcode DataSourceUnavailableError} at once, without
 *   touching the network; other data sources are not affected. A probe every second closes it as soon as
 *   the data source answers again.
 *
 * @example
 * ```ts
 * const pools = new DataSourcePools();
 * const rows = await pools.run(resolution.dataSource, (sql) =>
 *   sql.begin((tx) => tx`select set_config('role', 'authenticated', true)`)
 * );
 * addEventListener("unload", () => pools.closeAll());
 * ```
 */
export class DataSourcePools {
  #options: Settings;
  #breakerOptions: Omit<CircuitBreakerOptions, "now">;
  /** Pools in least recently used order. */
  #pools = new Map<string, PoolEntry>();
  #breakers = new Map<string, { breaker: CircuitBreaker; version: string }>();
  #closing = new Set<Promise<void>>();
  /** The probe loop of each data source whose circuit is open. */
  #probes = new Map<string, Promise<void>>();
  #stopProbes = new AbortController();
  /** Aborted when a data source's circuit opens; see {@linkcode RunContext}. */
  #unavailable = new Map<string, AbortController>();
  /** Retired pools whose requests are still running. */
  #draining = new Set<PoolEntry>();
  #allocated = 0;
  #closed = false;
  /** The keep-alive sweep of `keepOneOpenSeconds`, while any pool exists. */
  #keepAlive: ReturnType<typeof setInterval> | undefined;

  /** Creates an empty set of pools; nothing connects until {@linkcode DataSourcePools.run}. */
  constructor(options: DataSourcePoolsOptions = {}) {
    this.#options = {
      probeIntervalMs: options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS,
      maxPools: options.maxPools ?? DEFAULT_MAX_POOLS,
      connectionBudget: options.connectionBudget ?? DEFAULT_CONNECTION_BUDGET,
      idleTimeoutSeconds: options.idleTimeoutSeconds ?? DEFAULT_IDLE_TIMEOUT_SECONDS,
      keepOneOpenSeconds: options.keepOneOpenSeconds ?? DEFAULT_KEEP_ONE_OPEN_SECONDS,
      maxLifetimeSeconds: options.maxLifetimeSeconds ?? DEFAULT_MAX_LIFETIME_SECONDS,
      lifetimeJitter: options.lifetimeJitter ?? DEFAULT_LIFETIME_JITTER,
      connectTimeoutSeconds: options.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS,
      openingAtOnce: options.openingAtOnce ?? DEFAULT_OPENING_AT_ONCE,
      acquireTimeoutMs: options.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS,
      endTimeoutSeconds: options.endTimeoutSeconds ?? DEFAULT_END_TIMEOUT_SECONDS,
      prepare: options.prepare ?? "auto",
      transactionModePorts: options.transactionModePorts ?? TRANSACTION_MODE_PORTS,
      applicationName: options.applicationName ?? "tenant-router",
      now: options.now ?? Date.now,
      random: options.random ?? Math.random,
    };
    this.#breakerOptions = options.breaker ?? {};
    const { maxPools, connectionBudget, lifetimeJitter } = this.#options;
    if (!Number.isInteger(maxPools) || maxPools < 1) {
      throw new RangeError(`Invalid pool cap: expected an integer of 1 or more, got ${maxPools}`);
    }
    if (!Number.isInteger(connectionBudget) || connectionBudget < 1) {
      throw new RangeError(
        `Invalid connection budget: expected an integer of 1 or more, got ${connectionBudget}`,
      );
    }
    if (!(lifetimeJitter >= 0 && lifetimeJitter < 1)) {
      throw new RangeError(
        `Invalid lifetime jitter: expected a fraction from 0 to below 1, got ${lifetimeJitter}`,
      );
    }
    for (const name of ["idleTimeoutSeconds", "maxLifetimeSeconds", "connectTimeoutSeconds"] as const) {
      const value = this.#options[name];
      if (!Number.isFinite(value) || value <= 0) {
        throw new RangeError(`Invalid ${name}: expected seconds above 0, got ${value}`);
      }
    }
    // Fail on a bad breaker or gate configuration now rather than on the first request.
    new CircuitBreaker(this.#breakerOptions);
    new ConnectionGate(1, { openingAtOnce: this.#options.openingAtOnce });
  }

  /**
   * Runs `fn` with the data source's pool (created on first use). Use `sql.begin()` inside for a
   * transaction. Outcomes feed the data source's circuit breaker.
   *
   * @throws {DataSourceUnavailableError} when the breaker is open (`circuit_open`, at once), when the
   * connection fails (`connection`; the original error is its `cause`), or when the data source is
   * `disabled`.
   * @throws {TypeError} for a `supabase` data source: those are reached through their Data API.
   * Errors of the queries themselves (syntax, constraint, RLS) are rethrown as they are.
   */
  async run<T>(
    dataSource: DataSource,
    fn: (sql: postgres.Sql, context: RunContext) => Promise<T>,
  ): Promise<T> {
    if (this.#closed) throw new Error("Cannot run a query: the data-source pools are closed");
    if (dataSource.kind !== "postgres") {
      throw new TypeError(
        `Cannot open a pool for data source "${dataSource.name}": it is of kind ${dataSource.kind}`,
      );
    }
    if (dataSource.status === "disabled") {
      throw new DataSourceUnavailableError({
        dataSourceId: dataSource.id,
        reason: "disabled",
        retryAfterSeconds: 30,
      });
    }
    const breaker = this.#breaker(dataSource);
    const decision = breaker.tryAcquire();
    if (!decision.allowed) {
      throw new DataSourceUnavailableError({
        dataSourceId: dataSource.id,
        reason: "circuit_open",
        retryAfterSeconds: decision.retryAfterMs / 1000,
      });
    }
    let entry: PoolEntry;
    try {
      entry = this.#pool(dataSource);
    } catch (error) {
      breaker.release(decision.permit);
      throw error;
    }
    entry.running++;
    let ticket: GateTicket | undefined;
    let connected = false;
    try {
      const unavailable = this.#unavailableSignal(dataSource.id);
      ticket = await entry.gate.admit({ timeoutMs: this.#options.acquireTimeoutMs, signal: unavailable });
      const admitted = ticket;
      const result = await fn(entry.sql, { unavailable, connected: () => entry.gate.connected(admitted) });
      connected = true;
      breaker.recordSuccess(decision.permit);
      return result;
    } catch (error) {
      connected = isServerError(error);
      if (isConnectionFailure(error)) {
        this.#recordFailure(dataSource, breaker, decision.permit);
        // postgres.js 3.4.9 reuses a connection whose session ended mid-query with stale state (the next
        // query gets the old FATAL error, the one after a stray empty row): start over with a new pool.
        if (this.#pools.get(dataSource.id) === entry) void this.#evict(dataSource.id, entry);
        throw new DataSourceUnavailableError({
          dataSourceId: dataSource.id,
          reason: "connection",
          retryAfterSeconds: breaker.retryAfterMs() / 1000,
          cause: error,
        });
      }
      if (isEndedPool(error)) {
        // The pool was replaced or evicted under this request: nothing to hold against the data source.
        breaker.release(decision.permit);
        throw new DataSourceUnavailableError({
          dataSourceId: dataSource.id,
          reason: "connection",
          retryAfterSeconds: 1,
          cause: error,
        });
      }
      if (error instanceof PoolBusyError && breaker.consecutiveFailures > 0) {
        this.#recordFailure(dataSource, breaker, decision.permit);
      } else if (isServerError(error)) {
        breaker.recordSuccess(decision.permit);
      } else {
        breaker.release(decision.permit);
      }
      throw error;
    } finally {
      if (ticket !== undefined) entry.gate.release(ticket, { connected });
      if (--entry.running === 0) {
        entry.unusedSince = entry.touchedAt = this.#options.now();
        if (entry.retired) this.#end(entry);
      }
    }
  }

  /**
   * Opens up to `connections` of a `postgres` data source's pool ahead of its traffic (at most the pool's
   * size, at least one), for a start-up that expects a burst: `steps.first` runs on the first connection (a
   * schema check, say), then the others open together (through the pool's gate, so a few at a time),
   * `steps.each` runs on every one of them (priming the server process's caches, say; its failure is
   * ignored), and they go back to the pool idle. Each connection is held only until all are open, for at
   * most `holdMs` (default 2 s), so requests arriving meanwhile wait little. Resolves with the connections
   * open; failures are left to the first requests (the first connection's failure counts in the breaker
   * like any request's).
   */
  async warm(
    dataSource: DataSource,
    connections: number,
    steps: {
      first?: ((sql: postgres.Sql) => Promise<unknown>) | undefined;
      each?: ((connection: postgres.ReservedSql, sql: postgres.Sql) => Promise<unknown>) | undefined;
    } = {},
    options: { holdMs?: number | undefined } = {},
  ): Promise<number> {
    // Without a first step the first connection opens with the others (a run that sends nothing would
    // count a connection that was never opened).
    const first = steps.first;
    if (first !== undefined) await this.run(dataSource, async (sql) => await first(sql));
    const want = Math.max(
      1,
      Math.min(connections, this.#pools.get(dataSource.id)?.info.max ?? dataSource.poolMax),
    );
    // Every run holds its connection until all hold one, so each beyond the idle ones opens its own.
    let holding = 0;
    let allHeld: () => void = () => {};
    const held = new Promise<void>((resolve) => allHeld = resolve);
    const timer = setTimeout(allHeld, options.holdMs ?? 2_000);
    try {
      await Promise.allSettled(
        Array.from({ length: want }, () =>
          this.run(dataSource, async (sql, { connected }) => {
            const connection = await sql.reserve();
            try {
              connected();
              await steps.each?.(connection, sql).catch(() => {});
              if (++holding === want) allHeld();
              await held;
            } finally {
              connection.release();
            }
          })),
      );
    } finally {
      clearTimeout(timer);
    }
    return this.#pools.get(dataSource.id)?.gate.open ?? 0;
  }

  /**
   * Serves a request from a data source of either kind, so a caller never branches on the kind: a
   * `postgres` data source through `options.postgres` with its pool ({@linkcode DataSourcePools.run}), a
   * `supabase` one by forwarding the request to the project's Data API with a token minted from
   * `options.claims`. Both go through the data source's breaker of this one registry.
   *
   * @throws {DataSourceUnavailableError} when the data source is down, disabled or its breaker open.
   */
  async serve(dataSource: DataSource, options: ServeOptions): Promise<Response> {
    if (dataSource.kind !== "supabase") {
      return await options.postgres((fn) => this.run(dataSource, fn));
    }
    if (this.#closed) throw new Error("Cannot forward a request: the data-source pools are closed");
    return await forwardToSupabase(options.request, {
      dataSource,
      claims: options.claims,
      path: options.path,
      timing: options.timing,
      breaker: this.#breaker(dataSource),
      ...(options.log === undefined ? {} : { log: options.log }),
    });
  }

  /**
   * Closes a data source's pool (gracefully) and closes its breaker: for a data source that changed
   * (NOTIFY). The next {@linkcode DataSourcePools.run} opens a new pool. No-op for an unknown id.
   */
  async invalidate(dataSourceId: string): Promise<void> {
    this.#breakers.delete(dataSourceId);
    const entry = this.#pools.get(dataSourceId);
    if (entry !== undefined) await this.#evict(dataSourceId, entry);
  }

  /** Pools, their sizes and the breakers, without any secret. */
  stats(): DataSourcePoolsStats {
    return {
      pools: [...this.#pools.values()].map((entry) => ({
        ...entry.info,
        running: entry.running,
        connections: entry.gate.open,
        waiting: entry.gate.waiting,
      })),
      allocatedConnections: this.#allocated,
      connectionBudget: this.#options.connectionBudget,
      breakers: [...this.#breakers].map(([dataSourceId, { breaker }]) => ({
        dataSourceId,
        state: breaker.state,
        retryAfterMs: breaker.retryAfterMs(),
        consecutiveFailures: breaker.consecutiveFailures,
      })),
    };
  }

  /** Ends every pool (running queries get `timeout` seconds) and refuses further requests: for shutdown. */
  async closeAll(options: CloseAllOptions = {}): Promise<void> {
    this.#closed = true;
    this.#stopProbes.abort();
    clearInterval(this.#keepAlive);
    this.#keepAlive = undefined;
    const timeout = options.timeout ?? this.#options.endTimeoutSeconds;
    const ending = [...this.#pools.values(), ...this.#draining].map((entry) => entry.sql.end({ timeout }));
    this.#pools.clear();
    this.#draining.clear();
    this.#allocated = 0;
    await Promise.all([...ending, ...this.#closing, ...this.#probes.values()]);
  }

  #unavailableSignal(dataSourceId: string): AbortSignal {
    let controller = this.#unavailable.get(dataSourceId);
    if (controller === undefined) this.#unavailable.set(dataSourceId, controller = new AbortController());
    return controller.signal;
  }

  /** Counts a failure; when it opens the circuit, requests still waiting for a connection give up now. */
  #recordFailure(dataSource: DataSource, breaker: CircuitBreaker, permit: CircuitPermit): void {
    breaker.recordFailure(permit);
    if (breaker.state !== "open") return;
    this.#unavailable.get(dataSource.id)?.abort(
      new DataSourceUnavailableError({
        dataSourceId: dataSource.id,
        reason: "circuit_open",
        retryAfterSeconds: breaker.retryAfterMs() / 1000,
      }),
    );
    this.#unavailable.delete(dataSource.id);
    if (!this.#probes.has(dataSource.id)) {
      const probing = this.#probeUntilBack(dataSource, breaker);
      this.#probes.set(dataSource.id, probing);
      probing.finally(() => this.#probes.delete(dataSource.id));
    }
  }

  /**
   * While the circuit is open, connects to the data source every `probeIntervalMs` on a connection of its
   * own; the first probe that gets through closes the circuit, so the tenants are served again about a
   * second after their database is back rather than after the cool-down and a trial request.
   */
  async #probeUntilBack(dataSource: DataSource, breaker: CircuitBreaker): Promise<void> {
    const stopped = this.#stopProbes.signal;
    const current = () => !stopped.aborted && this.#breakers.get(dataSource.id)?.breaker === breaker;
    while (current() && breaker.state !== "closed") {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          stopped.removeEventListener("abort", done);
          resolve();
        };
        const timer = setTimeout(done, this.#options.probeIntervalMs);
        stopped.addEventListener("abort", done);
      });
      if (!current()) return;
      const probe = await probeDataSource(dataSource.credentials(), {
        timeoutMs: this.#options.connectTimeoutSeconds * 1000,
      });
      if (probe.ok && current()) breaker.reset();
    }
  }

  #breaker(dataSource: DataSource): CircuitBreaker {
    const known = this.#breakers.get(dataSource.id);
    // New credentials deserve a fresh start: the operator may just have fixed them.
    if (known !== undefined && known.version === dataSource.version) return known.breaker;
    const breaker = new CircuitBreaker({ ...this.#breakerOptions, now: this.#options.now });
    this.#breakers.set(dataSource.id, { breaker, version: dataSource.version });
    return breaker;
  }

  #pool(dataSource: DataSource): PoolEntry {
    const key = `${dataSource.version}|${dataSource.poolMax}`;
    const existing = this.#pools.get(dataSource.id);
    if (existing !== undefined) {
      this.#pools.delete(dataSource.id);
      if (existing.key === key) {
        this.#pools.set(dataSource.id, existing); // most recently used
        return existing;
      }
      this.#release(existing);
    }
    return this.#create(dataSource, key);
  }

  #create(dataSource: DataSource, key: string): PoolEntry {
    const options = this.#options;
    while (this.#pools.size >= options.maxPools) this.#evictLeastRecentlyUsed();
    while (options.connectionBudget - this.#allocated < 1 && this.#pools.size > 0) {
      this.#evictLeastRecentlyUsed();
    }
    const max = Math.min(dataSource.poolMax, options.connectionBudget - this.#allocated);
    const jitter = (options.random() * 2 - 1) * options.lifetimeJitter;
    const maxLifetimeSeconds = Math.round(options.maxLifetimeSeconds * (1 + jitter));
    const credentials = dataSource.credentials();
    if (credentials.kind !== "postgres") {
      throw new TypeError("Cannot open a pool: not a postgres data source");
    }
    const url = credentials.credentials.url;
    const prepare = this.#prepare(credentials.credentials);
    const gate = new ConnectionGate(max, { openingAtOnce: options.openingAtOnce });
    let sql: postgres.Sql;
    try {
      sql = postgres(url, {
        max,
        onclose: () => gate.connectionClosed(),
        idle_timeout: options.idleTimeoutSeconds,
        // fetch_types stays on although the gateway needs no array parsers (one round trip per new
        // connection): postgres.js 3.4.9 without it never hands a connection opened for `reserve()` to
        // that reservation (measured: the first `reserve()` of a pool times out).
        max_lifetime: maxLifetimeSeconds,
        connect_timeout: options.connectTimeoutSeconds,
        ...(prepare === false ? { prepare: false } : {}),
        onnotice: () => {},
        connection: { application_name: options.applicationName },
      });
    } catch (error) {
      // postgres.js parses the URL here; its message could quote it.
      throw new DataSourceUnavailableError({
        dataSourceId: dataSource.id,
        reason: "credentials",
        retryAfterSeconds: 30,
        cause: new TypeError(`Cannot open a pool: ${describeConnectionError(error)}`),
      });
    }
    const entry: PoolEntry = {
      sql,
      key,
      gate,
      running: 0,
      retired: false,
      unusedSince: options.now(),
      touchedAt: options.now(),
      info: {
        dataSourceId: dataSource.id,
        dataSourceName: dataSource.name,
        version: dataSource.version,
        max,
        prepare: prepare ?? true,
        maxLifetimeSeconds,
        idleTimeoutSeconds: options.idleTimeoutSeconds,
      },
    };
    this.#pools.set(dataSource.id, entry);
    this.#allocated += max;
    this.#startKeepAlive();
    return entry;
  }

  /**
   * Keeps one connection of each unused pool open for `keepOneOpenSeconds`: postgres.js closes a
   * connection idle for `idleTimeoutSeconds`, restarting the count whenever one is used, and takes the
   * connection idle longest for a query. A trivial query every 0.6 × the idle timeout on a pool without
   * requests so keeps exactly one open: with two idle, each is used every 1.2 × the idle timeout, so
   * the other one closes. It never opens a connection (a pool whose connections all closed is left
   * alone), and it does not count in the breaker.
   */
  #startKeepAlive(): void {
    const { keepOneOpenSeconds, idleTimeoutSeconds } = this.#options;
    if (this.#keepAlive !== undefined || keepOneOpenSeconds <= 0 || idleTimeoutSeconds <= 0) return;
    const everyMs = idleTimeoutSeconds * 600;
    this.#keepAlive = setInterval(() => this.#keepOneOpen(everyMs), everyMs / 3);
    Deno.unrefTimer(this.#keepAlive);
  }

  #keepOneOpen(everyMs: number): void {
    const now = this.#options.now();
    for (const entry of this.#pools.values()) {
      if (entry.running > 0 || entry.retired || entry.gate.open === 0) continue;
      if (now - entry.touchedAt < everyMs) continue;
      if (now - entry.unusedSince >= this.#options.keepOneOpenSeconds * 1000) continue;
      entry.touchedAt = now;
      entry.sql.unsafe("select 1", [], { prepare: false }).catch(() => {});
    }
  }

  /** `false` to turn prepared statements off; `undefined` to leave postgres.js's default. */
  #prepare(credentials: { url: string; direct_url?: string | undefined }): boolean | undefined {
    const setting = this.#options.prepare;
    if (setting !== "auto") return setting;
    return isTransactionModePool(credentials, this.#options.transactionModePorts) ? false : undefined;
  }

  #evictLeastRecentlyUsed(): void {
    let victim: [string, PoolEntry] | undefined;
    for (const pair of this.#pools) {
      victim ??= pair;
      if (pair[1].running === 0) {
        victim = pair;
        break;
      }
    }
    if (victim === undefined) return;
    this.#pools.delete(victim[0]);
    this.#release(victim[1]);
    // A breaker with nothing to remember goes with its pool; one that is counting failures stays.
    const breaker = this.#breakers.get(victim[0])?.breaker;
    if (breaker?.state === "closed" && breaker.consecutiveFailures === 0) this.#breakers.delete(victim[0]);
  }

  async #evict(dataSourceId: string, entry: PoolEntry): Promise<void> {
    if (this.#pools.get(dataSourceId) === entry) this.#pools.delete(dataSourceId);
    await this.#release(entry);
  }

  /**
   * Gives the entry's budget back and retires its pool: it ends once its running requests are done, so a
   * request that took the pool just before a credentials change still finishes on it. postgres.js would
   * otherwise refuse or strand that request's next query on an ended pool.
   */
  #release(entry: PoolEntry): Promise<void> {
    this.#allocated -= entry.info.max;
    entry.retired = true;
    entry.gate.openAll(); // the requests waiting for their turn finish on the retiring pool
    if (entry.running > 0) {
      this.#draining.add(entry);
      return Promise.resolve();
    }
    return this.#end(entry);
  }

  /** Ends the entry's pool in the background (awaited by closeAll). */
  #end(entry: PoolEntry): Promise<void> {
    this.#draining.delete(entry);
    const ending = entry.sql.end({ timeout: this.#options.endTimeoutSeconds }).catch(() => {});
    this.#closing.add(ending);
    ending.finally(() => this.#closing.delete(ending));
    return ending;
  }
}

function isEndedPool(error: unknown): boolean {
  return typeof error === "object" && error !== null &&
    (error as { code?: unknown }).code === "CONNECTION_ENDED";
}

function isServerError(error: unknown): boolean {
  return typeof error === "object" && error !== null &&
    (error as { name?: unknown }).name === "PostgresError";
}
