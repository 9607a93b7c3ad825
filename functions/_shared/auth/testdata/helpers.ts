// Shared fixtures for the auth module's tests: keys, token minting, a fake clock and error checks.
// TEST KEYS ONLY: never use them anywhere else.
import assert from "node:assert/strict";
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";
import { AuthError, type AuthErrorCode } from "../errors.ts";

/** Supabase's well-known local JWT secret, the one the local stack uses. */
export const SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";
/** Another secret of the right length, for "wrong secret" tests. */
export const OTHER_SECRET = "a-completely-different-secret-of-forty-plus-characters";
/** A user id in the shape Supabase Auth issues. */
export const USER_ID = "5f0c3a9e-2b1d-4e8f-9a6c-7d2e1f0b3c4a";
/** The fake clock's start, in milliseconds since the epoch (2025-06-15T12:00:00Z). */
export const START = Date.UTC(2025, 5, 15, 12, 0, 0);
/** {@linkcode START} in seconds. */
export const START_S = START / 1000;

/** A clock the tests move by hand. */
export interface FakeClock {
  now: () => number;
  advance(seconds: number): void;
}

/** Returns a clock at {@linkcode START}. */
export function fakeClock(start: number = START): FakeClock {
  let time = start;
  return {
    now: function now() {
      return time;
    },
    advance(seconds: number) {
      time += seconds * 1000;
    },
  };
}

/** The claims of a typical user access token at {@linkcode START}, valid for an hour, with `overrides`. */
export function userClaims(overrides: Record<string, unknown> = {}): JWTPayload {
  return {
    sub: USER_ID,
    role: "authenticated",
    aud: "authenticated",
    email: "alice@acme.test",
    iat: START_S,
    exp: START_S + 3600,
    app_metadata: { provider: "email", providers: ["email"] },
    user_metadata: {},
    ...overrides,
  };
}

/** Options of {@linkcode sign}. */
export interface SignOptions {
  /** HS256 secret (default {@linkcode SECRET}) or a private key for `alg`. */
  key?: string | CryptoKey | Uint8Array;
  alg?: string;
  header?: Record<string, unknown>;
}

/** Signs `claims` (`undefined` values are dropped) with jose. */
export async function sign(claims: Record<string, unknown>, options: SignOptions = {}): Promise<string> {
  const alg = options.alg ?? "HS256";
  const key = options.key ?? SECRET;
  const payload = Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
  return await new SignJWT(payload)
    .setProtectedHeader({ typ: "JWT", ...options.header, alg })
    .sign(typeof key === "string" ? new TextEncoder().encode(key) : key);
}

/** base64url of a JSON value or bytes. */
export function b64url(value: unknown): string {
  const bytes = value instanceof Uint8Array ? value : new TextEncoder().encode(JSON.stringify(value));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Builds a compact JWS by hand: `header.payload.signature`, with any header (e.g. `alg: none`). */
export function craft(header: unknown, payload: unknown, signature = ""): string {
  return `${b64url(header)}.${b64url(payload)}.${signature}`;
}

/** An HMAC-SHA256 signature of `input` with raw `key` bytes, base64url: for forging confusion tokens. */
export async function hmac(input: string, key: Uint8Array<ArrayBuffer>): Promise<string> {
  const cryptoKey = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const signature = await crypto.subtle.sign("HMAC", cryptoKey, new TextEncoder().encode(input));
  return b64url(new Uint8Array(signature));
}

/** A key pair with its public JWK (kid and alg set). */
export interface TestKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** Generates a key pair for `alg` with jose and exports its public JWK under `kid`. */
export async function testKey(
  alg: string,
  kid: string,
  options: { modulusLength?: number } = {},
): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...options });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { kid, alg, privateKey, publicJwk };
}

/** Signs `claims` with a {@linkcode TestKey}, its `kid` in the header unless `header` overrides it. */
export async function signWith(
  key: TestKey,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  return await sign(claims, { key: key.privateKey, alg: key.alg, header: { kid: key.kid, ...header } });
}

/** Runs `fn` and returns what it threw or rejected with; fails when it did not. */
export async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  assert.fail("expected an error");
}

/**
 * Asserts that `err` is an instance of `type` whose message, `String(err)`, stack, inspection and JSON
 * contain none of `secrets`.
 */
export function assertSafeError<T extends Error>(
  err: unknown,
  type: abstract new (...args: never[]) => T,
  secrets: readonly string[],
): asserts err is T {
  assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
  const shown = [err.message, String(err), err.stack ?? "", Deno.inspect(err), JSON.stringify(err)].join(
    "\n",
  );
  for (const secret of secrets) {
    if (secret.length < 8) continue;
    assert.ok(!shown.includes(secret), `the error shows a secret or token: ${err.message}`);
    // A token's signature alone is as telling as the token.
    const signature = secret.split(".")[2];
    if (signature !== undefined && signature.length >= 8) {
      assert.ok(!shown.includes(signature), `the error shows a token's signature: ${err.message}`);
    }
  }
}

/** What a refusal should look like. */
export interface Refusal {
  code: AuthErrorCode;
  status?: number;
  /** The exact message, or a pattern it must match. */
  message?: string | RegExp;
}

/**
 * Asserts that `fn` throws an {@linkcode AuthError} as described that shows none of `secrets` (the
 * token, the secret…), and returns it.
 */
export async function assertRefused(
  fn: () => unknown,
  expected: Refusal,
  secrets: readonly string[] = [],
): Promise<AuthError> {
  const err = await caught(fn);
  assertSafeError(err, AuthError, [SECRET, OTHER_SECRET, ...secrets]);
  assert.equal(err.code, expected.code, `code of "${err.message}"`);
  if (expected.status !== undefined) assert.equal(err.status, expected.status);
  if (typeof expected.message === "string") assert.equal(err.message, expected.message);
  else if (expected.message !== undefined) assert.match(err.message, expected.message);
  return err;
}
