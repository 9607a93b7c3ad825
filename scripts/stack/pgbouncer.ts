/**
 * The stack's transaction-mode pooler: PgBouncer from the OS packages in front of the stack's cluster, the
 * local stand-in for Supavisor's transaction mode (port 6543), where prepared statements, LISTEN and
 * session advisory locks do not work. Every database of the cluster is reachable through it by name
 * (`poolerUrl`); any role logs in with its own password (looked up with `auth_query`, SCRAM passed through).
 *
 * @module
 */
import { join } from "node:path";
import type { Cluster } from "./cluster.ts";
import type { Prerequisites } from "./prerequisites.ts";
import type { StackProfile } from "./profile.ts";
import { isRoot, mustRun } from "./process.ts";

/** Server connections PgBouncer keeps per database and role: above any one gateway pool of the stacks. */
export const POOLER_POOL_SIZE = 40;

/** Options of {@linkcode startPooler} and {@linkcode stopPooler}. */
export interface PoolerOptions {
  profile: StackProfile;
  prerequisites: Prerequisites;
  cluster: Cluster;
}

/** Starts PgBouncer in the background unless it runs, then waits until it accepts connections. */
export async function startPooler(options: PoolerOptions): Promise<void> {
  const { profile, prerequisites, cluster } = options;
  const dir = await cluster.sideDir("pgbouncer");
  if (await poolerPid(dir) !== undefined) return;
  const ini = join(dir, "pgbouncer.ini");
  const userlist = join(dir, "userlist.txt");
  await Deno.writeTextFile(userlist, `"postgres" "postgres"\n`, { mode: 0o600 });
  await Deno.writeTextFile(ini, poolerConfig(profile, dir), { mode: 0o600 });
  if (isRoot()) await mustRun("chown", ["postgres", ini, userlist]);
  await mustRun(prerequisites.pgbouncer, ["-d", "-q", ini], { asPostgres: true });
  const deadline = Date.now() + 10_000;
  while (!(await accepts(profile.poolerPort))) {
    if (Date.now() > deadline) {
      throw new Error(`PgBouncer did not start: see ${join(dir, "pgbouncer.log")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Stops PgBouncer (SIGINT: closes at once, like a fast shutdown) and waits for it to exit. */
export async function stopPooler(options: Pick<PoolerOptions, "cluster">): Promise<void> {
  const dir = await options.cluster.sideDir("pgbouncer");
  const pid = await poolerPid(dir);
  if (pid === undefined) return;
  Deno.kill(pid, "SIGINT");
  for (let waited = 0; waited < 10_000 && (await poolerPid(dir)) !== undefined; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** PgBouncer's settings: transaction mode, every database of the cluster, SCRAM with `auth_query`. */
export function poolerConfig(profile: StackProfile, dir: string): string {
  return [
    "[databases]",
    `* = host=127.0.0.1 port=${profile.pgPort}`,
    "",
    "[pgbouncer]",
    "listen_addr = 127.0.0.1",
    `listen_port = ${profile.poolerPort}`,
    "unix_socket_dir =",
    "pool_mode = transaction",
    `default_pool_size = ${POOLER_POOL_SIZE}`,
    "max_client_conn = 500",
    "auth_type = scram-sha-256",
    `auth_file = ${join(dir, "userlist.txt")}`,
    // Other roles (rotated credentials, say) are looked up in pg_shadow as postgres.
    "auth_user = postgres",
    "admin_users = postgres",
    // Sent by some drivers; PgBouncer refuses startup parameters it does not know.
    "ignore_startup_parameters = extra_float_digits,options",
    `logfile = ${join(dir, "pgbouncer.log")}`,
    `pidfile = ${join(dir, "pgbouncer.pid")}`,
    "",
  ].join("\n");
}

async function poolerPid(dir: string): Promise<number | undefined> {
  // Read, not checked first: an exiting PgBouncer removes its pid file at any moment.
  const text = await Deno.readTextFile(join(dir, "pgbouncer.pid")).catch((error) => {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  const pid = Number(text.trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    // `(pgbouncer) S …`: an exited process not yet reaped (state Z) is not running.
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    const running = stat.includes("(pgbouncer)") && stat[stat.lastIndexOf(")") + 2] !== "Z";
    return running ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function accepts(port: number): Promise<boolean> {
  try {
    const connection = await Deno.connect({ hostname: "127.0.0.1", port });
    connection.close();
    return true;
  } catch {
    return false;
  }
}
