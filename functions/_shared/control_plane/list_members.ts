/**
 * A tenant's members.
 *
 * @module
 */
import type { Queryable } from "../data_sources/mod.ts";
import { type MemberView, queryMembers } from "./_member_query.ts";
import { memberAccess, type MemberActor } from "./member_access.ts";
import { checkMemberChange } from "./member_policy.ts";

export type { MemberView } from "./_member_query.ts";

/**
 * Lists the tenant's members, owners first; for platform callers and the tenant's owners and admins.
 *
 * @throws {AdminError} `TR621` or `TR611`, see {@linkcode memberAccess}.
 *
 * @example
 * ```ts
 * const members = await listMembers(sql, { tenant: "acme", actor: { kind: "platform" } });
 * ```
 */
export async function listMembers(
  tx: Queryable,
  options: { tenant: string; actor: MemberActor },
): Promise<MemberView[]> {
  const access = await memberAccess(tx, options);
  checkMemberChange(access.actorRole, { kind: "list" });
  return await queryMembers(tx, { tenantId: access.tenant.id });
}
