/**
 * The parse stage: an HTTP request in PostgREST's language → {@linkcode ApiRequest}. Pure: no catalog, no
 * database, no tenancy.
 *
 * @module
 */

import { quote } from "./_quote.ts";
import { PostgrestError } from "../../errors/mod.ts";
import { parseBody } from "./parse_body.ts";
import { parseContentType } from "./parse_content_type.ts";
import { parseHeaders } from "./parse_headers.ts";
import { parseQuery } from "./parse_query.ts";
import { API_PREFIX, readBody } from "../../http/mod.ts";
import type { ApiAction, ApiMethod, ApiRequest, Payload, Resource } from "./request.ts";

/** Options of {@linkcode parseRequest}. */
export interface ParseRequestOptions {
  /** The path inside the function, percent-encoded as in the URL: `/rest/v1/contacts`. */
  path: string;
  /** `request.url` parsed already (the caller needed it for `path`); default parsed here. */
  url?: URL;
  /** The largest body accepted, in bytes; defaults to {@linkcode MAX_BODY_BYTES} (1 MiB). */
  maxBodyBytes?: number;
  /** The schemas a profile header may name, the first being the default; defaults to `["public"]`. */
  schemas?: readonly string[];
}

/** The path prefix PostgREST is served under, as supabase-js calls it (defined in `http`). */
export { API_PREFIX };

const TABLE_METHODS = "GET, HEAD, POST, PATCH, DELETE";
const RPC_METHODS = "GET, HEAD, POST";

/**
 * Parses a request to `/rest/v1/<table>` or `/rest/v1/rpc/<function>`, in PostgREST's order: path,
 * method, query string, headers, body.
 *
 * | method | table | rpc |
 * | --- | --- | --- |
 * | GET, HEAD | `read` | `call` (parameters without an operator are arguments) |
 * | POST | `create` (object or array body) | `call` (object body) |
 * | PATCH | `update` (object body) | 405 `PGRST101` |
 * | DELETE | `delete` (body ignored) | 405 `PGRST101` |
 * | anything else | 405 `PGRST117` | 405 `PGRST101` (PUT, PATCH, DELETE) or `PGRST117` |
 *
 * PUT (PostgREST's single-row upsert) is not served: supabase-js never sends it. OPTIONS (CORS) is the
 * handler's business before parsing. The body is read only for POST and PATCH, with a byte limit.
 *
 * @throws {PostgrestError} and nothing else for a request the client got wrong: `PGRST125`/`PGRST126` (404)
 * path, `PGRST101`/`PGRST117` (405) method, `PGRST100` (400) query string, `PGRST103` (416) range,
 * `PGRST106`/`PGRST107` (406) profile/accept, `PGRST122` (400) strict preferences, `PGRST102` (400) body,
 * `TR413` (413) body too large.
 *
 * @example
 * ```ts
 * const path = functionPath(new URL(request.url), "tenant-data"); // "/rest/v1/contacts"
 * const apiRequest = await parseRequest(request, { path });
 * apiRequest.resource; // { kind: "table", name: "contacts" }
 * ```
 */
export async function parseRequest(request: Request, options: ParseRequestOptions): Promise<ApiRequest> {
  const resource = parseResource(options.path);
  const method = parseMethod(request.method, resource);
  const action = actionOf(method, resource);
  const query = parseQuery((options.url ?? new URL(request.url)).searchParams, {
    rpcRead: action === "call" && (method === "GET" || method === "HEAD"),
  });
  const headers = parseHeaders(request.headers, {
    method,
    ...(options.schemas === undefined ? {} : { schemas: options.schemas }),
  });
  let body: Payload | null = null;
  if (method === "POST" || method === "PATCH") {
    parseContentType(request.headers.get("content-type"));
    const bytes = await readBody(
      request,
      options.maxBodyBytes === undefined ? {} : { maxBytes: options.maxBodyBytes },
    );
    const target = resource.kind === "rpc" ? "rpc" : method === "POST" ? "insert" : "update";
    body = parseBody(bytes, { target, columns: query.columns });
  }
  return {
    method,
    action,
    resource,
    schema: headers.schema,
    query,
    preferences: headers.preferences,
    accept: headers.accept,
    range: headers.range,
    body,
  };
}

function parseResource(path: string): Resource {
  if (path !== API_PREFIX && !path.startsWith(`${API_PREFIX}/`)) throw new PostgrestError("PGRST125");
  const rest = path.slice(API_PREFIX.length + 1);
  if (rest === "") throw new PostgrestError("PGRST126");
  const segments = rest.split("/").map(decodeSegment);
  const [first, second] = segments;
  if (segments.length === 1 && first !== undefined && first !== "") return { kind: "table", name: first };
  if (segments.length === 2 && first === "rpc" && second !== undefined && second !== "") {
    return { kind: "rpc", name: second };
  }
  throw new PostgrestError("PGRST125");
}

function decodeSegment(segment: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    throw new PostgrestError("PGRST125", undefined, {
      details: `Malformed percent-encoding in ${quote(segment)}`,
    });
  }
  if (decoded.includes("\0")) throw new PostgrestError("PGRST125");
  return decoded;
}

function parseMethod(method: string, resource: Resource): ApiMethod {
  if (method === "GET" || method === "HEAD" || method === "POST") return method;
  if (resource.kind === "rpc" && ["PUT", "PATCH", "DELETE"].includes(method)) {
    throw new PostgrestError("PGRST101", `Cannot use the ${method} method on RPC`, {
      headers: { allow: RPC_METHODS },
    });
  }
  if (resource.kind === "table" && (method === "PATCH" || method === "DELETE")) return method;
  throw new PostgrestError("PGRST117", `Unsupported HTTP method: ${quote(method)}`, {
    headers: { allow: resource.kind === "rpc" ? RPC_METHODS : TABLE_METHODS },
  });
}

function actionOf(method: ApiMethod, resource: Resource): ApiAction {
  if (resource.kind === "rpc") return "call";
  switch (method) {
    case "GET":
    case "HEAD":
      return "read";
    case "POST":
      return "create";
    case "PATCH":
      return "update";
    case "DELETE":
      return "delete";
  }
}
