/**
 * Whether a tenant's rows can be copied from one database to another: both at the same tenant-schema
 * version, and every planned table present at the target with the same columns and types.
 *
 * @module
 */
import type { Catalog } from "../catalog/mod.ts";
import { MoveError } from "./errors.ts";
import type { MoveTable } from "./plan_tables.ts";

/** One side of a move, as {@linkcode checkSchemas} compares it. */
export interface SchemaSide {
  /** The data source's name, for messages. */
  name: string;
  /** `private.schema_version()`, or `null` when the database has none (a legacy database). */
  version: string | null;
  /** The catalog snapshot of the schema the tables live in. */
  catalog: Catalog;
}

/**
 * Refuses a move whose databases do not hold the same schema. Versions must be equal when the source has
 * one; a legacy source without a version (the seed's single database holding every tenant's business
 * tables) is accepted when the target has a version and every planned table matches column for column.
 *
 * @throws {MoveError} `schema_mismatch`, with a hint to provision.
 *
 * @example
 * ```ts
 * checkSchemas({ name: "tenant_shared", version, catalog }, { name: "tenant_eu", version: v2, catalog: c2 }, tables);
 * ```
 */
export function checkSchemas(source: SchemaSide, target: SchemaSide, tables: readonly MoveTable[]): void {
  const provision = (side: SchemaSide) => `Provision it first: npm run tenants -- provision ${side.name}`;
  if (target.version === null) {
    throw new MoveError("schema_mismatch", `Target "${target.name}" has no tenant schema`, {
      hint: provision(target),
    });
  }
  if (source.version !== null && source.version !== target.version) {
    const behind = source.version < target.version ? source : target;
    throw new MoveError(
      "schema_mismatch",
      `Schema versions differ: source "${source.name}" is at ${source.version}, target "${target.name}" at ${target.version}`,
      { hint: `Bring both to the same version. ${provision(behind)}` },
    );
  }
  for (const table of tables) {
    const theirs = target.catalog.tables.find((t) => t.name === table.name);
    const ours = source.catalog.tables.find((t) => t.name === table.name);
    if (theirs === undefined || ours === undefined) {
      throw new MoveError("schema_mismatch", `Target "${target.name}" has no table ${table.qualifiedName}`, {
        hint: provision(target),
      });
    }
    for (const name of table.columns) {
      const column = ours.columns.find((c) => c.name === name)!;
      const other = theirs.columns.find((c) => c.name === name);
      if (other === undefined || other.type !== column.type || other.generated) {
        throw new MoveError(
          "schema_mismatch",
          `Column ${table.qualifiedName}.${name} differs: source "${source.name}" has ${column.type}, target "${target.name}" ${
            other === undefined ? "has none" : other.generated ? "computes it" : `has ${other.type}`
          }`,
          { hint: provision(target) },
        );
      }
    }
  }
}
