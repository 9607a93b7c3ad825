/**
 * Streams data into a `copy … from stdin` query and settles when the server has accepted or rejected it.
 *
 * postgres.js 3.4.9 never settles the writable when the server rejects the COPY after the last chunk was
 * sent (porsager/postgres#1173, fix pending in #1183): `pipeline()` would hang and the transaction would
 * never roll back. The server's error still reaches the query's own `reject`, so it is intercepted there
 * and raced against the pipeline.
 *
 * @example
 * ```ts
 * await copyInto(tx`copy public.notes (id, body) from stdin`, [Readable.from(lines)]);
 * ```
 *
 * @module
 */
import type { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type postgres from "postgres";

/** Pipes `source` (then each transform) into the COPY query `query`. */
export async function copyInto(
  query: postgres.PendingQuery<postgres.Row[]>,
  streams: [Readable, ...Transform[]],
): Promise<void> {
  const internals = query as unknown as { reject: (error: unknown) => void };
  const settle = internals.reject;
  const rejected = new Promise<never>(function watch(_, reject): void {
    internals.reject = function intercept(error: unknown): void {
      settle(error);
      reject(error);
    };
  });
  rejected.catch(function handled(): void {});
  const writable = await query.writable();
  await Promise.race([pipeline([...streams, writable]), rejected]);
}
