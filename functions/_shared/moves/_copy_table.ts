// Internal: the bulk copy of one table, in batches of consecutive primary keys, resumable at any point.
//
// Each batch is one target transaction (`session_replication_role = replica`: no triggers, no row-by-row
// foreign-key checks; parents were copied first) streaming `copy (select … where key > after and key <=
// through) to stdout` from the source into `copy … from stdin`. The batch's last key is recorded in
// tenant_move_tables.copied_through after the target committed. A resumed copy first deletes the target's
// rows after that key (a batch that committed but was not recorded), so nothing is duplicated or lost.
import type postgres from "postgres";
import { streamCopy } from "./_copy_stream.ts";
import type { Side } from "./_databases.ts";
import { batchEndSql, copyInSql, copyOutSql, countSql, deleteRowsSql } from "./_sql.ts";
import { type Claims, type MoveTableRow, patchTable, withActor } from "./_store.ts";
import type { MoveEvent } from "./events.ts";
import type { MoveTable } from "./plan_tables.ts";

/** What copying a table needs. */
export interface CopyTableContext {
  app: postgres.Sql;
  claims: Claims;
  moveId: string;
  tenantId: string;
  source: Side;
  target: Side;
  batchRows: number;
  onEvent: (event: MoveEvent) => void;
  /** Called before each batch; throws to stop (the move was taken over). */
  beforeBatch?: () => void;
}

/** Copies the tenant's rows of `table` from where `state` left off; returns the rows at the target. */
export async function copyTable(
  context: CopyTableContext,
  table: MoveTable,
  state: MoveTableRow,
): Promise<number> {
  const { app, claims, moveId, tenantId, source, target } = context;
  const started = performance.now();
  let cursor = state.copied_through;
  const [total] = await source.sql.unsafe<{ rows: string }[]>(countSql(table), [tenantId]);
  const rowsTotal = Number(total?.rows ?? 0);

  // Whatever the target holds after the cursor came from a batch that was not recorded: drop it.
  const copied = await target.sql.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await tx.unsafe(deleteRowsSql(table, tenantId, { after: cursor }));
    const [row] = await tx.unsafe<{ rows: string }[]>(countSql(table), [tenantId]);
    return Number(row?.rows ?? 0);
  }) as number;
  let rowsCopied = copied;
  await withActor(
    app,
    claims,
    (tx) => patchTable(tx, moveId, table.qualifiedName, { status: "copying", rowsTotal, rowsCopied }),
  );
  // Speed over this run's copy of the table (a resumed run starts counting again).
  const startRows = rowsCopied;
  const pace = (rows: number) =>
    progressRate(rows - startRows, performance.now() - started, rowsTotal - rows);
  const report = (rows: number, status: MoveTableRow["status"]) =>
    context.onEvent({
      kind: "table",
      table: table.qualifiedName,
      status,
      rowsCopied: rows,
      rowsTotal,
      ...(status === "copying" ? pace(rows) : {}),
    });
  report(rowsCopied, "copying");

  while (true) {
    context.beforeBatch?.();
    const [end] = await source.sql.unsafe<{ key: string }[]>(batchEndSql(table), [
      tenantId,
      cursor,
      context.batchRows,
    ]);
    const through = end?.key ?? null;
    const base = rowsCopied;
    const rows = await target.sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      return await streamCopy(
        source.streamClient,
        copyOutSql(table, tenantId, { after: cursor, through }),
        tx.unsafe(copyInSql(table)),
        (n) => report(base + n, "copying"),
      );
    }) as number;
    rowsCopied += rows;
    if (through === null) break;
    cursor = through;
    await withActor(
      app,
      claims,
      (tx) => {
        const { rowsPerSecond, etaSeconds } = pace(rowsCopied);
        return patchTable(tx, moveId, table.qualifiedName, {
          rowsCopied,
          copiedThrough: cursor,
          timings: { rows_per_second: rowsPerSecond ?? null, eta_seconds: etaSeconds ?? null },
        });
      },
    );
  }

  const copyMs = Math.round(performance.now() - started);
  await withActor(app, claims, (tx) =>
    patchTable(tx, moveId, table.qualifiedName, {
      status: "copied",
      rowsCopied,
      rowsTotal: Math.max(rowsTotal, rowsCopied),
      timings: {
        copy_ms: copyMs,
        rows_per_second: progressRate(rowsCopied - startRows, copyMs, 0).rowsPerSecond ?? null,
        eta_seconds: 0,
      },
    }));
  report(rowsCopied, "copied");
  return rowsCopied;
}

/**
 * Rows per second so far and the seconds left at that pace (both absent until a second of copying or a
 * thousand rows tell something).
 */
export function progressRate(
  rows: number,
  elapsedMs: number,
  remainingRows: number,
): { rowsPerSecond?: number | undefined; etaSeconds?: number | undefined } {
  if (elapsedMs < 1_000 && rows < 1_000) return {};
  if (rows <= 0 || elapsedMs <= 0) return {};
  const rowsPerSecond = Math.round(rows / (elapsedMs / 1000));
  return {
    rowsPerSecond,
    etaSeconds: rowsPerSecond === 0 ? undefined : Math.ceil(Math.max(0, remainingRows) / rowsPerSecond),
  };
}
