/**
 * Who is calling the admin API, decided from the bearer token alone.
 *
 * - **service**: a JWT with `role: service_role` (the project's service-role key), verified with the
 *   project's keys: everything.
 * - **platform admin**: a signed-in user's access token whose `app_metadata.platform_admin` is `true`:
 *   everything, recorded in the audit log under the user's id. Supabase Auth lets only the service role
 *   write `app_metadata` (`auth.admin.updateUserById(id, { app_metadata: { platform_admin: true } })`),
 *   so users cannot grant it to themselves.
 * - **user**: any other signed-in user: only the members of tenants where they are owner or admin (checked
 *   against `public.tenant_members` per request), and leaving a tenant.
 *
 * @module
 */
import {
  AuthError,
  extractBearerToken,
  type JwtClaims,
  type JwtVerifier,
  requireServiceRole,
} from "../auth/mod.ts";

/** A caller with platform-wide rights: the service role or a platform admin. */
export interface PlatformCaller {
  kind: "service" | "platform_admin";
  /** The verified claims, recorded as the actor of every change. */
  claims: Readonly<JwtClaims>;
  /** The user id of a platform admin; `undefined` for the service role. */
  userId: string | undefined;
}

/** A signed-in user without platform rights. */
export interface UserCaller {
  kind: "user";
  claims: Readonly<JwtClaims>;
  userId: string;
}

/** A verified caller of the admin API. */
export type Caller = PlatformCaller | UserCaller;

/**
 * Verifies the request's bearer token and classifies the caller.
 *
 * @throws {AuthError} `PGRST302` (401) without a token, `PGRST301` (401) for an invalid one, `TR003`
 * (403) for a valid token that is neither the service role nor a signed-in user (the anon key).
 *
 * @example
 * ```ts
 * const caller = await authenticateCaller(request.headers, verifier);
 * if (caller.kind === "user") await requireTenantManager(tx, caller, tenantId);
 * ```
 */
export async function authenticateCaller(headers: Headers, verifier: JwtVerifier): Promise<Caller> {
  try {
    const claims = await requireServiceRole(headers, verifier);
    return { kind: "service", claims, userId: undefined };
  } catch (error) {
    if (!(error instanceof AuthError) || error.code !== "TR003") throw error;
    // A valid token of another role: a signed-in user, or the anon key (refused with the TR003).
    let claims;
    try {
      claims = await verifier.verifyUserToken(extractBearerToken(headers));
    } catch {
      throw error;
    }
    const platformAdmin = claims.app_metadata?.platform_admin === true;
    return platformAdmin
      ? { kind: "platform_admin", claims, userId: claims.sub }
      : { kind: "user", claims, userId: claims.sub };
  }
}

/** Whether the caller has platform-wide rights. */
export function isPlatformCaller(caller: Caller): caller is PlatformCaller {
  return caller.kind === "service" || caller.kind === "platform_admin";
}
