// Internal: a repeatable-read snapshot of one side held open, so that several sessions read the same
// state (parallel checksums, copies) and a later round can still read the rows as they were.
import type postgres from "postgres";
import type { Side } from "./_databases.ts";

/** An open snapshot of a side; {@linkcode Snapshot.close} ends its session. */
export interface Snapshot {
  /** `pg_current_snapshot()` as text: which transactions it sees (for `pg_visible_in_snapshot`). */
  visible: string;
  /** `pg_export_snapshot()`: other sessions read at it with {@linkcode atSnapshot}. */
  id: string;
  /** The snapshot's own session, in its transaction (one query at a time). */
  sql: postgres.Sql;
  close(): Promise<void>;
}

/**
 * A session of `side`, connected now, whose snapshot is taken later by `take()` (under the freeze, the
 * connection is not to be waited for).
 */
export async function connectSnapshot(side: Side): Promise<{ take(): Promise<Snapshot> }> {
  const sql = side.streamClient();
  try {
    await sql`select 1`;
  } catch (error) {
    await sql.end({ timeout: 0 }).catch(() => {});
    throw error;
  }
  return { take: () => beginSnapshot(sql) };
}

/** Opens a repeatable-read transaction on a new session of `side` and exports its snapshot. */
export async function openSnapshot(side: Side): Promise<Snapshot> {
  return await beginSnapshot(side.streamClient());
}

async function beginSnapshot(sql: postgres.Sql): Promise<Snapshot> {
  try {
    // Sent together: one round trip.
    const [, rows] = await Promise.all([
      sql.unsafe("begin isolation level repeatable read read only"),
      sql.unsafe<{ visible: string; id: string }[]>(
        "select pg_current_snapshot()::text as visible, pg_export_snapshot() as id",
      ),
    ]);
    const row = rows[0];
    return {
      visible: row!.visible,
      id: row!.id,
      sql,
      close: () => sql.end({ timeout: 1 }).catch(() => {}),
    };
  } catch (error) {
    await sql.end({ timeout: 0 }).catch(() => {});
    throw error;
  }
}

/** Starts the transaction of a new session at an exported snapshot (before its first query). */
export async function importSnapshot(sql: postgres.Sql, snapshotId: string): Promise<void> {
  if (!/^[0-9A-F]+-[0-9A-F]+-[0-9]+$/i.test(snapshotId)) throw new TypeError("Not a snapshot id");
  await sql.unsafe("begin isolation level repeatable read read only");
  await sql.unsafe(`set transaction snapshot '${snapshotId}'`);
}

/** Runs `fn` on a new session of `side` reading at the snapshot; the session ends afterwards. */
export async function atSnapshot<T>(
  side: Side,
  snapshotId: string,
  fn: (sql: postgres.Sql) => Promise<T>,
): Promise<T> {
  const sql = side.streamClient();
  try {
    await importSnapshot(sql, snapshotId);
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 0 }).catch(() => {});
  }
}
