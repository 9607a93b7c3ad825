/**
 * Bringing a data source's database to the current tenant schema, from TypeScript.
 *
 * @module
 */
import postgres from "postgres";
import type { Keyring } from "../crypto/mod.ts";
import { databaseUrlOf, probeDataSource } from "../data_sources/mod.ts";
import {
  applyMigrations,
  bootstrapSupabaseImage,
  latestVersion,
  type Migration,
  MigrationError,
  MigrationHistoryError,
  missingSupabaseImage,
  readSchemaVersion,
} from "../provision/mod.ts";
import { AdminError } from "./admin_error.ts";
import { type ActorClaims, withClaims } from "./with_claims.ts";
import { findDataSource } from "./find_data_source.ts";
import { openDataSource } from "./open_data_source.ts";
import type { ProbeFunction } from "./test_data_source.ts";

/** Options of {@linkcode provisionDataSource}. */
export interface ProvisionDataSourceOptions {
  keyring: Keyring;
  /** The data source's name, id or `default`. */
  ref: string;
  /** The tenant-db migrations (`loadMigrations()`). */
  migrations: readonly Migration[];
  /** Recorded as the actor of the schema-version update. */
  claims: ActorClaims;
  /** Only report what would be applied. */
  dryRun?: boolean | undefined;
  /**
   * Add what a plain PostgreSQL database lacks of Supabase's image (API roles, `auth.uid()` …) before the
   * migrations; without it such a database is refused before anything is written (`TR642`).
   */
  bootstrapSupabase?: boolean | undefined;
  /** Called before each migration (CLI progress). */
  onApply?: ((migration: Migration) => void) | undefined;
  /** Default `probeDataSource`. */
  probe?: ProbeFunction | undefined;
  /**
   * Refuse (`TR641`) a database that is not a tenant database: one whose migration history has none of
   * the tenant-db versions (another project's), or without history but with tables of its own in
   * `public`. An empty database is a tenant database yet to be provisioned. For `provision --all`.
   */
  tenantDatabasesOnly?: boolean | undefined;
}

/** What {@linkcode provisionDataSource} did. */
export interface ProvisionResult {
  data_source: string;
  /** Versions applied now (in a dry run: that would be). */
  applied: string[];
  /** The schema version before (null: no tenant schema yet). */
  schema_version_before: string | null;
  schema_version: string | null;
  expected_schema_version: string | null;
  current: boolean;
  dry_run: boolean;
  /** What was added of Supabase's image (`bootstrap_supabase`; in a dry run: would be); empty when nothing. */
  bootstrapped: string[];
}

/**
 * Applies the pending tenant-db migrations to a data source's database (a `postgres` data source, or a
 * `supabase` one whose credentials carry `db_url`) with {@linkcode applyMigrations} (the Supabase CLI's
 * history table, so `supabase db push --workdir tenant-db` agrees afterwards), then records the schema
 * version. A database without what the schema needs from Supabase's image is refused before anything is
 * written, unless `bootstrapSupabase` adds it first.
 *
 * @throws {AdminError} `TR622` no such data source; `TR641` a `supabase` data source without `db_url`;
 * `TR640` credentials do not open; `TR642` a plain PostgreSQL database (the message names what it
 * lacks); `TR650` the database cannot be reached, its migration history does not fit, or a migration
 * failed (rolled back; the message names the migration, statement number and server error).
 *
 * @example
 * ```ts
 * const result = await provisionDataSource(sql, { keyring, ref: "tenant_acme", migrations, claims });
 * ```
 */
export async function provisionDataSource(
  sql: postgres.Sql,
  options: ProvisionDataSourceOptions,
): Promise<ProvisionResult> {
  const row = await findDataSource(sql, options.ref);
  const opened = await openDataSource(options.keyring, row);
  if (!opened.ok) throw new AdminError("TR640", opened.error);
  const url = databaseUrlOf(opened.credentials);
  if (url === undefined) {
    throw new AdminError(
      "TR641",
      `Data source "${row.name}" is a Supabase project without a database URL: provisioning needs one`,
      {
        hint: `Add its direct connection string as "db_url" to its credentials, or run ` +
          "`supabase db push --workdir tenant-db --db-url <its database URL>`",
      },
    );
  }
  // Probed as a database, whatever the kind: a Supabase project's Data API says nothing about `db_url`.
  const reachable = await (options.probe ?? probeDataSource)({ kind: "postgres", credentials: { url } });
  const expected = latestVersion(options.migrations);
  // A database without the tenant schema yet answers but has no version: that is what provisioning is for.
  if (!reachable.ok && !reachable.error?.startsWith("Cannot read schema version")) {
    throw new AdminError("TR650", `Cannot provision "${row.name}": ${reachable.error}`);
  }
  // Migrations run on a session connection (the direct URL when the data source has one).
  const target = postgres(url, {
    max: 1,
    prepare: false,
    connect_timeout: 10,
    onnotice: () => {},
    connection: { application_name: "tenant-router-provision" },
  });
  try {
    if (options.tenantDatabasesOnly) await assertTenantDatabase(target, row.name, options.migrations);
    const before = await readSchemaVersion(target);
    const bootstrapped = await ensureSupabaseImage(target, {
      name: row.name,
      bootstrap: options.bootstrapSupabase === true,
      dryRun: options.dryRun === true,
    });
    const { applied } = await applyMigrations(target, options.migrations, {
      dryRun: options.dryRun,
      onApply: options.onApply,
    });
    const version = await readSchemaVersion(target);
    if (!options.dryRun && version !== null && version !== row.schema_version) {
      await withClaims(sql, options.claims, async (tx) => {
        await tx`update private.data_sources set schema_version = ${version} where id = ${row.id}`;
      });
    }
    return {
      data_source: row.name,
      applied,
      schema_version_before: before,
      schema_version: version,
      expected_schema_version: expected,
      current: version !== null && version === expected,
      dry_run: options.dryRun === true,
      bootstrapped,
    };
  } catch (error) {
    if (error instanceof MigrationError || error instanceof MigrationHistoryError) {
      throw new AdminError("TR650", `Cannot provision "${row.name}": ${error.message}`);
    }
    throw error;
  } finally {
    await target.end({ timeout: 1 });
  }
}

/**
 * Refuses a database that lacks what the tenant schema needs from Supabase's image (`TR642`, naming
 * what is missing and the flag that adds it), or with `bootstrap` adds it (not in a dry run). Returns
 * what was (or would be) added. Only reads unless it bootstraps.
 *
 * @example
 * ```ts
 * await ensureSupabaseImage(target, { name: "eu_1", bootstrap: false, dryRun: false }); // [] or throws
 * ```
 */
export async function ensureSupabaseImage(
  target: postgres.Sql,
  options: { name: string; bootstrap: boolean; dryRun: boolean },
): Promise<string[]> {
  const missing = await missingSupabaseImage(target);
  if (missing.length === 0) return [];
  if (!options.bootstrap) {
    throw new AdminError(
      "TR642",
      `Data source "${options.name}" is a plain PostgreSQL database: it lacks ${missing.join(", ")}, ` +
        "which the tenant schema needs from Supabase's image",
      {
        hint: `Provision it with \`npm run tenants -- provision ${options.name} --bootstrap-supabase\` ` +
          `(admin API: POST /data-sources/${options.name}/provision with {"bootstrap_supabase": true}) to add them`,
      },
    );
  }
  if (!options.dryRun) await bootstrapSupabaseImage(target);
  return missing;
}

/** See {@linkcode ProvisionDataSourceOptions.tenantDatabasesOnly}. */
async function assertTenantDatabase(
  target: postgres.Sql,
  name: string,
  migrations: readonly Migration[],
): Promise<void> {
  const [found] = await target<{ history: boolean; tables: number }[]>`
    select to_regclass('supabase_migrations.schema_migrations') is not null as history,
           (select count(*)::int from pg_tables where schemaname = 'public') as tables`;
  const versions = found?.history
    ? (await target<{ version: string }[]>`select version from supabase_migrations.schema_migrations`)
      .map((row) => row.version)
    : [];
  const local = new Set(migrations.map((migration) => migration.version));
  if (versions.length > 0 && !versions.some((version) => local.has(version))) {
    throw new AdminError(
      "TR641",
      `"${name}" is not a tenant database: its migration history has no tenant-db version`,
    );
  }
  if (versions.length === 0 && (found?.tables ?? 0) > 0) {
    throw new AdminError(
      "TR641",
      `"${name}" is not a tenant database: it has tables in public but no migration history`,
    );
  }
}
