/**
 * Decrypting a data source's credentials without letting a failure escape as anything but a message
 * that is safe to show.
 *
 * @module
 */
import { type Keyring, maskConnectionString } from "../crypto/mod.ts";
import { databaseUrlOf, type DataSourceCredentials, openCredentials } from "../data_sources/mod.ts";
import type { DataSourceRow } from "./find_data_source.ts";

/** The outcome of {@linkcode openDataSource}. */
export type OpenedDataSource =
  | {
    ok: true;
    credentials: DataSourceCredentials;
    maskedUrl: string;
    /** A `supabase` project's direct database URL, masked; `null` for other kinds or without one. */
    maskedDbUrl: string | null;
  }
  | { ok: false; error: string };

/**
 * Opens the row's credentials with the keyring. A missing key, a ciphertext that does not
 * authenticate for this row (tampered, or copied from another data source) or a document of the wrong
 * shape become `{ ok: false, error }`, with a message that never contains the secret.
 *
 * @example
 * ```ts
 * const opened = await openDataSource(keyring, row);
 * if (!opened.ok) console.log(opened.error);
 * ```
 */
export async function openDataSource(keyring: Keyring, row: DataSourceRow): Promise<OpenedDataSource> {
  try {
    const credentials = await openCredentials(keyring, row);
    const dbUrl = credentials.kind === "supabase" ? databaseUrlOf(credentials) : undefined;
    return {
      ok: true,
      credentials,
      maskedUrl: maskConnectionString(credentials.credentials.url),
      maskedDbUrl: dbUrl === undefined ? null : maskConnectionString(dbUrl),
    };
  } catch (error) {
    return { ok: false, error: safeMessage(error) };
  }
}

function safeMessage(error: unknown): string {
  if (!(error instanceof Error)) return "Cannot decrypt secret";
  switch (error.name) {
    case "DecryptionError":
    case "UnknownKeyError":
      // Written by the crypto module from key ids and fixed text only.
      return error.message;
    case "SyntaxError":
    case "ZodError":
      return "Cannot read credentials: the decrypted document does not fit the data source's kind";
    default:
      return "Cannot decrypt secret";
  }
}
