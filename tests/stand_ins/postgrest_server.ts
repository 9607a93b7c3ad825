/**
 * Serves one tenant database as a PostgREST-compatible Data API (`/rest/v1/…`) with its own JWT secret:
 * a stand-in for a tenant's Supabase project, so a `supabase` data source can be tried locally without
 * PostgREST or Docker. Register it with `url = http://127.0.0.1:<port>`, the anon and service-role keys
 * printed at start (JWTs signed with its secret) and `jwt_secret` = that secret.
 *
 * Usage:
 *
 * ```sh
 * PGRST_DB_URI=postgresql://postgres:…@127.0.0.1:54322/tenant_acme \
 *   deno run -A tests/stand_ins/postgrest_server.ts --port 54330 --jwt-secret-file .local/remote.secret
 * ```
 *
 * Secrets never go on the command line (where `ps` shows them): the database URL comes from
 * `PGRST_DB_URI` (PostgREST's own variable) or `--db-url-file`; the JWT secret from `PGRST_JWT_SECRET`
 * or `--jwt-secret-file`. `--db-url` is accepted for a URL without a password only.
 *
 * @module
 */
import { parseArgs } from "node:util";
import postgres from "postgres";
import { SignJWT } from "jose";
import { JwtVerifier } from "../../functions/_shared/auth/mod.ts";
import { createPostgrestHandler } from "./postgrest_handler.ts";

/** What {@linkcode postgrestServerConfig} reads. */
export interface PostgrestServerConfig {
  hostname: string;
  /** 0 picks a free port. */
  port: number;
  dbUrl: string;
  jwtSecret: string;
}

/** Options of {@linkcode postgrestServerConfig}. */
export interface PostgrestServerConfigOptions {
  /** The environment; default `Deno.env`. */
  env?: { get(name: string): string | undefined };
  /** Reads a secret file; default `Deno.readTextFile`. */
  readTextFile?: (path: string) => Promise<string>;
}

/**
 * Reads the server's configuration from its arguments, environment and secret files.
 *
 * @throws {TypeError} with what to set when the database URL or the JWT secret is missing, when
 * `--db-url` carries a password, or when the port is not a number from 0 to 65535. Messages never quote
 * a URL or a secret.
 *
 * @example
 * ```ts
 * const config = await postgrestServerConfig(["--port", "0", "--jwt-secret-file", "secret.txt"]);
 * ```
 */
export async function postgrestServerConfig(
  args: string[],
  options: PostgrestServerConfigOptions = {},
): Promise<PostgrestServerConfig> {
  const env = options.env ?? Deno.env;
  const readTextFile = options.readTextFile ?? Deno.readTextFile;
  const { values } = parseArgs({
    args,
    options: {
      port: { type: "string", default: "54330" },
      hostname: { type: "string", default: "127.0.0.1" },
      "db-url": { type: "string" },
      "db-url-file": { type: "string" },
      "jwt-secret-file": { type: "string" },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!/^\d{1,5}$/.test(values.port) || port > 65_535) {
    throw new TypeError("Invalid --port: expected a number from 0 to 65535");
  }
  if (values["db-url"] !== undefined && hasPassword(values["db-url"])) {
    throw new TypeError(
      "Refusing --db-url with a password: put the URL in PGRST_DB_URI or a file named by --db-url-file",
    );
  }
  const dbUrl =
    (values["db-url-file"] !== undefined
      ? await readTextFile(values["db-url-file"])
      : values["db-url"] ?? env.get("PGRST_DB_URI") ?? "").trim();
  if (dbUrl === "") throw new TypeError("Missing database URL: set PGRST_DB_URI or pass --db-url-file");
  const jwtSecret =
    (values["jwt-secret-file"] !== undefined
      ? await readTextFile(values["jwt-secret-file"])
      : env.get("PGRST_JWT_SECRET") ?? "").trim();
  if (jwtSecret === "") {
    throw new TypeError("Missing JWT secret: set PGRST_JWT_SECRET or pass --jwt-secret-file");
  }
  return { hostname: values.hostname, port, dbUrl, jwtSecret };
}

function hasPassword(url: string): boolean {
  try {
    return new URL(url).password !== "";
  } catch {
    return false;
  }
}

/** The project's JWT-shaped API keys for a secret, as Supabase mints them (10 years). */
async function projectKeys(secret: string): Promise<{ anon: string; service_role: string }> {
  const key = new TextEncoder().encode(secret);
  const sign = (role: string) =>
    new SignJWT({ iss: "supabase-demo", role }).setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuedAt().setExpirationTime("10y").sign(key);
  return { anon: await sign("anon"), service_role: await sign("service_role") };
}

if (import.meta.main) {
  let config: PostgrestServerConfig;
  try {
    config = await postgrestServerConfig(Deno.args);
  } catch (error) {
    console.error(error instanceof Error ? error.message : "Invalid configuration");
    Deno.exit(2);
  }
  const jwtVerifier = await JwtVerifier.create({ secret: config.jwtSecret });
  const sql = postgres(config.dbUrl, { max: 10, idle_timeout: 30, onnotice: () => {} });
  const keys = await projectKeys(config.jwtSecret);
  const server = Deno.serve({
    hostname: config.hostname,
    port: config.port,
    onListen: ({ hostname, port }) => {
      console.log(`Serving a PostgREST-compatible /rest/v1 on http://${hostname}:${port}`);
      console.log(`anon key          ${keys.anon}`);
      console.log(`service_role key  ${keys.service_role}`);
    },
  }, createPostgrestHandler({ sql, jwtVerifier }));
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    Deno.addSignalListener(signal, async () => {
      await server.shutdown();
      await sql.end({ timeout: 5 });
      Deno.exit(0);
    });
  }
}
