/**
 * The options every step of a move takes (start, resume, rollback, finalize), with their defaults.
 *
 * @module
 */
import type { Keyring } from "../crypto/mod.ts";
import type { MoveEventListener } from "./events.ts";

/** Options of the move engine's steps. */
export interface MoveOptions {
  /** Opens the data sources' credentials. */
  keyring: Keyring;
  /**
   * Recorded as the actor of every change (`request.jwt.claims`): the admin's verified JWT, or the CLI's
   * service claims.
   */
  claims: Readonly<Record<string, unknown>>;
  /** Hears progress; default none. */
  onEvent?: MoveEventListener | undefined;
  /** Rows per copy batch (one target transaction, one resume point); default 50,000. */
  batchRows?: number | undefined;
  /** Tables copied, checksummed or repaired at once; default 4. */
  concurrency?: number | undefined;
  /** Catch-up rounds before the freeze; default 3. */
  catchUpRounds?: number | undefined;
  /** A catch-up round copying fewer rows than this goes to the freeze; default 1,000. */
  catchUpThreshold?: number | undefined;
  /** Milliseconds the write fence stays after the switch, so every gateway hears of it; default 500. */
  freezeGraceMs?: number | undefined;
}

/** {@linkcode MoveOptions} with every default filled in. */
export interface ResolvedMoveOptions {
  keyring: Keyring;
  claims: Readonly<Record<string, unknown>>;
  onEvent: MoveEventListener;
  batchRows: number;
  concurrency: number;
  catchUpRounds: number;
  catchUpThreshold: number;
  freezeGraceMs: number;
}

/** The defaults of {@linkcode MoveOptions}. */
export const MOVE_DEFAULTS = {
  batchRows: 50_000,
  concurrency: 4,
  catchUpRounds: 3,
  catchUpThreshold: 1_000,
  freezeGraceMs: 500,
} as const;

/**
 * Fills in the defaults and checks the numbers.
 *
 * @throws {RangeError} for a batch size, concurrency or time that is not a positive whole number.
 */
export function resolveMoveOptions(options: MoveOptions): ResolvedMoveOptions {
  const resolved: ResolvedMoveOptions = {
    keyring: options.keyring,
    claims: options.claims,
    onEvent: options.onEvent ?? (() => {}),
    batchRows: options.batchRows ?? MOVE_DEFAULTS.batchRows,
    concurrency: options.concurrency ?? MOVE_DEFAULTS.concurrency,
    catchUpRounds: options.catchUpRounds ?? MOVE_DEFAULTS.catchUpRounds,
    catchUpThreshold: options.catchUpThreshold ?? MOVE_DEFAULTS.catchUpThreshold,
    freezeGraceMs: options.freezeGraceMs ?? MOVE_DEFAULTS.freezeGraceMs,
  };
  for (const name of ["batchRows", "concurrency"] as const) {
    if (!Number.isInteger(resolved[name]) || resolved[name] < 1) {
      throw new RangeError(`Invalid move option ${name}: must be a whole number of at least 1`);
    }
  }
  for (const name of ["catchUpRounds", "catchUpThreshold", "freezeGraceMs"] as const) {
    if (!Number.isInteger(resolved[name]) || resolved[name] < 0) {
      throw new RangeError(`Invalid move option ${name}: must be a whole number of at least 0`);
    }
  }
  return resolved;
}
