/**
 * The `tenant-admin` API and the operations it shares with the operator CLI (`scripts/tenants/`):
 * tenants, memberships, data sources (credentials sealed, responses masked), provisioning, keys and
 * tenant moves (the engine is `../moves/`).
 *
 * - {@linkcode createAdminHandler} / {@linkcode createAdminHandlerFromEnv}: the Hono fetch handler.
 * - {@linkcode AdminError}: the one error type, rendering `{ code, message, details, hint }`
 *   (codes in {@linkcode ADMIN_ERROR_CODES}).
 * - Operations (`operations/*.ts`): one per use case, taking a connection or transaction; writes run in
 *   {@linkcode withClaims} so the audit log records the actor.
 *
 * Authorisation: the service-role key (a JWT with `role: service_role`) or a platform admin (a user
 * token whose `app_metadata.platform_admin` is `true`, which only the service role can set in
 * Supabase Auth) may do everything; a tenant's owners and admins may manage its members (admins not
 * owners'); any member may leave.
 *
 * @module
 */
export {
  AdminError,
  type AdminErrorBody,
  type AdminErrorOptions,
  asAdminError,
  type ValidationIssue,
} from "./admin_error.ts";
export { type AdminHandlerOptions, createAdminHandler, MAX_BODY_BYTES } from "./app.ts";
export { authenticateCaller, type Caller, isPlatformCaller } from "./caller.ts";
export { mapDatabaseError } from "./database_error.ts";
export { ADMIN_ERROR_CODES, type AdminErrorCode } from "./error_codes.ts";
export {
  type AdminHandlerFromEnvOptions,
  createAdminHandlerFromEnv,
  DB_URL_VARIABLE,
} from "./handler_from_env.ts";
export { redactSecrets } from "./redact.ts";
export * as schemas from "./schemas.ts";
export { validate } from "./validate.ts";
export { type ActorClaims, withClaims } from "./with_claims.ts";
export { addDataSource } from "./operations/add_data_source.ts";
export { addMember } from "./operations/add_member.ts";
export { assignDataSource } from "./operations/assign_data_source.ts";
export { type CheckResult, checkTenants, type TenantCheck } from "./operations/check_tenants.ts";
export { createTenant } from "./operations/create_tenant.ts";
export { deleteDataSource } from "./operations/delete_data_source.ts";
export { type DataSourceRow, findDataSource } from "./operations/find_data_source.ts";
export { findTenant, type TenantView } from "./operations/find_tenant.ts";
export { type DataSourceView, getDataSource, listDataSources } from "./operations/list_data_sources.ts";
export { type KeyView, listKeys } from "./operations/list_keys.ts";
export { listMembers, type MemberView } from "./operations/list_members.ts";
export { listTenants } from "./operations/list_tenants.ts";
export { openDataSource } from "./operations/open_data_source.ts";
export {
  ensureSupabaseImage,
  provisionDataSource,
  type ProvisionResult,
} from "./operations/provision_data_source.ts";
export { removeMember } from "./operations/remove_member.ts";
export { replaceCredentials } from "./operations/replace_credentials.ts";
export { rotateKeys, type RotateKeysResult } from "./operations/rotate_keys.ts";
export {
  type DataSourceTestResult,
  type ProbeFunction,
  testDataSource,
} from "./operations/test_data_source.ts";
export { continueMove, type ContinueMoveOptions, type MoveStep } from "./operations/continue_move.ts";
export { findMove } from "./operations/find_move.ts";
export { startMove, type StartMoveOptions, type StartMoveResult } from "./operations/start_move.ts";
export { updateDataSource } from "./operations/update_data_source.ts";
export { updateMember } from "./operations/update_member.ts";
export { updateTenant } from "./operations/update_tenant.ts";
