/**
 * Bad usage of the operator CLI: the command line itself is wrong (unknown flag, missing value,
 * conflicting options, invalid input). The CLI prints the message and the command's usage, exit 2.
 *
 * @module
 */

/**
 * The command line is wrong; exit code 2.
 *
 * @example
 * ```ts
 * if (!args.all && !args.dataSource) throw new UsageError("Give a data source or --all");
 * ```
 */
export class UsageError extends Error {
  /** Creates the error; the message is shown as is. */
  constructor(message: string) {
    super(message);
  }
  /** The error name, shown by `String(err)` and in stacks. */
  override name = "UsageError";
}
