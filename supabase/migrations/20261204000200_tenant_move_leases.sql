-- Tenant move leases: a move is a job that outlives the process running it. The process holds a lease on
-- the move (owner, expiry) and renews it with a heartbeat; when the process dies the lease expires and the
-- next process to look (a functions server starting, the next admin request, a scheduled tick) claims it
-- and resumes the move from its last committed batch. A write freeze lasts at most as long as the lease of
-- the move holding it: the gateway ignores a freeze past writes_frozen_until, so a dead process never
-- leaves a tenant frozen. writes_freeze_expected_ms is what refused writes are told to wait (Retry-After).
--
-- Sections in the project's fixed order.

-- Types ----------------------------------------------------------------------------------------------
-- none

-- Tables ---------------------------------------------------------------------------------------------

alter table public.tenants
  add column writes_frozen_until timestamptz,
  add column writes_freeze_expected_ms integer,
  add constraint tenants_writes_freeze_expected_positive
    check (writes_freeze_expected_ms between 1 and 3600000);
comment on column public.tenants.writes_frozen_until is
  'The freeze ends then at the latest: the lease expiry of the move holding it, renewed by its heartbeat. '
  'Past it the gateway lets writes through again (the holder died); null: until unfrozen. Read only while '
  'writes_frozen_at is set.';
comment on column public.tenants.writes_freeze_expected_ms is
  'How long the move expects the freeze to last, from writes_frozen_at: the Retry-After of refused writes.';

alter table public.tenant_moves
  add column lease_owner text,
  add column lease_expires_at timestamptz,
  add column heartbeat_at timestamptz,
  add column takeovers integer not null default 0,
  add constraint tenant_moves_lease_owner_length check (char_length(lease_owner) between 1 and 200),
  add constraint tenant_moves_lease_complete check ((lease_owner is null) = (lease_expires_at is null)),
  add constraint tenant_moves_takeovers_not_negative check (takeovers >= 0);
comment on column public.tenant_moves.lease_owner is
  'The process running the move (host, pid, random), or null when none holds it.';
comment on column public.tenant_moves.lease_expires_at is
  'When the lease ends unless renewed; past it any process may claim the move and resume it.';
comment on column public.tenant_moves.heartbeat_at is 'The last renewal of the lease.';
comment on column public.tenant_moves.takeovers is 'How many times a process claimed the move from another one.';

-- Indexes --------------------------------------------------------------------------------------------

create index tenant_moves_unfinished_idx on public.tenant_moves (created_at)
  where status in ('pending', 'copying', 'freezing', 'verifying', 'switching');
comment on index public.tenant_moves_unfinished_idx is 'Moves a scheduled tick may have to take over.';

-- Grants ---------------------------------------------------------------------------------------------
-- none: table grants cover the new columns; the functions below are service_role's only.

-- Triggers -------------------------------------------------------------------------------------------
-- none: tenants_notify and the audit triggers already fire for every column.

-- RLS enable -----------------------------------------------------------------------------------------
-- unchanged

-- Policies -------------------------------------------------------------------------------------------
-- unchanged

-- Functions ------------------------------------------------------------------------------------------

create function private.claim_move_lease(p_move uuid, p_owner text, p_seconds integer,
                                        p_force boolean default false)
returns boolean
language sql
volatile
set search_path = ''
as $$
  with claimed as (
    update public.tenant_moves
    set lease_owner = p_owner,
        lease_expires_at = now() + make_interval(secs => p_seconds),
        heartbeat_at = now(),
        takeovers = takeovers + case when lease_owner is not null and lease_owner <> p_owner then 1 else 0 end
    where id = p_move
      and (p_force or lease_owner is null or lease_owner = p_owner or lease_expires_at <= now())
    returning 1
  )
  select exists (select 1 from claimed)
$$;
comment on function private.claim_move_lease(uuid, text, integer, boolean) is
  'Gives the move to p_owner for p_seconds when nobody holds it, p_owner already does, the holder''s '
  'lease expired, or p_force (the caller holds the move''s run lock, so the holder''s session is gone). '
  'Taking it from another owner counts as a takeover; that owner''s next heartbeat fails. True when claimed.';
revoke execute on function private.claim_move_lease(uuid, text, integer, boolean) from public;
grant execute on function private.claim_move_lease(uuid, text, integer, boolean) to service_role;

create function private.renew_move_lease(p_move uuid, p_owner text, p_seconds integer)
returns boolean
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_tenant uuid;
begin
  update public.tenant_moves
  set lease_expires_at = now() + make_interval(secs => p_seconds), heartbeat_at = now()
  where id = p_move and lease_owner = p_owner
  returning tenant_id into v_tenant;
  if not found then
    return false;
  end if;
  -- The freeze lives as long as the lease of the move holding it.
  update public.tenants
  set writes_frozen_until = now() + make_interval(secs => p_seconds)
  where id = v_tenant and writes_frozen_at is not null;
  return true;
end
$$;
comment on function private.renew_move_lease(uuid, text, integer) is
  'The heartbeat: extends p_owner''s lease (and the freeze of the move''s tenant, when frozen) by p_seconds '
  'from now. False when p_owner no longer holds the move: it was taken over, the process must stop.';
revoke execute on function private.renew_move_lease(uuid, text, integer) from public;
grant execute on function private.renew_move_lease(uuid, text, integer) to service_role;

create function private.release_move_lease(p_move uuid, p_owner text)
returns void
language sql
volatile
set search_path = ''
as $$
  update public.tenant_moves set lease_owner = null, lease_expires_at = null
  where id = p_move and lease_owner = p_owner
$$;
comment on function private.release_move_lease(uuid, text) is 'Gives the move up (the run ended).';
revoke execute on function private.release_move_lease(uuid, text) from public;
grant execute on function private.release_move_lease(uuid, text) to service_role;

create function private.orphaned_moves()
returns table (id uuid)
language sql
stable
set search_path = ''
as $$
  select m.id from public.tenant_moves m
  where m.status in ('pending', 'copying', 'freezing', 'verifying', 'switching')
    and (m.lease_expires_at is null or m.lease_expires_at <= now())
  order by m.created_at
$$;
comment on function private.orphaned_moves() is
  'Unfinished moves nobody holds a live lease on: the process running them died. A tick resumes them.';
revoke execute on function private.orphaned_moves() from public;
grant execute on function private.orphaned_moves() to service_role;
