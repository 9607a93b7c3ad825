/**
 * How an embedded level's table is reached from its parent row: the FROM item and the join conditions of a
 * relationship.
 *
 * @module
 */

import type { Relationship } from "../plan/mod.ts";
import { type Fragment, ident, join, qualified, sql } from "./sql_fragment.ts";

/** Options of {@linkcode joinSql}. */
export interface JoinSqlOptions {
  /** The schema of the tables. */
  schema: string;
  /** The alias of the parent level's table. */
  parent: Fragment;
  /** The alias to give the embedded table. */
  alias: Fragment;
  /** The alias to give a many-to-many relationship's junction table. */
  junction: Fragment;
}

/** The FROM item of an embedded level and the conditions that tie it to its parent row. */
export interface JoinSql {
  /** `"public"."accounts" AS "pgrst_t1"`, with the junction joined in for many-to-many. */
  readonly from: Fragment;
  /** `"pgrst_t1"."tenant_id" = "pgrst_t0"."tenant_id"`, `"pgrst_t1"."id" = "pgrst_t0"."account_id"`… */
  readonly conditions: readonly Fragment[];
}

/**
 * The FROM item and join conditions of `relationship`, on every column of its foreign key (the shared
 * `tenant_id` included: the composite key is what the indexes serve). A computed relationship is its
 * function called with the parent's row, without conditions.
 *
 * @example
 * ```ts
 * joinSql(contactsToAccounts, { schema: "public", parent: ident("pgrst_t0"), alias: ident("pgrst_t1"),
 *   junction: ident("pgrst_j1") });
 * // from: "public"."accounts" AS "pgrst_t1"
 * // conditions: "pgrst_t1"."tenant_id" = "pgrst_t0"."tenant_id", "pgrst_t1"."id" = "pgrst_t0"."account_id"
 * ```
 */
export function joinSql(relationship: Relationship, options: JoinSqlOptions): JoinSql {
  const { parent, alias, junction } = options;
  if (relationship.function !== null) {
    return {
      from: sql`${qualified(options.schema, relationship.function)}(${parent}) AS ${alias}`,
      conditions: [],
    };
  }
  const table = sql`${qualified(options.schema, relationship.foreignTable)} AS ${alias}`;
  if (relationship.junction === null) {
    return {
      from: table,
      conditions: relationship.columns.map(([own, other]) =>
        sql`${alias}.${ident(other)} = ${parent}.${ident(own)}`
      ),
    };
  }
  const j = relationship.junction;
  const on = j.targetColumns.map(([jc, target]) => sql`${junction}.${ident(jc)} = ${alias}.${ident(target)}`);
  return {
    from: sql`${table} JOIN ${qualified(options.schema, j.table)} AS ${junction} ON ${join(on, sql` AND `)}`,
    conditions: j.originColumns.map(([origin, jc]) =>
      sql`${junction}.${ident(jc)} = ${parent}.${ident(origin)}`
    ),
  };
}
