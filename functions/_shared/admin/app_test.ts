import assert from "node:assert/strict";
import type postgres from "postgres";
import { JwtVerifier } from "../auth/mod.ts";
import { Keyring } from "../crypto/mod.ts";
import { createAdminHandler, MAX_BODY_BYTES } from "./app.ts";
import { LOCAL_JWT_SECRET, serviceToken, signToken, testHandler, userToken } from "./testdata/helpers.ts";

// These tests never reach a database: authentication, validation and routing answer first (the pool points
// at a closed port).
const t = await testHandler();
const service = await serviceToken();
const user = await userToken({ id: crypto.randomUUID(), email: "someone@example.test" });

Deno.test("the admin API answers /health with 200 and no credentials", async () => {
  const response = await t.call("GET", "/health");
  assert.equal(response.status, 200);
  assert.equal(response.json.status, "ok");
});

Deno.test("the admin API answers a request without a token with 401 and a bearer challenge", async () => {
  const response = await t.call("GET", "/tenants");
  assert.equal(response.status, 401);
  assert.equal(response.json.code, "PGRST302");
  assert.equal(response.headers.get("www-authenticate"), "Bearer");
  assert.deepEqual(Object.keys(response.json).sort(), ["code", "details", "hint", "message"]);
});

Deno.test("the admin API refuses a token signed with another secret with 401", async () => {
  const forged = await signToken({ role: "service_role" }, "another-secret-of-at-least-thirty-two-chars!!");
  const response = await t.call("GET", "/tenants", { token: forged });
  assert.equal(response.status, 401);
  assert.equal(response.json.code, "PGRST301");
});

Deno.test("the admin API refuses the anon key with 403", async () => {
  const anon = await signToken({ role: "anon", iss: "supabase-demo" });
  const response = await t.call("GET", "/tenants", { token: anon });
  assert.equal(response.status, 403);
  assert.equal(response.json.code, "TR003");
});

for (
  const [method, path] of [
    ["GET", "/tenants"],
    ["POST", "/tenants"],
    ["GET", "/tenants/acme"],
    ["POST", "/tenants/acme/suspend"],
    ["PUT", "/tenants/acme/data-source"],
    ["GET", "/data-sources"],
    ["DELETE", "/data-sources/tenant_acme"],
    ["POST", "/data-sources/tenant_acme/provision"],
    ["GET", "/keys"],
    ["POST", "/keys/rotate"],
  ] as const
) {
  Deno.test(`${method} ${path} refuses a signed-in user who is not a platform admin with 403`, async () => {
    const response = await t.call(method, path, { token: user, ...(method === "GET" ? {} : { body: {} }) });
    assert.equal(response.status, 403);
    assert.equal(response.json.code, "TR610");
  });
}

Deno.test("the admin API lists the path of every invalid field with a 400", async () => {
  const response = await t.call("POST", "/tenants", {
    token: service,
    body: { slug: "'; drop table public.tenants; --", name: "", extra: 1 },
  });
  assert.equal(response.status, 400);
  assert.equal(response.json.code, "TR600");
  const paths = response.json.details.map((issue: { path: string }) => issue.path).sort();
  assert.deepEqual(paths, ["", "name", "slug"]);
  assert.match(response.json.message, /slug: /);
  assert.ok(!response.text.includes("drop table"), "the value sent is not echoed");
});

Deno.test("a data source registration names nested credential fields by path", async () => {
  const response = await t.call("POST", "/data-sources", {
    token: service,
    body: {
      name: "Bad Name!",
      kind: "postgres",
      credentials: { url: "mysql://u:hunter2@h/db" },
      pool_max: 0,
    },
  });
  assert.equal(response.status, 400);
  const paths = response.json.details.map((issue: { path: string }) => issue.path).sort();
  assert.deepEqual(paths, ["credentials.url", "name", "pool_max"]);
  assert.ok(!response.text.includes("hunter2"));
});

Deno.test("an unknown data source kind is a 400 on kind", async () => {
  const response = await t.call("POST", "/data-sources", {
    token: service,
    body: { name: "x1", kind: "mysql", credentials: {} },
  });
  assert.equal(response.status, 400);
  assert.equal(response.json.details[0].path, "kind");
});

Deno.test("a body that is not JSON is a 400 TR601", async () => {
  const response = await t.call("POST", "/tenants", { token: service, raw: "{not json" });
  assert.equal(response.status, 400);
  assert.equal(response.json.code, "TR601");
});

Deno.test("a body without a JSON content type is refused with a hint", async () => {
  const response = await t.handle(
    new Request("http://local/tenant-admin/tenants", {
      method: "POST",
      headers: { authorization: `Bearer ${service}`, "content-type": "text/plain" },
      body: "slug=x",
    }),
  );
  assert.equal(response.status, 400);
  assert.match((await response.json()).hint, /application\/json/);
});

Deno.test("a body larger than the limit is a 413 TR602", async () => {
  const response = await t.call("POST", "/tenants", {
    token: service,
    body: { slug: "big", name: "x".repeat(MAX_BODY_BYTES) },
  });
  assert.equal(response.status, 413);
  assert.equal(response.json.code, "TR602");
});

Deno.test("a member path with a user id that is not a uuid is a 400 on user_id", async () => {
  const response = await t.call("DELETE", "/tenants/acme/members/1%20or%201=1", { token: service });
  assert.equal(response.status, 400);
  assert.equal(response.json.details[0].path, "user_id");
});

Deno.test("an injected tenant reference is a 404 and never reaches the database", async () => {
  const response = await t.call("GET", `/tenants/${encodeURIComponent("x' or '1'='1")}`, { token: service });
  assert.equal(response.status, 404);
  assert.equal(response.json.code, "TR621");
});

Deno.test("an unknown endpoint is a 404 TR620 for an authenticated caller", async () => {
  const response = await t.call("GET", "/nope", { token: service });
  assert.equal(response.status, 404);
  assert.equal(response.json.code, "TR620");
});

Deno.test("an unreachable application database is a 503 TR661 with Retry-After, naming no address", async () => {
  // The pool points at a closed port.
  const response = await t.call("GET", "/tenants", { token: service });
  assert.equal(response.status, 503);
  assert.equal(response.json.code, "TR661");
  assert.equal(response.headers.get("retry-after"), "5");
  assert.ok(!response.text.includes("127.0.0.1") && !response.text.includes("nobody"));
});

Deno.test("an unexpected error is an opaque 500 whose log line has no message", async () => {
  const logged: string[] = [];
  const handle = createAdminHandler({
    functionName: "tenant-admin",
    // A bug deep down: its message quotes something that must not leave the process.
    sql: (() => {
      throw new TypeError("cannot use postgresql://nobody:hunter2@db.internal/app");
    }) as unknown as postgres.Sql,
    keyring: await Keyring.fromKeys([{ id: "k1", hex: "ab".repeat(32) }]),
    verifier: await JwtVerifier.create({ secret: LOCAL_JWT_SECRET }),
    log: (line) => logged.push(line),
  });
  const response = await handle(
    new Request("http://local/tenant-admin/tenants", { headers: { authorization: `Bearer ${service}` } }),
  );
  const text = await response.text();
  assert.equal(response.status, 500);
  assert.equal(JSON.parse(text).code, "TR699");
  assert.equal(JSON.parse(text).details, null);
  assert.ok(!text.includes("nobody") && !text.includes("hunter2"));
  assert.ok(logged.some((line) => /incident [0-9a-f]{8}: unhandled/.test(line)), logged.join("\n"));
  assert.ok(logged.every((line) => !line.includes("nobody") && !line.includes("hunter2")));
});

Deno.test("responses are never cached", async () => {
  const response = await t.call("GET", "/nope", { token: service });
  assert.equal(response.headers.get("cache-control"), "no-store");
});

Deno.test({
  name: "(cleanup) close the handler's pool",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => t.close(),
});
