/**
 * A column reference of the request, checked and typed against a table of the catalog.
 *
 * @module
 */

import { undefinedColumn } from "./_schema_errors.ts";
import { type CatalogTable, type ComputedField, findColumn } from "../../catalog/mod.ts";
import type { PlannedField } from "./plan.ts";
import type { Field } from "../parse/mod.ts";

const JSON_TYPES = new Set(["json", "jsonb"]);

/** A level's table and its computed fields: what a field of the request may name. */
export interface FieldScope {
  /** The level's table or view. */
  readonly table: CatalogTable;
  /** Its computed fields (functions of its row type), served like columns. */
  readonly computed: readonly ComputedField[];
  /** The schema of the computed fields' functions. */
  readonly schema: string;
}

/**
 * Checks that `field` names a column of the table or one of its computed fields and types the expression:
 * the column's `valueType` (a computed field's result type), or
 * after a JSON path `text` (`->>`) or the JSON type (`->`: the column's own `json`/`jsonb`, or `jsonb` for
 * any other column, which the path then applies to as `to_jsonb(column)`).
 *
 * @throws {PostgrestError} `42703` (400, "column contacts.x does not exist", as PostgREST answers) for a
 * column the table does not have (nor a computed field).
 *
 * @example
 * ```ts
 * planField({ table: accounts, computed: [], schema: "public" }, { name: "address", jsonPath: [{ arrow: "->>", kind: "key", key: "city" }] });
 * // { column: "address", computedIn: null, jsonPath: […], toJson: false, type: "text" }
 * ```
 */
export function planField(scope: FieldScope, field: Field): PlannedField {
  const { table } = scope;
  const column = findColumn(table, field.name);
  const computed = column === undefined ? scope.computed.find((fn) => fn.name === field.name) : undefined;
  const valueType = column?.valueType ?? computed?.type;
  if (valueType === undefined) throw undefinedColumn(table.name, field.name);
  const last = field.jsonPath.at(-1);
  const isJson = JSON_TYPES.has(valueType);
  let type = valueType;
  if (last !== undefined) type = last.arrow === "->>" ? "text" : isJson ? valueType : "jsonb";
  return {
    column: field.name,
    computedIn: computed === undefined ? null : scope.schema,
    jsonPath: field.jsonPath,
    toJson: last !== undefined && !isJson,
    type,
  };
}
