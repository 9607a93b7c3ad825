/**
 * The secret part of a data source: one JSON document per row, sealed with AES-256-GCM and bound to its
 * row and field by associated data, stored as `secret_ciphertext`, `secret_nonce`, `secret_key_id`.
 *
 * @module
 */
import { z } from "zod";
import { type Keyring, openText, seal, type Sealed } from "../crypto/mod.ts";

/** The table and field every data-source secret is bound to. */
export const CREDENTIALS_CONTEXT = { table: "private.data_sources", field: "secret" } as const;

const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// connection string");

/**
 * Credentials of a `postgres` data source. `url` is what the gateway's pools connect to: direct, or a
 * transaction-mode pooler (Supavisor on 6543, PgBouncer). `direct_url`, when given, is a connection that
 * keeps a session (direct, or a session-mode pooler) for what needs one: moves (advisory locks, COPY),
 * provisioning, `supabase db push`. Giving it marks `url` as a transaction-mode pooler, so the pools run
 * it without prepared statements (see `transaction_mode.ts`).
 */
export const PostgresCredentials = z.object({ url: postgresUrl, direct_url: postgresUrl.optional() })
  .strict();

/**
 * Credentials of a `supabase` data source: the project URL, its API keys and (optionally) JWT secret and
 * direct database URL. The gateway reaches the project through its Data API; `db_url` (the project's
 * direct connection string or its session-mode pooler, role `postgres`) is what tenant moves and
 * provisioning need: without it the project takes part in neither.
 */
export const SupabaseCredentials = z.object({
  url: z.url({ protocol: /^https?$/ }),
  anon_key: z.string().min(20),
  service_key: z.string().min(20),
  jwt_secret: z.string().min(32).optional(),
  db_url: postgresUrl.optional(),
}).strict();

/** Decrypted credentials by kind. */
export type DataSourceCredentials =
  | { kind: "postgres"; credentials: z.infer<typeof PostgresCredentials> }
  | { kind: "supabase"; credentials: z.infer<typeof SupabaseCredentials> };

/**
/**
 * The connection string for work that needs a session (advisory locks held across transactions, COPY,
 * LISTEN, migrations): a `postgres` data source's `direct_url` when it has one, else its `url`; a
 * `supabase` project's `db_url`; `undefined` for a project registered without one.
 *
 * @example
 * ```ts
 * databaseUrlOf({ kind: "postgres", credentials: { url } }); // url
 * ```
 */
export function databaseUrlOf(credentials: DataSourceCredentials): string | undefined {
  return credentials.kind === "postgres"
    ? credentials.credentials.direct_url ?? credentials.credentials.url
    : credentials.credentials.db_url;
}

/** Seals credentials for one data source row. */
export async function sealCredentials(
  keyring: Keyring,
  options: { dataSourceId: string; credentials: Record<string, unknown> },
): Promise<Sealed> {
  return await seal(keyring, JSON.stringify(options.credentials), {
    ...CREDENTIALS_CONTEXT,
    rowId: options.dataSourceId,
  });
}

/** Opens and validates one data source's credentials. */
export async function openCredentials(
  keyring: Keyring,
  row: {
    id: string;
    kind: string;
    secret_ciphertext: Uint8Array;
    secret_nonce: Uint8Array;
    secret_key_id: string;
  },
): Promise<DataSourceCredentials> {
  const text = await openText(keyring, {
    ciphertext: row.secret_ciphertext,
    nonce: row.secret_nonce,
    keyId: row.secret_key_id,
  }, { ...CREDENTIALS_CONTEXT, rowId: row.id });
  const json: unknown = JSON.parse(text);
  if (row.kind === "supabase") return { kind: "supabase", credentials: SupabaseCredentials.parse(json) };
  return { kind: "postgres", credentials: PostgresCredentials.parse(json) };
}
