/**
 * Starting a tenant move from the admin API: plan it (dry run), or record it and run it now or in the
 * background.
 *
 * @module
 */
import type postgres from "postgres";
import type { Keyring } from "../crypto/mod.ts";
import { createMove, type MovePlan, type MoveView, planMove, runMove } from "../moves/mod.ts";
import type { ActorClaims } from "../control_plane/mod.ts";
import { asAdminErrors } from "./_move_error.ts";

/** Options of {@linkcode startMove}. */
export interface StartMoveOptions {
  keyring: Keyring;
  /** The caller's claims: the actor of every change the move makes. */
  claims: ActorClaims;
  /** Tenant id or slug. */
  tenant: string;
  /** Data source name or id; `null`: the default data source. */
  dataSource: string | null;
  dryRun?: boolean | undefined;
  /** Rows per copy batch. */
  batchRows?: number | undefined;
  /**
   * Runs the move after the answer (`EdgeRuntime.waitUntil` on Supabase); without it, the move runs
   * before the answer.
   */
  background?: ((task: Promise<unknown>) => void) | undefined;
}

/** What {@linkcode startMove} answers. */
export type StartMoveResult =
  | { kind: "plan"; plan: MovePlan }
  | { kind: "started"; move: MoveView }
  | { kind: "finished"; move: MoveView };

/**
 * Plans or starts the move of a tenant's rows and routing to another data source.
 *
 * @throws {AdminError} `TR621`/`TR622` no such tenant or data source, `TR633` an unfinished move or the
 * same database, `TR635` schema versions differ, `TR641` a Supabase data source, `TR650` unreachable.
 *
 * @example
 * ```ts
 * const result = await startMove(sql, { keyring, claims, tenant: "globex", dataSource: "tenant_eu" });
 * ```
 */
export async function startMove(sql: postgres.Sql, options: StartMoveOptions): Promise<StartMoveResult> {
  const to = options.dataSource ?? "default";
  return await asAdminErrors(async () => {
    if (options.dryRun) {
      return {
        kind: "plan",
        plan: await planMove(sql, { keyring: options.keyring, tenant: options.tenant, to }),
      };
    }
    const move = await createMove(sql, {
      keyring: options.keyring,
      claims: options.claims,
      tenant: options.tenant,
      to,
    });
    const run = runMove(sql, {
      keyring: options.keyring,
      claims: options.claims,
      moveId: move.id,
      ...(options.batchRows === undefined ? {} : { batchRows: options.batchRows }),
    });
    if (options.background === undefined) return { kind: "finished", move: await run };
    options.background(run);
    return { kind: "started", move };
  });
}
