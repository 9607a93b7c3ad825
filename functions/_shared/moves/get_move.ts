/**
 * A move as the CLI and the admin API show it: its state, both data sources by name, and per table the
 * copy progress and both sides' verification.
 *
 * @module
 */
import type postgres from "postgres";
import { type MoveStatus, type MoveTableStatus, readMoveTables, requireMove } from "./_store.ts";

/** One table of a {@linkcode MoveView}. */
export interface MoveTableView {
  /** `public.contacts`. */
  table: string;
  ordinal: number;
  status: MoveTableStatus;
  rows_total: number | null;
  rows_copied: number;
  source_rows: number | null;
  target_rows: number | null;
  source_checksum: string | null;
  target_checksum: string | null;
  /** Whether both sides were verified equal: rows and checksum. */
  verified: boolean;
  /** The copy's speed, at the last committed batch (`null` before one was measured). */
  rows_per_second: number | null;
  /** Seconds of copying left for the table at that speed (0 once copied, `null` before measured). */
  eta_seconds: number | null;
  timings: Record<string, unknown>;
}

/** A move with its tables. */
export interface MoveView {
  id: string;
  tenant_id: string;
  /** The tenant's slug. */
  tenant: string;
  status: MoveStatus;
  /** The data source the rows came from (its name; the default one's when routed by default). */
  source: string | null;
  /** `null`: the tenant followed the default data source. */
  source_data_source_id: string | null;
  /** The data source the rows go to. */
  target: string | null;
  /** `null`: the default data source (the switch routes the tenant to the default). */
  target_data_source_id: string | null;
  error: string | null;
  timings: Record<string, unknown>;
  delta_since: string | null;
  switched_at: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
  created_at: Date;
  updated_at: Date;
  /** Rows copied by the bulk copy, over every table. */
  rows_copied: number;
  /** Rows verified equal on both sides, over every table (`null` before verification). */
  rows_verified: number | null;
  /**
   * How long the tenant's writes were refused, measured from the freeze to the switch (or the unfreeze);
   * `null` until the freeze is over. Also in `timings.frozen_ms` and the audit log's entry of the switch.
   */
  frozen_ms: number | null;
  tables: MoveTableView[];
}

/**
 * The move with this id.
 *
 * @throws {MoveError} `not_found`.
 *
 * @example
 * ```ts
 * const move = await getMove(sql, id);
 * console.log(move.status, move.rows_verified);
 * ```
 */
export async function getMove(sql: postgres.Sql | postgres.TransactionSql, id: string): Promise<MoveView> {
  const move = await requireMove(sql, id);
  const [names] = await sql<{ tenant: string; source: string | null; target: string | null }[]>`
    select t.slug as tenant,
           (select d.name from private.data_sources d
            where d.id = ${move.source_data_source_id}::uuid
               or (${move.source_data_source_id}::uuid is null and d.is_default)) as source,
           (select d.name from private.data_sources d
            where d.id = ${move.target_data_source_id}::uuid
               or (${move.target_data_source_id}::uuid is null and d.is_default)) as target
    from public.tenants t where t.id = ${move.tenant_id}::uuid`;
  const tables = (await readMoveTables(sql, id)).map((row): MoveTableView => ({
    table: row.table_name,
    ordinal: row.ordinal,
    status: row.status,
    rows_total: row.rows_total,
    rows_copied: row.rows_copied,
    source_rows: row.source_rows,
    target_rows: row.target_rows,
    source_checksum: row.source_checksum,
    target_checksum: row.target_checksum,
    verified: row.status === "verified" && row.source_rows === row.target_rows &&
      row.source_checksum !== null && row.source_checksum === row.target_checksum,
    rows_per_second: numberOrNull(row.timings.rows_per_second),
    eta_seconds: row.status === "pending" || row.status === "copying"
      ? numberOrNull(row.timings.eta_seconds)
      : row.status === "failed"
      ? null
      : 0,
    timings: row.timings,
  }));
  const verifiedAll = tables.length > 0 && tables.every((t) => t.source_rows !== null);
  return {
    id: move.id,
    tenant_id: move.tenant_id,
    tenant: names?.tenant ?? move.tenant_id,
    status: move.status,
    source: names?.source ?? null,
    source_data_source_id: move.source_data_source_id,
    target: names?.target ?? null,
    target_data_source_id: move.target_data_source_id,
    error: move.error,
    timings: move.timings,
    delta_since: move.delta_since,
    switched_at: move.switched_at,
    started_at: move.started_at,
    finished_at: move.finished_at,
    created_at: move.created_at,
    updated_at: move.updated_at,
    rows_copied: tables.reduce((sum, t) => sum + t.rows_copied, 0),
    rows_verified: verifiedAll
      ? tables.reduce((sum, t) => sum + (t.verified ? t.target_rows ?? 0 : 0), 0)
      : null,
    frozen_ms: numberOrNull(move.timings.frozen_ms),
    tables,
  };
}

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}
