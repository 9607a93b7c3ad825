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

  /**
   * Runs one stage and records its duration: a synchronous stage's result is returned as it is, an
   * asynchronous one's promise settles when the stage has (and is timed until then).
   */
  measure<T>(name: string, stage: () => T): T {
    const started = performance.now();
    let result: T;
    try {
      result = stage();
    } catch (error) {
      this.#entries.push([name, performance.now() - started]);
      throw error;
    }
    if (!(result instanceof Promise)) {
      this.#entries.push([name, performance.now() - started]);
      return result;
    }
    return result.finally(() => this.#entries.push([name, performance.now() - started])) as T;
  }

  /** Records a duration measured elsewhere (a wait that starts in one place and ends in another). */
  record(name: string, ms: number): void {
    this.#entries.push([name, ms]);
  }

  /** The header value: `parse;dur=0.12, plan;dur=0.05, …`. */
  header(): string {
    let header = "";
    for (const [name, ms] of this.#entries) {
      header += `${header === "" ? "" : ", "}${name};dur=${ms.toFixed(2)}`;
    }
    return header;
  }
}
