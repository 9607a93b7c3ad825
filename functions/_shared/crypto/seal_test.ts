import assert from "node:assert/strict";
import type { SealContext } from "./associated_data.ts";
import { AUTHENTICATION_FAILED, DecryptionError, UnknownKeyError } from "./errors.ts";
import { Keyring } from "./keyring.ts";
import { NONCE_LENGTH, open, openText, seal, type Sealed, TAG_LENGTH } from "./seal.ts";
import { assertSafeError, caught, flipBit, KEY_A, KEY_B } from "./testdata/helpers.ts";

const CONTEXT: SealContext = { rowId: "3f0c7a52-8d1e-4c6b-9a37-2b5e1f8d4c90", field: "url" };
const PLAINTEXT = "postgresql://app:Sup3r-s3cret-pw@db.internal:5432/app";
const SECRETS = [KEY_A, KEY_B, PLAINTEXT, "Sup3r-s3cret-pw"];

function keyring(): Promise<Keyring> {
  return Keyring.fromKeys([{ id: "k1", hex: KEY_A }]);
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

Deno.test("seal() returns a 12-byte nonce, the active key id, and the ciphertext with a 16-byte tag", async () => {
  const sealed = await seal(await keyring(), PLAINTEXT, CONTEXT);
  assert.equal(NONCE_LENGTH, 12);
  assert.equal(TAG_LENGTH, 16);
  assert.equal(sealed.nonce.length, 12);
  assert.equal(sealed.keyId, "k1");
  assert.equal(sealed.ciphertext.length, new TextEncoder().encode(PLAINTEXT).length + 16);
  assert.ok(!new TextDecoder().decode(sealed.ciphertext).includes("s3cret"));
});

Deno.test("seal() uses a fresh random nonce for every encryption of the same secret", async () => {
  const ring = await keyring();
  const nonces = new Set<string>();
  const ciphertexts = new Set<string>();
  for (let i = 0; i < 500; i++) {
    const sealed = await seal(ring, PLAINTEXT, CONTEXT);
    nonces.add(hex(sealed.nonce));
    ciphertexts.add(hex(sealed.ciphertext));
  }
  assert.equal(nonces.size, 500);
  assert.equal(ciphertexts.size, 500);
});

Deno.test("seal() and open() roundtrip text and binary plaintexts of every size", async () => {
  const ring = await keyring();
  const mebibyte = crypto.getRandomValues(new Uint8Array(65536));
  const large = new Uint8Array(1024 * 1024);
  for (let offset = 0; offset < large.length; offset += mebibyte.length) large.set(mebibyte, offset);
  const cases: [string, string | Uint8Array][] = [
    ["an empty string", ""],
    ["an empty byte array", new Uint8Array()],
    ["a connection string", PLAINTEXT],
    ["unicode text", "pässwörd 🔑 口令 \u0000 end"],
    ["binary bytes", Uint8Array.from([0, 255, 0xc3, 0x28, 1, 2, 3])],
    ["1 MiB", large],
  ];
  for (const [name, plaintext] of cases) {
    const sealed = await seal(ring, plaintext, CONTEXT);
    const expected = typeof plaintext === "string" ? new TextEncoder().encode(plaintext) : plaintext;
    assert.deepEqual(await open(ring, sealed, CONTEXT), new Uint8Array(expected), name);
    if (typeof plaintext === "string") assert.equal(await openText(ring, sealed, CONTEXT), plaintext, name);
  }
});

Deno.test("seal() leaves the caller's plaintext bytes unchanged", async () => {
  const plaintext = Uint8Array.from([1, 2, 3, 4]);
  await seal(await keyring(), plaintext, CONTEXT);
  assert.deepEqual(plaintext, Uint8Array.from([1, 2, 3, 4]));
});

Deno.test("open() accepts ciphertext and nonce as views into a larger buffer, like a Node Buffer", async () => {
  const ring = await keyring();
  const sealed = await seal(ring, PLAINTEXT, CONTEXT);
  const pool = new Uint8Array(100 + sealed.ciphertext.length + sealed.nonce.length);
  pool.set(sealed.ciphertext, 100);
  pool.set(sealed.nonce, 100 + sealed.ciphertext.length);
  const viewed = {
    keyId: "k1",
    ciphertext: pool.subarray(100, 100 + sealed.ciphertext.length),
    nonce: pool.subarray(100 + sealed.ciphertext.length),
  };
  assert.equal(await openText(ring, viewed, CONTEXT), PLAINTEXT);
});

Deno.test("open() rejects every tampering and every move with one DecryptionError that shows no secret", async () => {
  const ring = await keyring();
  const sealed = await seal(ring, PLAINTEXT, CONTEXT);
  const sameKeyOtherId = await Keyring.fromKeys([{ id: "k1", hex: KEY_A }, { id: "k2", hex: KEY_A }], {
    activeKeyId: "k1",
  });
  const otherKeySameId = await Keyring.fromKeys([{ id: "k1", hex: KEY_B }]);
  const otherKeyOtherId = await Keyring.fromKeys([{ id: "k1", hex: KEY_A }, { id: "k2", hex: KEY_B }], {
    activeKeyId: "k1",
  });
  const attacks: [string, Keyring, Sealed, SealContext][] = [
    ["a flipped bit in the first ciphertext byte", ring, {
      ...sealed,
      ciphertext: flipBit(sealed.ciphertext, 0),
    }, CONTEXT],
    ["a flipped bit in the last ciphertext byte before the tag", ring, {
      ...sealed,
      ciphertext: flipBit(sealed.ciphertext, -17),
    }, CONTEXT],
    ["a flipped bit in the tag", ring, { ...sealed, ciphertext: flipBit(sealed.ciphertext, -1) }, CONTEXT],
    ["a flipped bit in the nonce", ring, { ...sealed, nonce: flipBit(sealed.nonce, 5) }, CONTEXT],
    ["a ciphertext copied to another row", ring, sealed, {
      ...CONTEXT,
      rowId: "3f0c7a52-8d1e-4c6b-9a37-2b5e1f8d4c91",
    }],
    ["a ciphertext copied to another field", ring, sealed, { ...CONTEXT, field: "service_role_key" }],
    ["a ciphertext copied to another table", ring, sealed, { ...CONTEXT, table: "private.tenants" }],
    [
      "a key id relabelled to another id of the same key",
      sameKeyOtherId,
      { ...sealed, keyId: "k2" },
      CONTEXT,
    ],
    ["a key id relabelled to another key", otherKeyOtherId, { ...sealed, keyId: "k2" }, CONTEXT],
    ["the wrong key under the same id", otherKeySameId, sealed, CONTEXT],
    [
      "a ciphertext truncated by one byte",
      ring,
      { ...sealed, ciphertext: sealed.ciphertext.subarray(0, -1) },
      CONTEXT,
    ],
    [
      "a ciphertext truncated to the tag",
      ring,
      { ...sealed, ciphertext: sealed.ciphertext.subarray(-16) },
      CONTEXT,
    ],
    [
      "a ciphertext shorter than a tag",
      ring,
      { ...sealed, ciphertext: sealed.ciphertext.subarray(0, 15) },
      CONTEXT,
    ],
    ["an empty ciphertext", ring, { ...sealed, ciphertext: new Uint8Array() }, CONTEXT],
    ["a ciphertext with a byte appended", ring, {
      ...sealed,
      ciphertext: Uint8Array.from([...sealed.ciphertext, 0]),
    }, CONTEXT],
    ["another secret's tag", ring, {
      ...sealed,
      ciphertext: Uint8Array.from([...sealed.ciphertext.subarray(0, -16), ...new Uint8Array(16)]),
    }, CONTEXT],
  ];
  for (const [name, ring, tampered, context] of attacks) {
    const err = await caught(() => open(ring, tampered, context));
    assertSafeError(err, DecryptionError, [...SECRETS, hex(sealed.ciphertext), hex(sealed.nonce)]);
    assert.equal(err.message, AUTHENTICATION_FAILED, name);
  }
  assert.equal(await openText(ring, sealed, CONTEXT), PLAINTEXT);
});

Deno.test("open() rejects a ciphertext copied to another row", async () => {
  const ring = await keyring();
  const sealed = await seal(ring, PLAINTEXT, { rowId: "row-a", field: "url" });
  await assert.rejects(() => open(ring, sealed, { rowId: "row-b", field: "url" }), DecryptionError);
});

Deno.test("open() rejects a ciphertext copied to another field of the same row", async () => {
  const ring = await keyring();
  const sealed = await seal(ring, "anon-key", { rowId: "row-a", field: "anon_key" });
  await assert.rejects(
    () => open(ring, sealed, { rowId: "row-a", field: "service_role_key" }),
    DecryptionError,
  );
});

Deno.test("open() decrypts a secret sealed under a key that is no longer active", async () => {
  const old = await Keyring.fromKeys([{ id: "k1", hex: KEY_A }]);
  const sealed = await seal(old, PLAINTEXT, CONTEXT);
  const rotated = await Keyring.fromKeys([{ id: "k1", hex: KEY_A }, { id: "k2", hex: KEY_B }], {
    activeKeyId: "k2",
  });
  assert.equal(await openText(rotated, sealed, CONTEXT), PLAINTEXT);
});

Deno.test("open() throws UnknownKeyError for a key id the keyring does not hold", async () => {
  const sealed = await seal(await keyring(), PLAINTEXT, CONTEXT);
  const other = await Keyring.fromKeys([{ id: "k9", hex: KEY_B }]);
  const err = await caught(() => open(other, sealed, CONTEXT));
  assertSafeError(err, UnknownKeyError, SECRETS);
  assert.equal(
    err.message,
    'Cannot decrypt secret: key id "k1" is not configured: add its key to TENANT_ENCRYPTION_KEYS',
  );
  assert.equal(err.keyId, "k1");
});

Deno.test("open() rejects a nonce that is not 12 bytes", async () => {
  const ring = await keyring();
  const sealed = await seal(ring, PLAINTEXT, CONTEXT);
  for (
    const nonce of [
      new Uint8Array(),
      sealed.nonce.subarray(0, 8),
      Uint8Array.from([...sealed.nonce, 0, 0, 0, 0]),
    ]
  ) {
    const err = await caught(() => open(ring, { ...sealed, nonce }, CONTEXT));
    assertSafeError(err, DecryptionError, SECRETS);
    assert.equal(err.message, `Cannot decrypt secret: nonce must be 12 bytes (got ${nonce.length})`);
  }
});

Deno.test("open() rejects a bytea still encoded as a hex string", async () => {
  const ring = await keyring();
  const sealed = await seal(ring, PLAINTEXT, CONTEXT);
  const asText = { ...sealed, ciphertext: `\\x${hex(sealed.ciphertext)}` } as unknown as Sealed;
  const err = await caught(() => open(ring, asText, CONTEXT));
  assertSafeError(err, TypeError, [...SECRETS, hex(sealed.ciphertext)]);
  await assert.rejects(() => open(ring, null as unknown as Sealed, CONTEXT), TypeError);
});

Deno.test("openText() rejects a binary plaintext that is not UTF-8 without showing it", async () => {
  const ring = await keyring();
  const sealed = await seal(ring, Uint8Array.from([...new TextEncoder().encode("zqxj"), 0xff]), CONTEXT);
  const err = await caught(() => openText(ring, sealed, CONTEXT));
  assertSafeError(err, TypeError, ["zqxj"]);
  assert.equal(err.message, "Cannot decrypt secret: the plaintext is not UTF-8 text (use open() for bytes)");
});

Deno.test("seal() rejects a string with a lone surrogate, which UTF-8 cannot hold", async () => {
  const err = await caught(async () => seal(await keyring(), "zqxj\uD800", CONTEXT));
  assertSafeError(err, TypeError, ["zqxj"]);
});

Deno.test("seal() rejects a plaintext that is neither a string nor a Uint8Array", async () => {
  const ring = await keyring();
  for (const plaintext of [null, 42, { password: "x" }, [1, 2]]) {
    await assert.rejects(() => seal(ring, plaintext as unknown as string, CONTEXT), TypeError);
  }
});

Deno.test("seal() rejects a context without a row or field", async () => {
  const ring = await keyring();
  await assert.rejects(() => seal(ring, PLAINTEXT, { rowId: "", field: "url" }), TypeError);
  await assert.rejects(() => seal(ring, PLAINTEXT, { rowId: "r" } as SealContext), TypeError);
});
