/**
 * The benchmark's cold paths, on functions servers it starts for the purpose (the router, as users run
 * it): how long a new server takes to answer `/health`, its first data request right after that, and the
 * first request of a tenant whose data source the server has not used yet (acme, on `tenant_acme`), each
 * next to warm requests of the same kind on the same server. The servers open the busiest data sources
 * ahead (the default); each run also starts one with `TENANT_DATA_OPEN_AHEAD=0`, so the first connection's
 * own cost stays a number too.
 *
 * @module
 */
import { join } from "node:path";
import { answersOk, functionsEnv, spawnFunctionsServer } from "../scripts/stack/functions_process.ts";
import { accessToken, BENCH_TENANT, type BenchStack, benchToken, withSql } from "./_fixture.ts";
import { percentile } from "./_stats.ts";
import { supabaseJsHeaders } from "./workloads.ts";

/** acme's owner in the demo seed, on the dedicated data source `tenant_acme`. */
const ACME_OWNER = { id: "b0000000-0000-4000-8000-000000000001", email: "alice@acme.test" } as const;
const WARM_REQUESTS = 9;

/** The cold-path figures: medians over the runs, in milliseconds. */
export interface ColdStartResult {
  runs: number;
  /** Process start until `/health` answers. */
  startupMs: number;
  /** The first GET by id (bench tenant, default data source) right after `/health` answered. */
  firstRequestMs: number;
  /** Its `Server-Timing` in the median run. */
  firstRequestServerTiming: string | null;
  /** The same request once warm. */
  warmRequestMs: number;
  /** The first GET by id of a tenant on a data source the server had not used (acme on tenant_acme). */
  coldDataSourceMs: number;
  coldDataSourceServerTiming: string | null;
  /** The same request once warm. */
  warmDataSourceMs: number;
  /** coldDataSourceMs − warmDataSourceMs. */
  coldDataSourceAddedMs: number;
  /** The same cold request on servers that open no data source ahead: the first connection's cost. */
  notOpenedAhead: { coldDataSourceMs: number; coldDataSourceAddedMs: number; serverTiming: string | null };
}

type Run = Omit<ColdStartResult, "runs" | "notOpenedAhead">;

/** Options of {@linkcode measureColdStart}. */
export interface ColdStartOptions {
  /** Where the servers listen, one at a time. */
  port: number;
  runs: number;
  log: (line: string) => void;
}

/** Starts `runs` fresh functions servers one after the other and times their cold paths. */
export async function measureColdStart(
  bench: BenchStack,
  options: ColdStartOptions,
): Promise<ColdStartResult> {
  const benchHeaders = supabaseJsHeaders({
    anonKey: bench.anonKey,
    accessToken: await benchToken(bench, 3600),
    tenant: BENCH_TENANT.slug,
    accept: "application/vnd.pgrst.object+json",
  });
  const acmeHeaders = supabaseJsHeaders({
    anonKey: bench.anonKey,
    accessToken: await accessToken(bench, ACME_OWNER, 3600),
    tenant: "acme",
    accept: "application/vnd.pgrst.object+json",
  });
  const acmeUrl = bench.tenantDbUrl.replace(/\/[^/]+$/, "/tenant_acme");
  const [acmeContact] = await withSql(
    acmeUrl,
    (sql) => sql<{ id: string }[]>`select id from public.contacts limit 1`,
  );
  if (!acmeContact) throw new Error("tenant_acme has no contact: the demo seed is missing");
  const base = `http://127.0.0.1:${options.port}/functions/v1/tenant-data/rest/v1/contacts?select=*&id=eq.`;
  const benchUrl = `${base}${bench.contactIds[0]}`;
  const acmeRequestUrl = `${base}${acmeContact.id}`;

  const measure = async (run: number, env: Record<string, string>): Promise<Run> => {
    const client = Deno.createHttpClient({ http1: true, http2: false });
    const started = performance.now();
    const server = spawnFunctionsServer({
      port: options.port,
      env: { ...functionsEnv(bench.profile, bench.stack.secrets), ...env },
      logFile: join(bench.profile.logDir, "functions-cold-start.log"),
    });
    try {
      await waitForHealth(`http://127.0.0.1:${options.port}/functions/v1/tenant-data/health`, client);
      const startupMs = performance.now() - started;
      const first = await timed(benchUrl, benchHeaders, client);
      const warm = await repeated(benchUrl, benchHeaders, client);
      const cold = await timed(acmeRequestUrl, acmeHeaders, client);
      const warmAcme = await repeated(acmeRequestUrl, acmeHeaders, client);
      const result = {
        startupMs,
        firstRequestMs: first.ms,
        firstRequestServerTiming: first.serverTiming,
        warmRequestMs: warm,
        coldDataSourceMs: cold.ms,
        coldDataSourceServerTiming: cold.serverTiming,
        warmDataSourceMs: warmAcme,
        coldDataSourceAddedMs: cold.ms - warmAcme,
      };
      options.log(
        `bench: cold start ${run}/${options.runs}${
          env.TENANT_DATA_OPEN_AHEAD === "0" ? " (nothing opened ahead)" : ""
        }: /health after ${startupMs.toFixed(0)} ms, first request ${first.ms.toFixed(1)} ms (warm ${
          warm.toFixed(2)
        } ms), first on an unused data source ${cold.ms.toFixed(1)} ms (warm ${warmAcme.toFixed(2)} ms)`,
      );
      return result;
    } finally {
      client.close();
      server.kill("SIGTERM");
      await server.status;
    }
  };
  const runs: Run[] = [];
  const bare: Run[] = [];
  for (let run = 1; run <= options.runs; run++) {
    runs.push(await measure(run, {}));
    bare.push(await measure(run, { TENANT_DATA_OPEN_AHEAD: "0" }));
  }
  const median = (pick: (run: Run) => number, of = runs) =>
    percentile(of.map(pick).sort((a, b) => a - b), 50);
  const middle = [...runs].sort((a, b) => a.firstRequestMs - b.firstRequestMs)[Math.floor(runs.length / 2)];
  const middleCold = (of: Run[]) =>
    [...of].sort((a, b) => a.coldDataSourceMs - b.coldDataSourceMs)[Math.floor(of.length / 2)];
  return {
    runs: runs.length,
    startupMs: median((run) => run.startupMs),
    firstRequestMs: median((run) => run.firstRequestMs),
    firstRequestServerTiming: middle?.firstRequestServerTiming ?? null,
    warmRequestMs: median((run) => run.warmRequestMs),
    coldDataSourceMs: median((run) => run.coldDataSourceMs),
    coldDataSourceServerTiming: middleCold(runs)?.coldDataSourceServerTiming ?? null,
    warmDataSourceMs: median((run) => run.warmDataSourceMs),
    coldDataSourceAddedMs: median((run) => run.coldDataSourceAddedMs),
    notOpenedAhead: {
      coldDataSourceMs: median((run) => run.coldDataSourceMs, bare),
      coldDataSourceAddedMs: median((run) => run.coldDataSourceAddedMs, bare),
      serverTiming: middleCold(bare)?.coldDataSourceServerTiming ?? null,
    },
  };
}

async function timed(
  url: string,
  headers: Record<string, string>,
  client: Deno.HttpClient,
): Promise<{ ms: number; serverTiming: string | null }> {
  const started = performance.now();
  const response = await fetch(url, { headers, client });
  const body = await response.text();
  const ms = performance.now() - started;
  if (response.status !== 200) throw new Error(`Cold start: ${response.status} ${body.slice(0, 200)}`);
  return { ms, serverTiming: response.headers.get("server-timing") };
}

/** The median of {@linkcode WARM_REQUESTS} requests in a row. */
async function repeated(
  url: string,
  headers: Record<string, string>,
  client: Deno.HttpClient,
): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < WARM_REQUESTS; i++) samples.push((await timed(url, headers, client)).ms);
  return percentile(samples.sort((a, b) => a - b), 50);
}

async function waitForHealth(url: string, client: Deno.HttpClient): Promise<void> {
  // Every 5 ms: the time until the server answers is what is measured.
  if (!(await answersOk(url, { timeoutMs: 60_000, intervalMs: 5, client }))) {
    throw new Error(`${url} did not answer`);
  }
}
