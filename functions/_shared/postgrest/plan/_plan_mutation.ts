/**
 * Writes: POST (insert, upsert), PATCH, DELETE (PostgREST's `mutatePlan`).
 *
 * @module
 */

import { columnNotFound } from "./_schema_errors.ts";
import {
  type Catalog,
  type CatalogColumn,
  type CatalogTable,
  DEFAULT_SCOPE_COLUMNS,
  findColumn,
} from "../../catalog/mod.ts";
import type { InsertPlan, MutatePlan, PlannedColumn, ReadNode } from "./plan.ts";
import { planReadTree } from "./_plan_read.ts";
import type { ApiRequest, Payload } from "../parse/mod.ts";

/** Options of {@linkcode planMutation}. */
export interface PlanMutationOptions {
  /** The table written to (already found in the catalog). */
  table: CatalogTable;
  /** Whether `avg()`, `max()`, `min()`, `sum()` may appear in the representation's select. */
  aggregates?: boolean;
  /** Scope columns (see {@linkcode DEFAULT_SCOPE_COLUMNS}): an `on_conflict` key may leave them out. */
  scopeColumns?: readonly string[];
}

/**
 * Plans a `create`, `update` or `delete` request.
 *
 * - The body's keys (or `columns=`) must be columns of the table (`PGRST204`); with `Prefer:
 *   missing=default` a key an object lacks takes the column default, else `null` (PostgREST's rule). Keys
 *   the database will refuse (a generated column, `tenant_id` of another tenant) are left to it.
 * - POST with `Prefer: resolution=merge-duplicates|ignore-duplicates` is an upsert on `on_conflict=`
 *   (default: the primary key). A conflict target that names a unique key without its scope columns
 *   (`on_conflict=sku` for `unique (tenant_id, sku)`) is completed with them. `on_conflict` without
 *   `resolution` is checked but ignored, as in PostgREST. Root filters of a POST are ignored (PostgREST uses
 *   them only for PUT).
 * - PATCH and DELETE take the root filters, `order` and `limit`/`offset` (the first rows by that order).
 *   **Without any filter they affect every row the request may see**, as in PostgREST; RLS still confines
 *   them to the tenant, and `Prefer: max-affected=n` with `handling=strict` bounds them.
 * - `return=representation` plans the returned projection from `select` (embeds allowed; the embedded
 *   levels keep their filters, order and limits); `minimal` and `headers-only` return no body.
 *
 * @throws {PostgrestError} `PGRST204` for an unknown column in the body, `columns`, `on_conflict`,
 * `select`, filters or order; and every error of {@linkcode planReadTree}.
 *
 * @example
 * ```ts
 * const plan = planMutation(request, catalog, { table: findTable(catalog, "contacts")! });
 * plan.kind; // "insert"
 * ```
 */
export function planMutation(
  request: ApiRequest,
  catalog: Catalog,
  options: PlanMutationOptions,
): MutatePlan {
  const { table } = options;
  const prefs = request.preferences;
  const tree = planReadTree(catalog, {
    table,
    query: request.query,
    ...(options.aggregates === undefined ? {} : { aggregates: options.aggregates }),
    ...(options.scopeColumns === undefined ? {} : { scopeColumns: options.scopeColumns }),
  });
  const returning: ReadNode | null = prefs.return === "representation"
    ? {
      ...tree,
      where: [],
      range: { offset: 0, limit: null },
      order: request.action === "create" ? [] : tree.order,
    }
    : null;
  const output = {
    schema: catalog.schema,
    table: table.name,
    media: request.accept.media,
    stripNulls: request.accept.stripNulls,
    count: prefs.count,
    returning,
    maxAffected: prefs.handling === "strict" ? prefs.maxAffected : null,
  };
  const onConflict = request.query.onConflict;
  if (onConflict !== null) { for (const name of onConflict) checkColumn(table, name); }
  if (request.action === "delete") {
    return { kind: "delete", ...output, where: tree.where, order: tree.order, range: tree.range };
  }
  const body = request.body;
  if (body === null) throw new TypeError(`Cannot plan a ${request.action} without a body`);
  const columns = plannedColumns(table, body, prefs.missing === "default");
  const planned = { kind: body.kind, raw: body.raw };
  if (request.action === "update") {
    return {
      kind: "update",
      ...output,
      columns,
      body: planned,
      where: tree.where,
      order: tree.order,
      range: tree.range,
    };
  }
  if (request.action !== "create") throw new TypeError(`Cannot plan a ${request.action} as a write`);
  let conflict: InsertPlan["onConflict"] = null;
  if (prefs.resolution !== null) {
    const target = onConflict ?? table.primaryKey;
    if (target.length > 0) {
      conflict = {
        columns: conflictTarget(table, target, options.scopeColumns ?? DEFAULT_SCOPE_COLUMNS),
        resolution: prefs.resolution,
      };
    }
  }
  return { kind: "insert", ...output, columns, body: planned, onConflict: conflict };
}

function plannedColumns(table: CatalogTable, body: Payload, defaults: boolean): PlannedColumn[] {
  return [...new Set(body.keys)].map((key) => {
    const column = checkColumn(table, key);
    return {
      name: column.name,
      type: column.type,
      default: defaults && !column.generated ? column.default : null,
    };
  });
}

function checkColumn(table: CatalogTable, name: string): CatalogColumn {
  const column = findColumn(table, name);
  if (column === undefined) throw columnNotFound(table.name, name);
  return column;
}

/**
 * The unique key `target` means: itself when it is one, else the unique key that adds only scope columns
 * to it (scope columns first, as such keys are declared); otherwise `target` unchanged, and the database
 * answers `42P10` (400) if no unique index matches.
 */
function conflictTarget(table: CatalogTable, target: readonly string[], scope: readonly string[]): string[] {
  const keys = [table.primaryKey, ...table.uniqueKeys.map((key) => key.columns)].filter((key) =>
    key.length > 0
  );
  const wanted = new Set(target);
  const sameSet = (key: readonly string[]) => key.length === wanted.size && key.every((c) => wanted.has(c));
  if (keys.some(sameSet)) return [...wanted];
  const scoped = keys.find((key) =>
    [...wanted].every((c) => key.includes(c)) && key.every((c) => wanted.has(c) || scope.includes(c))
  );
  return scoped === undefined ? [...wanted] : [...scoped.filter((c) => !wanted.has(c)), ...wanted];
}
