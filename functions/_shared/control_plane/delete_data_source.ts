/**
 * Deleting a data source nobody uses.
 *
 * @module
 */
import type { Queryable } from "../data_sources/mod.ts";
import { AdminError } from "./admin_error.ts";
import { mapDatabaseError } from "./database_error.ts";
import { findDataSource } from "./find_data_source.ts";

/**
 * Deletes the data source when no tenant's rows live there: none routed to it, and, for the default
 * data source, none following the default. References from tenant moves also keep it.
 *
 * @throws {AdminError} `TR622` when it does not exist, `TR631` while it is in use.
 *
 * @example
 * ```ts
 * await withClaims(sql, claims, (tx) => deleteDataSource(tx, "eu_1"));
 * ```
 */
export async function deleteDataSource(tx: Queryable, ref: string): Promise<{ id: string; name: string }> {
  const row = await findDataSource(tx, ref, { forUpdate: true });
  const [usage] = await tx<{ count: number }[]>`
    select count(*)::int as count from public.tenants
    where data_source_id = ${row.id} or (data_source_id is null and ${row.is_default})`;
  const count = usage?.count ?? 0;
  if (count > 0) {
    throw new AdminError(
      "TR631",
      `Data source "${row.name}" is in use by ${count} tenant${count === 1 ? "" : "s"}`,
      { hint: "Assign those tenants to another data source first" },
    );
  }
  try {
    await tx`delete from private.data_sources where id = ${row.id}`;
  } catch (error) {
    throw mapDatabaseError(error) ?? error;
  }
  return { id: row.id, name: row.name };
}
