import assert from "node:assert/strict";
import { preflightResponse, withCors } from "./cors.ts";

Deno.test("preflightResponse() allows the headers supabase-js and the gateway use", () => {
  const response = preflightResponse();
  assert.equal(response.status, 204);
  const allowed = response.headers.get("access-control-allow-headers") ?? "";
  for (const header of ["authorization", "apikey", "x-tenant-id", "prefer", "range", "content-profile"]) {
    assert.ok(allowed.includes(header), header);
  }
});

Deno.test("withCors() copies an immutable response and exposes Content-Range", async () => {
  const original = Response.json([1], { headers: { "content-range": "0-0/*" } });
  const response = withCors(original);
  assert.equal(response.headers.get("access-control-allow-origin"), "*");
  assert.equal(response.headers.get("content-range"), "0-0/*");
  assert.match(response.headers.get("access-control-expose-headers") ?? "", /content-range/);
  assert.deepEqual(await response.json(), [1]);
});

Deno.test("withCors() adds the headers in place when the response's headers can change", () => {
  const original = new Response("[]", { headers: { "content-type": "application/json" } });
  const response = withCors(original);
  assert.equal(response, original);
  assert.equal(response.headers.get("access-control-allow-origin"), "*");
  assert.equal(response.headers.get("content-type"), "application/json");
});

Deno.test("withCors() copies a response whose headers are immutable (after fetch)", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => new Response("ok"));
  try {
    const original = await fetch(`http://127.0.0.1:${server.addr.port}/`);
    assert.throws(() => original.headers.set("x", "y"), TypeError);
    const response = withCors(original);
    assert.notEqual(response, original);
    assert.equal(response.headers.get("access-control-allow-origin"), "*");
    assert.equal(await response.text(), "ok");
  } finally {
    await server.shutdown();
  }
});
