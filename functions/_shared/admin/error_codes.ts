/**
 * The one table of the admin API's error codes (`TR6xx`) and their HTTP statuses, shared with the
 * operator CLI (which maps them to exit codes).
 *
 * | code | status | when |
 * | --- | --- | --- |
 * | `TR600` | 400 | a body, path or query parameter failed validation; `details` lists `{ path, message }` per field |
 * | `TR601` | 400 | the body is not valid JSON |
 * | `TR602` | 413 | the body is larger than the admin API accepts |
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
 * Authentication failures keep the auth module's codes (`PGRST301`/`PGRST302` 401, `TR003` 403,
 * `TR002` 503). **Retired codes are never reused**: a new condition takes a new number.
 *
 * @module
 */

/** One row of {@linkcode ADMIN_ERROR_CODES}. */
export interface AdminErrorCodeInfo {
  /** The HTTP status the error is answered with. */
  readonly status: number;
  /** The default message, in sentence case. */
  readonly message: string;
}

/**
 * Every error code the admin API answers with, its HTTP status and default message.
 *
 * @example
 * ```ts
 * ADMIN_ERROR_CODES.TR631.status; // 409
 * ```
 */
export const ADMIN_ERROR_CODES = {
  TR600: { status: 400, message: "Invalid request" },
  TR601: { status: 400, message: "Cannot parse the request body: expected JSON" },
  TR602: { status: 413, message: "Request body too large" },
  TR610: {
    status: 403,
    message: "Permission denied: this endpoint requires the service_role key or a platform admin",
  },
  TR611: {
    status: 403,
    message:
      "Cannot manage this tenant's members: it does not exist or you are not one of its owners or admins",
  },
  TR612: { status: 403, message: "Permission denied by the membership rules" },
  TR620: { status: 404, message: "No such endpoint" },
  TR621: { status: 404, message: "Tenant not found" },
  TR622: { status: 404, message: "Data source not found" },
  TR623: { status: 404, message: "User or membership not found" },
  TR624: { status: 404, message: "Tenant move not found" },
  TR630: { status: 409, message: "Already exists" },
  TR631: { status: 409, message: "Data source is in use" },
  TR632: { status: 409, message: "A tenant must keep at least one owner" },
  TR633: { status: 409, message: "The change conflicts with the current state" },
  TR634: { status: 409, message: "The key registry does not match the configured keys" },
  TR635: { status: 409, message: "Source and target hold different schema versions" },
  TR636: { status: 409, message: "The move is being run by another process" },
  TR640: { status: 422, message: "Cannot open the stored credentials" },
  TR641: { status: 422, message: "Not supported for this kind of data source" },
  TR642: { status: 422, message: "The database lacks what the tenant schema needs from Supabase's image" },
  TR650: { status: 502, message: "Data source unavailable" },
  TR660: { status: 503, message: "The admin API is not configured" },
  TR661: { status: 503, message: "The application database is unavailable: try again shortly" },
  TR699: { status: 500, message: "Internal server error" },
} as const satisfies Record<string, AdminErrorCodeInfo>;

/** A code listed in {@linkcode ADMIN_ERROR_CODES}. */
export type AdminErrorCode = keyof typeof ADMIN_ERROR_CODES;
