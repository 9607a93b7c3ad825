/**
 * Every tenant, with its effective data source.
 *
 * @module
 */
import type { Queryable } from "../data_sources/mod.ts";
import { queryTenants, type TenantFilter, type TenantView } from "./_tenant_query.ts";

/** Options of {@linkcode listTenants}. */
export type ListTenantsOptions = Pick<TenantFilter, "status" | "dataSourceId">;

/**
 * Lists tenants by slug, optionally only those with a status or on a data source.
 *
 * @example
 * ```ts
 * const suspended = await listTenants(sql, { status: "suspended" });
 * ```
 */
export async function listTenants(tx: Queryable, options: ListTenantsOptions = {}): Promise<TenantView[]> {
  return await queryTenants(tx, options);
}
