// Internal: the end game of a move when the live side tracks its changes (`./_tracking.ts`): the freeze
// costs what was written since the last round, not what the tenant holds.
//
// Per table, both sides' per-bucket checksums (rows, sum of row hashes) are kept in memory:
// - round 0, writes flowing: every table checksummed at one snapshot S0 of `from` (parallel sessions
//   importing it) and on `to`; buckets that differ are copied again as S0 saw them, and `to` re-read there.
//   Now `to` holds exactly `from` as of S0, and both sides' sums say so.
// - round r, writes flowing: the keys changed since S(r-1) (tracked changes not visible in it, read at a
//   new snapshot Sr) are re-read on `from` as S(r-1) and Sr saw them: the difference updates `from`'s sums.
//   On `to` the same keys are read, replaced by the rows of Sr, and read again: that updates `to`'s sums.
//   `to` now holds `from` as of Sr. A table with a TRUNCATE or too many changed keys is done by bucket.
// - the freeze: the same round once more, after the write fence has waited for the tenant's last writes,
//   then every bucket of every table compared. Its cost is index lookups of the keys written since the
//   last round, whatever the tenant's size.
// Sums on each side come only from reads of that side, so a bug in the copy shows as a mismatch; a
// mismatch is repaired by bucket (full reads, still frozen) and compared again before giving up.
import { forEachLimited } from "./_concurrency.ts";
import type { Side } from "./_databases.ts";
import { freezeWrites } from "./_freeze.ts";
import { atSnapshot, connectSnapshot, openSnapshot, type Snapshot } from "./_snapshot.ts";
import {
  bucketChecksumSql,
  bucketSubsetChecksumSql,
  deleteKeysSql,
  insertJsonRowsSql,
  keyHashesSql,
  keyRowsJsonSql,
} from "./_sql.ts";
import { repairBuckets, type SyncContext } from "./_sync.ts";
import { changesSince, dropTracking, type TableChanges } from "./_tracking.ts";
import type { ConvergeContext, ConvergeResult } from "./_converge.ts";
import type { MoveTable } from "./plan_tables.ts";
import { differingBuckets, type TableChecksum } from "./table_checksum.ts";
import type postgres from "postgres";

/** Above this many changed keys in a round, a table is brought level by bucket instead of by key. */
const KEY_LIMIT = 5_000;

type Sums = Map<number, { rows: number; sum: bigint }>;

interface TableState {
  table: MoveTable;
  from: Sums;
  to: Sums;
  /** Rows copied again (rounds and freeze). */
  copied: number;
}

/** Rounds, freeze, last round, comparison; the tracking is already installed on `context.from`. */
export async function convergeTracked(
  context: ConvergeContext & { moveId: string },
): Promise<ConvergeResult> {
  const { settings } = context;
  const sync: SyncContext = {
    tenantId: context.tenantId,
    from: context.from,
    to: context.to,
    concurrency: settings.concurrency,
  };
  const timings: Record<string, number> = {};
  const states = new Map(context.tables.map((table) => [table.qualifiedName, {
    table,
    from: new Map(),
    to: new Map(),
    copied: 0,
  } as TableState]));
  let previous: Snapshot | undefined;
  let current: Snapshot | undefined;
  try {
    let started = performance.now();
    previous = await openSnapshot(context.from);
    const first = previous;
    await forEachLimited([...states.values()], settings.concurrency, async (state) => {
      await levelByBucket(sync, state, first, "all");
    });
    timings.checksum_ms = Math.round(performance.now() - started);
    const roundZeroRows = sumCopied(states);
    context.onEvent({
      kind: "phase",
      phase: "catching_up",
      message: `Checksummed every table on both sides; ${roundZeroRows} rows copied again`,
    });

    started = performance.now();
    let catchUpRows = roundZeroRows;
    // The freeze does what a round does: its length is told to refused writes (Retry-After).
    let roundMs = 250;
    for (let round = 1; round <= settings.catchUpRounds; round++) {
      const roundStarted = performance.now();
      current = await openSnapshot(context.from);
      const changed = await applyRound(context, sync, states, previous, current);
      await previous.close();
      previous = current;
      current = undefined;
      catchUpRows += changed;
      roundMs = performance.now() - roundStarted;
      context.onEvent({
        kind: "phase",
        phase: "catching_up",
        message: `Catch-up round ${round}: ${changed} changed rows brought level`,
      });
      if (changed < settings.catchUpThreshold) break;
    }
    timings.catch_up_ms = Math.round(performance.now() - started);

    await context.onPhase("freezing");
    context.onEvent({ kind: "phase", phase: "freezing", message: "Freezing the tenant's writes" });
    const last = await connectSnapshot(context.from);
    const fence = await freezeWrites({
      app: context.app,
      claims: context.claims,
      tenantId: context.tenantId,
      live: context.from.streamClient,
      expectedMs: Math.min(10_000, Math.max(250, Math.round(2 * roundMs))),
    });
    timings.fence_wait_ms = fence.fenceWaitMs;
    try {
      started = performance.now();
      const beforeFreeze = sumCopied(states);
      current = await last.take();
      await applyRound(context, sync, states, previous, current);
      const deltaRows = sumCopied(states) - beforeFreeze;
      timings.delta_ms = Math.round(performance.now() - started);
      context.onEvent({
        kind: "phase",
        phase: "freezing",
        message: `Delta: ${deltaRows} rows written since the last round brought level`,
      });

      // Verifying is comparing the sums in memory: no status of its own (no round trip under the freeze).
      started = performance.now();
      let repaired = 0;
      const mismatched = [...states.values()].filter((s) =>
        differingBuckets(view(s.from), view(s.to)).length
      );
      // A mismatch means a copy went wrong: copy those buckets again, reading both sides in full.
      await forEachLimited(mismatched, settings.concurrency, async (state) => {
        const buckets = differingBuckets(view(state.from), view(state.to));
        const before = state.copied;
        await levelByBucket(sync, state, undefined, buckets);
        repaired += state.copied - before;
      });
      timings.verify_ms = Math.round(performance.now() - started);
      const tables = context.tables.map((table) => {
        const state = states.get(table.qualifiedName)!;
        const from = view(state.from);
        const to = view(state.to);
        return {
          table,
          from,
          to,
          repairedRows: state.copied,
          match: from.rows === to.rows && from.checksum === to.checksum &&
            differingBuckets(from, to).length === 0,
        };
      });
      return {
        tables,
        verified: tables.every((t) => t.match),
        catchUpRows,
        deltaRows: deltaRows + repaired,
        frozenAt: fence.frozenAt,
        fence,
        timings,
      };
    } catch (error) {
      await fence.release().catch(() => {});
      throw error;
    }
  } finally {
    await current?.close();
    await previous?.close();
  }
}

/** Drops the tracking of the move on `side`; best effort (a later run drops it again). */
export async function stopTracking(side: Side, moveId: string, tables: readonly MoveTable[]): Promise<void> {
  await dropTracking(side.sql, moveId, tables).catch(() => {});
}

/** Brings every table level with `current` for the keys changed since `previous`; returns rows copied. */
async function applyRound(
  context: ConvergeContext,
  sync: SyncContext,
  states: Map<string, TableState>,
  previous: Snapshot,
  current: Snapshot,
): Promise<number> {
  const changes = await changesSince(current.sql, (context as { moveId: string }).moveId, previous.visible);
  const before = sumCopied(states);
  const work = [...changes].filter(([name]) => states.has(name));
  // Tables side by side: their lookups queue on the two snapshot sessions, which pipeline them.
  await forEachLimited(work, Math.max(context.settings.concurrency, 8), async ([name, changed]) => {
    const state = states.get(name)!;
    if (changed.all || changed.keys.size > KEY_LIMIT) {
      await levelByBucket(sync, state, current, changed.all ? "all" : [...changed.buckets]);
    } else await levelByKey(sync, state, changed, previous, current);
  });
  return sumCopied(states) - before;
}

/** `from`'s sums follow the changed keys from `previous` to `current`; `to` gets `current`'s rows. */
async function levelByKey(
  sync: SyncContext,
  state: TableState,
  changed: TableChanges,
  previous: Snapshot,
  current: Snapshot,
): Promise<void> {
  const { table } = state;
  const keys = [...changed.keys];
  const hashes = keyHashesSql(table);
  const [old, now, [json]] = await Promise.all([
    previous.sql.unsafe<KeyHash[]>(hashes, [sync.tenantId, keys]),
    current.sql.unsafe<KeyHash[]>(hashes, [sync.tenantId, keys]),
    current.sql.unsafe<{ rows: string }[]>(keyRowsJsonSql(table), [sync.tenantId, keys]),
  ]);
  adjust(state.from, old, -1);
  adjust(state.from, now, 1);
  await sync.to.sql.begin(async (tx) => {
    // Sent together (pipelined), run in order.
    const [, replaced, , , inserted] = await Promise.all([
      tx`set local session_replication_role = replica`,
      tx.unsafe<KeyHash[]>(hashes, [sync.tenantId, keys]),
      tx.unsafe(deleteKeysSql(table), [sync.tenantId, keys]),
      tx.unsafe(insertJsonRowsSql(table), [json!.rows]),
      tx.unsafe<KeyHash[]>(hashes, [sync.tenantId, keys]),
    ]);
    adjust(state.to, replaced, -1);
    adjust(state.to, inserted, 1);
  });
  state.copied += now.length;
}

/**
 * Reads `from` at `snapshot` (now, when undefined) and `to` for the buckets (`all`: the whole table), copies
 * again the buckets that differ and reads `to` there again.
 */
async function levelByBucket(
  sync: SyncContext,
  state: TableState,
  snapshot: Snapshot | undefined,
  buckets: number[] | "all",
): Promise<void> {
  if (buckets !== "all" && buckets.length === 0) return;
  const { table } = state;
  const read = (sql: postgres.Sql, subset: number[] | "all") =>
    subset === "all"
      ? sql.unsafe<BucketRow[]>(bucketChecksumSql(table), [sync.tenantId])
      : sql.unsafe<BucketRow[]>(bucketSubsetChecksumSql(table), [sync.tenantId, subset]);
  const [fromRows, toRows] = await Promise.all([
    snapshot === undefined
      ? read(sync.from.sql, buckets)
      : atSnapshot(sync.from, snapshot.id, (sql) => read(sql, buckets)),
    read(sync.to.sql, buckets),
  ]);
  replace(state.from, buckets, fromRows);
  replace(state.to, buckets, toRows);
  const differing = differingBuckets(view(state.from), view(state.to));
  const scope = buckets === "all" ? differing : differing.filter((b) => buckets.includes(b));
  if (scope.length === 0) return;
  state.copied += await repairBuckets(sync, table, scope, snapshot?.id);
  replace(state.to, scope, await read(sync.to.sql, scope));
}

interface KeyHash {
  key: string;
  bucket: number;
  hash: string;
}

interface BucketRow {
  bucket: number;
  rows: number;
  sum: string;
}

function adjust(sums: Sums, rows: readonly KeyHash[], sign: 1 | -1): void {
  for (const row of rows) {
    const entry = sums.get(row.bucket) ?? { rows: 0, sum: 0n };
    const next = { rows: entry.rows + sign, sum: entry.sum + BigInt(sign) * BigInt(row.hash) };
    if (next.rows === 0 && next.sum === 0n) sums.delete(row.bucket);
    else sums.set(row.bucket, next);
  }
}

function replace(sums: Sums, buckets: number[] | "all", rows: readonly BucketRow[]): void {
  if (buckets === "all") sums.clear();
  else for (const bucket of buckets) sums.delete(bucket);
  for (const row of rows) sums.set(row.bucket, { rows: row.rows, sum: BigInt(row.sum) });
}

const MOD = 1n << 64n;

function view(sums: Sums): TableChecksum {
  let rows = 0;
  let total = 0n;
  for (const entry of sums.values()) {
    rows += entry.rows;
    total += entry.sum;
  }
  return { rows, checksum: (((total % MOD) + MOD) % MOD).toString(16).padStart(16, "0"), buckets: sums };
}

function sumCopied(states: Map<string, TableState>): number {
  let rows = 0;
  for (const state of states.values()) rows += state.copied;
  return rows;
}
