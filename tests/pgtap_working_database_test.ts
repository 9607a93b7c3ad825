/**
 * The pgTAP policy tests of both projects hold on a developer's working database, not only on a freshly
 * reset one. Scratch copies of the local stack's databases (migrations, demo seed, the two tenant
 * databases registered as data sources) are put to use the way a developer would: a real tenant move with
 * the operator CLI (globex to tenant_acme, not finalized, so its rows sit in both databases), a new tenant,
 * user, membership and data source, and business rows of the demo tenants. Then pg_prove runs every pgTAP
 * file on them, twice. The scratch databases are dropped at the end; the test stack is never touched.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import postgres from "postgres";
import { Keyring } from "../functions/_shared/crypto/mod.ts";
import { registerDataSource, registerKeys } from "../functions/_shared/data_sources/mod.ts";
import { applyMigrations, loadMigrations } from "../functions/_shared/provision/mod.ts";
import { createScratchDatabase, type ScratchDatabase } from "../functions/_shared/admin/testdata/helpers.ts";
import { PROJECT_ROOT } from "../scripts/stack/profile.ts";
import { testStack } from "./_env.ts";

const stack = testStack();
const GLOBEX = "a0000000-0000-4000-8000-000000000002";
const ACME = "a0000000-0000-4000-8000-000000000001";

async function withSql<T>(url: string, use: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await use(sql);
  } finally {
    await sql.end();
  }
}

async function runSqlFile(url: string, file: string): Promise<void> {
  await withSql(url, async (sql) => {
    await sql.unsafe(await Deno.readTextFile(join(PROJECT_ROOT, file))).simple();
  });
}

/** A tenant database as the stack has it: the tenant schema and its demo seed. */
async function tenantDatabase(seed: string): Promise<ScratchDatabase> {
  const scratch = await createScratchDatabase(stack.appDbUrl, { bootstrap: true });
  await withSql(scratch.url, async (sql) => {
    await applyMigrations(
      sql,
      await loadMigrations(join(PROJECT_ROOT, "tenant-db", "supabase", "migrations")),
    );
  });
  await runSqlFile(scratch.url, `tenant-db/supabase/seed/${seed}.sql`);
  return scratch;
}

function keyEnv(): Record<string, string> {
  const get = (name: string) => {
    const value = Deno.env.get(name);
    if (!value) throw new Error(`Missing ${name}: run the end-to-end tests through \`npm test\``);
    return value;
  };
  return {
    TENANT_ENCRYPTION_KEYS: get("TENANT_ENCRYPTION_KEYS"),
    TENANT_ENCRYPTION_ACTIVE_KEY: get("TENANT_ENCRYPTION_ACTIVE_KEY"),
  };
}

async function run(program: string, args: string[], env: Record<string, string> = {}) {
  const output = await new Deno.Command(program, {
    args,
    cwd: PROJECT_ROOT,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

/** pg_prove over every pgTAP file of a project; returns its verbose TAP. */
async function pgProve(url: string, testDir: string) {
  const files: string[] = [];
  for await (const entry of Deno.readDir(join(PROJECT_ROOT, testDir))) {
    if (entry.name.endsWith(".test.sql")) files.push(join(testDir, entry.name));
  }
  const { hostname, port, pathname } = new URL(url);
  const result = await run("pg_prove", [
    "--verbose",
    "-h",
    hostname,
    "-p",
    port,
    "-U",
    "postgres",
    "-d",
    pathname.slice(1),
    ...files.sort(),
  ], { PGPASSWORD: "postgres", PATH: Deno.env.get("PATH") ?? "" });
  return {
    ...result,
    passed: result.stdout.match(/^\s*ok \d+/gm)?.length ?? 0,
    failures: result.stdout.split("\n").filter((line) =>
      /^\s*not ok \d+/.test(line) || /^# +Failed test/.test(line)
    ),
  };
}

/** What a developer's day leaves besides the move: a tenant, a user in three tenants, rows, a data source. */
async function useTheDatabases(appUrl: string, sharedUrl: string, acmeUrl: string, keyring: Keyring) {
  await withSql(appUrl, async (sql) => {
    const userId = "f5000000-0000-4000-8000-000000000001";
    await sql`
      insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data)
      values ('00000000-0000-0000-0000-000000000000', ${userId}, 'authenticated', 'authenticated',
              'newcomer@example.test', '{"provider": "email"}', '{}')`;
    const [umbrella] = await sql<{ id: string }[]>`
      insert into public.tenants (slug, name) values ('umbrella', 'Umbrella') returning id`;
    await sql`
      insert into public.tenant_members (tenant_id, user_id, role)
      values (${
      umbrella!.id
    }, ${userId}, 'owner'), (${ACME}, ${userId}, 'member'), (${GLOBEX}, ${userId}, 'admin')`;
    await registerDataSource(sql, keyring, {
      name: "eu_1",
      kind: "postgres",
      credentials: { url: sharedUrl },
    });
  });
  for (const [url, tenant] of [[sharedUrl, GLOBEX], [acmeUrl, ACME]] as const) {
    await withSql(url, async (sql) => {
      await sql`insert into public.accounts (tenant_id, name) values (${tenant}, 'Imported')`;
      await sql`insert into public.events (tenant_id, name) values (${tenant}, 'Imported'), (${tenant}, 'Offsite')`;
    });
  }
}

Deno.test({
  name: "pgTAP: every policy test holds on a used database (after a real tenant move), run twice",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const scratches: ScratchDatabase[] = [];
    try {
      const app = await createScratchDatabase(stack.appDbUrl, { applicationSchema: true });
      scratches.push(app);
      await runSqlFile(app.url, "supabase/seed.sql");
      const shared = await tenantDatabase("tenant_shared");
      scratches.push(shared);
      const acme = await tenantDatabase("tenant_acme");
      scratches.push(acme);

      const env = keyEnv();
      const keyring = await Keyring.fromEnv(new Map(Object.entries(env)));
      await withSql(app.url, async (sql) => {
        await registerKeys(sql, keyring);
        await registerDataSource(sql, keyring, {
          name: "tenant_shared",
          kind: "postgres",
          credentials: { url: shared.url },
          isDefault: true,
        });
        const { id } = await registerDataSource(sql, keyring, {
          name: "tenant_acme",
          kind: "postgres",
          credentials: { url: acme.url },
        });
        await sql`update public.tenants set data_source_id = ${id} where slug = 'acme'`;
      });

      const move = await run(Deno.execPath(), [
        "run",
        "--allow-all",
        "--quiet",
        join(PROJECT_ROOT, "scripts", "tenants", "main.ts"),
        "move",
        "globex",
        "--to",
        "tenant_acme",
        "--db-url",
        app.url,
      ], { ...env, PATH: Deno.env.get("PATH") ?? "" });
      assert.equal(move.code, 0, `the move failed:\n${move.stderr}`);
      await withSql(app.url, async (sql) => {
        const [globex] = await sql`
          select d.name from public.tenants t join private.data_sources d on d.id = t.data_source_id
          where t.slug = 'globex'`;
        assert.equal(globex?.name, "tenant_acme", "globex is routed to tenant_acme after the move");
        const [open] = await sql`select count(*)::int as n from public.tenant_moves where status = 'done'`;
        assert.equal(open?.n, 1, "the move is done, not finalized: it is still globex's open move");
      });
      for (const url of [shared.url, acme.url]) {
        const [rows] = await withSql(
          url,
          (sql) => sql`select count(*)::int as n from public.accounts where tenant_id = ${GLOBEX}`,
        );
        assert.ok((rows?.n ?? 0) > 0, "globex's rows sit in both tenant databases");
      }
      await useTheDatabases(app.url, shared.url, acme.url, keyring);

      for (const round of [1, 2]) {
        for (
          const [name, url, dir] of [
            ["the application database", app.url, "supabase/tests"],
            ["tenant_shared", shared.url, "tenant-db/supabase/tests"],
            ["tenant_acme", acme.url, "tenant-db/supabase/tests"],
          ] as const
        ) {
          const result = await pgProve(url, dir);
          assert.deepEqual(
            result.failures,
            [],
            `run ${round} on ${name}:\n${result.stdout}\n${result.stderr}`,
          );
          assert.equal(
            result.code,
            0,
            `pg_prove on ${name} (run ${round}) exited ${result.code}:\n${result.stderr}`,
          );
          assert.ok(result.passed > 0, `pg_prove on ${name} ran no assertion`);
        }
      }
    } finally {
      for (const scratch of scratches.reverse()) await scratch.drop();
    }
  },
});
