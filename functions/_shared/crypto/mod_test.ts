import assert from "node:assert/strict";
import * as mod from "./mod.ts";

Deno.test("mod.ts exports the public API", () => {
  assert.deepEqual(Object.keys(mod).sort(), [
    "ACTIVE_KEY_VARIABLE",
    "ASSOCIATED_DATA_VERSION",
    "AUTHENTICATION_FAILED",
    "DEFAULT_TABLE",
    "DecryptionError",
    "KEYS_VARIABLE",
    "KeyConfigError",
    "Keyring",
    "LEGACY_IV_LENGTHS",
    "LEGACY_KEY_ID",
    "LEGACY_KEY_VARIABLE",
    "MASK",
    "NONCE_LENGTH",
    "TAG_LENGTH",
    "UnknownKeyError",
    "encodeAssociatedData",
    "generateKey",
    "maskConnectionString",
    "open",
    "openLegacy",
    "openText",
    "reseal",
    "seal",
  ]);
});

Deno.test("mod.ts seals and opens a secret end to end from function secrets", async () => {
  const { id, hex } = mod.generateKey();
  const keyring = await mod.Keyring.fromEnv(new Map([["TENANT_ENCRYPTION_KEYS", `${id}:${hex}`]]));
  const context = { rowId: "00000000-0000-4000-8000-000000000001", field: "url" };
  const sealed = await mod.seal(keyring, "postgresql://u:p@h/db", context);
  assert.equal(await mod.openText(keyring, sealed, context), "postgresql://u:p@h/db");
});
