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
} from "../control_plane/admin_error.ts";
export { type AdminHandlerOptions, createAdminHandler, MAX_BODY_BYTES } from "./app.ts";
export { authenticateCaller, type Caller, isPlatformCaller } from "./caller.ts";
export { mapDatabaseError } from "../control_plane/database_error.ts";
export { ADMIN_ERROR_CODES, type AdminErrorCode } from "./error_codes.ts";
export {
  type AdminHandlerFromEnvOptions,
  createAdminHandlerFromEnv,
  DB_URL_VARIABLE,
} from "./handler_from_env.ts";
export { redactSecrets } from "../control_plane/redact.ts";
export * as schemas from "../control_plane/schemas.ts";
export { validate } from "../control_plane/validate.ts";
export { type ActorClaims, withClaims } from "../control_plane/with_claims.ts";
export { addDataSource } from "../control_plane/add_data_source.ts";
export { addMember } from "../control_plane/add_member.ts";
export { assignDataSource } from "../control_plane/assign_data_source.ts";
export { type CheckResult, checkTenants, type TenantCheck } from "../control_plane/check_tenants.ts";
export { createTenant } from "../control_plane/create_tenant.ts";
export { deleteDataSource } from "../control_plane/delete_data_source.ts";
export { type DataSourceRow, findDataSource } from "../control_plane/find_data_source.ts";
export { findTenant, type TenantView } from "../control_plane/find_tenant.ts";
export { type DataSourceView, getDataSource, listDataSources } from "../control_plane/list_data_sources.ts";
export { type KeyView, listKeys } from "../control_plane/list_keys.ts";
export { listMembers, type MemberView } from "../control_plane/list_members.ts";
export { listTenants } from "../control_plane/list_tenants.ts";
export { openDataSource } from "../control_plane/open_data_source.ts";
export { provisionDataSource, type ProvisionResult } from "../control_plane/provision_data_source.ts";
export { removeMember } from "../control_plane/remove_member.ts";
export { replaceCredentials } from "../control_plane/replace_credentials.ts";
export { rotateKeys, type RotateKeysResult } from "../control_plane/rotate_keys.ts";
export {
  type DataSourceTestResult,
  type ProbeFunction,
  testDataSource,
} from "../control_plane/test_data_source.ts";
export { continueMove, type ContinueMoveOptions, type MoveStep } from "./_continue_move.ts";
export { findMove } from "./_find_move.ts";
export { startMove, type StartMoveOptions, type StartMoveResult } from "./_start_move.ts";
export { updateDataSource } from "../control_plane/update_data_source.ts";
export { updateMember } from "../control_plane/update_member.ts";
export { updateTenant } from "../control_plane/update_tenant.ts";
