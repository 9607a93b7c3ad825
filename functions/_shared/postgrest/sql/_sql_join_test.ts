import assert from "node:assert/strict";
import { relationshipsFrom } from "../../catalog/catalog_relationships.ts";
import { ident, join, render, sql } from "./sql_fragment.ts";
import { joinSql } from "./_sql_join.ts";
import { catalog } from "../testdata/fixtures.ts";
import { SYNTHETIC_CATALOG } from "../testdata/synthetic.ts";

const aliases = { parent: ident("pgrst_t0"), alias: ident("pgrst_t1"), junction: ident("pgrst_j1") };

Deno.test("joinSql() joins a composite foreign key on all its columns", () => {
  const rel = relationshipsFrom(catalog, "contacts").find((r) => r.foreignTable === "accounts");
  assert.ok(rel);
  const joined = joinSql(rel, { schema: "public", ...aliases });
  assert.equal(render(joined.from).text, '"public"."accounts" AS "pgrst_t1"');
  assert.equal(
    render(join(joined.conditions, sql` AND `)).text,
    '"pgrst_t1"."tenant_id" = "pgrst_t0"."tenant_id" AND "pgrst_t1"."id" = "pgrst_t0"."account_id"',
  );
});

Deno.test("joinSql() joins the other way for one-to-many", () => {
  const rel = relationshipsFrom(catalog, "accounts").find((r) => r.foreignTable === "contacts");
  assert.ok(rel);
  assert.equal(
    render(join(joinSql(rel, { schema: "public", ...aliases }).conditions, sql` AND `)).text,
    '"pgrst_t1"."tenant_id" = "pgrst_t0"."tenant_id" AND "pgrst_t1"."account_id" = "pgrst_t0"."id"',
  );
});

Deno.test("joinSql() goes through the junction table for many-to-many", () => {
  const rel = relationshipsFrom(SYNTHETIC_CATALOG, "people").find((r) => r.junction !== null);
  assert.ok(rel);
  const joined = joinSql(rel, { schema: "s", ...aliases });
  assert.equal(
    render(joined.from).text,
    '"s"."projects" AS "pgrst_t1" JOIN "s"."memberships" AS "pgrst_j1" ON "pgrst_j1"."project_id" = "pgrst_t1"."id"',
  );
  assert.equal(render(join(joined.conditions, sql` AND `)).text, '"pgrst_j1"."person_id" = "pgrst_t0"."id"');
});
