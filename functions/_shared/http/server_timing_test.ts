import assert from "node:assert/strict";
import { ServerTiming } from "./server_timing.ts";

Deno.test("ServerTiming records every stage, also one that throws", async () => {
  const timing = new ServerTiming();
  assert.equal(await timing.measure("parse", () => 42), 42);
  await assert.rejects(timing.measure("plan", () => Promise.reject(new Error("no"))));
  assert.match(timing.header(), /^parse;dur=\d+\.\d{2}, plan;dur=\d+\.\d{2}$/);
});
