/**
 * One health check of one data source: can it be reached with its credentials, which tenant-schema
 * version does it hold, and how long did that take. Used by `npm run tenants -- data-source test`,
 * `check` and `provision`, and by health reports.
 *
 * @module
 */
import postgres from "postgres";
import { describeConnectionError } from "../postgres_js/mod.ts";
import type { DataSourceCredentials } from "./credentials.ts";

/** The default time a probe may take, in milliseconds: 5 seconds. */
export const DEFAULT_PROBE_TIMEOUT_MS = 5_000;

/** Options of {@linkcode probeDataSource}. */
export interface ProbeOptions {
  /**
   * The longest the whole probe may take (connecting included), in milliseconds; default
   * {@linkcode DEFAULT_PROBE_TIMEOUT_MS}. A probe that runs out of time reports `ok: false`.
   */
  timeoutMs?: number | undefined;
  /**
   * The tenant-schema version the data source should have (the newest migration timestamp of
   * `tenant-db/supabase/migrations/`); when given, `current` says whether it has it.
   */
  expectedSchemaVersion?: string | undefined;
  /** The `fetch` used for `supabase` data sources; defaults to the global one (tests pass their own). */
  fetch?: typeof fetch | undefined;
}

/** What {@linkcode probeDataSource} found. Never contains a URL, password or key. */
export interface ProbeResult {
  /**
   * `postgres`: connected, `select 1` answered and `private.schema_version()` was read. `supabase`: the
   * Data API answered `GET /rest/v1/` with the service key. An outdated schema still counts as `ok`:
   * see `current`.
   */
  ok: boolean;
  /** Milliseconds the probe took, connecting included (what a request on a cold pool would wait). */
  latencyMs: number;
  /** `private.schema_version()` of the data source, or `null` when it could not be read. */
  schemaVersion: string | null;
  /** Whether `schemaVersion` equals the expected version; `null` without one of them. */
  current: boolean | null;
  /** What went wrong, in fixed words plus a SQLSTATE, network code or HTTP status; `null` when `ok`. */
  error: string | null;
}

/**
 * Probes a data source once.
 *
 * - `postgres`: a throw-away postgres.js client (`max: 1`, `connect_timeout` from `timeoutMs`,
 *   `prepare: false` so it also works through Supavisor's transaction mode), `select 1`, then
 *   `select private.schema_version()`; closed before returning.
 * - `supabase`: `GET <url>/rest/v1/` with the service key as `apikey` (and as bearer token when it is a
 *   JWT): reachability and a valid key. The tenant schema's `private.schema_version()` is not exposed by
 *   the Data API, so the version is read from `POST <url>/rest/v1/rpc/schema_version` only when the
 *   project exposes such a function in an API schema; otherwise `schemaVersion` is `null` and
 *   `current` is `null` (use a `postgres` data source, or the CLI's `provision` with a database URL,
 *   to check the version of such a project).
 *
 * Never throws for a failing data source: failures are reported in `error`, which never contains the
 * URL, the password or a key (fixed words plus a SQLSTATE, network code or HTTP status).
 *
 * @example
 * ```ts
 * const result = await probeDataSource(await openCredentials(keyring, row), {
 *   expectedSchemaVersion: "20261126140500",
 * });
 * // { ok: true, latencyMs: 7.5, schemaVersion: "20261126140500", current: true, error: null }
 * ```
 */
export async function probeDataSource(
  credentials: DataSourceCredentials,
  options: ProbeOptions = {},
): Promise<ProbeResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(`Invalid probe timeout: expected milliseconds above 0, got ${timeoutMs}`);
  }
  const started = performance.now();
  const found = credentials.kind === "postgres"
    ? await probePostgres(credentials.credentials.url, timeoutMs)
    : await probeSupabase(credentials.credentials, timeoutMs, options.fetch ?? fetch);
  const expected = options.expectedSchemaVersion;
  return {
    ok: found.error === null,
    latencyMs: Math.round((performance.now() - started) * 100) / 100,
    schemaVersion: found.schemaVersion,
    current: expected === undefined || found.schemaVersion === null ? null : found.schemaVersion === expected,
    error: found.error,
  };
}

interface Found {
  schemaVersion: string | null;
  error: string | null;
}

async function probePostgres(url: string, timeoutMs: number): Promise<Found> {
  let sql: postgres.Sql;
  try {
    sql = postgres(url, {
      max: 1,
      connect_timeout: timeoutMs / 1000,
      max_lifetime: null,
      prepare: false,
      fetch_types: false,
      onnotice: () => {},
      connection: { application_name: "tenant-router-probe" },
    });
  } catch {
    // postgres.js parses the URL synchronously; its message would quote it.
    return { schemaVersion: null, error: "Cannot connect to data source: the connection string is invalid" };
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  let step = "connect to data source";
  const work = (async (): Promise<Found> => {
    await sql`select 1`;
    step = "read schema version";
    const [row] = await sql<{ version: string | null }[]>`select private.schema_version() as version`;
    return { schemaVersion: row?.version ?? null, error: null };
  })();
  try {
    const outcome = await Promise.race([work, timedOut]);
    if (outcome === "timeout") {
      work.catch(() => {});
      return { schemaVersion: null, error: `Cannot ${step}: timed out after ${timeoutMs} ms` };
    }
    return outcome;
  } catch (error) {
    return { schemaVersion: null, error: `Cannot ${step}: ${describeConnectionError(error)}` };
  } finally {
    clearTimeout(timer);
    await sql.end({ timeout: 0 });
  }
}

async function probeSupabase(
  credentials: { url: string; service_key: string },
  timeoutMs: number,
  fetchImpl: typeof fetch,
): Promise<Found> {
  const base = credentials.url.endsWith("/") ? credentials.url : `${credentials.url}/`;
  const headers: Record<string, string> = { apikey: credentials.service_key, accept: "application/json" };
  // New-style secret keys (sb_secret_…) are not JWTs: the API gateway takes them from `apikey` alone.
  if (!credentials.service_key.startsWith("sb_")) headers.authorization = `Bearer ${credentials.service_key}`;
  const signal = AbortSignal.timeout(timeoutMs);
  const root = await request(fetchImpl, new URL("rest/v1/", base), { headers, signal });
  if (root.error !== null) return { schemaVersion: null, error: `Cannot reach data source: ${root.error}` };
  const rpc = await request(fetchImpl, new URL("rest/v1/rpc/schema_version", base), {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: "{}",
    signal,
  });
  const version = rpc.error === null && typeof rpc.json === "string" ? rpc.json : null;
  return { schemaVersion: version, error: null };
}

async function request(
  fetchImpl: typeof fetch,
  url: URL,
  init: RequestInit,
): Promise<{ error: string | null; json?: unknown }> {
  let response: Response;
  try {
    response = await fetchImpl(url, { ...init, redirect: "manual" });
  } catch (error) {
    // fetch's messages quote the URL: describe by kind only.
    const name = error instanceof Error ? error.name : "";
    if (name === "TimeoutError" || name === "AbortError") {
      return { error: "timed out" };
    }
    return { error: "network error" };
  }
  if (!response.ok) {
    await response.body?.cancel();
    const words = response.status === 401 || response.status === 403
      ? "API key rejected"
      : response.status >= 300 && response.status < 400
      ? "unexpected redirect"
      : "unexpected response";
    return { error: `${words} (HTTP ${response.status})` };
  }
  try {
    return { error: null, json: await response.json() };
  } catch {
    return { error: null, json: undefined };
  }
}
