/**
 * Hears the application database's configuration changes (`LISTEN tenant_router_config`) and knows
 * whether it is still hearing them.
 *
 * postgres.js re-issues `LISTEN` when the listening connection drops, but only once: if the database is
 * unreachable at that moment, the listener is silently gone for good (checked against postgres.js 3.4.9).
 * So the listener checks itself with a heartbeat: every `heartbeatMs` it sends a NOTIFY on a channel of
 * its own through the service connection and expects to hear it back; when it does not, it reports
 * itself down and starts over with a new connection on the next beat.
 *
 * @module
 */
import postgres from "postgres";

/** The channel the application database's triggers notify (see `private.notify_config_change()`). */
export const CONFIG_CHANNEL = "tenant_router_config";

/**
 * One message of {@linkcode CONFIG_CHANNEL}: `{schema, table, op, id?, tenant_id?, user_id?}`. A
 * truncate carries only schema, table and op.
 */
export interface ConfigChange {
  schema: string | undefined;
  table: string | undefined;
  op: string | undefined;
  id: string | undefined;
  tenantId: string | undefined;
  userId: string | undefined;
}

/** Options of {@linkcode ConfigListener}. */
export interface ConfigListenerOptions {
  /** The application database; must allow LISTEN (direct or session mode, not transaction mode). */
  url: string;
  /** Sends a NOTIFY through the service connection (the heartbeat). */
  notify: (channel: string, payload: string) => Promise<unknown>;
  /** A change, or `null` for a message that cannot be read (treat it as "everything changed"). */
  onChange: (change: ConfigChange | null) => void;
  /** Listening (again): changes made while not listening were missed. */
  onUp: () => void;
  /** No longer sure to hear changes. */
  onDown: () => void;
  /** Milliseconds between heartbeats (and between reconnection attempts); default 5,000. */
  heartbeatMs?: number | undefined;
  /** Milliseconds to wait for a heartbeat to come back; default 3,000. */
  pongTimeoutMs?: number | undefined;
  /** Seconds to wait for the connection; default 5. */
  connectTimeoutSeconds?: number | undefined;
  /** Where to report state changes; default `console.warn`. Messages never contain the URL. */
  log?: ((message: string) => void) | undefined;
}

/** Counters of a {@linkcode ConfigListener}. */
export interface ConfigListenerStats {
  listening: boolean;
  /** Times listening started or restarted (the first start included). */
  ups: number;
  /** Times listening was found lost. */
  downs: number;
}

/** Listens on {@linkcode CONFIG_CHANNEL} and supervises the listening connection. */
export class ConfigListener {
  #options: ConfigListenerOptions;
  #heartbeatMs: number;
  #pongTimeoutMs: number;
  #pingChannel = `tenant_router_ping_${crypto.randomUUID().replaceAll("-", "")}`;
  #sql: postgres.Sql | null = null;
  #listening = false;
  #started = false;
  #closed = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #tick: Promise<void> | null = null;
  #pong: { nonce: string; resolve(ok: boolean): void } | null = null;
  #ups = 0;
  #downs = 0;
  #warned = false;

  /** Creates the listener; nothing connects until {@linkcode ConfigListener.start}. */
  constructor(options: ConfigListenerOptions) {
    this.#options = options;
    this.#heartbeatMs = options.heartbeatMs ?? 5_000;
    this.#pongTimeoutMs = options.pongTimeoutMs ?? 3_000;
  }

  /** Whether changes are being heard right now (as far as the last heartbeat knows). */
  get listening(): boolean {
    return this.#listening;
  }

  /** Starts listening in the background; idempotent. */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.#run();
  }

  /** Counters, for health reports and tests. */
  stats(): ConfigListenerStats {
    return { listening: this.#listening, ups: this.#ups, downs: this.#downs };
  }

  /** Stops the heartbeat and closes the listening connection. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#pong?.resolve(false);
    await this.#tick;
    await this.#dispose(this.#sql);
    this.#listening = false;
  }

  #run(): void {
    this.#tick = (this.#listening ? this.#heartbeat() : this.#connect()).finally(() => {
      this.#tick = null;
      if (!this.#closed) this.#timer = setTimeout(() => this.#run(), this.#heartbeatMs);
    });
  }

  async #connect(): Promise<void> {
    await this.#dispose(this.#sql);
    let sql: postgres.Sql;
    try {
      sql = postgres(this.#options.url, {
        max: 1,
        connect_timeout: this.#options.connectTimeoutSeconds ?? 5,
        fetch_types: false,
        onnotice: () => {},
        connection: { application_name: "tenant-router-listener" },
      });
    } catch {
      // postgres.js's own message quotes the URL, password included.
      this.#warn("Cannot listen for tenant configuration changes: the listen URL is not a valid URL");
      return;
    }
    this.#sql = sql;
    let initial = true;
    try {
      await sql.listen(CONFIG_CHANNEL, (payload) => this.#options.onChange(parseChange(payload)), () => {
        if (initial) return;
        // postgres.js listened again after the connection dropped: changes may have been missed.
        if (this.#sql === sql && !this.#closed) this.#up();
      });
      initial = false;
      await sql.listen(this.#pingChannel, (nonce) => {
        if (this.#pong?.nonce === nonce) this.#pong.resolve(true);
      });
      if (this.#sql === sql && !this.#closed) this.#up();
    } catch {
      initial = false;
      this.#warn("Cannot listen for tenant configuration changes: caches are not filled until it works");
      await this.#dispose(sql);
    }
  }

  async #heartbeat(): Promise<void> {
    const nonce = crypto.randomUUID();
    const heard = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), this.#pongTimeoutMs);
      this.#pong = {
        nonce,
        resolve(ok) {
          clearTimeout(timer);
          resolve(ok);
        },
      };
    });
    this.#options.notify(this.#pingChannel, nonce).catch(() => this.#pong?.resolve(false));
    const ok = await heard;
    this.#pong = null;
    if (ok || this.#closed) return;
    this.#listening = false;
    this.#downs++;
    this.#log("Lost the tenant configuration listener: cached entries serve until their TTL");
    this.#options.onDown();
    await this.#dispose(this.#sql);
  }

  #up(): void {
    this.#listening = true;
    this.#warned = false;
    this.#ups++;
    this.#options.onUp();
  }

  async #dispose(sql: postgres.Sql | null): Promise<void> {
    if (sql === null) return;
    if (this.#sql === sql) this.#sql = null;
    await sql.end({ timeout: 0 }).catch(() => {});
  }

  /** Logs a failure to listen once until listening works again. */
  #warn(message: string): void {
    if (this.#warned) return;
    this.#warned = true;
    this.#log(message);
  }

  #log(message: string): void {
    (this.#options.log ?? console.warn)(message);
  }
}

function parseChange(payload: string): ConfigChange | null {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  const text = (key: string) => (typeof record[key] === "string" ? record[key] as string : undefined);
  return {
    schema: text("schema"),
    table: text("table"),
    op: text("op"),
    id: text("id"),
    tenantId: text("tenant_id"),
    userId: text("user_id"),
  };
}
