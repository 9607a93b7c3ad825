import assert from "node:assert/strict";
import { mapDatabaseError } from "./database_error.ts";

function serverError(fields: { code: string; message: string; constraint_name?: string }): Error {
  return Object.assign(new Error(fields.message), { name: "PostgresError", ...fields });
}

const cases: [string, Parameters<typeof serverError>[0], string, number][] = [
  [
    "a taken slug",
    { code: "23505", message: "duplicate", constraint_name: "tenants_slug_key" },
    "TR630",
    409,
  ],
  [
    "a second default data source",
    { code: "23505", message: "dup", constraint_name: "data_sources_one_default_idx" },
    "TR633",
    409,
  ],
  [
    "a data source still referenced",
    { code: "23503", message: "fk", constraint_name: "tenants_data_source_id_fkey" },
    "TR631",
    409,
  ],
  [
    "a bad slug caught by the CHECK",
    { code: "23514", message: "check", constraint_name: "tenants_slug_format" },
    "TR600",
    400,
  ],
  [
    "the last owner leaving",
    { code: "23514", message: "Tenant 1 must keep at least one owner" },
    "TR632",
    409,
  ],
  [
    "a secret sealed with a key that is not active",
    { code: "23514", message: "Data source secrets must be encrypted with the active key, not k1" },
    "TR634",
    409,
  ],
  ["an RLS refusal", { code: "42501", message: "new row violates row-level security policy" }, "TR612", 403],
  ["a serialization failure", { code: "40001", message: "could not serialize" }, "TR633", 409],
];

for (const [name, fields, code, status] of cases) {
  Deno.test(`mapDatabaseError() maps ${name} to ${code}`, () => {
    const mapped = mapDatabaseError(serverError(fields));
    assert.equal(mapped?.code, code);
    assert.equal(mapped?.status, status);
  });
}

Deno.test("mapDatabaseError() names the field of a CHECK that mirrors a request field", () => {
  const mapped = mapDatabaseError(
    serverError({ code: "23514", message: "x", constraint_name: "data_sources_pool_max_range" }),
  );
  assert.deepEqual(mapped?.details, [{ path: "pool_max", message: "Must be between 1 and 100" }]);
});

Deno.test("mapDatabaseError() leaves unforeseen errors alone", () => {
  assert.equal(mapDatabaseError(serverError({ code: "XX000", message: "internal" })), undefined);
  assert.equal(mapDatabaseError(new TypeError("not a server error")), undefined);
  assert.equal(mapDatabaseError("text"), undefined);
});
