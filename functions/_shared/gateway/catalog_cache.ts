/**
 * The catalog snapshot of each data source, for the plan stage. Loaded once per data source; after the
 * TTL one tiny query (`private.schema_version()`) decides whether the schema changed and a reload is due,
 * so a migration reaches the gateway within the TTL without a catalog query per request.
 *
 * @module
 */
import type postgres from "postgres";
import { type Catalog, loadCatalog } from "../postgrest/mod.ts";

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

/** Catalog snapshots by data source id. */
export class CatalogCache {
  #entries = new Map<string, Entry>();
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
    if (!entry) return await this.#load(dataSourceId, sql);
    if (this.#now() - entry.checkedAt < this.#ttlMs) return await entry.catalog;
    entry.checkedAt = this.#now();
    const current = await entry.catalog;
    const [row] = await sql`select private.schema_version() as version`.catch(() => [undefined]);
    if (row?.version === current.version) return current;
    return await this.#load(dataSourceId, sql);
  }

  /** Forgets every snapshot (the change feed was interrupted, so any of them may be stale). */
  clear(): void {
    this.#entries.clear();
  }

  /** Forgets a data source's snapshot (its credentials or schema changed). */
  invalidate(dataSourceId: string): void {
    this.#entries.delete(dataSourceId);
  }

  async #load(dataSourceId: string, sql: postgres.Sql): Promise<Catalog> {
    const catalog = loadCatalog(sql);
    this.#entries.set(dataSourceId, { catalog, checkedAt: this.#now() });
    // A failed load is not cached: the next request tries again.
    catalog.catch(() => this.#entries.delete(dataSourceId));
    return await catalog;
  }
}
