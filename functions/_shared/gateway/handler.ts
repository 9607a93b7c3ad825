import { functionPath, jsonResponse } from "../http/mod.ts";

/** Options of {@linkcode createGatewayHandler}. */
export interface GatewayHandlerOptions {
  /** The function's name, which prefixes every path it is reached by. */
  functionName: string;
}

/**
 * Builds the `tenant-data` function's fetch handler.
 *
 * @example
 * ```ts
 * Deno.serve(createGatewayHandler({ functionName: "tenant-data" }));
 * ```
 */
export function createGatewayHandler(options: GatewayHandlerOptions): (request: Request) => Response {
  return function handleGatewayRequest(request: Request): Response {
    const path = functionPath(new URL(request.url), options.functionName);
    if (path === "/health" && (request.method === "GET" || request.method === "HEAD")) {
      return jsonResponse({ status: "ok", function: options.functionName });
    }
    // PostgREST's answer for a path it does not serve.
    return jsonResponse(
      { code: "PGRST125", message: "Invalid path specified in request URL", details: null, hint: null },
      { status: 404 },
    );
  };
}
