import assert from "node:assert/strict";
import { latestVersion, loadMigrations } from "./load_migrations.ts";

Deno.test("loadMigrations() reads the tenant-db migrations in version order with their statements", async () => {
  const migrations = await loadMigrations();
  assert.ok(migrations.length > 0);
  const versions = migrations.map((m) => m.version);
  assert.deepEqual(versions, [...versions].sort());
  assert.ok(migrations.every((m) => /^\d{14}$/.test(m.version) && m.statements.length > 0));
  assert.equal(latestVersion(migrations), versions.at(-1));
});

Deno.test("loadMigrations() skips files that are not <version>_<name>.sql", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/20200101000000_one.sql`, "select 1;");
    await Deno.writeTextFile(`${dir}/README.md`, "# not a migration");
    await Deno.writeTextFile(`${dir}/draft.sql`, "select 2;");
    const migrations = await loadMigrations(dir);
    assert.deepEqual(migrations, [{ version: "20200101000000", name: "one", statements: ["select 1"] }]);
    assert.equal(latestVersion([]), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
