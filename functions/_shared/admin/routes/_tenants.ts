/**
 * `/tenants`: create, read, list, rename, suspend and route tenants (platform callers only).
 *
 * @module
 */
import { Hono } from "hono";
import { z } from "zod";
import { jsonBody, platformOnly } from "../_middleware.ts";
import {
  assignDataSource,
  AssignDataSourceBody,
  createTenant,
  CreateTenantBody,
  DataSourceRef,
  findDataSource,
  findTenant,
  listTenantPage,
  MAX_TENANT_PAGE_SIZE,
  updateTenant,
  UpdateTenantBody,
  validate,
  withClaims,
} from "../../control_plane/mod.ts";
import type { AdminDeps, AdminEnv } from "./_env.ts";

const ListQuery = z.object({
  status: z.enum(["active", "suspended", "moving"]).optional(),
  data_source: DataSourceRef.optional(),
  limit: z.string().regex(/^[0-9]{1,4}$/, `Expected an integer from 1 to ${MAX_TENANT_PAGE_SIZE}`)
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_TENANT_PAGE_SIZE)).optional(),
  cursor: z.string().optional(),
}).strict();

/** The tenant routes, mounted at the admin API's root. */
export function tenantRoutes(deps: AdminDeps): Hono<AdminEnv> {
  const { sql } = deps;
  const app = new Hono<AdminEnv>();
  app.use("/tenants", platformOnly());
  app.use("/tenants/:tenant", platformOnly());
  app.use("/tenants/:tenant/suspend", platformOnly());
  app.use("/tenants/:tenant/data-source", platformOnly());

  app.post("/tenants", jsonBody(CreateTenantBody), async (c) => {
    const body = c.req.valid("json");
    const tenant = await withClaims(sql, c.get("caller").claims, (tx) => createTenant(tx, body));
    return c.json(tenant, 201);
  });

  app.get("/tenants", async (c) => {
    const query = validate(ListQuery, c.req.query(), { subject: "query" });
    const dataSource = query.data_source === undefined
      ? undefined
      : await findDataSource(sql, query.data_source);
    const page = await listTenantPage(sql, {
      status: query.status,
      dataSourceId: dataSource?.id,
      dataSourceNotDefault: dataSource === undefined ? undefined : !dataSource.is_default,
      limit: query.limit,
      cursor: query.cursor,
    });
    // The body stays the array it always was; the next page is announced in headers (RFC 8288 `Link`,
    // relative to the request's own URL, so it holds behind any path prefix).
    if (page.nextCursor !== null) {
      const next = new URL(c.req.url).searchParams;
      next.set("cursor", page.nextCursor);
      c.header("link", `<?${next}>; rel="next"`);
      c.header("x-next-cursor", page.nextCursor);
    }
    return c.json(page.tenants);
  });

  app.get("/tenants/:tenant", async (c) => c.json(await findTenant(sql, c.req.param("tenant"))));

  app.patch("/tenants/:tenant", jsonBody(UpdateTenantBody), async (c) => {
    const body = c.req.valid("json");
    const tenant = await withClaims(
      sql,
      c.get("caller").claims,
      (tx) => updateTenant(tx, { tenant: c.req.param("tenant"), ...body }),
    );
    return c.json(tenant);
  });

  app.post("/tenants/:tenant/suspend", async (c) => {
    const tenant = await withClaims(
      sql,
      c.get("caller").claims,
      (tx) => updateTenant(tx, { tenant: c.req.param("tenant"), status: "suspended" }),
    );
    return c.json(tenant);
  });

  app.put("/tenants/:tenant/data-source", jsonBody(AssignDataSourceBody), async (c) => {
    const body = c.req.valid("json");
    const result = await withClaims(
      sql,
      c.get("caller").claims,
      (tx) => assignDataSource(tx, { tenant: c.req.param("tenant"), dataSource: body.data_source }),
    );
    return c.json(result);
  });

  return app;
}
