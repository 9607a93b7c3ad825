/**
 * The plan stage: an {@linkcode ApiRequest} checked against a {@linkcode Catalog} snapshot becomes a
 * {@linkcode Plan}. Pure: it reads only the snapshot, never a database.
 *
 * @module
 */

import { tableNotFound } from "./_schema_errors.ts";
import { type Catalog, findTable } from "../../catalog/mod.ts";
import { PostgrestError } from "../../errors/mod.ts";
import type { Plan } from "./plan.ts";
import { planCall } from "./plan_call.ts";
import { planMutation } from "./_plan_mutation.ts";
import { planRange } from "./_plan_range.ts";
import { planReadTree } from "./_plan_read.ts";
import type { ApiRequest } from "../parse/mod.ts";

/** Options of {@linkcode planRequest}. */
export interface PlanRequestOptions {
  /**
   * The most rows a read returns (PostgREST's `db-max-rows`): the root level's limit is capped at it.
   * Absent: no cap beyond the parser's {@linkcode MAX_LIMIT} per request.
   */
  maxRows?: number;
  /**
   * Whether `avg()`, `count()`, `max()`, `min()` and `sum()` may be used (PostgREST's
   * `db-aggregates-enabled`, off by default as in Supabase: they can scan whole tables). The legacy bare
   * `count` (`contacts(count)`) is always allowed, as in PostgREST.
   */
  aggregates?: boolean;
  /**
   * Columns every row carries and composite keys share (`tenant_id`): see {@linkcode relationshipsFrom}.
   * Defaults to `["tenant_id"]`.
   */
  scopeColumns?: readonly string[];
}

/**
 * Plans a request against the catalog of its data source, after PostgREST's `Plan` module.
 *
 * - GET/HEAD → a {@linkcode ReadPlan}; the root range is `limit`/`offset` ∩ `Range`, capped at `maxRows`.
 * - POST/PATCH/DELETE → an insert/update/delete plan ({@linkcode planMutation}).
 * - RPC → a {@linkcode CallPlan} ({@linkcode planCall}): the overload matching the argument names, its
 *   arguments, its result and the read over the rows it returns.
 *
 * @throws {PostgrestError} `PGRST205` (404) unknown table; `42703` (400) unknown column in select, filters
 * or order; `PGRST204` (400) in `on_conflict`, `columns` or body; `PGRST200` (400) / `PGRST201` (300) relationship not
 * found / ambiguous; `PGRST108`, `PGRST118`, `PGRST120`, `PGRST123`, `PGRST127` (400) as documented on
 * {@linkcode planReadTree}; `PGRST202` (404) / `PGRST203` (300) no function / several overloads match; `PGRST106` (406) a schema other than the
 * catalog's.
 *
 * @example
 * ```ts
 * const apiRequest = await parseRequest(request, { path });
 * const plan = planRequest(apiRequest, catalog, { maxRows: 1000 });
 * const query = buildQuery(plan); // the sql stage
 * ```
 */
export function planRequest(request: ApiRequest, catalog: Catalog, options: PlanRequestOptions = {}): Plan {
  if (request.schema !== catalog.schema) {
    throw new PostgrestError("PGRST106", `Invalid schema: ${request.schema}`, {
      hint: `Only the following schemas are exposed: ${catalog.schema}`,
    });
  }
  const shared = {
    ...(options.aggregates === undefined ? {} : { aggregates: options.aggregates }),
    ...(options.scopeColumns === undefined ? {} : { scopeColumns: options.scopeColumns }),
  };
  if (request.resource.kind === "rpc") {
    return planCall(request, catalog, {
      ...shared,
      ...(options.maxRows === undefined ? {} : { maxRows: options.maxRows }),
    });
  }
  const table = findTable(catalog, request.resource.name);
  if (table === undefined) throw tableNotFound(catalog, request.resource.name);
  if (request.action !== "read") return planMutation(request, catalog, { table, ...shared });
  const tree = planReadTree(catalog, { table, query: request.query, ...shared });
  const queryRange = request.query.ranges.find((range) => range.path.length === 0) ?? null;
  const range = planRange(queryRange, {
    header: request.range,
    ...(options.maxRows === undefined ? {} : { maxRows: options.maxRows }),
  });
  return {
    kind: "read",
    schema: catalog.schema,
    head: request.method === "HEAD",
    media: request.accept.media,
    stripNulls: request.accept.stripNulls,
    count: request.preferences.count,
    root: { ...tree, range },
  };
}
