import assert from "node:assert/strict";
import { createAdminHandler } from "./app.ts";

const handle = createAdminHandler({ functionName: "tenant-admin" });

Deno.test("the admin API answers /health with 200", async () => {
  const response = await handle(new Request("http://local/tenant-admin/health"));
  assert.equal(response.status, 200);
  assert.equal((await response.json()).status, "ok");
});

Deno.test("the admin API answers an unknown endpoint with a 404 and a code", async () => {
  const response = await handle(new Request("http://local/tenant-admin/nope"));
  assert.equal(response.status, 404);
  assert.equal((await response.json()).code, "not_found");
});
