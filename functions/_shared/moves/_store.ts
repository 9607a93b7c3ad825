// Internal: the move engine's state in the application database (public.tenant_moves,
// public.tenant_move_tables, public.tenants' routing and freeze). Every write runs in a transaction that
// carries the actor's claims, so the audit log records who moved, froze, switched or purged.
import postgres from "postgres";
import { withClaims } from "../control_plane/mod.ts";
import { MoveError } from "./errors.ts";

/** `tenant_moves.status`. */
export type MoveStatus =
  | "pending"
  | "copying"
  | "freezing"
  | "verifying"
  | "switching"
  | "done"
  | "failed"
  | "rolled_back"
  | "finalized";

/** `tenant_move_tables.status`. */
export type MoveTableStatus = "pending" | "copying" | "copied" | "verified" | "failed";

/** Claims recorded as the actor of every change (`request.jwt.claims`). */
export type Claims = Readonly<Record<string, unknown>>;

/** A `tenant_moves` row. */
export interface MoveRow {
  id: string;
  tenant_id: string;
  source_data_source_id: string | null;
  target_data_source_id: string | null;
  status: MoveStatus;
  error: string | null;
  timings: Record<string, unknown>;
  /** timestamptz as text, to keep its microseconds. */
  delta_since: string | null;
  switched_at: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A `tenant_move_tables` row. */
export interface MoveTableRow {
  table_name: string;
  ordinal: number;
  status: MoveTableStatus;
  rows_total: number | null;
  rows_copied: number;
  copied_through: string | null;
  source_rows: number | null;
  target_rows: number | null;
  source_checksum: string | null;
  target_checksum: string | null;
  timings: Record<string, unknown>;
}

/** A `tenants` row as the engine needs it. */
export interface TenantRow {
  id: string;
  slug: string;
  status: "active" | "suspended" | "moving";
  data_source_id: string | null;
  writes_frozen: boolean;
}

/** A `private.data_sources` row with its sealed credentials (never serialised). */
export interface DataSourceRow {
  id: string;
  name: string;
  kind: string;
  is_default: boolean;
  status: "active" | "draining" | "disabled";
  secret_ciphertext: Uint8Array;
  secret_nonce: Uint8Array;
  secret_key_id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SLUG = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const NAME = /^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?$/;

/** Runs `fn` in one transaction whose `request.jwt.claims` is the actor's (audit). */
export const withActor: typeof withClaims = withClaims;

/** The tenant by id or slug. @throws {MoveError} `not_found`. */
export async function readTenant(
  sql: postgres.Sql | postgres.TransactionSql,
  ref: string,
): Promise<TenantRow> {
  const byId = UUID.test(ref);
  if (!byId && !SLUG.test(ref)) throw new MoveError("not_found", "Tenant not found");
  const [row] = await sql<TenantRow[]>`
    select id, slug, status, data_source_id, writes_frozen_at is not null as writes_frozen
    from public.tenants
    where ${byId ? sql`id = ${ref.toLowerCase()}::uuid` : sql`slug = ${ref}`}`;
  if (row === undefined) throw new MoveError("not_found", `Tenant "${ref}" not found`);
  return row;
}

/**
 * A data source by name or id; `null` or `"default"`: the default one. @throws {MoveError} `not_found`.
 */
export async function readDataSource(
  sql: postgres.Sql | postgres.TransactionSql,
  ref: string | null,
): Promise<DataSourceRow> {
  const columns = sql`id, name, kind, is_default, status, secret_ciphertext, secret_nonce, secret_key_id`;
  if (ref === null || ref === "default") {
    const [row] = await sql<DataSourceRow[]>`select ${columns} from private.data_sources where is_default`;
    if (row === undefined) throw new MoveError("not_found", "No default data source is registered");
    return row;
  }
  const byId = UUID.test(ref);
  if (!byId && !NAME.test(ref)) throw new MoveError("not_found", "Data source not found");
  const [row] = await sql<DataSourceRow[]>`
    select ${columns} from private.data_sources
    where ${byId ? sql`id = ${ref.toLowerCase()}::uuid` : sql`name = ${ref}`}`;
  if (row === undefined) throw new MoveError("not_found", `Data source "${ref}" not found`);
  return row;
}

/** The move, or `undefined`. */
export async function readMove(
  sql: postgres.Sql | postgres.TransactionSql,
  id: string,
): Promise<MoveRow | undefined> {
  if (!UUID.test(id)) return undefined;
  const [row] = await sql<MoveRow[]>`
    select id, tenant_id, source_data_source_id, target_data_source_id, status, error, timings,
           delta_since::text as delta_since, switched_at, started_at, finished_at, created_at, updated_at
    from public.tenant_moves where id = ${id.toLowerCase()}::uuid`;
  return row;
}

/** The move. @throws {MoveError} `not_found`. */
export async function requireMove(sql: postgres.Sql | postgres.TransactionSql, id: string): Promise<MoveRow> {
  const move = await readMove(sql, id);
  if (move === undefined) {
    throw new MoveError("not_found", "Move not found", { hint: "Give the move id the move command printed" });
  }
  return move;
}

/** The move's tables, in copy order. */
export async function readMoveTables(
  sql: postgres.Sql | postgres.TransactionSql,
  moveId: string,
): Promise<MoveTableRow[]> {
  const rows = await sql<MoveTableRow[]>`
    select table_name, ordinal, status, rows_total::float8 as rows_total, rows_copied::float8 as rows_copied,
           copied_through, source_rows::float8 as source_rows, target_rows::float8 as target_rows,
           source_checksum, target_checksum, timings
    from public.tenant_move_tables where move_id = ${moveId}::uuid
    order by ordinal, table_name`;
  return [...rows];
}

/** What {@linkcode patchMove} changes; absent fields stay. */
export interface MovePatch {
  status?: MoveStatus;
  error?: string | null;
  /** Merged into `timings`. */
  timings?: Record<string, unknown>;
  started?: boolean;
  finished?: boolean;
  deltaSince?: string;
}

/** Updates the move row. */
export async function patchMove(
  tx: postgres.Sql | postgres.TransactionSql,
  id: string,
  patch: MovePatch,
): Promise<void> {
  await tx`
    update public.tenant_moves set
      status = coalesce(${patch.status ?? null}::text, status),
      error = case when ${patch.error !== undefined} then ${patch.error ?? null}::text else error end,
      timings = timings || ${JSON.stringify(patch.timings ?? {})}::text::jsonb,
      started_at = case when ${patch.started === true} then coalesce(started_at, now()) else started_at end,
      finished_at = case when ${
    patch.finished === true
  } then greatest(now(), started_at) else finished_at end,
      delta_since = coalesce(${patch.deltaSince ?? null}::timestamptz, delta_since)
    where id = ${id}::uuid`;
}

/** What {@linkcode patchTable} changes; absent fields stay. */
export interface TablePatch {
  status?: MoveTableStatus;
  rowsTotal?: number;
  rowsCopied?: number;
  /** `null` clears the cursor. */
  copiedThrough?: string | null;
  sourceRows?: number;
  targetRows?: number;
  sourceChecksum?: string;
  targetChecksum?: string;
  /** Merged into `timings`. */
  timings?: Record<string, unknown>;
}

/** Updates one table row of the move. */
export async function patchTable(
  tx: postgres.Sql | postgres.TransactionSql,
  moveId: string,
  table: string,
  patch: TablePatch,
): Promise<void> {
  await tx`
    update public.tenant_move_tables set
      status = coalesce(${patch.status ?? null}::text, status),
      rows_total = coalesce(${patch.rowsTotal ?? null}::bigint, rows_total),
      rows_copied = coalesce(${patch.rowsCopied ?? null}::bigint, rows_copied),
      copied_through = case when ${patch.copiedThrough !== undefined} then ${
    patch.copiedThrough ?? null
  }::text
                            else copied_through end,
      source_rows = coalesce(${patch.sourceRows ?? null}::bigint, source_rows),
      target_rows = coalesce(${patch.targetRows ?? null}::bigint, target_rows),
      source_checksum = coalesce(${patch.sourceChecksum ?? null}::text, source_checksum),
      target_checksum = coalesce(${patch.targetChecksum ?? null}::text, target_checksum),
      timings = timings || ${JSON.stringify(patch.timings ?? {})}::text::jsonb
    where move_id = ${moveId}::uuid and table_name = ${table}`;
}

/**
 * Freezes (`true`) or unfreezes the tenant's writes; the gateway hears it through NOTIFY at commit. A
 * freeze lasts `leaseSeconds` unless the holder's heartbeat renews it (`private.renew_move_lease`), and
 * refused writes are told to retry after `expectedMs`.
 */
export async function setWritesFrozen(
  tx: postgres.Sql | postgres.TransactionSql,
  tenantId: string,
  frozen: boolean,
  expectedMs?: number,
  leaseSeconds = 15,
): Promise<void> {
  const expected = frozen ? Math.min(3_600_000, Math.max(1, Math.round(expectedMs ?? 5_000))) : null;
  await tx`
    update public.tenants
    set writes_frozen_at = case when ${frozen} then coalesce(writes_frozen_at, now()) end,
        writes_frozen_until = case when ${frozen} then now() + make_interval(secs => ${leaseSeconds}) end,
        writes_freeze_expected_ms = ${expected}::int
    where id = ${tenantId}::uuid and (writes_frozen_at is not null) <> ${frozen}`;
}

/**
 * A lease on a move: who holds it and for how long (`private.claim_move_lease`). `force` takes it from a
 * live holder: only for a caller holding the move's run lock (the holder's session is gone).
 */
export async function claimMoveLease(
  sql: postgres.Sql,
  moveId: string,
  owner: string,
  seconds: number,
  force = false,
): Promise<boolean> {
  const [row] = await sql<{ claimed: boolean }[]>`
    select private.claim_move_lease(${moveId}::uuid, ${owner}, ${seconds}, ${force}) as claimed`;
  return row?.claimed === true;
}

/** The heartbeat: false when `owner` no longer holds the move. */
export async function renewMoveLease(
  sql: postgres.Sql,
  moveId: string,
  owner: string,
  seconds: number,
): Promise<boolean> {
  const [row] = await sql<{ renewed: boolean }[]>`
    select private.renew_move_lease(${moveId}::uuid, ${owner}, ${seconds}) as renewed`;
  return row?.renewed === true;
}

/** Gives the move up. */
export async function releaseMoveLease(sql: postgres.Sql, moveId: string, owner: string): Promise<void> {
  await sql`select private.release_move_lease(${moveId}::uuid, ${owner})`;
}

/** Unfinished moves whose process died (no live lease), oldest first. */
export async function readOrphanedMoves(sql: postgres.Sql): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`select id from private.orphaned_moves()`;
  return rows.map((row) => row.id);
}

/** Sets the tenant's status from `from` to `to` (no change when it is something else). */
export async function setTenantStatus(
  tx: postgres.Sql | postgres.TransactionSql,
  tenantId: string,
  from: TenantRow["status"],
  to: TenantRow["status"],
): Promise<void> {
  await tx`update public.tenants set status = ${to} where id = ${tenantId}::uuid and status = ${from}`;
}

/**
 * Takes the move's advisory lock on a connection of its own, held until `release()` (or until the process
 * dies: the server drops the lock with the session), so two processes never run one move.
 *
 * The connection is a one-connection client of its own, not a reserved connection of `sql`: a reserved
 * postgres.js 3.4.9 connection whose socket closed during the move would crash the process when the
 * unlock is written to it. A client reconnects instead; the lock went with the old session anyway.
 *
 * @throws {MoveError} `busy` when another session holds it.
 */
export async function lockMove(sql: postgres.Sql, moveId: string): Promise<{ release(): Promise<void> }> {
  // The pool's own parsed options (host, credentials, TLS) for one more connection.
  const lockSql = postgres({ ...sql.options, max: 1 } as unknown as postgres.Options<Record<string, never>>);
  const key = `tenant_router.move:${moveId.toLowerCase()}`;
  try {
    const [row] = await lockSql<{ locked: boolean }[]>`
      select pg_try_advisory_lock(hashtextextended(${key}, 0)) as locked`;
    if (!row?.locked) {
      throw new MoveError("busy", `Move ${moveId} is being run by another process`, {
        hint: "Wait for it, or check `npm run tenants -- move --status <id>`",
      });
    }
  } catch (error) {
    await lockSql.end({ timeout: 0 });
    throw error;
  }
  return {
    async release() {
      try {
        await lockSql`select pg_advisory_unlock(hashtextextended(${key}, 0))`;
      } catch {
        // Ending the session below drops the lock as well.
      } finally {
        await lockSql.end({ timeout: 1 });
      }
    },
  };
}
