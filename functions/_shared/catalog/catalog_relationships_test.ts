import assert from "node:assert/strict";
import { relationshipsFrom } from "./catalog_relationships.ts";
import type { Relationship } from "../postgrest/plan/plan.ts";
import { catalog } from "../postgrest/testdata/fixtures.ts";
import { SYNTHETIC_CATALOG } from "../postgrest/testdata/synthetic.ts";

function summary(rels: Relationship[]): string[] {
  return rels.map((rel) =>
    `${rel.cardinality} ${rel.foreignTable} ${rel.constraint} ${
      rel.keyColumns.map((p) => p.join("=")).join(",")
    }`
  );
}

Deno.test("relationshipsFrom() treats a composite tenant foreign key as its key column, joined on both", () => {
  const [rel] = relationshipsFrom(catalog, "contacts").filter((r) => r.foreignTable === "accounts");
  assert.deepEqual(rel, {
    table: "contacts",
    foreignTable: "accounts",
    cardinality: "many-to-one",
    constraint: "contacts_account_id_fkey",
    columns: [["tenant_id", "tenant_id"], ["account_id", "id"]],
    keyColumns: [["account_id", "id"]],
    referencing: "table",
    junction: null,
  });
});

Deno.test("relationshipsFrom() sees the referencing side as one-to-many", () => {
  const rels = relationshipsFrom(catalog, "accounts");
  const contacts = rels.find((r) => r.foreignTable === "contacts");
  assert.equal(contacts?.cardinality, "one-to-many");
  assert.deepEqual(contacts?.columns, [["tenant_id", "tenant_id"], ["id", "account_id"]]);
  assert.equal(contacts?.referencing, "foreignTable");
  // accounts is referenced by contacts, opportunities, events, tasks, notes, activities, documents.
  assert.equal(rels.length, 7);
});

Deno.test("relationshipsFrom() keeps every column when no scope column is configured", () => {
  const rel = relationshipsFrom(catalog, "contacts", { scopeColumns: [] }).find((r) =>
    r.foreignTable === "accounts"
  );
  assert.deepEqual(rel?.keyColumns, [["tenant_id", "tenant_id"], ["account_id", "id"]]);
});

Deno.test("relationshipsFrom() finds one-to-one and many-to-many relationships", () => {
  assert.deepEqual(summary(relationshipsFrom(SYNTHETIC_CATALOG, "people")), [
    "one-to-many memberships memberships_person_id_fkey id=person_id",
    "many-to-many projects memberships ",
    "one-to-one profiles profiles_person_id_fkey id=person_id",
    "one-to-many projects projects_owner_id_fkey id=owner_id",
    "one-to-many projects projects_reviewer_id_fkey id=reviewer_id",
  ]);
  const m2m = relationshipsFrom(SYNTHETIC_CATALOG, "people").find((r) => r.junction !== null);
  assert.deepEqual(m2m?.junction, {
    table: "memberships",
    originConstraint: "memberships_person_id_fkey",
    targetConstraint: "memberships_project_id_fkey",
    originColumns: [["id", "person_id"]],
    targetColumns: [["project_id", "id"]],
  });
  assert.deepEqual(summary(relationshipsFrom(SYNTHETIC_CATALOG, "profiles")), [
    "one-to-one people profiles_person_id_fkey person_id=id",
  ]);
});
