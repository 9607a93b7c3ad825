/**
 * A JSON response with the content type PostgREST and Supabase clients expect.
 *
 * @example
 * ```ts
 * return jsonResponse({ status: "ok" });
 * ```
 */
export function jsonResponse(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json; charset=utf-8");
  return new Response(JSON.stringify(body), { ...init, headers });
}
