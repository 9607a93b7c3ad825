import assert from "node:assert/strict";
import { createGatewayHandler } from "./handler.ts";

const handle = createGatewayHandler({ functionName: "tenant-data" });

Deno.test("the gateway answers /health with 200 and no credentials", async () => {
  const response = handle(new Request("http://local/tenant-data/health"));
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { status: "ok", function: "tenant-data" });
});

Deno.test("the gateway answers an unknown path with PostgREST's 404 body", async () => {
  const response = handle(new Request("http://local/tenant-data/nowhere"));
  assert.equal(response.status, 404);
  assert.equal((await response.json()).code, "PGRST125");
});
