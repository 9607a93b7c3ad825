import assert from "node:assert/strict";
import postgres from "postgres";
import { generateKey, Keyring } from "../crypto/mod.ts";
import { requireEnv } from "../testing/require_env.ts";
import { openCredentials } from "./credentials.ts";
import { displayFields, registerDataSource, registerKeys } from "./registry.ts";

Deno.test("displayFields() keeps host, port and database but never the password", () => {
  const fields = displayFields(
    "postgres",
    "postgresql://u:p%40ss@db.example.test:6543/my_db?sslmode=require",
  );
  assert.deepEqual(fields, {
    host: "db.example.test",
    port: 6543,
    database_name: "my_db",
    project_ref: null,
  });
  assert.ok(!JSON.stringify(fields).includes("p%40ss"));
});

Deno.test("displayFields() reads the project ref of a Supabase project URL", () => {
  assert.equal(
    displayFields("supabase", "https://abcdefghijklmnop.supabase.co").project_ref,
    "abcdefghijklmnop",
  );
  assert.equal(displayFields("supabase", "http://127.0.0.1:54321").project_ref, null);
});

Deno.test({
  name: "registerDataSource() stores sealed credentials that open again, under a registered key",
  async fn() {
    const sql = postgres(requireEnv("SUPABASE_DB_URL"), { max: 1, onnotice: () => {} });
    const keyring = await Keyring.fromKeys([generateKey()]);
    const rollback = new Error("rollback");
    try {
      await sql.begin(async (tx) => {
        // This transaction's own key must be the only active one.
        await tx`update private.encryption_keys set status = 'decrypt_only' where status = 'active'`;
        await registerKeys(tx, keyring);
        const url = "postgresql://app:pa55word@db.example.test:5432/tenant_x";
        const { id } = await registerDataSource(tx, keyring, {
          name: "test_registry",
          kind: "postgres",
          credentials: { url },
        });
        const [row] = await tx`select * from private.data_sources where id = ${id}`;
        assert.equal(row?.host, "db.example.test");
        assert.ok(!new TextDecoder().decode(row?.secret_ciphertext).includes("pa55word"));
        const opened = await openCredentials(keyring, row as never);
        assert.equal(opened.credentials.url, url);
        throw rollback;
      });
    } catch (error) {
      if (error !== rollback) throw error;
    } finally {
      await sql.end();
    }
  },
});
