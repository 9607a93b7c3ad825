/**
 * End to end through the running functions with the real supabase-js: functions (`db.rpc`) of the tenant
 * schema, each answer compared with the same call run directly in SQL as that tenant, and PostgREST's
 * documented answers for its errors.
 */
import assert from "node:assert/strict";
import {
  adminSql,
  databaseFingerprint,
  gatewayClient,
  gatewayFetch,
  sqlAsTenant,
  TENANTS,
  USERS,
  userToken,
} from "./_clients.ts";
import { testStack } from "./_env.ts";

const stack = testStack();
const graceToken = await userToken(stack, USERS.grace);
const globex = gatewayClient(stack, graceToken);
const initech = gatewayClient(stack, await userToken(stack, USERS.ivan));
const bobAcme = gatewayClient(stack, await userToken(stack, USERS.bob));
const asGlobex = { sub: USERS.grace.id, tenant_id: TENANTS.globex, tenant_role: "owner" };
const shared = stack.tenantDbUrls.tenant_shared;
const SOYLENT = "10200000-0000-4000-8000-000000000001";
const OPPORTUNITY = "14200000-0000-4000-8000-000000000001";

Deno.test("rpc: a scalar function, and its overload told apart by argument name, match SQL", async () => {
  const all = await globex.rpc("contact_count");
  const one = await globex.rpc("contact_count", { account_id: SOYLENT });
  const expected = await sqlAsTenant(shared, asGlobex, async (tx) => ({
    all: (await tx`select public.contact_count() as n`)[0]?.n,
    one: (await tx`select public.contact_count(account_id => ${SOYLENT}) as n`)[0]?.n,
  }));
  assert.deepEqual([all.error, one.error], [null, null]);
  assert.deepEqual([all.data, one.data], [Number(expected.all), Number(expected.one)]);
  assert.equal(all.data, 10);
});

Deno.test("rpc: GET with arguments in the query string returns the set, as SQL does", async () => {
  const { data, error, status } = await globex.rpc("search_contacts", { query: "manager" }, { get: true });
  assert.equal(error, null);
  assert.equal(status, 200);
  const expected = await sqlAsTenant(
    shared,
    asGlobex,
    (tx) => tx`select id from public.search_contacts('manager')`,
  );
  assert.deepEqual(data?.map((row: { id: string }) => row.id), expected.map((row) => row.id));
  assert.ok(expected.length > 1);
});

Deno.test("rpc: select, embed, order, range and count on the rows a function returns", async () => {
  const { data, error, count, status } = await globex
    .rpc("search_contacts", { query: "manager" }, { count: "exact" })
    .select("name, account:accounts(name)")
    .order("name")
    .range(0, 1);
  assert.equal(error, null);
  const expected = await sqlAsTenant(
    shared,
    asGlobex,
    (tx) =>
      tx`select c.name, a.name as account from public.search_contacts('manager') c
       left join public.accounts a on a.tenant_id = c.tenant_id and a.id = c.account_id order by c.name`,
  );
  assert.deepEqual(
    data,
    expected.slice(0, 2).map((row) => ({
      name: row.name,
      account: row.account === null ? null : { name: row.account },
    })),
  );
  assert.equal(count, expected.length);
  assert.equal(status, expected.length > 2 ? 206 : 200, "PostgREST answers 206 for a partial page");
});

Deno.test("rpc: filters on a returns table (...) function and single() match SQL", async () => {
  const { data, error } = await globex.rpc("pipeline_summary").gt("opportunity_count", 0).order(
    "stage_position",
  );
  assert.equal(error, null);
  const expected = await sqlAsTenant(
    shared,
    asGlobex,
    (tx) => tx`select * from public.pipeline_summary() where opportunity_count > 0 order by stage_position`,
  );
  assert.deepEqual(
    data,
    expected.map((row) => ({
      ...row,
      opportunity_count: Number(row.opportunity_count),
      total_amount: Number(row.total_amount),
      weighted_amount: Number(row.weighted_amount),
    })),
  );
  const single = await globex.rpc("pipeline_summary").select("stage_name").eq("stage_position", 1).single();
  assert.deepEqual(single.data, { stage_name: "Prospecting" });
  const several = await globex.rpc("pipeline_summary").select("stage_name").single();
  assert.equal(several.error?.code, "PGRST116");
  assert.equal(several.status, 406);
});

Deno.test("rpc: RLS applies inside functions: another tenant sees only its own rows", async () => {
  const globexStages = await globex.rpc("pipeline_summary").select("stage_id");
  const initechStages = await initech.rpc("pipeline_summary").select("stage_id");
  const ids = (rows: unknown) => new Set((rows as { stage_id: string }[] | null)?.map((row) => row.stage_id));
  const [g, i] = [ids(globexStages.data), ids(initechStages.data)];
  assert.equal(g.size, 6);
  assert.equal(i.size, 5);
  assert.equal([...g].filter((id) => i.has(id)).length, 0);
  const found = await initech.rpc("search_contacts", { query: "Scorpio" });
  assert.deepEqual(found.data, [], "initech cannot find globex's Hank Scorpio");
});

Deno.test("rpc: HEAD with count answers the count without a body", async () => {
  const { data, count, error, status } = await globex.rpc("search_contacts", { query: "manager" }, {
    head: true,
    count: "exact",
  });
  assert.equal(error, null);
  assert.equal(data, null);
  assert.equal(status, 200);
  const expected = await sqlAsTenant(
    shared,
    asGlobex,
    (tx) => tx`select * from public.search_contacts('manager')`,
  );
  assert.equal(count, expected.length);
});

Deno.test("rpc: a volatile function writes in one transaction; the answer matches the rows in SQL", async () => {
  const before = await databaseFingerprint(shared);
  const saved = await adminSql(shared, async (sql) => ({
    opportunity: await sql`select * from public.opportunities where id = ${OPPORTUNITY}`,
    items: await sql`select * from public.opportunity_line_items where opportunity_id = ${OPPORTUNITY}`,
  }));
  try {
    const { data, error, status } = await globex.rpc("close_opportunity", {
      opportunity_id: OPPORTUNITY,
      won: true,
      line_items: [{ product_id: "13200000-0000-4000-8000-000000000002", quantity: 2, unit_price: 3200 }],
    });
    assert.equal(error, null);
    assert.equal(status, 200);
    const row = await adminSql(shared, async (sql) => ({
      opportunity:
        (await sql`select stage_id, amount::float8 as amount from public.opportunities where id = ${OPPORTUNITY}`)[
          0
        ],
      items:
        (await sql`select count(*)::int as n from public.opportunity_line_items where opportunity_id = ${OPPORTUNITY}`)[
          0
        ]?.n,
      activities:
        (await sql`select count(*)::int as n from public.activities where opportunity_id = ${OPPORTUNITY}
        and subject = 'Opportunity won: Soylent tasting tour'`)[0]?.n,
    }));
    // One composite: an object, not an array.
    assert.equal((data as { id: string }).id, OPPORTUNITY);
    assert.equal((data as { stage_id: string }).stage_id, "12200000-0000-4000-8000-000000000005");
    assert.deepEqual(row, {
      opportunity: { stage_id: "12200000-0000-4000-8000-000000000005", amount: 6400 },
      items: 1,
      activities: 1,
    });
  } finally {
    await adminSql(shared, (sql) =>
      sql.begin(async (tx) => {
        await tx`set local session_replication_role = replica`;
        await tx`delete from public.activities where opportunity_id = ${OPPORTUNITY} and subject like 'Opportunity won: %'`;
        await tx`delete from public.opportunity_line_items where opportunity_id = ${OPPORTUNITY}`;
        await tx`insert into public.opportunity_line_items
          select * from json_populate_recordset(null::public.opportunity_line_items, ${
          JSON.stringify(saved.items)
        }::text::json)`;
        await tx`delete from public.opportunities where id = ${OPPORTUNITY}`;
        await tx`insert into public.opportunities
          select * from json_populate_recordset(null::public.opportunities, ${
          JSON.stringify(saved.opportunity)
        }::text::json)`;
      }));
  }
  assert.deepEqual(await databaseFingerprint(shared), before, "the test left the database as it found it");
});

Deno.test("rpc: a viewer's write inside a function is refused and nothing changes", async () => {
  const acme = stack.tenantDbUrls.tenant_acme;
  const before = await databaseFingerprint(acme);
  const { error, status } = await bobAcme.rpc("close_opportunity", {
    opportunity_id: "14100000-0000-4000-8000-000000000001",
    won: true,
  });
  assert.equal(error?.code, "42501");
  assert.equal(status, 403);
  assert.deepEqual(await databaseFingerprint(acme), before);
});

Deno.test("rpc: GET runs read-only, so a volatile function that writes answers 405 25006", async () => {
  const { error, status } = await globex.rpc(
    "close_opportunity",
    { opportunity_id: OPPORTUNITY, won: true },
    {
      get: true,
    },
  );
  assert.equal(error?.code, "25006");
  assert.equal(status, 405);
});

Deno.test("rpc: a function of one unnamed jsonb argument takes the whole body (and params=single-object)", async () => {
  const created: string[] = [];
  try {
    const { data, error, status } = await globex.rpc("import_contacts", [
      { name: "Rpc Import One", email: "rpc.one@import.test" },
      { name: "Rpc Import Two", email: "rpc.two@import.test" },
    ]).select("name, tenant_id").order("name");
    assert.equal(error, null, JSON.stringify(error));
    assert.equal(status, 200);
    assert.deepEqual(data, [
      { name: "Rpc Import One", tenant_id: TENANTS.globex },
      { name: "Rpc Import Two", tenant_id: TENANTS.globex },
    ]);
    const single = await gatewayFetch(stack, "/rpc/import_contacts?select=name", {
      token: graceToken,
      method: "POST",
      headers: { prefer: "params=single-object" },
      body: { name: "Rpc Import Three" },
    });
    assert.deepEqual([single.status, single.json], [200, [{ name: "Rpc Import Three" }]]);
    const rows = await sqlAsTenant(
      shared,
      asGlobex,
      (tx) => tx`select id, name from public.contacts where name like 'Rpc Import %' order by name`,
    );
    created.push(...rows.map((row) => row.id as string));
    assert.deepEqual(rows.map((row) => row.name), ["Rpc Import One", "Rpc Import Three", "Rpc Import Two"]);
  } finally {
    await adminSql(shared, (sql) => sql`delete from public.contacts where name like 'Rpc Import %'`);
  }
  assert.equal(created.length, 3);
});

Deno.test("rpc: PostgREST's errors: PGRST202 with the closest candidate, argument type errors as 400", async () => {
  const misspelt = await globex.rpc("search_contact", { query: "x" });
  assert.equal(misspelt.status, 404);
  assert.deepEqual(misspelt.error, {
    code: "PGRST202",
    message: "Could not find the function public.search_contact(query) in the schema cache",
    details:
      "Searched for the function public.search_contact with parameter query or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.",
    hint: "Perhaps you meant to call the function public.search_contacts",
  });
  const wrongArgs = await globex.rpc("search_contacts", { q: "x" });
  assert.equal(
    wrongArgs.error?.hint,
    "Perhaps you meant to call the function public.search_contacts(max_results, query)",
  );
  const badType = await globex.rpc("contact_count", { account_id: "not-a-uuid" });
  assert.equal(badType.status, 400);
  assert.equal(badType.error?.code, "22P02");
  const raised = await globex.rpc("close_opportunity", {
    opportunity_id: "00000000-0000-4000-8000-000000000000",
    won: true,
  });
  assert.deepEqual(
    [raised.status, raised.error?.code],
    [404, "PT404"],
    "raise sqlstate 'PT404' chooses the status",
  );
});
