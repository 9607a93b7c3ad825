/**
 * Seal and open secrets with AES-256-GCM, bound to their key id, row and field.
 *
 * @module
 */

import { encodeAssociatedData, type SealContext } from "./associated_data.ts";
import { DecryptionError } from "./errors.ts";
import type { Keyring } from "./keyring.ts";
import { copyBytes } from "./_util.ts";

/** Nonce (IV) length in bytes: 96 bits, random per encryption. */
export const NONCE_LENGTH = 12;
/** Authentication tag length in bytes (128 bits), appended to the ciphertext. */
export const TAG_LENGTH = 16;

/**
 * A sealed secret, stored pgsodium-style in three columns, for example
 * `private.data_sources (secret_ciphertext bytea, secret_nonce bytea, secret_key_id text)`.
 */
export interface Sealed {
  /** AES-GCM output: the encrypted bytes followed by the 16-byte tag. */
  ciphertext: Uint8Array;
  /** The 12-byte random nonce. */
  nonce: Uint8Array;
  /** The id of the key that sealed it. */
  keyId: string;
}

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Encrypts `plaintext` with the keyring's active key and a fresh random nonce, binding it to the key id
 * and `context` (table, row, field) through the associated data. Strings are encoded as UTF-8.
 *
 * With random 96-bit nonces one key may seal up to 2^32 secrets; rotate long before that.
 *
 * @throws {TypeError} when the plaintext is neither a string nor a `Uint8Array`, a string contains a
 * lone surrogate, or the context is incomplete.
 *
 * @example
 * ```ts
 * const sealed = await seal(keyring, "postgresql://app:s3cret@db:5432/app", { rowId: id, field: "url" });
 * await sql`update private.data_sources set secret_ciphertext = ${sealed.ciphertext},
 *   secret_nonce = ${sealed.nonce}, secret_key_id = ${sealed.keyId} where id = ${id}`;
 * ```
 */
export async function seal(
  keyring: Keyring,
  plaintext: string | Uint8Array,
  context: SealContext,
): Promise<Sealed> {
  const keyId = keyring.activeKeyId;
  const associatedData = encodeAssociatedData(keyId, context);
  const bytes = toBytes(plaintext);
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_LENGTH));
  try {
    const ciphertext = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv: nonce, additionalData: associatedData, tagLength: TAG_LENGTH * 8 },
      keyring.cryptoKey(keyId),
      bytes,
    );
    return { ciphertext: new Uint8Array(ciphertext), nonce, keyId };
  } finally {
    bytes.fill(0);
  }
}

/**
 * Decrypts a sealed secret for the row and field it was sealed for.
 *
 * @throws {UnknownKeyError} when the keyring has no key with `sealed.keyId`.
 * @throws {DecryptionError} when authentication fails: wrong key, any changed bit in ciphertext, nonce,
 * tag or key id, a truncated ciphertext, or a ciphertext moved to another table, row or field.
 * @throws {TypeError} when `sealed` or `context` has the wrong shape (for example a bytea still hex-encoded
 * as a string).
 *
 * @example
 * ```ts
 * const bytes = await open(keyring, sealed, { rowId: id, field: "service_role_key" });
 * ```
 */
export async function open(
  keyring: Keyring,
  sealed: Sealed,
  context: SealContext,
): Promise<Uint8Array<ArrayBuffer>> {
  if (typeof sealed !== "object" || sealed === null) {
    throw new TypeError("Cannot decrypt secret: expected { ciphertext, nonce, keyId }");
  }
  const { ciphertext, nonce, keyId } = sealed;
  if (!(ciphertext instanceof Uint8Array) || !(nonce instanceof Uint8Array)) {
    throw new TypeError("Cannot decrypt secret: ciphertext and nonce must be Uint8Arrays (decoded bytea)");
  }
  const key = keyring.cryptoKey(keyId);
  const associatedData = encodeAssociatedData(keyId, context);
  if (nonce.length !== NONCE_LENGTH) {
    throw new DecryptionError(
      `Cannot decrypt secret: nonce must be ${NONCE_LENGTH} bytes (got ${nonce.length})`,
    );
  }
  let plaintext: ArrayBuffer;
  try {
    plaintext = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: copyBytes(nonce), additionalData: associatedData, tagLength: TAG_LENGTH * 8 },
      key,
      copyBytes(ciphertext),
    );
  } catch {
    // WebCrypto's OperationError says nothing useful, and a fixed message cannot leak anything.
    throw new DecryptionError();
  }
  return new Uint8Array(plaintext);
}

/**
 * Like {@linkcode open}, then decodes the plaintext as UTF-8.
 *
 * @throws {TypeError} also when the plaintext is not valid UTF-8 (a binary secret: use `open()`).
 *
 * @example
 * ```ts
 * const url = await openText(keyring, sealed, { rowId: id, field: "url" });
 * ```
 */
export async function openText(keyring: Keyring, sealed: Sealed, context: SealContext): Promise<string> {
  const bytes = await open(keyring, sealed, context);
  try {
    return strictDecoder.decode(bytes);
  } catch {
    throw new TypeError("Cannot decrypt secret: the plaintext is not UTF-8 text (use open() for bytes)");
  } finally {
    bytes.fill(0);
  }
}

function toBytes(plaintext: string | Uint8Array): Uint8Array<ArrayBuffer> {
  if (typeof plaintext === "string") {
    if (!plaintext.isWellFormed()) {
      throw new TypeError("Cannot seal secret: the plaintext string contains a lone surrogate");
    }
    return encoder.encode(plaintext);
  }
  if (plaintext instanceof Uint8Array) return copyBytes(plaintext);
  throw new TypeError("Cannot seal secret: the plaintext must be a string or a Uint8Array");
}
