/**
 * The `tenant-admin` HTTP API: Hono routes, middleware (JSON bodies, permissions) and the caller's
 * authentication. The use cases behind the routes live in `../control_plane/` (shared with the operator
 * CLI); the move routes drive `../moves/` through the private `_start_move.ts`, `_continue_move.ts` and
 * `_find_move.ts`.
 *
 * - {@linkcode createAdminHandler} / {@linkcode createAdminHandlerFromEnv}: the Hono fetch handler.
 * - {@linkcode authenticateCaller}: who is calling (service role, platform admin or a user).
 *
 * Authorisation: the service-role key (a JWT with `role: service_role`) or a platform admin (a user
 * token whose `app_metadata.platform_admin` is `true`, which only the service role can set in
 * Supabase Auth) may do everything; a tenant's owners and admins may manage its members (admins not
 * owners'); any member may leave.
 *
 * Layer 6 (a transport): may import every layer below; nothing imports it but the `tenant-admin` function.
 *
 * @module
 */
export { type AdminHandlerOptions, createAdminHandler, MAX_BODY_BYTES } from "./app.ts";
export { authenticateCaller, type Caller, isPlatformCaller } from "./caller.ts";
export {
  type AdminHandlerFromEnvOptions,
  createAdminHandlerFromEnv,
  DB_URL_VARIABLE,
} from "./handler_from_env.ts";
