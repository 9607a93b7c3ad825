/**
 * Test helpers of the data-source modules: the test stack's databases from the environment (the
 * variables `npm test` sets), a port nothing listens on, and a server that accepts and never answers.
 *
 * @module
 */
import { Keyring } from "../../crypto/mod.ts";
import { requireEnv } from "../../testing/require_env.ts";
import { DataSource, type DataSourceStatus } from "../data_source.ts";

/** The databases of the stack the tests run against. */
export interface TestDatabases {
  appUrl: string;
  sharedUrl: string;
  acmeUrl: string;
  keyring: Keyring;
}

let databases: Promise<TestDatabases> | undefined;

/**
 * Reads `SUPABASE_DB_URL`, `TENANT_SHARED_DB_URL`, `TENANT_ACME_DB_URL` and the encryption keys, which
 * `npm test` sets; a test run some other way fails saying so (see `requireEnv`).
 */
export function testDatabases(): Promise<TestDatabases> {
  databases ??= (async () => {
    const urls = {
      appUrl: requireEnv("SUPABASE_DB_URL"),
      sharedUrl: requireEnv("TENANT_SHARED_DB_URL"),
      acmeUrl: requireEnv("TENANT_ACME_DB_URL"),
    };
    requireEnv("TENANT_ENCRYPTION_KEYS");
    return { ...urls, keyring: await Keyring.fromEnv(Deno.env) };
  })();
  return databases;
}

/** A local TCP port that refuses connections (bound, then released). */
export function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** A server that accepts connections and never answers: a data source that hangs. */
export function blackHole(): { port: number; close(): void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const connections = new Set<Deno.Conn>();
  (async () => {
    try {
      for await (const connection of listener) connections.add(connection);
    } catch {
      // closed
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    close() {
      listener.close();
      for (const connection of connections) connection.close();
    },
  };
}

/** `url` with its password replaced: for credentials that must be refused. */
export function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
}

/** `url` with its database replaced. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Options of {@linkcode testDataSource}. */
export interface TestDataSourceOptions {
  id?: string;
  name?: string;
  poolMax?: number;
  version?: string;
  status?: DataSourceStatus;
  /** A session URL besides `url`: marks `url` as a transaction-mode pooler. */
  directUrl?: string;
}

/** A postgres data source for `url`, with a fresh id unless one is given. */
export function testDataSource(url: string, options: TestDataSourceOptions = {}): DataSource {
  return new DataSource({
    id: options.id ?? crypto.randomUUID(),
    name: options.name ?? "test_source",
    status: options.status ?? "active",
    isDefault: false,
    poolMax: options.poolMax ?? 2,
    version: options.version ?? "k1:000000000000000000000001",
    credentials: {
      kind: "postgres",
      credentials: { url, ...(options.directUrl === undefined ? {} : { direct_url: options.directUrl }) },
    },
  });
}
