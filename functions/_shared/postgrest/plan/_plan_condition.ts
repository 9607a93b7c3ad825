/**
 * Filters and logic trees of one level, checked against its table and its embedded resources.
 *
 * @module
 */

import { findColumn } from "../../catalog/mod.ts";
import { PostgrestError } from "../../errors/mod.ts";
import type { PlannedCondition, PlannedEmbed } from "./plan.ts";
import { type FieldScope, planField } from "./_plan_field.ts";
import type { LogicTree } from "../parse/mod.ts";

/** An embedded resource of the level and the names a filter may call it by (alias, relation). */
export interface NamedEmbed {
  /** The alias (if any) and the relation as written. */
  readonly names: readonly string[];
  /** The planned embed. */
  readonly embed: PlannedEmbed;
}

/** Options of {@linkcode planCondition}. */
export interface PlanConditionOptions {
  /** The level's embedded resources, for `contacts=is.null` / `contacts=not.is.null`. */
  embeds: readonly NamedEmbed[];
}

/**
 * Plans a filter or an and/or tree of a level (its table and computed fields in `scope`).
 *
 * A filter names a column (typed by {@linkcode planField}) or, without a JSON path and when no column has
 * that name, an embedded resource of the level: then only `is.null` and `not.is.null` (or `is.not_null`)
 * are allowed, and they keep the rows whose embed has no row / some row (PostgREST's null filtering on
 * embedded resources).
 *
 * @throws {PostgrestError} `42703` (400) for an unknown column; `PGRST120` (400) for another operator on
 * an embedded resource.
 *
 * @example
 * ```ts
 * planCondition({ table: contacts, computed: [], schema: "public" }, { kind: "filter", field: { name: "email", jsonPath: [] }, negated: true,
 *   operation: { kind: "is", value: "null" } }, { embeds: [] });
 * // { kind: "filter", field: { column: "email", … }, negated: true, operation: { kind: "is", value: "null" } }
 * ```
 */
export function planCondition(
  scope: FieldScope,
  tree: LogicTree,
  options: PlanConditionOptions,
): PlannedCondition {
  if (tree.kind === "logic") {
    return {
      kind: "logic",
      operator: tree.operator,
      negated: tree.negated,
      children: tree.children.map((child) => planCondition(scope, child, options)),
    };
  }
  const { field, negated, operation } = tree;
  if (field.jsonPath.length === 0 && findColumn(scope.table, field.name) === undefined) {
    const named = options.embeds.find((candidate) => candidate.names.includes(field.name));
    if (named !== undefined) {
      if (operation.kind !== "is" || (operation.value !== "null" && operation.value !== "not_null")) {
        throw new PostgrestError("PGRST120", `Bad operator on the '${field.name}' embedded resource`, {
          details: "Only is null or not is null filters are allowed on embedded resources",
        });
      }
      return { kind: "embed", embed: named.embed, isNull: (operation.value === "null") !== negated };
    }
  }
  return { kind: "filter", field: planField(scope, field), negated, operation };
}
