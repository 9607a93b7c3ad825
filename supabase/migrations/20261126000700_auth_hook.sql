-- Custom Access Token hook: Supabase Auth calls public.custom_access_token_hook(event) as
-- supabase_auth_admin before issuing every access token (registered in config.toml as
-- pg-functions://postgres/public/custom_access_token_hook; on a hosted project: Authentication → Hooks).
--
-- It adds two claims, tenant_id (uuid) and tenant_role (owner|admin|member|viewer), by this rule:
--   * exactly one membership      → that tenant;
--   * several memberships         → the tenant named by auth.users.raw_app_meta_data->>'default_tenant'
--                                   (its uuid or its slug) if the user is a member of it;
--   * otherwise (none, or several without a valid default) → no tenant claims; the gateway then needs an
--     x-tenant-id header from a user with several memberships.
-- The tenant's status is not considered: the gateway checks it, and membership, on every request; the
-- claims only choose a tenant when the request does not name one. Claims called tenant_id or
-- tenant_role already present in the event are removed first, so a stale choice never survives.
--
-- Sections in the project's fixed order.

-- Types ----------------------------------------------------------------------------------------------
-- none

-- Tables ---------------------------------------------------------------------------------------------
-- none

-- Indexes --------------------------------------------------------------------------------------------
-- none: the hook reads memberships through tenant_members_user_id_idx.

-- Grants ---------------------------------------------------------------------------------------------
-- What the hook reads, as Supabase's documentation grants it to supabase_auth_admin (which does not
-- bypass RLS: see the policies below). auth.users belongs to supabase_auth_admin already.
grant usage on schema public to supabase_auth_admin;
grant select on table public.tenant_members to supabase_auth_admin;
grant select on table public.tenants to supabase_auth_admin;

-- Triggers -------------------------------------------------------------------------------------------
-- none

-- RLS enable -----------------------------------------------------------------------------------------
-- tenants and tenant_members have RLS on since the tenancy migration.

-- Policies -------------------------------------------------------------------------------------------

create policy "The auth server can read memberships to issue tokens"
  on public.tenant_members
  for select
  to supabase_auth_admin
  using (true);
comment on policy "The auth server can read memberships to issue tokens" on public.tenant_members is
  'custom_access_token_hook runs as supabase_auth_admin and must see every user''s memberships.';

create policy "The auth server can read tenants to issue tokens"
  on public.tenants
  for select
  to supabase_auth_admin
  using (true);
comment on policy "The auth server can read tenants to issue tokens" on public.tenants is
  'custom_access_token_hook resolves a default_tenant given as a slug.';

-- Functions ------------------------------------------------------------------------------------------

create function public.custom_access_token_hook(event jsonb)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  v_user_id uuid := (event ->> 'user_id')::uuid;
  v_claims jsonb := coalesce(event -> 'claims', '{}'::jsonb) - 'tenant_id' - 'tenant_role';
  v_memberships integer;
  v_default text;
  v_tenant_id uuid;
  v_role text;
begin
  select count(*) into v_memberships
  from public.tenant_members m
  where m.user_id = v_user_id;

  if v_memberships = 1 then
    select m.tenant_id, m.role into v_tenant_id, v_role
    from public.tenant_members m
    where m.user_id = v_user_id;
  elsif v_memberships > 1 then
    select lower(btrim(u.raw_app_meta_data ->> 'default_tenant')) into v_default
    from auth.users u
    where u.id = v_user_id;

    if v_default is not null then
      -- Slugs can never look like uuids (tenants_slug_not_uuid), so this matches at most one tenant.
      select m.tenant_id, m.role into v_tenant_id, v_role
      from public.tenant_members m
      join public.tenants t on t.id = m.tenant_id
      where m.user_id = v_user_id
        and (t.id::text = v_default or t.slug = v_default);
    end if;
  end if;

  if v_tenant_id is not null then
    v_claims := v_claims || jsonb_build_object('tenant_id', v_tenant_id, 'tenant_role', v_role);
  end if;
  return jsonb_set(event, '{claims}', v_claims);
end;
$$;
comment on function public.custom_access_token_hook(jsonb) is
  'Supabase Auth Custom Access Token hook: adds tenant_id and tenant_role claims (rule in the migration header).';

-- Only the auth server may call it; in particular it must not be reachable as /rest/v1/rpc/….
revoke execute on function public.custom_access_token_hook(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.custom_access_token_hook(jsonb) to supabase_auth_admin;
