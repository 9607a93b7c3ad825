/**
 * Which statements the execute stage prepares. A prepared statement costs no extra round trip: postgres.js
 * sends an unprepared statement with parameters as Parse/Describe first and waits for the parameter types
 * before it binds, which breaks the pipeline (three round trips instead of one), and the server parses and
 * plans it again every time. The sql stage's text holds no value (every value is a bind parameter), so one
 * text serves every request of the same shape.
 *
 * Every pooled connection keeps each statement it prepared until it closes, so the number of distinct texts
 * is capped, and a text is admitted only when it comes back: one-off shapes (or a client inventing aliases)
 * never fill the cap. Past the cap, new shapes run unprepared: slower, never wrong. A pool that must not
 * prepare (a transaction-mode pooler) has `prepare: false`, which postgres.js applies over this choice.
 *
 * @module
 */

/** Options of {@linkcode PreparedStatements}. */
export interface PreparedStatementsOptions {
  /** Distinct statement texts ever prepared by this process; default 200. */
  maxStatements?: number;
}

/**
 * The set of statement texts worth preparing.
 *
 * @example
 * ```ts
 * const prepared = new PreparedStatements();
 * connection.unsafe(text, params, { prepare: prepared.admit(text) });
 * ```
 */
export class PreparedStatements {
  #max: number;
  #admitted = new Set<string>();
  /** Texts seen once, oldest first; at most `max`. */
  #seen = new Set<string>();

  constructor(options: PreparedStatementsOptions = {}) {
    this.#max = options.maxStatements ?? 200;
  }

  /** Whether to prepare `text`: it was seen before and fits under the cap (or is already prepared). */
  admit(text: string): boolean {
    if (this.#admitted.has(text)) return true;
    if (this.#admitted.size >= this.#max) return false;
    if (this.#seen.delete(text)) {
      this.#admitted.add(text);
      return true;
    }
    this.#seen.add(text);
    if (this.#seen.size > this.#max) this.#seen.delete(this.#seen.values().next().value as string);
    return false;
  }

  /** How many texts are admitted. */
  get size(): number {
    return this.#admitted.size;
  }
}
