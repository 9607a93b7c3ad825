import assert from "node:assert/strict";
import { generateKey } from "./generate_key.ts";
import { Keyring } from "./keyring.ts";

Deno.test("generateKey() returns an id k + yyyymmdd + 4 hex digits and a 64-hex-digit key", () => {
  const { id, hex } = generateKey({ date: new Date("2025-03-14T12:00:00Z") });
  assert.match(id, /^k20250314[0-9a-f]{4}$/);
  assert.match(hex, /^[0-9a-f]{64}$/);
});

Deno.test("generateKey() dates the id in UTC", () => {
  assert.match(generateKey({ date: new Date("2025-12-31T23:30:00-05:00") }).id, /^k20260101/);
});

Deno.test("generateKey() returns a different key and id suffix each time", () => {
  const keys = Array.from({ length: 50 }, () => generateKey());
  assert.equal(new Set(keys.map((key) => key.hex)).size, 50);
  assert.ok(new Set(keys.map((key) => key.id)).size > 1);
});

Deno.test("generateKey() output loads through TENANT_ENCRYPTION_KEYS", async () => {
  const { id, hex } = generateKey();
  const keyring = await Keyring.fromEnv(new Map([["TENANT_ENCRYPTION_KEYS", `${id}:${hex}`]]));
  assert.equal(keyring.activeKeyId, id);
});

Deno.test("generateKey() rejects an invalid date", () => {
  assert.throws(() => generateKey({ date: new Date("not a date") }), RangeError);
});
