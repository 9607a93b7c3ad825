/**
 * Internal: validation of configured JSON Web Key Sets and the key resolver over a local and a remote set.
 *
 * @module
 */

import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWSHeaderParameters,
} from "jose";
import { AuthConfigError, AuthError } from "./errors.ts";
import { isJsonObject } from "./_util.ts";

/** The asymmetric algorithms accepted, each only with its key type: RS256 with RSA, ES256 with EC P-256. */
export const ASYMMETRIC_ALGORITHMS: readonly string[] = Object.freeze(["RS256", "ES256"]);

/** JWK members that only private (or symmetric) keys have. */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] as const;

/** 2048 bits, the smallest RSA modulus accepted (as jose and RFC 7518 require for RS256). */
const MIN_RSA_MODULUS_BYTES = 256;

/**
 * Checks a configured JWKS (`label` names where it came from in messages) and returns a copy holding only
 * what verification needs. Every key must be a public RSA (RS256) or EC P-256 (ES256) signing key, with a
 * unique `kid` when present.
 *
 * @throws {AuthConfigError} naming the offending key by position, never its material.
 */
export async function validateJwks(value: unknown, label: string): Promise<JSONWebKeySet> {
  if (!isJsonObject(value) || !Array.isArray(value.keys)) {
    throw new AuthConfigError(`${label} is not a JSON Web Key Set: expected {"keys":[…]}`);
  }
  if (value.keys.length === 0) throw new AuthConfigError(`${label} has no keys`);
  const kids = new Set<string>();
  const keys: JWK[] = [];
  for (const [index, key] of value.keys.entries()) {
    const where = `key ${index + 1} of ${label}`;
    if (!isJsonObject(key)) throw new AuthConfigError(`${where} is not a JSON object`);
    const alg = algorithmOf(key, where);
    for (const member of PRIVATE_MEMBERS) {
      if (member in key) {
        throw new AuthConfigError(
          `${where} holds private or symmetric key material ("${member}"): publish public keys only`,
        );
      }
    }
    if (key.use !== undefined && key.use !== "sig") {
      throw new AuthConfigError(`${where} is not a signing key: "use" must be "sig" or absent`);
    }
    if (key.kid !== undefined) {
      if (typeof key.kid !== "string" || key.kid === "") {
        throw new AuthConfigError(`${where} has an invalid "kid": expected a non-empty string`);
      }
      if (kids.has(key.kid)) throw new AuthConfigError(`${where} repeats the "kid" of an earlier key`);
      kids.add(key.kid);
    }
    try {
      await importJWK({ ...key, ext: true }, alg);
    } catch {
      throw new AuthConfigError(`${where} cannot be imported as an ${alg} public key`);
    }
    keys.push({ ...key, alg } as JWK);
  }
  return { keys };
}

function algorithmOf(key: Record<string, unknown>, where: string): string {
  if (key.kty === "RSA") {
    if (key.alg !== undefined && key.alg !== "RS256") {
      throw new AuthConfigError(`${where} is an RSA key for another algorithm: only RS256 is accepted`);
    }
    if (
      typeof key.n !== "string" || Math.floor(key.n.replace(/=+$/, "").length * 3 / 4) < MIN_RSA_MODULUS_BYTES
    ) {
      throw new AuthConfigError(`${where} is an RSA key shorter than 2048 bits`);
    }
    return "RS256";
  }
  if (key.kty === "EC") {
    if (key.crv !== "P-256" || (key.alg !== undefined && key.alg !== "ES256")) {
      throw new AuthConfigError(
        `${where} is an EC key for another curve or algorithm: only P-256 (ES256) is accepted`,
      );
    }
    // Deno's WebCrypto imports an EC JWK without checking its coordinates: check their length here.
    if (!isCoordinate(key.x) || !isCoordinate(key.y)) {
      throw new AuthConfigError(`${where} cannot be imported as an ES256 public key`);
    }
    return "ES256";
  }
  if (key.kty === "oct") {
    throw new AuthConfigError(
      `${where} is a symmetric key (kty "oct"): set the HS256 secret in SUPABASE_JWT_SECRET instead`,
    );
  }
  throw new AuthConfigError(
    `${where} has an unsupported key type: expected kty "RSA" (RS256) or "EC" (ES256)`,
  );
}

/** A P-256 coordinate: 32 bytes as unpadded base64url. */
function isCoordinate(value: unknown): boolean {
  return typeof value === "string" && /^[A-Za-z0-9_-]{43}$/.test(value);
}

/**
 * Parses the JWKS URL: `https:`, or `http:` for a loopback host (local development).
 *
 * @throws {AuthConfigError} for anything else; the message does not echo the URL.
 */
export function parseJwksUrl(value: string | URL, label: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AuthConfigError(
      `${label} is not a URL: expected https://<project>.supabase.co/auth/v1/.well-known/jwks.json`,
    );
  }
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new AuthConfigError(`${label} must use https (plain http only for localhost)`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new AuthConfigError(`${label} must not contain credentials`);
  }
  return url;
}

type KeyResolver = (header: JWSHeaderParameters, token: unknown) => Promise<CryptoKey | Uint8Array>;

/** Where asymmetric keys come from. */
export interface JwksSources {
  jwks?: JSONWebKeySet | undefined;
  jwksUrl?: URL | undefined;
}

/**
 * Returns a resolver for RS256/ES256 tokens: the inline set first, then the remote set (which jose
 * caches for 10 minutes and reloads at most every 30 seconds for an unknown `kid`), or `undefined` when
 * neither is configured. A remote set that cannot be fetched or parsed becomes `AuthError` `TR002`.
 */
export function createJwksResolver(sources: JwksSources): KeyResolver | undefined {
  const local = sources.jwks === undefined ? undefined : createLocalJWKSet(sources.jwks);
  const remote = sources.jwksUrl === undefined ? undefined : createRemoteJWKSet(sources.jwksUrl);
  if (local === undefined && remote === undefined) return undefined;
  return async function resolveJwksKey(header: JWSHeaderParameters, token: unknown) {
    if (local !== undefined) {
      try {
        return await local(header, token as never);
      } catch (err) {
        if (remote === undefined || !(err instanceof errors.JWKSNoMatchingKey)) throw err;
      }
    }
    if (remote === undefined) throw new errors.JWKSNoMatchingKey();
    try {
      return await remote(header, token as never);
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
        throw err;
      }
      throw new AuthError("TR002", "Cannot verify JWT: the signing keys (JWKS) cannot be fetched", {
        hint: "Try again later; if it persists, check SUPABASE_JWKS_URL",
      });
    }
  };
}
