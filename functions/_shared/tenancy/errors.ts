/**
 * Errors of tenant resolution. Both are {@linkcode PostgrestError}s, so the gateway answers them with
 * `err.toResponse()` like every other error of its pipeline.
 *
 * @module
 */
import { PostgrestError } from "../errors/mod.ts";

/**
 * Why a request gets no tenant:
 *
 * - `tenant_required`: several memberships, no `x-tenant-id`, and no usable `tenant_id` claim (TR401, 400);
 * - `not_accessible`: the requested tenant does not exist or the user is not a member of it, or the user
 *   has no membership at all (TR403, 403; one body for all, so it never reveals whether a tenant exists);
 * - `suspended`: the user is a member, but the tenant is suspended (TR403, 403, with its own message:
 *   only members ever see it).
 */
export type TenantAccessReason = "tenant_required" | "not_accessible" | "suspended";

/** The message of a `suspended` {@linkcode TenantAccessError}. */
export const TENANT_SUSPENDED_MESSAGE = "Cannot access tenant: it is suspended";

/**
 * The request names no tenant it may use. `reason` says why; the body is TR401's or TR403's.
 *
 * @example
 * ```ts
 * try {
 *   resolution = await directory.resolveTenant({ userId: claims.sub, requestedTenant });
 * } catch (err) {
 *   if (err instanceof PostgrestError) return err.toResponse(); // 400, 403 or 503
 *   throw err;
 * }
 * ```
 */
export class TenantAccessError extends PostgrestError {
  /** Why the request gets no tenant. */
  readonly reason: TenantAccessReason;

  /** Creates the error for `reason`. */
  constructor(reason: TenantAccessReason) {
    super(
      reason === "tenant_required" ? "TR401" : "TR403",
      reason === "suspended" ? TENANT_SUSPENDED_MESSAGE : undefined,
    );
    this.reason = reason;
  }

  /** The error name, shown by `String(err)` and in stacks. */
  override name = "TenantAccessError";
}

/** The message of a {@linkcode TenantDirectoryUnavailableError}. */
export const DIRECTORY_UNAVAILABLE_MESSAGE = "Tenant directory unavailable: try again later";

/** Seconds a client is told to wait when the application database cannot be read. */
export const DIRECTORY_RETRY_AFTER_SECONDS = 5;

/**
 * The application database cannot be read and the cache has nothing fresh to serve: TR503, HTTP 503 with
 * `Retry-After: 5`. The cause (for logs) is the database error; the body never shows it.
 */
export class TenantDirectoryUnavailableError extends PostgrestError {
  /** Creates the error; `cause` is kept for logs only. */
  constructor(options: { cause?: unknown } = {}) {
    super("TR503", DIRECTORY_UNAVAILABLE_MESSAGE, {
      retryAfter: DIRECTORY_RETRY_AFTER_SECONDS,
      cause: options.cause,
    });
  }

  /** The error name, shown by `String(err)` and in stacks. */
  override name = "TenantDirectoryUnavailableError";
}
