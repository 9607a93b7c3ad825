-- Tenant database, part 1: the `private` schema every later migration builds on.
--
-- Holds what the business tables need but the API must not expose (config.toml exposes only `public`):
-- the request-claim helpers RLS policies and column defaults call, the schema version the gateway and the
-- operator CLI read, and the trigger functions of the business tables. Trigger functions live here, not in
-- their domain's migration, because `create trigger` needs its function to exist first.
--
-- Claims contract (set by the tenant-data gateway per transaction, like PostgREST):
--   request.jwt.claims = {"sub": <user uuid>, "role": "authenticated", "tenant_id": <tenant uuid>,
--                         "tenant_role": "owner" | "admin" | "member" | "viewer"}
-- A request without a well-formed tenant_id and a known tenant_role belongs to no tenant: it reads nothing
-- and writes nothing.
--
-- Schema version: every migration of this project ends by inserting its own timestamp (the file name's
-- prefix) into private.schema_info; private.schema_version() returns the newest. To bump it, add the
-- insert to the new migration:
--   insert into private.schema_info (version, name) values ('<file timestamp>', '<area>');
-- A database is current when private.schema_version() equals the newest file name prefix in
-- tenant-db/supabase/migrations/. public.schema_version() returns the same through the Data API
-- (POST /rest/v1/rpc/schema_version), for data sources reached only over HTTP; it is the one object of
-- this migration in `public`.

-- Schemas --------------------------------------------------------------------------------------------

create schema if not exists private;
comment on schema private is
  'Helpers of the tenant schema that the Data API does not expose: claim readers, schema version, triggers';

-- Types ----------------------------------------------------------------------------------------------
-- None: statuses are text with CHECK constraints, so adding a state is one ordinary migration.

-- Tables ---------------------------------------------------------------------------------------------

create table private.schema_info (
  version text primary key check (version ~ '^[0-9]{14}$'),
  name text not null check (name ~ '^[a-z][a-z0-9_]*$'),
  applied_at timestamptz not null default now()
);
comment on table private.schema_info is
  'One row per applied migration of the tenant schema (its file timestamp); the newest is the schema version';
comment on column private.schema_info.version is 'The migration file''s timestamp prefix, 14 digits';
comment on column private.schema_info.name is 'The migration file''s area, after the timestamp';

-- Indexes --------------------------------------------------------------------------------------------
-- None beyond the primary key.

-- Grants ---------------------------------------------------------------------------------------------

-- Policies and column defaults call the helpers below as the requesting role.
grant usage on schema private to authenticated, service_role;

-- The version table is read only through private.schema_version().
revoke all on table private.schema_info from public, anon, authenticated;
grant select on table private.schema_info to service_role;

-- Tables created later in `public` by this project's migrations must not reach `anon` by default, and no
-- API role may TRUNCATE (it skips RLS): each table grants exactly what it needs instead.
alter default privileges in schema public revoke all on tables from anon;
alter default privileges in schema public revoke truncate, references, trigger on tables from authenticated;

-- Functions ------------------------------------------------------------------------------------------

create function private.request_claims()
returns jsonb
language sql
stable
set search_path = ''
as $$
  select coalesce(nullif(pg_catalog.current_setting('request.jwt.claims', true), ''), '{}')::jsonb
$$;
comment on function private.request_claims() is
  'The claims of the current request (request.jwt.claims), or an empty object outside a request';

create function private.request_tenant_id()
returns uuid
language sql
stable
set search_path = ''
as $$
  select case
    when v ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then v::uuid
  end
  from (select private.request_claims() ->> 'tenant_id') as c(v)
$$;
comment on function private.request_tenant_id() is
  'The tenant of the current request (claim tenant_id), or null when absent or not a uuid; '
  'default of every tenant_id column and the tenant filter of every policy';

create function private.request_tenant_role()
returns text
language sql
stable
set search_path = ''
as $$
  select case when v in ('owner', 'admin', 'member', 'viewer') then v end
  from (select private.request_claims() ->> 'tenant_role') as c(v)
$$;
comment on function private.request_tenant_role() is
  'The requester''s role in the tenant (claim tenant_role: owner, admin, member, viewer), or null when '
  'absent or unknown; policies decide what each role may do';

create function private.schema_version()
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select max(version) from private.schema_info
$$;
comment on function private.schema_version() is
  'The tenant schema version: the timestamp of the newest applied migration. Read by the gateway''s health '
  'check and the CLI (`check`, `provision`); security definer so callers need no access to schema_info';

create function public.schema_version()
returns text
language sql
stable
set search_path = ''
as $$
  select private.schema_version()
$$;
comment on function public.schema_version() is
  'The tenant schema version through the Data API (POST /rest/v1/rpc/schema_version with the service key), '
  'for health checks of data sources reached only over HTTP; SQL callers use private.schema_version()';

create function private.touch_row()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := pg_catalog.now();
  -- Authorship decides what a member may delete, so API users cannot rewrite it. The owner role
  -- (migrations, moves, imports) may, to restore rows as they were.
  if new.created_by is distinct from old.created_by and current_user in ('authenticated', 'anon') then
    raise exception 'Cannot change created_by: authorship of a row is fixed when it is created'
      using errcode = '42501', detail = pg_catalog.format('table %s', tg_table_name);
  end if;
  return new;
end
$$;
comment on function private.touch_row() is
  'Before-update trigger of every business table: stamps updated_at and keeps created_by fixed for API users';

create function private.sync_address()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  json_written boolean;
  columns_written boolean;
begin
  if tg_op = 'INSERT' then
    json_written := new.address is not null;
    columns_written := pg_catalog.num_nonnulls(
      new.address_line1, new.address_line2, new.city, new.region, new.postal_code, new.country) > 0;
  else
    json_written := new.address is distinct from old.address;
    columns_written :=
      (new.address_line1, new.address_line2, new.city, new.region, new.postal_code, new.country)
      is distinct from
      (old.address_line1, old.address_line2, old.city, old.region, old.postal_code, old.country);
  end if;

  if json_written then
    -- The document was written (alone, or together with columns: then the document wins): fill the columns.
    if new.address = '{}'::jsonb then
      new.address := null;
    end if;
    new.address_line1 := new.address ->> 'line1';
    new.address_line2 := new.address ->> 'line2';
    new.city := new.address ->> 'city';
    new.region := new.address ->> 'region';
    new.postal_code := new.address ->> 'postal_code';
    new.country := new.address ->> 'country';
  elsif columns_written then
    -- Only columns were written: rebuild the document from them (null when every column is null).
    new.address := nullif(pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
      'line1', new.address_line1,
      'line2', new.address_line2,
      'city', new.city,
      'region', new.region,
      'postal_code', new.postal_code,
      'country', new.country
    )), '{}'::jsonb);
  end if;
  return new;
end
$$;
comment on function private.sync_address() is
  'Before-insert/update trigger of accounts, contacts and venues: keeps the address jsonb and the address '
  'columns in sync whichever side is written; when one statement writes both, the jsonb wins';

create function private.enforce_event_workflow()
returns trigger
language plpgsql
set search_path = ''
as $$
-- The event status graph (any other change of status is rejected):
--
--   from               to
--   draft              planning, cancelled
--   planning           pending_approval, draft, cancelled; approved when approval_required is false
--   pending_approval   approved, planning (rejected), cancelled
--   approved           scheduled, planning (re-plan: needs approval again), cancelled
--   scheduled          in_progress, planning (re-plan), cancelled
--   in_progress        completed
--   completed          closed
--   cancelled          closed
--   closed             (final)
--
-- Entering a stage stamps its column <status>_at (planning_at, …, cancelled_at), status_changed_at and
-- previous_status. Only owners and admins approve; entering approved records approved_by, entering
-- pending_approval records approval_requested_by.
--
-- Who is bound: API users (roles authenticated, anon) always. They must create events in draft or planning.
-- The owner role and service_role (seeds, imports, tenant moves) may insert in any status and are bound on
-- update too, unless the transaction sets `tenant_router.restore = on` (set_config(..., true)): then a
-- row may jump to any status, keeping the stage timestamps it brings. API users cannot use that switch.
declare
  api_user constant boolean := current_user in ('authenticated', 'anon');
  restoring constant boolean :=
    not api_user and coalesce(pg_catalog.current_setting('tenant_router.restore', true), '') = 'on';
  allowed text[];
  entering boolean;
begin
  if tg_op = 'INSERT' then
    if api_user and new.status not in ('draft', 'planning') then
      raise exception 'Cannot create event in status %: new events start in draft or planning', new.status
        using errcode = '23514', hint = 'Create the event, then move it through the workflow';
    end if;
    entering := true;
  else
    entering := new.status is distinct from old.status;
    if entering and not restoring then
      allowed := case old.status
        when 'draft' then array['planning', 'cancelled']
        when 'planning' then array['pending_approval', 'draft', 'cancelled']
          || case when not new.approval_required then array['approved'] else array[]::text[] end
        when 'pending_approval' then array['approved', 'planning', 'cancelled']
        when 'approved' then array['scheduled', 'planning', 'cancelled']
        when 'scheduled' then array['in_progress', 'planning', 'cancelled']
        when 'in_progress' then array['completed']
        when 'completed' then array['closed']
        when 'cancelled' then array['closed']
        else array[]::text[]
      end;
      if not (new.status = any (allowed)) then
        raise exception 'Cannot change event status: % → % is not an allowed transition',
            old.status, new.status
          using errcode = '23514',
            hint = case when pg_catalog.cardinality(allowed) = 0
              then pg_catalog.format('%s is a final status', old.status)
              else pg_catalog.format('From %s an event may go to: %s', old.status,
                pg_catalog.array_to_string(allowed, ', '))
            end;
      end if;
    end if;
  end if;

  if not entering then
    return new;
  end if;

  if api_user and new.status = 'approved'
     and coalesce(private.request_tenant_role(), '') not in ('owner', 'admin') then
    raise exception 'Cannot approve event: only an owner or admin of the tenant can approve'
      using errcode = '42501';
  end if;

  if tg_op = 'UPDATE' then
    new.previous_status := old.status;
  end if;

  if api_user or not (restoring or tg_op = 'INSERT') then
    -- A live transition: the trigger owns the stamps.
    new.status_changed_at := pg_catalog.now();
    case new.status
      when 'planning' then new.planning_at := pg_catalog.now();
      when 'pending_approval' then
        new.pending_approval_at := pg_catalog.now();
        new.approval_requested_by := coalesce((select auth.uid()), new.approval_requested_by);
      when 'approved' then
        new.approved_at := pg_catalog.now();
        new.approved_by := coalesce((select auth.uid()), new.approved_by);
      when 'scheduled' then new.scheduled_at := pg_catalog.now();
      when 'in_progress' then new.in_progress_at := pg_catalog.now();
      when 'completed' then new.completed_at := pg_catalog.now();
      when 'closed' then new.closed_at := pg_catalog.now();
      when 'cancelled' then new.cancelled_at := pg_catalog.now();
      else null;
    end case;
  else
    -- Restoring a row (seed, import, move): keep the stamps it brings, fill only a missing one.
    new.status_changed_at := coalesce(new.status_changed_at, pg_catalog.now());
    case new.status
      when 'planning' then new.planning_at := coalesce(new.planning_at, pg_catalog.now());
      when 'pending_approval' then
        new.pending_approval_at := coalesce(new.pending_approval_at, pg_catalog.now());
      when 'approved' then new.approved_at := coalesce(new.approved_at, pg_catalog.now());
      when 'scheduled' then new.scheduled_at := coalesce(new.scheduled_at, pg_catalog.now());
      when 'in_progress' then new.in_progress_at := coalesce(new.in_progress_at, pg_catalog.now());
      when 'completed' then new.completed_at := coalesce(new.completed_at, pg_catalog.now());
      when 'closed' then new.closed_at := coalesce(new.closed_at, pg_catalog.now());
      when 'cancelled' then new.cancelled_at := coalesce(new.cancelled_at, pg_catalog.now());
      else null;
    end case;
  end if;
  return new;
end
$$;
comment on function private.enforce_event_workflow() is
  'Before-insert/update trigger of events: enforces the status graph (documented in the function body), '
  'owner/admin-only approval, and stamps the timestamp of each stage entered';

-- Execute: nobody by default; the claim readers for the roles that query tables. Trigger functions need
-- no grant (EXECUTE is checked when the trigger is created, not when it fires).
revoke execute on function private.request_claims(), private.request_tenant_id(),
  private.request_tenant_role(), private.schema_version(), private.touch_row(), private.sync_address(),
  private.enforce_event_workflow()
  from public, anon, authenticated, service_role;
grant execute on function private.request_claims(), private.request_tenant_id(),
  private.request_tenant_role(), private.schema_version()
  to authenticated, service_role;
-- The only function in `public`: Supabase grants EXECUTE on new public functions to anon by default.
revoke execute on function public.schema_version() from public, anon;
grant execute on function public.schema_version() to authenticated, service_role;

-- Schema version -------------------------------------------------------------------------------------

insert into private.schema_info (version, name) values ('20261126140100', 'private');
