/**
 * Which statements the execute stage prepares, and on which connections they are. A prepared statement
 * costs no extra round trip once it is on the connection; getting it there does: postgres.js sends a
 * statement with parameters that the connection has not prepared as Parse/Describe first and waits for the
 * parameter types before it binds it, which breaks the pipeline (three round trips instead of one). So a
 * statement the connection has not prepared goes as a simple query with its values written as literals
 * (one round trip), and is prepared afterwards, off the request's path, once its text is worth it. The
 * sql stage's text holds no value (every value is a bind parameter), so one text serves every request of
 * the same shape.
 *
 * Every pooled connection keeps each statement it prepared until it closes, so the number of distinct texts
 * is capped, and a text is admitted only when it comes back: one-off shapes (or a client inventing aliases)
 * never fill the cap. Past the cap, new shapes go as simple queries: slower for the server, never wrong.
 *
 * @module
 */

/** Options of {@linkcode PreparedStatements}. */
export interface PreparedStatementsOptions {
  /** Distinct statement texts ever prepared by this process; default 200. */
  maxStatements?: number;
}

/** A postgres.js pool, as far as these records need it. */
export interface PoolOfConnections {
  readonly options: { readonly max: number };
}

/**
 * The set of statement texts worth preparing, and the texts each connection has prepared.
 *
 * @example
 * ```ts
 * const prepared = new PreparedStatements();
 * if (prepared.admit(text) && prepared.isPreparedOn(pool, pid, text)) connection.unsafe(text, params, { prepare: true });
 * ```
 */
export class PreparedStatements {
  #max: number;
  #admitted = new Set<string>();
  /** Texts seen once, oldest first; at most `max`. */
  #seen = new Set<string>();
  /** Texts the server would not prepare, oldest first; at most `max`. */
  #refused = new Set<string>();
  /** Per pool, per server process id (oldest first), the admitted texts prepared there. */
  #connections = new WeakMap<object, Map<number, Set<string>>>();

  constructor(options: PreparedStatementsOptions = {}) {
    this.#max = options.maxStatements ?? 200;
  }

  /** Whether to prepare `text`: it was seen before and fits under the cap (or is already prepared). */
  admit(text: string): boolean {
    if (this.#admitted.has(text)) return true;
    if (this.#admitted.size >= this.#max || this.#refused.has(text)) return false;
    if (this.#seen.delete(text)) {
      this.#admitted.add(text);
      return true;
    }
    this.#seen.add(text);
    if (this.#seen.size > this.#max) this.#seen.delete(this.#seen.values().next().value as string);
    return false;
  }

  /** Never admits `text` again (the server would not prepare it); it goes as a simple query. */
  refuse(text: string): void {
    this.#admitted.delete(text);
    this.#refused.add(text);
    if (this.#refused.size > this.#max) this.#refused.delete(this.#refused.values().next().value as string);
  }

  /** Whether the connection of `pool` served by server process `pid` has prepared `text`. */
  isPreparedOn(pool: object, pid: number, text: string): boolean {
    return this.#connections.get(pool)?.get(pid)?.has(text) ?? false;
  }

  /**
   * Records that the connection of `pool` served by server process `pid` has prepared `text`. Twice as
   * many connections as the pool holds at once are remembered, the ones closed longest ago forgotten: a
   * forgotten (or reused) process id costs a statement its preparation once more, never a wrong answer.
   */
  preparedOn(pool: PoolOfConnections, pid: number, text: string): void {
    let connections = this.#connections.get(pool);
    if (connections === undefined) this.#connections.set(pool, connections = new Map());
    let texts = connections.get(pid);
    if (texts === undefined) {
      connections.set(pid, texts = new Set());
      if (connections.size > 2 * pool.options.max) connections.delete(connections.keys().next().value!);
    }
    texts.add(text);
  }

  /** How many texts are admitted. */
  get size(): number {
    return this.#admitted.size;
  }
}
