import assert from "node:assert/strict";
import { buildLoadReport, formatLoadReport, type ReportContext } from "./_load_report.ts";
import type { MixedLoadResult } from "./mixed_load_client.ts";

const context: ReportContext = {
  startedAt: new Date("2026-11-26T12:00:00Z"),
  loadBefore: [0.1, 0.2, 0.3],
  loadAfter: [1, 1, 1],
  warmupMs: 2000,
  concurrency: 4,
  tenants: [
    { slug: "acme", user: "alice@acme.test", role: "owner", database: "tenant_acme" },
    { slug: "initech", user: "ivan@initech.test", role: "member", database: "tenant_shared" },
  ],
  serverPid: 42,
  rowsLeft: 3,
};

const result: MixedLoadResult = {
  elapsedMs: 4000,
  cells: {
    acme: { get: { latenciesMs: [1, 2, 3, 4], errors: 0 }, insert: { latenciesMs: [10], errors: 1 } },
    initech: { get: { latenciesMs: [5, 6, 7], errors: 0 } },
  },
  errors: { warmup: 0, measured: 1 },
  firstErrors: [{
    phase: "measured",
    tenant: "acme",
    kind: "insert",
    status: 409,
    body: '{"code": "23505"}',
  }],
  rss: {
    samples: [
      { atMs: 0, kb: 51200 },
      { atMs: 2000, kb: 102400 },
      { atMs: 4000, kb: 122880 },
      { atMs: 6000, kb: 112640 },
    ],
    startKb: 51200,
    afterWarmupKb: 102400,
    endKb: 112640,
  },
};

Deno.test("buildLoadReport() aggregates per tenant and kind and judges the targets", () => {
  const report = buildLoadReport(result, context);
  assert.equal(report.overall.requests, 8);
  assert.equal(report.overall.requests_per_second, 2);
  assert.equal(report.overall.p50_ms, 4);
  assert.equal(report.overall.max_ms, 10);
  assert.equal(report.overall.errors, 1);
  assert.equal(report.by_tenant.acme?.requests, 5);
  assert.equal(report.by_tenant.initech?.p50_ms, 6);
  assert.equal(report.by_kind.get?.requests, 7);
  assert.equal(report.by_kind.delete?.requests, 0);
  assert.equal(report.settings.mix.get, 0.4);
  assert.equal(report.memory.after_warmup_mib, 100);
  assert.equal(report.memory.max_mib, 120);
  assert.equal(report.memory.growth_pct, 10);
  assert.deepEqual(report.targets.zero_errors, { errors: 1, met: false });
  assert.equal(report.targets.rss_growth.met, false);
});

Deno.test("formatLoadReport() prints the failures and a verdict per target", () => {
  const text = formatLoadReport(buildLoadReport(result, context));
  assert.match(text, /measured acme insert: 409 \{"code": "23505"\}/);
  assert.match(text, /0 errors: 1 errors — missed/);
  assert.match(text, /RSS growth < 10% after warm-up: \+10\.0 % — missed/);
});
