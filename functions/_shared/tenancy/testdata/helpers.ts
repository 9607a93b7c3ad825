/**
 * Test helpers of the tenancy modules: the demo seed's ids (docs/demo-ids.md), throw-away tenants, users
 * and data sources in the application database (removed again by `cleanup()`), and a TCP proxy that
 * can cut or refuse connections to the database.
 *
 * @module
 */
import postgres from "postgres";
import type { Keyring } from "../../crypto/mod.ts";
import { sealCredentials } from "../../data_sources/credentials.ts";

/** Demo tenants (docs/demo-ids.md). */
export const TENANTS = {
  acme: "a0000000-0000-4000-8000-000000000001",
  globex: "a0000000-0000-4000-8000-000000000002",
  initech: "a0000000-0000-4000-8000-000000000003",
} as const;

/** Demo users (docs/demo-ids.md). */
export const USERS = {
  alice: "b0000000-0000-4000-8000-000000000001", // acme owner
  bob: "b0000000-0000-4000-8000-000000000002", // acme viewer
  grace: "b0000000-0000-4000-8000-000000000003", // globex owner
  ivan: "b0000000-0000-4000-8000-000000000004", // initech member
  olivia: "b0000000-0000-4000-8000-000000000005", // acme member, globex member
  mallory: "b0000000-0000-4000-8000-000000000006", // no membership
} as const;

/** Rows a test created in the application database, and how to remove them. */
export class Fixtures {
  readonly sql: postgres.Sql;
  #users: string[] = [];
  #tenants: string[] = [];
  #dataSources: string[] = [];
  readonly #tag = crypto.randomUUID().slice(0, 8);

  /** Opens an admin connection to the application database. */
  constructor(appUrl: string) {
    this.sql = postgres(appUrl, { max: 1, onnotice: () => {} });
  }

  /** A user in auth.users with no membership. */
  async user(): Promise<string> {
    const id = crypto.randomUUID();
    await this.sql`
      insert into auth.users (id, aud, role, email)
      values (${id}, 'authenticated', 'authenticated', ${`tr-test-${id}@example.test`})`;
    this.#users.push(id);
    return id;
  }

  /** A tenant owned by a fresh user, on `dataSourceId` (null: the default data source). */
  async tenant(
    options: { dataSourceId?: string | null } = {},
  ): Promise<{ id: string; slug: string; owner: string }> {
    const owner = await this.user();
    const slug = `tr-test-${this.#tag}-${this.#tenants.length}`;
    const [row] = await this.sql<{ id: string }[]>`
      insert into public.tenants (slug, name, data_source_id)
      values (${slug}, ${`Test ${slug}`}, ${options.dataSourceId ?? null})
      returning id`;
    this.#tenants.push(row!.id);
    await this.member(row!.id, owner, "owner");
    return { id: row!.id, slug, owner };
  }

  /** Adds a membership. */
  async member(tenantId: string, userId: string, role: string): Promise<void> {
    await this
      .sql`insert into public.tenant_members (tenant_id, user_id, role) values (${tenantId}, ${userId}, ${role})`;
  }

  /**
   * A data source row holding credentials sealed for another data source (`fromName`'s id): what copying
   * that row's ciphertext over would store. (The very same bytes cannot be stored twice: a unique index
   * on key id and nonce refuses them, so the copy is a fresh sealing bound to the other row.)
   */
  async copiedDataSource(keyring: Keyring, options: { fromName: string; url: string }): Promise<string> {
    const from = await this.dataSourceId(options.fromName);
    const sealed = await sealCredentials(keyring, { dataSourceId: from, credentials: { url: options.url } });
    const [row] = await this.sql<{ id: string }[]>`
      insert into private.data_sources (name, kind, secret_ciphertext, secret_nonce, secret_key_id, pool_max)
      values (${`tr_test_copy_${this.#tag}_${this.#dataSources.length}`}, 'postgres', ${sealed.ciphertext},
              ${sealed.nonce}, ${sealed.keyId}, 3)
      returning id`;
    this.#dataSources.push(row!.id);
    return row!.id;
  }

  /** The id of a data source by name. */
  async dataSourceId(name: string): Promise<string> {
    const [row] = await this.sql<{ id: string }[]>`select id from private.data_sources where name = ${name}`;
    return row!.id;
  }

  /** Removes every row this object created (memberships go with their tenants) and closes the connection. */
  async cleanup(): Promise<void> {
    try {
      if (this.#tenants.length > 0) {
        await this.sql`delete from public.tenants where id = any(${this.#tenants})`;
      }
      if (this.#dataSources.length > 0) {
        await this.sql`delete from private.data_sources where id = any(${this.#dataSources})`;
      }
      if (this.#users.length > 0) await this.sql`delete from auth.users where id = any(${this.#users})`;
    } finally {
      await this.sql.end();
    }
  }
}

/** A TCP proxy in front of a database: `cut()` drops open connections, `stop()` also refuses new ones. */
export class TcpProxy {
  #target: { hostname: string; port: number };
  #listener: Deno.Listener | null = null;
  #connections = new Set<Deno.Conn>();
  #port = 0;

  /** A proxy for the host and port of `url`; call `start()`. */
  constructor(url: string) {
    const parsed = new URL(url);
    this.#target = { hostname: parsed.hostname, port: Number(parsed.port || 5432) };
  }

  /** `url` with its host and port replaced by the proxy's. */
  url(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = "127.0.0.1";
    parsed.port = String(this.#port);
    return parsed.toString();
  }

  /** Accepts connections (again, on the same port). */
  start(): void {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: this.#port });
    this.#port = (this.#listener.addr as Deno.NetAddr).port;
    void this.#accept(this.#listener);
  }

  /** Closes every open connection; new ones are still accepted. */
  cut(): void {
    for (const connection of this.#connections) {
      try {
        connection.close();
      } catch {
        // already closed
      }
    }
    this.#connections.clear();
  }

  /** Refuses new connections and closes the open ones. */
  stop(): void {
    this.#listener?.close();
    this.#listener = null;
    this.cut();
  }

  async #accept(listener: Deno.Listener): Promise<void> {
    try {
      for await (const client of listener) {
        this.#connections.add(client);
        Deno.connect(this.#target).then((server) => {
          this.#connections.add(server);
          client.readable.pipeTo(server.writable).catch(() => {});
          server.readable.pipeTo(client.writable).catch(() => {});
        }, () => client.close());
      }
    } catch {
      // the listener was closed
    }
  }
}

/** Polls `check` every 20 ms until it returns true or `timeoutMs` passes; returns the time it took. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await check()) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`Condition not met within ${timeoutMs} ms`);
}
