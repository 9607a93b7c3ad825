import assert from "node:assert/strict";
import { decodeProtectedHeader, jwtVerify, SignJWT } from "jose";
import {
  CircuitBreaker,
  DataSource,
  DataSourcePools,
  DataSourceUnavailableError,
  type RequestClaims,
} from "./mod.ts";
import { ServerTiming } from "../http/mod.ts";
import { PostgrestError } from "../errors/mod.ts";
import {
  FORWARD_TOKEN_TTL_SECONDS,
  forwardToSupabase,
  type ForwardToSupabaseOptions,
} from "./forward_supabase.ts";

const SECRET = "project-secret-of-the-remote-with-more-than-32-chars";
const USER_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.user-signature";
const claims: RequestClaims = {
  sub: "b0000000-0000-4000-8000-000000000003",
  role: "authenticated",
  email: "grace@globex.test",
  aud: "authenticated",
  tenant_id: "a0000000-0000-4000-8000-000000000002",
  tenant_role: "member",
};
const anonKey = await projectKey("anon");
const serviceKey = await projectKey("service_role");

async function projectKey(role: string): Promise<string> {
  return await new SignJWT({ role, iss: "supabase" }).setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt().setExpirationTime("10y").sign(new TextEncoder().encode(SECRET));
}

/** What the fake project received. */
interface Received {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

/** A real HTTP server standing in for a Supabase project: records requests, answers with `answer`. */
async function withRemote(
  answer: (request: Request) => Response | Promise<Response>,
  run: (remote: { url: string; received: Received[] }) => Promise<void>,
): Promise<void> {
  const received: Received[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    received.push({
      method: request.method,
      url: new URL(request.url),
      headers: request.headers,
      body: await request.text(),
    });
    return await answer(request);
  });
  try {
    await run({ url: `http://127.0.0.1:${server.addr.port}`, received });
  } finally {
    await server.shutdown();
  }
}

function supabaseSource(url: string, options: { jwtSecret?: string; id?: string } = {}): DataSource {
  return new DataSource({
    id: options.id ?? crypto.randomUUID(),
    name: "tenant_remote",
    status: "active",
    isDefault: false,
    poolMax: 10,
    version: "k1:00",
    credentials: {
      kind: "supabase",
      credentials: {
        url,
        anon_key: anonKey,
        service_key: serviceKey,
        ...("jwtSecret" in options ? (options.jwtSecret ? { jwt_secret: options.jwtSecret } : {}) : {
          jwt_secret: SECRET,
        }),
      },
    },
  });
}

function forward(
  request: Request,
  dataSource: DataSource,
  extra: Partial<ForwardToSupabaseOptions> & { path?: string } = {},
): Promise<Response> {
  return forwardToSupabase(request, {
    dataSource,
    claims,
    path: new URL(request.url).pathname.replace(/^\/tenant-data/, ""),
    timing: new ServerTiming(),
    breaker: new CircuitBreaker(),
    log: () => {},
    ...extra,
  });
}

function gatewayRequest(pathAndQuery: string, init: RequestInit = {}): Request {
  return new Request(`http://gateway.local/tenant-data${pathAndQuery}`, init);
}

/** Every secret a log line or an error must never show. */
function assertNoSecrets(text: string, remoteUrl: string): void {
  for (const secret of [SECRET, anonKey, serviceKey, USER_TOKEN, remoteUrl, "127.0.0.1"]) {
    assert.ok(!text.includes(secret), `leaked a secret or the URL: ${text}`);
  }
  assert.doesNotMatch(text, /eyJ[A-Za-z0-9_-]+\./, `leaked a token: ${text}`);
}

Deno.test("forwardToSupabase() sends the method, /rest/v1 path, query, body and only PostgREST's headers", async () => {
  await withRemote(() => new Response(null, { status: 201 }), async (remote) => {
    const body = JSON.stringify([{ name: "Zoë O'Connor" }]);
    const response = await forward(
      gatewayRequest("/rest/v1/contacts?select=id,name&columns=name&apikey=user-chosen-key&on_conflict=id", {
        method: "POST",
        body,
        headers: {
          authorization: `Bearer ${USER_TOKEN}`,
          apikey: "the-gateway-anon-key",
          "x-tenant-id": "globex",
          "x-client-info": "supabase-js/2.119.0",
          cookie: "session=abc",
          "x-forwarded-for": "10.0.0.1",
          accept: "application/vnd.pgrst.object+json",
          "content-type": "application/json",
          prefer: "return=representation,resolution=merge-duplicates",
          range: "0-9",
          "range-unit": "items",
          "accept-profile": "public",
          "content-profile": "public",
        },
      }),
      supabaseSource(remote.url),
    );
    assert.equal(response.status, 201);
    const [sent] = remote.received;
    assert.ok(sent);
    assert.equal(sent.method, "POST");
    assert.equal(sent.url.pathname, "/rest/v1/contacts");
    assert.equal(sent.url.search, "?select=id,name&columns=name&on_conflict=id");
    assert.equal(sent.body, body);
    const names = [...sent.headers.keys()].filter((name) =>
      !["accept-encoding", "accept-language", "content-length", "host", "user-agent"].includes(name)
    ).sort();
    assert.deepEqual(names, [
      "accept",
      "accept-profile",
      "apikey",
      "authorization",
      "content-profile",
      "content-type",
      "prefer",
      "range",
      "range-unit",
    ]);
    assert.equal(sent.headers.get("apikey"), anonKey);
    assert.equal(sent.headers.get("accept"), "application/vnd.pgrst.object+json");
    assert.equal(sent.headers.get("prefer"), "return=representation,resolution=merge-duplicates");
    assert.equal(sent.headers.get("range"), "0-9");
    assert.notEqual(sent.headers.get("authorization"), `Bearer ${USER_TOKEN}`);
  });
});

Deno.test("forwardToSupabase() mints an HS256 token for the project with exactly the request's claims, valid 60 s", async () => {
  await withRemote(() => Response.json([]), async (remote) => {
    const now = Date.UTC(2030, 0, 1, 12, 0, 0);
    await forward(gatewayRequest("/rest/v1/accounts"), supabaseSource(remote.url), { now: () => now });
    const token = remote.received[0]?.headers.get("authorization")?.replace(/^Bearer /, "") ?? "";
    assert.deepEqual(decodeProtectedHeader(token), { alg: "HS256", typ: "JWT" });
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET), {
      algorithms: ["HS256"],
      currentDate: new Date(now),
      audience: "authenticated",
    });
    assert.deepEqual(payload, {
      sub: claims.sub,
      role: "authenticated",
      aud: "authenticated",
      email: claims.email,
      tenant_id: claims.tenant_id,
      tenant_role: "member",
      iat: now / 1000,
      exp: now / 1000 + FORWARD_TOKEN_TTL_SECONDS,
    });
    assert.equal(FORWARD_TOKEN_TTL_SECONDS, 60);
  });
});

Deno.test("forwardToSupabase() leaves email out of the token when the user has none", async () => {
  await withRemote(() => Response.json([]), async (remote) => {
    const { email: _email, ...withoutEmail } = claims;
    await forward(gatewayRequest("/rest/v1/accounts"), supabaseSource(remote.url), { claims: withoutEmail });
    const token = remote.received[0]?.headers.get("authorization")?.replace(/^Bearer /, "") ?? "";
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET));
    assert.equal("email" in payload, false);
  });
});

Deno.test("forwardToSupabase() passes status, body and PostgREST's headers through, and nothing else", async () => {
  const remoteBody = '[{"id":1,"name":"Zoë"}]';
  await withRemote(
    () =>
      new Response(remoteBody, {
        status: 206,
        headers: {
          "content-type": "application/json; charset=utf-8",
          "content-range": "0-0/2",
          "preference-applied": "count=exact",
          location: "/accounts?id=eq.1",
          "set-cookie": "__cf_bm=tracking",
          server: "postgrest/12",
          "x-internal": "secret-ish",
        },
      }),
    async (remote) => {
      const timing = new ServerTiming();
      const response = await forward(gatewayRequest("/rest/v1/accounts"), supabaseSource(remote.url), {
        timing,
      });
      assert.equal(response.status, 206);
      assert.equal(await response.text(), remoteBody);
      assert.deepEqual([...response.headers].sort(), [
        ["content-range", "0-0/2"],
        ["content-type", "application/json; charset=utf-8"],
        ["location", "/accounts?id=eq.1"],
        ["preference-applied", "count=exact"],
      ]);
      assert.match(timing.header(), /^forward;dur=/);
    },
  );
});

Deno.test("forwardToSupabase() drops an absolute Location, which would reveal the project's URL", async () => {
  await withRemote(
    (request) =>
      new Response(null, { status: 201, headers: { location: `${new URL(request.url).origin}/x` } }),
    async (remote) => {
      const response = await forward(
        gatewayRequest("/rest/v1/accounts", { method: "POST", body: "{}" }),
        supabaseSource(remote.url),
      );
      assert.equal(response.status, 201);
      assert.equal(response.headers.get("location"), null);
    },
  );
});

Deno.test("forwardToSupabase() passes a 4xx error of the project through unchanged", async () => {
  const errorBody =
    '{"code":"42501","details":null,"hint":null,"message":"new row violates row-level security policy for table \\"accounts\\""}';
  await withRemote(
    () =>
      new Response(errorBody, {
        status: 403,
        headers: { "content-type": "application/json; charset=utf-8" },
      }),
    async (remote) => {
      const response = await forward(
        gatewayRequest("/rest/v1/accounts", { method: "POST", body: '{"name":"x"}' }),
        supabaseSource(remote.url),
      );
      assert.equal(response.status, 403);
      assert.equal(response.headers.get("content-type"), "application/json; charset=utf-8");
      assert.equal(await response.text(), errorBody);
    },
  );
});

Deno.test("forwardToSupabase() answers HEAD with the project's status and headers and no body", async () => {
  await withRemote(
    () => new Response(null, { status: 200, headers: { "content-range": "*/42" } }),
    async (remote) => {
      const response = await forward(
        gatewayRequest("/rest/v1/accounts", { method: "HEAD" }),
        supabaseSource(remote.url),
      );
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-range"), "*/42");
      assert.equal(response.body, null);
      assert.equal(remote.received[0]?.method, "HEAD");
    },
  );
});

Deno.test("forwardToSupabase() forwards rpc paths and a project URL with a path prefix", async () => {
  await withRemote(() => Response.json(1), async (remote) => {
    await forward(
      gatewayRequest("/rest/v1/rpc/schema_version", { method: "POST", body: "{}" }),
      supabaseSource(`${remote.url}/project/`),
    );
    assert.equal(remote.received[0]?.url.pathname, "/project/rest/v1/rpc/schema_version");
  });
});

Deno.test("forwardToSupabase() refuses paths that would leave /rest/v1, without sending anything", async () => {
  await withRemote(() => Response.json([]), async (remote) => {
    const source = supabaseSource(remote.url);
    for (
      const path of [
        "/rest/v1/../auth/v1/admin/users",
        "/rest/v1/%2e%2e",
        "/rest/v1/a%2F..%2F..%2Fauth",
        "/rest/v1/a%5C..%5Cauth",
        "/rest/v1/",
        "/rest/v1/a/b",
        "/rest/v1/rpc/",
        "/rest/v1/%E0%A4%A",
        "/auth/v1/admin/users",
      ]
    ) {
      await assert.rejects(
        forward(gatewayRequest("/rest/v1/accounts"), source, { path }),
        (error) => error instanceof PostgrestError && error.code === "PGRST125",
        path,
      );
    }
    assert.equal(remote.received.length, 0);
    // Segments are sent canonically encoded.
    await forward(gatewayRequest("/rest/v1/accounts"), source, { path: "/rest/v1/M%C3%BCller's table" });
    assert.equal(remote.received[0]?.url.pathname, "/rest/v1/M%C3%BCller's%20table");
  });
});

Deno.test("forwardToSupabase() refuses a body over the limit with TR413 before connecting", async () => {
  await withRemote(() => Response.json([]), async (remote) => {
    await assert.rejects(
      forward(
        gatewayRequest("/rest/v1/accounts", { method: "POST", body: "x".repeat(2048) }),
        supabaseSource(remote.url),
        { maxBodyBytes: 1024 },
      ),
      (error) => error instanceof PostgrestError && error.code === "TR413" && error.status === 413,
    );
    assert.equal(remote.received.length, 0);
  });
});

Deno.test("forwardToSupabase() refuses a data source without a JWT secret with TR503 and says why in the log", async () => {
  await withRemote(() => Response.json([]), async (remote) => {
    const lines: string[] = [];
    await assert.rejects(
      forward(gatewayRequest("/rest/v1/accounts"), supabaseSource(remote.url, { jwtSecret: "" }), {
        log: (line) => lines.push(line),
      }),
      (error) =>
        error instanceof DataSourceUnavailableError && error.reason === "credentials" &&
        error.toResponse().headers.get("retry-after") === "30",
    );
    assert.equal(remote.received.length, 0);
    assert.match(lines.join("\n"), /has no JWT secret/);
    assertNoSecrets(lines.join("\n"), remote.url);
  });
});

Deno.test("forwardToSupabase() turns the project's 401 (our credentials refused) into TR503, not the user's problem", async () => {
  await withRemote(
    () => Response.json({ code: "PGRST301", message: "JWT invalid" }, { status: 401 }),
    async (remote) => {
      const lines: string[] = [];
      await assert.rejects(
        forward(gatewayRequest("/rest/v1/accounts"), supabaseSource(remote.url), {
          log: (l) => lines.push(l),
        }),
        (error) => error instanceof DataSourceUnavailableError && error.reason === "credentials",
      );
      assert.match(lines.join("\n"), /HTTP 401/);
      assertNoSecrets(lines.join("\n"), remote.url);
    },
  );
});

Deno.test("forwardToSupabase() turns a 503 of the project into TR503 with its Retry-After and counts it", async () => {
  await withRemote(
    () =>
      new Response("<html>upstream host db.example.supabase.co down</html>", {
        status: 503,
        headers: { "retry-after": "7" },
      }),
    async (remote) => {
      const breaker = new CircuitBreaker({ failureThreshold: 2 });
      const attempt = () =>
        forward(gatewayRequest("/rest/v1/accounts"), supabaseSource(remote.url), { breaker });
      await assert.rejects(attempt(), (error) => {
        assert.ok(error instanceof DataSourceUnavailableError);
        const response = error.toResponse();
        assert.equal(response.status, 503);
        assert.equal(response.headers.get("retry-after"), "7");
        assert.doesNotMatch(JSON.stringify(error.toJSON()), /supabase\.co|html/);
        return true;
      });
      await assert.rejects(attempt(), DataSourceUnavailableError);
      assert.equal(breaker.state, "open");
    },
  );
});

Deno.test("forwardToSupabase() answers TR503 with Retry-After when the project refuses connections, then fails fast", async () => {
  // A port that was just free: nothing listens on it.
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${(probe.addr as Deno.NetAddr).port}`;
  probe.close();
  const lines: string[] = [];
  const breaker = new CircuitBreaker({ failureThreshold: 2, coolDownMs: 5000 });
  let fetches = 0;
  const counting: typeof fetch = (input, init) => {
    fetches++;
    return fetch(input, init);
  };
  const source = supabaseSource(url);
  for (const expected of ["connection", "connection", "circuit_open", "circuit_open"]) {
    const started = performance.now();
    await assert.rejects(
      forward(gatewayRequest("/rest/v1/accounts"), source, {
        breaker,
        fetch: counting,
        log: (l) => lines.push(l),
      }),
      (error) => {
        assert.ok(error instanceof DataSourceUnavailableError);
        assert.equal(error.reason, expected);
        assert.ok(Number(error.toResponse().headers.get("retry-after")) >= 1);
        assertNoSecrets(JSON.stringify(error.toJSON()), url);
        return true;
      },
    );
    assert.ok(performance.now() - started < 2000);
  }
  assert.equal(fetches, 2);
  assert.match(lines.join("\n"), /connection failed/);
  assertNoSecrets(lines.join("\n"), url);
});

Deno.test("forwardToSupabase() gives up at the timeout with TR503 instead of hanging", async () => {
  let release: () => void = () => {};
  const stalled = new Promise<void>((resolve) => (release = resolve));
  await withRemote(async () => {
    await stalled;
    return Response.json([]);
  }, async (remote) => {
    const lines: string[] = [];
    const started = performance.now();
    try {
      await assert.rejects(
        forward(gatewayRequest("/rest/v1/accounts"), supabaseSource(remote.url), {
          timeoutMs: 200,
          log: (l) => lines.push(l),
        }),
        (error) => error instanceof DataSourceUnavailableError && error.reason === "connection",
      );
    } finally {
      release();
    }
    assert.ok(performance.now() - started < 2000);
    assert.match(lines.join("\n"), /timed out/);
  });
});

Deno.test("forwardToSupabase() refuses a method PostgREST does not serve", async () => {
  await withRemote(() => Response.json([]), async (remote) => {
    await assert.rejects(
      forward(gatewayRequest("/rest/v1/accounts", { method: "PROPFIND" }), supabaseSource(remote.url)),
      (error) => error instanceof PostgrestError && error.code === "PGRST117",
    );
    assert.equal(remote.received.length, 0);
  });
});

Deno.test("DataSourcePools.serve() forwards a supabase data source behind the registry's breaker", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${(probe.addr as Deno.NetAddr).port}`;
  probe.close();
  const source = supabaseSource(url);
  const pools = new DataSourcePools();
  const reasons: string[] = [];
  try {
    for (let i = 0; i < 4; i++) {
      await pools.serve(source, {
        request: gatewayRequest("/rest/v1/accounts"),
        path: "/rest/v1/accounts",
        claims,
        timing: new ServerTiming(),
        log: () => {},
        postgres: () => Promise.reject(new Error("a supabase data source has no pool")),
      }).catch((error) => reasons.push(error.reason));
    }
    // The registry's breaker opens after 3 consecutive connection failures, and shows in the stats.
    assert.deepEqual(reasons, ["connection", "connection", "connection", "circuit_open"]);
    const breaker = pools.stats().breakers.find((info) => info.dataSourceId === source.id);
    assert.equal(breaker?.state, "open");
    assert.equal(pools.stats().pools.length, 0);
  } finally {
    await pools.closeAll();
  }
});
