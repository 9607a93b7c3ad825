/**
 * Rolling a move back: before the switch, abandon it (unfreeze, drop the partial copy); after it, switch
 * back, carrying the writes made on the target since the switch back to the source first.
 *
 * @module
 */
import type postgres from "postgres";
import { converge } from "./_converge.ts";
import type { WriteFence } from "./_freeze.ts";
import { closeSide, openSide, type Side } from "./_databases.ts";
import { describeError } from "./_describe_error.ts";
import { holdMoveLease, type MoveLease } from "./_lease.ts";
import { stopTracking } from "./_tracked_converge.ts";
import {
  lockMove,
  type MoveRow,
  patchMove,
  readDataSource,
  readTenant,
  requireMove,
  setTenantStatus,
  setWritesFrozen,
  withActor,
} from "./_store.ts";
import { purgeTenant } from "./_sync.ts";
import { checkSchemas } from "./check_schemas.ts";
import { MoveError } from "./errors.ts";
import { getMove, type MoveView } from "./get_move.ts";
import { type MoveOptions, type ResolvedMoveOptions, resolveMoveOptions } from "./move_options.ts";
import { planTables } from "./plan_tables.ts";

/** Options of {@linkcode rollbackMove}. */
export interface RollbackMoveOptions extends MoveOptions {
  /** The move to roll back. */
  moveId: string;
}

/**
 * Rolls the move back and returns it (`rolled_back` on success).
 *
 * - **Not switched yet** (pending, copying, failed, or a run that died while freezing or verifying): the
 *   tenant is unfrozen and active again where it always was; its partial copy is deleted from the target.
 * - **Done**: the reverse of the end of a move, from the target to the source, which still holds the rows
 *   as of the switch: catch-up of the rows changed since the switch, freeze, repair of every differing
 *   bucket (changes, inserts and deletes made on the target), verification of every table, then one
 *   transaction routes the tenant back and unfreezes it. The target's copy is then deleted. On a
 *   verification mismatch the tenant is unfrozen and stays on the target; the move stays `done` with
 *   the reason in `error`.
 *
 * @throws {MoveError} `not_found`; `busy`; `conflict` when the move was finalized (the source rows are
 * gone: move the tenant back with a new move) or already rolled back.
 *
 * @example
 * ```ts
 * const move = await rollbackMove(sql, { keyring, claims, moveId });
 * ```
 */
export async function rollbackMove(sql: postgres.Sql, options: RollbackMoveOptions): Promise<MoveView> {
  const resolved = resolveMoveOptions(options);
  const lock = await lockMove(sql, (await requireMove(sql, options.moveId)).id);
  let lease: MoveLease | undefined;
  try {
    // The lease keeps a freeze of the switch back alive while this process does; it ends if the process dies.
    lease = await holdMoveLease(sql, options.moveId);
    const move = await requireMove(sql, options.moveId);
    if (move.status === "finalized") {
      throw new MoveError("conflict", `Move ${move.id} is finalized: the source rows were purged`, {
        hint: "Move the tenant back with a new move",
      });
    }
    if (move.status === "rolled_back") {
      throw new MoveError("conflict", `Move ${move.id} is already rolled back`);
    }
    if (move.status === "done") await switchBack(sql, move, resolved);
    else await abandon(sql, move, resolved);
    return await getMove(sql, move.id);
  } finally {
    await lease?.release();
    await lock.release();
  }
}

async function abandon(app: postgres.Sql, move: MoveRow, options: ResolvedMoveOptions): Promise<void> {
  const { claims, onEvent } = options;
  onEvent({ kind: "phase", phase: "rolling_back", message: "Abandoning the move: routing never changed" });
  await withActor(app, claims, async (tx) => {
    await setWritesFrozen(tx, move.tenant_id, false);
    await setTenantStatus(tx, move.tenant_id, "moving", "active");
  });
  // The copy is not live unless someone routed the tenant to it meanwhile: then it stays.
  const tenant = await readTenant(app, move.tenant_id);
  const purge = tenant.data_source_id === move.source_data_source_id
    ? await purgeCopy(app, move, options, move.target_data_source_id)
    : { target_purge_skipped: "the tenant is routed elsewhere" };
  await dropSourceTracking(app, move, options);
  await withActor(
    app,
    claims,
    (tx) => patchMove(tx, move.id, { status: "rolled_back", finished: true, timings: purge }),
  );
  onEvent({ kind: "phase", phase: "rolled_back", message: "Rolled back" });
}

async function switchBack(app: postgres.Sql, move: MoveRow, options: ResolvedMoveOptions): Promise<void> {
  const { claims, onEvent } = options;
  const tenant = await readTenant(app, move.tenant_id);
  if (tenant.data_source_id !== move.target_data_source_id) {
    throw new MoveError(
      "conflict",
      "The tenant's routing changed since the move: it no longer points at the target",
    );
  }
  const began = performance.now();
  let live: Side | undefined;
  let back: Side | undefined;
  let frozen = false;
  let fence: WriteFence | undefined;
  let stopTracking: (() => Promise<void>) | undefined;
  try {
    await withActor(app, claims, (tx) => setTenantStatus(tx, move.tenant_id, "active", "moving"));
    live = await openSide(await readDataSource(app, move.target_data_source_id), {
      keyring: options.keyring,
      max: options.concurrency + 2,
    });
    back = await openSide(await readDataSource(app, move.source_data_source_id), {
      keyring: options.keyring,
      max: options.concurrency + 1,
    });
    const tables = planTables(live.catalog);
    checkSchemas(
      { name: live.dataSource.name, version: live.version, catalog: live.catalog },
      { name: back.dataSource.name, version: back.version, catalog: back.catalog },
      tables,
    );
    const [since] = await app<{ since: string }[]>`
      select (switched_at - interval '1 minute')::text as since from public.tenant_moves where id = ${move.id}`;
    onEvent({
      kind: "phase",
      phase: "rolling_back",
      message:
        `Carrying writes made on ${live.dataSource.name} since the switch back to ${back.dataSource.name}`,
    });
    const result = await converge({
      app,
      claims,
      tenantId: move.tenant_id,
      moveId: move.id,
      from: live,
      to: back,
      tables,
      since: since!.since,
      settings: options,
      onEvent,
      onPhase: (phase) => {
        if (phase === "freezing") frozen = true;
        return Promise.resolve();
      },
    });
    fence = result.fence;
    stopTracking = result.stopTracking;
    const timings = {
      rollback_catch_up_rows: result.catchUpRows,
      rollback_delta_rows: result.deltaRows,
      rollback_verified_rows: result.tables.reduce((sum, t) => sum + t.to.rows, 0),
      rollback_verify_ms: result.timings.verify_ms ?? 0,
    };
    if (!result.verified) {
      const error = `Rollback failed verification: ${
        result.tables.filter((t) => !t.match).map((t) => t.table.qualifiedName).join(", ")
      }; the tenant stays on ${live.dataSource.name}`;
      await withActor(app, claims, async (tx) => {
        await setWritesFrozen(tx, move.tenant_id, false);
        await setTenantStatus(tx, move.tenant_id, "moving", "active");
        await patchMove(tx, move.id, { error, timings });
      });
      frozen = false;
      await fence.release();
      onEvent({ kind: "phase", phase: "failed", message: error });
      return;
    }
    await withActor(app, claims, async (tx) => {
      const [row] = await tx<{ data_source_id: string | null }[]>`
        select data_source_id from public.tenants where id = ${move.tenant_id} for update`;
      if (row === undefined || row.data_source_id !== move.target_data_source_id) {
        throw new MoveError("conflict", "The tenant's routing changed during the rollback");
      }
      await tx`
        update public.tenants
        set data_source_id = ${move.source_data_source_id}, writes_frozen_at = null,
            writes_frozen_until = null, writes_freeze_expected_ms = null,
            status = case when status = 'moving' then 'active' else status end
        where id = ${move.tenant_id}`;
      await patchMove(tx, move.id, {
        status: "rolled_back",
        error: null,
        finished: true,
        timings: {
          ...timings,
          rollback_frozen_ms: Math.round(performance.now() - result.frozenAt),
          rollback_ms: Math.round(performance.now() - began),
        },
      });
    });
    frozen = false;
    // A gateway that has not heard of the switch back yet still writes to the target: the fence refuses it
    // a little longer. Not awaited: the rollback is done and its run lock free meanwhile.
    void fence.release(options.freezeGraceMs);
    onEvent({
      kind: "phase",
      phase: "rolled_back",
      message:
        `Routed ${tenant.slug} back to ${back.dataSource.name} (${timings.rollback_verified_rows} rows verified)`,
    });
  } catch (error) {
    const message = `Rollback failed: ${describeError(error)}`;
    try {
      await withActor(app, claims, async (tx) => {
        if (frozen) await setWritesFrozen(tx, move.tenant_id, false);
        await setTenantStatus(tx, move.tenant_id, "moving", "active");
        await patchMove(tx, move.id, { error: message });
      });
    } catch {
      // Nothing more to do: the tenant's routing never changed.
    }
    onEvent({ kind: "phase", phase: "failed", message });
    return;
  } finally {
    await fence?.release().catch(() => {});
    await stopTracking?.();
    await closeSide(live);
    await closeSide(back);
  }
  // Routing is back: the target's copy is stale now.
  const purge = await purgeCopy(app, move, options, move.target_data_source_id);
  await withActor(app, claims, (tx) => patchMove(tx, move.id, { timings: purge }));
}

/** Drops the change tracking a run that died left on the source; best effort. */
async function dropSourceTracking(
  app: postgres.Sql,
  move: MoveRow,
  options: ResolvedMoveOptions,
): Promise<void> {
  let side: Side | undefined;
  try {
    side = await openSide(await readDataSource(app, move.source_data_source_id), {
      keyring: options.keyring,
      max: 1,
    });
    await stopTracking(side, move.id, planTables(side.catalog));
  } catch {
    // Unreachable source: its triggers only log the tenant's writes; a later rollback drops them.
  } finally {
    await closeSide(side);
  }
}

/** Deletes the tenant's copy from a data source it no longer lives in; best effort. */
async function purgeCopy(
  app: postgres.Sql,
  move: MoveRow,
  options: ResolvedMoveOptions,
  dataSourceId: string | null,
): Promise<Record<string, unknown>> {
  const started = performance.now();
  let side: Side | undefined;
  try {
    side = await openSide(await readDataSource(app, dataSourceId), { keyring: options.keyring, max: 1 });
    options.onEvent({
      kind: "phase",
      phase: "purging",
      message: `Deleting the copy in ${side.dataSource.name}`,
    });
    const rows = await purgeTenant(side, planTables(side.catalog), move.tenant_id);
    return { target_purged_rows: rows, target_purge_ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { target_purge_error: describeError(error) };
  } finally {
    await closeSide(side);
  }
}
