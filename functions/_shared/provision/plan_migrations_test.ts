import assert from "node:assert/strict";
import { MigrationHistoryError, planMigrations } from "./plan_migrations.ts";

Deno.test("planMigrations() returns every local version for an empty database", () => {
  assert.deepEqual(planMigrations(["1", "2"], []), ["1", "2"]);
});

Deno.test("planMigrations() returns the versions after the applied ones", () => {
  assert.deepEqual(planMigrations(["1", "2", "3"], ["1", "2"]), ["3"]);
  assert.deepEqual(planMigrations(["1", "2"], ["1", "2"]), []);
});

Deno.test("planMigrations() refuses a database with versions the folder lacks", () => {
  assert.throws(() => planMigrations(["1"], ["1", "9"]), (error: unknown) => {
    assert.ok(error instanceof MigrationHistoryError);
    assert.deepEqual(error.versions, ["9"]);
    return true;
  });
});

Deno.test("planMigrations() refuses a local version older than the newest applied one", () => {
  assert.throws(() => planMigrations(["1", "2", "3"], ["1", "3"]), /older than the newest one applied.*: 2$/);
});
