/**
 * The benchmark's report: one result per workload and concurrency, the table people read, and whether the
 * targets of issue #5 are met (gateway ≥ 0.8× the baseline's throughput and ≤ 1 ms added at p50, with 10
 * clients).
 *
 * @module
 */
import Table from "cli-table3";

/** The targets, checked at {@linkcode TARGET_CONCURRENCY} clients. */
export const TARGETS = { minRatio: 0.8, maxAddedP50Ms: 1 } as const;
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

/** One workload at one concurrency. */
export interface CellResult {
  workload: string;
  concurrency: number;
  rounds: number;
  gateway: SideResult;
  baseline: SideResult;
  /** gateway req/s ÷ baseline req/s. */
  ratio: number;
  /** gateway p50 − baseline p50, in milliseconds. */
  addedP50Ms: number;
  addedP99Ms: number;
}

/** A verdict on one target for one workload. */
export interface TargetCheck {
  workload: string;
  target: "ratio" | "added_p50";
  value: number;
  limit: number;
  met: boolean;
}

/** The targets, judged on the cells run at {@linkcode TARGET_CONCURRENCY} clients. */
export function checkTargets(cells: readonly CellResult[]): TargetCheck[] {
  return cells.filter((cell) => cell.concurrency === TARGET_CONCURRENCY).flatMap((cell) => [
    {
      workload: cell.workload,
      target: "ratio" as const,
      value: cell.ratio,
      limit: TARGETS.minRatio,
      met: cell.ratio >= TARGETS.minRatio,
    },
    {
      workload: cell.workload,
      target: "added_p50" as const,
      value: cell.addedP50Ms,
      limit: TARGETS.maxAddedP50Ms,
      met: cell.addedP50Ms <= TARGETS.maxAddedP50Ms,
    },
  ]);
}

const STAGES = ["auth", "tenant", "parse", "catalog", "plan", "sql", "execute"];

/** The tables and verdicts as text. */
export function formatReport(cells: readonly CellResult[]): string {
  const style = { head: [], border: [] };
  const main = new Table({
    head: [
      "workload",
      "clients",
      "req/s gateway",
      "req/s baseline",
      "ratio",
      "p50 gw / base",
      "p99 gw / base",
      "added p50",
      "added p99",
      "errors",
    ],
    style,
  });
  for (const cell of cells) {
    main.push([
      cell.workload,
      String(cell.concurrency),
      cell.gateway.requestsPerSecond.toFixed(0),
      cell.baseline.requestsPerSecond.toFixed(0),
      cell.ratio.toFixed(2),
      `${ms(cell.gateway.p50Ms)} / ${ms(cell.baseline.p50Ms)}`,
      `${ms(cell.gateway.p99Ms)} / ${ms(cell.baseline.p99Ms)}`,
      ms(cell.addedP50Ms),
      ms(cell.addedP99Ms),
      `${cell.gateway.errors} / ${cell.baseline.errors}`,
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
      "gateway server",
      "baseline server",
      "postgres gw / base",
      "client gw / base",
    ],
    style,
  });
  for (const cell of cells) {
    const [g, b] = [cell.gateway.cpuUsPerRequest, cell.baseline.cpuUsPerRequest];
    cpu.push([
      cell.workload,
      String(cell.concurrency),
      us(g.server),
      us(b.server),
      `${us(g.postgres)} / ${us(b.postgres)}`,
      `${us(g.client)} / ${us(b.client)}`,
    ]);
  }

  const verdicts = checkTargets(cells).map((check) =>
    check.target === "ratio"
      ? `  ${check.workload}: throughput ratio ${check.value.toFixed(2)} (target ≥ ${check.limit}) ${
        check.met ? "MET" : "NOT MET"
      }`
      : `  ${check.workload}: added p50 ${ms(check.value)} (target ≤ ${check.limit} ms) ${
        check.met ? "MET" : "NOT MET"
      }`
  );
  return [
    "Throughput and latency (gateway through the functions server vs. the baseline server):",
    main.toString(),
    "",
    "Gateway Server-Timing, average ms per request (client mean − sum = HTTP, routing, response building):",
    timing.toString(),
    "",
    "CPU per request, µs (2-core machine: total CPU per request bounds throughput):",
    cpu.toString(),
    "",
    `Targets at ${TARGET_CONCURRENCY} clients:`,
    ...(verdicts.length ? verdicts : [`  not measured (no run with ${TARGET_CONCURRENCY} clients)`]),
  ].join("\n");
}

function ms(value: number): string {
  return `${value.toFixed(2)} ms`;
}

function us(value: number): string {
  return Number.isFinite(value) ? value.toFixed(0) : "-";
}
