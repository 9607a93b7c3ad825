/**
 * Serves every Supabase Edge Function of `functions/` at `/functions/v1/<name>`, the way Supabase's edge
 * runtime does, for machines without Docker. Each `functions/<name>/index.ts` is loaded unchanged: its
 * `Deno.serve(handler)` call is captured instead of opening a port, and requests reach the handler with
 * the path Supabase gives functions (`/<name>/…`).
 *
 * Usage: `deno run -A scripts/stack/functions_server.ts --port 54321`
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

/** Routes `/functions/v1/<name>/…` to the function, which sees `/<name>/…`. */
export function createRouter(handlers: Map<string, Handler>): Handler {
  return async function route(request, info) {
    const url = new URL(request.url);
    const match = /^\/functions\/v1\/([^/]+)(\/.*)?$/.exec(url.pathname);
    const handler = match?.[1] ? handlers.get(match[1]) : undefined;
    const started = performance.now();
    let response: Response;
    if (!match || !handler) {
      response = Response.json({ code: "not_found", message: "Function not found" }, { status: 404 });
    } else {
      const inner = new URL(`/${match[1]}${match[2] ?? ""}${url.search}`, url);
      const forwarded = forwardedRequest(inner, request);
      if (forwarded === null) {
        response = Response.json({ code: "bad_request", message: "Malformed request" }, { status: 400 });
      } else {
        try {
          response = await handler(forwarded, info);
        } catch (error) {
          // A function that throws gets an opaque 500. The log gets the error's name and where it was
          // thrown, not its message, which might quote a secret.
          const where = error instanceof Error ? (error.stack ?? "").split("\n").slice(1, 4).join(" | ") : "";
          console.error(
            `${match[1]}: unhandled ${error instanceof Error ? error.name : typeof error} ${where}`,
          );
          response = Response.json({ code: "internal_error", message: "Internal server error" }, {
            status: 500,
          });
        }
      }
    }
    // Path only: a query string may carry user data.
    const ms = (performance.now() - started).toFixed(1);
    console.log(`${request.method} ${url.pathname} ${response.status} ${ms}ms`);
    return response;
  };
}

/**
 * The request with the function's path, or `null` when the Fetch API cannot represent it although
 * Deno.serve let it in (TRACE, CONNECT, TRACK; a GET or HEAD with a body): a malformed request, the
 * client's error, answered 400 rather than an opaque 500.
 */
function forwardedRequest(inner: URL, request: Request): Request | null {
  try {
    return new Request(inner, request);
  } catch {
    return null;
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { port: { type: "string", default: "54321" } } });
  const handlers = await loadFunctions(join(PROJECT_ROOT, "functions"));
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: Number(values.port),
    onListen: ({ port }) => console.log(`Serving ${[...handlers.keys()].join(", ")} on 127.0.0.1:${port}`),
  }, createRouter(handlers));
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    Deno.addSignalListener(signal, () => server.shutdown().then(() => Deno.exit(0)));
  }
}
