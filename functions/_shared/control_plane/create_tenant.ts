/**
 * Creating a tenant, optionally routed to a data source and with a first owner.
 *
 * @module
 */
import type { Queryable } from "../data_sources/mod.ts";
import { AdminError } from "./admin_error.ts";
import { mapDatabaseError } from "./database_error.ts";
import { acceptingDataSource } from "./_accepting_data_source.ts";
import { findTenant, type TenantView } from "./find_tenant.ts";
import { findUser } from "./_find_user.ts";

/** Options of {@linkcode createTenant}. */
export interface CreateTenantOptions {
  slug: string;
  name: string;
  /** A data source name or id; `null`, `"default"` or absent: the default data source. */
  data_source?: string | null | undefined;
  /** A user id to make the tenant's first owner. */
  owner_user_id?: string | undefined;
  /** The email of a user to make the tenant's first owner. */
  owner_email?: string | undefined;
}

/**
 * Creates a tenant (status `active`). Run it in a {@linkcode withClaims} transaction so the audit log
 * records who did it.
 *
 * @throws {AdminError} `TR630` when the slug is taken, `TR622` when the data source does not exist,
 * `TR633` when it takes no new tenants, `TR623` when the owner is not a user.
 *
 * @example
 * ```ts
 * const tenant = await withClaims(sql, claims, (tx) => createTenant(tx, { slug: "umbrella", name: "Umbrella" }));
 * ```
 */
export async function createTenant(tx: Queryable, options: CreateTenantOptions): Promise<TenantView> {
  const dataSource = await acceptingDataSource(tx, options.data_source);
  const owner = options.owner_user_id !== undefined || options.owner_email !== undefined
    ? await findUser(tx, { id: options.owner_user_id, email: options.owner_email })
    : undefined;
  let id: string;
  try {
    const [row] = await tx<{ id: string }[]>`
      insert into public.tenants (slug, name, data_source_id)
      values (${options.slug}, ${options.name}, ${dataSource?.id ?? null})
      returning id`;
    id = row!.id;
  } catch (error) {
    const mapped = mapDatabaseError(error);
    if (mapped?.code === "TR630") throw new AdminError("TR630", `Tenant "${options.slug}" already exists`);
    throw mapped ?? error;
  }
  if (owner !== undefined) {
    await tx`insert into public.tenant_members (tenant_id, user_id, role) values (${id}, ${owner.id}, 'owner')`;
  }
  return await findTenant(tx, id);
}
