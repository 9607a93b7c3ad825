/**
 * Removing a member, or leaving a tenant.
 *
 * @module
 */
import type postgres from "postgres";
import { AdminError } from "./admin_error.ts";
import { mapDatabaseError } from "./database_error.ts";
import { asRole } from "./with_claims.ts";
import { type MemberView, queryMembers } from "./_member_query.ts";
import { memberAccess, type MemberActor } from "./member_access.ts";
import { checkMemberChange } from "./member_policy.ts";

/** Options of {@linkcode removeMember}. */
export interface RemoveMemberOptions {
  tenant: string;
  actor: MemberActor;
  userId: string;
}

/**
 * Removes a membership; any member may remove their own (leave).
 *
 * @throws {AdminError} `TR611`/`TR612`, `TR623` not a member, `TR632` the last owner would leave.
 */
export async function removeMember(
  tx: postgres.TransactionSql,
  options: RemoveMemberOptions,
): Promise<MemberView> {
  const access = await memberAccess(tx, options);
  const [current] = await queryMembers(tx, { tenantId: access.tenant.id, userId: options.userId });
  if (current === undefined) {
    if (access.actorRole === "member" || access.actorRole === "viewer") throw new AdminError("TR611");
    throw new AdminError("TR623", "No such member in this tenant");
  }
  checkMemberChange(access.actorRole, {
    kind: "remove",
    role: current.role,
    self: options.userId === access.actorUserId,
  });
  let removed: number;
  try {
    const result = await asRole(
      tx,
      access.asUser ? "authenticated" : undefined,
      () =>
        tx`delete from public.tenant_members where tenant_id = ${access.tenant.id} and user_id = ${options.userId}`,
    );
    removed = result.count;
  } catch (error) {
    throw mapDatabaseError(error) ?? error;
  }
  if (removed === 0) throw new AdminError("TR612", "Permission denied by the tenant's membership rules");
  return current;
}
