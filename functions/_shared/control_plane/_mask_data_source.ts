/**
 * The masked view of a data source: everything an operator may see, never a secret.
 *
 * @module
 */
import type { Keyring } from "../crypto/mod.ts";
import type { DataSourceRow } from "./find_data_source.ts";
import { openDataSource } from "./open_data_source.ts";

/** A data source as the admin API and the CLI show it. */
export interface DataSourceView {
  id: string;
  name: string;
  kind: "postgres" | "supabase";
  is_default: boolean;
  host: string | null;
  port: number | null;
  database_name: string | null;
  project_ref: string | null;
  pool_max: number;
  /** PostgREST's `db-aggregates-enabled` for this data source. */
  aggregates_enabled: boolean;
  /** PostgREST's `db-plan-enabled` (EXPLAIN) for this data source. */
  plan_enabled: boolean;
  status: string;
  schema_version: string | null;
  /** The key that sealed the credentials. */
  key_id: string;
  /** `sha256:` + 16 hex of SHA-256 of the ciphertext: the audit log's fingerprint of the same bytes. */
  fingerprint: string;
  /** The connection string or project URL with the password replaced by `****`; `null` when unreadable. */
  masked_url: string | null;
  /** A `supabase` project's direct database URL (`db_url`, what moves use), masked; else `null`. */
  masked_db_url: string | null;
  /** Why the credentials cannot be opened (never the secret); `null` when they can. */
  credentials_error: string | null;
  /** Tenants whose rows live here (routed explicitly, or through the default). */
  tenant_count: number;
  created_at: Date;
  updated_at: Date;
}

/**
 * Renders `row` for display: decrypts the credentials only to mask their URL.
 *
 * @example
 * ```ts
 * const view = await maskDataSource(row, { keyring, tenantCount: 3 });
 * view.masked_url; // "postgresql://app:****@db:5432/app"
 * ```
 */
export async function maskDataSource(
  row: DataSourceRow,
  options: { keyring: Keyring; tenantCount: number },
): Promise<DataSourceView> {
  const opened = await openDataSource(options.keyring, row);
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    is_default: row.is_default,
    host: row.host,
    port: row.port,
    database_name: row.database_name,
    project_ref: row.project_ref,
    pool_max: row.pool_max,
    aggregates_enabled: row.aggregates_enabled,
    plan_enabled: row.plan_enabled,
    status: row.status,
    schema_version: row.schema_version,
    key_id: row.secret_key_id,
    fingerprint: await ciphertextFingerprint(row.secret_ciphertext),
    masked_url: opened.ok ? opened.maskedUrl : null,
    masked_db_url: opened.ok ? opened.maskedDbUrl : null,
    credentials_error: opened.ok ? null : opened.error,
    tenant_count: options.tenantCount,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** `sha256:<16 hex>` of the bytes, as `private.redact_secrets()` writes it into the audit log. */
export async function ciphertextFingerprint(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new Uint8Array(bytes));
  const hex = Array.from(new Uint8Array(digest, 0, 8), (byte) => byte.toString(16).padStart(2, "0"));
  return `sha256:${hex.join("")}`;
}
