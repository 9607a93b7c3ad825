-- Audit: an append-only record of every change to every control-plane table, written by one generic
-- trigger. Secrets never reach it: columns named *ciphertext / *nonce are replaced by a fingerprint.
--
-- Every table of the application database gets the trigger in this migration's triggers section; a table
-- added later must attach it in its own migration (supabase/tests/01-schema.test.sql fails otherwise).
--
-- Actor: the JWT of the transaction, as PostgREST sets it (`request.jwt.claims`). Server-side code that
-- acts for a user (the tenant-admin function, the operator CLI) sets the same setting with
-- set_config(…, true) in its transaction; without claims the database role is recorded.
--
-- Append-only for everyone: UPDATE, DELETE and TRUNCATE are revoked from every role, the owner included,
-- and a statement trigger refuses them even for a superuser. (A superuser or the owner can still drop the
-- trigger or the table: that is DDL, and shows in the migration history.)
--
-- Sections in the project's fixed order; a trigger function sits right before its triggers.

-- Types ----------------------------------------------------------------------------------------------
-- none: actions are text + CHECK.

-- Tables ---------------------------------------------------------------------------------------------

create table public.audit_log (
  id bigint generated always as identity primary key,
  occurred_at timestamptz not null default now(),
  actor_id uuid,
  actor_role text,
  tenant_id uuid,
  action text not null,
  entity text not null,
  entity_id text,
  old jsonb,
  new jsonb,

  constraint audit_log_action_valid
    check (action in ('insert', 'update', 'delete', 'truncate')),
  constraint audit_log_images_match_action
    check (case action
             when 'insert' then old is null and new is not null
             when 'update' then old is not null and new is not null
             when 'delete' then old is not null and new is null
             else old is null and new is null
           end)
);
comment on table public.audit_log is
  'Append-only history of changes to tenants, memberships, data sources, keys and moves. Secrets redacted.';
comment on column public.audit_log.occurred_at is 'Transaction time: every change of one transaction shares it.';
comment on column public.audit_log.actor_id is 'sub of the JWT in effect (auth.uid()), null without a user.';
comment on column public.audit_log.actor_role is
  'role claim of the JWT in effect, else the database role (postgres, service_role…).';
comment on column public.audit_log.tenant_id is
  'The tenant the change concerns (null for data sources and keys). No foreign key: history outlives tenants.';
comment on column public.audit_log.entity is 'Qualified table name, e.g. public.tenants or private.data_sources.';
comment on column public.audit_log.entity_id is
  'Primary key of the row: its value, or a JSON array of the values for a composite key '
  '(tenant_members: [tenant_id, user_id]; tenant_move_tables: [move_id, table_name]). Null for truncate.';
comment on column public.audit_log.old is
  'Row before the change; columns named *ciphertext or *nonce hold ''sha256:'' || 16 hex of SHA-256 of the bytes.';
comment on column public.audit_log.new is 'Row after the change, redacted like old.';

-- Indexes --------------------------------------------------------------------------------------------

create index audit_log_tenant_id_idx on public.audit_log (tenant_id, id desc);
comment on index public.audit_log_tenant_id_idx is
  'The read policy filters on tenant_id; tenant admins page through their entries newest first.';

create index audit_log_entity_idx on public.audit_log (entity, entity_id, id desc);
comment on index public.audit_log_entity_idx is 'History of one row (one tenant, one data source…).';

-- Grants ---------------------------------------------------------------------------------------------
-- Readable (authenticated through the policy below); never writable by any API role: entries come only
-- from the security-definer trigger. UPDATE, DELETE and TRUNCATE are revoked from the owner too.
revoke all on table public.audit_log from anon, authenticated, service_role;
revoke update, delete, truncate on table public.audit_log from current_user;
grant select on table public.audit_log to authenticated, service_role;
revoke all on sequence public.audit_log_id_seq from anon, authenticated, service_role;

-- Triggers -------------------------------------------------------------------------------------------

create function private.reject_audit_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'audit_log is append-only: % is not allowed', lower(tg_op)
    using errcode = '42501';
end;
$$;
comment on function private.reject_audit_change() is
  'Statement trigger on audit_log: refuses UPDATE, DELETE and TRUNCATE whoever runs them, superusers included.';
revoke execute on function private.reject_audit_change() from public;

create trigger audit_log_append_only
  before update or delete or truncate on public.audit_log
  for each statement execute function private.reject_audit_change();
comment on trigger audit_log_append_only on public.audit_log is
  'Statement level, so it fires even when no row matches; privileges are revoked as well.';

create function private.redact_secrets(p_row jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  -- to_jsonb() renders bytea as '\x…' hex (record_audit pins bytea_output), text as itself.
  select coalesce(
    jsonb_object_agg(
      e.key,
      case
        when e.key ~ '(^|_)(ciphertext|nonce)$' and jsonb_typeof(e.value) = 'string' then
          to_jsonb('sha256:' || left(encode(extensions.digest(
            case
              when left(e.value #>> '{}', 2) = '\x' then decode(substr(e.value #>> '{}', 3), 'hex')
              else convert_to(e.value #>> '{}', 'UTF8')
            end,
            'sha256'), 'hex'), 16))
        else e.value
      end
    ),
    '{}'::jsonb
  )
  from jsonb_each(p_row) as e;
$$;
comment on function private.redact_secrets(jsonb) is
  'Replaces every *ciphertext / *nonce value of a row image by sha256:<first 16 hex of SHA-256 of its bytes>: '
  'enough to see that a secret changed (and to match it with the functions'' fingerprint), never the secret.';
revoke execute on function private.redact_secrets(jsonb) from public;

create function private.record_audit()
returns trigger
language plpgsql
security definer
set search_path = ''
set bytea_output = 'hex'
as $$
-- Trigger arguments: the primary-key columns (default: id). tenant_id is the row's tenant_id column,
-- or its id for public.tenants.
declare
  v_claims jsonb;
  v_sub text;
  v_actor_id uuid;
  v_actor_role text;
  v_old jsonb;
  v_new jsonb;
  v_row jsonb;
  v_entity_id text;
begin
  v_claims := coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb, '{}'::jsonb);
  if jsonb_typeof(v_claims) <> 'object' then
    v_claims := '{}'::jsonb;
  end if;
  v_sub := coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''), v_claims ->> 'sub');
  -- A malformed sub must not block the change it describes: record it as unknown.
  if v_sub ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    v_actor_id := v_sub::uuid;
  end if;
  v_actor_role := coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    v_claims ->> 'role',
    nullif(current_setting('role'), 'none'),
    session_user
  );

  if tg_level = 'STATEMENT' then
    insert into public.audit_log (actor_id, actor_role, action, entity)
    values (v_actor_id, v_actor_role, 'truncate', tg_table_schema || '.' || tg_table_name);
    return null;
  end if;

  if tg_op <> 'INSERT' then
    v_old := private.redact_secrets(to_jsonb(old));
  end if;
  if tg_op <> 'DELETE' then
    v_new := private.redact_secrets(to_jsonb(new));
  end if;
  v_row := coalesce(v_new, v_old);

  if tg_nargs = 0 then
    v_entity_id := v_row ->> 'id';
  elsif tg_nargs = 1 then
    v_entity_id := v_row ->> tg_argv[0];
  else
    select jsonb_agg(v_row -> k.name order by k.position)::text
    into v_entity_id
    from unnest(tg_argv) with ordinality as k (name, position);
  end if;

  insert into public.audit_log (actor_id, actor_role, tenant_id, action, entity, entity_id, old, new)
  values (
    v_actor_id,
    v_actor_role,
    (case
       when tg_table_schema = 'public' and tg_table_name = 'tenants' then v_row ->> 'id'
       else v_row ->> 'tenant_id'
     end)::uuid,
    lower(tg_op),
    tg_table_schema || '.' || tg_table_name,
    v_entity_id,
    v_old,
    v_new
  );
  return null;
end;
$$;
comment on function private.record_audit() is
  'AFTER trigger on every application-database table (row level for insert/update/delete, statement level '
  'for truncate). Security definer: writes audit_log, which no API role may write.';
revoke execute on function private.record_audit() from public;

create trigger encryption_keys_audit
  after insert or update or delete on private.encryption_keys
  for each row execute function private.record_audit();
comment on trigger encryption_keys_audit on private.encryption_keys is 'Key registrations and state changes are audited.';
create trigger encryption_keys_audit_truncate
  after truncate on private.encryption_keys
  for each statement execute function private.record_audit();
comment on trigger encryption_keys_audit_truncate on private.encryption_keys is 'TRUNCATE skips row triggers.';

create trigger data_sources_audit
  after insert or update or delete on private.data_sources
  for each row execute function private.record_audit();
comment on trigger data_sources_audit on private.data_sources is
  'Data source changes are audited with the ciphertext and nonce replaced by fingerprints.';
create trigger data_sources_audit_truncate
  after truncate on private.data_sources
  for each statement execute function private.record_audit();
comment on trigger data_sources_audit_truncate on private.data_sources is 'TRUNCATE skips row triggers.';

create trigger tenants_audit
  after insert or update or delete on public.tenants
  for each row execute function private.record_audit();
comment on trigger tenants_audit on public.tenants is 'Tenant creation, renames, suspensions and routing switches are audited.';
create trigger tenants_audit_truncate
  after truncate on public.tenants
  for each statement execute function private.record_audit();
comment on trigger tenants_audit_truncate on public.tenants is 'TRUNCATE skips row triggers.';

create trigger tenant_members_audit
  after insert or update or delete on public.tenant_members
  for each row execute function private.record_audit('tenant_id', 'user_id');
comment on trigger tenant_members_audit on public.tenant_members is 'Who granted or revoked which membership is audited.';
create trigger tenant_members_audit_truncate
  after truncate on public.tenant_members
  for each statement execute function private.record_audit();
comment on trigger tenant_members_audit_truncate on public.tenant_members is 'TRUNCATE skips row triggers.';

create trigger tenant_moves_audit
  after insert or update or delete on public.tenant_moves
  for each row execute function private.record_audit();
comment on trigger tenant_moves_audit on public.tenant_moves is 'Every phase change of a move is audited.';
create trigger tenant_moves_audit_truncate
  after truncate on public.tenant_moves
  for each statement execute function private.record_audit();
comment on trigger tenant_moves_audit_truncate on public.tenant_moves is 'TRUNCATE skips row triggers.';

create trigger tenant_move_tables_audit
  after insert or update or delete on public.tenant_move_tables
  for each row execute function private.record_audit('move_id', 'table_name');
comment on trigger tenant_move_tables_audit on public.tenant_move_tables is
  'Per-table progress and checksums are audited (the move engine updates once per batch, not per row).';
create trigger tenant_move_tables_audit_truncate
  after truncate on public.tenant_move_tables
  for each statement execute function private.record_audit();
comment on trigger tenant_move_tables_audit_truncate on public.tenant_move_tables is 'TRUNCATE skips row triggers.';

-- RLS enable -----------------------------------------------------------------------------------------
alter table public.audit_log enable row level security;

-- Policies -------------------------------------------------------------------------------------------

create policy "Owners and admins can read their tenant's audit entries"
  on public.audit_log
  for select
  to authenticated
  using (tenant_id in (select private.tenant_ids_with_role(array['owner', 'admin'])));
comment on policy "Owners and admins can read their tenant's audit entries" on public.audit_log is
  'Tenant administrators see changes to their tenant, its members and its moves; nobody else''s, and '
  'never data source or key entries (those have no tenant).';

-- Functions ------------------------------------------------------------------------------------------
-- none beyond the trigger functions above.
