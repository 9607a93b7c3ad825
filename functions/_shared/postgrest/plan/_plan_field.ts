/**
 * A column reference of the request, checked and typed against a table of the catalog.
 *
 * @module
 */

import { undefinedColumn } from "./_schema_errors.ts";
import { type CatalogTable, findColumn } from "../../catalog/mod.ts";
import type { PlannedField } from "./plan.ts";
import type { Field } from "../parse/mod.ts";

const JSON_TYPES = new Set(["json", "jsonb"]);

/**
 * Checks that `field`'s column exists in `table` and types the expression: the column's `valueType`, or
 * after a JSON path `text` (`->>`) or the JSON type (`->`: the column's own `json`/`jsonb`, or `jsonb` for
 * any other column, which the path then applies to as `to_jsonb(column)`).
 *
 * @throws {PostgrestError} `42703` (400, "column contacts.x does not exist", as PostgREST answers) for a
 * column the table does not have.
 *
 * @example
 * ```ts
 * planField(accounts, { name: "address", jsonPath: [{ arrow: "->>", kind: "key", key: "city" }] });
 * // { column: "address", jsonPath: […], toJson: false, type: "text" }
 * ```
 */
export function planField(table: CatalogTable, field: Field): PlannedField {
  const column = findColumn(table, field.name);
  if (column === undefined) throw undefinedColumn(table.name, field.name);
  const last = field.jsonPath.at(-1);
  const isJson = JSON_TYPES.has(column.valueType);
  let type = column.valueType;
  if (last !== undefined) type = last.arrow === "->>" ? "text" : isJson ? column.valueType : "jsonb";
  return { column: column.name, jsonPath: field.jsonPath, toJson: last !== undefined && !isJson, type };
}
