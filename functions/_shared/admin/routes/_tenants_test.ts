import assert from "node:assert/strict";
import { Keyring } from "../../crypto/mod.ts";
import {
  connect,
  createUser,
  databaseEnv,
  deleteTenants,
  deleteUsers,
  keyEnv,
  serviceToken,
  testHandler,
  unique,
  userToken,
} from "../testdata/helpers.ts";

const env = databaseEnv();

Deno.test({
  name: "tenant routes create, read, list, rename, suspend and route a tenant, audited with the actor",
  async fn() {
    const sql = connect(env!.dbUrl);
    const t = await testHandler({ dbUrl: env!.dbUrl, keyring: await Keyring.fromEnv(keyEnv(env!)) });
    const slug = unique("t-tenant");
    const admin = await createUser(sql, `${unique("platform")}@example.test`);
    try {
      const service = await serviceToken();
      const created = await t.call("POST", "/tenants", {
        token: service,
        body: { slug, name: "Test Tenant" },
      });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.json.slug, slug);
      assert.equal(created.json.status, "active");
      assert.equal(created.json.uses_default, true);
      assert.equal(created.json.data_source, "tenant_shared");

      const bySlug = await t.call("GET", `/tenants/${slug}`, { token: service });
      const byId = await t.call("GET", `/tenants/${created.json.id}`, { token: service });
      assert.deepEqual(bySlug.json, byId.json);

      const list = await t.call("GET", "/tenants?status=active", { token: service });
      assert.ok(list.json.some((tenant: { slug: string }) => tenant.slug === slug));
      const badQuery = await t.call("GET", "/tenants?status=weird", { token: service });
      assert.equal(badQuery.status, 400);
      assert.equal(badQuery.json.details[0].path, "status");

      // A platform admin's change is recorded under their user id.
      const platform = await userToken(admin, { platform_admin: true });
      const renamed = await t.call("PATCH", `/tenants/${slug}`, {
        token: platform,
        body: { name: "Renamed" },
      });
      assert.equal(renamed.status, 200, renamed.text);
      assert.equal(renamed.json.name, "Renamed");

      const suspended = await t.call("POST", `/tenants/${slug}/suspend`, { token: service });
      assert.equal(suspended.json.status, "suspended");

      const routed = await t.call("PUT", `/tenants/${slug}/data-source`, {
        token: service,
        body: { data_source: "tenant_acme" },
      });
      assert.equal(routed.status, 200, routed.text);
      assert.equal(routed.json.tenant.data_source, "tenant_acme");
      assert.equal(routed.json.previous_data_source, "tenant_shared");
      const back = await t.call("PUT", `/tenants/${slug}/data-source`, {
        token: service,
        body: { data_source: null },
      });
      assert.equal(back.json.tenant.uses_default, true);
      const missing = await t.call("PUT", `/tenants/${slug}/data-source`, {
        token: service,
        body: { data_source: "no_such_source" },
      });
      assert.equal(missing.status, 404);
      assert.equal(missing.json.code, "TR622");

      const audit = await sql<
        { action: string; actor_id: string | null; actor_role: string; new: { name: string } }[]
      >`
        select action, actor_id, actor_role, new from public.audit_log
        where entity = 'public.tenants' and entity_id = ${created.json.id} order by id`;
      assert.equal(audit[0]?.action, "insert");
      assert.equal(audit[0]?.actor_role, "service_role");
      assert.equal(audit[0]?.actor_id, null);
      const rename = audit.find((row) => row.new?.name === "Renamed");
      assert.equal(rename?.actor_id, admin.id);
      assert.equal(rename?.actor_role, "authenticated");
    } finally {
      await deleteTenants(sql, [slug]);
      await deleteUsers(sql, [admin.id]);
      await t.close();
      await sql.end();
    }
  },
});

Deno.test({
  name:
    "tenant routes answer a taken slug with 409, an unknown tenant with 404 and create with a first owner",
  async fn() {
    const sql = connect(env!.dbUrl);
    const t = await testHandler({ dbUrl: env!.dbUrl, keyring: await Keyring.fromEnv(keyEnv(env!)) });
    const slug = unique("t-owner");
    const owner = await createUser(sql, `${unique("owner")}@example.test`);
    try {
      const service = await serviceToken();
      const taken = await t.call("POST", "/tenants", {
        token: service,
        body: { slug: "acme", name: "Again" },
      });
      assert.equal(taken.status, 409);
      assert.equal(taken.json.code, "TR630");
      assert.match(taken.json.message, /"acme" already exists/);

      const unknown = await t.call("GET", "/tenants/no-such-tenant", { token: service });
      assert.equal(unknown.status, 404);

      const created = await t.call("POST", "/tenants", {
        token: service,
        body: { slug, name: "Owned", owner_email: owner.email.toUpperCase(), data_source: "tenant_acme" },
      });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.json.member_count, 1);
      assert.equal(created.json.data_source, "tenant_acme");
      const noUser = await t.call("POST", "/tenants", {
        token: service,
        body: { slug: unique("t-none"), name: "Nobody", owner_email: "nobody-here@example.test" },
      });
      assert.equal(noUser.status, 404);
      assert.equal(noUser.json.code, "TR623");
    } finally {
      await deleteTenants(sql, [slug]);
      await deleteUsers(sql, [owner.id]);
      await t.close();
      await sql.end();
    }
  },
});
