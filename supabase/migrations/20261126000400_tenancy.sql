-- Tenancy: tenants, their routing to a data source, and who belongs to them with which role.
--
-- Who may do what (RLS, role authenticated; anon has no privilege at all; service_role bypasses RLS):
--   tenants         members read their tenants; owners rename theirs (column `name` only). Creating,
--                   deleting, suspending and routing tenants is the admin API's job (service_role).
--   tenant_members  members read their co-members; owners manage every membership, admins every one
--                   but an owner's (they cannot remove or demote an owner, nor make anyone owner);
--                   anyone may leave. A tenant always keeps an owner (trigger), except when the tenant
--                   itself is deleted.
--
-- Sections in the project's fixed order; a trigger function sits right before its trigger, and the
-- security-definer helpers open the policies section, because Postgres needs both to exist first.

-- Types ----------------------------------------------------------------------------------------------
-- none: statuses and roles are text + CHECK.

-- Tables ---------------------------------------------------------------------------------------------

create table public.tenants (
  id uuid primary key default gen_random_uuid(),
  slug text not null,
  name text not null,
  status text not null default 'active',
  data_source_id uuid references private.data_sources (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),

  constraint tenants_slug_key unique (slug),
  -- DNS-label-like: lowercase letters, digits and '-', 3–63 chars, no '-' at either end.
  constraint tenants_slug_format
    check (slug ~ '^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$'),
  -- x-tenant-id accepts a uuid or a slug; a uuid-shaped slug would make that ambiguous.
  constraint tenants_slug_not_uuid
    check (slug !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'),
  constraint tenants_name_format
    check (char_length(name) between 1 and 200 and name = btrim(name) and name !~ '[[:cntrl:]]'),
  constraint tenants_status_valid
    check (status in ('active', 'suspended', 'moving'))
);
comment on table public.tenants is
  'A customer of the SaaS. Its business rows live in the data source it points at.';
comment on column public.tenants.slug is
  'Stable, URL-safe handle (x-tenant-id accepts it as well as the id).';
comment on column public.tenants.status is
  'active; suspended: the gateway refuses its requests; moving: a tenant move is in progress.';
comment on column public.tenants.data_source_id is
  'Where the tenant''s rows live; null means the default data source. Switching it is a move''s last step '
  'and a rollback''s only step.';

create table public.tenant_members (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null default 'member',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),

  primary key (tenant_id, user_id),
  constraint tenant_members_role_valid
    check (role in ('owner', 'admin', 'member', 'viewer'))
);
comment on table public.tenant_members is
  'Which users belong to which tenants. The gateway resolves every request''s tenant through it.';
comment on column public.tenant_members.role is
  'owner: everything, including owners; admin: manages members but not owners; member: reads and writes '
  'business data; viewer: reads. Passed to tenant databases as the tenant_role claim.';

-- Indexes --------------------------------------------------------------------------------------------

create index tenant_members_user_id_idx on public.tenant_members (user_id);
comment on index public.tenant_members_user_id_idx is
  'Every policy, helper and the access-token hook look memberships up by user (the primary key leads '
  'with tenant_id).';

create index tenants_data_source_id_idx on public.tenants (data_source_id);
comment on index public.tenants_data_source_id_idx is
  'Tenants of a data source (health, check, provision) and the foreign-key check when one is deleted.';

-- Grants ---------------------------------------------------------------------------------------------
-- Supabase grants everything on new public tables to anon, authenticated and service_role; narrow that.
-- anon: nothing (an error, not an empty list). authenticated: what the policies below allow, and only
-- the columns a user may write. service_role: data manipulation, not TRUNCATE or DDL.
revoke all on table public.tenants from anon, authenticated, service_role;
grant select on table public.tenants to authenticated;
grant update (name) on table public.tenants to authenticated;
grant select, insert, update, delete on table public.tenants to service_role;

revoke all on table public.tenant_members from anon, authenticated, service_role;
grant select, delete on table public.tenant_members to authenticated;
grant insert (tenant_id, user_id, role) on table public.tenant_members to authenticated;
grant update (role) on table public.tenant_members to authenticated;
grant select, insert, update, delete on table public.tenant_members to service_role;

-- Triggers -------------------------------------------------------------------------------------------

create trigger tenants_updated_at
  before update on public.tenants
  for each row execute function private.set_updated_at();
comment on trigger tenants_updated_at on public.tenants is 'Keeps updated_at current.';

create trigger tenant_members_updated_at
  before update on public.tenant_members
  for each row execute function private.set_updated_at();
comment on trigger tenant_members_updated_at on public.tenant_members is 'Keeps updated_at current.';

create function private.ensure_tenant_keeps_owner()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and new.role = 'owner' and new.tenant_id = old.tenant_id then
    return null;
  end if;
  -- Deleting the tenant cascades to its members: nothing left to protect. Otherwise lock the tenant
  -- row, so two owners demoting each other concurrently cannot both see the other one still owner.
  perform 1 from public.tenants t where t.id = old.tenant_id for no key update;
  if not found then
    return null;
  end if;
  if not exists (
    select 1 from public.tenant_members m where m.tenant_id = old.tenant_id and m.role = 'owner'
  ) then
    raise exception 'Tenant % must keep at least one owner', old.tenant_id
      using errcode = '23514',
            hint = 'Make another member owner first, or delete the tenant.';
  end if;
  return null;
end;
$$;
comment on function private.ensure_tenant_keeps_owner() is
  'Constraint trigger on tenant_members: the last owner can neither leave nor be demoted or removed. '
  'Security definer so the count sees every membership, not just the caller''s RLS view.';
revoke execute on function private.ensure_tenant_keeps_owner() from public;

create constraint trigger tenant_members_keep_owner
  after update or delete on public.tenant_members
  deferrable initially immediate
  for each row
  when (old.role = 'owner')
  execute function private.ensure_tenant_keeps_owner();
comment on trigger tenant_members_keep_owner on public.tenant_members is
  'A tenant always keeps an owner. Checked at the end of each statement; a transaction handing ownership '
  'over in either order may `set constraints public.tenant_members_keep_owner deferred`.';

create trigger tenants_notify
  after insert or update or delete on public.tenants
  for each row execute function private.notify_config_change();
comment on trigger tenants_notify on public.tenants is
  'Drops the functions'' cached routing of a changed tenant (status, data source, slug).';

create trigger tenants_notify_truncate
  after truncate on public.tenants
  for each statement execute function private.notify_config_change();
comment on trigger tenants_notify_truncate on public.tenants is
  'TRUNCATE skips row triggers: tell the functions to drop every cached tenant.';

create trigger tenant_members_notify
  after insert or update or delete on public.tenant_members
  for each row execute function private.notify_config_change();
comment on trigger tenant_members_notify on public.tenant_members is
  'Drops a user''s cached memberships, so a revocation takes effect at once.';

create trigger tenant_members_notify_truncate
  after truncate on public.tenant_members
  for each statement execute function private.notify_config_change();
comment on trigger tenant_members_notify_truncate on public.tenant_members is
  'TRUNCATE skips row triggers: tell the functions to drop every cached membership.';

-- RLS enable -----------------------------------------------------------------------------------------
alter table public.tenants enable row level security;
alter table public.tenant_members enable row level security;

-- Policies -------------------------------------------------------------------------------------------

-- Helpers the policies call. Security definer, so reading tenant_members inside a tenant_members policy
-- does not recurse into RLS; search_path '' and qualified names, so a caller cannot substitute objects.
-- EXECUTE only for authenticated (policies check EXECUTE, not USAGE on `private`).

create function private.is_member(p_tenant_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
    from public.tenant_members m
    where m.tenant_id = p_tenant_id
      and m.user_id = (select auth.uid())
  );
$$;
comment on function private.is_member(uuid) is
  'True when the requesting user (auth.uid()) belongs to the tenant, in any role.';
revoke execute on function private.is_member(uuid) from public;
grant execute on function private.is_member(uuid) to authenticated;

create function private.has_tenant_role(p_tenant_id uuid, p_roles text[])
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
    from public.tenant_members m
    where m.tenant_id = p_tenant_id
      and m.user_id = (select auth.uid())
      and m.role = any (p_roles)
  );
$$;
comment on function private.has_tenant_role(uuid, text[]) is
  'True when the requesting user holds one of the roles in the tenant.';
revoke execute on function private.has_tenant_role(uuid, text[]) from public;
grant execute on function private.has_tenant_role(uuid, text[]) to authenticated;

create function private.can_manage_member(p_tenant_id uuid, p_member_role text)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
    from public.tenant_members m
    where m.tenant_id = p_tenant_id
      and m.user_id = (select auth.uid())
      and (m.role = 'owner' or (m.role = 'admin' and p_member_role is distinct from 'owner'))
  );
$$;
comment on function private.can_manage_member(uuid, text) is
  'The membership rule in one place: owners manage any membership of their tenant, admins any that is '
  'not (or does not become) an owner''s.';
revoke execute on function private.can_manage_member(uuid, text) from public;
grant execute on function private.can_manage_member(uuid, text) to authenticated;

create function private.tenant_ids_with_role(p_roles text[])
returns setof uuid
language sql
stable
security definer
rows 10
set search_path = ''
as $$
  select m.tenant_id
  from public.tenant_members m
  where m.user_id = (select auth.uid())
    and m.role = any (p_roles);
$$;
comment on function private.tenant_ids_with_role(text[]) is
  'The tenants where the requesting user holds one of the roles. For policies on large tables, as '
  '`tenant_id in (select private.tenant_ids_with_role(…))`: evaluated once, then an index lookup.';
revoke execute on function private.tenant_ids_with_role(text[]) from public;
grant execute on function private.tenant_ids_with_role(text[]) to authenticated;

create policy "Members can read their tenants"
  on public.tenants
  for select
  to authenticated
  using (private.is_member(id));
comment on policy "Members can read their tenants" on public.tenants is
  'A user sees exactly the tenants they belong to; a user without memberships sees none.';

create policy "Owners can rename their tenant"
  on public.tenants
  for update
  to authenticated
  using (private.has_tenant_role(id, array['owner']))
  with check (private.has_tenant_role(id, array['owner']));
comment on policy "Owners can rename their tenant" on public.tenants is
  'Only the name: the column grant keeps slug, status and routing with the admin API.';

create policy "Members can read the members of their tenants"
  on public.tenant_members
  for select
  to authenticated
  using (private.is_member(tenant_id));
comment on policy "Members can read the members of their tenants" on public.tenant_members is
  'Co-members are visible to each other; memberships in other tenants are not.';

create policy "Owners and admins can add members to their tenant"
  on public.tenant_members
  for insert
  to authenticated
  with check (private.can_manage_member(tenant_id, role));
comment on policy "Owners and admins can add members to their tenant" on public.tenant_members is
  'Admins can add any role but owner.';

create policy "Owners and admins can change the roles of their tenant's members"
  on public.tenant_members
  for update
  to authenticated
  using (private.can_manage_member(tenant_id, role))
  with check (private.can_manage_member(tenant_id, role));
comment on policy "Owners and admins can change the roles of their tenant's members" on public.tenant_members is
  'USING hides owners'' rows from admins (no demotion); WITH CHECK stops admins promoting anyone to owner.';

create policy "Members can leave and owners and admins can remove members"
  on public.tenant_members
  for delete
  to authenticated
  using (user_id = (select auth.uid()) or private.can_manage_member(tenant_id, role));
comment on policy "Members can leave and owners and admins can remove members" on public.tenant_members is
  'Admins cannot remove owners; the last owner cannot leave (tenant_members_keep_owner).';

-- Functions ------------------------------------------------------------------------------------------
-- none beyond the policy helpers above.
