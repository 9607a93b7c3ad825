/**
 * The admin API's one error type: every refusal, whether raised by validation, an operation, the
 * database mapping or authentication, renders itself as `{ code, message, details, hint }`.
 *
 * @module
 */
import { AuthError } from "../auth/mod.ts";
import { jsonResponse } from "../http/mod.ts";
import { ADMIN_ERROR_CODES, type AdminErrorCode } from "../admin/error_codes.ts";

/** One invalid field: its path (`credentials.url`) and what is wrong, never the value sent. */
export interface ValidationIssue {
  /** Dotted path of the field; `""` for the body itself. */
  path: string;
  /** What is wrong, in sentence case. */
  message: string;
}

/** The body every admin error answers with (PostgREST's shape). */
export interface AdminErrorBody {
  code: string;
  message: string;
  details: string | ValidationIssue[] | null;
  hint: string | null;
}

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
export class AdminError extends Error {
  /** The error code, see {@linkcode ADMIN_ERROR_CODES}; auth errors keep theirs. */
  readonly code: AdminErrorCode | AuthError["code"];
  /** The HTTP status. */
  readonly status: number;
  /** See {@linkcode AdminErrorOptions.details}. */
  readonly details: string | ValidationIssue[] | null;
  /** See {@linkcode AdminErrorOptions.hint}. */
  readonly hint: string | null;
  /** Extra response headers. */
  readonly headers: Readonly<Record<string, string>>;

  /** Creates the error; the message defaults to the code's. */
  constructor(code: AdminErrorCode | AuthError["code"], message?: string, options: AdminErrorOptions = {}) {
    const info = code in ADMIN_ERROR_CODES ? ADMIN_ERROR_CODES[code as AdminErrorCode] : undefined;
    super(message ?? info?.message ?? "Request refused");
    this.code = code;
    this.status = options.status ?? info?.status ?? 400;
    this.details = options.details ?? null;
    this.hint = options.hint ?? null;
    this.headers = options.headers ?? {};
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

  /** `{ code, message, details, hint }`; `JSON.stringify(err)` uses it. */
  toJSON(): AdminErrorBody {
    return { code: this.code, message: this.message, details: this.details, hint: this.hint };
  }

  /** The error as a JSON response with its status and headers. */
  toResponse(): Response {
    return jsonResponse(this.toJSON(), { status: this.status, headers: this.headers });
  }
}

/** Whether `error` is an {@linkcode AdminError} or an {@linkcode AuthError}, and the former for both. */
export function asAdminError(error: unknown): AdminError | undefined {
  if (error instanceof AdminError) return error;
  if (error instanceof AuthError) return AdminError.fromAuthError(error);
  return undefined;
}
