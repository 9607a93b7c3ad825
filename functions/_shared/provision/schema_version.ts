/**
 * The tenant schema version of a tenant database: `private.schema_version()`, the newest migration
 * timestamp recorded by the tenant-db migrations themselves.
 *
 * @module
 */
import type postgres from "postgres";

/**
 * Reads `private.schema_version()`; `null` when the database has no tenant schema yet.
 *
 * @example
 * ```ts
 * const version = await readSchemaVersion(target); // "20261126140500"
 * ```
 */
export async function readSchemaVersion(sql: postgres.Sql): Promise<string | null> {
  const [exists] = await sql<{ fn: string | null }[]>`
    select to_regprocedure('private.schema_version()')::text as fn`;
  if (exists?.fn == null) return null;
  const [row] = await sql<{ version: string | null }[]>`select private.schema_version() as version`;
  return row?.version ?? null;
}
