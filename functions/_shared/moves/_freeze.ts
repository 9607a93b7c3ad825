// Internal: the write freeze of one tenant, and the fence that makes sure no write of it runs meanwhile.
import type postgres from "postgres";
import { sleep } from "./_concurrency.ts";
import { writeFenceKey } from "../tenancy/mod.ts";
import { type Claims, setWritesFrozen, withActor } from "./_store.ts";

/** Options of {@linkcode freezeWrites}. */
export interface FreezeOptions {
  app: postgres.Sql;
  claims: Claims;
  tenantId: string;
  /** Opens a dedicated connection to the database the tenant's writes go to now (it holds the fence). */
  live: () => postgres.Sql;
  /** How long the freeze is expected to last: refused writes are told to retry after it. */
  expectedMs?: number | undefined;
}

/** The tenant's write fence, held exclusively in the live database until released. */
export interface WriteFence {
  /** Milliseconds spent waiting for the tenant's in-flight writes to end. */
  fenceWaitMs: number;
  /** `performance.now()` as the freeze was written. */
  frozenAt: number;
  /**
   * Lets writes through the fence again, after `afterMs` (time for every gateway to hear that the tenant
   * was switched or unfrozen; until then a write routed by a stale cache fails with 503 and is retried).
   */
  release(afterMs?: number): Promise<void>;
}

/**
 * Freezes the tenant's writes (`tenants.writes_frozen_at`; the gateway answers them 503 TR504 from the
 * NOTIFY on), then takes the tenant's write fence exclusively in the live database: this waits for every
 * write transaction of the tenant that is still running, and every later one fails at once, even from a
 * gateway that has not heard of the freeze yet. Release it only after the switch (or the unfreeze).
 */
export async function freezeWrites(options: FreezeOptions): Promise<WriteFence> {
  // Its own connection, not one of the pool's: the lock must outlive whatever the pool does meanwhile.
  // Connected before the freeze, so the freeze does not wait for it.
  const connection = options.live();
  const key = writeFenceKey(options.tenantId);
  let fenceWaitMs: number;
  let frozenAt: number;
  try {
    await connection`select 1`;
    frozenAt = performance.now();
    await withActor(
      options.app,
      options.claims,
      (tx) => setWritesFrozen(tx, options.tenantId, true, options.expectedMs),
    );
    const started = performance.now();
    await connection`select pg_advisory_lock(hashtextextended(${key}, 0))`;
    fenceWaitMs = Math.round(performance.now() - started);
  } catch (error) {
    await connection.end({ timeout: 1 }).catch(() => {});
    throw error;
  }
  let released = false;
  return {
    fenceWaitMs,
    frozenAt,
    async release(afterMs = 0) {
      if (released) return;
      released = true;
      await sleep(afterMs);
      // Ending the session releases the lock too, also when the unlock cannot be sent.
      await connection.end({ timeout: 5 }).catch(() => {});
    },
  };
}

/** Lets the tenant's writes through again. */
export async function unfreezeWrites(app: postgres.Sql, claims: Claims, tenantId: string): Promise<void> {
  await withActor(app, claims, (tx) => setWritesFrozen(tx, tenantId, false));
}
