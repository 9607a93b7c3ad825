// Internal helpers of the crypto module; not re-exported by mod.ts.

/** Pattern of a key id: 1 to 64 ASCII letters, digits, `_` or `-`. */
export const KEY_ID_PATTERN: RegExp = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether `keyId` matches {@linkcode KEY_ID_PATTERN}. */
export function isWellFormedKeyId(keyId: unknown): keyId is string {
  return typeof keyId === "string" && KEY_ID_PATTERN.test(keyId);
}

/**
 * Whether a key id looks like key material (32 or more hex digits): such an id is refused in
 * configuration, because ids are printed in logs and messages.
 */
export function looksLikeKeyMaterial(keyId: string): boolean {
  return /^[0-9A-Fa-f]{32,}$/.test(keyId);
}

const HEX_KEY = /^[0-9A-Fa-f]{64}$/;

/** Decodes a 64-hex-digit AES-256 key, or returns `undefined` when `hex` is not one. */
export function decodeKeyHex(hex: string): Uint8Array<ArrayBuffer> | undefined {
  if (!HEX_KEY.test(hex)) return undefined;
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** Encodes bytes as lower-case hex. */
export function encodeHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}

/** Copies any `Uint8Array` (a Node `Buffer`, a view into a larger buffer) into a fresh, exact one. */
export function copyBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

/** Imports raw key bytes as a non-extractable AES-256-GCM key. */
export function importAesKey(
  bytes: Uint8Array<ArrayBuffer>,
  usages: KeyUsage[],
): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", bytes, { name: "AES-GCM", length: 256 }, false, usages);
}
