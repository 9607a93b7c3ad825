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

      const list = await t.call("GET", "/tenants?status=active&limit=1000", { token: service });
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

/** Follows a `Link: <…>; rel="next"` header, relative to the request's URL; `null` without one. */
function nextLink(path: string, headers: Headers): string | null {
  const match = /^<([^>]*)>; rel="next"$/.exec(headers.get("link") ?? "");
  if (match === null) return null;
  const url = new URL(match[1]!, `http://local/tenant-admin${path}`);
  return url.pathname.replace(/^\/tenant-admin/, "") + url.search;
}

Deno.test({
  name:
    "GET /tenants pages by slug: default 100, Link and x-next-cursor, no duplicate or gap while tenants are added",
  async fn() {
    const sql = connect(env!.dbUrl);
    const t = await testHandler({ dbUrl: env!.dbUrl, keyring: await Keyring.fromEnv(keyEnv(env!)) });
    const prefix = unique("pg").toLowerCase();
    const created: string[] = [];
    const addTenants = async (slugs: string[]) => {
      await sql`insert into public.tenants (slug, name) select s, 'Paged ' || s from unnest(${slugs}::text[]) as s`;
      created.push(...slugs);
    };
    try {
      const service = await serviceToken();
      await addTenants(Array.from({ length: 105 }, (_, i) => `${prefix}-${String(i).padStart(3, "0")}`));
      const before = await sql<{ slug: string }[]>`select slug from public.tenants`;

      // The default page is 100 tenants, and the next one is announced.
      const first = await t.call("GET", "/tenants", { token: service });
      assert.equal(first.status, 200, first.text);
      assert.ok(Array.isArray(first.json), "the body stays an array");
      assert.equal(first.json.length, Math.min(100, before.length));
      assert.equal(first.headers.get("x-next-cursor") !== null, before.length > 100);
      assert.match(first.headers.get("link") ?? "", /^<\?cursor=[A-Za-z0-9_-]+>; rel="next"$/);

      // Walk every page of 7, adding tenants before and after the position as we go.
      const seen: string[] = [];
      let path: string | null = `/tenants?limit=7`;
      let round = 0;
      while (path !== null) {
        const page = await t.call("GET", path, { token: service });
        assert.equal(page.status, 200, page.text);
        assert.ok(page.json.length <= 7);
        seen.push(...page.json.map((tenant: { slug: string }) => tenant.slug));
        assert.equal(page.headers.get("link") === null, page.headers.get("x-next-cursor") === null);
        path = nextLink(path, page.headers);
        if (path !== null) assert.match(path, /^\/tenants\?limit=7&cursor=/);
        round++;
        if (round <= 5) {
          await addTenants([`${prefix}-z${round}`, `0${prefix}-${round}`]);
        }
      }
      assert.deepEqual(new Set(seen).size, seen.length, "no tenant shows twice");
      for (const { slug } of before) assert.ok(seen.includes(slug), `${slug} was listed`);
      const bySql = await sql<
        { slug: string }[]
      >`select slug from public.tenants where slug = any(${seen}) order by slug`;
      assert.deepEqual(
        seen,
        bySql.map((row) => row.slug),
        "pages follow one order, the database's order of slugs",
      );
      // Added behind the position: shown; added before it: not (their page has gone by).
      for (const n of [1, 2, 3, 4, 5]) assert.ok(seen.includes(`${prefix}-z${n}`));
      assert.ok(!seen.includes(`0${prefix}-5`));

      // Filters carry over to the next page.
      const filtered = await t.call("GET", `/tenants?status=active&limit=2`, { token: service });
      const second = nextLink(`/tenants?status=active&limit=2`, filtered.headers);
      assert.match(second ?? "", /^\/tenants\?status=active&limit=2&cursor=/);
      const page2 = await t.call("GET", second!, { token: service });
      assert.equal(page2.status, 200);
      assert.ok(page2.json[0].slug > filtered.json[1].slug);

      // A data source filter: its own tenants (the default's include those that follow the default).
      const onAcme = await t.call("GET", "/tenants?data_source=tenant_acme&limit=1000", { token: service });
      assert.ok(onAcme.json.some((tenant: { slug: string }) => tenant.slug === "acme"));
      assert.ok(onAcme.json.every((tenant: { data_source: string }) => tenant.data_source === "tenant_acme"));
      const onShared = await t.call("GET", "/tenants?data_source=tenant_shared&limit=1000", {
        token: service,
      });
      assert.ok(onShared.json.some((tenant: { slug: string }) => tenant.slug === "globex"));
      assert.ok(onShared.json.some((tenant: { slug: string }) => tenant.slug === `${prefix}-000`));
      assert.ok(
        onShared.json.every((tenant: { data_source: string }) => tenant.data_source === "tenant_shared"),
      );

      // A cursor that this API did not hand out, and a limit out of range, are refused.
      const valid = first.headers.get("x-next-cursor") ?? "";
      for (
        const cursor of [
          "garbage",
          "not base64 !",
          valid.slice(0, -3),
          btoa(JSON.stringify({ v: 2, after: "acme" })),
          btoa(JSON.stringify({ v: 1, after: "'; drop table public.tenants; --" })),
          btoa(JSON.stringify({ v: 1 })),
          btoa("null"),
          "A".repeat(1000),
        ]
      ) {
        const bad = await t.call("GET", `/tenants?cursor=${encodeURIComponent(cursor)}`, { token: service });
        assert.equal(bad.status, 400, `${cursor}: ${bad.text}`);
        assert.equal(bad.json.code, "TR603");
        assert.match(bad.json.hint, /next cursor of a previous page/);
      }
      for (const limit of ["0", "1001", "-1", "abc", "1.5", "99999"]) {
        const bad = await t.call("GET", `/tenants?limit=${limit}`, { token: service });
        assert.equal(bad.status, 400, `${limit}: ${bad.text}`);
        assert.equal(bad.json.code, "TR600");
        assert.equal(bad.json.details[0].path, "limit");
      }
      const max = await t.call("GET", "/tenants?limit=1000", { token: service });
      assert.equal(max.status, 200);
    } finally {
      await deleteTenants(sql, created);
      await t.close();
      await sql.end();
    }
  },
});
