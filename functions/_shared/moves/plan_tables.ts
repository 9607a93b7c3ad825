/**
 * Which tables a tenant move copies, and in which order: derived from the catalog snapshot of the source
 * database, never from a hard-coded list.
 *
 * @module
 */
import type { Catalog, CatalogTable } from "../catalog/mod.ts";
import { MoveError } from "./errors.ts";

/** One table of a move plan. */
export interface MoveTable {
  /** The schema (`public`). */
  readonly schema: string;
  /** The table name, unquoted (`contacts`). */
  readonly name: string;
  /** `schema.name` as recorded in `tenant_move_tables.table_name` (`public.contacts`). */
  readonly qualifiedName: string;
  /** The columns copied, in the table's order: every column but stored generated ones. */
  readonly columns: readonly string[];
  /** The single-column primary key the copy pages by. */
  readonly key: string;
  /** The primary key's type without modifier (`uuid`), for casting cursor values. */
  readonly keyType: string;
  /** The tenant column (`tenant_id`). */
  readonly tenantColumn: string;
  /** A `timestamptz` column stamped on every write (`updated_at`), or `null`: the catch-up copy uses it. */
  readonly updatedAt: string | null;
  /** Planned tables this one references by foreign key (itself excluded). */
  readonly references: readonly string[];
  /** Foreign-key depth: 0 references no planned table; tables of one level can be copied together. */
  readonly level: number;
  /** Position in foreign-key order, from 0 (parents before children). */
  readonly ordinal: number;
}

/** Options of {@linkcode planTables}. */
export interface PlanTablesOptions {
  /** The column that says which tenant a row belongs to; default `tenant_id`. */
  tenantColumn?: string | undefined;
  /** The column stamped on every write; default `updated_at`. */
  updatedAtColumn?: string | undefined;
}

/**
 * The tables of `catalog` that hold tenant rows (those with the tenant column), in foreign-key order:
 * a table comes after every table it references, ties broken by name. Self-references are allowed (the
 * copy does not check foreign keys row by row); a cycle between tables is refused.
 *
 * @throws {MoveError} `unsupported` when a tenant table has no single-column primary key, or foreign keys
 * form a cycle.
 *
 * @example
 * ```ts
 * const tables = planTables(await loadCatalog(source));
 * tables.map((t) => t.name); // ["accounts", "pipeline_stages", "products", "venues", "contacts", …]
 * ```
 */
export function planTables(catalog: Catalog, options: PlanTablesOptions = {}): MoveTable[] {
  const tenantColumn = options.tenantColumn ?? "tenant_id";
  const updatedAtColumn = options.updatedAtColumn ?? "updated_at";
  const candidates = catalog.tables.filter((table) =>
    (table.kind === "table" || table.kind === "partitioned_table") &&
    table.columns.some((column) => column.name === tenantColumn)
  );
  const names = new Set(candidates.map((table) => table.name));
  const references = new Map<string, string[]>();
  for (const table of candidates) {
    const targets = table.foreignKeys
      .map((fk) => fk.referencedTable)
      .filter((name) => name !== table.name && names.has(name));
    references.set(table.name, [...new Set(targets)].sort());
  }

  const levels = new Map<string, number>();
  let remaining = [...candidates].sort(byName);
  while (remaining.length > 0) {
    const ready = remaining.filter((table) => references.get(table.name)!.every((name) => levels.has(name)));
    if (ready.length === 0) {
      throw new MoveError(
        "unsupported",
        `Cannot order the tables to copy: their foreign keys form a cycle (${
          remaining.map((t) => t.name).join(", ")
        })`,
      );
    }
    for (const table of ready) {
      const depth = references.get(table.name)!.map((name) => levels.get(name)! + 1);
      levels.set(table.name, Math.max(0, ...depth));
    }
    remaining = remaining.filter((table) => !levels.has(table.name));
  }

  return candidates
    .sort((a, b) => levels.get(a.name)! - levels.get(b.name)! || byName(a, b))
    .map((table, ordinal) => ({
      schema: catalog.schema,
      name: table.name,
      qualifiedName: `${catalog.schema}.${table.name}`,
      columns: table.columns.filter((column) => !column.generated).map((column) => column.name),
      ...primaryKey(table),
      tenantColumn,
      updatedAt:
        table.columns.some((column) =>
            column.name === updatedAtColumn && column.valueType === "timestamp with time zone"
          )
          ? updatedAtColumn
          : null,
      references: references.get(table.name)!,
      level: levels.get(table.name)!,
      ordinal,
    }));
}

function primaryKey(table: CatalogTable): { key: string; keyType: string } {
  const [key, ...more] = table.primaryKey;
  const column = table.columns.find((c) => c.name === key);
  if (key === undefined || more.length > 0 || column === undefined) {
    throw new MoveError(
      "unsupported",
      `Cannot move table ${table.name}: it needs a single-column primary key to copy in batches`,
    );
  }
  return { key, keyType: column.valueType };
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
