/**
 * The bearer token of a request's `Authorization` header.
 *
 * @module
 */

import { AuthError } from "./errors.ts";
import { MAX_TOKEN_LENGTH } from "./_util.ts";

/** Options of {@linkcode extractBearerToken}. */
export interface ExtractBearerTokenOptions {
  /** The longest token accepted, in characters; default {@linkcode MAX_TOKEN_LENGTH} (8192). */
  maxLength?: number | undefined;
}

/** RFC 6750's `b64token`: the characters a bearer token may contain. */
const BEARER = /^([A-Za-z]+) +([A-Za-z0-9\-._~+/]+=*)$/;

/** Hint for every refused Authorization header. */
const HINT = 'Send the signed-in user\'s access token as "Authorization: Bearer <token>"';

/**
 * Returns the token of the `Authorization: Bearer <token>` header. The scheme is case-insensitive and
 * separated from the token by one or more spaces; there must be exactly one token of RFC 6750 `b64token`
 * characters, at most {@linkcode MAX_TOKEN_LENGTH} long. The token is not verified here.
 *
 * Several `Authorization` headers arrive joined by `, ` and are refused like any other malformed value.
 *
 * @throws {AuthError} `PGRST302` when the header is absent or blank; `PGRST301` when it is malformed
 * (another scheme, no token, several tokens, characters outside `b64token`, too long). Messages never
 * echo the header.
 *
 * @example
 * ```ts
 * const token = extractBearerToken(new Headers({ authorization: "Bearer eyJhbGciOi…" }));
 * const claims = await verifier.verifyUserToken(token);
 * ```
 */
export function extractBearerToken(headers: Headers, options: ExtractBearerTokenOptions = {}): string {
  const maxLength = options.maxLength ?? MAX_TOKEN_LENGTH;
  const value = headers.get("authorization")?.trim() ?? "";
  if (value === "") {
    throw new AuthError(
      "PGRST302",
      "Missing Authorization header: sign in and send the user's access token",
      {
        hint: HINT,
      },
    );
  }
  // The scheme, spaces and a little slack: refuse huge values before running a regular expression on them.
  if (value.length > maxLength + 32) throw tooLong(maxLength);
  const match = BEARER.exec(value);
  if (match === null || match[1]?.toLowerCase() !== "bearer" || match[2] === undefined) {
    const several = value.includes(",") || /^bearer +\S+ +\S/i.test(value);
    throw new AuthError(
      "PGRST301",
      several
        ? 'Invalid Authorization header: expected exactly one "Bearer <token>"'
        : 'Invalid Authorization header: expected "Bearer <token>"',
      { hint: HINT },
    );
  }
  if (match[2].length > maxLength) throw tooLong(maxLength);
  return match[2];
}

function tooLong(maxLength: number): AuthError {
  return new AuthError(
    "PGRST301",
    `Invalid Authorization header: the token is longer than ${maxLength} characters`,
    {
      hint: HINT,
    },
  );
}
