/**
 * A gateway of its own for tests that break things: a scratch application database (migrations and the
 * demo seed, on the test cluster) and a second functions server pointed at it, with its own keys and
 * limits. Faults, retired keys and replaced credentials stay there; the test stack's functions server and
 * application database, which every other test uses, never see them.
 *
 * @module
 */
import { join } from "node:path";
import postgres from "postgres";
import { type KeyMaterial, Keyring } from "../functions/_shared/crypto/mod.ts";
import { registerDataSource, registerKeys } from "../functions/_shared/data_sources/mod.ts";
import { createScratchDatabase } from "../functions/_shared/admin/testdata/helpers.ts";
import { answersOk, spawnFunctionsServer } from "../scripts/stack/functions_process.ts";
import { PROJECT_ROOT, stackProfile } from "../scripts/stack/profile.ts";
import type { TestStack } from "./_env.ts";

/** A data source to register in the scratch application database. */
export interface ScratchDataSource {
  name: string;
  url: string;
  /** A session URL besides `url` (which is then a transaction-mode pooler's). */
  directUrl?: string;
  isDefault?: boolean;
  poolMax?: number;
  /** Slugs of the demo tenants routed to it. */
  tenants?: string[];
}

/** Options of {@linkcode startScratchGateway}. */
export interface ScratchGatewayOptions {
  /** Keys the data sources are sealed with; the first is active. */
  sealingKeys: KeyMaterial[];
  /** Keys the functions server gets (`TENANT_ENCRYPTION_KEYS`), the first active; default `sealingKeys`. */
  serverKeys?: KeyMaterial[];
  dataSources: ScratchDataSource[];
  /** The application database URL the functions server gets, given the scratch one (a proxy's, say). */
  serverDatabaseUrl?: (url: string) => string;
  /** More environment for the functions server (limits). */
  env?: Record<string, string>;
  /** Names the functions server's log in the test stack's log folder (scanned for secrets). */
  name: string;
}

/** A running scratch gateway; {@linkcode ScratchGateway.stop} removes everything. */
export interface ScratchGateway {
  /** `…/functions/v1`. */
  functionsUrl: string;
  /** The scratch application database, as a service connection. */
  sql: postgres.Sql;
  /** The functions server's log (scanned by `zz_secrets_scan_test.ts` too). */
  logFile: string;
  /** Kills the functions server at once (`kill -9`: nothing it holds is released politely). */
  kill(): Promise<void>;
  /** Starts the functions server again, on the same port and database, and waits until it answers. */
  restart(): Promise<void>;
  /** Starts one more functions server on the same database (stopped by `stop()`); its `…/functions/v1`. */
  addServer(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** Creates the scratch application database, registers the data sources and starts the server. */
export async function startScratchGateway(
  stack: TestStack,
  options: ScratchGatewayOptions,
): Promise<ScratchGateway> {
  const scratch = await createScratchDatabase(stack.appDbUrl, { applicationSchema: true });
  const sql = postgres(scratch.url, { max: 2, onnotice: () => {} });
  let server: Deno.ChildProcess | undefined;
  const extra: Deno.ChildProcess[] = [];
  const end = async (child: Deno.ChildProcess | undefined, signal: Deno.Signal) => {
    if (child === undefined) return;
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
    await child.status;
  };
  const stop = async () => {
    await end(server, "SIGTERM");
    for (const child of extra) await end(child, "SIGTERM");
    await sql.end();
    await scratch.drop();
  };
  try {
    await sql.unsafe(await Deno.readTextFile(join(PROJECT_ROOT, "supabase", "seed.sql"))).simple();
    const sealing = await Keyring.fromKeys(options.sealingKeys);
    await registerKeys(sql, sealing);
    for (const source of options.dataSources) {
      const { id } = await registerDataSource(sql, sealing, {
        name: source.name,
        kind: "postgres",
        credentials: { url: source.url, direct_url: source.directUrl },
        isDefault: source.isDefault ?? false,
        poolMax: source.poolMax ?? 10,
      });
      if (source.tenants?.length) {
        await sql`update public.tenants set data_source_id = ${id} where slug = any(${source.tenants}::text[])`;
      }
    }
    const serverKeys = options.serverKeys ?? options.sealingKeys;
    const port = freePort();
    const logDir = stackProfile("test").logDir;
    await Deno.mkdir(logDir, { recursive: true });
    const spawn = async (name: string, onPort: number) => {
      const child = spawnFunctionsServer({
        port: onPort,
        logFile: join(logDir, `functions-${name}.log`),
        env: {
          SUPABASE_DB_URL: options.serverDatabaseUrl?.(scratch.url) ?? scratch.url,
          TENANT_ENCRYPTION_KEYS: serverKeys.map((key) => `${key.id}:${key.hex}`).join(","),
          TENANT_ENCRYPTION_ACTIVE_KEY: serverKeys[0]!.id,
          ...options.env,
        },
      });
      const url = `http://127.0.0.1:${onPort}/functions/v1`;
      await waitUntilHealthy(`${url}/tenant-data/health`, child);
      return { child, url };
    };
    const first = await spawn(options.name, port);
    server = first.child;
    return {
      functionsUrl: first.url,
      sql,
      logFile: join(logDir, `functions-${options.name}.log`),
      async kill() {
        await end(server, "SIGKILL");
        server = undefined;
      },
      async restart() {
        await end(server, "SIGTERM");
        server = (await spawn(`${options.name}-restarted`, port)).child;
      },
      async addServer(name: string) {
        const started = await spawn(`${options.name}-${name}`, freePort());
        extra.push(started.child);
        return started.url;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

async function waitUntilHealthy(url: string, server: Deno.ChildProcess): Promise<void> {
  let exited = false;
  server.status.then(() => exited = true);
  if (await answersOk(url, { timeoutMs: 60_000, intervalMs: 200, running: () => !exited })) return;
  throw new Error("The scratch functions server did not become healthy: see its log in .local/test/logs");
}
