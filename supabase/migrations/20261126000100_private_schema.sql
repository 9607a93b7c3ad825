-- Foundation of the application database: the `private` schema and the trigger functions every
-- later migration attaches to its tables.
--
-- `private` holds what the Data API must never serve: data sources (encrypted credentials), the
-- encryption-key registry, and the security-definer helpers RLS policies call. config.toml exposes only
-- `public`; on top of that, anon and authenticated get no USAGE on `private`, so a query naming a private
-- table fails with "permission denied" instead of returning an empty set. Policies can still call the
-- helpers: a function in a policy is resolved when the policy is created, and only EXECUTE is checked.

-- Types ----------------------------------------------------------------------------------------------
-- none

-- Extensions -----------------------------------------------------------------------------------------
-- pgcrypto supplies extensions.digest() for the fingerprints the audit log shows instead of ciphertext.
-- Supabase (hosted and `supabase start`) installs it in `extensions`; this is a no-op there.
create extension if not exists pgcrypto with schema extensions;

-- Schemas --------------------------------------------------------------------------------------------
create schema if not exists private;
comment on schema private is
  'Not exposed by the Data API: data sources, encryption-key registry, RLS helpers and trigger functions. '
  'Only service_role (and the owner) may use it.';

-- Grants ---------------------------------------------------------------------------------------------
-- No role but the owner and service_role (the functions, the operator CLI) may even look into `private`.
revoke all on schema private from public, anon, authenticated;
grant usage on schema private to service_role;

-- Functions in `private` are created without EXECUTE for PUBLIC; each migration grants what it needs.
alter default privileges in schema private revoke execute on functions from public;

-- Functions ------------------------------------------------------------------------------------------

create function private.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;
comment on function private.set_updated_at() is
  'BEFORE UPDATE trigger: keeps updated_at truthful whoever writes the row (API, functions, psql).';
revoke execute on function private.set_updated_at() from public;

create function private.notify_config_change()
returns trigger
language plpgsql
set search_path = ''
as $$
-- Payload on channel tenant_router_config (JSON, nulls omitted):
--   {"schema": "public", "table": "tenant_members", "op": "update", "id": …, "tenant_id": …, "user_id": …}
-- id / tenant_id / user_id are copied from the row when it has such a column; for public.tenants the
-- tenant_id is the row's id. TRUNCATE sends only schema, table and op ("flush everything").
-- Trigger arguments name extra columns whose change alone is not a configuration change (updated_at is
-- always ignored): an UPDATE touching only those sends nothing.
declare
  v_old jsonb;
  v_new jsonb;
  v_ignored text[] := array['updated_at'] || coalesce(tg_argv::text[], '{}');
  v_payload jsonb;
  v_row jsonb;
begin
  if tg_level = 'STATEMENT' then
    perform pg_notify(
      'tenant_router_config',
      jsonb_build_object('schema', tg_table_schema, 'table', tg_table_name, 'op', lower(tg_op))::text
    );
    return null;
  end if;

  if tg_op in ('UPDATE', 'DELETE') then
    v_old := to_jsonb(old);
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    v_new := to_jsonb(new);
  end if;
  if tg_op = 'UPDATE' and (v_old - v_ignored) = (v_new - v_ignored) then
    return null;
  end if;

  -- One message for the row as it is now, and one for the row as it was when its identity changed
  -- (for example a membership moved to another tenant), so both caches are invalidated.
  foreach v_row in array array_remove(array[v_new, v_old], null) loop
    v_payload := jsonb_strip_nulls(jsonb_build_object(
      'schema', tg_table_schema,
      'table', tg_table_name,
      'op', lower(tg_op),
      'id', v_row ->> 'id',
      'tenant_id', case
        when tg_table_schema = 'public' and tg_table_name = 'tenants' then v_row ->> 'id'
        else v_row ->> 'tenant_id'
      end,
      'user_id', v_row ->> 'user_id'
    ));
    -- NOTIFY drops a payload identical to one already queued in the transaction, so an unchanged
    -- identity costs nothing.
    perform pg_notify('tenant_router_config', v_payload::text);
  end loop;
  return null;
end;
$$;
comment on function private.notify_config_change() is
  'AFTER trigger on tenants, tenant_members and data_sources: pg_notify(''tenant_router_config'', …) so '
  'the functions drop cached routing, memberships and clients at commit; their TTL is only the backstop.';
revoke execute on function private.notify_config_change() from public;
