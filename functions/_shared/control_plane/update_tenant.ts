/**
 * Renaming, suspending and reactivating a tenant.
 *
 * @module
 */
import type { Queryable } from "../data_sources/mod.ts";
import { AdminError } from "./admin_error.ts";
import { mapDatabaseError } from "./database_error.ts";
import { findTenant, type TenantView } from "./find_tenant.ts";

/** Options of {@linkcode updateTenant}. */
export interface UpdateTenantOptions {
  /** The tenant's id or slug. */
  tenant: string;
  name?: string | undefined;
  /** `active` or `suspended`; `moving` is the move engine's alone. */
  status?: "active" | "suspended" | undefined;
}

/**
 * Updates a tenant's name and/or status.
 *
 * @throws {AdminError} `TR621` when the tenant does not exist, `TR633` when it is being moved.
 *
 * @example
 * ```ts
 * await withClaims(sql, claims, (tx) => updateTenant(tx, { tenant: "acme", status: "suspended" }));
 * ```
 */
export async function updateTenant(tx: Queryable, options: UpdateTenantOptions): Promise<TenantView> {
  const tenant = await findTenant(tx, options.tenant);
  const [locked] = await tx<{ status: string }[]>`
    select status from public.tenants where id = ${tenant.id} for update`;
  if (options.status !== undefined && locked?.status === "moving") {
    throw new AdminError("TR633", `Tenant "${tenant.slug}" is being moved: its status cannot change now`);
  }
  try {
    await tx`
      update public.tenants
      set name = coalesce(${options.name ?? null}, name),
          status = coalesce(${options.status ?? null}, status)
      where id = ${tenant.id}`;
  } catch (error) {
    throw mapDatabaseError(error) ?? error;
  }
  return await findTenant(tx, tenant.id);
}
