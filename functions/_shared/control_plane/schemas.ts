/**
 * The zod schemas of the admin API's bodies and of the CLI's arguments: one definition of what a slug,
 * a data source name or a role is, mirroring the application database's CHECK constraints so that bad
 * input is refused with the field's path before it reaches SQL.
 *
 * Messages never echo the value sent (it may be a secret pasted into the wrong field).
 *
 * @module
 */
import { z } from "zod";
import { PostgresCredentials, SupabaseCredentials } from "../data_sources/mod.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A uuid, as the application database issues them. */
export const Uuid = z.string().regex(UUID, "Must be a uuid");

/** A tenant slug: `tenants_slug_format` and `tenants_slug_not_uuid`. */
export const Slug = z.string()
  .regex(
    /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
    "Must be 3 to 63 of a-z, 0-9 and '-', not starting or ending with '-'",
  )
  .refine((value) => !UUID.test(value), "Must not look like a uuid");

/** A tenant's display name: `tenants_name_format`. */
export const TenantName = z.string()
  .min(1, "Must not be empty")
  .max(200, "Must be at most 200 characters")
  .refine((value) => value === value.trim(), "Must not start or end with spaces")
  // deno-lint-ignore no-control-regex
  .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), "Must not contain control characters");

/** A data source name: `data_sources_name_format` and `data_sources_name_not_reserved`. */
export const DataSourceName = z.string()
  .regex(/^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?$/, "Must be 1 to 63 of a-z, 0-9, '_' and '-'")
  .refine((value) => value !== "default", 'Must not be "default" (it means the default data source)')
  .refine((value) => !UUID.test(value), "Must not look like a uuid");

/** A data source by name or id. */
export const DataSourceRef = z.union([Uuid, DataSourceName], {
  error: "Must be a data source name or id",
});

/** A membership role, strongest first. */
export const MemberRole = z.enum(["owner", "admin", "member", "viewer"]);

/** The statuses the admin API may set on a tenant (`moving` belongs to the move engine). */
export const SettableTenantStatus = z.enum(["active", "suspended"]);

/** A data source's pool size: `data_sources_pool_max_range`. */
export const PoolMax = z.number().int("Must be a whole number").min(1, "Must be at least 1").max(
  100,
  "Must be at most 100",
);

/** `POST /tenants`. */
export const CreateTenantBody = z.object({
  slug: Slug,
  name: TenantName,
  /** Name or id; `null` or absent routes the tenant to the default data source. */
  data_source: DataSourceRef.nullable().optional(),
  /** Adds this user as the tenant's first owner. */
  owner_user_id: Uuid.optional(),
  /** Adds the user with this email as the tenant's first owner. */
  owner_email: z.email("Must be an email address").optional(),
}).strict().refine((body) => body.owner_user_id === undefined || body.owner_email === undefined, {
  message: "Give owner_user_id or owner_email, not both",
  path: ["owner_email"],
});

/** `PATCH /tenants/:id`. */
export const UpdateTenantBody = z.object({
  name: TenantName.optional(),
  status: SettableTenantStatus.optional(),
}).strict().refine((body) => body.name !== undefined || body.status !== undefined, {
  message: "Give name or status",
});

/** `PUT /tenants/:id/data-source`: a name or id, or `null` for the default data source. */
export const AssignDataSourceBody = z.object({
  data_source: DataSourceRef.nullable(),
}).strict();

/** `POST /tenants/:id/moves`: where to move the tenant's rows; a dry run only plans. */
export const StartMoveBody = z.object({
  /** A data source name or id, or `null` for the default data source. */
  data_source: DataSourceRef.nullable(),
  /** Only plan: tables in copy order and row counts; nothing changes. */
  dry_run: z.boolean().optional(),
  /** Answer when the move has ended (200) instead of at once (202, then poll `GET /moves/:id`). */
  wait: z.boolean().optional(),
  /** Rows per copy batch. */
  batch_rows: z.number().int("Must be a whole number").min(1).max(1_000_000).optional(),
}).strict();

/** `POST /moves/:id/resume|rollback|finalize`. */
export const MoveStepBody = z.object({
  /** Answer when the step has ended (200) instead of at once (202). */
  wait: z.boolean().optional(),
}).strict();

/** `POST /data-sources/:id/provision`: an optional body. */
export const ProvisionBody = z.object({
  /** Add what a plain PostgreSQL database lacks of Supabase's image (API roles, `auth.uid()` …) first. */
  bootstrap_supabase: z.boolean().optional(),
  /** Only report what would be applied (the same as `?dry_run=true`). */
  dry_run: z.boolean().optional(),
}).strict();

/** `POST /tenants/:id/members`: a user by id or email, and a role. */
export const AddMemberBody = z.object({
  user_id: Uuid.optional(),
  email: z.email("Must be an email address").optional(),
  role: MemberRole.default("member"),
}).strict().refine((body) => (body.user_id === undefined) !== (body.email === undefined), {
  message: "Give exactly one of user_id and email",
  path: ["user_id"],
});

/** `PATCH /tenants/:id/members/:user_id`. */
export const UpdateMemberBody = z.object({ role: MemberRole }).strict();

/** `POST /data-sources`: name, kind and the credentials of that kind. */
export const RegisterDataSourceBody = z.discriminatedUnion("kind", [
  z.object({
    name: DataSourceName,
    kind: z.literal("postgres"),
    credentials: PostgresCredentials,
    pool_max: PoolMax.optional(),
    is_default: z.boolean().optional(),
    /** PostgREST's `db-aggregates-enabled` for this data source (off, as in Supabase). */
    aggregates_enabled: z.boolean().optional(),
    /** PostgREST's `db-plan-enabled`: EXPLAIN plans for this data source (off, as in Supabase). */
    plan_enabled: z.boolean().optional(),
  }).strict(),
  z.object({
    name: DataSourceName,
    kind: z.literal("supabase"),
    credentials: SupabaseCredentials,
    pool_max: PoolMax.optional(),
    is_default: z.boolean().optional(),
  }).strict(),
], { error: 'kind must be "postgres" or "supabase"' });

/** `PUT /data-sources/:id/credentials`: credentials of the data source's own kind. */
export const ReplaceCredentialsBody = z.object({
  credentials: z.record(z.string(), z.unknown()),
}).strict();

/** `PATCH /data-sources/:id`. */
export const UpdateDataSourceBody = z.object({
  pool_max: PoolMax.optional(),
  status: z.enum(["active", "draining", "disabled"]).optional(),
  /** `postgres` data sources only: a `supabase` one's project decides (400 `TR600` otherwise). */
  aggregates_enabled: z.boolean().optional(),
  plan_enabled: z.boolean().optional(),
}).strict().refine((body) => Object.values(body).some((value) => value !== undefined), {
  message: "Give pool_max, status, aggregates_enabled or plan_enabled",
});

/** The type of {@linkcode RegisterDataSourceBody}. */
export type RegisterDataSourceInput = z.infer<typeof RegisterDataSourceBody>;
