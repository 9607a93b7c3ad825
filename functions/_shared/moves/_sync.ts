// Internal: bringing one side's copy of a tenant up to date with the other, after the bulk copy.
//
// - catch-up (writes still flowing): rows whose updated_at is at or after a watermark are staged and
//   replace their keys at the destination. Cheap (no hashing) and only an optimisation: it shrinks what the
//   frozen repair has to copy.
// - repair (writes frozen): the buckets whose checksums differ are deleted at the destination and copied
//   again from the origin, in one transaction per table. That covers changed, inserted and deleted rows
//   alike, whatever their timestamps say; verification then recomputes every checksum.
import type postgres from "postgres";
import { forEachLimited } from "./_concurrency.ts";
import { streamCopy } from "./_copy_stream.ts";
import type { Side } from "./_databases.ts";
import {
  changedCountSql,
  copyInSql,
  copyOutSql,
  createStageSql,
  deleteRowsSql,
  mergeStagedSql,
} from "./_sql.ts";
import type { MoveTable } from "./plan_tables.ts";

/** The two sides of a sync: rows go from `from` to `to`. */
export interface SyncContext {
  tenantId: string;
  from: Side;
  to: Side;
  concurrency: number;
}

/** What {@linkcode catchUp} did. */
export interface CatchUpResult {
  /** Rows copied again. */
  rows: number;
  /** Tables whose catch-up failed (a unique key moved between rows, say): the frozen repair fixes them. */
  skipped: string[];
}

/**
 * The watermark of the next catch-up, read on `side`: its `now()`, or the start of its oldest running
 * transaction when that is earlier (rows it writes carry that start as `updated_at`).
 */
export async function watermark(sql: postgres.Sql): Promise<string> {
  const [row] = await sql<{ since: string }[]>`
    select least(now(), min(a.xact_start))::text as since
    from pg_stat_activity a
    where a.datname = current_database() and a.backend_type = 'client backend' and a.xact_start is not null`;
  return row!.since;
}

/** Copies again every row of the tenant changed at or after `since`. */
export async function catchUp(
  context: SyncContext,
  tables: readonly MoveTable[],
  since: string,
): Promise<CatchUpResult> {
  const result: CatchUpResult = { rows: 0, skipped: [] };
  await forEachLimited(tables.filter((t) => t.updatedAt !== null), context.concurrency, async (table) => {
    const [changed] = await context.from.sql.unsafe<{ rows: number }[]>(changedCountSql(table), [
      context.tenantId,
      since,
    ]);
    if ((changed?.rows ?? 0) === 0) return;
    try {
      const rows = await context.to.sql.begin(async (tx) => {
        await tx`set local session_replication_role = replica`;
        const stage = "tenant_router_move_stage";
        await tx.unsafe(createStageSql(table, stage));
        const rows = await streamCopy(
          context.from.streamClient,
          copyOutSql(table, context.tenantId, { changedSince: since }),
          tx.unsafe(copyInSql(table, stage)),
        );
        for (const statement of mergeStagedSql(table, stage, context.tenantId)) await tx.unsafe(statement);
        return rows;
      }) as number;
      result.rows += rows;
    } catch {
      result.skipped.push(table.qualifiedName);
    }
  });
  return result;
}

/**
 * Replaces the destination's rows of `buckets` with the origin's (as `snapshotId` saw them, when given);
 * returns the rows copied.
 */
export async function repairBuckets(
  context: SyncContext,
  table: MoveTable,
  buckets: readonly number[],
  snapshotId?: string,
): Promise<number> {
  if (buckets.length === 0) return 0;
  return await context.to.sql.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await tx.unsafe(deleteRowsSql(table, context.tenantId, { buckets }));
    return await streamCopy(
      context.from.streamClient,
      copyOutSql(table, context.tenantId, { buckets }),
      tx.unsafe(copyInSql(table)),
      undefined,
      snapshotId,
    );
  }) as number;
}

/** Deletes every row of the tenant from `side`, children first (purge after finalize or rollback). */
export async function purgeTenant(
  side: Side,
  tables: readonly MoveTable[],
  tenantId: string,
): Promise<number> {
  let rows = 0;
  for (const table of [...tables].reverse()) {
    rows += await side.sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      const result = await tx.unsafe(deleteRowsSql(table, tenantId));
      return result.count;
    }) as number;
  }
  return rows;
}
