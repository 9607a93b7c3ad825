/**
 * The rest of a tenant move's life from the admin API: resume, roll back, finalize.
 *
 * @module
 */
import type postgres from "postgres";
import type { Keyring } from "../crypto/mod.ts";
import {
  finalizeMove,
  getMove,
  MoveError,
  type MoveStatus,
  type MoveView,
  rollbackMove,
  runMove,
} from "../moves/mod.ts";
import type { ActorClaims } from "../control_plane/mod.ts";
import { asAdminErrors } from "./_move_error.ts";

/** A step of {@linkcode continueMove}. */
export type MoveStep = "resume" | "rollback" | "finalize";

/** Options of {@linkcode continueMove}. */
export interface ContinueMoveOptions {
  keyring: Keyring;
  claims: ActorClaims;
  moveId: string;
  step: MoveStep;
  /** Runs the step after the answer; without it, before. */
  background?: ((task: Promise<unknown>) => void) | undefined;
}

/**
 * Resumes, rolls back or finalizes a move. With `background`, answers the move as it is now and runs
 * the step afterwards (poll `GET /moves/:id`); without, answers the move after the step.
 *
 * @throws {AdminError} `TR624` no such move, `TR633` the move's state forbids the step, `TR636` another
 * process runs it, `TR635`/`TR641`/`TR650` as for starting.
 *
 * @example
 * ```ts
 * const move = await continueMove(sql, { keyring, claims, moveId, step: "rollback" });
 * ```
 */
export async function continueMove(
  sql: postgres.Sql,
  options: ContinueMoveOptions,
): Promise<{ finished: boolean; move: MoveView }> {
  return await asAdminErrors(async () => {
    const before = await getMove(sql, options.moveId);
    const refusal = refuse(options.step, before.status);
    if (refusal !== undefined) {
      throw new MoveError("conflict", `Move ${before.id} is ${before.status}: ${refusal}`);
    }
    const common = { keyring: options.keyring, claims: options.claims, moveId: before.id };
    const start = () =>
      options.step === "resume"
        ? runMove(sql, common)
        : options.step === "rollback"
        ? rollbackMove(sql, common)
        : finalizeMove(sql, common);
    if (options.background === undefined) return { finished: true, move: await start() };
    options.background(start());
    return { finished: false, move: before };
  });
}

/** Why the step cannot apply to a move in this status, checked before anything runs in the background. */
function refuse(step: MoveStep, status: MoveStatus): string | undefined {
  if (step === "resume" && ["done", "rolled_back", "finalized"].includes(status)) {
    return "there is nothing to resume";
  }
  if (step === "rollback" && status === "finalized") return "the source rows were purged";
  if (step === "rollback" && status === "rolled_back") return "it is already rolled back";
  if (step === "finalize" && status !== "done") return "only a done move can be finalized";
  return undefined;
}
