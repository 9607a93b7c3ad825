/**
 * What commands that touch the application database share: the connection, the keyring and the
 * actor recorded in the audit log.
 *
 * Where they come from, first match wins:
 * - database: `--db-url`, then `SUPABASE_DB_URL`, then the local stack's application database;
 * - keys: `TENANT_ENCRYPTION_KEYS` / `TENANT_ENCRYPTION_ACTIVE_KEY` from the environment; else, only for
 *   the local stack's database, its generated `secrets.env`; else the seed's single `ENCRYPTION_KEY`.
 *
 * @module
 */
import postgres from "postgres";
import {
  KeyConfigError,
  Keyring,
  KEYS_VARIABLE,
  LEGACY_KEY_VARIABLE,
} from "../../functions/_shared/crypto/mod.ts";
import type { ActorClaims } from "../../functions/_shared/control_plane/mod.ts";
import { APP_DATABASE, databaseUrl, stackProfile } from "../stack/profile.ts";
import { exists } from "../stack/process.ts";
import { loadSecrets } from "../stack/secrets.ts";
import { UsageError } from "./usage_error.ts";

/** The connection, keys and actor of one CLI run. */
export interface CliContext {
  sql: postgres.Sql;
  /** Throws a {@linkcode UsageError} when no keys are configured (only commands that need them ask). */
  keyring(): Promise<Keyring>;
  /** Recorded as the actor of every change: the service role, marked as the operator CLI. */
  claims: ActorClaims;
  /** Whether the database is the local stack's. */
  local: boolean;
  /** The application database's connection string (a secret: never print it). */
  url: string;
}

/** Options of {@linkcode withContext}. */
export interface WithContextOptions {
  /** The `--db-url` value. */
  dbUrl?: string | undefined;
  /** The environment; default `Deno.env`. */
  env?: { get(name: string): string | undefined } | undefined;
}

/**
 * Opens the context, runs `fn`, and closes the connection whatever happens.
 *
 * @throws {UsageError} when the database URL is malformed or keys are needed but not configured.
 *
 * @example
 * ```ts
 * await withContext({ dbUrl: args["db-url"] }, async ({ sql }) => console.log(await listTenants(sql)));
 * ```
 */
export async function withContext<T>(
  options: WithContextOptions,
  fn: (context: CliContext) => Promise<T>,
): Promise<T> {
  const env = options.env ?? Deno.env;
  const profile = stackProfile("dev");
  const localUrl = databaseUrl(profile, APP_DATABASE);
  const url = options.dbUrl || env.get("SUPABASE_DB_URL") || localUrl;
  let sql: postgres.Sql;
  try {
    sql = postgres(url, {
      max: 2,
      prepare: false,
      connect_timeout: 10,
      onnotice: () => {},
      connection: { application_name: "tenant-router-cli" },
    });
  } catch {
    // postgres.js would quote the URL in its message.
    throw new UsageError("The application database URL is not a valid connection string");
  }
  let keyring: Promise<Keyring> | undefined;
  const context: CliContext = {
    sql,
    local: url === localUrl,
    url,
    keyring: () => keyring ??= loadKeyring(env, url === localUrl),
    claims: { role: "service_role", iss: "tenant-router-cli", operator: env.get("USER") ?? null },
  };
  try {
    return await fn(context);
  } finally {
    await sql.end({ timeout: 2 });
  }
}

async function loadKeyring(env: { get(name: string): string | undefined }, local: boolean): Promise<Keyring> {
  try {
    if (env.get(KEYS_VARIABLE)) return await Keyring.fromEnv(env);
    const profile = stackProfile("dev");
    if (local && await exists(profile.secretsFile)) {
      const secrets = await loadSecrets(profile);
      return await Keyring.fromEnv(new Map(Object.entries(secrets.encryption)));
    }
    // The seed's single key, as the functions would read it without TENANT_ENCRYPTION_KEYS.
    if (env.get(LEGACY_KEY_VARIABLE)) return await Keyring.fromEnv(env);
    if (local) {
      throw new UsageError(`No encryption keys: start the local stack (npm start) or set ${KEYS_VARIABLE}`);
    }
    throw new UsageError(
      `No encryption keys for this database: set ${KEYS_VARIABLE} and TENANT_ENCRYPTION_ACTIVE_KEY as its functions have them`,
    );
  } catch (error) {
    if (error instanceof KeyConfigError) throw new UsageError(error.message);
    throw error;
  }
}
