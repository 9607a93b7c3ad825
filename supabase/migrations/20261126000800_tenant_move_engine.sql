-- Tenant move engine: what the engine (functions/_shared/moves/) records beyond the shape settled in
-- 20261126000500_tenant_moves.sql — the write freeze the gateway reads, the watermarks a resumed or rolled
-- back move continues from, the per-table resume cursor and both sides' verification counts.
--
-- Columns only: existing grants, triggers (updated_at, audit, NOTIFY) and policies cover them. Freezing a
-- tenant is an update of public.tenants, so tenants_notify tells every gateway at commit, and the audit log
-- records who froze and unfroze it.
--
-- Sections in the project's fixed order.

-- Types ----------------------------------------------------------------------------------------------
-- none

-- Tables ---------------------------------------------------------------------------------------------

alter table public.tenants
  add column writes_frozen_at timestamptz;
comment on column public.tenants.writes_frozen_at is
  'Set while a tenant move copies its final delta and verifies it: the gateway answers the tenant''s writes '
  '503 with Retry-After (TR504) and serves its reads. Null: writes allowed. Only the move engine sets it.';

alter table public.tenant_moves
  add column delta_since timestamptz,
  add column switched_at timestamptz,
  add constraint tenant_moves_switched_after_created check (switched_at >= created_at);
comment on column public.tenant_moves.delta_since is
  'Watermark of the catch-up copy: rows whose updated_at is at or after it are copied again before the '
  'freeze. Taken on the source when the copy starts (earlier when transactions were already running there).';
comment on column public.tenant_moves.switched_at is
  'When the tenant''s routing switched to the target (status done); a rollback carries back what changed since.';

alter table public.tenant_move_tables
  add column copied_through text,
  add column source_rows bigint,
  add column target_rows bigint,
  add column timings jsonb not null default '{}'::jsonb,
  add constraint tenant_move_tables_verified_rows_not_negative
    check (source_rows >= 0 and target_rows >= 0),
  add constraint tenant_move_tables_timings_is_object
    check (jsonb_typeof(timings) = 'object'),
  add constraint tenant_move_tables_copied_through_length
    check (char_length(copied_through) <= 1000);
comment on column public.tenant_move_tables.copied_through is
  'Resume cursor: the primary key (as text) of the last batch the target committed. A resumed copy deletes '
  'the target''s rows after it and continues from there, so a crash never duplicates or loses rows.';
comment on column public.tenant_move_tables.source_rows is 'Rows of the tenant at the source when verified.';
comment on column public.tenant_move_tables.target_rows is 'Rows of the tenant at the target when verified.';
comment on column public.tenant_move_tables.timings is
  'Milliseconds per step of this table, for example {"copy_ms": 812, "verify_ms": 40}.';

-- Indexes --------------------------------------------------------------------------------------------
-- none: the gateway reads writes_frozen_at with the tenant row it already loads.

-- Grants ---------------------------------------------------------------------------------------------
-- none: table grants cover the new columns; authenticated still updates only tenants.name.

-- Triggers -------------------------------------------------------------------------------------------
-- none: tenants_notify and the audit triggers already fire for every column.

-- RLS enable -----------------------------------------------------------------------------------------
-- unchanged

-- Policies -------------------------------------------------------------------------------------------
-- unchanged

-- Functions ------------------------------------------------------------------------------------------
-- none
