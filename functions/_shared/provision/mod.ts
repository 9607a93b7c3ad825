/**
 * Provisioning tenant databases from TypeScript: the tenant-db migrations applied with the same
 * statement splitting and the same history table (`supabase_migrations.schema_migrations`) as the
 * Supabase CLI, so a database provisioned by either tool is current for the other.
 *
 * - {@linkcode loadMigrations}: `tenant-db/supabase/migrations/<version>_<name>.sql`, split into statements.
 * - {@linkcode planMigrations}: what is pending, refusing unknown or out-of-order history like `db push`.
 * - {@linkcode applyMigrations}: each pending migration in one transaction with its history row.
 * - {@linkcode readSchemaVersion}: `private.schema_version()` of a tenant database.
 * - {@linkcode missingSupabaseImage} / {@linkcode bootstrapSupabaseImage}: what a plain PostgreSQL
 *   database lacks of Supabase's image (API roles, `auth.uid()` …), and adding it.
 *
 * @example
 * ```ts
 * import { applyMigrations, loadMigrations } from "../provision/mod.ts";
 *
 * const target = postgres(url, { max: 1, onnotice: () => {} });
 * try {
 *   const { applied } = await applyMigrations(target, await loadMigrations());
 * } finally {
 *   await target.end();
 * }
 * ```
 *
 * @module
 */
export {
  applyMigrations,
  type ApplyMigrationsOptions,
  type ApplyMigrationsResult,
  MigrationError,
  readAppliedVersions,
} from "./apply_migrations.ts";
export { latestVersion, loadMigrations, type Migration, TENANT_MIGRATIONS_DIR } from "./load_migrations.ts";
export { MigrationHistoryError, planMigrations } from "./plan_migrations.ts";
export { readSchemaVersion } from "./schema_version.ts";
export { splitStatements } from "./split_statements.ts";
export { bootstrapSupabaseImage, missingSupabaseImage, SUPABASE_IMAGE_STATEMENTS } from "./supabase_image.ts";
