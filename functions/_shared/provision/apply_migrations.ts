/**
 * Applying pending migrations to a database, compatible with the Supabase CLI's history table: a
 * database migrated here is up to date for `supabase db push`, and the other way round.
 *
 * @module
 */
import type postgres from "postgres";
import type { Migration } from "./load_migrations.ts";
import { planMigrations } from "./plan_migrations.ts";

/** The CLI's history table statements (`pkg/migration/history.go`), run before the first migration. */
const CREATE_HISTORY = [
  "set lock_timeout = '4s'",
  "create schema if not exists supabase_migrations",
  "create table if not exists supabase_migrations.schema_migrations (version text not null primary key)",
  "alter table supabase_migrations.schema_migrations add column if not exists statements text[]",
  "alter table supabase_migrations.schema_migrations add column if not exists name text",
];

/** A migration statement failed; the migration was rolled back. Never carries the statement's text. */
export class MigrationError extends Error {
  /** The migration's version. */
  readonly version: string;
  /** The 1-based index of the failing statement in the migration. */
  readonly statement: number;
  /** The server's SQLSTATE, when the server refused the statement. */
  readonly sqlState: string | undefined;

  /** Creates the error from the server's message (which names objects, not SQL text). */
  constructor(migration: Migration, statement: number, cause: unknown) {
    const server = cause instanceof Error && cause.name === "PostgresError"
      ? cause as Error & { code?: string }
      : undefined;
    const reason = server === undefined ? "the connection failed" : `${server.message} (${server.code})`;
    super(`Migration ${migration.version}_${migration.name} failed at statement ${statement}: ${reason}`);
    this.version = migration.version;
    this.statement = statement;
    this.sqlState = server?.code;
  }
  /** The error name, shown by `String(err)` and in stacks. */
  override name = "MigrationError";
}

/** Options of {@linkcode applyMigrations}. */
export interface ApplyMigrationsOptions {
  /** Called before each migration is applied (progress output). */
  onApply?: ((migration: Migration) => void) | undefined;
  /** Only report what would be applied. */
  dryRun?: boolean | undefined;
}

/** What {@linkcode applyMigrations} did. */
export interface ApplyMigrationsResult {
  /** The versions applied now (or, in a dry run, that would be). */
  applied: string[];
  /** The versions recorded before. */
  previouslyApplied: string[];
}

/**
 * Applies the migrations `sql`'s database has not recorded, each in its own transaction together with
 * its row in `supabase_migrations.schema_migrations (version, name, statements)`, written exactly as
 * the CLI writes it. A transaction-scoped advisory lock keeps two provisioners from applying the same
 * migration; each migration starts from `reset all`, as the CLI does. Give `sql` a dedicated
 * connection (`max: 1`): migrations may change session settings.
 *
 * @throws {MigrationHistoryError} when the database's history does not fit `migrations`.
 * @throws {MigrationError} when a statement fails (that migration is rolled back; earlier ones stay).
 *
 * @example
 * ```ts
 * const target = postgres(url, { max: 1, onnotice: () => {} });
 * const { applied } = await applyMigrations(target, await loadMigrations());
 * ```
 */
export async function applyMigrations(
  sql: postgres.Sql,
  migrations: readonly Migration[],
  options: ApplyMigrationsOptions = {},
): Promise<ApplyMigrationsResult> {
  const previouslyApplied = await readAppliedVersions(sql);
  const pending = planMigrations(migrations.map((m) => m.version), previouslyApplied);
  const byVersion = new Map(migrations.map((m) => [m.version, m]));
  if (options.dryRun || pending.length === 0) return { applied: pending, previouslyApplied };
  await sql.begin(async (tx) => {
    for (const statement of CREATE_HISTORY) await tx.unsafe(statement);
  });
  const applied: string[] = [];
  for (const version of pending) {
    const migration = byVersion.get(version)!;
    options.onApply?.(migration);
    const done = await sql.begin(async (tx) => {
      await tx.unsafe("reset all");
      await tx`select pg_advisory_xact_lock(hashtext('supabase_migrations.schema_migrations'))`;
      const [row] = await tx`
        select 1 from supabase_migrations.schema_migrations where version = ${version}`;
      if (row !== undefined) return false;
      for (const [index, statement] of migration.statements.entries()) {
        if (isOnlyComments(statement)) continue;
        try {
          await tx.unsafe(statement);
        } catch (error) {
          throw new MigrationError(migration, index + 1, error);
        }
      }
      await tx`
        insert into supabase_migrations.schema_migrations (version, name, statements)
        values (${migration.version}, ${migration.name}, ${migration.statements})`;
      return true;
    });
    if (done) applied.push(version);
  }
  return { applied, previouslyApplied };
}

/** The versions in the CLI's history table, oldest first; none when the table does not exist. */
export async function readAppliedVersions(sql: postgres.Sql): Promise<string[]> {
  const [exists] = await sql<{ table: string | null }[]>`
    select to_regclass('supabase_migrations.schema_migrations')::text as table`;
  if (exists?.table == null) return [];
  const rows = await sql<{ version: string }[]>`
    select version from supabase_migrations.schema_migrations order by version`;
  return rows.map((row) => row.version);
}

function isOnlyComments(statement: string): boolean {
  return statement.replace(/--[^\n]*(\n|$)/g, "").replace(/\/\*[\s\S]*?\*\//g, "").trim() === "";
}
