import assert from "node:assert/strict";
import postgres from "postgres";
import { Keyring } from "../../crypto/mod.ts";
import { applyMigrations, loadMigrations } from "../../provision/mod.ts";
import {
  connect,
  createScratchDatabase,
  createUser,
  databaseEnv,
  deleteUsers,
  keyEnv,
  serviceToken,
  testHandler,
  unique,
  userToken,
} from "../testdata/helpers.ts";

const env = databaseEnv();

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

Deno.test({
  name: "move routes plan, start, follow, finalize and roll back a tenant move; refusals have their codes",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const sql = connect(env!.dbUrl);
    const t = await testHandler({ dbUrl: env!.dbUrl, keyring: await Keyring.fromEnv(keyEnv(env!)) });
    const scratch = await createScratchDatabase(env!.dbUrl, { bootstrap: true });
    const slug = unique("t-move");
    const name = `t_move_${crypto.randomUUID().slice(0, 8)}`;
    const stranger = await createUser(sql, `${unique("stranger")}@example.test`);
    const shared = postgres(env!.sharedDbUrl, { max: 1, onnotice: () => {} });
    let tenantId = "";
    try {
      const target = postgres(scratch.url, { max: 1, onnotice: () => {} });
      try {
        await applyMigrations(target, await loadMigrations());
      } finally {
        await target.end();
      }
      const service = await serviceToken();
      const registered = await t.call("POST", "/data-sources", {
        token: service,
        body: { name, kind: "postgres", credentials: { url: scratch.url } },
      });
      assert.equal(registered.status, 201, registered.text);
      const created = await t.call("POST", "/tenants", { token: service, body: { slug, name: "Moving Co" } });
      assert.equal(created.status, 201, created.text);
      tenantId = created.json.id;
      const [account] = await shared<{ id: string }[]>`
        insert into public.accounts (tenant_id, name) values (${tenantId}, 'Move Me Inc') returning id`;
      await shared`insert into public.contacts (tenant_id, account_id, name, email)
                   values (${tenantId}, ${account!.id}, 'Zoë O''Move', 'zoe@move.test'),
                          (${tenantId}, ${account!.id}, 'Ann Other', null)`;

      const plan = await t.call("POST", `/tenants/${slug}/moves`, {
        token: service,
        body: { data_source: name, dry_run: true },
      });
      assert.equal(plan.status, 200, plan.text);
      assert.equal(plan.json.rows, 3);
      assert.equal(plan.json.tables[0].table, "public.accounts");
      assert.equal(plan.json.tables.length, 13);

      const denied = await t.call("POST", `/tenants/${slug}/moves`, {
        token: await userToken(stranger),
        body: { data_source: name },
      });
      assert.equal(denied.status, 403);
      assert.equal(denied.json.code, "TR610");
      const nowhere = await t.call("POST", `/tenants/${slug}/moves`, {
        token: service,
        body: { data_source: "no_such_source" },
      });
      assert.equal(nowhere.status, 404);
      assert.equal(nowhere.json.code, "TR622");
      const same = await t.call("POST", `/tenants/${slug}/moves`, {
        token: service,
        body: { data_source: null },
      });
      assert.equal(same.status, 409, "the tenant already lives in the default data source");
      assert.equal(same.json.code, "TR633");

      const started = await t.call("POST", `/tenants/${slug}/moves`, {
        token: service,
        body: { data_source: name },
      });
      assert.equal(started.status, 202, started.text);
      assert.equal(started.json.status, "pending");
      assert.equal(started.headers.get("location"), `/tenant-admin/moves/${started.json.id}`);
      const again = await t.call("POST", `/tenants/${slug}/moves`, {
        token: service,
        body: { data_source: name },
      });
      assert.equal(again.status, 409, "one unfinished move per tenant");

      let move = started.json;
      // Polls for up to a minute: a move checksums every table on both sides before its freeze.
      for (let i = 0; i < 1200 && !["done", "failed"].includes(move.status); i++) {
        await sleep(50);
        move = (await t.call("GET", `/moves/${started.json.id}`, { token: service })).json;
      }
      assert.equal(move.status, "done", move.error);
      assert.equal(move.rows_verified, 3);
      assert.equal(move.target, name);
      const [routed] = await sql<{ name: string }[]>`
        select d.name from public.tenants t join private.data_sources d on d.id = t.data_source_id
        where t.id = ${tenantId}`;
      assert.equal(routed?.name, name);
      const [audited] = await sql<{ actor_role: string }[]>`
        select actor_role from public.audit_log
        where entity = 'public.tenants' and entity_id = ${tenantId} and new ->> 'data_source_id' is not null
        order by id desc limit 1`;
      assert.equal(audited?.actor_role, "service_role", "the switch is audited with the caller");

      const resume = await t.call("POST", `/moves/${move.id}/resume`, { token: service });
      assert.equal(resume.status, 409);
      const finalized = await t.call("POST", `/moves/${move.id}/finalize`, {
        token: service,
        body: { wait: true },
      });
      assert.equal(finalized.status, 200, finalized.text);
      assert.equal(finalized.json.status, "finalized");
      const [left] = await shared<{ n: number }[]>`
        select (select count(*) from public.accounts where tenant_id = ${tenantId})::int
             + (select count(*) from public.contacts where tenant_id = ${tenantId})::int as n`;
      assert.equal(left?.n, 0, "finalize purged the source");
      const rollback = await t.call("POST", `/moves/${move.id}/rollback`, { token: service });
      assert.equal(rollback.status, 409, "a finalized move cannot be rolled back");

      // And back to the default data source, waiting this time; then rolled back.
      const back = await t.call("POST", `/tenants/${slug}/moves`, {
        token: service,
        body: { data_source: null, wait: true, batch_rows: 1 },
      });
      assert.equal(back.status, 200, back.text);
      assert.equal(back.json.status, "done", back.json.error);
      assert.equal(back.json.target_data_source_id, null);
      const undone = await t.call("POST", `/moves/${back.json.id}/rollback`, {
        token: service,
        body: { wait: true },
      });
      assert.equal(undone.status, 200, undone.text);
      assert.equal(undone.json.status, "rolled_back");
      const [routedBack] = await sql<{ name: string }[]>`
        select d.name from public.tenants t join private.data_sources d on d.id = t.data_source_id
        where t.id = ${tenantId}`;
      assert.equal(routedBack?.name, name, "the rollback routes the tenant back to where the move found it");

      const missing = await t.call("GET", `/moves/${crypto.randomUUID()}`, { token: service });
      assert.equal(missing.status, 404);
      assert.equal(missing.json.code, "TR624");
      const badId = await t.call("GET", "/moves/not-a-uuid", { token: service });
      assert.equal(badId.status, 400);
      const badBody = await t.call("POST", `/moves/${move.id}/resume`, { token: service, raw: "{" });
      assert.equal(badBody.status, 400);
      assert.equal(badBody.json.code, "TR601");
    } finally {
      if (tenantId) {
        await shared`delete from public.contacts where tenant_id = ${tenantId}`;
        await shared`delete from public.accounts where tenant_id = ${tenantId}`;
        await sql`delete from public.tenants where id = ${tenantId}`;
      }
      await sql`delete from private.data_sources where name = ${name}`;
      await deleteUsers(sql, [stranger.id]);
      await shared.end();
      await t.sql.end();
      await sql.end();
      await scratch.drop();
    }
  },
});
