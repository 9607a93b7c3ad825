/**
 * The catalog: a data source's schema as a snapshot (tables, columns, keys, foreign keys, functions,
 * version), the relationships derived from its foreign keys and from functions of a row, the computed
 * fields, the loader that reads it from `pg_catalog` and the cache that keeps one snapshot per data source.
 *
 * - {@linkcode loadCatalog}: reads a {@linkcode Catalog}; the only database access of the plan stage.
 * - {@linkcode CatalogCache}: one snapshot per data source, revalidated by schema version after a TTL.
 * - {@linkcode relationshipsFrom}, {@linkcode computedFields}, {@linkcode findTable}, {@linkcode findColumn}:
 *   pure lookups.
 *
 * Layer 2: may import `errors`, `http`, `crypto`, `postgres_js`; the plan stage and the move engine
 * build on it.
 *
 * @example
 * ```ts
 * import { CatalogCache } from "../catalog/mod.ts";
 *
 * const catalogs = new CatalogCache({ ttlMs: 30_000 });
 * const catalog = await catalogs.get(dataSource.id, sql);
 * ```
 *
 * @module
 */
export type * from "./catalog.ts";
export { computedFields, findColumn, findTable } from "./catalog.ts";
export { CatalogCache, type CatalogCacheOptions } from "./catalog_cache.ts";
export {
  DEFAULT_SCOPE_COLUMNS,
  relationshipsFrom,
  type RelationshipsFromOptions,
} from "./catalog_relationships.ts";
export { loadCatalog, type LoadCatalogOptions } from "./load_catalog.ts";
