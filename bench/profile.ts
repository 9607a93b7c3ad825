/**
 * `npm run bench:profile`: where the gateway's CPU per request goes, next to the baseline's (issue #13), from
 * V8's CPU profiler. On the bench stack (`.local/bench/`, as `npm run bench` builds it):
 *
 * - the gateway's handler served directly (`functions_server.ts --function tenant-data`, without the
 *   router), then the baseline (`baseline_server.ts`), one at a time, each under Deno's `--cpu-prof`;
 * - on each the same load (`load_client.ts`): `--concurrency` clients, `--jit-warmup` seconds unmeasured so
 *   V8 has compiled the hot code, then `--duration` seconds measured;
 * - each server stopped with SIGTERM, so Deno writes its profile: `<out>/gateway.cpuprofile` and
 *   `<out>/baseline.cpuprofile` (Chrome DevTools opens them too).
 *
 * Prints for each server the requests, req/s and CPU per request from `/proc` (server, PostgreSQL), then the
 * profile's samples in the measured window, per request (`_cpu_profile.ts`): non-idle, by function, by
 * nearest project frame, by project file, inclusive per project function; then both side by side. `--json`
 * prints the same as one JSON object.
 *
 * @module
 */
import { defineCommand, runMain } from "citty";
import { join, relative, resolve } from "node:path";
import Table from "cli-table3";
import { functionsEnv, spawnFunctionsServer } from "../scripts/stack/functions_process.ts";
import { PROJECT_ROOT, stackProfile } from "../scripts/stack/profile.ts";
import { loadAverage, positive, usage } from "./_cli.ts";
import { type CpuProfile, type ProfileSummary, summarizeProfile, type TimeRow } from "./_cpu_profile.ts";
import { BENCH_TENANT, type BenchStack, benchToken, prepareBenchStack, stopBenchStack } from "./_fixture.ts";
import { runLoadProcess, startBaseline, waitUntilUp } from "./_processes.ts";
import type { LoadResult } from "./load_client.ts";
import { supabaseJsHeaders, type Workload, WORKLOADS } from "./workloads.ts";

/** `npm run bench`'s defaults, so both use the same generated tenant. */
const ROWS = 100_000;
const SEED = 1;
/** Both servers listen here in turn, next to the ports of `npm run bench`'s extra servers. */
const PORT = stackProfile("bench").functionsPort + 5;
/**
 * The gateway's URLs; the baseline answers the same ones (it reads the query and takes any path ending in
 * `/health` for its health check).
 */
const BASE_URL = `http://127.0.0.1:${PORT}/functions/v1/tenant-data`;
/** cli-table3's borders without a rule between rows, so tables of many rows stay short. */
const TABLE_STYLE = {
  chars: { "mid": "", "left-mid": "", "mid-mid": "", "right-mid": "" },
  style: { head: [], border: [] },
};
/** Deno names a profile `CPU.<epoch ms at its start>.<pid>.cpuprofile`. */
const DENO_PROFILE_NAME = /^CPU\.(\d+)\.(\d+)\.cpuprofile$/;

interface Settings {
  workload: Workload;
  durationMs: number;
  jitWarmupMs: number;
  concurrency: number;
  top: number;
  outDir: string;
}

/** A server to profile: how to start it with more Deno flags. */
interface ProfiledServer {
  name: "gateway" | "baseline";
  description: string;
  start(bench: BenchStack, denoFlags: string[]): Deno.ChildProcess;
}

const SERVERS: readonly ProfiledServer[] = [
  {
    name: "gateway",
    description: "tenant-data served directly (functions_server.ts --function tenant-data)",
    start: (bench, denoFlags) =>
      spawnFunctionsServer({
        port: PORT,
        env: functionsEnv(bench.profile, bench.stack.secrets),
        logFile: join(bench.profile.logDir, "functions-profile.log"),
        function: "tenant-data",
        denoFlags,
      }),
  },
  {
    name: "baseline",
    description: "bench/baseline_server.ts",
    start: (bench, denoFlags) => startBaseline(bench, { port: PORT, denoFlags }),
  },
];

/** One server's load and profile. */
interface ServerRun {
  server: ProfiledServer;
  load: LoadResult;
  profilePath: string;
  /** When the profile began, in milliseconds since the epoch. */
  profileStartMs: number;
}

/** What is reported of one server. */
interface ServerReport {
  name: string;
  description: string;
  requests: number;
  requestsPerSecond: number;
  errors: number;
  firstError: string | null;
  /** From `/proc`, the measured window: every thread of the server; the postmaster and its backends. */
  cpuUsPerRequest: { server: number; postgres: number };
  profile: string;
  profileSeconds: number;
  /** Where the measured window lies in the profile, in seconds since its start (to find it in DevTools). */
  windowSeconds: { from: number; to: number };
  summary: ProfileSummary;
}

const command = defineCommand({
  meta: {
    name: "bench-profile",
    description: "Where the gateway's CPU per request goes, next to the baseline's (V8 CPU profiles)",
  },
  args: {
    workload: { type: "string", default: "by-id", description: "Workload: by-id or list" },
    duration: { type: "string", default: "15", description: "Measured seconds per server" },
    "jit-warmup": {
      type: "string",
      default: "12",
      description: "Unmeasured seconds of load on each server before its measured ones",
    },
    concurrency: { type: "string", default: "10", description: "Concurrent clients" },
    top: { type: "string", default: "25", description: "Rows per table" },
    out: {
      type: "string",
      description: "Folder for the .cpuprofile files (default .local/bench/profiles/<time>)",
    },
    json: { type: "boolean", description: "Print the results as one JSON object" },
    "keep-stack": { type: "boolean", description: "Leave the bench stack running afterwards" },
  },
  async run({ args }) {
    const workload = WORKLOADS.find((w) => w.name === args.workload) ??
      usage(`Unknown workload "${args.workload}": expected ${WORKLOADS.map((w) => w.name).join(", ")}`);
    const startedAt = new Date();
    const settings: Settings = {
      workload,
      durationMs: positive(args.duration, "--duration") * 1000,
      jitWarmupMs: Math.max(0, Number(args["jit-warmup"])) * 1000,
      concurrency: Math.round(positive(args.concurrency, "--concurrency")),
      top: Math.round(positive(args.top, "--top")),
      outDir: args.out === undefined ? defaultOutDir(startedAt) : resolve(args.out),
    };
    const log = (line: string) => console.error(line);
    const loadBefore = await loadAverage();
    await Deno.mkdir(settings.outDir, { recursive: true });
    const bench = await prepareBenchStack({ rows: ROWS, seed: SEED, log });
    const running = new Set<Deno.ChildProcess>();
    let cleaning: Promise<void> | undefined;
    const cleanUp = () =>
      cleaning ??= (async () => {
        for (const child of running) await stop(child);
        if (!args["keep-stack"]) await stopBenchStack(bench);
      })();
    // Ctrl-C stops what the benchmark started, too.
    const interrupted = () => void cleanUp().finally(() => Deno.exit(130));
    Deno.addSignalListener("SIGINT", interrupted);
    try {
      const token = await benchToken(bench, 3600 + 2 * (settings.jitWarmupMs + settings.durationMs) / 1000);
      const reports: ServerReport[] = [];
      for (const server of SERVERS) {
        const run = await profileServer(server, { bench, token, settings, running, log });
        reports.push(await report(run, settings));
      }
      const machine = {
        cpus: navigator.hardwareConcurrency,
        load_before: loadBefore,
        load_after: await loadAverage(),
      };
      console.log(
        args.json
          ? JSON.stringify(jsonReport(startedAt, machine, settings, reports), null, 2)
          : formatReport(reports, settings, machine),
      );
    } finally {
      Deno.removeSignalListener("SIGINT", interrupted);
      await cleanUp();
    }
  },
});

/** The machine's CPUs and load average (1, 5, 15 minutes) before and after. */
interface Machine {
  cpus: number;
  load_before: number[];
  load_after: number[];
}

interface RunContext {
  bench: BenchStack;
  token: string;
  settings: Settings;
  /** The servers started and not yet stopped, for Ctrl-C. */
  running: Set<Deno.ChildProcess>;
  log: (line: string) => void;
}

/** Starts the server under the profiler, loads it, stops it, and takes the profile it wrote. */
async function profileServer(server: ProfiledServer, context: RunContext): Promise<ServerRun> {
  const { bench, settings } = context;
  const child = server.start(bench, ["--cpu-prof", `--cpu-prof-dir=${settings.outDir}`]);
  context.running.add(child);
  let load: LoadResult;
  try {
    await waitUntilUp(`${BASE_URL}/health`);
    context.log(
      `profile: ${server.name}: ${settings.jitWarmupMs / 1000} s unmeasured, then ${
        settings.durationMs / 1000
      } s measured…`,
    );
    load = await runLoadProcess({
      urls: settings.workload.urls(BASE_URL, bench.contactIds),
      headers: supabaseJsHeaders({
        anonKey: bench.anonKey,
        accessToken: context.token,
        tenant: BENCH_TENANT.slug,
        accept: settings.workload.accept,
      }),
      concurrency: settings.concurrency,
      warmupMs: settings.jitWarmupMs,
      durationMs: settings.durationMs,
      cpuPids: { server: child.pid },
      cpuTrees: { postgres: bench.postmasterPid },
    });
  } finally {
    // Deno writes the profile as the server exits on SIGTERM.
    await stop(child);
    context.running.delete(child);
  }
  if (load.errors > 0) context.log(`profile: ${server.name}: ${load.errors} errors (${load.firstError})`);
  return { server, load, ...await takeProfile(settings.outDir, child.pid, server.name) };
}

async function stop(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch {
    // it has exited already
  }
  await child.status;
}

/** Renames the profile Deno wrote for `pid` to `<name>.cpuprofile`, and reads its start from Deno's name. */
async function takeProfile(
  dir: string,
  pid: number,
  name: string,
): Promise<{ profilePath: string; profileStartMs: number }> {
  for await (const entry of Deno.readDir(dir)) {
    const match = DENO_PROFILE_NAME.exec(entry.name);
    if (match && Number(match[2]) === pid) {
      const profilePath = join(dir, `${name}.cpuprofile`);
      await Deno.rename(join(dir, entry.name), profilePath);
      return { profilePath, profileStartMs: Number(match[1]) };
    }
  }
  throw new Error(`No CPU profile of pid ${pid} (CPU.<ms>.${pid}.cpuprofile) in ${dir}`);
}

/** The measured window's samples, per measured request. */
async function report(run: ServerRun, settings: Settings): Promise<ServerReport> {
  const { load, server } = run;
  if (load.requests === 0) throw new Error(`${server.name}: no request completed in the measured window`);
  const profile = JSON.parse(await Deno.readTextFile(run.profilePath)) as CpuProfile;
  const profileUs = profile.endTime - profile.startTime;
  // The load's clock and Deno's name for the profile are both wall-clock milliseconds.
  const fromUs = (load.windowStartMs - run.profileStartMs) * 1000;
  const window = { fromUs, toUs: fromUs + load.elapsedMs * 1000 };
  if (window.fromUs < 0 || window.toUs > profileUs) {
    throw new Error(
      `${server.name}: the measured window (${window.fromUs / 1e6}–${window.toUs / 1e6} s) is not inside ` +
        `the profile (0–${profileUs / 1e6} s)`,
    );
  }
  const perRequest = (ms: number | undefined) => ((ms ?? NaN) * 1000) / load.requests;
  return {
    name: server.name,
    description: server.description,
    requests: load.requests,
    requestsPerSecond: load.requests / (load.elapsedMs / 1000),
    errors: load.errors,
    firstError: load.firstError,
    cpuUsPerRequest: { server: perRequest(load.cpuMs.server), postgres: perRequest(load.cpuMs.postgres) },
    profile: relative(PROJECT_ROOT, run.profilePath),
    profileSeconds: profileUs / 1e6,
    windowSeconds: { from: window.fromUs / 1e6, to: window.toUs / 1e6 },
    summary: summarizeProfile(profile, load.requests, { window, top: settings.top }),
  };
}

function jsonReport(
  startedAt: Date,
  machine: Machine,
  settings: Settings,
  servers: readonly ServerReport[],
): Record<string, unknown> {
  return {
    started_at: startedAt.toISOString(),
    machine,
    settings: {
      workload: settings.workload.name,
      duration_s: settings.durationMs / 1000,
      jit_warmup_s: settings.jitWarmupMs / 1000,
      concurrency: settings.concurrency,
      rows: ROWS,
      out: relative(PROJECT_ROOT, settings.outDir),
    },
    servers,
  };
}

function defaultOutDir(startedAt: Date): string {
  const stamp = startedAt.toISOString().replace(/\.\d+Z$/, "Z").replaceAll(":", "-");
  return join(stackProfile("bench").dataDir, "profiles", stamp);
}

/** What was run, each server's tables, then both side by side. */
function formatReport(reports: readonly ServerReport[], settings: Settings, machine: Machine): string {
  const heading =
    `\nCPU profiles, ${settings.workload.name} at ${settings.concurrency} clients: each server ` +
    `alone, ${settings.jitWarmupMs / 1000} s of load unmeasured, then ${settings.durationMs / 1000} s ` +
    `measured; ${machine.cpus} CPUs, load average ${machine.load_before.join(" ")} before, ` +
    `${machine.load_after.join(" ")} after.`;
  return [
    heading,
    ...reports.map((report) => formatServer(report, settings.top)),
    formatSideBySide(reports),
  ].join("\n\n");
}

function formatServer(report: ServerReport, top: number): string {
  const { summary } = report;
  const title = (what: string) => `${report.name}, ${what}; µs per request, the first ${top} rows:`;
  return [
    `${report.name}: ${report.description}`,
    `  ${report.requests} requests measured, ${
      report.requestsPerSecond.toFixed(0)
    } req/s, ${report.errors} errors${
      report.firstError ? ` (${report.firstError})` : ""
    }; CPU per request (/proc): server ${us(report.cpuUsPerRequest.server)} µs, PostgreSQL ${
      us(report.cpuUsPerRequest.postgres)
    } µs`,
    `  ${report.profile}: ${summary.samples} samples in the measured window, ${
      report.windowSeconds.from.toFixed(1)
    }–${report.windowSeconds.to.toFixed(1)} s of the ${report.profileSeconds.toFixed(1)} s profiled`,
    `  non-idle ${us(summary.nonIdleUsPerRequest)} µs per request: garbage collector ${
      us(summary.garbageCollectorUsPerRequest)
    }, (program) ${us(summary.programUsPerRequest)}, under a project frame ${
      us(summary.projectUsPerRequest)
    }`,
    "",
    title("self time by function"),
    table("function", summary.byFunction),
    "",
    title("by nearest project frame (a package's or Deno's work charged to the project code that led to it)"),
    table("nearest project frame", summary.byProjectFrame),
    "",
    title("by project file (of the nearest project frame)"),
    table("project file", summary.byProjectFile),
    "",
    title("inclusive, per project function (every sample with it on the stack)"),
    table("project function", summary.inclusive),
  ].join("\n");
}

function table(what: string, rows: readonly TimeRow[]): string {
  const result = new Table({
    head: ["µs/req", "share", what],
    colAligns: ["right", "right", "left"],
    ...TABLE_STYLE,
  });
  for (const row of rows) result.push([row.usPerRequest.toFixed(1), percent(row.share), row.label]);
  return result.toString();
}

function formatSideBySide(reports: readonly ServerReport[]): string {
  const [gateway, baseline] = reports;
  if (!gateway || !baseline) return "";
  const result = new Table({
    head: ["µs per request", gateway.name, baseline.name, "difference"],
    colAligns: ["left", "right", "right", "right"],
    ...TABLE_STYLE,
  });
  const row = (label: string, pick: (report: ServerReport) => number) => {
    const [a, b] = [pick(gateway), pick(baseline)];
    result.push([label, us(a), us(b), `${a - b >= 0 ? "+" : ""}${us(a - b)}`]);
  };
  row("profile: non-idle", (r) => r.summary.nonIdleUsPerRequest);
  row("profile: garbage collector", (r) => r.summary.garbageCollectorUsPerRequest);
  row("profile: (program)", (r) => r.summary.programUsPerRequest);
  row("profile: under a project frame", (r) => r.summary.projectUsPerRequest);
  row("/proc: server, every thread", (r) => r.cpuUsPerRequest.server);
  row("/proc: PostgreSQL", (r) => r.cpuUsPerRequest.postgres);
  return [`Side by side, the measured window:`, result.toString()].join("\n");
}

function us(value: number): string {
  return Number.isFinite(value) ? value.toFixed(1) : "-";
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

await runMain(command);
