import assert from "node:assert/strict";
import { BatchedLoader } from "./_batched_loader.ts";

/** A load whose calls the test answers one by one. */
function controlledLoad() {
  const calls: { keys: string[]; answer(values: Map<string, number>): void; fail(error: Error): void }[] = [];
  const load = (keys: string[]) =>
    new Promise<Map<string, number>>((resolve, reject) => {
      calls.push({ keys, answer: resolve, fail: reject });
    });
  return { calls, load };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("BatchedLoader loads a key at once, alone, while a load slot is free", async () => {
  const { calls, load } = controlledLoad();
  const loader = new BatchedLoader({ load, missing: -1, maxInFlight: 2, maxBatch: 10 });
  const a = loader.get("a");
  const b = loader.get("b");
  assert.deepEqual(calls.map((call) => call.keys), [["a"], ["b"]]);
  calls[0]!.answer(new Map([["a", 1]]));
  calls[1]!.answer(new Map());
  assert.equal(await a, 1);
  assert.equal(await b, -1, "a key the load did not return gets `missing`");
});

Deno.test("BatchedLoader reads the keys that arrive while every slot is busy in one load", async () => {
  const { calls, load } = controlledLoad();
  const loader = new BatchedLoader({ load, missing: -1, maxInFlight: 1, maxBatch: 3 });
  const first = loader.get("a");
  const burst = ["b", "c", "b", "d", "e"].map((key) => loader.get(key));
  assert.equal(calls.length, 1);
  calls[0]!.answer(new Map([["a", 1]]));
  assert.equal(await first, 1);
  await tick();
  assert.deepEqual(calls[1]!.keys, ["b", "c"], "up to maxBatch waiting requests, each key once");
  calls[1]!.answer(new Map([["b", 2], ["c", 3]]));
  await tick();
  assert.deepEqual(calls[2]!.keys, ["d", "e"]);
  calls[2]!.answer(new Map([["d", 4], ["e", 5]]));
  assert.deepEqual(await Promise.all(burst), [2, 3, 2, 4, 5]);
  assert.equal(loader.inFlight, 0);
});

Deno.test("BatchedLoader rejects every key of a failed load, and goes on with the next", async () => {
  const { calls, load } = controlledLoad();
  const loader = new BatchedLoader({ load, missing: -1, maxInFlight: 1, maxBatch: 10 });
  const first = loader.get("a");
  const waiting = [loader.get("b"), loader.get("c")];
  calls[0]!.fail(new RangeError("down"));
  await assert.rejects(first, RangeError);
  await tick();
  calls[1]!.fail(new RangeError("still down"));
  for (const promise of waiting) await assert.rejects(promise, /still down/);
  const later = loader.get("d");
  calls[2]!.answer(new Map([["d", 4]]));
  assert.equal(await later, 4);
});

Deno.test("BatchedLoader rejects limits that cannot work", () => {
  const load = () => Promise.resolve(new Map());
  assert.throws(() => new BatchedLoader({ load, missing: 0, maxInFlight: 0, maxBatch: 1 }), RangeError);
  assert.throws(() => new BatchedLoader({ load, missing: 0, maxInFlight: 1, maxBatch: 0.5 }), RangeError);
});
