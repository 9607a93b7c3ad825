// Internal: memberships as the admin API shows them.
import type { Queryable } from "../data_sources/mod.ts";
import type { MemberRole } from "./member_policy.ts";

/** A membership with the user's email. */
export interface MemberView {
  user_id: string;
  email: string | null;
  role: MemberRole;
  created_at: Date;
  updated_at: Date;
}

/** The tenant's memberships, owners first, or one user's. */
export async function queryMembers(
  tx: Queryable,
  filter: { tenantId: string; userId?: string | undefined },
): Promise<MemberView[]> {
  const { tenantId, userId } = filter;
  const rows = await tx<MemberView[]>`
    select m.user_id, u.email, m.role, m.created_at, m.updated_at
    from public.tenant_members m
    left join auth.users u on u.id = m.user_id
    where m.tenant_id = ${tenantId} and (${userId ?? null}::uuid is null or m.user_id = ${
    userId ?? null
  }::uuid)
    order by array_position(array['owner', 'admin', 'member', 'viewer'], m.role), u.email, m.user_id`;
  return [...rows];
}
