/**
 * Authentication for the functions: who is calling, checked the way Supabase's gateway and PostgREST do.
 *
 * - {@linkcode extractBearerToken}: the token of `Authorization: Bearer <token>` (exactly one, at most
 *   {@linkcode MAX_TOKEN_LENGTH} characters).
 * - {@linkcode JwtVerifier}: jose verification with the project's HS256 secret (`SUPABASE_JWT_SECRET`)
 *   and/or RS256/ES256 public keys (`SUPABASE_JWKS` inline, `SUPABASE_JWKS_URL` remote). Each algorithm
 *   is bound to one key source, so `alg: none` and algorithm confusion fail; `exp` is required and, with
 *   `nbf`, checked with {@linkcode DEFAULT_CLOCK_TOLERANCE_SECONDS} (5) seconds of tolerance; `role` is
 *   required. Three entry points: `verifyUserToken` (the data path: a signed-in user with a uuid `sub`
 *   and audience `authenticated`; `anon` and `service_role` are refused), `verifyServiceToken`
 *   (`role: service_role`) and `verifyProjectKey` (the JWT-shaped anon and service-role keys).
 *   Verified tokens are cached under their exact text in a {@linkcode TokenCache} (10,000 entries, LRU, each
 *   until the token's `exp` and at most 10 minutes).
 * - {@linkcode ApiKeyVerifier}: the `apikey` header must be a project key: the anon or service-role key,
 *   or a configured `sb_publishable_…` (`SUPABASE_PUBLISHABLE_KEYS`) or `sb_secret_…`
 *   (`SUPABASE_SECRET_KEYS`) key; returns the role it grants.
 * - {@linkcode requireServiceRole}: tenant-admin's guard for service-level requests.
 * - {@linkcode AuthError}: what callers catch, with a PostgREST-style `code`, its HTTP `status` and
 *   PostgREST's body from `toJSON()`:
 *
 * | code | status | when |
 * | --- | --- | --- |
 * | `PGRST301` | 401 | JWT malformed, expired, not yet valid, wrongly signed, wrong audience or issuer, role or `sub` not accepted, Authorization header malformed |
 * | `PGRST302` | 401 | no Authorization header, or an `anon` token on the data path (the gateway serves signed-in users only) |
 * | `TR001` | 401 | `apikey` header missing or not a project key |
 * | `TR002` | 503 | the remote JWKS cannot be fetched |
 * | `TR003` | 403 | a valid token without `role: service_role` on a service-level endpoint |
 *
 * {@linkcode AuthConfigError} is thrown at start-up when nothing to verify with is configured, so a
 * function refuses to start. No error ever contains a token, a key or the secret.
 *
 * @example
 * ```ts
 * import { ApiKeyVerifier, AuthError, extractBearerToken, JwtVerifier } from "../_shared/auth/mod.ts";
 *
 * const jwtVerifier = await JwtVerifier.fromEnv(Deno.env);
 * const apiKeys = ApiKeyVerifier.fromEnv(Deno.env, { jwtVerifier });
 *
 * async function authenticate(request: Request) {
 *   await apiKeys.verify(request.headers);
 *   return await jwtVerifier.verifyUserToken(extractBearerToken(request.headers));
 * }
 * ```
 *
 * @module
 */

export {
  type ApiKeyGrant,
  ApiKeyVerifier,
  type ApiKeyVerifierEnvOptions,
  type ApiKeyVerifierOptions,
  PUBLISHABLE_KEYS_VARIABLE,
  SECRET_KEYS_VARIABLE,
} from "./api_key.ts";
export { extractBearerToken, type ExtractBearerTokenOptions } from "./bearer.ts";
export {
  AUTH_ERROR_STATUS,
  AuthConfigError,
  AuthError,
  type AuthErrorBody,
  type AuthErrorCode,
  type AuthErrorOptions,
} from "./errors.ts";
export {
  DEFAULT_AUDIENCE,
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  DEFAULT_USER_ROLES,
  JWKS_URL_VARIABLE,
  JWKS_VARIABLE,
  JWT_SECRET_VARIABLE,
  type JwtClaims,
  JwtVerifier,
  type JwtVerifierEnvOptions,
  type JwtVerifierOptions,
  LOCAL_JWT_SECRET,
  MIN_SECRET_LENGTH,
  type ProjectKeyClaims,
  type ServiceClaims,
  type UserClaims,
} from "./jwt_verifier.ts";
export { requireServiceRole, type RequireServiceRoleOptions } from "./service_role.ts";
export {
  DEFAULT_CACHE_ENTRIES,
  DEFAULT_CACHE_MAX_AGE_SECONDS,
  TokenCache,
  type TokenCacheOptions,
} from "./token_cache.ts";
export { MAX_TOKEN_LENGTH } from "./_util.ts";
export type { EnvReader } from "../env/mod.ts";
