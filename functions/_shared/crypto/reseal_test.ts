import assert from "node:assert/strict";
import { DecryptionError, UnknownKeyError } from "./errors.ts";
import { Keyring } from "./keyring.ts";
import { reseal } from "./reseal.ts";
import { openText, seal } from "./seal.ts";
import { KEY_A, KEY_B } from "./testdata/helpers.ts";

const CONTEXT = { rowId: "row-1", field: "url" };

async function rotation(): Promise<{ before: Keyring; during: Keyring; after: Keyring }> {
  return {
    before: await Keyring.fromKeys([{ id: "old", hex: KEY_A }]),
    during: await Keyring.fromKeys([{ id: "old", hex: KEY_A }, { id: "new", hex: KEY_B }], {
      activeKeyId: "new",
    }),
    after: await Keyring.fromKeys([{ id: "new", hex: KEY_B }]),
  };
}

Deno.test("reseal() moves a secret from the old key to the active key", async () => {
  const { before, during, after } = await rotation();
  const sealed = await seal(before, "s3cret", CONTEXT);
  const resealed = await reseal(during, sealed, CONTEXT);
  assert.equal(resealed.keyId, "new");
  assert.equal(await openText(after, resealed, CONTEXT), "s3cret");
});

Deno.test("reseal() re-encrypts with a fresh nonce even when the key is already active", async () => {
  const { after } = await rotation();
  const sealed = await seal(after, "s3cret", CONTEXT);
  const resealed = await reseal(after, sealed, CONTEXT);
  assert.equal(resealed.keyId, "new");
  assert.notDeepEqual(resealed.nonce, sealed.nonce);
  assert.notDeepEqual(resealed.ciphertext, sealed.ciphertext);
  assert.equal(await openText(after, resealed, CONTEXT), "s3cret");
});

Deno.test("reseal() rejects a secret moved to another row instead of re-binding it", async () => {
  const { before, during } = await rotation();
  const sealed = await seal(before, "s3cret", CONTEXT);
  await assert.rejects(() => reseal(during, sealed, { rowId: "row-2", field: "url" }), DecryptionError);
});

Deno.test("reseal() throws UnknownKeyError once the old key is retired", async () => {
  const { before, after } = await rotation();
  const sealed = await seal(before, "s3cret", CONTEXT);
  await assert.rejects(() => reseal(after, sealed, CONTEXT), UnknownKeyError);
});
