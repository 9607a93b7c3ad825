import assert from "node:assert/strict";
import { Identities, identityKey } from "./_identities.ts";

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => now += ms };
}

Deno.test("an identity is served under the generation it was resolved in, and only then", () => {
  const identities = new Identities<string>({ now: clock().now });
  identities.set("k", "alice@acme", 7, Infinity);
  assert.equal(identities.get("k", 7), "alice@acme");
  // A change heard (membership revoked, tenant suspended) moves the generation: the entry is gone for good.
  assert.equal(identities.get("k", 8), undefined);
  assert.equal(identities.get("k", 7), undefined);
  assert.equal(identities.size, 0);
});

Deno.test("nothing is remembered or served while the directory does not hear changes", () => {
  const identities = new Identities<string>({ now: clock().now });
  identities.set("k", "alice@acme", null, Infinity);
  assert.equal(identities.size, 0);
  identities.set("k", "alice@acme", 1, Infinity);
  assert.equal(identities.get("k", null), undefined);
});

Deno.test("an identity ends at its token's expiry or the TTL, whichever is first", () => {
  const time = clock();
  const identities = new Identities<string>({ now: time.now, ttlMs: 10_000 });
  identities.set("token-expires", "a", 1, time.now() + 2_000);
  identities.set("ttl-ends", "b", 1, time.now() + 60_000);
  time.advance(1_999);
  assert.equal(identities.get("token-expires", 1), "a");
  time.advance(1);
  assert.equal(identities.get("token-expires", 1), undefined);
  time.advance(7_999);
  assert.equal(identities.get("ttl-ends", 1), "b");
  time.advance(1);
  assert.equal(identities.get("ttl-ends", 1), undefined);
});

Deno.test("the oldest entry goes first when full", () => {
  const identities = new Identities<number>({ now: clock().now, maxEntries: 2 });
  identities.set("a", 1, 1, Infinity);
  identities.set("b", 2, 1, Infinity);
  identities.set("c", 3, 1, Infinity);
  assert.equal(identities.size, 2);
  assert.equal(identities.get("a", 1), undefined);
  assert.equal(identities.get("b", 1), 2);
  assert.equal(identities.get("c", 1), 3);
});

Deno.test("identityKey tells an absent header from any value, and one header from another", () => {
  const key = (init: Record<string, string>) => identityKey(new Headers(init));
  const token = "Bearer eyJ.x.y";
  const keys = [
    key({ apikey: "k", authorization: token }),
    key({ apikey: "k", authorization: token, "x-tenant-id": "null" }),
    key({ apikey: "k", authorization: token, "x-tenant-id": "" }),
    key({ apikey: "k", authorization: token, "x-tenant-id": "acme" }),
    key({ authorization: token, "x-tenant-id": "k" }),
    key({ apikey: `k`, "x-tenant-id": token }),
  ];
  assert.equal(new Set(keys).size, keys.length);
  // Values that cannot be header values are refused by Headers before they could forge a key.
  assert.throws(() => new Headers({ apikey: "k\nBearer x" }), TypeError);
});
