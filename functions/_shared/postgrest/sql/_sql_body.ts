/**
 * The rows of a write's JSON body, as a FROM item (PostgREST's `fromJsonBodyF`): the whole body is one
 * bind parameter, turned into rows by `json_to_record(set)` with the columns' catalog types.
 *
 * @module
 */

import type { PlannedBody, PlannedColumn } from "../plan/mod.ts";
import { bind, type Fragment, ident, join, rawCatalogSql, sql, typeName } from "./sql_fragment.ts";

/** The alias of the body's rows: `"pgrst_body"`. */
export const BODY_ALIAS: Fragment = ident("pgrst_body");

/** `jsonb_build_object` takes at most 100 arguments: 50 key/value pairs. */
const PAIRS_PER_CALL = 50;

/**
 * A FROM item `… AS "pgrst_body"(…)` with one row per object of the body (one for an object) and a column
 * per planned column:
 *
 * - `json_to_recordset(CAST($1::text AS json)) AS "pgrst_body"("first_name" text, "email" text)`;
 * - with defaults (`Prefer: missing=default`), each object is first merged over an object of the defaults,
 *   so a key the object has wins, even when `null`:
 *   `jsonb_to_recordset((SELECT jsonb_agg(jsonb_build_object($2::text, (now())) || e.value ORDER BY
 *   e.ordinality) FROM jsonb_array_elements(CAST($1::text AS jsonb)) WITH ORDINALITY AS e)) AS …`;
 * - without columns (`{}`, `[{}, {}]`): `(VALUES (1))` or `json_array_elements(…)`, for rows of defaults.
 *
 * @example
 * ```ts
 * render(bodySql({ kind: "object", raw: '{"name":"Ada"}' }, [{ name: "name", type: "text", default: null }]));
 * // { text: 'json_to_record(CAST($1::text AS json)) AS "pgrst_body"("name" text)', params: ['{"name":"Ada"}'] }
 * ```
 */
export function bodySql(body: PlannedBody, columns: readonly PlannedColumn[]): Fragment {
  const raw = bind(body.raw);
  if (columns.length === 0) {
    return body.kind === "object"
      ? sql`(VALUES (1)) AS ${BODY_ALIAS}`
      : sql`json_array_elements(CAST(${raw} AS json)) AS ${BODY_ALIAS}`;
  }
  const definitions = join(
    columns.map((column) => sql`${ident(column.name)} ${typeName(column.type)}`),
    sql`, `,
  );
  const defaults = columns.filter((column) => column.default !== null);
  if (defaults.length === 0) {
    return body.kind === "object"
      ? sql`json_to_record(CAST(${raw} AS json)) AS ${BODY_ALIAS}(${definitions})`
      : sql`json_to_recordset(CAST(${raw} AS json)) AS ${BODY_ALIAS}(${definitions})`;
  }
  const calls: Fragment[] = [];
  for (let i = 0; i < defaults.length; i += PAIRS_PER_CALL) {
    const pairs = defaults.slice(i, i + PAIRS_PER_CALL).map((column) =>
      sql`${bind(column.name)}, ${rawCatalogSql(column.default ?? "null")}`
    );
    calls.push(sql`jsonb_build_object(${join(pairs, sql`, `)})`);
  }
  const merged = join(calls, sql` || `);
  if (body.kind === "object") {
    return sql`jsonb_to_record(${merged} || CAST(${raw} AS jsonb)) AS ${BODY_ALIAS}(${definitions})`;
  }
  return sql`jsonb_to_recordset((SELECT jsonb_agg(${merged} || "pgrst_elem"."value" ORDER BY "pgrst_elem"."ordinality") FROM jsonb_array_elements(CAST(${raw} AS jsonb)) WITH ORDINALITY AS "pgrst_elem")) AS ${BODY_ALIAS}(${definitions})`;
}
