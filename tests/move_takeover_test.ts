/**
 * End to end: a tenant move started over HTTP survives the functions server running it. A scratch
 * application database with two scratch tenant databases; one functions server runs the move (started
 * with `POST /tenants/:t/moves`) and is killed with SIGKILL, once in the middle of the copy and once
 * during the freeze, then started again; a second functions server on the same database serves a
 * supabase-js writer all along. The move completes (taken over once the dead run's lease ran out), every
 * acknowledged write is in the target exactly once, and the writer saw only 503 TR504 (documented). Last,
 * a rollback is killed during its freeze: the freeze ends with its lease and a second rollback completes.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { createClient } from "@supabase/supabase-js";
import { createScratchDatabase } from "../functions/_shared/admin/testdata/helpers.ts";
import { generateKey } from "../functions/_shared/crypto/mod.ts";
import { applyMigrations, loadMigrations } from "../functions/_shared/provision/mod.ts";
import { generateTenant } from "./stand_ins/generate_tenant.ts";
import { TENANTS, USERS, userToken } from "./_clients.ts";
import { ContactWriter } from "./_contact_writer.ts";
import { testStack } from "./_env.ts";
import { startScratchGateway } from "./_scratch_gateway.ts";

const stack = testStack();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function tenantDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const database = await createScratchDatabase(stack.appDbUrl, { bootstrap: true });
  const sql = postgres(database.url, { max: 1, onnotice: () => {} });
  try {
    await applyMigrations(sql, await loadMigrations());
  } finally {
    await sql.end();
  }
  return database;
}

async function contacts(url: string, prefix: string): Promise<Map<string, string>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ id: string; name: string; n: number }[]>`
      select id, name, count(*) over (partition by id)::int as n from public.contacts
      where tenant_id = ${TENANTS.globex} and email like ${prefix + "-%"}`;
    assert.ok(rows.every((row) => row.n === 1), "no contact is doubled");
    return new Map(rows.map((row) => [row.id, row.name]));
  } finally {
    await sql.end();
  }
}

/** Rows and an order-independent digest of every table of the tenant. */
async function fingerprint(url: string): Promise<Record<string, string>> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connection: { TimeZone: "UTC" } });
  try {
    const tables = await sql<{ name: string }[]>`
      select c.relname as name from pg_class c join pg_attribute a on a.attrelid = c.oid
      where c.relnamespace = 'public'::regnamespace and c.relkind = 'r' and a.attname = 'tenant_id'
      order by 1`;
    const result: Record<string, string> = {};
    for (const { name } of tables) {
      const [row] = await sql.unsafe<{ n: number; digest: string | null }[]>(
        `select count(*)::int as n, md5(string_agg(t::text, '|' order by t::text)) as digest
         from public.${name} t where tenant_id = $1 and (${
          name === "contacts" ? "email is null or email not like '%@takeover.test'" : "true"
        })`,
        [TENANTS.globex],
      );
      result[name] = `${row!.n}:${row!.digest}`;
    }
    return result;
  } finally {
    await sql.end();
  }
}

Deno.test({
  name:
    "a move started over HTTP survives kill -9 of its functions server, mid-copy, mid-freeze and mid-rollback",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const source = await tenantDatabase();
    const target = await tenantDatabase();
    const gateway = await startScratchGateway(stack, {
      name: "takeover",
      sealingKeys: [generateKey()],
      dataSources: [
        { name: "takeover_src", url: source.url, isDefault: true, tenants: ["globex"] },
        { name: "takeover_dst", url: target.url },
      ],
    });
    const admin = (path: string, init: RequestInit = {}) =>
      fetch(`${gateway.functionsUrl}/tenant-admin${path}`, {
        ...init,
        headers: {
          apikey: stack.serviceRoleKey,
          authorization: `Bearer ${stack.serviceRoleKey}`,
          "content-type": "application/json",
        },
      });
    const moveState = async (id: string) =>
      (await gateway.sql<{ status: string; copied: number; frozen: boolean; takeovers: number }[]>`
        select m.status, m.takeovers, (select coalesce(sum(rows_copied), 0)::int from public.tenant_move_tables
                                       where move_id = m.id) as copied,
               (select writes_frozen_at is not null from public.tenants where id = m.tenant_id) as frozen
        from public.tenant_moves m where m.id = ${id}`)[0]!;
    /** Polls the move through the admin API (each request lets the server look for orphaned moves). */
    const waitForEnd = async (id: string, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const response = await admin(`/moves/${id}`).catch(() => undefined);
        const move = response?.ok ? await response.json() : await response?.body?.cancel();
        if (move && ["done", "failed", "rolled_back"].includes(move.status)) return move;
        await sleep(500);
      }
      throw new Error(
        `Move ${id} did not end within ${timeoutMs} ms: ${JSON.stringify(await moveState(id))}`,
      );
    };
    const start = async (to: string) => {
      const response = await admin("/tenants/globex/moves", {
        method: "POST",
        body: JSON.stringify({ data_source: to, batch_rows: 2000 }),
      });
      assert.equal(response.status, 202, await response.clone().text());
      return (await response.json()).id as string;
    };
    const writers: ContactWriter[] = [];
    let firstMove = "";
    let secondMove = "";
    try {
      const seeded = postgres(source.url, { max: 1, onnotice: () => {} });
      try {
        await generateTenant(seeded, { tenantId: TENANTS.globex, rows: 60_000, seed: 15 });
      } finally {
        await seeded.end();
      }
      // The writers' gateway stays up while the movers' one is killed.
      const writerUrl = await gateway.addServer("writers");
      const token = await userToken(stack, USERS.grace);
      const client = createClient(`${writerUrl}/tenant-data`, stack.anonKey, {
        global: { headers: { Authorization: `Bearer ${token}`, "x-tenant-id": "globex" } },
        auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      });
      const before = await fingerprint(source.url);
      /** Reads go on while frozen; writes are refused with 503 TR504 until a dead run's lease runs out. */
      const writesGoThroughAgain = async () => {
        const until = Date.now() + 20_000;
        while (Date.now() < until) {
          const { error } = await client.from("contacts").select("id").limit(1);
          assert.equal(error, null, "reads go on");
          const { error: writeError, status } = await client.from("contacts").insert({
            name: "probe",
            email: `probe-${crypto.randomUUID()}@takeover.test`,
          });
          if (writeError === null) return;
          assert.ok(
            status === 503 && writeError.code === "TR504",
            `only TR504: ${status} ${writeError.code}`,
          );
          await sleep(250);
        }
        assert.fail("writes go through again once the dead run's lease ran out");
      };

      await t.step("killed in the middle of the copy, the move is taken over and completes", async () => {
        const writer = new ContactWriter(client, "copy", { domain: "takeover.test", pauseMs: 20 });
        writers.push(writer);
        writer.start();
        const id = await start("takeover_dst");
        firstMove = id;
        const deadline = Date.now() + 120_000;
        let state = await moveState(id);
        while (state.copied < 10_000 && Date.now() < deadline) {
          await sleep(20);
          state = await moveState(id);
        }
        await gateway.kill();
        state = await moveState(id);
        assert.equal(state.status, "copying", "killed in the middle of the copy");
        assert.ok(state.copied < 60_000, `killed mid-copy (${state.copied} rows recorded)`);

        await gateway.restart();
        const move = await waitForEnd(id, 180_000);
        await sleep(300);
        await writer.stop();
        assert.equal(move.status, "done", move.error ?? "");
        assert.ok((await moveState(id)).takeovers >= 1, "another run took the move over");
        // Progress and the freeze's length, as GET /moves/:id and the audit log tell them.
        assert.equal(typeof move.frozen_ms, "number", "the freeze's measured length");
        assert.ok(move.frozen_ms >= 0 && move.frozen_ms < 60_000, `frozen ${move.frozen_ms} ms`);
        assert.ok(
          move.tables.some((table: { rows_per_second: number | null }) => (table.rows_per_second ?? 0) > 0),
          "a table's copy speed is known",
        );
        assert.ok(
          move.tables.every((table: { eta_seconds: number | null }) => table.eta_seconds === 0),
          "nothing left to copy",
        );
        const [audited] = await gateway.sql<{ frozen_ms: number }[]>`
          select (new->'timings'->>'frozen_ms')::int as frozen_ms from public.audit_log
          where entity = 'public.tenant_moves' and entity_id = ${id} and new->>'status' = 'done'`;
        assert.equal(audited?.frozen_ms, move.frozen_ms, "the audit log records the freeze's length");
        for (const table of move.tables) {
          assert.equal(table.source_checksum, table.target_checksum, `${table.table}: same checksum`);
          assert.equal(table.source_rows, table.target_rows, `${table.table}: same rows`);
        }
        assert.deepEqual(writer.errors, [], "the writer saw only 503 TR504");
        assert.deepEqual(
          await contacts(target.url, "copy"),
          writer.expected(),
          "every acknowledged write, once",
        );
        assert.deepEqual(await fingerprint(target.url), before, "every other row is the source's");
      });

      await t.step(
        "killed during the freeze, the tenant is not left frozen and the move completes",
        async () => {
          const writer = new ContactWriter(client, "freeze", { domain: "takeover.test", pauseMs: 20 });
          writers.push(writer);
          writer.start();
          // Back to the first database: finalizing the first move purges the rows it still holds.
          const finalized = await admin(`/moves/${firstMove}/finalize`, {
            method: "POST",
            body: JSON.stringify({ wait: true }),
          });
          assert.equal(finalized.status, 200, await finalized.clone().text());
          await finalized.body?.cancel();
          const id = await start("takeover_src");
          const deadline = Date.now() + 120_000;
          let state = await moveState(id);
          while (!state.frozen && state.status !== "done" && Date.now() < deadline) {
            await sleep(5);
            state = await moveState(id);
          }
          await gateway.kill();
          state = await moveState(id);
          assert.ok(state.frozen, `killed while frozen (the move is ${state.status})`);
          assert.notEqual(state.status, "done");

          // Nobody is there to unfreeze: the freeze ends with the dead run's lease.
          await writesGoThroughAgain();

          await gateway.restart();
          const move = await waitForEnd(id, 180_000);
          await sleep(300);
          await writer.stop();
          assert.equal(move.status, "done", move.error ?? "");
          assert.deepEqual(writer.errors, [], "the writer saw only 503 TR504");
          const expected = new Map([...writers[0]!.expected(), ...writer.expected()]);
          const moved = new Map([
            ...(await contacts(source.url, "copy")),
            ...(await contacts(source.url, "freeze")),
          ]);
          assert.deepEqual(moved, expected, "every acknowledged write of both writers, once");
          assert.deepEqual(await fingerprint(source.url), before, "every other row made the round trip");
          const [tenant] = await gateway.sql<{ frozen: boolean }[]>`
          select writes_frozen_at is not null as frozen from public.tenants where slug = 'globex'`;
          assert.equal(tenant?.frozen, false, "the tenant is not frozen");
          secondMove = id;
        },
      );

      await t.step(
        "killed during a rollback's freeze, the tenant is not left frozen and a second rollback completes",
        async () => {
          const writer = new ContactWriter(client, "rollback", { domain: "takeover.test", pauseMs: 20 });
          writers.push(writer);
          writer.start();
          const started = await admin(`/moves/${secondMove}/rollback`, { method: "POST" });
          assert.equal(started.status, 202, await started.clone().text());
          await started.body?.cancel();
          const deadline = Date.now() + 120_000;
          let state = await moveState(secondMove);
          while (!state.frozen && state.status === "done" && Date.now() < deadline) {
            await sleep(5);
            state = await moveState(secondMove);
          }
          await gateway.kill();
          state = await moveState(secondMove);
          assert.ok(state.frozen, `killed while the switch back was frozen (the move is ${state.status})`);
          assert.equal(state.status, "done", "the rollback had not finished");

          await writesGoThroughAgain();

          await gateway.restart();
          const retried = await admin(`/moves/${secondMove}/rollback`, {
            method: "POST",
            body: JSON.stringify({ wait: true }),
          });
          const move = await retried.json();
          assert.equal(retried.status, 200, JSON.stringify(move));
          assert.equal(move.status, "rolled_back", move.error ?? "");
          await sleep(300);
          await writer.stop();
          assert.deepEqual(writer.errors, [], "the writer saw only 503 TR504");
          const expected = new Map(writers.flatMap((w) => [...w.expected()]));
          const back = new Map([
            ...(await contacts(target.url, "copy")),
            ...(await contacts(target.url, "freeze")),
            ...(await contacts(target.url, "rollback")),
          ]);
          assert.deepEqual(back, expected, "every acknowledged write of the three writers, once");
          assert.deepEqual(await fingerprint(target.url), before, "every other row is where it started");
          const [tenant] = await gateway.sql<{ frozen: boolean; status: string; routed: string }[]>`
            select t.writes_frozen_at is not null as frozen, t.status, d.name as routed
            from public.tenants t join private.data_sources d on d.id = t.data_source_id where t.slug = 'globex'`;
          assert.deepEqual(tenant, { frozen: false, status: "active", routed: "takeover_dst" });
        },
      );
    } finally {
      for (const writer of writers) await writer.stop();
      await gateway.stop();
      await source.drop();
      await target.drop();
    }
  },
});
