/**
 * End to end through the running functions with the real supabase-js: answers that must be PostgREST's
 * exactly (status, code, message, details), where the gateway used to answer otherwise.
 */
import assert from "node:assert/strict";
import { adminSql, gatewayClient, gatewayFetch, USERS, userToken } from "./_clients.ts";
import { testStack } from "./_env.ts";

const stack = testStack();
const token = await userToken(stack, USERS.grace);
const globex = gatewayClient(stack, token);
const shared = stack.tenantDbUrls.tenant_shared;
const RUN = `answers-${crypto.randomUUID().slice(0, 8)}`;

Deno.test("an upsert with merge-duplicates answers 200 when it only updated, 201 when it inserted", async () => {
  try {
    const first = await globex.from("products").upsert({ name: `${RUN} a`, sku: `${RUN}-a` }, {
      onConflict: "tenant_id,sku",
    }).select("sku");
    assert.deepEqual([first.status, first.error], [201, null]);
    const again = await globex.from("products").upsert({ name: `${RUN} a, renamed`, sku: `${RUN}-a` }, {
      onConflict: "tenant_id,sku",
    }).select("name");
    assert.deepEqual([again.status, again.error, again.data], [200, null, [{ name: `${RUN} a, renamed` }]]);
    const mixed = await globex.from("products").upsert([
      { name: `${RUN} a`, sku: `${RUN}-a` },
      { name: `${RUN} b`, sku: `${RUN}-b` },
    ], { onConflict: "tenant_id,sku" });
    assert.equal(mixed.status, 201, "one row inserted: created");
    const minimal = await globex.from("products").upsert({ name: `${RUN} b`, sku: `${RUN}-b` }, {
      onConflict: "tenant_id,sku",
    });
    assert.equal(minimal.status, 200, "return=minimal too");
  } finally {
    await adminSql(shared, (sql) => sql`delete from public.products where sku like ${RUN + "%"}`);
  }
});

Deno.test("a single object over several rows is PostgREST 12's PGRST116", async () => {
  const { error, status } = await globex.from("contacts").select("id").limit(3).single();
  assert.equal(status, 406);
  assert.deepEqual(error, {
    code: "PGRST116",
    message: "Cannot coerce the result to a single JSON object",
    details: "The result contains 3 rows",
    hint: null,
  });
});

// An unknown column inside an aggregate: `gateway_settings_test.ts` (aggregates are off by default, PGRST123).
Deno.test("an unknown column in select, a filter or a cast is 400 42703; in columns= PGRST204", async () => {
  const expected = {
    code: "42703",
    message: "column contacts.nope does not exist",
    details: null,
    hint: null,
  };
  for (
    const query of [
      globex.from("contacts").select("id, nope"),
      globex.from("contacts").select("id").eq("nope", 1),
      globex.from("contacts").select("nope::text"),
      globex.from("contacts").select("id").order("nope"),
    ]
  ) {
    const { error, status } = await query;
    assert.equal(status, 400);
    assert.deepEqual(error, expected);
  }
  const columns = await gatewayFetch(stack, "/contacts?columns=name,nope", {
    token,
    method: "POST",
    body: [{ name: "x" }],
  });
  assert.equal(columns.status, 400);
  assert.deepEqual(columns.json, {
    code: "PGRST204",
    message: "Could not find the 'nope' column of 'contacts' in the schema cache",
    details: null,
    hint: null,
  });
});

Deno.test("a foreign key's name embeds the table that has it, not a view showing its columns (PostgREST)", async () => {
  // contacts and the view reachable_contacts both carry contacts_account_id_fkey (inferred through the
  // view); PostgREST matches a constraint name only on tables. Ambiguity (PGRST201) is tested through a
  // supabase data source, whose project has a table with two foreign keys to accounts.
  const { data, error } = await globex.from("accounts").select("id, contacts_account_id_fkey(name)").order(
    "id",
  );
  assert.equal(error, null);
  const viaTable = await globex.from("accounts").select("id, contacts_account_id_fkey:contacts(name)").order(
    "id",
  );
  assert.deepEqual(data, viaTable.data);
  assert.ok(
    (data as { contacts_account_id_fkey: unknown[] }[]).some((row) =>
      row.contacts_account_id_fkey.length > 0
    ),
  );
});

Deno.test("answers: a value past a PostgreSQL limit (an array of 10 dimensions) is a 400 54000 and writes nothing", async () => {
  const name = `${RUN} nested`;
  const { status, error } = await globex.from("accounts").insert({ name, tags: [[[[[[[[[["x"]]]]]]]]]] });
  assert.equal(status, 400);
  assert.deepEqual(error, {
    code: "54000",
    message: "The request exceeds a limit of PostgreSQL",
    details: null,
    hint: "Send smaller values, fewer items or less nesting (arrays have at most 6 dimensions)",
  });
  const [{ n }] = await adminSql(
    shared,
    (sql) => sql`select count(*)::int as n from public.accounts where name = ${name}`,
  ) as [{ n: number }];
  assert.equal(n, 0);
});
