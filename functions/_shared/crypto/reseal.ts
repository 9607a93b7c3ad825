/**
 * Re-encryption under the active key, for key rotation.
 *
 * @module
 */

import type { SealContext } from "./associated_data.ts";
import type { Keyring } from "./keyring.ts";
import { open, seal, type Sealed } from "./seal.ts";

/**
 * Opens `sealed` with whichever key sealed it and seals the plaintext again under the keyring's active
 * key, for the same row and field. It always re-encrypts, with a fresh nonce, even when `sealed` is
 * already under the active key: the result never reuses a nonce and rotation can run again safely.
 * A rotation that wants to skip writes checks `sealed.keyId === keyring.activeKeyId` first.
 *
 * @throws {UnknownKeyError} when the old key is no longer in the keyring.
 * @throws {DecryptionError} when the stored secret does not authenticate for this row and field.
 *
 * @example
 * ```ts
 * if (row.sealed.keyId !== keyring.activeKeyId) {
 *   const next = await reseal(keyring, row.sealed, { rowId: row.id, field: "url" });
 *   // update the row where secret_key_id = the old id (optimistic), then retire the old key
 * }
 * ```
 */
export async function reseal(keyring: Keyring, sealed: Sealed, context: SealContext): Promise<Sealed> {
  const plaintext = await open(keyring, sealed, context);
  try {
    return await seal(keyring, plaintext, context);
  } finally {
    plaintext.fill(0);
  }
}
