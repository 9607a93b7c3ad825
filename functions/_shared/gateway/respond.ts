/**
 * The respond stage: the statement's one result row (`page_total`, `total_count`, `body`) becomes the
 * HTTP response PostgREST would send: status, `Content-Range`, `Preference-Applied`, content type.
 *
 * @module
 */
import { PostgrestError, type SqlQuery } from "../postgrest/mod.ts";

/** The one row every statement of the sql stage returns. */
export interface ResultRow {
  page_total: number;
  /** postgres.js reads `int8` as a string. */
  total_count: string | number | null;
  body: string | null;
  /** Upserts with `merge-duplicates` only: the rows inserted rather than updated. */
  page_inserted?: number;
}

/** Options of {@linkcode respond}. */
export interface RespondOptions {
  method: string;
  /** `Prefer` values the gateway honoured, echoed in `Preference-Applied`. */
  preferenceApplied?: readonly string[];
}

const MEDIA_TYPES = {
  json: "application/json; charset=utf-8",
  object: "application/vnd.pgrst.object+json; charset=utf-8",
  csv: "text/csv; charset=utf-8",
} as const;

/**
 * Renders a result row as the response of `query`.
 *
 * @example
 * ```ts
 * return respond(query, row, { method: request.method });
 * ```
 */
export function respond(query: SqlQuery, row: ResultRow, options: RespondOptions): Response {
  const total = row.total_count === null ? null : Number(row.total_count);
  const status = statusOf(query, row, total);
  const withBody = query.returnsBody && row.body !== null;
  // Without a body, only a read, an insert and a call of a function that returns something keep it.
  const keepsStatus = query.kind === "insert" || query.kind === "read" ||
    (query.kind === "call" && !query.noContent);
  // Headers are set on the response's own list: in Deno that is several times cheaper than a `Headers`
  // object passed to the constructor, which is validated and copied again.
  const response = withBody
    ? new Response(options.method === "HEAD" ? null : row.body, { status })
    : new Response(null, { status: keepsStatus ? status : 204 });
  const { headers } = response;
  headers.set("content-range", contentRange(query.offset, row.page_total, total));
  if (options.preferenceApplied?.length) {
    headers.set("preference-applied", options.preferenceApplied.join(", "));
  }
  if (withBody) headers.set("content-type", MEDIA_TYPES[query.media]);
  return response;
}

/** PGRST116 unless exactly one row; thrown inside the transaction so a write is rolled back. */
export function requireSingleRow(query: SqlQuery, row: ResultRow): void {
  if (!query.expectsSingle || row.page_total === 1) return;
  throw new PostgrestError("PGRST116", "Cannot coerce the result to a single JSON object", {
    details: `The result contains ${row.page_total} rows`,
  });
}

/** PGRST124 when a write affects more rows than `Prefer: max-affected` allows (with handling=strict). */
export function requireMaxAffected(query: SqlQuery, row: ResultRow): void {
  if (query.maxAffected === null || row.page_total <= query.maxAffected) return;
  throw new PostgrestError("PGRST124", "Query result exceeds max-affected preference constraint", {
    details: `The query affects ${row.page_total} rows`,
  });
}

function statusOf(query: SqlQuery, row: ResultRow, total: number | null): number {
  const pageTotal = row.page_total;
  // PostgREST: an upsert that merged every row into an existing one created nothing.
  if (query.kind === "insert") return query.mergeDuplicates && row.page_inserted === 0 ? 200 : 201;
  if (query.kind !== "read" && query.kind !== "call") return 200;
  // PostgREST: a page that does not cover the known total is partial content.
  if (total !== null && pageTotal < total && !query.expectsSingle) return 206;
  return 200;
}

function contentRange(offset: number, pageTotal: number, total: number | null): string {
  const of = total === null ? "*" : String(total);
  return pageTotal === 0 ? `*/${of}` : `${offset}-${offset + pageTotal - 1}/${of}`;
}
