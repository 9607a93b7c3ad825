import assert from "node:assert/strict";
import type { Catalog } from "../../catalog/catalog.ts";
import { PostgrestError } from "../../errors/postgrest_error.ts";
import { findRelationship } from "./plan_relationship.ts";
import { catalog as snapshot } from "../testdata/fixtures.ts";
import { SYNTHETIC_CATALOG } from "../testdata/synthetic.ts";

/** The tenant schema's tables only: relationships through its views are tested on their own below. */
const catalog = { ...snapshot, tables: snapshot.tables.filter((table) => table.kind === "table") };

const found: [from: string, target: string, hint: string | null, expected: string, source?: Catalog][] = [
  ["contacts", "accounts", null, "many-to-one contacts_account_id_fkey"],
  ["accounts", "contacts", null, "one-to-many contacts_account_id_fkey"],
  ["events", "venues", "events_venue_id_fkey", "many-to-one events_venue_id_fkey"],
  ["events", "venues", "venue_id", "many-to-one events_venue_id_fkey"],
  ["events", "venues", "id", "many-to-one events_venue_id_fkey"],
  ["accounts", "contacts", "account_id", "one-to-many contacts_account_id_fkey"],
  ["events", "venue_id", null, "many-to-one events_venue_id_fkey"],
  ["accounts", "contacts_account_id_fkey", null, "one-to-many contacts_account_id_fkey"],
  ["projects", "people", "projects_owner_id_fkey", "many-to-one projects_owner_id_fkey", SYNTHETIC_CATALOG],
  ["projects", "people", "reviewer_id", "many-to-one projects_reviewer_id_fkey", SYNTHETIC_CATALOG],
  ["projects", "owner_id", null, "many-to-one projects_owner_id_fkey", SYNTHETIC_CATALOG],
  ["people", "projects", "memberships", "many-to-many memberships", SYNTHETIC_CATALOG],
  ["people", "projects", "owner_id", "one-to-many projects_owner_id_fkey", SYNTHETIC_CATALOG],
  ["people", "profiles", null, "one-to-one profiles_person_id_fkey", SYNTHETIC_CATALOG],
  ["profiles", "people", null, "one-to-one profiles_person_id_fkey", SYNTHETIC_CATALOG],
  // A self-relationship as PostgREST resolves it: the table is the children, the key column the parent.
  ["accounts", "accounts", null, "one-to-many accounts_parent_account_id_fkey"],
  ["accounts", "parent_account_id", null, "many-to-one accounts_parent_account_id_fkey"],
  ["accounts", "accounts", "parent_account_id", "one-to-many accounts_parent_account_id_fkey"],
  // Computed relationships, by their function's name.
  ["accounts", "subsidiaries", null, "one-to-many subsidiaries"],
  ["accounts", "primary_contact", null, "many-to-one primary_contact"],
];

for (const [from, target, hint, expected, source = catalog] of found) {
  Deno.test(`findRelationship() resolves ${from} → ${target}${hint === null ? "" : `!${hint}`} to ${expected}`, () => {
    const rel = findRelationship(source, { from, target, hint });
    assert.equal(`${rel.cardinality} ${rel.constraint}`, expected);
  });
}

for (
  const [target, hint] of [
    ["accounts", "accounts_parent_account_id_fkey"],
    ["accounts", "id"],
    ["parent_account_id", "parent_account_id"],
    ["accounts_parent_account_id_fkey", null],
  ] as const
) {
  Deno.test(`findRelationship() finds no self-relationship for accounts → ${target}${hint ? `!${hint}` : ""}`, () => {
    assert.equal(fails(catalog, { from: "accounts", target, hint }).code, "PGRST200");
  });
}

Deno.test("findRelationship() with a hint wants the embedded table as target, as PostgREST", () => {
  assert.equal(
    fails(catalog, { from: "events", target: "venue_id", hint: "events_venue_id_fkey" }).code,
    "PGRST200",
  );
});

function fails(
  source: Catalog,
  options: { from: string; target: string; hint: string | null },
): PostgrestError {
  try {
    findRelationship(source, options);
  } catch (err) {
    assert.ok(err instanceof PostgrestError);
    return err;
  }
  assert.fail("expected an error");
}

Deno.test("findRelationship() answers PGRST200 with PostgREST's message, details and a close name", () => {
  const err = fails(catalog, { from: "events", target: "venue", hint: null });
  assert.deepEqual(err.toJSON(), {
    code: "PGRST200",
    message: "Could not find a relationship between 'events' and 'venue' in the schema cache",
    details:
      "Searched for a foreign key relationship between 'events' and 'venue' in the schema 'public', but no matches were found.",
    hint: "Perhaps you meant 'venues' instead of 'venue'.",
  });
  assert.equal(err.status, 400);
});

Deno.test("findRelationship() answers PGRST200 naming a hint that matches nothing", () => {
  const err = fails(catalog, { from: "events", target: "venues", hint: "events_account_id_fkey" });
  assert.equal(err.code, "PGRST200");
  assert.match(err.details ?? "", /using the hint 'events_account_id_fkey'/);
  assert.equal(err.hint, null);
});

Deno.test("findRelationship() answers PGRST200 for tables without a foreign key between them", () => {
  assert.equal(fails(catalog, { from: "venues", target: "products", hint: null }).code, "PGRST200");
  assert.equal(fails(catalog, { from: "venues", target: "nope", hint: null }).code, "PGRST200");
});

Deno.test("findRelationship() answers PGRST201 (300) listing every candidate and the hints that pick it", () => {
  const err = fails(SYNTHETIC_CATALOG, { from: "projects", target: "people", hint: null });
  assert.equal(err.status, 300);
  assert.equal(
    err.message,
    "Could not embed because more than one relationship was found for 'projects' and 'people'",
  );
  assert.deepEqual(err.toJSON().details, [
    {
      cardinality: "many-to-many",
      embedding: "projects with people",
      relationship:
        "memberships using memberships_project_id_fkey(project_id) and memberships_person_id_fkey(person_id)",
    },
    {
      cardinality: "many-to-one",
      embedding: "projects with people",
      relationship: "projects_owner_id_fkey using projects(owner_id) and people(id)",
    },
    {
      cardinality: "many-to-one",
      embedding: "projects with people",
      relationship: "projects_reviewer_id_fkey using projects(reviewer_id) and people(id)",
    },
  ]);
  assert.equal(
    err.hint,
    "Try changing 'people' to one of the following: 'people!memberships', 'people!projects_owner_id_fkey', " +
      "'people!projects_reviewer_id_fkey'. Find the desired relationship in the 'details' key.",
  );
});

Deno.test("findRelationship() stays ambiguous for a hint both candidates share", () => {
  // "id" is the referenced column of both foreign keys from projects to people.
  assert.equal(fails(SYNTHETIC_CATALOG, { from: "projects", target: "people", hint: "id" }).code, "PGRST201");
});
