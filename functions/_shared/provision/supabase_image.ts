/**
 * What the tenant schema takes from Supabase's Postgres image, for a plain PostgreSQL database: the API
 * roles `anon`, `authenticated`, `service_role` (the connecting role a member of each, so the gateway can
 * `set role authenticated`) and `auth.uid()`, `auth.role()`, `auth.email()`, `auth.jwt()` reading the
 * claims the gateway sets (`request.jwt.claims`). The function bodies are those of the local stack's
 * `scripts/stack/bootstrap.sql` (a test keeps them equal); the rest of that file (`supabase_admin`,
 * `auth.users`, pgTAP) is for the local stack only and is not needed here.
 *
 * @module
 */
import type postgres from "postgres";

/** The API roles the tenant schema grants to. */
const ROLES = ["anon", "authenticated", "service_role"] as const;

/** The `auth` functions: the tenant schema's policies call `auth.uid()`; apps use the others. */
const FUNCTIONS = ["uid", "role", "email", "jwt"] as const;

/**
 * The statements that add what is missing; each is idempotent and creates only what is not there, so an
 * existing `auth.uid()` (a real Supabase database's) is never replaced.
 */
export const SUPABASE_IMAGE_STATEMENTS: readonly string[] = [
  `do $$
begin
  if not exists (select from pg_catalog.pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select from pg_catalog.pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select from pg_catalog.pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
end
$$`,
  `do $$
begin
  if not pg_catalog.pg_has_role(current_user, 'anon', 'member')
    or not pg_catalog.pg_has_role(current_user, 'authenticated', 'member')
    or not pg_catalog.pg_has_role(current_user, 'service_role', 'member') then
    grant anon, authenticated, service_role to current_user;
  end if;
end
$$`,
  `do $$
begin
  if to_regnamespace('auth') is null then
    create schema auth;
    grant usage on schema auth to anon, authenticated, service_role;
  end if;
  if not pg_catalog.has_schema_privilege('authenticated', 'public', 'usage') then
    grant usage on schema public to anon, authenticated, service_role;
  end if;
end
$$`,
  `do $do$
begin
  if to_regprocedure('auth.uid()') is null then
    create function auth.uid() returns uuid
    language sql stable
    as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;
    grant execute on function auth.uid() to anon, authenticated, service_role;
  end if;
  if to_regprocedure('auth.role()') is null then
    create function auth.role() returns text
    language sql stable
    as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;
    grant execute on function auth.role() to anon, authenticated, service_role;
  end if;
  if to_regprocedure('auth.email()') is null then
    create function auth.email() returns text
    language sql stable
    as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;
    grant execute on function auth.email() to anon, authenticated, service_role;
  end if;
  if to_regprocedure('auth.jwt()') is null then
    create function auth.jwt() returns jsonb
    language sql stable
    as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;
    grant execute on function auth.jwt() to anon, authenticated, service_role;
  end if;
end
$do$`,
];

/**
 * What the database lacks of {@linkcode SUPABASE_IMAGE_STATEMENTS}, in words (`role anon`,
 * `schema auth`, `function auth.uid()`, `membership of the connecting role in authenticated`); empty
 * when it has everything. Reads only.
 *
 * @example
 * ```ts
 * await missingSupabaseImage(sql); // ["role anon", …, "schema auth", "function auth.uid()", …]
 * ```
 */
export async function missingSupabaseImage(sql: postgres.Sql): Promise<string[]> {
  const [row] = await sql<{ roles: string[]; members: string[]; schema: boolean; functions: string[] }[]>`
    select
      array(select name from unnest(${ROLES as unknown as string[]}::text[]) as name
            where not exists (select from pg_catalog.pg_roles where rolname = name)) as roles,
      array(select name from unnest(${ROLES as unknown as string[]}::text[]) as name
            where exists (select from pg_catalog.pg_roles where rolname = name)
              and not pg_catalog.pg_has_role(current_user, name, 'member')) as members,
      to_regnamespace('auth') is not null as schema,
      array(select name from unnest(${FUNCTIONS as unknown as string[]}::text[]) as name
            where to_regprocedure('auth.' || name || '()') is null) as functions`;
  return [
    ...row!.roles.map((name) => `role ${name}`),
    ...row!.members.map((name) => `membership of the connecting role in ${name}`),
    ...(row!.schema ? [] : ["schema auth"]),
    ...row!.functions.map((name) => `function auth.${name}()`),
  ];
}

/**
 * Adds what is missing of Supabase's image in one transaction. Needs a role that may create roles
 * (`CREATEROLE`; `BYPASSRLS` for `service_role` before PostgreSQL 16 needs a superuser) and schemas.
 *
 * @example
 * ```ts
 * if ((await missingSupabaseImage(sql)).length > 0) await bootstrapSupabaseImage(sql);
 * ```
 */
export async function bootstrapSupabaseImage(sql: postgres.Sql): Promise<void> {
  await sql.begin(async (tx) => {
    for (const statement of SUPABASE_IMAGE_STATEMENTS) await tx.unsafe(statement);
  });
}
