/**
 * `/data-sources`: register, list (masked), read, update, replace credentials, test, provision and
 * delete data sources (platform callers only). No response ever contains a secret.
 *
 * @module
 */
import { Hono } from "hono";
import { z } from "zod";
import {
  addDataSource,
  AdminError,
  deleteDataSource,
  getDataSource,
  listDataSources,
  provisionDataSource,
  replaceCredentials,
  testDataSource,
  updateDataSource,
} from "../../control_plane/mod.ts";
import { jsonBody, optionalJsonBody, platformOnly } from "../_middleware.ts";
import { latestVersion } from "../../provision/mod.ts";
import {
  ProvisionBody,
  RegisterDataSourceBody,
  ReplaceCredentialsBody,
  UpdateDataSourceBody,
  validate,
  withClaims,
} from "../../control_plane/mod.ts";
import type { AdminDeps, AdminEnv } from "./_env.ts";

const ProvisionQuery = z.object({ dry_run: z.enum(["true", "false"]).optional() }).strict();

/** The data source routes, mounted at the admin API's root. */
export function dataSourceRoutes(deps: AdminDeps): Hono<AdminEnv> {
  const { sql, keyring } = deps;
  const app = new Hono<AdminEnv>();
  app.use("/data-sources", platformOnly());
  app.use("/data-sources/*", platformOnly());

  app.post("/data-sources", jsonBody(RegisterDataSourceBody), async (c) => {
    const input = c.req.valid("json");
    const view = await withClaims(sql, c.get("caller").claims, (tx) => addDataSource(tx, { keyring, input }));
    return c.json(view, 201);
  });

  app.get("/data-sources", async (c) => c.json(await listDataSources(sql, keyring)));

  app.get(
    "/data-sources/:ref",
    async (c) => c.json(await getDataSource(sql, { keyring, ref: c.req.param("ref") })),
  );

  app.patch("/data-sources/:ref", jsonBody(UpdateDataSourceBody), async (c) => {
    const body = c.req.valid("json");
    const view = await withClaims(
      sql,
      c.get("caller").claims,
      (tx) => updateDataSource(tx, { keyring, ref: c.req.param("ref"), ...body }),
    );
    return c.json(view);
  });

  app.put("/data-sources/:ref/credentials", jsonBody(ReplaceCredentialsBody), async (c) => {
    const { credentials } = c.req.valid("json");
    const view = await withClaims(
      sql,
      c.get("caller").claims,
      (tx) => replaceCredentials(tx, { keyring, ref: c.req.param("ref"), credentials }),
    );
    return c.json(view);
  });

  app.post("/data-sources/:ref/test", async (c) => {
    const migrations = await deps.migrations();
    const result = await testDataSource(sql, {
      keyring,
      ref: c.req.param("ref"),
      claims: c.get("caller").claims,
      probe: deps.probe,
      expectedSchemaVersion: migrations === undefined ? undefined : latestVersion(migrations) ?? undefined,
    });
    return c.json(result);
  });

  app.post("/data-sources/:ref/provision", async (c) => {
    const query = validate(ProvisionQuery, c.req.query(), { subject: "query" });
    const body = await optionalJsonBody(c.req.raw, ProvisionBody);
    const migrations = await deps.migrations();
    if (migrations === undefined) {
      throw new AdminError("TR660", "The tenant-db migrations are not available to this deployment", {
        hint: "Bundle tenant-db/supabase/migrations with the function, or run `npm run tenants -- provision`",
      });
    }
    const result = await provisionDataSource(sql, {
      keyring,
      ref: c.req.param("ref"),
      migrations,
      claims: c.get("caller").claims,
      dryRun: query.dry_run === "true" || body.dry_run === true,
      bootstrapSupabase: body.bootstrap_supabase === true,
      probe: deps.probe,
    });
    return c.json(result);
  });

  app.delete("/data-sources/:ref", async (c) => {
    await withClaims(sql, c.get("caller").claims, (tx) => deleteDataSource(tx, c.req.param("ref")));
    return c.body(null, 204);
  });

  return app;
}
