/**
 * Adding a user to a tenant.
 *
 * @module
 */
import type postgres from "postgres";
import { AdminError } from "./admin_error.ts";
import { mapDatabaseError } from "./database_error.ts";
import { asRole } from "./with_claims.ts";
import { type MemberView, queryMembers } from "./_member_query.ts";
import { findUser } from "./_find_user.ts";
import { memberAccess, type MemberActor } from "./member_access.ts";
import { checkMemberChange, type MemberRole } from "./member_policy.ts";

/** Options of {@linkcode addMember}. */
export interface AddMemberOptions {
  /** The tenant's id or slug. */
  tenant: string;
  actor: MemberActor;
  /** The user, by id or email. */
  user: { id?: string | undefined; email?: string | undefined };
  role: MemberRole;
}

/**
 * Adds a membership. Users acting for themselves write as `authenticated`, so RLS checks the rule too.
 *
 * @throws {AdminError} `TR611`/`TR612` (see {@linkcode checkMemberChange}), `TR623` no such user,
 * `TR630` already a member.
 *
 * @example
 * ```ts
 * await withClaims(sql, claims, (tx) =>
 *   addMember(tx, { tenant: "acme", actor, user: { email: "bob@acme.test" }, role: "member" }));
 * ```
 */
export async function addMember(tx: postgres.TransactionSql, options: AddMemberOptions): Promise<MemberView> {
  const access = await memberAccess(tx, options);
  checkMemberChange(access.actorRole, { kind: "add", role: options.role });
  const user = await findUser(tx, options.user);
  try {
    await asRole(tx, access.asUser ? "authenticated" : undefined, () =>
      tx`
        insert into public.tenant_members (tenant_id, user_id, role)
        values (${access.tenant.id}, ${user.id}, ${options.role})`);
  } catch (error) {
    throw mapDatabaseError(error) ?? error;
  }
  const [member] = await queryMembers(tx, { tenantId: access.tenant.id, userId: user.id });
  if (member === undefined) throw new AdminError("TR623");
  return member;
}
