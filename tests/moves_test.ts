/**
 * End to end: tenant moves between real databases while the app keeps writing through the running
 * gateway with supabase-js. A scratch tenant database is created for the run (tenant schema applied with
 * `supabase db reset --workdir tenant-db`), registered as a data source, and dropped at the end; every
 * tenant is back where the demo seed has it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import postgres from "postgres";
import { addDataSource, withClaims } from "../functions/_shared/control_plane/mod.ts";
import { Keyring } from "../functions/_shared/crypto/mod.ts";
import {
  createMove,
  getMove,
  type MoveView,
  planTables,
  rollbackMove,
  runMove,
  tableChecksum,
} from "../functions/_shared/moves/mod.ts";
import { loadCatalog } from "../functions/_shared/postgrest/mod.ts";
import { generateTenant } from "./stand_ins/generate_tenant.ts";
import { gatewayClient, TENANTS, USERS, userToken } from "./_clients.ts";
import { ContactWriter } from "./_contact_writer.ts";
import { testStack } from "./_env.ts";

const stack = testStack();
const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const CLAIMS = { role: "service_role", iss: "tenant-router-tests" };
/** Engine settings for in-process moves: short grace, small batches. */
const QUICK = { freezeGraceMs: 200, batchRows: 20 };
/** The seed's routing: slug → data source name (null: the default). */
const SEED_ROUTES = { acme: "tenant_acme", globex: null, initech: null } as const;

/** A database URL on the test stack's server. */
function serverUrl(database: string): string {
  const url = new URL(stack.appDbUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function run(program: string, args: string[], env: Record<string, string> = {}) {
  const output = await new Deno.Command(program, {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

/** Creates a database with the tenant schema, as `supabase db reset --workdir tenant-db` applies it. */
async function createTenantDatabase(name: string): Promise<string> {
  const admin = postgres(serverUrl("postgres"), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = serverUrl(name);
  const db = postgres(url, { max: 1, onnotice: () => {} });
  try {
    // What the local stack does to every database first: make it look like Supabase's image.
    await db.unsafe(await Deno.readTextFile(join(ROOT, "scripts", "stack", "bootstrap.sql")));
  } finally {
    await db.end();
  }
  const cliUrl = `${url.replace("@127.0.0.1:", "@localhost:")}?sslmode=disable`;
  const reset = await run(join(ROOT, "node_modules", ".bin", "supabase"), [
    "db",
    "reset",
    "--yes",
    "--workdir",
    "tenant-db",
    "--no-seed",
    "--db-url",
    cliUrl,
  ], { SUPABASE_TELEMETRY_DISABLED: "1", PATH: Deno.env.get("PATH") ?? "" });
  assert.equal(reset.code, 0, `supabase db reset failed:\n${reset.stdout}\n${reset.stderr}`);
  return url;
}

async function dropDatabase(name: string): Promise<void> {
  const admin = postgres(serverUrl("postgres"), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.end();
  }
}

/** Runs the operator CLI as a separate process. */
function cliCommand(args: string[]): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", join(ROOT, "scripts", "tenants", "main.ts"), ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  });
}

/** Runs the CLI to its end; killed after `timeoutMs` (a hung move must not hang the test run). */
async function cli(args: string[], timeoutMs = 120_000) {
  const child = cliCommand(args).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  try {
    const output = await child.output();
    const decoder = new TextDecoder();
    return {
      code: output.code,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
    };
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What a tenant's writer's contacts look like in a database: id → name. */
async function writtenContacts(url: string, tenantId: string, prefix: string): Promise<Map<string, string>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ id: string; name: string }[]>`
      select id, name from public.contacts where tenant_id = ${tenantId} and email like ${prefix + "-%"}`;
    return new Map(rows.map((row) => [row.id, row.name]));
  } finally {
    await sql.end();
  }
}

/** How many contacts with this id a database holds. */
async function countRows(url: string, id: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from public.contacts where id = ${id}`;
    return row?.n ?? 0;
  } finally {
    await sql.end();
  }
}

/** Count and digest of a tenant's contacts that a writer did not write. */
async function contactsBesides(url: string, tenantId: string, prefix: string): Promise<string> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connection: { TimeZone: "UTC" } });
  try {
    const [row] = await sql<{ n: number; digest: string }[]>`
      select count(*)::int as n, md5(string_agg(c::text, '|' order by c.id)) as digest
      from public.contacts c
      where c.tenant_id = ${tenantId} and (c.email is null or c.email not like ${prefix + "-%"})`;
    return `${row?.n}:${row?.digest}`;
  } finally {
    await sql.end();
  }
}

/** Checksums of every tenant table of one tenant in one database, recomputed from scratch. */
async function checksums(url: string, tenantId: string): Promise<Record<string, string>> {
  const sql = postgres(url, {
    max: 1,
    onnotice: () => {},
    connection: { TimeZone: "UTC", DateStyle: "ISO, YMD", extra_float_digits: 1 },
  });
  try {
    const result: Record<string, string> = {};
    for (const table of planTables(await loadCatalog(sql))) {
      const sum = await tableChecksum(sql, table, tenantId);
      result[table.qualifiedName] = `${sum.rows}:${sum.checksum}`;
    }
    return result;
  } finally {
    await sql.end();
  }
}

function assertVerified(move: MoveView): void {
  for (const table of move.tables) {
    assert.ok(table.verified, `${table.table} verified`);
    assert.equal(table.source_rows, table.target_rows, `${table.table}: same rows on both sides`);
    assert.equal(table.source_checksum, table.target_checksum, `${table.table}: same checksum`);
  }
}

Deno.test({
  name: "tenant moves between real databases while the app keeps writing",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const keyring = await Keyring.fromEnv(Deno.env);
    const app = postgres(stack.appDbUrl, { max: 4, onnotice: () => {} });
    const suffix = crypto.randomUUID().slice(0, 8);
    const scratch = `tenant_move_${suffix}`;
    const prefix = `mover-${suffix}`;
    const bigSlug = `move-big-${suffix}`;
    const bigTenant = crypto.randomUUID();
    const grace = await userToken(stack, USERS.grace);
    const ivan = await userToken(stack, USERS.ivan);
    const writers: ContactWriter[] = [];
    let scratchUrl = "";
    let scratchId = "";

    const routes = await app<{ slug: string; route: string | null; status: string; frozen: boolean }[]>`
      select t.slug, d.name as route, t.status, t.writes_frozen_at is not null as frozen
      from public.tenants t left join private.data_sources d on d.id = t.data_source_id
      where t.slug in ('acme', 'globex', 'initech') order by t.slug`;
    assert.deepEqual(
      routes.map((r) => [r.slug, r.route, r.status, r.frozen]),
      Object.entries(SEED_ROUTES).map(([slug, route]) => [slug, route, "active", false]),
      "the seed tenants start where the demo seed has them",
    );

    try {
      scratchUrl = await createTenantDatabase(scratch);
      const registered = await withClaims(app, CLAIMS, (tx) =>
        addDataSource(tx, {
          keyring,
          input: { name: scratch, kind: "postgres", credentials: { url: scratchUrl } },
        }));
      scratchId = registered.id;

      await t.step("moving the seed tenants copies and verifies all 253 rows, and rolls back", async () => {
        const before = {
          shared: await checksums(stack.tenantDbUrls.tenant_shared, TENANTS.globex),
          acme: await checksums(stack.tenantDbUrls.tenant_acme, TENANTS.acme),
        };
        const moves: MoveView[] = [];
        for (const slug of ["acme", "globex", "initech"]) {
          const created = await createMove(app, { keyring, claims: CLAIMS, tenant: slug, to: scratch });
          assert.equal(created.status, "pending");
          const move = await runMove(app, { keyring, claims: CLAIMS, moveId: created.id, ...QUICK });
          assert.equal(move.status, "done", move.error ?? "");
          assert.equal(move.target, scratch);
          assert.equal(move.tables.length, 13, "all 13 tenant tables, planned from the catalog");
          assertVerified(move);
          moves.push(move);
        }
        assert.deepEqual(moves.map((m) => m.rows_copied), [116, 82, 55]);
        assert.equal(moves.reduce((sum, m) => sum + (m.rows_verified ?? 0), 0), 253);
        assert.equal(moves.reduce((sum, m) => sum + m.rows_copied, 0), 253);
        // The copy is the source, row for row.
        assert.deepEqual(await checksums(scratchUrl, TENANTS.globex), before.shared);
        assert.deepEqual(await checksums(scratchUrl, TENANTS.acme), before.acme);

        for (const move of moves) {
          const back = await rollbackMove(app, { keyring, claims: CLAIMS, moveId: move.id, ...QUICK });
          assert.equal(back.status, "rolled_back", back.error ?? "");
        }
        const after = await app<{ slug: string; route: string | null }[]>`
          select t.slug, d.name as route from public.tenants t
          left join private.data_sources d on d.id = t.data_source_id
          where t.slug in ('acme', 'globex', 'initech') order by t.slug`;
        assert.deepEqual(after.map((r) => [r.slug, r.route]), Object.entries(SEED_ROUTES));
        assert.deepEqual(await checksums(stack.tenantDbUrls.tenant_shared, TENANTS.globex), before.shared);
        for (const [table, sum] of Object.entries(await checksums(scratchUrl, TENANTS.globex))) {
          assert.equal(sum, "0:0000000000000000", `the rolled-back copy is deleted: ${table}`);
        }
      });

      await t.step(
        "a frozen tenant's writes get 503 with Retry-After within a second; reads go on",
        async () => {
          const write = (token: string) =>
            fetch(`${stack.functionsUrl}/tenant-data/rest/v1/contacts?id=eq.${crypto.randomUUID()}`, {
              method: "PATCH",
              headers: {
                apikey: stack.anonKey,
                authorization: `Bearer ${token}`,
                "content-type": "application/json",
              },
              body: JSON.stringify({ name: "nobody" }),
            });
          const read = (token: string) =>
            fetch(`${stack.functionsUrl}/tenant-data/rest/v1/contacts?select=id&limit=1`, {
              headers: { apikey: stack.anonKey, authorization: `Bearer ${token}` },
            });
          assert.equal((await write(grace).then(async (r) => (await r.body?.cancel(), r))).status, 204);
          const started = performance.now();
          await app`update public.tenants set writes_frozen_at = now() where slug = 'globex'`;
          try {
            let refused: Response | undefined;
            while (performance.now() - started < 1000) {
              const response = await write(grace);
              if (response.status === 503) {
                refused = response;
                break;
              }
              await response.body?.cancel();
              await sleep(10);
            }
            assert.ok(refused, "the freeze reached the gateway within a second");
            assert.equal(refused.headers.get("retry-after"), "5");
            assert.equal((await refused.json()).code, "TR504");
            const reading = await read(grace);
            assert.equal(reading.status, 200, "reads of a frozen tenant go on");
            await reading.body?.cancel();
            const other = await write(ivan);
            assert.equal(other.status, 204, "another tenant's writes go on");
            await other.body?.cancel();
          } finally {
            await app`update public.tenants set writes_frozen_at = null where slug = 'globex'`;
          }
          const thawed = performance.now();
          let status = 0;
          while (performance.now() - thawed < 1000 && status !== 204) {
            const response = await write(grace);
            status = response.status;
            await response.body?.cancel();
          }
          assert.equal(status, 204, "writes are accepted again within a second");
        },
      );

      let globexMove = "";
      const globexWriter = new ContactWriter(gatewayClient(stack, grace), `${prefix}-globex`, {
        domain: "mover.test",
      });
      const initechWriter = new ContactWriter(gatewayClient(stack, ivan), `${prefix}-initech`, {
        domain: "mover.test",
      });
      writers.push(globexWriter, initechWriter);

      await t.step(
        "globex moves to the new database while writes keep coming through the gateway",
        async () => {
          globexWriter.start();
          initechWriter.start();
          await sleep(300);
          const result = await cli(["move", "globex", "--to", scratch, "--batch-rows", "3"]);
          await sleep(300);
          await globexWriter.stop();
          assert.equal(result.code, 0, `move failed:\n${result.stdout}\n${result.stderr}`);
          globexMove = /Move ([0-9a-f-]{36})/.exec(result.stderr)?.[1] ?? "";
          assert.ok(globexMove, "the CLI prints the move id");
          assert.match(result.stdout, /verified/);

          const move = await getMove(app, globexMove);
          assert.equal(move.status, "done");
          assertVerified(move);
          assert.ok(move.rows_verified! >= 82);
          assert.ok(
            Number(move.timings.catch_up_rows) + Number(move.timings.delta_rows) > 0,
            "writes made during the copy were carried over by the catch-up and the delta",
          );
          assert.ok(
            Number(move.timings.frozen_ms) < 5_000,
            `frozen for seconds at most: ${move.timings.frozen_ms} ms`,
          );

          assert.deepEqual(globexWriter.errors, [], "globex's writes were refused only while frozen");
          assert.ok(globexWriter.frozen > 0, "the writer met the freeze");
          assert.ok(globexWriter.writes > 20, `the writer kept writing (${globexWriter.writes} writes)`);
          assert.deepEqual(
            await writtenContacts(scratchUrl, TENANTS.globex, globexWriter.prefix),
            globexWriter.expected(),
            "every acknowledged write is in the target, exactly once, deleted rows gone",
          );

          const [route] = await app<{ id: string | null; frozen: boolean; status: string }[]>`
          select data_source_id as id, writes_frozen_at is not null as frozen, status
          from public.tenants where slug = 'globex'`;
          assert.deepEqual(route, { id: scratchId, frozen: false, status: "active" });
          const marker = crypto.randomUUID();
          const globex = gatewayClient(stack, grace);
          const inserted = await globex.from("contacts").insert({ id: marker, name: "Routed to the target" });
          assert.equal(inserted.error, null);
          assert.equal(await countRows(scratchUrl, marker), 1, "the gateway writes globex to the target");
          assert.equal(await countRows(stack.tenantDbUrls.tenant_shared, marker), 0, "not to the source");
          const removed = await globex.from("contacts").delete().eq("id", marker);
          assert.equal(removed.error, null);
        },
      );

      await t.step("rollback routes globex back, carrying the writes made on the target", async () => {
        globexWriter.start();
        await sleep(300);
        const result = await cli(["move", "--rollback", globexMove]);
        await sleep(300);
        await globexWriter.stop();
        await initechWriter.stop();
        assert.equal(result.code, 0, `rollback failed:\n${result.stdout}\n${result.stderr}`);
        const move = await getMove(app, globexMove);
        assert.equal(move.status, "rolled_back");
        assert.deepEqual(globexWriter.errors, []);
        assert.deepEqual(
          await writtenContacts(stack.tenantDbUrls.tenant_shared, TENANTS.globex, globexWriter.prefix),
          globexWriter.expected(),
          "every acknowledged write, before and after the switch, is back in the source",
        );
        assert.equal(
          (await writtenContacts(scratchUrl, TENANTS.globex, "")).size,
          0,
          "the target copy is gone",
        );
        const [route] = await app<{ id: string | null }[]>`
          select data_source_id as id from public.tenants where slug = 'globex'`;
        assert.equal(route?.id, null, "globex follows the default data source again");

        assert.deepEqual(initechWriter.errors, [], "initech on tenant_shared never saw an error");
        assert.equal(initechWriter.frozen, 0, "initech was never frozen");
        assert.ok(initechWriter.writes > 20, `initech kept writing (${initechWriter.writes} writes)`);
      });

      await t.step("a schema-version mismatch is refused, with a hint to provision", async () => {
        const db = postgres(scratchUrl, { max: 1, onnotice: () => {} });
        try {
          await db`insert into private.schema_info (version, name) values ('29991231000000', 'future')`;
          const result = await cli(["move", "globex", "--to", scratch]);
          assert.equal(result.code, 1);
          assert.match(result.stderr, /Schema versions differ/);
          assert.match(result.stderr, /provision/);
          const dry = await cli(["move", "globex", "--to", scratch, "--dry-run"]);
          assert.equal(dry.code, 1);
        } finally {
          await db`delete from private.schema_info where version = '29991231000000'`;
          await db.end();
        }
        const [open] = await app<{ n: number }[]>`
          select count(*)::int as n from public.tenant_moves m join public.tenants t on t.id = m.tenant_id
          where t.slug = 'globex' and m.status not in ('rolled_back', 'finalized')`;
        assert.equal(open?.n, 0, "no move was recorded");
      });

      await t.step(
        "a mover killed in the middle of the copy resumes without duplicates or loss",
        async () => {
          await app.begin(async (tx) => {
            await tx`insert into public.tenants (id, slug, name) values (${bigTenant}, ${bigSlug}, 'Move benchmark')`;
            await tx`insert into public.tenant_members (tenant_id, user_id, role)
                   values (${bigTenant}, ${USERS.grace.id}, 'owner')`;
          });
          const shared = postgres(stack.tenantDbUrls.tenant_shared, { max: 1, onnotice: () => {} });
          try {
            await generateTenant(shared, { tenantId: bigTenant, rows: 120_000, seed: suffix });
          } finally {
            await shared.end();
          }
          const writer = new ContactWriter(gatewayClient(stack, grace, bigSlug), `${prefix}-big`, {
            domain: "mover.test",
          });
          writers.push(writer);
          writer.start();

          const child = cliCommand(["move", bigSlug, "--to", scratch, "--batch-rows", "1000"]).spawn();
          let moveId = "";
          let killedAt = 0;
          const deadline = Date.now() + 60_000;
          while (Date.now() < deadline) {
            const [row] = await app<{ id: string; copied: number; status: string }[]>`
            select m.id, coalesce(sum(t.rows_copied), 0)::int as copied, m.status
            from public.tenant_moves m left join public.tenant_move_tables t on t.move_id = m.id
            where m.tenant_id = ${bigTenant} group by m.id`;
            if (row && row.status === "copying" && row.copied > 20_000) {
              moveId = row.id;
              child.kill("SIGKILL");
              killedAt = row.copied;
              break;
            }
            await sleep(20);
          }
          const status = await child.status;
          await child.stdout.cancel();
          await child.stderr.cancel();
          assert.ok(moveId, "the copy was caught in the middle");
          assert.equal(status.signal, "SIGKILL");
          const killed = await getMove(app, moveId);
          assert.equal(killed.status, "copying", "the killed move stays where it was");
          assert.ok(killed.rows_copied < 120_000, `killed mid-copy (${killedAt} rows recorded)`);

          const resumed = await cli(["move", "--resume", moveId, "--batch-rows", "5000"]);
          await sleep(300);
          await writer.stop();
          assert.equal(resumed.code, 0, `resume failed:\n${resumed.stdout}\n${resumed.stderr}`);
          const move = await getMove(app, moveId);
          assert.equal(move.status, "done");
          assertVerified(move);
          assert.deepEqual(writer.errors, []);
          assert.deepEqual(
            await writtenContacts(scratchUrl, bigTenant, writer.prefix),
            writer.expected(),
            "every acknowledged write is in the target exactly once",
          );
          // Besides the writer's contacts (checked above), the target holds exactly the source's rows.
          const target = await checksums(scratchUrl, bigTenant);
          const source = await checksums(stack.tenantDbUrls.tenant_shared, bigTenant);
          delete target["public.contacts"];
          delete source["public.contacts"];
          assert.deepEqual(target, source, "every other table is the source's, row for row");
          assert.deepEqual(
            await contactsBesides(scratchUrl, bigTenant, writer.prefix),
            await contactsBesides(stack.tenantDbUrls.tenant_shared, bigTenant, writer.prefix),
            "the generated contacts are the source's, row for row",
          );

          const back = await rollbackMove(app, { keyring, claims: CLAIMS, moveId, ...QUICK });
          assert.equal(back.status, "rolled_back", back.error ?? "");
        },
      );
    } finally {
      for (const writer of writers) await writer.stop();
      // Leave every tenant where the seed has it, and nothing of this run behind.
      const open = await app<{ id: string }[]>`
        select m.id from public.tenant_moves m
        where m.status not in ('rolled_back', 'finalized')
          and (m.target_data_source_id = ${scratchId || null}::uuid or m.source_data_source_id = ${
        scratchId || null
      }::uuid)`;
      for (const { id } of open) {
        await rollbackMove(app, { keyring, claims: CLAIMS, moveId: id, ...QUICK }).catch(() => {});
      }
      const shared = postgres(stack.tenantDbUrls.tenant_shared, { max: 1, onnotice: () => {} });
      try {
        await shared.begin(async (tx) => {
          await tx`set local session_replication_role = replica`;
          await tx`delete from public.contacts where email like ${prefix + "-%"}`;
          for (
            const table of [
              "documents",
              "activities",
              "notes",
              "tasks",
              "event_attendees",
              "events",
              "venues",
              "opportunity_line_items",
              "opportunities",
              "products",
              "pipeline_stages",
              "contacts",
              "accounts",
            ]
          ) {
            await tx`delete from ${tx("public." + table)} where tenant_id = ${bigTenant}`;
          }
        });
      } finally {
        await shared.end();
      }
      await app`delete from public.tenants where id = ${bigTenant}`;
      if (scratchId) {
        await app`delete from public.tenant_moves
                  where target_data_source_id = ${scratchId} or source_data_source_id = ${scratchId}`;
        await app`delete from private.data_sources where id = ${scratchId}`;
      }
      await app`update public.tenants set writes_frozen_at = null, status = 'active'
                where slug in ('acme', 'globex', 'initech') and (writes_frozen_at is not null or status = 'moving')`;
      await app.end();
      await dropDatabase(scratch);
    }
  },
});
