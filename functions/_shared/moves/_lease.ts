// Internal: the lease a process holds on the move it runs (`private.claim_move_lease`), renewed by a
// heartbeat. When the process dies the lease expires and another process takes the move over; when the
// heartbeat finds the move taken over, the run stops at its next step.
import type postgres from "postgres";
import { claimMoveLease, releaseMoveLease, renewMoveLease } from "./_store.ts";
import { MoveError } from "./errors.ts";

/** Seconds a lease (and a freeze held under it) lasts without a heartbeat. */
export const LEASE_SECONDS = 15;

/** A held lease. */
export interface MoveLease {
  /** This run's owner name, unique per run. */
  owner: string;
  /** @throws {MoveError} `busy` once another process took the move over. */
  check(): void;
  /** Stops the heartbeat and gives the move up. */
  release(): Promise<void>;
}

/**
 * Claims the move for this run and renews the lease every third of its length. The caller holds the
 * move's run lock (`lockMove`): every run takes it, so a live lease of someone else belongs to a process
 * whose session is gone (dead, or cut off and about to find out at its next heartbeat): it is taken over.
 *
 * @throws {MoveError} `busy` when the lease cannot be claimed.
 */
export async function holdMoveLease(sql: postgres.Sql, moveId: string): Promise<MoveLease> {
  const owner = `run:${crypto.randomUUID()}`;
  if (!await claimMoveLease(sql, moveId, owner, LEASE_SECONDS, true)) {
    throw new MoveError("busy", `Move ${moveId} is being run by another process`, {
      hint:
        `Wait for it; if that process died, its lease ends within ${LEASE_SECONDS} s and the move is taken over`,
    });
  }
  let lost = false;
  let beating: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    beating = renewMoveLease(sql, moveId, owner, LEASE_SECONDS).then(
      (renewed) => {
        if (!renewed) lost = true;
      },
      () => {
        // The application database is unreachable: the lease may run out; the run notices at its next write.
      },
    );
  }, (LEASE_SECONDS * 1000) / 3);
  return {
    owner,
    check() {
      if (lost) {
        throw new MoveError("busy", `Move ${moveId} was taken over by another process`);
      }
    },
    async release() {
      clearInterval(timer);
      await beating;
      await releaseMoveLease(sql, moveId, owner).catch(() => {});
    },
  };
}
