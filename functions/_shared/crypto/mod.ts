/**
 * Encryption of tenant data-source credentials, with WebCrypto only.
 *
 * - {@linkcode Keyring}: AES-256 keys by id from function secrets (`TENANT_ENCRYPTION_KEYS`,
 *   `TENANT_ENCRYPTION_ACTIVE_KEY`, or the seed's `ENCRYPTION_KEY`), imported once, non-extractable.
 * - {@linkcode seal} / {@linkcode open} / {@linkcode openText}: AES-256-GCM with a random 96-bit nonce and
 *   a 128-bit tag. The output `{ ciphertext, nonce, keyId }` goes into three columns (`secret_ciphertext`
 *   bytea, `secret_nonce` bytea, `secret_key_id` text). The associated data binds it to its key id, table,
 *   row and field ({@linkcode encodeAssociatedData}), so a ciphertext copied elsewhere or relabelled with
 *   another key id does not decrypt.
 * - {@linkcode reseal}: re-encryption under the active key, for rotation.
 * - {@linkcode openLegacy}: the seed system's `iv:authTag:ciphertext` values, for import.
 * - {@linkcode generateKey}: a new key and id for `npm run tenants -- keygen`.
 * - {@linkcode maskConnectionString}: connection strings for display.
 *
 * Errors never contain key material, plaintext or ciphertext.
 *
 * @example
 * ```ts
 * import { Keyring, openText, seal } from "../_shared/crypto/mod.ts";
 *
 * const keyring = await Keyring.fromEnv(Deno.env); // throws KeyConfigError: the function does not start
 * const context = { rowId: dataSource.id, field: "url" };
 * const sealed = await seal(keyring, "postgresql://app:s3cret@db:5432/app", context);
 * const url = await openText(keyring, sealed, context);
 * ```
 *
 * @module
 */

export {
  ASSOCIATED_DATA_VERSION,
  DEFAULT_TABLE,
  encodeAssociatedData,
  type SealContext,
} from "./associated_data.ts";
export { AUTHENTICATION_FAILED, DecryptionError, KeyConfigError, UnknownKeyError } from "./errors.ts";
export { generateKey, type GenerateKeyOptions } from "./generate_key.ts";
export {
  ACTIVE_KEY_VARIABLE,
  type EnvReader,
  type KeyMaterial,
  Keyring,
  type KeyringOptions,
  KEYS_VARIABLE,
  LEGACY_KEY_ID,
  LEGACY_KEY_VARIABLE,
} from "./keyring.ts";
export { LEGACY_IV_LENGTHS, openLegacy } from "./legacy.ts";
export { MASK, maskConnectionString } from "./mask.ts";
export { reseal } from "./reseal.ts";
export { NONCE_LENGTH, open, openText, seal, type Sealed, TAG_LENGTH } from "./seal.ts";
