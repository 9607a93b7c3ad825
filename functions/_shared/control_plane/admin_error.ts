/**
 * The control plane's refusal: whether raised by validation, an operation, the database mapping or
 * authentication, it renders itself as `{ code, message, details, hint }`. It is a
 * {@linkcode PostgrestError} (the project's one error type) with a code of the admin range (`TR6xx`) of
 * the one table {@linkcode ERROR_CODES}, or an auth code.
 *
 * @module
 */
import { AuthError } from "../auth/mod.ts";
import {
  type AdminErrorCode,
  ERROR_CODES,
  type ErrorDetails,
  isErrorCode,
  PostgrestError,
  type PostgrestErrorBody,
  type ValidationIssue,
} from "../errors/mod.ts";

export type { ValidationIssue };

/** The body every admin error answers with (PostgREST's shape). */
export type AdminErrorBody = PostgrestErrorBody<ErrorDetails>;

/** Options of {@linkcode AdminError}. */
export interface AdminErrorOptions {
  /** More detail: a sentence, or the invalid fields of a `TR600`. Never a secret or SQL text. */
  details?: string | ValidationIssue[] | undefined;
  /** What to do about it. */
  hint?: string | undefined;
  /** The HTTP status, when it is not the code's (auth errors keep their own). */
  status?: number | undefined;
  /** Extra response headers (`WWW-Authenticate`). */
  headers?: Record<string, string> | undefined;
}

/**
 * A refusal of the admin API or the operator CLI. The message is written by this project from
 * validated, non-secret values (slugs, names, ids); it never carries SQL text, ciphertext, keys or
 * connection strings.
 *
 * @example
 * ```ts
 * throw new AdminError("TR621", `Tenant "${slug}" not found`);
 * ```
 */
export class AdminError extends PostgrestError<ErrorDetails> {
  /** The error code, see {@linkcode ERROR_CODES}; auth errors keep theirs. */
  declare readonly code: AdminErrorCode | AuthError["code"];

  /** Creates the error; the message defaults to the code's. */
  constructor(code: AdminErrorCode | AuthError["code"], message?: string, options: AdminErrorOptions = {}) {
    const info = isErrorCode(code) && ERROR_CODES[code].layer === "admin" ? ERROR_CODES[code] : undefined;
    super(code, message ?? info?.message ?? "Request refused", {
      details: options.details ?? null,
      hint: options.hint ?? null,
      status: options.status ?? info?.status ?? 400,
      headers: options.headers ?? {},
      bearerChallenge: false,
    });
  }

  /** The error name, shown by `String(err)` and in stacks. */
  override name = "AdminError";

  /**
   * Wraps an {@linkcode AuthError} (its code, status, message and `WWW-Authenticate` are kept), so one
   * type renders every admin error.
   */
  static fromAuthError(error: AuthError): AdminError {
    const headers: Record<string, string> = error.wwwAuthenticate === undefined
      ? {}
      : { "www-authenticate": error.wwwAuthenticate };
    return new AdminError(error.code, error.message, {
      status: error.status,
      details: error.details ?? undefined,
      hint: error.hint ?? undefined,
      headers,
    });
  }
}

/** Whether `error` is an {@linkcode AdminError} or an {@linkcode AuthError}, and the former for both. */
export function asAdminError(error: unknown): AdminError | undefined {
  if (error instanceof AdminError) return error;
  if (error instanceof AuthError) return AdminError.fromAuthError(error);
  return undefined;
}
