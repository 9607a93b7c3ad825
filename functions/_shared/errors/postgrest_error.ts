/**
 * The project's one error type: every stage of the gateway (parse, plan, sql, execute, respond, and the
 * auth, tenancy and data-source stages around them) and the admin API throw {@linkcode PostgrestError} (or
 * a named subclass: `AuthError`, `AdminError`, `DataSourceUnavailableError`, …) for a condition the client
 * should hear about, and the handlers answer with {@linkcode PostgrestError.toResponse}.
 *
 * @module
 */

import { ERROR_CODES, type ErrorCode, isErrorCode } from "./error_codes.ts";

/** One invalid field of a request: its path (`credentials.url`) and what is wrong, never the value sent. */
export interface ValidationIssue {
  /** Dotted path of the field; `""` for the body itself. */
  path: string;
  /** What is wrong, in sentence case. */
  message: string;
}

/** What an error's `details` may hold: a sentence, or (the admin API's `TR600`) the invalid fields. */
export type ErrorDetails = string | ValidationIssue[] | null;

/** `details` as a JSON array of objects: PGRST201's candidate relationships, as PostgREST sends them. */
export type JsonDetails = readonly Readonly<Record<string, unknown>>[];

/** Options of {@linkcode PostgrestError}. */
export interface PostgrestErrorOptions<Details extends ErrorDetails | JsonDetails = string | null> {
  /** PostgREST's `details`: more about what went wrong. */
  details?: Details | undefined;
  /** PostgREST's `hint`: what to do about it. */
  hint?: string | null | undefined;
  /** The HTTP status; defaults to the status of the code in {@linkcode ERROR_CODES}. */
  status?: number;
  /** Seconds for a `Retry-After` header; defaults to the code's `retryAfter`, if it has one. */
  retryAfter?: number;
  /** More response headers, for example `WWW-Authenticate` for a JWT error. */
  headers?: Readonly<Record<string, string>>;
  /**
   * Whether a 401 without a `WWW-Authenticate` header gets PostgREST's `Bearer`; default `true`. The auth
   * module's errors choose their own challenge.
   */
  bearerChallenge?: boolean;
  /** The error that caused this one; kept for logs, never rendered. */
  cause?: unknown;
}

/** The JSON body PostgREST answers errors with. */
export interface PostgrestErrorBody<Details extends ErrorDetails | JsonDetails = string | null> {
  /** A `PGRST` or `TR` code from {@linkcode ERROR_CODES}, or a SQLSTATE. */
  code: string;
  /** What went wrong. */
  message: string;
  /** More about what went wrong, or `null`. */
  details: Details;
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
export class PostgrestError<Details extends ErrorDetails | JsonDetails = string | null> extends Error {
  /** A `PGRST` or `TR` code, or a SQLSTATE. */
  readonly code: string;
  /** More about what went wrong, or `null`. */
  readonly details: Details | null;
  /** What to do about it, or `null`. */
  readonly hint: string | null;
  /** The HTTP status of the response. */
  readonly status: number;
  /** Headers the response carries besides its content type. */
  readonly headers: Readonly<Record<string, string>>;

  /** Creates an error with a code of {@linkcode ERROR_CODES}; the message defaults to the code's. */
  constructor(code: ErrorCode, message?: string, options?: PostgrestErrorOptions<Details>);
  /** Creates an error with any other code (a SQLSTATE); the status is required. */
  constructor(code: string, message: string, options: PostgrestErrorOptions<Details> & { status: number });
  constructor(code: string, message?: string, options: PostgrestErrorOptions<Details> = {}) {
    const known = isErrorCode(code) ? ERROR_CODES[code] : undefined;
    super(message ?? known?.message ?? "Internal server error", { cause: options.cause });
    this.code = code;
    this.details = options.details ?? null;
    this.hint = options.hint ?? null;
    this.status = options.status ?? known?.status ?? 500;
    const headers: Record<string, string> = { ...options.headers };
    const retryAfter = options.retryAfter ?? (known && "retryAfter" in known ? known.retryAfter : undefined);
    if (retryAfter !== undefined) headers["retry-after"] = String(Math.max(0, Math.ceil(retryAfter)));
    if (
      this.status === 401 && options.bearerChallenge !== false &&
      !Object.keys(headers).some((name) => name.toLowerCase() === "www-authenticate")
    ) {
      // What PostgREST sends with every 401 (RFC 6750).
      headers["www-authenticate"] = "Bearer";
    }
    this.headers = headers;
  }

  /** The error name, shown by `String(err)` and in stacks. */
  override name = "PostgrestError";

  /** PostgREST's JSON body for this error. */
  toJSON(): PostgrestErrorBody<Details | null> {
    return { code: this.code, message: this.message, details: this.details, hint: this.hint };
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
