/**
 * The one table of the project's error codes and their HTTP statuses: the data gateway's, the auth
 * module's and the admin API's (shared with the operator CLI, which maps them to exit codes).
 *
 * Codes are grouped by layer, as PostgREST groups them (`src/PostgREST/Error.hs`), with Tenant Router's
 * own ranges beside them:
 *
 * | range | layer |
 * | --- | --- |
 * | `PGRST0xx` | connection to the database, schema cache |
 * | `PGRST1xx` | the request (query string, headers, body) |
 * | `PGRST2xx` | the schema cache (unknown table, column, relationship, function) |
 * | `PGRST3xx` | JWT authentication |
 * | `PGRSTX00` | internal error |
 * | `TR4xx` | Tenant Router: the gateway refuses the request (tenancy, membership, request limits) |
 * | `TR5xx` | Tenant Router: the tenant's data is temporarily unavailable (always with `Retry-After`) |
 * | `TR0xx` | Tenant Router: authentication (API key, signing keys, privilege), beside `PGRST301`/`PGRST302` |
 * | `TR6xx` | Tenant Router: the admin API and the operator CLI (validation, permission, not found, conflict, unavailable) |
 *
 * The admin API's codes, in detail:
 *
 * | code | status | when |
 * | --- | --- | --- |
 * | `TR600` | 400 | a body, path or query parameter failed validation; `details` lists `{ path, message }` per field |
 * | `TR601` | 400 | the body is not valid JSON |
 * | `TR602` | 413 | the body is larger than the admin API accepts |
 * | `TR603` | 400 | a list's `cursor` is not one a previous page handed out (pass it unchanged) |
 * | `TR610` | 403 | the caller is neither the service role nor a platform admin |
 * | `TR611` | 403 | the caller is not an owner or admin of the tenant (or the tenant does not exist: not revealed) |
 * | `TR612` | 403 | a membership rule: admins cannot add, remove, promote or demote owners; members can only leave |
 * | `TR620` | 404 | no such endpoint |
 * | `TR621` | 404 | no such tenant |
 * | `TR622` | 404 | no such data source |
 * | `TR623` | 404 | no such user or membership |
 * | `TR624` | 404 | no such tenant move |
 * | `TR630` | 409 | already exists: tenant slug, data source name, membership |
 * | `TR631` | 409 | the data source is in use (by tenants or by tenant moves) |
 * | `TR632` | 409 | the last owner cannot leave, be removed or be demoted |
 * | `TR633` | 409 | the tenant or data source is in a state that forbids the change (moving, draining, default) |
 * | `TR634` | 409 | the key registry disagrees with the configured keys (not active, retired, other fingerprint) |
 * | `TR635` | 409 | a tenant move's source and target hold different schema versions: provision first |
 * | `TR636` | 409 | a tenant move is being run by another process right now |
 * | `TR640` | 422 | stored credentials cannot be opened (key not configured, authentication failed) |
 * | `TR641` | 422 | the operation does not apply to this kind of data source |
 * | `TR642` | 422 | the database lacks what the tenant schema needs from Supabase's image: provision with `bootstrap_supabase` |
 * | `TR650` | 502 | the data source could not be reached or provisioned |
 * | `TR660` | 503 | the admin API is not configured (database URL, keys or JWT verification missing) |
 * | `TR661` | 503 | the application database cannot be reached now (with `Retry-After`) |
 * | `TR699` | 500 | anything unforeseen: an opaque body, details only in the log |
 *
 * Authentication failures keep the auth codes in the admin API too (`PGRST301`/`PGRST302` 401, `TR003`
 * 403, `TR002` 503).
 *
 * `PGRST` codes keep PostgREST's number, status and (where PostgREST's is fixed) message, so clients
 * written against PostgREST recognise them. The gateway never invents a `PGRST` code: its own conditions
 * get a `TR` code.
 *
 * **Retired codes are never reused.** A code that is no longer raised moves from {@linkcode ERROR_CODES}
 * to {@linkcode RETIRED_CODES} with a note saying why; a new condition always takes a new number. A client
 * that once matched on a code must never see it mean something else. PostgREST's own retired numbers are
 * listed too, so nobody revives them here.
 *
 * Database errors (SQLSTATE codes such as `23505`) are not in this table: their status comes from
 * {@linkcode statusForSqlState}.
 *
 * @module
 */

/** The layer an error code belongs to. */
export type ErrorLayer =
  | "connection"
  | "request"
  | "schema-cache"
  | "jwt"
  | "internal"
  | "tenancy"
  | "data-source"
  | "auth"
  | "admin";

/** One row of {@linkcode ERROR_CODES}. */
export interface ErrorCodeInfo {
  /** The HTTP status the error is answered with. */
  readonly status: number;
  /** Which layer raises it. */
  readonly layer: ErrorLayer;
  /** The default message: PostgREST's where PostgREST's is fixed, else a short description. */
  readonly message: string;
  /** Seconds for `Retry-After`, for errors that are always temporary. */
  readonly retryAfter?: number;
}

/**
 * Every error code the gateway, the auth module and the admin API may answer with, its HTTP status, layer
 * and default message.
 *
 * @example
 * ```ts
 * ERROR_CODES.PGRST116.status; // 406
 * ```
 */
export const ERROR_CODES = {
  // PGRST0xx: connection (answered by the executor)
  PGRST000: {
    status: 503,
    layer: "connection",
    message: "Database connection error. Retrying the connection.",
  },
  PGRST001: { status: 503, layer: "connection", message: "Database client error. Retrying the connection." },
  PGRST002: {
    status: 503,
    layer: "connection",
    message: "Could not query the database for the schema cache. Retrying.",
  },
  PGRST003: {
    status: 504,
    layer: "connection",
    message: "Timed out acquiring connection from connection pool.",
  },

  // PGRST1xx: the request
  PGRST100: { status: 400, layer: "request", message: "Cannot parse the query string" },
  PGRST101: { status: 405, layer: "request", message: "Cannot use this method on RPC" },
  PGRST102: { status: 400, layer: "request", message: "Cannot parse the request body" },
  PGRST103: { status: 416, layer: "request", message: "Requested range not satisfiable" },
  PGRST105: {
    status: 405,
    layer: "request",
    message: "Filters must include all and only primary key columns with 'eq' operators",
  },
  PGRST106: { status: 406, layer: "request", message: "Invalid schema" },
  PGRST107: { status: 406, layer: "request", message: "None of these media types are available" },
  PGRST108: { status: 400, layer: "request", message: "Not an embedded resource in this request" },
  PGRST111: {
    status: 500,
    layer: "request",
    message:
      "response.headers guc must be a JSON array composed of objects with a single key and a string value",
  },
  PGRST112: { status: 500, layer: "request", message: "response.status guc must be a valid status code" },
  PGRST114: {
    status: 400,
    layer: "request",
    message: "limit/offset querystring parameters are not allowed for PUT",
  },
  PGRST115: {
    status: 400,
    layer: "request",
    message: "Payload values do not match URL in primary key column(s)",
  },
  PGRST116: { status: 406, layer: "request", message: "Cannot coerce the result to a single JSON object" },
  PGRST117: { status: 405, layer: "request", message: "Unsupported HTTP method" },
  PGRST118: { status: 400, layer: "request", message: "A related order is not possible" },
  PGRST120: { status: 400, layer: "request", message: "Bad operator on an embedded resource" },
  PGRST121: {
    status: 500,
    layer: "request",
    message: "Could not parse JSON in the \"RAISE SQLSTATE 'PGRST'\" error",
  },
  PGRST122: { status: 400, layer: "request", message: "Invalid preferences given with handling=strict" },
  PGRST123: { status: 400, layer: "request", message: "Use of aggregate functions is not allowed" },
  PGRST124: {
    status: 400,
    layer: "request",
    message: "Query result exceeds max-affected preference constraint",
  },
  PGRST125: { status: 404, layer: "request", message: "Invalid path specified in request URL" },
  PGRST126: { status: 404, layer: "request", message: "Root endpoint metadata is disabled" },
  PGRST127: { status: 400, layer: "request", message: "Feature not implemented" },
  PGRST128: {
    status: 400,
    layer: "request",
    message: "Function must return SETOF or TABLE when max-affected preference is used with handling=strict",
  },

  // PGRST2xx: schema cache (answered by the planner)
  PGRST200: {
    status: 400,
    layer: "schema-cache",
    message: "Could not find a relationship in the schema cache",
  },
  PGRST201: {
    status: 300,
    layer: "schema-cache",
    message: "Could not embed because more than one relationship was found",
  },
  PGRST202: {
    status: 404,
    layer: "schema-cache",
    message: "Could not find the function in the schema cache",
  },
  PGRST203: { status: 300, layer: "schema-cache", message: "Could not choose the best candidate function" },
  PGRST204: { status: 400, layer: "schema-cache", message: "Could not find the column in the schema cache" },
  PGRST205: { status: 404, layer: "schema-cache", message: "Could not find the table in the schema cache" },

  // PGRST3xx: JWT (answered by the auth stage; 401s carry WWW-Authenticate)
  PGRST300: { status: 500, layer: "jwt", message: "Server lacks JWT secret" },
  PGRST301: { status: 401, layer: "jwt", message: "JWT could not be decoded" },
  PGRST302: { status: 401, layer: "jwt", message: "Anonymous access is disabled" },
  PGRST303: { status: 401, layer: "jwt", message: "JWT claims validation failed" },

  // PGRSTX00: internal
  PGRSTX00: { status: 500, layer: "internal", message: "Internal server error" },

  // TR4xx: the gateway refuses the request
  TR401: {
    status: 400,
    layer: "tenancy",
    message: "Tenant required: you belong to several tenants, send x-tenant-id with the one to use",
  },
  TR403: {
    // One message for "no such tenant" and "not a member": it must not reveal whether the tenant exists.
    status: 403,
    layer: "tenancy",
    message: "Cannot access tenant: it does not exist or you are not a member",
  },
  TR413: { status: 413, layer: "request", message: "Request body too large" },

  // TR5xx: the tenant's data is temporarily unavailable
  TR503: {
    status: 503,
    layer: "data-source",
    message: "Data source unavailable: try again later",
    retryAfter: 10,
  },
  TR504: {
    status: 503,
    layer: "data-source",
    message: "Tenant is being moved: writes are paused, try again shortly",
    retryAfter: 5,
  },
  TR505: {
    // The function's configuration (database URL, keys) is missing or malformed: see its log.
    status: 503,
    layer: "data-source",
    message: "The data gateway is not configured",
    retryAfter: 30,
  },
  TR506: {
    // Every connection of the data source's pool stayed busy for the acquire timeout.
    status: 503,
    layer: "data-source",
    message: "Data source busy: all its connections are in use, try again shortly",
    retryAfter: 1,
  },
  // TR0xx: authentication (the auth module; 401s carry their own WWW-Authenticate)
  TR001: { status: 401, layer: "auth", message: "Invalid API key" },
  TR002: { status: 503, layer: "auth", message: "Cannot fetch the signing keys: try again" },
  TR003: { status: 403, layer: "auth", message: "Permission denied: the token lacks the required role" },
  // TR6xx: the admin API and the operator CLI
  TR600: { status: 400, layer: "admin", message: "Invalid request" },
  TR601: { status: 400, layer: "admin", message: "Cannot parse the request body: expected JSON" },
  TR602: { status: 413, layer: "admin", message: "Request body too large" },
  TR603: {
    status: 400,
    layer: "admin",
    message: "Invalid cursor: it is not the next cursor of a previous page",
  },
  TR610: {
    status: 403,
    layer: "admin",
    message: "Permission denied: this endpoint requires the service_role key or a platform admin",
  },
  TR611: {
    status: 403,
    layer: "admin",
    message:
      "Cannot manage this tenant's members: it does not exist or you are not one of its owners or admins",
  },
  TR612: { status: 403, layer: "admin", message: "Permission denied by the membership rules" },
  TR620: { status: 404, layer: "admin", message: "No such endpoint" },
  TR621: { status: 404, layer: "admin", message: "Tenant not found" },
  TR622: { status: 404, layer: "admin", message: "Data source not found" },
  TR623: { status: 404, layer: "admin", message: "User or membership not found" },
  TR624: { status: 404, layer: "admin", message: "Tenant move not found" },
  TR630: { status: 409, layer: "admin", message: "Already exists" },
  TR631: { status: 409, layer: "admin", message: "Data source is in use" },
  TR632: { status: 409, layer: "admin", message: "A tenant must keep at least one owner" },
  TR633: { status: 409, layer: "admin", message: "The change conflicts with the current state" },
  TR634: { status: 409, layer: "admin", message: "The key registry does not match the configured keys" },
  TR635: { status: 409, layer: "admin", message: "Source and target hold different schema versions" },
  TR636: { status: 409, layer: "admin", message: "The move is being run by another process" },
  TR640: { status: 422, layer: "admin", message: "Cannot open the stored credentials" },
  TR641: { status: 422, layer: "admin", message: "Not supported for this kind of data source" },
  TR642: {
    status: 422,
    layer: "admin",
    message: "The database lacks what the tenant schema needs from Supabase's image",
  },
  TR650: { status: 502, layer: "admin", message: "Data source unavailable" },
  TR660: { status: 503, layer: "admin", message: "The admin API is not configured" },
  TR661: {
    status: 503,
    layer: "admin",
    message: "The application database is unavailable: try again shortly",
  },
  TR699: { status: 500, layer: "admin", message: "Internal server error" },
} as const satisfies Record<string, ErrorCodeInfo>;

/** A code listed in {@linkcode ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** A code of the admin API's range (`TR6xx`). */
export type AdminErrorCode = Extract<ErrorCode, `TR6${string}`>;

/**
 * Codes that were once raised and are never to be raised again, with the reason. PostgREST's retired
 * numbers are included so they are not revived here.
 */
export const RETIRED_CODES: Readonly<Record<string, string>> = {
  PGRST104: "PostgREST: ParseRequestError, no longer used",
  PGRST109: "PostgREST: LimitNoOrderError (limit on PATCH/DELETE without order), no longer used",
  PGRST110: "PostgREST: OffLimitsChangesError, no longer used",
  PGRST113: "PostgREST: BinaryFieldError, no longer used",
  PGRST119: "PostgREST: SpreadNotToOne, no longer used",
};

/**
 * Whether `code` is a live code of {@linkcode ERROR_CODES}.
 *
 * @example
 * ```ts
 * isErrorCode("PGRST100"); // true
 * isErrorCode("23505"); // false: a SQLSTATE
 * ```
 */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}
