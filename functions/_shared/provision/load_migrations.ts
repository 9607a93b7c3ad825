/**
 * Reading a Supabase project's migration folder the way the Supabase CLI does.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { splitStatements } from "./split_statements.ts";

/** The tenant database project's migrations, beside the functions in this repository. */
export const TENANT_MIGRATIONS_DIR: string = fileURLToPath(
  new URL("../../../tenant-db/supabase/migrations", import.meta.url),
);

/** The CLI's file name pattern: `<version>_<name>.sql`. */
const MIGRATION_FILE = /^([0-9]+)_(.*)\.sql$/;

/** One migration file, split into statements. */
export interface Migration {
  /** The timestamp prefix of the file name, e.g. `20261126140100`. */
  version: string;
  /** The rest of the file name, e.g. `private`. */
  name: string;
  /** The statements, as the Supabase CLI splits and records them. */
  statements: string[];
}

/**
 * Reads every `<version>_<name>.sql` of `dir`, in file-name order (as `supabase db push` does); other
 * files are ignored.
 *
 * @throws {Deno.errors.NotFound} when the folder does not exist (a deployment without the files).
 *
 * @example
 * ```ts
 * const migrations = await loadMigrations(TENANT_MIGRATIONS_DIR);
 * latestVersion(migrations); // "20261126140500"
 * ```
 */
export async function loadMigrations(dir: string = TENANT_MIGRATIONS_DIR): Promise<Migration[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && MIGRATION_FILE.test(entry.name)) names.push(entry.name);
  }
  names.sort();
  const migrations: Migration[] = [];
  for (const fileName of names) {
    const [, version, name] = MIGRATION_FILE.exec(fileName)!;
    const text = await Deno.readTextFile(join(dir, fileName));
    migrations.push({ version: version!, name: name!, statements: splitStatements(text) });
  }
  return migrations;
}

/** The newest version of `migrations`: the schema version a database has once all are applied. */
export function latestVersion(migrations: readonly Migration[]): string | null {
  return migrations.at(-1)?.version ?? null;
}
