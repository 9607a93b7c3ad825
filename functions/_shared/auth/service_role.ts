/**
 * The guard of tenant-admin's service-level endpoints.
 *
 * @module
 */

import { extractBearerToken } from "./bearer.ts";
import type { JwtVerifier, ServiceClaims } from "./jwt_verifier.ts";

/** Options of {@linkcode requireServiceRole}. */
export interface RequireServiceRoleOptions {
  /** The longest bearer token accepted, in characters; default 8192. */
  maxTokenLength?: number | undefined;
}

/**
 * Admits a request only when its bearer token is a valid JWT with `role: service_role` (the project's
 * service-role key, or a token minted with the project's keys for that role) and returns its claims.
 * This is the only way to reach service level: the data path's {@linkcode JwtVerifier.verifyUserToken}
 * refuses `service_role` tokens.
 *
 * @throws {AuthError} `PGRST302` (401) without an `Authorization` header, `PGRST301` (401) for a malformed
 * or invalid token, `TR003` (403) for a valid token of another role (a signed-in user, the anon key),
 * `TR002` (503) when the remote JWKS is unreachable.
 *
 * @example
 * ```ts
 * app.use("/admin/*", async (c, next) => {
 *   await requireServiceRole(c.req.raw.headers, verifier);
 *   await next();
 * });
 * ```
 */
export async function requireServiceRole(
  headers: Headers,
  verifier: JwtVerifier,
  options: RequireServiceRoleOptions = {},
): Promise<Readonly<ServiceClaims>> {
  const token = extractBearerToken(headers, { maxLength: options.maxTokenLength });
  return await verifier.verifyServiceToken(token);
}
