/**
 * Takes over moves whose process died: an unfinished move whose lease ran out (see `./_lease.ts`) is
 * resumed here, from its last committed batch. The functions server's `tenant-admin` runs one: it looks
 * as it starts, on admin requests (at most every few seconds) and on a tick.
 *
 * @module
 */
import type postgres from "postgres";
import { LEASE_SECONDS } from "./_lease.ts";
import type { MoveOptions } from "./move_options.ts";
import { resumeOrphanedMoves } from "./run_move.ts";

/** Options of {@linkcode MoveSweeper}. */
export interface MoveSweeperOptions extends Omit<MoveOptions, "onEvent"> {
  /** Keeps a resumed move running (`EdgeRuntime.waitUntil` on Supabase). */
  background: (task: Promise<unknown>) => void;
  /** Looks at most this often when poked; default 5 s. */
  minIntervalMs?: number | undefined;
}

/**
 * Resumes orphaned moves when poked or ticking; never throws (an unreachable application database is
 * tried again at the next look).
 *
 * @example
 * ```ts
 * const sweeper = new MoveSweeper(sql, { keyring, claims, background });
 * sweeper.start(); // looks now and every 15 s
 * app.use("*", async (c, next) => { sweeper.poke(); await next(); });
 * ```
 */
export class MoveSweeper {
  readonly #sql: postgres.Sql;
  readonly #options: MoveSweeperOptions;
  #lastLook = -Infinity;
  #looking: Promise<void> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(sql: postgres.Sql, options: MoveSweeperOptions) {
    this.#sql = sql;
    this.#options = options;
  }

  /** Looks for orphaned moves now, unless it looked moments ago; does not wait. */
  poke(): void {
    if (this.#looking !== undefined) return;
    if (performance.now() - this.#lastLook < (this.#options.minIntervalMs ?? 5_000)) return;
    this.#lastLook = performance.now();
    const { background, minIntervalMs: _, ...options } = this.#options;
    this.#looking = resumeOrphanedMoves(this.#sql, options, background).then(
      () => {},
      () => {},
    ).finally(() => this.#looking = undefined);
  }

  /** Looks now and then every `everyMs` (default: a lease's length), without keeping the process alive. */
  start(everyMs = LEASE_SECONDS * 1000): void {
    this.poke();
    if (this.#timer !== undefined) return;
    const timer = setInterval(() => this.poke(), everyMs);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  /** Stops the tick. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
