/**
 * Changing a member's role.
 *
 * @module
 */
import type postgres from "postgres";
import { AdminError } from "./admin_error.ts";
import { mapDatabaseError } from "./database_error.ts";
import { asRole } from "./with_claims.ts";
import { type MemberView, queryMembers } from "./_member_query.ts";
import { memberAccess, type MemberActor } from "./member_access.ts";
import { checkMemberChange, type MemberRole } from "./member_policy.ts";

/** Options of {@linkcode updateMember}. */
export interface UpdateMemberOptions {
  tenant: string;
  actor: MemberActor;
  userId: string;
  role: MemberRole;
}

/**
 * Changes a member's role.
 *
 * @throws {AdminError} `TR611`/`TR612`, `TR623` not a member, `TR632` the last owner would be demoted.
 */
export async function updateMember(
  tx: postgres.TransactionSql,
  options: UpdateMemberOptions,
): Promise<MemberView> {
  const access = await memberAccess(tx, options);
  const [current] = await queryMembers(tx, { tenantId: access.tenant.id, userId: options.userId });
  if (current === undefined) throw new AdminError("TR623", "No such member in this tenant");
  checkMemberChange(access.actorRole, { kind: "update", from: current.role, to: options.role });
  let updated: number;
  try {
    const result = await asRole(tx, access.asUser ? "authenticated" : undefined, () =>
      tx`
        update public.tenant_members set role = ${options.role}
        where tenant_id = ${access.tenant.id} and user_id = ${options.userId}`);
    updated = result.count;
  } catch (error) {
    throw mapDatabaseError(error) ?? error;
  }
  // RLS filters silently: no row updated means the database's rules refused it.
  if (updated === 0) throw new AdminError("TR612", "Permission denied by the tenant's membership rules");
  const [member] = await queryMembers(tx, { tenantId: access.tenant.id, userId: options.userId });
  return member ?? current;
}
