/**
 * The key registry beside the configured keyring: ids, states, fingerprints, never keys.
 *
 * @module
 */
import type { Keyring } from "../crypto/mod.ts";
import type { Queryable } from "../data_sources/mod.ts";

/** One key as the admin API and the CLI show it. */
export interface KeyView {
  id: string;
  /** `active`, `decrypt_only`, `retired`, or `unregistered` (configured but not in the registry). */
  status: string;
  /** The registry's fingerprint (first hex of SHA-256 of the key), or the keyring's when unregistered. */
  fingerprint: string | null;
  /** Whether this process has the key (`TENANT_ENCRYPTION_KEYS`). */
  configured: boolean;
  /** Whether the configured key's fingerprint matches the registry's; `null` when either is missing. */
  fingerprint_matches: boolean | null;
  /** Whether the keyring seals new secrets with it. */
  configured_active: boolean;
  /** How many data source secrets it encrypts. */
  secrets: number;
  created_at: Date | null;
  activated_at: Date | null;
  retired_at: Date | null;
}

/**
 * Lists registered keys (newest first), then configured keys the registry does not know.
 *
 * @example
 * ```ts
 * const keys = await listKeys(sql, keyring);
 * ```
 */
export async function listKeys(tx: Queryable, keyring: Keyring): Promise<KeyView[]> {
  const rows = await tx<
    {
      id: string;
      status: string;
      fingerprint: string | null;
      secrets: number;
      created_at: Date;
      activated_at: Date | null;
      retired_at: Date | null;
    }[]
  >`
    select k.id, k.status, k.fingerprint, k.created_at, k.activated_at, k.retired_at,
           (select count(*)::int from private.data_sources d where d.secret_key_id = k.id) as secrets
    from private.encryption_keys k
    order by k.created_at desc, k.id`;
  const views: KeyView[] = rows.map((row) => {
    const configured = keyring.has(row.id);
    return {
      ...row,
      configured,
      fingerprint_matches: configured && row.fingerprint !== null
        ? keyring.fingerprint(row.id).startsWith(row.fingerprint)
        : null,
      configured_active: keyring.activeKeyId === row.id,
    };
  });
  for (const id of keyring.ids()) {
    if (rows.some((row) => row.id === id)) continue;
    views.push({
      id,
      status: "unregistered",
      fingerprint: keyring.fingerprint(id),
      configured: true,
      fingerprint_matches: null,
      configured_active: keyring.activeKeyId === id,
      secrets: 0,
      created_at: null,
      activated_at: null,
      retired_at: null,
    });
  }
  return views;
}
