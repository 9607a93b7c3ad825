import assert from "node:assert/strict";
import { LoadingCache } from "./loading_cache.ts";

function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void } {
  return Promise.withResolvers<T>();
}

Deno.test("LoadingCache serves a loaded value until its TTL, then loads again", async () => {
  let now = 0;
  let loads = 0;
  const cache = new LoadingCache<string, number>({ ttlMs: 1_000, maxEntries: 10, now: () => now });
  const load = () => Promise.resolve(++loads);
  assert.equal(await cache.get("a", load), 1);
  now = 999;
  assert.equal(await cache.get("a", load), 1);
  now = 1_000;
  assert.equal(await cache.get("a", load), 2);
  assert.deepEqual(cache.stats(), { size: 1, hits: 1, loads: 2, joins: 0 });
});

Deno.test("LoadingCache shares one load among concurrent misses of the same key", async () => {
  const cache = new LoadingCache<string, string>({ ttlMs: 1_000, maxEntries: 10 });
  const pending = deferred<string>();
  let loads = 0;
  const load = () => {
    loads++;
    return pending.promise;
  };
  const lookups = Array.from({ length: 50 }, () => cache.get("user", load));
  pending.resolve("memberships");
  assert.deepEqual(new Set(await Promise.all(lookups)), new Set(["memberships"]));
  assert.equal(loads, 1);
  assert.deepEqual(cache.stats(), { size: 1, hits: 0, loads: 1, joins: 49 });
});

Deno.test("LoadingCache gives a failed load's error to all its callers and stores nothing", async () => {
  const cache = new LoadingCache<string, string>({ ttlMs: 1_000, maxEntries: 10 });
  const pending = deferred<string>();
  const lookups = [cache.get("k", () => pending.promise), cache.get("k", () => pending.promise)];
  pending.reject(new Error("database unreachable"));
  for (const lookup of lookups) await assert.rejects(lookup, /database unreachable/);
  assert.equal(await cache.get("k", () => Promise.resolve("later")), "later");
});

Deno.test("LoadingCache.delete() detaches a running load: its value is returned, not stored", async () => {
  const cache = new LoadingCache<string, string>({ ttlMs: 1_000, maxEntries: 10 });
  const stale = deferred<string>();
  const first = cache.get("k", () => stale.promise);
  cache.delete("k"); // a NOTIFY arrived while the old state was being read
  const second = cache.get("k", () => Promise.resolve("new"));
  stale.resolve("old");
  assert.equal(await first, "old");
  assert.equal(await second, "new");
  assert.equal(cache.peek("k"), "new");
});

Deno.test("LoadingCache.deleteWhere() drops matching entries and detaches every running load", async () => {
  const cache = new LoadingCache<string, string[]>({ ttlMs: 1_000, maxEntries: 10 });
  await cache.get("alice", () => Promise.resolve(["acme"]));
  await cache.get("grace", () => Promise.resolve(["globex"]));
  const running = deferred<string[]>();
  const loading = cache.get("olivia", () => running.promise);
  cache.deleteWhere((tenants) => tenants.includes("acme"));
  running.resolve(["acme", "globex"]);
  await loading;
  assert.equal(cache.peek("alice"), undefined);
  assert.deepEqual(cache.peek("grace"), ["globex"]);
  assert.equal(cache.peek("olivia"), undefined);
});

Deno.test("LoadingCache.clear() drops everything and detaches running loads", async () => {
  const cache = new LoadingCache<string, number>({ ttlMs: 1_000, maxEntries: 10 });
  await cache.get("a", () => Promise.resolve(1));
  const running = deferred<number>();
  const loading = cache.get("b", () => running.promise);
  cache.clear();
  running.resolve(2);
  assert.equal(await loading, 2);
  assert.equal(cache.stats().size, 0);
});

Deno.test("LoadingCache evicts the least recently used entry beyond maxEntries", async () => {
  const cache = new LoadingCache<string, string>({ ttlMs: 1_000, maxEntries: 2 });
  await cache.get("a", () => Promise.resolve("A"));
  await cache.get("b", () => Promise.resolve("B"));
  await cache.get("a", () => Promise.resolve("unused")); // a is now the most recently used
  await cache.get("c", () => Promise.resolve("C"));
  assert.equal(cache.peek("a"), "A");
  assert.equal(cache.peek("b"), undefined);
  assert.equal(cache.peek("c"), "C");
});

Deno.test("LoadingCache stores nothing while canStore() says no", async () => {
  let storing = false;
  const cache = new LoadingCache<string, number>({ ttlMs: 1_000, maxEntries: 2, canStore: () => storing });
  let loads = 0;
  const load = () => Promise.resolve(++loads);
  await cache.get("a", load);
  await cache.get("a", load);
  assert.equal(loads, 2);
  storing = true;
  await cache.get("a", load);
  await cache.get("a", load);
  assert.equal(loads, 3);
});

Deno.test("LoadingCache rejects options that cannot work", () => {
  assert.throws(() => new LoadingCache({ ttlMs: -1, maxEntries: 1 }), RangeError);
  assert.throws(() => new LoadingCache({ ttlMs: 1, maxEntries: 0 }), RangeError);
});
