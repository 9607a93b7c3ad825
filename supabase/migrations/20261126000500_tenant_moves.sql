-- Tenant moves: the record of moving a tenant's rows from one data source to another (copy, freeze,
-- verify, switch, finalize or roll back), with per-table progress for the CLI's progress bars.
-- The move engine itself is a later issue; the tables exist now so its shape is settled.
--
-- In `public`, not `private`: a tenant's owners and admins read their own tenant's moves (progress, outcome)
-- through RLS. Nothing in them is secret (data sources appear as ids only), and only service_role writes.
--
-- Sections in the project's fixed order.

-- Types ----------------------------------------------------------------------------------------------
-- none: statuses are text + CHECK.

-- Tables ---------------------------------------------------------------------------------------------

create table public.tenant_moves (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  source_data_source_id uuid references private.data_sources (id),
  target_data_source_id uuid references private.data_sources (id),
  status text not null default 'pending',
  error text,
  timings jsonb not null default '{}'::jsonb,
  started_at timestamptz,
  finished_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),

  -- Target of the composite foreign key from tenant_move_tables.
  constraint tenant_moves_id_tenant_id_key unique (id, tenant_id),
  constraint tenant_moves_status_valid
    check (status in ('pending', 'copying', 'freezing', 'verifying', 'switching',
                      'done', 'failed', 'rolled_back', 'finalized')),
  -- Null on either side means the default data source (as in tenants.data_source_id).
  constraint tenant_moves_source_differs_from_target
    check (source_data_source_id is distinct from target_data_source_id),
  constraint tenant_moves_failed_has_error
    check (status <> 'failed' or error is not null),
  constraint tenant_moves_finished_after_started
    check (finished_at >= started_at),
  constraint tenant_moves_timings_is_object
    check (jsonb_typeof(timings) = 'object')
);
comment on table public.tenant_moves is
  'One attempt to move a tenant''s rows and routing to another data source; written by the move engine.';
comment on column public.tenant_moves.source_data_source_id is
  'Where the rows were when the move started; null = the default data source.';
comment on column public.tenant_moves.target_data_source_id is
  'Where the rows go; null = the default data source (the switch then sets tenants.data_source_id to null).';
comment on column public.tenant_moves.status is
  'pending → copying → freezing → verifying → switching → done → finalized (source rows purged); '
  'failed (resumable) and rolled_back (routing switched back) end a failed or abandoned move.';
comment on column public.tenant_moves.error is 'Why the move failed, for the operator; never SQL text or secrets.';
comment on column public.tenant_moves.timings is
  'Milliseconds per phase, for example {"copy_ms": 5120, "freeze_ms": 310}.';

create table public.tenant_move_tables (
  move_id uuid not null,
  tenant_id uuid not null,
  table_name text not null,
  ordinal integer not null default 0,
  rows_total bigint,
  rows_copied bigint not null default 0,
  source_checksum text,
  target_checksum text,
  status text not null default 'pending',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),

  primary key (move_id, table_name),
  -- Carries tenant_id so its policy filters on an indexed column without a join, and the composite key
  -- guarantees it is the move's tenant.
  foreign key (move_id, tenant_id) references public.tenant_moves (id, tenant_id) on delete cascade,
  constraint tenant_move_tables_table_name_format
    check (char_length(table_name) between 1 and 200 and table_name !~ '[[:cntrl:]]'),
  constraint tenant_move_tables_ordinal_not_negative check (ordinal >= 0),
  constraint tenant_move_tables_rows_not_negative check (rows_total >= 0 and rows_copied >= 0),
  constraint tenant_move_tables_status_valid
    check (status in ('pending', 'copying', 'copied', 'verified', 'failed'))
);
comment on table public.tenant_move_tables is
  'Per-table progress and verification of a tenant move (the CLI''s progress bars).';
comment on column public.tenant_move_tables.table_name is 'Qualified table name in the tenant database, e.g. public.contacts.';
comment on column public.tenant_move_tables.ordinal is 'Copy order (foreign-key dependency order from the catalog).';
comment on column public.tenant_move_tables.rows_total is 'Rows of the tenant in the source table when the copy started.';
comment on column public.tenant_move_tables.source_checksum is 'Order-independent checksum of the tenant''s rows at the source.';
comment on column public.tenant_move_tables.target_checksum is 'The same checksum at the target; equal to the source''s when verified.';

-- Indexes --------------------------------------------------------------------------------------------

create index tenant_moves_tenant_id_idx on public.tenant_moves (tenant_id, created_at desc);
comment on index public.tenant_moves_tenant_id_idx is
  'The policy filters on tenant_id; the CLI lists a tenant''s moves newest first.';

create unique index tenant_moves_one_open_per_tenant_idx
  on public.tenant_moves (tenant_id)
  where status not in ('rolled_back', 'finalized');
comment on index public.tenant_moves_one_open_per_tenant_idx is
  'At most one unfinished move per tenant: until a move is finalized or rolled back, its rollback is a '
  'switch back, which a second move would invalidate.';

create index tenant_moves_source_data_source_id_idx on public.tenant_moves (source_data_source_id);
comment on index public.tenant_moves_source_data_source_id_idx is
  'Foreign-key check when a data source is deleted.';

create index tenant_moves_target_data_source_id_idx on public.tenant_moves (target_data_source_id);
comment on index public.tenant_moves_target_data_source_id_idx is
  'Foreign-key check when a data source is deleted.';

create index tenant_move_tables_tenant_id_idx on public.tenant_move_tables (tenant_id);
comment on index public.tenant_move_tables_tenant_id_idx is 'The policy filters on tenant_id.';

-- Grants ---------------------------------------------------------------------------------------------
-- Read-only for authenticated (policies narrow it to their tenants); written by service_role only.
revoke all on table public.tenant_moves from anon, authenticated, service_role;
grant select on table public.tenant_moves to authenticated;
grant select, insert, update, delete on table public.tenant_moves to service_role;

revoke all on table public.tenant_move_tables from anon, authenticated, service_role;
grant select on table public.tenant_move_tables to authenticated;
grant select, insert, update, delete on table public.tenant_move_tables to service_role;

-- Triggers -------------------------------------------------------------------------------------------

create trigger tenant_moves_updated_at
  before update on public.tenant_moves
  for each row execute function private.set_updated_at();
comment on trigger tenant_moves_updated_at on public.tenant_moves is 'Keeps updated_at current.';

create trigger tenant_move_tables_updated_at
  before update on public.tenant_move_tables
  for each row execute function private.set_updated_at();
comment on trigger tenant_move_tables_updated_at on public.tenant_move_tables is
  'Keeps updated_at current (the CLI shows stalled copies by it).';

-- RLS enable -----------------------------------------------------------------------------------------
alter table public.tenant_moves enable row level security;
alter table public.tenant_move_tables enable row level security;

-- Policies -------------------------------------------------------------------------------------------

create policy "Owners and admins can read their tenant's moves"
  on public.tenant_moves
  for select
  to authenticated
  using (tenant_id in (select private.tenant_ids_with_role(array['owner', 'admin'])));
comment on policy "Owners and admins can read their tenant's moves" on public.tenant_moves is
  'Tenant administrators follow a move of their tenant; members and viewers do not see moves.';

create policy "Owners and admins can read their tenant's move progress"
  on public.tenant_move_tables
  for select
  to authenticated
  using (tenant_id in (select private.tenant_ids_with_role(array['owner', 'admin'])));
comment on policy "Owners and admins can read their tenant's move progress" on public.tenant_move_tables is
  'Per-table progress of their own tenant''s moves.';

-- Functions ------------------------------------------------------------------------------------------
-- none: the move engine lives in the functions and the operator CLI.
