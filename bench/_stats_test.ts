import assert from "node:assert/strict";
import { linearFit, percentile, serverTimingDurations, ServerTimingTotals } from "./_stats.ts";

Deno.test("percentile() picks the nearest rank", () => {
  const samples = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(samples, 50), 50);
  assert.equal(percentile(samples, 99), 99);
  assert.equal(percentile(samples, 100), 100);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
});

Deno.test("ServerTimingTotals averages durations per metric over the headers added", () => {
  const totals = new ServerTimingTotals();
  totals.add("auth;dur=0.10, tenant;dur=0.02, execute;dur=1.50");
  totals.add('auth;dur=0.30, tenant;desc="x";dur=0.04, execute;dur=2.50');
  totals.add(null);
  const averages = totals.averages();
  assert.ok(Math.abs((averages.auth ?? 0) - 0.2) < 1e-9);
  assert.ok(Math.abs((averages.tenant ?? 0) - 0.03) < 1e-9);
  assert.ok(Math.abs((averages.execute ?? 0) - 2) < 1e-9);
});

Deno.test("ServerTimingTotals merges totals serialised by another process", () => {
  const a = new ServerTimingTotals();
  a.add("plan;dur=1");
  const b = new ServerTimingTotals();
  b.add("plan;dur=3");
  b.merge(a.toJSON());
  assert.deepEqual(b.averages(), { plan: 2 });
});

Deno.test("serverTimingDurations reads each metric's duration by name", () => {
  assert.deepEqual(
    serverTimingDurations('auth;dur=0.12, tenant;desc="x";dur=2, miss, pool;dur="1.5", total;dur=3.25'),
    { auth: 0.12, tenant: 2, pool: 1.5, total: 3.25 },
  );
  assert.deepEqual(serverTimingDurations(null), {});
  assert.deepEqual(serverTimingDurations("cache;desc=hit"), {});
});

Deno.test("linearFit finds the least-squares line and its correlation", () => {
  assert.deepEqual(linearFit([[0, 1], [1, 3], [2, 5]]), { slope: 2, intercept: 1, r: 1 });
  const fit = linearFit([[0, 0], [1, 2], [2, 1], [3, 3]])!;
  assert.ok(Math.abs(fit.slope - 0.8) < 1e-9, `slope ${fit.slope}`);
  assert.ok(fit.r > 0 && fit.r < 1, `r ${fit.r}`);
  assert.equal(linearFit([[1, 1]]), null);
  assert.equal(linearFit([[1, 1], [1, 2]]), null);
});
