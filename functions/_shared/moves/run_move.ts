/**
 * Running a move, and resuming one after a failure or a crash: copy, catch-up, freeze, delta, verify,
 * switch.
 *
 * @module
 */
import type postgres from "postgres";
import { forEachLimited } from "./_concurrency.ts";
import { converge, type ConvergeResult } from "./_converge.ts";
import { copyTable } from "./_copy_table.ts";
import { closeSide, openSide, type Side } from "./_databases.ts";
import { describeError } from "./_describe_error.ts";
import { unfreezeWrites, type WriteFence } from "./_freeze.ts";
import {
  lockMove,
  type MoveRow,
  type MoveStatus,
  patchMove,
  patchTable,
  readDataSource,
  readMoveTables,
  readTenant,
  requireMove,
  setWritesFrozen,
  withActor,
} from "./_store.ts";
import { watermark } from "./_sync.ts";
import { checkSchemas } from "./check_schemas.ts";
import { MoveError } from "./errors.ts";
import { getMove, type MoveView } from "./get_move.ts";
import { type MoveOptions, type ResolvedMoveOptions, resolveMoveOptions } from "./move_options.ts";
import { type MoveTable, planTables } from "./plan_tables.ts";

/** Options of {@linkcode runMove}. */
export interface RunMoveOptions extends MoveOptions {
  /** The move to run or resume. */
  moveId: string;
}

/** Statuses a move can be run (or resumed) from. */
const RUNNABLE: readonly MoveStatus[] = [
  "pending",
  "copying",
  "freezing",
  "verifying",
  "switching",
  "failed",
];

/**
 * Runs the move to its end, or resumes it where it stopped (a failure, a killed process):
 *
 * 1. **copy**: tables level by level in foreign-key order (tables of one level side by side), in batches
 *    of `batchRows` rows; each batch is one target transaction, and the table's cursor is recorded after
 *    it, so a resumed copy continues from the last committed batch;
 * 2. **catch-up**: rows changed since the copy started (`updated_at` at or after `delta_since`) are copied
 *    again, in rounds, while the tenant keeps writing;
 * 3. **freeze**: the tenant's writes are refused (503 TR504) while reads go on; after a grace period the
 *    engine waits for transactions already running on the source;
 * 4. **delta**: per table, the buckets whose checksums differ (rows changed, inserted or deleted since
 *    they were copied) are copied again;
 * 5. **verify**: row count and checksum of every table on both sides; any mismatch fails the move,
 *    unfreezes the tenant and leaves its routing as it was;
 * 6. **switch**: one transaction routes the tenant to the target, unfreezes it and marks the move `done`.
 *
 * A failure is recorded (status `failed`, `error`) and returned, not thrown; the tenant is unfrozen.
 * Source rows stay until {@linkcode finalizeMove}.
 *
 * @throws {MoveError} `not_found`, `busy` (another process runs it), `conflict` (done, finalized or
 * rolled back).
 *
 * @example
 * ```ts
 * const move = await runMove(sql, { keyring, claims, moveId, onEvent: console.log });
 * if (move.status !== "done") console.error(move.error);
 * ```
 */
export async function runMove(sql: postgres.Sql, options: RunMoveOptions): Promise<MoveView> {
  const resolved = resolveMoveOptions(options);
  const move = await requireMove(sql, options.moveId);
  if (!RUNNABLE.includes(move.status)) {
    throw new MoveError("conflict", `Move ${move.id} is ${move.status}: there is nothing to resume`, {
      hint: move.status === "done" ? "Finalize it or roll it back" : undefined,
    });
  }
  const lock = await lockMove(sql, move.id);
  try {
    // Read again under the lock: another process may have finished it meanwhile.
    const current = await requireMove(sql, move.id);
    if (!RUNNABLE.includes(current.status)) {
      throw new MoveError("conflict", `Move ${move.id} is ${current.status}: there is nothing to resume`);
    }
    await execute(sql, current, resolved);
    return await getMove(sql, move.id);
  } finally {
    await lock.release();
  }
}

async function execute(app: postgres.Sql, move: MoveRow, options: ResolvedMoveOptions): Promise<void> {
  const { claims, onEvent } = options;
  const began = performance.now();
  let source: Side | undefined;
  let target: Side | undefined;
  let frozen = false;
  let fence: WriteFence | undefined;
  try {
    const tenant = await readTenant(app, move.tenant_id);
    if (tenant.data_source_id !== move.source_data_source_id) {
      throw new MoveError("conflict", "The tenant's routing changed since the move started", {
        hint: `Roll the move back: move --rollback ${move.id}`,
      });
    }
    // A run that died while frozen left the tenant frozen: let its writes through while we catch up.
    if (tenant.writes_frozen) await unfreezeWrites(app, claims, tenant.id);

    source = await openSide(await readDataSource(app, move.source_data_source_id), {
      keyring: options.keyring,
      max: options.concurrency + 2,
    });
    target = await openSide(await readDataSource(app, move.target_data_source_id), {
      keyring: options.keyring,
      max: options.concurrency + 1,
    });
    const tables = planTables(source.catalog);
    checkSchemas(
      { name: source.dataSource.name, version: source.version, catalog: source.catalog },
      { name: target.dataSource.name, version: target.version, catalog: target.catalog },
      tables,
    );
    const recorded = new Map((await readMoveTables(app, move.id)).map((row) => [row.table_name, row]));
    const planned = tables.map((t) => t.qualifiedName);
    if (planned.length !== recorded.size || planned.some((name) => !recorded.has(name))) {
      throw new MoveError("schema_mismatch", "The source's tables changed since the move started", {
        hint: `Roll the move back (move --rollback ${move.id}) and start a new one`,
      });
    }

    await withActor(
      app,
      claims,
      (tx) => patchMove(tx, move.id, { status: "copying", started: true, error: null }),
    );
    let since = move.delta_since;
    if (since === null) {
      since = await watermark(source.sql);
      await withActor(app, claims, (tx) => patchMove(tx, move.id, { deltaSince: since! }));
    }

    // 1. Copy, level by level.
    const copyStarted = performance.now();
    const pending = tables.filter((t) =>
      recorded.get(t.qualifiedName)!.status === "pending" ||
      recorded.get(t.qualifiedName)!.status === "copying"
    );
    onEvent({
      kind: "phase",
      phase: "copying",
      message:
        `Copying ${pending.length} of ${tables.length} tables from ${source.dataSource.name} to ${target.dataSource.name}`,
    });
    for (const table of tables) {
      const state = recorded.get(table.qualifiedName)!;
      if (!pending.includes(table)) {
        onEvent({
          kind: "table",
          table: table.qualifiedName,
          status: "copied",
          rowsCopied: state.rows_copied,
          rowsTotal: state.rows_total,
        });
      }
    }
    const context = {
      app,
      claims,
      moveId: move.id,
      tenantId: move.tenant_id,
      source,
      target,
      batchRows: options.batchRows,
      onEvent,
    };
    for (const level of byLevel(pending)) {
      await forEachLimited(level, options.concurrency, async (table) => {
        await copyTable(context, table, recorded.get(table.qualifiedName)!);
      });
    }
    const copyMs = Math.round(performance.now() - copyStarted);

    // 2–5. Catch up, freeze, delta, verify.
    const result = await converge({
      app,
      claims,
      tenantId: move.tenant_id,
      from: source,
      to: target,
      tables,
      since,
      settings: options,
      onEvent,
      onPhase: async (phase) => {
        if (phase === "freezing") frozen = true;
        await withActor(app, claims, (tx) => patchMove(tx, move.id, { status: phase }));
      },
    });
    fence = result.fence;
    await recordVerification(app, claims, move.id, result);
    const timings = {
      copy_ms: copyMs,
      ...result.timings,
      catch_up_rows: result.catchUpRows,
      delta_rows: result.deltaRows,
    };
    if (!result.verified) {
      await unfreezeWrites(app, claims, move.tenant_id);
      frozen = false;
      await fence.release();
      const frozenMs = Math.round(performance.now() - result.frozenAt);
      const error = `Verification failed: ${
        mismatches(result)
      }; the tenant stays on ${source.dataSource.name}`;
      await withActor(app, claims, (tx) =>
        patchMove(tx, move.id, {
          status: "failed",
          error,
          timings: { ...timings, frozen_ms: frozenMs, total_ms: Math.round(performance.now() - began) },
        }));
      onEvent({ kind: "phase", phase: "failed", message: error });
      return;
    }

    // 6. Switch and unfreeze in one transaction.
    await withActor(app, claims, (tx) => patchMove(tx, move.id, { status: "switching" }));
    onEvent({
      kind: "phase",
      phase: "switching",
      message: `Routing ${tenant.slug} to ${target.dataSource.name}`,
    });
    const switchStarted = performance.now();
    await withActor(app, claims, async (tx) => {
      const [row] = await tx<{ data_source_id: string | null }[]>`
        select data_source_id from public.tenants where id = ${move.tenant_id} for update`;
      if (row === undefined || row.data_source_id !== move.source_data_source_id) {
        throw new MoveError("conflict", "The tenant's routing changed during the move");
      }
      await tx`
        update public.tenants
        set data_source_id = ${move.target_data_source_id}, writes_frozen_at = null,
            status = case when status = 'moving' then 'active' else status end
        where id = ${move.tenant_id}`;
      await tx`update public.tenant_moves set switched_at = now() where id = ${move.id}`;
      await patchMove(tx, move.id, {
        status: "done",
        error: null,
        finished: true,
        timings: {
          ...timings,
          frozen_ms: Math.round(performance.now() - result.frozenAt),
          switch_ms: Math.round(performance.now() - switchStarted),
          total_ms: Math.round(performance.now() - began),
        },
      });
    });
    frozen = false;
    // A gateway that has not heard of the switch yet still writes to the source: the fence refuses it
    // a little longer. Not awaited: the move is done and its run lock free meanwhile.
    void fence.release(options.freezeGraceMs);
    const rows = result.tables.reduce((sum, t) => sum + t.to.rows, 0);
    onEvent({
      kind: "phase",
      phase: "done",
      message: `Moved ${tenant.slug}: ${rows} rows verified in ${result.tables.length} tables`,
    });
  } catch (error) {
    const message = describeError(error);
    try {
      if (frozen) await withActor(app, claims, (tx) => setWritesFrozen(tx, move.tenant_id, false));
      await withActor(app, claims, (tx) =>
        patchMove(tx, move.id, {
          status: "failed",
          error: message,
          timings: { total_ms: Math.round(performance.now() - began) },
        }));
    } catch {
      // The application database is gone too: the move stays in its phase; resume or roll back later.
    }
    onEvent({ kind: "phase", phase: "failed", message });
  } finally {
    await fence?.release().catch(() => {});
    await closeSide(source);
    await closeSide(target);
  }
}

/** Records both sides' counts and checksums per table. */
async function recordVerification(
  app: postgres.Sql,
  claims: Readonly<Record<string, unknown>>,
  moveId: string,
  result: ConvergeResult,
): Promise<void> {
  await withActor(app, claims, async (tx) => {
    for (const t of result.tables) {
      await patchTable(tx, moveId, t.table.qualifiedName, {
        status: t.match ? "verified" : "failed",
        sourceRows: t.from.rows,
        targetRows: t.to.rows,
        sourceChecksum: t.from.checksum,
        targetChecksum: t.to.checksum,
        timings: { delta_rows: t.repairedRows },
      });
    }
  });
}

function mismatches(result: ConvergeResult): string {
  return result.tables.filter((t) => !t.match).map((t) =>
    `${t.table.qualifiedName} (source ${t.from.rows} rows ${t.from.checksum}, target ${t.to.rows} rows ${t.to.checksum})`
  ).join(", ");
}

function byLevel(tables: readonly MoveTable[]): MoveTable[][] {
  const levels: MoveTable[][] = [];
  for (const table of tables) (levels[table.level] ??= []).push(table);
  return levels.filter((level) => level !== undefined);
}
