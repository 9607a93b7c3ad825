/**
 * Routing a tenant to a data source (or back to the default one).
 *
 * @module
 */
import type { Queryable } from "../data_sources/mod.ts";
import { AdminError } from "./admin_error.ts";
import { acceptingDataSource } from "./_accepting_data_source.ts";
import { findTenant, type TenantView } from "./find_tenant.ts";

/** Options of {@linkcode assignDataSource}. */
export interface AssignDataSourceOptions {
  /** The tenant's id or slug. */
  tenant: string;
  /** A data source name or id; `null` or `"default"`: the default data source. */
  dataSource: string | null;
}

/** What {@linkcode assignDataSource} did. */
export interface AssignDataSourceResult {
  tenant: TenantView;
  /** The data source the tenant's rows were routed to before. */
  previous_data_source: string | null;
  /** Whether the routing changed. */
  changed: boolean;
}

/**
 * Points the tenant at a data source by name or id; `null` or `"default"` routes it to the default one.
 * Only the routing changes: rows stay where they are (moving them is `move`'s job), so this is for new
 * tenants, for switching back after a move, and for databases filled by other means.
 *
 * @throws {AdminError} `TR621`/`TR622` when the tenant or data source does not exist, `TR633` when the
 * tenant is being moved or the data source takes no new tenants.
 *
 * @example
 * ```ts
 * await withClaims(sql, claims, (tx) => assignDataSource(tx, { tenant: "globex", dataSource: "tenant_acme" }));
 * ```
 */
export async function assignDataSource(
  tx: Queryable,
  options: AssignDataSourceOptions,
): Promise<AssignDataSourceResult> {
  const before = await findTenant(tx, options.tenant);
  const [locked] = await tx<{ status: string; data_source_id: string | null }[]>`
    select status, data_source_id from public.tenants where id = ${before.id} for update`;
  if (locked?.status === "moving") {
    throw new AdminError(
      "TR633",
      `Tenant "${before.slug}" is being moved: finish or roll back the move first`,
    );
  }
  const target = await acceptingDataSource(tx, options.dataSource, locked?.data_source_id ?? null);
  const targetId = target?.id ?? null;
  const changed = targetId !== (locked?.data_source_id ?? null);
  if (changed) await tx`update public.tenants set data_source_id = ${targetId} where id = ${before.id}`;
  return { tenant: await findTenant(tx, before.id), previous_data_source: before.data_source, changed };
}
