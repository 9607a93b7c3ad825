import assert from "node:assert/strict";
import {
  batchEndSql,
  copyInSql,
  copyOutSql,
  deleteRowsSql,
  tenantLiteral,
  unsafeLiteralFromDatabase,
  whereRows,
} from "./_sql.ts";
import type { MoveTable } from "./plan_tables.ts";

const TABLE: MoveTable = {
  schema: "public",
  name: 'we"ird',
  qualifiedName: 'public.we"ird',
  columns: ["id", "tenant_id", "count"],
  key: "id",
  keyType: "uuid",
  tenantColumn: "tenant_id",
  updatedAt: "updated_at",
  references: [],
  level: 0,
  ordinal: 0,
};
const TENANT = "a0000000-0000-4000-8000-000000000002";

Deno.test("copyOutSql() quotes every name and writes the range as literals", () => {
  assert.equal(
    copyOutSql(TABLE, TENANT, { after: "x'y", through: "z" }),
    `copy (select "id", "tenant_id", "count" from "public"."we""ird" where "tenant_id" = '${TENANT}'::uuid ` +
      `and "id" > 'x''y'::uuid and "id" <= 'z'::uuid) to stdout`,
  );
  assert.equal(copyInSql(TABLE), `copy "public"."we""ird" ("id", "tenant_id", "count") from stdin`);
  assert.equal(copyInSql(TABLE, "stage"), `copy "stage" ("id", "tenant_id", "count") from stdin`);
});

Deno.test("whereRows() selects buckets and changed rows", () => {
  assert.match(
    whereRows(TABLE, TENANT, { buckets: [1, 4095] }),
    /::bit\(12\)::int = any\('\{1,4095\}'::int\[\]\)$/,
  );
  assert.match(
    whereRows(TABLE, TENANT, { changedSince: "2026-11-26 15:00:00.123456+00" }),
    /"updated_at" >= '2026-11-26 15:00:00\.123456\+00'::timestamptz$/,
  );
  assert.throws(() => whereRows(TABLE, TENANT, { buckets: [4096] }), RangeError);
  assert.match(deleteRowsSql(TABLE, TENANT), /^delete from "public"\."we""ird" where "tenant_id" = /);
});

Deno.test("literals refuse what is not a lowercase uuid, a NUL or an odd type name", () => {
  assert.throws(() => tenantLiteral("'; drop table x; --"), TypeError);
  assert.throws(() => tenantLiteral(TENANT.toUpperCase()), TypeError);
  assert.throws(() => unsafeLiteralFromDatabase("a\0b", "text"), TypeError);
  assert.throws(() => unsafeLiteralFromDatabase("a", "text; drop"), TypeError);
  assert.equal(unsafeLiteralFromDatabase("it's", "character varying"), `'it''s'::character varying`);
});

Deno.test("batchEndSql() takes the tenant, cursor and batch size as parameters", () => {
  const text = batchEndSql(TABLE);
  assert.match(text, /\$1::uuid/);
  assert.match(text, /\$2::text is null or "id" > \$2::text::uuid/);
  assert.match(text, /offset \$3::int - 1 limit 1/);
});
