/**
 * The write fence of a tenant during a move: gateway write transactions take a shared advisory lock on
 * this key in the tenant's current database (`pg_try_advisory_xact_lock_shared`), and the mover holds it
 * exclusively from the freeze until after the switch. So no write can slip into the source once the
 * mover checks it, whatever a gateway's cache still says: it waits for in-flight writes, and every write
 * that comes later fails fast with 503 `TR504` and is retried against the new routing.
 *
 * @example
 * ```ts
 * await sql`select pg_advisory_lock(hashtextextended(${writeFenceKey(tenantId)}, 0))`;
 * ```
 */
export function writeFenceKey(tenantId: string): string {
  return `tenant_router.writes:${tenantId}`;
}
