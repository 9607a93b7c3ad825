/**
 * The errors a request gets when its tenant's data source cannot serve it.
 *
 * @module
 */
import { PostgrestError } from "../errors/mod.ts";

/**
 * Why a data source is unavailable (for logs and metrics; the response body never says):
 *
 * - `circuit_open`: recent connection attempts failed; requests fail fast until the cool-down ends;
 * - `connection`: this request could not connect (or lost its connection);
 * - `credentials`: the stored credentials do not decrypt or do not validate (wrong key, tampered or
 *   copied ciphertext, unknown key id);
 * - `disabled`: the data source's status is `disabled`;
 * - `missing`: no such data source, or no default data source for a tenant without one.
 */
export type DataSourceUnavailableReason =
  | "circuit_open"
  | "connection"
  | "credentials"
  | "disabled"
  | "missing";

/** Options of {@linkcode DataSourceUnavailableError}. */
export interface DataSourceUnavailableErrorOptions {
  /** The data source concerned, or `null` when there is none (no default data source). */
  dataSourceId: string | null;
  /** Why it is unavailable. */
  reason: DataSourceUnavailableReason;
  /** Seconds for `Retry-After` (rounded up, at least 1); default 10. */
  retryAfterSeconds?: number | undefined;
  /** The underlying error, for logs; never rendered. */
  cause?: unknown;
}

/**
 * A tenant's data source cannot serve requests now: `TR503`, HTTP 503 with `Retry-After`. Only that data
 * source's tenants get it. The body is always TR503's fixed message, so it never reveals a host, a
 * credential or why exactly; {@linkcode DataSourceUnavailableError.reason} and `cause` are for logs.
 *
 * @example
 * ```ts
 * try {
 *   return await pools.run(dataSource, (sql) => sql`select 1`);
 * } catch (err) {
 *   if (err instanceof DataSourceUnavailableError) return err.toResponse(); // 503, Retry-After
 *   throw err;
 * }
 * ```
 */
export class DataSourceUnavailableError extends PostgrestError {
  /** The data source concerned, or `null`. */
  readonly dataSourceId: string | null;
  /** Why it is unavailable. */
  readonly reason: DataSourceUnavailableReason;
  /** The `Retry-After` the response carries, in whole seconds. */
  readonly retryAfterSeconds: number;

  /** Creates the error; see {@linkcode DataSourceUnavailableErrorOptions}. */
  constructor(options: DataSourceUnavailableErrorOptions) {
    const retryAfterSeconds = Math.max(1, Math.ceil(options.retryAfterSeconds ?? 10));
    super("TR503", undefined, { retryAfter: retryAfterSeconds, cause: options.cause });
    this.dataSourceId = options.dataSourceId;
    this.reason = options.reason;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The error name, shown by `String(err)` and in stacks. */
  override name = "DataSourceUnavailableError";
}

/**
 * Every connection of the data source's pool stayed busy for the acquire timeout: `TR506`, HTTP 503 with
 * `Retry-After: 1`. Busy is not down, so the circuit breaker ignores it, except right after connection
 * failures: then the wait was for a connection that could not be made (postgres.js keeps such waits
 * queued through its reconnect back-off) and it counts as one more failure.
 */
export class PoolBusyError extends PostgrestError {
  constructor() {
    super("TR506");
  }

  /** The error name, shown by `String(err)` and in stacks. */
  override name = "PoolBusyError";
}
