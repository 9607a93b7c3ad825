/**
 * Steady traffic for tests that change things underneath it (faults, rotations): a few workers per
 * target, each sending one request at a time, every answer recorded with its start time. A request that
 * does not answer within `timeoutMs` is recorded with status 0: that is a hang.
 *
 * @module
 */

/** One kind of request the traffic sends. */
export interface TrafficTarget {
  /** Groups samples (a tenant's name, say). */
  label: string;
  url: string;
  method?: string;
  headers: Record<string, string>;
  body?: string;
}

/** One answered (or hung) request. */
export interface Sample {
  label: string;
  /** `performance.now()` when it was sent. */
  sentAt: number;
  ms: number;
  /** The HTTP status, or 0 when it hung or the connection failed. */
  status: number;
  retryAfter: string | null;
  /** The error body's `code`, if any. */
  code: string | null;
}

/** Options of {@linkcode startTraffic}. */
export interface TrafficOptions {
  workersPerTarget?: number;
  /** A request still unanswered after this long counts as hung; default 15 s. */
  timeoutMs?: number;
  /** Pause between a worker's requests; default 5 ms. */
  pauseMs?: number;
}

/** Running traffic: read `samples` at any time, `stop()` to end it. */
export interface Traffic {
  readonly samples: Sample[];
  stop(): Promise<Sample[]>;
}

/** Starts the workers. */
export function startTraffic(targets: TrafficTarget[], options: TrafficOptions = {}): Traffic {
  const samples: Sample[] = [];
  const client = Deno.createHttpClient({ http1: true, http2: false });
  let stopped = false;
  const worker = async (target: TrafficTarget) => {
    while (!stopped) {
      samples.push(await send(client, target, options.timeoutMs ?? 15_000));
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? 5));
    }
  };
  const workers = targets.flatMap((target) =>
    Array.from({ length: options.workersPerTarget ?? 2 }, () => worker(target))
  );
  return {
    samples,
    async stop() {
      stopped = true;
      await Promise.all(workers);
      client.close();
      return samples;
    },
  };
}

async function send(client: Deno.HttpClient, target: TrafficTarget, timeoutMs: number): Promise<Sample> {
  const sentAt = performance.now();
  try {
    const response = await fetch(target.url, {
      client,
      method: target.method ?? "GET",
      headers: target.headers,
      ...(target.body === undefined ? {} : { body: target.body }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    const code = response.ok ? null : errorCode(text);
    return {
      label: target.label,
      sentAt,
      ms: performance.now() - sentAt,
      status: response.status,
      retryAfter: response.headers.get("retry-after"),
      code,
    };
  } catch {
    return {
      label: target.label,
      sentAt,
      ms: performance.now() - sentAt,
      status: 0,
      retryAfter: null,
      code: null,
    };
  }
}

function errorCode(body: string): string | null {
  try {
    return (JSON.parse(body) as { code?: string }).code ?? null;
  } catch {
    return null;
  }
}

/** The `q` quantile (0–1) of the samples' latencies, in ms; NaN without samples. */
export function latencyQuantile(samples: Sample[], q: number): number {
  const sorted = samples.map((sample) => sample.ms).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** A one-line account of samples for the test's output: count, statuses, p50/p99. */
export function describeSamples(samples: Sample[]): string {
  const statuses = new Map<number, number>();
  for (const sample of samples) statuses.set(sample.status, (statuses.get(sample.status) ?? 0) + 1);
  const counts = [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(" ");
  return `${samples.length} requests (${counts}), p50 ${latencyQuantile(samples, 0.5).toFixed(1)} ms, ` +
    `p99 ${latencyQuantile(samples, 0.99).toFixed(1)} ms`;
}
