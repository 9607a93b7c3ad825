import { Hono } from "hono";

/** Options of {@linkcode createAdminHandler}. */
export interface AdminHandlerOptions {
  /** The function's name, which prefixes every path it is reached by. */
  functionName: string;
}

/**
 * Builds the `tenant-admin` function's fetch handler.
 *
 * @example
 * ```ts
 * Deno.serve(createAdminHandler({ functionName: "tenant-admin" }));
 * ```
 */
export function createAdminHandler(
  options: AdminHandlerOptions,
): (request: Request) => Response | Promise<Response> {
  const app = new Hono().basePath(`/${options.functionName}`);
  app.get("/health", (c) => c.json({ status: "ok", function: options.functionName }));
  app.notFound((c) => c.json({ code: "not_found", message: "No such endpoint" }, 404));
  return function handleAdminRequest(request: Request) {
    return app.fetch(request);
  };
}
