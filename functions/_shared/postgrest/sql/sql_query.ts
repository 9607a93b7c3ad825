/**
 * The sql stage: a {@linkcode Plan} becomes one statement that returns one row (PostgREST's `Statements`:
 * `createReadStatement`, `createWriteStatement`).
 *
 * ## The result row
 *
 * Every statement returns exactly one row with three columns:
 *
 * | column | type | value |
 * | --- | --- | --- |
 * | `page_total` | `int4` | reads: rows in this page (after `limit`/`offset`/`Range`/`maxRows`); writes: rows inserted, updated or deleted (with `ignore-duplicates`, the rows actually inserted) |
 * | `total_count` | `int8` or `NULL` | `NULL` unless `Prefer: count=` was sent. Reads: the rows matching the filters (and `!inner` embeds), without `limit`/`offset` — `exact`, and also `planned` and `estimated`, which are answered exactly (see below). Writes: `page_total`. postgres.js returns `int8` as a string |
 * | `body` | `text` or `NULL` | the response body, built in SQL: `json` → a JSON array (`[]` when empty); `object` → the first row's JSON object, or `null` (the respond stage must check `page_total = 1`, else 406 `PGRST116`, and roll a write back); `csv` → a header line and rows, as PostgREST; `nulls=stripped` applied. `NULL` for HEAD and for writes without `return=representation` |
 *
 * `count=planned` / `count=estimated` are answered with an exact count: `pg_class.reltuples` counts every
 * tenant's rows of a shared table (a leak across tenants, and `-1` before the first `ANALYZE`), and an
 * `EXPLAIN` estimate would need a second statement. A tenant's count runs on the `tenant_id` indexes.
 *
 * Run it as `sql.unsafe(statement.text, statement.params)` inside the request's transaction (after
 * `set_config('role', …, true)` and `set_config('request.jwt.claims', …, true)`), read only when
 * `readOnly`. Every placeholder is typed (`$1::text`), so the driver needs no type inference.
 *
 * @module
 */

import { levelAliases } from "./_sql_names.ts";
import type { CallPlan, MutatePlan, Plan, PlanOutput, ReadNode, ReadPlan } from "../plan/mod.ts";
import { callSql, SCALAR_COLUMN } from "./_sql_call.ts";
import { restrictionsSql, whereSql } from "./_sql_condition.ts";
import { type Fragment, qualified, render, sql, type SqlStatement } from "./sql_fragment.ts";
import { mutationSql } from "./_sql_mutation.ts";
import { readNodeSql } from "./_sql_read.ts";

/** A statement and what the execute and respond stages need to know about it. */
export interface SqlQuery {
  /** One statement returning one row: `page_total`, `total_count`, `body` (see the module doc). */
  readonly statement: SqlStatement;
  /**
   * The plan's kind: `read` (200/206), `insert` (201), `update`, `delete` (200, or 204 without body), `call`
   * (200/206, or 204 for a `void` function).
   */
  readonly kind: Plan["kind"];
  /** A read, or a call of a function that cannot write (or by GET/HEAD): run the transaction `READ ONLY`. */
  readonly readOnly: boolean;
  /** The body's media: `json` (`application/json`), `object` (`application/vnd.pgrst.object+json`), `csv`. */
  readonly media: PlanOutput["media"];
  /** `Accept: application/vnd.pgrst.object+json`: `page_total` must be 1, else 406 `PGRST116` and rollback. */
  readonly expectsSingle: boolean;
  /** Whether `body` is built (not HEAD, and for writes `return=representation`). */
  readonly returnsBody: boolean;
  /** `exact` when `total_count` is filled (any `Prefer: count=`), else `null`. */
  readonly countMode: "exact" | null;
  /** The first row's position, for `Content-Range: <offset>-<offset + page_total - 1>/<total | *>`. */
  readonly offset: number;
  /** `Prefer: max-affected=n` with `handling=strict`: more than `n` affected rows is 400 `PGRST124` and rollback. */
  readonly maxAffected: number | null;
  /**
   * An upsert with `resolution=merge-duplicates`: the row also has `page_inserted`, the rows inserted (not
   * updated); PostgREST answers 200 instead of 201 when it is 0.
   */
  readonly mergeDuplicates: boolean;
  /** A call of a `void` function: PostgREST answers 204 without a body, whatever the method (HEAD too). */
  readonly noContent: boolean;
}

const SOURCE = sql`"pgrst_source"`;
const ROW = sql`"pgrst_row"`;
const PAGE = sql`"pgrst_page"`;
const WRITTEN = sql`"pgrst_written"`;

/**
 * Builds the statement of a plan: a read as `SELECT count(*), …, json_agg(…) FROM (<select>) AS "pgrst_row"`
 * (CSV: `WITH "pgrst_source" AS (<select>) SELECT …`); a write as
 * `WITH "pgrst_source" AS (<insert | update | delete> RETURNING …), "pgrst_page" AS (<projection of the
 * returned rows, with embeds>) SELECT …`; both ending in the one result row described in the module doc.
 *
 * @example
 * ```ts
 * const query = buildQuery(planRequest(apiRequest, catalog));
 * const [row] = await tx.unsafe(query.statement.text, [...query.statement.params]);
 * // row: { page_total: 2, total_count: null, body: '[{"id":…},{"id":…}]' }
 * ```
 */
export function buildQuery(plan: Plan): SqlQuery {
  if (plan.kind === "call") return callQuery(plan);
  const statement = plan.kind === "read" ? readStatement(plan) : writeStatement(plan);
  const returnsBody = plan.kind === "read" ? !plan.head : plan.returning !== null;
  return {
    statement: render(statement),
    kind: plan.kind,
    readOnly: plan.kind === "read",
    media: plan.media,
    expectsSingle: plan.media === "object",
    returnsBody,
    countMode: plan.count === null ? null : "exact",
    offset: plan.kind === "read" ? plan.root.range.offset : 0,
    maxAffected: plan.kind === "read" ? null : plan.maxAffected,
    mergeDuplicates: isMerge(plan),
    noContent: false,
  };
}

function isMerge(plan: Plan): boolean {
  return plan.kind === "insert" && plan.onConflict?.resolution === "merge-duplicates";
}

/**
 * A call as `WITH "pgrst_source" AS MATERIALIZED (<call>) SELECT …`: materialized so the function runs
 * exactly once, whole, even when nothing reads its columns (a `void` function). Rows are then read like a
 * table's (`"pgrst_page"`: select, filters, order, range, embeds), counted over the filtered rows.
 */
function callQuery(plan: CallPlan): SqlQuery {
  const source = sql`WITH ${SOURCE} AS MATERIALIZED (${callSql(plan)})`;
  const noCount = sql`NULL::int8`;
  let statement: Fragment;
  let returnsBody = !plan.head;
  let offset = 0;
  if (plan.root === null) {
    const body = plan.result === "void" || plan.head
      ? sql`NULL::text`
      : plan.result === "scalar"
      ? sql`(SELECT coalesce(json_agg(${SCALAR_COLUMN})->0, 'null') FROM ${SOURCE})::text`
      : sql`(SELECT coalesce(json_agg(${SCALAR_COLUMN}), '[]') FROM ${SOURCE})::text`;
    const total = plan.count === null ? noCount : sql`(SELECT count(*) FROM ${SOURCE})::int8`;
    statement = sql`${source} ${resultSql(total, body)}`;
    if (plan.result === "void") returnsBody = false;
  } else {
    offset = plan.root.range.offset;
    const page = readNodeSql(plan.root, { schema: plan.schema, source: SOURCE });
    const alias = levelAliases(plan.root.id).table;
    const total = plan.count === null
      ? noCount
      : sql`(SELECT count(*) FROM ${SOURCE} AS ${alias}${
        whereSql(restrictionsSql(plan.root, { schema: plan.schema, alias }))
      })::int8`;
    // One composite: an object, whatever the Accept header asked (an array only for sets).
    const output = plan.result === "row" && plan.media === "json"
      ? { ...plan, media: "object" as const }
      : plan;
    const body = plan.head ? sql`NULL::text` : bodySql(output, PAGE);
    statement =
      sql`${source}, ${PAGE} AS (${page}) SELECT (SELECT count(*) FROM ${PAGE})::int4 AS "page_total", ${total} AS "total_count", ${body} AS "body"`;
  }
  return {
    statement: render(statement),
    kind: "call",
    readOnly: plan.readOnly,
    media: plan.media,
    expectsSingle: plan.media === "object",
    returnsBody,
    countMode: plan.count === null ? null : "exact",
    offset,
    maxAffected: plan.maxAffected,
    mergeDuplicates: false,
    noContent: plan.result === "void",
  };
}

/**
 * A JSON read aggregates its rows in one pass, `SELECT count(*), …, json_agg("pgrst_row") FROM (<select>)
 * AS "pgrst_row"`, as PostgREST does: a CTE read twice (once to count, once for the body) would be
 * materialised and scanned twice. CSV reads the first row again for its header line, so it keeps the CTE.
 */
function readStatement(plan: ReadPlan): Fragment {
  const total = plan.count === null ? sql`NULL::int8` : sql`(${countSql(plan.root, plan.schema)})::int8`;
  const select = readNodeSql(plan.root, { schema: plan.schema });
  if (plan.media !== "csv") {
    const body = plan.head ? sql`NULL::text` : sql`${jsonAggregate(plan)}::text`;
    return sql`SELECT count(*)::int4 AS "page_total", ${total} AS "total_count", ${body} AS "body" FROM (${select}) AS ${ROW}`;
  }
  const body = plan.head ? sql`NULL::text` : bodySql(plan, SOURCE);
  return sql`WITH ${SOURCE} AS (${select}) ${resultSql(total, body)}`;
}

function writeStatement(plan: MutatePlan): Fragment {
  const total = plan.count === null ? sql`NULL::int8` : sql`(SELECT count(*) FROM ${SOURCE})::int8`;
  if (plan.returning === null) {
    const inserted = isMerge(plan) ? insertedSql(SOURCE) : sql``;
    return sql`WITH ${SOURCE} AS (${mutationSql(plan)}) ${resultSql(total, sql`NULL::text`)}${inserted}`;
  }
  // A merging upsert returns its rows whole beside the inserted flag (see mutationSql): unwrapped here.
  const source = isMerge(plan)
    ? sql`${WRITTEN} AS (${mutationSql(plan)}), ${SOURCE} AS (SELECT ("pgrst_row").* FROM ${WRITTEN})`
    : sql`${SOURCE} AS (${mutationSql(plan)})`;
  const page = readNodeSql(plan.returning, { schema: plan.schema, source: SOURCE });
  return sql`WITH ${source}, ${PAGE} AS (${page}) ${resultSql(total, bodySql(plan, PAGE))}${
    isMerge(plan) ? insertedSql(WRITTEN) : sql``
  }`;
}

function insertedSql(rows: Fragment): Fragment {
  return sql`, (SELECT count(*) FROM ${rows} WHERE "pgrst_inserted")::int4 AS "page_inserted"`;
}

function resultSql(total: Fragment, body: Fragment): Fragment {
  return sql`SELECT (SELECT count(*) FROM ${SOURCE})::int4 AS "page_total", ${total} AS "total_count", ${body} AS "body"`;
}

/**
 * `SELECT count(*)` of the root's rows without order and range: its conditions and `!inner` embeds as
 * `EXISTS`, no embedded JSON built; an aggregating root counts its groups.
 */
function countSql(root: ReadNode, schema: string): Fragment {
  const aggregated = root.select.some((item) =>
    item.kind === "count" || (item.kind === "field" && item.aggregate !== null)
  );
  if (aggregated) {
    const groups = readNodeSql({ ...root, order: [], range: { offset: 0, limit: null } }, { schema });
    return sql`SELECT count(*) FROM (${groups}) AS "pgrst_count"`;
  }
  const alias = levelAliases(root.id).table;
  return sql`SELECT count(*) FROM ${qualified(schema, root.table)} AS ${alias}${
    whereSql(restrictionsSql(root, { schema, alias }))
  }`;
}

/** The JSON body aggregated over the rows of `"pgrst_row"`: an array, or the first row as an object. */
function jsonAggregate(output: PlanOutput): Fragment {
  if (output.media === "object") {
    const first = output.stripNulls ? sql`json_strip_nulls(json_agg(${ROW})->0)` : sql`json_agg(${ROW})->0`;
    return sql`coalesce(${first}, 'null')`;
  }
  const agg = output.stripNulls ? sql`json_strip_nulls(json_agg(${ROW}))` : sql`json_agg(${ROW})`;
  return sql`coalesce(${agg}, '[]')`;
}

function bodySql(output: PlanOutput, source: Fragment): Fragment {
  const row = ROW;
  switch (output.media) {
    case "json":
    case "object":
      return sql`(SELECT ${jsonAggregate(output)} FROM ${source} AS ${row})::text`;
    case "csv": {
      const header =
        sql`(SELECT coalesce(string_agg("pgrst_key", ','), '') FROM json_object_keys((SELECT row_to_json("pgrst_head") FROM ${source} AS "pgrst_head" LIMIT 1)) AS "pgrst_key")`;
      const line = sql`substring(${row}::text, 2, length(${row}::text) - 2)`;
      return sql`(SELECT ${header} || chr(10) || coalesce(string_agg(${line}, chr(10)), '') FROM ${source} AS ${row})`;
    }
  }
}
