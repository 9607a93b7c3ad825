import assert from "node:assert/strict";
import { MAX_BODY_BYTES, MAX_EMBED_DEPTH, MAX_LIMIT, MAX_LOGIC_DEPTH, MAX_OFFSET } from "./limits.ts";

Deno.test("the limits are positive safe integers with the documented values", () => {
  assert.deepEqual(
    { MAX_LIMIT, MAX_OFFSET, MAX_EMBED_DEPTH, MAX_LOGIC_DEPTH, MAX_BODY_BYTES },
    {
      MAX_LIMIT: 10_000,
      MAX_OFFSET: 1_000_000,
      MAX_EMBED_DEPTH: 8,
      MAX_LOGIC_DEPTH: 8,
      MAX_BODY_BYTES: 1_048_576,
    },
  );
  for (const limit of [MAX_LIMIT, MAX_OFFSET, MAX_EMBED_DEPTH, MAX_LOGIC_DEPTH, MAX_BODY_BYTES]) {
    assert.ok(Number.isSafeInteger(limit) && limit > 0);
  }
});
