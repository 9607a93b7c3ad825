/**
 * Running a move, and resuming one after a failure or a crash: copy, catch-up, freeze, delta, verify,
 * switch.
 *
 * @module
 */
import type postgres from "postgres";
import { forEachLimited } from "./_concurrency.ts";
import { converge, type ConvergeResult } from "./_converge.ts";
import { holdMoveLease, type MoveLease } from "./_lease.ts";
import { copyTable } from "./_copy_table.ts";
import { closeSide, openSide, type Side } from "./_databases.ts";
import { describeError } from "./_describe_error.ts";
import { unfreezeWrites } from "./_freeze.ts";
import {
  lockMove,
  type MoveRow,
  type MoveStatus,
  type MoveTableRow,
  patchMove,
  patchTable,
  readDataSource,
  readMoveTables,
  readOrphanedMoves,
  readTenant,
  requireMove,
  type TenantRow,
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
 * 2. **catch-up**: with change tracking on the source (triggers recording the keys the tenant writes),
 *    every table is checksummed per bucket on both sides at one snapshot and the differing buckets are
 *    copied again; then rounds bring level the keys written since the last round, while writes flow;
 * 3. **freeze**: the tenant's writes are refused (503 TR504, `Retry-After` the expected length) while
 *    reads go on; the write fence waits for the writes still running on the source;
 * 4. **delta**: the keys written since the last round are brought level (index lookups: the freeze does
 *    not grow with the tenant);
 * 5. **verify**: row count and checksum of every table on both sides, from the per-bucket sums each side's
 *    own reads keep up to date; any mismatch is copied again and checked, and one that remains fails
 *    the move, unfreezes the tenant and leaves its routing as it was;
 * 6. **switch**: one transaction routes the tenant to the target, unfreezes it and marks the move `done`.
 *
 * A source that refuses the triggers gets the end game by scan: catch-up by `updated_at`, then every
 * table checksummed on both sides under the freeze (which then grows with the tenant).
 *
 * The run holds a lease on the move (`private.claim_move_lease`), renewed every 5 s: when the process
 * dies, {@linkcode resumeOrphanedMoves} in another process takes the move over after at most 15 s, and a
 * freeze the dead process held ends with its lease.
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
  let lease: MoveLease | undefined;
  let cleanUp: (() => Promise<void>) | undefined;
  try {
    lease = await holdMoveLease(sql, move.id);
    // Read again under the lock: another process may have finished it meanwhile.
    const current = await requireMove(sql, move.id);
    if (!RUNNABLE.includes(current.status)) {
      throw new MoveError("conflict", `Move ${move.id} is ${current.status}: there is nothing to resume`);
    }
    cleanUp = await execute(sql, current, resolved, lease);
    return await getMove(sql, move.id);
  } finally {
    await lease?.release();
    await lock.release();
    // After the lock: the move is over, the next step (finalize, rollback) need not wait for this.
    await cleanUp?.();
  }
}

/**
 * Resumes, in the background, every unfinished move whose process died (its lease expired): what a
 * functions server does as it starts, on admin requests and on a tick. Returns the moves started; a move
 * another process claims first is left to it.
 */
export async function resumeOrphanedMoves(
  sql: postgres.Sql,
  options: Omit<RunMoveOptions, "moveId">,
  background: (task: Promise<unknown>) => void = (task) => void task.catch(() => {}),
): Promise<string[]> {
  const ids = await readOrphanedMoves(sql);
  for (const id of ids) {
    background(runMove(sql, { ...options, moveId: id }).catch(() => {}));
  }
  return ids;
}

/** What every phase of a run works with. */
interface Run {
  app: postgres.Sql;
  move: MoveRow;
  options: ResolvedMoveOptions;
  lease: MoveLease;
  /** `performance.now()` when the run began. */
  began: number;
  source: Side;
  target: Side;
  tenant: TenantRow;
  tables: MoveTable[];
  recorded: Map<string, MoveTableRow>;
}

/**
 * Runs the phases; a failure is recorded on the move (unless another process took it over). Returns what
 * is left to tidy once the move is released: the source's change tracking and both sides' pools.
 */
async function execute(
  app: postgres.Sql,
  move: MoveRow,
  options: ResolvedMoveOptions,
  lease: MoveLease,
): Promise<() => Promise<void>> {
  const began = performance.now();
  let run: Run | undefined;
  let converged: ConvergeResult | undefined;
  try {
    run = await openRun(app, move, options, lease, began);
    const copyMs = await copyPhase(run);
    lease.check();
    converged = await convergePhase(run);
    const timings = {
      copy_ms: copyMs,
      ...converged.timings,
      converge: converged.method ?? "scan",
      catch_up_rows: converged.catchUpRows,
      delta_rows: converged.deltaRows,
    };
    if (!converged.verified) {
      await recordVerification(app, options.claims, move.id, converged);
      await failVerification(run, converged, timings);
    } else {
      await switchPhase(run, converged, timings);
    }
  } catch (error) {
    await recordFailure(app, move, options, error, began);
  } finally {
    await converged?.fence.release().catch(() => {});
  }
  const opened = run;
  const stopTracking = converged?.stopTracking;
  return async () => {
    await stopTracking?.();
    await closeSide(opened?.source);
    await closeSide(opened?.target);
  };
}

/** Checks the tenant and the tables against the move and opens both sides. */
async function openRun(
  app: postgres.Sql,
  move: MoveRow,
  options: ResolvedMoveOptions,
  lease: MoveLease,
  began: number,
): Promise<Run> {
  const { claims } = options;
  const tenant = await readTenant(app, move.tenant_id);
  if (tenant.data_source_id !== move.source_data_source_id) {
    throw new MoveError("conflict", "The tenant's routing changed since the move started", {
      hint: `Roll the move back: move --rollback ${move.id}`,
    });
  }
  // A run that died while frozen left the tenant frozen: let its writes through while we catch up.
  if (tenant.writes_frozen) await unfreezeWrites(app, claims, tenant.id);

  const source = await openSide(await readDataSource(app, move.source_data_source_id), {
    keyring: options.keyring,
    max: options.concurrency + 2,
  });
  let target: Side | undefined;
  try {
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
    return { app, move, options, lease, began, source, target, tenant, tables, recorded };
  } catch (error) {
    await closeSide(source);
    await closeSide(target);
    throw error;
  }
}

/** 1. Copy, level by level, from each table's last committed batch; returns its milliseconds. */
async function copyPhase(run: Run): Promise<number> {
  const { app, move, options, source, target, tables, recorded } = run;
  const { claims, onEvent } = options;
  if (move.delta_since === null) {
    // Where the scan end game's catch-up starts (the tracked one does not need it).
    const since = await watermark(source.sql);
    await withActor(app, claims, (tx) => patchMove(tx, move.id, { deltaSince: since }));
    run.move = { ...move, delta_since: since };
  }
  const started = performance.now();
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
    beforeBatch: () => run.lease.check(),
  };
  for (const level of byLevel(pending)) {
    await forEachLimited(level, options.concurrency, async (table) => {
      await copyTable(context, table, recorded.get(table.qualifiedName)!);
    });
  }
  return Math.round(performance.now() - started);
}

/** 2–5. Catch up, freeze, delta, verify (see `./_converge.ts`); leaves the tenant frozen. */
async function convergePhase(run: Run): Promise<ConvergeResult> {
  const { app, move, options, source, target, tables, recorded } = run;
  const rows = [...recorded.values()].reduce((sum, t) => sum + (t.rows_total ?? t.rows_copied), 0);
  const result = await converge({
    app,
    claims: options.claims,
    tenantId: move.tenant_id,
    moveId: move.id,
    from: source,
    to: target,
    tables,
    since: run.move.delta_since!,
    settings: options,
    onEvent: options.onEvent,
    // Only the scan end game reads every row under the freeze (about 25 µs a row).
    expectedFreezeMs: Math.round(500 + rows * 0.025),
    onPhase: async (phase) => {
      run.lease.check();
      await withActor(app, options.claims, (tx) => patchMove(tx, move.id, { status: phase }));
    },
  });
  return result;
}

/** A mismatch: unfreeze, record the failure; the tenant stays where it is. */
async function failVerification(
  run: Run,
  result: ConvergeResult,
  timings: Record<string, unknown>,
): Promise<void> {
  const { app, move, options, source } = run;
  await unfreezeWrites(app, options.claims, move.tenant_id);
  await result.fence.release();
  const frozenMs = Math.round(performance.now() - result.frozenAt);
  const error = `Verification failed: ${mismatches(result)}; the tenant stays on ${source.dataSource.name}`;
  await withActor(app, options.claims, (tx) =>
    patchMove(tx, move.id, {
      status: "failed",
      error,
      timings: { ...timings, frozen_ms: frozenMs, total_ms: Math.round(performance.now() - run.began) },
    }));
  options.onEvent({ kind: "phase", phase: "failed", message: error });
}

/** 6. Route to the target, unfreeze and mark the move done, in one audited transaction. */
async function switchPhase(
  run: Run,
  result: ConvergeResult,
  timings: Record<string, unknown>,
): Promise<void> {
  const { app, move, options, target, tenant } = run;
  const { claims, onEvent } = options;
  run.lease.check();
  onEvent({
    kind: "phase",
    phase: "switching",
    message: `Routing ${tenant.slug} to ${target.dataSource.name}`,
  });
  const switchStarted = performance.now();
  let frozenMs = 0;
  await withActor(app, claims, async (tx) => {
    // Statements sent together (pipelined): the tenant is frozen meanwhile, each round trip counts.
    const [[owned], [row]] = await Promise.all([
      tx`select 1 from public.tenant_moves where id = ${move.id} and lease_owner = ${run.lease.owner} for update`,
      tx<{ data_source_id: string | null }[]>`
        select data_source_id from public.tenants where id = ${move.tenant_id} for update`,
    ]);
    if (owned === undefined) throw new MoveError("busy", `Move ${move.id} was taken over by another process`);
    if (row === undefined || row.data_source_id !== move.source_data_source_id) {
      throw new MoveError("conflict", "The tenant's routing changed during the move");
    }
    frozenMs = Math.round(performance.now() - result.frozenAt);
    await Promise.all([
      tx`
        update public.tenants
        set data_source_id = ${move.target_data_source_id}, writes_frozen_at = null, writes_frozen_until = null,
            writes_freeze_expected_ms = null,
            status = case when status = 'moving' then 'active' else status end
        where id = ${move.tenant_id}`,
      tx`update public.tenant_moves set switched_at = now() where id = ${move.id}`,
      // A done move shows its verification: recorded in the same transaction.
      ...verificationPatches(tx, move.id, result),
      patchMove(tx, move.id, {
        status: "done",
        error: null,
        finished: true,
        timings: {
          ...timings,
          frozen_ms: frozenMs,
          switch_ms: Math.round(performance.now() - switchStarted),
          total_ms: Math.round(performance.now() - run.began),
        },
      }),
    ]);
  });
  // A gateway that has not heard of the switch yet still writes to the source: the fence refuses it
  // a little longer. Not awaited: the move is done and its run lock free meanwhile.
  void result.fence.release(options.freezeGraceMs);
  const rows = result.tables.reduce((sum, t) => sum + t.to.rows, 0);
  onEvent({
    kind: "phase",
    phase: "done",
    message:
      `Moved ${tenant.slug}: ${rows} rows verified in ${result.tables.length} tables; writes paused ${frozenMs} ms`,
  });
}

/**
 * Records a failed run: `failed` with its error, the tenant unfrozen. Not when another process took the
 * move over (it is that process's now).
 */
async function recordFailure(
  app: postgres.Sql,
  move: MoveRow,
  options: ResolvedMoveOptions,
  error: unknown,
  began: number,
): Promise<void> {
  const message = describeError(error);
  const takenOver = error instanceof MoveError && error.reason === "busy";
  if (!takenOver) {
    try {
      // A no-op unless the run died frozen.
      await unfreezeWrites(app, options.claims, move.tenant_id);
      await withActor(app, options.claims, (tx) =>
        patchMove(tx, move.id, {
          status: "failed",
          error: message,
          timings: { total_ms: Math.round(performance.now() - began) },
        }));
    } catch {
      // The application database is gone too: the move stays in its phase; resume or roll back later.
    }
  }
  options.onEvent({ kind: "phase", phase: "failed", message });
}

/** Records both sides' counts and checksums per table. */
async function recordVerification(
  app: postgres.Sql,
  claims: Readonly<Record<string, unknown>>,
  moveId: string,
  result: ConvergeResult,
): Promise<void> {
  await withActor(app, claims, async (tx) => {
    await Promise.all(verificationPatches(tx, moveId, result));
  });
}

/** The updates recording both sides' counts and checksums, sent together in `tx`. */
function verificationPatches(
  tx: postgres.TransactionSql,
  moveId: string,
  result: ConvergeResult,
): Promise<void>[] {
  return result.tables.map((t) =>
    patchTable(tx, moveId, t.table.qualifiedName, {
      status: t.match ? "verified" : "failed",
      sourceRows: t.from.rows,
      targetRows: t.to.rows,
      sourceChecksum: t.from.checksum,
      targetChecksum: t.to.checksum,
      timings: { delta_rows: t.repairedRows },
    })
  );
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
