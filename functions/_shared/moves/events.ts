/**
 * What a running move reports as it goes, for progress bars and logs. The same progress is recorded in
 * the application database (tenant_moves, tenant_move_tables) for anyone polling.
 *
 * @module
 */

/** A step of a move's life, as events name it. */
export type MovePhase =
  | "copying"
  | "catching_up"
  | "freezing"
  | "verifying"
  | "switching"
  | "done"
  | "failed"
  | "rolling_back"
  | "rolled_back"
  | "purging"
  | "finalized";

/** One progress event. */
export type MoveEvent =
  | {
    /** The move entered a phase. */
    kind: "phase";
    phase: MovePhase;
    /** A short line for people: what happens, with counts. */
    message: string;
  }
  | {
    /** A table's copy progressed. */
    kind: "table";
    /** `public.contacts`. */
    table: string;
    status: "pending" | "copying" | "copied" | "verified" | "failed";
    rowsCopied: number;
    rowsTotal: number | null;
    /** This run's copy speed of the table, once measurable. */
    rowsPerSecond?: number | undefined;
    /** Seconds left for the table at that speed. */
    etaSeconds?: number | undefined;
  };

/** Receives {@linkcode MoveEvent}s; must not throw. */
export type MoveEventListener = (event: MoveEvent) => void;
