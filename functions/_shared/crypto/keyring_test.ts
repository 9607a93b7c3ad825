import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { KeyConfigError, UnknownKeyError } from "./errors.ts";
import { generateKey } from "./generate_key.ts";
import { Keyring } from "./keyring.ts";
import { assertSafeError, caught, KEY_A, KEY_B } from "./testdata/helpers.ts";

const HOW_TO_FIX =
  'set TENANT_ENCRYPTION_KEYS to "id:<64 hex>,…" (generate one with `npm run tenants -- keygen`)';

function env(vars: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(vars));
}

Deno.test("fromEnv() loads TENANT_ENCRYPTION_KEYS with the key named by TENANT_ENCRYPTION_ACTIVE_KEY", async () => {
  const keyring = await Keyring.fromEnv(env({
    TENANT_ENCRYPTION_KEYS: `k1:${KEY_A},k2:${KEY_B}`,
    TENANT_ENCRYPTION_ACTIVE_KEY: "k2",
  }));
  assert.equal(keyring.activeKeyId, "k2");
  assert.deepEqual(keyring.ids(), ["k1", "k2"]);
  assert.ok(keyring.has("k1"));
  assert.ok(!keyring.has("k3"));
});

Deno.test("fromEnv() reads Deno.env", async () => {
  // The test stack sets these for other tests: put them back afterwards.
  const saved = ["TENANT_ENCRYPTION_KEYS", "TENANT_ENCRYPTION_ACTIVE_KEY"].map((
    name,
  ) => [name, Deno.env.get(name)]);
  Deno.env.set("TENANT_ENCRYPTION_KEYS", `kdeno:${KEY_A}`);
  Deno.env.set("TENANT_ENCRYPTION_ACTIVE_KEY", "kdeno");
  try {
    assert.equal((await Keyring.fromEnv(Deno.env)).activeKeyId, "kdeno");
  } finally {
    for (const [name, value] of saved) {
      value === undefined ? Deno.env.delete(name!) : Deno.env.set(name!, value);
    }
  }
});

Deno.test("fromEnv() accepts spaces, upper-case hex, a trailing comma and a trailing newline", async () => {
  const keyring = await Keyring.fromEnv(env({
    TENANT_ENCRYPTION_KEYS: ` k1 : ${KEY_A.toUpperCase()} , k2:${KEY_B},\n`,
    TENANT_ENCRYPTION_ACTIVE_KEY: "k1\n",
  }));
  assert.deepEqual(keyring.ids(), ["k1", "k2"]);
  assert.equal(keyring.activeKeyId, "k1");
});

Deno.test("fromEnv() makes the only key active when TENANT_ENCRYPTION_ACTIVE_KEY is unset", async () => {
  const keyring = await Keyring.fromEnv(env({ TENANT_ENCRYPTION_KEYS: `only:${KEY_A}` }));
  assert.equal(keyring.activeKeyId, "only");
});

Deno.test("fromEnv() accepts the seed's ENCRYPTION_KEY as one key with the id legacy", async () => {
  const keyring = await Keyring.fromEnv(env({ ENCRYPTION_KEY: KEY_A }));
  assert.deepEqual(keyring.ids(), ["legacy"]);
  assert.equal(keyring.activeKeyId, "legacy");
});

Deno.test("fromEnv() names the ENCRYPTION_KEY key after TENANT_ENCRYPTION_ACTIVE_KEY when set", async () => {
  const keyring = await Keyring.fromEnv(env({ ENCRYPTION_KEY: KEY_A, TENANT_ENCRYPTION_ACTIVE_KEY: "seed" }));
  assert.deepEqual(keyring.ids(), ["seed"]);
  assert.equal(keyring.activeKeyId, "seed");
});

Deno.test("fromEnv() ignores ENCRYPTION_KEY when TENANT_ENCRYPTION_KEYS is set", async () => {
  const keyring = await Keyring.fromEnv(
    env({ TENANT_ENCRYPTION_KEYS: `k1:${KEY_A}`, ENCRYPTION_KEY: KEY_B }),
  );
  assert.deepEqual(keyring.ids(), ["k1"]);
});

Deno.test("fromEnv() refuses to start without keys and says what to set", async () => {
  for (const vars of [{}, { TENANT_ENCRYPTION_KEYS: "  " }, { ENCRYPTION_KEY: "" }]) {
    const err = await caught(() => Keyring.fromEnv(env(vars)));
    assertSafeError(err, KeyConfigError, []);
    assert.equal(err.message, `Cannot load encryption keys: ${HOW_TO_FIX}`);
  }
});

Deno.test("fromEnv() rejects malformed configuration with a message that never contains key material", async () => {
  const cases: [string, Record<string, string>, string][] = [
    [
      "a key one digit short",
      { TENANT_ENCRYPTION_KEYS: `k1:${KEY_A.slice(1)}` },
      "is not 64 hex digits (got 63",
    ],
    ["a key one digit long", { TENANT_ENCRYPTION_KEYS: `k1:${KEY_A}0` }, "is not 64 hex digits (got 65"],
    ["a key with a non-hex digit", {
      TENANT_ENCRYPTION_KEYS: `k1:${KEY_A.slice(0, 63)}g`,
    }, 'entry 1 of TENANT_ENCRYPTION_KEYS ("k1") is not 64 hex digits'],
    ["a base64 key", { TENANT_ENCRYPTION_KEYS: `k1:${btoa(KEY_A.slice(0, 32))}` }, "is not 64 hex digits"],
    [
      "a key without an id",
      { TENANT_ENCRYPTION_KEYS: KEY_A },
      "entry 1 of TENANT_ENCRYPTION_KEYS has no key id",
    ],
    [
      "an empty id",
      { TENANT_ENCRYPTION_KEYS: `:${KEY_A}` },
      "entry 1 of TENANT_ENCRYPTION_KEYS has an invalid key id",
    ],
    ["an id with a space", {
      TENANT_ENCRYPTION_KEYS: `k1:${KEY_B},my key:${KEY_A}`,
      TENANT_ENCRYPTION_ACTIVE_KEY: "k1",
    }, "entry 2 of TENANT_ENCRYPTION_KEYS has an invalid key id"],
    ["an id that is a key", { TENANT_ENCRYPTION_KEYS: `${KEY_B}:${KEY_A}` }, "looks like key material"],
    ["a repeated id", {
      TENANT_ENCRYPTION_KEYS: `k1:${KEY_A},k1:${KEY_B}`,
      TENANT_ENCRYPTION_ACTIVE_KEY: "k1",
    }, 'key id "k1" appears more than once'],
    ["only commas", { TENANT_ENCRYPTION_KEYS: ",," }, "TENANT_ENCRYPTION_KEYS is empty"],
    ["two keys and no active id", {
      TENANT_ENCRYPTION_KEYS: `k1:${KEY_A},k2:${KEY_B}`,
    }, "TENANT_ENCRYPTION_ACTIVE_KEY is not set: set it to one of k1, k2"],
    ["an active id that is not configured", {
      TENANT_ENCRYPTION_KEYS: `k1:${KEY_A}`,
      TENANT_ENCRYPTION_ACTIVE_KEY: "k9",
    }, "TENANT_ENCRYPTION_ACTIVE_KEY does not name a configured key: set it to one of k1"],
    ["a key pasted as the active id", {
      TENANT_ENCRYPTION_KEYS: `k1:${KEY_A}`,
      TENANT_ENCRYPTION_ACTIVE_KEY: KEY_B,
    }, "TENANT_ENCRYPTION_ACTIVE_KEY does not name a configured key"],
    [
      "a short ENCRYPTION_KEY",
      { ENCRYPTION_KEY: KEY_A.slice(0, 32) },
      'ENCRYPTION_KEY ("legacy") is not 64 hex digits',
    ],
    [
      "a passphrase as ENCRYPTION_KEY",
      { ENCRYPTION_KEY: "correct horse battery staple" },
      "is not 64 hex digits",
    ],
    ["a key pasted as the ENCRYPTION_KEY id", {
      ENCRYPTION_KEY: KEY_A,
      TENANT_ENCRYPTION_ACTIVE_KEY: KEY_B,
    }, "TENANT_ENCRYPTION_ACTIVE_KEY has a key id that looks like key material"],
  ];
  for (const [name, vars, detail] of cases) {
    const err = await caught(() => Keyring.fromEnv(env(vars)));
    const secrets = [KEY_A, KEY_B, KEY_A.slice(1), KEY_A.slice(0, 32), btoa(KEY_A.slice(0, 32)), "horse"];
    assertSafeError(err, KeyConfigError, secrets);
    assert.ok(err.message.startsWith("Cannot load encryption keys: "), name);
    assert.ok(err.message.includes(detail), `${name}: ${err.message}`);
    assert.ok(!err.message.endsWith("."), name);
  }
});

Deno.test("fromEnv() tells how to generate a key when a key is malformed", async () => {
  const err = await caught(() => Keyring.fromEnv(env({ TENANT_ENCRYPTION_KEYS: "k1:abc" })));
  assertSafeError(err, KeyConfigError, ["abc"]);
  assert.equal(
    err.message,
    `Cannot load encryption keys: entry 1 of TENANT_ENCRYPTION_KEYS ("k1") is not 64 hex digits (got 3 characters); ${HOW_TO_FIX}`,
  );
});

Deno.test("fingerprint() is the first 16 hex digits of SHA-256 over the key bytes", async () => {
  const keyring = await Keyring.fromKeys([{ id: "k1", hex: KEY_A }, { id: "k2", hex: KEY_B }], {
    activeKeyId: "k1",
  });
  for (const [id, hex] of [["k1", KEY_A], ["k2", KEY_B]] as const) {
    const expected = createHash("sha256").update(Buffer.from(hex, "hex")).digest("hex").slice(0, 16);
    assert.equal(keyring.fingerprint(id), expected);
  }
  assert.notEqual(keyring.fingerprint("k1"), keyring.fingerprint("k2"));
});

Deno.test("fingerprint() is the same for the same key under upper-case hex or another load", async () => {
  const a = await Keyring.fromKeys([{ id: "k1", hex: KEY_A }]);
  const b = await Keyring.fromEnv(env({ ENCRYPTION_KEY: KEY_A.toUpperCase() }));
  assert.equal(a.fingerprint("k1"), b.fingerprint("legacy"));
});

Deno.test("fingerprint() and cryptoKey() throw UnknownKeyError for an id the keyring lacks", async () => {
  const keyring = await Keyring.fromKeys([{ id: "k1", hex: KEY_A }]);
  assert.throws(() => keyring.fingerprint("k2"), UnknownKeyError);
  assert.throws(() => keyring.cryptoKey("k2"), UnknownKeyError);
});

Deno.test("cryptoKey() returns one cached non-extractable AES-GCM key per id", async () => {
  const keyring = await Keyring.fromKeys([{ id: "k1", hex: KEY_A }]);
  const key = keyring.cryptoKey("k1");
  assert.equal(keyring.cryptoKey("k1"), key);
  assert.equal(key.extractable, false);
  assert.equal(key.algorithm.name, "AES-GCM");
  assert.equal((key.algorithm as AesKeyAlgorithm).length, 256);
  assert.deepEqual([...key.usages].sort(), ["decrypt", "encrypt"]);
  await assert.rejects(() => crypto.subtle.exportKey("raw", key));
});

Deno.test("a keyring shows ids and fingerprints in logs and JSON, never key material", async () => {
  const keyring = await Keyring.fromEnv(env({
    TENANT_ENCRYPTION_KEYS: `k1:${KEY_A},k2:${KEY_B}`,
    TENANT_ENCRYPTION_ACTIVE_KEY: "k1",
  }));
  const shown = [Deno.inspect(keyring, { depth: 10, showHidden: true }), JSON.stringify(keyring)].join("\n");
  assert.ok(shown.includes("k1") && shown.includes(keyring.fingerprint("k2")));
  for (const hex of [KEY_A, KEY_B]) {
    assert.ok(!shown.toLowerCase().includes(hex.slice(0, 16)));
  }
  assert.deepEqual(JSON.parse(JSON.stringify(keyring)), {
    activeKeyId: "k1",
    keys: [{ id: "k1", fingerprint: keyring.fingerprint("k1") }, {
      id: "k2",
      fingerprint: keyring.fingerprint("k2"),
    }],
  });
});

Deno.test("fromKeys() builds a keyring from generateKey() output", async () => {
  const key = generateKey();
  const keyring = await Keyring.fromKeys([key]);
  assert.equal(keyring.activeKeyId, key.id);
});

Deno.test("fromKeys() requires activeKeyId with several keys and refuses an empty list", async () => {
  const two = [{ id: "a", hex: KEY_A }, { id: "b", hex: KEY_B }];
  const err = await caught(() => Keyring.fromKeys(two));
  assertSafeError(err, KeyConfigError, [KEY_A, KEY_B]);
  assert.equal(err.message, "Cannot load encryption keys: activeKeyId is not set: set it to one of a, b");
  assert.equal((await Keyring.fromKeys(two, { activeKeyId: "b" })).activeKeyId, "b");
  await assert.rejects(() => Keyring.fromKeys([]), KeyConfigError);
});
