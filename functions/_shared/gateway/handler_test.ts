import assert from "node:assert/strict";
import { SignJWT } from "jose";
import postgres from "postgres";
import { requireEnv } from "../testing/require_env.ts";
import { connectionsAhead, createGatewayHandlerFromEnv } from "./gateway_from_env.ts";

const logged: string[] = [];
const handle = await createGatewayHandlerFromEnv(Deno.env, {
  functionName: "tenant-data",
  log: (line) => logged.push(line),
});
const base = "http://local/tenant-data";

async function token(claims: Record<string, unknown>): Promise<string> {
  return await new SignJWT({ role: "authenticated", aud: "authenticated", ...claims })
    .setProtectedHeader({ alg: "HS256" })
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(requireEnv("SUPABASE_JWT_SECRET")));
}

function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return handle(
    new Request(`${base}${path}`, { headers: { apikey: requireEnv("SUPABASE_ANON_KEY"), ...headers } }),
  );
}

Deno.test("the gateway answers /health with 200 and no credentials", async () => {
  const response = await handle(new Request(`${base}/health`));
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { status: "ok", function: "tenant-data" });
});

Deno.test("the gateway answers an unknown path with PostgREST's 404 body", async () => {
  const response = await handle(new Request(`${base}/nowhere`));
  assert.equal(response.status, 404);
  assert.equal((await response.json()).code, "PGRST125");
});

Deno.test("a preflight request gets the CORS headers browsers need", async () => {
  const response = await handle(new Request(`${base}/rest/v1/accounts`, { method: "OPTIONS" }));
  assert.equal(response.status, 204);
  assert.match(response.headers.get("access-control-allow-headers") ?? "", /x-tenant-id/);
});

Deno.test("a request without an apikey or without a user token is 401", async () => {
  const noKey = await handle(new Request(`${base}/rest/v1/accounts`));
  assert.equal(noKey.status, 401);
  await noKey.body?.cancel();
  const noToken = await get("/rest/v1/accounts");
  assert.equal(noToken.status, 401);
  assert.equal((await noToken.json()).code, "PGRST302");
});

Deno.test("a signed-in member reads their tenant's rows with Server-Timing and CORS headers", async () => {
  const grace = await token({ sub: "b0000000-0000-4000-8000-000000000003", email: "grace@globex.test" });
  const response = await get("/rest/v1/accounts?select=tenant_id&limit=2", {
    authorization: `Bearer ${grace}`,
  });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), [
    { tenant_id: "a0000000-0000-4000-8000-000000000002" },
    { tenant_id: "a0000000-0000-4000-8000-000000000002" },
  ]);
  assert.match(
    response.headers.get("server-timing") ?? "",
    /auth;dur=.*tenant;dur=.*pool;dur=.*execute;dur=.*, total;dur=\d+\.\d{2}$/,
  );
  assert.equal(response.headers.get("access-control-allow-origin"), "*");
});

Deno.test("a HEAD error has the error's status and no body", async () => {
  const response = await handle(new Request(`${base}/rest/v1/accounts`, { method: "HEAD" }));
  assert.equal(response.status, 401);
  assert.equal(await response.text(), "");
});

Deno.test("without configuration the gateway refuses to serve and says so only in its log", async () => {
  const lines: string[] = [];
  const unconfigured = await createGatewayHandlerFromEnv(new Map<string, string>(), {
    functionName: "tenant-data",
    log: (line) => lines.push(line),
  });
  const health = await unconfigured(new Request(`${base}/health`));
  assert.equal(health.status, 503);
  await health.body?.cancel();
  const data = await unconfigured(new Request(`${base}/rest/v1/accounts`));
  assert.equal(data.status, 503);
  assert.equal((await data.json()).code, "TR505");
  assert.match(lines.join("\n"), /not configured: .*TENANT_ENCRYPTION_KEYS|not configured: .*SUPABASE/);
});

Deno.test("a malformed limit in the environment leaves the gateway unconfigured, naming the variable", async () => {
  const lines: string[] = [];
  const env = new Map(Object.entries({ ...Deno.env.toObject(), TENANT_DATA_ACQUIRE_TIMEOUT_MS: "soon" }));
  const unconfigured = await createGatewayHandlerFromEnv(env, {
    functionName: "tenant-data",
    log: (line) => lines.push(line),
  });
  const data = await unconfigured(new Request(`${base}/rest/v1/accounts`));
  assert.equal((await data.json()).code, "TR505");
  assert.match(lines.join("\n"), /TENANT_DATA_ACQUIRE_TIMEOUT_MS must be a whole number of milliseconds/);
});

Deno.test("a tenant frozen by a move gets 503 TR504 with Retry-After on writes; its reads go on", async () => {
  const sql = postgres(requireEnv("SUPABASE_DB_URL"), { max: 1, onnotice: () => {} });
  const grace = await token({ sub: "b0000000-0000-4000-8000-000000000003", email: "grace@globex.test" });
  const write = () =>
    handle(
      new Request(`${base}/rest/v1/accounts?id=eq.${crypto.randomUUID()}`, {
        method: "PATCH",
        headers: {
          apikey: requireEnv("SUPABASE_ANON_KEY"),
          authorization: `Bearer ${grace}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({ name: "Nobody" }),
      }),
    );
  try {
    await sql`update public.tenants set writes_frozen_at = now() where slug = 'globex'`;
    let refused: Response | undefined;
    for (let i = 0; i < 100 && refused === undefined; i++) {
      const response = await write();
      if (response.status === 503) refused = response;
      else await response.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(refused, "the freeze reached the gateway within a second");
    assert.equal(refused.headers.get("retry-after"), "5");
    assert.equal((await refused.json()).code, "TR504");
    const read = await get("/rest/v1/accounts?select=id&limit=1", { authorization: `Bearer ${grace}` });
    assert.equal(read.status, 200);
    await read.body?.cancel();
  } finally {
    await sql`update public.tenants set writes_frozen_at = null, writes_frozen_until = null,
              writes_freeze_expected_ms = null where slug = 'globex'`;
    await sql.end();
  }
});

Deno.test("a freeze says how long it lasts in Retry-After, and ends with its holder's lease", async () => {
  const sql = postgres(requireEnv("SUPABASE_DB_URL"), { max: 1, onnotice: () => {} });
  const grace = await token({ sub: "b0000000-0000-4000-8000-000000000003", email: "grace@globex.test" });
  const write = () =>
    handle(
      new Request(`${base}/rest/v1/accounts?id=eq.${crypto.randomUUID()}`, {
        method: "PATCH",
        headers: {
          apikey: requireEnv("SUPABASE_ANON_KEY"),
          authorization: `Bearer ${grace}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({ name: "Nobody" }),
      }),
    );
  const until = async (wanted: (response: Response) => boolean) => {
    for (let i = 0; i < 100; i++) {
      const response = await write();
      if (wanted(response)) return response;
      await response.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return undefined;
  };
  try {
    await sql`update public.tenants set writes_frozen_at = now(), writes_frozen_until = now() + interval '1 minute',
              writes_freeze_expected_ms = 20000 where slug = 'globex'`;
    const refused = await until((response) => response.status === 503);
    assert.ok(refused, "the freeze reached the gateway within a second");
    const retryAfter = Number(refused.headers.get("retry-after"));
    assert.ok(
      retryAfter >= 18 && retryAfter <= 20,
      `Retry-After ${retryAfter} is the freeze's expected rest`,
    );
    assert.equal((await refused.json()).code, "TR504");

    // The move's process died: its lease (and the freeze) ran out a moment ago, nobody unfroze.
    await sql`update public.tenants set writes_frozen_until = now() - interval '1 second' where slug = 'globex'`;
    const through = await until((response) => response.status !== 503);
    assert.ok(through, "writes go through once the holder's lease ran out");
    assert.notEqual(through.status, 503);
    await through.body?.cancel();
  } finally {
    await sql`update public.tenants set writes_frozen_at = null, writes_frozen_until = null,
              writes_freeze_expected_ms = null where slug = 'globex'`;
    await sql.end();
  }
});

Deno.test({
  name: "at start-up the gateway opens its busiest data sources ahead, unless TENANT_DATA_OPEN_AHEAD is 0",
  // The gateways built here keep their pools: their idle connections close on their own.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const poolsAfterStart = async (openAhead: string) => {
      const lines: string[] = [];
      const env = new Map(Object.entries({
        ...Deno.env.toObject(),
        TENANT_DATA_OPEN_AHEAD: openAhead,
        TENANT_DATA_STATS_INTERVAL_MS: "100",
      }));
      await createGatewayHandlerFromEnv(env, {
        functionName: "tenant-data",
        log: (line) => lines.push(line),
      });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const stats = lines.filter((line) => line.includes(": stats ")).at(-1);
      assert.ok(stats !== undefined, "the gateway logged its stats");
      return (JSON.parse(stats.slice(stats.indexOf("{"))) as { pools: { count: number } }).pools.count;
    };
    assert.equal(await poolsAfterStart("0"), 1, "without opening ahead, only the default data source's pool");
    assert.ok(await poolsAfterStart("50") >= 2, "tenant_acme's pool is open before any request for it");
  },
});

Deno.test({
  name: "the gateway takes requests only once its busiest data sources' connections are open",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const lines: string[] = [];
    let returned = false;
    const atReturn: string[] = [];
    const env = new Map(Object.entries({
      ...Deno.env.toObject(),
      TENANT_DATA_OPEN_AHEAD: "50",
      TENANT_DATA_STATS_INTERVAL_MS: "1",
    }));
    await createGatewayHandlerFromEnv(env, {
      functionName: "tenant-data",
      log: (line) => {
        lines.push(line);
        if (returned && atReturn.length === 0 && line.includes(": stats ")) atReturn.push(line);
      },
    });
    returned = true;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stats = atReturn[0];
    assert.ok(stats !== undefined, "the gateway logged its stats");
    const { pools } = JSON.parse(stats.slice(stats.indexOf("{"))) as {
      pools: { count: number; connections: number };
    };
    assert.ok(pools.count >= 2, `tenant_acme's pool is there (${pools.count} pools)`);
    assert.ok(pools.connections >= 2, `its connection is open already (${pools.connections} connections)`);
  },
});

Deno.test("connectionsAhead opens a third of a pool's size ahead, at least one", () => {
  assert.deepEqual([1, 2, 3, 5, 6, 10, 20].map(connectionsAhead), [1, 1, 1, 1, 2, 3, 6]);
});
