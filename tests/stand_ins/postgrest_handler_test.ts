import assert from "node:assert/strict";
import { SignJWT } from "jose";
import postgres from "postgres";
import { JwtVerifier } from "../../functions/_shared/auth/mod.ts";
import { requireEnv } from "../../functions/_shared/testing/require_env.ts";
import { createPostgrestHandler } from "./postgrest_handler.ts";

/** This "project's" own secret: not the gateway's. */
const SECRET = "direct-endpoint-secret-for-tests-0123456789";
const OTHER_SECRET = "some-other-projects-secret-0123456789-abcdef";
const GLOBEX = "a0000000-0000-4000-8000-000000000002";
const GRACE = "b0000000-0000-4000-8000-000000000003";
const base = "http://project.local";

async function sign(claims: Record<string, unknown>, secret = SECRET): Promise<string> {
  return await new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).setIssuedAt()
    .setExpirationTime("5m").sign(new TextEncoder().encode(secret));
}

const anonKey = await sign({ role: "anon" });
const serviceKey = await sign({ role: "service_role" });
const userClaims = {
  sub: GRACE,
  role: "authenticated",
  aud: "authenticated",
  email: "grace@globex.test",
  tenant_id: GLOBEX,
  tenant_role: "viewer",
};

function withHandler(
  fn: (handle: (request: Request) => Promise<Response>, sql: postgres.Sql) => Promise<void>,
): () => Promise<void> {
  return async () => {
    const sql = postgres(requireEnv("TENANT_SHARED_DB_URL"), { max: 2, onnotice: () => {} });
    try {
      const jwtVerifier = await JwtVerifier.create({ secret: SECRET });
      await fn(createPostgrestHandler({ sql, jwtVerifier, log: () => {} }), sql);
    } finally {
      await sql.end();
    }
  };
}

function get(path: string, headers: Record<string, string>): Request {
  return new Request(`${base}${path}`, { headers });
}

Deno.test(
  "createPostgrestHandler() serves a token's tenant under RLS, as SQL as that tenant does",
  withHandler(async (handle, sql) => {
    const token = await sign(userClaims);
    const response = await handle(get("/rest/v1/accounts?select=id,tenant_id&order=id", {
      apikey: anonKey,
      authorization: `Bearer ${token}`,
    }));
    assert.equal(response.status, 200);
    assert.match(response.headers.get("server-timing") ?? "", /auth;dur=.*execute;dur=/);
    const rows = await response.json();
    const expected =
      await sql`select id, tenant_id from public.accounts where tenant_id = ${GLOBEX} order by id`;
    assert.deepEqual(rows, expected.map((row) => ({ ...row })));
    assert.ok(rows.length > 0);
  }),
);

Deno.test(
  "createPostgrestHandler() lets the tenant's RLS decide writes: a viewer's insert is 403 42501",
  withHandler(async (handle) => {
    const token = await sign(userClaims);
    const response = await handle(
      new Request(`${base}/rest/v1/accounts`, {
        method: "POST",
        headers: { apikey: anonKey, authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "Not allowed" }),
      }),
    );
    assert.equal(response.status, 403);
    assert.equal((await response.json()).code, "42501");
  }),
);

Deno.test(
  "createPostgrestHandler() needs one of the project's API keys",
  withHandler(async (handle) => {
    const token = await sign(userClaims);
    for (const apikey of [undefined, await sign({ role: "anon" }, OTHER_SECRET), "not-a-key"]) {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (apikey !== undefined) headers.apikey = apikey;
      const response = await handle(get("/rest/v1/accounts", headers));
      assert.equal(response.status, 401);
      assert.equal((await response.json()).code, "TR001");
    }
  }),
);

Deno.test(
  "createPostgrestHandler() accepts only user tokens signed with the project's own secret",
  withHandler(async (handle) => {
    const cases: [string | null, string][] = [
      [null, "PGRST302"],
      [await sign(userClaims, OTHER_SECRET), "PGRST301"],
      [serviceKey, "PGRST301"],
      [anonKey, "PGRST302"],
    ];
    for (const [token, code] of cases) {
      const headers: Record<string, string> = { apikey: anonKey };
      if (token !== null) headers.authorization = `Bearer ${token}`;
      const response = await handle(get("/rest/v1/accounts", headers));
      assert.equal(response.status, 401);
      assert.equal((await response.json()).code, code);
    }
  }),
);

Deno.test(
  "createPostgrestHandler() refuses a user token without valid tenant claims with 403",
  withHandler(async (handle) => {
    for (
      const claims of [
        { ...userClaims, tenant_id: undefined },
        { ...userClaims, tenant_role: undefined },
        { ...userClaims, tenant_id: "globex" },
        { ...userClaims, tenant_role: "superuser" },
      ]
    ) {
      const response = await handle(get("/rest/v1/accounts", {
        apikey: anonKey,
        authorization: `Bearer ${await sign(claims)}`,
      }));
      assert.equal(response.status, 403);
      assert.equal((await response.json()).code, "TR403");
    }
  }),
);

Deno.test(
  "createPostgrestHandler() answers the root for probes with a key, and 404 outside /rest/v1",
  withHandler(async (handle) => {
    const root = await handle(
      get("/rest/v1/", { apikey: serviceKey, authorization: `Bearer ${serviceKey}` }),
    );
    assert.equal(root.status, 200);
    await root.body?.cancel();
    const noKey = await handle(get("/rest/v1/", {}));
    assert.equal(noKey.status, 401);
    await noKey.body?.cancel();
    const elsewhere = await handle(get("/auth/v1/admin/users", { apikey: serviceKey }));
    assert.equal(elsewhere.status, 404);
    assert.equal((await elsewhere.json()).code, "PGRST125");
  }),
);

Deno.test(
  "createPostgrestHandler() answers an unknown table with PostgREST's 404 from the plan",
  withHandler(async (handle) => {
    const response = await handle(get("/rest/v1/no_such_table", {
      apikey: anonKey,
      authorization: `Bearer ${await sign(userClaims)}`,
    }));
    assert.equal(response.status, 404);
    assert.equal((await response.json()).code, "PGRST205");
  }),
);
