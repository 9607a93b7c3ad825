/**
 * The load generator, run as its own process so it never competes with a server for an event loop:
 * `concurrency` workers, each sending one request at a time with `fetch` over keep-alive connections,
 * for `warmupMs` unmeasured and then `durationMs` measured. A request counts when it starts and ends
 * inside the measured window.
 *
 * Usage: `deno run -A bench/load_client.ts < config.json` (a {@linkcode LoadConfig}); prints one
 * {@linkcode LoadResult} as JSON on standard output.
 *
 * @module
 */
import { processCpuMs, treeCpuMs } from "./_cpu.ts";
import { type SerializedServerTiming, ServerTimingTotals } from "./_stats.ts";

/** What to send and for how long. */
export interface LoadConfig {
  /** Requests cycle through these URLs (one per id, say), shared by all workers. */
  urls: string[];
  headers: Record<string, string>;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** Server processes whose CPU time is read at the window's edges: name → pid. */
  cpuPids?: Record<string, number>;
  /** Process trees (a postmaster and its backends) read the same way: name → root pid. */
  cpuTrees?: Record<string, number>;
}

/** What one run measured. */
export interface LoadResult {
  /** Requests completed inside the window. */
  requests: number;
  /** Responses with a status outside 200–299 (inside the window). */
  errors: number;
  /** The first error seen: status and the start of the body. */
  firstError: string | null;
  /** The window, in milliseconds. */
  elapsedMs: number;
  /** When the window began, in milliseconds since the epoch (to find it in a server's CPU profile). */
  windowStartMs: number;
  /** Latency of every counted request, in milliseconds, ascending. */
  latenciesMs: number[];
  /** Response bytes of the last response (a sanity check that both servers send the same body). */
  responseBytes: number;
  serverTiming: SerializedServerTiming;
  /** CPU milliseconds spent inside the window: the client, and each process or tree asked for. */
  cpuMs: Record<string, number>;
}

/**
 * Runs the load and returns what it measured.
 *
 * @example
 * ```ts
 * const result = await runLoad({ urls: [url], headers: {}, concurrency: 10, warmupMs: 2000, durationMs: 10000 });
 * console.log(result.requests / (result.elapsedMs / 1000), "req/s");
 * ```
 */
export async function runLoad(config: LoadConfig): Promise<LoadResult> {
  const client = Deno.createHttpClient({ http1: true, http2: false });
  const headers = new Headers(config.headers);
  const timing = new ServerTimingTotals();
  const samples: number[][] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | null = null;
  let responseBytes = 0;

  const begin = performance.now();
  const windowStart = begin + config.warmupMs;
  const windowEnd = windowStart + config.durationMs;
  const cpuAt = (): Record<string, number> => ({
    client: processCpuMs(Deno.pid),
    ...Object.fromEntries(Object.entries(config.cpuPids ?? {}).map(([k, pid]) => [k, processCpuMs(pid)])),
    ...Object.fromEntries(Object.entries(config.cpuTrees ?? {}).map(([k, pid]) => [k, treeCpuMs(pid)])),
  });
  let cpuStart: Record<string, number> = {};
  let cpuEnd: Record<string, number> = {};
  const edges = [
    new Promise<void>((resolve) => setTimeout(() => (cpuStart = cpuAt(), resolve()), config.warmupMs)),
    new Promise<void>((resolve) =>
      setTimeout(() => (cpuEnd = cpuAt(), resolve()), config.warmupMs + config.durationMs)
    ),
  ];

  async function worker(): Promise<void> {
    const latencies: number[] = [];
    samples.push(latencies);
    while (true) {
      const started = performance.now();
      if (started >= windowEnd) return;
      const url = config.urls[next++ % config.urls.length] as string;
      const response = await fetch(url, { headers, client });
      const body = await response.arrayBuffer();
      const ended = performance.now();
      if (started < windowStart || ended > windowEnd) continue;
      latencies.push(ended - started);
      responseBytes = body.byteLength;
      timing.add(response.headers.get("server-timing"));
      if (response.status < 200 || response.status > 299) {
        errors++;
        firstError ??= `${response.status} ${new TextDecoder().decode(body).slice(0, 300)}`;
      }
    }
  }

  await Promise.all(Array.from({ length: config.concurrency }, worker));
  await Promise.all(edges);
  client.close();
  const latenciesMs = samples.flat().sort((a, b) => a - b);
  return {
    requests: latenciesMs.length,
    errors,
    firstError,
    elapsedMs: config.durationMs,
    windowStartMs: performance.timeOrigin + windowStart,
    latenciesMs: latenciesMs.map((ms) => Math.round(ms * 1000) / 1000),
    responseBytes,
    serverTiming: timing.toJSON(),
    cpuMs: Object.fromEntries(Object.keys(cpuEnd).map((k) => [k, (cpuEnd[k] ?? 0) - (cpuStart[k] ?? 0)])),
  };
}

if (import.meta.main) {
  const config = JSON.parse(await new Response(Deno.stdin.readable).text()) as LoadConfig;
  console.log(JSON.stringify(await runLoad(config)));
}
