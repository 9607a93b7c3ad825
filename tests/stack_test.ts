/**
 * End-to-end checks of the local stack itself: functions served at Supabase's URLs, databases migrated by
 * the Supabase CLI and shaped like Supabase's image, the demo seed in place.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { testStack } from "./_env.ts";

const stack = testStack();

async function withDatabase<T>(url: string, use: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await use(sql);
  } finally {
    await sql.end();
  }
}

async function migrationFiles(dir: string): Promise<string[]> {
  const versions: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.endsWith(".sql")) versions.push(entry.name.split("_")[0]!);
  }
  return versions.sort();
}

Deno.test("tenant-data answers its health URL with 200 and no credentials", async () => {
  const response = await fetch(`${stack.functionsUrl}/tenant-data/health`);
  assert.equal(response.status, 200);
  assert.equal((await response.json()).status, "ok");
});

Deno.test("tenant-admin answers its health URL with 200", async () => {
  const response = await fetch(`${stack.functionsUrl}/tenant-admin/health`);
  assert.equal(response.status, 200);
  await response.body?.cancel();
});

Deno.test("an unknown function is a 404", async () => {
  const response = await fetch(`${stack.functionsUrl}/no-such-function`);
  assert.equal(response.status, 404);
  await response.body?.cancel();
});

for (
  const [name, url, dir] of [
    ["the application database", stack.appDbUrl, "supabase/migrations"],
    ["tenant_shared", stack.tenantDbUrls.tenant_shared, "tenant-db/supabase/migrations"],
    ["tenant_acme", stack.tenantDbUrls.tenant_acme, "tenant-db/supabase/migrations"],
  ] as const
) {
  Deno.test(`the Supabase CLI applied every migration of ${dir} to ${name}`, async () => {
    const applied = await withDatabase(
      url,
      (sql) =>
        sql<
          { version: string }[]
        >`select version from supabase_migrations.schema_migrations order by version`,
    );
    assert.deepEqual(applied.map((row) => row.version), await migrationFiles(dir));
  });

  Deno.test(`${name} looks like Supabase's image: API roles, auth helpers, pgTAP`, async () => {
    await withDatabase(url, async (sql) => {
      const roles = await sql<{ rolname: string; rolbypassrls: boolean; rolcanlogin: boolean }[]>`
        select rolname, rolbypassrls, rolcanlogin from pg_roles
        where rolname in ('anon', 'authenticated', 'service_role', 'authenticator') order by rolname`;
      assert.deepEqual(roles.map((r) => [r.rolname, r.rolbypassrls, r.rolcanlogin]), [
        ["anon", false, false],
        ["authenticated", false, false],
        ["authenticator", false, true],
        ["service_role", true, false],
      ]);
      const [owner] =
        await sql`select nspowner::regrole::text as owner from pg_namespace where nspname = 'auth'`;
      assert.equal(owner?.owner, "supabase_admin");
      const claims = await sql.begin(async (tx) => {
        const sub = "b0000000-0000-4000-8000-000000000001";
        await tx`select set_config('request.jwt.claims', ${
          JSON.stringify({ sub, role: "authenticated" })
        }, true)`;
        const [row] =
          await tx`select auth.uid()::text as uid, auth.role() as role, auth.jwt() ->> 'sub' as sub`;
        return row;
      });
      assert.deepEqual({ ...claims }, {
        uid: "b0000000-0000-4000-8000-000000000001",
        role: "authenticated",
        sub: "b0000000-0000-4000-8000-000000000001",
      });
      const [pgtap] =
        await sql`select extnamespace::regnamespace::text as schema from pg_extension where extname = 'pgtap'`;
      assert.equal(pgtap?.schema, "extensions");
    });
  });
}

Deno.test("the demo seed has the tenants, users and memberships of the contract", async () => {
  const members = await withDatabase(stack.appDbUrl, (sql) =>
    sql<{ email: string; memberships: string }[]>`
      select u.email, coalesce(string_agg(t.slug || ':' || m.role, ',' order by t.slug), '') as memberships
      from auth.users u
      left join public.tenant_members m on m.user_id = u.id
      left join public.tenants t on t.id = m.tenant_id
      group by u.email order by u.email`);
  assert.deepEqual(members.map((m) => [m.email, m.memberships]), [
    ["alice@acme.test", "acme:owner"],
    ["bob@acme.test", "acme:viewer"],
    ["grace@globex.test", "globex:owner"],
    ["ivan@initech.test", "initech:member"],
    ["mallory@example.test", ""],
    ["olivia@multi.test", "acme:member,globex:member"],
  ]);
});

Deno.test("a user with no membership, as authenticated with their claims, sees no tenant", async () => {
  const visible = await withDatabase(stack.appDbUrl, (sql) =>
    sql.begin(async (tx) => {
      const asUser = async (id: string) => {
        await tx`select set_config('request.jwt.claims', ${
          JSON.stringify({ sub: id, role: "authenticated" })
        }, true)`;
        await tx`set local role authenticated`;
        const rows = await tx<{ slug: string }[]>`select slug from public.tenants order by slug`;
        await tx`reset role`;
        return rows.map((row) => row.slug);
      };
      return {
        mallory: await asUser("b0000000-0000-4000-8000-000000000006"),
        olivia: await asUser("b0000000-0000-4000-8000-000000000005"),
      };
    }));
  assert.deepEqual(visible.mallory, []);
  // The same query does return rows for a member, so the empty answer above is RLS, not an empty table.
  assert.deepEqual(visible.olivia, ["acme", "globex"]);
});
