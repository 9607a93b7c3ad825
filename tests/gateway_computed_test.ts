/**
 * End to end through the running functions with the real supabase-js: a table's foreign key to itself
 * (accounts' parent company), computed fields and computed relationships (functions of a row), the same
 * embed twice, and a `void` function, each compared with the same query in SQL as that tenant and with
 * PostgREST's documented answer.
 */
import assert from "node:assert/strict";
import { gatewayClient, gatewayFetch, sqlAsTenant, TENANTS, USERS, userToken } from "./_clients.ts";
import { testStack } from "./_env.ts";

const stack = testStack();
const graceToken = await userToken(stack, USERS.grace);
const globex = gatewayClient(stack, graceToken);
const asGlobex = { sub: USERS.grace.id, tenant_id: TENANTS.globex, tenant_role: "owner" };
const asInitech = { sub: USERS.ivan.id, tenant_id: TENANTS.initech, tenant_role: "owner" };
const shared = stack.tenantDbUrls.tenant_shared;

type Row = Record<string, unknown>;

/** A holding with two subsidiaries, the first with one of its own: made through the gateway, removed after. */
async function withHierarchy(use: (ids: { holding: string; subs: string[]; leaf: string }) => Promise<void>) {
  const insert = async (name: string, parent: string | null) => {
    const { data, error } = await globex.from("accounts").insert({ name, parent_account_id: parent })
      .select("id").single();
    assert.equal(error, null);
    return (data as { id: string }).id;
  };
  const holding = await insert("Hierarchy Holding", null);
  const subs = [await insert("Hierarchy Sub 1", holding), await insert("Hierarchy Sub 2", holding)];
  const leaf = await insert("Hierarchy Leaf", subs[0] as string);
  try {
    await use({ holding, subs, leaf });
  } finally {
    await globex.from("accounts").delete().in("id", [leaf, ...subs, holding]);
  }
}

Deno.test("self-relationship: the foreign key column embeds the parent, the table name the children", async () => {
  await withHierarchy(async ({ holding }) => {
    const { data, error } = await globex.from("accounts")
      .select("name, parent:parent_account_id(name), children:accounts(name)")
      .like("name", "Hierarchy %")
      .order("name")
      .order("name", { referencedTable: "children" });
    assert.equal(error, null);
    const expected = await sqlAsTenant(
      shared,
      asGlobex,
      (tx) =>
        tx`select a.name,
             (select json_build_object('name', p.name) from public.accounts p where p.id = a.parent_account_id) as parent,
             coalesce((select json_agg(json_build_object('name', c.name) order by c.name)
                       from public.accounts c where c.parent_account_id = a.id), '[]') as children
           from public.accounts a where a.name like 'Hierarchy %' order by a.name`,
    );
    assert.deepEqual(data, expected.map((row) => ({ ...row })));
    assert.deepEqual((data as Row[]).find((row) => row.name === "Hierarchy Holding")?.children, [
      { name: "Hierarchy Sub 1" },
      { name: "Hierarchy Sub 2" },
    ]);
    const children = await globex.from("accounts").select("id, accounts!parent_account_id(name)")
      .eq("id", holding).single();
    assert.equal(children.error, null);
    assert.equal(
      (children.data as { accounts: Row[] }).accounts.length,
      2,
      "the hint names the children too",
    );
  });
});

Deno.test("self-relationship: PostgREST's 400 PGRST200 for a hint it does not take on one", async () => {
  const { status, error } = await globex.from("accounts").select(
    "name, accounts!accounts_parent_account_id_fkey(name)",
  );
  assert.equal(status, 400);
  assert.equal(error?.code, "PGRST200");
  assert.equal(
    error?.message,
    "Could not find a relationship between 'accounts' and 'accounts' in the schema cache",
  );
});

Deno.test("self-relationship: another tenant's account as parent is refused (23503), nothing written", async () => {
  const [other] = await sqlAsTenant(
    shared,
    asInitech,
    (tx) => tx`select id from public.accounts limit 1`,
  ) as [
    { id: string },
  ];
  const { status, error } = await globex.from("accounts")
    .insert({ name: "Smuggled Child", parent_account_id: other.id });
  assert.equal(status, 409);
  assert.equal(error?.code, "23503");
  const written = await sqlAsTenant(
    shared,
    asGlobex,
    (tx) => tx`select from public.accounts where name = 'Smuggled Child'`,
  );
  assert.equal(written.length, 0);
});

Deno.test("computed field: selected, filtered and ordered like a column, as the function computes it", async () => {
  const { data, error } = await globex.from("opportunities")
    .select("name, amount, weighted_amount")
    .gt("weighted_amount", 0)
    .order("weighted_amount", { ascending: false })
    .order("name");
  assert.equal(error, null);
  const expected = await sqlAsTenant(
    shared,
    asGlobex,
    (tx) =>
      tx`select o.name, o.amount, public.weighted_amount(o) as weighted_amount from public.opportunities o
         where public.weighted_amount(o) > 0 order by 3 desc, o.name`,
  );
  assert.deepEqual(
    data,
    expected.map((row) => ({
      ...row,
      amount: Number(row.amount),
      weighted_amount: Number(row.weighted_amount),
    })),
  );
  assert.ok(expected.length > 1, "globex has weighted opportunities");
});

Deno.test("computed field: not part of *, and an unknown name stays PostgREST's 42703", async () => {
  const { data, error } = await globex.from("opportunities").select("*").limit(1).single();
  assert.equal(error, null);
  assert.ok(!("weighted_amount" in (data as Row)));
  const unknown = await globex.from("opportunities").select("weighted_amounts");
  assert.equal(unknown.status, 400);
  assert.equal(unknown.error?.message, "column opportunities.weighted_amounts does not exist");
});

Deno.test("computed relationships: a set embeds as an array, `rows 1` as one object, both under RLS", async () => {
  await withHierarchy(async ({ holding, leaf }) => {
    const { data, error } = await globex.from("accounts")
      .select("name, subsidiaries(name), primary_contact(name)")
      .in("id", [holding, leaf])
      .order("name")
      .order("name", { referencedTable: "subsidiaries" });
    assert.equal(error, null);
    assert.deepEqual(data, [
      {
        name: "Hierarchy Holding",
        subsidiaries: [{ name: "Hierarchy Leaf" }, { name: "Hierarchy Sub 1" }, { name: "Hierarchy Sub 2" }],
        primary_contact: null,
      },
      { name: "Hierarchy Leaf", subsidiaries: [], primary_contact: null },
    ]);
  });
  const withContact = await globex.from("accounts").select("id, name, primary_contact(name, is_primary)")
    .not("primary_contact", "is", null).order("id");
  assert.equal(withContact.error, null);
  const expected = await sqlAsTenant(
    shared,
    asGlobex,
    (tx) =>
      tx`select a.id, a.name, json_build_object('name', p.name, 'is_primary', p.is_primary) as primary_contact
         from public.accounts a cross join lateral public.primary_contact(a) p order by a.id`,
  );
  assert.deepEqual(withContact.data, expected.map((row) => ({ ...row })));
  assert.ok(expected.length > 0, "some globex account has a primary contact");
});

Deno.test("computed relationship: spread into the parent's columns", async () => {
  const { data, error } = await globex.from("accounts").select("id, ...primary_contact(contact:name)").order(
    "id",
  );
  assert.equal(error, null);
  const expected = await sqlAsTenant(
    shared,
    asGlobex,
    (tx) =>
      tx`select a.id, p.name as contact from public.accounts a left join lateral public.primary_contact(a) p on true
         order by a.id`,
  );
  assert.deepEqual(data, expected.map((row) => ({ ...row })));
});

Deno.test("the same embed twice without an alias is PostgREST's 400 42712; aliased, both are answered", async () => {
  const { status, error } = await globex.from("contacts").select("id, accounts(name), accounts(city)");
  assert.equal(status, 400);
  assert.deepEqual(error, {
    code: "42712",
    message: 'table name "contacts_accounts_1" specified more than once',
    details: null,
    hint: null,
  });
  const aliased = await globex.from("contacts").select("id, accounts(name), account:accounts(city)").limit(1)
    .single();
  assert.equal(aliased.error, null);
  assert.deepEqual(Object.keys(aliased.data as Row), ["id", "accounts", "account"]);
});

Deno.test("void function: POST, GET and HEAD answer 204 without a body; its raise is PostgREST's error", async () => {
  const [open] = await sqlAsTenant(
    shared,
    asGlobex,
    (tx) =>
      tx`select o.id from public.opportunities o join public.pipeline_stages s on s.id = o.stage_id
         where not s.is_closed_won and not s.is_closed_lost limit 1`,
  ) as [{ id: string }];
  const post = await globex.rpc("check_opportunity_closable", { opportunity_id: open.id });
  assert.deepEqual([post.status, post.data, post.error], [204, null, null]);
  for (const method of ["GET", "HEAD"]) {
    const response = await gatewayFetch(stack, `/rpc/check_opportunity_closable?opportunity_id=${open.id}`, {
      token: graceToken,
      method,
    });
    assert.deepEqual([response.status, response.text], [204, ""], method);
  }
  const [foreign] = await sqlAsTenant(
    shared,
    asInitech,
    (tx) => tx`select id from public.opportunities limit 1`,
  ) as [
    { id: string },
  ];
  const hidden = await globex.rpc("check_opportunity_closable", { opportunity_id: foreign.id }, {
    get: true,
  });
  assert.equal(hidden.status, 404);
  assert.equal(hidden.error?.code, "PT404");
});

Deno.test("computed field in the rows an upsert returns: 201 inserted, then 200 merged, both computed", async () => {
  const [stage] = await sqlAsTenant(
    shared,
    asGlobex,
    (tx) =>
      tx`select s.id, s.probability from public.pipeline_stages s where not s.is_closed_won and not s.is_closed_lost and s.probability > 0 limit 1`,
  ) as [{ id: string; probability: string }];
  const [account] = await sqlAsTenant(
    shared,
    asGlobex,
    (tx) => tx`select id from public.accounts limit 1`,
  ) as [
    { id: string },
  ];
  const id = crypto.randomUUID();
  const upsert = (amount: number) =>
    globex.from("opportunities")
      .upsert({ id, name: "Upserted Deal", account_id: account.id, stage_id: stage.id, amount }, {
        onConflict: "id",
      })
      .select("name, weighted_amount").single();
  try {
    const inserted = await upsert(1000);
    assert.equal(inserted.error, null);
    assert.equal(inserted.status, 201);
    assert.deepEqual(inserted.data, {
      name: "Upserted Deal",
      weighted_amount: 10 * Number(stage.probability),
    });
    const merged = await upsert(2000);
    assert.equal(merged.status, 200);
    assert.deepEqual(merged.data, { name: "Upserted Deal", weighted_amount: 20 * Number(stage.probability) });
  } finally {
    await globex.from("opportunities").delete().eq("id", id);
  }
});
