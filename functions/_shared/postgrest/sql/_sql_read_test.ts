import assert from "node:assert/strict";
import type { Catalog } from "../../catalog/catalog.ts";
import { render, type SqlStatement } from "./sql_fragment.ts";
import { readNodeSql } from "./_sql_read.ts";
import { planFor } from "../testdata/fixtures.ts";
import { SYNTHETIC_CATALOG } from "../testdata/synthetic.ts";

async function select(path: string, source?: Catalog): Promise<SqlStatement> {
  const plan = await planFor(
    path,
    {},
    source === undefined ? { aggregates: true } : { catalog: source, aggregates: true },
  );
  if (plan.kind !== "read") throw new Error("not a read");
  return render(readNodeSql(plan.root, { schema: plan.schema }));
}

const t0 = '"pgrst_t0"';
const t1 = '"pgrst_t1"';
const accounts = '"public"."accounts"';
const contacts = '"public"."contacts"';

Deno.test("readNodeSql() selects aliased outputs with casts, limit and offset", async () => {
  assert.deepEqual(await select("contacts?select=id,n:name::text,*&limit=10&offset=5"), {
    text:
      `SELECT ${t0}."id" AS "id", CAST(${t0}."name" AS text) AS "n", ${t0}.* FROM ${contacts} AS ${t0} LIMIT 10 OFFSET $1::int8`,
    params: [5],
  });
});

Deno.test("readNodeSql() quotes a hostile alias as an identifier", async () => {
  const { text } = await select(`contacts?select=${encodeURIComponent('"a\\" ; drop":name')}`);
  assert.equal(text, `SELECT ${t0}."name" AS "a"" ; drop" FROM ${contacts} AS ${t0}`);
});

Deno.test("readNodeSql() embeds to-one as row_to_json of a lateral subquery joined on the whole key", async () => {
  assert.equal(
    (await select("contacts?select=id,account:accounts(name)")).text,
    `SELECT ${t0}."id" AS "id", row_to_json("pgrst_e1".*) AS "account" FROM ${contacts} AS ${t0} LEFT JOIN LATERAL (SELECT ${t1}."name" AS "name" FROM ${accounts} AS ${t1} WHERE ${t1}."tenant_id" = ${t0}."tenant_id" AND ${t1}."id" = ${t0}."account_id") AS "pgrst_e1" ON TRUE`,
  );
});

Deno.test("readNodeSql() embeds to-many as json_agg, !inner keeping rows with a match", async () => {
  assert.deepEqual(
    await select(
      "accounts?select=id,contacts!inner(id)&contacts.email=eq.a@b.c&contacts.order=email&contacts.limit=2",
    ),
    {
      text:
        `SELECT ${t0}."id" AS "id", coalesce("pgrst_e1"."pgrst_agg", '[]') AS "contacts" FROM ${accounts} AS ${t0} INNER JOIN LATERAL (SELECT json_agg("pgrst_r1") AS "pgrst_agg" FROM (SELECT ${t1}."id" AS "id" FROM ${contacts} AS ${t1} WHERE ${t1}."tenant_id" = ${t0}."tenant_id" AND ${t1}."account_id" = ${t0}."id" AND ${t1}."email" = $1::text ORDER BY ${t1}."email" LIMIT 2) AS "pgrst_r1") AS "pgrst_e1" ON "pgrst_e1"."pgrst_agg" IS NOT NULL`,
      params: ["a@b.c"],
    },
  );
});

Deno.test("readNodeSql() joins an embed with an empty select list without outputting it", async () => {
  const { text } = await select("accounts?select=id,contacts!inner()");
  assert.match(text, /^SELECT "pgrst_t0"."id" AS "id" FROM .* INNER JOIN LATERAL/);
});

Deno.test("readNodeSql() spreads a to-one embed's columns and a to-many embed's as arrays", async () => {
  assert.match(
    (await select("contacts?select=id,...accounts(account_name:name)")).text,
    /^SELECT "pgrst_t0"."id" AS "id", "pgrst_e1".\* FROM/,
  );
  assert.match(
    (await select("accounts?select=id,...contacts(email)")).text,
    /coalesce\("pgrst_e1"."email", '\[\]'\) AS "email" .* LEFT JOIN LATERAL \(SELECT json_agg\("pgrst_r1"."email"\) AS "email" FROM/,
  );
});

Deno.test("readNodeSql() groups by the other outputs when a level aggregates", async () => {
  assert.equal(
    (await select("contacts?select=account_id,total:count()::int,name.count()")).text,
    `SELECT ${t0}."account_id" AS "account_id", CAST(count(*) AS int) AS "total", count(${t0}."name") AS "count" FROM ${contacts} AS ${t0} GROUP BY ${t0}."account_id"`,
  );
});

Deno.test("readNodeSql() orders by a to-one embed's column through a correlated subquery", async () => {
  assert.equal(
    (await select("contacts?select=id,account:accounts(name)&order=account(name).desc.nullslast")).text.split(
      " ORDER BY ",
    )[1],
    `(SELECT "pgrst_o0_0"."name" FROM ${accounts} AS "pgrst_o0_0" WHERE "pgrst_o0_0"."tenant_id" = ${t0}."tenant_id" AND "pgrst_o0_0"."id" = ${t0}."account_id") DESC NULLS LAST`,
  );
});

Deno.test("readNodeSql() embeds many-to-many through the junction", async () => {
  assert.equal(
    (await select("people?select=id,projects!memberships(name)", SYNTHETIC_CATALOG)).text,
    `SELECT ${t0}."id" AS "id", coalesce("pgrst_e1"."pgrst_agg", '[]') AS "projects" FROM "pgrst_synthetic"."people" AS ${t0} LEFT JOIN LATERAL (SELECT json_agg("pgrst_r1") AS "pgrst_agg" FROM (SELECT ${t1}."name" AS "name" FROM "pgrst_synthetic"."projects" AS ${t1} JOIN "pgrst_synthetic"."memberships" AS "pgrst_j1" ON "pgrst_j1"."project_id" = ${t1}."id" WHERE "pgrst_j1"."person_id" = ${t0}."id") AS "pgrst_r1") AS "pgrst_e1" ON TRUE`,
  );
});
