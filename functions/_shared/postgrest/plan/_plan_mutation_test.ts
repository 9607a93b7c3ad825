import assert from "node:assert/strict";
import { findTable } from "../../catalog/catalog.ts";
import type { MutatePlan } from "./plan.ts";
import { planMutation } from "./_plan_mutation.ts";
import { apiRequest, catalog, write } from "../testdata/fixtures.ts";

async function mutation(path: string, init: RequestInit): Promise<MutatePlan> {
  const request = await apiRequest(path, init);
  const table = findTable(catalog, request.resource.name);
  assert.ok(table);
  return planMutation(request, catalog, { table });
}

Deno.test("planMutation() plans an insert of an object's keys, typed from the catalog", async () => {
  const plan = await mutation("contacts", write("POST", { name: "Ada", tags: ["x"] }));
  assert.equal(plan.kind, "insert");
  assert.deepEqual(plan.kind === "insert" && plan.columns, [
    { name: "name", type: "text", default: null },
    { name: "tags", type: "text[]", default: null },
  ]);
  assert.deepEqual(plan.kind === "insert" && plan.body, {
    kind: "object",
    raw: '{"name":"Ada","tags":["x"]}',
  });
  assert.deepEqual([plan.returning, plan.count, plan.media, plan.onConflict ?? null], [
    null,
    null,
    "json",
    null,
  ]);
});

Deno.test("planMutation() takes columns= as the keys and defaults with missing=default", async () => {
  const plan = await mutation(
    "contacts?columns=name,tags,name",
    write("POST", [{ name: "A" }, { tags: ["t"] }], "missing=default"),
  );
  assert.deepEqual(plan.kind === "insert" && plan.columns, [
    { name: "name", type: "text", default: null },
    { name: "tags", type: "text[]", default: "'{}'::text[]" },
  ]);
  assert.equal(plan.kind === "insert" && plan.body.kind, "array");
});

Deno.test("planMutation() upserts on the primary key by default", async () => {
  const plan = await mutation(
    "products",
    write("POST", { id: "x", name: "W" }, "resolution=merge-duplicates"),
  );
  assert.deepEqual(plan.kind === "insert" && plan.onConflict, {
    columns: ["id"],
    resolution: "merge-duplicates",
  });
});

Deno.test("planMutation() completes on_conflict with the scope column of the unique key", async () => {
  const plan = await mutation(
    "products?on_conflict=sku",
    write("POST", [{ sku: "S1" }], "resolution=ignore-duplicates"),
  );
  assert.deepEqual(plan.kind === "insert" && plan.onConflict, {
    columns: ["tenant_id", "sku"],
    resolution: "ignore-duplicates",
  });
  const exact = await mutation(
    "contacts?on_conflict=tenant_id,email",
    write("POST", {}, "resolution=merge-duplicates"),
  );
  assert.deepEqual(exact.kind === "insert" && exact.onConflict?.columns, ["tenant_id", "email"]);
});

Deno.test("planMutation() leaves an on_conflict that names no unique key to the database", async () => {
  const plan = await mutation("products?on_conflict=name", write("POST", {}, "resolution=merge-duplicates"));
  assert.deepEqual(plan.kind === "insert" && plan.onConflict?.columns, ["name"]);
});

Deno.test("planMutation() ignores on_conflict without resolution, as PostgREST", async () => {
  const plan = await mutation("products?on_conflict=sku", write("POST", { sku: "a" }));
  assert.equal(plan.kind === "insert" && plan.onConflict, null);
});

Deno.test("planMutation() plans an update with its filters, order and range", async () => {
  const plan = await mutation(
    "contacts?account_id=is.null&order=name&limit=5&select=id",
    write("PATCH", { last_name: "B" }, "return=representation,count=exact"),
  );
  assert.equal(plan.kind, "update");
  if (plan.kind !== "update") return;
  assert.deepEqual(plan.where.map((c) => c.kind === "filter" && c.field.column), ["account_id"]);
  assert.deepEqual([plan.order.length, plan.range, plan.count], [1, { offset: 0, limit: 5 }, "exact"]);
  assert.deepEqual(plan.returning?.where, []);
  assert.deepEqual(plan.returning?.range, { offset: 0, limit: null });
});

Deno.test("planMutation() allows a delete without filters (it affects every row RLS shows)", async () => {
  const plan = await mutation("contacts", write("DELETE", undefined));
  assert.deepEqual(plan.kind === "delete" && [plan.where, plan.range], [[], { offset: 0, limit: null }]);
});

Deno.test("planMutation() keeps embedded filters for the representation and drops a POST's root filters", async () => {
  const plan = await mutation(
    "contacts?select=id,account:accounts(name)&account.name=eq.x&name=eq.ignored",
    write("POST", { name: "a" }, "return=representation"),
  );
  const returning = plan.returning;
  assert.ok(returning);
  assert.deepEqual(returning.where, []);
  const embed = returning.select[1];
  assert.equal(embed?.kind === "embed" && embed.embed.node.where.length, 1);
});

Deno.test("planMutation() honours max-affected only with handling=strict", async () => {
  const strict = await mutation(
    "contacts?id=eq.x",
    write("DELETE", undefined, "handling=strict, max-affected=1"),
  );
  assert.equal(strict.maxAffected, 1);
  const lenient = await mutation("contacts?id=eq.x", write("DELETE", undefined, "max-affected=1"));
  assert.equal(lenient.maxAffected, null);
});

Deno.test("planMutation() never plans generated columns' defaults", async () => {
  const people = {
    ...catalog,
    tables: catalog.tables.map((t) =>
      t.name === "contacts"
        ? {
          ...t,
          columns: t.columns.map((c) => c.name === "name" ? { ...c, generated: true, default: "x" } : c),
        }
        : t
    ),
  };
  const request = await apiRequest("contacts?columns=name", write("POST", [{}], "missing=default"));
  const table = findTable(people, "contacts");
  assert.ok(table);
  const plan = planMutation(request, people, { table });
  assert.deepEqual(plan.kind === "insert" && plan.columns.map((c) => c.default), [null]);
});
