import assert from "node:assert/strict";
import { join } from "node:path";
import { createRouter, loadFunctions } from "./functions_server.ts";
import { PROJECT_ROOT } from "./profile.ts";

const info = { remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 } } as Deno.ServeHandlerInfo;

Deno.test("loadFunctions() finds every function and leaves Deno.serve as it was", async () => {
  const serve = Deno.serve;
  const handlers = await loadFunctions(join(PROJECT_ROOT, "functions"));
  assert.deepEqual([...handlers.keys()].sort(), ["tenant-admin", "tenant-data"]);
  assert.equal(Deno.serve, serve);
});

Deno.test("the router hands a function the path Supabase gives it and 404s unknown functions", async () => {
  const seen: string[] = [];
  const route = createRouter(
    new Map([["echo", (request: Request) => {
      seen.push(new URL(request.url).pathname + new URL(request.url).search);
      return new Response("ok");
    }]]),
  );
  assert.equal(
    (await route(new Request("http://h/functions/v1/echo/rest/v1/t?select=id"), info)).status,
    200,
  );
  assert.deepEqual(seen, ["/echo/rest/v1/t?select=id"]);
  assert.equal((await route(new Request("http://h/functions/v1/missing/x"), info)).status, 404);
  assert.equal((await route(new Request("http://h/other"), info)).status, 404);
});

Deno.test("the router turns a throwing function into an opaque 500", async () => {
  const route = createRouter(
    new Map([["boom", () => {
      throw new Error("secret detail postgresql://u:p@h/db");
    }]]),
  );
  const response = await route(new Request("http://h/functions/v1/boom"), info);
  assert.equal(response.status, 500);
  const body = await response.text();
  assert.doesNotMatch(body, /secret|postgresql/);
});

Deno.test("the router answers 400 to a request the Fetch API cannot forward (TRACE, a GET with a body)", async () => {
  const route = createRouter(new Map([["echo", () => new Response("ok")]]));
  // Deno.serve hands such requests over; `new Request` cannot make them, so the test passes look-alikes.
  for (
    const init of [
      { method: "TRACE", headers: new Headers(), body: null },
      { method: "GET", headers: new Headers(), body: new Blob(["x"]).stream() },
    ]
  ) {
    const request = { url: "http://h/functions/v1/echo/rest/v1/t", ...init } as unknown as Request;
    const response = await route(request, info);
    assert.equal(response.status, 400, init.method);
    assert.deepEqual(await response.json(), { code: "bad_request", message: "Malformed request" });
  }
});

Deno.test("the router hands the function the request's method, headers, body and signal unchanged", async () => {
  const route = createRouter(
    new Map([["echo", async (request: Request) =>
      Response.json({
        url: request.url,
        method: request.method,
        tenant: request.headers.get("x-tenant-id"),
        body: await request.json(),
        isRequest: request instanceof Request,
        aborted: request.signal.aborted,
      })]]),
    { log: () => {} },
  );
  const response = await route(
    new Request("http://h:1/functions/v1/echo/rest/v1/t?select=id", {
      method: "POST",
      headers: { "x-tenant-id": "acme", "content-type": "application/json" },
      body: JSON.stringify({ a: 1 }),
    }),
    info,
  );
  assert.deepEqual(await response.json(), {
    url: "http://h:1/echo/rest/v1/t?select=id",
    method: "POST",
    tenant: "acme",
    body: { a: 1 },
    isRequest: true,
    aborted: false,
  });
});

Deno.test("the router logs method, path without the query, status and duration", async () => {
  const lines: string[] = [];
  const route = createRouter(new Map([["echo", () => new Response("ok")]]), {
    log: (line) => lines.push(line),
  });
  await route(new Request("http://h/functions/v1/echo/x?secret=1"), info);
  await route(new Request("http://h/functions/v1/echo"), info);
  assert.equal(lines.length, 2);
  assert.match(lines[0] ?? "", /^GET \/functions\/v1\/echo\/x 200 \d+\.\dms$/);
  assert.match(lines[1] ?? "", /^GET \/functions\/v1\/echo 200 /);
});
