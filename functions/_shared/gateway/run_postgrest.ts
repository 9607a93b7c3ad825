/**
 * The PostgREST pipeline on one tenant database: plan against the cached catalog snapshot → sql →
 * execute as the request's user → respond. Shared by the gateway and by the direct PostgREST-compatible
 * endpoint (`tests/stand_ins/postgrest_handler.ts`) that `supabase` data sources are tested against.
 *
 * @module
 */
import type postgres from "postgres";
import type { ServerTiming } from "../http/mod.ts";
import {
  type ApiRequest,
  buildQuery,
  type Catalog,
  invalidPreferences,
  parseRequest,
  planRequest,
  type SqlQuery,
} from "../postgrest/mod.ts";
import type { CatalogCache } from "../catalog/mod.ts";
import { POSTGREST_DEFAULTS, type PostgrestSettings } from "../data_sources/mod.ts";
import { executeStatement, type RequestClaims } from "./execute.ts";
import { explainOf, explainStatement, planResponse } from "./explain.ts";
import type { RequestShape, RequestShapes, ShapeEntry } from "./_request_shapes.ts";
import { requireMaxAffected, requireSingleRow, respond, type ResultRow } from "./respond.ts";

/** The limits every request runs under. */
export interface ExecutionSettings {
  /** Per statement; default 8 s (Supabase's default for `authenticated`). */
  statementTimeoutMs: number;
  /** How long a request waits for a free pooled connection before 503 `TR506`; default 3 s. */
  acquireTimeoutMs: number;
  /** The server-side cap on rows per response (PostgREST's `db-max-rows`); default 1000. */
  maxRows: number;
}

/** {@linkcode ExecutionSettings} with the defaults filled in. */
export function executionSettings(options: Partial<ExecutionSettings>): ExecutionSettings {
  return {
    statementTimeoutMs: options.statementTimeoutMs ?? 8000,
    acquireTimeoutMs: options.acquireTimeoutMs ?? 3000,
    maxRows: options.maxRows ?? 1000,
  };
}

/** Options of {@linkcode runPostgrest}. */
export interface RunPostgrestOptions extends ExecutionSettings {
  /** The parsed request. */
  request: ApiRequest;
  /** Claims set for the tenant database's RLS. */
  claims: RequestClaims;
  /** The catalog snapshot cache and this database's key in it. */
  catalogs: CatalogCache;
  catalogKey: string;
  timing: ServerTiming;
  /** Aborts the wait for a connection when the data source is known to be down. */
  unavailable?: AbortSignal;
  /** Called once a connection is reserved (see `RunContext.connected`). */
  onConnection?: () => void;
  /** The data source's aggregates and EXPLAIN settings; both off by default, as in Supabase. */
  postgrest?: PostgrestSettings;
  /** The request's shape, to reuse (or learn) its plan's SQL; without it every request is planned. */
  shaped?: ShapedRequest;
}

/** A read's shape in the gateway's {@linkcode RequestShapes}; see `_request_shapes.ts`. */
export interface ShapedRequest {
  shapes: RequestShapes;
  shape: RequestShape;
  /** The shape's entry when one was found: then `request` is the entry's, and was not parsed. */
  entry: ShapeEntry | undefined;
  /** The request as it came, to parse it when the entry was planned against another catalog snapshot. */
  original: { request: Request; url: URL; path: string };
}

/** Runs a parsed request on `sql` and renders PostgREST's response. */
export async function runPostgrest(sql: postgres.Sql, options: RunPostgrestOptions): Promise<Response> {
  const { timing } = options;
  const settings = options.postgrest ?? POSTGREST_DEFAULTS;
  const { request, explain } = explainOf(options.request, settings.plan);
  const catalog = await timing.measure("catalog", () => options.catalogs.get(options.catalogKey, sql));
  // A cold data source's catalog came over a connection now open (a cached one: the reserve follows at
  // once): its pool may open the next one.
  options.onConnection?.();
  if (explain !== null) {
    const plan = timing.measure(
      "plan",
      () => planRequest(request, catalog, { maxRows: options.maxRows, aggregates: settings.aggregates }),
    );
    const query = timing.measure("sql", () => buildQuery(plan));
    // The plan of the statement the request would run, as its user; an ANALYZE of a write keeps nothing.
    const rows = await timing.measure(
      "execute",
      () =>
        executeStatement(sql, explainStatement(query.statement, explain), {
          claims: options.claims,
          readOnly: query.readOnly,
          rollback: true,
          statementTimeoutMs: options.statementTimeoutMs,
          acquireTimeoutMs: options.acquireTimeoutMs,
          ...(options.unavailable ? { unavailable: options.unavailable } : {}),
          ...(options.onConnection ? { onConnection: options.onConnection } : {}),
        }),
    );
    return planResponse(rows, explain, request.method);
  }
  const query = await queryOf(catalog, request, settings.aggregates, options);
  const timezone = await acceptedTimezone(request, options.catalogs, sql);
  // A write that must affect exactly one row (or at most n) is checked before its commit.
  const needsCheck = !query.readOnly && (query.expectsSingle || query.maxAffected !== null);
  const [row] = await timing.measure("execute", () =>
    executeStatement(sql, query.statement, {
      claims: options.claims,
      readOnly: query.readOnly,
      statementTimeoutMs: options.statementTimeoutMs,
      acquireTimeoutMs: options.acquireTimeoutMs,
      timezone,
      ...(options.unavailable ? { unavailable: options.unavailable } : {}),
      ...(options.onConnection ? { onConnection: options.onConnection } : {}),
      ...(needsCheck
        ? {
          verify: (rows: postgres.Row[]) => {
            requireSingleRow(query, rows[0] as ResultRow);
            requireMaxAffected(query, rows[0] as ResultRow);
          },
        }
        : {}),
    }));
  const result = row as ResultRow;
  if (query.readOnly) {
    requireSingleRow(query, result);
    requireMaxAffected(query, result);
  }
  return respond(query, result, {
    method: request.method,
    preferenceApplied: appliedPreferences(request, timezone),
  });
}

/**
 * The `Prefer: timezone=` to set, as PostgREST takes it: one of the server's `pg_timezone_names`; another
 * name is ignored, or `PGRST122` with `handling=strict`.
 */
async function acceptedTimezone(
  request: ApiRequest,
  catalogs: CatalogCache,
  sql: postgres.Sql,
): Promise<string | null> {
  const { timezone, handling } = request.preferences;
  if (timezone === null) return null;
  if ((await catalogs.timezoneNames(sql)).has(timezone)) return timezone;
  if (handling === "strict") throw invalidPreferences([`timezone=${timezone}`]);
  return null;
}

/** The request's SQL: its shape's, when learnt against this catalog snapshot; else planned (and learnt). */
async function queryOf(
  catalog: Catalog,
  request: ApiRequest,
  aggregates: boolean,
  options: RunPostgrestOptions,
): Promise<SqlQuery> {
  const { timing, shaped } = options;
  const entry = shaped?.entry;
  if (shaped !== undefined && entry !== undefined && entry.catalog === catalog) {
    return timing.measure("plan", () => shaped.shapes.fill(entry, shaped.shape));
  }
  const parsed = entry === undefined
    ? request
    : await parseRequest(shaped!.original.request, shaped!.original);
  const build = (request: ApiRequest) =>
    buildQuery(planRequest(request, catalog, { maxRows: options.maxRows, aggregates }));
  const plan = timing.measure(
    "plan",
    () => planRequest(parsed, catalog, { maxRows: options.maxRows, aggregates }),
  );
  const query = timing.measure("sql", () => buildQuery(plan));
  if (shaped !== undefined) {
    await shaped.shapes.learn(shaped.shape, shaped.original, { catalog, request: parsed, query }, build);
  }
  return query;
}

/**
 * `Preference-Applied` as PostgREST 12 builds it: in its order (resolution, missing, return, count,
 * handling, timezone, max-affected) and only what the action acts on: reads and calls never echo `return`,
 * only writes echo `missing`, only inserts `resolution`, and `max-affected` (updates, deletes, calls)
 * only with `handling=strict`. `tx=` is never applied: Supabase keeps PostgREST's `db-tx-end = commit`,
 * which ignores the client's `tx=rollback`. `timezone=` when it was set (`timezone`: a zone the server has).
 */
export function appliedPreferences(request: ApiRequest, timezone: string | null = null): string[] {
  const { preferences, action } = request;
  const writes = action === "create" || action === "update" || action === "delete";
  const applied: string[] = [];
  if (preferences.resolution && action === "create") applied.push(`resolution=${preferences.resolution}`);
  if (preferences.missing && (action === "create" || action === "update")) {
    applied.push(`missing=${preferences.missing}`);
  }
  if (preferences.return && writes) applied.push(`return=${preferences.return}`);
  if (preferences.count) applied.push(`count=${preferences.count}`);
  if (preferences.handling) applied.push(`handling=${preferences.handling}`);
  if (timezone !== null) applied.push(`timezone=${timezone}`);
  if (
    preferences.handling === "strict" && preferences.maxAffected !== null &&
    (action === "update" || action === "delete" || action === "call")
  ) {
    applied.push(`max-affected=${preferences.maxAffected}`);
  }
  return applied;
}
