import assert from "node:assert/strict";
import { PostgrestError } from "../errors/mod.ts";
import { MAX_BODY_BYTES, readBody } from "./read_body.ts";

function post(body: BodyInit | null, headers: HeadersInit = {}): Request {
  return new Request("http://h/rest/v1/t", { method: "POST", body, headers });
}

function stream(chunks: number, size: number, onPull?: () => void): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      onPull?.();
      if (sent++ < chunks) controller.enqueue(new Uint8Array(size).fill(0x20));
      else controller.close();
    },
  });
}

Deno.test("readBody() reads a body under the limit", async () => {
  assert.deepEqual(await readBody(post('{"a":1}')), new TextEncoder().encode('{"a":1}'));
});

Deno.test("readBody() reads an absent body as no bytes", async () => {
  assert.equal((await readBody(post(null))).byteLength, 0);
});

Deno.test("readBody() accepts a body of exactly the limit", async () => {
  assert.equal((await readBody(post("x".repeat(10)), { maxBytes: 10 })).byteLength, 10);
});

Deno.test("readBody() defaults to a 1 MiB limit", async () => {
  assert.equal(MAX_BODY_BYTES, 1024 * 1024);
  await assert.rejects(readBody(post("x".repeat(MAX_BODY_BYTES + 1))), { code: "TR413", status: 413 });
});

Deno.test("readBody() refuses a declared Content-Length over the limit before reading", async () => {
  const request = post(stream(1, 10), { "content-length": "11" });
  await assert.rejects(readBody(request, { maxBytes: 10 }), (err: unknown) => {
    assert.ok(err instanceof PostgrestError);
    assert.deepEqual([err.code, err.status, err.message], [
      "TR413",
      413,
      "Request body too large: the limit is 10 bytes",
    ]);
    return true;
  });
  assert.equal(request.bodyUsed, false);
});

Deno.test("readBody() stops reading a stream as soon as it passes the limit, whatever Content-Length says", async () => {
  let pulls = 0;
  const request = post(stream(1000, 1024, () => pulls++), { "content-length": "5" });
  await assert.rejects(readBody(request, { maxBytes: 4096 }), { code: "TR413" });
  assert.ok(pulls <= 6, `pulled ${pulls} chunks`);
});

Deno.test("readBody() reads a body in many chunks", async () => {
  const bytes = await readBody(post(stream(100, 100)), { maxBytes: 10_000 });
  assert.equal(bytes.byteLength, 10_000);
  assert.ok(bytes.every((b) => b === 0x20));
});

Deno.test("readBody() answers a body stream that fails (a client gone mid-body) with 400, not an unknown error", async () => {
  const failing = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.error(new Deno.errors.BadResource("connection closed before message completed"));
    },
  });
  await assert.rejects(readBody(post(failing)), (err: unknown) => {
    assert.ok(err instanceof PostgrestError);
    assert.deepEqual([err.code, err.status], ["PGRST102", 400]);
    return true;
  });
});
