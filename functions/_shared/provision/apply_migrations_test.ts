import assert from "node:assert/strict";
import postgres from "postgres";
import { createScratchDatabase } from "../admin/testdata/helpers.ts";
import { applyMigrations, MigrationError, readAppliedVersions } from "./apply_migrations.ts";
import { latestVersion, loadMigrations } from "./load_migrations.ts";
import { readSchemaVersion } from "./schema_version.ts";
import { supabaseDbPush } from "./testdata/supabase_cli.ts";

const dbUrl = Deno.env.get("SUPABASE_DB_URL");

Deno.test({
  name:
    "applyMigrations() and `supabase db push` each see the other's work as applied, with the same history rows",
  async fn() {
    const mixed = await createScratchDatabase(dbUrl!, { bootstrap: true });
    const byCli = await createScratchDatabase(dbUrl!, { bootstrap: true });
    const sql = postgres(mixed.url, { max: 1, onnotice: () => {} });
    const reference = postgres(byCli.url, { max: 1, onnotice: () => {} });
    try {
      const migrations = await loadMigrations();
      const first = migrations.slice(0, 2);
      const { applied } = await applyMigrations(sql, first);
      assert.deepEqual(applied, first.map((m) => m.version));

      // The CLI continues where TypeScript stopped …
      const push = await supabaseDbPush(mixed.url);
      assert.equal(push.code, 0, push.output);
      for (const m of migrations.slice(2)) {
        assert.match(push.output, new RegExp(`Applying migration ${m.version}`));
      }
      assert.doesNotMatch(push.output, new RegExp(`Applying migration ${first[0]!.version}`));

      // … TypeScript finds nothing left, and the CLI agrees.
      assert.deepEqual((await applyMigrations(sql, migrations)).applied, []);
      const dryRun = await supabaseDbPush(mixed.url, { dryRun: true });
      assert.match(dryRun.output, /Remote database is up to date/);
      assert.equal(await readSchemaVersion(sql), latestVersion(migrations));

      // A database the CLI migrated alone: nothing pending for TypeScript, and identical history rows
      // (so TypeScript splits and records every file exactly as the CLI does).
      assert.equal((await supabaseDbPush(byCli.url)).code, 0);
      assert.deepEqual((await applyMigrations(reference, migrations, { dryRun: true })).applied, []);
      const history = (db: postgres.Sql) =>
        db`select version, name, statements from supabase_migrations.schema_migrations order by version`;
      assert.deepEqual([...await history(sql)], [...await history(reference)]);
    } finally {
      await sql.end();
      await reference.end();
      await mixed.drop();
      await byCli.drop();
    }
  },
});

Deno.test({
  name: "applyMigrations() rolls a failing migration back and names it without its SQL",
  async fn() {
    const scratch = await createScratchDatabase(dbUrl!);
    const sql = postgres(scratch.url, { max: 1, onnotice: () => {} });
    try {
      const migrations = [
        { version: "20200101000000", name: "good", statements: ["create table good (id int)"] },
        {
          version: "20200102000000",
          name: "bad",
          statements: ["create table half (id int)", "select secret_column_xyz from nowhere_table"],
        },
      ];
      await assert.rejects(applyMigrations(sql, migrations), (error: unknown) => {
        assert.ok(error instanceof MigrationError);
        assert.equal(error.version, "20200102000000");
        assert.equal(error.statement, 2);
        assert.equal(error.sqlState, "42P01");
        assert.doesNotMatch(error.message, /select secret_column_xyz/);
        return true;
      });
      assert.deepEqual(await readAppliedVersions(sql), ["20200101000000"]);
      const [half] = await sql`select to_regclass('public.half')::text as name`;
      assert.equal(half?.name, null);
    } finally {
      await sql.end();
      await scratch.drop();
    }
  },
});
