/**
 * The demo tenant databases as `npm start` leaves them: 253 business rows, and RLS that keeps a globex
 * session on the shared database to globex's rows in every table.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { sqlAsTenant } from "./_clients.ts";
import { testStack } from "./_env.ts";

const stack = testStack();
const GLOBEX = "a0000000-0000-4000-8000-000000000002";
const INITECH = "a0000000-0000-4000-8000-000000000003";
const GRACE = "b0000000-0000-4000-8000-000000000003";
const asGlobexOwner = { sub: GRACE, tenant_id: GLOBEX, tenant_role: "owner" };

async function businessTables(sql: postgres.Sql): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind = 'r' and exists (
      select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
    order by 1`;
  return rows.map((row) => row.name);
}

async function rowCount(sql: postgres.Sql, table: string, tenant?: string): Promise<number> {
  const where = tenant ? sql`where tenant_id = ${tenant}` : sql``;
  const [row] = await sql`select count(*)::int as n from ${sql("public")}.${sql(table)} ${where}`;
  return row?.n ?? 0;
}

Deno.test("the demo seed holds exactly 253 business rows across the 13 tables of both tenant databases", async () => {
  let total = 0;
  for (const url of Object.values(stack.tenantDbUrls)) {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const tables = await businessTables(sql);
      assert.equal(tables.length, 13);
      for (const table of tables) total += await rowCount(sql, table);
    } finally {
      await sql.end();
    }
  }
  assert.equal(total, 253);
});

Deno.test("a globex session on tenant_shared sees only globex rows in every table and changes none of initech's", async () => {
  const sql = postgres(stack.tenantDbUrls.tenant_shared, { max: 1, onnotice: () => {} });
  try {
    for (const table of await businessTables(sql)) {
      const expected = await rowCount(sql, table, GLOBEX);
      const initechRows = await rowCount(sql, table, INITECH);
      assert.ok(initechRows > 0, `initech has rows in ${table}, so hiding them means something`);
      const seen = await sqlAsTenant(stack.tenantDbUrls.tenant_shared, asGlobexOwner, async (tx) => {
        const [visible] = await tx`
          select count(*)::int as total, count(*) filter (where tenant_id <> ${GLOBEX})::int as foreign
          from ${tx("public")}.${tx(table)}`;
        const changed = await tx`
          update ${tx("public")}.${
          tx(table)
        } set updated_at = now() where tenant_id = ${INITECH} returning id`;
        const deleted = await tx`delete from ${tx("public")}.${
          tx(table)
        } where tenant_id = ${INITECH} returning id`;
        return { ...visible, changed: changed.length, deleted: deleted.length };
      });
      assert.deepEqual(seen, { total: expected, foreign: 0, changed: 0, deleted: 0 }, table);
    }
  } finally {
    await sql.end();
  }
});
