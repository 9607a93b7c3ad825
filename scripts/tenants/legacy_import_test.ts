import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createCipheriv, randomBytes } from "node:crypto";
import postgres from "postgres";
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

/** The seed system's format: Node AES-256-GCM, `iv:authTag:ciphertext` in base64, no AAD. */
function legacyEncrypt(keyHex: string, text: string): string {
  const iv = randomBytes(16);
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(keyHex, "hex"), iv);
  const ciphertext = Buffer.concat([cipher.update(text, "utf8"), cipher.final()]);
  return [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString("base64")).join(":");
}

/** Changes one character of the ciphertext part, so the tag no longer matches. */
function tamper(value: string): string {
  const [iv, tag, ciphertext] = value.split(":") as [string, string, string];
  return [iv, tag, (ciphertext[0] === "A" ? "B" : "A") + ciphertext.slice(1)].join(":");
}

Deno.test({
  name: "import-legacy imports a seed-era tenants table end to end, dry run first, and is idempotent",
  async fn() {
    const legacyKey = randomBytes(32).toString("hex");
    const scratch = await createScratchDatabase(env!.dbUrl);
    const legacy = postgres(scratch.url, { max: 1, onnotice: () => {} });
    const sql = connect(env!.dbUrl);
    const prefix = unique("lg");
    const [supa, pg, plain, shared] = [
      `${prefix}-supa`,
      `${prefix}-pg`,
      `${prefix}-plain`,
      `${prefix}-shared`,
    ];
    const anonKey = `eyJanon.${crypto.randomUUID()}.sig`;
    const serviceKey = `eyJservice.${crypto.randomUUID()}.sig`;
    const projectUrl = "https://abcdefghijklmnopqrst.supabase.co";
    try {
      await legacy`
        create table tenants (
          id serial primary key, name text not null, subdomain text not null,
          data_source_url text, data_source_anon_key text, data_source_service_key text)`;
      const enc = (text: string) => legacyEncrypt(legacyKey, text);
      await legacy`
        insert into tenants (name, subdomain, data_source_url, data_source_anon_key, data_source_service_key) values
          ('Supa Co', ${supa}, ${enc(projectUrl)}, ${enc(anonKey)}, ${enc(serviceKey)}),
          ('PG Co', ${pg}, ${enc(env!.sharedDbUrl)}, null, null),
          ('Plain Co', ${plain}, null, null, null),
          ('Shared Co', ${shared}, ${enc(env!.sharedDbUrl)}, null, null)`;
      const cliEnv = { env: { ENCRYPTION_KEY: legacyKey } };

      const dry = await tenants(["import-legacy", "--from", "-", "--dry-run", "--json"], {
        stdin: scratch.url,
        ...cliEnv,
      });
      assert.equal(dry.code, 0, dry.stderr);
      const plan = dry.json() as {
        tenants: { slug: string; action: string; data_source: string | null }[];
        data_sources: { name: string; kind: string; masked_url: string; action: string }[];
      };
      assert.deepEqual(plan.tenants.map((t) => [t.slug, t.action, t.data_source]), [
        [supa, "create", `legacy-${supa}`],
        [pg, "create", `legacy-${pg}`],
        [plain, "create", null],
        [shared, "create", `legacy-${pg}`], // identical credentials share one data source
      ]);
      assert.deepEqual(plan.data_sources.map((d) => [d.name, d.kind]), [[`legacy-${supa}`, "supabase"], [
        `legacy-${pg}`,
        "postgres",
      ]]);
      for (const secret of [anonKey, serviceKey, new URL(env!.sharedDbUrl).password + "@"]) {
        assert.ok(!dry.stdout.includes(secret) && !dry.stderr.includes(secret));
      }
      const [none] = await sql`select count(*)::int as n from public.tenants where slug like ${prefix + "%"}`;
      assert.equal(none?.n, 0, "a dry run writes nothing");

      const run = await tenants(["import-legacy", "--from", scratch.url], cliEnv);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /Imported 4 tenant/);
      const list = (await tenants(["data-source", "list", "--json"])).json() as {
        name: string;
        masked_url: string;
        kind: string;
        credentials_error: string | null;
      }[];
      const supaSource = list.find((s) => s.name === `legacy-${supa}`)!;
      assert.equal(supaSource.kind, "supabase");
      assert.equal(supaSource.masked_url, projectUrl);
      assert.equal(supaSource.credentials_error, null);
      const pgTest = await tenants(["data-source", "test", `legacy-${pg}`]);
      assert.equal(pgTest.code, 0, pgTest.stdout);
      const routed = await sql<{ slug: string; data_source: string | null }[]>`
        select t.slug, d.name as data_source from public.tenants t
        left join private.data_sources d on d.id = t.data_source_id
        where t.slug like ${prefix + "%"} order by t.slug`;
      assert.deepEqual(routed.map((r) => [r.slug, r.data_source]), [
        [pg, `legacy-${pg}`],
        [plain, null],
        [shared, `legacy-${pg}`],
        [supa, `legacy-${supa}`],
      ]);

      const again = await tenants(["import-legacy", "--from", scratch.url, "--json"], cliEnv);
      assert.equal(again.code, 0, again.stderr);
      const second = again.json() as { tenants: { action: string }[]; data_sources: { action: string }[] };
      assert.ok(second.tenants.every((t) => t.action === "unchanged"));
      assert.ok(second.data_sources.every((d) => d.action === "reuse"));

      // A tampered value or the wrong key: the row is reported, nothing is written, exit 1.
      await legacy`
        insert into tenants (name, subdomain, data_source_url)
        values ('Broken Co', ${`${prefix}-broken`}, ${tamper(enc("postgresql://u:p@h/db"))})`;
      const broken = await tenants(["import-legacy", "--from", scratch.url, "--json"], cliEnv);
      assert.equal(broken.code, 1);
      const report = broken.json() as { errors: number; tenants: { slug: string; error: string | null }[] };
      assert.equal(report.errors, 1);
      assert.match(
        report.tenants.find((t) => t.slug === `${prefix}-broken`)!.error!,
        /url: Cannot (decrypt|read) legacy secret/,
      );
      const wrongKey = await tenants(["import-legacy", "--from", scratch.url, "--dry-run"], {
        env: { ENCRYPTION_KEY: randomBytes(32).toString("hex") },
      });
      assert.equal(wrongKey.code, 1);
      assert.match(wrongKey.stdout, /authentication failed/);
      const [brokenRow] = await sql`select 1 from public.tenants where slug = ${`${prefix}-broken`}`;
      assert.equal(brokenRow, undefined);

      const noKey = await tenants(["import-legacy", "--from", scratch.url], {
        env: { ENCRYPTION_KEY: undefined },
      });
      assert.equal(noKey.code, 2);
      const badTable = await tenants([
        "import-legacy",
        "--from",
        scratch.url,
        "--table",
        "tenants; drop table tenants",
      ], cliEnv);
      assert.equal(badTable.code, 2);
    } finally {
      await deleteTenants(sql, [supa, pg, plain, shared, `${prefix}-broken`]);
      await deleteDataSources(sql, [`legacy-${supa}`, `legacy-${pg}`]);
      await sql.end();
      await legacy.end();
      await scratch.drop();
    }
  },
});
