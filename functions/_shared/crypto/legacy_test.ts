import assert from "node:assert/strict";
import { createCipheriv, randomBytes } from "node:crypto";
import { DecryptionError, KeyConfigError } from "./errors.ts";
import { Keyring } from "./keyring.ts";
import { openLegacy } from "./legacy.ts";
import { assertSafeError, caught, KEY_A, KEY_B } from "./testdata/helpers.ts";

const PLAINTEXT = "postgresql://postgres:Leg4cy-pw@db.example.test:5432/postgres";
const LEGACY_MESSAGE =
  "Cannot decrypt legacy secret: authentication failed (wrong ENCRYPTION_KEY or tampered data)";

/** Encrypts like the seed system: Node crypto, AES-256-GCM, base64 `iv:authTag:ciphertext`. */
function nodeEncrypt(plaintext: string, options: { keyHex: string; ivLength: number }): string {
  const iv = randomBytes(options.ivLength);
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(options.keyHex, "hex"), iv);
  let encrypted = cipher.update(plaintext, "utf8", "base64");
  encrypted += cipher.final("base64");
  return `${iv.toString("base64")}:${cipher.getAuthTag().toString("base64")}:${encrypted}`;
}

function parts(value: string): Buffer[] {
  return value.split(":").map((part) => Buffer.from(part, "base64"));
}

function join(values: Uint8Array[]): string {
  return values.map((bytes) => Buffer.from(bytes).toString("base64")).join(":");
}

function flipped(value: string, part: number, index = 0): string {
  const decoded = parts(value);
  const bytes = decoded[part] as Buffer;
  bytes[index] = (bytes[index] ?? 0) ^ 1;
  return join(decoded);
}

Deno.test("openLegacy() reads values written by Node's createCipheriv with 12- and 16-byte IVs", async () => {
  for (const ivLength of [12, 16]) {
    for (const plaintext of [PLAINTEXT, "", "pässwörd 🔑 口令", "x".repeat(10_000)]) {
      const value = nodeEncrypt(plaintext, { keyHex: KEY_A, ivLength });
      assert.equal(
        await openLegacy(KEY_A, value),
        plaintext,
        `${ivLength}-byte IV, ${plaintext.length} chars`,
      );
    }
  }
});

Deno.test("openLegacy() reads the fixture values written by Node 20 outside Deno", async () => {
  const fixture = JSON.parse(
    await Deno.readTextFile(new URL("./testdata/legacy_vectors.json", import.meta.url)),
  );
  assert.deepEqual(fixture.vectors.map((vector: { ivBytes: number }) => vector.ivBytes), [16, 12, 16, 12]);
  for (const vector of fixture.vectors) {
    assert.equal(await openLegacy(fixture.keyHex, vector.value), vector.plaintext);
  }
});

Deno.test("openLegacy() accepts the CryptoKey of a keyring loaded from ENCRYPTION_KEY", async () => {
  const keyring = await Keyring.fromEnv(new Map([["ENCRYPTION_KEY", KEY_A]]));
  const value = nodeEncrypt(PLAINTEXT, { keyHex: KEY_A, ivLength: 16 });
  assert.equal(await openLegacy(keyring.cryptoKey("legacy"), value), PLAINTEXT);
});

Deno.test("openLegacy() accepts upper-case key hex and whitespace around key and value", async () => {
  const value = nodeEncrypt(PLAINTEXT, { keyHex: KEY_A, ivLength: 12 });
  assert.equal(await openLegacy(` ${KEY_A.toUpperCase()}\n`, `${value}\n`), PLAINTEXT);
});

Deno.test("openLegacy() rejects a tampered value or the wrong key with a DecryptionError that shows no secret", async () => {
  for (const ivLength of [12, 16]) {
    const value = nodeEncrypt(PLAINTEXT, { keyHex: KEY_A, ivLength });
    const other = nodeEncrypt(PLAINTEXT, { keyHex: KEY_A, ivLength });
    const [iv, tag, ciphertext] = parts(value) as [Buffer, Buffer, Buffer];
    const cases: [string, string, string][] = [
      ["a flipped bit in the iv", KEY_A, flipped(value, 0)],
      ["a flipped bit in the tag", KEY_A, flipped(value, 1, 15)],
      ["a flipped bit in the ciphertext", KEY_A, flipped(value, 2, 3)],
      ["a truncated ciphertext", KEY_A, join([iv, tag, ciphertext.subarray(0, -1)])],
      ["an extended ciphertext", KEY_A, join([iv, tag, Buffer.concat([ciphertext, Buffer.from([0])])])],
      ["another value's tag", KEY_A, join([iv, parts(other)[1] as Buffer, ciphertext])],
      ["another value's iv", KEY_A, join([parts(other)[0] as Buffer, tag, ciphertext])],
      ["the wrong key", KEY_B, value],
    ];
    for (const [name, key, tampered] of cases) {
      const err = await caught(() => openLegacy(key, tampered));
      assertSafeError(err, DecryptionError, [KEY_A, KEY_B, PLAINTEXT, "Leg4cy-pw", tampered, value]);
      assert.equal(err.message, LEGACY_MESSAGE, `${ivLength}-byte IV: ${name}`);
    }
  }
});

Deno.test("openLegacy() rejects a malformed value with a SyntaxError that does not echo it", async () => {
  const value = nodeEncrypt(PLAINTEXT, { keyHex: KEY_A, ivLength: 16 });
  const [iv, tag, ciphertext] = parts(value) as [Buffer, Buffer, Buffer];
  const cases: [string, string, string][] = [
    ["an empty string", "", 'expected "iv:authTag:ciphertext" (got 1 parts)'],
    ["plain text", PLAINTEXT.replaceAll(":", ""), "(got 1 parts)"],
    ["a plain connection string", PLAINTEXT, "(got 4 parts)"],
    ["two parts", `${iv.toString("base64")}:${ciphertext.toString("base64")}`, "(got 2 parts)"],
    ["four parts", `${value}:AAAA`, "(got 4 parts)"],
    [
      "a part that is not base64",
      `${iv.toString("base64")}:${tag.toString("base64")}:Leg4cy-pw!`,
      "ciphertext part is not base64",
    ],
    [
      "base64url instead of base64",
      `${iv.toString("base64url")}_-:${tag.toString("base64")}:`,
      "iv part is not base64",
    ],
    ["an 8-byte iv", join([iv.subarray(0, 8), tag, ciphertext]), "the iv must be 12 or 16 bytes (got 8)"],
    ["an empty iv", join([new Uint8Array(), tag, ciphertext]), "the iv must be 12 or 16 bytes (got 0)"],
    [
      "a truncated 12-byte tag",
      join([iv, tag.subarray(0, 12), ciphertext]),
      "the authTag must be 16 bytes (got 12)",
    ],
  ];
  for (const [name, malformed, detail] of cases) {
    const err = await caught(() => openLegacy(KEY_A, malformed));
    assertSafeError(err, SyntaxError, [KEY_A, "Leg4cy-pw", ciphertext.toString("base64")]);
    assert.ok(err.message.startsWith("Cannot read legacy secret: "), name);
    assert.ok(err.message.includes(detail), `${name}: ${err.message}`);
  }
  await assert.rejects(() => openLegacy(KEY_A, 42 as unknown as string), TypeError);
});

Deno.test("openLegacy() rejects a malformed key without echoing it", async () => {
  const value = nodeEncrypt(PLAINTEXT, { keyHex: KEY_A, ivLength: 16 });
  for (const key of [KEY_A.slice(2), `${KEY_A}00`, "correct horse battery staple", ""]) {
    const err = await caught(() => openLegacy(key, value));
    assertSafeError(err, KeyConfigError, [key, KEY_A, "horse"]);
    assert.ok(err.message.startsWith("Cannot use legacy key: ENCRYPTION_KEY must be 64 hex digits"));
  }
});

Deno.test("openLegacy() rejects a CryptoKey that is not an AES-GCM decryption key", async () => {
  const value = nodeEncrypt(PLAINTEXT, { keyHex: KEY_A, ivLength: 16 });
  const raw = Uint8Array.from(Buffer.from(KEY_A, "hex"));
  const encryptOnly = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt"]);
  const hmac = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  for (const key of [encryptOnly, hmac]) {
    await assert.rejects(() => openLegacy(key, value), TypeError);
  }
});
