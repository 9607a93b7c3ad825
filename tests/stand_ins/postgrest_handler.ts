/**
 * A PostgREST-compatible endpoint serving one tenant database directly, the way a Supabase project's
 * `/rest/v1` does: the project's own JWT secret, its API keys, and RLS by the token's tenant claims. It
 * stands in for a tenant's Supabase project wherever PostgREST itself is not available (the gateway's
 * `supabase` data sources are tested against it; `tests/stand_ins/postgrest_server.ts` runs it alone).
 *
 * @module
 */
import type postgres from "postgres";
import {
  ApiKeyVerifier,
  extractBearerToken,
  type JwtVerifier,
  type UserClaims,
} from "../../functions/_shared/auth/mod.ts";
import { jsonResponse, ServerTiming } from "../../functions/_shared/http/mod.ts";
import { API_PREFIX, parseRequest, PostgrestError } from "../../functions/_shared/postgrest/mod.ts";
import { CatalogCache } from "../../functions/_shared/catalog/mod.ts";
import type { PostgrestSettings } from "../../functions/_shared/data_sources/mod.ts";
import { errorResponse, type RequestClaims } from "../../functions/_shared/gateway/mod.ts";
import {
  type ExecutionSettings,
  executionSettings,
  runPostgrest,
} from "../../functions/_shared/gateway/mod.ts";

/** Options of {@linkcode createPostgrestHandler}. */
export interface PostgrestHandlerOptions extends Partial<ExecutionSettings> {
  /** The tenant database: a postgres.js pool with a role that can `set role authenticated`. */
  sql: postgres.Sql;
  /** Verifies bearer tokens and JWT-shaped API keys with this project's keys (not the gateway's). */
  jwtVerifier: JwtVerifier;
  /** Checks the `apikey` header; default the project's JWT-shaped anon and service-role keys. */
  apiKeys?: ApiKeyVerifier;
  /** Catalog snapshots; default a cache of its own. */
  catalogs?: CatalogCache;
  log?: (line: string) => void;
  /**
   * The project's PostgREST settings (`db-aggregates-enabled`, `db-plan-enabled`); both off by default,
   * as in Supabase. A `supabase` data source forwards to its project, so these decide for its tenants.
   */
  postgrest?: PostgrestSettings;
}

const ROLES: ReadonlySet<string> = new Set(["owner", "admin", "member", "viewer"]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The catalog cache key of the one database this endpoint serves. */
const CATALOG_KEY = "direct";

/**
 * Builds the endpoint's fetch handler. Paths are the project's own (`/rest/v1/<table>`, no function
 * prefix). Every data request needs:
 *
 * 1. an `apikey` that is one of the project's keys (`TR001`, 401);
 * 2. a signed-in user's token verified with the project's keys (`PGRST301`/`PGRST302`, 401): `anon` and
 *    `service_role` bearer tokens are refused, so nothing bypasses RLS through this endpoint;
 * 3. the claims `tenant_id` (a uuid) and `tenant_role` (`owner`, `admin`, `member` or `viewer`) in that
 *    token, as the gateway mints them (`TR403`, 403, otherwise).
 *
 * The request then runs through the same pipeline as the gateway's `postgres` data sources
 * ({@linkcode runPostgrest}), with `sub`, `role: authenticated`, `email`, `aud`, `tenant_id` and
 * `tenant_role` as `request.jwt.claims`. `GET /rest/v1/` with a valid `apikey` answers 200 (the
 * reachability check of `probeDataSource`); every other path is `PGRST125` (404).
 *
 * @example
 * ```ts
 * const jwtVerifier = await JwtVerifier.create({ secret: projectSecret });
 * Deno.serve({ port: 3000 }, createPostgrestHandler({ sql: postgres(tenantDbUrl), jwtVerifier }));
 * ```
 */
export function createPostgrestHandler(
  options: PostgrestHandlerOptions,
): (request: Request) => Promise<Response> {
  const log = options.log ?? console.error;
  const apiKeys = options.apiKeys ?? ApiKeyVerifier.create({ jwtVerifier: options.jwtVerifier });
  const catalogs = options.catalogs ?? new CatalogCache();
  const settings = executionSettings(options);

  async function handle(request: Request, timing: ServerTiming): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === API_PREFIX || path === `${API_PREFIX}/`) {
      if (request.method !== "GET" && request.method !== "HEAD") throw new PostgrestError("PGRST125");
      await apiKeys.verify(request.headers);
      return jsonResponse({ status: "ok" });
    }
    if (!path.startsWith(`${API_PREFIX}/`)) throw new PostgrestError("PGRST125");
    const user = await timing.measure("auth", async () => {
      await apiKeys.verify(request.headers);
      return await options.jwtVerifier.verifyUserToken(extractBearerToken(request.headers));
    });
    const claims = tenantClaims(user);
    const apiRequest = await timing.measure("parse", () => parseRequest(request, { path }));
    return await runPostgrest(options.sql, {
      request: apiRequest,
      claims,
      catalogs,
      catalogKey: CATALOG_KEY,
      ...(options.postgrest ? { postgrest: options.postgrest } : {}),
      timing,
      ...settings,
    });
  }

  return async function handlePostgrestRequest(request: Request): Promise<Response> {
    const timing = new ServerTiming();
    let response: Response;
    try {
      response = await handle(request, timing);
    } catch (error) {
      response = errorResponse(error, { method: request.method, log });
    }
    response.headers.set("server-timing", timing.header());
    return response;
  };
}

/** The RLS claims of a verified user token; the tenant claims are required. */
function tenantClaims(user: Readonly<UserClaims>): RequestClaims {
  const { tenant_id: tenantId, tenant_role: tenantRole } = user;
  if (tenantId === undefined || !UUID.test(tenantId) || tenantRole === undefined || !ROLES.has(tenantRole)) {
    throw new PostgrestError(
      "TR403",
      "Cannot access tenant: the token has no valid tenant_id and tenant_role",
      {
        hint: "Tokens for this endpoint carry the tenant_id (uuid) and tenant_role claims",
      },
    );
  }
  return {
    sub: user.sub,
    role: "authenticated",
    ...(user.email === undefined ? {} : { email: user.email }),
    aud: user.aud,
    tenant_id: tenantId,
    tenant_role: tenantRole as RequestClaims["tenant_role"],
  };
}
