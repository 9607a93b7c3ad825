/**
 * Tests of generate_tenant.ts against a real, migrated tenant database given by `TENANT_DB_URL` (or
 * `TENANT_SHARED_DB_URL`, which the project's test runner sets), for example
 * `postgresql://postgres:postgres@127.0.0.1:54322/tenant_shared?sslmode=disable`, connected as the database
 * owner. The tests write a scratch tenant and delete it again; other tenants are not touched.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { generateTenant, TENANT_TABLES, type TenantTable } from "./generate_tenant.ts";

/** A tenant id no seed uses. */
const TENANT = "e0000000-0000-4000-8000-0000000000e1";

function connect(): postgres.Sql {
  const url = Deno.env.get("TENANT_DB_URL") ?? Deno.env.get("TENANT_SHARED_DB_URL");
  if (!url) {
    throw new Error(
      "TENANT_DB_URL is not set: point it at a migrated tenant database, connected as its owner " +
        "(e.g. postgresql://postgres:postgres@127.0.0.1:54322/tenant_shared?sslmode=disable)",
    );
  }
  return postgres(url, { max: 1, onnotice: function ignore(): void {} });
}

/** Per table: row count and an order-independent checksum of the tenant's rows (every column). */
async function checksum(sql: postgres.Sql, tenantId: string): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  for (const table of TENANT_TABLES) {
    const [row] = await sql<{ n: number; sum: string }[]>`
      select count(*)::int as n,
             coalesce(sum(('x' || left(md5(t::text), 16))::bit(64)::bigint::numeric), 0)::text as sum
      from ${sql("public." + table)} as t
      where t.tenant_id = ${tenantId}`;
    sums[table] = `${row?.n}:${row?.sum}`;
  }
  return sums;
}

async function countRows(sql: postgres.Sql, tenantId: string): Promise<Record<TenantTable, number>> {
  const counts = {} as Record<TenantTable, number>;
  for (const table of TENANT_TABLES) {
    const [row] = await sql<{ n: number }[]>`
      select count(*)::int as n from ${sql("public." + table)} where tenant_id = ${tenantId}`;
    counts[table] = row?.n ?? -1;
  }
  return counts;
}

async function deleteTenant(sql: postgres.Sql, tenantId: string): Promise<void> {
  await sql.begin(async (tx) => {
    for (const table of [...TENANT_TABLES].reverse()) {
      await tx`delete from ${tx("public." + table)} where tenant_id = ${tenantId}`;
    }
  });
}

Deno.test("generateTenant() rejects fewer than 13 rows", async () => {
  const sql = postgres("postgresql://nobody@127.0.0.1:1/none", { max: 1 });
  await assert.rejects(generateTenant(sql, { tenantId: TENANT, rows: 12 }), RangeError);
  await sql.end();
});

Deno.test("generateTenant() rejects a tenant id that is not a uuid", async () => {
  const sql = postgres("postgresql://nobody@127.0.0.1:1/none", { max: 1 });
  await assert.rejects(generateTenant(sql, { tenantId: "acme", rows: 100 }), TypeError);
  await sql.end();
});

Deno.test("generateTenant() writes exactly the requested rows into all 13 tables", async () => {
  const sql = connect();
  try {
    const result = await generateTenant(sql, {
      tenantId: TENANT,
      rows: 5_003,
      seed: "counts",
      replace: true,
    });
    const counts = await countRows(sql, TENANT);
    assert.deepEqual(counts, result.tables);
    assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), 5_003);
    for (const table of TENANT_TABLES) assert.ok(counts[table] >= 1, `${table} has rows`);
    assert.equal(counts.pipeline_stages, 6);
  } finally {
    await deleteTenant(sql, TENANT);
    await sql.end();
  }
});

Deno.test("generateTenant() with the same seed writes the same rows; another seed does not", async () => {
  const sql = connect();
  try {
    await generateTenant(sql, { tenantId: TENANT, rows: 4_000, seed: 42, replace: true });
    const first = await checksum(sql, TENANT);
    await generateTenant(sql, { tenantId: TENANT, rows: 4_000, seed: 42, replace: true });
    const second = await checksum(sql, TENANT);
    assert.deepEqual(second, first);
    await generateTenant(sql, { tenantId: TENANT, rows: 4_000, seed: 43, replace: true });
    const other = await checksum(sql, TENANT);
    for (const table of TENANT_TABLES) {
      assert.notEqual(other[table], first[table], `${table} differs with another seed`);
    }
  } finally {
    await deleteTenant(sql, TENANT);
    await sql.end();
  }
});

Deno.test("generateTenant() rows are what foreign key checks and triggers would have produced", async () => {
  const sql = connect();
  try {
    const fast = await generateTenant(sql, { tenantId: TENANT, rows: 3_000, seed: "same", replace: true });
    const skipped = await checksum(sql, TENANT);
    const checked = await generateTenant(sql, {
      tenantId: TENANT,
      rows: 3_000,
      seed: "same",
      replace: true,
      enforce: true,
    });
    assert.equal(checked.enforced, true);
    assert.deepEqual(
      await checksum(sql, TENANT),
      skipped,
      `enforced run equals the run with enforced = ${fast.enforced}`,
    );
  } finally {
    await deleteTenant(sql, TENANT);
    await sql.end();
  }
});

Deno.test("generateTenant() satisfies every foreign key and the address sync", async () => {
  const sql = connect();
  try {
    await generateTenant(sql, { tenantId: TENANT, rows: 6_000, seed: "fk", replace: true });
    const keys = await sql<{ child: string; col: string; parent: string }[]>`
      select c.conrelid::regclass::text as child, a.attname as col, c.confrelid::regclass::text as parent
      from pg_constraint c
      join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[2]
      where c.contype = 'f' and c.connamespace = 'public'::regnamespace
      order by 1, 2`;
    assert.equal(keys.length, 27, "the schema has 27 foreign keys");
    let references = 0;
    for (const key of keys) {
      const [row] = await sql<{ orphans: number; linked: number }[]>`
        select count(*) filter (where not exists (
                 select from ${sql("public." + key.parent)} as p
                 where p.tenant_id = c.tenant_id and p.id = c.${sql(key.col)}))::int as orphans,
               count(*)::int as linked
        from ${sql("public." + key.child)} as c
        where c.tenant_id = ${TENANT} and c.${sql(key.col)} is not null`;
      assert.equal(row?.orphans, 0, `${key.child}.${key.col} → ${key.parent} has no orphans`);
      references += row?.linked ?? 0;
    }
    assert.ok(references > 6_000, `rows reference their parents (${references} references)`);
    for (const table of ["accounts", "contacts", "venues"]) {
      const [row] = await sql<{ n: number }[]>`
        select count(*)::int as n from ${sql("public." + table)}
        where tenant_id = ${TENANT}
          and address is distinct from nullif(jsonb_strip_nulls(jsonb_build_object(
            'line1', address_line1, 'line2', address_line2, 'city', city, 'region', region,
            'postal_code', postal_code, 'country', country)), '{}')`;
      assert.equal(row?.n, 0, `${table}: address and address columns agree`);
    }
    const [events] = await sql<{ total: number; stamped: number; statuses: number }[]>`
      select count(*)::int as total,
             count(*) filter (where status = 'draft' or (to_jsonb(e) ->> (status || '_at')) is not null)::int as stamped,
             count(distinct status)::int as statuses
      from public.events as e
      where tenant_id = ${TENANT}`;
    assert.equal(events?.stamped, events?.total, "every event carries the timestamp of its current stage");
    assert.equal(events?.statuses, 9, "events cover every workflow status");
  } finally {
    await deleteTenant(sql, TENANT);
    await sql.end();
  }
});

Deno.test("generateTenant() without replace refuses to write a tenant twice", async () => {
  const sql = connect();
  try {
    await generateTenant(sql, { tenantId: TENANT, rows: 100, seed: 1, replace: true });
    await assert.rejects(
      generateTenant(sql, { tenantId: TENANT, rows: 100, seed: 1 }),
      (error: unknown) => error instanceof Error && (error as Error & { code?: string }).code === "23505",
    );
    assert.equal(Object.values(await countRows(sql, TENANT)).reduce((a, b) => a + b, 0), 100);
  } finally {
    await deleteTenant(sql, TENANT);
    await sql.end();
  }
});

Deno.test("generate_tenant CLI exits with 2 on bad usage", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./generate_tenant.ts", import.meta.url).pathname,
      "--tenant",
      "acme",
      "--db-url",
      "x",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 2);
  assert.match(new TextDecoder().decode(output.stderr), /--tenant is not a uuid/);
});
