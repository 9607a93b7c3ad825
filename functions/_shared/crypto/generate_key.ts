/**
 * New keys for `npm run tenants -- keygen`.
 *
 * @module
 */

import type { KeyMaterial } from "./keyring.ts";
import { encodeHex } from "./_util.ts";

/** Options of {@linkcode generateKey}. */
export interface GenerateKeyOptions {
  /** The date in the id (UTC); defaults to now. */
  date?: Date | undefined;
}

/**
 * Generates a random AES-256 key and an id for it: `k` + the UTC date as `yyyymmdd` + 4 random hex digits,
 * for example `k20250314a1f0`. Print `${id}:${hex}` for `TENANT_ENCRYPTION_KEYS`.
 *
 * @example
 * ```ts
 * const { id, hex } = generateKey();
 * console.log(`${id}:${hex}`);
 * ```
 */
export function generateKey(options: GenerateKeyOptions = {}): KeyMaterial {
  const date = options.date ?? new Date();
  if (Number.isNaN(date.getTime())) throw new RangeError("Cannot generate key: the date is invalid");
  const day = date.toISOString().slice(0, 10).replaceAll("-", "");
  const suffix = encodeHex(crypto.getRandomValues(new Uint8Array(2)));
  const key = crypto.getRandomValues(new Uint8Array(32));
  const hex = encodeHex(key);
  key.fill(0);
  return { id: `k${day}${suffix}`, hex };
}
