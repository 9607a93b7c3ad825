// Internal: the end game shared by a move and its rollback. Writes still flow to `from`; this brings `to`
// level with it, freezes the tenant's writes and verifies every table on both sides. The tenant is left
// frozen: the caller switches (which unfreezes in the same transaction) or unfreezes on a mismatch.
//
// Two ways, the first when it can:
// - tracked (`./_tracked_converge.ts`): triggers on `from` record the keys the tenant writes; checksums
//   are taken and kept up to date before the freeze, which only brings level what was written since the
//   last round. The freeze does not grow with the tenant.
// - by scan (below, when `from` refuses the triggers): catch-up rounds by `updated_at` while writes flow,
//   then under the freeze every table checksummed on both sides, the buckets that differ copied again and
//   verified: the freeze grows with the tenant (about 25 µs per row).
import type postgres from "postgres";
import { forEachLimited } from "./_concurrency.ts";
import type { Side } from "./_databases.ts";
import { freezeWrites, type WriteFence } from "./_freeze.ts";
import { catchUp, repairBuckets, type SyncContext, watermark } from "./_sync.ts";
import { convergeTracked, stopTracking } from "./_tracked_converge.ts";
import { installTracking } from "./_tracking.ts";
import type { Claims } from "./_store.ts";
import type { MoveEventListener } from "./events.ts";
import type { MoveTable } from "./plan_tables.ts";
import { checksumsMatch, differingBuckets, type TableChecksum, tableChecksum } from "./table_checksum.ts";

/** How the end game runs. */
export interface ConvergeSettings {
  concurrency: number;
  catchUpRounds: number;
  /** A catch-up round that copied fewer rows than this goes straight to the freeze. */
  catchUpThreshold: number;
  freezeGraceMs: number;
}

/** What converging needs. */
export interface ConvergeContext {
  app: postgres.Sql;
  claims: Claims;
  tenantId: string;
  from: Side;
  to: Side;
  tables: readonly MoveTable[];
  /** Rows changed at or after this (timestamptz text) are caught up before the freeze. */
  since: string;
  settings: ConvergeSettings;
  onEvent: MoveEventListener;
  /** Called as the tenant is frozen and as verification starts (the move records its status). */
  onPhase: (phase: "freezing" | "verifying") => Promise<void>;
  /** Names the change tracking on `from`; without it, the end game goes by scan. */
  moveId?: string | undefined;
  /** How long the freeze is expected to last (`Retry-After` of refused writes). */
  expectedFreezeMs?: number | undefined;
}

/** One table's verification. */
export interface TableVerification {
  table: MoveTable;
  from: TableChecksum;
  to: TableChecksum;
  /** Rows copied by the frozen repair. */
  repairedRows: number;
  match: boolean;
}

/** What {@linkcode converge} did. */
export interface ConvergeResult {
  tables: TableVerification[];
  verified: boolean;
  catchUpRows: number;
  deltaRows: number;
  /** `performance.now()` when the freeze was committed. */
  frozenAt: number;
  /** The tenant's write fence, held until the caller has switched (or unfrozen) the tenant. */
  fence: WriteFence;
  timings: Record<string, number>;
  /** How: `tracked` (freeze independent of size) or `scan`. */
  method?: "tracked" | "scan";
  /** Drops the change tracking on `from` (best effort); call it once the fence is released. */
  stopTracking?: () => Promise<void>;
}

/**
 * Brings `to` level with `from`, freezes and verifies; leaves the tenant frozen. Tracked when `from`
 * takes the triggers, else by scan.
 */
export async function converge(context: ConvergeContext): Promise<ConvergeResult> {
  const moveId = context.moveId;
  if (moveId !== undefined) {
    const stop = () => stopTracking(context.from, moveId, context.tables);
    const installed = await installTracking(context.from.sql, moveId, context.tenantId, context.tables).then(
      () => true,
      async () => {
        await stop();
        return false;
      },
    );
    if (installed) {
      try {
        return { ...(await convergeTracked({ ...context, moveId })), method: "tracked", stopTracking: stop };
      } catch (error) {
        await stop();
        throw error;
      }
    }
  }
  return { ...(await convergeByScan(context)), method: "scan" };
}

/** Catches up, freezes, repairs and verifies by reading every table under the freeze. */
async function convergeByScan(context: ConvergeContext): Promise<ConvergeResult> {
  const { settings, tenantId } = context;
  const sync = { tenantId, from: context.from, to: context.to, concurrency: settings.concurrency };
  const timings: Record<string, number> = {};

  const started = performance.now();
  let since = context.since;
  let catchUpRows = 0;
  for (let round = 1; round <= settings.catchUpRounds; round++) {
    const next = await watermark(context.from.sql);
    const result = await catchUp(sync, context.tables, since);
    catchUpRows += result.rows;
    since = next;
    context.onEvent({
      kind: "phase",
      phase: "catching_up",
      message: `Catch-up round ${round}: ${result.rows} changed rows copied again${
        result.skipped.length ? ` (left to the frozen repair: ${result.skipped.join(", ")})` : ""
      }`,
    });
    if (result.rows < settings.catchUpThreshold) break;
  }
  timings.catch_up_ms = Math.round(performance.now() - started);

  await context.onPhase("freezing");
  context.onEvent({ kind: "phase", phase: "freezing", message: "Freezing the tenant's writes" });
  const fence = await freezeWrites({
    app: context.app,
    claims: context.claims,
    tenantId,
    live: context.from.streamClient,
    expectedMs: context.expectedFreezeMs,
  });
  timings.fence_wait_ms = fence.fenceWaitMs;
  try {
    return {
      ...(await repairAndVerify(context, sync, timings)),
      catchUpRows,
      frozenAt: fence.frozenAt,
      fence,
    };
  } catch (error) {
    await fence.release().catch(() => {});
    throw error;
  }
}

async function repairAndVerify(
  context: ConvergeContext,
  sync: SyncContext,
  timings: Record<string, number>,
): Promise<Pick<ConvergeResult, "tables" | "verified" | "deltaRows" | "timings">> {
  const { settings } = context;

  let started = performance.now();
  const first = await checksumAll(context);
  let deltaRows = 0;
  const repaired = new Map<string, number>();
  await forEachLimited(first, settings.concurrency, async ({ table, from, to }) => {
    const buckets = differingBuckets(from, to);
    if (buckets.length === 0) return;
    const rows = await repairBuckets(sync, table, buckets);
    repaired.set(table.qualifiedName, rows);
    deltaRows += rows;
  });
  timings.delta_ms = Math.round(performance.now() - started);
  context.onEvent({
    kind: "phase",
    phase: "freezing",
    message: `Delta: ${repaired.size} tables differed, ${deltaRows} rows copied again`,
  });

  await context.onPhase("verifying");
  started = performance.now();
  // Without a repair, the scan just made under the freeze is the verification.
  const final = repaired.size === 0 ? first : await checksumAll(context);
  timings.verify_ms = Math.round(performance.now() - started);
  const tables = final.map(({ table, from, to }) => ({
    table,
    from,
    to,
    repairedRows: repaired.get(table.qualifiedName) ?? 0,
    match: checksumsMatch(from, to),
  }));
  return { tables, verified: tables.every((t) => t.match), deltaRows, timings };
}

async function checksumAll(
  context: ConvergeContext,
): Promise<{ table: MoveTable; from: TableChecksum; to: TableChecksum }[]> {
  const results = new Map<string, { table: MoveTable; from: TableChecksum; to: TableChecksum }>();
  await forEachLimited(context.tables, context.settings.concurrency, async (table) => {
    const [from, to] = await Promise.all([
      tableChecksum(context.from.sql, table, context.tenantId),
      tableChecksum(context.to.sql, table, context.tenantId),
    ]);
    results.set(table.qualifiedName, { table, from, to });
  });
  return context.tables.map((table) => results.get(table.qualifiedName)!);
}
