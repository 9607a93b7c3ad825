/**
 * HTTP/1.1 over a bare TCP socket, for requests `fetch` refuses to send: raw bytes (invalid UTF-8) in the
 * request target and header values, framing that lies. One request per connection (`Connection: close`).
 *
 * @module
 */

/** A request as bytes on the wire, apart from the framing this module adds. */
export interface RawRequest {
  method: string;
  /** The request target, sent byte for byte: `/functions/v1/…?name=eq.\xff`. */
  target: Uint8Array;
  /** Header lines, sent byte for byte (`Host` and `Connection: close` are added). */
  headers: [string, Uint8Array][];
  body?: Uint8Array;
  /** `Content-Length` to announce instead of the body's length (the body is still sent whole). */
  contentLength?: number;
}

/** What came back: `status` 0 when the server closed the connection without an answer. */
export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** Options of {@linkcode rawRequest}. */
export interface RawRequestOptions {
  hostname: string;
  port: number;
  timeoutMs: number;
}

const encoder = new TextEncoder();

/**
 * Sends one request and reads the answer until the server closes the connection.
 *
 * @throws {Error} when no answer came within `timeoutMs` (a hang).
 */
export async function rawRequest(request: RawRequest, options: RawRequestOptions): Promise<RawResponse> {
  const conn = await Deno.connect({ hostname: options.hostname, port: options.port });
  const timer = setTimeout(() => {
    try {
      conn.close();
    } catch {
      // already closed
    }
  }, options.timeoutMs);
  const started = Date.now();
  try {
    const body = request.body ?? new Uint8Array(0);
    const parts: Uint8Array[] = [
      encoder.encode(`${request.method} `),
      request.target,
      encoder.encode(` HTTP/1.1\r\nhost: ${options.hostname}:${options.port}\r\nconnection: close\r\n`),
    ];
    for (const [name, value] of request.headers) parts.push(encoder.encode(`${name}: `), value, CRLF);
    if (body.length > 0 || request.contentLength !== undefined) {
      parts.push(encoder.encode(`content-length: ${request.contentLength ?? body.length}\r\n`));
    }
    parts.push(CRLF, body);
    try {
      await writeAll(conn, concat(parts));
      // A body shorter than announced: end the stream, so the server sees it end instead of waiting. (Not
      // otherwise: the server takes a half-close for a client that went away and drops the answer.)
      if (request.contentLength !== undefined) await conn.closeWrite();
    } catch {
      // The server may answer (400, 413) and close before it read everything; read what it said.
    }
    const received: Uint8Array[] = [];
    const buffer = new Uint8Array(64 * 1024);
    for (;;) {
      let n: number | null;
      try {
        n = await conn.read(buffer);
      } catch {
        break;
      }
      if (n === null) break;
      received.push(buffer.slice(0, n));
    }
    if (Date.now() - started >= options.timeoutMs) {
      throw new Error(`No answer within ${options.timeoutMs} ms`);
    }
    return parseResponse(concat(received));
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // closed by the timer or the server
    }
  }
}

const CRLF = encoder.encode("\r\n");

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Status line, headers, and the body (de-chunked) as text. */
function parseResponse(bytes: Uint8Array): RawResponse {
  const headers = new Headers();
  const end = indexOf(bytes, encoder.encode("\r\n\r\n"));
  if (bytes.length === 0 || end < 0) return { status: 0, headers, text: "" };
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, end)).split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? "")?.[1] ?? 0);
  for (const line of head.slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0) {
      try {
        headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
      } catch {
        // a header value Headers refuses; not needed for the checks
      }
    }
  }
  let body = bytes.subarray(end + 4);
  if (/chunked/i.test(headers.get("transfer-encoding") ?? "")) body = dechunk(body);
  return { status, headers, text: new TextDecoder().decode(body) };
}

function dechunk(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const lineEnd = indexOf(bytes, CRLF, at);
    if (lineEnd < 0) break;
    const size = parseInt(new TextDecoder().decode(bytes.subarray(at, lineEnd)), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return concat(parts);
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
