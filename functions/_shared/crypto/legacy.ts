/**
 * Reader for the seed system's stored secrets, `iv:authTag:ciphertext`: three standard base64 parts of
 * Node `crypto` AES-256-GCM output under one `ENCRYPTION_KEY`, without associated data. Used once, to
 * import an existing deployment; everything new is sealed with {@linkcode seal}.
 *
 * @module
 */

import { DecryptionError, KeyConfigError } from "./errors.ts";
import { decodeKeyHex, importAesKey } from "./_util.ts";

/** IV lengths the reader accepts: Node allows any, the seed used 12 or 16 bytes. */
export const LEGACY_IV_LENGTHS: readonly number[] = [12, 16];
const TAG_LENGTH = 16;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const PART_NAMES = ["iv", "authTag", "ciphertext"] as const;
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Decrypts a seed-era `iv:authTag:ciphertext` value to its UTF-8 text.
 *
 * `key` is the seed's `ENCRYPTION_KEY` as 64 hex digits, or an AES-GCM `CryptoKey` with the `decrypt`
 * usage (for many values, import once; `keyring.cryptoKey("legacy")` works when the keyring was loaded
 * from `ENCRYPTION_KEY`).
 *
 * @throws {KeyConfigError} when `key` is not 64 hex digits (the message never contains it).
 * @throws {SyntaxError} when the value is not three base64 parts with a 12- or 16-byte IV and a 16-byte
 * tag (the message never contains the value).
 * @throws {DecryptionError} when authentication fails: wrong key or tampered value.
 *
 * @example
 * ```ts
 * const url = await openLegacy(Deno.env.get("ENCRYPTION_KEY") ?? "", row.encrypted_url);
 * ```
 */
export async function openLegacy(key: string | CryptoKey, value: string): Promise<string> {
  const cryptoKey = await toCryptoKey(key);
  if (typeof value !== "string") throw new TypeError("Cannot read legacy secret: the value must be a string");
  const parts = value.trim().split(":");
  if (parts.length !== 3) {
    throw new SyntaxError(
      `Cannot read legacy secret: expected "iv:authTag:ciphertext" (got ${parts.length} parts)`,
    );
  }
  const [iv, tag, ciphertext] = parts.map((part, index) => decodeBase64(part, index)) as [
    Uint8Array<ArrayBuffer>,
    Uint8Array<ArrayBuffer>,
    Uint8Array<ArrayBuffer>,
  ];
  if (!LEGACY_IV_LENGTHS.includes(iv.length)) {
    throw new SyntaxError(`Cannot read legacy secret: the iv must be 12 or 16 bytes (got ${iv.length})`);
  }
  if (tag.length !== TAG_LENGTH) {
    throw new SyntaxError(`Cannot read legacy secret: the authTag must be 16 bytes (got ${tag.length})`);
  }
  const sealed = new Uint8Array(ciphertext.length + TAG_LENGTH);
  sealed.set(ciphertext);
  sealed.set(tag, ciphertext.length);
  let plaintext: Uint8Array;
  try {
    plaintext = new Uint8Array(
      await crypto.subtle.decrypt({ name: "AES-GCM", iv, tagLength: TAG_LENGTH * 8 }, cryptoKey, sealed),
    );
  } catch {
    throw new DecryptionError(
      "Cannot decrypt legacy secret: authentication failed (wrong ENCRYPTION_KEY or tampered data)",
    );
  }
  try {
    return strictDecoder.decode(plaintext);
  } catch {
    throw new TypeError("Cannot decrypt legacy secret: the plaintext is not UTF-8 text");
  } finally {
    plaintext.fill(0);
  }
}

async function toCryptoKey(key: string | CryptoKey): Promise<CryptoKey> {
  if (typeof key === "string") {
    const bytes = decodeKeyHex(key.trim());
    if (bytes === undefined) {
      throw new KeyConfigError(
        `Cannot use legacy key: ENCRYPTION_KEY must be 64 hex digits (got ${key.trim().length} characters)`,
      );
    }
    try {
      return await importAesKey(bytes, ["decrypt"]);
    } finally {
      bytes.fill(0);
    }
  }
  if (
    key instanceof CryptoKey && key.algorithm.name === "AES-GCM" && key.usages.includes("decrypt")
  ) {
    return key;
  }
  throw new TypeError("Cannot use legacy key: expected 64 hex digits or an AES-GCM CryptoKey with decrypt");
}

function decodeBase64(part: string, index: number): Uint8Array<ArrayBuffer> {
  if (!BASE64.test(part)) {
    throw new SyntaxError(`Cannot read legacy secret: the ${PART_NAMES[index]} part is not base64`);
  }
  const binary = atob(part);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
