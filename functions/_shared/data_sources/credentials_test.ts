import assert from "node:assert/strict";
import { DecryptionError, generateKey, Keyring } from "../crypto/mod.ts";
import { openCredentials, sealCredentials } from "./credentials.ts";

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
