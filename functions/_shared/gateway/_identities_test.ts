import assert from "node:assert/strict";
import { Identities, identityKey } from "./_identities.ts";

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => now += ms };
}

const ALWAYS = () => true;

Deno.test("an identity is served while it is current, and once it is not, never again", () => {
  const identities = new Identities<string>({ now: clock().now });
  const revoked = new Set<string>();
  const isCurrent = (identity: string) => !revoked.has(identity);
  identities.set("alice", "alice@acme", Infinity);
  identities.set("bob", "bob@acme", Infinity);
  assert.equal(identities.get("alice", isCurrent), "alice@acme");
  // A change heard (alice's membership revoked) ends her entry and no other.
  revoked.add("alice@acme");
  assert.equal(identities.get("alice", isCurrent), undefined);
  assert.equal(identities.get("bob", isCurrent), "bob@acme");
  revoked.clear();
  assert.equal(identities.get("alice", isCurrent), undefined, "dropped, not hidden");
  assert.equal(identities.size, 1);
});

Deno.test("an identity ends at its token's expiry or the TTL, whichever is first", () => {
  const time = clock();
  const identities = new Identities<string>({ now: time.now, ttlMs: 10_000 });
  identities.set("token-expires", "a", time.now() + 2_000);
  identities.set("ttl-ends", "b", time.now() + 60_000);
  time.advance(1_999);
  assert.equal(identities.get("token-expires", ALWAYS), "a");
  time.advance(1);
  assert.equal(identities.get("token-expires", ALWAYS), undefined);
  time.advance(7_999);
  assert.equal(identities.get("ttl-ends", ALWAYS), "b");
  time.advance(1);
  assert.equal(identities.get("ttl-ends", ALWAYS), undefined);
});

Deno.test("the oldest entry goes first when full", () => {
  const identities = new Identities<number>({ now: clock().now, maxEntries: 2 });
  identities.set("a", 1, Infinity);
  identities.set("b", 2, Infinity);
  identities.set("c", 3, Infinity);
  assert.equal(identities.size, 2);
  assert.equal(identities.get("a", ALWAYS), undefined);
  assert.equal(identities.get("b", ALWAYS), 2);
  assert.equal(identities.get("c", ALWAYS), 3);
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
