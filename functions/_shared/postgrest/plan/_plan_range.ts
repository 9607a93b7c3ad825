/**
 * The rows a read returns: `limit`/`offset`, the `Range` header and the server's row cap, combined as in
 * PostgREST (`rangeIntersection`, `restrictRange`).
 *
 * @module
 */

import type { PlannedRange } from "./plan.ts";
import type { RowRange } from "../parse/mod.ts";

/** Options of {@linkcode planRange}. */
export interface PlanRangeOptions {
  /** The `Range` header's rows, or `null`. */
  header?: RowRange | null;
  /** The most rows the server returns (PostgREST's `db-max-rows`); absent: no cap. */
  maxRows?: number;
}

/**
 * Intersects the query's `limit`/`offset` with the `Range` header (both are inclusive row intervals:
 * `offset=20&limit=20` is rows 20–39, `Range: 0-24` rows 0–24, together rows 20–24) and caps the result
 * at `maxRows`. Disjoint intervals give `limit: 0` at the later start.
 *
 * @example
 * ```ts
 * planRange({ offset: 20, limit: 20 }, { header: { offset: 0, limit: 25 }, maxRows: 1000 });
 * // { offset: 20, limit: 5 }
 * ```
 */
export function planRange(
  query: { readonly offset: number; readonly limit: number | null } | null,
  options: PlanRangeOptions = {},
): PlannedRange {
  const intervals = [query, options.header ?? null].filter((range) => range !== null);
  let lower = 0;
  let upper = Infinity;
  for (const range of intervals) {
    lower = Math.max(lower, range.offset);
    upper = Math.min(upper, range.limit === null ? Infinity : range.offset + range.limit - 1);
  }
  let limit = upper === Infinity ? null : Math.max(0, upper - lower + 1);
  if (options.maxRows !== undefined) limit = Math.min(limit ?? options.maxRows, options.maxRows);
  return { offset: lower, limit };
}
