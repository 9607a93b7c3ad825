/**
 * The error the query-string grammars throw: a `SyntaxError` with the position of the problem.
 *
 * @module
 */

/** Options of {@linkcode QuerySyntaxError}. */
export interface QuerySyntaxErrorOptions {
  /** What was being parsed: `select`, `filter`, `order`, `logic tree`… */
  subject: string;
  /** 1-based position of the problem in the parsed text. */
  position: number;
  /** What to do about it, when there is something useful to say. */
  hint?: string;
}

/**
 * A query-string parameter does not follow PostgREST's grammar. The message reads
 * `Cannot parse <subject>: <problem> at position <n>`, where the position is 1-based and counts UTF-16
 * code units in the text that was parsed: the parameter's value for `select`, `order` and `on_conflict`,
 * or the whole `key=value` pair for a filter and an `or`/`and` tree (so a problem in the key has a
 * position too).
 *
 * The grammar modules throw it; {@linkcode parseQuery} turns it into a `PGRST100` {@linkcode PostgrestError}
 * (400) that names the parameter, so callers of the parse stage only ever see `PostgrestError`.
 *
 * @example
 * ```ts
 * try {
 *   parseSelect("id,contacts(");
 * } catch (err) {
 *   if (err instanceof QuerySyntaxError) err.position; // 13
 * }
 * ```
 */
export class QuerySyntaxError extends SyntaxError {
  /** What was being parsed. */
  readonly subject: string;
  /** What is wrong, without the position: `unexpected "("`. */
  readonly problem: string;
  /** 1-based position of the problem in the parsed text. */
  readonly position: number;
  /** What to do about it, or `null`. */
  readonly hint: string | null;

  /** Creates the error; the message is built from the problem, subject and position. */
  constructor(problem: string, options: QuerySyntaxErrorOptions) {
    super(`Cannot parse ${options.subject}: ${problem} at position ${options.position}`);
    this.subject = options.subject;
    this.problem = problem;
    this.position = options.position;
    this.hint = options.hint ?? null;
  }

  /** The error name, shown by `String(err)` and in stacks. */
  override name = "QuerySyntaxError";
}
