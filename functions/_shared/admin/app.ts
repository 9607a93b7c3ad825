/**
 * The `tenant-admin` function's fetch handler: Hono with basePath `/<functionName>`.
 *
 * @module
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type postgres from "postgres";
import type { JwtVerifier } from "../auth/mod.ts";
import type { Keyring } from "../crypto/mod.ts";
import { loadMigrations, type Migration, TENANT_MIGRATIONS_DIR } from "../provision/mod.ts";
import { isConnectionFailure } from "../data_sources/mod.ts";
import { MoveSweeper } from "../moves/mod.ts";
import { AdminError, asAdminError, type ProbeFunction, redactSecrets } from "../control_plane/mod.ts";
import { authenticate } from "./_middleware.ts";
import type { AdminDeps, AdminEnv } from "./routes/_env.ts";
import { dataSourceRoutes } from "./routes/_data_sources.ts";
import { keyRoutes } from "./routes/_keys.ts";
import { memberRoutes } from "./routes/_members.ts";
import { moveRoutes } from "./routes/_moves.ts";
import { tenantRoutes } from "./routes/_tenants.ts";

/** The largest request body accepted, in bytes (credentials documents are small). */
export const MAX_BODY_BYTES = 64 * 1024;

/** Options of {@linkcode createAdminHandler}. */
export interface AdminHandlerOptions {
  /** The function's name, which prefixes every path it is reached by. */
  functionName: string;
  /** The application database (a service-level connection pool; opened lazily by postgres.js). */
  sql: postgres.Sql;
  /** The configured encryption keys. */
  keyring: Keyring;
  /** Verifies bearer tokens. */
  verifier: JwtVerifier;
  /** Probes data sources; default `probeDataSource`. */
  probe?: ProbeFunction | undefined;
  /** The tenant-db migrations folder; default the repository's `tenant-db/supabase/migrations`. */
  migrationsDir?: string | undefined;
  /** Where unexpected errors are logged (name, SQLSTATE and stack frames only); default `console.error`. */
  log?: ((line: string) => void) | undefined;
  /**
   * Keeps a task running after the answer (a tenant move started without `wait`); default
   * `EdgeRuntime.waitUntil` when the runtime has it, else the task just runs on (a long-lived server).
   * A failure is logged by name only.
   */
  background?: ((task: Promise<unknown>) => void) | undefined;
  /**
   * Takes over tenant moves whose process died (their lease ran out): looks now, on requests (at most
   * every 5 s) and every 15 s, and resumes them in the background. Default off (tests build handlers
   * that must not start moves); the function's entry point turns it on.
   */
  takeOverMoves?: boolean | undefined;
}

/** The actor recorded in the audit log for a move resumed by a takeover. */
export const TAKEOVER_CLAIMS = { role: "service_role", iss: "tenant-router-move-takeover" } as const;

/**
 * Builds the `tenant-admin` function's fetch handler.
 *
 * | method | path | who |
 * | --- | --- | --- |
 * | GET | `/health` | anyone |
 * | POST, GET | `/tenants` | platform |
 * | GET, PATCH | `/tenants/:id-or-slug` | platform |
 * | POST | `/tenants/:id-or-slug/suspend` | platform |
 * | PUT | `/tenants/:id-or-slug/data-source` | platform |
 * | GET, POST | `/tenants/:id-or-slug/members` | platform, the tenant's owners and admins |
 * | PATCH, DELETE | `/tenants/:id-or-slug/members/:user_id` | platform, owners and admins (anyone: DELETE self) |
 * | POST, GET | `/data-sources` | platform |
 * | GET, PATCH, DELETE | `/data-sources/:name-or-id` | platform |
 * | PUT | `/data-sources/:name-or-id/credentials` | platform |
 * | POST | `/data-sources/:name-or-id/test`, `/provision[?dry_run=true]` | platform |
 * | GET | `/keys` | platform |
 * | POST | `/keys/rotate` | platform |
 * | POST | `/tenants/:id-or-slug/moves` (`{ data_source, dry_run?, wait? }`: 202, or 200 when waited) | platform |
 * | GET | `/moves/:id` | platform |
 * | POST | `/moves/:id/resume`, `/rollback`, `/finalize` (`{ wait? }`) | platform |
 *
 * "Platform" is the service-role key or a user token with `app_metadata.platform_admin: true`.
 * Every error is `{ code, message, details, hint }` (see `error_codes.ts`); anything unforeseen is an
 * opaque 500 whose log line has no message, SQL or secret.
 *
 * @example
 * ```ts
 * Deno.serve(createAdminHandler({ functionName: "tenant-admin", sql, keyring, verifier }));
 * ```
 */
export function createAdminHandler(options: AdminHandlerOptions): (request: Request) => Promise<Response> {
  const log = options.log ?? console.error;
  const deps: AdminDeps = {
    sql: options.sql,
    keyring: options.keyring,
    probe: options.probe,
    migrations: migrationLoader(options.migrationsDir ?? TENANT_MIGRATIONS_DIR),
    background: options.background ?? runInBackground(options.functionName, log),
  };
  const app = new Hono<AdminEnv>().basePath(`/${options.functionName}`);
  const sweeper = options.takeOverMoves
    ? new MoveSweeper(options.sql, {
      keyring: options.keyring,
      claims: TAKEOVER_CLAIMS,
      background: deps.background,
    })
    : undefined;
  sweeper?.start();

  app.use("*", async function noStore(c, next) {
    await next();
    c.header("cache-control", "no-store");
  });
  app.get("/health", (c) => c.json({ status: "ok", function: options.functionName }));
  app.use("*", async function takeOverMoves(_c, next) {
    sweeper?.poke();
    await next();
  });
  app.use("*", authenticate(options.verifier));
  app.use(
    "*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new AdminError("TR602", `Request body too large: at most ${MAX_BODY_BYTES} bytes`);
      },
    }),
  );
  app.route("/", tenantRoutes(deps));
  app.route("/", memberRoutes(deps));
  app.route("/", dataSourceRoutes(deps));
  app.route("/", keyRoutes(deps));
  app.route("/", moveRoutes(deps));

  app.notFound(() => new AdminError("TR620").toResponse());
  app.onError(function renderError(error, c) {
    const known = asAdminError(error) ?? fromHttpException(error);
    if (known !== undefined) return known.toResponse();
    // The application database's connection failed (refused, reset, shut down): not the request's fault.
    if (isConnectionFailure(error)) {
      return new AdminError("TR661", undefined, { headers: { "retry-after": "5" } }).toResponse();
    }
    const incident = crypto.randomUUID().slice(0, 8);
    log(
      `${options.functionName}: incident ${incident}: ${
        describeUnexpected(error)
      } in ${c.req.method} ${c.req.routePath}`,
    );
    return new AdminError("TR699", undefined, { hint: `Quote incident ${incident} to the operator` })
      .toResponse();
  });

  return async function handleAdminRequest(request: Request): Promise<Response> {
    return await app.fetch(request);
  };
}

function fromHttpException(error: unknown): AdminError | undefined {
  if (!(error instanceof HTTPException)) return undefined;
  if (error.status === 400) return new AdminError("TR601", undefined, { hint: "Send a JSON object" });
  if (error.status === 413) return new AdminError("TR602");
  return undefined;
}

/** Name, SQLSTATE and the first stack frames: never the message, which might quote a secret or SQL. */
function describeUnexpected(error: unknown): string {
  if (!(error instanceof Error)) return `unhandled ${typeof error}`;
  const code = (error as { code?: unknown }).code;
  const frames = (error.stack ?? "").split("\n").slice(1, 4).map((line) => line.trim()).join(" | ");
  return redactSecrets(`unhandled ${error.name}${typeof code === "string" ? ` (${code})` : ""} ${frames}`);
}

/** Where background tasks go: the edge runtime keeps them alive; failures are logged by name only. */
function runInBackground(
  functionName: string,
  log: (line: string) => void,
): (task: Promise<unknown>) => void {
  return function keepRunning(task: Promise<unknown>): void {
    const guarded = task.catch((error) =>
      log(`${functionName}: background task failed: ${describeUnexpected(error)}`)
    );
    const runtime =
      (globalThis as { EdgeRuntime?: { waitUntil(promise: Promise<unknown>): void } }).EdgeRuntime;
    runtime?.waitUntil(guarded);
  };
}

function migrationLoader(dir: string): () => Promise<Migration[] | undefined> {
  let loaded: Promise<Migration[] | undefined> | undefined;
  return function loadTenantMigrations() {
    loaded ??= loadMigrations(dir).catch((error) => {
      if (error instanceof Deno.errors.NotFound) return undefined;
      loaded = undefined;
      throw error;
    });
    return loaded;
  };
}
