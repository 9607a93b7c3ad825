import assert from "node:assert/strict";
import { findColumn, findTable } from "./catalog.ts";
import { catalog } from "../postgrest/testdata/fixtures.ts";

Deno.test("findTable() finds a table of the snapshot by exact name", () => {
  assert.equal(findTable(catalog, "contacts")?.name, "contacts");
  assert.equal(findTable(catalog, "Contacts"), undefined);
  assert.equal(findTable(catalog, "__proto__"), undefined);
});

Deno.test("findColumn() finds a column with its catalog types", () => {
  const accounts = findTable(catalog, "accounts");
  assert.ok(accounts);
  const revenue = findColumn(accounts, "annual_revenue");
  assert.deepEqual([revenue?.type, revenue?.valueType], ["numeric(16,2)", "numeric"]);
  assert.equal(findColumn(accounts, "nope"), undefined);
});

Deno.test("the catalog snapshot is plain JSON that survives a round trip", () => {
  assert.deepEqual(JSON.parse(JSON.stringify(catalog)), catalog);
});
