/**
 * End to end through the running functions with the real supabase-js: spread embeds (`...accounts(name)`),
 * whose columns join the parent's instead of nesting, compared with the same join in SQL as that tenant.
 */
import assert from "node:assert/strict";
import { gatewayClient, sqlAsTenant, TENANTS, USERS, userToken } from "./_clients.ts";
import { testStack } from "./_env.ts";

const stack = testStack();
const globex = gatewayClient(stack, await userToken(stack, USERS.grace));
const asGlobex = { sub: USERS.grace.id, tenant_id: TENANTS.globex, tenant_role: "owner" };
const shared = stack.tenantDbUrls.tenant_shared;

type Row = Record<string, unknown>;

Deno.test("spread: a to-one spread puts the related row's columns beside the parent's, as a left join does", async () => {
  const { data, error } = await globex.from("contacts")
    .select("id, name, ...accounts(account_name:name, account_city:city)")
    .order("id");
  assert.equal(error, null);
  const expected = await sqlAsTenant(
    shared,
    asGlobex,
    (tx) =>
      tx`select c.id, c.name, a.name as account_name, a.city as account_city
         from public.contacts c left join public.accounts a on a.id = c.account_id
         order by c.id`,
  );
  assert.deepEqual(data, expected.map((row) => ({ ...row })));
  assert.ok(expected.some((row) => row.account_name !== null), "some contacts have an account");
  assert.ok(expected.some((row) => row.account_name === null), "a contact without one gets nulls");
});

Deno.test("spread: an inner spread with a filter on it keeps only the parents with a matching row", async () => {
  const [{ name: accountName }] = await sqlAsTenant(
    shared,
    asGlobex,
    (tx) =>
      tx`select a.name from public.accounts a where exists
         (select from public.contacts c where c.account_id = a.id) order by a.name limit 1`,
  ) as [{ name: string }];
  const { data, error } = await globex.from("contacts")
    .select("id, ...accounts!inner(account_name:name)")
    .eq("accounts.name", accountName)
    .order("id");
  assert.equal(error, null);
  const expected = await sqlAsTenant(
    shared,
    asGlobex,
    (tx) =>
      tx`select c.id, a.name as account_name from public.contacts c join public.accounts a on a.id = c.account_id
         where a.name = ${accountName} order by c.id`,
  );
  assert.deepEqual(data, expected.map((row) => ({ ...row })));
  assert.ok(expected.length > 0);
});

Deno.test("spread: a to-many spread gathers each column into an array (PostgREST 13), as array_agg does", async () => {
  const { data, error } = await globex.from("accounts")
    .select("id, ...contacts(contact_names:name)")
    .order("id");
  assert.equal(error, null);
  const expected = await sqlAsTenant(
    shared,
    asGlobex,
    (tx) =>
      tx`select a.id, coalesce(array_agg(c.name) filter (where c.id is not null), '{}') as contact_names
         from public.accounts a left join public.contacts c on c.account_id = a.id
         group by a.id order by a.id`,
  );
  const sorted = (rows: readonly Row[]) =>
    rows.map((row) => ({ ...row, contact_names: [...(row.contact_names as string[])].sort() }));
  assert.deepEqual(sorted(data as Row[]), sorted(expected));
  assert.ok(expected.some((row) => (row.contact_names as string[]).length > 1));
});

Deno.test("spread: an unknown column inside a spread is PostgREST's 400 42703, naming it", async () => {
  const { status, error } = await globex.from("contacts").select("id, ...accounts(nope)");
  assert.equal(status, 400);
  assert.deepEqual(error, {
    code: "42703",
    message: "column accounts.nope does not exist",
    details: null,
    hint: null,
  });
});
