import assert from "node:assert/strict";
import { checksumsMatch, differingBuckets, type TableChecksum } from "./table_checksum.ts";

function sums(entries: [number, number, bigint][], checksum = "0"): TableChecksum {
  return {
    rows: entries.reduce((n, [, rows]) => n + rows, 0),
    checksum,
    buckets: new Map(entries.map(([bucket, rows, sum]) => [bucket, { rows, sum }])),
  };
}

Deno.test("differingBuckets() names the buckets whose rows or sums differ, empty ones included", () => {
  const a = sums([[0, 2, 10n], [7, 1, 5n], [4095, 3, -9n]]);
  const b = sums([[0, 2, 10n], [7, 1, 6n], [100, 1, 1n]]);
  assert.deepEqual(differingBuckets(a, b), [7, 100, 4095]);
  assert.deepEqual(differingBuckets(a, a), []);
});

Deno.test("checksumsMatch() needs equal rows, checksum and buckets", () => {
  const a = sums([[1, 1, 1n], [2, 1, 2n]], "0000000000000003");
  assert.ok(checksumsMatch(a, sums([[1, 1, 1n], [2, 1, 2n]], "0000000000000003")));
  // Same total, rows moved between buckets: still a mismatch.
  assert.ok(!checksumsMatch(a, sums([[1, 1, 2n], [2, 1, 1n]], "0000000000000003")));
  assert.ok(!checksumsMatch(a, sums([[1, 1, 1n]], "0000000000000001")));
});
