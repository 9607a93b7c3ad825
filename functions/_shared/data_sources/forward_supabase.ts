/**
 * How a `supabase` data source is served (through {@linkcode DataSourcePools.serve}, beside the pools of
 * `postgres` ones): the request is forwarded to the tenant project's Data
 * API (`<project url>/rest/v1/…`) with a short-lived JWT minted for that project, carrying the claims the
 * gateway would set itself, so the project's own RLS applies to the user. The response passes through.
 *
 * @module
 */
import { SignJWT } from "jose";
import { PostgrestError } from "../errors/mod.ts";
import { API_PREFIX, MAX_BODY_BYTES, readBody, type ServerTiming } from "../http/mod.ts";
import type { CircuitBreaker } from "./circuit_breaker.ts";
import type { DataSource } from "./data_source.ts";
import { DataSourceUnavailableError, type DataSourceUnavailableReason } from "./errors.ts";
import type { RequestClaims } from "./request_claims.ts";

/** How long a minted token is valid, in seconds: 60. */
export const FORWARD_TOKEN_TTL_SECONDS = 60;
/** How long a forwarded request may take, headers and body, in milliseconds: 10 s. */
export const DEFAULT_FORWARD_TIMEOUT_MS = 10_000;
/** The request headers PostgREST reads: the only ones forwarded from the user's request. */
export const FORWARDED_REQUEST_HEADERS: readonly string[] = Object.freeze([
  "accept",
  "content-type",
  "prefer",
  "range",
  "range-unit",
  "accept-profile",
  "content-profile",
]);
/** The response headers passed back to the client (`location` only when it is a relative path). */
export const PASSED_RESPONSE_HEADERS: readonly string[] = Object.freeze([
  "content-type",
  "content-range",
  "preference-applied",
  "location",
  "retry-after",
]);

/** Methods PostgREST serves; anything else is refused before a request is sent. */
const METHODS = new Set(["GET", "HEAD", "POST", "PATCH", "PUT", "DELETE"]);
/** Methods whose body is forwarded (PostgREST ignores a DELETE body). */
const BODY_METHODS = new Set(["POST", "PATCH", "PUT"]);
/** Answers of the project's own gateway that mean "cannot serve now": counted by the breaker. */
const UNAVAILABLE_STATUSES = new Set([502, 503, 504]);

/** Options of {@linkcode forwardToSupabase}. */
export interface ForwardToSupabaseOptions {
  /** The tenant's data source, of kind `supabase`. */
  dataSource: DataSource;
  /** The claims the minted token carries: the same the gateway sets for a `postgres` data source. */
  claims: RequestClaims;
  /** The path inside the function, percent-encoded as in the URL: `/rest/v1/contacts`. */
  path: string;
  /** Records the `forward` stage for `Server-Timing`. */
  timing: ServerTiming;
  /** The fetch used to reach the project; default the global one. */
  fetch?: typeof fetch;
  /** Deadline of the whole forwarded request (until the response body ends); default 10 s. */
  timeoutMs?: number;
  /** The largest request body forwarded, in bytes; default {@linkcode MAX_BODY_BYTES} (1 MiB). */
  maxBodyBytes?: number;
  /** The data source's circuit breaker, from the one registry of {@linkcode DataSourcePools}. */
  breaker: CircuitBreaker;
  /** Where unavailability is logged: data source id, reason and fixed words, never a URL or a key. */
  log?: (line: string) => void;
  /** The clock for `iat`/`exp`, in milliseconds; default `Date.now`. */
  now?: () => number;
}

/**
 * Forwards a gateway request to a `supabase` data source's Data API and passes its answer through.
 *
 * - **Token**: an HS256 JWT signed with the project's JWT secret (`jwt_secret` of the encrypted
 *   credentials), valid {@linkcode FORWARD_TOKEN_TTL_SECONDS} seconds, with the claims `sub`,
 *   `role: authenticated`, `aud: authenticated`, `email` (when known), `tenant_id`, `tenant_role`, `iat`
 *   and `exp`. It is sent as `Authorization: Bearer …` with the project's anon key as `apikey`. A data
 *   source without a JWT secret cannot be forwarded to: `TR503` (503, `Retry-After: 30`, reason
 *   `credentials`), logged with what to fix.
 * - **Request**: the method; `<project url>/rest/v1/<table>` or `/rest/v1/rpc/<function>` (rebuilt from
 *   decoded segments; `.`, `..` and encoded slashes are refused, so no path reaches another API of the
 *   project) with the query string as sent, minus any `apikey` parameter; the body of POST, PATCH and
 *   PUT, read with a byte limit (`TR413`); and only the headers of {@linkcode FORWARDED_REQUEST_HEADERS}.
 *   The user's `Authorization`, `apikey`, `x-tenant-id`, cookies and everything else stay behind.
 *   Redirects are not followed.
 * - **Response**: status and body as the project sent them (4xx included, PostgREST's error body
 *   unchanged), with the headers of {@linkcode PASSED_RESPONSE_HEADERS}; a `location` that is not a
 *   relative path is dropped, so the project's URL never reaches the client. Two answers are not passed
 *   through: a 401 means the project refused the gateway's own credentials (the user's token was already
 *   verified), so it becomes `TR503` (reason `credentials`) rather than telling the app its session is
 *   invalid; 502, 503 and 504 mean the project cannot serve now, so they become `TR503`, keeping a valid
 *   `Retry-After`.
 * - **Failures**: a connection failure, a timeout (`timeoutMs`, covering the response body too) or a
 *   502/503/504 counts against the data source's {@linkcode CircuitBreaker} and answers `TR503` with
 *   `Retry-After`; while the breaker is open, requests fail at once without touching the network. Errors
 *   and log lines never contain the minted token, the keys, the secret or the project URL.
 *
 * @throws {DataSourceUnavailableError} `TR503` as described above.
 * @throws {PostgrestError} `PGRST125` (404) for a path outside `/rest/v1/<table>` and
 * `/rest/v1/rpc/<function>`, `PGRST117` (405) for a method PostgREST does not serve, `TR413` (413) for
 * a body over the limit.
 *
 * @example
 * ```ts
 * const breaker = new CircuitBreaker();
 * return await forwardToSupabase(request, { dataSource, claims, path, timing, breaker });
 * ```
 */
export async function forwardToSupabase(
  request: Request,
  options: ForwardToSupabaseOptions,
): Promise<Response> {
  const { dataSource } = options;
  const log = options.log ?? console.error;
  const credentials = dataSource.credentials();
  if (credentials.kind !== "supabase") {
    throw new TypeError(
      `Cannot forward to data source "${dataSource.name}": it is of kind ${credentials.kind}`,
    );
  }
  if (dataSource.status === "disabled") {
    throw new DataSourceUnavailableError({
      dataSourceId: dataSource.id,
      reason: "disabled",
      retryAfterSeconds: 30,
    });
  }
  const { url, anon_key: anonKey, jwt_secret: jwtSecret } = credentials.credentials;
  if (jwtSecret === undefined) {
    log(
      `tenant-data: supabase data source ${dataSource.id} has no JWT secret: ` +
        "add jwt_secret to its credentials so the gateway can mint tokens for the project",
    );
    throw new DataSourceUnavailableError({
      dataSourceId: dataSource.id,
      reason: "credentials",
      retryAfterSeconds: 30,
    });
  }
  const method = request.method.toUpperCase();
  if (!METHODS.has(method)) {
    throw new PostgrestError("PGRST117", `Unsupported HTTP method: "${method}"`, {
      headers: { allow: [...METHODS].join(", ") },
    });
  }
  const target = targetUrl(url, options.path, new URL(request.url).search);
  const body = BODY_METHODS.has(method)
    ? await readBody(request, { maxBytes: options.maxBodyBytes ?? MAX_BODY_BYTES })
    : undefined;

  const breaker = options.breaker;
  const decision = breaker.tryAcquire();
  if (!decision.allowed) {
    throw new DataSourceUnavailableError({
      dataSourceId: dataSource.id,
      reason: "circuit_open",
      retryAfterSeconds: decision.retryAfterMs / 1000,
    });
  }
  const { permit } = decision;
  function unavailable(
    reason: DataSourceUnavailableReason,
    words: string,
    retryAfterSeconds?: number,
  ): DataSourceUnavailableError {
    log(`tenant-data: supabase data source ${dataSource.id} unavailable (${reason}): ${words}`);
    return new DataSourceUnavailableError({
      dataSourceId: dataSource.id,
      reason,
      retryAfterSeconds: retryAfterSeconds ?? breaker.retryAfterMs() / 1000,
    });
  }

  const token = await mintToken(options.claims, jwtSecret, options.now ?? Date.now);
  const headers = forwardedHeaders(request.headers, { apikey: anonKey, token });
  const signal = AbortSignal.any([
    AbortSignal.timeout(options.timeoutMs ?? DEFAULT_FORWARD_TIMEOUT_MS),
    request.signal,
  ]);

  let response: Response;
  try {
    response = await options.timing.measure("forward", () =>
      (options.fetch ?? fetch)(target, {
        method,
        headers,
        ...(body === undefined ? {} : { body: body as Uint8Array<ArrayBuffer> }),
        redirect: "manual",
        signal,
      }));
  } catch (error) {
    if (request.signal.aborted) {
      // The client went away: nothing to hold against the project.
      breaker.release(permit);
      throw unavailable("connection", "request aborted by the client", 1);
    }
    breaker.recordFailure(permit);
    // fetch's messages quote the URL: describe by kind only.
    throw unavailable("connection", isTimeout(error) ? "timed out" : "connection failed");
  }

  if (UNAVAILABLE_STATUSES.has(response.status)) {
    await response.body?.cancel();
    breaker.recordFailure(permit);
    throw unavailable("connection", `HTTP ${response.status}`, retryAfterOf(response));
  }
  breaker.recordSuccess(permit);
  if (response.status === 401) {
    await response.body?.cancel();
    throw unavailable(
      "credentials",
      "the project refused the gateway's API key or minted token (HTTP 401)",
      30,
    );
  }
  return passThrough(response, method);
}

/** PostgREST's headers of the user's request, plus the project's key and the minted token. */
function forwardedHeaders(incoming: Headers, credentials: { apikey: string; token: string }): Headers {
  const headers = new Headers();
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = incoming.get(name);
    if (value !== null) headers.set(name, value);
  }
  headers.set("apikey", credentials.apikey);
  headers.set("authorization", `Bearer ${credentials.token}`);
  return headers;
}

/** Mints the project token: HS256, {@linkcode FORWARD_TOKEN_TTL_SECONDS} seconds. */
async function mintToken(claims: RequestClaims, secret: string, now: () => number): Promise<string> {
  const iat = Math.floor(now() / 1000);
  return await new SignJWT({
    sub: claims.sub,
    role: "authenticated",
    aud: "authenticated",
    ...(claims.email === undefined ? {} : { email: claims.email }),
    tenant_id: claims.tenant_id,
    tenant_role: claims.tenant_role,
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(iat)
    .setExpirationTime(iat + FORWARD_TOKEN_TTL_SECONDS)
    .sign(new TextEncoder().encode(secret));
}

/**
 * `<project url>/rest/v1/<table>` or `…/rest/v1/rpc/<function>` plus the query string without `apikey`.
 * Segments are decoded, checked and encoded again, so the URL cannot leave `/rest/v1/`.
 */
function targetUrl(projectUrl: string, path: string, search: string): URL {
  if (!path.startsWith(`${API_PREFIX}/`)) throw new PostgrestError("PGRST125");
  const segments = path.slice(API_PREFIX.length + 1).split("/").map(decodeSegment);
  const valid = (segments.length === 1 && segments[0] !== "") ||
    (segments.length === 2 && segments[0] === "rpc" && segments[1] !== "");
  if (!valid || segments.some((segment) => segment === "." || segment === ".." || /[/\\]/.test(segment))) {
    throw new PostgrestError("PGRST125");
  }
  const target = new URL(projectUrl);
  target.pathname = `${target.pathname.replace(/\/+$/, "")}${API_PREFIX}/${
    segments.map(encodeURIComponent).join("/")
  }`;
  target.search = search
    .replace(/^\?/, "")
    .split("&")
    .filter((part) => part !== "" && queryName(part) !== "apikey")
    .join("&");
  target.hash = "";
  return target;
}

function decodeSegment(segment: string): string {
  try {
    const decoded = decodeURIComponent(segment);
    if (!decoded.includes("\0")) return decoded;
  } catch {
    // malformed percent-encoding: refused below
  }
  throw new PostgrestError("PGRST125");
}

function queryName(part: string): string {
  const name = part.split("=", 1)[0] ?? "";
  try {
    return decodeURIComponent(name.replaceAll("+", " ")).toLowerCase();
  } catch {
    return name.toLowerCase();
  }
}

/** The project's response with only the headers PostgREST clients read. */
function passThrough(response: Response, method: string): Response {
  const headers = new Headers();
  for (const name of PASSED_RESPONSE_HEADERS) {
    const value = response.headers.get(name);
    if (value === null) continue;
    // An absolute Location would reveal the project's URL; PostgREST's own is a relative path.
    if (name === "location" && !(value.startsWith("/") && !value.startsWith("//"))) continue;
    headers.set(name, value);
  }
  if (method === "HEAD" || response.status === 204 || response.status === 304) {
    void response.body?.cancel();
    return new Response(null, { status: response.status, headers });
  }
  return new Response(response.body, { status: response.status, headers });
}

function retryAfterOf(response: Response): number | undefined {
  const value = response.headers.get("retry-after")?.trim();
  if (value === undefined || !/^\d{1,5}$/.test(value)) return undefined;
  return Number(value);
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === "TimeoutError";
}
