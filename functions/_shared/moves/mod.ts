/**
 * Tenant moves: a tenant's rows and routing from one data source to another (shared → dedicated,
 * dedicated → shared, a legacy database holding several tenants → a tenant database) while its users keep
 * working. Used by the operator CLI (`npm run tenants -- move`) and the `tenant-admin` API.
 *
 * A move's life (state in `public.tenant_moves` and `public.tenant_move_tables`):
 *
 * | step | function | status |
 * | --- | --- | --- |
 * | plan: tables in foreign-key order from the source's catalog, schema versions must match | {@linkcode planMove} (dry run), {@linkcode createMove} | `pending` |
 * | copy in batches (COPY streamed source → target, one transaction and one resume point per batch) | {@linkcode runMove} | `copying` |
 * | catch-up: per-bucket checksums of both sides at one snapshot, kept up to date from the keys the tenant writes (tracked by trigger on the source); then a write freeze for this tenant only; the delta: the keys written since the last round | | `freezing` |
 * | verification per table on both sides: row count and order-independent checksum (compared in memory from the kept sums; read under the freeze only when the source refused the triggers) | | (`verifying`) |
 * | switch: routing, unfreeze, verification and `done` in one audited transaction | | `done` |
 * | purge the source, only when asked | {@linkcode finalizeMove} | `finalized` |
 * | switch back (writes since the switch carried back), or abandon before the switch | {@linkcode rollbackMove} | `rolled_back` |
 *
 * A crash or failure leaves a resumable move (`failed`, or the phase it died in): {@linkcode runMove}
 * resumes it, {@linkcode rollbackMove} abandons it. A run holds a lease on its move: when its process dies,
 * {@linkcode resumeOrphanedMoves} (a functions server starting, an admin request, a tick) takes it over
 * once the lease expired, and a freeze held by the dead process ends with that lease. A verification
 * mismatch fails the move, unfreezes the tenant and leaves its routing unchanged.
 *
 * Connections to the tenant databases are service-level (the data sources' own credentials): rows are
 * written with `session_replication_role = replica`, so triggers keep the values the source has
 * (`updated_at`, workflow stamps) and foreign keys are kept by order, not checked row by row.
 *
 * @example
 * ```ts
 * import { createMove, runMove } from "../_shared/moves/mod.ts";
 *
 * const move = await createMove(sql, { keyring, claims, tenant: "globex", to: "tenant_globex" });
 * const done = await runMove(sql, { keyring, claims, moveId: move.id, onEvent: (e) => console.log(e) });
 * console.log(done.status, done.rows_verified);
 * ```
 *
 * @module
 */
export { createMove, type CreateMoveOptions } from "./create_move.ts";
export { MoveError, type MoveErrorOptions, type MoveErrorReason } from "./errors.ts";
export type { MoveEvent, MoveEventListener, MovePhase } from "./events.ts";
export { finalizeMove, type FinalizeMoveOptions } from "./finalize_move.ts";
export { getMove, type MoveTableView, type MoveView } from "./get_move.ts";
export { MOVE_DEFAULTS, type MoveOptions, resolveMoveOptions } from "./move_options.ts";
export { type MovePlan, type MovePlanTable, planMove, type PlanMoveOptions } from "./plan_move.ts";
export { type MoveTable, planTables, type PlanTablesOptions } from "./plan_tables.ts";
export { checkSchemas, type SchemaSide } from "./check_schemas.ts";
export { rollbackMove, type RollbackMoveOptions } from "./rollback_move.ts";
export { resumeOrphanedMoves, runMove, type RunMoveOptions } from "./run_move.ts";
export { MoveSweeper, type MoveSweeperOptions } from "./move_sweeper.ts";
export { checksumsMatch, differingBuckets, type TableChecksum, tableChecksum } from "./table_checksum.ts";
export type { MoveStatus, MoveTableStatus } from "./_store.ts";
