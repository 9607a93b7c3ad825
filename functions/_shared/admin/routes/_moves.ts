/**
 * Tenant moves (platform callers only): start one (or plan it), follow it, resume, roll back or
 * finalize it. Long steps run after the answer (202, poll `GET /moves/:id`) unless the body asks to
 * `wait`.
 *
 * @module
 */
import { Hono } from "hono";
import { MoveStepBody, StartMoveBody, Uuid, validate } from "../../control_plane/mod.ts";
import { jsonBody, optionalJsonBody, platformOnly } from "../_middleware.ts";
import { continueMove, type MoveStep } from "../_continue_move.ts";
import { findMove } from "../_find_move.ts";
import { startMove } from "../_start_move.ts";
import type { AdminDeps, AdminEnv } from "./_env.ts";

/** The move routes, mounted at the admin API's root. */
export function moveRoutes(deps: AdminDeps): Hono<AdminEnv> {
  const { sql, keyring } = deps;
  const app = new Hono<AdminEnv>();
  app.use("/tenants/:tenant/moves", platformOnly());
  app.use("/moves/*", platformOnly());

  app.post("/tenants/:tenant/moves", jsonBody(StartMoveBody), async (c) => {
    const body = c.req.valid("json");
    const wait = body.wait === true;
    const result = await startMove(sql, {
      keyring,
      claims: c.get("caller").claims,
      tenant: c.req.param("tenant"),
      dataSource: body.data_source,
      dryRun: body.dry_run,
      batchRows: body.batch_rows,
      background: wait ? undefined : deps.background,
    });
    if (result.kind === "plan") return c.json(result.plan);
    if (result.kind === "finished") return c.json(result.move);
    c.header(
      "location",
      `${new URL(c.req.url).pathname.replace(/\/tenants\/[^/]+\/moves$/, "")}/moves/${result.move.id}`,
    );
    return c.json(result.move, 202);
  });

  app.get("/moves/:id", async (c) => c.json(await findMove(sql, moveId(c.req.param("id")))));

  for (const step of ["resume", "rollback", "finalize"] as const satisfies readonly MoveStep[]) {
    app.post(`/moves/:id/${step}`, async (c) => {
      const body = await optionalJsonBody(c.req.raw, MoveStepBody);
      const wait = body.wait === true;
      const result = await continueMove(sql, {
        keyring,
        claims: c.get("caller").claims,
        moveId: moveId(c.req.param("id")),
        step,
        background: wait ? undefined : deps.background,
      });
      return c.json(result.move, result.finished ? 200 : 202);
    });
  }

  return app;
}

function moveId(value: string): string {
  validate(Uuid, value, { subject: "path" });
  return value;
}
