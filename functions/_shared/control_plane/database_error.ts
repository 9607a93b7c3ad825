/**
 * Translation of the application database's refusals (constraints, triggers, RLS) into
 * {@linkcode AdminError}s with clear messages. The database enforces the invariants; this module only
 * names them. Query text and parameters never reach the result.
 *
 * @module
 */
import { AdminError } from "./admin_error.ts";

/** The fields of a postgres.js `PostgresError` this module reads. */
interface ServerError {
  name: string;
  code: string;
  message: string;
  constraint_name?: string | undefined;
}

const BY_CONSTRAINT: Record<string, () => AdminError> = {
  tenants_slug_key: () => new AdminError("TR630", "A tenant with this slug already exists"),
  data_sources_name_key: () => new AdminError("TR630", "A data source with this name already exists"),
  data_sources_one_default_idx: () =>
    new AdminError("TR633", "Another data source is already the default", {
      hint: "Register this one without is_default; there is exactly one default data source",
    }),
  data_sources_default_not_disabled: () =>
    new AdminError("TR633", "The default data source cannot be disabled"),
  data_sources_key_nonce_idx: () =>
    new AdminError("TR633", "A ciphertext with this nonce already exists under this key: seal it again"),
  tenant_members_pkey: () => new AdminError("TR630", "The user is already a member of this tenant"),
  tenant_members_user_id_fkey: () => new AdminError("TR623", "No such user"),
  tenant_members_tenant_id_fkey: () => new AdminError("TR621"),
  tenants_data_source_id_fkey: () =>
    new AdminError("TR631", "Data source is in use by tenants", {
      hint: "Assign its tenants to another data source first",
    }),
  tenant_moves_source_data_source_id_fkey: () =>
    new AdminError("TR631", "Data source is referenced by tenant moves"),
  tenant_moves_target_data_source_id_fkey: () =>
    new AdminError("TR631", "Data source is referenced by tenant moves"),
  data_sources_secret_key_id_fkey: () =>
    new AdminError("TR634", "The active encryption key is not registered", { hint: ROTATE_HINT }),
};

/** Check constraints that mirror request fields: a `TR600` naming the field. */
const FIELD_CHECKS: Record<string, [path: string, message: string]> = {
  tenants_slug_format: ["slug", "Must be 3 to 63 of a-z, 0-9 and '-', not starting or ending with '-'"],
  tenants_slug_not_uuid: ["slug", "Must not look like a uuid"],
  tenants_name_format: ["name", "Must be 1 to 200 characters without control characters or outer spaces"],
  tenants_status_valid: ["status", "Invalid status"],
  tenant_members_role_valid: ["role", "Must be owner, admin, member or viewer"],
  data_sources_name_format: ["name", "Must be 1 to 63 of a-z, 0-9, '_' and '-'"],
  data_sources_name_not_reserved: ["name", 'Must not be "default" or look like a uuid'],
  data_sources_pool_max_range: ["pool_max", "Must be between 1 and 100"],
  data_sources_api_settings_postgres_only: [
    "aggregates_enabled",
    "Only postgres data sources take aggregates_enabled and plan_enabled: a supabase project's PostgREST decides",
  ],
  data_sources_status_valid: ["status", "Must be active, draining or disabled"],
  data_sources_host_format: ["credentials.url", "The host is not a valid host name"],
  data_sources_port_range: ["credentials.url", "The port must be between 1 and 65535"],
  data_sources_database_name_format: ["credentials.url", "The database name is not valid"],
  data_sources_project_ref_format: ["credentials.url", "The project ref is not valid"],
};

const ROTATE_HINT = "Run `npm run tenants -- rotate-keys` (or POST /keys/rotate) to register the active key";

/** Trigger-raised check violations (no constraint name), recognised by their fixed message. */
const BY_MESSAGE: [RegExp, () => AdminError][] = [
  [
    /must keep at least one owner/,
    () =>
      new AdminError("TR632", "The last owner cannot leave, be removed or be demoted", {
        hint: "Make another member owner first",
      }),
  ],
  [
    /must be encrypted with the active key/,
    () =>
      new AdminError("TR634", "The configured active key is not the registry's active key", {
        hint: ROTATE_HINT,
      }),
  ],
  [
    /still encrypts data source secrets/,
    () => new AdminError("TR634", "The key still encrypts data source secrets", { hint: ROTATE_HINT }),
  ],
  [
    /is retired and cannot be used again/,
    () =>
      new AdminError("TR634", "The configured active key was retired and cannot be used again", {
        hint: "Generate a new key with `npm run tenants -- keygen`",
      }),
  ],
];

/**
 * Returns the {@linkcode AdminError} for a database refusal the admin API foresees, or `undefined` for
 * anything else (the caller lets it become an opaque 500).
 *
 * @example
 * ```ts
 * try {
 *   await tx`insert into public.tenants …`;
 * } catch (error) {
 *   throw mapDatabaseError(error) ?? error;
 * }
 * ```
 */
export function mapDatabaseError(error: unknown): AdminError | undefined {
  if (!isServerError(error)) return undefined;
  const constraint = error.constraint_name;
  if (constraint !== undefined) {
    const known = BY_CONSTRAINT[constraint];
    if (known) return known();
    const field = FIELD_CHECKS[constraint];
    if (field) {
      return new AdminError("TR600", `Invalid request: ${field[0]}: ${field[1]}`, {
        details: [{ path: field[0], message: field[1] }],
      });
    }
  }
  switch (error.code) {
    case "23514":
      for (const [pattern, make] of BY_MESSAGE) if (pattern.test(error.message)) return make();
      return new AdminError("TR600", "Invalid request: a value breaks a database rule");
    case "42501":
      return new AdminError("TR612", "Permission denied by the tenant's membership rules");
    case "40001":
    case "40P01":
    case "55P03":
      return new AdminError("TR633", "A concurrent change got in the way: try again");
    case "23505":
      return new AdminError("TR630");
    case "23503":
      return new AdminError("TR633", "A referenced row does not exist or is still referenced");
    default:
      return undefined;
  }
}

function isServerError(error: unknown): error is ServerError {
  return error instanceof Error && error.name === "PostgresError" &&
    typeof (error as Partial<ServerError>).code === "string";
}
