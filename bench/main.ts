/**
 * `npm run bench`: the tenant-data gateway against a minimal baseline, in the same run, on an isolated
 * stack (its own ports and `.local/bench/`, stopped at the end).
 *
 * - The gateway: the real functions server over HTTP (`/functions/v1/tenant-data/rest/v1/…`), requests
 *   exactly as supabase-js sends them, a tenant of `--rows` generated rows on the shared data source; and
 *   the same handler served directly by a second functions server without its router (`--function`), so
 *   the router's share is a number.
 * - The baseline (`baseline_server.ts`): a Deno server that verifies nothing and sends the same RLS
 *   transaction straight to Postgres with postgres.js, same pool size.
 * - The load (`load_client.ts`): its own process, `--concurrency` workers with keep-alive `fetch`;
 *   router, direct and baseline alternate (A B C A B C …, `--rounds` each) so drift hits them alike.
 * - The cold paths (`_cold_start.ts`): fresh functions servers, their first request and the first request
 *   on a data source they have not used.
 *
 * Prints throughput, p50/p99, the ratios and the latency added, the gateway's `Server-Timing` averages,
 * CPU per request, the cold-path figures and whether the targets of issue #13 are met; `--json` prints the
 * same as JSON. Exits 0 whatever the figures: a benchmark reports, it does not assert.
 *
 * @module
 */
import { defineCommand, runMain } from "citty";
import { loadAverage, positive, usage } from "./_cli.ts";
import { join } from "node:path";
import { stackProfile } from "../scripts/stack/profile.ts";
import { BENCH_TENANT, type BenchStack, benchToken, prepareBenchStack, stopBenchStack } from "./_fixture.ts";
import { measureColdStart } from "./_cold_start.ts";
import {
  type CellResult,
  checkTargets,
  compare,
  formatReport,
  type SideResult,
  summarise as summariseCells,
} from "./_report.ts";
import { functionsEnv, spawnFunctionsServer } from "../scripts/stack/functions_process.ts";
import { percentile, ServerTimingTotals } from "./_stats.ts";
import type { LoadResult } from "./load_client.ts";
import { runLoadProcess, startBaseline, waitUntilUp } from "./_processes.ts";
import { supabaseJsHeaders, type Workload, WORKLOADS } from "./workloads.ts";

/** The baseline server listens next to the bench stack's functions server (shifted like every port). */
const BASELINE_PORT = stackProfile("bench").functionsPort + 2;
/** The gateway's handler served without the router; then the fresh servers of the cold-path figures. */
const DIRECT_PORT = stackProfile("bench").functionsPort + 3;
const COLD_START_PORT = stackProfile("bench").functionsPort + 4;

interface Settings {
  durationMs: number;
  warmupMs: number;
  jitWarmupMs: number;
  concurrency: number[];
  rounds: number;
  workloads: Workload[];
}

const command = defineCommand({
  meta: { name: "bench", description: "Benchmark the tenant-data gateway against a minimal baseline" },
  args: {
    duration: { type: "string", default: "10", description: "Measured seconds per run" },
    warmup: { type: "string", default: "2", description: "Unmeasured seconds before each run" },
    "jit-warmup": {
      type: "string",
      default: "12",
      description: "Unmeasured seconds of load on each server before the first run",
    },
    concurrency: { type: "string", default: "10,1", description: "Concurrent clients, comma-separated" },
    rounds: { type: "string", default: "2", description: "Runs per server and cell, alternating (ABAB)" },
    workload: { type: "string", default: "by-id,list", description: "Workloads: by-id, list" },
    rows: { type: "string", default: "100000", description: "Rows of the generated bench tenant" },
    seed: { type: "string", default: "1", description: "Seed of the generated bench tenant" },
    json: { type: "boolean", description: "Print the results as one JSON object" },
    "keep-stack": { type: "boolean", description: "Leave the bench stack running afterwards" },
    "cold-starts": {
      type: "string",
      default: "3",
      description: "Fresh servers for the cold-path figures (0: none)",
    },
  },
  async run({ args }) {
    const settings: Settings = {
      durationMs: positive(args.duration, "--duration") * 1000,
      warmupMs: Math.max(0, Number(args.warmup)) * 1000,
      jitWarmupMs: Math.max(0, Number(args["jit-warmup"])) * 1000,
      concurrency: args.concurrency.split(",").map((c) => Math.round(positive(c, "--concurrency"))),
      rounds: Math.round(positive(args.rounds, "--rounds")),
      workloads: args.workload.split(",").map((name) => {
        const workload = WORKLOADS.find((w) => w.name === name.trim());
        if (!workload) {
          usage(`Unknown workload "${name}": expected ${WORKLOADS.map((w) => w.name).join(", ")}`);
        }
        return workload;
      }),
    };
    const log = (line: string) => console.error(line);
    const startedAt = new Date();
    const loadBefore = await loadAverage();
    const bench = await prepareBenchStack({
      rows: Math.round(positive(args.rows, "--rows")),
      seed: Number(args.seed),
      log,
    });
    const baseline = startBaseline(bench, { port: BASELINE_PORT });
    const direct = spawnFunctionsServer({
      port: DIRECT_PORT,
      env: functionsEnv(bench.profile, bench.stack.secrets),
      logFile: join(bench.profile.logDir, "functions-direct.log"),
      function: "tenant-data",
    });
    let cleaning: Promise<void> | undefined;
    const cleanUp = () =>
      cleaning ??= (async () => {
        for (const child of [baseline, direct]) {
          try {
            child.kill("SIGTERM");
          } catch {
            // it has exited already
          }
          await child.status;
        }
        if (!args["keep-stack"]) await stopBenchStack(bench);
      })();
    // Ctrl-C stops what the benchmark started, too.
    const interrupted = () => void cleanUp().finally(() => Deno.exit(130));
    Deno.addSignalListener("SIGINT", interrupted);
    try {
      await waitUntilUp(`http://127.0.0.1:${BASELINE_PORT}/health`);
      await waitUntilUp(`http://127.0.0.1:${DIRECT_PORT}/functions/v1/tenant-data/health`);
      const token = await benchToken(bench, 3600 + (settings.durationMs / 1000 + 60) * 20);
      await checkSameBodies(bench, token, settings.workloads, log);
      await warmUp({ bench, baselinePid: baseline.pid, directPid: direct.pid, token, settings, log });
      const cells: CellResult[] = [];
      for (const workload of settings.workloads) {
        for (const concurrency of settings.concurrency) {
          cells.push(
            await runCell({
              bench,
              baselinePid: baseline.pid,
              directPid: direct.pid,
              token,
              workload,
              concurrency,
              settings,
              log,
            }),
          );
        }
      }
      const coldStarts = Math.max(0, Math.round(Number(args["cold-starts"]) || 0));
      const coldStart = coldStarts === 0
        ? null
        : await measureColdStart(bench, { port: COLD_START_PORT, runs: coldStarts, log });
      const loadAfter = await loadAverage();
      const report = {
        started_at: startedAt.toISOString(),
        machine: { cpus: navigator.hardwareConcurrency, load_before: loadBefore, load_after: loadAfter },
        settings: {
          duration_s: settings.durationMs / 1000,
          warmup_s: settings.warmupMs / 1000,
          jit_warmup_s: settings.jitWarmupMs / 1000,
          rounds: settings.rounds,
          rows: Number(args.rows),
          tenant: BENCH_TENANT.slug,
        },
        summary: summariseCells(cells),
        cold_start: coldStart,
        targets: checkTargets(cells, coldStart),
        cells,
      };
      if (args.json) {
        console.log(JSON.stringify(report, null, 2));
      } else {
        console.log(
          `\nGateway vs. baseline: ${settings.durationMs / 1000} s measured after ${
            settings.warmupMs / 1000
          } s warm-up, ${settings.rounds} alternating runs each; tenant of ${args.rows} rows; ${navigator.hardwareConcurrency} CPUs, load average ${
            loadBefore.join(" ")
          } before, ${loadAfter.join(" ")} after.\n`,
        );
        console.log(formatReport(cells, coldStart));
      }
    } finally {
      Deno.removeSignalListener("SIGINT", interrupted);
      await cleanUp();
    }
  },
});

interface RunOptions {
  bench: BenchStack;
  baselinePid: number;
  directPid: number;
  token: string;
  settings: Settings;
  log: (line: string) => void;
}

interface CellOptions extends RunOptions {
  workload: Workload;
  concurrency: number;
}

/** The servers compared: the gateway through the router, its handler served directly, the baseline. */
function servers(
  options: RunOptions,
): Record<"gateway" | "direct" | "baseline", { base: string; pid: number }> {
  return {
    gateway: { base: `${options.bench.functionsUrl}/tenant-data`, pid: options.bench.functionsPid },
    direct: { base: `http://127.0.0.1:${DIRECT_PORT}/functions/v1/tenant-data`, pid: options.directPid },
    baseline: {
      base: `http://127.0.0.1:${BASELINE_PORT}/functions/v1/tenant-data`,
      pid: options.baselinePid,
    },
  };
}

function workloadHeaders(options: RunOptions, workload: Workload): Record<string, string> {
  return supabaseJsHeaders({
    anonKey: options.bench.anonKey,
    accessToken: options.token,
    tenant: BENCH_TENANT.slug,
    accept: workload.accept,
  });
}

/**
 * V8 compiles a server's hot code while it runs, over seconds of load, and the gateway has far more code
 * than the baseline: without an equal unmeasured load on every server first, whichever runs first would
 * pay its compilation inside measured runs. What a fresh server costs is the cold-path figures' business.
 */
async function warmUp(options: RunOptions): Promise<void> {
  const { settings } = options;
  if (settings.jitWarmupMs === 0) return;
  const concurrency = Math.max(...settings.concurrency);
  for (const [name, server] of Object.entries(servers(options))) {
    for (const workload of settings.workloads) {
      await runLoadProcess({
        urls: workload.urls(server.base, options.bench.contactIds),
        headers: workloadHeaders(options, workload),
        concurrency,
        warmupMs: 0,
        durationMs: settings.jitWarmupMs / settings.workloads.length,
      });
    }
    options.log(`bench: ${name} warmed up (${settings.jitWarmupMs / 1000} s of load)`);
  }
}

/** One workload at one concurrency: router, direct and baseline in turn, `rounds` runs each. */
async function runCell(options: CellOptions): Promise<CellResult> {
  const { bench, workload, concurrency, settings } = options;
  const headers = workloadHeaders(options, workload);
  const sides = Object.fromEntries(
    Object.entries(servers(options)).map(([name, server]) => [name, { ...server, runs: [] as LoadResult[] }]),
  ) as Record<"gateway" | "direct" | "baseline", { base: string; pid: number; runs: LoadResult[] }>;
  for (let round = 1; round <= settings.rounds; round++) {
    for (const [name, side] of Object.entries(sides)) {
      const result = await runLoadProcess({
        urls: workload.urls(side.base, bench.contactIds),
        headers,
        concurrency,
        warmupMs: settings.warmupMs,
        durationMs: settings.durationMs,
        cpuPids: { server: side.pid },
        cpuTrees: { postgres: bench.postmasterPid },
      });
      side.runs.push(result);
      options.log(
        `bench: ${workload.name} × ${concurrency} round ${round} ${name}: ${
          (result.requests / (result.elapsedMs / 1000)).toFixed(0)
        } req/s, p50 ${percentile(result.latenciesMs, 50).toFixed(2)} ms${
          result.errors ? `, ${result.errors} errors (${result.firstError})` : ""
        }`,
      );
    }
  }
  const gateway = summarise(sides.gateway.runs);
  const direct = summarise(sides.direct.runs);
  const baseline = summarise(sides.baseline.runs);
  return {
    workload: workload.name,
    concurrency,
    rounds: settings.rounds,
    gateway,
    direct,
    baseline,
    ...compare(gateway, baseline),
    directComparison: compare(direct, baseline),
  };
}

function summarise(runs: readonly LoadResult[]): SideResult {
  const latencies = runs.flatMap((run) => run.latenciesMs).sort((a, b) => a - b);
  const requests = runs.reduce((sum, run) => sum + run.requests, 0);
  const seconds = runs.reduce((sum, run) => sum + run.elapsedMs, 0) / 1000;
  const timing = new ServerTimingTotals();
  for (const run of runs) timing.merge(run.serverTiming);
  const cpu = (name: string) =>
    (runs.reduce((sum, run) => sum + (run.cpuMs[name] ?? 0), 0) * 1000) / Math.max(1, requests);
  return {
    requests,
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    firstError: runs.find((run) => run.firstError)?.firstError ?? null,
    requestsPerSecond: requests / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    meanMs: latencies.reduce((sum, ms) => sum + ms, 0) / Math.max(1, latencies.length),
    responseBytes: runs.at(-1)?.responseBytes ?? 0,
    cpuUsPerRequest: { server: cpu("server"), postgres: cpu("postgres"), client: cpu("client") },
    serverTimingMs: timing.averages(),
  };
}

/** Both servers must answer each workload with the same body: otherwise the comparison means nothing. */
async function checkSameBodies(
  bench: BenchStack,
  token: string,
  workloads: readonly Workload[],
  log: (line: string) => void,
): Promise<void> {
  for (const workload of workloads) {
    const headers = supabaseJsHeaders({
      anonKey: bench.anonKey,
      accessToken: token,
      tenant: BENCH_TENANT.slug,
      accept: workload.accept,
    });
    const [gateway, direct, baseline] = await Promise.all(
      [
        `${bench.functionsUrl}/tenant-data`,
        `http://127.0.0.1:${DIRECT_PORT}/functions/v1/tenant-data`,
        `http://127.0.0.1:${BASELINE_PORT}/functions/v1/tenant-data`,
      ].map(
        async (base) => {
          const response = await fetch(workload.urls(base, bench.contactIds)[0] as string, { headers });
          return { status: response.status, body: await response.text() };
        },
      ),
    );
    if (
      gateway?.status !== 200 || baseline?.status !== 200 || gateway.body !== baseline.body ||
      direct?.status !== 200 || direct.body !== baseline.body
    ) {
      throw new Error(
        `The gateway and the baseline disagree on ${workload.name}: ${gateway?.status} ${
          gateway?.body.slice(0, 200)
        } vs ${baseline?.status} ${baseline?.body.slice(0, 200)}`,
      );
    }
    log(
      `bench: ${workload.name}: gateway (both ways) and baseline send the same body (${gateway.body.length} bytes)`,
    );
  }
}

await runMain(command);
