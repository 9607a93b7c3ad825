/**
 * The background process serving the functions (`functions_server.ts`): started detached with its output
 * in the profile's log folder, tracked by a pid file, stopped with SIGTERM.
 *
 * @module
 */
import { join } from "node:path";
import { apiUrl, APP_DATABASE, databaseUrl, PROJECT_ROOT, type StackProfile } from "./profile.ts";
import { exists } from "./process.ts";
import type { StackSecrets } from "./secrets.ts";

/** The environment Supabase gives functions, plus the project's secrets. */
export function functionsEnv(profile: StackProfile, secrets: StackSecrets): Record<string, string> {
  return {
    SUPABASE_URL: apiUrl(profile),
    SUPABASE_ANON_KEY: secrets.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: secrets.serviceRoleKey,
    SUPABASE_DB_URL: databaseUrl(profile, APP_DATABASE),
    SUPABASE_JWT_SECRET: secrets.jwtSecret,
    ...secrets.encryption,
  };
}

/** The pid of the running functions server, if there is one. */
export async function functionsPid(profile: StackProfile): Promise<number | undefined> {
  if (!(await exists(profile.functionsPidFile))) return undefined;
  const pid = Number((await Deno.readTextFile(profile.functionsPidFile)).trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return isAlive(pid) ? pid : undefined;
}

/** True when the process exists and has not exited (an exited child not yet reaped is a zombie). */
function isAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/**
 * Starts the functions server in the background unless it runs, then waits until it answers; `env` adds
 * to the functions' environment (a benchmark's limits).
 */
export async function startFunctions(
  profile: StackProfile,
  secrets: StackSecrets,
  env: Record<string, string> = {},
): Promise<void> {
  if (!(await functionsPid(profile))) {
    await Deno.mkdir(profile.logDir, { recursive: true });
    const child = spawnFunctionsServer({
      port: profile.functionsPort,
      env: { ...functionsEnv(profile, secrets), ...env },
      logFile: join(profile.logDir, "functions.log"),
    });
    child.unref();
    await Deno.writeTextFile(profile.functionsPidFile, `${child.pid}\n`);
  }
  await waitForHealth(profile, 60_000);
}

/**
 * The V8 heap limit of the functions server, in MiB: the memory limit Supabase's edge runtime gives each
 * function worker locally (`memoryLimitMb: 150`; 256 MB on the hosted platform). V8 sizes its heap's growth
 * by this limit: without one it lets the heap grow to 4× the live objects under a high allocation rate
 * (181 MiB for 28 MiB live on the scale bench), with it to about 2× (see docs/capacity.md).
 */
export const FUNCTION_MEMORY_LIMIT_MIB = 150;

/** Options of {@linkcode spawnFunctionsServer}. */
export interface SpawnFunctionsOptions {
  port: number;
  /** The functions' environment, over the inherited one. */
  env: Record<string, string>;
  /** Where standard output and error go (appended). */
  logFile: string;
  /** Serve only this function's handler, without the router (`functions_server.ts --function`). */
  function?: string;
  /** More flags for Deno, before the script (`--cpu-prof`, say). */
  denoFlags?: string[];
}

/**
 * Starts a functions server process, detached, without waiting for it: the stack's, or a second one with
 * its own environment (the fault tests point one at proxies).
 */
export function spawnFunctionsServer(options: SpawnFunctionsOptions): Deno.ChildProcess {
  const server = join(PROJECT_ROOT, "scripts", "stack", "functions_server.ts");
  // sh redirects output to the log and execs Deno, so the pid is the server's own.
  return new Deno.Command("/bin/sh", {
    args: [
      "-c",
      'exec "$0" "$@" >>"$FUNCTIONS_LOG" 2>&1',
      Deno.execPath(),
      "run",
      "--allow-all",
      "--quiet",
      // A request's signal aborts only when the client goes away, as in Supabase's edge runtime.
      "--unstable-no-legacy-abort",
      `--v8-flags=--max-heap-size=${FUNCTION_MEMORY_LIMIT_MIB}`,
      ...(options.denoFlags ?? []),
      server,
      "--port",
      String(options.port),
      ...(options.function === undefined ? [] : ["--function", options.function]),
    ],
    cwd: PROJECT_ROOT,
    env: { ...options.env, FUNCTIONS_LOG: options.logFile, NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
}

/** Stops the functions server and waits for it to exit. */
export async function stopFunctions(profile: StackProfile): Promise<void> {
  const pid = await functionsPid(profile);
  if (pid) {
    Deno.kill(pid, "SIGTERM");
    for (let waited = 0; waited < 10_000 && await functionsPid(profile); waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (await functionsPid(profile)) Deno.kill(pid, "SIGKILL");
  }
  await Deno.remove(profile.functionsPidFile).catch(() => {});
}

/** The health URL of the data gateway, which answers without credentials. */
export function healthUrl(profile: StackProfile): string {
  return `${apiUrl(profile)}/functions/v1/tenant-data/health`;
}

async function waitForHealth(profile: StackProfile, timeoutMs: number): Promise<void> {
  const running = async () => (await functionsPid(profile)) !== undefined;
  if (await answersOk(healthUrl(profile), { timeoutMs, intervalMs: 200, running })) return;
  throw new Error(
    `The functions server did not become healthy: see ${join(profile.logDir, "functions.log")}`,
  );
}

/** Options of {@linkcode answersOk}. */
export interface AnswersOkOptions {
  timeoutMs: number;
  /** The pause between two tries. */
  intervalMs: number;
  /** The HTTP client to ask with (a fresh one measures a cold start's first connection). */
  client?: Deno.HttpClient | undefined;
  /** Whether the server is still running: once it is not, there is nothing to wait for. */
  running?: (() => boolean | Promise<boolean>) | undefined;
}

/**
 * Asks `url` until it answers 2xx (a server coming up): `true` then, `false` when `timeoutMs` passed or
 * the server stopped running first.
 */
export async function answersOk(url: string, options: AnswersOkOptions): Promise<boolean> {
  const init = options.client === undefined ? undefined : { client: options.client };
  for (const deadline = performance.now() + options.timeoutMs; performance.now() < deadline;) {
    try {
      const response = await fetch(url, init);
      await response.body?.cancel();
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    if (options.running !== undefined && !(await options.running())) return false;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
  return false;
}
