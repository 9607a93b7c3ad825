import assert from "node:assert/strict";
import { progressRate } from "./_copy_table.ts";

Deno.test("progressRate: rows per second and the seconds left at that pace", () => {
  assert.deepEqual(progressRate(50_000, 2_000, 100_000), { rowsPerSecond: 25_000, etaSeconds: 4 });
  assert.deepEqual(progressRate(1_000, 3_000, 1), { rowsPerSecond: 333, etaSeconds: 1 });
  assert.deepEqual(progressRate(5_000, 1_000, 0), { rowsPerSecond: 5_000, etaSeconds: 0 });
});

Deno.test("progressRate says nothing before it can tell (under a second and a thousand rows, or none)", () => {
  assert.deepEqual(progressRate(10, 200, 1_000), {});
  assert.deepEqual(progressRate(0, 5_000, 1_000), {});
});
