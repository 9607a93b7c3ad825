/**
 * Where a local stack lives: its data folder and ports. `dev` is what `npm start` runs; `test` is the
 * isolated stack of `npm test`, with its own ports and folder so a running dev stack is untouched;
 * `bench` is the same for `npm run bench`.
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

/** The local stacks: `npm start`'s, `npm test`'s and `npm run bench`'s. */
export type StackProfileName = "dev" | "test" | "bench";

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
}

const PORTS: Record<StackProfileName, { pg: number; functions: number }> = {
  dev: { pg: 54322, functions: 54321 },
  test: { pg: 55322, functions: 55321 },
  bench: { pg: 56322, functions: 56321 },
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
  };
}

/** A postgres superuser URL for one database of the stack (password auth, local only). */
export function databaseUrl(profile: StackProfile, database: string): string {
  return `postgresql://postgres:postgres@127.0.0.1:${profile.pgPort}/${database}`;
}

/** The base URL of the stack's API (functions live under `/functions/v1`). */
export function apiUrl(profile: StackProfile): string {
  return `http://127.0.0.1:${profile.functionsPort}`;
}
