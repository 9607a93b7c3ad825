/**
 * Tenants with their effective data source, a page at a time or all of them.
 *
 * @module
 */
import type { Queryable } from "../data_sources/mod.ts";
import { AdminError } from "./admin_error.ts";
import { queryTenants, type TenantFilter, type TenantView } from "./_tenant_query.ts";

/** Tenants per page when no limit is asked for. */
export const DEFAULT_TENANT_PAGE_SIZE = 100;
/** The largest page a caller may ask for. */
export const MAX_TENANT_PAGE_SIZE = 1_000;

/** Options of {@linkcode listTenantPage}. */
export interface ListTenantPageOptions
  extends Pick<TenantFilter, "status" | "dataSourceId" | "dataSourceNotDefault"> {
  /** Tenants on the page, 1–{@linkcode MAX_TENANT_PAGE_SIZE}; default {@linkcode DEFAULT_TENANT_PAGE_SIZE}. */
  limit?: number | undefined;
  /** The `nextCursor` of the previous page, as it was given; absent for the first page. */
  cursor?: string | undefined;
}

/** One page of tenants. */
export interface TenantPage {
  /** Ordered by slug. */
  tenants: TenantView[];
  /** Where the next page starts (opaque), or `null` when this is the last page. */
  nextCursor: string | null;
}

/** Options of {@linkcode listTenants}. */
export type ListTenantsOptions = Pick<TenantFilter, "status" | "dataSourceId" | "dataSourceNotDefault">;

const CURSOR_VERSION = 1;
const MAX_CURSOR_LENGTH = 200;
const SLUG = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/**
 * One page of tenants by slug, optionally only those with a status or on a data source. Pages are keyed
 * by the last slug (keyset pagination): stable while tenants are created or deleted (no tenant shows twice,
 * none that existed throughout is skipped), and each page costs the same at any number of tenants.
 *
 * @throws {AdminError} `TR603` when the cursor is not one this function handed out; `TR600` for a limit
 * out of range.
 *
 * @example
 * ```ts
 * let cursor: string | undefined;
 * do {
 *   const page = await listTenantPage(sql, { limit: 500, cursor });
 *   for (const tenant of page.tenants) console.log(tenant.slug);
 *   cursor = page.nextCursor ?? undefined;
 * } while (cursor !== undefined);
 * ```
 */
export async function listTenantPage(
  tx: Queryable,
  options: ListTenantPageOptions = {},
): Promise<TenantPage> {
  const limit = options.limit ?? DEFAULT_TENANT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TENANT_PAGE_SIZE) {
    throw new AdminError("TR600", `Invalid limit: expected an integer from 1 to ${MAX_TENANT_PAGE_SIZE}`, {
      details: [{ path: "limit", message: `Expected an integer from 1 to ${MAX_TENANT_PAGE_SIZE}` }],
    });
  }
  const afterSlug = options.cursor === undefined ? undefined : decodeTenantCursor(options.cursor);
  // One row more than the page tells whether another page follows, without counting.
  const rows = await queryTenants(tx, {
    status: options.status,
    dataSourceId: options.dataSourceId,
    dataSourceNotDefault: options.dataSourceNotDefault,
    afterSlug,
    limit: limit + 1,
  });
  const tenants = rows.slice(0, limit);
  const last = tenants.at(-1);
  return { tenants, nextCursor: rows.length > limit && last ? encodeTenantCursor(last.slug) : null };
}

/**
 * Every tenant by slug (optionally only those with a status or on a data source), read a page of
 * {@linkcode MAX_TENANT_PAGE_SIZE} at a time.
 *
 * @example
 * ```ts
 * const suspended = await listTenants(sql, { status: "suspended" });
 * ```
 */
export async function listTenants(tx: Queryable, options: ListTenantsOptions = {}): Promise<TenantView[]> {
  const tenants: TenantView[] = [];
  let cursor: string | undefined;
  do {
    const page = await listTenantPage(tx, { ...options, limit: MAX_TENANT_PAGE_SIZE, cursor });
    tenants.push(...page.tenants);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return tenants;
}

/** The cursor of a page that starts after `slug`: base64url of a small versioned JSON object. */
function encodeTenantCursor(slug: string): string {
  const json = JSON.stringify({ v: CURSOR_VERSION, after: slug });
  return btoa(json).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The slug a cursor points after; `TR603` for anything {@linkcode encodeTenantCursor} did not make. */
function decodeTenantCursor(cursor: string): string {
  let decoded: unknown = undefined;
  if (cursor.length <= MAX_CURSOR_LENGTH && /^[A-Za-z0-9_-]+$/.test(cursor)) {
    try {
      decoded = JSON.parse(atob(cursor.replaceAll("-", "+").replaceAll("_", "/")));
    } catch {
      // not base64 or not JSON: refused below
    }
  }
  if (
    typeof decoded === "object" && decoded !== null && "v" in decoded && decoded.v === CURSOR_VERSION &&
    "after" in decoded && typeof decoded.after === "string" && SLUG.test(decoded.after)
  ) {
    return decoded.after;
  }
  throw new AdminError("TR603", undefined, {
    hint: "Pass the next cursor of a previous page unchanged, or leave it out to start from the first page",
  });
}
