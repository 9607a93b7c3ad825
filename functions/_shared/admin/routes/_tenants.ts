/**
 * `/tenants`: create, read, list, rename, suspend and route tenants (platform callers only).
 *
 * @module
 */
import { Hono } from "hono";
import { z } from "zod";
import { jsonBody, platformOnly } from "../_middleware.ts";
import { assignDataSource } from "../../control_plane/mod.ts";
import { createTenant } from "../../control_plane/mod.ts";
import { findDataSource } from "../../control_plane/mod.ts";
import { findTenant } from "../../control_plane/mod.ts";
import { listTenants } from "../../control_plane/mod.ts";
import { updateTenant } from "../../control_plane/mod.ts";
import {
  AssignDataSourceBody,
  CreateTenantBody,
  DataSourceRef,
  UpdateTenantBody,
} from "../../control_plane/mod.ts";
import { validate } from "../../control_plane/mod.ts";
import { withClaims } from "../../control_plane/mod.ts";
import type { AdminDeps, AdminEnv } from "./_env.ts";

const ListQuery = z.object({
  status: z.enum(["active", "suspended", "moving"]).optional(),
  data_source: DataSourceRef.optional(),
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
    return c.json(await listTenants(sql, { status: query.status, dataSourceId: dataSource?.id }));
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
