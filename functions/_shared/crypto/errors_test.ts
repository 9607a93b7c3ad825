import assert from "node:assert/strict";
import { AUTHENTICATION_FAILED, DecryptionError, KeyConfigError, UnknownKeyError } from "./errors.ts";
import { KEY_A } from "./testdata/helpers.ts";

Deno.test("DecryptionError has one fixed message that names the possible causes", () => {
  const err = new DecryptionError();
  assert.equal(
    err.message,
    "Cannot decrypt secret: authentication failed (wrong key, tampered data, or moved to another row or field)",
  );
  assert.equal(err.message, AUTHENTICATION_FAILED);
});

Deno.test("error classes show their own name in String(err) and the stack", () => {
  for (
    const err of [
      new DecryptionError(),
      new KeyConfigError("Cannot load encryption keys: x"),
      new UnknownKeyError("k1"),
    ]
  ) {
    assert.ok(err instanceof Error);
    assert.equal(String(err), `${err.constructor.name}: ${err.message}`);
    assert.ok(err.stack?.startsWith(`${err.constructor.name}: `));
  }
});

Deno.test("UnknownKeyError names a well-formed key id and says what to configure", () => {
  const err = new UnknownKeyError("k20240101abcd");
  assert.equal(
    err.message,
    'Cannot decrypt secret: key id "k20240101abcd" is not configured: add its key to TENANT_ENCRYPTION_KEYS',
  );
  assert.equal(err.keyId, "k20240101abcd");
});

Deno.test("UnknownKeyError does not echo a malformed key id or one that looks like key material", () => {
  for (const keyId of ["x\ny", "<script>", KEY_A, ""]) {
    const err = new UnknownKeyError(keyId);
    assert.equal(err.message, "Cannot decrypt secret: the stored key id is malformed");
  }
});
