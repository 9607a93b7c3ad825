/**
 * The gateway on data sources reached directly (no transaction-mode pooler), end to end with supabase-js:
 * the test stack registers its data sources through PgBouncer, where every statement goes as a simple query;
 * here a statement goes as a simple query with literals on its connection's first use, is prepared after it
 * once it recurs, and is bound to the prepared statement after that. Every answer must be the same along
 * the way, and the attacks must fail closed in each of the three forms.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { generateKey } from "../functions/_shared/crypto/mod.ts";
import { adminSql, sqlAsTenant, TENANTS, USERS, userToken } from "./_clients.ts";
import { testStack } from "./_env.ts";
import { type ScratchGateway, startScratchGateway } from "./_scratch_gateway.ts";

const stack = testStack();
/** The same request this many times: inlined, inlined and then prepared, bound (and bound again). */
const REPEATS = 4;
const RUN = `direct-${crypto.randomUUID().slice(0, 8)}`;
const HOSTILE = ["it's", "\\'; drop table public.accounts; --", "$1::text", "ünïcødé 🚀", "\\"];

async function withDirectGateway(use: (gateway: ScratchGateway) => Promise<void>): Promise<void> {
  const gateway = await startScratchGateway(stack, {
    name: "direct",
    sealingKeys: [generateKey()],
    dataSources: [
      { name: "shared", url: stack.tenantDbUrls.tenant_shared, isDefault: true, poolMax: 2 },
      { name: "acme", url: stack.tenantDbUrls.tenant_acme, poolMax: 2, tenants: ["acme"] },
    ],
  });
  try {
    await use(gateway);
  } finally {
    await gateway.stop();
  }
}

function client(gateway: ScratchGateway, token: string): SupabaseClient {
  return createClient(`${gateway.functionsUrl}/tenant-data`, stack.anonKey, {
    global: { headers: { Authorization: `Bearer ${token}` } },
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
}

Deno.test("on direct data sources a read gives the same rows whether its statement goes inlined, is being prepared, or is bound", async () => {
  await withDirectGateway(async (gateway) => {
    const globex = client(gateway, await userToken(stack, USERS.grace));
    const reference = await sqlAsTenant(
      stack.tenantDbUrls.tenant_shared,
      { sub: USERS.grace.id, tenant_id: TENANTS.globex, tenant_role: "owner" },
      (tx) => tx`select id, name, tenant_id from public.accounts order by id limit 3`,
    );
    assert.equal(reference.length, 3);
    for (let round = 0; round < REPEATS; round++) {
      for (const row of reference) {
        const { data, error } = await globex.from("accounts").select("id, name, tenant_id").eq("id", row.id)
          .single();
        assert.equal(error, null, `round ${round}`);
        assert.deepEqual(data, { ...row }, `round ${round}`);
      }
      const list = await globex.from("accounts").select("id").order("id").limit(3);
      assert.deepEqual(list.data, reference.map(({ id }) => ({ id })), `round ${round}`);
    }
  });
});

Deno.test("on direct data sources hostile values and another tenant's id fail closed in every form of the statement", async () => {
  await withDirectGateway(async (gateway) => {
    const globex = client(gateway, await userToken(stack, USERS.grace));
    for (let round = 0; round < REPEATS; round++) {
      for (const value of HOSTILE) {
        const { data, error } = await globex.from("accounts").select("id").eq("name", value);
        assert.equal(error, null, `${value}, round ${round}`);
        assert.deepEqual(data, [], `${value}, round ${round}`);
      }
      const other = await globex.from("accounts").select("id").eq("tenant_id", TENANTS.initech);
      assert.deepEqual(other.data, [], `round ${round}`);
      // acme is another data source: its rows are not reachable from globex's either.
      const acme = await globex.from("accounts").select("id").eq("tenant_id", TENANTS.acme);
      assert.deepEqual(acme.data, [], `round ${round}`);
    }
    const [table] = await adminSql(
      stack.tenantDbUrls.tenant_shared,
      (sql) => sql`select to_regclass('public.accounts') is not null as present`,
    );
    assert.equal(table?.present, true);
  });
});

Deno.test("on direct data sources writes of one shape store each value exactly, in its tenant's database", async () => {
  await withDirectGateway(async (gateway) => {
    const alice = client(gateway, await userToken(stack, USERS.alice));
    try {
      for (const [round, value] of HOSTILE.entries()) {
        const name = `${RUN} ${round} ${value}`;
        const inserted = await alice.from("accounts").insert({ name }).select("id, name, tenant_id").single();
        assert.equal(inserted.error, null, value);
        assert.equal(inserted.data.name, name);
        assert.equal(inserted.data.tenant_id, TENANTS.acme);
        const renamed = await alice.from("accounts").update({ name: `${name}!` }).eq("id", inserted.data.id)
          .select("name").single();
        assert.equal(renamed.error, null, value);
        assert.equal(renamed.data.name, `${name}!`);
      }
      const stored = await adminSql(
        stack.tenantDbUrls.tenant_acme,
        (sql) =>
          sql`select name from public.accounts where name like ${`${RUN} %`} order by created_at, name`,
      );
      assert.deepEqual(
        stored.map(({ name }) => name),
        HOSTILE.map((value, round) => `${RUN} ${round} ${value}!`),
      );
      const inShared = await adminSql(
        stack.tenantDbUrls.tenant_shared,
        (sql) => sql`select count(*)::int as n from public.accounts where name like ${`${RUN} %`}`,
      );
      assert.equal(inShared[0]?.n, 0);
    } finally {
      await adminSql(
        stack.tenantDbUrls.tenant_acme,
        (sql) => sql`delete from public.accounts where name like ${`${RUN} %`}`,
      );
    }
  });
});
