/**
 * A user of the project (`auth.users`) by id or email.
 *
 * @module
 */
import type { Queryable } from "../data_sources/mod.ts";
import { AdminError } from "./admin_error.ts";

/** A user as memberships show it. */
export interface UserRef {
  id: string;
  email: string | null;
}

/**
 * Returns the user with this id or email (case-insensitive).
 *
 * @throws {AdminError} `TR623` when there is none.
 *
 * @example
 * ```ts
 * const alice = await findUser(sql, { email: "alice@acme.test" });
 * ```
 */
export async function findUser(
  tx: Queryable,
  ref: { id?: string | undefined; email?: string | undefined },
): Promise<UserRef> {
  const [user] = ref.id !== undefined
    ? await tx<UserRef[]>`select id, email from auth.users where id = ${ref.id}`
    : await tx<UserRef[]>`
        select id, email from auth.users where lower(email) = lower(${ref.email ?? ""})
        order by created_at limit 1`;
  if (user === undefined) throw new AdminError("TR623", "No such user");
  return user;
}
