/**
 * `/keys`: the key registry (ids, states, fingerprints) and rotation (platform callers only).
 *
 * @module
 */
import { Hono } from "hono";
import { platformOnly } from "../_middleware.ts";
import { listKeys, rotateKeys, withClaims } from "../../control_plane/mod.ts";
import type { AdminDeps, AdminEnv } from "./_env.ts";

/** The key routes, mounted at the admin API's root. */
export function keyRoutes(deps: AdminDeps): Hono<AdminEnv> {
  const { sql, keyring } = deps;
  const app = new Hono<AdminEnv>();
  app.use("/keys", platformOnly());
  app.use("/keys/*", platformOnly());

  app.get("/keys", async (c) => c.json(await listKeys(sql, keyring)));

  app.post("/keys/rotate", async (c) => {
    const result = await withClaims(sql, c.get("caller").claims, (tx) => rotateKeys(tx, { keyring }));
    return c.json(result);
  });

  return app;
}
