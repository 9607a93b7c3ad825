/**
 * Finalizing a move: deleting the tenant's rows from the source once the move is done and the operator
 * says so. After this, rolling back is no longer a switch back.
 *
 * @module
 */
import type postgres from "postgres";
import { closeSide, openSide, type Side } from "./_databases.ts";
import { lockMove, patchMove, readDataSource, readTenant, requireMove, withActor } from "./_store.ts";
import { purgeTenant } from "./_sync.ts";
import { MoveError } from "./errors.ts";
import { getMove, type MoveView } from "./get_move.ts";
import { type MoveOptions, resolveMoveOptions } from "./move_options.ts";
import { planTables } from "./plan_tables.ts";

/** Options of {@linkcode finalizeMove}. */
export interface FinalizeMoveOptions extends MoveOptions {
  /** The move to finalize. */
  moveId: string;
}

/**
 * Purges the tenant's rows from the move's source (children first, one transaction per table) and marks
 * the move `finalized`. Only a `done` move whose tenant is still routed to the target.
 *
 * @throws {MoveError} `not_found`; `busy`; `conflict` when the move is not done or the tenant was routed
 * elsewhere; `unavailable` when the source cannot be reached (nothing is marked: run it again).
 *
 * @example
 * ```ts
 * const move = await finalizeMove(sql, { keyring, claims, moveId });
 * move.timings.purged_rows; // 82
 * ```
 */
export async function finalizeMove(sql: postgres.Sql, options: FinalizeMoveOptions): Promise<MoveView> {
  const resolved = resolveMoveOptions(options);
  const lock = await lockMove(sql, (await requireMove(sql, options.moveId)).id);
  let source: Side | undefined;
  try {
    const move = await requireMove(sql, options.moveId);
    if (move.status !== "done") {
      throw new MoveError(
        "conflict",
        `Move ${move.id} is ${move.status}: only a done move can be finalized`,
        {
          hint: move.status === "finalized" ? undefined : "Resume it until it is done, or roll it back",
        },
      );
    }
    const tenant = await readTenant(sql, move.tenant_id);
    if (tenant.data_source_id !== move.target_data_source_id) {
      throw new MoveError(
        "conflict",
        "The tenant is no longer routed to the move's target: nothing is purged",
      );
    }
    const started = performance.now();
    source = await openSide(await readDataSource(sql, move.source_data_source_id), {
      keyring: resolved.keyring,
      max: 1,
    });
    resolved.onEvent({
      kind: "phase",
      phase: "purging",
      message: `Deleting ${tenant.slug}'s rows from ${source.dataSource.name}`,
    });
    const rows = await purgeTenant(source, planTables(source.catalog), move.tenant_id);
    await withActor(sql, resolved.claims, (tx) =>
      patchMove(tx, move.id, {
        status: "finalized",
        timings: { purged_rows: rows, purge_ms: Math.round(performance.now() - started) },
      }));
    resolved.onEvent({ kind: "phase", phase: "finalized", message: `Purged ${rows} rows from the source` });
    return await getMove(sql, move.id);
  } finally {
    await closeSide(source);
    await lock.release();
  }
}
