/**
 * The tenant directory: which tenant a request is for, the caller's role in it, and the data source its
 * rows live in, read from the application database and cached.
 *
 * @module
 */
import postgres from "postgres";
import type { Keyring } from "../crypto/mod.ts";
import type { EnvReader } from "../env/mod.ts";
import {
  type DataSource,
  DataSourceCache,
  isTransactionModeUrl,
  LoadingCache,
  type LoadingCacheStats,
} from "../data_sources/mod.ts";
import { type ConfigChange, ConfigListener, type ConfigListenerStats } from "./_config_listener.ts";
import { BatchedLoader } from "./_batched_loader.ts";
import { TenantAccessError, TenantDirectoryUnavailableError } from "./errors.ts";

/** The default time a cached entry is served without a NOTIFY, in milliseconds: 30 seconds. */
export const DEFAULT_DIRECTORY_TTL_MS = 30_000;
/** The default number of users whose memberships are cached: 10,000. */
export const DEFAULT_MAX_USERS = 10_000;
/** The environment variable with the application database's URL (set by Supabase for functions). */
export const DATABASE_URL_VARIABLE = "SUPABASE_DB_URL";

/** A member's role in a tenant, passed to tenant databases as the `tenant_role` claim. */
export type TenantRole = "owner" | "admin" | "member" | "viewer";
/** `public.tenants.status`. `moving` tenants are served; the write freeze is the gateway's business. */
export type TenantStatus = "active" | "suspended" | "moving";

/** A tenant as requests see it. */
export interface Tenant {
  readonly id: string;
  readonly slug: string;
  readonly status: TenantStatus;
  /**
   * Whether a tenant move has frozen the tenant's writes (`tenants.writes_frozen_at` is set): the gateway
   * answers writes 503 with `Retry-After` (TR504) and still serves reads. Lasts seconds, while the move
   * copies its final delta and verifies it.
   */
  readonly writesFrozen: boolean;
  /**
   * `Date.now()` at which the freeze ends at the latest (`tenants.writes_frozen_until`: the lease of the
   * move holding it); past it writes go through again. Absent: until unfrozen.
   */
  readonly writesFrozenUntil?: number | undefined;
  /** `Date.now()` at which the move expects the freeze to be over: what `Retry-After` says. */
  readonly writesFreezeExpectedEnd?: number | undefined;
}

/** Whether the tenant's writes are refused now (frozen, and its holder's lease not run out). */
export function writesFrozenNow(tenant: Tenant, now = Date.now()): boolean {
  return tenant.writesFrozen && (tenant.writesFrozenUntil === undefined || now < tenant.writesFrozenUntil);
}

/** The `Retry-After` seconds of a write refused by the freeze: until its expected end, at least 1. */
export function freezeRetryAfterSeconds(tenant: Tenant, now = Date.now()): number {
  if (tenant.writesFreezeExpectedEnd === undefined) return 5;
  return Math.max(1, Math.ceil((tenant.writesFreezeExpectedEnd - now) / 1000));
}

/** One of a user's memberships, with the tenant's routing. */
export interface Membership {
  readonly tenant: Tenant;
  readonly role: TenantRole;
  /** The tenant's data source, or `null` for the default one. */
  readonly dataSourceId: string | null;
}

/** What {@linkcode TenantDirectory.resolveTenant} is asked. */
export interface ResolveTenantRequest {
  /** The verified user id (`sub` of the access token). */
  userId: string;
  /** The `x-tenant-id` header: a tenant's uuid or slug. Absent, `null` or blank: not sent. */
  requestedTenant?: string | null | undefined;
  /** The `tenant_id` claim that the Custom Access Token hook added to the token, if any. */
  tokenTenantId?: string | null | undefined;
}

/** What {@linkcode TenantDirectory.resolveTenant} answers. */
export interface TenantResolution {
  tenant: Tenant;
  role: TenantRole;
  /** The tenant's data source with its decrypted credentials (they never show in logs or JSON). */
  dataSource: DataSource;
}

/** Options of {@linkcode TenantDirectory}. */
export interface TenantDirectoryOptions {
  /** The application database, as a service-level connection (`SUPABASE_DB_URL`). */
  databaseUrl: string;
  /** Opens the data sources' credentials. */
  keyring: Keyring;
  /**
   * The database `LISTEN` runs on; default `databaseUrl`. LISTEN needs a session: when `databaseUrl`
   * goes through a transaction-mode pooler (port 6543), pass a direct or session-mode URL here.
   */
  listenUrl?: string | undefined;
  /** Whether to LISTEN for changes at all; default `true`. Without it, only the TTL expires entries. */
  listen?: boolean | undefined;
  /** How long a cached entry is served, in milliseconds; default 30,000 (the backstop behind NOTIFY). */
  ttlMs?: number | undefined;
  /** How many users' memberships to cache (LRU); default 10,000. */
  maxUsers?: number | undefined;
  /** How many data sources to cache; default 1,000. */
  maxDataSources?: number | undefined;
  /** Connections of the service pool; default 3. */
  poolMax?: number | undefined;
  /** Seconds to wait for a connection to the application database; default 5. */
  connectTimeoutSeconds?: number | undefined;
  /** Milliseconds between checks that the LISTEN connection still hears; default 5,000. */
  heartbeatMs?: number | undefined;
  /** Milliseconds a heartbeat may take; default 3,000. */
  pongTimeoutMs?: number | undefined;
  /** Called when a data source changed (its id), or all may have (`null`): close its pool. */
  onDataSourceChange?: ((dataSourceId: string | null) => void) | undefined;
  /** Where to report problems; default `console.warn`. Never given a URL or secret. */
  log?: ((message: string) => void) | undefined;
  /** The clock for cache expiry, in milliseconds; default `Date.now`. */
  now?: (() => number) | undefined;
}

/** Counters of a {@linkcode TenantDirectory}. */
export interface TenantDirectoryStats {
  memberships: LoadingCacheStats;
  dataSources: LoadingCacheStats;
  /** Credentials decrypted since start: one per data source and credentials version. */
  decryptions: number;
  listener: ConfigListenerStats | null;
}

interface MembershipRow {
  /** Read by the query for several users only. */
  user_id?: string;
  id: string;
  slug: string;
  status: TenantStatus;
  writes_frozen: boolean;
  frozen_remaining_ms: number | null;
  expected_remaining_ms: number | null;
  data_source_id: string | null;
  role: TenantRole;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Reads tenants, memberships and data sources from the application database through a small service
 * pool, and caches them:
 *
 * - **memberships per user**, each with its tenant's id, slug, status and data source (one query per
 *   user: the tenant fields are cached inside the membership entries);
 * - **data sources** by id (and the default one), read, decrypted and cached by `DataSourceCache` of
 *   `../data_sources/` (credentials opened once per data source and credentials version, kept only in
 *   memory and never logged).
 *
 * Entries are dropped at once when the application database's triggers NOTIFY `tenant_router_config`
 * (a membership: that user; a tenant: every user who belongs to it; a data source: that one and the
 * default). The TTL (30 s) is the backstop. The LISTEN connection is checked by a heartbeat; while it is
 * not known to work, loaded values are handed out but not stored (so nothing is cached that a missed
 * NOTIFY could leave stale), entries already cached serve until their TTL, and when it works again every
 * cache is cleared. Concurrent misses for one key share one query, and misses for many users while the
 * service pool is busy (a burst on a fresh instance) are read together, one query per batch. When the
 * application database cannot
 * be read and nothing fresh is cached, requests get {@linkcode TenantDirectoryUnavailableError} (503).
 *
 * @example
 * ```ts
 * const directory = TenantDirectory.fromEnv(Deno.env, { keyring });
 * const { tenant, role, dataSource } = await directory.resolveTenant({
 *   userId: claims.sub,
 *   requestedTenant: request.headers.get("x-tenant-id"),
 *   tokenTenantId: typeof claims.tenant_id === "string" ? claims.tenant_id : undefined,
 * });
 * ```
 */
export class TenantDirectory {
  #sql: postgres.Sql;
  #memberships: LoadingCache<string, readonly Membership[]>;
  #membershipLoader: BatchedLoader<string, readonly Membership[]>;
  #dataSources: DataSourceCache;
  #listener: ConfigListener | null;
  #onDataSourceChange: (dataSourceId: string | null) => void;
  #log: (message: string) => void;
  #closed = false;
  /** What each resolution was made from, for {@linkcode TenantDirectory.isCurrent}. */
  #resolutions = new WeakMap<TenantResolution, ResolvedFrom>();

  /**
   * Creates the directory; it connects on first use (or {@linkcode TenantDirectory.start}).
   *
   * @throws {TypeError} when `databaseUrl` is not a URL (the message never quotes it).
   */
  constructor(options: TenantDirectoryOptions) {
    const ttlMs = options.ttlMs ?? DEFAULT_DIRECTORY_TTL_MS;
    this.#log = options.log ?? console.warn;
    this.#onDataSourceChange = options.onDataSourceChange ?? (() => {});
    const transactionMode = isTransactionModeUrl(options.databaseUrl);
    const poolMax = options.poolMax ?? 3;
    try {
      this.#sql = postgres(options.databaseUrl, {
        max: poolMax,
        idle_timeout: 60,
        connect_timeout: options.connectTimeoutSeconds ?? 5,
        fetch_types: false,
        ...(transactionMode ? { prepare: false } : {}),
        onnotice: () => {},
        connection: { application_name: "tenant-router-directory" },
      });
    } catch {
      // postgres.js's own message quotes the URL, password included.
      throw new TypeError(`Cannot start the tenant directory: ${DATABASE_URL_VARIABLE} is not a valid URL`);
    }
    const listen = options.listen ?? true;
    this.#listener = listen
      ? new ConfigListener({
        url: options.listenUrl ?? options.databaseUrl,
        notify: (channel, payload) => this.#sql`select pg_notify(${channel}, ${payload})`,
        onChange: (change) => this.#apply(change),
        onUp: () => this.#flush(),
        onDown: () => {},
        heartbeatMs: options.heartbeatMs,
        pongTimeoutMs: options.pongTimeoutMs,
        connectTimeoutSeconds: options.connectTimeoutSeconds,
        log: this.#log,
      })
      : null;
    const canStore = () => this.#listener === null || this.#listener.listening;
    // One query per user while the pool has room; users arriving while every connection is busy are
    // read together when one frees up (the data-source reads share the pool, so one slot is left them).
    this.#membershipLoader = new BatchedLoader({
      load: (userIds) => this.#loadMemberships(userIds),
      missing: Object.freeze([]),
      maxInFlight: Math.max(1, poolMax - 1),
      maxBatch: 100,
    });
    this.#memberships = new LoadingCache({
      ttlMs,
      maxEntries: options.maxUsers ?? DEFAULT_MAX_USERS,
      now: options.now,
      canStore,
    });
    this.#dataSources = new DataSourceCache({
      sql: this.#sql,
      keyring: options.keyring,
      query: (run) => this.#query(run),
      ttlMs,
      maxEntries: options.maxDataSources ?? 1_000,
      now: options.now,
      canStore,
      log: this.#log,
    });
  }

  /**
   * A directory for the application database named by `SUPABASE_DB_URL`.
   *
   * @throws {TypeError} when the variable is not set or not a URL (the message never quotes it).
   */
  static fromEnv(env: EnvReader, options: Omit<TenantDirectoryOptions, "databaseUrl">): TenantDirectory {
    const databaseUrl = env.get(DATABASE_URL_VARIABLE)?.trim();
    if (!databaseUrl) {
      throw new TypeError(`Cannot start the tenant directory: ${DATABASE_URL_VARIABLE} is not set`);
    }
    return new TenantDirectory({ ...options, databaseUrl });
  }

  /** Starts listening for changes now rather than on first use (for example at function start). */
  start(): void {
    this.#start();
  }

  /** Whether changes are heard now (caches are filled only then, unless `listen: false`). */
  get listening(): boolean {
    return this.#listener?.listening ?? false;
  }

  /**
   * Whether `resolution` would be resolved again from the same cached entries: neither its user's
   * memberships nor its data source was changed (heard), reloaded or expired since. A cache of resolutions
   * (the gateway's remembered identities) serves one only while this holds, so a change ends the
   * resolutions of the users, tenant or data source it touched and no other. Always `false` while changes
   * are not heard (or never are: `listen: false`).
   */
  isCurrent(resolution: TenantResolution): boolean {
    const from = this.#resolutions.get(resolution);
    return from !== undefined && this.listening &&
      this.#memberships.peek(from.userId) === from.memberships &&
      this.#dataSources.isCurrent(from.dataSourceId, resolution.dataSource);
  }

  /**
   * Resolves the tenant of a request:
   *
   * 1. with `requestedTenant` (`x-tenant-id`, a uuid or slug): that tenant, if the user is a member;
   * 2. without it: the user's only membership;
   * 3. else the token's `tenant_id` claim, if the user is a member of that tenant;
   * 4. else `tenant_required` (400).
   *
   * A tenant that does not exist, one the user does not belong to, and a user without any membership all
   * get the same `not_accessible` (403), so the answer never reveals whether a tenant exists. A member of
   * a suspended tenant gets `suspended` (403). A tenant `moving` is resolved normally (`tenant.status`
   * tells the gateway). Then the tenant's data source (or the default one) is looked up.
   *
   * @throws {TenantAccessError} as above.
   * @throws {DataSourceUnavailableError} when the data source's credentials do not open (`credentials`),
   * it is `disabled`, or it is missing (`missing`, also when there is no default data source).
   * @throws {TenantDirectoryUnavailableError} when the application database cannot be read.
   */
  async resolveTenant(request: ResolveTenantRequest): Promise<TenantResolution> {
    const memberships = await this.memberships(request.userId);
    const membership = choose(memberships, request);
    if (membership.tenant.status === "suspended") throw new TenantAccessError("suspended");
    const dataSource = await this.dataSource(membership.dataSourceId);
    const resolution = { tenant: membership.tenant, role: membership.role, dataSource };
    this.#resolutions.set(resolution, {
      userId: request.userId.toLowerCase(),
      memberships,
      dataSourceId: membership.dataSourceId,
    });
    return resolution;
  }

  /**
   * The user's memberships (cached), ordered by slug; empty for an unknown user or an id that is not a
   * uuid.
   *
   * @throws {TenantDirectoryUnavailableError} when the application database cannot be read.
   */
  async memberships(userId: string): Promise<readonly Membership[]> {
    this.#start();
    const id = typeof userId === "string" ? userId.toLowerCase() : "";
    if (!UUID.test(id)) return [];
    return await this.#memberships.get(id, (key) => this.#membershipLoader.get(key));
  }

  /**
   * A data source by id, or the default one for `null` (cached, credentials decrypted).
   *
   * @throws {DataSourceUnavailableError} when it is missing or disabled, or its credentials do not open.
   * @throws {TenantDirectoryUnavailableError} when the application database cannot be read.
   */
  async dataSource(dataSourceId: string | null): Promise<DataSource> {
    this.#start();
    return await this.#dataSources.get(dataSourceId);
  }

  /** Ids of the busiest active `postgres` data sources, default first (see `DataSourceCache.busiest`). */
  async busiestDataSources(limit: number): Promise<string[]> {
    this.#start();
    return await this.#dataSources.busiest(limit);
  }

  /** Drops every cached entry (decrypted credentials stay: they are keyed by their ciphertext). */
  flush(): void {
    this.#flush();
  }

  /** Cache and listener counters; never a secret. */
  stats(): TenantDirectoryStats {
    return {
      memberships: this.#memberships.stats(),
      dataSources: this.#dataSources.stats(),
      decryptions: this.#dataSources.decryptions,
      listener: this.#listener?.stats() ?? null,
    };
  }

  /** Stops listening and closes the service pool (running queries get `timeout` seconds, default 5). */
  async close(options: { timeout?: number | undefined } = {}): Promise<void> {
    this.#closed = true;
    await this.#listener?.close();
    await this.#sql.end({ timeout: options.timeout ?? 5 });
    this.#flush();
  }

  #start(): void {
    if (this.#closed) throw new Error("Cannot use the tenant directory: it is closed");
    this.#listener?.start();
  }

  async #query<T extends readonly object[]>(run: () => Promise<T>): Promise<T> {
    let rows: T;
    try {
      rows = await run();
    } catch (error) {
      throw new TenantDirectoryUnavailableError({ cause: error });
    }
    // postgres.js 3.4.9 can put a stray empty row ahead of the first result read on a connection whose
    // previous session ended mid-query (see ../db/release_reserved.ts): such an answer is not trusted.
    if (rows.some((row) => row == null)) throw new TenantDirectoryUnavailableError({});
    return rows;
  }

  /** The memberships of each of the users (lower-case uuids), ordered by slug; a user without any is left out. */
  async #loadMemberships(userIds: string[]): Promise<Map<string, readonly Membership[]>> {
    // Several users go as one comma-separated text (they are uuids, checked): the service pool does not
    // fetch types, so postgres.js cannot send an array parameter.
    const rows = await this.#query(() =>
      userIds.length === 1
        ? this.#sql<MembershipRow[]>`
        select t.id, t.slug, t.status, t.writes_frozen_at is not null as writes_frozen, t.data_source_id, m.role,
               (extract(epoch from t.writes_frozen_until - now()) * 1000)::float8 as frozen_remaining_ms,
               (extract(epoch from t.writes_frozen_at - now()) * 1000 + t.writes_freeze_expected_ms)::float8
                 as expected_remaining_ms
        from public.tenant_members m
        join public.tenants t on t.id = m.tenant_id
        where m.user_id = ${userIds[0]!}
        order by t.slug`
        : this.#sql<MembershipRow[]>`
        select m.user_id, t.id, t.slug, t.status, t.writes_frozen_at is not null as writes_frozen, t.data_source_id, m.role,
               (extract(epoch from t.writes_frozen_until - now()) * 1000)::float8 as frozen_remaining_ms,
               (extract(epoch from t.writes_frozen_at - now()) * 1000 + t.writes_freeze_expected_ms)::float8
                 as expected_remaining_ms
        from public.tenant_members m
        join public.tenants t on t.id = m.tenant_id
        where m.user_id = any(string_to_array(${userIds.join(",")}, ',')::uuid[])
        order by m.user_id, t.slug`
    );
    const loadedAt = Date.now();
    const byUser = new Map<string, Membership[]>();
    for (const row of rows) {
      const userId = row.user_id === undefined ? userIds[0]! : String(row.user_id).toLowerCase();
      let list = byUser.get(userId);
      if (list === undefined) byUser.set(userId, list = []);
      list.push(membershipOf(row, loadedAt));
    }
    return new Map([...byUser].map(([userId, list]) => [userId, Object.freeze(list)]));
  }

  #apply(change: ConfigChange | null): void {
    if (change === null) return this.#flush(true);
    switch (`${change.schema}.${change.table}`) {
      case "public.tenant_members":
        if (change.userId === undefined) this.#memberships.clear(); // truncate
        else this.#memberships.delete(change.userId);
        return;
      case "public.tenants": {
        const tenantId = change.tenantId;
        if (tenantId === undefined) this.#memberships.clear();
        else this.#memberships.deleteWhere((list) => list.some((m) => m.tenant.id === tenantId));
        return;
      }
      case "private.data_sources":
        this.#dataSources.invalidate(change.id, { deleted: change.op === "delete" });
        this.#onDataSourceChange(change.id ?? null);
        return;
      default:
        // Not a message this version knows: assume anything may have changed.
        this.#flush(true);
    }
  }

  #flush(dataSourcesChanged = false): void {
    this.#memberships.clear();
    this.#dataSources.clear();
    if (dataSourcesChanged) this.#onDataSourceChange(null);
  }
}

/** The cached entries a resolution was made from. */
interface ResolvedFrom {
  userId: string;
  memberships: readonly Membership[];
  dataSourceId: string | null;
}

function choose(memberships: readonly Membership[], request: ResolveTenantRequest): Membership {
  const requested = typeof request.requestedTenant === "string" ? request.requestedTenant.trim() : "";
  if (requested !== "") {
    const key = requested.toLowerCase();
    const found = memberships.find((m) => m.tenant.id === key || m.tenant.slug === key);
    if (found === undefined) throw new TenantAccessError("not_accessible");
    return found;
  }
  if (memberships.length === 1) return memberships[0]!;
  if (memberships.length === 0) throw new TenantAccessError("not_accessible");
  const claim = typeof request.tokenTenantId === "string" ? request.tokenTenantId.toLowerCase() : "";
  const claimed = memberships.find((m) => m.tenant.id === claim);
  if (claimed !== undefined) return claimed;
  throw new TenantAccessError("tenant_required");
}

/** One membership as cached, from its row; `loadedAt` turns the freeze's remaining times into deadlines. */
function membershipOf(row: MembershipRow, loadedAt: number): Membership {
  return Object.freeze({
    tenant: Object.freeze({
      id: row.id,
      slug: row.slug,
      status: row.status,
      writesFrozen: row.writes_frozen,
      // Remaining times, made local deadlines: the clocks of the two hosts need not agree.
      ...(row.writes_frozen && row.frozen_remaining_ms !== null
        ? { writesFrozenUntil: loadedAt + row.frozen_remaining_ms }
        : {}),
      ...(row.writes_frozen && row.expected_remaining_ms !== null
        ? { writesFreezeExpectedEnd: loadedAt + row.expected_remaining_ms }
        : {}),
    }),
    role: row.role,
    dataSourceId: row.data_source_id,
  });
}
