/**
 * The report of `npm run bench:load`: throughput and latency overall, per tenant and per kind of request,
 * the functions server's memory over the run, and whether the issue's targets are met (0 errors; RSS
 * growth under 10 % between the end of warm-up and the end of the run).
 *
 * @module
 */
import Table from "cli-table3";
import { percentile } from "./_stats.ts";
import { type ErrorSample, MIX, type MixedLoadResult, type OperationKind } from "./mixed_load_client.ts";

/** The targets of the load requirement. */
export const LOAD_TARGETS = { maxErrors: 0, maxRssGrowthPct: 10 } as const;

/** Throughput and latency of a set of requests in the measured window. */
export interface LatencyStats {
  requests: number;
  requests_per_second: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  /** Failed requests over the whole run (warm-up included). */
  errors: number;
}

/** A tenant of the run and who acted for it. */
export interface TenantInfo {
  slug: string;
  user: string;
  role: string;
  database: string;
}

/** Everything the run found, as printed with `--json`. */
export interface LoadReport {
  started_at: string;
  machine: { cpus: number; load_before: number[]; load_after: number[] };
  settings: {
    duration_s: number;
    warmup_s: number;
    concurrency: number;
    /** Share of each kind of request in every worker's cycle. */
    mix: Record<OperationKind, number>;
    tenants: TenantInfo[];
  };
  overall: LatencyStats;
  by_tenant: Record<string, LatencyStats>;
  by_kind: Record<string, LatencyStats>;
  errors: { total: number; warmup: number; measured: number; first: ErrorSample[] };
  memory: {
    pid: number;
    start_mib: number;
    after_warmup_mib: number;
    end_mib: number;
    /** The highest sample inside the measured window. */
    max_mib: number;
    /** (end − after warm-up) ÷ after warm-up, in percent. */
    growth_pct: number;
    samples: { at_s: number; mib: number }[];
  };
  /** Rows the load inserted that were still there at the end (requests in flight), removed afterwards. */
  rows_left: number;
  targets: {
    zero_errors: { errors: number; met: boolean };
    rss_growth: { growth_pct: number; limit_pct: number; met: boolean };
  };
}

/** What {@linkcode buildLoadReport} needs besides the load's result. */
export interface ReportContext {
  startedAt: Date;
  loadBefore: number[];
  loadAfter: number[];
  warmupMs: number;
  concurrency: number;
  tenants: TenantInfo[];
  serverPid: number;
  rowsLeft: number;
}

/** Turns the load's raw samples into the report. */
export function buildLoadReport(result: MixedLoadResult, context: ReportContext): LoadReport {
  const seconds = result.elapsedMs / 1000;
  const stats = (cells: { latenciesMs: number[]; errors: number }[]): LatencyStats => {
    const latencies = cells.flatMap((cell) => cell.latenciesMs).sort((a, b) => a - b);
    return {
      requests: latencies.length,
      requests_per_second: latencies.length / seconds,
      p50_ms: percentile(latencies, 50),
      p99_ms: percentile(latencies, 99),
      max_ms: latencies.at(-1) ?? NaN,
      errors: cells.reduce((sum, cell) => sum + cell.errors, 0),
    };
  };
  const all = Object.entries(result.cells).flatMap(([tenant, byKind]) =>
    Object.entries(byKind).map(([kind, cell]) => ({ tenant, kind, ...cell }))
  );
  const kinds = [...new Set(MIX)];
  const mib = (kb: number) => kb / 1024;
  const inWindow = result.rss.samples.filter((s) => s.atMs >= context.warmupMs);
  const growthPct = ((result.rss.endKb - result.rss.afterWarmupKb) / result.rss.afterWarmupKb) * 100;
  const errorTotal = result.errors.warmup + result.errors.measured;
  return {
    started_at: context.startedAt.toISOString(),
    machine: {
      cpus: navigator.hardwareConcurrency,
      load_before: context.loadBefore,
      load_after: context.loadAfter,
    },
    settings: {
      duration_s: seconds,
      warmup_s: context.warmupMs / 1000,
      concurrency: context.concurrency,
      mix: Object.fromEntries(
        kinds.map((kind) => [kind, MIX.filter((k) => k === kind).length / MIX.length]),
      ) as Record<OperationKind, number>,
      tenants: context.tenants,
    },
    overall: stats(all),
    by_tenant: Object.fromEntries(
      context.tenants.map((t) => [t.slug, stats(all.filter((c) => c.tenant === t.slug))]),
    ),
    by_kind: Object.fromEntries(kinds.map((kind) => [kind, stats(all.filter((c) => c.kind === kind))])),
    errors: { total: errorTotal, ...result.errors, first: result.firstErrors },
    memory: {
      pid: context.serverPid,
      start_mib: mib(result.rss.startKb),
      after_warmup_mib: mib(result.rss.afterWarmupKb),
      end_mib: mib(result.rss.endKb),
      max_mib: mib(Math.max(...inWindow.map((s) => s.kb))),
      growth_pct: growthPct,
      samples: result.rss.samples.map((s) => ({ at_s: s.atMs / 1000, mib: Math.round(mib(s.kb) * 10) / 10 })),
    },
    rows_left: context.rowsLeft,
    targets: {
      zero_errors: { errors: errorTotal, met: errorTotal <= LOAD_TARGETS.maxErrors },
      rss_growth: {
        growth_pct: growthPct,
        limit_pct: LOAD_TARGETS.maxRssGrowthPct,
        met: growthPct < LOAD_TARGETS.maxRssGrowthPct,
      },
    },
  };
}

const KIND_LABELS: Record<OperationKind, string> = {
  get: "GET by id (.single())",
  list: "GET list of 20, ordered",
  insert: "POST insert, return=representation",
  update: "PATCH own row",
  delete: "DELETE own row",
};

/** The report as text: one table, the memory figures, the errors and the verdicts. */
export function formatLoadReport(report: LoadReport): string {
  const { settings, memory } = report;
  const table = new Table({
    head: ["requests of", "count", "req/s", "p50", "p99", "max", "errors"],
    style: { head: [], border: [] },
  });
  const row = (label: string, s: LatencyStats) =>
    table.push([
      label,
      String(s.requests),
      s.requests_per_second.toFixed(0),
      ms(s.p50_ms),
      ms(s.p99_ms),
      ms(s.max_ms),
      String(s.errors),
    ]);
  row("all", report.overall);
  for (const t of settings.tenants) {
    const s = report.by_tenant[t.slug];
    if (s) row(`tenant ${t.slug} (${t.user}, ${t.role}; ${t.database})`, s);
  }
  for (const [kind, s] of Object.entries(report.by_kind)) {
    row(`${KIND_LABELS[kind as OperationKind]} (${percent(settings.mix[kind as OperationKind])})`, s);
  }
  // About ten points over the run, the last sample included.
  const step = Math.max(1, Math.round((settings.warmup_s + settings.duration_s) / 10));
  const trend = new Map<number, number>();
  for (const s of memory.samples) {
    const second = Math.round(s.at_s);
    if ((second % step === 0 && !trend.has(second)) || s === memory.samples.at(-1)) trend.set(second, s.mib);
  }
  const errorLines = report.errors.first.map((e) =>
    `  ${e.phase} ${e.tenant} ${e.kind}: ${e.status} ${e.body.replace(/\s+/g, " ")}`
  );
  const verdict = (met: boolean) => (met ? "met" : "missed");
  const { zero_errors, rss_growth } = report.targets;
  return [
    `Load: ${settings.duration_s} s measured after ${settings.warmup_s} s warm-up, ${settings.concurrency} clients over ${settings.tenants.length} tenants, ${
      percent(1 - settings.mix.get - settings.mix.list)
    } writes; ${report.machine.cpus} CPUs, load average ${report.machine.load_before.join(" ")} before, ${
      report.machine.load_after.join(" ")
    } after.`,
    "",
    table.toString(),
    "",
    `Functions server memory (pid ${memory.pid}, VmRSS): start ${mb(memory.start_mib)}, after warm-up ${
      mb(memory.after_warmup_mib)
    }, end ${mb(memory.end_mib)}, max ${mb(memory.max_mib)}; growth after warm-up ${
      signed(memory.growth_pct)
    } %.`,
    `RSS over the run (MiB): ${
      [...trend].map(([second, mib]) => `${second} s ${mib.toFixed(1)}`).join(", ")
    }.`,
    `Errors: ${report.errors.total} (warm-up ${report.errors.warmup}, measured ${report.errors.measured}).`,
    ...errorLines,
    `Rows left by requests in flight at the end: ${report.rows_left} (removed).`,
    "",
    "Targets:",
    `  0 errors: ${zero_errors.errors} errors — ${verdict(zero_errors.met)}`,
    `  RSS growth < ${rss_growth.limit_pct}% after warm-up: ${signed(rss_growth.growth_pct)} % — ${
      verdict(rss_growth.met)
    }`,
  ].join("\n");
}

function ms(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)} ms` : "-";
}

function mb(mib: number): string {
  return `${mib.toFixed(1)} MiB`;
}

function percent(share: number): string {
  return `${Math.round(share * 100)} %`;
}

function signed(value: number): string {
  return `${value >= 0 ? "+" : ""}${value.toFixed(1)}`;
}
