/**
 * Writes to the data-source registry (`private.data_sources`, `private.encryption_keys`) through a
 * service-level connection: credentials are sealed before they reach the database, and only display
 * fields (host, port, database, project ref) are stored in the clear.
 *
 * @module
 */
import type postgres from "postgres";
import type { Keyring } from "../crypto/mod.ts";
import { PostgresCredentials, sealCredentials, SupabaseCredentials } from "./credentials.ts";
import type { PostgrestSettings } from "./data_source.ts";

/** A connection or a transaction: registry writes work in either. */
export type Queryable = postgres.Sql | postgres.TransactionSql;

/** Options of {@linkcode registerDataSource}. */
export type RegisterDataSourceOptions =
  & {
    name: string;
    poolMax?: number;
    isDefault?: boolean;
    /** `postgres` kind only (`aggregates_enabled`, `plan_enabled`); both off by default, as in Supabase. */
    postgrest?: Partial<PostgrestSettings>;
  }
  & (
    | { kind: "postgres"; credentials: { url: string; direct_url?: string | undefined } }
    | {
      kind: "supabase";
      credentials: {
        url: string;
        anon_key: string;
        service_key: string;
        jwt_secret?: string;
        db_url?: string;
      };
    }
  );

/** A registered data source, as the registry shows it (never a secret). */
export interface RegisteredDataSource {
  id: string;
  name: string;
}

/**
 * Makes sure every key of the keyring is in the registry: the keyring's active key as `active`, the
 * others as `decrypt_only`. Keys already registered keep their state.
 */
export async function registerKeys(sql: Queryable, keyring: Keyring): Promise<void> {
  for (const id of keyring.ids()) {
    const status = id === keyring.activeKeyId ? "active" : "decrypt_only";
    await sql`
      insert into private.encryption_keys (id, status, fingerprint)
      values (${id}, ${status}, ${keyring.fingerprint(id)})
      on conflict (id) do nothing`;
  }
}

/**
 * Registers a data source with its credentials sealed under the active key.
 *
 * @example
 * ```ts
 * await registerDataSource(sql, keyring, { name: "tenant_acme", kind: "postgres", credentials: { url } });
 * ```
 */
export async function registerDataSource(
  sql: Queryable,
  keyring: Keyring,
  options: RegisterDataSourceOptions,
): Promise<RegisteredDataSource> {
  const credentials = options.kind === "postgres"
    ? PostgresCredentials.parse(options.credentials)
    : SupabaseCredentials.parse(options.credentials);
  const id = crypto.randomUUID();
  const sealed = await sealCredentials(keyring, { dataSourceId: id, credentials });
  const display = displayFields(options.kind, credentials.url);
  const [row] = await sql<RegisteredDataSource[]>`
    insert into private.data_sources (
      id, name, kind, is_default, host, port, database_name, project_ref,
      secret_ciphertext, secret_nonce, secret_key_id, pool_max, aggregates_enabled, plan_enabled
    ) values (
      ${id}, ${options.name}, ${options.kind}, ${
    options.isDefault ?? false
  }, ${display.host}, ${display.port},
      ${display.database_name}, ${display.project_ref}, ${sealed.ciphertext}, ${sealed.nonce}, ${sealed.keyId},
      ${options.poolMax ?? 10}, ${options.postgrest?.aggregates ?? false}, ${options.postgrest?.plan ?? false}
    )
    returning id, name`;
  return row!;
}

/** The non-secret parts of a URL that status tables may show. */
export function displayFields(kind: "postgres" | "supabase", url: string): {
  host: string | null;
  port: number | null;
  database_name: string | null;
  project_ref: string | null;
} {
  const parsed = new URL(url);
  const host = parsed.hostname || null;
  const port = parsed.port ? Number(parsed.port) : null;
  if (kind === "supabase") {
    const ref = /^([a-z0-9]+)\.supabase\.(co|in)$/.exec(parsed.hostname)?.[1] ?? null;
    return { host, port, database_name: null, project_ref: ref };
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, "")) || null;
  return { host, port: port ?? 5432, database_name: database, project_ref: null };
}
