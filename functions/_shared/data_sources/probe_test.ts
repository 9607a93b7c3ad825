import assert from "node:assert/strict";
import { probeDataSource, type ProbeResult } from "./probe.ts";
import { blackHole, closedPort, testDatabases, withDatabase, withPassword } from "./testdata/helpers.ts";

/** The newest migration timestamp of the tenant schema: what a current database reports. */
async function newestTenantMigration(): Promise<string> {
  const folder = new URL("../../../tenant-db/supabase/migrations/", import.meta.url);
  const versions: string[] = [];
  for await (const entry of Deno.readDir(folder)) {
    const match = /^(\d{14})_/.exec(entry.name);
    if (match?.[1]) versions.push(match[1]);
  }
  return versions.sort().at(-1)!;
}

function assertNoSecret(result: ProbeResult, ...secrets: string[]): void {
  const text = JSON.stringify(result);
  for (const secret of secrets) assert.ok(!text.includes(secret), `the result must not contain ${secret}`);
}

Deno.test({
  name: "probeDataSource() reads the schema version of a tenant database and says it is current",
  async fn() {
    const databases = await testDatabases();
    const expected = await newestTenantMigration();
    const result = await probeDataSource({ kind: "postgres", credentials: { url: databases.acmeUrl } }, {
      expectedSchemaVersion: expected,
    });
    assert.equal(result.ok, true, result.error ?? undefined);
    assert.equal(result.schemaVersion, expected);
    assert.equal(result.current, true);
    assert.equal(result.error, null);
    assert.ok(result.latencyMs > 0);
  },
});

Deno.test({
  name: "probeDataSource() reports an outdated schema as not current but still ok",
  async fn() {
    const databases = await testDatabases();
    const result = await probeDataSource({ kind: "postgres", credentials: { url: databases.sharedUrl } }, {
      expectedSchemaVersion: "29991231235959",
    });
    assert.equal(result.ok, true);
    assert.equal(result.current, false);
  },
});

Deno.test({
  name: "probeDataSource() leaves current null without an expected version",
  async fn() {
    const databases = await testDatabases();
    const result = await probeDataSource({ kind: "postgres", credentials: { url: databases.sharedUrl } });
    assert.equal(result.current, null);
    assert.match(result.schemaVersion ?? "", /^\d{14}$/);
  },
});

Deno.test({
  name: "probeDataSource() reports a database without the tenant schema by SQLSTATE",
  async fn() {
    const databases = await testDatabases();
    // The application database has a private schema but no schema_version().
    const result = await probeDataSource({ kind: "postgres", credentials: { url: databases.appUrl } });
    assert.equal(result.ok, false);
    assert.equal(result.schemaVersion, null);
    assert.equal(
      result.error,
      "Cannot read schema version: private.schema_version() is missing (tenant schema not installed) " +
        "(SQLSTATE 42883)",
    );
  },
});

Deno.test({
  name: "probeDataSource() reports a wrong password by SQLSTATE, without the password or URL",
  async fn() {
    const databases = await testDatabases();
    const url = withPassword(databases.acmeUrl, "not-the-Pa55word");
    const result = await probeDataSource({ kind: "postgres", credentials: { url } });
    assert.equal(result.ok, false);
    assert.equal(result.error, "Cannot connect to data source: authentication failed (SQLSTATE 28P01)");
    assertNoSecret(result, "not-the-Pa55word", url, new URL(url).host);
  },
});

Deno.test({
  name: "probeDataSource() reports a missing database without naming it",
  async fn() {
    const databases = await testDatabases();
    const url = withDatabase(databases.acmeUrl, "tenant_nowhere_42");
    const result = await probeDataSource({ kind: "postgres", credentials: { url } });
    assert.equal(result.error, "Cannot connect to data source: database does not exist (SQLSTATE 3D000)");
    assertNoSecret(result, "tenant_nowhere_42");
  },
});

Deno.test("probeDataSource() reports a closed port at once, without the URL", async () => {
  const url = `postgresql://app:s3cret-pw@127.0.0.1:${closedPort()}/tenant_x`;
  const result = await probeDataSource({ kind: "postgres", credentials: { url } });
  assert.deepEqual({ ...result, latencyMs: 0 }, {
    ok: false,
    latencyMs: 0,
    schemaVersion: null,
    current: null,
    error: "Cannot connect to data source: connection refused (ECONNREFUSED)",
  });
  assertNoSecret(result, "s3cret-pw", "127.0.0.1", "tenant_x");
});

Deno.test("probeDataSource() gives up on a server that never answers after timeoutMs", async () => {
  const hole = blackHole();
  try {
    const url = `postgresql://app:s3cret-pw@127.0.0.1:${hole.port}/tenant_x`;
    const result = await probeDataSource({ kind: "postgres", credentials: { url } }, { timeoutMs: 200 });
    assert.equal(result.ok, false);
    assert.match(
      result.error ?? "",
      /^Cannot connect to data source: (connection timed out|timed out after)/,
    );
    assertNoSecret(result, "s3cret-pw", String(hole.port));
  } finally {
    hole.close();
  }
});

Deno.test("probeDataSource() rejects a timeout that is not a positive number", async () => {
  const credentials = { kind: "postgres" as const, credentials: { url: "postgresql://h/db" } };
  await assert.rejects(probeDataSource(credentials, { timeoutMs: 0 }), RangeError);
});

const serviceKey = "service-key-0123456789-abcdefghij";
const supabase = {
  kind: "supabase" as const,
  credentials: {
    url: "https://abcdefghijklmnop.supabase.co",
    anon_key: "anon-key-0123456789-abc",
    service_key: serviceKey,
  },
};

function fakeFetch(handler: (request: Request) => Response): { fetch: typeof fetch; requests: Request[] } {
  const requests: Request[] = [];
  function fetchStub(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const request = new Request(input, init);
    requests.push(request);
    return Promise.resolve(handler(request));
  }
  return { fetch: fetchStub as typeof fetch, requests };
}

Deno.test("probeDataSource() calls a Supabase project's Data API with the service key", async () => {
  const stub = fakeFetch((request) =>
    new URL(request.url).pathname === "/rest/v1/"
      ? Response.json({ swagger: "2.0" })
      : Response.json({ code: "PGRST202" }, { status: 404 })
  );
  const result = await probeDataSource(supabase, {
    fetch: stub.fetch,
    expectedSchemaVersion: "20261126140500",
  });
  assert.deepEqual({ ...result, latencyMs: 0 }, {
    ok: true,
    latencyMs: 0,
    schemaVersion: null,
    current: null,
    error: null,
  });
  const [root] = stub.requests;
  assert.equal(root?.url, "https://abcdefghijklmnop.supabase.co/rest/v1/");
  assert.equal(root?.headers.get("apikey"), serviceKey);
  assert.equal(root?.headers.get("authorization"), `Bearer ${serviceKey}`);
});

Deno.test("probeDataSource() reads the version through rpc/schema_version when a project exposes it", async () => {
  const stub = fakeFetch((request) =>
    new URL(request.url).pathname === "/rest/v1/" ? Response.json({}) : Response.json("20261126140500")
  );
  const result = await probeDataSource(supabase, {
    fetch: stub.fetch,
    expectedSchemaVersion: "20261126140500",
  });
  assert.equal(result.schemaVersion, "20261126140500");
  assert.equal(result.current, true);
  assert.equal(stub.requests[1]?.method, "POST");
});

Deno.test("probeDataSource() sends a sb_secret_ key as apikey only", async () => {
  const stub = fakeFetch(() => Response.json({}));
  const key = "sb_secret_0123456789abcdefghij";
  await probeDataSource({ ...supabase, credentials: { ...supabase.credentials, service_key: key } }, {
    fetch: stub.fetch,
  });
  assert.equal(stub.requests[0]?.headers.get("apikey"), key);
  assert.equal(stub.requests[0]?.headers.get("authorization"), null);
});

Deno.test("probeDataSource() reports a rejected key by HTTP status, without the key", async () => {
  const stub = fakeFetch(() => Response.json({ message: "Invalid API key" }, { status: 401 }));
  const result = await probeDataSource(supabase, { fetch: stub.fetch });
  assert.equal(result.ok, false);
  assert.equal(result.error, "Cannot reach data source: API key rejected (HTTP 401)");
  assertNoSecret(result, serviceKey, "abcdefghijklmnop");
});

Deno.test("probeDataSource() reports an unreachable project without its URL", async () => {
  const url = `http://127.0.0.1:${closedPort()}`;
  const result = await probeDataSource({ ...supabase, credentials: { ...supabase.credentials, url } });
  assert.equal(result.ok, false);
  assert.equal(result.error, "Cannot reach data source: network error");
  assertNoSecret(result, "127.0.0.1", serviceKey);
});
