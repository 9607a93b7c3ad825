import assert from "node:assert/strict";
import postgres from "postgres";
import { Keyring } from "../../crypto/mod.ts";
import {
  assertNoSecrets,
  connect,
  createScratchDatabase,
  databaseEnv,
  keyEnv,
  serviceToken,
  testHandler,
  unique,
} from "../testdata/helpers.ts";

const env = databaseEnv();

/** Supabase project credentials (the Data API is never called by a move or a provision). */
function projectCredentials(dbUrl?: string): Record<string, string> {
  return {
    url: "https://abcdefghijklmnopqrst.supabase.co",
    anon_key: `anon-${"a".repeat(40)}`,
    service_key: `service-${"s".repeat(40)}`,
    ...(dbUrl === undefined ? {} : { db_url: dbUrl }),
  };
}

Deno.test({
  name:
    "a supabase data source with db_url is provisioned and moved to; without db_url both are refused with TR641",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const sql = connect(env!.dbUrl);
    const t = await testHandler({ dbUrl: env!.dbUrl, keyring: await Keyring.fromEnv(keyEnv(env!)) });
    // A plain database: no auth schema, never bootstrapped.
    const scratch = await createScratchDatabase(env!.dbUrl);
    const suffix = crypto.randomUUID().slice(0, 8);
    const [withUrl, withoutUrl] = [`t_sb_db_${suffix}`, `t_sb_api_${suffix}`];
    const slug = unique("t-sb-move");
    const shared = postgres(env!.sharedDbUrl, { max: 1, onnotice: () => {} });
    let tenantId = "";
    try {
      const service = await serviceToken();
      for (const [name, dbUrl] of [[withUrl, scratch.url], [withoutUrl, undefined]] as const) {
        const registered = await t.call("POST", "/data-sources", {
          token: service,
          body: { name, kind: "supabase", credentials: projectCredentials(dbUrl) },
        });
        assert.equal(registered.status, 201, registered.text);
      }
      const shown = await t.call("GET", `/data-sources/${withUrl}`, { token: service });
      assert.equal(shown.json.masked_db_url, scratch.url.replace(":postgres@", ":****@"));
      assert.equal(shown.json.masked_url, "https://abcdefghijklmnopqrst.supabase.co");
      assertNoSecrets(shown.text, [":postgres@", "anon-aaaa", "service-ssss"]);
      const apiOnly = await t.call("GET", `/data-sources/${withoutUrl}`, { token: service });
      assert.equal(apiOnly.json.masked_db_url, null);

      const refused = await t.call("POST", `/data-sources/${withUrl}/provision`, { token: service });
      assert.equal(refused.status, 422, "a plain database is refused without bootstrap_supabase");
      assert.equal(refused.json.code, "TR642");
      const provisioned = await t.call("POST", `/data-sources/${withUrl}/provision`, {
        token: service,
        body: { bootstrap_supabase: true },
      });
      assert.equal(provisioned.status, 200, provisioned.text);
      assert.equal(provisioned.json.current, true);
      const noDatabase = await t.call("POST", `/data-sources/${withoutUrl}/provision`, { token: service });
      assert.equal(noDatabase.status, 422);
      assert.equal(noDatabase.json.code, "TR641");
      assert.match(noDatabase.json.message, /without a database URL/);

      const created = await t.call("POST", "/tenants", {
        token: service,
        body: { slug, name: "Project Co" },
      });
      assert.equal(created.status, 201, created.text);
      tenantId = created.json.id;
      const [account] = await shared<{ id: string }[]>`
        insert into public.accounts (tenant_id, name) values (${tenantId}, 'To The Project') returning id`;
      await shared`insert into public.contacts (tenant_id, account_id, name)
                   values (${tenantId}, ${account!.id}, 'Ada Project')`;

      const toApiOnly = await t.call("POST", `/tenants/${slug}/moves`, {
        token: service,
        body: { data_source: withoutUrl, wait: true },
      });
      assert.equal(toApiOnly.status, 422, toApiOnly.text);
      assert.equal(toApiOnly.json.code, "TR641");
      assert.match(toApiOnly.json.message, /Supabase project without a database URL/);
      assert.match(toApiOnly.json.hint, /db_url/);
      const [unstarted] = await sql<{ n: number }[]>`
        select count(*)::int as n from public.tenant_moves where tenant_id = ${tenantId}`;
      assert.equal(unstarted?.n, 0, "a refused move leaves no move behind");

      // Giving the project its database URL later makes it a valid target.
      const replaced = await t.call("PUT", `/data-sources/${withoutUrl}/credentials`, {
        token: service,
        body: { credentials: projectCredentials(scratch.url) },
      });
      assert.equal(replaced.status, 200, replaced.text);
      const plan = await t.call("POST", `/tenants/${slug}/moves`, {
        token: service,
        body: { data_source: withoutUrl, dry_run: true },
      });
      assert.equal(plan.status, 200, plan.text);
      assert.equal(plan.json.rows, 2);

      const moved = await t.call("POST", `/tenants/${slug}/moves`, {
        token: service,
        body: { data_source: withUrl, wait: true },
      });
      assert.equal(moved.status, 200, moved.text);
      assert.equal(moved.json.status, "done", moved.json.error);
      assert.equal(moved.json.rows_verified, 2);
      const target = postgres(scratch.url, { max: 1, onnotice: () => {} });
      try {
        const [copied] = await target<{ n: number }[]>`
          select count(*)::int as n from public.contacts where tenant_id = ${tenantId}`;
        assert.equal(copied?.n, 1);
      } finally {
        await target.end();
      }
      const [routed] = await sql<{ name: string }[]>`
        select d.name from public.tenants t join private.data_sources d on d.id = t.data_source_id
        where t.id = ${tenantId}`;
      assert.equal(routed?.name, withUrl);
    } finally {
      if (tenantId) {
        await shared`delete from public.contacts where tenant_id = ${tenantId}`;
        await shared`delete from public.accounts where tenant_id = ${tenantId}`;
        await sql`delete from public.tenants where id = ${tenantId}`;
      }
      await sql`delete from private.data_sources where name in (${withUrl}, ${withoutUrl})`;
      await shared.end();
      await t.sql.end();
      await sql.end();
      await scratch.drop();
    }
  },
});
