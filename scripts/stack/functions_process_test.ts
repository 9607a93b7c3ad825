import assert from "node:assert/strict";
import { answersOk } from "./functions_process.ts";

Deno.test("answersOk() asks until the server answers 2xx, through its errors", async () => {
  let asked = 0;
  await using server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, () => {
    asked++;
    return new Response(null, { status: asked < 3 ? 503 : 200 });
  });
  const url = `http://127.0.0.1:${server.addr.port}/health`;
  assert.equal(await answersOk(url, { timeoutMs: 10_000, intervalMs: 1 }), true);
  assert.equal(asked, 3);
});

Deno.test("answersOk() gives up at its timeout, or at once when the server stopped running", async () => {
  await using server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    () => new Response(null, { status: 503 }),
  );
  const url = `http://127.0.0.1:${server.addr.port}/health`;
  assert.equal(await answersOk(url, { timeoutMs: 50, intervalMs: 5 }), false);
  const started = performance.now();
  assert.equal(await answersOk(url, { timeoutMs: 60_000, intervalMs: 5, running: () => false }), false);
  assert.ok(performance.now() - started < 30_000, "did not wait for the timeout");
});
