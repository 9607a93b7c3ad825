/**
 * Errors of the crypto module. Only conditions that callers catch get a named class; every message is
 * written here or from validated, non-secret values (key ids, counts, lengths), so no error ever carries
 * key material, plaintext or ciphertext.
 *
 * @module
 */

import { isWellFormedKeyId, looksLikeKeyMaterial } from "./_util.ts";

/**
 * The encryption key configuration is missing or malformed. Thrown by {@linkcode Keyring.fromEnv} and
 * friends so that a function refuses to start; the message says what to set and never contains the key.
 *
 * @example
 * ```ts
 * try {
 *   await Keyring.fromEnv(Deno.env);
 * } catch (err) {
 *   if (err instanceof KeyConfigError) console.error(err.message);
 *   throw err;
 * }
 * ```
 */
export class KeyConfigError extends Error {
  /** Creates the error with a message that never includes key material. */
  constructor(message: string) {
    super(message);
  }
  /** The error name, shown by `String(err)` and in stacks. */
  override name = "KeyConfigError";
}

/**
 * A sealed value names a key id that the keyring does not hold (for example a key retired before every
 * secret was re-encrypted). The message names the id only when it is a well-formed key id.
 */
export class UnknownKeyError extends Error {
  /** The key id that was looked up, as stored beside the ciphertext. */
  readonly keyId: string;
  /** Creates the error for `keyId`; `action` starts the message (`"Cannot decrypt secret"`). */
  constructor(keyId: string, action = "Cannot decrypt secret") {
    super(
      isWellFormedKeyId(keyId) && !looksLikeKeyMaterial(keyId)
        ? `${action}: key id "${keyId}" is not configured: add its key to TENANT_ENCRYPTION_KEYS`
        : `${action}: the stored key id is malformed`,
    );
    this.keyId = keyId;
  }
  /** The error name, shown by `String(err)` and in stacks. */
  override name = "UnknownKeyError";
}

/** The message of a {@linkcode DecryptionError} when AES-GCM authentication fails. */
export const AUTHENTICATION_FAILED =
  "Cannot decrypt secret: authentication failed (wrong key, tampered data, or moved to another row or field)";

/**
 * A ciphertext did not authenticate. AES-GCM cannot tell a wrong key, a flipped bit, a truncated value and
 * a ciphertext moved to another row or field apart, so this one error covers them all.
 *
 * @example
 * ```ts
 * try {
 *   await openText(keyring, sealed, { rowId, field: "url" });
 * } catch (err) {
 *   if (err instanceof DecryptionError) return unavailable(rowId);
 *   throw err;
 * }
 * ```
 */
export class DecryptionError extends Error {
  /** Creates the error; the default message is {@linkcode AUTHENTICATION_FAILED}. */
  constructor(message: string = AUTHENTICATION_FAILED) {
    super(message);
  }
  /** The error name, shown by `String(err)` and in stacks. */
  override name = "DecryptionError";
}
