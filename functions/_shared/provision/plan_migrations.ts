/**
 * Which migrations a database still needs, by the Supabase CLI's rules (`FindPendingMigrations`).
 *
 * @module
 */

/** A refusal to migrate: the database's history does not fit the local migrations. */
export class MigrationHistoryError extends Error {
  /** The versions that caused it. */
  readonly versions: readonly string[];
  /** Creates the error; `versions` are listed in the message. */
  constructor(message: string, versions: readonly string[]) {
    super(`${message}: ${versions.join(", ")}`);
    this.versions = versions;
  }
  /** The error name, shown by `String(err)` and in stacks. */
  override name = "MigrationHistoryError";
}

/**
 * Returns the local versions still to apply, in order. Like `supabase db push`, it refuses a database
 * that has versions the folder does not (another project's, or newer code's), and local versions older
 * than the newest applied one (out of order).
 *
 * @throws {MigrationHistoryError} in both cases.
 *
 * @example
 * ```ts
 * planMigrations(["1", "2", "3"], ["1"]); // ["2", "3"]
 * ```
 */
export function planMigrations(local: readonly string[], applied: readonly string[]): string[] {
  const localSet = new Set(local);
  const appliedSet = new Set(applied);
  const unknown = [...appliedSet].filter((version) => !localSet.has(version)).sort();
  if (unknown.length > 0) {
    throw new MigrationHistoryError(
      "The database has migration versions that are not in the local migrations folder",
      unknown,
    );
  }
  const newest = [...appliedSet].sort().at(-1);
  const pending = local.filter((version) => !appliedSet.has(version));
  const outOfOrder = newest === undefined ? [] : pending.filter((version) => version < newest);
  if (outOfOrder.length > 0) {
    throw new MigrationHistoryError(
      "Local migrations are older than the newest one applied to the database",
      outOfOrder,
    );
  }
  return pending;
}
