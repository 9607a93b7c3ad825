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
