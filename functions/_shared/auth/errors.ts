/**
 * Errors of the auth module. Every message is written here, from fixed text and configuration that is
 * not secret (audience, variable names, limits); no error ever carries a token, an API key or a secret,
 * and none keeps the underlying library error as its `cause`.
 *
 * @module
 */
import { ERROR_CODES, PostgrestError } from "../errors/mod.ts";

/**
 * The codes an {@linkcode AuthError} carries, PostgREST-style, with their HTTP status:
 *
 * | code | status | meaning |
 * | --- | --- | --- |
 * | `PGRST301` | 401 | the JWT is malformed, expired, not yet valid, wrongly signed, for another audience, or has claims the path does not accept |
 * | `PGRST302` | 401 | no credentials: no `Authorization` header, or an anonymous (`role: anon`) token where a signed-in user is required |
 * | `TR001` | 401 | the `apikey` header is missing or is not one of the project's keys |
 * | `TR002` | 503 | the signing keys (remote JWKS) cannot be fetched: the token could not be checked, try again |
 * | `TR003` | 403 | a valid token without the privilege the endpoint needs (not `service_role`) |
 */
export type AuthErrorCode = "PGRST301" | "PGRST302" | "TR001" | "TR002" | "TR003";

/** The HTTP status of each {@linkcode AuthErrorCode}, from the one table {@linkcode ERROR_CODES}. */
export const AUTH_ERROR_STATUS: Readonly<Record<AuthErrorCode, number>> = Object.freeze({
  PGRST301: ERROR_CODES.PGRST301.status,
  PGRST302: ERROR_CODES.PGRST302.status,
  TR001: ERROR_CODES.TR001.status,
  TR002: ERROR_CODES.TR002.status,
  TR003: ERROR_CODES.TR003.status,
});

/** Options of {@linkcode AuthError}. */
export interface AuthErrorOptions {
  /** More detail, PostgREST's `details` field; never a token or secret. */
  details?: string | undefined;
  /** What to do about it, PostgREST's `hint` field. */
  hint?: string | undefined;
}

/** PostgREST's error body, as {@linkcode AuthError.toJSON} returns it. */
export interface AuthErrorBody {
  code: AuthErrorCode;
  message: string;
  details: string | null;
  hint: string | null;
}

/** The `WWW-Authenticate` challenge of each code (RFC 6750, as PostgREST sends it), if it has one. */
function challengeOf(code: AuthErrorCode): string | undefined {
  if (code === "PGRST302") return "Bearer";
  if (code === "PGRST301") return 'Bearer error="invalid_token"';
  if (code === "TR003") return 'Bearer error="insufficient_scope"';
  return undefined;
}

/**
 * A request's credentials were refused: a {@linkcode PostgrestError} (so it renders itself with
 * `toResponse()`, status from {@linkcode ERROR_CODES} and its `WWW-Authenticate` challenge) that callers
 * catch by name; anything else thrown while authenticating is an internal error.
 *
 * @example
 * ```ts
 * try {
 *   claims = await verifier.verifyUserToken(extractBearerToken(request.headers));
 * } catch (err) {
 *   if (!(err instanceof AuthError)) throw err;
 *   return err.toResponse();
 * }
 * ```
 */
export class AuthError extends PostgrestError {
  /** The PostgREST-style code, see {@linkcode AuthErrorCode}. */
  declare readonly code: AuthErrorCode;

  /** Creates the error; `message` must never contain a token or secret. */
  constructor(code: AuthErrorCode, message: string, options: AuthErrorOptions = {}) {
    const challenge = challengeOf(code);
    super(code, message, {
      details: options.details ?? null,
      hint: options.hint ?? null,
      headers: challenge === undefined ? {} : { "www-authenticate": challenge },
      bearerChallenge: false,
    });
  }

  /** The error name, shown by `String(err)` and in stacks. */
  override name = "AuthError";

  /**
   * The `WWW-Authenticate` header value for a bearer-token failure (RFC 6750, as PostgREST sends it):
   * `Bearer` when no token was sent, `Bearer error="invalid_token"` when it was refused, `undefined` for
   * the other codes.
   */
  get wwwAuthenticate(): string | undefined {
    return challengeOf(this.code);
  }

  /** PostgREST's error body `{ code, message, details, hint }`; `JSON.stringify(err)` uses it. */
  override toJSON(): AuthErrorBody {
    return { code: this.code, message: this.message, details: this.details, hint: this.hint };
  }
}

/**
 * The auth configuration is missing or malformed: the function must not start. The message says which
 * variable to set and never contains the secret or a key.
 *
 * @example
 * ```ts
 * try {
 *   verifier = await JwtVerifier.fromEnv(Deno.env);
 * } catch (err) {
 *   if (err instanceof AuthConfigError) console.error(err.message);
 *   throw err;
 * }
 * ```
 */
export class AuthConfigError extends Error {
  /** Creates the error with a message that never includes a secret. */
  constructor(message: string) {
    super(message);
  }
  /** The error name, shown by `String(err)` and in stacks. */
  override name = "AuthConfigError";
}
