import assert from "node:assert/strict";
import { computedFields, findColumn, findTable, takesRowOf } from "./catalog.ts";
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

Deno.test("computedFields() are the functions of one row returning one value", () => {
  assert.deepEqual(computedFields(catalog, "opportunities"), [{ name: "weighted_amount", type: "numeric" }]);
  assert.deepEqual(
    computedFields(catalog, "accounts"),
    [],
    "set-returning functions of accounts are relationships",
  );
});

Deno.test("takesRowOf() accepts the row type spelled either way, and only as the one parameter", () => {
  const fn = (...types: string[]) => ({
    name: "f",
    parameters: types.map((type) => ({ name: "", type, hasDefault: false, variadic: false })),
    returns: { setOf: false, kind: "scalar" as const, type: "text", table: null, columns: [], rows: 0 },
    volatility: "stable" as const,
    securityDefiner: false,
    grantedToAuthenticated: true,
  });
  assert.ok(takesRowOf(fn("public.accounts"), "public", "accounts"));
  assert.ok(takesRowOf(fn('public."user"'), "public", "user"), "a keyword is quoted by format_type");
  assert.ok(!takesRowOf(fn("public.accounts"), "public", "contacts"));
  assert.ok(!takesRowOf(fn("public.accounts", "integer"), "public", "accounts"));
  assert.ok(!takesRowOf(fn(), "public", "accounts"));
});
