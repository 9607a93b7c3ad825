import assert from "node:assert/strict";
import { render, type SqlStatement } from "./sql_fragment.ts";
import { mutationSql } from "./_sql_mutation.ts";
import { planFor, write } from "../testdata/fixtures.ts";

async function statement(path: string, init: RequestInit): Promise<SqlStatement> {
  const plan = await planFor(path, init);
  if (plan.kind === "read" || plan.kind === "call") throw new Error("not a write");
  return render(mutationSql(plan));
}

const t0 = '"pgrst_t0"';

Deno.test("mutationSql() inserts the body's columns from one json parameter", async () => {
  assert.deepEqual(await statement("contacts", write("POST", { name: "Ada", email: "a@b.c" })), {
    text:
      `INSERT INTO "public"."contacts" AS ${t0} ("name", "email") SELECT "pgrst_body"."name", "pgrst_body"."email" FROM json_to_record(CAST($1::text AS json)) AS "pgrst_body"("name" text, "email" text) RETURNING 1`,
    params: ['{"name":"Ada","email":"a@b.c"}'],
  });
});

Deno.test("mutationSql() returns the whole rows for a representation", async () => {
  const { text } = await statement("contacts", write("POST", [{ name: "a" }], "return=representation"));
  assert.match(text, /json_to_recordset\(.*\) RETURNING "pgrst_t0"\.\*$/);
});

Deno.test("mutationSql() upserts with ON CONFLICT on the completed unique key", async () => {
  const merge = await statement(
    "products?on_conflict=sku",
    write("POST", { sku: "S1", name: "W" }, "resolution=merge-duplicates"),
  );
  assert.match(
    merge.text,
    / ON CONFLICT \("tenant_id", "sku"\) DO UPDATE SET "sku" = EXCLUDED\."sku", "name" = EXCLUDED\."name" RETURNING \("pgrst_t0"\.xmax = 0\) AS "pgrst_inserted"$/,
  );
  const ignore = await statement(
    "products?on_conflict=sku",
    write("POST", [{ sku: "S1" }], "resolution=ignore-duplicates"),
  );
  assert.match(ignore.text, / ON CONFLICT \("tenant_id", "sku"\) DO NOTHING RETURNING 1$/);
  const empty = await statement("products", write("POST", {}, "resolution=merge-duplicates"));
  assert.equal(
    empty.text,
    `INSERT INTO "public"."products" AS ${t0} SELECT FROM (VALUES (1)) AS "pgrst_body" ON CONFLICT ("id") DO NOTHING RETURNING (${t0}.xmax = 0) AS "pgrst_inserted"`,
  );
});

Deno.test("mutationSql() updates from the body's one row, filtered", async () => {
  assert.deepEqual(await statement("contacts?id=eq.x", write("PATCH", { last_name: "Byron" })), {
    text:
      `UPDATE "public"."contacts" AS ${t0} SET "last_name" = "pgrst_body"."last_name" FROM json_to_record(CAST($1::text AS json)) AS "pgrst_body"("last_name" text) WHERE ${t0}."id" = CAST($2::text AS uuid) RETURNING 1`,
    params: ['{"last_name":"Byron"}', "x"],
  });
});

Deno.test("mutationSql() updates nothing for an empty body", async () => {
  assert.equal(
    (await statement("contacts?id=eq.x", write("PATCH", {}, "return=representation"))).text,
    `SELECT ${t0}.* FROM "public"."contacts" AS ${t0} WHERE FALSE`,
  );
});

Deno.test("mutationSql() limits an update or delete to the first rows by ctid", async () => {
  const update = await statement("contacts?order=name&limit=2", write("PATCH", { last_name: "B" }));
  assert.equal(
    update.text.split(" FROM ")[2]?.startsWith(
      `"public"."contacts" AS ${t0} ORDER BY ${t0}."name" LIMIT 2)`,
    ),
    true,
    update.text,
  );
  assert.match(update.text, /WHERE "pgrst_t0"\.ctid = "pgrst_affected"\."pgrst_ctid" RETURNING 1$/);
  const remove = await statement("contacts?name=eq.x&offset=1&limit=1", write("DELETE", undefined));
  assert.deepEqual(remove, {
    text:
      `DELETE FROM "public"."contacts" AS ${t0} USING (SELECT ${t0}.ctid AS "pgrst_ctid" FROM "public"."contacts" AS ${t0} WHERE ${t0}."name" = $1::text LIMIT 1 OFFSET $2::int8) AS "pgrst_affected" WHERE ${t0}.ctid = "pgrst_affected"."pgrst_ctid" RETURNING 1`,
    params: ["x", 1],
  });
});

Deno.test("mutationSql() deletes with the filters, or every visible row without", async () => {
  assert.equal(
    (await statement("contacts?id=in.(a,b)", write("DELETE", undefined))).text,
    `DELETE FROM "public"."contacts" AS ${t0} WHERE ${t0}."id" = ANY(CAST($1::text AS uuid[])) RETURNING 1`,
  );
  assert.equal(
    (await statement("contacts", write("DELETE", undefined))).text,
    `DELETE FROM "public"."contacts" AS ${t0} RETURNING 1`,
  );
});
