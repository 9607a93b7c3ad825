/**
 * One tenant by id or slug.
 *
 * @module
 */
import type { Queryable } from "../data_sources/mod.ts";
import { AdminError } from "./admin_error.ts";
import { isUuid, queryTenants, type TenantView } from "./_tenant_query.ts";

export type { TenantView } from "./_tenant_query.ts";

const SLUG = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/**
 * Returns the tenant with this id or slug.
 *
 * @throws {AdminError} `TR621` when there is none (a reference that is neither a uuid nor a slug
 * never reaches the database).
 *
 * @example
 * ```ts
 * const acme = await findTenant(sql, "acme");
 * ```
 */
export async function findTenant(tx: Queryable, ref: string): Promise<TenantView> {
  const id = isUuid(ref) ? ref.toLowerCase() : undefined;
  if (id === undefined && !SLUG.test(ref)) throw notFound();
  const [tenant] = await queryTenants(tx, id === undefined ? { slug: ref } : { id });
  if (tenant === undefined) throw notFound();
  return tenant;
}

function notFound(): AdminError {
  return new AdminError("TR621", "Tenant not found", { hint: "Give the tenant's id or slug" });
}
