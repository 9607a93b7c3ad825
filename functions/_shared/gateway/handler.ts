/**
 * The `tenant-data` function: a PostgREST-compatible gateway. Each request is authenticated, resolved to
 * a tenant the user belongs to, and run in that tenant's data source under RLS with the user's claims.
 *
 * @module
 */
import { type ApiKeyVerifier, extractBearerToken, type JwtVerifier } from "../auth/mod.ts";
import type { DataSource, DataSourcePools } from "../data_sources/mod.ts";
import { functionPath, jsonResponse, preflightResponse, ServerTiming, withCors } from "../http/mod.ts";
import { API_PREFIX, type ApiRequest, parseRequest, PostgrestError } from "../postgrest/mod.ts";
import {
  freezeRetryAfterSeconds,
  type TenantDirectory,
  type TenantResolution,
  writesFrozenNow,
} from "../tenancy/mod.ts";
import type { CatalogCache } from "../catalog/mod.ts";
import { errorResponse } from "./error_response.ts";
import type { RequestClaims } from "./execute.ts";
import { Identities, identityKey } from "./_identities.ts";
import { requestShape, RequestShapes } from "./_request_shapes.ts";
import {
  type ExecutionSettings,
  executionSettings,
  runPostgrest,
  type ShapedRequest,
} from "./run_postgrest.ts";

/** Options of {@linkcode createGatewayHandler}. */
export interface GatewayHandlerOptions extends Partial<ExecutionSettings> {
  /** The function's name, which prefixes every path it is reached by. */
  functionName: string;
  jwtVerifier: JwtVerifier;
  apiKeys: ApiKeyVerifier;
  directory: TenantDirectory;
  pools: DataSourcePools;
  catalogs: CatalogCache;
  log?: (line: string) => void;
}

/**
 * Builds the gateway's fetch handler.
 *
 * @example
 * ```ts
 * Deno.serve(createGatewayHandler({ functionName: "tenant-data", jwtVerifier, apiKeys, directory, pools, catalogs }));
 * ```
 */
export function createGatewayHandler(
  options: GatewayHandlerOptions,
): (request: Request) => Promise<Response> {
  const log = options.log ?? console.error;
  const settings = executionSettings(options);
  const shapes = new RequestShapes();
  const identities = new Identities<Identity>();
  const isCurrent = (identity: Identity) => options.directory.isCurrent(identity.resolution);

  /**
   * The parsed request, or for a read whose shape was learnt the shape's request, not parsed (its
   * operands are bound from the query string; see `_request_shapes.ts`).
   */
  async function parseOrRecall(
    request: Request,
    original: { path: string; url: URL; scope: string },
  ): Promise<{ apiRequest: ApiRequest; shaped: ShapedRequest | undefined }> {
    // EXPLAIN requests are planned afresh: their answer is the plan, not the shape's statement.
    const explains = request.headers.get("accept")?.includes("vnd.pgrst.plan") ?? false;
    const shape = explains ? undefined : requestShape(request, original.url, original.path, original.scope);
    const entry = shape === undefined ? null : shapes.get(shape);
    const at = { request, url: original.url, path: original.path };
    if (entry) return { apiRequest: entry.request, shaped: { shapes, shape: shape!, entry, original: at } };
    const apiRequest = await parseRequest(request, { path: original.path, url: original.url });
    // A shape known not to be cacheable (null) is planned afresh, and not learnt again.
    const shaped = shape === undefined || entry === null || !shapes.recurs(shape!)
      ? undefined
      : { shapes, shape, entry: undefined, original: at };
    return { apiRequest, shaped };
  }

  /** The request's tenant and claims: remembered (`_identities.ts`), else verified and resolved. */
  async function identify(request: Request, timing: ServerTiming): Promise<Identity> {
    const started = performance.now();
    const key = identityKey(request.headers);
    const known = identities.get(key, isCurrent);
    if (known !== undefined) {
      timing.record("auth", performance.now() - started);
      return known;
    }
    const { user, expiresAt } = await timing.measure("auth", async () => {
      const apiKey = await options.apiKeys.verify(request.headers);
      const user = await options.jwtVerifier.verifyUserToken(extractBearerToken(request.headers));
      return { user, expiresAt: Math.min(user.exp * 1000, apiKey.expiresAt ?? Infinity) };
    });
    const resolution = await timing.measure("tenant", () =>
      options.directory.resolveTenant({
        userId: user.sub,
        requestedTenant: request.headers.get("x-tenant-id") ?? undefined,
        tokenTenantId: typeof user.tenant_id === "string" ? user.tenant_id : undefined,
      }));
    const identity = { resolution, claims: requestClaims(user, resolution) };
    // A change heard while resolving leaves the resolution not current from the start.
    identities.set(key, identity, expiresAt);
    return identity;
  }

  async function handle(request: Request, timing: ServerTiming): Promise<Response> {
    const url = new URL(request.url);
    const path = functionPath(url, options.functionName);
    if (path === "/health" && (request.method === "GET" || request.method === "HEAD")) {
      return jsonResponse({ status: "ok", function: options.functionName });
    }
    if (!path.startsWith(`${API_PREFIX}/`)) throw new PostgrestError("PGRST125");
    const { resolution, claims } = await identify(request, timing);
    // A tenant move is copying its final delta: writes wait (503, Retry-After: the freeze's expected
    // rest), reads go on. A freeze whose holder's lease ran out (the process died) no longer counts.
    if (writesFrozenNow(resolution.tenant) && request.method !== "GET" && request.method !== "HEAD") {
      throw new PostgrestError("TR504", undefined, {
        retryAfter: freezeRetryAfterSeconds(resolution.tenant),
      });
    }
    // A supabase data source parses the request itself: forward it unread (the body is still unconsumed).
    return await options.pools.serve(resolution.dataSource, {
      request,
      path,
      claims,
      timing,
      log,
      postgres: async (run) => {
        const { apiRequest, shaped } = await timing.measure(
          "parse",
          () => parseOrRecall(request, { path, url, scope: shapeScope(resolution.dataSource) }),
        );
        // The wait for a turn on the data source's pool (its connection gate), which no stage covers.
        const asked = performance.now();
        return await run((sql, { unavailable, connected }) => {
          timing.record("pool", performance.now() - asked);
          return runPostgrest(sql, {
            unavailable,
            onConnection: connected,
            request: apiRequest,
            claims,
            catalogs: options.catalogs,
            catalogKey: resolution.dataSource.id,
            postgrest: resolution.dataSource.postgrest,
            timing,
            ...(shaped === undefined ? {} : { shaped }),
            ...settings,
          });
        });
      },
    });
  }

  return async function handleGatewayRequest(request: Request): Promise<Response> {
    if (request.method === "OPTIONS") return preflightResponse();
    const started = performance.now();
    const timing = new ServerTiming();
    let response: Response;
    try {
      response = await handle(request, timing);
    } catch (error) {
      response = errorResponse(error, { method: request.method, log });
    }
    response = withCors(response);
    // total: the handler's whole time, so a client can tell the time spent before the handler (queued
    // behind other requests on a busy instance) from the handler's own.
    timing.record("total", performance.now() - started);
    response.headers.set("server-timing", timing.header());
    return response;
  };
}

/** Who a request is: its tenant resolution and the claims the tenant database's RLS reads. */
interface Identity {
  resolution: TenantResolution;
  claims: RequestClaims;
}

/** The claims of CONTRACT.md the tenant database's RLS reads: never a role the user chose. */
function requestClaims(
  user: { sub: string; email?: string | undefined; aud?: string | string[] | undefined },
  resolution: TenantResolution,
): RequestClaims {
  return {
    sub: user.sub,
    role: "authenticated",
    ...(user.email ? { email: user.email } : {}),
    ...(user.aud ? { aud: user.aud } : {}),
    tenant_id: resolution.tenant.id,
    tenant_role: resolution.role,
  };
}

/** What a shape's statement depends on besides the request: the data source and its PostgREST settings. */
function shapeScope(dataSource: DataSource): string {
  return dataSource.postgrest?.aggregates ? `${dataSource.id}+aggregates` : dataSource.id;
}
