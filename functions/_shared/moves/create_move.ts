/**
 * Starting a move: checks it, records it (status `pending`, one row per table in foreign-key order) and
 * marks the tenant `moving`. {@linkcode runMove} then does the work.
 *
 * @module
 */
import type postgres from "postgres";
import type { Keyring } from "../crypto/mod.ts";
import { closeSide } from "./_databases.ts";
import { prepareMove } from "./_prepare.ts";
import { countSql } from "./_sql.ts";
import { type Claims, setTenantStatus, withActor } from "./_store.ts";
import { MoveError } from "./errors.ts";
import { getMove, type MoveView } from "./get_move.ts";

/** Options of {@linkcode createMove}. */
export interface CreateMoveOptions {
  keyring: Keyring;
  /** Recorded as the actor (audit). */
  claims: Claims;
  /** Tenant id or slug. */
  tenant: string;
  /** Data source name or id, or `default`. */
  to: string;
}

/**
 * Records a new move of the tenant to the data source `to`, after checking that it can run: both
 * databases reachable, same schema version, a target that takes tenants and is another database, and no
 * unfinished move of the tenant (a move is finished when finalized or rolled back).
 *
 * @throws {MoveError} `not_found`, `conflict`, `unsupported`, `unavailable`, `schema_mismatch`.
 *
 * @example
 * ```ts
 * const move = await createMove(sql, { keyring, claims, tenant: "globex", to: "tenant_eu" });
 * const done = await runMove(sql, { keyring, claims, moveId: move.id });
 * ```
 */
export async function createMove(sql: postgres.Sql, options: CreateMoveOptions): Promise<MoveView> {
  const open = await sql<{ id: string; status: string }[]>`
    select m.id, m.status from public.tenant_moves m join public.tenants t on t.id = m.tenant_id
    where (t.slug = ${options.tenant} or t.id::text = ${options.tenant.toLowerCase()})
      and m.status not in ('rolled_back', 'finalized')`;
  if (open[0] !== undefined) throw unfinished(open[0]);
  const prepared = await prepareMove(sql, { ...options, max: 2 });
  try {
    const totals = await Promise.all(prepared.tables.map(async (table) => {
      const [row] = await prepared.source.sql.unsafe<{ rows: string }[]>(countSql(table), [
        prepared.tenant.id,
      ]);
      return Number(row?.rows ?? 0);
    }));
    const id = await withActor(sql, options.claims, async (tx) => {
      const [move] = await tx<{ id: string }[]>`
        insert into public.tenant_moves (tenant_id, source_data_source_id, target_data_source_id)
        values (${prepared.tenant.id}, ${prepared.tenant.data_source_id}, ${prepared.targetRoute})
        returning id`;
      for (const table of prepared.tables) {
        await tx`
          insert into public.tenant_move_tables (move_id, tenant_id, table_name, ordinal, rows_total)
          values (${move!.id}, ${prepared.tenant.id}, ${table.qualifiedName}, ${table.ordinal},
                  ${totals[table.ordinal]!})`;
      }
      await setTenantStatus(tx, prepared.tenant.id, "active", "moving");
      return move!.id;
    }).catch(async (error) => {
      if (
        (error as { constraint_name?: string }).constraint_name === "tenant_moves_one_open_per_tenant_idx"
      ) {
        const [other] = await sql<{ id: string; status: string }[]>`
          select id, status from public.tenant_moves
          where tenant_id = ${prepared.tenant.id} and status not in ('rolled_back', 'finalized')`;
        throw unfinished(other ?? { id: "?", status: "unfinished" });
      }
      throw error;
    });
    return await getMove(sql, id);
  } finally {
    await closeSide(prepared.source);
    await closeSide(prepared.target);
  }
}

function unfinished(move: { id: string; status: string }): MoveError {
  return new MoveError("conflict", `The tenant has an unfinished move ${move.id} (${move.status})`, {
    hint: move.status === "done"
      ? `Finalize it (move --finalize ${move.id}) or roll it back (move --rollback ${move.id}) first`
      : `Resume it (move --resume ${move.id}) or roll it back (move --rollback ${move.id}) first`,
  });
}
