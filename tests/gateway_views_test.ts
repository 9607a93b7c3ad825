/**
 * End to end through the running functions with the real supabase-js: the tenant schema's views, served
 * like tables (reads, writes where PostgreSQL allows them, relationships inferred through the view), each
 * answer compared with the same query in SQL as that tenant.
 */
import assert from "node:assert/strict";
import { adminSql, gatewayClient, sqlAsTenant, TENANTS, USERS, userToken } from "./_clients.ts";
import { testStack } from "./_env.ts";

const stack = testStack();
const globex = gatewayClient(stack, await userToken(stack, USERS.grace));
const initech = gatewayClient(stack, await userToken(stack, USERS.ivan));
const asGlobex = { sub: USERS.grace.id, tenant_id: TENANTS.globex, tenant_role: "owner" };
const shared = stack.tenantDbUrls.tenant_shared;

Deno.test("views: a security_invoker view reads like a table, as SQL as that tenant does", async () => {
  const { data, error } = await globex.from("open_opportunities")
    .select("id, name, account_name, stage_name")
    .gte("stage_position", 2)
    .order("stage_position")
    .order("name");
  assert.equal(error, null);
  const expected = await sqlAsTenant(
    shared,
    asGlobex,
    (tx) =>
      tx`select id, name, account_name, stage_name from public.open_opportunities
       where stage_position >= 2 order by stage_position, name`,
  );
  assert.deepEqual(data, expected.map((row) => ({ ...row })));
  assert.ok(expected.length > 0);
});

Deno.test("views: RLS holds through the view: another tenant sees only its own rows", async () => {
  const theirs = await initech.from("open_opportunities").select("id");
  const ours = await globex.from("open_opportunities").select("id");
  assert.deepEqual([theirs.error, ours.error], [null, null]);
  const overlap = (theirs.data ?? []).filter((row) => ours.data?.some((other) => other.id === row.id));
  assert.deepEqual(overlap, []);
  assert.ok((theirs.data?.length ?? 0) > 0 && (ours.data?.length ?? 0) > 0);
  const all = await adminSql(shared, (sql) => sql`select count(*)::int as n from public.open_opportunities`);
  assert.equal(all[0]?.n, (theirs.data?.length ?? 0) + (ours.data?.length ?? 0), "no row left out either");
});

Deno.test("views: relationships through a view come from its columns' tables (both directions)", async () => {
  const { data, error } = await globex.from("open_opportunities")
    .select("name, accounts(name), opportunity_line_items(quantity)")
    .order("name");
  assert.equal(error, null, JSON.stringify(error));
  const expected = await sqlAsTenant(shared, asGlobex, (tx) =>
    tx`select o.name, a.name as account,
         (select coalesce(json_agg(json_build_object('quantity', li.quantity::float8)), '[]')
          from public.opportunity_line_items li where li.opportunity_id = o.id) as items
       from public.open_opportunities o join public.accounts a on a.id = o.account_id order by o.name`);
  assert.deepEqual(
    data,
    expected.map((row) => ({
      name: row.name,
      accounts: { name: row.account },
      opportunity_line_items: row.items,
    })),
  );
  const accounts = await globex.from("accounts").select("name, open_opportunities(name)")
    .eq("id", "10200000-0000-4000-8000-000000000001").single();
  assert.equal(accounts.error, null);
  const names = await sqlAsTenant(
    shared,
    asGlobex,
    (tx) =>
      tx`select name from public.open_opportunities where account_id = '10200000-0000-4000-8000-000000000001'`,
  );
  assert.deepEqual(
    (accounts.data?.open_opportunities as { name: string }[]).map((row) => row.name).sort(),
    names.map((row) => row.name).sort(),
  );
});

Deno.test("views: writes through a simple view land in its table under RLS; a join view refuses them (55000)", async () => {
  try {
    const inserted = await globex.from("reachable_contacts")
      .insert({ name: "Through The View", email: "view@write.test" })
      .select("name, tenant_id")
      .single();
    assert.equal(inserted.error, null, JSON.stringify(inserted.error));
    assert.deepEqual(inserted.data, { name: "Through The View", tenant_id: TENANTS.globex });
    const updated = await globex.from("reachable_contacts").update({ job_title: "Viewer" })
      .eq("email", "view@write.test").select("job_title");
    assert.deepEqual(updated.data, [{ job_title: "Viewer" }]);
    const stored = await adminSql(
      shared,
      (sql) => sql`select tenant_id, job_title from public.contacts where email = 'view@write.test'`,
    );
    assert.deepEqual(stored.map((row) => ({ ...row })), [{ tenant_id: TENANTS.globex, job_title: "Viewer" }]);
    const foreign = await initech.from("reachable_contacts").delete().eq("email", "view@write.test").select(
      "id",
    );
    assert.deepEqual(foreign.data, [], "another tenant cannot delete through the view");
    const deleted = await globex.from("reachable_contacts").delete().eq("email", "view@write.test").select(
      "id",
    );
    assert.equal(deleted.data?.length, 1);
  } finally {
    await adminSql(shared, (sql) => sql`delete from public.contacts where email = 'view@write.test'`);
  }
  // PostgreSQL: 55000 "cannot update view" (not automatically updatable); PostgREST answers 500 for 55xxx,
  // and the gateway keeps 500 bodies opaque, naming only the SQLSTATE.
  const refused = await globex.from("open_opportunities").update({ name: "Nope" }).eq("name", "x");
  assert.equal(refused.status, 500);
  assert.equal(refused.error?.details, "SQLSTATE 55000");
});
