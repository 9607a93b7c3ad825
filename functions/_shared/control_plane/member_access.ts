/**
 * Resolving a tenant for a membership request and the caller's standing in it.
 *
 * @module
 */
import type { Queryable } from "../data_sources/mod.ts";
import { AdminError } from "./admin_error.ts";
import { findTenant, type TenantView } from "./find_tenant.ts";
import type { ActorRole, MemberRole } from "./member_policy.ts";

/** Who is asking: a platform caller, or a user by id. */
export type MemberActor = { kind: "platform" } | { kind: "user"; userId: string };

/** The tenant and the caller's role in it. */
export interface MemberAccess {
  tenant: TenantView;
  actorRole: ActorRole;
  /** The acting user's id (for "is this about myself"); `undefined` for the service role. */
  actorUserId: string | undefined;
  /** Whether writes must also pass RLS as the user (`assumeRole(tx, "authenticated")`). */
  asUser: boolean;
}

/**
 * Finds the tenant and the caller's role in it. For a user who does not belong to the tenant the answer
 * is the same whether the tenant exists or not.
 *
 * @throws {AdminError} `TR621` (platform callers) when the tenant does not exist; `TR611` for users
 * without a membership in it.
 */
export async function memberAccess(
  tx: Queryable,
  options: { tenant: string; actor: MemberActor },
): Promise<MemberAccess> {
  const { actor } = options;
  if (actor.kind === "platform") {
    return {
      tenant: await findTenant(tx, options.tenant),
      actorRole: "platform",
      actorUserId: undefined,
      asUser: false,
    };
  }
  let tenant: TenantView;
  try {
    tenant = await findTenant(tx, options.tenant);
  } catch (error) {
    if (error instanceof AdminError && error.code === "TR621") throw new AdminError("TR611");
    throw error;
  }
  const [membership] = await tx<{ role: MemberRole }[]>`
    select role from public.tenant_members where tenant_id = ${tenant.id} and user_id = ${actor.userId}`;
  if (membership === undefined) throw new AdminError("TR611");
  return { tenant, actorRole: membership.role, actorUserId: actor.userId, asUser: true };
}
