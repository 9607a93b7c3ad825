/**
 * Verification of Supabase JWTs: user access tokens, service-role tokens and the JWT-shaped project API
 * keys, with the project's HS256 secret and/or asymmetric keys from a JWKS.
 *
 * @module
 */

import { errors, type JSONWebKeySet, type JWSHeaderParameters, type JWTPayload, jwtVerify } from "jose";
import type { EnvReader } from "../env/mod.ts";
import { AuthConfigError, AuthError } from "./errors.ts";
import { ASYMMETRIC_ALGORITHMS, createJwksResolver, parseJwksUrl, validateJwks } from "./_jwks.ts";
import { TokenCache, type TokenCacheOptions } from "./token_cache.ts";
import { deepFreeze, isJsonObject, looksLikeJwt, MAX_TOKEN_LENGTH } from "./_util.ts";

/** Environment variable with the project's JWT secret (HS256), at least 32 characters. */
export const JWT_SECRET_VARIABLE = "SUPABASE_JWT_SECRET";
/** Environment variable with an inline JSON Web Key Set (JSON `{"keys":[…]}`) of RS256/ES256 public keys. */
export const JWKS_VARIABLE = "SUPABASE_JWKS";
/** Environment variable with the URL of a JSON Web Key Set, e.g. `<SUPABASE_URL>/auth/v1/.well-known/jwks.json`. */
export const JWKS_URL_VARIABLE = "SUPABASE_JWKS_URL";
/** Supabase's local-development JWT secret: public, for the local stack and tests only, never a fallback. */
export const LOCAL_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";
/** The audience user tokens must have, as Supabase Auth issues them. */
export const DEFAULT_AUDIENCE = "authenticated";
/** The roles a user token may carry by default. */
export const DEFAULT_USER_ROLES: readonly string[] = Object.freeze(["authenticated"]);
/** Seconds of clock skew allowed when checking `exp` and `nbf`: 5. */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 5;
/** The shortest JWT secret accepted, in characters (Supabase's own minimum). */
export const MIN_SECRET_LENGTH = 32;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STRING_CLAIMS = [
  "sub",
  "iss",
  "email",
  "phone",
  "tenant_id",
  "tenant_role",
  "session_id",
  "aal",
] as const;
const OBJECT_CLAIMS = ["app_metadata", "user_metadata"] as const;
const USER_HINT = 'Sign in and send the user\'s access token as "Authorization: Bearer <token>"';

/**
 * The claims of a verified token. Supabase Auth issues `sub`, `role`, `aud`, `exp`, `iat`, `iss`, `email`,
 * `phone`, `app_metadata`, `user_metadata`, `session_id`, `aal`, `is_anonymous`; a Custom Access Token
 * hook may add `tenant_id` and `tenant_role`. The listed claims are checked to have these types; any
 * other claim is passed through. The object is deeply frozen (it may be shared through the cache).
 */
export interface JwtClaims {
  [claim: string]: unknown;
  /** The database role the token names: `authenticated`, `anon`, `service_role`, … */
  role: string;
  /** Expiry, seconds since the epoch; always present. */
  exp: number;
  sub?: string;
  aud?: string | string[];
  iss?: string;
  iat?: number;
  nbf?: number;
  email?: string;
  phone?: string;
  tenant_id?: string;
  tenant_role?: string;
  app_metadata?: Record<string, unknown>;
  user_metadata?: Record<string, unknown>;
  session_id?: string;
  aal?: string;
  is_anonymous?: boolean;
}

/** The claims of a signed-in user's access token: `sub` is the user id (a uuid), `aud` matched. */
export interface UserClaims extends JwtClaims {
  sub: string;
  aud: string | string[];
}

/** The claims of a service-role token. */
export interface ServiceClaims extends JwtClaims {
  role: "service_role";
}

/** The claims of a JWT-shaped project API key (the anon or the service-role key). */
export interface ProjectKeyClaims extends JwtClaims {
  role: "anon" | "service_role";
}

/** Options of {@linkcode JwtVerifier.create}. At least one of `secret`, `jwks` and `jwksUrl` is required. */
export interface JwtVerifierOptions {
  /** The project's JWT secret: HS256 tokens are verified with it and only with it. */
  secret?: string | undefined;
  /** Public RS256/ES256 keys: RS256 and ES256 tokens are verified with them and only with them. */
  jwks?: JSONWebKeySet | undefined;
  /** Where to fetch more public keys (https, or http for localhost); tried after `jwks`. */
  jwksUrl?: string | URL | undefined;
  /** The audience user tokens must name (one of them, for a list); default `authenticated`. */
  audience?: string | readonly string[] | undefined;
  /** When set, user tokens must have exactly this `iss`. */
  issuer?: string | undefined;
  /** The roles a user token may carry; default `["authenticated"]`; never `anon` or `service_role`. */
  userRoles?: readonly string[] | undefined;
  /** Clock skew allowed for `exp` and `nbf`, in seconds (0 to 300); default 5. */
  clockToleranceSeconds?: number | undefined;
  /** The longest token accepted, in characters; default {@linkcode MAX_TOKEN_LENGTH} (8192). */
  maxTokenLength?: number | undefined;
  /** The cache of verified tokens; default 10,000 entries, trusted for at most 10 minutes. */
  cache?: TokenCacheOptions | undefined;
  /** The clock, in milliseconds since the epoch (tests inject a fake one); default `Date.now`. */
  now?: (() => number) | undefined;
}

/** Options of {@linkcode JwtVerifier.fromEnv}: everything but the keys, which come from the environment. */
export type JwtVerifierEnvOptions = Omit<JwtVerifierOptions, "secret" | "jwks" | "jwksUrl">;

type KeyResolver = (header: JWSHeaderParameters, token: unknown) => Promise<CryptoKey | Uint8Array>;

/**
 * Verifies Supabase JWTs with jose. Each algorithm is bound to one key source: HS256 only with the
 * project secret, RS256 and ES256 only with JWKS public keys (RSA and EC P-256 respectively); `none` and
 * every other algorithm are refused, so an HS256 token "signed" with a published public key fails. Every
 * token needs `exp` (checked, like `nbf`, with {@linkcode DEFAULT_CLOCK_TOLERANCE_SECONDS} seconds of
 * tolerance) and a `role`; tokens longer than {@linkcode MAX_TOKEN_LENGTH} are refused before decoding.
 *
 * Three entry points, one per use, so that a caller cannot pick the wrong role by accident:
 *
 * - {@linkcode JwtVerifier.verifyUserToken}: the data path. A signed-in user: a role from `userRoles`
 *   (`authenticated`), a uuid `sub`, the audience. `anon` tokens (supabase-js sends the anon key when
 *   nobody is signed in) get `PGRST302`: the gateway serves signed-in users only. `service_role` tokens
 *   are refused: a user request never chooses `service_role`.
 * - {@linkcode JwtVerifier.verifyServiceToken}: tenant-admin's service-level requests; `role: service_role`.
 * - {@linkcode JwtVerifier.verifyProjectKey}: the JWT-shaped `apikey` (anon or service-role key).
 *
 * Verified tokens are cached under the token's exact text (see {@linkcode TokenCache}): only the very
 * string that was verified finds an entry, so a token with another signature or payload is verified
 * afresh. An entry never outlives the token's `exp`, and lives at most 10 minutes, so a key removed from a remote JWKS stops being trusted
 * within that time. The role, `sub`, audience and issuer checks run on every call, cached or not.
 *
 * @example
 * ```ts
 * const verifier = await JwtVerifier.fromEnv(Deno.env); // throws AuthConfigError: the function does not start
 * const claims = await verifier.verifyUserToken(extractBearerToken(request.headers));
 * claims.sub; // the user id
 * ```
 */
export class JwtVerifier {
  #algorithms: string[];
  #hmacKey: CryptoKey | undefined;
  #jwks: KeyResolver | undefined;
  #audiences: readonly string[];
  #issuer: string | undefined;
  #userRoles: readonly string[];
  #clockTolerance: number;
  #maxTokenLength: number;
  #cache: TokenCache<Readonly<JwtClaims>>;
  #now: () => number;
  #resolveKey: KeyResolver;

  private constructor(
    keys: { hmacKey: CryptoKey | undefined; jwks: KeyResolver | undefined },
    options: JwtVerifierEnvOptions,
  ) {
    this.#hmacKey = keys.hmacKey;
    this.#jwks = keys.jwks;
    this.#algorithms = [...(keys.hmacKey ? ["HS256"] : []), ...(keys.jwks ? ASYMMETRIC_ALGORITHMS : [])];
    const audience = options.audience ?? DEFAULT_AUDIENCE;
    this.#audiences = Object.freeze(typeof audience === "string" ? [audience] : [...audience]);
    this.#issuer = options.issuer;
    this.#userRoles = Object.freeze([...(options.userRoles ?? DEFAULT_USER_ROLES)]);
    this.#clockTolerance = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
    this.#maxTokenLength = options.maxTokenLength ?? MAX_TOKEN_LENGTH;
    this.#cache = new TokenCache(options.cache);
    this.#now = options.now ?? Date.now;
    this.#resolveKey = this.#keyFor.bind(this);
  }

  /**
   * Creates a verifier from explicit keys and options.
   *
   * @throws {AuthConfigError} when no key is given, the secret is shorter than 32 characters, a JWKS key
   * is not a public RS256/ES256 key, the URL is not https, or an option is out of range.
   *
   * @example
   * ```ts
   * const verifier = await JwtVerifier.create({ secret: LOCAL_JWT_SECRET, jwks: { keys: [publicJwk] } });
   * ```
   */
  static async create(options: JwtVerifierOptions): Promise<JwtVerifier> {
    return await JwtVerifier.#build(options, { jwks: "the JWKS", jwksUrl: "the JWKS URL" });
  }

  /**
   * Creates a verifier from function secrets: `SUPABASE_JWT_SECRET` (HS256), `SUPABASE_JWKS` (a JWKS as
   * JSON) and `SUPABASE_JWKS_URL`; at least one must be set. There is deliberately no default secret: a
   * function without configuration refuses to start instead of trusting the well-known local secret.
   *
   * @throws {AuthConfigError} with a message that names the variable to set, never its value.
   *
   * @example
   * ```ts
   * const verifier = await JwtVerifier.fromEnv(Deno.env);
   * const forTests = await JwtVerifier.fromEnv(new Map([["SUPABASE_JWT_SECRET", LOCAL_JWT_SECRET]]));
   * ```
   */
  static async fromEnv(env: EnvReader, options: JwtVerifierEnvOptions = {}): Promise<JwtVerifier> {
    const jwksText = read(env, JWKS_VARIABLE);
    let jwks: unknown;
    if (jwksText !== undefined) {
      try {
        jwks = JSON.parse(jwksText);
      } catch {
        throw new AuthConfigError(
          `${JWKS_VARIABLE} is not valid JSON: expected {"keys":[…]} with public keys`,
        );
      }
    }
    return await JwtVerifier.#build(
      { ...options, secret: read(env, JWT_SECRET_VARIABLE), jwks, jwksUrl: read(env, JWKS_URL_VARIABLE) },
      { jwks: JWKS_VARIABLE, jwksUrl: JWKS_URL_VARIABLE },
    );
  }

  static async #build(
    options: Omit<JwtVerifierOptions, "jwks"> & { jwks?: unknown },
    labels: { jwks: string; jwksUrl: string },
  ): Promise<JwtVerifier> {
    checkOptions(options);
    const { secret, jwks, jwksUrl } = options;
    if (secret === undefined && jwks === undefined && jwksUrl === undefined) {
      throw new AuthConfigError(
        `No JWT verification key configured: set ${JWT_SECRET_VARIABLE} to the project's JWT secret ` +
          `and/or ${JWKS_VARIABLE} (inline JSON) or ${JWKS_URL_VARIABLE} to its signing keys`,
      );
    }
    let hmacKey: CryptoKey | undefined;
    if (secret !== undefined) {
      if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) {
        throw new AuthConfigError(
          `${JWT_SECRET_VARIABLE} is too short: use the project's JWT secret (at least ${MIN_SECRET_LENGTH} characters)`,
        );
      }
      hmacKey = await crypto.subtle.importKey(
        "raw",
        new TextEncoder().encode(secret),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["verify"],
      );
    }
    const resolver = createJwksResolver({
      jwks: jwks === undefined ? undefined : await validateJwks(jwks, labels.jwks),
      jwksUrl: jwksUrl === undefined ? undefined : parseJwksUrl(jwksUrl, labels.jwksUrl),
    });
    return new JwtVerifier({ hmacKey, jwks: resolver }, options);
  }

  /** The algorithms this verifier accepts, e.g. `["HS256", "RS256", "ES256"]`. */
  get algorithms(): readonly string[] {
    return [...this.#algorithms];
  }

  /** How many verified tokens are cached. */
  get cacheSize(): number {
    return this.#cache.size;
  }

  /** Forgets every cached token (for example after rotating keys in a long-lived process). */
  clearCache(): void {
    this.#cache.clear();
  }

  /**
   * Verifies a signed-in user's access token for the data path.
   *
   * @throws {AuthError} `PGRST302` for an `anon` token (nobody signed in); `PGRST301` for a malformed,
   * expired, not-yet-valid or wrongly signed token, another audience or issuer, a role outside
   * `userRoles` (`service_role` included), a `sub` that is not a uuid; `TR002` when the remote JWKS is
   * unreachable.
   *
   * @example
   * ```ts
   * const { sub, email, tenant_id } = await verifier.verifyUserToken(token);
   * ```
   */
  async verifyUserToken(token: string): Promise<Readonly<UserClaims>> {
    const claims = await this.#verify(token);
    if (claims.role === "anon") {
      throw new AuthError(
        "PGRST302",
        "Anonymous access is disabled: sign in and send the user's access token",
        {
          hint: USER_HINT,
        },
      );
    }
    if (claims.role === "service_role") {
      throw invalid("Invalid JWT: the service_role key is not accepted for user requests", USER_HINT);
    }
    if (!this.#userRoles.includes(claims.role)) {
      throw invalid(
        `Invalid JWT: role is not accepted for user requests: expected ${quoted(this.#userRoles)}`,
      );
    }
    if (claims.sub === undefined || !UUID.test(claims.sub)) {
      throw invalid("Invalid JWT: sub must be a user id (uuid)");
    }
    if (!audienceMatches(claims.aud, this.#audiences)) {
      throw invalid(`Invalid JWT: wrong audience: expected ${quoted(this.#audiences)}`);
    }
    if (this.#issuer !== undefined && claims.iss !== this.#issuer) {
      throw invalid("Invalid JWT: wrong issuer");
    }
    return claims as Readonly<UserClaims>;
  }

  /**
   * Verifies a service-level token (tenant-admin): a valid JWT with `role: service_role`, such as the
   * project's service-role key. No audience or `sub` is required (the service-role key has neither).
   *
   * @throws {AuthError} `PGRST301` when the token is invalid; `TR003` (403) when it is valid but its
   * role is not `service_role`; `TR002` when the remote JWKS is unreachable.
   *
   * @example
   * ```ts
   * await verifier.verifyServiceToken(extractBearerToken(request.headers));
   * ```
   */
  async verifyServiceToken(token: string): Promise<Readonly<ServiceClaims>> {
    const claims = await this.#verify(token);
    if (claims.role !== "service_role") {
      throw new AuthError("TR003", "Permission denied: this endpoint requires the service_role key", {
        hint: 'Send the project\'s service_role key as "Authorization: Bearer <key>"',
      });
    }
    return claims as Readonly<ServiceClaims>;
  }

  /**
   * Verifies a JWT-shaped project API key (the `apikey` header): the anon key or the service-role key,
   * `role` `anon` or `service_role`, signed with the project's keys. {@linkcode ApiKeyVerifier} wraps it.
   *
   * @throws {AuthError} `PGRST301` when the token is invalid or its role is neither; `TR002` when the
   * remote JWKS is unreachable.
   */
  async verifyProjectKey(token: string): Promise<Readonly<ProjectKeyClaims>> {
    const claims = await this.#verify(token);
    if (claims.role !== "anon" && claims.role !== "service_role") {
      throw invalid('Invalid JWT: not a project API key: role must be "anon" or "service_role"');
    }
    return claims as Readonly<ProjectKeyClaims>;
  }

  /** Signature, `exp`, `nbf` and claim types, with the cache in front. */
  async #verify(token: string): Promise<Readonly<JwtClaims>> {
    if (typeof token !== "string" || token === "") throw invalid("Invalid JWT: the token is empty");
    if (token.length > this.#maxTokenLength) {
      throw invalid(`Invalid JWT: the token is longer than ${this.#maxTokenLength} characters`);
    }
    if (!looksLikeJwt(token)) throw invalid("Invalid JWT: expected three base64url parts separated by dots");
    // Keyed by the token itself: a SHA-256 per token cost ≈ 8 µs per lookup, twice per request (apikey
    // and bearer), and an exact string match is as strict as a digest's.
    const now = this.#now();
    const cached = this.#cache.get(token, now);
    if (cached !== undefined) return cached;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#resolveKey, {
        algorithms: this.#algorithms,
        clockTolerance: this.#clockTolerance,
        currentDate: new Date(now),
        requiredClaims: ["exp"],
      }));
    } catch (err) {
      throw this.#translate(err);
    }
    const claims = deepFreeze(checkClaimTypes(payload));
    this.#cache.set(token, claims, { exp: claims.exp, now });
    return claims;
  }

  /** Binds each algorithm to its key source; jose has already refused algorithms not in the list. */
  #keyFor(header: JWSHeaderParameters, token: unknown): Promise<CryptoKey | Uint8Array> {
    if (header.alg === "HS256" && this.#hmacKey !== undefined) return Promise.resolve(this.#hmacKey);
    if (header.alg !== undefined && ASYMMETRIC_ALGORITHMS.includes(header.alg) && this.#jwks !== undefined) {
      return this.#jwks(header, token);
    }
    return Promise.reject(invalid(`Invalid JWT: algorithm not accepted: use ${this.#algorithms.join(", ")}`));
  }

  /** Maps a jose error to an {@linkcode AuthError} whose message names the problem, never the token. */
  #translate(err: unknown): AuthError {
    if (err instanceof AuthError) return err;
    if (err instanceof errors.JWTExpired) return invalid("JWT expired");
    if (err instanceof errors.JWTClaimValidationFailed) {
      if (err.claim === "nbf" && err.reason === "check_failed") {
        return invalid("Invalid JWT: not valid yet (nbf is in the future)");
      }
      if (err.reason === "missing") return invalid(`Invalid JWT: missing ${safeClaim(err.claim)} claim`);
      return invalid(`Invalid JWT: the ${safeClaim(err.claim)} claim must be a number`);
    }
    if (err instanceof errors.JWSSignatureVerificationFailed) {
      return invalid("Invalid JWT: signature verification failed");
    }
    if (err instanceof errors.JOSEAlgNotAllowed) {
      return invalid(`Invalid JWT: algorithm not accepted: use ${this.#algorithms.join(", ")}`);
    }
    if (err instanceof errors.JWKSNoMatchingKey) {
      return invalid("Invalid JWT: no signing key matches the token's kid");
    }
    if (err instanceof errors.JWKSMultipleMatchingKeys) {
      return invalid("Invalid JWT: several signing keys match: the token header needs a kid");
    }
    return invalid("Invalid JWT: malformed token");
  }
}

function invalid(message: string, hint?: string): AuthError {
  return new AuthError("PGRST301", message, { hint });
}

function read(env: EnvReader, name: string): string | undefined {
  const value = env.get(name)?.trim();
  return value === "" ? undefined : value;
}

function checkOptions(options: JwtVerifierEnvOptions): void {
  const tolerance = options.clockToleranceSeconds;
  if (tolerance !== undefined && !(Number.isFinite(tolerance) && tolerance >= 0 && tolerance <= 300)) {
    throw new AuthConfigError(`Invalid clock tolerance: expected 0 to 300 seconds, got ${tolerance}`);
  }
  const maxLength = options.maxTokenLength;
  if (maxLength !== undefined && !(Number.isInteger(maxLength) && maxLength > 0)) {
    throw new AuthConfigError(`Invalid maximum token length: expected a positive integer, got ${maxLength}`);
  }
  const audience = options.audience;
  if (audience !== undefined) {
    const list = typeof audience === "string" ? [audience] : audience;
    if (list.length === 0 || list.some((item) => typeof item !== "string" || item === "")) {
      throw new AuthConfigError("Invalid audience: expected one or more non-empty strings");
    }
  }
  const roles = options.userRoles;
  if (roles !== undefined) {
    if (roles.length === 0) throw new AuthConfigError("Invalid user roles: expected at least one role");
    if (roles.includes("service_role") || roles.includes("anon")) {
      throw new AuthConfigError(
        "Invalid user roles: anon and service_role are never user roles: a user request never chooses them",
      );
    }
  }
}

/** Checks the types of the claims {@linkcode JwtClaims} names; `exp` is numeric (jose checked it). */
function checkClaimTypes(payload: JWTPayload): JwtClaims {
  if (typeof payload.exp !== "number" || !Number.isFinite(payload.exp)) {
    throw invalid("Invalid JWT: the exp claim must be a number");
  }
  if (payload.role === undefined) throw invalid("Invalid JWT: missing role claim");
  if (typeof payload.role !== "string" || payload.role === "") {
    throw invalid("Invalid JWT: the role claim must be a non-empty string");
  }
  for (const claim of STRING_CLAIMS) {
    if (payload[claim] !== undefined && typeof payload[claim] !== "string") {
      throw invalid(`Invalid JWT: the ${claim} claim must be a string`);
    }
  }
  for (const claim of OBJECT_CLAIMS) {
    if (payload[claim] !== undefined && !isJsonObject(payload[claim])) {
      throw invalid(`Invalid JWT: the ${claim} claim must be an object`);
    }
  }
  const aud = payload.aud;
  if (
    aud !== undefined && typeof aud !== "string" &&
    !(Array.isArray(aud) && aud.every((a) => typeof a === "string"))
  ) {
    throw invalid("Invalid JWT: the aud claim must be a string or an array of strings");
  }
  if (payload.is_anonymous !== undefined && typeof payload.is_anonymous !== "boolean") {
    throw invalid("Invalid JWT: the is_anonymous claim must be a boolean");
  }
  return payload as JwtClaims;
}

function audienceMatches(aud: string | string[] | undefined, expected: readonly string[]): boolean {
  if (aud === undefined) return false;
  return (typeof aud === "string" ? [aud] : aud).some((item) => expected.includes(item));
}

/** Claim names from jose errors, echoed only when they are registered names. */
function safeClaim(claim: string): string {
  return ["exp", "nbf", "iat", "iss", "aud", "sub"].includes(claim) ? claim : "a required";
}

function quoted(values: readonly string[]): string {
  return values.map((value) => JSON.stringify(value)).join(" or ");
}
