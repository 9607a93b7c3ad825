/**
 * Reading a request body with a byte limit.
 *
 * @module
 */

import { PostgrestError } from "../errors/mod.ts";

/** The default largest request body, 1 MiB; more is a 413 (`TR413`). */
export const MAX_BODY_BYTES = 1_048_576;

/** Options of {@linkcode readBody}. */
export interface ReadBodyOptions {
  /** The largest body accepted, in bytes; defaults to {@linkcode MAX_BODY_BYTES} (1 MiB). */
  maxBytes?: number;
}

/**
 * Reads the body of `request` as bytes, refusing more than `maxBytes`: at once when `Content-Length` says
 * so, else as soon as the stream passes the limit (the rest is never read). Nothing is buffered beyond the
 * limit, whatever the client claims.
 *
 * @throws {PostgrestError} `TR413` (413) when the body is larger than `maxBytes`; `PGRST102` (400) when
 * the body stream fails (the client went away before sending what `Content-Length` announced).
 *
 * @example
 * ```ts
 * const bytes = await readBody(request, { maxBytes: 64 * 1024 });
 * ```
 */
export async function readBody(request: Request, options: ReadBodyOptions = {}): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? MAX_BODY_BYTES;
  const declared = request.headers.get("content-length")?.trim();
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
    throw tooLarge(maxBytes);
  }
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await readChunk(reader);
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/** A stream that fails (the client closed the connection before the body it announced) is a bad body. */
async function readChunk(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  try {
    return await reader.read();
  } catch {
    throw new PostgrestError(
      "PGRST102",
      "Cannot read body: the request body ended before its announced length",
    );
  }
}

function tooLarge(maxBytes: number): PostgrestError {
  return new PostgrestError("TR413", `Request body too large: the limit is ${maxBytes} bytes`);
}
