/**
 * Transactions that carry the caller's identity to the database, as PostgREST does: the audit trigger
 * reads `request.jwt.claims` to record the actor of every change.
 *
 * @module
 */
import type postgres from "postgres";

/** Claims recorded as the actor: a verified JWT's payload, or the CLI's synthetic service claims. */
export type ActorClaims = Readonly<Record<string, unknown>>;

/**
 * Runs `fn` in one transaction whose `request.jwt.claims` is set with `set_config(…, true)`: local to
 * the transaction, so nothing leaks into a pooled connection. The callback comes last, as in
 * `Deno.test(name, options, fn)`.
 *
 * @example
 * ```ts
 * const tenant = await withClaims(sql, claims, (tx) => createTenant(tx, { slug, name }));
 * ```
 */
export async function withClaims<T>(
  sql: postgres.Sql,
  claims: ActorClaims,
  fn: (tx: postgres.TransactionSql) => Promise<T>,
): Promise<T> {
  const result = await sql.begin(async (tx) => {
    await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    return await fn(tx);
  });
  return result as T;
}

/**
 * Runs `fn` as a database role (`set_config('role', …, true)`) inside the caller's transaction, so RLS
 * policies check those statements as well (defence in depth for callers acting as a user), then
 * returns to the connection's own role, also when `fn` throws.
 *
 * @example
 * ```ts
 * await asRole(tx, "authenticated", () => tx`delete from public.tenant_members where …`);
 * ```
 */
export async function asRole<T>(
  tx: postgres.TransactionSql,
  role: "authenticated" | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  if (role === undefined) return await fn();
  await tx`select set_config('role', ${role}, true)`;
  try {
    return await fn();
  } finally {
    // After an error the transaction is aborted and rolls back anyway; reset only a live one.
    await tx`select set_config('role', 'none', true)`.catch(() => {});
  }
}
