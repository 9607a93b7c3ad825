// Internal: streaming `copy … to stdout` of one database into `copy … from stdin` of another.
import { Buffer } from "node:buffer";
import { Transform, type TransformCallback } from "node:stream";
import type postgres from "postgres";
import { copyInto } from "../postgres_js/mod.ts";
import { importSnapshot } from "./_snapshot.ts";

/** Bytes gathered before they are written to the target: fewer, larger CopyData messages. */
const CHUNK_BYTES = 256 * 1024;
const NEWLINE = 0x0a;

/**
 * Streams the rows of `copyOut` (a `copy … to stdout` statement, run on a new connection from `client`
 * that is closed afterwards) into `target` (a `copy … from stdin` query, usually inside a transaction) and
 * returns how many rows went through (read at `snapshotId` when given, see `./_snapshot.ts`). Rows are counted by line: COPY's text format escapes newlines
 * inside values, so each line is one row. `onRows` hears the running count.
 *
 * Two postgres.js 3.4.9 bugs are worked around here:
 * - the source connection can be left with a paused socket when the COPY ends under backpressure
 *   (porsager/postgres#499, fix pending in #1016), so it gets a connection of its own, never reused;
 * - the writable never settles when the server rejects a COPY after the last chunk (porsager/postgres#1173):
 *   `copyInto` (`../postgres_js/copy_into.ts`) races the query's own rejection against the pipeline.
 */
export async function streamCopy(
  client: () => postgres.Sql,
  copyOut: string,
  target: postgres.PendingQuery<postgres.Row[]>,
  onRows?: (rows: number) => void,
  snapshotId?: string,
): Promise<number> {
  const source = client();
  try {
    // Rows as an exported snapshot saw them (the converge rounds), not as they are now.
    if (snapshotId !== undefined) await importSnapshot(source, snapshotId);
    const readable = await source.unsafe(copyOut).readable();
    const counter = new RowCounter(onRows);
    await copyInto(target, [readable, counter]);
    return counter.rows;
  } finally {
    await source.end({ timeout: 0 }).catch(() => {});
  }
}

/** Counts lines and gathers small CopyData chunks into larger ones. */
class RowCounter extends Transform {
  rows = 0;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #onRows: ((rows: number) => void) | undefined;

  constructor(onRows: ((rows: number) => void) | undefined) {
    super();
    this.#onRows = onRows;
  }

  override _transform(chunk: Uint8Array, _encoding: string, callback: TransformCallback): void {
    let lines = 0;
    for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, i + 1)) lines++;
    this.rows += lines;
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    if (this.#pendingBytes >= CHUNK_BYTES) this.#flushPending();
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.#flushPending();
    callback();
  }

  #flushPending(): void {
    if (this.#pendingBytes === 0) return;
    const joined = Buffer.concat(this.#pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    this.push(joined);
    this.#onRows?.(this.rows);
  }
}
