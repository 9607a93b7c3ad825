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
