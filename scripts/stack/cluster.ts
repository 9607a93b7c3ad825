/**
 * The local PostgreSQL cluster: initdb on first start, pg_ctl start/stop. When started by root the
 * server runs as the `postgres` OS user, since PostgreSQL refuses to run as root; when that user cannot
 * enter the checkout, the data lives in its home folder instead (see `Cluster.dataDirectory`).
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import type { Prerequisites } from "./prerequisites.ts";
import { PROJECT_ROOT, type StackProfile } from "./profile.ts";
import { exists, isRoot, mustRun, runCommand } from "./process.ts";

/** Options of {@linkcode Cluster}. */
export interface ClusterOptions {
  profile: StackProfile;
  prerequisites: Prerequisites;
}

/** One PostgreSQL cluster under the profile's data folder. */
export class Cluster {
  #profile: StackProfile;
  #pgBin: string;

  constructor(options: ClusterOptions) {
    this.#profile = options.profile;
    this.#pgBin = options.prerequisites.pgBin;
  }

  /** True once initdb has run. */
  async isInitialised(): Promise<boolean> {
    return await exists(join(this.#profile.pgDataDir, "PG_VERSION"));
  }

  /** Creates the cluster: password auth for every connection, user postgres/postgres, TCP only. */
  async init(): Promise<void> {
    const { pgDataDir } = await this.#serverPaths();
    if (pgDataDir !== this.#profile.pgDataDir) {
      // Left over from an earlier stack whose folder was deleted: start afresh.
      await Deno.remove(pgDataDir, { recursive: true }).catch(() => {});
      await Deno.mkdir(pgDataDir, { mode: 0o700 });
      await mustRun("chown", ["postgres", pgDataDir]);
    }
    // Beside the data folder, where the server's OS user can read it.
    const passwordFile = join(dirname(pgDataDir), ".pgpass-init");
    await Deno.writeTextFile(passwordFile, "postgres\n", { mode: 0o600 });
    if (isRoot()) await mustRun("chown", ["postgres", passwordFile]);
    try {
      await mustRun(this.bin("initdb"), [
        "-D",
        pgDataDir,
        "-U",
        "postgres",
        "--auth=scram-sha-256",
        `--pwfile=${passwordFile}`,
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
      ], { asPostgres: true });
    } finally {
      await Deno.remove(passwordFile);
    }
    const settings = [
      "",
      "# Tenant Router local stack",
      "listen_addresses = '127.0.0.1'",
      `port = ${this.#profile.pgPort}`,
      "unix_socket_directories = ''",
      "max_connections = 300",
      "shared_buffers = '256MB'",
      // Local data is disposable; the test stack trades durability for speed.
      ...(this.#profile.name === "test"
        ? ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
        : []),
    ];
    await Deno.writeTextFile(join(pgDataDir, "postgresql.conf"), settings.join("\n") + "\n", {
      append: true,
    });
  }

  /** The folder the server keeps its data in (see {@linkcode Cluster} for where that is). */
  async dataDirectory(): Promise<string> {
    return (await this.#serverPaths()).pgDataDir;
  }

  /**
   * Where the server keeps its data and log. Under the profile's folder when the postgres OS user can reach
   * it; otherwise (a checkout in root's home folder or in a `mktemp -d` folder, both `drwx------`) in a
   * folder of the postgres user's home, `~postgres/tenant-router/<folder>-<hash of its path>`, linked from
   * the profile's folder (`.local/pg`, `.local/logs/postgres.log`).
   */
  async #serverPaths(): Promise<{ pgDataDir: string; logFile: string }> {
    const { pgDataDir, logDir, dataDir } = this.#profile;
    await Deno.mkdir(logDir, { recursive: true });
    await Deno.chmod(dataDir, 0o755);
    const logLink = join(logDir, "postgres.log");
    if (!isRoot()) return { pgDataDir, logFile: logLink };
    if ((await runCommand("test", ["-x", dataDir], { asPostgres: true })).code === 0) {
      await Deno.mkdir(pgDataDir, { recursive: true, mode: 0o700 });
      await mustRun("chown", ["postgres", pgDataDir, logDir]);
      return { pgDataDir, logFile: logLink };
    }
    const home = await this.#outsideHome();
    const links: [string, string][] = [[pgDataDir, join(home, "pg")], [logLink, join(home, "postgres.log")]];
    for (const [link, target] of links) {
      const current = await Deno.readLink(link).catch(() => undefined);
      if (current === target) continue;
      await Deno.remove(link, { recursive: true }).catch(() => {});
      await Deno.symlink(target, link);
    }
    return { pgDataDir: join(home, "pg"), logFile: join(home, "postgres.log") };
  }

  async #outsideHome(): Promise<string> {
    const { dataDir } = this.#profile;
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(dataDir));
    const id = Array.from(new Uint8Array(digest).slice(0, 6), (b) => b.toString(16).padStart(2, "0")).join(
      "",
    );
    const name = `${basename(PROJECT_ROOT)}-${this.#profile.name}-${id}`.replace(/[^\w.-]/g, "_");
    const home = join(await postgresHome(), "tenant-router", name);
    if (!(await exists(join(home, "pg")))) {
      await Deno.mkdir(join(home, "pg"), { recursive: true, mode: 0o700 });
      // Says whose data this is, for whoever finds the folder after the checkout is gone.
      await Deno.writeTextFile(join(home, "CHECKOUT"), `${dataDir}\n`);
      await mustRun("chown", ["postgres", dirname(home)]);
      await mustRun("chown", ["-R", "postgres", home]);
    }
    return home;
  }

  /** True when the server is running. */
  async isRunning(): Promise<boolean> {
    if (!(await this.isInitialised())) return false;
    const { pgDataDir } = await this.#serverPaths();
    const { code } = await runCommand(this.bin("pg_ctl"), ["-D", pgDataDir, "status"], {
      asPostgres: true,
    });
    return code === 0;
  }

  /** Starts the server and waits until it accepts connections. */
  async start(): Promise<void> {
    if (await this.isRunning()) return;
    const { pgDataDir, logFile } = await this.#serverPaths();
    // The port on the command line wins over the one initdb wrote: TENANT_ROUTER_PORT_OFFSET may have changed.
    const port = ["-o", `-p ${this.#profile.pgPort}`];
    await mustRun(this.bin("pg_ctl"), ["-D", pgDataDir, "-l", logFile, ...port, "-w", "-t", "60", "start"], {
      asPostgres: true,
    });
  }

  /** Stops the server (fast shutdown); data stays. */
  async stop(): Promise<void> {
    if (!(await this.isRunning())) return;
    const { pgDataDir } = await this.#serverPaths();
    await mustRun(this.bin("pg_ctl"), ["-D", pgDataDir, "-m", "fast", "-w", "stop"], {
      asPostgres: true,
    });
  }

  /**
   * A folder beside the server's data folder that the postgres OS user owns: for a program that runs as
   * that user next to the server (PgBouncer).
   */
  async sideDir(name: string): Promise<string> {
    const { pgDataDir } = await this.#serverPaths();
    const dir = join(dirname(pgDataDir), name);
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    if (isRoot()) await mustRun("chown", ["postgres", dir]);
    return dir;
  }

  /** Path of one of the server's programs (psql, pg_dump, …). */
  bin(name: string): string {
    return join(this.#pgBin, name);
  }
}

/** The postgres OS user's home folder (`/var/lib/postgresql` on Debian). */
async function postgresHome(): Promise<string> {
  const { code, stdout } = await runCommand("getent", ["passwd", "postgres"]);
  const home = stdout.trim().split(":")[5];
  if (code !== 0 || !home) {
    throw new Error("There is no postgres OS user: install PostgreSQL with `apt-get install postgresql`");
  }
  return home;
}
