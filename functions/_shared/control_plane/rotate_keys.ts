/**
 * Key rotation: make the configured active key the registry's active key, re-encrypt every data source
 * secret under it, and retire the keys nothing uses any more.
 *
 * @module
 */
import { DecryptionError, type Keyring, reseal, UnknownKeyError } from "../crypto/mod.ts";
import { CREDENTIALS_CONTEXT, type Queryable } from "../data_sources/mod.ts";
import { AdminError } from "./admin_error.ts";

/** Options of {@linkcode rotateKeys}. */
export interface RotateKeysOptions {
  /** The configured keys; its active key (`TENANT_ENCRYPTION_ACTIVE_KEY`) becomes the registry's. */
  keyring: Keyring;
}

/** A secret that could not be re-encrypted (its old key is missing, or it does not authenticate). */
export interface RotationFailure {
  data_source: string;
  key_id: string;
  error: string;
}

/** What {@linkcode rotateKeys} did. Running it again right after does nothing. */
export interface RotateKeysResult {
  active_key_id: string;
  /** Configured keys added to the registry (as `decrypt_only` first, per the migration's order). */
  registered: string[];
  /** Whether the active key changed. */
  activated: boolean;
  /** Secrets re-encrypted under the active key. */
  reencrypted: number;
  /** Keys retired because nothing uses them any more. */
  retired: number;
  retired_key_ids: string[];
  /** Secrets left under their old key (that key is then not retired). */
  failed: RotationFailure[];
}

/** The registry's key id format (`encryption_keys_id_format`). */
const REGISTRY_KEY_ID = /^[a-z0-9][a-z0-9_.-]{0,31}$/;

/**
 * Rotates to the keyring's active key in the order the `encryption_keys` migration prescribes:
 *
 * 1. register every configured key the registry lacks, as `decrypt_only`;
 * 2. demote the old active key to `decrypt_only`, promote the configured one to `active`;
 * 3. re-encrypt (with {@linkcode reseal}, a fresh nonce) every secret under another key;
 * 4. retire every `decrypt_only` key no secret uses any more.
 *
 * All in the caller's transaction (use {@linkcode withClaims}, so the audit log names the actor),
 * serialised by an advisory lock: readers keep working throughout, and either all of it commits or none.
 * Deploy the new key to every function (`TENANT_ENCRYPTION_KEYS`) before rotating, and remove the old
 * one only after.
 *
 * @throws {AdminError} `TR634` when a configured key's fingerprint differs from the registry's, the
 * active key was retired before, or a key id does not fit the registry's format.
 *
 * @example
 * ```ts
 * const result = await withClaims(sql, claims, (tx) => rotateKeys(tx, { keyring }));
 * console.log(`${result.reencrypted} re-encrypted, ${result.retired} retired`);
 * ```
 */
export async function rotateKeys(tx: Queryable, options: RotateKeysOptions): Promise<RotateKeysResult> {
  const { keyring } = options;
  const active = keyring.activeKeyId;
  await tx`select pg_advisory_xact_lock(hashtext('tenant_router.rotate_keys'))`;
  const registry = await tx<{ id: string; status: string; fingerprint: string | null }[]>`
    select id, status, fingerprint from private.encryption_keys order by id for update`;
  const byId = new Map(registry.map((row) => [row.id, row]));

  const registered: string[] = [];
  for (const id of keyring.ids()) {
    const known = byId.get(id);
    const fingerprint = keyring.fingerprint(id);
    if (known === undefined) {
      if (!REGISTRY_KEY_ID.test(id)) {
        throw new AdminError("TR634", `Key id "${id}" cannot be registered`, {
          hint: "Key ids in the registry are 1 to 32 of a-z, 0-9, '_', '.' and '-' (keygen makes such ids)",
        });
      }
      await tx`
        insert into private.encryption_keys (id, status, fingerprint) values (${id}, 'decrypt_only', ${fingerprint})`;
      registered.push(id);
    } else if (known.fingerprint !== null && !fingerprint.startsWith(known.fingerprint)) {
      throw new AdminError(
        "TR634",
        `Key "${id}" is configured with a different key than the one registered`,
        {
          hint: "Check TENANT_ENCRYPTION_KEYS: a key id must always name the same key",
        },
      );
    } else if (id === active && known.status === "retired") {
      throw new AdminError("TR634", `Key "${id}" was retired and cannot become active again`, {
        hint: "Generate a new key with `npm run tenants -- keygen`",
      });
    }
  }

  const previous = registry.find((row) => row.status === "active")?.id;
  const activated = previous !== active;
  if (activated) {
    if (previous !== undefined) {
      await tx`update private.encryption_keys set status = 'decrypt_only' where id = ${previous}`;
    }
    await tx`update private.encryption_keys set status = 'active' where id = ${active}`;
  }

  const stale = await tx<
    {
      id: string;
      name: string;
      kind: string;
      secret_ciphertext: Uint8Array;
      secret_nonce: Uint8Array;
      secret_key_id: string;
    }[]
  >`
    select id, name, kind, secret_ciphertext, secret_nonce, secret_key_id
    from private.data_sources where secret_key_id <> ${active} order by name for update`;
  let reencrypted = 0;
  const failed: RotationFailure[] = [];
  for (const row of stale) {
    try {
      const sealed = await reseal(keyring, {
        ciphertext: row.secret_ciphertext,
        nonce: row.secret_nonce,
        keyId: row.secret_key_id,
      }, { ...CREDENTIALS_CONTEXT, rowId: row.id });
      await tx`
        update private.data_sources
        set secret_ciphertext = ${sealed.ciphertext}, secret_nonce = ${sealed.nonce}, secret_key_id = ${sealed.keyId}
        where id = ${row.id} and secret_key_id = ${row.secret_key_id}`;
      reencrypted++;
    } catch (error) {
      if (!(error instanceof DecryptionError || error instanceof UnknownKeyError)) throw error;
      failed.push({ data_source: row.name, key_id: row.secret_key_id, error: error.message });
    }
  }

  const retiredRows = await tx<{ id: string }[]>`
    update private.encryption_keys k set status = 'retired'
    where k.status = 'decrypt_only'
      and not exists (select 1 from private.data_sources d where d.secret_key_id = k.id)
    returning k.id`;
  const retiredKeyIds = retiredRows.map((row) => row.id).sort();
  return {
    active_key_id: active,
    registered,
    activated,
    reencrypted,
    retired: retiredKeyIds.length,
    retired_key_ids: retiredKeyIds,
    failed,
  };
}
