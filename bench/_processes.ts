/**
 * The processes a gateway benchmark starts beside its stack: the baseline server, the load generator (its
 * own process, so it never competes with a server for an event loop), and waiting until a server answers.
 *
 * @module
 */
import { join } from "node:path";
import { PROJECT_ROOT } from "../scripts/stack/profile.ts";
import { answersOk, FUNCTION_MEMORY_LIMIT_MIB } from "../scripts/stack/functions_process.ts";
import type { BenchStack } from "./_fixture.ts";
import type { LoadConfig, LoadResult } from "./load_client.ts";

/** Options of {@linkcode startBaseline}. */
export interface BaselineProcessOptions {
  port: number;
  /** More flags for Deno, before the script (`--cpu-prof`, say). */
  denoFlags?: string[];
}

/** Starts the baseline server (`baseline_server.ts`) on the bench tenant's database, as its own process. */
export function startBaseline(bench: BenchStack, options: BaselineProcessOptions): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      "--quiet",
      // The functions server's heap limit, so both servers' garbage collectors work alike.
      `--v8-flags=--max-heap-size=${FUNCTION_MEMORY_LIMIT_MIB}`,
      ...(options.denoFlags ?? []),
      join(PROJECT_ROOT, "bench", "baseline_server.ts"),
      "--port",
      String(options.port),
      "--pool-max",
      String(bench.poolMax),
    ],
    cwd: PROJECT_ROOT,
    env: { BENCH_DB_URL: bench.tenantDbUrl, BENCH_CLAIMS: JSON.stringify(bench.claims), NO_COLOR: "1" },
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
}

/** Runs the load generator (`load_client.ts`) in its own process and returns what it measured. */
export function runLoadProcess(config: LoadConfig): Promise<LoadResult> {
  return exchangeLoad<LoadResult>(spawnLoadClient("load_client.ts"), config);
}

/**
 * Starts a load generator of `bench/` in its own process, so it never competes with a server for an event
 * loop.
 */
export function spawnLoadClient(script: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", join(PROJECT_ROOT, "bench", script)],
    cwd: PROJECT_ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
}

/** Hands a load generator its config (JSON on its standard input) and waits for its result (on its output). */
export async function exchangeLoad<Result>(child: Deno.ChildProcess, config: unknown): Promise<Result> {
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(config)));
  await writer.close();
  const { code, stdout } = await child.output();
  if (code !== 0) throw new Error(`The load generator exited with ${code}`);
  return JSON.parse(new TextDecoder().decode(stdout)) as Result;
}

/** Waits until `url` answers 200, for at most 30 s. */
export async function waitUntilUp(url: string): Promise<void> {
  if (!(await answersOk(url, { timeoutMs: 30_000, intervalMs: 100 }))) {
    throw new Error(`${url} did not answer`);
  }
}
