/**
 * The stack's databases: created, bootstrapped to look like Supabase's Postgres image, then migrated and
 * seeded with the real Supabase CLI (`supabase db reset --db-url`), exactly as users run it.
 *
 * @module
 */
import { join } from "node:path";
import type { Cluster } from "./cluster.ts";
import { mustRun } from "./process.ts";
import { APP_DATABASE, databaseUrl, PROJECT_ROOT, type StackProfile, TENANT_DATABASES } from "./profile.ts";

const BOOTSTRAP_SQL = join(PROJECT_ROOT, "scripts", "stack", "bootstrap.sql");
const SUPABASE_CLI = join(PROJECT_ROOT, "node_modules", ".bin", "supabase");

/** Options of {@linkcode resetDatabases}. */
export interface ResetDatabasesOptions {
  profile: StackProfile;
  cluster: Cluster;
}

/** Every database of the stack: the application database first, then the tenant databases. */
export function stackDatabases(): string[] {
  return [APP_DATABASE, ...TENANT_DATABASES];
}

/**
 * Creates missing databases, bootstraps each, and re-applies migrations and seed with the Supabase CLI.
 * Safe to run again at any time: the reset starts from the migrations every time.
 */
export async function resetDatabases(options: ResetDatabasesOptions): Promise<void> {
  const { profile, cluster } = options;
  await createMissingDatabases(options);
  for (const database of stackDatabases()) {
    await bootstrap(cluster, profile, database);
    const tenantDb = database !== APP_DATABASE;
    await mustRun(SUPABASE_CLI, [
      "db",
      "reset",
      "--yes",
      "--db-url",
      cliDatabaseUrl(profile, database),
      ...(tenantDb ? ["--workdir", "tenant-db", "--sql-paths", `seed/${database}.sql`] : []),
    ], { cwd: PROJECT_ROOT, env: { SUPABASE_TELEMETRY_DISABLED: "1" } });
    // The reset drops extensions it does not know (pgTAP among them): bootstrap again.
    await bootstrap(cluster, profile, database);
  }
}

/**
 * The URL the Supabase CLI gets. It takes `127.0.0.1:<db.port of config.toml>` for its own Docker database
 * and then asks Docker, so it gets `localhost`; `sslmode=disable` because a local cluster has no TLS.
 */
function cliDatabaseUrl(profile: StackProfile, database: string): string {
  return `${databaseUrl(profile, database).replace("@127.0.0.1:", "@localhost:")}?sslmode=disable`;
}

async function createMissingDatabases(options: ResetDatabasesOptions): Promise<void> {
  const { profile, cluster } = options;
  const existing = await psql(cluster, profile, APP_DATABASE, [
    "-tAc",
    "select datname from pg_database",
  ]);
  const names = new Set(existing.split("\n").map((line) => line.trim()));
  for (const database of TENANT_DATABASES) {
    if (!names.has(database)) {
      await psql(cluster, profile, APP_DATABASE, ["-c", `create database ${database}`]);
    }
  }
}

/**
 * Bootstraps every existing database again: cheap and idempotent, and it restores what a plain
 * `supabase db reset --db-url` drops (pgTAP).
 */
export async function bootstrapDatabases(options: ResetDatabasesOptions): Promise<void> {
  for (const database of stackDatabases()) await bootstrap(options.cluster, options.profile, database);
}

async function bootstrap(cluster: Cluster, profile: StackProfile, database: string): Promise<void> {
  await psql(cluster, profile, database, ["-q", "-f", BOOTSTRAP_SQL]);
  if (database === APP_DATABASE) {
    // The application database holds the data sources' ciphertexts: its errors reach PostgreSQL's log
    // without DETAIL, whose "Failing row contains (…)" would quote a ciphertext (or plain text a CHECK
    // refused). Clients still get the detail; only the log is terse.
    await psql(cluster, profile, database, [
      "-q",
      "-c",
      `alter database "${APP_DATABASE}" set log_error_verbosity = 'terse'`,
    ]);
  }
}

/** Runs psql against one database of the stack, stopping at the first error. */
export async function psql(
  cluster: Cluster,
  profile: StackProfile,
  database: string,
  args: string[],
): Promise<string> {
  const { stdout } = await mustRun(cluster.bin("psql"), [
    "-X",
    "-v",
    "ON_ERROR_STOP=1",
    "-h",
    "127.0.0.1",
    "-p",
    String(profile.pgPort),
    "-U",
    "postgres",
    "-d",
    database,
    ...args,
  ], { env: { PGPASSWORD: "postgres" } });
  return stdout;
}
