/**
 * End to end through the running functions with the real supabase-js: reads in the PostgREST language,
 * each answer compared with the same query run directly in SQL as that tenant.
 */
import assert from "node:assert/strict";
import { gatewayClient, sqlAsTenant, TENANTS, USERS, userToken } from "./_clients.ts";
import { testStack } from "./_env.ts";

const stack = testStack();
const grace = await userToken(stack, USERS.grace);
const alice = await userToken(stack, USERS.alice);
const globex = gatewayClient(stack, grace);
const asGlobex = { sub: USERS.grace.id, tenant_id: TENANTS.globex, tenant_role: "owner" };

Deno.test("select columns returns the tenant's rows, as SQL as that tenant does", async () => {
  const { data, error } = await globex.from("contacts").select("id, name, email").order("id");
  assert.equal(error, null);
  const expected = await sqlAsTenant(
    stack.tenantDbUrls.tenant_shared,
    asGlobex,
    (tx) => tx`select id, name, email from public.contacts order by id`,
  );
  assert.deepEqual(data, expected.map((row) => ({ ...row })));
  assert.equal(data?.length, 10);
});

Deno.test("filters, or, order, limit and offset match SQL", async () => {
  const { data, error } = await globex.from("contacts")
    .select("id,last_name")
    .or("last_name.ilike.m*,is_primary.eq.false")
    .not("account_id", "is", null)
    .order("last_name", { ascending: false })
    .order("id")
    .range(1, 3);
  assert.equal(error, null);
  const expected = await sqlAsTenant(
    stack.tenantDbUrls.tenant_shared,
    asGlobex,
    (tx) =>
      tx`select id, last_name from public.contacts
       where (last_name ilike 'm%' or is_primary = false) and account_id is not null
       order by last_name desc nulls first, id limit 3 offset 1`,
  );
  assert.deepEqual(data, expected.map((row) => ({ ...row })));
});

Deno.test("in, like and is filters with awkward values (quotes, unicode)", async () => {
  const { data, error } = await globex.from("contacts").select("name")
    .in("last_name", ["O'Connor", "Müller", "nobody, really"]).order("name");
  assert.equal(error, null);
  assert.deepEqual(data, [{ name: "Klaus Müller" }, { name: "Zoë O'Connor" }]);
});

Deno.test("embedded resources: many-to-one object, one-to-many array, nested, with embedded filters", async () => {
  const { data, error } = await globex.from("accounts")
    .select("name, contacts(name), opportunities(name, opportunity_line_items(quantity, products(name)))")
    .eq("id", "10200000-0000-4000-8000-000000000001")
    .order("name", { referencedTable: "contacts" })
    .single();
  assert.equal(error, null);
  const expected = await sqlAsTenant(stack.tenantDbUrls.tenant_shared, asGlobex, async (tx) => ({
    contacts:
      await tx`select name from public.contacts where account_id = '10200000-0000-4000-8000-000000000001' order by name`,
    opportunities:
      await tx`select count(*)::int as n from public.opportunities where account_id = '10200000-0000-4000-8000-000000000001'`,
  }));
  assert.equal(data?.name, "Soylent Foods");
  assert.deepEqual(data?.contacts, expected.contacts.map((row) => ({ ...row })));
  assert.equal(data?.opportunities.length, expected.opportunities[0]?.n);
  for (const opportunity of data?.opportunities ?? []) {
    assert.ok(Array.isArray(opportunity.opportunity_line_items));
    for (const item of opportunity.opportunity_line_items) {
      // Many-to-one embeds are objects; without generated types supabase-js types them as arrays.
      assert.equal(typeof (item.products as unknown as { name: string }).name, "string");
    }
  }

  const contact = await globex.from("contacts").select("name, account:accounts(name)")
    .eq("id", "11200000-0000-4000-8000-000000000001").single();
  assert.deepEqual(contact.data, { name: "Hank Scorpio", account: { name: "Soylent Foods" } });
});

Deno.test("!inner embedding filters the parent rows", async () => {
  const { data, error } = await globex.from("accounts").select("name, contacts!inner(id)")
    .eq("contacts.email", "grace.hopper.2@mueller-toechter.example");
  assert.equal(error, null);
  assert.deepEqual(data?.map((row) => row.name), ["Müller & Töchter GmbH"]);
});

Deno.test("count=exact and HEAD report the total in Content-Range", async () => {
  const { count, data, error } = await globex.from("contacts").select("id", { count: "exact" }).limit(2);
  assert.equal(error, null);
  assert.equal(data?.length, 2);
  assert.equal(count, 10);
  const head = await globex.from("contacts").select("*", { count: "exact", head: true });
  assert.equal(head.count, 10);
  assert.equal(head.data, null);
});

Deno.test("single() answers 406 PGRST116 unless exactly one row, maybeSingle() gives null", async () => {
  const none = await globex.from("contacts").select("id").eq("id", "00000000-0000-4000-8000-000000000000")
    .single();
  assert.equal(none.status, 406);
  assert.equal(none.error?.code, "PGRST116");
  const maybe = await globex.from("contacts").select("id").eq("id", "00000000-0000-4000-8000-000000000000")
    .maybeSingle();
  assert.equal(maybe.error, null);
  assert.equal(maybe.data, null);
});

Deno.test("JSON paths and casts in select", async () => {
  const { data, error } = await globex.from("accounts").select(
    "name, city:address->>city, employees:employee_count::text",
  )
    .eq("id", "10200000-0000-4000-8000-000000000001").single();
  assert.equal(error, null);
  assert.deepEqual(data, { name: "Soylent Foods", city: "Portland", employees: "56000" });
});

Deno.test("a dedicated tenant's requests land in its own database", async () => {
  const { data, error } = await gatewayClient(stack, alice).from("accounts").select("tenant_id");
  assert.equal(error, null);
  const expected = await sqlAsTenant(
    stack.tenantDbUrls.tenant_acme,
    { sub: USERS.alice.id, tenant_id: TENANTS.acme, tenant_role: "owner" },
    (tx) => tx`select count(*)::int as n from public.accounts`,
  );
  assert.equal(data?.length, expected[0]?.n);
  assert.ok(data?.every((row) => row.tenant_id === TENANTS.acme));
});

Deno.test("a member of several tenants chooses with x-tenant-id (slug or uuid) and needs it", async () => {
  const olivia = await userToken(stack, USERS.olivia);
  const without = await gatewayClient(stack, olivia).from("accounts").select("id");
  assert.equal(without.status, 400);
  assert.equal(without.error?.code, "TR401");
  for (const tenant of ["globex", TENANTS.globex]) {
    const { data, error } = await gatewayClient(stack, olivia, tenant).from("accounts").select("tenant_id");
    assert.equal(error, null);
    assert.ok(data && data.length > 0 && data.every((row) => row.tenant_id === TENANTS.globex));
  }
});

Deno.test("unknown table is 404 and unknown column 400, decided before SQL", async () => {
  const table = await globex.from("no_such_table").select("*");
  assert.equal(table.status, 404);
  assert.equal(table.error?.code, "PGRST205");
  const column = await globex.from("contacts").select("id, no_such_column");
  assert.equal(column.status, 400);
  // PostgREST: PostgreSQL's 42703 for a column in select or a filter (PGRST204 only for columns= and bodies).
  assert.equal(column.error?.code, "42703");
  assert.equal(column.error?.message, "column contacts.no_such_column does not exist");
});

Deno.test("responses carry Server-Timing for each stage", async () => {
  const response = await fetch(`${stack.functionsUrl}/tenant-data/rest/v1/contacts?select=id&limit=1`, {
    headers: { apikey: stack.anonKey, authorization: `Bearer ${grace}` },
  });
  await response.body?.cancel();
  assert.equal(response.status, 200);
  assert.match(response.headers.get("server-timing") ?? "", /parse;dur=.*plan;dur=.*execute;dur=/);
});
