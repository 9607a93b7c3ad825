/**
 * Replacing a data source's credentials (a new password, a rotated service key).
 *
 * @module
 */
import type { Keyring } from "../crypto/mod.ts";
import {
  displayFields,
  PostgresCredentials,
  type Queryable,
  sealCredentials,
  SupabaseCredentials,
} from "../data_sources/mod.ts";
import { mapDatabaseError } from "./database_error.ts";
import { validate } from "./validate.ts";
import { findDataSource } from "./find_data_source.ts";
import { type DataSourceView, getDataSource } from "./list_data_sources.ts";

/** Options of {@linkcode replaceCredentials}. */
export interface ReplaceCredentialsOptions {
  keyring: Keyring;
  /** The data source's name or id. */
  ref: string;
  /** The new credentials, validated here for the data source's kind. */
  credentials: unknown;
}

/**
 * Seals `credentials` (validated for the data source's own kind) for the row under the active key,
 * replaces the stored ones and the display fields (host, port, database, project ref), and returns the
 * masked view.
 *
 * @throws {AdminError} `TR622` when the data source does not exist, `TR600` (paths under
 * `credentials.`) when the credentials do not fit its kind, `TR634` when the active key is not the
 * registry's.
 *
 * @example
 * ```ts
 * await withClaims(sql, claims, (tx) => replaceCredentials(tx, { keyring, ref: "tenant_acme", credentials: { url } }));
 * ```
 */
export async function replaceCredentials(
  tx: Queryable,
  options: ReplaceCredentialsOptions,
): Promise<DataSourceView> {
  const { keyring, credentials } = options;
  const row = await findDataSource(tx, options.ref, { forUpdate: true });
  const schema = row.kind === "postgres" ? PostgresCredentials : SupabaseCredentials;
  const valid = validate(schema, credentials, {
    subject: `${row.kind} credentials`,
    pathPrefix: "credentials",
  });
  const sealed = await sealCredentials(keyring, { dataSourceId: row.id, credentials: valid });
  const display = displayFields(row.kind, valid.url);
  try {
    await tx`
      update private.data_sources
      set secret_ciphertext = ${sealed.ciphertext}, secret_nonce = ${sealed.nonce},
          secret_key_id = ${sealed.keyId}, host = ${display.host}, port = ${display.port},
          database_name = ${display.database_name}, project_ref = ${display.project_ref}
      where id = ${row.id}`;
  } catch (error) {
    throw mapDatabaseError(error) ?? error;
  }
  return await getDataSource(tx, { keyring, ref: row.id });
}
