/**
 * The control plane's use cases, shared by the admin API (`../admin/`), the operator CLI
 * (`scripts/tenants/`) and the move engine (`../moves/`): tenants, memberships, data sources (credentials
 * sealed, responses masked), provisioning and keys. One operation per file, each taking a connection or
 * transaction of the application database; writes run in {@linkcode withClaims} so the audit log records
 * the actor, and {@linkcode mapDatabaseError} turns the database's refusals into {@linkcode AdminError}s
 * (codes `TR6xx` of the one table in `../errors/`).
 *
 * Layer 5: may import `errors`, `http`, `crypto`, `postgres_js`, `auth`, `catalog`, `data_sources`,
 * `tenancy` and `provision`; never a transport (`admin`, `gateway`, the CLI) nor `moves`.
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
export { mapDatabaseError } from "./database_error.ts";
export type { AdminErrorCode } from "../errors/mod.ts";
export { redactSecrets } from "./redact.ts";
export * as schemas from "./schemas.ts";
export {
  AddMemberBody,
  AssignDataSourceBody,
  CreateTenantBody,
  DataSourceRef,
  MoveStepBody,
  ProvisionBody,
  RegisterDataSourceBody,
  type RegisterDataSourceInput,
  ReplaceCredentialsBody,
  StartMoveBody,
  UpdateDataSourceBody,
  UpdateMemberBody,
  UpdateTenantBody,
  Uuid,
} from "./schemas.ts";
export { validate, type ValidateOptions, validationError } from "./validate.ts";
export { type ActorClaims, withClaims } from "./with_claims.ts";
export { addDataSource } from "./add_data_source.ts";
export { addMember } from "./add_member.ts";
export { assignDataSource } from "./assign_data_source.ts";
export { type CheckResult, checkTenants, type TenantCheck } from "./check_tenants.ts";
export { createTenant } from "./create_tenant.ts";
export { deleteDataSource } from "./delete_data_source.ts";
export { type DataSourceRow, findDataSource } from "./find_data_source.ts";
export { findTenant, type TenantView } from "./find_tenant.ts";
export { type DataSourceView, getDataSource, listDataSources } from "./list_data_sources.ts";
export { type KeyView, listKeys } from "./list_keys.ts";
export { listMembers, type MemberView } from "./list_members.ts";
export {
  DEFAULT_TENANT_PAGE_SIZE,
  listTenantPage,
  type ListTenantPageOptions,
  listTenants,
  MAX_TENANT_PAGE_SIZE,
  type TenantPage,
} from "./list_tenants.ts";
export { type MemberAccess, memberAccess, type MemberActor } from "./member_access.ts";
export { type ActorRole, checkMemberChange, type MemberChange, type MemberRole } from "./member_policy.ts";
export { openDataSource } from "./open_data_source.ts";
export { ensureSupabaseImage, provisionDataSource, type ProvisionResult } from "./provision_data_source.ts";
export { removeMember } from "./remove_member.ts";
export { replaceCredentials } from "./replace_credentials.ts";
export { rotateKeys, type RotateKeysResult } from "./rotate_keys.ts";
export { type DataSourceTestResult, type ProbeFunction, testDataSource } from "./test_data_source.ts";
export { updateDataSource } from "./update_data_source.ts";
export { updateMember } from "./update_member.ts";
export { updateTenant } from "./update_tenant.ts";
