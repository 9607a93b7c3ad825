import assert from "node:assert/strict";
import { DecryptionError, generateKey, Keyring } from "../crypto/mod.ts";
import { databaseUrlOf, openCredentials, sealCredentials, SupabaseCredentials } from "./credentials.ts";

const keyring = await Keyring.fromKeys([generateKey()]);
const url = "postgresql://app:s3cret@db.example.test:6543/postgres";

async function sealedRow(id: string, kind: string, credentials: Record<string, unknown>) {
  const sealed = await sealCredentials(keyring, { dataSourceId: id, credentials });
  return {
    id,
    kind,
    secret_ciphertext: sealed.ciphertext,
    secret_nonce: sealed.nonce,
    secret_key_id: sealed.keyId,
  };
}

Deno.test("openCredentials() returns what sealCredentials() sealed for the same row", async () => {
  const row = await sealedRow(crypto.randomUUID(), "postgres", { url });
  assert.deepEqual(await openCredentials(keyring, row), { kind: "postgres", credentials: { url } });
});

Deno.test("sealed credentials never contain the connection string", async () => {
  const row = await sealedRow(crypto.randomUUID(), "postgres", { url });
  assert.ok(!new TextDecoder().decode(row.secret_ciphertext).includes("s3cret"));
});

Deno.test("openCredentials() rejects credentials copied to another data source", async () => {
  const row = await sealedRow(crypto.randomUUID(), "postgres", { url });
  await assert.rejects(openCredentials(keyring, { ...row, id: crypto.randomUUID() }), DecryptionError);
});

Deno.test("openCredentials() rejects a document that does not fit the row's kind", async () => {
  const row = await sealedRow(crypto.randomUUID(), "supabase", { url });
  await assert.rejects(openCredentials(keyring, row));
});

const project = {
  url: "https://abcdefghijklmnopqrst.supabase.co",
  anon_key: "a".repeat(40),
  service_key: "s".repeat(40),
};

Deno.test("databaseUrlOf() is a postgres data source's url and a Supabase project's db_url, if any", async () => {
  const postgres = await openCredentials(keyring, await sealedRow(crypto.randomUUID(), "postgres", { url }));
  assert.equal(databaseUrlOf(postgres), url);
  const withDb = await openCredentials(
    keyring,
    await sealedRow(crypto.randomUUID(), "supabase", { ...project, db_url: url }),
  );
  assert.equal(databaseUrlOf(withDb), url);
  const apiOnly = await openCredentials(keyring, await sealedRow(crypto.randomUUID(), "supabase", project));
  assert.equal(databaseUrlOf(apiOnly), undefined);
});

Deno.test("SupabaseCredentials refuses a db_url that is not a postgresql:// connection string", () => {
  const result = SupabaseCredentials.safeParse({ ...project, db_url: "https://db.example.test" });
  assert.equal(result.success, false);
  assert.deepEqual(result.error?.issues.map((issue) => issue.path), [["db_url"]]);
});
