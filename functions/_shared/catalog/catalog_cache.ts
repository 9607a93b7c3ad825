/**
 * The catalog snapshot of each data source, for the plan stage. A snapshot describes the tenant schema, and
 * every data source at the same schema version has the same one: so a data source used for the first time
 * is asked only for its version (`private.schema_version()`, one tiny query, which also opens its first
 * connection), and a snapshot already loaded at that version is shared; a version not seen yet (or a
 * database without the function) loads its own. After the TTL the same query, sent beside the request,
 * decides whether the schema changed and a reload is due, so a migration reaches the gateway within the
 * TTL (plus that query) without a catalog query per request.
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
  /** The snapshot once loaded: the request path takes it without waiting on a promise. */
  ready?: Catalog;
  checkedAt: number;
}

/** Counters of a {@linkcode CatalogCache} since it was created. */
export interface CatalogCacheStats {
  /** Snapshots held: one per data source served. */
  size: number;
  /** Lookups answered from a snapshot held (or being loaded). */
  hits: number;
  /** Lookups of a data source without a snapshot (shared from its schema version, or loaded). */
  loads: number;
}

/** How many schema versions keep a shared snapshot; more are only seen during a rolling migration. */
const MAX_VERSIONS = 16;

/** Catalog snapshots by data source id, shared between data sources at the same schema version. */
export class CatalogCache {
  #entries = new Map<string, Entry>();
  /** Snapshots (or their loads in flight) by schema version, oldest first. */
  #byVersion = new Map<string, Promise<Catalog>>();
  #hits = 0;
  #loads = 0;
  #timezoneNames: Promise<ReadonlySet<string>> | undefined;
  #ttlMs: number;
  #now: () => number;

  constructor(options: CatalogCacheOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The snapshot of a data source, through `sql` when missing or when its schema version changed: shared
   * with another data source at the same version, else loaded. Concurrent callers share one load. A loaded
   * snapshot is returned as it is (no promise to wait on).
   */
  get(dataSourceId: string, sql: postgres.Sql): Catalog | Promise<Catalog> {
    const entry = this.#entries.get(dataSourceId);
    if (!entry) {
      this.#loads++;
      return this.#load(dataSourceId, sql);
    }
    this.#hits++;
    if (this.#now() - entry.checkedAt >= this.#ttlMs) {
      entry.checkedAt = this.#now();
      // After the request's own reservation (made without leaving this task): on a pool with one open
      // connection, the check would otherwise take it and the request would open another.
      setTimeout(() => void this.#recheck(dataSourceId, entry, sql), 0);
    }
    return entry.ready ?? entry.catalog;
  }

  /**
   * The time zones a `Prefer: timezone=` may name: PostgreSQL's `pg_timezone_names`, which PostgREST
   * accepts. Reading the view walks the server's time zone files (60–200 ms), so it is read once, through
   * `sql`, by the first request that names a zone, and shared by every data source (they run PostgreSQL's
   * time zone database; a server that lacked a zone would refuse the setting, and the request with it).
   * A failed read is not kept.
   */
  timezoneNames(sql: postgres.Sql): Promise<ReadonlySet<string>> {
    return this.#timezoneNames ??= sql<{ name: string }[]>`select name from pg_catalog.pg_timezone_names`
      .then((rows) => new Set(rows.map((row) => row.name)) as ReadonlySet<string>)
      .catch((error) => {
        this.#timezoneNames = undefined;
        throw error;
      });
  }

  /** Counters since the cache was created. */
  stats(): CatalogCacheStats {
    return { size: this.#entries.size, hits: this.#hits, loads: this.#loads };
  }

  /** Forgets every snapshot (the change feed was interrupted, so any of them may be stale). */
  clear(): void {
    this.#entries.clear();
    this.#byVersion.clear();
  }

  /** Forgets a data source's snapshot (its credentials or schema changed); it asks its version again. */
  invalidate(dataSourceId: string): void {
    this.#entries.delete(dataSourceId);
  }

  /** How many snapshots are held: data sources served, and distinct schema versions among them. */
  get size(): { dataSources: number; versions: number } {
    return { dataSources: this.#entries.size, versions: this.#byVersion.size };
  }

  /**
   * Reloads the snapshot when the schema version moved. It runs beside the request that noticed the TTL
   * had passed: that request keeps the snapshot it has (already up to a TTL old) instead of waiting for
   * a pooled connection, which it may not get soon when the pool is busy.
   */
  async #recheck(dataSourceId: string, entry: Entry, sql: postgres.Sql): Promise<void> {
    const current = await entry.catalog.catch(() => undefined);
    if (current === undefined) return; // its failed load removed it already
    const version = await reportedVersion(sql).catch(() => null);
    // No version to compare (a database without the function, or unreachable now): keep the snapshot.
    if (version === null || version === current.version) return;
    if (this.#entries.get(dataSourceId) === entry) await this.#load(dataSourceId, sql).catch(() => {});
  }

  async #load(dataSourceId: string, sql: postgres.Sql): Promise<Catalog> {
    const catalog = this.#snapshotOf(sql);
    const entry: Entry = { catalog, checkedAt: this.#now() };
    this.#entries.set(dataSourceId, entry);
    catalog.then((loaded) => {
      entry.ready = loaded;
    }, () => {
      // A failed load is not cached: the next request tries again.
      if (this.#entries.get(dataSourceId) === entry) this.#entries.delete(dataSourceId);
    });
    return await catalog;
  }

  /** The snapshot of the version the data source reports: shared when known, else loaded (and shared). */
  async #snapshotOf(sql: postgres.Sql): Promise<Catalog> {
    const version = await reportedVersion(sql);
    if (version === null) return await loadCatalog(sql);
    const shared = this.#byVersion.get(version);
    if (shared !== undefined) {
      const catalog = await shared.catch(() => undefined);
      // Another data source's load failed (its connection, say): this one loads its own.
      if (catalog !== undefined) return catalog;
    }
    const loading = loadCatalog(sql);
    this.#share(version, loading);
    const catalog = await loading;
    // The schema moved between the two queries: the snapshot belongs under its own version.
    if (catalog.version !== version) this.#forget(version, loading);
    return catalog;
  }

  #share(version: string, catalog: Promise<Catalog>): void {
    this.#byVersion.delete(version);
    this.#byVersion.set(version, catalog);
    if (this.#byVersion.size > MAX_VERSIONS) this.#byVersion.delete(this.#byVersion.keys().next().value!);
    catalog.catch(() => this.#forget(version, catalog));
  }

  #forget(version: string, catalog: Promise<Catalog>): void {
    if (this.#byVersion.get(version) === catalog) this.#byVersion.delete(version);
  }
}

/**
 * `private.schema_version()` of the database, or `null` when it has none or may not call it (a database
 * outside the tenant schema): its snapshot then carries a digest as version and is not shared. A lost
 * connection is thrown as it is, for the pool's circuit breaker.
 */
async function reportedVersion(sql: postgres.Sql): Promise<string | null> {
  try {
    const [row] = await sql<{ version: string | null }[]>`select private.schema_version() as version`;
    return row?.version ?? null;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // Undefined function or schema, or no privilege: a server's answer, not a failure.
    if (code === "42883" || code === "3F000" || code === "42501") return null;
    throw error;
  }
}
