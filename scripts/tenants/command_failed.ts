/**
 * The operation ran but did not succeed, or a check found a problem, after the command printed its
 * report: exit code 1.
 *
 * @module
 */

/**
 * The command failed after reporting; exit code 1. An empty message prints nothing more.
 *
 * @example
 * ```ts
 * printTable(report);
 * if (!report.ok) throw new CommandFailed("");
 * ```
 */
export class CommandFailed extends Error {
  /** Creates the error; the message (if any) is printed to standard error. */
  constructor(message = "") {
    super(message);
  }
  /** The error name, shown by `String(err)` and in stacks. */
  override name = "CommandFailed";
}
