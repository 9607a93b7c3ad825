import assert from "node:assert/strict";
import { Keyring } from "../../crypto/mod.ts";
import {
  assertNoSecrets,
  connect,
  createScratchDatabase,
  databaseEnv,
  deleteDataSources,
  deleteTenants,
  keyEnv,
  serviceToken,
  testHandler,
  unique,
} from "../testdata/helpers.ts";

const env = databaseEnv();

/** A name that fits `data_sources_name_format`. */
function sourceName(prefix: string): string {
  return unique(prefix).replace("-", "_");
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test({
  name:
    "data source routes register, list masked, replace credentials, test and refuse to delete while in use",
  async fn() {
    const sql = connect(env!.dbUrl);
    const t = await testHandler({ dbUrl: env!.dbUrl, keyring: await Keyring.fromEnv(keyEnv(env!)) });
    const name = sourceName("t_ds");
    const slug = unique("t-ds");
    const password = `pw-${crypto.randomUUID()}`;
    const url = `postgresql://app_user:${password}@db.example.test:6543/tenant_x?sslmode=require`;
    try {
      const service = await serviceToken();
      const registered = await t.call("POST", "/data-sources", {
        token: service,
        body: { name, kind: "postgres", credentials: { url }, pool_max: 7 },
      });
      assert.equal(registered.status, 201, registered.text);
      assert.equal(registered.json.masked_url, "postgresql://app_user:****@db.example.test:6543/tenant_x");
      assert.equal(registered.json.host, "db.example.test");
      assert.equal(registered.json.port, 6543);
      assert.equal(registered.json.pool_max, 7);
      assert.equal(registered.json.key_id, env!.activeKey);
      assert.match(registered.json.fingerprint, /^sha256:[0-9a-f]{16}$/);

      const [row] = await sql<{ secret_ciphertext: Uint8Array; secret_nonce: Uint8Array }[]>`
        select secret_ciphertext, secret_nonce from private.data_sources where name = ${name}`;
      const list = await t.call("GET", "/data-sources", { token: service });
      assert.equal(list.status, 200);
      const listed = list.json.find((source: { name: string }) => source.name === name);
      assert.equal(listed.masked_url, registered.json.masked_url);
      assert.deepEqual(
        Object.keys(listed).sort(),
        [
          "aggregates_enabled",
          "created_at",
          "credentials_error",
          "database_name",
          "fingerprint",
          "host",
          "id",
          "is_default",
          "key_id",
          "kind",
          "masked_db_url",
          "masked_url",
          "name",
          "plan_enabled",
          "pool_max",
          "port",
          "project_ref",
          "schema_version",
          "status",
          "tenant_count",
          "updated_at",
        ],
      );
      const ciphertextBase64 = btoa(String.fromCharCode(...row!.secret_ciphertext));
      assertNoSecrets(list.text + registered.text, [password, hex(row!.secret_ciphertext), ciphertextBase64]);

      // The audit fingerprint and the API's are the same digest of the same bytes.
      const [audit] = await sql<{ fingerprint: string }[]>`
        select new ->> 'secret_ciphertext' as fingerprint from public.audit_log
        where entity = 'private.data_sources' and entity_id = ${registered.json.id} order by id desc limit 1`;
      assert.equal(audit?.fingerprint, registered.json.fingerprint);

      const duplicate = await t.call("POST", "/data-sources", {
        token: service,
        body: { name, kind: "postgres", credentials: { url } },
      });
      assert.equal(duplicate.status, 409);
      const secondDefault = await t.call("POST", "/data-sources", {
        token: service,
        body: { name: sourceName("t_def"), kind: "postgres", credentials: { url }, is_default: true },
      });
      assert.equal(secondDefault.status, 409);
      assert.equal(secondDefault.json.code, "TR633");

      // Replace with working credentials: new ciphertext, new display fields, and the test connects.
      const replaced = await t.call("PUT", `/data-sources/${name}/credentials`, {
        token: service,
        body: { credentials: { url: env!.sharedDbUrl } },
      });
      assert.equal(replaced.status, 200, replaced.text);
      assert.notEqual(replaced.json.fingerprint, registered.json.fingerprint);
      assert.equal(replaced.json.database_name, "tenant_shared");
      assert.match(replaced.json.masked_url, /:\*\*\*\*@/);
      const wrongKind = await t.call("PUT", `/data-sources/${name}/credentials`, {
        token: service,
        body: { credentials: { url: "https://abc.supabase.co", anon_key: "x".repeat(30) } },
      });
      assert.equal(wrongKind.status, 400);
      assert.ok(wrongKind.json.details.some((issue: { path: string }) => issue.path === "credentials.url"));

      const tested = await t.call("POST", `/data-sources/${name}/test`, { token: service });
      assert.equal(tested.status, 200, tested.text);
      assert.equal(tested.json.ok, true, tested.text);
      assert.equal(tested.json.current, true);
      assert.match(tested.json.schema_version, /^\d{14}$/);

      // In use by a tenant: refused; once the tenant leaves: deleted.
      await t.call("POST", "/tenants", {
        token: service,
        body: { slug, name: "On test source", data_source: name },
      });
      const refused = await t.call("DELETE", `/data-sources/${name}`, { token: service });
      assert.equal(refused.status, 409);
      assert.equal(refused.json.code, "TR631");
      assert.match(refused.json.message, /in use by 1 tenant$/);
      await t.call("PUT", `/tenants/${slug}/data-source`, { token: service, body: { data_source: null } });
      const deleted = await t.call("DELETE", `/data-sources/${name}`, { token: service });
      assert.equal(deleted.status, 204, deleted.text);
      assert.equal((await t.call("GET", `/data-sources/${name}`, { token: service })).status, 404);
      const defaultInUse = await t.call("DELETE", "/data-sources/default", { token: service });
      assert.equal(defaultInUse.status, 409);
    } finally {
      await deleteTenants(sql, [slug]);
      await deleteDataSources(sql, [name]);
      await t.close();
      await sql.end();
    }
  },
});

Deno.test({
  name:
    "aggregates and EXPLAIN plans are off by default, turned on per postgres data source, refused for supabase",
  async fn() {
    const sql = connect(env!.dbUrl);
    const t = await testHandler({ dbUrl: env!.dbUrl, keyring: await Keyring.fromEnv(keyEnv(env!)) });
    const [plain, enabled, project] = [sourceName("t_pg_off"), sourceName("t_pg_on"), sourceName("t_sb")];
    try {
      const service = await serviceToken();
      const url = "postgresql://app:pw@db.example.test:5432/tenant_x";
      const off = await t.call("POST", "/data-sources", {
        token: service,
        body: { name: plain, kind: "postgres", credentials: { url } },
      });
      assert.equal(off.status, 201, off.text);
      assert.deepEqual([off.json.aggregates_enabled, off.json.plan_enabled], [false, false]);
      const on = await t.call("POST", "/data-sources", {
        token: service,
        body: {
          name: enabled,
          kind: "postgres",
          credentials: { url },
          aggregates_enabled: true,
          plan_enabled: true,
        },
      });
      assert.equal(on.status, 201, on.text);
      assert.deepEqual([on.json.aggregates_enabled, on.json.plan_enabled], [true, true]);

      const patched = await t.call("PATCH", `/data-sources/${plain}`, {
        token: service,
        body: { aggregates_enabled: true },
      });
      assert.equal(patched.status, 200, patched.text);
      assert.deepEqual([patched.json.aggregates_enabled, patched.json.plan_enabled], [true, false]);
      const [row] = await sql<{ aggregates_enabled: boolean; plan_enabled: boolean }[]>`
        select aggregates_enabled, plan_enabled from private.data_sources where name = ${plain}`;
      assert.deepEqual({ ...row }, { aggregates_enabled: true, plan_enabled: false });
      const notBoolean = await t.call("PATCH", `/data-sources/${plain}`, {
        token: service,
        body: { plan_enabled: "yes" },
      });
      assert.equal(notBoolean.status, 400);
      assert.equal(notBoolean.json.code, "TR600");

      // A supabase project's own PostgREST decides: neither at registration nor later.
      const credentials = {
        url: "https://abcdefghijklmnopqrst.supabase.co",
        anon_key: "anon-key-for-the-settings-test",
        service_key: "service-key-for-the-settings-test",
      };
      const refused = await t.call("POST", "/data-sources", {
        token: service,
        body: { name: project, kind: "supabase", credentials, aggregates_enabled: true },
      });
      assert.equal(refused.status, 400, refused.text);
      assert.equal(refused.json.code, "TR600");
      const registered = await t.call("POST", "/data-sources", {
        token: service,
        body: { name: project, kind: "supabase", credentials },
      });
      assert.equal(registered.status, 201, registered.text);
      const later = await t.call("PATCH", `/data-sources/${project}`, {
        token: service,
        body: { plan_enabled: true },
      });
      assert.equal(later.status, 400, later.text);
      assert.equal(later.json.code, "TR600");
      assertNoSecrets(refused.text + registered.text + later.text, ["service-key-for-the-settings-test"]);
    } finally {
      await deleteDataSources(sql, [plain, enabled, project]);
      await t.close();
      await sql.end();
    }
  },
});

Deno.test({
  name: "a ciphertext copied to another data source does not open there, and nothing secret is shown",
  async fn() {
    const sql = connect(env!.dbUrl);
    const t = await testHandler({ dbUrl: env!.dbUrl, keyring: await Keyring.fromEnv(keyEnv(env!)) });
    const [a, b] = [sourceName("t_copy_a"), sourceName("t_copy_b")];
    try {
      const service = await serviceToken();
      for (const name of [a, b]) {
        const response = await t.call("POST", "/data-sources", {
          token: service,
          body: { name, kind: "postgres", credentials: { url: env!.sharedDbUrl } },
        });
        assert.equal(response.status, 201, response.text);
      }
      // Keep a's sealed value, give a new credentials (freeing its nonce), then paste the old one into b.
      const [old] = await sql<{ secret_ciphertext: Uint8Array; secret_nonce: Uint8Array }[]>`
        select secret_ciphertext, secret_nonce from private.data_sources where name = ${a}`;
      await t.call("PUT", `/data-sources/${a}/credentials`, {
        token: service,
        body: { credentials: { url: env!.acmeDbUrl } },
      });
      await sql`
        update private.data_sources set secret_ciphertext = ${old!.secret_ciphertext}, secret_nonce = ${
        old!.secret_nonce
      }
        where name = ${b}`;

      const shown = await t.call("GET", `/data-sources/${b}`, { token: service });
      assert.equal(shown.status, 200);
      assert.equal(shown.json.masked_url, null);
      assert.match(shown.json.credentials_error, /authentication failed/);
      const tested = await t.call("POST", `/data-sources/${b}/test`, { token: service });
      assert.equal(tested.status, 200);
      assert.equal(tested.json.ok, false);
      assert.equal(tested.json.decrypted, false);
      assert.match(tested.json.error, /authentication failed/);
      assertNoSecrets(shown.text + tested.text, ["postgres:postgres", hex(old!.secret_ciphertext)]);
      const provision = await t.call("POST", `/data-sources/${b}/provision`, { token: service });
      assert.equal(provision.status, 422);
      assert.equal(provision.json.code, "TR640");
    } finally {
      await deleteDataSources(sql, [a, b]);
      await t.close();
      await sql.end();
    }
  },
});

Deno.test({
  name: "the provision route brings an empty database to the current tenant schema, then has nothing to do",
  async fn() {
    const sql = connect(env!.dbUrl);
    const t = await testHandler({ dbUrl: env!.dbUrl, keyring: await Keyring.fromEnv(keyEnv(env!)) });
    const scratch = await createScratchDatabase(env!.dbUrl, { bootstrap: true });
    const name = sourceName("t_prov");
    try {
      const service = await serviceToken();
      const registered = await t.call("POST", "/data-sources", {
        token: service,
        body: { name, kind: "postgres", credentials: { url: scratch.url } },
      });
      assert.equal(registered.status, 201, registered.text);
      const before = await t.call("POST", `/data-sources/${name}/test`, { token: service });
      assert.equal(before.json.ok, false);

      const dryRun = await t.call("POST", `/data-sources/${name}/provision?dry_run=true`, { token: service });
      assert.equal(dryRun.status, 200, dryRun.text);
      assert.equal(dryRun.json.dry_run, true);
      assert.equal(dryRun.json.current, false);
      const provisioned = await t.call("POST", `/data-sources/${name}/provision`, { token: service });
      assert.equal(provisioned.status, 200, provisioned.text);
      assert.equal(provisioned.json.applied.length, dryRun.json.applied.length);
      assert.equal(provisioned.json.current, true);
      assert.equal(provisioned.json.schema_version, provisioned.json.expected_schema_version);
      const again = await t.call("POST", `/data-sources/${name}/provision`, { token: service });
      assert.deepEqual(again.json.applied, []);
      const after = await t.call("GET", `/data-sources/${name}`, { token: service });
      assert.equal(after.json.schema_version, provisioned.json.schema_version);
    } finally {
      await deleteDataSources(sql, [name]);
      await scratch.drop();
      await t.close();
      await sql.end();
    }
  },
});

Deno.test({
  name:
    "the provision route refuses a plain database before writing anything (TR642), and bootstraps it when asked",
  async fn() {
    const sql = connect(env!.dbUrl);
    const t = await testHandler({ dbUrl: env!.dbUrl, keyring: await Keyring.fromEnv(keyEnv(env!)) });
    const plain = await createScratchDatabase(env!.dbUrl);
    const name = sourceName("t_plain");
    const target = connect(plain.url);
    const untouched = async () => {
      const [row] = await target<{ auth: string | null; history: string | null }[]>`
        select to_regnamespace('auth')::text as auth, to_regnamespace('supabase_migrations')::text as history`;
      return row;
    };
    try {
      const service = await serviceToken();
      const registered = await t.call("POST", "/data-sources", {
        token: service,
        body: { name, kind: "postgres", credentials: { url: plain.url } },
      });
      assert.equal(registered.status, 201, registered.text);

      const refused = await t.call("POST", `/data-sources/${name}/provision`, { token: service });
      assert.equal(refused.status, 422, refused.text);
      assert.equal(refused.json.code, "TR642");
      assert.match(
        refused.json.message,
        /plain PostgreSQL database: it lacks schema auth, function auth\.uid\(\)/,
      );
      assert.match(refused.json.hint, /--bootstrap-supabase/);
      assert.match(refused.json.hint, /"bootstrap_supabase": true/);
      assert.deepEqual(await untouched(), { auth: null, history: null }, "nothing was written");

      const badBody = await t.call("POST", `/data-sources/${name}/provision`, {
        token: service,
        body: { bootstrap_supabase: "yes" },
      });
      assert.equal(badBody.status, 400);
      assert.equal(badBody.json.code, "TR600");

      const dryRun = await t.call("POST", `/data-sources/${name}/provision`, {
        token: service,
        body: { bootstrap_supabase: true, dry_run: true },
      });
      assert.equal(dryRun.status, 200, dryRun.text);
      assert.deepEqual(dryRun.json.bootstrapped.slice(0, 2), ["schema auth", "function auth.uid()"]);
      assert.deepEqual(await untouched(), { auth: null, history: null }, "a dry run writes nothing");

      const provisioned = await t.call("POST", `/data-sources/${name}/provision`, {
        token: service,
        body: { bootstrap_supabase: true },
      });
      assert.equal(provisioned.status, 200, provisioned.text);
      assert.equal(provisioned.json.current, true);
      assert.deepEqual(provisioned.json.bootstrapped, dryRun.json.bootstrapped);
      assert.equal(provisioned.json.applied.length, dryRun.json.applied.length);
      const tested = await t.call("POST", `/data-sources/${name}/test`, { token: service });
      assert.equal(tested.json.ok, true, tested.text);
      const again = await t.call("POST", `/data-sources/${name}/provision`, { token: service });
      assert.equal(again.status, 200, "once bootstrapped, no flag is needed");
      assert.deepEqual(again.json.bootstrapped, []);
    } finally {
      await deleteDataSources(sql, [name]);
      await target.end();
      await plain.drop();
      await t.close();
      await sql.end();
    }
  },
});
