/**
 * A planned field as a SQL expression: the column, and its JSON path with keys and indexes bound.
 *
 * @module
 */

import type { PlannedField } from "../plan/mod.ts";
import { bind, bindInteger, type Fragment, ident, qualified, sql } from "./sql_fragment.ts";

/**
 * `"alias"."column"`, a computed field's call with the level's row (`"public"."weighted_amount"("alias")`),
 * or with a JSON path `("alias"."address"->$1::text->>$2::text)` (wrapped in
 * `to_jsonb(…)` for a column that isn't JSON). Path keys are text parameters, indexes `int4` parameters.
 *
 * @example
 * ```ts
 * render(fieldSql(field, ident("pgrst_t0")));
 * // { text: '("pgrst_t0"."address"->>$1::text)', params: ["city"] }
 * ```
 */
export function fieldSql(field: PlannedField, alias: Fragment): Fragment {
  let expression = field.computedIn === null
    ? sql`${alias}.${ident(field.column)}`
    : sql`${qualified(field.computedIn, field.column)}(${alias})`;
  if (field.jsonPath.length === 0) return expression;
  if (field.toJson) expression = sql`to_jsonb(${expression})`;
  for (const step of field.jsonPath) {
    const operand = step.kind === "key" ? bind(step.key) : bindInteger(step.index, { type: "int4" });
    expression = step.arrow === "->" ? sql`${expression}->${operand}` : sql`${expression}->>${operand}`;
  }
  return sql`(${expression})`;
}
