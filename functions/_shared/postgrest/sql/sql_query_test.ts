import assert from "node:assert/strict";
import { buildQuery } from "./sql_query.ts";
import { planFor, queryFor, write } from "../testdata/fixtures.ts";

Deno.test("buildQuery() aggregates a read in one pass into page_total, total_count and body", async () => {
  const query = await queryFor("contacts?select=id&limit=2");
  assert.deepEqual(query.statement, {
    text:
      `SELECT count(*)::int4 AS "page_total", NULL::int8 AS "total_count", coalesce(json_agg("pgrst_row"), '[]')` +
      '::text AS "body" FROM (SELECT "pgrst_t0"."id" AS "id" FROM "public"."contacts" AS "pgrst_t0" LIMIT 2) AS ' +
      '"pgrst_row"',
    params: [],
  });
  assert.deepEqual(
    [
      query.kind,
      query.readOnly,
      query.media,
      query.expectsSingle,
      query.returnsBody,
      query.countMode,
      query.offset,
    ],
    ["read", true, "json", false, true, null, 0],
  );
});

Deno.test("buildQuery() counts a read exactly without order, range or embedded JSON", async () => {
  const query = await queryFor(
    "accounts?select=id,contacts!inner(id)&contacts.email=eq.x&name=eq.y&order=name&offset=3&limit=2",
    { headers: { prefer: "count=exact" } },
  );
  const total = query.statement.text.split(' AS "page_total", ')[1]?.split(' AS "total_count"')[0];
  assert.equal(
    total,
    '(SELECT count(*) FROM "public"."accounts" AS "pgrst_t0" WHERE "pgrst_t0"."name" = $1::text AND EXISTS ' +
      '(SELECT 1 FROM "public"."contacts" AS "pgrst_t1" WHERE "pgrst_t1"."tenant_id" = "pgrst_t0"."tenant_id" ' +
      'AND "pgrst_t1"."account_id" = "pgrst_t0"."id" AND "pgrst_t1"."email" = $2::text))::int8',
  );
  assert.deepEqual([query.countMode, query.offset], ["exact", 3]);
});

Deno.test("buildQuery() answers count=planned and count=estimated exactly", async () => {
  for (const count of ["planned", "estimated"]) {
    const query = await queryFor("contacts?select=id", { headers: { prefer: `count=${count}` } });
    assert.equal(query.countMode, "exact");
    assert.match(query.statement.text, /\(SELECT count\(\*\) FROM "public"."contacts" AS "pgrst_t0"\)::int8/);
  }
});

Deno.test("buildQuery() counts the groups of an aggregating read", async () => {
  const query = await queryFor("contacts?select=account_id,count()", { headers: { prefer: "count=exact" } }, {
    aggregates: true,
  });
  assert.match(
    query.statement.text,
    /\(SELECT count\(\*\) FROM \(SELECT .* GROUP BY "pgrst_t0"."account_id"\) AS "pgrst_count"\)::int8/,
  );
});

Deno.test("buildQuery() builds no body for HEAD", async () => {
  const query = await queryFor("contacts", { method: "HEAD" });
  assert.match(query.statement.text, /NULL::text AS "body" FROM \(/);
  const csv = await queryFor("contacts", { method: "HEAD", headers: { accept: "text/csv" } });
  assert.match(csv.statement.text, /NULL::text AS "body"$/);
  assert.equal(query.returnsBody, false);
});

Deno.test("buildQuery() builds a single object, stripped nulls and CSV bodies", async () => {
  const single = await queryFor("contacts", { headers: { accept: "application/vnd.pgrst.object+json" } });
  assert.match(single.statement.text, /coalesce\(json_agg\("pgrst_row"\)->0, 'null'\)/);
  assert.equal(single.expectsSingle, true);
  const stripped = await queryFor("contacts", {
    headers: { accept: "application/vnd.pgrst.array+json;nulls=stripped" },
  });
  assert.match(stripped.statement.text, /coalesce\(json_strip_nulls\(json_agg\("pgrst_row"\)\), '\[\]'\)/);
  const csv = await queryFor("contacts", { headers: { accept: "text/csv" } });
  assert.match(
    csv.statement.text,
    /string_agg\(substring\("pgrst_row"::text, 2, length\("pgrst_row"::text\) - 2\), chr\(10\)\)/,
  );
  assert.equal(csv.media, "csv");
});

Deno.test("buildQuery() puts a write in pgrst_source and its representation in pgrst_page", async () => {
  const query = await queryFor(
    "contacts?select=id,account:accounts(name)",
    write("POST", { name: "a" }, "return=representation,count=exact"),
  );
  assert.match(
    query.statement.text,
    /^WITH "pgrst_source" AS \(INSERT INTO .* RETURNING "pgrst_t0"\.\*\), "pgrst_page" AS \(SELECT "pgrst_t0"\."id" AS "id", row_to_json\("pgrst_e1"\.\*\) AS "account" FROM "pgrst_source" AS "pgrst_t0" LEFT JOIN LATERAL/,
  );
  assert.match(
    query.statement.text,
    /\(SELECT count\(\*\) FROM "pgrst_source"\)::int8 AS "total_count", \(SELECT coalesce\(json_agg\("pgrst_row"\), '\[\]'\) FROM "pgrst_page" AS "pgrst_row"\)::text AS "body"$/,
  );
  assert.deepEqual([query.kind, query.readOnly, query.returnsBody, query.countMode], [
    "insert",
    false,
    true,
    "exact",
  ]);
});

Deno.test("buildQuery() returns no body for return=minimal and headers-only", async () => {
  for (const prefer of ["", "return=minimal", "return=headers-only"]) {
    const query = await queryFor("contacts?id=eq.x", write("DELETE", undefined, prefer));
    assert.match(query.statement.text, /RETURNING 1\) SELECT .* NULL::text AS "body"$/);
    assert.deepEqual([query.kind, query.returnsBody], ["delete", false]);
  }
});

Deno.test("buildQuery() passes max-affected on to the executor", async () => {
  const plan = await planFor(
    "contacts?id=eq.x",
    write("PATCH", { name: "a" }, "handling=strict,max-affected=3"),
  );
  assert.equal(buildQuery(plan).maxAffected, 3);
});

const HOSTILE = [
  "x'; drop table contacts; --",
  'x"; drop table contacts; --',
  "x\\'; drop table contacts; --",
  "x$1; drop table contacts /*",
  "x*/; drop table contacts; select '",
  "x\u0000; drop table contacts",
  "Ünïcødé 🚀; drop table contacts",
  "x\n; drop table contacts;\r\n--",
];

for (const [index, value] of HOSTILE.entries()) {
  Deno.test(`buildQuery() keeps hostile value #${index + 1} in the parameters, never in the text`, async () => {
    const v = encodeURIComponent(value);
    const requests: [string, RequestInit][] = [
      [`contacts?name=eq.${v}`, {}],
      [`contacts?name=like.${v}`, {}],
      [`contacts?id=in.(${v},"${v}")`, {}],
      [`contacts?tags=cs.{${v}}`, {}],
      [`contacts?name=isdistinct.${v}`, {}],
      [`contacts?name=eq(any).{${v}}`, {}],
      [`notes?body=wfts(english).${v}`, {}],
      [`contacts?or=(name.eq."${v.replaceAll("%22", "%5C%22")}",email.neq.x)`, {}],
      [`accounts?select=id,address->>${encodeURIComponent(JSON.stringify(value))}`, {}],
      [`accounts?address->${encodeURIComponent(JSON.stringify(value))}=eq.1`, {}],
      [`accounts?order=address->>${encodeURIComponent(JSON.stringify(value))}`, {}],
      [`accounts?select=id,contacts(id)&contacts.name=eq.${v}`, {}],
      ["contacts", write("POST", { name: value, tags: [value] })],
      [
        "contacts?columns=name&select=id",
        write("POST", [{ name: value }], "missing=default,return=representation"),
      ],
      [`contacts?name=eq.${v}`, write("PATCH", { name: value })],
      [`contacts?name=eq.${v}&limit=1`, write("DELETE", undefined)],
    ];
    for (const [path, init] of requests) {
      const { statement } = await queryFor(path, init);
      // Output names (a JSON key without alias names its output) are quoted identifiers; nothing else.
      const code = statement.text.replaceAll(/"(?:[^"]|"")*"/g, '""');
      assert.ok(!code.includes("drop table"), `${path}: ${statement.text}`);
      assert.ok(!statement.text.includes("\u0000"), path);
      assert.ok(
        statement.params.some((param) => typeof param === "string" && param.includes("drop table")),
        `${path}: the value is a parameter`,
      );
    }
  });
}
