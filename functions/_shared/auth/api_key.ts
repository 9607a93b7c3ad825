/**
 * The `apikey` header check that Supabase's API gateway performs before a request reaches a function.
 *
 * @module
 */

import type { EnvReader } from "../env/mod.ts";
import { AuthConfigError, AuthError } from "./errors.ts";
import type { JwtVerifier } from "./jwt_verifier.ts";
import { looksLikeJwt, MAX_TOKEN_LENGTH, tokenDigest } from "./_util.ts";

/** Environment variable with the project's publishable keys (`sb_publishable_…`), comma-separated. */
export const PUBLISHABLE_KEYS_VARIABLE = "SUPABASE_PUBLISHABLE_KEYS";
/** Environment variable with the project's secret keys (`sb_secret_…`), comma-separated. */
export const SECRET_KEYS_VARIABLE = "SUPABASE_SECRET_KEYS";

const PUBLISHABLE_PREFIX = "sb_publishable_";
const SECRET_PREFIX = "sb_secret_";
/** What an opaque key may contain after its prefix. */
const OPAQUE_KEY = /^sb_(?:publishable|secret)_[A-Za-z0-9_-]+$/;

const MISSING = "No API key found in request: set the apikey header to the project's anon key";
const INVALID = "Invalid API key: set the apikey header to the project's anon key";
const HINT = "Double check your Supabase anon or service_role API key";

/** Which role a valid API key grants, and what kind of key it was. */
export interface ApiKeyGrant {
  /** `anon` for the anon or a publishable key, `service_role` for the service-role or a secret key. */
  role: "anon" | "service_role";
  /** `jwt` for the legacy JWT-shaped keys, `publishable`/`secret` for the opaque `sb_…` keys. */
  kind: "jwt" | "publishable" | "secret";
  /** When a JWT-shaped key expires (its `exp`), in milliseconds since the epoch; opaque keys do not. */
  expiresAt?: number;
}

/** Options of {@linkcode ApiKeyVerifier.create}. */
export interface ApiKeyVerifierOptions {
  /** Verifies the JWT-shaped anon and service-role keys; without it only opaque keys are accepted. */
  jwtVerifier?: JwtVerifier | undefined;
  /** Accepted `sb_publishable_…` keys (grant `anon`). */
  publishableKeys?: readonly string[] | undefined;
  /** Accepted `sb_secret_…` keys (grant `service_role`). */
  secretKeys?: readonly string[] | undefined;
}

/** Options of {@linkcode ApiKeyVerifier.fromEnv}. */
export interface ApiKeyVerifierEnvOptions {
  /** Verifies the JWT-shaped anon and service-role keys. */
  jwtVerifier?: JwtVerifier | undefined;
}

/**
 * Checks the `apikey` header as Supabase's gateway does: it must be one of the project's keys, either
 * the anon or service-role key (JWTs signed with the project's keys, `role` `anon` or `service_role`,
 * verified and cached by the {@linkcode JwtVerifier}) or, when configured, a publishable
 * (`sb_publishable_…`) or secret (`sb_secret_…`) key. Opaque keys are held only as SHA-256 digests and
 * compared by digest. The key is not a user credential: the data path still needs a user token.
 *
 * Only the header is read (not an `apikey` query parameter); values longer than 8192 characters are
 * refused unread.
 *
 * @example
 * ```ts
 * const apiKeys = await ApiKeyVerifier.fromEnv(Deno.env, { jwtVerifier });
 * const { role } = await apiKeys.verify(request.headers); // AuthError TR001 when missing or invalid
 * ```
 */
export class ApiKeyVerifier {
  #jwtVerifier: JwtVerifier | undefined;
  #opaque: Map<string, ApiKeyGrant>;

  private constructor(jwtVerifier: JwtVerifier | undefined, opaque: Map<string, ApiKeyGrant>) {
    this.#jwtVerifier = jwtVerifier;
    this.#opaque = opaque;
  }

  /**
   * Creates a verifier from explicit keys.
   *
   * @throws {AuthConfigError} when there is nothing to accept keys with, or a configured opaque key
   * lacks its prefix (the message names its position, never the key).
   *
   * @example
   * ```ts
   * const apiKeys = ApiKeyVerifier.create({ jwtVerifier, publishableKeys: ["sb_publishable_abc123"] });
   * ```
   */
  static create(options: ApiKeyVerifierOptions): ApiKeyVerifier {
    return ApiKeyVerifier.#build(options, { publishable: "publishableKeys", secret: "secretKeys" });
  }

  /**
   * Creates a verifier from function secrets: `SUPABASE_PUBLISHABLE_KEYS` and `SUPABASE_SECRET_KEYS`
   * (optional, comma-separated) plus the JWT verifier for the anon and service-role keys.
   *
   * @throws {AuthConfigError} as {@linkcode ApiKeyVerifier.create}.
   *
   * @example
   * ```ts
   * const jwtVerifier = await JwtVerifier.fromEnv(Deno.env);
   * const apiKeys = ApiKeyVerifier.fromEnv(Deno.env, { jwtVerifier });
   * ```
   */
  static fromEnv(env: EnvReader, options: ApiKeyVerifierEnvOptions = {}): ApiKeyVerifier {
    return ApiKeyVerifier.#build({
      jwtVerifier: options.jwtVerifier,
      publishableKeys: list(env.get(PUBLISHABLE_KEYS_VARIABLE)),
      secretKeys: list(env.get(SECRET_KEYS_VARIABLE)),
    }, { publishable: PUBLISHABLE_KEYS_VARIABLE, secret: SECRET_KEYS_VARIABLE });
  }

  static #build(
    options: ApiKeyVerifierOptions,
    labels: { publishable: string; secret: string },
  ): ApiKeyVerifier {
    const opaque = new Map<string, ApiKeyGrant>();
    addOpaqueKeys(opaque, options.publishableKeys ?? [], {
      prefix: PUBLISHABLE_PREFIX,
      label: labels.publishable,
      grant: { role: "anon", kind: "publishable" },
    });
    addOpaqueKeys(opaque, options.secretKeys ?? [], {
      prefix: SECRET_PREFIX,
      label: labels.secret,
      grant: { role: "service_role", kind: "secret" },
    });
    if (options.jwtVerifier === undefined && opaque.size === 0) {
      throw new AuthConfigError(
        `No API keys can be checked: configure the JWT verifier (SUPABASE_JWT_SECRET) or set ` +
          `${labels.publishable} / ${labels.secret}`,
      );
    }
    return new ApiKeyVerifier(options.jwtVerifier, opaque);
  }

  /**
   * Checks the request's `apikey` header and returns the role it grants.
   *
   * @throws {AuthError} `TR001` (401) when the header is missing or is not a project key (the `details`
   * say why: expired, wrong signature, unknown key…, never the key); `TR002` (503) when the remote JWKS is
   * unreachable.
   *
   * @example
   * ```ts
   * const grant = await apiKeys.verify(new Headers({ apikey: anonKey })); // { role: "anon", kind: "jwt" }
   * ```
   */
  async verify(headers: Headers): Promise<ApiKeyGrant> {
    const key = headers.get("apikey")?.trim() ?? "";
    if (key === "") throw new AuthError("TR001", MISSING, { hint: HINT });
    if (key.length > MAX_TOKEN_LENGTH) {
      throw invalidKey(`the key is longer than ${MAX_TOKEN_LENGTH} characters`);
    }
    if (key.startsWith("sb_")) {
      const grant = OPAQUE_KEY.test(key) ? this.#opaque.get(tokenDigest(key)) : undefined;
      if (grant === undefined) throw invalidKey("not one of the project's publishable or secret keys");
      return { ...grant };
    }
    if (!looksLikeJwt(key)) throw invalidKey("not a project API key");
    if (this.#jwtVerifier === undefined) throw invalidKey("JWT API keys are not configured");
    try {
      const claims = await this.#jwtVerifier.verifyProjectKey(key);
      return { role: claims.role, kind: "jwt", expiresAt: claims.exp * 1000 };
    } catch (err) {
      if (err instanceof AuthError && err.code === "PGRST301") throw invalidKey(err.message);
      throw err;
    }
  }
}

/** Adds the digests of `keys` to `opaque`; every key must start with `prefix`. */
function addOpaqueKeys(
  opaque: Map<string, ApiKeyGrant>,
  keys: readonly string[],
  options: { prefix: string; label: string; grant: ApiKeyGrant },
): void {
  for (const [index, key] of keys.entries()) {
    if (!key.startsWith(options.prefix) || !OPAQUE_KEY.test(key) || key.length > MAX_TOKEN_LENGTH) {
      throw new AuthConfigError(
        `Entry ${index + 1} of ${options.label} is not a key of the form ${options.prefix}…`,
      );
    }
    opaque.set(tokenDigest(key), options.grant);
  }
}

function invalidKey(details: string): AuthError {
  return new AuthError("TR001", INVALID, { details, hint: HINT });
}

function list(value: string | undefined): string[] {
  return (value ?? "").split(",").map((item) => item.trim()).filter((item) => item !== "");
}
