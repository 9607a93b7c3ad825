/**
 * `/tenants/:tenant/members`: platform callers, and the tenant's own owners and admins (members may
 * remove themselves, i.e. leave).
 *
 * @module
 */
import { Hono } from "hono";
import { z } from "zod";
import type { Caller } from "../caller.ts";
import { jsonBody } from "../_middleware.ts";
import {
  addMember,
  AddMemberBody,
  listMembers,
  type MemberActor,
  removeMember,
  updateMember,
  UpdateMemberBody,
  Uuid,
  validate,
  withClaims,
} from "../../control_plane/mod.ts";
import type { AdminDeps, AdminEnv } from "./_env.ts";

const MemberPath = z.object({ tenant: z.string(), user_id: Uuid });

/** The membership routes, mounted at the admin API's root. */
export function memberRoutes(deps: AdminDeps): Hono<AdminEnv> {
  const { sql } = deps;
  const app = new Hono<AdminEnv>();

  app.get("/tenants/:tenant/members", async (c) => {
    const caller = c.get("caller");
    const members = await withClaims(
      sql,
      caller.claims,
      (tx) => listMembers(tx, { tenant: c.req.param("tenant"), actor: actorOf(caller) }),
    );
    return c.json(members);
  });

  app.post("/tenants/:tenant/members", jsonBody(AddMemberBody), async (c) => {
    const caller = c.get("caller");
    const body = c.req.valid("json");
    const member = await withClaims(sql, caller.claims, (tx) =>
      addMember(tx, {
        tenant: c.req.param("tenant"),
        actor: actorOf(caller),
        user: { id: body.user_id, email: body.email },
        role: body.role,
      }));
    return c.json(member, 201);
  });

  app.patch("/tenants/:tenant/members/:user_id", jsonBody(UpdateMemberBody), async (c) => {
    const caller = c.get("caller");
    const path = validate(MemberPath, c.req.param(), { subject: "path" });
    const body = c.req.valid("json");
    const member = await withClaims(
      sql,
      caller.claims,
      (tx) =>
        updateMember(tx, {
          tenant: path.tenant,
          actor: actorOf(caller),
          userId: path.user_id,
          role: body.role,
        }),
    );
    return c.json(member);
  });

  app.delete("/tenants/:tenant/members/:user_id", async (c) => {
    const caller = c.get("caller");
    const path = validate(MemberPath, c.req.param(), { subject: "path" });
    await withClaims(
      sql,
      caller.claims,
      (tx) => removeMember(tx, { tenant: path.tenant, actor: actorOf(caller), userId: path.user_id }),
    );
    return c.body(null, 204);
  });

  return app;
}

function actorOf(caller: Caller): MemberActor {
  return caller.kind === "user" ? { kind: "user", userId: caller.userId } : { kind: "platform" };
}
