/**
 * The benchmark's report: one result per workload and concurrency, with the gateway measured twice (through
 * the local functions router, as users call it, and with its handler served directly, so the router's share
 * is a number), the tables people read, and whether the targets of issue #13 are met:
 *
 * - throughput at 10 clients ≥ 0.9× the baseline's for GET by id, ≥ 0.95× for the list;
 * - ≤ 0.3 ms added at p50 with 1 client, both workloads;
 * - CPU per request (server + PostgreSQL) within 25 % of the baseline's;
 * - the first request after a server starts ≤ 50 ms, and the first request on a data source the server has
 *   not used ≤ 10 ms more than a warm one.
 *
 * @module
 */
import Table from "cli-table3";
import type { ColdStartResult } from "./_cold_start.ts";

/** The targets of issue #13. */
export const TARGETS = {
  /** Minimum throughput ratio at {@linkcode TARGET_CONCURRENCY} clients, by workload. */
  minRatio: { "by-id": 0.9, list: 0.95 } as Record<string, number>,
  /** Most milliseconds added at p50 with one client. */
  maxAddedP50Ms: 0.3,
  /** Most CPU per request (server + PostgreSQL) as a multiple of the baseline's. */
  maxCpuRatio: 1.25,
  /** Most milliseconds for the first request after a server starts. */
  maxFirstRequestMs: 50,
  /** Most milliseconds the first request on an unused data source adds to a warm one. */
  maxColdDataSourceAddedMs: 10,
} as const;
export const TARGET_CONCURRENCY = 10;

/** What one server did in one cell (all its rounds together). */
export interface SideResult {
  requests: number;
  errors: number;
  firstError: string | null;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  responseBytes: number;
  /** CPU microseconds per request: the server process, PostgreSQL (all backends), the load client. */
  cpuUsPerRequest: { server: number; postgres: number; client: number };
  /** Average `Server-Timing` milliseconds per stage (the gateway only). */
  serverTimingMs: Record<string, number>;
}

/** The gateway next to the baseline, one way of reaching it. */
export interface Comparison {
  /** gateway req/s ÷ baseline req/s. */
  ratio: number;
  /** gateway p50 − baseline p50, in milliseconds. */
  addedP50Ms: number;
  addedP99Ms: number;
  /** CPU per request, server + PostgreSQL: the gateway's ÷ the baseline's. */
  cpuRatio: number;
}

/** One workload at one concurrency. */
export interface CellResult {
  workload: string;
  concurrency: number;
  rounds: number;
  /** The gateway through the functions router (`/functions/v1/tenant-data/…`). */
  gateway: SideResult;
  /** The gateway's handler served directly, without the router. */
  direct: SideResult;
  baseline: SideResult;
  /** Through the router. */
  ratio: number;
  addedP50Ms: number;
  addedP99Ms: number;
  cpuRatio: number;
  /** Served directly. */
  directComparison: Comparison;
}

/** How the gateway was reached for a figure. */
export type Via = "router" | "direct";

/** A verdict on one target. */
export interface TargetCheck {
  target: "ratio" | "added_p50_1_client" | "cpu_ratio" | "first_request_ms" | "cold_data_source_added_ms";
  workload: string | null;
  via: Via;
  value: number;
  limit: number;
  met: boolean;
}

/** The gateway's side against the baseline's. */
export function compare(gateway: SideResult, baseline: SideResult): Comparison {
  return {
    ratio: gateway.requestsPerSecond / baseline.requestsPerSecond,
    addedP50Ms: gateway.p50Ms - baseline.p50Ms,
    addedP99Ms: gateway.p99Ms - baseline.p99Ms,
    cpuRatio: cpuTotal(gateway) / cpuTotal(baseline),
  };
}

/** CPU microseconds per request of the server and PostgreSQL together. */
export function cpuTotal(side: SideResult): number {
  return side.cpuUsPerRequest.server + side.cpuUsPerRequest.postgres;
}

function viaComparisons(cell: CellResult): [Via, Comparison][] {
  return [["router", cell], ["direct", cell.directComparison]];
}

/** The targets, each judged through the router and served directly. */
export function checkTargets(cells: readonly CellResult[], coldStart: ColdStartResult | null): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const cell of cells) {
    for (const [via, comparison] of viaComparisons(cell)) {
      const minRatio = TARGETS.minRatio[cell.workload];
      if (cell.concurrency === TARGET_CONCURRENCY && minRatio !== undefined) {
        const value = comparison.ratio;
        checks.push({
          target: "ratio",
          workload: cell.workload,
          via,
          value,
          limit: minRatio,
          met: value >= minRatio,
        });
      }
      if (cell.concurrency === 1) {
        const value = comparison.addedP50Ms;
        const limit = TARGETS.maxAddedP50Ms;
        checks.push({
          target: "added_p50_1_client",
          workload: cell.workload,
          via,
          value,
          limit,
          met: value <= limit,
        });
      }
      if (cell.concurrency === TARGET_CONCURRENCY) {
        const value = comparison.cpuRatio;
        const limit = TARGETS.maxCpuRatio;
        checks.push({ target: "cpu_ratio", workload: cell.workload, via, value, limit, met: value <= limit });
      }
    }
  }
  if (coldStart !== null) {
    checks.push({
      target: "first_request_ms",
      workload: null,
      via: "router",
      value: coldStart.firstRequestMs,
      limit: TARGETS.maxFirstRequestMs,
      met: coldStart.firstRequestMs <= TARGETS.maxFirstRequestMs,
    }, {
      target: "cold_data_source_added_ms",
      workload: null,
      via: "router",
      value: coldStart.coldDataSourceAddedMs,
      limit: TARGETS.maxColdDataSourceAddedMs,
      met: coldStart.coldDataSourceAddedMs <= TARGETS.maxColdDataSourceAddedMs,
    });
  }
  return checks;
}

/** The headline figures, by workload, for the JSON report: what later changes compare against. */
export function summarise(cells: readonly CellResult[]): Record<string, unknown> {
  const byWorkload: Record<string, Record<string, unknown>> = {};
  for (const cell of cells) {
    const entry = byWorkload[cell.workload] ??= {};
    entry[`clients_${cell.concurrency}`] = {
      ratio: { router: cell.ratio, direct: cell.directComparison.ratio },
      added_p50_ms: { router: cell.addedP50Ms, direct: cell.directComparison.addedP50Ms },
      cpu_us_per_request: {
        router: cpuOf(cell.gateway),
        direct: cpuOf(cell.direct),
        baseline: cpuOf(cell.baseline),
      },
      cpu_ratio: { router: cell.cpuRatio, direct: cell.directComparison.cpuRatio },
      router_cpu_us_per_request: cell.gateway.cpuUsPerRequest.server - cell.direct.cpuUsPerRequest.server,
    };
  }
  return byWorkload;
}

function cpuOf(side: SideResult): { server: number; postgres: number; total: number } {
  return {
    server: side.cpuUsPerRequest.server,
    postgres: side.cpuUsPerRequest.postgres,
    total: cpuTotal(side),
  };
}

const STAGES = ["auth", "tenant", "parse", "catalog", "plan", "sql", "execute"];

/** The tables and verdicts as text. */
export function formatReport(cells: readonly CellResult[], coldStart: ColdStartResult | null): string {
  const style = { head: [], border: [] };
  const main = new Table({
    head: [
      "workload",
      "clients",
      "req/s router / direct / base",
      "ratio router / direct",
      "p50 router / direct / base",
      "added p50 router / direct",
      "p99 router / direct / base",
      "errors",
    ],
    style,
  });
  for (const cell of cells) {
    const sides = [cell.gateway, cell.direct, cell.baseline];
    main.push([
      cell.workload,
      String(cell.concurrency),
      sides.map((side) => side.requestsPerSecond.toFixed(0)).join(" / "),
      `${cell.ratio.toFixed(2)} / ${cell.directComparison.ratio.toFixed(2)}`,
      sides.map((side) => ms(side.p50Ms)).join(" / "),
      `${ms(cell.addedP50Ms)} / ${ms(cell.directComparison.addedP50Ms)}`,
      sides.map((side) => ms(side.p99Ms)).join(" / "),
      sides.map((side) => side.errors).join(" / "),
    ]);
  }

  const timing = new Table({
    head: ["workload", "clients", ...STAGES, "sum", "client mean", "outside stages"],
    style,
  });
  for (const cell of cells) {
    const stages = cell.gateway.serverTimingMs;
    const sum = STAGES.reduce((total, stage) => total + (stages[stage] ?? 0), 0);
    timing.push([
      cell.workload,
      String(cell.concurrency),
      ...STAGES.map((stage) => (stages[stage] ?? NaN).toFixed(3)),
      sum.toFixed(3),
      cell.gateway.meanMs.toFixed(3),
      (cell.gateway.meanMs - sum).toFixed(3),
    ]);
  }

  const cpu = new Table({
    head: [
      "workload",
      "clients",
      "server router / direct / base",
      "postgres router / direct / base",
      "server + postgres router / direct / base",
      "ratio router / direct",
      "client router / direct / base",
    ],
    style,
  });
  for (const cell of cells) {
    const sides = [cell.gateway, cell.direct, cell.baseline];
    cpu.push([
      cell.workload,
      String(cell.concurrency),
      sides.map((side) => us(side.cpuUsPerRequest.server)).join(" / "),
      sides.map((side) => us(side.cpuUsPerRequest.postgres)).join(" / "),
      sides.map((side) => us(cpuTotal(side))).join(" / "),
      `${cell.cpuRatio.toFixed(2)} / ${cell.directComparison.cpuRatio.toFixed(2)}`,
      sides.map((side) => us(side.cpuUsPerRequest.client)).join(" / "),
    ]);
  }

  const cold = coldStart === null ? ["  not measured"] : [
    `  /health answers ${
      ms(coldStart.startupMs)
    } after the process starts (median of ${coldStart.runs} starts)`,
    `  first request ${ms(coldStart.firstRequestMs)}, warm ${ms(coldStart.warmRequestMs)}; Server-Timing: ${
      coldStart.firstRequestServerTiming ?? "-"
    }`,
    `  first request on an unused data source ${ms(coldStart.coldDataSourceMs)}, warm ${
      ms(coldStart.warmDataSourceMs)
    }: ${ms(coldStart.coldDataSourceAddedMs)} more; Server-Timing: ${
      coldStart.coldDataSourceServerTiming ?? "-"
    }`,
    `  the same with nothing opened ahead (TENANT_DATA_OPEN_AHEAD=0): ${
      ms(coldStart.notOpenedAhead.coldDataSourceMs)
    }, ${ms(coldStart.notOpenedAhead.coldDataSourceAddedMs)} more; Server-Timing: ${
      coldStart.notOpenedAhead.serverTiming ?? "-"
    }`,
  ];

  const verdicts = checkTargets(cells, coldStart).map((check) => {
    const unit = check.target === "ratio" || check.target === "cpu_ratio" ? "" : " ms";
    const value = unit === "" ? check.value.toFixed(2) : ms(check.value);
    const comparator = check.target === "ratio" ? "≥" : "≤";
    return `  ${check.target}${
      check.workload ? ` ${check.workload}` : ""
    } (${check.via}): ${value} (target ${comparator} ${check.limit}${unit}) ${check.met ? "MET" : "NOT MET"}`;
  });
  return [
    "Throughput and latency (gateway through the functions router, its handler served directly, the baseline):",
    main.toString(),
    "",
    "Gateway Server-Timing through the router, average ms per request (client mean − sum = HTTP, routing, response building):",
    timing.toString(),
    "",
    "CPU per request, µs (2-core machine: total CPU per request bounds throughput):",
    cpu.toString(),
    "",
    "Cold paths (fresh functions servers, through the router):",
    ...cold,
    "",
    "Targets (issue #13):",
    ...verdicts,
  ].join("\n");
}

function ms(value: number): string {
  return `${value.toFixed(2)} ms`;
}

function us(value: number): string {
  return Number.isFinite(value) ? value.toFixed(0) : "-";
}
