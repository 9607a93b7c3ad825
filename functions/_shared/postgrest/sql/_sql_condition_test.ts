import assert from "node:assert/strict";
import { conditionSql, existsSql, restrictionsSql, whereSql } from "./_sql_condition.ts";
import { ident, join, render, sql, type SqlStatement } from "./sql_fragment.ts";
import { planFor } from "../testdata/fixtures.ts";

async function where(path: string): Promise<SqlStatement> {
  const plan = await planFor(path);
  assert.equal(plan.kind, "read");
  if (plan.kind !== "read") throw new Error("not a read");
  const alias = ident("pgrst_t0");
  return render(join(plan.root.where.map((c) => conditionSql(c, { schema: "public", alias })), sql` AND `));
}

const t = '"pgrst_t0"';
const cases: [query: string, text: string, params: unknown[]][] = [
  ["id=eq.x", `${t}."id" = CAST($1::text AS uuid)`, ["x"]],
  ["name=neq.x", `${t}."name" <> $1::text`, ["x"]],
  ["employee_count=gt.10", `${t}."employee_count" > CAST($1::text AS integer)`, ["10"]],
  ["annual_revenue=gte.10.005", `${t}."annual_revenue" >= CAST($1::text AS numeric)`, ["10.005"]],
  ["created_at=lt.2026-01-01", `${t}."created_at" < CAST($1::text AS timestamp with time zone)`, [
    "2026-01-01",
  ]],
  ["employee_count=lte.5", `${t}."employee_count" <= CAST($1::text AS integer)`, ["5"]],
  ["email=like.*@acme.test", `${t}."email" LIKE $1::text`, ["%@acme.test"]],
  ["name=ilike.o'br*", `${t}."name" ILIKE $1::text`, ["o'br%"]],
  ["name=match.^A", `${t}."name" ~ $1::text`, ["^A"]],
  ["name=imatch.^a", `${t}."name" ~* $1::text`, ["^a"]],
  ['id=in.(a,"b,c",d"e)', `${t}."id" = ANY(CAST($1::text AS uuid[]))`, ['{"a","b,c","d\\"e"}']],
  ["id=in.()", `${t}."id" = ANY(CAST($1::text AS uuid[]))`, ["{}"]],
  ["name=in.(a\\b)", `${t}."name" = ANY(CAST($1::text AS text[]))`, ['{"a\\\\b"}']],
  ["email=is.null", `${t}."email" IS NULL`, []],
  ["email=not.is.null", `NOT (${t}."email" IS NULL)`, []],
  ["is_active=is.true", `${t}."is_active" IS TRUE`, []],
  ["is_active=is.false", `${t}."is_active" IS FALSE`, []],
  ["is_active=is.unknown", `${t}."is_active" IS UNKNOWN`, []],
  ["email=is.not_null", `${t}."email" IS NOT NULL`, []],
  ["email=isdistinct.x", `${t}."email" IS DISTINCT FROM $1::text`, ["x"]],
  ["tags=cs.{vip}", `${t}."tags" @> CAST($1::text AS text[])`, ["{vip}"]],
  ["tags=cd.{vip,b2b}", `${t}."tags" <@ CAST($1::text AS text[])`, ["{vip,b2b}"]],
  ["tags=ov.{vip}", `${t}."tags" && CAST($1::text AS text[])`, ["{vip}"]],
  ['address=cs.{"country":"DE"}', `${t}."address" @> CAST($1::text AS jsonb)`, ['{"country":"DE"}']],
  ["name=eq(any).{a,b}", `${t}."name" = ANY(CAST($1::text AS text[]))`, ["{a,b}"]],
  [
    "name=like(all).{a*,*b}",
    `${t}."name" LIKE ALL($1::text[])`.replace("$1::text[]", "CAST($1::text AS text[])"),
    [
      "{a%,%b}",
    ],
  ],
  ["address->>city=eq.Berlin", `(${t}."address"->>$1::text) = $2::text`, ["city", "Berlin"]],
  ["address->geo=eq.{}", `(${t}."address"->$1::text) = CAST($2::text AS jsonb)`, ["geo", "{}"]],
  ["description=fts.cat", `to_tsvector(${t}."description") @@ to_tsquery($1::text)`, ["cat"]],
  [
    "description=wfts(english).fat cat",
    `to_tsvector(CAST($1::text AS regconfig), ${t}."description") @@ websearch_to_tsquery(CAST($1::text AS regconfig), $2::text)`,
    ["english", "fat cat"],
  ],
  ["description=plfts.cat", `to_tsvector(${t}."description") @@ plainto_tsquery($1::text)`, ["cat"]],
  ["description=phfts.cat", `to_tsvector(${t}."description") @@ phraseto_tsquery($1::text)`, ["cat"]],
  [
    "or=(name.eq.a,and(employee_count.gt.1,email.not.is.null))",
    `(${t}."name" = $1::text OR (${t}."employee_count" > CAST($2::text AS integer) AND NOT (${t}."email" IS NULL)))`,
    ["a", "1"],
  ],
  ["not.or=(name.eq.a,name.eq.b)", `NOT (${t}."name" = $1::text OR ${t}."name" = $2::text)`, ["a", "b"]],
];

for (const [query, text, params] of cases) {
  Deno.test(`conditionSql() renders ${query}`, async () => {
    assert.deepEqual(await where(`accounts?${query}`), { text, params });
  });
}

Deno.test("conditionSql() renders embed=is.null as NOT EXISTS over the embed with its filters", async () => {
  assert.deepEqual(
    await where("contacts?select=id,account:accounts(name)&account.name=eq.x&account=is.null"),
    {
      text:
        `NOT EXISTS (SELECT 1 FROM "public"."accounts" AS "pgrst_t1" WHERE "pgrst_t1"."tenant_id" = ${t}."tenant_id" AND "pgrst_t1"."id" = ${t}."account_id" AND "pgrst_t1"."name" = $1::text)`,
      params: ["x"],
    },
  );
});

Deno.test("restrictionsSql() adds an EXISTS for each !inner embed, nested ones inside", async () => {
  const plan = await planFor("accounts?select=id,contacts!inner(id,notes!inner(id))&contacts.name=eq.x");
  assert.equal(plan.kind, "read");
  if (plan.kind !== "read") return;
  const alias = ident("pgrst_t0");
  const text = render(whereSql(restrictionsSql(plan.root, { schema: "public", alias }))).text;
  assert.equal(
    text,
    ` WHERE EXISTS (SELECT 1 FROM "public"."contacts" AS "pgrst_t1" WHERE "pgrst_t1"."tenant_id" = ${t}."tenant_id" AND "pgrst_t1"."account_id" = ${t}."id" AND "pgrst_t1"."name" = $1::text AND EXISTS (SELECT 1 FROM "public"."notes" AS "pgrst_t2" WHERE "pgrst_t2"."tenant_id" = "pgrst_t1"."tenant_id" AND "pgrst_t2"."contact_id" = "pgrst_t1"."id"))`,
  );
  const embed = plan.root.select[1];
  assert.ok(embed?.kind === "embed");
  assert.match(
    render(existsSql(embed.embed, { schema: "public", parent: alias })).text,
    /^EXISTS \(SELECT 1 FROM/,
  );
});
