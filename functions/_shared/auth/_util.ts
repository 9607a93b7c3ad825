/**
 * Internal helpers of the auth module: limits, the token digest used as a cache key, and freezing.
 *
 * @module
 */

import { createHash } from "node:crypto";

/**
 * The longest token (JWT or API key) accepted, in characters: 8 KiB, the default header buffer of the
 * nginx in front of Supabase's API gateway, so no real Supabase token is longer. Longer values are
 * rejected before they are decoded, hashed or verified.
 */
export const MAX_TOKEN_LENGTH = 8192;

/** A compact JWS: three base64url parts (the signature may be empty, as in `alg: none`). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** True when `token` has the shape of a compact JWT: three base64url parts separated by dots. */
export function looksLikeJwt(token: string): boolean {
  return COMPACT_JWS.test(token);
}

/**
 * The SHA-256 of `token` as base64url: the form in which the configured opaque API keys are kept.
 * `node:crypto` hashes synchronously, several times faster than `crypto.subtle.digest` for short inputs.
 */
export function tokenDigest(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

/** Freezes `value` and everything reachable from it (claims are plain JSON: objects and arrays). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** True for a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
