/**
 * The catalog snapshot of each data source, for the plan stage. Loaded once per data source; after the
 * TTL one tiny query (`private.schema_version()`), sent beside the request, decides whether the schema
 * changed and a reload is due, so a migration reaches the gateway within the TTL (plus that query)
 * without a catalog query per request.
 *
 * @module
 */
import type postgres from "postgres";
import type { Catalog } from "./catalog.ts";
import { loadCatalog } from "./load_catalog.ts";

/** Options of {@linkcode CatalogCache}. */
export interface CatalogCacheOptions {
  /** How long a snapshot is used before its version is checked again; default 30 s. */
  ttlMs?: number;
  now?: () => number;
}

interface Entry {
  catalog: Promise<Catalog>;
  checkedAt: number;
}

/** Counters of a {@linkcode CatalogCache} since it was created. */
export interface CatalogCacheStats {
  /** Snapshots held: one per data source served. */
  size: number;
  /** Lookups answered from a snapshot held (or being loaded). */
  hits: number;
  /** Lookups that loaded a snapshot. */
  loads: number;
}

/** Catalog snapshots by data source id. */
export class CatalogCache {
  #entries = new Map<string, Entry>();
  #hits = 0;
  #loads = 0;
  #ttlMs: number;
  #now: () => number;

  constructor(options: CatalogCacheOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The snapshot of a data source, loading it through `sql` when missing or when its schema version
   * changed. Concurrent callers share one load.
   */
  async get(dataSourceId: string, sql: postgres.Sql): Promise<Catalog> {
    const entry = this.#entries.get(dataSourceId);
    if (!entry) {
      this.#loads++;
      return await this.#load(dataSourceId, sql);
    }
    this.#hits++;
    if (this.#now() - entry.checkedAt >= this.#ttlMs) {
      entry.checkedAt = this.#now();
      void this.#recheck(dataSourceId, entry, sql);
    }
    return await entry.catalog;
  }

  /** Counters since the cache was created. */
  stats(): CatalogCacheStats {
    return { size: this.#entries.size, hits: this.#hits, loads: this.#loads };
  }

  /** Forgets every snapshot (the change feed was interrupted, so any of them may be stale). */
  clear(): void {
    this.#entries.clear();
  }

  /** Forgets a data source's snapshot (its credentials or schema changed). */
  invalidate(dataSourceId: string): void {
    this.#entries.delete(dataSourceId);
  }

  /**
   * Reloads the snapshot when the schema version moved. It runs beside the request that noticed the TTL
   * had passed: that request keeps the snapshot it has (already up to a TTL old) instead of waiting for
   * a pooled connection, which it may not get soon when the pool is busy.
   */
  async #recheck(dataSourceId: string, entry: Entry, sql: postgres.Sql): Promise<void> {
    const current = await entry.catalog.catch(() => undefined);
    if (current === undefined) return; // its failed load removed it already
    const [row] = await sql`select private.schema_version() as version`.catch(() => [undefined]);
    if (row === undefined || row.version === current.version) return;
    if (this.#entries.get(dataSourceId) === entry) await this.#load(dataSourceId, sql).catch(() => {});
  }

  async #load(dataSourceId: string, sql: postgres.Sql): Promise<Catalog> {
    const catalog = loadCatalog(sql);
    this.#entries.set(dataSourceId, { catalog, checkedAt: this.#now() });
    // A failed load is not cached: the next request tries again.
    catalog.catch(() => this.#entries.delete(dataSourceId));
    return await catalog;
  }
}
