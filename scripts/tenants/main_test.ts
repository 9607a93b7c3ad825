import assert from "node:assert/strict";
import { Keyring, openText } from "../../functions/_shared/crypto/mod.ts";
import {
  connect,
  createScratchDatabase,
  databaseEnv,
  deleteDataSources,
  deleteTenants,
  unique,
} from "../../functions/_shared/admin/testdata/helpers.ts";
import { tenants } from "./testdata/cli.ts";

const env = databaseEnv();

function sourceName(prefix: string): string {
  return unique(prefix).replace("-", "_");
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("tenants --help lists every command and exits 0", async () => {
  const run = await tenants(["--help"]);
  assert.equal(run.code, 0);
  for (
    const command of [
      "keygen",
      "encrypt",
      "data-source",
      "tenant",
      "check",
      "provision",
      "move",
      "rotate-keys",
      "import-legacy",
    ]
  ) {
    assert.match(run.stdout, new RegExp(`\\b${command}\\b`));
  }
});

Deno.test("every command answers --help with its usage and exit 0", async () => {
  for (
    const args of [
      ["keygen"],
      ["encrypt"],
      ["data-source", "add"],
      ["data-source", "list"],
      ["data-source", "test"],
      ["data-source", "update"],
      ["data-source", "create-local"],
      ["tenant", "create"],
      ["tenant", "assign"],
      ["check"],
      ["provision"],
      ["move"],
      ["rotate-keys"],
      ["import-legacy"],
    ]
  ) {
    const run = await tenants([...args, "--help"]);
    assert.equal(run.code, 0, args.join(" "));
    assert.match(run.stdout, new RegExp(`USAGE tenants ${args.join(" ")}`));
  }
});

for (
  const [name, args] of [
    ["no command", []],
    ["an unknown command", ["teleport", "acme", "--to", "tenant_acme"]],
    ["a move without --to", ["move", "acme"]],
    ["a move with two steps at once", [
      "move",
      "--resume",
      crypto.randomUUID(),
      "--finalize",
      crypto.randomUUID(),
    ]],
    ["a move step without a move id", ["move", "--status", "acme"]],
    ["a dry run of a resume", ["move", "--resume", crypto.randomUUID(), "--dry-run"]],
    ["a batch size that is not a number", ["move", "acme", "--to", "tenant_shared", "--batch-rows", "many"]],
    ["an unknown option", ["data-source", "list", "--nmae", "x"]],
    ["a missing required option", ["tenant", "create", "--slug", "abc"]],
    ["an option without its value", ["tenant", "create", "--slug", "abc", "--name"]],
    ["an invalid kind", ["data-source", "add", "--name", "x1", "--kind", "mysql", "--url", "x"]],
    ["a surplus argument", ["check", "extra"]],
    ["provision without a data source or --all", ["provision"]],
    ["a database URL for a postgres data source", [
      "data-source",
      "add",
      "--name",
      "x1",
      "--kind",
      "postgres",
      "--url",
      "postgresql://u:p@h/d",
      "--database-url",
      "postgresql://u:p@h/d",
    ]],
    ["aggregates for a supabase data source (its project decides)", [
      "data-source",
      "add",
      "--name",
      "x1",
      "--kind",
      "supabase",
      "--url",
      "https://abcdefghijklmnopqrst.supabase.co",
      "--aggregates",
    ]],
    ["create-local with a name that is not a database name", ["data-source", "create-local", "Eu-1"]],
    ["an injected data source name", [
      "data-source",
      "add",
      "--name",
      "'; drop table private.data_sources; --",
      "--kind",
      "postgres",
      "--url",
      "postgresql://u:p@h/d",
    ]],
    ["an injected slug", ["tenant", "create", "--slug", "x'; delete from public.tenants; --", "--name", "X"]],
    ["an update that changes nothing", ["data-source", "update", "eu_1"]],
    ["an update to a pool of 0", ["data-source", "update", "eu_1", "--pool-max", "0"]],
    ["an update to an unknown status", ["data-source", "update", "eu_1", "--status", "paused"]],
    ["a page size of 0", ["tenant", "list", "--limit", "0"]],
    ["a page size above 1,000", ["tenant", "list", "--limit", "1001"]],
    ["a page size that is not a number", ["tenant", "list", "--limit", "ten"]],
  ] as const
) {
  Deno.test(`tenants exits 2 for ${name}`, async () => {
    const run = await tenants([...args], {
      env: { SUPABASE_DB_URL: "postgresql://nobody@127.0.0.1:1/none" },
    });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /Error: /);
  });
}

Deno.test("keygen prints <id>:<64 hex> and --json parses into a key the keyring accepts", async () => {
  const plain = await tenants(["keygen"]);
  assert.equal(plain.code, 0);
  assert.match(plain.stdout.trim(), /^k\d{8}[0-9a-f]{4}:[0-9a-f]{64}$/);
  const json = await tenants(["keygen", "--json"]);
  const key = json.json() as { id: string; hex: string; fingerprint: string; entry: string };
  assert.equal(key.entry, `${key.id}:${key.hex}`);
  const keyring = await Keyring.fromEnv(new Map([["TENANT_ENCRYPTION_KEYS", key.entry]]));
  assert.equal(keyring.fingerprint(key.id), key.fingerprint);
});

Deno.test({
  name:
    "data-source add reads --url - from stdin, and list, update, test, tenant create and assign work with --json",
  async fn() {
    const sql = connect(env!.dbUrl);
    const name = sourceName("cli_ds");
    const slug = unique("cli-tenant");
    try {
      const password = new URL(env!.sharedDbUrl).password;
      const added = await tenants([
        "data-source",
        "add",
        "--name",
        name,
        "--kind",
        "postgres",
        "--url",
        "-",
        "--aggregates",
        "--json",
      ], {
        stdin: `${env!.sharedDbUrl}\n`,
      });
      assert.equal(added.code, 0, added.stderr);
      const view = added.json() as {
        masked_url: string;
        database_name: string;
        key_id: string;
        aggregates_enabled: boolean;
        plan_enabled: boolean;
      };
      assert.equal(view.database_name, "tenant_shared");
      assert.deepEqual([view.aggregates_enabled, view.plan_enabled], [true, false]);
      assert.match(view.masked_url, /:\*\*\*\*@/);
      assert.ok(!added.stdout.includes(`:${password}@`));

      const list = await tenants(["data-source", "list", "--json"]);
      assert.equal(list.code, 0, list.stderr);
      assert.ok((list.json() as { name: string }[]).some((source) => source.name === name));
      const table = await tenants(["data-source", "list"]);
      assert.match(table.stdout, new RegExp(name));
      assert.match(table.stdout, /postgrest/);
      assert.match(table.stdout, /aggregates/);
      assert.ok(!table.stdout.includes(`:${password}@`));

      const updated = await tenants([
        "data-source",
        "update",
        name,
        "--no-aggregates",
        "--explain",
        "--pool-max",
        "7",
        "--status",
        "draining",
        "--json",
      ]);
      assert.equal(updated.code, 0, updated.stderr);
      const after = updated.json() as typeof view & { pool_max: number; status: string };
      assert.deepEqual(
        [after.aggregates_enabled, after.plan_enabled, after.pool_max, after.status],
        [false, true, 7, "draining"],
      );
      // What a flag does not name stays as it is.
      const reactivated = await tenants(["data-source", "update", name, "--status", "active", "--json"]);
      assert.equal(reactivated.code, 0, reactivated.stderr);
      const kept = reactivated.json() as typeof after;
      assert.deepEqual([kept.plan_enabled, kept.pool_max, kept.status], [true, 7, "active"]);
      assert.ok(!updated.stdout.includes(`:${password}@`));

      const tested = await tenants(["data-source", "test", name, "--json"]);
      assert.equal(tested.code, 0, tested.stdout + tested.stderr);
      assert.equal((tested.json() as { current: boolean }).current, true);

      const created = await tenants([
        "tenant",
        "create",
        "--slug",
        slug,
        "--name",
        "CLI Tenant",
        "--data-source",
        name,
        "--json",
      ]);
      assert.equal(created.code, 0, created.stderr);
      assert.equal((created.json() as { data_source: string }).data_source, name);
      const again = await tenants(["tenant", "create", "--slug", slug, "--name", "CLI Tenant"]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /already exists/);

      const assigned = await tenants(["tenant", "assign", slug, "--data-source", "default", "--json"]);
      assert.equal(assigned.code, 0, assigned.stderr);
      assert.equal((assigned.json() as { tenant: { uses_default: boolean } }).tenant.uses_default, true);
      const missing = await tenants(["tenant", "assign", "no-such-tenant", "--data-source", "default"]);
      assert.equal(missing.code, 1);

      const [audit] = await sql<{ actor_role: string }[]>`
        select actor_role from public.audit_log where entity = 'public.tenants' and new ->> 'slug' = ${slug} limit 1`;
      assert.equal(audit?.actor_role, "service_role");
    } finally {
      await deleteTenants(sql, [slug]);
      await deleteDataSources(sql, [name]);
      await sql.end();
    }
  },
});

Deno.test({
  name: "encrypt seals stdin for a row and field, as hex JSON that opens only there",
  async fn() {
    const run = await tenants(["encrypt", "--data-source", "tenant_shared", "--field", "note"], {
      stdin: "a secret note\n",
    });
    assert.equal(run.code, 0, run.stderr);
    const out = run.json() as {
      data_source_id: string;
      key_id: string;
      ciphertext: string;
      nonce: string;
      table: string;
    };
    assert.match(out.ciphertext, /^[0-9a-f]+$/);
    assert.equal(out.nonce.length, 24);
    const bytes = (text: string) => new Uint8Array(text.match(/../g)!.map((byte) => parseInt(byte, 16)));
    const keyring = await Keyring.fromEnv(
      new Map([
        ["TENANT_ENCRYPTION_KEYS", env!.encryptionKeys],
        ["TENANT_ENCRYPTION_ACTIVE_KEY", env!.activeKey],
      ]),
    );
    const sealed = { ciphertext: bytes(out.ciphertext), nonce: bytes(out.nonce), keyId: out.key_id };
    assert.equal(
      await openText(keyring, sealed, { table: out.table, rowId: out.data_source_id, field: "note" }),
      "a secret note",
    );
    await assert.rejects(
      openText(keyring, sealed, { table: out.table, rowId: out.data_source_id, field: "secret" }),
    );
    const empty = await tenants(["encrypt", "--data-source", "tenant_shared", "--field", "note"], {
      stdin: "",
    });
    assert.equal(empty.code, 2);
  },
});

Deno.test({
  name:
    "check reports a ciphertext copied between data sources with exit 1, without crashing or printing a secret",
  async fn() {
    const sql = connect(env!.dbUrl);
    const [a, b] = [sourceName("cli_copy_a"), sourceName("cli_copy_b")];
    const slug = unique("cli-victim");
    try {
      for (const name of [a, b]) {
        const run = await tenants(
          ["data-source", "add", "--name", name, "--kind", "postgres", "--url", "-"],
          {
            stdin: env!.sharedDbUrl,
          },
        );
        assert.equal(run.code, 0, run.stderr);
      }
      assert.equal(
        (await tenants(["tenant", "create", "--slug", slug, "--name", "Victim", "--data-source", b])).code,
        0,
      );
      const [old] = await sql<{ secret_ciphertext: Uint8Array; secret_nonce: Uint8Array }[]>`
        select secret_ciphertext, secret_nonce from private.data_sources where name = ${a}`;
      // Free a's nonce by sealing a's credentials again, then paste its old ciphertext into b.
      const reseal = await tenants(["encrypt", "--data-source", a, "--field", "secret"], {
        stdin: JSON.stringify({ url: env!.sharedDbUrl }),
      });
      const fresh = reseal.json() as { ciphertext: string; nonce: string };
      await sql`
        update private.data_sources
        set secret_ciphertext = decode(${fresh.ciphertext}, 'hex'), secret_nonce = decode(${fresh.nonce}, 'hex')
        where name = ${a}`;
      await sql`
        update private.data_sources set secret_ciphertext = ${old!.secret_ciphertext}, secret_nonce = ${
        old!.secret_nonce
      }
        where name = ${b}`;

      const check = await tenants(["check", "--json"]);
      assert.equal(check.code, 1, check.stderr);
      const report = check.json() as {
        ok: boolean;
        tenants: { tenant: string; decrypted: boolean; problems: string[] }[];
      };
      assert.equal(report.ok, false);
      const victim = report.tenants.find((t) => t.tenant === slug)!;
      assert.equal(victim.decrypted, false);
      assert.match(victim.problems.join(" "), /authentication failed/);
      const table = await tenants(["check"]);
      assert.equal(table.code, 1);
      assert.match(table.stdout, /authentication failed/);
      const password = new URL(env!.sharedDbUrl).password;
      for (const text of [check.stdout, check.stderr, table.stdout, table.stderr]) {
        assert.ok(!text.includes(`:${password}@`));
        assert.ok(!text.includes(hex(old!.secret_ciphertext)));
      }
      const test = await tenants(["data-source", "test", b]);
      assert.equal(test.code, 1);
      // a still works: only the copy is refused.
      assert.equal((await tenants(["data-source", "test", a])).code, 0);
    } finally {
      await deleteTenants(sql, [slug]);
      await deleteDataSources(sql, [a, b]);
      await sql.end();
    }
  },
});

Deno.test({
  name:
    "provision brings a new data source to the current schema; the Supabase CLI then finds nothing to push",
  async fn() {
    const sql = connect(env!.dbUrl);
    const scratch = await createScratchDatabase(env!.dbUrl, { bootstrap: true });
    const name = sourceName("cli_prov");
    try {
      assert.equal(
        (await tenants(["data-source", "add", "--name", name, "--kind", "postgres", "--url", "-"], {
          stdin: scratch.url,
        }))
          .code,
        0,
      );
      const before = await tenants(["data-source", "test", name, "--json"]);
      assert.equal(before.code, 1);

      const dry = await tenants(["provision", name, "--dry-run", "--json"]);
      assert.equal(dry.code, 0, dry.stderr);
      const wouldApply = (dry.json() as { applied: string[] }[])[0]!.applied;
      assert.ok(wouldApply.length > 0);

      const run = await tenants(["provision", name, "--json"]);
      assert.equal(run.code, 0, run.stderr);
      const [result] = run.json() as { applied: string[]; current: boolean; schema_version: string }[];
      assert.deepEqual(result!.applied, wouldApply);
      assert.equal(result!.current, true);

      const viaCli = await tenants(["provision", name, "--supabase-cli", "--dry-run", "--json"]);
      assert.equal(viaCli.code, 0, viaCli.stderr);
      const [cli] = viaCli.json() as { applied: string[]; current: boolean }[];
      assert.deepEqual(cli!.applied, []);
      assert.equal(cli!.current, true);
      assert.equal((await tenants(["data-source", "test", name])).code, 0);
    } finally {
      await deleteDataSources(sql, [name]);
      await sql.end();
      await scratch.drop();
    }
  },
});

Deno.test({
  name:
    "provision --all goes on past a failing database, skips one that is not a tenant database, and a re-run touches only what is behind",
  async fn() {
    const sql = connect(env!.dbUrl);
    const fresh = await createScratchDatabase(env!.dbUrl, { bootstrap: true });
    const application = await createScratchDatabase(env!.dbUrl, { applicationSchema: true });
    const names = {
      fresh: sourceName("all_fresh"),
      app: sourceName("all_app"),
      gone: sourceName("all_gone"),
    };
    const missing = new URL(fresh.url);
    missing.pathname = "/tr_no_such_database";
    try {
      for (
        const [name, url] of [[names.fresh, fresh.url], [names.app, application.url], [
          names.gone,
          missing.toString(),
        ]]
      ) {
        const added = await tenants([
          "data-source",
          "add",
          "--name",
          name!,
          "--kind",
          "postgres",
          "--url",
          "-",
        ], {
          stdin: url!,
        });
        assert.equal(added.code, 0, added.stderr);
      }
      type Row = {
        data_source: string;
        applied: string[];
        schema_version_before: string | null;
        schema_version: string | null;
        result: string;
        error: string | null;
        elapsed_ms: number;
      };
      const first = await tenants(["provision", "--all", "--concurrency", "2", "--json"]);
      assert.equal(first.code, 1, "a failed database makes the exit code 1");
      const byName = (rows: Row[]) => new Map(rows.map((row) => [row.data_source, row]));
      const rows = byName(first.json() as Row[]);
      const freshRow = rows.get(names.fresh)!;
      assert.equal(freshRow.result, "ok");
      assert.equal(freshRow.schema_version_before, null);
      assert.ok(freshRow.applied.length > 0);
      assert.ok(freshRow.elapsed_ms >= 0);
      assert.equal(rows.get(names.app)!.result, "skipped");
      assert.match(rows.get(names.app)!.error!, /not a tenant database/);
      assert.equal(rows.get(names.gone)!.result, "failed");
      assert.ok(rows.get(names.gone)!.error);
      const shared = rows.get("tenant_shared")!;
      assert.deepEqual([shared.result, shared.applied], ["ok", []]);
      assert.equal(shared.schema_version_before, shared.schema_version);

      const again = byName((await tenants(["provision", "--all", "--json"])).json() as Row[]);
      assert.deepEqual(again.get(names.fresh)!.applied, []);
      assert.equal(again.get(names.fresh)!.schema_version_before, freshRow.schema_version);
      const table = await tenants(["provision", "--all"]);
      assert.match(table.stdout, /data sources: \d+ ok, 1 skipped, 1 failed/);
    } finally {
      await deleteDataSources(sql, Object.values(names));
      await sql.end();
      await fresh.drop();
      await application.drop();
    }
  },
});

Deno.test({
  name: "rotate-keys re-encrypts every secret with the new active key and retires the old one",
  async fn() {
    const scratch = await createScratchDatabase(env!.dbUrl, { applicationSchema: true });
    try {
      const k1 = (await tenants(["keygen", "--json"])).json() as { id: string; entry: string };
      let k2 = (await tenants(["keygen", "--json"])).json() as { id: string; entry: string };
      while (k2.id === k1.id) {
        k2 = (await tenants(["keygen", "--json"])).json() as { id: string; entry: string };
      }
      const withKeys = (entries: string[], active: string) => ({
        env: { TENANT_ENCRYPTION_KEYS: entries.join(","), TENANT_ENCRYPTION_ACTIVE_KEY: active },
      });
      const first = await tenants(
        ["rotate-keys", "--db-url", scratch.url, "--json"],
        withKeys([k1.entry], k1.id),
      );
      assert.equal(first.code, 0, first.stderr);
      const added = await tenants(
        [
          "data-source",
          "add",
          "--name",
          "only",
          "--kind",
          "postgres",
          "--url",
          "-",
          "--default",
          "--db-url",
          scratch.url,
        ],
        { stdin: env!.sharedDbUrl, ...withKeys([k1.entry], k1.id) },
      );
      assert.equal(added.code, 0, added.stderr);

      const both = withKeys([k1.entry, k2.entry], k2.id);
      const rotated = await tenants(["rotate-keys", "--db-url", scratch.url, "--json"], both);
      assert.equal(rotated.code, 0, rotated.stderr);
      const result = rotated.json() as { reencrypted: number; retired: number; retired_key_ids: string[] };
      assert.equal(result.reencrypted, 1);
      assert.deepEqual(result.retired_key_ids, [k1.id]);
      const plain = await tenants(["rotate-keys", "--db-url", scratch.url], both);
      assert.match(plain.stdout, /Re-encrypted: 0/);
      const test = await tenants(
        ["data-source", "test", "only", "--db-url", scratch.url],
        withKeys([k2.entry], k2.id),
      );
      assert.equal(test.code, 0, test.stdout + test.stderr);
    } finally {
      await scratch.drop();
    }
  },
});

Deno.test({
  name: "tenant list pages with --limit and --cursor; without them --json is every tenant, as before",
  async fn() {
    const sql = connect(env!.dbUrl);
    const prefix = unique("cli-page").toLowerCase();
    const slugs = Array.from({ length: 5 }, (_, i) => `${prefix}-${i}`);
    try {
      await sql`insert into public.tenants (slug, name) select s, 'Paged' from unnest(${slugs}::text[]) as s`;
      const all = await tenants(["tenant", "list", "--json"]);
      assert.equal(all.code, 0, all.stderr);
      const everySlug = (all.json() as { slug: string }[]).map((tenant) => tenant.slug);
      for (const slug of slugs) assert.ok(everySlug.includes(slug));

      const paged: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const run = await tenants([
          "tenant",
          "list",
          "--limit",
          "40",
          "--json",
          ...(cursor ? ["--cursor", cursor] : []),
        ]);
        assert.equal(run.code, 0, run.stderr);
        const page = run.json() as { tenants: { slug: string }[]; next_cursor: string | null };
        assert.ok(page.tenants.length <= 40);
        paged.push(...page.tenants.map((tenant) => tenant.slug));
        cursor = page.next_cursor;
        pages++;
      } while (cursor !== null && pages < 100);
      assert.deepEqual(paged, everySlug, "the pages put together are the whole list, in its order");

      const table = await tenants(["tenant", "list", "--limit", "1"]);
      assert.equal(table.code, 0, table.stderr);
      assert.match(
        table.stdout,
        /Next page: npm run tenants -- tenant list --limit 1 --cursor [A-Za-z0-9_-]+/,
      );

      const bad = await tenants(["tenant", "list", "--cursor", "not-a-cursor"]);
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(bad.stderr, /Invalid cursor/);
    } finally {
      await deleteTenants(sql, slugs);
      await sql.end();
    }
  },
});

Deno.test("the CLI refuses to guess keys for a database that is not the local stack's", async () => {
  const run = await tenants(["data-source", "list", "--db-url", "postgresql://app@db.example.invalid/app"], {
    env: {
      TENANT_ENCRYPTION_KEYS: undefined,
      TENANT_ENCRYPTION_ACTIVE_KEY: undefined,
      ENCRYPTION_KEY: undefined,
    },
  });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /TENANT_ENCRYPTION_KEYS/);
});

Deno.test({
  name:
    "provision refuses a plain database, naming what it lacks and the flag; --bootstrap-supabase provisions it",
  async fn() {
    const sql = connect(env!.dbUrl);
    const plain = await createScratchDatabase(env!.dbUrl);
    const target = connect(plain.url);
    const name = sourceName("cli_plain");
    try {
      const added = await tenants(
        ["data-source", "add", "--name", name, "--kind", "postgres", "--url", "-"],
        {
          stdin: plain.url,
        },
      );
      assert.equal(added.code, 0, added.stderr);
      for (const extra of [[], ["--supabase-cli"]]) {
        const refused = await tenants(["provision", name, ...extra]);
        assert.equal(refused.code, 1, refused.stderr);
        assert.match(refused.stdout, /lacks schema auth, function auth\.uid\(\)/);
        assert.match(refused.stdout, /--bootstrap-supabase/);
      }
      const [written] = await target<{ auth: string | null; history: string | null }[]>`
        select to_regnamespace('auth')::text as auth, to_regnamespace('supabase_migrations')::text as history`;
      assert.deepEqual(written, { auth: null, history: null }, "refused before anything was written");

      const run = await tenants(["provision", name, "--bootstrap-supabase", "--json"]);
      assert.equal(run.code, 0, run.stderr);
      const [result] = run.json() as { bootstrapped: string[]; current: boolean }[];
      assert.ok(result!.bootstrapped.includes("function auth.uid()"));
      assert.equal(result!.current, true);
      assert.equal((await tenants(["data-source", "test", name])).code, 0);
    } finally {
      await deleteDataSources(sql, [name]);
      await target.end();
      await sql.end();
      await plain.drop();
    }
  },
});

/** `data-source add` arguments of a made-up Supabase project (well-formed, never contacted). */
const SUPABASE_PROJECT_ARGS = [
  "--kind",
  "supabase",
  "--url",
  "https://abcdefghijklmnopqrst.supabase.co",
  "--anon-key",
  "a".repeat(40),
  "--service-key",
  "s".repeat(40),
];

Deno.test({
  name: "data-source add --kind supabase seals --database-url from stdin; list shows it masked",
  async fn() {
    const sql = connect(env!.dbUrl);
    const name = sourceName("cli_sb");
    const password = `pw-${crypto.randomUUID()}`;
    try {
      const added = await tenants([
        "data-source",
        "add",
        "--name",
        name,
        ...SUPABASE_PROJECT_ARGS,
        "--database-url",
        "-",
        "--json",
      ], { stdin: `postgresql://postgres:${password}@db.abcdefghijklmnopqrst.supabase.co:5432/postgres` });
      assert.equal(added.code, 0, added.stderr);
      assert.equal(
        (added.json() as { masked_db_url: string }).masked_db_url,
        "postgresql://postgres:****@db.abcdefghijklmnopqrst.supabase.co:5432/postgres",
      );
      const list = await tenants(["data-source", "list"]);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /db: postgresql:\/\/postgres:\*\*\*\*@db\.abcdefghijklmnopqrst/);
      for (const text of [added.stdout, added.stderr, list.stdout, list.stderr]) {
        assert.ok(!text.includes(password), "the password is never printed");
      }
    } finally {
      await deleteDataSources(sql, [name]);
      await sql.end();
    }
  },
});

Deno.test({
  name: "move refuses a supabase data source without a database URL: exit 1, naming db_url",
  async fn() {
    const sql = connect(env!.dbUrl);
    const name = sourceName("cli_sb_api");
    try {
      const added = await tenants([
        "data-source",
        "add",
        "--name",
        name,
        ...SUPABASE_PROJECT_ARGS,
      ]);
      assert.equal(added.code, 0, added.stderr);
      const refused = await tenants(["move", "globex", "--to", name, "--dry-run"]);
      assert.equal(refused.code, 1, refused.stderr);
      assert.match(refused.stderr, /Supabase project without a database URL: moves need one/);
      assert.match(refused.stderr, /db_url/);
    } finally {
      await deleteDataSources(sql, [name]);
      await sql.end();
    }
  },
});
