/**
 * The `tenant-admin` handler configured from the function's environment.
 *
 * @module
 */
import postgres from "postgres";
import { type EnvReader, JwtVerifier } from "../auth/mod.ts";
import { Keyring } from "../crypto/mod.ts";
import { AdminError } from "../control_plane/mod.ts";
import { createAdminHandler } from "./app.ts";

/** The variable with the application database's URL, as Supabase gives it to functions. */
export const DB_URL_VARIABLE = "SUPABASE_DB_URL";

/** Options of {@linkcode createAdminHandlerFromEnv}. */
export interface AdminHandlerFromEnvOptions {
  functionName: string;
  /** Where configuration problems and unexpected errors are logged; default `console.error`. */
  log?: ((line: string) => void) | undefined;
}

/**
 * Reads `SUPABASE_DB_URL`, the keyring (`TENANT_ENCRYPTION_KEYS`, `TENANT_ENCRYPTION_ACTIVE_KEY`) and the
 * JWT verification keys (`SUPABASE_JWT_SECRET`, `SUPABASE_JWKS`, `SUPABASE_JWKS_URL`) and builds the
 * handler. When the configuration is incomplete the reason is logged once (variable names only, never a
 * value) and every request but `/health` gets a `TR660` (503), so one misconfigured function does not
 * take a shared functions server down. A configured handler takes over tenant moves whose process died.
 *
 * @example
 * ```ts
 * Deno.serve(await createAdminHandlerFromEnv(Deno.env, { functionName: "tenant-admin" }));
 * ```
 */
export async function createAdminHandlerFromEnv(
  env: EnvReader,
  options: AdminHandlerFromEnvOptions,
): Promise<(request: Request) => Promise<Response>> {
  const log = options.log ?? console.error;
  try {
    const url = env.get(DB_URL_VARIABLE)?.trim();
    if (!url) throw new Error(`${DB_URL_VARIABLE} is not set`);
    const [keyring, verifier] = await Promise.all([Keyring.fromEnv(env), JwtVerifier.fromEnv(env)]);
    let sql: postgres.Sql;
    try {
      sql = postgres(url, {
        max: 4,
        idle_timeout: 30,
        max_lifetime: 30 * 60,
        connect_timeout: 10,
        prepare: false,
        onnotice: () => {},
        connection: { application_name: options.functionName },
      });
    } catch {
      // postgres.js parses the URL here and its message would quote it.
      throw new Error(`${DB_URL_VARIABLE} is not a valid connection string`);
    }
    return createAdminHandler({
      functionName: options.functionName,
      sql,
      keyring,
      verifier,
      log,
      takeOverMoves: true,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : "unknown configuration error";
    log(`${options.functionName}: not configured: ${reason}`);
    return function handleUnconfigured(request: Request): Promise<Response> {
      const path = new URL(request.url).pathname;
      if (path === `/${options.functionName}/health`) {
        return Promise.resolve(Response.json({ status: "unconfigured", function: options.functionName }, {
          status: 503,
        }));
      }
      return Promise.resolve(new AdminError("TR660").toResponse());
    };
  }
}
