/**
 * The one error type of the gateway pipeline: every stage (parse, plan, sql, execute, respond, and the
 * tenancy and auth stages around them) throws {@linkcode PostgrestError} for a condition the client should
 * hear about, and the handler answers with {@linkcode PostgrestError.toResponse}.
 *
 * @module
 */

import { ERROR_CODES, type ErrorCode, isErrorCode } from "./error_codes.ts";

/** Options of {@linkcode PostgrestError}. */
export interface PostgrestErrorOptions {
  /** PostgREST's `details`: more about what went wrong. */
  details?: string | null;
  /** `details` is JSON text (PGRST201's array of candidates): the body carries it as JSON, not as a string. */
  detailsAreJson?: boolean;
  /** PostgREST's `hint`: what to do about it. */
  hint?: string | null;
  /** The HTTP status; defaults to the status of the code in {@linkcode ERROR_CODES}. */
  status?: number;
  /** Seconds for a `Retry-After` header; defaults to the code's `retryAfter`, if it has one. */
  retryAfter?: number;
  /** More response headers, for example `WWW-Authenticate` for a JWT error. */
  headers?: Readonly<Record<string, string>>;
  /** The error that caused this one; kept for logs, never rendered. */
  cause?: unknown;
}

/** The JSON body PostgREST answers errors with. */
export interface PostgrestErrorBody {
  /** A `PGRST` or `TR` code from {@linkcode ERROR_CODES}, or a SQLSTATE. */
  code: string;
  /** What went wrong. */
  message: string;
  /** More about what went wrong, or `null`; a JSON array for `PGRST201`, as PostgREST sends it. */
  details: string | readonly unknown[] | null;
  /** What to do about it, or `null`. */
  hint: string | null;
}

/**
 * An error the client hears about, with PostgREST's body `{code, message, details, hint}` and an HTTP
 * status. A code from {@linkcode ERROR_CODES} brings its status (and `Retry-After`) and default message;
 * any other code (a SQLSTATE from the database) needs an explicit `status`.
 *
 * Only what is passed in is rendered: never a query text, bind parameters, a stack or a `cause`.
 *
 * @example
 * ```ts
 * throw new PostgrestError("PGRST116", undefined, { details: "The result contains 0 rows" });
 * // → 406 {"code":"PGRST116","message":"Cannot coerce the result to a single JSON object",…}
 * ```
 */
export class PostgrestError extends Error {
  /** A `PGRST` or `TR` code, or a SQLSTATE. */
  readonly code: string;
  /** More about what went wrong, or `null`. */
  readonly details: string | null;
  /** What to do about it, or `null`. */
  readonly hint: string | null;
  /** The HTTP status of the response. */
  readonly status: number;
  /** Headers the response carries besides its content type. */
  readonly headers: Readonly<Record<string, string>>;

  /** Creates an error with a code of {@linkcode ERROR_CODES}; the message defaults to the code's. */
  constructor(code: ErrorCode, message?: string, options?: PostgrestErrorOptions);
  /** Creates an error with any other code (a SQLSTATE); the status is required. */
  constructor(code: string, message: string, options: PostgrestErrorOptions & { status: number });
  constructor(code: string, message?: string, options: PostgrestErrorOptions = {}) {
    const known = isErrorCode(code) ? ERROR_CODES[code] : undefined;
    super(message ?? known?.message ?? "Internal server error", { cause: options.cause });
    this.code = code;
    this.details = options.details ?? null;
    this.#detailsAreJson = options.detailsAreJson === true;
    this.hint = options.hint ?? null;
    this.status = options.status ?? known?.status ?? 500;
    const headers: Record<string, string> = { ...options.headers };
    const retryAfter = options.retryAfter ?? (known && "retryAfter" in known ? known.retryAfter : undefined);
    if (retryAfter !== undefined) headers["retry-after"] = String(Math.max(0, Math.ceil(retryAfter)));
    if (
      this.status === 401 && !Object.keys(headers).some((name) => name.toLowerCase() === "www-authenticate")
    ) {
      // What PostgREST sends with every 401 (RFC 6750).
      headers["www-authenticate"] = "Bearer";
    }
    this.headers = headers;
  }

  readonly #detailsAreJson: boolean;

  /** The error name, shown by `String(err)` and in stacks. */
  override name = "PostgrestError";

  /** PostgREST's JSON body for this error. */
  toJSON(): PostgrestErrorBody {
    const details = this.#detailsAreJson && this.details !== null
      ? JSON.parse(this.details) as unknown[]
      : this.details;
    return { code: this.code, message: this.message, details, hint: this.hint };
  }

  /**
   * The HTTP response: PostgREST's JSON body, the status, and the error's headers.
   *
   * @example
   * ```ts
   * catch (err) {
   *   if (err instanceof PostgrestError) return err.toResponse();
   *   throw err;
   * }
   * ```
   */
  toResponse(): Response {
    const headers = new Headers(this.headers);
    headers.set("content-type", "application/json; charset=utf-8");
    return new Response(JSON.stringify(this.toJSON()), { status: this.status, headers });
  }
}
