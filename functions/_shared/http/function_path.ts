/** The path prefix PostgREST (the Data API) is served under, as supabase-js calls it: `/rest/v1`. */
export const API_PREFIX = "/rest/v1";

/**
 * The path of a request inside one function, whichever way the function is reached: Supabase's edge
 * runtime hands a function `/<name>/…`, a direct call may carry `/functions/v1/<name>/…`.
 *
 * @example
 * ```ts
 * functionPath(new URL("http://h/functions/v1/tenant-data/rest/v1/accounts"), "tenant-data");
 * // → "/rest/v1/accounts"
 * ```
 */
export function functionPath(url: URL, functionName: string): string {
  const marker = `/${functionName}`;
  const path = url.pathname;
  const at = path.startsWith("/functions/v1" + marker)
    ? "/functions/v1".length
    : path.startsWith(marker)
    ? 0
    : -1;
  if (at < 0) return path;
  const rest = path.slice(at + marker.length);
  if (rest !== "" && !rest.startsWith("/")) return path;
  return rest === "" ? "/" : rest;
}
