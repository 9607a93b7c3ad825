/**
 * The CHECKs of `private.data_sources` that keep plain text out of `secret_ciphertext` must accept every
 * real ciphertext. AES-GCM output is uniformly random, so a check on its first byte refuses a share of
 * valid secrets at random: found by the secrets scan (`zz_secrets_scan_test.ts`), whose run logged such a
 * refused row; this test reproduces it deterministically.
 *
 * @module
 */
import assert from "node:assert/strict";
import { generateKey, Keyring, type Sealed } from "../functions/_shared/crypto/mod.ts";
import { sealCredentials } from "../functions/_shared/data_sources/credentials.ts";
import { adminSql } from "./_clients.ts";
import { testStack } from "./_env.ts";

const stack = testStack();

Deno.test("a real AES-GCM ciphertext is stored whatever its first byte (no CHECK refuses random bytes)", async () => {
  // `data_sources_secret_ciphertext_not_plaintext` refuses a ciphertext whose first byte is `{`, `[` or
  // `"` (JSON plain text). A sealed secret starts with each of them with probability 1/256, so about 1 in
  // 85 registrations, credential replacements or re-encryptions during a key rotation fails with 23514
  // ("Invalid request: a value breaks a database rule" from the CLI). Reproduction: seal until the first
  // byte is one of them, then insert the row as the admin API does; rolled back.
  const key = generateKey();
  const keyring = await Keyring.fromKeys([key], { activeKeyId: key.id });
  const found = new Map<number, { id: string; sealed: Sealed }>();
  for (let i = 0; i < 50_000 && found.size < 3; i++) {
    const id = crypto.randomUUID();
    const sealed = await sealCredentials(keyring, {
      dataSourceId: id,
      credentials: { url: "postgresql://app:pw@db.example.test:5432/app" },
    });
    const first = sealed.ciphertext[0]!;
    if ([0x22, 0x5b, 0x7b].includes(first) && !found.has(first)) found.set(first, { id, sealed });
  }
  assert.equal(found.size, 3, 'sealing produced ciphertexts starting with each of " [ {');
  const refused: string[] = [];
  const rollback = new Error("rollback");
  await adminSql(stack.appDbUrl, async (sql) => {
    await sql.begin(async (tx) => {
      // The registry names ids only; this throwaway key is active for the transaction, as in pgTAP.
      await tx`update private.encryption_keys set status = 'decrypt_only' where status = 'active'`;
      await tx`insert into private.encryption_keys (id, status) values (${key.id}, 'active')`;
      for (const [first, { id, sealed }] of found) {
        await tx.savepoint(async (sp) => {
          await sp`
            insert into private.data_sources (id, name, kind, secret_ciphertext, secret_nonce, secret_key_id)
            values (${id}, ${`ct_${first.toString(16)}_${id.slice(0, 8)}`}, 'postgres', ${sealed.ciphertext},
              ${sealed.nonce}, ${sealed.keyId})`;
        }).catch((error) => {
          refused.push(`first byte 0x${first.toString(16)}: ${error.code} ${error.constraint_name ?? ""}`);
        });
      }
      throw rollback;
    }).catch((error) => {
      if (error !== rollback) throw error;
    });
  });
  assert.deepEqual(refused, [], "valid ciphertexts refused by a CHECK");
});
