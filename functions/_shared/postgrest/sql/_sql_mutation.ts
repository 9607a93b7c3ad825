/**
 * INSERT, UPDATE and DELETE statements of write plans (PostgREST's `mutatePlanToQuery`).
 *
 * @module
 */

import { levelAliases } from "./_sql_names.ts";
import type { MutatePlan, PlannedCondition } from "../plan/mod.ts";
import { BODY_ALIAS, bodySql } from "./_sql_body.ts";
import { conditionSql, whereSql } from "./_sql_condition.ts";
import { type Fragment, ident, join, qualified, sql } from "./sql_fragment.ts";
import { readNodeSql } from "./_sql_read.ts";

/** The alias of the written table: the root level's, `"pgrst_t0"`. */
const TABLE = levelAliases(0).table;

/**
 * The data-modifying statement of a write, ending in `RETURNING "pgrst_t0".*` when the representation is
 * wanted, else `RETURNING 1` (so RLS `SELECT` policies do not apply to rows the client will not see, as in
 * PostgREST).
 *
 * - insert: `INSERT INTO "public"."t" AS "pgrst_t0" ("a", "b") SELECT "pgrst_body"."a", "pgrst_body"."b"
 *   FROM <body rows> [ON CONFLICT ("tenant_id", "sku") DO UPDATE SET "a" = EXCLUDED."a", … | DO NOTHING]`;
 * - update: `UPDATE "public"."t" AS "pgrst_t0" SET "a" = "pgrst_body"."a" FROM <body row> WHERE …`; an
 *   empty body updates nothing (`SELECT … WHERE FALSE`);
 * - delete: `DELETE FROM "public"."t" AS "pgrst_t0" WHERE …`;
 * - with `limit`/`offset`, update and delete only the rows of `SELECT ctid … ORDER BY … LIMIT … OFFSET …`
 *   (tables only: views have no `ctid`).
 *
 * @example
 * ```ts
 * render(mutationSql(deletePlan)).text;
 * // DELETE FROM "public"."contacts" AS "pgrst_t0" WHERE "pgrst_t0"."id" = CAST($1::text AS uuid) RETURNING 1
 * ```
 */
export function mutationSql(plan: MutatePlan): Fragment {
  const target = sql`${qualified(plan.schema, plan.table)} AS ${TABLE}`;
  const returning = plan.returning === null ? sql` RETURNING 1` : sql` RETURNING ${TABLE}.*`;
  switch (plan.kind) {
    case "insert": {
      // An upsert that merges tells inserted rows from updated ones (xmax is 0 only for a new row version
      // inserted by this statement): PostgREST answers 200 when it inserted none. The row goes whole into
      // "pgrst_row", so the rows read back have exactly the table's row type (a computed field takes it).
      const inserted = plan.onConflict?.resolution === "merge-duplicates"
        ? sql`(${TABLE}.xmax = 0) AS "pgrst_inserted"`
        : null;
      const insertReturning = inserted === null
        ? returning
        : plan.returning === null
        ? sql` RETURNING ${inserted}`
        : sql` RETURNING ${inserted}, ${TABLE} AS "pgrst_row"`;
      const names = plan.columns.map((column) => ident(column.name));
      const list = names.length === 0 ? sql`` : sql` (${join(names, sql`, `)})`;
      const values = join(names.map((name) => sql`${BODY_ALIAS}.${name}`), sql`, `);
      let conflict = sql``;
      if (plan.onConflict !== null) {
        const keys = join(plan.onConflict.columns.map(ident), sql`, `);
        const merge = plan.onConflict.resolution === "merge-duplicates" && names.length > 0;
        conflict = merge
          ? sql` ON CONFLICT (${keys}) DO UPDATE SET ${
            join(names.map((name) => sql`${name} = EXCLUDED.${name}`), sql`, `)
          }`
          : sql` ON CONFLICT (${keys}) DO NOTHING`;
      }
      return sql`INSERT INTO ${target}${list} SELECT${names.length === 0 ? sql`` : sql` ${values}`} FROM ${
        bodySql(plan.body, plan.columns)
      }${conflict}${insertReturning}`;
    }
    case "update": {
      if (plan.columns.length === 0) {
        return sql`SELECT ${plan.returning === null ? sql`1` : sql`${TABLE}.*`} FROM ${target} WHERE FALSE`;
      }
      const set = join(
        plan.columns.map((column) => sql`${ident(column.name)} = ${BODY_ALIAS}.${ident(column.name)}`),
        sql`, `,
      );
      const from = bodySql(plan.body, plan.columns);
      const rows = affectedRows(plan);
      return rows === null
        ? sql`UPDATE ${target} SET ${set} FROM ${from}${
          whereSql(conditions(plan.where, plan.schema))
        }${returning}`
        : sql`UPDATE ${target} SET ${set} FROM ${from}, ${rows.from} WHERE ${rows.condition}${returning}`;
    }
    case "delete": {
      const rows = affectedRows(plan);
      return rows === null
        ? sql`DELETE FROM ${target}${whereSql(conditions(plan.where, plan.schema))}${returning}`
        : sql`DELETE FROM ${target} USING ${rows.from} WHERE ${rows.condition}${returning}`;
    }
  }
}

function conditions(where: readonly PlannedCondition[], schema: string): Fragment[] {
  return where.map((condition) => conditionSql(condition, { schema, alias: TABLE }));
}

/** With a range: the `ctid`s of the rows to write (the first ones by the order), and the condition matching them. */
function affectedRows(
  plan: MutatePlan & { kind: "update" | "delete" },
): { from: Fragment; condition: Fragment } | null {
  if (plan.range.limit === null && plan.range.offset === 0) return null;
  const select = readNodeSql(
    { id: 0, table: plan.table, select: [], where: plan.where, order: plan.order, range: plan.range },
    { schema: plan.schema, extraOutputs: [sql`${TABLE}.ctid AS "pgrst_ctid"`] },
  );
  const affected = ident("pgrst_affected");
  return { from: sql`(${select}) AS ${affected}`, condition: sql`${TABLE}.ctid = ${affected}."pgrst_ctid"` };
}
