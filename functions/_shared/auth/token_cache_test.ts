import assert from "node:assert/strict";
import { DEFAULT_CACHE_ENTRIES, DEFAULT_CACHE_MAX_AGE_SECONDS, TokenCache } from "./token_cache.ts";

const NOW = 1_750_000_000_000;
const EXP = NOW / 1000 + 3600;

Deno.test("TokenCache returns what was stored until the token's exp", () => {
  const cache = new TokenCache<string>();
  cache.set("d1", "claims", { exp: NOW / 1000 + 60, now: NOW });
  assert.equal(cache.get("d1", NOW), "claims");
  assert.equal(cache.get("d1", NOW + 59_999), "claims");
  assert.equal(cache.get("d1", NOW + 60_000), undefined);
  assert.equal(cache.size, 0, "an expired entry is dropped when looked up");
  assert.equal(cache.get("unknown", NOW), undefined);
});

Deno.test("TokenCache trusts an entry for at most maxAgeSeconds, even when exp is later", () => {
  const cache = new TokenCache<string>({ maxAgeSeconds: 600 });
  cache.set("key", "anon", { exp: NOW / 1000 + 10 * 365 * 86400, now: NOW });
  assert.equal(cache.get("key", NOW + 599_999), "anon");
  assert.equal(cache.get("key", NOW + 600_000), undefined);
});

Deno.test("TokenCache does not store an entry that is already expired", () => {
  const cache = new TokenCache<string>();
  cache.set("old", "claims", { exp: NOW / 1000 - 1, now: NOW });
  cache.set("now", "claims", { exp: NOW / 1000, now: NOW });
  assert.equal(cache.size, 0);
});

Deno.test("TokenCache evicts the least recently used entry when full", () => {
  const cache = new TokenCache<number>({ maxEntries: 3 });
  for (const [i, digest] of ["a", "b", "c"].entries()) cache.set(digest, i, { exp: EXP, now: NOW });
  assert.equal(cache.get("a", NOW), 0); // a is now the most recently used
  cache.set("d", 3, { exp: EXP, now: NOW });
  assert.equal(cache.size, 3);
  assert.equal(cache.get("b", NOW), undefined, "b was the least recently used");
  assert.equal(cache.get("a", NOW), 0);
  assert.equal(cache.get("c", NOW), 2);
  assert.equal(cache.get("d", NOW), 3);
});

Deno.test("TokenCache replaces an entry stored again under the same digest", () => {
  const cache = new TokenCache<string>({ maxEntries: 2 });
  cache.set("a", "first", { exp: EXP, now: NOW });
  cache.set("a", "second", { exp: EXP, now: NOW });
  assert.equal(cache.size, 1);
  assert.equal(cache.get("a", NOW), "second");
});

Deno.test("TokenCache with maxEntries 0 stores nothing", () => {
  const cache = new TokenCache<string>({ maxEntries: 0 });
  cache.set("a", "claims", { exp: EXP, now: NOW });
  assert.equal(cache.size, 0);
});

Deno.test("TokenCache.clear() empties the cache", () => {
  const cache = new TokenCache<string>();
  cache.set("a", "claims", { exp: EXP, now: NOW });
  cache.clear();
  assert.equal(cache.size, 0);
});

Deno.test("TokenCache stays within 10,000 entries by default", () => {
  assert.equal(DEFAULT_CACHE_ENTRIES, 10_000);
  assert.equal(DEFAULT_CACHE_MAX_AGE_SECONDS, 600);
  const cache = new TokenCache<number>();
  for (let i = 0; i < 10_050; i++) cache.set(`d${i}`, i, { exp: EXP, now: NOW });
  assert.equal(cache.size, 10_000);
  assert.equal(cache.get("d49", NOW), undefined);
  assert.equal(cache.get("d50", NOW), 50);
});

Deno.test("TokenCache refuses invalid options", () => {
  assert.throws(() => new TokenCache({ maxEntries: -1 }), RangeError);
  assert.throws(() => new TokenCache({ maxEntries: 1.5 }), RangeError);
  assert.throws(() => new TokenCache({ maxAgeSeconds: -1 }), RangeError);
  assert.throws(() => new TokenCache({ maxAgeSeconds: Number.NaN }), RangeError);
});
