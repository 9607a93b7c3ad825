-- The move engine's columns: the write freeze only service_role sets (audited, and a configuration
-- change the gateway hears), the per-table resume cursor and verification counts, and their invariants.
begin;
select plan(10);

-- A tenant of this test's own, owned by grace, plays globex: real moves of the demo tenants on a working
-- database (one may be unfinished, or globex frozen by one) do not get in the way.
insert into public.tenants (id, slug, name)
values ('c2000000-0000-4000-8000-000000000009', 'pgtap-engine-globex', 'Engine Globex');
insert into public.tenant_members (tenant_id, user_id, role)
values ('c2000000-0000-4000-8000-000000000009', 'b0000000-0000-4000-8000-000000000003', 'owner');

\set grace '{"sub": "b0000000-0000-4000-8000-000000000003", "role": "authenticated"}'

-- Schema --------------------------------------------------------------------------------------------
select col_is_null('public', 'tenants', 'writes_frozen_at', 'tenants.writes_frozen_at is nullable (null = writes allowed)');
select col_type_is('public', 'tenant_move_tables', 'copied_through', 'text', 'the resume cursor is text (any key type)');
select col_default_is('public', 'tenant_move_tables', 'timings', '{}'::jsonb, 'per-table timings default to {}');

-- grace: globex owner -------------------------------------------------------------------------------
set local role authenticated;
select set_config('request.jwt.claims', :'grace', true);
select throws_ok(
  $$update public.tenants set writes_frozen_at = now() where slug = 'pgtap-engine-globex'$$,
  '42501', 'permission denied for table tenants',
  'an owner cannot freeze (or unfreeze) their own tenant');
select results_eq(
  $$select writes_frozen_at is null from public.tenants where slug = 'pgtap-engine-globex'$$,
  array[true], 'members see whether their tenant is frozen');
reset role;

-- service_role: the move engine ---------------------------------------------------------------------
set local role service_role;
select set_config('request.jwt.claims', '{"role": "service_role", "iss": "tenant-router-cli"}', true);
select lives_ok(
  $$update public.tenants set writes_frozen_at = now() where slug = 'pgtap-engine-globex'$$,
  'service_role freezes a tenant');
reset role;
select results_eq(
  $$select action, new ->> 'writes_frozen_at' is not null, actor_role from public.audit_log
    where entity = 'public.tenants' and tenant_id = 'c2000000-0000-4000-8000-000000000009'
    order by id desc limit 1$$,
  $$values ('update', true, 'service_role')$$,
  'the freeze is audited with its actor');

set local role service_role;
select lives_ok(
  $$insert into public.tenant_moves (id, tenant_id, target_data_source_id)
    values ('e0000000-0000-4000-8000-0000000000f1', 'c2000000-0000-4000-8000-000000000009',
            (select id from private.data_sources where name = 'tenant_acme'))$$,
  'service_role records a move');
select throws_ok(
  $$insert into public.tenant_move_tables (move_id, tenant_id, table_name, source_rows)
    values ('e0000000-0000-4000-8000-0000000000f1', 'c2000000-0000-4000-8000-000000000009', 'public.accounts', -1)$$,
  '23514', 'new row for relation "tenant_move_tables" violates check constraint "tenant_move_tables_verified_rows_not_negative"',
  'verified row counts are never negative');
select throws_ok(
  $$update public.tenant_moves set switched_at = created_at - interval '1 second'
    where id = 'e0000000-0000-4000-8000-0000000000f1'$$,
  '23514', 'new row for relation "tenant_moves" violates check constraint "tenant_moves_switched_after_created"',
  'a move cannot switch before it was created');
reset role;

select * from finish();
rollback;
