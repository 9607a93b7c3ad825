/**
 * Arithmetic of the benchmark: percentiles of latency samples and averages of `Server-Timing` headers.
 *
 * @module
 */

/**
 * The `p`-th percentile (0–100) of `samples` by the nearest-rank method; `NaN` without samples.
 * `samples` must be sorted ascending.
 *
 * @example
 * ```ts
 * percentile([1, 2, 3, 4], 50); // 2
 * ```
 */
export function percentile(samples: ArrayLike<number>, p: number): number {
  if (samples.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * samples.length);
  return samples[Math.min(samples.length, Math.max(1, rank)) - 1] as number;
}

/** Sums of `Server-Timing` durations by metric name, and how many headers were added. */
export class ServerTimingTotals {
  #sums = new Map<string, number>();
  #count = 0;

  /** Adds one header value: `auth;dur=0.12, tenant;dur=0.01, …` (metrics without `dur` are skipped). */
  add(header: string | null): void {
    if (header === null) return;
    this.#count++;
    for (const [name, ms] of Object.entries(serverTimingDurations(header))) {
      this.#sums.set(name, (this.#sums.get(name) ?? 0) + ms);
    }
  }

  /** Merges totals recorded elsewhere (another run of the same cell). */
  merge(totals: SerializedServerTiming): void {
    this.#count += totals.count;
    for (const [name, sum] of Object.entries(totals.sums)) {
      this.#sums.set(name, (this.#sums.get(name) ?? 0) + sum);
    }
  }

  /** Average milliseconds per header, by metric, in first-seen order. */
  averages(): Record<string, number> {
    return Object.fromEntries([...this.#sums].map(([name, sum]) => [name, sum / Math.max(1, this.#count)]));
  }

  /** A JSON-safe copy, for passing between processes. */
  toJSON(): SerializedServerTiming {
    return { count: this.#count, sums: Object.fromEntries(this.#sums) };
  }
}

/** {@linkcode ServerTimingTotals} as JSON. */
export interface SerializedServerTiming {
  count: number;
  sums: Record<string, number>;
}

/**
 * The durations of one `Server-Timing` header by metric name (a metric without `dur` is left out; a name
 * seen twice keeps its last duration).
 *
 * @example
 * ```ts
 * serverTimingDurations("auth;dur=0.12, total;dur=3.5"); // { auth: 0.12, total: 3.5 }
 * ```
 */
export function serverTimingDurations(header: string | null): Record<string, number> {
  const durations: Record<string, number> = {};
  if (header === null) return durations;
  for (const metric of header.split(",")) {
    const [name, ...params] = metric.split(";");
    const key = name?.trim();
    if (!key) continue;
    for (const param of params) {
      const [field, value] = param.split("=");
      if (field?.trim() !== "dur" || value === undefined) continue;
      const ms = Number(value.trim().replace(/^"|"$/g, ""));
      if (Number.isFinite(ms)) durations[key] = ms;
    }
  }
  return durations;
}

/**
 * The least-squares line through points `(x, y)`: its slope, intercept and correlation coefficient r;
 * `null` with fewer than two distinct x.
 *
 * @example
 * ```ts
 * linearFit([[0, 1], [1, 3], [2, 5]]); // { slope: 2, intercept: 1, r: 1 }
 * ```
 */
export function linearFit(
  points: readonly (readonly [x: number, y: number])[],
): { slope: number; intercept: number; r: number } | null {
  const n = points.length;
  if (n < 2) return null;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (const [x, y] of points) {
    sxx += (x - meanX) ** 2;
    syy += (y - meanY) ** 2;
    sxy += (x - meanX) * (y - meanY);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  return { slope, intercept: meanY - slope * meanX, r: syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy) };
}
