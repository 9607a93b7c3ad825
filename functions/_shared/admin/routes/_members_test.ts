import assert from "node:assert/strict";
import { Keyring } from "../../crypto/mod.ts";
import {
  connect,
  createUser,
  databaseEnv,
  deleteTenants,
  deleteUsers,
  keyEnv,
  serviceToken,
  testHandler,
  unique,
  userToken,
} from "../testdata/helpers.ts";

const env = databaseEnv();

/** Two tenants; in `a`: an owner, an admin, a member, a viewer; `outsider` belongs nowhere. */
async function fixture(sql: ReturnType<typeof connect>) {
  const users = {
    owner: await createUser(sql, `${unique("owner")}@example.test`),
    admin: await createUser(sql, `${unique("admin")}@example.test`),
    member: await createUser(sql, `${unique("member")}@example.test`),
    viewer: await createUser(sql, `${unique("viewer")}@example.test`),
    newcomer: await createUser(sql, `${unique("new")}@example.test`),
    outsider: await createUser(sql, `${unique("out")}@example.test`),
  };
  const slugs = { a: unique("t-members-a"), b: unique("t-members-b") };
  const [a] = await sql<{ id: string }[]>`
    insert into public.tenants (slug, name) values (${slugs.a}, 'Members A') returning id`;
  await sql`insert into public.tenants (slug, name) values (${slugs.b}, 'Members B')`;
  for (const role of ["owner", "admin", "member", "viewer"] as const) {
    await sql`insert into public.tenant_members (tenant_id, user_id, role) values (${a!.id}, ${
      users[role].id
    }, ${role})`;
  }
  return { users, slugs, tenantId: a!.id };
}

Deno.test({
  name: "member routes let owners and admins manage their tenant within the owner rules",
  async fn() {
    const sql = connect(env!.dbUrl);
    const t = await testHandler({ dbUrl: env!.dbUrl, keyring: await Keyring.fromEnv(keyEnv(env!)) });
    const { users, slugs, tenantId } = await fixture(sql);
    try {
      const adminToken = await userToken(users.admin);
      const ownerToken = await userToken(users.owner);

      const list = await t.call("GET", `/tenants/${slugs.a}/members`, { token: adminToken });
      assert.equal(list.status, 200, list.text);
      assert.deepEqual(list.json.map((m: { role: string }) => m.role), [
        "owner",
        "admin",
        "member",
        "viewer",
      ]);

      // Another tenant's members: 403, exactly as for a tenant that does not exist.
      const other = await t.call("GET", `/tenants/${slugs.b}/members`, { token: adminToken });
      const nowhere = await t.call("GET", "/tenants/no-such-tenant/members", { token: adminToken });
      assert.equal(other.status, 403);
      assert.equal(other.json.code, "TR611");
      assert.deepEqual(nowhere.json, other.json);
      const addElsewhere = await t.call("POST", `/tenants/${slugs.b}/members`, {
        token: adminToken,
        body: { user_id: users.newcomer.id, role: "member" },
      });
      assert.equal(addElsewhere.status, 403);

      const addOwner = await t.call("POST", `/tenants/${slugs.a}/members`, {
        token: adminToken,
        body: { user_id: users.newcomer.id, role: "owner" },
      });
      assert.equal(addOwner.status, 403);
      assert.equal(addOwner.json.code, "TR612");

      const added = await t.call("POST", `/tenants/${slugs.a}/members`, {
        token: adminToken,
        body: { email: users.newcomer.email, role: "member" },
      });
      assert.equal(added.status, 201, added.text);
      assert.equal(added.json.user_id, users.newcomer.id);
      const again = await t.call("POST", `/tenants/${slugs.a}/members`, {
        token: adminToken,
        body: { user_id: users.newcomer.id },
      });
      assert.equal(again.status, 409);
      assert.equal(again.json.code, "TR630");

      const promote = await t.call("PATCH", `/tenants/${slugs.a}/members/${users.newcomer.id}`, {
        token: adminToken,
        body: { role: "owner" },
      });
      assert.equal(promote.status, 403);
      const demoteOwner = await t.call("PATCH", `/tenants/${slugs.a}/members/${users.owner.id}`, {
        token: adminToken,
        body: { role: "member" },
      });
      assert.equal(demoteOwner.status, 403);
      const removeOwner = await t.call("DELETE", `/tenants/${slugs.a}/members/${users.owner.id}`, {
        token: adminToken,
      });
      assert.equal(removeOwner.status, 403);
      assert.equal(removeOwner.json.code, "TR612");

      const toAdmin = await t.call("PATCH", `/tenants/${slugs.a}/members/${users.newcomer.id}`, {
        token: adminToken,
        body: { role: "viewer" },
      });
      assert.equal(toAdmin.status, 200, toAdmin.text);
      assert.equal(toAdmin.json.role, "viewer");

      // The last owner can neither leave nor be demoted: the database refuses, mapped to 409.
      const leave = await t.call("DELETE", `/tenants/${slugs.a}/members/${users.owner.id}`, {
        token: ownerToken,
      });
      assert.equal(leave.status, 409, leave.text);
      assert.equal(leave.json.code, "TR632");
      const selfDemote = await t.call("PATCH", `/tenants/${slugs.a}/members/${users.owner.id}`, {
        token: ownerToken,
        body: { role: "admin" },
      });
      assert.equal(selfDemote.status, 409);

      // Members and viewers may only leave.
      const viewerToken = await userToken(users.viewer);
      assert.equal((await t.call("GET", `/tenants/${slugs.a}/members`, { token: viewerToken })).status, 403);
      const kick = await t.call("DELETE", `/tenants/${slugs.a}/members/${users.member.id}`, {
        token: viewerToken,
      });
      assert.equal(kick.status, 403);
      const left = await t.call("DELETE", `/tenants/${slugs.a}/members/${users.viewer.id}`, {
        token: viewerToken,
      });
      assert.equal(left.status, 204, left.text);

      const outsider = await t.call("DELETE", `/tenants/${slugs.a}/members/${users.member.id}`, {
        token: await userToken(users.outsider),
      });
      assert.equal(outsider.status, 403);

      // The audit log names the admin who added the member.
      const [audit] = await sql<{ actor_id: string; actor_role: string }[]>`
        select actor_id, actor_role from public.audit_log
        where entity = 'public.tenant_members' and action = 'insert' and tenant_id = ${tenantId}
          and new ->> 'user_id' = ${users.newcomer.id}`;
      assert.equal(audit?.actor_id, users.admin.id);
      assert.equal(audit?.actor_role, "authenticated");
    } finally {
      await deleteTenants(sql, [slugs.a, slugs.b]);
      await deleteUsers(sql, Object.values(users).map((u) => u.id));
      await t.close();
      await sql.end();
    }
  },
});

Deno.test({
  name: "member routes let the service role hand ownership over and then remove the old owner",
  async fn() {
    const sql = connect(env!.dbUrl);
    const t = await testHandler({ dbUrl: env!.dbUrl, keyring: await Keyring.fromEnv(keyEnv(env!)) });
    const { users, slugs } = await fixture(sql);
    try {
      const service = await serviceToken();
      const promoted = await t.call("PATCH", `/tenants/${slugs.a}/members/${users.admin.id}`, {
        token: service,
        body: { role: "owner" },
      });
      assert.equal(promoted.status, 200, promoted.text);
      const removed = await t.call("DELETE", `/tenants/${slugs.a}/members/${users.owner.id}`, {
        token: service,
      });
      assert.equal(removed.status, 204, removed.text);
      const missing = await t.call("DELETE", `/tenants/${slugs.a}/members/${users.owner.id}`, {
        token: service,
      });
      assert.equal(missing.status, 404);
      assert.equal(missing.json.code, "TR623");
      const badRole = await t.call("PATCH", `/tenants/${slugs.a}/members/${users.admin.id}`, {
        token: service,
        body: { role: "superuser" },
      });
      assert.equal(badRole.status, 400);
      assert.equal(badRole.json.details[0].path, "role");
    } finally {
      await deleteTenants(sql, [slugs.a, slugs.b]);
      await deleteUsers(sql, Object.values(users).map((u) => u.id));
      await t.close();
      await sql.end();
    }
  },
});
