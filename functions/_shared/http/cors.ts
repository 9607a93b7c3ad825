/**
 * CORS for browser apps calling the functions with supabase-js: the headers Supabase documents for Edge
 * Functions plus the ones PostgREST requests and responses use.
 *
 * @module
 */

/** Headers a browser may send and read. */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, HEAD, POST, PATCH, DELETE, OPTIONS",
  "access-control-allow-headers":
    "authorization, x-client-info, apikey, content-type, x-tenant-id, prefer, range, range-unit, accept-profile, content-profile, x-supabase-api-version",
  "access-control-expose-headers":
    "content-range, content-location, location, preference-applied, server-timing",
  "access-control-max-age": "86400",
};

const CORS_ENTRIES = Object.entries(CORS_HEADERS);

/** The answer to a preflight request. */
export function preflightResponse(): Response {
  return new Response(null, { status: 204, headers: CORS_HEADERS });
}

/**
 * Adds the CORS headers to a response: in place when its headers can change (the common case, and no copy
 * on every request), else on a copy (headers are immutable after `fetch`).
 */
export function withCors(response: Response): Response {
  try {
    for (const [name, value] of CORS_ENTRIES) response.headers.set(name, value);
    return response;
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(CORS_HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
