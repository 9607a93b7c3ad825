import assert from "node:assert/strict";
import { relationshipsFrom } from "./catalog_relationships.ts";
import type { Relationship } from "../postgrest/plan/plan.ts";
import { catalog as snapshot } from "../postgrest/testdata/fixtures.ts";
import { SYNTHETIC_CATALOG } from "../postgrest/testdata/synthetic.ts";

/** The tenant schema's tables only: relationships through its views are tested on their own below. */
const catalog = { ...snapshot, tables: snapshot.tables.filter((table) => table.kind === "table") };

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
    function: null,
  });
});

Deno.test("relationshipsFrom() sees the referencing side as one-to-many", () => {
  const rels = relationshipsFrom(catalog, "accounts");
  const contacts = rels.find((r) => r.foreignTable === "contacts");
  assert.equal(contacts?.cardinality, "one-to-many");
  assert.deepEqual(contacts?.columns, [["tenant_id", "tenant_id"], ["id", "account_id"]]);
  assert.equal(contacts?.referencing, "foreignTable");
  // Referenced by contacts, opportunities, events, tasks, notes, activities, documents; its parent key gives
  // two (parent, children); two computed relationships.
  assert.equal(rels.length, 11);
});

Deno.test("relationshipsFrom() gives a foreign key of a table to itself both ways", () => {
  const self = relationshipsFrom(catalog, "accounts").filter((r) =>
    r.foreignTable === "accounts" && !r.function
  );
  assert.deepEqual(self.map((r) => [r.cardinality, r.keyColumns]), [
    ["many-to-one", [["parent_account_id", "id"]]],
    ["one-to-many", [["id", "parent_account_id"]]],
  ]);
});

Deno.test("relationshipsFrom() finds computed relationships: functions of the row returning rows", () => {
  const computed = relationshipsFrom(catalog, "accounts").filter((r) => r.function !== null);
  assert.deepEqual(computed.map((r) => [r.function, r.foreignTable, r.cardinality, r.columns]), [
    ["primary_contact", "contacts", "many-to-one", []], // setof … rows 1: one object
    ["subsidiaries", "accounts", "one-to-many", []],
  ]);
  assert.deepEqual(
    relationshipsFrom(catalog, "contacts").filter((r) => r.function !== null),
    [],
    "a function of another table's row is not a relationship of this one",
  );
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

Deno.test("relationshipsFrom() infers relationships through a view from the table columns it shows", () => {
  assert.deepEqual(summary(relationshipsFrom(snapshot, "open_opportunities")), [
    "one-to-many activities activities_opportunity_id_fkey id=opportunity_id",
    "one-to-many documents documents_opportunity_id_fkey id=opportunity_id",
    "one-to-many events events_opportunity_id_fkey id=opportunity_id",
    "one-to-many notes notes_opportunity_id_fkey id=opportunity_id",
    "many-to-one accounts opportunities_account_id_fkey account_id=id",
    "many-to-one contacts opportunities_primary_contact_id_fkey primary_contact_id=id",
    "many-to-one pipeline_stages opportunities_stage_id_fkey stage_id=id",
    "one-to-many opportunity_line_items opportunity_line_items_opportunity_id_fkey id=opportunity_id",
    "one-to-many tasks tasks_opportunity_id_fkey id=opportunity_id",
  ]);
  const toView = relationshipsFrom(snapshot, "accounts").filter((r) =>
    r.foreignTable === "open_opportunities"
  );
  assert.deepEqual(summary(toView), [
    "one-to-many open_opportunities opportunities_account_id_fkey id=account_id",
  ]);
  const lineItems = relationshipsFrom(snapshot, "open_opportunities")
    .filter((r) => r.foreignTable === "opportunity_line_items");
  assert.deepEqual(lineItems.map((r) => r.columns), [[["tenant_id", "tenant_id"], ["id", "opportunity_id"]]]);
});
