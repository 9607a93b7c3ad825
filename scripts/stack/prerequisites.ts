/**
 * Finds what the local stack needs from the operating system (PostgreSQL ≥ 15 server binaries, the
 * pgTAP extension, pg_prove, PgBouncer) and installs what is missing with apt-get when running as root.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { exists, isRoot, mustRun, runCommand } from "./process.ts";

/** Where the PostgreSQL server binaries are, and what else the stack found. */
export interface Prerequisites {
  /** Folder holding initdb, pg_ctl, postgres, psql. */
  pgBin: string;
  pgVersion: number;
  pgProve: string;
  /** The PgBouncer binary: the stack's transaction-mode pooler. */
  pgbouncer: string;
}

const MIN_PG_VERSION = 15;

/** The packages a Debian/Ubuntu machine needs for a PostgreSQL major version. */
export function requiredPackages(version: number): string[] {
  return [
    `postgresql-${version}`,
    `postgresql-${version}-pgtap`,
    "libtap-parser-sourcehandler-pgtap-perl",
    "pgbouncer",
  ];
}

/**
 * Returns the prerequisites, installing missing ones when root; otherwise throws with the one command
 * to run.
 */
export async function ensurePrerequisites(): Promise<Prerequisites> {
  let found = await findPrerequisites();
  if (found.missing.length === 0 && found.pgBin) return found as Prerequisites;
  const packages = requiredPackages(found.pgVersion ?? MIN_PG_VERSION);
  if (!isRoot()) {
    throw new Error(
      `Missing ${found.missing.join(", ")}: run \`sudo apt-get install -y ${packages.join(" ")}\``,
    );
  }
  console.error(`Installing ${found.missing.join(", ")} with apt-get…`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  await mustRun("apt-get", ["update", "-qq"], { env });
  await mustRun("apt-get", ["install", "-y", "-qq", ...packages], { env });
  found = await findPrerequisites();
  if (found.missing.length > 0) throw new Error(`Still missing after apt-get: ${found.missing.join(", ")}`);
  return found as Prerequisites;
}

interface Found extends Partial<Prerequisites> {
  missing: string[];
}

async function findPrerequisites(): Promise<Found> {
  const missing: string[] = [];
  const server = await findServer();
  if (!server) missing.push(`PostgreSQL ≥ ${MIN_PG_VERSION} server`);
  else if (!(await hasPgTap(server.pgBin))) missing.push("pgTAP");
  const pgProve = await which("pg_prove");
  if (!pgProve) missing.push("pg_prove");
  // Debian installs it in /usr/sbin, which is not on every user's PATH.
  const pgbouncer = await which("pgbouncer") ??
    (await exists("/usr/sbin/pgbouncer") ? "/usr/sbin/pgbouncer" : undefined);
  if (!pgbouncer) missing.push("PgBouncer");
  return { ...server, ...(pgProve ? { pgProve } : {}), ...(pgbouncer ? { pgbouncer } : {}), missing };
}

async function findServer(): Promise<{ pgBin: string; pgVersion: number } | undefined> {
  const candidates: { pgBin: string; pgVersion: number }[] = [];
  try {
    for await (const entry of Deno.readDir("/usr/lib/postgresql")) {
      const version = Number(entry.name);
      const pgBin = join("/usr/lib/postgresql", entry.name, "bin");
      if (version >= MIN_PG_VERSION && await exists(join(pgBin, "initdb"))) {
        candidates.push({ pgBin, pgVersion: version });
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const initdb = await which("initdb");
  if (initdb) {
    // Often a link (/usr/local/bin/initdb → /usr/lib/postgresql/15/bin/initdb): use the real folder.
    const pgBin = dirname(await Deno.realPath(initdb));
    const { stdout } = await runCommand(join(pgBin, "pg_config"), ["--version"]);
    const version = Number(/PostgreSQL (\d+)/.exec(stdout)?.[1] ?? 0);
    if (version >= MIN_PG_VERSION) candidates.push({ pgBin, pgVersion: version });
  }
  return candidates.sort((a, b) => b.pgVersion - a.pgVersion)[0];
}

async function hasPgTap(pgBin: string): Promise<boolean> {
  const sharedir = await runCommand(join(pgBin, "pg_config"), ["--sharedir"]);
  const dir = sharedir.code === 0
    ? sharedir.stdout.trim()
    : pgBin.replace(/\/lib\/postgresql\/(\d+)\/bin$/, "/share/postgresql/$1");
  return await exists(join(dir, "extension", "pgtap.control"));
}

async function which(program: string): Promise<string | undefined> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir && await exists(join(dir, program))) return join(dir, program);
  }
  return undefined;
}
