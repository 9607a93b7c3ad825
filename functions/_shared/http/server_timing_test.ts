import assert from "node:assert/strict";
import { ServerTiming } from "./server_timing.ts";

Deno.test("ServerTiming records every stage, also one that throws", async () => {
  const timing = new ServerTiming();
  assert.equal(await timing.measure("parse", () => 42), 42);
  await assert.rejects(timing.measure("plan", () => Promise.reject(new Error("no"))));
  assert.match(timing.header(), /^parse;dur=\d+\.\d{2}, plan;dur=\d+\.\d{2}$/);
});

Deno.test("ServerTiming returns a synchronous stage's result as it is and records a synchronous throw", () => {
  const timing = new ServerTiming();
  assert.equal(timing.measure("plan", () => 7), 7);
  assert.throws(() =>
    timing.measure("sql", () => {
      throw new RangeError("no");
    }), RangeError);
  assert.match(timing.header(), /^plan;dur=\d+\.\d{2}, sql;dur=\d+\.\d{2}$/);
});

Deno.test("ServerTiming records a duration measured elsewhere, in order with the stages", () => {
  const timing = new ServerTiming();
  timing.measure("auth", () => 1);
  timing.record("pool", 12.345);
  timing.record("total", 20);
  assert.match(timing.header(), /^auth;dur=\d+\.\d{2}, pool;dur=12\.35, total;dur=20\.00$/);
});
