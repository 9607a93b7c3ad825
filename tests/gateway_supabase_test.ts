/**
 * End to end through the running gateway with the real supabase-js, for a tenant whose data source is of
 * kind `supabase`: the gateway forwards each request over a real HTTP hop to a "project" (the direct
 * PostgREST-compatible endpoint, started here with a JWT secret of its own and serving a fresh tenant
 * database), minting a token for it. Everything this file creates is removed at the end.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { decodeJwt, jwtVerify, SignJWT } from "jose";
import postgres from "postgres";
import { JwtVerifier } from "../functions/_shared/auth/mod.ts";
import { Keyring } from "../functions/_shared/crypto/mod.ts";
import { registerDataSource } from "../functions/_shared/data_sources/mod.ts";
import { createPostgrestHandler } from "./stand_ins/postgrest_handler.ts";
import { gatewayClient, sqlAsTenant, userToken } from "./_clients.ts";
import { testStack } from "./_env.ts";

const stack = testStack();
const ROOT = new URL("../", import.meta.url).pathname;

/** What the remote project received, and the body of each error it answered. */
interface Seen {
  method: string;
  path: string;
  authorization: string | null;
  apikey: string | null;
  tenantHeader: string | null;
  errorBody?: string;
}

/** The fixture: a tenant database, its "project", a `supabase` data source and a tenant routed to it. */
interface Fixture {
  suffix: string;
  remoteSecret: string;
  anonKey: string;
  remoteDbUrl: string;
  remoteUrl: string;
  seen: Seen[];
  server: Deno.HttpServer<Deno.NetAddr>;
  tenantId: string;
  slug: string;
  otherTenantId: string;
  owner: { id: string; email: string };
  viewer: { id: string; email: string };
  /** The project's PostgREST settings (`db-aggregates-enabled`, `db-plan-enabled`), read per request. */
  projectSettings: { aggregates: boolean; plan: boolean };
  cleanups: (() => Promise<void>)[];
}

function databaseUrl(database: string): string {
  const url = new URL(stack.appDbUrl);
  return `${url.protocol}//${url.username}:${url.password}@${url.host}/${database}`;
}

async function withSql<T>(url: string, use: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await use(sql);
  } finally {
    await sql.end();
  }
}

/** A fresh tenant database: created, bootstrapped like Supabase's image, migrated with the Supabase CLI. */
async function createTenantDatabase(fixture: Fixture, database: string): Promise<void> {
  await withSql(stack.appDbUrl, (sql) => sql.unsafe(`create database ${database}`));
  fixture.cleanups.push(() =>
    withSql(
      stack.appDbUrl,
      async (sql) => void await sql.unsafe(`drop database if exists ${database} with (force)`),
    )
  );
  const bootstrap = await Deno.readTextFile(join(ROOT, "scripts", "stack", "bootstrap.sql"));
  await withSql(fixture.remoteDbUrl, (sql) => sql.unsafe(bootstrap));
  // The CLI takes 127.0.0.1:<its db port> for its own Docker database: give it localhost.
  const cliUrl = `${fixture.remoteDbUrl.replace("@127.0.0.1:", "@localhost:")}?sslmode=disable`;
  const { code, stderr } = await new Deno.Command(join(ROOT, "node_modules", ".bin", "supabase"), {
    args: ["db", "reset", "--yes", "--workdir", "tenant-db", "--db-url", cliUrl, "--no-seed"],
    cwd: ROOT,
    env: { SUPABASE_TELEMETRY_DISABLED: "1" },
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
}

async function setUp(): Promise<Fixture> {
  const suffix = crypto.randomUUID().replaceAll("-", "").slice(0, 10);
  const remoteSecret = `remote-project-secret-${crypto.randomUUID()}`;
  const sign = (role: string) =>
    new SignJWT({ iss: "supabase-demo", role }).setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuedAt().setExpirationTime("1h").sign(new TextEncoder().encode(remoteSecret));
  const fixture: Fixture = {
    suffix,
    remoteSecret,
    anonKey: await sign("anon"),
    remoteDbUrl: databaseUrl(`tenant_remote_${suffix}`),
    remoteUrl: "",
    seen: [],
    server: undefined as unknown as Deno.HttpServer<Deno.NetAddr>,
    tenantId: crypto.randomUUID(),
    slug: `remote-${suffix}`,
    otherTenantId: crypto.randomUUID(),
    owner: { id: crypto.randomUUID(), email: `owner-${suffix}@remote.test` },
    viewer: { id: crypto.randomUUID(), email: `viewer-${suffix}@remote.test` },
    cleanups: [],
    projectSettings: { aggregates: false, plan: false },
  };
  try {
    await createTenantDatabase(fixture, `tenant_remote_${suffix}`);
    // Rows of our tenant and of another one: the project's RLS must show only ours.
    await withSql(fixture.remoteDbUrl, async (sql) => {
      const accounts = await sql<{ id: string }[]>`
        insert into public.accounts (tenant_id, name, industry) values
          (${fixture.tenantId}, 'Initrode', 'Software'), (${fixture.tenantId}, 'Zoë''s Ltd', 'Retail'),
          (${fixture.tenantId}, 'Umbrella', 'Pharma'),
          (${fixture.otherTenantId}, 'Not yours', 'Secret'), (${fixture.otherTenantId}, 'Neither', 'Secret')
        returning id`;
      await sql`
        insert into public.contacts (tenant_id, account_id, name, email) values
          (${fixture.tenantId}, ${accounts[0]!.id}, 'Peter Gibbons', 'peter@initrode.test'),
          (${fixture.tenantId}, ${accounts[0]!.id}, 'Milton Waddams', 'milton@initrode.test')`;
      // An app's own table with two foreign keys to accounts: embedding accounts from it is ambiguous.
      await sql`
        create table public.account_links (
          id uuid primary key default gen_random_uuid(),
          tenant_id uuid not null,
          from_account_id uuid not null,
          to_account_id uuid not null,
          constraint account_links_from_fkey foreign key (tenant_id, from_account_id)
            references public.accounts (tenant_id, id),
          constraint account_links_to_fkey foreign key (tenant_id, to_account_id)
            references public.accounts (tenant_id, id)
        )`;
      await sql`alter table public.account_links enable row level security`;
    });

    // The "project": the direct endpoint with its own secret, over real HTTP, recording what it gets.
    const sql = postgres(fixture.remoteDbUrl, { max: 4, onnotice: () => {} });
    fixture.cleanups.push(() => sql.end({ timeout: 1 }));
    const handle = createPostgrestHandler({
      sql,
      jwtVerifier: await JwtVerifier.create({ secret: remoteSecret }),
      log: () => {},
      postgrest: fixture.projectSettings,
    });
    fixture.server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
      const seen: Seen = {
        method: request.method,
        path: new URL(request.url).pathname,
        authorization: request.headers.get("authorization"),
        apikey: request.headers.get("apikey"),
        tenantHeader: request.headers.get("x-tenant-id"),
      };
      fixture.seen.push(seen);
      const response = await handle(request);
      if (response.status >= 400) {
        seen.errorBody = await response.clone().text();
      }
      return response;
    });
    fixture.cleanups.push(() => fixture.server.shutdown());
    fixture.remoteUrl = `http://127.0.0.1:${fixture.server.addr.port}`;

    // The application database: a supabase data source, two users and a tenant routed to it.
    const keyring = await Keyring.fromEnv(Deno.env);
    await withSql(stack.appDbUrl, async (sql) => {
      const dataSource = await registerDataSource(sql, keyring, {
        name: `tenant_remote_${suffix}`,
        kind: "supabase",
        credentials: {
          url: fixture.remoteUrl,
          anon_key: fixture.anonKey,
          service_key: await sign("service_role"),
          jwt_secret: remoteSecret,
        },
      });
      fixture.cleanups.push(() =>
        withSql(stack.appDbUrl, async (sql) => {
          await sql`delete from public.tenants where id = ${fixture.tenantId}`;
          await sql`delete from auth.users where id in ${sql([fixture.owner.id, fixture.viewer.id])}`;
          await sql`delete from private.data_sources where id = ${dataSource.id}`;
        })
      );
      await sql`
        insert into auth.users (id, aud, role, email) values
          (${fixture.owner.id}, 'authenticated', 'authenticated', ${fixture.owner.email}),
          (${fixture.viewer.id}, 'authenticated', 'authenticated', ${fixture.viewer.email})`;
      await sql`
        insert into public.tenants (id, slug, name, data_source_id)
        values (${fixture.tenantId}, ${fixture.slug}, 'Remote project tenant', ${dataSource.id})`;
      await sql`
        insert into public.tenant_members (tenant_id, user_id, role) values
          (${fixture.tenantId}, ${fixture.owner.id}, 'owner'),
          (${fixture.tenantId}, ${fixture.viewer.id}, 'viewer')`;
    });
    return fixture;
  } catch (error) {
    await tearDown(fixture);
    throw error;
  }
}

async function tearDown(fixture: Fixture): Promise<void> {
  for (const cleanup of fixture.cleanups.reverse()) {
    await cleanup().catch((error) => console.error(`cleanup failed: ${error}`));
  }
}

/** A raw request to the gateway, for what supabase-js does not show (headers, exact bodies). */
async function gatewayFetch(path: string, token: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("apikey", stack.anonKey);
  headers.set("authorization", `Bearer ${token}`);
  return await fetch(`${stack.functionsUrl}/tenant-data/rest/v1${path}`, { ...init, headers });
}

Deno.test({
  name: "a tenant on a supabase data source is served through its project with the project's RLS",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const fixture = await setUp();
    try {
      const ownerToken = await userToken(stack, fixture.owner);
      const viewerToken = await userToken(stack, fixture.viewer);
      const owner = gatewayClient(stack, ownerToken, fixture.slug);
      const asOwner = { sub: fixture.owner.id, tenant_id: fixture.tenantId, tenant_role: "owner" };

      await t.step(
        "reads (spreads too) through supabase-js equal SQL as that tenant in the project's database",
        async () => {
          const { data, error, status } = await owner.from("accounts").select("id, name, industry").order(
            "name",
          );
          assert.equal(error, null);
          assert.equal(status, 200);
          const expected = await sqlAsTenant(
            fixture.remoteDbUrl,
            asOwner,
            (tx) => tx`select id, name, industry from public.accounts order by name`,
          );
          assert.deepEqual(data, expected.map((row) => ({ ...row })));
          // The other tenant's two rows in the same database stay invisible.
          assert.deepEqual(data?.map((row) => row.name), ["Initrode", "Umbrella", "Zoë's Ltd"]);

          const embedded = await owner.from("accounts").select("name, contacts(name)")
            .eq("name", "Initrode").order("name", { referencedTable: "contacts" }).single();
          assert.equal(embedded.error, null);
          assert.deepEqual(embedded.data, {
            name: "Initrode",
            contacts: [{ name: "Milton Waddams" }, { name: "Peter Gibbons" }],
          });
          const spread = await owner.from("contacts").select("name, ...accounts(account_name:name)").order(
            "name",
          );
          assert.equal(spread.error, null);
          assert.deepEqual(
            spread.data,
            await sqlAsTenant(
              fixture.remoteDbUrl,
              asOwner,
              (tx) =>
                tx`select c.name, a.name as account_name from public.contacts c
                   left join public.accounts a on a.id = c.account_id order by c.name`,
            ).then((rows) => rows.map((row) => ({ ...row }))),
          );

          const counted = await owner.from("accounts").select("*", { count: "exact", head: true });
          assert.equal(counted.error, null);
          assert.equal(counted.count, 3);

          const ranged = await gatewayFetch("/accounts?select=name&order=name", ownerToken, {
            headers: { range: "0-1", prefer: "count=exact" },
          });
          assert.equal(ranged.status, 206);
          assert.equal(ranged.headers.get("content-range"), "0-1/3");
          assert.deepEqual(await ranged.json(), [{ name: "Initrode" }, { name: "Umbrella" }]);
          assert.match(ranged.headers.get("server-timing") ?? "", /auth;dur=.*tenant;dur=.*forward;dur=/);
        },
      );

      await t.step(
        "functions (rpc) and views are served through the project as SQL answers them",
        async () => {
          const count = await owner.rpc("contact_count");
          assert.deepEqual([count.error, count.data], [null, 2]);
          const found = await owner.rpc("search_contacts", { query: "gibbons" }).select(
            "name, accounts(name)",
          );
          assert.equal(found.error, null);
          const expected = await sqlAsTenant(
            fixture.remoteDbUrl,
            asOwner,
            (tx) => tx`select name from public.search_contacts('gibbons')`,
          );
          assert.deepEqual(
            found.data,
            expected.map((row) => ({ name: row.name, accounts: { name: "Initrode" } })),
          );
          const missing = await owner.rpc("search_contact", { query: "x" });
          assert.equal(missing.status, 404);
          assert.equal(missing.error?.hint, "Perhaps you meant to call the function public.search_contacts");
          const reachable = await owner.from("reachable_contacts").select("name, accounts(name)").order(
            "name",
          );
          assert.equal(reachable.error, null);
          assert.deepEqual(reachable.data, [
            { name: "Milton Waddams", accounts: { name: "Initrode" } },
            { name: "Peter Gibbons", accounts: { name: "Initrode" } },
          ]);
        },
      );

      await t.step(
        "self-relationships, computed fields and relationships, and void calls go through the project",
        async () => {
          const [initrode] = await sqlAsTenant(
            fixture.remoteDbUrl,
            asOwner,
            (tx) => tx`select id from public.accounts where name = 'Initrode'`,
          ) as [{ id: string }];
          const child = await owner.from("accounts").insert({
            name: "Initrode Labs",
            parent_account_id: initrode.id,
          })
            .select("name, parent:parent_account_id(name)").single();
          assert.equal(child.error, null);
          assert.deepEqual(child.data, { name: "Initrode Labs", parent: { name: "Initrode" } });
          const tree = await owner.from("accounts").select("name, accounts(name), subsidiaries(name)")
            .eq("name", "Initrode").single();
          assert.equal(tree.error, null);
          assert.deepEqual(tree.data, {
            name: "Initrode",
            accounts: [{ name: "Initrode Labs" }],
            subsidiaries: [{ name: "Initrode Labs" }],
          });
          const twice = await owner.from("contacts").select("accounts(name), accounts(id)");
          assert.deepEqual([twice.status, twice.error?.code], [400, "42712"]);
          const head = await gatewayFetch(
            `/rpc/check_opportunity_closable?opportunity_id=${crypto.randomUUID()}`,
            ownerToken,
            { method: "HEAD" },
          );
          assert.equal(head.status, 404, "the project's PT404 for an unknown opportunity passes through");
          const removed = await owner.from("accounts").delete().eq("name", "Initrode Labs");
          assert.equal(removed.error, null);
        },
      );

      await t.step(
        "an ambiguous embedding is 300 PGRST201 with the candidates as a JSON array in details",
        async () => {
          const { error, status } = await owner.from("account_links").select("id, accounts(name)");
          assert.equal(status, 300);
          assert.deepEqual(error, {
            code: "PGRST201",
            message:
              "Could not embed because more than one relationship was found for 'account_links' and 'accounts'",
            details: [
              {
                cardinality: "many-to-one",
                embedding: "account_links with accounts",
                relationship:
                  "account_links_from_fkey using account_links(tenant_id, from_account_id) and accounts(tenant_id, id)",
              },
              {
                cardinality: "many-to-one",
                embedding: "account_links with accounts",
                relationship:
                  "account_links_to_fkey using account_links(tenant_id, to_account_id) and accounts(tenant_id, id)",
              },
            ],
            hint:
              "Try changing 'accounts' to one of the following: 'accounts!account_links_from_fkey', 'accounts!account_links_to_fkey'. Find the desired relationship in the 'details' key.",
          });
          const hinted = await owner.from("account_links").select("id, accounts!from_account_id(name)");
          assert.deepEqual([hinted.status, hinted.data], [200, []], "a hint picks one; RLS shows no link");
        },
      );

      await t.step("writes through supabase-js land in the project's database as that tenant", async () => {
        const inserted = await owner.from("accounts").insert({ name: "Forwarded Ltd", industry: "Testing" })
          .select("id, name, tenant_id").single();
        assert.equal(inserted.error, null);
        assert.equal(inserted.status, 201);
        assert.equal(inserted.data?.tenant_id, fixture.tenantId);
        const id = inserted.data?.id as string;
        const stored = await withSql(
          fixture.remoteDbUrl,
          (sql) => sql`select tenant_id, created_by, industry from public.accounts where id = ${id}`,
        );
        assert.deepEqual(stored.map((row) => ({ ...row })), [
          { tenant_id: fixture.tenantId, created_by: fixture.owner.id, industry: "Testing" },
        ]);

        const updated = await owner.from("accounts").update({ industry: "Forwarding" }).eq("id", id)
          .select("industry");
        assert.equal(updated.error, null);
        assert.deepEqual(updated.data, [{ industry: "Forwarding" }]);

        const minimal = await owner.from("contacts").insert({ account_id: id, name: "Bill Lumbergh" });
        assert.equal(minimal.error, null);
        assert.equal(minimal.status, 201);

        const deleted = await owner.from("accounts").delete().eq("id", id);
        assert.equal(deleted.error, null);
        assert.equal(deleted.status, 204);
        const left = await withSql(
          fixture.remoteDbUrl,
          (sql) => sql`select count(*)::int as n from public.accounts where id = ${id}`,
        );
        assert.equal(left[0]?.n, 0);
      });

      await t.step(
        "the project saw only tokens minted for it, never the user's token or tenant header",
        () => {
          assert.ok(fixture.seen.length >= 8);
          for (const seen of fixture.seen) {
            assert.equal(seen.apikey, fixture.anonKey);
            assert.equal(seen.tenantHeader, null);
            assert.notEqual(seen.authorization, `Bearer ${ownerToken}`);
            assert.ok(seen.path.startsWith("/rest/v1/"));
          }
        },
      );

      await t.step(
        "the minted token is signed with the project's secret and carries the user's claims",
        async () => {
          const token = fixture.seen.at(-1)?.authorization?.replace(/^Bearer /, "") ?? "";
          const { payload } = await jwtVerify(token, new TextEncoder().encode(fixture.remoteSecret), {
            algorithms: ["HS256"],
            audience: "authenticated",
          });
          assert.deepEqual({ ...payload, iat: 0, exp: (payload.exp ?? 0) - (payload.iat ?? 0) }, {
            sub: fixture.owner.id,
            role: "authenticated",
            aud: "authenticated",
            email: fixture.owner.email,
            tenant_id: fixture.tenantId,
            tenant_role: "owner",
            iat: 0,
            exp: 60,
          });
          await assert.rejects(jwtVerify(token, new TextEncoder().encode(stack.jwtSecret)));
        },
      );

      await t.step("the project's 4xx answers pass through unchanged", async () => {
        const before = fixture.seen.length;
        const response = await gatewayFetch("/no_such_table?select=*", ownerToken);
        const body = await response.text();
        assert.equal(response.status, 404);
        assert.equal(JSON.parse(body).code, "PGRST205");
        assert.equal(body, fixture.seen[before]?.errorBody);

        const viewer = gatewayClient(stack, viewerToken);
        const refused = await viewer.from("accounts").insert({ name: "Viewers cannot write" });
        assert.equal(refused.status, 403);
        assert.equal(refused.error?.code, "42501");
        const raw = await gatewayFetch("/accounts", viewerToken, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ name: "Viewers cannot write" }),
        });
        assert.equal(raw.status, 403);
        assert.equal(await raw.text(), fixture.seen.at(-1)?.errorBody);
        // The viewer's token minted for the project carried tenant_role viewer.
        const minted = decodeJwt(fixture.seen.at(-1)?.authorization?.replace(/^Bearer /, "") ?? "");
        assert.equal(minted.tenant_role, "viewer");
        assert.equal(minted.sub, fixture.viewer.id);
      });

      await t.step(
        "PostgREST's settings are the project's: preferences, CSV, stripNulls, max-affected, aggregates, explain",
        async () => {
          const strict = await gatewayFetch("/contacts?select=id", ownerToken, {
            headers: { prefer: "handling=strict, foo, bar" },
          });
          assert.equal(strict.status, 400);
          assert.deepEqual(await strict.json(), {
            code: "PGRST122",
            message: "Invalid preferences given with handling=strict",
            details: "Invalid preferences: foo, bar",
            hint: null,
          });
          const applied = await gatewayFetch("/contacts?select=id", ownerToken, {
            headers: { prefer: "count=exact, handling=strict, tx=rollback" },
          });
          assert.equal(applied.headers.get("preference-applied"), "count=exact, handling=strict");
          await applied.body?.cancel();

          const csv = await owner.from("contacts").select("name, email").order("name").csv();
          const lines = await sqlAsTenant(
            fixture.remoteDbUrl,
            asOwner,
            (tx) =>
              tx`select substring(t::text, 2, length(t::text) - 2) as line
                 from (select name, email from public.contacts order by name) t`,
          );
          assert.deepEqual([csv.error, csv.data], [
            null,
            ["name,email", ...lines.map((row) => row.line)].join("\n"),
          ]);
          // Record quoting: a value with a space is quoted, a null is empty.
          assert.ok(
            String(csv.data).split("\n").includes('"Milton Waddams",milton@initrode.test'),
            csv.data ?? "",
          );

          const stripped = await owner.from("accounts").select("name, industry").eq("name", "Initrode")
            .single()
            .stripNulls();
          assert.deepEqual([stripped.error, stripped.data], [null, {
            name: "Initrode",
            industry: "Software",
          }]);

          const bounded = await gatewayFetch("/rpc/search_contacts", ownerToken, {
            method: "POST",
            headers: { "content-type": "application/json", prefer: "handling=strict, max-affected=0" },
            body: JSON.stringify({ query: "gibbons" }),
          });
          assert.deepEqual([bounded.status, (await bounded.json()).code], [400, "PGRST124"]);
          const scalar = await gatewayFetch("/rpc/contact_count", ownerToken, {
            method: "POST",
            headers: { "content-type": "application/json", prefer: "handling=strict, max-affected=1" },
            body: "{}",
          });
          assert.deepEqual([scalar.status, (await scalar.json()).code], [400, "PGRST128"]);

          // Off in the project (as in Supabase): PGRST123 and PGRST107, passed through.
          const aggregate = await owner.from("contacts").select("account_id, count()");
          assert.deepEqual([aggregate.status, aggregate.error?.code], [400, "PGRST123"]);
          const explained = await owner.from("contacts").select("id").explain();
          assert.deepEqual([explained.status, explained.error?.code], [406, "PGRST107"]);
          // Turned on in the project: the gateway forwards, the project answers.
          fixture.projectSettings.aggregates = true;
          fixture.projectSettings.plan = true;
          try {
            const grouped = await owner.from("contacts").select("account_id, n:count()");
            const expected = await sqlAsTenant(
              fixture.remoteDbUrl,
              asOwner,
              (tx) => tx`select account_id, count(*)::int as n from public.contacts group by account_id`,
            );
            assert.deepEqual([grouped.error, grouped.data], [null, expected.map((row) => ({ ...row }))]);
            const plan = await owner.from("contacts").select("id").explain({ format: "json" });
            assert.equal(plan.status, 200);
            assert.ok(
              Array.isArray(plan.data) && "Plan" in (plan.data[0] as object),
              JSON.stringify(plan.data),
            );
          } finally {
            fixture.projectSettings.aggregates = false;
            fixture.projectSettings.plan = false;
          }
        },
      );

      await t.step(
        "a stopped project answers 503 with Retry-After at once, and reveals nothing",
        async () => {
          await fixture.server.shutdown();
          for (let attempt = 0; attempt < 4; attempt++) {
            const started = performance.now();
            const response = await gatewayFetch("/accounts?select=id", ownerToken);
            const body = await response.text();
            assert.equal(response.status, 503);
            assert.ok(Number(response.headers.get("retry-after")) >= 1);
            assert.equal(JSON.parse(body).code, "TR503");
            assert.ok(!body.includes(String(fixture.server.addr.port)) && !body.includes("127.0.0.1"));
            assert.ok(performance.now() - started < 3000, "the gateway waited for a project that is gone");
          }
        },
      );
    } finally {
      await tearDown(fixture);
    }
  },
});
