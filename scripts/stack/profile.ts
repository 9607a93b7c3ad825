/**
 * Where a local stack lives: its data folder and ports. `dev` is what `npm start` runs; `test` is the
 * isolated stack of `npm test`, with its own ports and folder so a running dev stack is untouched;
 * `bench` is the same for `npm run bench`, `scale` for `npm run bench:scale`.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The project root (the folder holding package.json). */
export const PROJECT_ROOT: string = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");

/** The application database, then the tenant databases every local stack has. */
export const APP_DATABASE = "postgres";
/** Tenant databases of the local stack and the demo seed file each one gets. */
export const TENANT_DATABASES = ["tenant_shared", "tenant_acme"] as const;

/** The local stacks: `npm start`'s, `npm test`'s, `npm run bench`'s and `npm run bench:scale`'s. */
export type StackProfileName = "dev" | "test" | "bench" | "scale";

/** One local stack: folders and ports. */
export interface StackProfile {
  name: StackProfileName;
  /** Everything the stack writes: cluster, logs, generated secrets, pid files. */
  dataDir: string;
  pgDataDir: string;
  logDir: string;
  secretsFile: string;
  functionsPidFile: string;
  pgPort: number;
  functionsPort: number;
  /** PgBouncer in transaction mode, in front of the same cluster (Supabase's local pooler port is 54329). */
  poolerPort: number;
}

const PORTS: Record<StackProfileName, { pg: number; functions: number; pooler: number }> = {
  dev: { pg: 54322, functions: 54321, pooler: 54329 },
  test: { pg: 55322, functions: 55321, pooler: 55329 },
  bench: { pg: 56322, functions: 56321, pooler: 56329 },
  scale: { pg: 57322, functions: 57321, pooler: 57329 },
};

/**
 * `TENANT_ROUTER_PORT_OFFSET` shifts every port of every stack, so two checkouts can run their stacks
 * side by side (for example one `npm test` per git worktree).
 */
function portOffset(): number {
  const offset = Number(Deno.env.get("TENANT_ROUTER_PORT_OFFSET") ?? "0");
  return Number.isInteger(offset) && offset >= 0 && offset < 1000 ? offset : 0;
}

/** Returns the profile by name. */
export function stackProfile(name: StackProfileName): StackProfile {
  const dataDir = name === "dev" ? join(PROJECT_ROOT, ".local") : join(PROJECT_ROOT, ".local", name);
  return {
    name,
    dataDir,
    pgDataDir: join(dataDir, "pg"),
    logDir: join(dataDir, "logs"),
    secretsFile: join(dataDir, "secrets.env"),
    functionsPidFile: join(dataDir, "functions.pid"),
    pgPort: PORTS[name].pg + portOffset(),
    functionsPort: PORTS[name].functions + portOffset(),
    poolerPort: PORTS[name].pooler + portOffset(),
  };
}

/** A postgres superuser URL for one database of the stack (password auth, local only). */
export function databaseUrl(profile: StackProfile, database: string): string {
  return `postgresql://postgres:postgres@127.0.0.1:${profile.pgPort}/${database}`;
}

/**
 * The same database through the stack's PgBouncer (transaction mode): what the gateway's pools use for the
 * data sources registered through it. Sessions (moves, migrations, LISTEN) use {@linkcode databaseUrl}.
 */
export function poolerUrl(profile: StackProfile, database: string): string {
  return `postgresql://postgres:postgres@127.0.0.1:${profile.poolerPort}/${database}`;
}

/** The base URL of the stack's API (functions live under `/functions/v1`). */
export function apiUrl(profile: StackProfile): string {
  return `http://127.0.0.1:${profile.functionsPort}`;
}
