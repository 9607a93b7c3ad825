/**
 * One tenant move with its per-table progress and verification.
 *
 * @module
 */
import type postgres from "postgres";
import { getMove, type MoveView } from "../moves/mod.ts";
import { asAdminErrors } from "./_move_error.ts";

/**
 * The move with this id.
 *
 * @throws {AdminError} `TR624` when there is none.
 *
 * @example
 * ```ts
 * const move = await findMove(sql, id);
 * ```
 */
export async function findMove(sql: postgres.Sql, id: string): Promise<MoveView> {
  return await asAdminErrors(() => getMove(sql, id));
}
