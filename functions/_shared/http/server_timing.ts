/**
 * Times the stages of a request for the `Server-Timing` header, so performance work can see where the
 * time goes from any client (browser devtools, curl, benchmarks).
 *
 * @example
 * ```ts
 * const timing = new ServerTiming();
 * const parsed = await timing.measure("parse", () => parseRequest(request, options));
 * response.headers.set("server-timing", timing.header());
 * ```
 */
export class ServerTiming {
  #entries: [name: string, ms: number][] = [];

  /** Runs one stage and records its duration. */
  async measure<T>(name: string, stage: () => T | Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await stage();
    } finally {
      this.#entries.push([name, performance.now() - started]);
    }
  }

  /** The header value: `parse;dur=0.12, plan;dur=0.05, …`. */
  header(): string {
    return this.#entries.map(([name, ms]) => `${name};dur=${ms.toFixed(2)}`).join(", ");
  }
}
