/**
 * Relationships between tables, derived from the foreign keys of a {@linkcode Catalog} (PostgREST's
 * `addRels` and `addM2MRels`).
 *
 * @module
 */

import {
  type Catalog,
  type CatalogForeignKey,
  type CatalogTable,
  type Relationship,
  takesRowOf,
} from "./catalog.ts";

/** The scope columns of this project: every row carries `tenant_id`, and composite keys start with it. */
export const DEFAULT_SCOPE_COLUMNS: readonly string[] = ["tenant_id"];

/** Options of {@linkcode relationshipsFrom}. */
export interface RelationshipsFromOptions {
  /**
   * Columns that both sides of a composite foreign key share by name (`(tenant_id, account_id) →
   * accounts (tenant_id, id)`): the relationship is about the other columns (`account_id → id`), which
   * hints match; the join still uses every column. Defaults to {@linkcode DEFAULT_SCOPE_COLUMNS}.
   */
  scopeColumns?: readonly string[];
}

/**
 * Every relationship from `table`: many-to-one (and one-to-one) along its own foreign keys, one-to-many (and
 * one-to-one) along foreign keys that reference it, and many-to-many through junction tables whose primary
 * key contains the columns of both their foreign keys.
 *
 * A foreign key is one-to-one when its columns are exactly a primary or unique key of the referencing table.
 * Views take part through the table columns they show (see `sources` of {@linkcode CatalogTable}).
 *
 * @example
 * ```ts
 * relationshipsFrom(catalog, "contacts")[0];
 * // { table: "contacts", foreignTable: "accounts", cardinality: "many-to-one",
 * //   constraint: "contacts_account_id_fkey", columns: [["tenant_id", "tenant_id"], ["account_id", "id"]],
 * //   keyColumns: [["account_id", "id"]], referencing: "table", junction: null }
 * ```
 */
export function relationshipsFrom(
  catalog: Catalog,
  table: string,
  options: RelationshipsFromOptions = {},
): Relationship[] {
  const scope = options.scopeColumns ?? DEFAULT_SCOPE_COLUMNS;
  const found: Relationship[] = [];
  const add = (source: CatalogTable, fk: CatalogForeignKey) => {
    const pairs = zip(fk.columns, fk.referencedColumns);
    const keys = keyPairs(pairs, scope);
    const unique = isUniqueKey(source, fk.columns);
    if (source.name === table) {
      found.push({
        table,
        foreignTable: fk.referencedTable,
        cardinality: unique ? "one-to-one" : "many-to-one",
        constraint: fk.name,
        columns: pairs,
        keyColumns: keys,
        referencing: "table",
        junction: null,
        function: null,
      });
    }
    if (fk.referencedTable === table) {
      found.push({
        table,
        foreignTable: source.name,
        cardinality: unique ? "one-to-one" : "one-to-many",
        constraint: fk.name,
        columns: pairs.map(swap),
        keyColumns: keys.map(swap),
        referencing: "foreignTable",
        junction: null,
        function: null,
      });
    }
  };
  for (const source of catalog.tables) {
    for (const fk of source.foreignKeys) add(source, fk);
    found.push(...junctionRelationships(source, table));
  }
  for (const { source, fk } of viewForeignKeys(catalog)) add(source, fk);
  found.push(...computedRelationships(catalog, table));
  return found;
}

/**
 * PostgREST's computed relationships: functions taking the row of `table` as their only parameter and
 * returning rows of a table or view of the schema. To one when the function returns one row, or a set
 * declared `rows 1`; else to many.
 */
function computedRelationships(catalog: Catalog, table: string): Relationship[] {
  return catalog.functions.flatMap((fn) => {
    const { returns } = fn;
    if (returns.kind !== "composite" || returns.table === null || !takesRowOf(fn, catalog.schema, table)) {
      return [];
    }
    const toOne = !returns.setOf || returns.rows === 1;
    return [{
      table,
      foreignTable: returns.table,
      cardinality: toOne ? "many-to-one" : "one-to-many",
      constraint: fn.name,
      columns: [],
      keyColumns: [],
      referencing: null,
      junction: null,
      function: fn.name,
    }];
  });
}

interface SourcedForeignKey {
  readonly source: CatalogTable;
  readonly fk: CatalogForeignKey;
}

/**
 * The foreign keys a view inherits from the tables it shows (PostgREST's
 * relationships through views): a view showing every referencing column of a table's foreign key has
 * that key too, and a view showing every referenced column is referenced by it, under the same name.
 */
function viewForeignKeys(catalog: Catalog): SourcedForeignKey[] {
  const keys: SourcedForeignKey[] = catalog.tables.flatMap((source) =>
    source.foreignKeys.map((fk) => ({ source, fk }))
  );
  const views = catalog.tables.filter((table) => table.sources !== undefined && table.sources.length > 0);
  if (views.length === 0) return [];
  const derived: SourcedForeignKey[] = [];
  for (const view of views) {
    for (const { source, fk } of keys) {
      const own = shownAs(view, source.name, fk.columns);
      if (own !== null) derived.push({ source: view, fk: { ...fk, columns: own } });
      const referenced = shownAs(view, fk.referencedTable, fk.referencedColumns);
      if (referenced !== null) {
        derived.push({ source, fk: { ...fk, referencedTable: view.name, referencedColumns: referenced } });
      }
    }
  }
  return derived;
}

/** The view's names of `columns` of `table`, or `null` unless the view shows every one of them. */
function shownAs(view: CatalogTable, table: string, columns: readonly string[]): string[] | null {
  const names: string[] = [];
  for (const column of columns) {
    const shown = view.sources?.find((source) => source.table === table && source.sourceColumn === column);
    if (shown === undefined) return null;
    names.push(shown.column);
  }
  return names;
}

function junctionRelationships(junction: CatalogTable, table: string): Relationship[] {
  const found: Relationship[] = [];
  const pk = new Set(junction.primaryKey);
  if (pk.size === 0) return found;
  for (const origin of junction.foreignKeys) {
    if (origin.referencedTable !== table) continue;
    for (const target of junction.foreignKeys) {
      if (target === origin || ![...origin.columns, ...target.columns].every((c) => pk.has(c))) continue;
      found.push({
        table,
        foreignTable: target.referencedTable,
        cardinality: "many-to-many",
        constraint: junction.name,
        columns: [],
        keyColumns: [],
        referencing: null,
        junction: {
          table: junction.name,
          originConstraint: origin.name,
          targetConstraint: target.name,
          originColumns: zip(origin.referencedColumns, origin.columns),
          targetColumns: zip(target.columns, target.referencedColumns),
        },
        function: null,
      });
    }
  }
  return found;
}

function isUniqueKey(table: CatalogTable, columns: readonly string[]): boolean {
  const keys = [table.primaryKey, ...table.uniqueKeys.map((key) => key.columns)];
  return keys.some((key) => key.length === columns.length && key.every((c) => columns.includes(c)));
}

function keyPairs(
  pairs: readonly (readonly [string, string])[],
  scope: readonly string[],
): (readonly [string, string])[] {
  const keys = pairs.filter(([a, b]) => !(a === b && scope.includes(a)));
  return keys.length === 0 ? [...pairs] : keys;
}

function zip(a: readonly string[], b: readonly string[]): (readonly [string, string])[] {
  return a.map((column, i) => [column, b[i] ?? ""] as const);
}

function swap(pair: readonly [string, string]): readonly [string, string] {
  return [pair[1], pair[0]];
}
