/**
 * Serves every Supabase Edge Function of `functions/` at `/functions/v1/<name>`, the way Supabase's edge
 * runtime does, for machines without Docker. Each `functions/<name>/index.ts` is loaded unchanged: its
 * `Deno.serve(handler)` call is captured instead of opening a port, and requests reach the handler with
 * the path Supabase gives functions (`/<name>/…`).
 *
 * Usage: `deno run -A scripts/stack/functions_server.ts --port 54321 [--function tenant-data]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { PROJECT_ROOT } from "./profile.ts";

type Handler = (request: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response>;

/** Loads each function's handler by running its entry point with `Deno.serve` captured. */
export async function loadFunctions(functionsDir: string): Promise<Map<string, Handler>> {
  const handlers = new Map<string, Handler>();
  const names: string[] = [];
  for await (const entry of Deno.readDir(functionsDir)) {
    if (entry.isDirectory && !entry.name.startsWith("_")) names.push(entry.name);
  }
  const realServe = Deno.serve;
  try {
    for (const name of names.sort()) {
      let captured: Handler | undefined;
      // deno-lint-ignore no-explicit-any
      (Deno as any).serve = (...args: any[]) => {
        const last = args[args.length - 1];
        captured = typeof last === "function" ? last : last?.handler;
        return { finished: Promise.resolve(), shutdown: () => Promise.resolve(), ref() {}, unref() {} };
      };
      await import(pathToFileURL(join(functionsDir, name, "index.ts")).href);
      if (!captured) throw new Error(`Function ${name} did not call Deno.serve`);
      handlers.set(name, captured);
    }
  } finally {
    // deno-lint-ignore no-explicit-any
    (Deno as any).serve = realServe;
  }
  return handlers;
}

/** Options of {@linkcode createRouter}. */
export interface RouterOptions {
  /** Where the access log line of each request goes; default `console.log`. */
  log?: (line: string) => void;
}

/** Methods the Fetch API cannot represent although `Deno.serve` lets them in. */
const UNFORWARDABLE_METHODS: ReadonlySet<string> = new Set(["TRACE", "CONNECT", "TRACK"]);
const FUNCTION_PREFIX = "/functions/v1/";

/**
 * Routes `/functions/v1/<name>/…` to the function, which sees `/<name>/…`. It runs on every request of
 * every local figure, so it does little: the path is cut from the URL string, and the function gets the
 * request itself with only its `url` rewritten (copying a `Request` copies and re-validates every header).
 */
export function createRouter(handlers: Map<string, Handler>, options: RouterOptions = {}): Handler {
  const log = options.log ?? console.log;
  return async function route(request, info) {
    const started = performance.now();
    const { url } = request;
    const pathStart = url.indexOf("/", url.indexOf("//") + 2);
    const queryStart = url.indexOf("?", pathStart);
    const path = pathStart < 0 ? "/" : url.slice(pathStart, queryStart < 0 ? undefined : queryStart);
    const nameEnd = path.indexOf("/", FUNCTION_PREFIX.length);
    const name = path.startsWith(FUNCTION_PREFIX)
      ? path.slice(FUNCTION_PREFIX.length, nameEnd < 0 ? undefined : nameEnd)
      : "";
    const handler = name === "" ? undefined : handlers.get(name);
    let response: Response;
    if (!handler) {
      response = Response.json({ code: "not_found", message: "Function not found" }, { status: 404 });
    } else if (!forwardable(request)) {
      response = Response.json({ code: "bad_request", message: "Malformed request" }, { status: 400 });
    } else {
      // The origin, then the path from the function's name on: `/functions/v1/<name>/…` → `/<name>/…`.
      const inner = url.slice(0, pathStart) + url.slice(pathStart + FUNCTION_PREFIX.length - 1);
      try {
        response = await handler(withUrl(request, inner), info);
      } catch (error) {
        // A function that throws gets an opaque 500. The log gets the error's name and where it was
        // thrown, not its message, which might quote a secret.
        const where = error instanceof Error ? (error.stack ?? "").split("\n").slice(1, 4).join(" | ") : "";
        console.error(`${name}: unhandled ${error instanceof Error ? error.name : typeof error} ${where}`);
        response = Response.json({ code: "internal_error", message: "Internal server error" }, {
          status: 500,
        });
      }
    }
    // Path only: a query string may carry user data.
    log(`${request.method} ${path} ${response.status} ${(performance.now() - started).toFixed(1)}ms`);
    return response;
  };
}

/**
 * False for a request the Fetch API cannot represent although Deno.serve let it in (TRACE, CONNECT, TRACK;
 * a GET or HEAD with a body): a malformed request, the client's error, answered 400 rather than handed to
 * a function that could not forward or copy it.
 */
function forwardable(request: Request): boolean {
  if (UNFORWARDABLE_METHODS.has(request.method)) return false;
  return !((request.method === "GET" || request.method === "HEAD") && request.body !== null);
}

/**
 * The request as the function sees it: the same object behind a proxy whose `url` is the function's. Every
 * other property and method is the original's (methods bound to it), so headers, body and signal are not
 * copied.
 */
function withUrl(request: Request, url: string): Request {
  return new Proxy(request, {
    get(target, property) {
      if (property === "url") return url;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * An access log that writes its lines to standard output in batches, every 200 ms, instead of one write
 * per request.
 */
export function batchedLog(): { log: (line: string) => void; flush: () => void } {
  const encoder = new TextEncoder();
  let lines: string[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  function flush(): void {
    clearTimeout(timer);
    timer = undefined;
    if (lines.length === 0) return;
    const text = lines.join("\n") + "\n";
    lines = [];
    const bytes = encoder.encode(text);
    for (let written = 0; written < bytes.length;) written += Deno.stdout.writeSync(bytes.subarray(written));
  }
  return {
    log(line) {
      lines.push(line);
      timer ??= setTimeout(flush, 200);
    },
    flush,
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { port: { type: "string", default: "54321" }, function: { type: "string" } },
  });
  const handlers = await loadFunctions(join(PROJECT_ROOT, "functions"));
  // `--function <name>`: that function's handler alone, without the router, as the functions' own server
  // would run it (it gets `/functions/v1/<name>/…` as it is); the benchmark measures the router's share so.
  const only = values.function === undefined ? undefined : handlers.get(values.function);
  if (values.function !== undefined && !only) throw new Error(`No function named ${values.function}`);
  const accessLog = batchedLog();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: Number(values.port),
    onListen: ({ port }) =>
      console.log(`Serving ${only ? values.function : [...handlers.keys()].join(", ")} on 127.0.0.1:${port}`),
  }, only ?? createRouter(handlers, { log: accessLog.log }));
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    Deno.addSignalListener(signal, () => server.shutdown().then(() => (accessLog.flush(), Deno.exit(0))));
  }
  // For `bench:scale -- --heap-snapshots`: a V8 heap snapshot on SIGUSR2, into this folder.
  const snapshots = Deno.env.get("FUNCTIONS_HEAP_SNAPSHOT_DIR");
  if (snapshots) {
    const { writeHeapSnapshot } = await import("node:v8");
    let taken = 0;
    Deno.addSignalListener("SIGUSR2", () => {
      const file = join(snapshots, `functions-${++taken}.heapsnapshot`);
      const started = performance.now();
      writeHeapSnapshot(file);
      console.log(`Heap snapshot ${file} written in ${Math.round(performance.now() - started)} ms`);
    });
  }
}
