/**
 * Where a local stack lives: its data folder and ports. `dev` is what `npm start` runs; `test` is the
 * isolated stack of `npm test`, with its own ports and folder so a running dev stack is untouched.
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

/** One local stack: folders and ports. */
export interface StackProfile {
  name: "dev" | "test";
  /** Everything the stack writes: cluster, logs, generated secrets, pid files. */
  dataDir: string;
  pgDataDir: string;
  logDir: string;
  secretsFile: string;
  functionsPidFile: string;
  pgPort: number;
  functionsPort: number;
}

/** Returns the profile by name. */
export function stackProfile(name: "dev" | "test"): StackProfile {
  const dataDir = name === "dev" ? join(PROJECT_ROOT, ".local") : join(PROJECT_ROOT, ".local", "test");
  return {
    name,
    dataDir,
    pgDataDir: join(dataDir, "pg"),
    logDir: join(dataDir, "logs"),
    secretsFile: join(dataDir, "secrets.env"),
    functionsPidFile: join(dataDir, "functions.pid"),
    pgPort: name === "dev" ? 54322 : 55322,
    functionsPort: name === "dev" ? 54321 : 55321,
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
