// Internal: connecting to a move's source and target databases, and what each one holds.
import postgres from "postgres";
import type { Keyring } from "../crypto/mod.ts";
import { describeConnectionError } from "../postgres_js/mod.ts";
import { databaseUrlOf, isTransactionModeUrl, openCredentials } from "../data_sources/mod.ts";
import { type Catalog, loadCatalog } from "../catalog/mod.ts";
import { readSchemaVersion } from "../provision/mod.ts";
import { CANONICAL_SETTINGS } from "./_sql.ts";
import type { DataSourceRow } from "./_store.ts";
import { MoveError } from "./errors.ts";

/** One side of a move: its data source, two pools, its schema version and catalog. */
export interface Side {
  dataSource: DataSourceRow;
  /** Queries and target transactions. */
  sql: postgres.Sql;
  /**
   * A new single-connection client for one `copy … to stdout` stream, to be ended after it. postgres.js
   * 3.4.9 can leave a connection's socket paused when a COPY's last rows arrive together with its end
   * under backpressure (porsager/postgres#499, fix pending in #1016): any later query on that connection
   * waits for ever. A connection per stream is never reused.
   */
  streamClient: () => postgres.Sql;
  /** `private.schema_version()`, `null` for a legacy database without it. */
  version: string | null;
  catalog: Catalog;
}

/** Options of {@linkcode openSide}. */
export interface OpenSideOptions {
  keyring: Keyring;
  /** Pool size. */
  max: number;
}

/**
 * Opens a pool to the data source's database (canonical session settings, see `CANONICAL_SETTINGS`) and
 * reads its schema version and catalog.
 *
 * @throws {MoveError} `unsupported` for a Supabase project without `db_url`, `unavailable` when the
 * credentials do not open or the database cannot be reached.
 */
export async function openSide(dataSource: DataSourceRow, options: OpenSideOptions): Promise<Side> {
  let url: string | undefined;
  try {
    // The mover holds advisory locks across transactions and streams COPY: it needs a session.
    url = databaseUrlOf(await openCredentials(options.keyring, dataSource));
  } catch (error) {
    throw new MoveError("unavailable", `Cannot open the credentials of data source "${dataSource.name}"`, {
      cause: error,
      hint: "Check TENANT_ENCRYPTION_KEYS: `npm run tenants -- data-source test` tells more",
    });
  }
  if (url === undefined) {
    // A Supabase project registered with its Data API keys only: the gateway can serve it, a move cannot.
    throw new MoveError(
      "unsupported",
      `Data source "${dataSource.name}" is a Supabase project without a database URL: moves need one`,
      {
        hint: `Add its direct connection string as "db_url" to its credentials ` +
          `(PUT /data-sources/${dataSource.name}/credentials, or register it with --database-url)`,
      },
    );
  }
  let sql: postgres.Sql;
  let streamClient: () => postgres.Sql;
  try {
    const settings = {
      max: options.max,
      prepare: !isTransactionModeUrl(url),
      connect_timeout: 10,
      idle_timeout: 30,
      onnotice: () => {},
      connection: { ...CANONICAL_SETTINGS },
    };
    sql = postgres(url, settings);
    streamClient = () => postgres(url, { ...settings, max: 1 });
  } catch (error) {
    throw new MoveError("unavailable", `Data source "${dataSource.name}" has an invalid connection string`, {
      cause: error,
    });
  }
  try {
    const version = await readSchemaVersion(sql);
    const catalog = await loadCatalog(sql);
    return { dataSource, sql, streamClient, version, catalog };
  } catch (error) {
    await sql.end({ timeout: 1 }).catch(() => {});
    throw new MoveError(
      "unavailable",
      `Cannot read data source "${dataSource.name}": ${describeConnectionError(error)}`,
      { cause: error },
    );
  }
}

/** Closes a side's pool (running queries get `timeout` seconds). */
export async function closeSide(side: Side | undefined, timeout = 5): Promise<void> {
  await side?.sql.end({ timeout }).catch(() => {});
}

/**
 * Whether the session may skip triggers and foreign-key checks (`session_replication_role = replica`):
 * superusers, and roles granted SET on it (PostgreSQL 15+).
 */
export async function canReplicate(sql: postgres.Sql): Promise<boolean> {
  try {
    await sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
    });
    return true;
  } catch {
    return false;
  }
}
