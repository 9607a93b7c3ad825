import assert from "node:assert/strict";
import postgres from "postgres";
import { requireEnv } from "../testing/require_env.ts";
import { CatalogCache } from "./catalog_cache.ts";

function pool(name: string): postgres.Sql {
  return postgres(requireEnv(name), { max: 1, onnotice: () => {} });
}

/** Counts the catalog loads a pool runs (the loader's read-only transaction sets an empty search_path). */
function counting(sql: postgres.Sql): { sql: postgres.Sql; loads: () => number } {
  let loads = 0;
  const wrapped = new Proxy(sql, {
    get(target, property) {
      if (property === "begin") loads++;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { sql: wrapped, loads: () => loads };
}

Deno.test("CatalogCache shares one snapshot between data sources at the same schema version", async () => {
  const shared = counting(pool("TENANT_SHARED_DB_URL"));
  const acme = counting(pool("TENANT_ACME_DB_URL"));
  try {
    const cache = new CatalogCache();
    const first = await cache.get("shared", shared.sql);
    const second = await cache.get("acme", acme.sql);
    assert.equal(second, first, "the second data source reuses the first one's snapshot");
    assert.equal(shared.loads(), 1);
    assert.equal(acme.loads(), 0, "the second data source was only asked for its version");
    assert.deepEqual(cache.size, { dataSources: 2, versions: 1 });
    // A loaded snapshot comes back without a promise to wait on.
    assert.equal(cache.get("acme", acme.sql), first);
    // Invalidated, a data source asks its version again and takes the shared snapshot again.
    cache.invalidate("acme");
    assert.equal(await cache.get("acme", acme.sql), first);
    assert.equal(acme.loads(), 0);
    // Cleared, every snapshot is loaded again.
    cache.clear();
    const reloaded = await cache.get("acme", acme.sql);
    assert.notEqual(reloaded, first);
    assert.equal(acme.loads(), 1);
    assert.equal(reloaded.version, first.version);
  } finally {
    await Promise.all([shared.sql.end(), acme.sql.end()]);
  }
});

Deno.test("CatalogCache loads its own snapshot for a database without a schema version", async () => {
  const tenant = pool("TENANT_SHARED_DB_URL");
  const app = counting(pool("SUPABASE_DB_URL"));
  try {
    const cache = new CatalogCache();
    const tenantCatalog = await cache.get("tenant", tenant);
    const appCatalog = await cache.get("app", app.sql);
    assert.equal(app.loads(), 1);
    assert.notEqual(appCatalog, tenantCatalog);
    assert.match(appCatalog.version, /^sha256:/);
    assert.deepEqual(cache.size, { dataSources: 2, versions: 1 });
  } finally {
    await Promise.all([tenant.end(), app.sql.end()]);
  }
});

Deno.test("CatalogCache does not keep a failed load: the next request tries again", async () => {
  const broken = postgres("postgresql://nobody:nothing@127.0.0.1:1/none", {
    max: 1,
    connect_timeout: 1,
    onnotice: () => {},
  });
  const tenant = pool("TENANT_SHARED_DB_URL");
  try {
    const cache = new CatalogCache();
    await assert.rejects(Promise.resolve(cache.get("ds", broken)));
    assert.deepEqual(cache.size, { dataSources: 0, versions: 0 });
    assert.ok((await cache.get("ds", tenant)).tables.length > 0);
  } finally {
    await Promise.all([broken.end(), tenant.end()]);
  }
});

Deno.test("CatalogCache checks a snapshot past its TTL after the request took the pool's open connection", async () => {
  const sql = postgres(requireEnv("TENANT_SHARED_DB_URL"), { max: 2, onnotice: () => {} });
  try {
    let now = 0;
    const cache = new CatalogCache({ ttlMs: 1_000, now: () => now });
    const snapshot = await cache.get("shared", sql);
    const [open] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
    now = 5_000;
    // The request finds its snapshot and reserves a connection in the same task, as the gateway does.
    assert.equal(cache.get("shared", sql), snapshot);
    const connection = await sql.reserve();
    try {
      const [mine] = await connection<{ pid: number }[]>`select pg_backend_pid() as pid`;
      assert.equal(mine!.pid, open!.pid, "the request got the connection that was open, not a new one");
    } finally {
      connection.release();
    }
    // The check ran all the same: the version is unchanged, so the snapshot stays.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(cache.get("shared", sql), snapshot);
  } finally {
    await sql.end();
  }
});
